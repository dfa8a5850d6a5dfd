// A per-thread cache of the ids of recently merged pieces. Natural text repeats its words, and
// a word that is not a single token costs several rank lookups per merge; the cache turns the
// repeat into one probe. Direct-mapped (a new piece evicts the old one in its slot), small
// enough to live in L2, keyed by the rank table's serial so two encodings never mix. Results
// are identical with or without it; it only saves work.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "rank_table.h"

namespace reagent {

class PieceCache {
 public:
  static constexpr size_t kMaxPieceBytes = 23;
  static constexpr size_t kMaxIds = 8;

  // The cached ids of `piece` (hash = RankTable::Hash(piece)), or an empty span.
  std::span<const uint32_t> Find(const RankTable& ranks, std::string_view piece, uint64_t hash) const {
    if (piece.size() > kMaxPieceBytes) return {};
    const Entry& e = entries_[SlotOf(hash)];
    if (e.serial != ranks.serial() || e.length != piece.size() || std::memcmp(e.bytes, piece.data(), piece.size()) != 0) {
      return {};
    }
    return {e.ids, e.count};
  }

  void Store(const RankTable& ranks, std::string_view piece, uint64_t hash, std::span<const uint32_t> ids) {
    if (piece.size() > kMaxPieceBytes || ids.size() > kMaxIds || ids.empty()) return;
    Entry& e = entries_[SlotOf(hash)];
    e.serial = ranks.serial();
    e.length = static_cast<uint8_t>(piece.size());
    e.count = static_cast<uint8_t>(ids.size());
    std::memcpy(e.bytes, piece.data(), piece.size());
    std::memcpy(e.ids, ids.data(), ids.size() * sizeof(uint32_t));
  }

  // The calling thread's cache.
  static PieceCache& ForThisThread() {
    thread_local PieceCache cache;
    return cache;
  }

 private:
  static constexpr size_t kSlots = 2048;  // x 64 bytes = 128 KiB per thread
  struct Entry {
    uint64_t serial = 0;  // 0: empty
    uint8_t length = 0;
    uint8_t count = 0;
    char bytes[kMaxPieceBytes]{};
    uint32_t ids[kMaxIds]{};
  };
  // The low bits pick the rank table's slot; use high bits here so the two stay independent.
  static size_t SlotOf(uint64_t hash) { return (hash >> 40) & (kSlots - 1); }

  std::array<Entry, kSlots> entries_{};
};

}  // namespace reagent
