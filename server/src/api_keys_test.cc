#include "api_keys.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "reagent/core/sha256.h"

namespace reagent::server {
namespace {

TEST(KeyRingTest, AuthenticatesByDigestFromHashesOrVariables) {
  setenv("REAGENT_TEST_SERVE_KEY", "sk-bob-secret-key-42", 1);
  auto ring = KeyRing::FromConfig({{.user = "alice", .sha256 = Sha256Hex("sk-alice-key")},
                                   {.user = "bob", .key_env = "REAGENT_TEST_SERVE_KEY"}});
  unsetenv("REAGENT_TEST_SERVE_KEY");
  ASSERT_TRUE(ring.ok()) << ring.status();
  EXPECT_EQ(ring->Authenticate("sk-alice-key"), "alice");
  EXPECT_EQ(ring->Authenticate("sk-bob-secret-key-42"), "bob");  // the variable is gone, the digest stays
  EXPECT_EQ(ring->Authenticate("sk-alice-kez"), std::nullopt);
  EXPECT_EQ(ring->Authenticate(""), std::nullopt);
}

TEST(KeyRingTest, AnUnsetVariableIsAnErrorNamingTheEntry) {
  auto ring = KeyRing::FromConfig({{.user = "a", .key_env = "REAGENT_TEST_SURELY_UNSET"}});
  ASSERT_FALSE(ring.ok());
  EXPECT_NE(ring.status().message().find("server.keys[0].key_env: the variable REAGENT_TEST_SURELY_UNSET is not set"),
            std::string::npos);
}

TEST(KeyRingTest, BearerTokenAcceptsOnlyTheBearerScheme) {
  EXPECT_EQ(BearerToken("Bearer abc"), "abc");
  EXPECT_EQ(BearerToken("bearer   abc  "), "abc");
  EXPECT_EQ(BearerToken("Basic abc"), std::nullopt);
  EXPECT_EQ(BearerToken("Bearer "), std::nullopt);
  EXPECT_EQ(BearerToken("Bearer"), std::nullopt);
}

}  // namespace
}  // namespace reagent::server
