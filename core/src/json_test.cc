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

TEST(JsonTest, TypeNames) {
  EXPECT_EQ(JsonTypeName(Json(1)), "integer");
  EXPECT_EQ(JsonTypeName(Json(1.5)), "number");
  EXPECT_EQ(JsonTypeName(Json("s")), "string");
  EXPECT_EQ(JsonTypeName(Json::object()), "object");
}

}  // namespace
}  // namespace reagent
