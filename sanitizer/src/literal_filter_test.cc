// The literal prefilter: the Aho-Corasick matcher finds exactly what a naive search finds, the
// filter never rules out a squeezed rule that matches (checked against RE2::Set on the rule
// examples of the built-in rules, folded as the scan folds them), and the gated sets apply
// exactly when a plain search finds a gate string.
#include "literal_filter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "reagent/core/json.h"
#include "rule_book.h"
#include "text_views.h"

namespace reagent::sanitizer_internal {
namespace {

std::vector<uint8_t> Naive(const std::vector<std::string>& strings, std::string_view text) {
  std::vector<uint8_t> found(strings.size(), 0);
  for (size_t k = 0; k < strings.size(); ++k) found[k] = text.find(strings[k]) != std::string_view::npos;
  return found;
}

// The built-in rule file, compiled into `book` as a Sanitizer compiles it.
::testing::AssertionResult CompileBuiltinRules(RuleBook& book) {
  auto doc = ReadJsonFile(REAGENT_SANITIZER_RULES);
  if (!doc.ok()) return ::testing::AssertionFailure() << doc.status().message();
  if (Status st = book.Add(*doc, "rules.json"); !st.ok()) return ::testing::AssertionFailure() << st.message();
  if (Status st = book.Compile(64 << 20); !st.ok()) return ::testing::AssertionFailure() << st.message();
  return ::testing::AssertionSuccess();
}

TEST(LiteralMatcher, FindsWhatANaiveSearchFinds) {
  std::mt19937 rng(17);
  const std::string alphabet = "abc d\n";
  auto random_string = [&](size_t max_len) {
    std::string s(1 + rng() % max_len, ' ');
    for (char& c : s) c = alphabet[rng() % alphabet.size()];
    return s;
  };
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> strings;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 12); ++k) strings.push_back(random_string(5));
    LiteralMatcher m(strings);
    for (int t = 0; t < 20; ++t) {
      std::string text = random_string(t % 2 ? 60 : 600);  // short and long: one lane or four
      std::vector<uint8_t> found(strings.size(), 0);
      m.Find(text, found);
      ASSERT_EQ(found, Naive(strings, text)) << text;
    }
  }
}

TEST(LiteralMatcher, OverlappingAndNestedStrings) {
  std::vector<std::string> strings = {"he", "she", "his", "hers", "rm -", "](", "x"};
  LiteralMatcher m(strings);
  std::vector<uint8_t> found(strings.size(), 0);
  m.Find("ushers ran rm -rf ](", found);
  EXPECT_EQ(found, (std::vector<uint8_t>{1, 1, 0, 1, 1, 1, 0}));
}

TEST(LiteralFilter, OnlyRulesWhoseLiteralsAreThereAreCandidates) {
  auto f = LiteralFilter::Build({R"(\b(ignore|disregard) (all )?previous)", "", R"(\d+)"}, {"://"},
                                RuleOptions(8 << 20));
  LiteralFilter::Found found;
  std::vector<int> candidates;
  f->Scan("please disregard the previous one", found);
  f->Candidates(found, candidates);
  EXPECT_EQ(candidates, (std::vector<int>{0, 2}));  // \d+ has no literal: always a candidate
  EXPECT_FALSE(f->Extra(found, 0));
  f->Scan("ignore this, see https://example.org", found);
  f->Candidates(found, candidates);
  EXPECT_EQ(candidates, (std::vector<int>{2}));
  EXPECT_TRUE(f->Extra(found, 0));
}

