// The vocabulary of one encoding: every mergeable byte string and its rank (= token id),
// parsed from a tiktoken rank file ("<base64 bytes> <rank>" per line), plus the special
// tokens. Lookups by bytes go through an open-addressing hash table sized for speed: the
// encoder asks it several times per piece. Immutable after Parse; safe to share across threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "reagent/core/status.h"
#include "reagent/tokenizer/tokenizer.h"

namespace reagent {

class RankTable {
 public:
  static constexpr uint32_t kNoRank = UINT32_MAX;

  // Parses `file_bytes`; `where` names the file in error messages. Specials get the given ids.
  static Result<std::unique_ptr<RankTable>> Parse(std::string_view file_bytes, std::string_view where,
                                                  std::vector<Tokenizer::SpecialToken> specials);

  // The rank of exactly these bytes, or kNoRank.
  uint32_t Find(std::string_view bytes) const {
    uint64_t h = Hash(bytes);
    uint32_t tag = static_cast<uint32_t>(h >> 32);
    for (size_t slot = h & slot_mask_;; slot = (slot + 1) & slot_mask_) {
      const Slot& s = slots_[slot];
      if (s.rank == kNoRank) return kNoRank;
      if (s.tag == tag) {
        const Entry& e = entries_[s.rank];
        if (e.length == bytes.size() && std::string_view(arena_.data() + e.offset, e.length) == bytes) {
          return s.rank;
        }
      }
    }
  }

  // The bytes of `id` (mergeable or special); empty for an unknown id.
  std::string_view BytesOf(uint32_t id) const {
    if (id < entries_.size() && entries_[id].length > 0) {
      return {arena_.data() + entries_[id].offset, entries_[id].length};
    }
    return {};
  }
  bool IsKnown(uint32_t id) const { return id < entries_.size() && entries_[id].length > 0; }
  uint32_t size() const { return static_cast<uint32_t>(entries_.size()); }
  const std::vector<Tokenizer::SpecialToken>& specials() const { return specials_; }

  static uint64_t Hash(std::string_view bytes);

 private:
  struct Entry {
    uint32_t offset = 0;
    uint32_t length = 0;  // 0: no token has this id
  };
  struct Slot {
    uint32_t tag = 0;
    uint32_t rank = kNoRank;
  };
  Status Insert(std::string_view where, uint32_t rank, std::string_view bytes, size_t line);

  std::string arena_;             // all token bytes back to back
  std::vector<Entry> entries_;    // by id
  std::vector<Slot> slots_;       // hash table over mergeable tokens (specials excluded)
  size_t slot_mask_ = 0;
  std::vector<Tokenizer::SpecialToken> specials_;  // text views point into arena_
};

}  // namespace reagent
