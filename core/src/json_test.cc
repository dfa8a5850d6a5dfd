#include "reagent/core/json.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace reagent {
namespace {

TEST(JsonTest, ParseErrorNamesWhereAndTheByte) {
  auto r = ParseJson(R"({"a": 1,})", "line 3");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("line 3"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find("byte 9"), std::string::npos) << r.status();
}

TEST(JsonTest, ParsesValidText) {
  auto r = ParseJson(R"({"a": [1, "x"]})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["a"][1], "x");
}

TEST(JsonTest, ReadJsonFileNamesTheMissingPath) {
  auto r = ReadJsonFile("/nonexistent/reagent.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("/nonexistent/reagent.json"), std::string::npos);
}

TEST(JsonTest, ReadJsonFileReportsTheFileOnBadContent) {
  std::string path = ::testing::TempDir() + "/bad.json";
  std::ofstream(path) << "{nope";
  auto r = ReadJsonFile(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(path), std::string::npos);
  std::remove(path.c_str());
}

TEST(JsonTest, DumpNeverThrowsOnInvalidUtf8) {
  Json j = std::string("ok \xff\xfe bad");
  std::string out = DumpJson(j);
  EXPECT_NE(out.find("\xEF\xBF\xBD"), std::string::npos);  // U+FFFD
}

TEST(JsonTest, NumberOutOfDoubleRangeIsAParseErrorNamingThePlace) {
  for (const char* text : {R"({"usage": {"prompt_tokens": 1e400}})", "[-1e400]", "1E+999"}) {
    auto r = ParseJson(text, "response body");
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("response body"), std::string::npos) << r.status();
    EXPECT_NE(r.status().message().find("out of range"), std::string::npos) << r.status();
  }
  auto r = ParseJson(R"({"a": 1e400})", "x");
  EXPECT_NE(r.status().message().find("byte 6"), std::string::npos) << r.status();
  // Big but representable numbers are fine; integers beyond 64 bits become doubles.
  EXPECT_TRUE(ParseJson("[1e308, -1e308, 123456789012345678901234567890]").ok());
}

TEST(JsonTest, NestingDeeperThanTheLimitIsRefusedBeforeParsing) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  auto r = ParseJson(deep, "line 1");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("line 1"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find("nesting deeper than 64"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find("byte 64"), std::string::npos) << r.status();

  const std::string ok = std::string(64, '[') + std::string(64, ']');
  EXPECT_TRUE(ParseJson(ok).ok());
  EXPECT_FALSE(ParseJson("[" + ok + "]").ok());
  EXPECT_TRUE(ParseJson("[" + ok + "]", "x", {.max_depth = 65}).ok());
}

TEST(JsonTest, BracketsInsideStringsDoNotCountAsNesting) {
  const std::string text = R"({"a": ")" + std::string(1000, '[') + R"(\"{{{", "b": [1]})";
  auto r = ParseJson(text);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)["b"][0], 1);
}

TEST(JsonTest, ReadJsonFileRefusesADirectoryClearly) {
  auto r = ReadJsonFile(::testing::TempDir());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("is a directory"), std::string::npos) << r.status();
}

TEST(JsonTest, CheckedParseGivesTheRefusalUnworded) {
  auto deep = ParseJsonChecked(std::string(5, '[') + std::string(5, ']'), {.max_depth = 4});
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.error().kind, JsonRefusal::Kind::kTooDeep);
  EXPECT_EQ(deep.error().byte, 4u);
  const std::string big = R"({"a": [1, 1e400]})";
  auto number = ParseJsonChecked(big);
  ASSERT_FALSE(number.ok());
  EXPECT_EQ(number.error().kind, JsonRefusal::Kind::kNumberOutOfRange);
  EXPECT_EQ(number.error().number, "1e400");
  EXPECT_EQ(number.error().byte, 10u);
  EXPECT_EQ(number.error().reason.rfind("[json.exception", 0), std::string::npos) << number.error().reason;
  auto syntax = ParseJsonChecked(R"({"a": )");
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.error().kind, JsonRefusal::Kind::kSyntax);
  EXPECT_FALSE(syntax.error().reason.empty());
  auto ok = ParseJsonChecked(R"({"a": [1, 2]})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)["a"][1], 2);
}

TEST(JsonTest, TypeNames) {
  EXPECT_EQ(JsonTypeName(Json(1)), "integer");
  EXPECT_EQ(JsonTypeName(Json(1.5)), "number");
  EXPECT_EQ(JsonTypeName(Json("s")), "string");
  EXPECT_EQ(JsonTypeName(Json::object()), "object");
}

}  // namespace
}  // namespace reagent
