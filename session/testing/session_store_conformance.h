// The SessionStore specification as a typed GoogleTest suite: every store implementation
// must pass it unchanged. A store's test file defines a "kind" per store and instantiates:
//
//   struct MyStore {
//     static constexpr const char* kName = "Mine";
//     static std::unique_ptr<SessionStore> Open(const SessionStoreOptions& o, Clock& clock,
//                                               const ConformanceTempDir& dir);
//   };
//   using ConformanceKinds = ::testing::Types<MyStore>;
//   #include "session_store_conformance.h"   // after ConformanceKinds, in one file per binary
//
// Every store sees the same ManualClock (starting 2025-01-01T00:00:00Z) and a fresh temporary
// directory per test; Open is called once or more per test and must return an empty store.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <string>
#include <thread>

#include "reagent/core/clock.h"
#include "reagent/session/session_store.h"

namespace reagent {
namespace {

class ConformanceTempDir {
 public:
  ConformanceTempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "reagent-session-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~ConformanceTempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return (std::filesystem::path(path_) / name).string(); }

 private:
  std::string path_;
};

template <typename Kind>
class SessionStoreConformance : public ::testing::Test {
 protected:
  std::unique_ptr<SessionStore> Open(const SessionStoreOptions& o = {}) { return Kind::Open(o, clock_, dir_); }

  static StepRecord Step(std::vector<Message> messages, int64_t prompt, int64_t completion,
                         std::optional<double> cost) {
    StepRecord step{.messages = std::move(messages), .model = "gpt-test"};
    step.usage = {prompt, completion, 0, cost};
    return step;
  }

  ManualClock clock_;
  ConformanceTempDir dir_;
};

class ConformanceKindNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return T::kName;
  }
};
TYPED_TEST_SUITE(SessionStoreConformance, ConformanceKinds, ConformanceKindNames);

TYPED_TEST(SessionStoreConformance, IdsAre128BitUrlSafeAndDistinctForTheSameUserAndInstant) {
  auto store = this->Open();
  std::set<std::string> ids;
  for (int i = 0; i < 200; ++i) {
    auto info = store->Create("alice");
    ASSERT_TRUE(info.ok()) << info.status();
    ASSERT_EQ(info->id.size(), 22u);
    for (char c : info->id) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << info->id;
    ids.insert(info->id);
  }
  EXPECT_EQ(ids.size(), 200u);
}

