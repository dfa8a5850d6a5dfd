// An upper bound on the length of any match of a regular expression, for the search of a
// pattern only around the literals every match holds (literal_filter.h). Deliberately
// conservative: it understands literals, escaped punctuation, \d \w \s and their negations,
// '.', bracket classes, groups, alternation and bounded repetition; anything else — an
// unbounded repetition, an assertion (\b ^ $, whose truth depends on bytes outside the match),
// a flag group, an unknown escape — gives no bound, and the caller searches the whole text.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace reagent::sanitizer_internal {

// The most bytes (of UTF-8 text) a match of `pattern` (RE2 syntax, UTF-8, case-sensitive) can
// span, or nullopt when the pattern is outside what is understood.
std::optional<size_t> MaxMatchBytes(std::string_view pattern);

}  // namespace reagent::sanitizer_internal
