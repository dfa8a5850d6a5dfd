#include "payload_decoder.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

#include "byte_blocks.h"


namespace reagent::sanitizer_internal {
namespace {

// Decoded text shorter than this carries no instruction worth a second scan.
constexpr size_t kMinDecodedBytes = 6;
// Share of printable characters and of letters/spaces a decoded block needs to count as text.
constexpr double kMinPrintableShare = 0.9;
constexpr double kMinLetterShare = 0.6;
// A percent-encoded block needs this many escapes to be worth decoding.
constexpr size_t kMinPercentEscapes = 3;

// Byte classes, looked up per byte (the scan runs over every text).
enum : uint8_t { kBase64 = 1, kHexRun = 2, kUrlRun = 4 };

struct ByteTables {
  std::array<int8_t, 256> hex{};
  std::array<int8_t, 256> base64{};
  std::array<uint8_t, 256> cls{};
  constexpr ByteTables() {
    for (int c = 0; c < 256; ++c) {
      hex[c] = -1;
      base64[c] = -1;
    }
    for (int c = '0'; c <= '9'; ++c) hex[c] = static_cast<int8_t>(c - '0');
    for (int c = 'a'; c <= 'f'; ++c) hex[c] = static_cast<int8_t>(c - 'a' + 10);
    for (int c = 'A'; c <= 'F'; ++c) hex[c] = static_cast<int8_t>(c - 'A' + 10);
    for (int c = 'A'; c <= 'Z'; ++c) base64[c] = static_cast<int8_t>(c - 'A');
    for (int c = 'a'; c <= 'z'; ++c) base64[c] = static_cast<int8_t>(c - 'a' + 26);
    for (int c = '0'; c <= '9'; ++c) base64[c] = static_cast<int8_t>(c - '0' + 52);
    base64['+'] = base64['-'] = 62;
    base64['/'] = base64['_'] = 63;
    for (int c = 0; c < 256; ++c) {
      uint8_t k = 0;
      if (base64[c] >= 0) k |= kBase64;
      if (hex[c] >= 0 || c == ' ' || c == '\\' || c == 'x' || c == ',') k |= kHexRun;
      bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (alnum || c == '%' || c == '.' || c == '_' || c == '~' || c == '+' || c == '-' ||
          c == '!' || c == '*' || c == '\'' || c == '(' || c == ')' || c == ',' || c == ':' ||
          c == '?') {
        k |= kUrlRun;
      }
      cls[c] = k;
    }
  }
};

constexpr ByteTables kTables;

inline int HexValue(char c) { return kTables.hex[static_cast<unsigned char>(c)]; }
inline int Base64Value(char c) { return kTables.base64[static_cast<unsigned char>(c)]; }

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

}  // namespace

std::string DecodeBase64(std::string_view in) {
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  if (in.size() % 4 == 1) in.remove_suffix(1);
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = Base64Value(c);
    if (v < 0) return {};
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

std::string DecodeHex(std::string_view in) {
  std::string digits;
  size_t i = 0;
  while (i < in.size()) {
    if (in[i] == '\\' && i + 1 < in.size() && in[i + 1] == 'x') { i += 2; continue; }
    if (in[i] == ' ' || in[i] == ',') { ++i; continue; }
    if (HexValue(in[i]) < 0) return {};
    digits.push_back(in[i]);
    ++i;
  }
  if (digits.size() % 2 != 0) return {};
  std::string out;
  for (size_t k = 0; k + 1 < digits.size(); k += 2) {
    out.push_back(static_cast<char>(HexValue(digits[k]) * 16 + HexValue(digits[k + 1])));
  }
  return out;
}

std::string DecodePercent(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() + 0 && HexValue(in[i + 1]) >= 0 &&
        HexValue(in[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(in[i + 1]) * 16 + HexValue(in[i + 2])));
      i += 2;
    } else if (in[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

bool LooksLikeText(std::string_view decoded) {
  if (decoded.size() < kMinDecodedBytes || !ValidUtf8(decoded)) return false;
  size_t printable = 0, letters = 0;
  for (char ch : decoded) {
    auto c = static_cast<unsigned char>(ch);
    bool is_letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80 || c == ' ';
    if ((c >= 0x20 && c < 0x7F) || c == '\n' || c == '\t' || c >= 0x80) ++printable;
    if (is_letter) ++letters;
  }
  double n = static_cast<double>(decoded.size());
  return printable >= kMinPrintableShare * n && letters >= kMinLetterShare * n;
}

namespace {

bool IsWordBreak(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

// The exhaustive search over whole words [from, to) of `text`; appends to `out`.
void SearchWords(std::string_view text, size_t from, size_t to, size_t min_bytes,
                 size_t max_payloads, std::vector<Payload>& out) {
  auto add = [&](std::string_view encoding, size_t start, size_t end, std::string decoded) {
    if (out.size() >= max_payloads || !LooksLikeText(decoded)) return;
    out.push_back({encoding, static_cast<uint32_t>(start), static_cast<uint32_t>(end),
                   std::move(decoded)});
  };
  auto base64_run = [&](size_t start, size_t end) {
    size_t padded = end;
    while (padded < text.size() && text[padded] == '=') ++padded;
    add("base64", start, padded, DecodeBase64(text.substr(start, end - start)));
  };
  auto hex_run = [&](size_t start, size_t end) {
    while (end > start && (text[end - 1] == ' ' || text[end - 1] == ',')) --end;
    size_t digits = 0;
    for (size_t k = start; k < end; ++k) digits += HexValue(text[k]) >= 0 ? 1 : 0;
    if (digits >= min_bytes) add("hex", start, end, DecodeHex(text.substr(start, end - start)));
  };
  auto url_run = [&](size_t start, size_t end) {
    size_t escapes = 0;
    for (size_t k = start; k + 2 < end; ++k) {
      if (text[k] == '%' && HexValue(text[k + 1]) >= 0 && HexValue(text[k + 2]) >= 0) ++escapes;
    }
    if (escapes >= kMinPercentEscapes) add("url", start, end, DecodePercent(text.substr(start, end - start)));
  };
  // Encoded blocks are long words: only words of at least min_bytes are examined byte by
  // byte. Spaced hex ("57 68 61 ...") is a run of two-digit words and is tracked separately.
  auto examine_word = [&](size_t w, size_t e) {
    size_t b64 = w, hex = w, url = w;
    for (size_t i = w; i <= e; ++i) {
      uint8_t k = i < e ? kTables.cls[static_cast<unsigned char>(text[i])] : 0;
      if (!(k & kBase64)) {
        if (i - b64 >= min_bytes) base64_run(b64, i);
        b64 = i + 1;
      }
      if (!(k & kHexRun)) {
        if (i - hex >= min_bytes) hex_run(hex, i);
        hex = i + 1;
      }
      if (!(k & kUrlRun)) {
        if (i - url >= min_bytes) url_run(url, i);
        url = i + 1;
      }
    }
  };
  size_t pairs = 0, pairs_start = 0, pairs_end = 0;
  auto flush_pairs = [&] {
    if (pairs * 2 >= min_bytes) hex_run(pairs_start, pairs_end);
    pairs = 0;
  };
  size_t i = from;
  while (i < to && out.size() < max_payloads) {
    if (IsWordBreak(text[i])) {
      ++i;
      continue;
    }
    size_t w = i;
    while (i < to && !IsWordBreak(text[i])) ++i;
    if (i - w >= min_bytes) examine_word(w, i);
    size_t a = w, b = i;
    while (a < b && (text[a] == '\'' || text[a] == '"' || text[a] == '`')) ++a;
    while (b > a && (text[b - 1] == '\'' || text[b - 1] == '"' || text[b - 1] == '`' ||
                     text[b - 1] == ',' || text[b - 1] == '.' || text[b - 1] == '?')) {
      --b;
    }
    if (b - a == 2 && HexValue(text[a]) >= 0 && HexValue(text[a + 1]) >= 0) {
      if (pairs == 0) pairs_start = a;
      pairs_end = b;
      ++pairs;
    } else {
      flush_pairs();
    }
  }
  flush_pairs();
}

constexpr size_t kBlock = 16;

// Per byte of a 16-byte block (bit k = byte k): which bytes can be inside a long word (all
// but ASCII blanks and controls), and which inside spaced hex (hex digits, blanks, quotes,
// and , . ?).
struct BlockMasks {
  uint32_t word = 0, spaced_hex = 0;
};

constexpr std::array<uint8_t, 256> kSpacedHexByte = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    t[c] = hex || c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\'' || c == '"' ||
                   c == '`' || c == ',' || c == '.' || c == '?'
               ? 1
               : 0;
  }
  return t;
}();

BlockMasks MasksScalar(const char* p, size_t n) {
  BlockMasks m;
  for (size_t k = 0; k < n; ++k) {
    auto c = static_cast<unsigned char>(p[k]);
    m.word |= static_cast<uint32_t>(c > 0x20) << k;
    m.spaced_hex |= static_cast<uint32_t>(kSpacedHexByte[c]) << k;
  }
  return m;
}

BlockMasks Masks(const char* p) {
#if defined(__SSE2__)
  using namespace blocks;
  __m128i x = Load(p);
  // Signed bytes: ASCII blanks and controls are 0..0x20; bytes >= 0x80 are negative.
  __m128i blank = _mm_cmplt_epi8(x, _mm_set1_epi8(0x21));
  __m128i word = _mm_or_si128(_mm_andnot_si128(blank, _mm_set1_epi8(-1)), NonAscii(x));
  __m128i lower = _mm_or_si128(x, _mm_set1_epi8(0x20));  // letters to lower case
  __m128i spaced = _mm_or_si128(InRange(x, '0', '9'), InRange(lower, 'a', 'f'));
  spaced = _mm_or_si128(spaced, AnyOf(x, ' ', '\n', '\t', '\r', '\'', '"', '`', ',', '.', '?'));
  return {Mask(word), Mask(spaced)};
#else
  return MasksScalar(p, kBlock);
#endif
}

// Follows the runs of one byte class across blocks and reports those of at least `min`
// bytes. Runs inside one block are shorter than 16 bytes, so only runs that reach a block
// edge are followed (callers use this for min >= 16).
class RunTracker {
 public:
  explicit RunTracker(size_t min) : min_(min) {}

  template <typename Emit>
  void Block(uint32_t mask, size_t at, size_t n, Emit&& emit) {
    const uint32_t full = (1u << n) - 1;
    mask &= full;
    if (mask == full) {
      if (run_ == 0) start_ = at;
      run_ += n;
      return;
    }
    auto ones_at_bottom = static_cast<size_t>(__builtin_ctz(~mask));
    if (run_ + ones_at_bottom >= min_) emit(start_, at + ones_at_bottom);
    auto ones_at_top = static_cast<size_t>(__builtin_clz(~(mask << (32 - n))));
    run_ = ones_at_top;
    start_ = at + n - ones_at_top;
  }

  template <typename Emit>
  void Finish(size_t at, Emit&& emit) {
    if (run_ >= min_) emit(start_, at);
    run_ = 0;
  }

 private:
  size_t min_;
  size_t run_ = 0, start_ = 0;
};

}  // namespace

std::vector<Payload> FindPayloadsExhaustive(std::string_view text, size_t min_bytes,
                                            size_t max_payloads) {
  std::vector<Payload> out;
  SearchWords(text, 0, text.size(), min_bytes, max_payloads, out);
  return out;
}

// Most text has no word of min_bytes and no spaced hex: a pass over 16-byte blocks finds the
// runs that could hold a payload, and only the words around them are searched.
std::vector<Payload> FindPayloads(std::string_view text, size_t min_bytes, size_t max_payloads) {
  if (min_bytes < kBlock) return FindPayloadsExhaustive(text, min_bytes, max_payloads);
  std::vector<std::pair<size_t, size_t>> spans;
  auto emit = [&](size_t s, size_t e) {
    while (s > 0 && !IsWordBreak(text[s - 1])) --s;
    while (e < text.size() && !IsWordBreak(text[e])) ++e;
    spans.emplace_back(s, e);
  };
  RunTracker words(min_bytes), spaced_hex(min_bytes);
  const size_t n = text.size();
  size_t at = 0;
  for (; at + kBlock <= n; at += kBlock) {
    BlockMasks m = Masks(text.data() + at);
    words.Block(m.word, at, kBlock, emit);
    spaced_hex.Block(m.spaced_hex, at, kBlock, emit);
  }
  if (at < n) {
    BlockMasks m = MasksScalar(text.data() + at, n - at);
    words.Block(m.word, at, n - at, emit);
    spaced_hex.Block(m.spaced_hex, at, n - at, emit);
  }
  words.Finish(n, emit);
  spaced_hex.Finish(n, emit);
  // The two trackers report out of order, and their spans may overlap; every span starts
  // and ends at a word break, so searching each once in text order is the whole search.
  std::sort(spans.begin(), spans.end());
  std::vector<Payload> out;
  size_t searched_to = 0;
  for (auto [s, e] : spans) {
    s = std::max(s, searched_to);
    if (s >= e) continue;
    SearchWords(text, s, e, min_bytes, max_payloads, out);
    searched_to = e;
    if (out.size() >= max_payloads) break;
  }
  return out;
}

}  // namespace reagent::sanitizer_internal