TYPED_TEST(SessionStoreConformance, CreateRefusesAnEmptyUserAndNonObjectMetadata) {
  auto store = this->Open();
  EXPECT_EQ(store->Create("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store->Create("bob", nlohmann::json::array({1})).status().code(), StatusCode::kInvalidArgument);
}

TYPED_TEST(SessionStoreConformance, LoadReturnsTheHistoryInAppendOrderWithSummedUsage) {
  auto store = this->Open();
  auto info = store->Create("alice", {{"channel", "web"}});
  ASSERT_TRUE(info.ok());
  ASSERT_TRUE(store->AppendStep(info->id, this->Step({Message::System("be brief"), Message::User("hi")}, 10, 2, 0.25)).ok());
  ASSERT_TRUE(store->AppendStep(info->id, this->Step({Message::Assistant("hello")}, 12, 3, 0.5)).ok());
  auto session = store->Load(info->id);
  ASSERT_TRUE(session.ok()) << session.status();
  ASSERT_EQ(session->messages.size(), 3u);
  EXPECT_EQ(session->messages[0], Message::System("be brief"));
  EXPECT_EQ(session->messages[1], Message::User("hi"));
  EXPECT_EQ(session->messages[2], Message::Assistant("hello"));
  EXPECT_EQ(session->info.user_id, "alice");
  EXPECT_EQ(session->info.step_count, 2);
  EXPECT_EQ(session->info.message_count, 3);
  EXPECT_EQ(session->info.usage, (Usage{22, 5, 0, 0.75}));
  EXPECT_EQ(session->info.metadata, (nlohmann::json{{"channel", "web"}}));
}

TYPED_TEST(SessionStoreConformance, ToolCallsAndToolResultsRoundTrip) {
  auto store = this->Open();
  auto info = store->Create("alice");
  Message call = Message::Assistant("", {ToolCall{"call_1", "search", R"({"q":"hà nội"})"}});
  Message result = Message::Tool("call_1", "search", "sunny, 31 °C");
  ASSERT_TRUE(store->AppendStep(info->id, this->Step({call, result}, 1, 1, 0.0)).ok());
  auto session = store->Load(info->id);
  ASSERT_TRUE(session.ok());
  ASSERT_EQ(session->messages.size(), 2u);
  EXPECT_EQ(session->messages[0], call);
  EXPECT_EQ(session->messages[1], result);
}

TYPED_TEST(SessionStoreConformance, UnknownIdIsNotFound) {
  auto store = this->Open();
  EXPECT_EQ(store->Load("no-such-session-id-xxx").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->AppendStep("nope", {}).code(), StatusCode::kNotFound);
  EXPECT_EQ(store->Touch("nope").code(), StatusCode::kNotFound);
  EXPECT_EQ(store->Delete("nope").code(), StatusCode::kNotFound);
  EXPECT_EQ(store->BeginTurn("nope").status().code(), StatusCode::kNotFound);
}

TYPED_TEST(SessionStoreConformance, SessionExpiresWhenTtlPassesSinceTheLastAccess) {
  auto store = this->Open({.ttl = Seconds(3600)});
  auto info = store->Create("alice");
  this->clock_.Advance(Seconds(3599));
  ASSERT_TRUE(store->Touch(info->id).ok());
  this->clock_.Advance(Seconds(3599));
  EXPECT_TRUE(store->Load(info->id).ok());
  this->clock_.Advance(Seconds(1));
  EXPECT_EQ(store->Load(info->id).status().code(), StatusCode::kExpired);
  EXPECT_EQ(store->AppendStep(info->id, {}).code(), StatusCode::kExpired);
  EXPECT_EQ(store->BeginTurn(info->id).status().code(), StatusCode::kExpired);
}

TYPED_TEST(SessionStoreConformance, OversizedMessageIsRefusedAndNothingIsStored) {
  auto store = this->Open({.max_message_bytes = 1000});
  auto info = store->Create("alice");
  Status s = store->AppendStep(info->id, this->Step({Message::User("ok"), Message::User(std::string(1001, 'x'))}, 1, 1, 0.1));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("message 2"), std::string::npos) << s;
  EXPECT_NE(s.message().find("1001 bytes"), std::string::npos) << s;
  EXPECT_EQ(store->Load(info->id)->messages.size(), 0u);
  EXPECT_EQ(store->Steps(info->id)->size(), 0u);
}

TYPED_TEST(SessionStoreConformance, MessageTokensMustMatchTheMessagesOneForOne) {
  auto store = this->Open();
  auto info = store->Create("alice");
  StepRecord step = this->Step({Message::User("a"), Message::Assistant("b")}, 1, 1, 0.0);
  step.message_tokens = {3};
  EXPECT_EQ(store->AppendStep(info->id, step).code(), StatusCode::kInvalidArgument);
  step.message_tokens = {3, 4};
  EXPECT_TRUE(store->AppendStep(info->id, step).ok());
  EXPECT_EQ(store->GetInfo(info->id)->message_count, 2);
}

TYPED_TEST(SessionStoreConformance, LedgerKeepsPerStepUsageModelAndPosition) {
  auto store = this->Open();
  auto info = store->Create("alice");
  StepRecord first = this->Step({Message::User("a"), Message::Assistant("b")}, 100, 20, 0.5);
  first.usage.cached_tokens = 40;
  first.extra = {{"stop", "final_answer"}};
  ASSERT_TRUE(store->AppendStep(info->id, first).ok());
  this->clock_.Advance(Seconds(5));
  StepRecord second = this->Step({Message::User("c")}, 7, 1, std::nullopt);
  second.model = "local";
  ASSERT_TRUE(store->AppendStep(info->id, second).ok());
  auto steps = store->Steps(info->id);
  ASSERT_TRUE(steps.ok());
  ASSERT_EQ(steps->size(), 2u);
  EXPECT_EQ((*steps)[0].step, 1);
  EXPECT_EQ((*steps)[0].first_message, 0);
  EXPECT_EQ((*steps)[0].message_count, 2);
  EXPECT_EQ((*steps)[0].model, "gpt-test");
  EXPECT_EQ((*steps)[0].usage, (Usage{100, 20, 40, 0.5}));
  EXPECT_EQ((*steps)[0].extra, (nlohmann::json{{"stop", "final_answer"}}));
  EXPECT_EQ((*steps)[1].first_message, 2);
  EXPECT_EQ((*steps)[1].model, "local");
  EXPECT_EQ((*steps)[1].usage.cost_usd, std::nullopt);
  EXPECT_EQ((*steps)[1].created_at - (*steps)[0].created_at, Seconds(5));
  // One unpriced step makes the session's cost unknown, not zero.
  EXPECT_EQ(store->GetInfo(info->id)->usage, (Usage{107, 21, 40, std::nullopt}));
}

TYPED_TEST(SessionStoreConformance, AtMostThreeConcurrentTurnsPerUserByDefault) {
  auto store = this->Open();
  std::vector<std::string> sessions;
  for (int i = 0; i < 4; ++i) sessions.push_back(store->Create("alice")->id);
  auto b = store->Create("bob");
  std::vector<std::unique_ptr<TurnLease>> leases;
  for (int i = 0; i < 3; ++i) {
    auto lease = store->BeginTurn(sessions[static_cast<size_t>(i)]);
    ASSERT_TRUE(lease.ok()) << lease.status();
    leases.push_back(std::move(*lease));
  }
  auto refused = store->BeginTurn(sessions[3]);
  ASSERT_EQ(refused.status().code(), StatusCode::kRateLimited);
  EXPECT_EQ(refused.status().retry_after_s(), 1.0);
  EXPECT_EQ(*store->RunningTurns("alice"), 3);
  EXPECT_TRUE(store->BeginTurn(b->id).ok()) << "another user's limit is separate";
  leases.pop_back();
  EXPECT_EQ(*store->RunningTurns("alice"), 2);
  EXPECT_TRUE(store->BeginTurn(sessions[3]).ok());
}

TYPED_TEST(SessionStoreConformance, SlidingWindowRefusesTheThirtyFirstRequestAndSaysWhenToRetry) {
  auto store = this->Open();
  auto a = store->Create("alice");
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(store->BeginTurn(a->id).ok()) << i;  // lease released at once
    this->clock_.Advance(Seconds(1));
  }
  // Now t=30 s; the first request (t=0) leaves the 60 s window at t=60.
  auto refused = store->BeginTurn(a->id);
  ASSERT_EQ(refused.status().code(), StatusCode::kRateLimited);
  EXPECT_DOUBLE_EQ(*refused.status().retry_after_s(), 30.0);
  this->clock_.Advance(Seconds(30));
  EXPECT_TRUE(store->BeginTurn(a->id).ok());
  EXPECT_EQ(store->BeginTurn(a->id).status().code(), StatusCode::kRateLimited);
}

