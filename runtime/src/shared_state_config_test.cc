// The configuration keys that put state in Redis, and how config check shows them.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "reagent/runtime/config.h"
#include "reagent/runtime/shared_state.h"

namespace reagent {
namespace {

TEST(SharedStateConfig, RedisUrlsForSessionsPacingBreakersAndTheCache) {
  auto c = ParseConfig(Json::parse(R"({
      "models": [{"model": "gpt-4.1"}, {"model": "local", "shared_state": false}],
      "sessions": {"backend": "redis://:s3cret-pw@10.0.0.5:6379/2"},
      "limiter": {"rpm": 600, "shared": "redis://:s3cret-pw@10.0.0.5:6379/2"},
      "breaker": {"failure_threshold": 3, "shared": "unix:///run/redis.sock?password=s3cret-pw"},
      "cache": "redis://10.0.0.5:6379/3",
      "redis": {"prefix": "prod", "lease_ttl_s": 5, "fail_open": ["limiter", "cache"], "pool_size": 4}})"),
                       "reagent.json");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->db_path, "redis://:s3cret-pw@10.0.0.5:6379/2");
  EXPECT_EQ(c->limiter["shared"], "redis://:s3cret-pw@10.0.0.5:6379/2");
  EXPECT_EQ(c->limiter["rpm"], 600);
  EXPECT_TRUE(c->cache);
  EXPECT_EQ(c->cache_backend, "redis://10.0.0.5:6379/3");
  EXPECT_EQ(c->redis.prefix, "prod");
  EXPECT_EQ(c->redis.lease_ttl_s, 5);
  EXPECT_EQ(c->redis.pool_size, 4);
  EXPECT_TRUE(c->redis.fail_open_limiter);
  EXPECT_TRUE(c->redis.fail_open_cache);
  EXPECT_TRUE(c->models[0].shared_state);
  EXPECT_FALSE(c->models[1].shared_state);

  const std::string shown = EffectiveConfigJson(*c).dump();
  EXPECT_EQ(shown.find("s3cret-pw"), std::string::npos) << shown;
  EXPECT_NE(shown.find(R"("backend":"redis://:***@10.0.0.5:6379/2")"), std::string::npos) << shown;
  EXPECT_NE(shown.find(R"("cache":"redis://10.0.0.5:6379/3")"), std::string::npos) << shown;
  EXPECT_NE(shown.find(R"("fail_open":["limiter","cache"])"), std::string::npos) << shown;
}

TEST(SharedStateConfig, SqliteStaysTheDefaultAndSqlitePathsAreAccepted) {
  auto c = ParseConfig(Json::parse(R"({"sessions": {"backend": "sqlite:/var/lib/reagent/s.db"}})"), "x.json");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->db_path, "/var/lib/reagent/s.db");
  EXPECT_EQ(EffectiveConfigJson(*c)["sessions"]["backend"], "sqlite:/var/lib/reagent/s.db");
  auto d = ParseConfig(Json::object(), "x.json");
  ASSERT_TRUE(d.ok());
  unsetenv("REAGENT_DB");
  EXPECT_EQ(EffectiveConfigJson(*d)["sessions"]["backend"], "sqlite:reagent.db");
  EXPECT_FALSE(d->cache);
  EXPECT_TRUE(d->cache_backend.empty());
}

TEST(SharedStateConfig, MistakesNameTheKey) {
  struct Case {
    const char* json;
    const char* expect;
  } cases[] = {
      {R"({"sessions": {"backend": "postgres://db"}})", "sessions.backend: expected \"sqlite:PATH\""},
      {R"({"sessions": {"backend": "redis://host:99999"}})", "sessions.backend: redis URL"},
      {R"({"limiter": {"shared": "redis://:pw@"}})", "limiter.shared: redis URL \"redis://:***@\": no host"},
      {R"({"breaker": {"shared": 5}})", "breaker.shared: expected string"},
      {R"({"cache": 5})", "cache: expected true, false, a file path or a redis://"},
      {R"({"redis": {"fail_open": ["sessions"]}})", "\"sessions\" cannot fail open"},
      {R"({"redis": {"prefix": "a b"}})", "redis.prefix: redis key prefix"},
      {R"({"redis": {"lease_ttl": 3}})", "redis.lease_ttl: unknown key"},
  };
  for (const Case& k : cases) {
    auto c = ParseConfig(Json::parse(k.json), "x.json");
    ASSERT_FALSE(c.ok()) << k.json;
    EXPECT_NE(c.status().message().find(k.expect), std::string::npos) << c.status();
  }
}

}  // namespace
}  // namespace reagent
