// What the Redis store adds to the shared SessionStore contract: several stores (replicas)
// on one Redis, leases that die with their owner, Redis expiry, restarts, foreign data.
#include "reagent/redis/redis_session_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "message_codec.h"
#include "redis_keys.h"
#include "redis_server.h"

namespace reagent {
namespace {

class RedisSessionStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = RedisServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    auto raw = RedisClient::Open({.url = server_->url()});
    ASSERT_TRUE(raw.ok()) << raw.status();
    raw_ = *raw;
  }

  // A separate client and store per call: what another replica would have.
  std::unique_ptr<SessionStore> Replica(SessionStoreOptions o = {}, Duration lease_ttl = Seconds(15)) {
    RedisSessionStoreOptions options{.client = {.url = server_->url(), .connect_timeout = Seconds(1),
                                                .command_timeout = Seconds(1),
                                                .reconnect_backoff = std::chrono::milliseconds(20),
                                                .max_reconnect_backoff = std::chrono::milliseconds(100)},
                                     .prefix = "t", .store = o, .lease_ttl = lease_ttl};
    auto store = OpenRedisSessionStore(options, clock_);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }

  std::vector<std::string> Keys(const std::string& pattern) {
    std::vector<std::string> out;
    auto keys = raw_->Command({"KEYS", pattern});
    EXPECT_TRUE(keys.ok()) << keys.status();
    if (keys.ok()) {
      for (const auto& k : keys->elements) out.push_back(k.str);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  ManualClock clock_;
  std::unique_ptr<RedisServer> server_;
  std::shared_ptr<RedisClient> raw_;
};

TEST_F(RedisSessionStoreTest, ASessionStartedOnOneReplicaIsContinuedOnAnother) {
  auto a = Replica();
  auto b = Replica();
  auto info = a->Create("alice", {{"channel", "web"}});
  ASSERT_TRUE(info.ok()) << info.status();
  ASSERT_TRUE(a->AppendStep(info->id, {.messages = {Message::User("hi"), Message::Assistant("hello")}}).ok());
  auto lease = b->BeginTurn(info->id);
  ASSERT_TRUE(lease.ok()) << lease.status();
  EXPECT_EQ(*a->RunningTurns("alice"), 1) << "a sees b's turn";
  ASSERT_TRUE(b->AppendStep(info->id, {.messages = {Message::User("again")}}).ok());
  auto seen_by_a = a->Load(info->id);
  ASSERT_TRUE(seen_by_a.ok());
  ASSERT_EQ(seen_by_a->messages.size(), 3u);
  EXPECT_EQ(seen_by_a->messages[2], Message::User("again"));
  EXPECT_EQ(seen_by_a->info.metadata["channel"], "web");
}

TEST_F(RedisSessionStoreTest, ReplicasTogetherAdmitExactlyTheWindowLimit) {
  const SessionStoreOptions limits{.max_concurrent_turns_per_user = 0, .max_requests_per_window = 7};
  auto a = Replica(limits);
  auto b = Replica(limits);
  // One session per request: turns of one session never overlap (a second is "busy").
  std::vector<std::string> sessions;
  for (int i = 0; i < 20; ++i) sessions.push_back((i % 2 ? a : b)->Create("alice")->id);
  std::atomic<int> admitted{0}, limited{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&, i] {
      SessionStore& store = i % 2 ? *b : *a;  // each session continued on the other replica
      auto lease = store.BeginTurn(sessions[static_cast<size_t>(i)]);
      if (lease.ok()) ++admitted;
      else if (lease.status().code() == StatusCode::kRateLimited) ++limited;
      else ++other;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 7);
  EXPECT_EQ(limited.load(), 13);
  EXPECT_EQ(other.load(), 0);
}

TEST_F(RedisSessionStoreTest, AnOwnerThatStopsRenewingLosesItsLeaseWithinTheLeaseTtl) {
  const SessionStoreOptions one{.max_concurrent_turns_per_user = 1};
  auto a = Replica(one, std::chrono::milliseconds(300));
  auto info = a->Create("alice");
  auto held = a->BeginTurn(info->id);
  ASSERT_TRUE(held.ok());
  // Renewals keep it alive well past one TTL while the owner lives.
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  EXPECT_EQ(a->BeginTurn(info->id).status().code(), StatusCode::kUnavailable);  // the session is busy
  EXPECT_EQ(a->BeginTurn(a->Create("alice")->id).status().code(), StatusCode::kRateLimited);
  EXPECT_EQ(*a->RunningTurns("alice"), 1);
  // What a dead owner's heartbeat key does after lease_ttl: Redis removes it.
  auto heartbeat = Keys("t:s:{" + info->id + "}:l:*");
  ASSERT_EQ(heartbeat.size(), 1u);
  ASSERT_TRUE(raw_->Command({"DEL", heartbeat[0]}).ok());
  EXPECT_EQ(*a->RunningTurns("alice"), 0);
  EXPECT_TRUE(a->BeginTurn(info->id).ok());
  auto report = a->Sweep();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->abandoned_turns, 0) << "BeginTurn already reaped it";
}

TEST_F(RedisSessionStoreTest, SweepReleasesLeasesWhoseHeartbeatExpired) {
  auto a = Replica({}, std::chrono::milliseconds(300));
  auto info = a->Create("bob");
  auto held = a->BeginTurn(info->id);
  ASSERT_TRUE(held.ok());
  ASSERT_TRUE(raw_->Command({"DEL", Keys("t:s:{" + info->id + "}:l:*")[0]}).ok());
  auto report = a->Sweep();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->abandoned_turns, 1);
  EXPECT_TRUE(a->Delete(info->id).ok()) << "no longer in use";
}

