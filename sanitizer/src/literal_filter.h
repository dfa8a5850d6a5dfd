// A literal prefilter for a group of rules: which of them can possibly match a text, decided
// by one pass over it. RE2's FilteredRE2 reduces each pattern to the literal strings ("atoms")
// any match must contain, as an AND/OR tree (`\b(ignore|disregard) (all )?previous` needs
// "ignore" or "disregard", and "previous"); one Aho-Corasick automaton finds every atom, and
// every extra literal the caller asks for (the gate strings of the gated sets), in the text at
// once. A rule the filter rules out cannot match; a rule it lets through still has to be run.
//
// Soundness: the atoms are lower case and the views the rules see are lower case (folded), so
// an exact search finds them. Atoms that hold non-ASCII bytes (whose lower-casing may differ
// from the views' case folding) are treated as always present.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <re2/filtered_re2.h>
#include <re2/re2.h>


namespace reagent::sanitizer_internal {

// Every occurrence of a fixed list of byte strings, in one pass (Aho-Corasick over byte
// classes, with the transitions of every state precomputed).
class LiteralMatcher {
 public:
  explicit LiteralMatcher(const std::vector<std::string>& strings);
  // Where a string occurs: its index and the offset just past it.
  struct Occurrence {
    uint32_t string, end;
  };
  // Sets found[k] = 1 for each string k that occurs in `text` (found has one entry per
  // string; entries already set stay set). With `at`, also appends every occurrence to it
  // (unordered; one may be listed twice).
  void Find(std::string_view text, std::vector<uint8_t>& found,
            std::vector<Occurrence>* at = nullptr) const;
  size_t size() const { return string_count_; }

 private:
  std::vector<uint8_t> byte_class_;      // 256 entries
  size_t classes_ = 0;                   // a power of two: 1 << shift_
  unsigned shift_ = 0;
  std::vector<uint32_t> next_;           // [state * classes_ + class]; bit 31: state reports
  std::vector<std::vector<uint32_t>> out_;  // strings ending at a state, suffix outputs included
  size_t string_count_ = 0;
  size_t max_length_ = 0;
};

class LiteralFilter {
 public:
  // Builds the filter of `patterns` (each compiled with `options`; an empty pattern is never
  // a candidate, one that does not compile on its own always is) and looks for `extra`
  // literals too (reported by Extra()). With `windows`, Scan also records where the literals
  // are, so Matches can search a pattern only around them.
  static std::unique_ptr<LiteralFilter> Build(const std::vector<std::string>& patterns,
                                                      const std::vector<std::string>& extra,
                                                      const RE2::Options& options,
                                                      bool windows = false);

  // One pass over `text`: afterwards Candidates and Extra answer for it.
  struct Found {
    std::vector<uint8_t> strings;  // per matcher string
    std::vector<int> atoms;        // FilteredRE2 atom ids found
    std::vector<LiteralMatcher::Occurrence> at;  // with windows: where the strings are
  };
  void Scan(std::string_view text, Found& found) const;
  // Indices (into `patterns`) of the patterns that may match the scanned text, ascending.
  void Candidates(Found& found, std::vector<int>& out) const;
  // Whether extra literal k occurs in the scanned text.
  bool Extra(const Found& found, size_t k) const { return found.strings[extra_base_ + k] != 0; }

  // Whether `re` (pattern `pattern` of this filter) matches `text`, the text last scanned
  // into `found`: the same answer as RE2::PartialMatch(text, re). When the pattern has a
  // bound L on its match length (match_length.h) and holds literals every match must contain,
  // only the text within L bytes of those literals is searched: a match contains one of
  // them, so it lies in such a window. Otherwise the whole text is searched.
  bool Matches(size_t pattern, const RE2& re, std::string_view text, const Found& found) const;
  // The matcher string of extra literal k (to mark it in Windows' `is_string`).
  size_t ExtraString(size_t k) const { return extra_base_ + k; }
  size_t strings() const { return string_length_.size(); }
  // The windows [end - reach, start + reach) around every recorded occurrence (the filter was
  // built with `windows`) of a string marked in `is_string`, clipped to [0, text_size),
  // sorted and merged where they touch.
  void Windows(const Found& found, const std::vector<uint8_t>& is_string, size_t reach, size_t text_size,
               std::vector<std::pair<size_t, size_t>>& out) const;
  // Whether Matches searches pattern `pattern` in windows (for tests).
  bool Windowed(size_t pattern) const { return !windows_[pattern].is_literal.empty(); }

 private:
  LiteralFilter() = default;
  // Per pattern, for Matches: its bound and the matcher strings of its own literals (any
  // match holds one); no strings = search the whole text.
  struct Window {
    size_t max_bytes = 0;
    std::vector<uint8_t> is_literal;  // per matcher string
  };
  static Window MakeWindow(const std::string& pattern, const std::vector<std::string>& strings,
                           const RE2::Options& options);
  std::vector<Window> windows_;
  std::vector<size_t> string_length_;  // per matcher string
  bool record_ = false;
  re2::FilteredRE2 filtered_{3};
  std::vector<int> filter_index_;      // FilteredRE2 id -> pattern index
  std::vector<int> string_atom_;       // matcher string -> FilteredRE2 atom id, or -1
  std::vector<int> always_atoms_;      // atoms treated as always present
  std::vector<int> always_patterns_;   // patterns FilteredRE2 could not take: always candidates
  size_t extra_base_ = 0;
  std::unique_ptr<LiteralMatcher> matcher_;
};

}  // namespace reagent::sanitizer_internal
