#include "rank_table.h"

#include <array>
#include <atomic>
#include <charconv>
#include <cstring>

namespace reagent {
namespace {

// Rank files hold a few hundred thousand tokens; anything far beyond is not a rank file.
constexpr uint32_t kMaxRank = 1u << 24;
// Hash slots per token, at least: keeps probe chains short.
constexpr size_t kSlotsPerToken = 2;

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
                                                    std::vector<Tokenizer::SpecialToken> specials) {
  auto table = std::unique_ptr<RankTable>(new RankTable());
  std::string token;
  size_t line_number = 0;
  size_t mergeable = 0;
  while (!file_bytes.empty()) {
    size_t end = file_bytes.find('\n');
    std::string_view line = file_bytes.substr(0, end);
    file_bytes = end == std::string_view::npos ? std::string_view() : file_bytes.substr(end + 1);
    ++line_number;
    if (line.empty()) continue;
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
    if (Status s = table->Insert(where, rank, token, line_number); !s.ok()) return s;
    ++mergeable;
  }
  if (mergeable < 256) return Status::DataLoss(std::string(where) + ": fewer than 256 tokens; not a rank file");

  size_t slots = 1;
  while (slots < mergeable * kSlotsPerToken) slots <<= 1;
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