TYPED_TEST(SessionStoreConformance, RefusedTurnsDoNotCountAsRequests) {
  auto store = this->Open({.max_concurrent_turns_per_user = 1, .max_requests_per_window = 2});
  auto a = store->Create("alice");
  auto a2 = store->Create("alice");
  auto held = store->BeginTurn(a->id);
  ASSERT_TRUE(held.ok());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(store->BeginTurn(a2->id).status().code(), StatusCode::kRateLimited);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(store->BeginTurn(a->id).status().code(), StatusCode::kUnavailable);
  held->reset();
  EXPECT_TRUE(store->BeginTurn(a->id).ok());
}

TYPED_TEST(SessionStoreConformance, ARunningTurnKeepsItsSessionAlivePastTheTtl) {
  auto store = this->Open({.ttl = Seconds(60)});
  auto info = store->Create("alice");
  auto lease = store->BeginTurn(info->id);
  ASSERT_TRUE(lease.ok());
  this->clock_.Advance(Seconds(600));
  EXPECT_TRUE(store->Load(info->id).ok());
  auto swept = store->Sweep();
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->expired, 0);
  EXPECT_TRUE(store->AppendStep(info->id, this->Step({Message::Assistant("done")}, 1, 1, 0.0)).ok());
  lease->reset();
  this->clock_.Advance(Seconds(60));
  EXPECT_EQ(store->Load(info->id).status().code(), StatusCode::kExpired);
  EXPECT_EQ(store->Sweep()->expired, 1);
  EXPECT_EQ(store->Load(info->id).status().code(), StatusCode::kNotFound);
}

