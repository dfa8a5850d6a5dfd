// The vocabulary of one encoding: every mergeable byte string and its rank (= token id),
// plus the special tokens. Lookups by bytes go through an open-addressing hash table sized for
// speed: the encoder asks it several times per piece. Immutable once built; safe to share
// across threads.
//
// Two ways to build one: Parse reads a tiktoken rank file ("<base64 bytes> <rank>" per line)
// and builds the tables (a LoadFromFile, or the build step); FromImage uses tables that the
// build already laid out (Image) and linked into the library, in place: nothing to parse,
// hash or allocate at run time, and pages of the tables are read from the executable only
// when a lookup touches them.
#pragma once

#include <cstdint>
#include <cstring>
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

  RankTable(const RankTable&) = delete;  // lookups point into its own tables
  RankTable& operator=(const RankTable&) = delete;

  // Parses `file_bytes`; `where` names the file in error messages. Specials get the given ids.
  static Result<std::unique_ptr<RankTable>> Parse(std::string_view file_bytes, std::string_view where,
                                                  std::vector<Tokenizer::SpecialToken> specials);

  // The tables as one block of bytes, laid out as FromImage reads them (this machine's byte
  // order and alignment: made at build time for the same build). Specials are not included.
  std::string Image() const;
  // A table over `image` (made by Image), used in place: the bytes must outlive the table and
  // be 8-byte aligned. Checks the layout (magic, version, sizes), not the content, which the
  // build made from a rank file whose SHA-256 it verified (and the tests compare with a parse).
  static Result<std::unique_ptr<RankTable>> FromImage(std::string_view image, std::string_view where,
                                                      std::vector<Tokenizer::SpecialToken> specials);

  // The rank of exactly these bytes, or kNoRank.
  uint32_t Find(std::string_view bytes) const { return Find(bytes, Hash(bytes)); }
  // As above, with `hash` == Hash(bytes) already computed.
  uint32_t Find(std::string_view bytes, uint64_t hash) const {
    uint32_t tag = static_cast<uint32_t>(hash >> 32);
    for (size_t slot = hash & slot_mask_;; slot = (slot + 1) & slot_mask_) {
      const Slot& s = slots_[slot];
      if (s.rank == kNoRank) return kNoRank;
      if (s.tag == tag) {
        const Entry& e = entries_[s.rank];
        if (e.length == bytes.size() && SameBytes(arena_ + e.offset, bytes.data(), e.length)) return s.rank;
      }
    }
  }

  // The rank of the two bytes a b, from a direct 64 K table: byte-pair merging starts with one
  // such lookup per byte, and this table stays in cache where the hash table would not.
  uint32_t FindPair(char a, char b) const {
    return pair_ranks_[(static_cast<size_t>(static_cast<uint8_t>(a)) << 8) | static_cast<uint8_t>(b)];
  }

  // The bytes of `id` (mergeable or special); empty for an unknown id.
  std::string_view BytesOf(uint32_t id) const {
    if (id < entry_count_ && entries_[id].length > 0) return {arena_ + entries_[id].offset, entries_[id].length};
    for (const Tokenizer::SpecialToken& s : specials_) {
      if (s.id == id) return s.text;
    }
    return {};
  }
  bool IsKnown(uint32_t id) const { return !BytesOf(id).empty(); }
  // The highest id (mergeable or special) + 1.
  uint32_t size() const { return size_; }
  const std::vector<Tokenizer::SpecialToken>& specials() const { return specials_; }

  // A fast 64-bit hash of short byte strings (inlined: the encoder calls it per candidate pair).
  static uint64_t Hash(std::string_view bytes) {
    const char* p = bytes.data();
    size_t n = bytes.size();
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (n * 0xff51afd7ed558ccdull);
    while (n >= 8) {
      uint64_t v;
      std::memcpy(&v, p, 8);
      h = (h ^ v) * 0x9e3779b97f4a7c15ull;
      h ^= h >> 29;
      p += 8;
      n -= 8;
    }
    if (n > 0) {
      uint64_t v = 0;
      std::memcpy(&v, p, n);
      h = (h ^ v) * 0x9e3779b97f4a7c15ull;
    }
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ull;
    h ^= h >> 32;
    return h;
  }

  // Distinguishes tables (for caches keyed by table): unique within the process.
  uint64_t serial() const { return serial_; }

 private:
  struct Entry {
    uint32_t offset = 0;
    uint32_t length = 0;  // 0: no token has this id
  };
  struct Slot {
    uint32_t tag = 0;
    uint32_t rank = kNoRank;
  };
  static bool SameBytes(const char* a, const char* b, size_t n) {
    while (n >= 8) {
      uint64_t x, y;
      std::memcpy(&x, a, 8);
      std::memcpy(&y, b, 8);
      if (x != y) return false;
      a += 8;
      b += 8;
      n -= 8;
    }
    for (size_t i = 0; i < n; ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }
  RankTable();
  Status Insert(std::string_view where, uint32_t rank, std::string_view bytes, size_t line);
  // Points the views at the owned tables (after Parse).
  void ViewOwned();
  // Adds the specials (ids must be free) and sets size_.
  Status SetSpecials(std::string_view where, std::vector<Tokenizer::SpecialToken> specials);

  // The tables, as read by lookups: views of either the owned vectors or an image.
  const char* arena_ = nullptr;      // all token bytes back to back
  const Entry* entries_ = nullptr;   // by id
  uint32_t entry_count_ = 0;
  const Slot* slots_ = nullptr;      // hash table over mergeable tokens (specials excluded)
  size_t slot_mask_ = 0;
  const uint32_t* pair_ranks_ = nullptr;  // rank of every two-byte string, kNoRank if none
  uint32_t size_ = 0;
  std::vector<Tokenizer::SpecialToken> specials_;
  uint64_t serial_ = 0;

  // Owned tables (Parse); empty for a table over an image.
  std::string own_arena_;
  std::vector<Entry> own_entries_;
  std::vector<Slot> own_slots_;
  std::vector<uint32_t> own_pair_ranks_;
};

}  // namespace reagent
