// Pre-tokenization: splits text into the pieces that byte-pair merging works on, exactly as
// tiktoken's regex for each encoding does. The patterns (lookahead, backtracking between
// overlapping letter classes) are beyond RE2, so each is a hand-written scanner over Unicode
// categories (utf8proc), which is also much faster than a backtracking regex engine.
//
// o200k_base:
//   [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//   |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//   |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
// cl100k_base:
//   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*
//   |\s*[\r\n]+|\s+(?!\S)|\s+
//
// \s is Unicode White_Space; (?i) matching follows Unicode simple case folding (so "'ſ" is
// a contraction like "'s").
#pragma once

#include <cstddef>
#include <string_view>

#include "reagent/tokenizer/tokenizer.h"

namespace reagent {

// The end (byte offset) of the piece that starts at `pos`. Preconditions: `text` is valid
// UTF-8 and pos < text.size(). Always makes progress.
size_t O200kPieceEnd(std::string_view text, size_t pos);
size_t Cl100kPieceEnd(std::string_view text, size_t pos);

// Length of the longest valid UTF-8 prefix of `text` (text.size() when it is all valid),
// with Rust's str::from_utf8 rules: no overlongs, no surrogates, nothing above U+10FFFF.
size_t ValidUtf8Prefix(std::string_view text);

}  // namespace reagent
