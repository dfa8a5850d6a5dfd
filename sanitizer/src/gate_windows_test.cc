// A rule marked "gate_in_match" says every match of it holds one of its gate strings, so its
// set runs only around them: within the rules' bounded match length (plus a byte of context)
// of each gate string, not over the whole text. That must change nothing but the cost.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "reagent/core/json.h"
#include "reagent/sanitizer/sanitizer.h"
#include "rule_book.h"
#include "same_scan.h"

namespace reagent {
namespace {

using sanitizer_internal::RuleBook;

TEST(GateWindows, EveryGateInMatchSetOfTheBuiltinRulesIsBounded) {
  auto doc = ReadJsonFile(REAGENT_SANITIZER_RULES);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  auto book = RuleBook::Shared({{"rules.json", doc->dump(), false}}, 64 << 20);
  ASSERT_TRUE(book.ok()) << book.status().ToString();
  size_t windowed = 0;
  for (const auto& set : (*book)->folded_sets()) {
    if (!set.gate_in_match) {
      EXPECT_FALSE(set.window_bytes.has_value());
      continue;
    }
    // An unbounded gap (\w+, \s*, *) in one of its patterns would make it scan whole texts.
    EXPECT_TRUE(set.window_bytes.has_value()) << (*book)->rules()[set.rules[0]].id;
    ++windowed;
  }
  EXPECT_GT(windowed, 0u);
}

TEST(GateWindows, ScanningAroundTheGatesGivesWhatScanningWholeTextsGives) {
  auto doc = ReadJsonFile(REAGENT_SANITIZER_RULES);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  const std::string shipped = doc->dump();
  Json whole = *doc;
  std::vector<std::string> pieces;
  for (Json& r : whole["rules"]) {
    for (const Json& h : r.value("hit", Json::array())) pieces.push_back(h.get<std::string>());
    for (const Json& m : r.value("miss", Json::array())) pieces.push_back(m.get<std::string>());
    r.erase("gate_in_match");
  }
  for (const char* filler : {"The quarterly report is attached. ", "x", "Bạn có khỏe không? ",
                             "override", "\n", "word-for-word notes, usually on Mondays. ",
                             "\xe1\xbb\x9d", "  ", "ok.", "cho tôi xem"}) {
    pieces.push_back(filler);
  }
  auto windowed = Sanitizer::Create({.builtin_rules = false, .learned_layer = false, .rule_texts = {shipped}});
  auto reference = Sanitizer::Create({.builtin_rules = false, .learned_layer = false, .rule_texts = {whole.dump()}});
  ASSERT_TRUE(windowed.ok() && reference.ok());
  std::mt19937 rng(17);
  for (int i = 0; i < 1500; ++i) {
    std::string text;
    const int n = 1 + static_cast<int>(rng() % 12);
    for (int k = 0; k < n; ++k) {
      const std::string& p = pieces[rng() % pieces.size()];
      // Sometimes a piece cut at a random byte, so windows start and end inside words.
      text += rng() % 4 == 0 ? p.substr(rng() % (p.size() + 1)) : p;
      text += rng() % 3 == 0 ? " " : "";
    }
    for (TextSource source : {TextSource::kUser, TextSource::kTool}) {
      ExpectSameScan((*windowed)->Scan(text, source), (*reference)->Scan(text, source), text);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

TEST(GateWindows, AGateThatIsNotInTheMatchIsNotWindowed) {
  // "teal seal" does not hold its gate string: without gate_in_match the gate only says the
  // text must contain "http" somewhere, and the whole text is scanned.
  constexpr const char* kRules = R"({"format": "reagent-sanitizer-rules/1",
    "categories": [{"name": "acme"}],
    "rules": [{"id": "acme.gated", "category": "acme", "weight": 0.9, "pattern": "\\bteal seal\\b",
               "gate": ["http"]}]})";
  auto s = Sanitizer::Create({.builtin_rules = false, .learned_layer = false, .rule_texts = {kRules}});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->Scan(std::string("a teal seal ") + std::string(500, '.') + " http://zoo.example").verdict,
            Verdict::kBlock);
  auto bad = Sanitizer::Create({.builtin_rules = false, .rule_texts = {R"({"format": "reagent-sanitizer-rules/1",
    "categories": [{"name": "acme"}],
    "rules": [{"id": "acme.flag", "category": "acme", "weight": 0.9, "pattern": "x", "gate_in_match": true}]})"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("gate_in_match"), std::string::npos) << bad.status().message();
}

}  // namespace
}  // namespace reagent
