// Words taken apart to get past the filter, put back together: letters spaced out
// ("i g n o r e a l l"), or a dot, dash, underscore or asterisk put inside words ("ign.ore
// prev-ious instr_uctions"). The rules' squeezed patterns see through both, but only a few
// rules have them, and the learned layer reads words: it sees "ign" and "ore". A line that
// looks taken apart is rewritten with its words rejoined and scanned once more, like a
// decoded payload.
//
// Only lines that look taken apart are rewritten, so ordinary prose costs one cheap pass over
// its bytes and nothing else (URLs, paths, addresses and assignments, words with any of
// / : @ = < > or a backslash, are never counted or changed):
//   spaced out  — a run of at least kMinSpacedLetters one-letter words ("a b c" lists and
//                 initials are shorter);
//   punctuated  — at least kMinPunctuatedWords words of five letters or more with one of
//                 . - _ * between two letters, and they are at least half of the line's
//                 words of five letters or more ("well-known" or "file.txt" in a sentence
//                 is not enough; "U.S.A." and "e.g." are too short to count).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "payload_decoder.h"

namespace reagent::sanitizer_internal {

inline constexpr size_t kMinSpacedLetters = 4;
inline constexpr size_t kMinPunctuatedWords = 2;

// Two marks between letters at most this far apart make a line worth the closer look.
inline constexpr size_t kMarkPairBytes = 96;

// The runs of consecutive taken-apart lines of `text`, each rewritten (encoding "rejoined";
// start/end: the original bytes of the lines); at most `max_payloads`, in order. A line gets
// the closer look only where one of its one-letter words is followed by another, or two
// . - _ * between letters are within kMarkPairBytes: text without either is skipped by a
// vector scan (16 bytes a step, where the CPU has SSE2).
std::vector<Payload> FindRejoined(std::string_view text, size_t max_payloads, bool allow_vector = true);

// The first position at or after `from` where a separator is followed by a one-character word
// (a letter, or a UTF-8 lead byte, then a gap), or one of . - _ * sits between two letter
// bytes; text.size() if none. By the vector path when `allow_vector` (tests compare both).
size_t NextRejoinSignal(std::string_view text, size_t from, bool allow_vector);

// One line rewritten: runs of at least kMinSpacedLetters one-letter words joined (a gap wider
// than one space inside a run stays one space: "i g n o r e   a l l" reads "ignore all"), and
// . - _ * between two letters removed (for tests, and used by FindRejoined).
std::string RejoinLine(std::string_view line);

}  // namespace reagent::sanitizer_internal
