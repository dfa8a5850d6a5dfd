#include "reagent/core/hex.h"

#include <gtest/gtest.h>

#include <array>

namespace reagent {
namespace {

TEST(HexTest, TwoLowerCaseDigitsPerByteInOrder) {
  EXPECT_EQ(HexLower(std::string_view("")), "");
  EXPECT_EQ(HexLower(std::string_view("\x00\x0f\xa0\xff", 4)), "000fa0ff");
  std::array<uint8_t, 3> digest{0xde, 0xad, 0x01};
  EXPECT_EQ(HexLower(digest), "dead01");
}

}  // namespace
}  // namespace reagent
