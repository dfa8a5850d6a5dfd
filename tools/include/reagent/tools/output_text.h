// Shaping tool output before a model reads it: valid UTF-8 (a provider rejects a request
// whose JSON carries invalid bytes, so one binary tool output would otherwise fail every later
// call of the conversation) and a hard size cap with an honest marker.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace reagent {

// Replaces every invalid UTF-8 sequence (stray continuation bytes, overlongs, surrogates,
// truncated sequences, code points above U+10FFFF) with U+FFFD. Valid text is returned as is.
std::string MakeValidUtf8(std::string_view text);

// True when text is well-formed UTF-8.
bool IsValidUtf8(std::string_view text);

// Keeps at most max_bytes of text, cut at a UTF-8 character boundary, and appends
// "\n[output truncated: N of M bytes cut]" when anything was cut. already_cut: bytes dropped
// before text was produced (counted in N and M, and forces the marker). max_bytes == 0: no cap.
std::string CapOutput(std::string text, std::size_t max_bytes, std::size_t already_cut = 0);

// Length of the longest prefix of text that is at most max_bytes long and does not end in the
// middle of a UTF-8 sequence.
std::size_t Utf8PrefixLength(std::string_view text, std::size_t max_bytes);

}  // namespace reagent
