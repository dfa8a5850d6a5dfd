// Layer 2's data: the rules (JSON), validated and compiled. Each rule has a pattern over the
// folded view and optionally one over the squeezed view; all folded patterns form one
// RE2::Set, all squeezed patterns another, so a scan is one pass per view. The individual
// RE2s are only run for rules the sets reported, to locate the matches.
//
// Rule file format (sanitizer/data/rules.json is the reference):
//   {"format": "reagent-sanitizer-rules/1",
//    "categories": [{"name": "...", "description": "...",
//                    "source_factors": {"user": 1, "tool": 1, "history": 1, "document": 1},
//                    "quoted_factor": 0.5}],
//    "rules": [{"id": "...", "category": "...", "weight": 0.9, "description": "...",
//               "pattern": "<RE2 over the folded view>", "squeezed": "<RE2, optional>",
//               "hit": ["example that must match"], "miss": ["near miss that must not"]}]}
// Patterns see lower-case text without diacritics, lookalikes folded to ASCII and single
// spaces; write "bo qua" for Vietnamese "bỏ qua".
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <re2/re2.h>
#include <re2/set.h>

#include "reagent/core/json.h"
#include "reagent/core/status.h"

namespace reagent::sanitizer_internal {

inline constexpr size_t kSourceCount = 4;  // TextSource values

struct Category {
  std::string name;
  std::string description;
  std::array<double, kSourceCount> source_factor{1, 1, 1, 1};  // indexed by TextSource
  double quoted_factor = 0.5;  // inside a code block or quotes
};

// A rule's own RE2, used only to locate matches after a set reported the rule. Most rules
// never fire in a process's life, so the RE2 is compiled on first use (the pattern was
// compiled once when the rule was loaded, to report errors then). Thread-safe.
class LazyRegex {
 public:
  LazyRegex(std::string pattern, const RE2::Options& options)
      : pattern_(std::move(pattern)), options_(options) {}
  // Null when the RE2 cannot be built (out of memory): the caller must fail closed.
  const RE2* Get() const;

 private:
  std::string pattern_;
  RE2::Options options_;
  mutable std::once_flag once_;
  mutable std::unique_ptr<RE2> re_;
};

struct Rule {
  std::string id;
  size_t category = 0;  // index into RuleBook::categories
  double weight = 0;
  std::string description;
  std::string pattern;
  std::string squeezed_pattern;
  std::unique_ptr<LazyRegex> re;           // null when there is no folded pattern
  std::unique_ptr<LazyRegex> squeezed_re;  // null when there is no squeezed pattern
  std::vector<std::string> hits, misses;
};

class RuleBook {
 public:
  // Adds the categories and rules of one document. `where` names it in errors.
  Status Add(const Json& doc, std::string_view where);
  // Compiles the sets; call once after every Add.
  Status Compile(int64_t max_mem);

  const std::vector<Category>& categories() const { return categories_; }
  const std::vector<Rule>& rules() const { return rules_; }
  const RE2::Set& folded_set() const { return *folded_set_; }
  const RE2::Set& squeezed_set() const { return *squeezed_set_; }
  // Rule index of a set's pattern index; SIZE_MAX for the placeholder of an empty set.
  size_t FoldedRule(int set_index) const { return RuleAt(folded_rules_, set_index); }
  size_t SqueezedRule(int set_index) const { return RuleAt(squeezed_rules_, set_index); }
  // Index of a category by name, or -1.
  int FindCategory(std::string_view name) const;

 private:
  static size_t RuleAt(const std::vector<size_t>& map, int set_index) {
    auto i = static_cast<size_t>(set_index);
    return set_index >= 0 && i < map.size() ? map[i] : SIZE_MAX;
  }
  Status AddCategory(const Json& j, std::string_view where);
  Status AddRule(const Json& j, std::string_view where);

  std::vector<Category> categories_;
  std::vector<Rule> rules_;
  std::unique_ptr<RE2::Set> folded_set_, squeezed_set_;
  std::vector<size_t> folded_rules_, squeezed_rules_;
  int64_t max_mem_ = 0;
};

// RE2 options shared by every rule.
RE2::Options RuleOptions(int64_t max_mem);

}  // namespace reagent::sanitizer_internal
