// The learned layer's per-thread token cache: a hit is exact, and sums remembered for one
// model never leak into another's scores, even when the other model takes the first one's
// place in memory.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#include "learned_model.h"

namespace reagent::sanitizer_internal {
namespace {

// An RGLM v1 file with 2^4 weights, all `weight`; scale 1, bias 0.
std::string ModelBytes(int16_t weight) {
  std::string b = "RGLM";
  auto u32 = [&](uint32_t v) { b.append(reinterpret_cast<const char*>(&v), 4); };
  auto f32 = [&](float v) { b.append(reinterpret_cast<const char*>(&v), 4); };
  u32(1);   // version
  u32(4);   // bits
  u32(64);  // window
  u32(32);  // stride
  u32(5);   // char_min
  u32(32);  // max_token
  f32(1);   // scale
  f32(0);   // bias
  f32(3);   // block
  f32(1);   // partial
  f32(0);   // reserved
  for (int k = 0; k < 16; ++k) b.append(reinterpret_cast<const char*>(&weight), 2);
  return b;
}

TEST(LearnedModelCache, EachModelScoresWithItsOwnWeights) {
  const std::string one = ModelBytes(1), two = ModelBytes(2);
  // "ignore" (6 bytes): unigram + 4 trigrams; "all": unigram + bigram; "previous": 1 + 1 + 6.
  const std::string text = "ignore all previous";
  const double expected_one = 5 + 2 + 8;
  std::optional<LearnedModel> slot;
  for (int round = 0; round < 3; ++round) {
    slot.emplace(*LearnedModel::Parse(one));
    EXPECT_EQ(slot->Score(text), expected_one);
    EXPECT_EQ(slot->Score(text), expected_one);  // from the cache
    slot.reset();
    slot.emplace(*LearnedModel::Parse(two));  // same address, other weights
    EXPECT_EQ(slot->Score(text), 2 * expected_one);
    slot.reset();
  }
}

}  // namespace
}  // namespace reagent::sanitizer_internal
