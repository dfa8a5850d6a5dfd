#include "reagent/core/random.h"

#include <gtest/gtest.h>

#include <set>

namespace reagent {
namespace {

TEST(RandomTest, SeededRandomIsReproducibleAndInRange) {
  SeededRandom a(42), b(42);
  for (int i = 0; i < 1000; ++i) {
    double x = a.Uniform();
    EXPECT_EQ(x, b.Uniform());
    EXPECT_GE(x, 0.0);
    EXPECT_LT(x, 1.0);
  }
}

TEST(RandomTest, UniformRangeScales) {
  FixedRandom half(0.5);
  EXPECT_DOUBLE_EQ(half.Uniform(10, 20), 15.0);
}

TEST(RandomTest, Id128IsUrlSafeAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    std::string id = RandomId128();
    ASSERT_EQ(id.size(), 22u);
    for (char c : id) {
      ASSERT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << id;
    }
    ASSERT_TRUE(seen.insert(id).second) << "duplicate id " << id;
    ASSERT_TRUE(id[0] >= 'A' && id[0] <= 'D') << "an id must not start like an option: " << id;
  }
  // All 128 bits are random: every character position takes several values.
  std::set<char> first, last;
  for (const std::string& id : seen) {
    first.insert(id.front());
    last.insert(id.back());
  }
  EXPECT_EQ(first.size(), 4u);
  EXPECT_EQ(last.size(), 64u);
}

TEST(RandomTest, SecureBytesHaveTheRequestedLength) {
  EXPECT_EQ(SecureRandomBytes(0).size(), 0u);
  EXPECT_EQ(SecureRandomBytes(33).size(), 33u);
  EXPECT_NE(SecureRandomBytes(32), SecureRandomBytes(32));
}

}  // namespace
}  // namespace reagent
