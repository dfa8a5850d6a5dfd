#include "reagent/tokenizer/tokenizer.h"

#include <array>
#include <cstdint>
#include <fstream>
#include <mutex>
#include <sstream>

#include "byte_pair.h"
#include "encoding_spec.h"
#include "piece_cache.h"
#include "pretokenizer.h"
#include "rank_table.h"
#include "reagent/core/sha256.h"

namespace reagent {
namespace {


// The ids of one piece: the whole piece when it is a token, else cached or merged ids.
// Calls emit(span of ids).
template <typename Emit>
void EncodePiece(const RankTable& ranks, std::string_view piece, Emit&& emit) {
  uint64_t hash = RankTable::Hash(piece);
  uint32_t whole = ranks.Find(piece, hash);
  if (whole != RankTable::kNoRank) {
    emit(std::span<const uint32_t>(&whole, 1));
    return;
  }
  PieceCache& cache = PieceCache::ForThisThread();
  if (auto cached = cache.Find(ranks, piece, hash); !cached.empty()) {
    emit(cached);
    return;
  }
  thread_local std::vector<uint32_t> merged;
  merged.clear();
  BytePairEncode(ranks, piece, merged);
  cache.Store(ranks, piece, hash, merged);
  emit(std::span<const uint32_t>(merged));
}

// Collects ids.
struct IdSink {
  std::vector<uint32_t>& out;
  void Piece(const RankTable& ranks, std::string_view piece) {
    EncodePiece(ranks, piece, [this](std::span<const uint32_t> ids) { out.insert(out.end(), ids.begin(), ids.end()); });
  }
  void Ids(std::span<const uint32_t> ids) { out.insert(out.end(), ids.begin(), ids.end()); }
};

// Counts ids without building the id vector.
struct CountSink {
  size_t count = 0;
  void Piece(const RankTable& ranks, std::string_view piece) {
    EncodePiece(ranks, piece, [this](std::span<const uint32_t> ids) { count += ids.size(); });
  }
  void Ids(std::span<const uint32_t> ids) { count += ids.size(); }
};

bool IsAllSpace(std::string_view bytes) {
  for (char c : bytes) {
    if (c != ' ' && c != '\n' && c != '\t') return false;
  }
  return true;
}

// Checks the file's SHA-256 and parses it.
Result<std::unique_ptr<RankTable>> VerifyAndParse(const EncodingSpec& spec, std::string_view bytes,
                                                  std::string_view where) {
  const std::string actual = Sha256Hex(bytes);
  if (actual != spec.sha256) {
    return Status::DataLoss(std::string(where) + ": SHA-256 mismatch for " + std::string(spec.name) +
                            " rank file: expected " + std::string(spec.sha256) + ", got " + actual);
  }
  return RankTable::Parse(bytes, where, {spec.specials.begin(), spec.specials.end()});
}

}  // namespace

std::string_view EncodingName(Encoding encoding) { return SpecOf(encoding).name; }

Result<Encoding> ParseEncoding(std::string_view name) {
  for (Encoding e : {Encoding::kO200kBase, Encoding::kCl100kBase}) {
    if (SpecOf(e).name == name) return e;
  }
  return Status::InvalidArgument("unknown encoding \"" + std::string(name) +
                                 "\" (known: o200k_base, cl100k_base)");
}

Tokenizer::Tokenizer(Encoding encoding, std::unique_ptr<RankTable> ranks)
    : encoding_(encoding), ranks_(std::move(ranks)) {}
Tokenizer::~Tokenizer() = default;

Result<const Tokenizer*> Tokenizer::Get(Encoding encoding) {
  struct Slot {
    std::once_flag once;
    std::unique_ptr<Tokenizer> tokenizer;
    Status status;
  };
  static std::array<Slot, 2> slots;
  Slot& slot = slots[encoding == Encoding::kO200kBase ? 0 : 1];
  std::call_once(slot.once, [&] {
    const EncodingSpec& spec = SpecOf(encoding);
    // Built (and checked against the rank file's SHA-256) with the library: used in place.
    std::string where = "embedded " + std::string(spec.name) + " tables";
    auto ranks = RankTable::FromImage(spec.image(), where, {spec.specials.begin(), spec.specials.end()});
    if (!ranks.ok()) {
      slot.status = ranks.status();
      return;
    }
    slot.tokenizer.reset(new Tokenizer(encoding, std::move(*ranks)));
  });
  if (!slot.tokenizer) return slot.status;
  return static_cast<const Tokenizer*>(slot.tokenizer.get());
}

Result<std::unique_ptr<Tokenizer>> Tokenizer::LoadFromFile(Encoding encoding, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("rank file '" + path + "' cannot be opened");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) return Status::IOError("rank file '" + path + "': read error");
  auto ranks = VerifyAndParse(SpecOf(encoding), bytes.str(), "rank file '" + path + "'");
  if (!ranks.ok()) return ranks.status();
  return std::unique_ptr<Tokenizer>(new Tokenizer(encoding, std::move(*ranks)));
}

