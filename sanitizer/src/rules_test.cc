// Every rule of sanitizer/data/rules.json, as its own test: each "hit" example must produce a
// finding of that rule, each "miss" (near miss) must not.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "reagent/core/json.h"
#include "reagent/sanitizer/sanitizer.h"
#include "rule_book.h"

namespace reagent {
namespace {

struct RuleCase {
  std::string id;
  std::vector<std::string> hits, misses;
};

std::vector<RuleCase> LoadRuleCases() {
  std::vector<RuleCase> cases;
  auto doc = ReadJsonFile(REAGENT_SANITIZER_RULES);
  if (!doc.ok()) return cases;
  for (const Json& r : (*doc)["rules"]) {
    RuleCase c{r["id"].get<std::string>(), {}, {}};
    for (const Json& h : r.value("hit", Json::array())) c.hits.push_back(h.get<std::string>());
    for (const Json& m : r.value("miss", Json::array())) c.misses.push_back(m.get<std::string>());
    cases.push_back(std::move(c));
  }
  return cases;
}

const Sanitizer& Shared() {
  static const std::shared_ptr<const Sanitizer> s = *Sanitizer::Create();
  return *s;
}

bool HasRule(const ScanResult& r, const std::string& id) {
  return std::any_of(r.findings.begin(), r.findings.end(),
                     [&](const Finding& f) { return f.rule == id; });
}

class EachRule : public ::testing::TestWithParam<RuleCase> {};

TEST_P(EachRule, MatchesItsHitsAndNotItsNearMisses) {
  const RuleCase& c = GetParam();
  ASSERT_FALSE(c.hits.empty()) << c.id << " has no hit example";
  ASSERT_FALSE(c.misses.empty()) << c.id << " has no near-miss example";
  for (const std::string& hit : c.hits) {
    EXPECT_TRUE(HasRule(Shared().Scan(hit, TextSource::kTool), c.id)) << "should match: " << hit;
  }
  for (const std::string& miss : c.misses) {
    EXPECT_FALSE(HasRule(Shared().Scan(miss, TextSource::kTool), c.id))
        << "should not match: " << miss;
  }
}

std::string RuleName(const ::testing::TestParamInfo<RuleCase>& info) {
  std::string name = info.param.id;
  std::replace_if(name.begin(), name.end(), [](char ch) { return !std::isalnum(static_cast<unsigned char>(ch)); }, '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(BuiltinRules, EachRule, ::testing::ValuesIn(LoadRuleCases()), RuleName);

TEST(LazyRegex, CompilesOnceOnFirstUseForEveryThread) {
  sanitizer_internal::LazyRegex lazy("ign(o)re", sanitizer_internal::RuleOptions(8 << 20));
  std::vector<const RE2*> seen(8, nullptr);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&, i] { seen[i] = lazy.Get(); });
  }
  for (auto& t : threads) t.join();
  ASSERT_NE(seen[0], nullptr);
  for (const RE2* re : seen) EXPECT_EQ(re, seen[0]);
  EXPECT_TRUE(RE2::PartialMatch("please ignore it", *seen[0]));
}

TEST(LazyRegex, APatternThatCannotBeBuiltGivesNullSoTheCallerFailsClosed) {
  sanitizer_internal::LazyRegex broken("(unclosed", sanitizer_internal::RuleOptions(8 << 20));
  EXPECT_EQ(broken.Get(), nullptr);
  EXPECT_EQ(broken.Get(), nullptr);
}

TEST(BuiltinRules, FileLoadsAndEveryRuleIsCompiledIntoTheLibrary) {
  std::vector<RuleCase> cases = LoadRuleCases();
  ASSERT_GT(cases.size(), 50u);
  EXPECT_EQ(Shared().rule_count(), cases.size());
}

}  // namespace
}  // namespace reagent