TEST_F(RedisSessionStoreTest, OneSessionsKeysShareItsHashTagAndUserIdsCannotForgeKeys) {
  auto a = Replica();
  const std::string user = "evil}:lru{x y";
  auto info = a->Create(user);
  ASSERT_TRUE(info.ok());
  ASSERT_TRUE(a->AppendStep(info->id, {.messages = {Message::User("x")}}).ok());
  auto lease = a->BeginTurn(info->id);
  ASSERT_TRUE(lease.ok());
  for (const std::string& key : Keys("t:s:*")) {
    EXPECT_EQ(key.rfind("t:s:{" + info->id + "}", 0), 0u) << key;
  }
  for (const std::string& key : Keys("t:u:*")) {
    EXPECT_EQ(key.rfind("t:u:{evil%7D%3Alru%7Bx%20y}:", 0), 0u) << key;
  }
  EXPECT_EQ((*a->List({.user_id = user}))[0].user_id, user);
  EXPECT_EQ((*a->UsageTotals(UsageGrouping::kUser))[0].user_id, user);
  EXPECT_EQ(a->Load("t:lru").status().code(), StatusCode::kNotFound) << "ids are never spliced into keys raw";
}

TEST_F(RedisSessionStoreTest, RedisExpiresASessionsKeysAfterItsTtlPlusTheRetention) {
  auto a = Replica({.ttl = Seconds(120)});
  auto info = a->Create("alice");
  ASSERT_TRUE(a->AppendStep(info->id, {.messages = {Message::User("x")}}).ok());
  for (const char* part : {"", ":m", ":st"}) {
    const int64_t ms = raw_->Command({"PTTL", "t:s:{" + info->id + "}" + part})->integer;
    EXPECT_GT(ms, 120'000) << part;
    EXPECT_LE(ms, 180'000) << part << ": ttl + one minute of slack";
  }
  EXPECT_EQ(raw_->Command({"PTTL", "t:u:{alice}:ledger"})->integer, -1) << "the ledger outlives sessions";
}

TEST_F(RedisSessionStoreTest, ArbitraryBytesInMessagesRoundTrip) {
  auto a = Replica();
  auto info = a->Create("alice");
  const std::string bytes("nul\0byte \xff\xfe not utf-8", 22);
  Message call = Message::Assistant(bytes, {ToolCall{"c1", "search", std::string(70000, 'a')}});
  ASSERT_TRUE(a->AppendStep(info->id, {.messages = {call, Message::Tool("c1", "search", bytes)}}).ok());
  auto s = a->Load(info->id);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->messages.size(), 2u);
  EXPECT_EQ(s->messages[0], call);
  EXPECT_EQ(s->messages[1].content, bytes);
}

TEST_F(RedisSessionStoreTest, ACorruptStoredMessageIsDataLossNamingIt) {
  auto a = Replica();
  auto info = a->Create("alice");
  ASSERT_TRUE(a->AppendStep(info->id, {.messages = {Message::User("a"), Message::User("b")}}).ok());
  ASSERT_TRUE(raw_->Command({"LSET", "t:s:{" + info->id + "}:m", "1", "garbage"}).ok());
  auto s = a->Load(info->id);
  ASSERT_EQ(s.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(s.status().message().find("message 2"), std::string::npos) << s.status();
}

TEST_F(RedisSessionStoreTest, RefusesAPrefixHoldingSomethingElseOrANewerLayout) {
  ASSERT_TRUE(raw_->Command({"SET", "other:meta", "someone else's"}).ok());
  auto foreign = OpenRedisSessionStore({.client = {.url = server_->url()}, .prefix = "other"}, clock_);
  ASSERT_EQ(foreign.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(foreign.status().message().find("not reagent's"), std::string::npos) << foreign.status();

  ASSERT_TRUE(raw_->Command({"HSET", "newer:meta", "layout", "99"}).ok());
  auto newer = OpenRedisSessionStore({.client = {.url = server_->url()}, .prefix = "newer"}, clock_);
  ASSERT_EQ(newer.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(newer.status().message().find("layout version 99"), std::string::npos) << newer.status();

  EXPECT_EQ(OpenRedisSessionStore({.client = {.url = server_->url()}, .prefix = "a b"}, clock_).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(RedisSessionStoreTest, WhileRedisIsDownCallsFailClearlyAndNothingIsHalfWritten) {
  auto a = Replica();
  auto info = a->Create("alice");
  ASSERT_TRUE(a->AppendStep(info->id, {.messages = {Message::User("before")}}).ok());
  server_->Kill();
  Status down = a->AppendStep(info->id, {.messages = {Message::User("lost")}});
  ASSERT_EQ(down.code(), StatusCode::kUnavailable);
  EXPECT_NE(down.message().find("session store: redis unix://"), std::string::npos) << down;
  auto turn = a->BeginTurn(info->id);
  EXPECT_EQ(turn.status().code(), StatusCode::kUnavailable) << "a turn does not start";

  ASSERT_TRUE(server_->Restart().ok());
  Result<Session> s = Status::Unavailable("not tried");
  for (int i = 0; i < 100 && !s.ok(); ++i) {
    s = a->Load(info->id);
    if (!s.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->messages.size(), 1u);
  EXPECT_EQ(s->messages[0], Message::User("before"));
  EXPECT_EQ(s->info.step_count, 1);
  EXPECT_TRUE(a->AppendStep(info->id, {.messages = {Message::User("after")}}).ok());
}

}  // namespace
}  // namespace reagent
