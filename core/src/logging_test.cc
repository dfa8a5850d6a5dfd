#include "reagent/core/logging.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace reagent {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(RedactionTest, RegisteredSecretsNeverReachTheText) {
  RegisterSecret("my-very-private-key-123");
  std::string out = RedactSecrets("auth with my-very-private-key-123 failed");
  EXPECT_EQ(out, "auth with [REDACTED] failed");
}

TEST(RedactionTest, KeyShapedTokensAreRedacted) {
  EXPECT_EQ(RedactSecrets("key=sk-proj-abcdefghijklmnopqrstuvwx end"), "key=sk-[REDACTED] end");
  EXPECT_EQ(RedactSecrets("Authorization: Bearer abc.def-ghi_jkl"),
            "Authorization: Bearer [REDACTED]");
  // Ordinary words that merely start like a key stay.
  EXPECT_EQ(RedactSecrets("task-sk-1 and sk-short"), "task-sk-1 and sk-short");
}

TEST(RedactionTest, ShortSecretsAreIgnoredSoWordsSurvive) {
  RegisterSecret("abc");
  EXPECT_EQ(RedactSecrets("abc def"), "abc def");
}

TEST(LoggingTest, LogFileNeverContainsTheKey) {
  std::string path = ::testing::TempDir() + "/reagent_log_test.log";
  std::remove(path.c_str());
  RegisterSecret("SECRET-KEY-VALUE-0042");
  ASSERT_TRUE(ConfigureLogging({.level = "info", .json = false, .file = path}).ok());
  Logger()->info("calling model with key {}", "SECRET-KEY-VALUE-0042");
  Logger()->flush();
  std::string text = ReadAll(path);
  EXPECT_EQ(text.find("SECRET-KEY-VALUE-0042"), std::string::npos) << text;
  EXPECT_NE(text.find("[REDACTED]"), std::string::npos) << text;
  ASSERT_TRUE(ConfigureLogging({}).ok());
}

TEST(LoggingTest, JsonLinesAreValidJsonEvenWithQuotes) {
  std::string path = ::testing::TempDir() + "/reagent_log_json.log";
  std::remove(path.c_str());
  ASSERT_TRUE(ConfigureLogging({.level = "debug", .json = true, .file = path}).ok());
  Logger()->warn("a \"quoted\" value\nand a newline");
  Logger()->flush();
  std::string line = ReadAll(path);
  auto j = nlohmann::json::parse(line.substr(0, line.find('\n')));
  EXPECT_EQ(j["level"], "warning");
  EXPECT_EQ(j["msg"], "a \"quoted\" value\nand a newline");
  ASSERT_TRUE(ConfigureLogging({}).ok());
}

TEST(LoggingTest, UnknownLevelIsAnError) {
  Status s = ConfigureLogging({.level = "loud"});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("loud"), std::string::npos);
}

}  // namespace
}  // namespace reagent
