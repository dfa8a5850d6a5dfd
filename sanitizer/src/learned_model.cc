#include "learned_model.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "reagent/core/sha256.h"

// sanitizer/data/learned_model.bin, linked in by reagent_embed.
extern "C" const unsigned char reagent_sanitizer_model[];
extern "C" const unsigned char reagent_sanitizer_model_end[];

namespace reagent::sanitizer_internal {
namespace {

constexpr std::string_view kMagic = "RGLM";
constexpr uint32_t kVersion = 1;
constexpr size_t kHeaderBytes = 4 + 6 * 4 + 5 * 4;
constexpr unsigned kMaxBits = 22;  // 8 MiB of int16 weights

constexpr uint32_t kFnvOffset = 2166136261u, kFnvPrime = 16777619u;
constexpr uint32_t kUnigramSeed = 1, kTrigramSeed = 3;
constexpr uint32_t kBigramMix = 0x9E3779B1u;

// The hash of a token's pair with the token before it: its bigram's bucket is taken from it,
// and a window knows a pair by it.
inline uint32_t PairHash(uint32_t prev, uint32_t u) { return (prev * kBigramMix) ^ u; }

inline uint32_t FnvStart(uint32_t seed) { return (kFnvOffset ^ seed) * kFnvPrime; }
inline uint32_t FnvByte(uint32_t h, unsigned char b) { return (h ^ b) * kFnvPrime; }

inline uint32_t Fmix(uint32_t x) {
  x ^= x >> 16;
  x *= 0x85EBCA6Bu;
  x ^= x >> 13;
  x *= 0xC2B2AE35u;
  x ^= x >> 16;
  return x;
}

// Byte classes of the tokenizer: token bytes, and the leetspeak reading of each byte.
// `flags` holds all three classes, so the token loop does one look-up per byte.
// kDigitByte, kRareDigitByte (2 6 8 9, digits leetspeak does not use) and kHighByte decide
// whether a run is opaque (see ForEachToken).
constexpr uint8_t kTokenByte = 1, kLetterByte = 2, kLeetByte = 4, kDigitByte = 8,
                  kRareDigitByte = 16, kHighByte = 32;
struct TokenTables {
  std::array<uint8_t, 256> token{};
  std::array<uint8_t, 256> leet{};
  std::array<uint8_t, 256> letter{};
  std::array<uint8_t, 256> url_end{};
  std::array<uint8_t, 256> flags{};
  constexpr TokenTables() {
    for (int c = 0; c < 256; ++c) {
      token[c] = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '@' || c == '$' || c >= 0x80;
      letter[c] = c >= 'a' && c <= 'z';
      leet[c] = 0;
    }
    leet['0'] = 'o'; leet['1'] = 'i'; leet['3'] = 'e'; leet['4'] = 'a';
    leet['5'] = 's'; leet['7'] = 't'; leet['@'] = 'a'; leet['$'] = 's';
    for (unsigned char c : {' ', '\n', '\t', ')', ']', '>', '"', '\''}) url_end[c] = 1;
    for (int c = 0; c < 256; ++c) {
      const bool digit = c >= '0' && c <= '9';
      const bool rare_digit = c == '2' || c == '6' || c == '8' || c == '9';
      flags[c] = static_cast<uint8_t>((token[c] ? kTokenByte : 0) | (letter[c] ? kLetterByte : 0) |
                                      (leet[c] ? kLeetByte : 0) | (digit ? kDigitByte : 0) |
                                      (rare_digit ? kRareDigitByte : 0) |
                                      (c >= 0x80 ? kHighByte : 0));
    }
  }
};
constexpr TokenTables kTok;

// A run that reads as a digest, a base64 chunk or an id rather than a word: ASCII letters and
// digits mixed, kOpaqueMin bytes or more, or kOpaqueShort or more with a digit leetspeak does not
// use. It becomes the one token kOpaqueToken (features.py: OPAQUE).
constexpr size_t kOpaqueMin = 16, kOpaqueShort = 8;
constexpr unsigned char kOpaqueToken = 0x01;  // not a token byte: no word hashes like it
inline bool IsOpaque(unsigned flags, size_t run) {
  constexpr unsigned kMixed = kLetterByte | kDigitByte;
  if (run < kOpaqueShort || (flags & kHighByte) || (flags & kMixed) != kMixed) return false;
  return run >= kOpaqueMin || (flags & kRareDigitByte);
}

// Tokens up to this long have their weight sums cached per thread (Score); ForEachToken
// zero-pads every token to this length so the cache compares whole words.
constexpr size_t kCachedBytes = 24;
static_assert(kCachedBytes % 8 == 0);

uint32_t U32(const unsigned char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
float F32(const unsigned char* p) {
  float v;
  std::memcpy(&v, p, 4);
  return v;
}

}  // namespace

Result<LearnedModel> LearnedModel::Parse(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  if (bytes.size() < kHeaderBytes || bytes.substr(0, 4) != kMagic) {
    return Status::InvalidArgument("learned model: not an RGLM file");
  }
  if (U32(p + 4) != kVersion) return Status::InvalidArgument("learned model: unknown version");
  LearnedModel m;
  m.bits_ = U32(p + 8);
  m.window_ = U32(p + 12);
  m.stride_ = U32(p + 16);
  m.char_min_ = U32(p + 20);
  m.max_token_ = U32(p + 24);
  m.scale_ = F32(p + 28);
  m.bias_ = F32(p + 32);
  m.block_ = F32(p + 36);
  m.partial_ = F32(p + 40);
  if (m.bits_ == 0 || m.bits_ > kMaxBits || m.window_ == 0 || m.stride_ == 0 ||
      m.stride_ > m.window_ || m.max_token_ < 3 || !(m.scale_ > 0)) {
    return Status::InvalidArgument("learned model: bad header");
  }
  if (bytes.size() != kHeaderBytes + (size_t{2} << m.bits_)) {
    return Status::InvalidArgument("learned model: size does not match its header");
  }
  if (reinterpret_cast<uintptr_t>(p + kHeaderBytes) % alignof(int16_t) != 0) {
    return Status::InvalidArgument("learned model: weights not aligned");
  }
  m.weights_ = reinterpret_cast<const int16_t*>(p + kHeaderBytes);
  static std::atomic<uint64_t> next_id{1};
  m.id_ = next_id.fetch_add(1, std::memory_order_relaxed);
  return m;
}

const LearnedModel* LearnedModel::Builtin() {
  static const LearnedModel* model = []() -> const LearnedModel* {
    std::string_view bytes(reinterpret_cast<const char*>(reagent_sanitizer_model),
                           static_cast<size_t>(reagent_sanitizer_model_end - reagent_sanitizer_model));
    if (Sha256Hex(bytes) != REAGENT_SANITIZER_MODEL_SHA256) return nullptr;
    auto parsed = Parse(bytes);
    return parsed.ok() ? new LearnedModel(*parsed) : nullptr;
  }();
  return model;
}

// Calls on_token(token_index, bytes, length, unigram_hash) for every token, in order; the
// bytes are the token as the features read it (truncated, leetspeak read as letters).
template <typename OnToken>
void LearnedModel::ForEachToken(std::string_view folded, OnToken&& on_token) const {
  const auto* s = reinterpret_cast<const unsigned char*>(folded.data());
  const size_t n = folded.size();
  // Zero past the token's bytes up to kCachedBytes, so the token cache compares whole words.
  std::array<unsigned char, kMaxTokenBytes + kCachedBytes> tok{};
  const size_t cap = std::min<size_t>(max_token_, kMaxTokenBytes);
  size_t index = 0;
  size_t i = 0;
  while (i < n) {
    if (!kTok.token[s[i]]) {
      ++i;
      continue;
    }
    size_t j = i;
    // The bytes kept (at most cap), copied and hashed; a leetspeak token is hashed again below.
    uint32_t u = FnvStart(kUnigramSeed);
    unsigned run_flags = 0;  // the flags of the bytes kept ...
    const size_t keep_end = std::min(n, i + cap);
    // Each byte read once into a local: a store to `tok` may alias `s` (both are chars), so
    // the compiler would read s[j] again after it.
    for (unsigned char* out = tok.data(); j < keep_end; ++j) {
      const unsigned char c = s[j];
      const unsigned f = kTok.flags[c];
      if (!(f & kTokenByte)) break;
      run_flags |= f;
      *out++ = c;
      u = FnvByte(u, c);
    }
    size_t len = j - i;
    const unsigned seen = run_flags;
    // ... and of the whole run (only its length and kinds of bytes matter past cap).
    if (j == i + cap) {
      for (unsigned f; j < n && ((f = kTok.flags[s[j]]) & kTokenByte); ++j) run_flags |= f;
    }
    // A URL: skipped up to its end (see the header).
    if (j + 3 <= n && s[j] == ':' && s[j + 1] == '/' && s[j + 2] == '/') {
      while (j < n && !kTok.url_end[s[j]]) ++j;
      i = j;
      continue;
    }
    if (IsOpaque(run_flags, j - i)) {
      tok[0] = kOpaqueToken;
      len = 1;
      u = FnvByte(FnvStart(kUnigramSeed), kOpaqueToken);
    } else if ((seen & (kLetterByte | kLeetByte)) == (kLetterByte | kLeetByte)) {
      u = FnvStart(kUnigramSeed);
      for (size_t k = 0; k < len; ++k) {
        if (kTok.leet[tok[k]]) tok[k] = kTok.leet[tok[k]];
        u = FnvByte(u, tok[k]);
      }
    }
    std::memset(tok.data() + len, 0, kCachedBytes);
    on_token(index, tok.data(), len, u);
    ++index;
    i = j;
  }
}

// Calls visit(bucket) for the features of one token that do not depend on its neighbours:
// the unigram (`mixed_u` is Fmix of its hash) and the character trigrams.
template <typename Visit>
void LearnedModel::ForEachOwnFeature(const unsigned char* tok, size_t len, uint32_t mixed_u,
                                     Visit&& visit) const {
  const unsigned shift = 32 - bits_;
  visit(mixed_u >> shift);
  if (len >= char_min_) {
    const uint32_t start = FnvStart(kTrigramSeed);
    for (size_t k = 0; k + 3 <= len; ++k) {
      uint32_t h = FnvByte(FnvByte(FnvByte(start, tok[k]), tok[k + 1]), tok[k + 2]);
      visit(Fmix(h) >> shift);
    }
  }
}

// Marks the first token, which has no bigram (buckets are below 2^kMaxBits).
constexpr uint32_t kNoBigram = UINT32_MAX;

uint32_t LearnedModel::BigramBucket(uint32_t mixed_pair) const { return mixed_pair >> (32 - bits_); }

namespace {

// The sum of a token's own feature weights, remembered per thread for the tokens seen last
// (prose repeats its words: most tokens are found here, and their unigram and trigram
// weights, most of the table look-ups, are not fetched again). Keyed by the token's bytes,
// compared in full, so a hit is exact.
struct TokenCache {
  static constexpr size_t kEntries = 2048;
  static constexpr size_t kBytes = kCachedBytes;  // longer tokens are not cached
  static constexpr size_t kWords = kBytes / 8;
  // The token's bytes, zero-padded to kBytes, as words: compared with three loads.
  struct Entry {
    uint64_t words[kWords] = {};
    uint32_t len = 0xFF;  // 0xFF: empty
    int32_t sum = 0;
  };
  uint64_t owner = 0;  // id of the model the sums belong to
  std::array<Entry, kEntries> entries;
};

// The index of the previous token with the same key (its unigram hash, or its pair hash), for
// keys met in order. Open addressing over 8-byte slots; it grows at half full, and only the
// slots a text used are cleared after it, so it stays small and warm in the cache (a text's
// distinct tokens, not its tokens, decide its size).
class LastSeen {
 public:
  LastSeen() : slots_(kInitialSlots) {}
  // Forgets the keys of the previous text.
  void Reset() {
    for (uint32_t slot : used_) slots_[slot] = Slot{};
    used_.clear();
  }
  // The index last recorded for `key` (or -1), and records `index` for it. `mixed` is
  // Fmix(key), which the caller has computed anyway.
  int32_t Exchange(uint32_t key, uint32_t mixed, int32_t index) {
    if (2 * (used_.size() + 1) > slots_.size()) Grow();
    const size_t mask = slots_.size() - 1;
    size_t slot = mixed & mask;
    while (slots_[slot].index >= 0 && slots_[slot].key != key) slot = (slot + 1) & mask;
    Slot& s = slots_[slot];
    const int32_t previous = s.index;
    if (previous < 0) used_.push_back(static_cast<uint32_t>(slot));
    s = {key, index};
    return previous;
  }

