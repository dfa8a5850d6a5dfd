#include "reagent/core/abbreviate.h"

#include <gtest/gtest.h>

namespace reagent {
namespace {

TEST(AbbreviateTest, ShortTextStaysOnOneLine) {
  EXPECT_EQ(Abbreviate("calculator"), "calculator");
  EXPECT_EQ(Abbreviate("a\nb\tc"), "a b c");
}

TEST(AbbreviateTest, LongTextIsCutAndSaysHowLongItWas) {
  const std::string name(100000, 'n');
  const std::string out = Abbreviate(name, 80);
  EXPECT_EQ(out, std::string(80, 'n') + "\xE2\x80\xA6(100000 bytes)");
}

TEST(AbbreviateTest, CutsAtACharacterBoundary) {
  const std::string text = "ab\xC3\xA9" "cd";  // "abécd": é is two bytes at 2..3
  EXPECT_EQ(Abbreviate(text, 3), "ab\xE2\x80\xA6(6 bytes)");
}

}  // namespace
}  // namespace reagent
