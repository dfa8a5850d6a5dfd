// Byte-pair merging of one pre-tokenized piece, with tiktoken's exact rule: repeatedly merge
// the adjacent pair whose concatenation has the lowest rank (the leftmost one on ties) until
// no adjacent pair is a token. Short pieces use a linear scan over a stack array (what almost
// all text produces); long ones (whitespace runs, binary data) a heap, so cost stays
// O(n log n) where tiktoken's own loop is quadratic. Both give identical ids.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "rank_table.h"

namespace reagent {

// Appends the ids of `piece` (non-empty) to `out`. The whole-piece lookup is the caller's job.
void BytePairEncode(const RankTable& ranks, std::string_view piece, std::vector<uint32_t>& out);

// The number of ids BytePairEncode would append, without looking the final tokens up.
size_t BytePairCount(const RankTable& ranks, std::string_view piece);

}  // namespace reagent
