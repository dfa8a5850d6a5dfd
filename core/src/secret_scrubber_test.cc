#include "reagent/core/secret_scrubber.h"

#include <gtest/gtest.h>

#include "reagent/core/logging.h"

namespace reagent {
namespace {

constexpr const char* kKey = "hostile-test-key-7f3a9c";

std::string Streamed(const std::vector<std::string>& pieces, bool* redacted = nullptr) {
  SecretScrubber scrubber;
  std::string out;
  for (const auto& p : pieces) {
    const std::string released = scrubber.Feed(p);
    EXPECT_EQ(released.find(kKey), std::string::npos);
    out += released;
  }
  out += scrubber.Finish();
  if (redacted) *redacted = scrubber.redacted();
  return out;
}

TEST(RedactionTest, RegisteredSecretsAreMatchedInAnyCase) {
  RegisterSecret(kKey);
  EXPECT_EQ(RedactSecrets("echo HOSTILE-TEST-KEY-7F3A9C and Hostile-Test-Key-7f3a9c"),
            "echo [REDACTED] and [REDACTED]");
  EXPECT_TRUE(ContainsSecret("x hostile-test-key-7f3a9c"));
  EXPECT_FALSE(ContainsSecret("nothing to see"));
  EXPECT_EQ(RedactSecrets("AUTHORIZATION: BEARER abcdefghijkl"), "AUTHORIZATION: BEARER [REDACTED]");
  EXPECT_EQ(RedactSecrets("SK-PROJ-ABCDEFGHIJKLMNOPQRSTUV"), "SK-[REDACTED]");
}

TEST(SecretScrubberTest, AKeySplitAcrossPiecesNeverComesOutWhole) {
  RegisterSecret(kKey);
  bool redacted = false;
  const std::string out =
      Streamed({"The key is hostile-", "test-k", "ey-7f3a9c", ", keep it."}, &redacted);
  EXPECT_EQ(out, "The key is [REDACTED], keep it.");
  EXPECT_TRUE(redacted);
  // Byte by byte too.
  std::vector<std::string> bytes;
  for (char c : std::string("x HOSTILE-TEST-KEY-7F3A9C y")) bytes.emplace_back(1, c);
  EXPECT_EQ(Streamed(bytes), "x [REDACTED] y");
}

TEST(SecretScrubberTest, KeyShapedTokensAndBearerSplitAcrossPieces) {
  EXPECT_EQ(Streamed({"use sk-abcdefgh", "ijklmnopqrst now"}), "use sk-[REDACTED] now");
  EXPECT_EQ(Streamed({"Authorization: Bearer ", "abcdefghijk done"}),
            "Authorization: Bearer [REDACTED] done");
}

TEST(SecretScrubberTest, OrdinaryTextPassesThroughAsItArrives) {
  // Registered keys are process-wide, and other tests register keys that start with "s": one
  // is registered here too, so what is held back does not depend on which tests ran first.
  RegisterSecret("scrubber-test-key-0042");
  SecretScrubber scrubber;
  EXPECT_EQ(scrubber.Feed("Hello wor"), "Hello wor");
  EXPECT_EQ(scrubber.Feed("ld, fine. As"), "ld, fine. A");  // "s" may start the key
  EXPECT_EQ(scrubber.Feed("k me: s"), "sk me: ");  // "sk" mid-word is not a key; "s" may start "sk-"
  EXPECT_EQ(scrubber.Feed("o? Be"), "so? ");      // "Be" may start "Bearer"
  EXPECT_EQ(scrubber.Feed("st"), "Best");
  EXPECT_EQ(scrubber.Finish(), "");
  EXPECT_FALSE(scrubber.redacted());
}

TEST(SecretScrubberTest, ALongWordStreamsButAKeyAtItsEndIsHeld) {
  SecretScrubber scrubber;
  const std::string run(200, 'x');
  EXPECT_EQ(scrubber.Feed("Answer: " + run), "Answer: " + run);  // not held until it ends
  EXPECT_EQ(scrubber.Feed(run + "(sk-abcdefgh"), run + "(");    // the key may still grow
  EXPECT_EQ(scrubber.Feed("ijklmnopqrst) done"), "sk-[REDACTED]) done");
  EXPECT_EQ(scrubber.Finish(), "");
  EXPECT_TRUE(scrubber.redacted());
}

}  // namespace
}  // namespace reagent
