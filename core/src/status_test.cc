#include "reagent/core/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>

namespace reagent {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(StatusTest, ErrorCarriesCodeAndMessage) {
  Status s = Status::NotFound("session abc");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "not_found: session abc");
}

TEST(StatusTest, WithContextPrefixesAndKeepsRetryHint) {
  Status s = Status::RateLimited("slow down").set_retry_after_s(2.5);
  Status c = s.WithContext("gpt-4.1");
  EXPECT_EQ(c.message(), "gpt-4.1: slow down");
  ASSERT_TRUE(c.retry_after_s().has_value());
  EXPECT_DOUBLE_EQ(*c.retry_after_s(), 2.5);
  EXPECT_TRUE(Status::Ok().WithContext("x").ok());
}

TEST(StatusTest, EveryCodeHasADistinctName) {
  std::set<std::string_view> names;
  for (int c = 0; c <= static_cast<int>(StatusCode::kUnimplemented); ++c) {
    names.insert(StatusCodeName(static_cast<StatusCode>(c)));
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(StatusCode::kUnimplemented) + 1);
  EXPECT_EQ(names.count("unknown"), 0u);
}

Result<int> Half(int x) {
  if (x % 2) return Status::InvalidArgument("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  REAGENT_ASSIGN_OR_RETURN(int h, Half(x));
  REAGENT_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(ResultTest, HoldsValueOrStatus) {
  Result<int> ok = Half(8);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 4);
  EXPECT_TRUE(ok.status().ok());
  Result<int> bad = Half(3);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.value_or(-1), -1);
}

TEST(ResultTest, AssignOrReturnPropagatesTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().message(), "odd");  // 6 -> 3 -> odd
}

TEST(ResultTest, MoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

Status FailIfNegative(int x) { return x < 0 ? Status::InvalidArgument("negative") : Status::Ok(); }
Status Both(int a, int b) {
  REAGENT_RETURN_IF_ERROR(FailIfNegative(a));
  REAGENT_RETURN_IF_ERROR(FailIfNegative(b));
  return Status::Ok();
}

TEST(ResultTest, ReturnIfErrorStopsAtTheFirstFailure) {
  EXPECT_TRUE(Both(1, 2).ok());
  EXPECT_EQ(Both(1, -2).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace reagent
