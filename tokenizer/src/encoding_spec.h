// What defines each encoding: its rank file (with the published SHA-256), the tables built
// from it at build time (embedded), its special tokens and its pre-tokenizer.
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
  // The rank table's image (RankTable::Image), built from the rank file when the library was
  // built, after checking the file's SHA-256, and linked into it.
  std::string_view (*image)();
};

const EncodingSpec& SpecOf(Encoding encoding);

}  // namespace reagent
