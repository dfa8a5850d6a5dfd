#include "reagent/llm/http_headers.h"

#include <gtest/gtest.h>

namespace reagent {
namespace {

// 2025-01-01T00:00:00Z, the ManualClock's default wall start.
const WallTime kNow{std::chrono::seconds(1735689600)};

TEST(GoDuration, ParsesMinutesAndSeconds) { EXPECT_DOUBLE_EQ(*ParseGoDuration("6m0s"), 360.0); }
TEST(GoDuration, ParsesFractionalSeconds) { EXPECT_DOUBLE_EQ(*ParseGoDuration("1.5s"), 1.5); }
TEST(GoDuration, ParsesMilliseconds) { EXPECT_DOUBLE_EQ(*ParseGoDuration("250ms"), 0.25); }
TEST(GoDuration, ParsesHoursMinutesAndFractionalSeconds) {
  EXPECT_DOUBLE_EQ(*ParseGoDuration("1h2m3.5s"), 3723.5);
}
TEST(GoDuration, ParsesGroqStyleFractionalMinutes) {
  EXPECT_NEAR(*ParseGoDuration("2m59.56s"), 179.56, 1e-9);
}
TEST(GoDuration, ParsesMicrosAndNanos) {
  EXPECT_DOUBLE_EQ(*ParseGoDuration("20us"), 20e-6);
  EXPECT_DOUBLE_EQ(*ParseGoDuration("20\xC2\xB5s"), 20e-6);
  EXPECT_DOUBLE_EQ(*ParseGoDuration("500ns"), 500e-9);
}
TEST(GoDuration, TakesABareNumberAsSeconds) { EXPECT_DOUBLE_EQ(*ParseGoDuration(" 60 "), 60.0); }
TEST(GoDuration, ParsesZero) { EXPECT_DOUBLE_EQ(*ParseGoDuration("0s"), 0.0); }
TEST(GoDuration, RejectsGarbage) {
  EXPECT_FALSE(ParseGoDuration(""));
  EXPECT_FALSE(ParseGoDuration("soon"));
  EXPECT_FALSE(ParseGoDuration("5x"));
  EXPECT_FALSE(ParseGoDuration("-1s"));
  EXPECT_FALSE(ParseGoDuration("1.5"  "s5"));
}

TEST(GoDuration, FormatsLikeGo) {
  EXPECT_EQ(FormatGoDuration(360), "6m0s");
  EXPECT_EQ(FormatGoDuration(1.5), "1.5s");
  EXPECT_EQ(FormatGoDuration(0.25), "250ms");
  EXPECT_EQ(FormatGoDuration(3723.5), "1h2m3.5s");
  EXPECT_EQ(FormatGoDuration(0), "0s");
  EXPECT_EQ(FormatGoDuration(-3), "0s");
}

TEST(GoDuration, FormattedValuesParseBack) {
  for (double s : {0.001, 0.25, 1.0, 1.5, 59.999, 60.0, 61.25, 3600.0, 7322.5}) {
    EXPECT_NEAR(*ParseGoDuration(FormatGoDuration(s)), s, 1e-6) << FormatGoDuration(s);
  }
}

TEST(HttpDate, ParsesImfFixdate) {
  EXPECT_DOUBLE_EQ(*ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777.0);
}
TEST(HttpDate, ParsesRfc850) {
  EXPECT_DOUBLE_EQ(*ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777.0);
}
TEST(HttpDate, ParsesAsctime) {
  EXPECT_DOUBLE_EQ(*ParseHttpDate("Sun Nov  6 08:49:37 1994"), 784111777.0);
}
TEST(HttpDate, RejectsNonDates) {
  EXPECT_FALSE(ParseHttpDate("tomorrow"));
  EXPECT_FALSE(ParseHttpDate("Sun, 06 Foo 1994 08:49:37 GMT"));
  EXPECT_FALSE(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 PST"));
}

TEST(RetryAfter, ReadsDeltaSeconds) { EXPECT_DOUBLE_EQ(*ParseRetryAfterValue("60", kNow), 60.0); }
TEST(RetryAfter, ReadsFractionalSeconds) {
  EXPECT_DOUBLE_EQ(*ParseRetryAfterValue("1.25", kNow), 1.25);
}
TEST(RetryAfter, ReadsAnHttpDateRelativeToNow) {
  EXPECT_DOUBLE_EQ(*ParseRetryAfterValue("Wed, 01 Jan 2025 00:00:30 GMT", kNow), 30.0);
}
TEST(RetryAfter, DateInThePastMeansNoWait) {
  EXPECT_DOUBLE_EQ(*ParseRetryAfterValue("Tue, 31 Dec 2024 23:00:00 GMT", kNow), 0.0);
}
TEST(RetryAfter, RejectsGarbage) { EXPECT_FALSE(ParseRetryAfterValue("later", kNow)); }

TEST(RetryAfter, MillisecondHeaderWinsOverSeconds) {
  HttpHeaders h{{"retry-after-ms", "850"}, {"retry-after", "1"}};
  EXPECT_DOUBLE_EQ(*RetryAfterFromHeaders(h, kNow), 0.85);
}
TEST(RetryAfter, FallsBackToSecondsWhenMillisecondsAreUnparsable) {
  HttpHeaders h{{"retry-after-ms", "abc"}, {"retry-after", "7"}};
  EXPECT_DOUBLE_EQ(*RetryAfterFromHeaders(h, kNow), 7.0);
}
TEST(RetryAfter, AbsentWhenNoHeader) { EXPECT_FALSE(RetryAfterFromHeaders({}, kNow)); }

TEST(RateLimitHeaders, ParsesTheWholeFamily) {
  HttpHeaders h{{"x-ratelimit-limit-requests", "60"},   {"x-ratelimit-remaining-requests", "0"},
                {"x-ratelimit-reset-requests", "6m0s"}, {"x-ratelimit-limit-tokens", "150000"},
                {"x-ratelimit-remaining-tokens", "149984"}, {"x-ratelimit-reset-tokens", "6ms"}};
  RateLimitInfo info = ParseRateLimitHeaders(h);
  EXPECT_EQ(info.limit_requests, 60);
  EXPECT_EQ(info.remaining_requests, 0);
  EXPECT_DOUBLE_EQ(*info.reset_requests_s, 360.0);
  EXPECT_EQ(info.limit_tokens, 150000);
  EXPECT_EQ(info.remaining_tokens, 149984);
  EXPECT_DOUBLE_EQ(*info.reset_tokens_s, 0.006);
  EXPECT_FALSE(info.empty());
}
TEST(RateLimitHeaders, LeavesUnparsableValuesEmpty) {
  RateLimitInfo info = ParseRateLimitHeaders({{"x-ratelimit-limit-requests", "many"}});
  EXPECT_TRUE(info.empty());
}
TEST(RateLimitHeaders, ExhaustedWindowGivesTheWait) {
  RateLimitInfo info;
  info.remaining_requests = 5;
  info.reset_requests_s = 30;
  info.remaining_tokens = 0;
  info.reset_tokens_s = 1.5;
  EXPECT_DOUBLE_EQ(*RetryAfterFromRateLimit(info), 1.5);
}
TEST(RateLimitHeaders, WithoutAnExhaustedWindowTheLongerResetIsTaken) {
  RateLimitInfo info;
  info.reset_requests_s = 2;
  info.reset_tokens_s = 0.5;
  EXPECT_DOUBLE_EQ(*RetryAfterFromRateLimit(info), 2.0);
  EXPECT_FALSE(RetryAfterFromRateLimit(RateLimitInfo{}));
}

}  // namespace
}  // namespace reagent
