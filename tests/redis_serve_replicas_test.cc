// Two `reagent serve` replicas on one real redis-server, as "Running several replicas" in the
// README sets them up (a load balancer would pick either): a session started through one is
// continued through the other, and one user's requests spread over both are admitted exactly
// up to the per-user limit.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "redis_server.h"
#include "support/serve_harness.h"

namespace reagent {
namespace {

using testing::ServeHarness;

class RedisServeReplicas : public ::testing::Test {
 protected:
  void SetUp() override {
    auto redis = RedisServer::Start();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = std::move(*redis);
  }

  std::unique_ptr<ServeHarness> Replica(Json sessions = Json::object()) {
    sessions["backend"] = redis_->url();
    return std::make_unique<ServeHarness>(testing::ServeOptions{
        .config = {{"sessions", sessions}, {"redis", {{"prefix", "serve-replicas"}, {"lease_ttl_s", 2}}}}});
  }

  std::unique_ptr<RedisServer> redis_;
};

TEST_F(RedisServeReplicas, ASessionStartedOnOneReplicaIsContinuedOnTheOther) {
  auto a = Replica();
  auto b = Replica();
  ASSERT_TRUE(a->ok()) << a->Stderr();
  ASSERT_TRUE(b->ok()) << b->Stderr();

  const auto first = a->Chat(ServeHarness::kAliceKey, testing::ChatBody("What is 17*23?"));
  ASSERT_EQ(first.status, 200) << first.raw;
  const std::string sid = first.Header("x-session-id");
  ASSERT_FALSE(sid.empty()) << first.raw;

  const auto second =
      b->Chat(ServeHarness::kAliceKey, testing::ChatBody("What is 2*21?"), {{"X-Session-Id", sid}});
  ASSERT_EQ(second.status, 200) << second.raw;
  EXPECT_EQ(second.Header("x-session-id"), sid);
  EXPECT_NE(second.json()["choices"][0]["message"]["content"].get<std::string>().find("42"), std::string::npos)
      << second.body;

  // Either replica shows the whole history; bob sees none of it on either.
  for (ServeHarness* replica : {a.get(), b.get()}) {
    const auto shown = replica->Get(ServeHarness::kAliceKey, "/v1/sessions/" + sid);
    ASSERT_EQ(shown.status, 200) << shown.raw;
    const std::string history = shown.json()["messages"].dump();
    EXPECT_NE(history.find("17*23"), std::string::npos) << history;
    EXPECT_NE(history.find("2*21"), std::string::npos) << history;
    EXPECT_EQ(replica->Get(ServeHarness::kBobKey, "/v1/sessions/" + sid).status, 404);
  }
}

TEST_F(RedisServeReplicas, OneUsersRequestsOverBothReplicasAreAdmittedExactlyToTheLimit) {
  auto a = Replica({{"requests_per_minute", 5}, {"max_concurrent_per_user", 20}});
  auto b = Replica({{"requests_per_minute", 5}, {"max_concurrent_per_user", 20}});
  ASSERT_TRUE(a->ok()) << a->Stderr();
  ASSERT_TRUE(b->ok()) << b->Stderr();
  std::atomic<int> admitted{0}, limited{0}, other{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 12; ++i) {
    clients.emplace_back([&, i] {
      ServeHarness& replica = i % 2 ? *a : *b;
      const auto reply = replica.Chat(ServeHarness::kAliceKey, testing::ChatBody("What is 6*7?"));
      if (reply.status == 200) {
        ++admitted;
      } else if (reply.status == 429) {
        ++limited;
      } else {
        ++other;
        ADD_FAILURE() << reply.raw;
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(admitted.load(), 5) << "one window for both replicas";
  EXPECT_EQ(limited.load(), 7);
  EXPECT_EQ(other.load(), 0);
}

}  // namespace
}  // namespace reagent