TEST(LiteralFilter, NeverRulesOutAMatchingBuiltinRule) {
  RuleBook book;
  ASSERT_TRUE(CompileBuiltinRules(book));
  size_t checked = 0;
  for (const Rule& rule : book.rules()) {
    for (const std::string& example : rule.hits) {
      TextViews views;
      BuildViews(example, views);
      // Squeezed view: every pattern the set reports is a candidate.
      std::vector<int> reported, candidates;
      book.squeezed_set().Match(views.squeezed, &reported);
      LiteralFilter::Found found;
      book.squeezed_filter().Scan(views.squeezed, found);
      book.squeezed_filter().Candidates(found, candidates);
      for (int id : reported) {
        EXPECT_TRUE(std::find(candidates.begin(), candidates.end(), id) != candidates.end())
            << rule.id << ": squeezed pattern " << id << " matches \"" << views.squeezed << "\"";
        ++checked;
      }
      // Folded view: a gated set applies exactly when the text holds one of its gate strings.
      book.folded_filter().Scan(views.folded.text, found);
      for (const RuleSet& set : book.folded_sets()) {
        bool holds = set.gate.empty();
        for (const std::string& g : set.gate) holds |= views.folded.text.find(g) != std::string::npos;
        EXPECT_EQ(set.Applies(book.folded_filter(), found), holds) << views.folded.text;
        checked += !set.gate.empty();
      }
    }
  }
  EXPECT_GT(checked, 100u);
}


// Matches (windows around a pattern's literals) answers as a search of the whole text does,
// for the built-in squeezed patterns with their hit examples placed at the start, in the
// middle and at the end of filler text, and for patterns with long gaps.
TEST(LiteralFilter, WindowedMatchEqualsAWholeTextSearch) {
  RuleBook book;
  ASSERT_TRUE(CompileBuiltinRules(book));
  std::vector<std::string> patterns;
  std::vector<std::string> examples;
  for (const Rule& rule : book.rules()) {
    if (rule.squeezed_pattern.empty()) continue;
    patterns.push_back(rule.squeezed_pattern);
    for (const std::string& h : rule.hits) {
      TextViews views;
      BuildViews(h, views);
      examples.push_back(views.squeezed);
    }
  }
  // Synthetic ones: a gap wider than the literals, literals at both ends.
  patterns.push_back("abc[a-z]{0,30}xyz");
  patterns.push_back("(qqq|rrr)[0-9]{1,5}(sss)?");
  examples.push_back("abcmmmmmmmmmmmmmmmmmmmmmmmmmmmmmxyz");
  examples.push_back("rrr12345sss");
  const RE2::Options options = RuleOptions(8 << 20);
  auto filter = LiteralFilter::Build(patterns, {}, options, /*windows=*/true);
  std::vector<std::unique_ptr<RE2>> res;
  for (const std::string& p : patterns) res.push_back(std::make_unique<RE2>(p, options));
  std::mt19937 rng(11);
  const std::string filler_bytes = "abcdefghijklmnopqrstuvwxyz0123456789";
  auto filler = [&](size_t n) {
    std::string s(n, 'a');
    for (char& c : s) c = filler_bytes[rng() % filler_bytes.size()];
    return s;
  };
  size_t matched = 0, windowed = 0;
  LiteralFilter::Found found;
  for (int round = 0; round < 400; ++round) {
    const std::string& example = examples[rng() % examples.size()];
    std::string t;
    switch (round % 4) {
      case 0: t = example + filler(rng() % 3000); break;
      case 1: t = filler(rng() % 3000) + example; break;
      case 2: t = filler(rng() % 1500) + example + filler(rng() % 1500); break;
      default: t = filler(rng() % 3000); break;
    }
    if (round % 7 == 0) t.insert(rng() % (t.size() + 1), example.substr(0, example.size() / 2));
    filter->Scan(t, found);
    for (size_t i = 0; i < patterns.size(); ++i) {
      bool whole = RE2::PartialMatch(t, *res[i]);
      ASSERT_EQ(filter->Matches(i, *res[i], t, found), whole) << patterns[i] << " on " << t;
      matched += whole;
    }
  }
  for (size_t i = 0; i < patterns.size(); ++i) windowed += filter->Windowed(i);
  EXPECT_GT(matched, 200u);
  EXPECT_GE(windowed, patterns.size() - 2);  // the built-in squeezed patterns are all bounded
}

}  // namespace
}  // namespace reagent::sanitizer_internal
