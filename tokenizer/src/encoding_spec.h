// What defines each encoding: its rank file (embedded, with the published SHA-256), its
// special tokens and its pre-tokenizer.
#pragma once

#include <span>
#include <string_view>

#include "reagent/tokenizer/tokenizer.h"

namespace reagent {

struct EncodingSpec {
  Encoding encoding;
  std::string_view name;       // "o200k_base"
  std::string_view file_name;  // "o200k_base.tiktoken"
  std::string_view sha256;     // lower-case hex of the rank file
  std::span<const Tokenizer::SpecialToken> specials;
  size_t (*piece_end)(std::string_view text, size_t pos);
  std::string_view (*embedded)();  // the rank file's bytes, linked into the library
};

const EncodingSpec& SpecOf(Encoding encoding);

}  // namespace reagent