 private:
  static constexpr size_t kInitialSlots = 1024;
  struct Slot {
    uint32_t key = 0;
    int32_t index = -1;  // -1: empty
  };
  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    std::vector<uint32_t> used;
    used.reserve(used_.size());
    for (uint32_t o : used_) {
      size_t slot = Fmix(old[o].key) & mask;
      while (slots_[slot].index >= 0) slot = (slot + 1) & mask;
      slots_[slot] = old[o];
      used.push_back(static_cast<uint32_t>(slot));
    }
    used_.swap(used);
  }
  std::vector<Slot> slots_;
  std::vector<uint32_t> used_;
};

}  // namespace

double LearnedModel::Score(std::string_view folded) const {
  // Per token: the sum of its own features' weights, its bigram's bucket and weight, and where
  // the same token and the same pair were last seen. Each token's and pair's hash is mixed
  // once (Fmix) and the mix serves every use: feature bucket, cache entry, table slot. The
  // bigram weights are fetched in a second, tight loop, where the CPU overlaps their cache
  // misses (fetched token by token, each waited for the next token's hashing).
  struct Token {
    int32_t own;
    uint32_t bigram;        // kNoBigram for the first token
    int32_t bigram_weight;  // 0 for the first token
    int32_t previous_unigram, previous_pair;
  };
  thread_local std::vector<Token> tokens_seen;
  thread_local LastSeen unigrams, pairs;
  thread_local std::unique_ptr<TokenCache> cache;
  if (!cache) cache = std::make_unique<TokenCache>();
  if (cache->owner != id_) {
    cache->entries.fill({});
    cache->owner = id_;
  }
  tokens_seen.clear();
  unigrams.Reset();
  pairs.Reset();
  uint32_t prev = 0;
  ForEachToken(folded, [&](size_t token, const unsigned char* tok, size_t len, uint32_t u) {
    const uint32_t mixed_u = Fmix(u);
    const uint32_t pair = PairHash(prev, u);
    const uint32_t mixed_pair = Fmix(pair);
    const uint32_t bigram = token > 0 ? BigramBucket(mixed_pair) : kNoBigram;
    if (bigram != kNoBigram) __builtin_prefetch(weights_ + bigram);
    prev = u;
    auto own = [&] {
      int32_t sum = 0;
      ForEachOwnFeature(tok, len, mixed_u, [&](uint32_t bucket) { sum += weights_[bucket]; });
      return sum;
    };
    int32_t sum;
    if (len <= TokenCache::kBytes) {
      // tok is zero past len up to kCachedBytes (ForEachToken), as the entries are.
      uint64_t w[TokenCache::kWords];
      std::memcpy(w, tok, sizeof w);
      TokenCache::Entry& e = cache->entries[mixed_u % TokenCache::kEntries];
      if (e.len != len || ((e.words[0] ^ w[0]) | (e.words[1] ^ w[1]) | (e.words[2] ^ w[2])) != 0) {
        e.sum = own();
        e.len = static_cast<uint32_t>(len);
        std::memcpy(e.words, w, sizeof w);
      }
      sum = e.sum;
    } else {
      sum = own();
    }
    const auto index = static_cast<int32_t>(token);
    const int32_t previous_unigram = unigrams.Exchange(u, mixed_u, index);
    const int32_t previous_pair = token > 0 ? pairs.Exchange(pair, mixed_pair, index) : -1;  // the first has no pair
    tokens_seen.push_back({sum, bigram, 0, previous_unigram, previous_pair});
  });
  const size_t tokens = tokens_seen.size();
  for (Token& t : tokens_seen) {
    if (t.bigram != kNoBigram) t.bigram_weight = weights_[t.bigram];
  }
  // A window counts each distinct token's own features once and each distinct pair's bigram
  // once (features.py): a word repeated down a table column weighs what it weighs once.
  auto window = [&](size_t s, size_t e) {
    int64_t sum = 0;
    const auto first = static_cast<int32_t>(s);
    for (size_t k = s; k < e; ++k) {
      const Token& t = tokens_seen[k];
      sum += (t.previous_unigram < first ? t.own : 0) +
             (t.previous_pair < first ? t.bigram_weight : 0);
    }
    return sum;
  };
  int64_t best = window(0, std::min<size_t>(tokens, window_));
  if (tokens > window_) {
    for (size_t s = stride_; s < tokens; s += stride_) {
      best = std::max(best, window(s, std::min(tokens, s + window_)));
      if (s + window_ >= tokens) break;
    }
  }
  return bias_ + scale_ * static_cast<double>(best);
}

std::vector<std::vector<uint32_t>> LearnedModel::TokenFeatures(std::string_view folded) const {
  std::vector<std::vector<uint32_t>> out;
  uint32_t prev = 0;
  ForEachToken(folded, [&](size_t token, const unsigned char* tok, size_t len, uint32_t u) {
    out.emplace_back();
    ForEachOwnFeature(tok, len, Fmix(u), [&](uint32_t bucket) {
      out[token].push_back(bucket);
      // The bigram with the previous token comes right after the unigram.
      if (out[token].size() == 1 && token > 0) out[token].push_back(BigramBucket(Fmix(PairHash(prev, u))));
    });
    prev = u;
  });
  return out;
}

}  // namespace reagent::sanitizer_internal