TYPED_TEST(SessionStoreConformance, LruEvictsTheLeastRecentlyAccessedBeyondMaxSessions) {
  auto store = this->Open({.max_sessions = 3});
  auto a = store->Create("u");
  this->clock_.Advance(Seconds(1));
  auto b = store->Create("u");
  this->clock_.Advance(Seconds(1));
  auto c = store->Create("u");
  this->clock_.Advance(Seconds(1));
  ASSERT_TRUE(store->Touch(a->id).ok());
  this->clock_.Advance(Seconds(1));
  auto d = store->Create("u");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(store->Load(b->id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store->Load(a->id).ok());
  EXPECT_TRUE(store->Load(c->id).ok());
  EXPECT_EQ(store->List()->size(), 3u);
}

TYPED_TEST(SessionStoreConformance, LruNeverEvictsASessionWithARunningTurn) {
  auto store = this->Open({.max_sessions = 2});
  auto a = store->Create("u");
  this->clock_.Advance(Seconds(1));
  auto b = store->Create("v");
  auto lease = store->BeginTurn(a->id);  // a is now the most recent, but test b too:
  this->clock_.Advance(Seconds(1));
  auto lease_b = store->BeginTurn(b->id);
  this->clock_.Advance(Seconds(1));
  auto c = store->Create("u");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(store->Load(a->id).ok());
  EXPECT_TRUE(store->Load(b->id).ok());
  EXPECT_EQ(store->List()->size(), 3u) << "overshoots rather than evict a running turn";
  lease_b->reset();
  auto report = store->Sweep();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->evicted, 1);
  EXPECT_EQ(store->Load(b->id).status().code(), StatusCode::kNotFound);
}

TYPED_TEST(SessionStoreConformance, SweepPurgesOnlyExpiredSessions) {
  auto store = this->Open({.ttl = Seconds(100)});
  auto old1 = store->Create("u");
  auto old2 = store->Create("v");
  this->clock_.Advance(Seconds(50));
  auto fresh = store->Create("u");
  this->clock_.Advance(Seconds(50));
  auto report = store->Sweep();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->expired, 2);
  EXPECT_EQ(report->evicted, 0);
  EXPECT_EQ(store->Load(old1->id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store->Load(fresh->id).ok());
}

