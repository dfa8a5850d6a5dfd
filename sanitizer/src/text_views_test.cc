// Layers 0 and 1: hygiene and each normalization step of the views.
#include "text_views.h"

#include <gtest/gtest.h>

namespace reagent::sanitizer_internal {
namespace {

TextViews Build(std::string_view text) {
  TextViews v;
  BuildViews(text, v);
  return v;
}

TEST(TextViews, CaseIsFolded) { EXPECT_EQ(Build("IgNoRe").folded.text, "ignore"); }

TEST(TextViews, FullwidthLettersFoldToAscii) {
  EXPECT_EQ(Build("ＩＧＮＯＲＥ").folded.text, "ignore");
}

TEST(TextViews, MathematicalAlphanumericsFoldToAscii) {
  EXPECT_EQ(Build("\xF0\x9D\x90\xA2\xF0\x9D\x90\xA0\xF0\x9D\x90\xA7").folded.text, "ign");  // 𝐢𝐠𝐧
}

TEST(TextViews, CyrillicAndGreekLookalikesFoldToLatin) {
  TextViews v = Build("Іgnоrе αll");  // Cyrillic І, о, е; Greek α
  EXPECT_EQ(v.folded.text, "ignore all");
  EXPECT_TRUE(SpanIsDisguised(v, 0, 2));
}

TEST(TextViews, PlainLatinIsNotDisguised) {
  TextViews v = Build("ignore all");
  EXPECT_FALSE(SpanIsDisguised(v, 0, 10));
}

TEST(TextViews, VietnameseDiacriticsAreStripped) {
  EXPECT_EQ(Build("Bỏ qua mọi chỉ dẫn trước đó").folded.text, "bo qua moi chi dan truoc do");
}

TEST(TextViews, DecomposedVietnameseFoldsLikePrecomposed) {
  // "ệ" written as e + combining circumflex + combining dot below
  EXPECT_EQ(Build("he\xCC\x82\xCC\xA3 tho\xCC\x82\xCC\x81ng").folded.text, "he thong");
}

TEST(TextViews, DStrokeFoldsToD) { EXPECT_EQ(Build("Đường đi").folded.text, "duong di"); }

TEST(TextViews, ZeroWidthCharactersAreDroppedAndReported) {
  TextViews v = Build("ig\xE2\x80\x8Bnore");  // U+200B inside the word
  EXPECT_EQ(v.folded.text, "ignore");
  ASSERT_EQ(v.hygiene.size(), 1u);
  EXPECT_EQ(v.hygiene[0].kind, Hygiene::kInvisible);
  EXPECT_EQ(v.hygiene[0].start, 2u);
  EXPECT_EQ(v.hygiene[0].end, 5u);
  EXPECT_EQ(v.cleaned, "ignore");
}

TEST(TextViews, SoftHyphenIsDroppedFromViewsButKeptInCleanedText) {
  TextViews v = Build("ig\xC2\xADnore");
  EXPECT_EQ(v.folded.text, "ignore");
  EXPECT_TRUE(v.hygiene.empty());
  EXPECT_EQ(v.cleaned, "ig\xC2\xADnore");
}

TEST(TextViews, BidiOverridesAreRemovedAndReported) {
  TextViews v = Build("a\xE2\x80\xAE" "b");  // U+202E
  EXPECT_EQ(v.folded.text, "ab");
  EXPECT_EQ(v.cleaned, "ab");
  ASSERT_EQ(v.hygiene.size(), 1u);
}

TEST(TextViews, TagCharactersAreRemovedReportedAndDecoded) {
  // "hi" hidden as U+E0068 U+E0069
  TextViews v = Build("x\xF3\xA0\x81\xA8\xF3\xA0\x81\xA9y");
  EXPECT_EQ(v.folded.text, "xy");
  EXPECT_EQ(v.tag_payload, "hi");
  EXPECT_EQ(v.tag_payload_start, 1u);
  EXPECT_EQ(v.tag_payload_end, 9u);
  ASSERT_EQ(v.hygiene.size(), 1u);
  EXPECT_EQ(v.hygiene[0].kind, Hygiene::kTag);
  EXPECT_EQ(v.cleaned, "xy");
}

TEST(TextViews, InvalidUtf8IsReplacedAndReported) {
  TextViews v = Build(std::string("a\xFF" "b", 3));
  EXPECT_EQ(v.cleaned, "a\xEF\xBF\xBD" "b");
  ASSERT_EQ(v.hygiene.size(), 1u);
  EXPECT_EQ(v.hygiene[0].kind, Hygiene::kInvalidUtf8);
}

TEST(TextViews, OverlongAndSurrogateEncodingsAreInvalid) {
  EXPECT_EQ(Build(std::string("\xC0\xAF", 2)).hygiene.size(), 1u);         // overlong '/'
  EXPECT_EQ(Build(std::string("\xED\xA0\x80", 3)).hygiene.size(), 1u);     // surrogate
  EXPECT_EQ(Build(std::string("\xF4\x90\x80\x80", 4)).hygiene.size(), 1u); // > U+10FFFF
}

TEST(TextViews, NulAndControlCharactersActAsSpacesAndAreRemovedFromCleanedText) {
  TextViews v = Build(std::string("ignore\0previous\x07rules", 21));
  EXPECT_EQ(v.folded.text, "ignore previous rules");
  EXPECT_EQ(v.cleaned, "ignorepreviousrules");
  ASSERT_EQ(v.hygiene.size(), 2u);
  EXPECT_EQ(v.hygiene[0].kind, Hygiene::kNul);
  EXPECT_EQ(v.hygiene[1].kind, Hygiene::kControl);
}

TEST(TextViews, SpacesCollapseAndNewlinesStay) {
  EXPECT_EQ(Build("a  \t b \n\n c\xC2\xA0\xC2\xA0" "d").folded.text, "a b\n\nc d");
}

TEST(TextViews, SqueezedViewDropsSpacesAndPunctuation) {
  EXPECT_EQ(Build("I g n-o.r e, all!").squeezed.text, "ignoreall");
}

TEST(TextViews, OffsetsPointIntoTheOriginalText) {
  std::string text = "xx ＩＧＮ yy";
  TextViews v = Build(text);
  ASSERT_EQ(v.folded.text, "xx ign yy");
  EXPECT_EQ(v.folded.OriginalStart(3), 3u);
  EXPECT_EQ(v.folded.OriginalEnd(6), 12u);  // three 3-byte fullwidth letters
  EXPECT_EQ(text.substr(3, 9), "ＩＧＮ");
}

TEST(TextViews, PatternsAreFoldedLikeText) {
  EXPECT_EQ(FoldPatternText("\\bbỏ qua\\S"), "\\bbo qua\\S");
}

}  // namespace
}  // namespace reagent::sanitizer_internal
