// The match-length bound: exact on simple shapes, absent for anything unbounded or not
// understood, and never below the length of a real match (checked against RE2's longest
// matches on random text).
#include "match_length.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include <re2/re2.h>

namespace reagent::sanitizer_internal {
namespace {

TEST(MaxMatchBytes, SimpleShapes) {
  EXPECT_EQ(MaxMatchBytes("abc"), 3u);
  EXPECT_EQ(MaxMatchBytes("(ab|cde)?x"), 4u);
  EXPECT_EQ(MaxMatchBytes("(?:ab|c){2,3}"), 6u);
  EXPECT_EQ(MaxMatchBytes("a{0,3}b{2}"), 5u);
  EXPECT_EQ(MaxMatchBytes("[a-z]{0,24}?x"), 25u);
  EXPECT_EQ(MaxMatchBytes("\\d\\s\\w\\.\\-"), 5u);
  EXPECT_EQ(MaxMatchBytes("tròlyao"), 8u);  // ò is two bytes
  EXPECT_EQ(MaxMatchBytes("."), 4u);
  EXPECT_EQ(MaxMatchBytes("[^a]"), 4u);
  EXPECT_EQ(MaxMatchBytes("\\S"), 4u);
  EXPECT_EQ(MaxMatchBytes("[ò]"), 4u);
  EXPECT_EQ(MaxMatchBytes("(a|)b"), 2u);
  EXPECT_EQ(MaxMatchBytes("se la"), 5u);
  // Unicode classes are one character, inside a bracket class or not.
  EXPECT_EQ(MaxMatchBytes("\\pL"), 4u);
  EXPECT_EQ(MaxMatchBytes("\\p{Greek}x"), 5u);
  EXPECT_EQ(MaxMatchBytes("\\PN{2}"), 8u);
  EXPECT_EQ(MaxMatchBytes("[^\\pL\\pN]"), 4u);
  EXPECT_EQ(MaxMatchBytes("[\\S]"), 4u);
  EXPECT_EQ(MaxMatchBytes("[^.\\n]{0,3}\\t"), 13u);
}

TEST(MaxMatchBytes, NoBoundForWhatItDoesNotUnderstand) {
  for (const char* p : {"a*", "a+", "(ab)+", "a{2,}", "\\bfoo", "foo\\b", "^a", "a$", "(?i)a",
                        "(?P<x>a)", "\\x41", "[[:alpha:]]", "[]a]", "a{", "a)", "(a",
                        "a**", "\\Q*\\E", "\\Aa", "a\\z", "\\p", "\\p{L", "\\p{}", "[\\p]",
                        "\\pL+"}) {
    EXPECT_FALSE(MaxMatchBytes(p).has_value()) << p;
  }
}

TEST(MaxMatchBytes, DeepNestingGivesNoBoundInsteadOfExhaustingTheStack) {
  const std::string shallow = std::string(1000, '(') + "a" + std::string(1000, ')');
  EXPECT_EQ(MaxMatchBytes(shallow), 1u);
  const std::string deep = std::string(200000, '(') + "a" + std::string(200000, ')');
  EXPECT_FALSE(MaxMatchBytes(deep).has_value());
}

TEST(MaxMatchBytes, AssertionsSpanNothingWhenAskedTo) {
  EXPECT_EQ(MaxMatchBytes("\\bfoo\\b", Assertions::kZeroWidth), 3u);
  EXPECT_EQ(MaxMatchBytes("^a( \\w{1,4}){0,2}$", Assertions::kZeroWidth), 11u);
  EXPECT_EQ(MaxMatchBytes("\\Aa\\Bb\\z", Assertions::kZeroWidth), 2u);
  // Still no bound for what is unbounded or not understood.
  for (const char* p : {"\\ba+", "\\b(?i)a", "\\x41\\b"}) {
    EXPECT_FALSE(MaxMatchBytes(p, Assertions::kZeroWidth).has_value()) << p;
  }
}

TEST(MaxMatchBytes, NeverBelowARealMatch) {
  std::mt19937 rng(5);
  const std::vector<std::string> pieces = {"a", "b", "ab", "[ab]", "[^b]", ".", "(a|bb)", "\\w",
                                           "(a|)", "(?:ba|a)", "\\pL", "[^\\pL]"};
  const std::vector<std::string> quantifiers = {"", "", "?", "{0,2}", "{1,3}", "{2}", "??"};
  const std::string alphabet = "abbaé ";
  for (int round = 0; round < 300; ++round) {
    std::string pattern;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k) {
      pattern += pieces[rng() % pieces.size()] + quantifiers[rng() % quantifiers.size()];
    }
    auto bound = MaxMatchBytes(pattern);
    ASSERT_TRUE(bound.has_value()) << pattern;
    RE2::Options o;
    o.set_longest_match(true);
    RE2 re(pattern, o);
    ASSERT_TRUE(re.ok()) << pattern;
    for (int t = 0; t < 10; ++t) {
      std::string text;
      for (int c = 0; c < 40; ++c) {
        size_t k = rng() % 6;
        text += k == 4 ? std::string("é") : std::string(1, alphabet[k]);
      }
      for (size_t start = 0; start < text.size(); ++start) {
        re2::StringPiece m;
        if (re.Match(text, start, text.size(), RE2::ANCHOR_START, &m, 1)) {
          ASSERT_LE(m.size(), *bound) << pattern << " on " << text;
        }
      }
    }
  }
}

}  // namespace
}  // namespace reagent::sanitizer_internal