TYPED_TEST(SessionStoreConformance, DeleteRemovesTheSessionButTheLedgerKeepsItsCost) {
  auto store = this->Open();
  auto info = store->Create("alice");
  ASSERT_TRUE(store->AppendStep(info->id, this->Step({Message::User("x")}, 5, 5, 1.5)).ok());
  {
    auto lease = store->BeginTurn(info->id);
    EXPECT_EQ(store->Delete(info->id).code(), StatusCode::kFailedPrecondition);
  }
  ASSERT_TRUE(store->Delete(info->id).ok());
  EXPECT_EQ(store->Load(info->id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->Steps(info->id).status().code(), StatusCode::kNotFound);
  auto totals = store->UsageTotals(UsageGrouping::kUser);
  ASSERT_TRUE(totals.ok());
  ASSERT_EQ(totals->size(), 1u);
  EXPECT_EQ((*totals)[0].user_id, "alice");
  EXPECT_EQ((*totals)[0].usage, (Usage{5, 5, 0, 1.5}));
}

TYPED_TEST(SessionStoreConformance, ListFiltersByUserAndExpiryMostRecentFirst) {
  auto store = this->Open({.ttl = Seconds(100)});
  auto a1 = store->Create("alice");
  this->clock_.Advance(Seconds(60));
  auto b1 = store->Create("bob");
  this->clock_.Advance(Seconds(10));
  auto a2 = store->Create("alice");
  this->clock_.Advance(Seconds(40));  // a1 expired (110 s), b1 (50 s) and a2 (40 s) live
  auto live = store->List();
  ASSERT_TRUE(live.ok());
  ASSERT_EQ(live->size(), 2u);
  EXPECT_EQ((*live)[0].id, a2->id);
  EXPECT_EQ((*live)[1].id, b1->id);
  auto alice = store->List({.user_id = "alice"});
  ASSERT_EQ(alice->size(), 1u);
  EXPECT_EQ((*alice)[0].id, a2->id);
  auto expired = store->List({.expired_only = true});
  ASSERT_EQ(expired->size(), 1u);
  EXPECT_EQ((*expired)[0].id, a1->id);
  EXPECT_EQ(store->List({.include_expired = true})->size(), 3u);
  EXPECT_EQ(store->List({.include_expired = true, .limit = 1})->size(), 1u);
}

TYPED_TEST(SessionStoreConformance, UsageTotalsFilterExactlyAndKeepUnpricedCostsUnknown) {
  auto store = this->Open({});
  auto al = store->Create("al");  // a user whose id is a prefix of another's
  auto alice = store->Create("alice");
  auto alice2 = store->Create("alice");
  ASSERT_TRUE(store->AppendStep(al->id, this->Step({Message::User("1")}, 1, 1, 0.5)).ok());
  ASSERT_TRUE(store->AppendStep(alice->id, this->Step({Message::User("2")}, 10, 1, std::nullopt)).ok());
  ASSERT_TRUE(store->AppendStep(alice->id, this->Step({Message::User("3")}, 20, 2, 1.0)).ok());
  ASSERT_TRUE(store->AppendStep(alice2->id, this->Step({Message::User("4")}, 100, 5, 2.0)).ok());

  auto al_total = store->UsageTotals(UsageGrouping::kUser, {.user_id = "al"});
  ASSERT_TRUE(al_total.ok());
  ASSERT_EQ(al_total->size(), 1u);
  EXPECT_EQ((*al_total)[0].usage, (Usage{1, 1, 0, 0.5}));

  auto alice_total = store->UsageTotals(UsageGrouping::kUser, {.user_id = "alice"});
  ASSERT_EQ(alice_total->size(), 1u);
  EXPECT_EQ((*alice_total)[0].steps, 3);
  EXPECT_EQ((*alice_total)[0].usage, (Usage{130, 8, 0, std::nullopt}));  // one step unpriced

  auto one_session = store->UsageTotals(UsageGrouping::kSession, {.session_id = alice2->id});
  ASSERT_EQ(one_session->size(), 1u);
  EXPECT_EQ((*one_session)[0].user_id, "alice");
  EXPECT_EQ((*one_session)[0].usage, (Usage{100, 5, 0, 2.0}));

  // Deleting a session keeps what it spent in the totals.
  ASSERT_TRUE(store->Delete(alice->id).ok());
  alice_total = store->UsageTotals(UsageGrouping::kUser, {.user_id = "alice"});
  ASSERT_EQ(alice_total->size(), 1u);
  EXPECT_EQ((*alice_total)[0].steps, 3);
}

TYPED_TEST(SessionStoreConformance, UsageTotalsGroupBySessionUserAndUtcDay) {
  auto store = this->Open({.ttl = Seconds(3 * 86400)});
  auto a = store->Create("alice");  // 2025-01-01 00:00 UTC
  auto b = store->Create("bob");
  ASSERT_TRUE(store->AppendStep(a->id, this->Step({Message::User("1")}, 10, 1, 0.25)).ok());
  ASSERT_TRUE(store->AppendStep(b->id, this->Step({Message::User("2")}, 20, 2, 0.5)).ok());
  this->clock_.Advance(Seconds(86400));  // 2025-01-02
  ASSERT_TRUE(store->AppendStep(a->id, this->Step({Message::User("3")}, 30, 3, 1.0)).ok());

  auto by_user_day = store->UsageTotals(UsageGrouping::kUserDay);
  ASSERT_TRUE(by_user_day.ok()) << by_user_day.status();
  ASSERT_EQ(by_user_day->size(), 3u);
  EXPECT_EQ((*by_user_day)[0].user_id, "alice");
  EXPECT_EQ((*by_user_day)[0].day, "2025-01-01");
  EXPECT_EQ((*by_user_day)[0].usage, (Usage{10, 1, 0, 0.25}));
  EXPECT_EQ((*by_user_day)[1].day, "2025-01-02");
  EXPECT_EQ((*by_user_day)[2].user_id, "bob");

  auto by_day = store->UsageTotals(UsageGrouping::kDay);
  ASSERT_EQ(by_day->size(), 2u);
  EXPECT_EQ((*by_day)[0].steps, 2);
  EXPECT_EQ((*by_day)[0].usage, (Usage{30, 3, 0, 0.75}));

  auto by_session = store->UsageTotals(UsageGrouping::kSession, {.user_id = "alice"});
  ASSERT_EQ(by_session->size(), 1u);
  EXPECT_EQ((*by_session)[0].session_id, a->id);
  EXPECT_EQ((*by_session)[0].steps, 2);
  EXPECT_EQ((*by_session)[0].usage, (Usage{40, 4, 0, 1.25}));

  auto by_user = store->UsageTotals(UsageGrouping::kUser);
  ASSERT_EQ(by_user->size(), 2u);
  EXPECT_EQ((*by_user)[1].usage, (Usage{20, 2, 0, 0.5}));
}

TYPED_TEST(SessionStoreConformance, ALeaseHeldPastMaxTurnDurationStopsHoldingTheSlot) {
  auto store = this->Open({.max_concurrent_turns_per_user = 1, .max_turn_duration = Seconds(300)});
  auto a = store->Create("alice");
  auto a2 = store->Create("alice");
  auto stuck = store->BeginTurn(a->id);
  ASSERT_TRUE(stuck.ok());
  this->clock_.Advance(Seconds(299));
  EXPECT_EQ(store->BeginTurn(a2->id).status().code(), StatusCode::kRateLimited);
  EXPECT_EQ(store->BeginTurn(a->id).status().code(), StatusCode::kUnavailable);
  this->clock_.Advance(Seconds(1));
  EXPECT_TRUE(store->BeginTurn(a->id).ok()) << "an abandoned lease no longer holds its session";
}

TYPED_TEST(SessionStoreConformance, ManyThreadsNeverExceedTheConcurrentTurnLimit) {
  auto store = this->Open({.max_concurrent_turns_per_user = 2, .max_requests_per_window = 0});
  std::vector<std::string> sessions;
  for (int t = 0; t < 4; ++t) sessions.push_back(store->Create("alice")->id);
  std::atomic<int> running{0}, max_seen{0}, granted{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const std::string& id = sessions[static_cast<size_t>(t)];
      for (int i = 0; i < 100; ++i) {
        auto lease = store->BeginTurn(id);
        if (!lease.ok()) {
          if (lease.status().code() != StatusCode::kRateLimited) ++errors;
          continue;
        }
        int now = ++running;
        int prev = max_seen.load();
        while (now > prev && !max_seen.compare_exchange_weak(prev, now)) {}
        ++granted;
        if (!store->AppendStep(id, {.messages = {Message::User("x")}}).ok()) ++errors;
        --running;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_LE(max_seen.load(), 2);
  EXPECT_GT(granted.load(), 0);
  int64_t steps = 0;
  for (const auto& id : sessions) steps += store->Load(id)->info.step_count;
  EXPECT_EQ(steps, granted.load());
}

TYPED_TEST(SessionStoreConformance, ASecondTurnOnABusySessionFailsAtOnceByDefault) {
  auto store = this->Open();
  auto a = store->Create("alice");
  auto first = store->BeginTurn(a->id);
  ASSERT_TRUE(first.ok());
  auto second = store->BeginTurn(a->id);
  ASSERT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find("is busy: another turn is running on it"), std::string::npos)
      << second.status();
  EXPECT_EQ(second.status().retry_after_s(), 1.0);
  EXPECT_EQ(*store->RunningTurns("alice"), 1);
  first->reset();
  EXPECT_TRUE(store->BeginTurn(a->id).ok());
}

TYPED_TEST(SessionStoreConformance, ABusySessionIsWaitedForUpToBusyWait) {
  auto store = this->Open({.busy_wait = Seconds(5)});
  auto a = store->Create("alice");
  auto first = store->BeginTurn(a->id);
  ASSERT_TRUE(first.ok());
  const TimePoint start = this->clock_.Now();
  auto second = store->BeginTurn(a->id);  // nobody ends the first turn: waits 5 s, then busy
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(this->clock_.Now() - start, Seconds(5));
}

TYPED_TEST(SessionStoreConformance, TurnsOnOneSessionFromManyThreadsNeverOverlap) {
  auto store = this->Open({.max_concurrent_turns_per_user = 0, .max_requests_per_window = 0});
  auto a = store->Create("alice");
  std::atomic<int> running{0}, max_seen{0}, granted{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        auto lease = store->BeginTurn(a->id);
        if (!lease.ok()) {
          if (lease.status().code() != StatusCode::kUnavailable) ++errors;
          continue;
        }
        int now = ++running;
        int prev = max_seen.load();
        while (now > prev && !max_seen.compare_exchange_weak(prev, now)) {}
        ++granted;
        if (!store->AppendStep(a->id, {.messages = {Message::User("x")}}).ok()) ++errors;
        --running;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(max_seen.load(), 1);
  EXPECT_EQ(store->Load(a->id)->info.step_count, granted.load());
}

}  // namespace
}  // namespace reagent
