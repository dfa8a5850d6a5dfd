// An upper bound on the length of any match of a regular expression, for the search of a
// pattern only around the literals every match holds (literal_filter.h). Deliberately
// conservative: it understands literals, escaped punctuation, \d \w \s and their negations,
// Unicode classes (\pL, \P{Greek}), '.', bracket classes, groups, alternation and bounded
// repetition; anything else — an
// unbounded repetition, an assertion (\b ^ $, whose truth depends on bytes outside the match),
// a flag group, an unknown escape — gives no bound, and the caller searches the whole text.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace reagent::sanitizer_internal {

// How to take the assertions \b \B ^ $ \A \z. kNoBound: they give no bound (the caller
// searches with the whole text as context, where an assertion's truth depends on bytes outside
// any window). kZeroWidth: they span no bytes; a caller that searches a window without context
// must widen it by one byte on each side, and then gets every match of the text plus, at the
// window's edges, matches the text does not have, which it must check against the whole text.
enum class Assertions { kNoBound, kZeroWidth };

// The most bytes (of UTF-8 text) a match of `pattern` (RE2 syntax, UTF-8, case-sensitive) can
// span, or nullopt when the pattern is outside what is understood.
std::optional<size_t> MaxMatchBytes(std::string_view pattern, Assertions assertions = Assertions::kNoBound);

}  // namespace reagent::sanitizer_internal
