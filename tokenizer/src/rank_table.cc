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
// 1), stopping at the first line for which fn returns an error, which is returned. Each
// stretch of about RankTable::kReadPastStretch bytes read is handed to `read_past`.
template <typename Fn>
Status ForEachLine(std::string_view file, RankTable::ReadPast read_past, Fn&& fn) {
  size_t handed = 0;  // file[0, handed) has gone to read_past
  size_t line_number = 0;
  for (size_t at = 0; at < file.size();) {
    size_t end = std::min(file.find('\n', at), file.size());
    std::string_view line = file.substr(at, end - at);
    at = std::min(end + 1, file.size());
    if (read_past && at - handed >= RankTable::kReadPastStretch) {
      read_past(file.substr(handed, at - handed));
      handed = at;
    }
    REAGENT_RETURN_IF_ERROR(fn(line, ++line_number));
  }
  if (read_past && handed < file.size()) read_past(file.substr(handed));
  return Status::Ok();
}

// What a first pass over the file learns, so the tables are allocated once at their final
// size (no doubling while growing, which would raise the peak memory of loading).
struct FileShape {
  size_t token_bytes = 0;  // upper bound of the decoded bytes
  uint32_t max_rank = 0;
};

FileShape Measure(std::string_view file_bytes, RankTable::ReadPast read_past) {
  FileShape shape;
  (void)ForEachLine(file_bytes, read_past, [&](std::string_view line, size_t) {
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

}  // namespace

RankTable::RankTable() {
  static std::atomic<uint64_t> next_serial{1};
  serial_ = next_serial.fetch_add(1);
}

Status RankTable::Insert(std::string_view where, uint32_t rank, std::string_view bytes, size_t line) {
  auto at = [&] { return std::string(where) + " line " + std::to_string(line); };
  if (bytes.empty()) return Status::DataLoss(at() + ": empty token");
  if (rank >= kMaxRank) return Status::DataLoss(at() + ": rank " + std::to_string(rank) + " too large");
  if (rank >= entries_.size()) entries_.resize(rank + 1);
  if (entries_[rank].length != 0) return Status::DataLoss(at() + ": rank " + std::to_string(rank) + " repeated");
  entries_[rank] = {static_cast<uint32_t>(arena_.size()), static_cast<uint32_t>(bytes.size())};
  arena_.append(bytes);
  return Status::Ok();
}

Result<std::unique_ptr<RankTable>> RankTable::Parse(std::string_view file_bytes, std::string_view where,
                                                    std::vector<Tokenizer::SpecialToken> specials,
                                                    ReadPast read_past) {
  auto table = std::unique_ptr<RankTable>(new RankTable());
  const FileShape shape = Measure(file_bytes, read_past);
  table->entries_.reserve(static_cast<size_t>(shape.max_rank) + 1);
  table->arena_.reserve(shape.token_bytes);
  std::string token;
  size_t mergeable = 0;
  Status parsed = ForEachLine(file_bytes, read_past, [&](std::string_view line, size_t line_number) {
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
  table->slots_.assign(slots, Slot{});
  table->slot_mask_ = slots - 1;
  for (uint32_t rank = 0; rank < table->entries_.size(); ++rank) {
    std::string_view bytes = table->BytesOf(rank);
    if (bytes.empty()) continue;
    uint64_t h = Hash(bytes);
    size_t slot = h & table->slot_mask_;
    while (table->slots_[slot].rank != kNoRank) slot = (slot + 1) & table->slot_mask_;
    table->slots_[slot] = {static_cast<uint32_t>(h >> 32), rank};
  }
  table->pair_ranks_.assign(1 << 16, kNoRank);
  for (int pair = 0; pair < (1 << 16); ++pair) {
    char bytes[2] = {static_cast<char>(pair >> 8), static_cast<char>(pair & 0xff)};
    table->pair_ranks_[pair] = table->Find(std::string_view(bytes, 2));
  }
  // Every single byte must be a token, or some inputs could not be encoded at all.
  for (int b = 0; b < 256; ++b) {
    char c = static_cast<char>(b);
    if (table->Find(std::string_view(&c, 1)) == kNoRank) {
      return Status::DataLoss(std::string(where) + ": byte " + std::to_string(b) + " has no token");
    }
  }
  for (const auto& special : specials) {
    if (Status s = table->Insert(where, special.id, special.text, 0); !s.ok()) return s;
  }
  table->specials_ = std::move(specials);
  return table;
}

}  // namespace reagent
