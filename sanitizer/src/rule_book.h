// Layer 2's data: the rules (JSON), validated and compiled. Each rule has a pattern over the
// folded view and optionally one over the squeezed view. The folded patterns form RE2::Sets
// split by cost: rules without a "gate" share the main set, which runs over every text; rules
// with a gate (literal strings, e.g. "://" for the wide URL patterns) form one set per gate,
// run only over texts that contain one of its strings, so their large DFAs are neither built
// nor walked for ordinary prose. All squeezed patterns form one more set. The individual RE2s
// are only run for rules the sets reported, to locate the matches.
//
// Literal prefilters (literal_filter.h) sit in front of the sets: one pass over a folded view
// finds the gate strings of every gated set, and one pass over the squeezed view finds the
// literals the squeezed patterns require, so the squeezed set runs only when two or more of
// its rules may match; a candidate is tried only around those literals when its match length
// is bounded (match_length.h).
//
// A compiled RuleBook is immutable and shared: RuleBook::Shared compiles a given list of rule
// documents once per process and hands every Sanitizer built from the same documents the
// same instance.
//
// Rule file format (sanitizer/data/rules.json is the reference):
//   {"format": "reagent-sanitizer-rules/1",
//    "categories": [{"name": "...", "description": "...",
//                    "source_factors": {"user": 1, "tool": 1, "history": 1, "document": 1},
//                    "quoted_factor": 0.5, "redactable": false, "attack": true}],
//    "rules": [{"id": "...", "category": "...", "weight": 0.9, "description": "...",
//               "pattern": "<RE2 over the folded view>", "squeezed": "<RE2, optional>",
//               "gate": ["literal the folded text must contain", "..."],
//               "hit": ["example that must match"], "miss": ["near miss that must not"]}]}
// "redactable": the category's spans can be cut out of a text that is not blocked, leaving it
// useful (secrets, template tokens, a lone exfiltration link). "attack": the category counts
// towards the block score (secrets do not: a leaked key is not an attack on the model).
// Patterns see lower-case text without diacritics, lookalikes folded to ASCII and single
// spaces; write "bo qua" for Vietnamese "bỏ qua".
#pragma once

#include <array>
#include <map>
#include <cstdint>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <re2/re2.h>
#include <re2/set.h>

#include "literal_filter.h"
#include "reagent/core/json.h"
#include "reagent/core/status.h"

namespace reagent::sanitizer_internal {

inline constexpr size_t kSourceCount = 4;  // TextSource values

struct Category {
  std::string name;
  std::string description;
  std::array<double, kSourceCount> source_factor{1, 1, 1, 1};  // indexed by TextSource
  double quoted_factor = 0.5;  // inside a code block or quotes
  bool redactable = false;     // spans removed when the text is not blocked
  bool attack = true;          // counts towards the block score
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
  std::vector<std::string> gate;           // folded literals; empty = main set
  bool gate_in_match = false;              // every match holds a gate string ("gate_in_match")
  std::vector<std::string> hits, misses;
};

// One RE2::Set over the folded view and the rules it holds. A gated set runs only over texts
// that contain one of its gate strings.
struct RuleSet {
  std::vector<std::string> gate;
  bool gate_in_match = false;  // every rule of the set says so
  std::unique_ptr<RE2::Set> set;
  std::vector<size_t> rules;  // rule index of each set pattern
  std::vector<size_t> gate_literals;  // the gate strings' indices among the folded filter's extras
  // A gate_in_match set whose patterns all have a bounded match length (assertions taken as zero
  // width, match_length.h): that bound. Every match holds a gate string, so the set runs only
  // over the text within this many bytes (plus one of context) of the gate strings it holds.
  std::optional<size_t> window_bytes;
  std::vector<uint8_t> gate_strings;  // windowed sets: per folded filter string, one of this set's gate strings

  // Whether the text the folded filter scanned (into `found`) contains a gate string.
  bool Applies(const LiteralFilter& filter, const LiteralFilter::Found& found) const;
  // The set's patterns that match `text` (the text the folded filter scanned into `found`),
  // in `ids`: every pattern that matches it, and for a windowed set possibly also one that
  // matches only a window (an assertion at its edge), which locating in the whole text drops.
  // False when RE2 fails (out of memory).
  bool Match(const LiteralFilter& filter, const LiteralFilter::Found& found, std::string_view text,
             std::vector<int>& ids) const;
};

// One rule document to load: where it came from (for errors) and its JSON text.
struct RuleSource {
  std::string where;
  std::string_view text;
  bool trusted = false;  // shipped and tested with the library: skip the per-rule compile check
};

class RuleBook {
 public:
  // The compiled rules of `sources`, in order, with RE2::Set memory budget `max_mem`: built
  // (parsed, validated, compiled) the first time these exact documents are asked for in this
  // process and shared afterwards. Books of the built-in rules alone stay for the life of the
  // process; books with user documents live as long as a Sanitizer holds them. Thread-safe.
  static Result<std::shared_ptr<const RuleBook>> Shared(const std::vector<RuleSource>& sources,
                                                        int64_t max_mem);
  // Number of books compiled so far in this process (for tests of the sharing).
  static size_t CompiledCount();

  // Adds the categories and rules of one document. `where` names it in errors. Unless
  // `trusted`, each pattern is compiled once on its own to report a bad rule by name.
  Status Add(const Json& doc, std::string_view where, bool trusted = false);
  // Compiles the sets; call once after every Add.
  Status Compile(int64_t max_mem);

  const std::vector<Category>& categories() const { return categories_; }
  const std::vector<Rule>& rules() const { return rules_; }
  // The folded-view sets: [0] is the main set, the others are gated.
  const std::vector<RuleSet>& folded_sets() const { return folded_sets_; }
  const RE2::Set& squeezed_set() const { return *squeezed_set_; }
  // The prefilter of the main folded set (candidates are its set indices; its extra literals
  // are the gated sets' gate strings) and of the squeezed set.
  const LiteralFilter& folded_filter() const { return *folded_filter_; }
  const LiteralFilter& squeezed_filter() const { return *squeezed_filter_; }
  // Rule index of a set's pattern index; SIZE_MAX for the placeholder of an empty set.
  size_t SqueezedRule(int set_index) const { return RuleAt(squeezed_rules_, set_index); }
  static size_t FoldedRule(const RuleSet& set, int set_index) { return RuleAt(set.rules, set_index); }
  // Index of a category by name, or -1.
  int FindCategory(std::string_view name) const;

 private:
  static size_t RuleAt(const std::vector<size_t>& map, int set_index) {
    auto i = static_cast<size_t>(set_index);
    return set_index >= 0 && i < map.size() ? map[i] : SIZE_MAX;
  }
  Status AddCategory(const Json& j, std::string_view where);
  Status AddRule(const Json& j, std::string_view where, bool trusted);

  std::vector<Category> categories_;
  std::vector<Rule> rules_;
  std::vector<RuleSet> folded_sets_;
  std::unique_ptr<RE2::Set> squeezed_set_;
  std::vector<size_t> squeezed_rules_;
  std::unique_ptr<LiteralFilter> folded_filter_, squeezed_filter_;
  int64_t max_mem_ = 0;
};

// RE2 options shared by every rule.
RE2::Options RuleOptions(int64_t max_mem);

}  // namespace reagent::sanitizer_internal
