#include "rank_table.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cstring>

namespace reagent {
namespace {

// Rank files hold a few hundred thousand tokens; anything far beyond is not a rank file.
constexpr uint32_t kMaxRank = 1u << 24;
// The hash table holds at most 4 tokens per 5 slots. Slots are 8 bytes with a 32-bit tag,
// so a probe chain, even a long miss, stays within a cache line or two; at 2 slots per
// token the table was twice the size (4 MB for o200k) and encoding no faster.
constexpr size_t kMaxLoadNumerator = 4, kMaxLoadDenominator = 5;

// Calls fn(line, line_number) for each line of `file` (without its '\n'; line numbers from
// 1), stopping at the first line for which fn returns an error, which is returned.
template <typename Fn>
Status ForEachLine(std::string_view file, Fn&& fn) {
  size_t line_number = 0;
  for (size_t at = 0; at < file.size();) {
    size_t end = std::min(file.find('\n', at), file.size());
    std::string_view line = file.substr(at, end - at);
    at = std::min(end + 1, file.size());
    REAGENT_RETURN_IF_ERROR(fn(line, ++line_number));
  }
  return Status::Ok();
}

// What a first pass over the file learns, so the tables are allocated once at their final
// size (no doubling while growing, which would raise the peak memory of loading).
struct FileShape {
  size_t token_bytes = 0;  // upper bound of the decoded bytes
  uint32_t max_rank = 0;
};

FileShape Measure(std::string_view file_bytes) {
  FileShape shape;
  (void)ForEachLine(file_bytes, [&](std::string_view line, size_t) {
    size_t space = line.find(' ');
    if (space == std::string_view::npos) return Status::Ok();  // the parse reports it
    shape.token_bytes += space / 4 * 3;
    uint32_t rank = 0;
    std::string_view digits = line.substr(space + 1);
    if (std::from_chars(digits.data(), digits.data() + digits.size(), rank).ec == std::errc() &&
        rank < kMaxRank) {
      shape.max_rank = std::max(shape.max_rank, rank);
    }
    return Status::Ok();
  });
  return shape;
}

constexpr std::array<int8_t, 256> MakeBase64Table() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(alphabet[i])] = static_cast<int8_t>(i);
  return t;
}
constexpr std::array<int8_t, 256> kBase64 = MakeBase64Table();

// Standard base64 with '=' padding; false on any other character or a bad length.
bool DecodeBase64(std::string_view in, std::string& out) {
  out.clear();
  if (in.size() % 4 != 0) return false;
  uint32_t accumulator = 0;
  int bits = 0;
  size_t padding = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '=') {
      if (i + 2 < in.size()) return false;
      ++padding;
      continue;
    }
    if (padding > 0) return false;
    int8_t v = kBase64[static_cast<uint8_t>(c)];
    if (v < 0) return false;
    accumulator = (accumulator << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((accumulator >> bits) & 0xff));
    }
  }
  return true;
}

// The image: a header, then the entries, the hash slots, the pair table and the token bytes,
// each at an 8-byte boundary.
constexpr char kImageMagic[8] = {'r', 'e', 'a', 'g', 'r', 'a', 'n', 'k'};
constexpr uint32_t kImageVersion = 1;
struct ImageHeader {
  char magic[8];
  uint32_t version;
  uint32_t entry_count;
  uint64_t slot_count;
  uint64_t arena_bytes;
};
constexpr size_t kPairCount = 1 << 16;

constexpr size_t Align8(size_t n) { return (n + 7) & ~size_t{7}; }

}  // namespace

RankTable::RankTable() {
  static std::atomic<uint64_t> next_serial{1};
  serial_ = next_serial.fetch_add(1);
}

Status RankTable::Insert(std::string_view where, uint32_t rank, std::string_view bytes, size_t line) {
  auto at = [&] { return std::string(where) + " line " + std::to_string(line); };
  if (bytes.empty()) return Status::DataLoss(at() + ": empty token");
  if (rank >= kMaxRank) return Status::DataLoss(at() + ": rank " + std::to_string(rank) + " too large");
  if (rank >= own_entries_.size()) own_entries_.resize(rank + 1);
  if (own_entries_[rank].length != 0) return Status::DataLoss(at() + ": rank " + std::to_string(rank) + " repeated");
  own_entries_[rank] = {static_cast<uint32_t>(own_arena_.size()), static_cast<uint32_t>(bytes.size())};
  own_arena_.append(bytes);
  return Status::Ok();
}

void RankTable::ViewOwned() {
  arena_ = own_arena_.data();
  entries_ = own_entries_.data();
  entry_count_ = static_cast<uint32_t>(own_entries_.size());
  slots_ = own_slots_.data();
  slot_mask_ = own_slots_.size() - 1;
  pair_ranks_ = own_pair_ranks_.data();
}

Status RankTable::SetSpecials(std::string_view where, std::vector<Tokenizer::SpecialToken> specials) {
  size_ = entry_count_;
  for (const auto& special : specials) {
    if (special.id < entry_count_ && entries_[special.id].length != 0) {
      return Status::DataLoss(std::string(where) + ": special token " + std::string(special.text) + " has rank " +
                              std::to_string(special.id) + ", which a mergeable token has");
    }
    size_ = std::max(size_, special.id + 1);
  }
  specials_ = std::move(specials);
  return Status::Ok();
}