uint32_t Tokenizer::vocabulary_size() const { return ranks_->size(); }

std::span<const Tokenizer::SpecialToken> Tokenizer::special_tokens() const { return ranks_->specials(); }

template <typename Sink>
void Tokenizer::EncodeOrdinary(std::string_view text, Sink& sink) const {
  const RankTable& ranks = *ranks_;
  auto piece_end = SpecOf(encoding_).piece_end;
  size_t valid = ValidUtf8Prefix(text);
  if (valid == text.size()) {
    for (size_t pos = 0; pos < text.size();) {
      size_t end = piece_end(text, pos);
      sink.Piece(ranks, text.substr(pos, end - pos));
      pos = end;
    }
    return;
  }
  // Invalid UTF-8: tiktoken's byte encoding. The valid prefix is encoded as usual; its last
  // piece (extended over trailing all-whitespace tokens, whose split is unstable) is joined to
  // every remaining byte and merged as one piece.
  std::vector<uint32_t> ids;
  IdSink ids_sink{ids};
  size_t last_piece_start = 0;
  std::string_view valid_text = text.substr(0, valid);  // the scanner must not see invalid bytes
  for (size_t pos = 0; pos < valid;) {
    size_t end = piece_end(valid_text, pos);
    last_piece_start = ids.size();
    ids_sink.Piece(ranks, valid_text.substr(pos, end - pos));
    pos = end;
  }
  size_t last_piece_tokens = ids.size() - last_piece_start;
  if (last_piece_tokens > 0 && IsAllSpace(ranks.BytesOf(ids[ids.size() - last_piece_tokens]))) {
    while (last_piece_tokens < ids.size() && IsAllSpace(ranks.BytesOf(ids[ids.size() - last_piece_tokens - 1]))) {
      ++last_piece_tokens;
    }
  }
  std::string unstable;
  for (size_t i = ids.size() - last_piece_tokens; i < ids.size(); ++i) unstable.append(ranks.BytesOf(ids[i]));
  unstable.append(text.substr(valid));
  ids.resize(ids.size() - last_piece_tokens);
  ids_sink.Piece(ranks, unstable);
  sink.Ids(ids);
}

template <typename Sink>
void Tokenizer::EncodeSegments(std::string_view text, const EncodeOptions& options, Sink& sink) const {
  if (options.specials == SpecialTokenPolicy::kAsText) {
    EncodeOrdinary(text, sink);
    return;
  }
  std::vector<SpecialToken> allowed;
  for (const SpecialToken& special : ranks_->specials()) {
    bool listed = options.specials == SpecialTokenPolicy::kAllowAll;
    for (const std::string& name : options.allowed) listed = listed || name == special.text;
    if (listed) allowed.push_back(special);
  }
  size_t pos = 0;
  while (pos < text.size()) {
    size_t next = std::string_view::npos;
    const SpecialToken* found = nullptr;
    for (const SpecialToken& special : allowed) {
      size_t at = text.find(special.text, pos);
      if (at < next) {
        next = at;
        found = &special;
      }
    }
    if (found == nullptr) break;
    EncodeOrdinary(text.substr(pos, next - pos), sink);
    uint32_t id = found->id;
    sink.Ids(std::span<const uint32_t>(&id, 1));
    pos = next + found->text.size();
  }
  EncodeOrdinary(text.substr(pos), sink);
}

std::vector<uint32_t> Tokenizer::Encode(std::string_view text) const {
  std::vector<uint32_t> ids;
  ids.reserve(text.size() / 4 + 1);
  IdSink sink{ids};
  EncodeOrdinary(text, sink);
  return ids;
}

std::vector<uint32_t> Tokenizer::Encode(std::string_view text, const EncodeOptions& options) const {
  std::vector<uint32_t> ids;
  IdSink sink{ids};
  EncodeSegments(text, options, sink);
  return ids;
}

size_t Tokenizer::Count(std::string_view text) const {
  CountSink sink;
  EncodeOrdinary(text, sink);
  return sink.count;
}

std::string Tokenizer::Decode(std::span<const uint32_t> ids) const {
  std::string out;
  for (uint32_t id : ids) out.append(ranks_->BytesOf(id));
  return out;
}

Result<std::string> Tokenizer::TryDecode(std::span<const uint32_t> ids) const {
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!ranks_->IsKnown(ids[i])) {
      return Status::InvalidArgument("token id " + std::to_string(ids[i]) + " at position " + std::to_string(i) +
                                     " is not in " + std::string(EncodingName(encoding_)));
    }
  }
  return Decode(ids);
}

}  // namespace reagent
