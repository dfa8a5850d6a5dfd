#include "pretokenizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace reagent {
namespace {

std::vector<std::string> Pieces(size_t (*piece_end)(std::string_view, size_t), std::string_view text) {
  std::vector<std::string> pieces;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = piece_end(text, pos);
    pieces.emplace_back(text.substr(pos, end - pos));
    pos = end;
  }
  return pieces;
}

using V = std::vector<std::string>;

TEST(PretokenizerTest, O200kKeepsContractionsWithTheirWord) {
  EXPECT_EQ(Pieces(O200kPieceEnd, "don't We'LL it'ſ"), (V{"don't", " We'LL", " it'ſ"}));
}

TEST(PretokenizerTest, Cl100kSplitsContractionsOff) {
  EXPECT_EQ(Pieces(Cl100kPieceEnd, "don't We'LL"), (V{"don", "'t", " We", "'LL"}));
}

TEST(PretokenizerTest, O200kSplitsWordsAtCaseChanges) {
  EXPECT_EQ(Pieces(O200kPieceEnd, "helloWorld HELLOworld ABC"), (V{"hello", "World", " HELLOworld", " ABC"}));
}

TEST(PretokenizerTest, O200kBacktracksToTheLastCharacterInBothCaseClasses) {
  // 日 is Lo (both classes), A is Lu only: the first alternative matches just 日.
  EXPECT_EQ(Pieces(O200kPieceEnd, "日A"), (V{"日", "A"}));
  // With a lower-case letter after the run, the whole run is the upper part.
  EXPECT_EQ(Pieces(O200kPieceEnd, "日Aa"), (V{"日Aa"}));
}

TEST(PretokenizerTest, CombiningMarksJoinO200kWordsButNotCl100kLetters) {
  std::string nfd = "Vie\u0302\u0323t";
  EXPECT_EQ(Pieces(O200kPieceEnd, nfd), (V{nfd}));
  EXPECT_EQ(Pieces(Cl100kPieceEnd, nfd), (V{"Vie", "\u0302\u0323", "t"}));
}

TEST(PretokenizerTest, DigitsGoInGroupsOfThree) {
  EXPECT_EQ(Pieces(Cl100kPieceEnd, "1234567"), (V{"123", "456", "7"}));
  EXPECT_EQ(Pieces(O200kPieceEnd, "x 12345"), (V{"x", " ", "123", "45"}));
}

TEST(PretokenizerTest, WhitespaceBeforeAWordLeavesOneSpaceToTheWord) {
  EXPECT_EQ(Pieces(O200kPieceEnd, "foo\n  bar"), (V{"foo", "\n", " ", " bar"}));
  EXPECT_EQ(Pieces(Cl100kPieceEnd, "a   b"), (V{"a", "  ", " b"}));
}

TEST(PretokenizerTest, TrailingWhitespaceIsOnePiece) {
  EXPECT_EQ(Pieces(Cl100kPieceEnd, "a \t "), (V{"a", " \t "}));
  EXPECT_EQ(Pieces(O200kPieceEnd, "a\n\n  "), (V{"a", "\n\n", "  "}));
}

TEST(PretokenizerTest, O200kPunctuationTakesFollowingNewlinesAndSlashes) {
  EXPECT_EQ(Pieces(O200kPieceEnd, "!\n//x"), (V{"!\n//", "x"}));
  EXPECT_EQ(Pieces(Cl100kPieceEnd, "!\n//x"), (V{"!\n", "//", "x"}));
}

TEST(PretokenizerTest, ValidUtf8PrefixStopsAtTheFirstInvalidSequence) {
  EXPECT_EQ(ValidUtf8Prefix("abc"), 3u);
  EXPECT_EQ(ValidUtf8Prefix("ab\xff"), 2u);
  EXPECT_EQ(ValidUtf8Prefix("a\xc3"), 1u);             // truncated
  EXPECT_EQ(ValidUtf8Prefix("a\xc0\x80"), 1u);         // overlong
  EXPECT_EQ(ValidUtf8Prefix("a\xed\xa0\x80"), 1u);     // surrogate
  EXPECT_EQ(ValidUtf8Prefix("a\xf4\x90\x80\x80"), 1u); // above U+10FFFF
  EXPECT_EQ(ValidUtf8Prefix("Vi\xe1\xbb\x87t"), 6u);
}

}  // namespace
}  // namespace reagent
