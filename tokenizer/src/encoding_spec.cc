#include "encoding_spec.h"

#include <array>

#include "pretokenizer.h"

// Built by reagent_rank_image and linked in by reagent_embed (tokenizer/CMakeLists.txt).
extern "C" const unsigned char reagent_o200k_base_ranks[];
extern "C" const unsigned char reagent_o200k_base_ranks_end[];
extern "C" const unsigned char reagent_cl100k_base_ranks[];
extern "C" const unsigned char reagent_cl100k_base_ranks_end[];

namespace reagent {
namespace {

std::string_view Bytes(const unsigned char* begin, const unsigned char* end) {
  return {reinterpret_cast<const char*>(begin), static_cast<size_t>(end - begin)};
}

constexpr std::array<Tokenizer::SpecialToken, 2> kO200kSpecials = {{
    {"<|endoftext|>", 199999},
    {"<|endofprompt|>", 200018},
}};

constexpr std::array<Tokenizer::SpecialToken, 5> kCl100kSpecials = {{
    {"<|endoftext|>", 100257},
    {"<|fim_prefix|>", 100258},
    {"<|fim_middle|>", 100259},
    {"<|fim_suffix|>", 100260},
    {"<|endofprompt|>", 100276},
}};

const EncodingSpec kO200k = {
    .encoding = Encoding::kO200kBase,
    .name = "o200k_base",
    .file_name = "o200k_base.tiktoken",
    .sha256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    .specials = kO200kSpecials,
    .piece_end = O200kPieceEnd,
    .image = [] { return Bytes(reagent_o200k_base_ranks, reagent_o200k_base_ranks_end); },
};

const EncodingSpec kCl100k = {
    .encoding = Encoding::kCl100kBase,
    .name = "cl100k_base",
    .file_name = "cl100k_base.tiktoken",
    .sha256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    .specials = kCl100kSpecials,
    .piece_end = Cl100kPieceEnd,
    .image = [] { return Bytes(reagent_cl100k_base_ranks, reagent_cl100k_base_ranks_end); },
};

}  // namespace

const EncodingSpec& SpecOf(Encoding encoding) {
  return encoding == Encoding::kO200kBase ? kO200k : kCl100k;
}

}  // namespace reagent
