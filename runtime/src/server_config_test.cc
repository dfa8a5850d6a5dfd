#include "reagent/runtime/server_config.h"

#include <gtest/gtest.h>

#include "reagent/runtime/config.h"

namespace reagent {
namespace {

constexpr const char* kHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

TEST(ServerConfigTest, DefaultsListenOnLoopbackWithBoundedWork) {
  auto c = ParseConfig(Json::object(), "x.json");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->server.host, "127.0.0.1");
  EXPECT_TRUE(c->server.keys.empty());
  EXPECT_FALSE(c->server.allow_anonymous);
  EXPECT_GT(c->server.max_concurrent_turns, 0);
  EXPECT_GT(c->server.max_body_bytes, 0);
}

TEST(ServerConfigTest, ReadsKeysAsHashesOrVariables) {
  auto c = ParseConfig(Json::parse(std::string(R"({"server": {"port": 0, "keys": [
      {"user": "alice", "sha256": ")") + kHash + R"("}, {"user": "bob", "key_env": "BOB_KEY"}],
      "max_concurrent_turns": 4, "max_queued_turns": 0}})"), "x.json");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->server.keys.size(), 2u);
  EXPECT_EQ(c->server.keys[0].user, "alice");
  EXPECT_EQ(c->server.keys[0].sha256, kHash);
  EXPECT_EQ(c->server.keys[1].key_env, "BOB_KEY");
  EXPECT_EQ(c->server.port, 0);
  EXPECT_EQ(c->server.max_queued_turns, 0);
}

TEST(ServerConfigTest, BadKeysAndNumbersAreNamed) {
  auto c = ParseConfig(Json::parse(R"({"server": {"port": 70000, "keys": [
      {"user": "a", "sha256": "abc"}, {"user": "b"}, {"sha256": "x", "key_env": "E", "user": "c"}],
      "max_concurrent_turns": 0, "prot": 1}})"), "cfg.json");
  ASSERT_FALSE(c.ok());
  const std::string m = c.status().message();
  EXPECT_NE(m.find("server.port: expected 0..65535"), std::string::npos) << m;
  EXPECT_NE(m.find("server.keys[0].sha256: expected 64 hex digits"), std::string::npos) << m;
  EXPECT_NE(m.find("server.keys[1]: needs exactly one of"), std::string::npos) << m;
  EXPECT_NE(m.find("server.keys[2]: needs exactly one of"), std::string::npos) << m;
  EXPECT_NE(m.find("server.max_concurrent_turns"), std::string::npos) << m;
  EXPECT_NE(m.find("server.prot: unknown key"), std::string::npos) << m;
}

TEST(ServerConfigTest, EffectiveConfigShortensHashes) {
  ServerConfig s;
  s.keys.push_back({.user = "alice", .sha256 = kHash});
  const std::string dumped = ServerConfigJson(s).dump();
  EXPECT_EQ(dumped.find(kHash), std::string::npos);
  EXPECT_NE(dumped.find("alice"), std::string::npos);
}

}  // namespace
}  // namespace reagent