Result<std::unique_ptr<RankTable>> RankTable::Parse(std::string_view file_bytes, std::string_view where,
                                                    std::vector<Tokenizer::SpecialToken> specials) {
  auto table = std::unique_ptr<RankTable>(new RankTable());
  const FileShape shape = Measure(file_bytes);
  table->own_entries_.reserve(static_cast<size_t>(shape.max_rank) + 1);
  table->own_arena_.reserve(shape.token_bytes);
  std::string token;
  size_t mergeable = 0;
  Status parsed = ForEachLine(file_bytes, [&](std::string_view line, size_t line_number) {
    if (line.empty()) return Status::Ok();
    size_t space = line.find(' ');
    auto bad = [&](const char* what) {
      return Status::DataLoss(std::string(where) + " line " + std::to_string(line_number) + ": " + what);
    };
    if (space == std::string_view::npos) return bad("expected \"<base64> <rank>\"");
    if (!DecodeBase64(line.substr(0, space), token)) return bad("bad base64");
    uint32_t rank = 0;
    std::string_view digits = line.substr(space + 1);
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), rank);
    if (ec != std::errc() || ptr != digits.data() + digits.size() || digits.empty()) return bad("bad rank");
    REAGENT_RETURN_IF_ERROR(table->Insert(where, rank, token, line_number));
    ++mergeable;
    return Status::Ok();
  });
  if (!parsed.ok()) return parsed;
  if (mergeable < 256) return Status::DataLoss(std::string(where) + ": fewer than 256 tokens; not a rank file");

  size_t slots = 1;
  while (slots * kMaxLoadNumerator < mergeable * kMaxLoadDenominator) slots <<= 1;
  table->own_slots_.assign(slots, Slot{});
  const size_t mask = slots - 1;
  for (uint32_t rank = 0; rank < table->own_entries_.size(); ++rank) {
    const Entry& e = table->own_entries_[rank];
    if (e.length == 0) continue;
    uint64_t h = Hash(std::string_view(table->own_arena_.data() + e.offset, e.length));
    size_t slot = h & mask;
    while (table->own_slots_[slot].rank != kNoRank) slot = (slot + 1) & mask;
    table->own_slots_[slot] = {static_cast<uint32_t>(h >> 32), rank};
  }
  table->own_pair_ranks_.assign(kPairCount, kNoRank);
  table->ViewOwned();
  for (size_t pair = 0; pair < kPairCount; ++pair) {
    char bytes[2] = {static_cast<char>(pair >> 8), static_cast<char>(pair & 0xff)};
    table->own_pair_ranks_[pair] = table->Find(std::string_view(bytes, 2));
  }
  // Every single byte must be a token, or some inputs could not be encoded at all.
  for (int b = 0; b < 256; ++b) {
    char c = static_cast<char>(b);
    if (table->Find(std::string_view(&c, 1)) == kNoRank) {
      return Status::DataLoss(std::string(where) + ": byte " + std::to_string(b) + " has no token");
    }
  }
  REAGENT_RETURN_IF_ERROR(table->SetSpecials(where, std::move(specials)));
  return table;
}

std::string RankTable::Image() const {
  ImageHeader header{};
  std::memcpy(header.magic, kImageMagic, sizeof kImageMagic);
  header.version = kImageVersion;
  header.entry_count = entry_count_;
  header.slot_count = slot_mask_ + 1;
  header.arena_bytes = own_arena_.size();
  std::string image;
  auto append = [&image](const void* data, size_t bytes) {
    image.append(static_cast<const char*>(data), bytes);
    image.resize(Align8(image.size()), '\0');
  };
  append(&header, sizeof header);
  append(entries_, sizeof(Entry) * entry_count_);
  append(slots_, sizeof(Slot) * header.slot_count);
  append(pair_ranks_, sizeof(uint32_t) * kPairCount);
  append(arena_, header.arena_bytes);
  return image;
}

Result<std::unique_ptr<RankTable>> RankTable::FromImage(std::string_view image, std::string_view where,
                                                        std::vector<Tokenizer::SpecialToken> specials) {
  auto bad = [&](const std::string& what) {
    return Status::DataLoss(std::string(where) + " is not a rank table image of this build: " + what);
  };
  ImageHeader header{};
  if (image.size() < sizeof header) return bad("too short");
  if (reinterpret_cast<uintptr_t>(image.data()) % 8 != 0) return bad("not 8-byte aligned");
  std::memcpy(&header, image.data(), sizeof header);
  if (std::memcmp(header.magic, kImageMagic, sizeof kImageMagic) != 0) return bad("wrong magic");
  if (header.version != kImageVersion) return bad("version " + std::to_string(header.version));
  const uint64_t slots = header.slot_count;
  if (slots == 0 || (slots & (slots - 1)) != 0 || header.entry_count >= kMaxRank || header.entry_count < 256) {
    return bad("implausible sizes");
  }
  const size_t entries_at = Align8(sizeof header);
  const size_t slots_at = Align8(entries_at + sizeof(Entry) * header.entry_count);
  const size_t pairs_at = Align8(slots_at + sizeof(Slot) * slots);
  const size_t arena_at = Align8(pairs_at + sizeof(uint32_t) * kPairCount);
  if (Align8(arena_at + header.arena_bytes) != image.size()) return bad("size does not match its header");

  auto table = std::unique_ptr<RankTable>(new RankTable());
  const char* base = image.data();
  table->entries_ = reinterpret_cast<const Entry*>(base + entries_at);
  table->entry_count_ = header.entry_count;
  table->slots_ = reinterpret_cast<const Slot*>(base + slots_at);
  table->slot_mask_ = slots - 1;
  table->pair_ranks_ = reinterpret_cast<const uint32_t*>(base + pairs_at);
  table->arena_ = base + arena_at;
  REAGENT_RETURN_IF_ERROR(table->SetSpecials(where, std::move(specials)));
  return table;
}

}  // namespace reagent
