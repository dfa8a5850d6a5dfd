#include "pretokenizer.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include <utf8proc.h>

namespace reagent {
namespace {

// Character classes the patterns are written in. One code point has several.
enum : uint8_t {
  kLetter = 1 << 0,     // \p{L}
  kUpperish = 1 << 1,   // [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]
  kLowerish = 1 << 2,   // [\p{Ll}\p{Lm}\p{Lo}\p{M}]
  kNumber = 1 << 3,     // \p{N}
  kSpace = 1 << 4,      // \s (White_Space)
  kNewline = 1 << 5,    // [\r\n]
};

bool IsWhiteSpace(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0d) || cp == 0x20 || cp == 0x85 || cp == 0xa0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 || cp == 0x202f ||
         cp == 0x205f || cp == 0x3000;
}

uint8_t Classify(uint32_t cp) {
  uint8_t flags = 0;
  if (IsWhiteSpace(cp)) flags |= kSpace;
  if (cp == '\r' || cp == '\n') flags |= kNewline;
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LT: flags |= kLetter | kUpperish; break;
    case UTF8PROC_CATEGORY_LL: flags |= kLetter | kLowerish; break;
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: flags |= kLetter | kUpperish | kLowerish; break;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME: flags |= kUpperish | kLowerish; break;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO: flags |= kNumber; break;
    default: break;
  }
  return flags;
}

// Flags of every code point below U+10000, computed once: the hot path is a table lookup.
constexpr uint32_t kTableSize = 0x10000;
const std::vector<uint8_t>& BmpFlags() {
  static const std::vector<uint8_t> table = [] {
    std::vector<uint8_t> t(kTableSize);
    for (uint32_t cp = 0; cp < kTableSize; ++cp) t[cp] = Classify(cp);
    return t;
  }();
  return table;
}

struct Char {
  uint8_t flags;
  uint8_t length;  // bytes; 0 at the end of the text
};

// Reads the character at `pos` of valid UTF-8 text.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : p_(reinterpret_cast<const uint8_t*>(text.data())), n_(text.size()), bmp_(BmpFlags().data()) {}

  size_t size() const { return n_; }
  uint8_t byte(size_t pos) const { return p_[pos]; }

  Char At(size_t pos) const {
    if (pos >= n_) return {0, 0};
    uint8_t b = p_[pos];
    if (b < 0x80) return {bmp_[b], 1};
    if (b < 0xe0) return {bmp_[((b & 0x1fu) << 6) | (p_[pos + 1] & 0x3fu)], 2};
    if (b < 0xf0) {
      return {bmp_[((b & 0x0fu) << 12) | ((p_[pos + 1] & 0x3fu) << 6) | (p_[pos + 2] & 0x3fu)], 3};
    }
    uint32_t cp = ((b & 0x07u) << 18) | ((p_[pos + 1] & 0x3fu) << 12) | ((p_[pos + 2] & 0x3fu) << 6) |
                  (p_[pos + 3] & 0x3fu);
    return {Classify(cp), 4};
  }

  // End of the run of characters having any of `flags`, from `pos`.
  size_t RunEnd(size_t pos, uint8_t flags) const {
    while (true) {
      Char c = At(pos);
      if (c.length == 0 || !(c.flags & flags)) return pos;
      pos += c.length;
    }
  }

  // (?i:'s|'t|'re|'ve|'m|'ll|'d) at `pos`: its end, or `pos` when absent.
  size_t ContractionEnd(size_t pos) const {
    if (pos + 1 >= n_ || p_[pos] != '\'') return pos;
    uint8_t c = p_[pos + 1] | 0x20;
    uint8_t c2 = pos + 2 < n_ ? (p_[pos + 2] | 0x20) : 0;
    switch (c) {
      case 's': case 't': case 'm': case 'd': return pos + 2;
      case 'r': case 'v': return c2 == 'e' ? pos + 3 : pos;
      case 'l': return c2 == 'l' ? pos + 3 : pos;
      default: break;
    }
    // U+017F LATIN SMALL LETTER LONG S case-folds to 's'.
    if (p_[pos + 1] == 0xc5 && pos + 2 < n_ && p_[pos + 2] == 0xbf) return pos + 3;
    return pos;
  }

  // Whitespace alternatives shared by both patterns: \s*[\r\n]+ | \s+(?!\S) | \s+ at a
  // whitespace character.
  size_t WhitespaceEnd(size_t pos) const {
    size_t end = pos, last_start = pos, after_newline = 0;
    while (true) {
      Char c = At(end);
      if (c.length == 0 || !(c.flags & kSpace)) break;
      if (c.flags & kNewline) after_newline = end + 1;
      last_start = end;
      end += c.length;
    }
    if (after_newline != 0) return after_newline;   // \s*[\r\n]+ backtracks to the last newline
    if (end == n_) return end;                       // \s+(?!\S) at the end of the text
    if (last_start > pos) return last_start;         // \s+(?!\S) leaves the last space to the next piece
    return end;                                      // \s+
  }

  // ` ?[^\s\p{L}\p{N}]+` followed by `tail` characters ([\r\n] or [\r\n/]); 0 when absent.
  size_t PunctuationEnd(size_t pos, bool slash_tail) const {
    size_t s = pos;
    if (p_[s] == ' ') ++s;
    Char c = At(s);
    if (c.length == 0 || (c.flags & (kSpace | kLetter | kNumber))) return 0;
    s = RunEndNot(s, kSpace | kLetter | kNumber);
    while (s < n_ && (p_[s] == '\r' || p_[s] == '\n' || (slash_tail && p_[s] == '/'))) ++s;
    return s;
  }

  size_t NumberEnd(size_t pos) const {
    size_t end = pos;
    for (int i = 0; i < 3; ++i) {
      Char c = At(end);
      if (c.length == 0 || !(c.flags & kNumber)) break;
      end += c.length;
    }
    return end;
  }

 private:
  size_t RunEndNot(size_t pos, uint8_t flags) const {
    while (true) {
      Char c = At(pos);
      if (c.length == 0 || (c.flags & flags)) return pos;
      pos += c.length;
    }
  }

  const uint8_t* p_;
  size_t n_;
  const uint8_t* bmp_;
};

constexpr size_t kNoMatch = 0;

// o200k: [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+ from `s`, with the regex's
// backtracking: when the upper run is not followed by a lower-only character, the lower part
// is the last character of the run that is in both classes.
size_t UpperStarLowerPlus(const Scanner& t, size_t s) {
  size_t pos = s, last_both_end = kNoMatch;
  while (true) {
    Char c = t.At(pos);
    if (c.length == 0 || !(c.flags & kUpperish)) break;
    pos += c.length;
    if (c.flags & kLowerish) last_both_end = pos;
  }
  Char c = t.At(pos);
  if (c.length != 0 && (c.flags & kLowerish)) return t.RunEnd(pos, kLowerish);
  return last_both_end;
}

// o200k: [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]* from `s`.
size_t UpperPlusLowerStar(const Scanner& t, size_t s) {
  size_t upper_end = t.RunEnd(s, kUpperish);
  if (upper_end == s) return kNoMatch;
  return t.RunEnd(upper_end, kLowerish);
}

}  // namespace

size_t O200kPieceEnd(std::string_view text, size_t pos) {
  Scanner t(text);
  Char c = t.At(pos);
  bool prefix = !(c.flags & (kNewline | kLetter | kNumber));  // [^\r\n\p{L}\p{N}]
  for (auto word : {UpperStarLowerPlus, UpperPlusLowerStar}) {
    if (prefix) {
      if (size_t end = word(t, pos + c.length); end != kNoMatch) return t.ContractionEnd(end);
    }
    if (c.flags & kUpperish || c.flags & kLowerish) {
      if (size_t end = word(t, pos); end != kNoMatch) return t.ContractionEnd(end);
    }
  }
  if (c.flags & kNumber) return t.NumberEnd(pos);
  if (size_t end = t.PunctuationEnd(pos, /*slash_tail=*/true); end != 0) return end;
  return t.WhitespaceEnd(pos);
}

size_t Cl100kPieceEnd(std::string_view text, size_t pos) {
  Scanner t(text);
  if (size_t end = t.ContractionEnd(pos); end != pos) return end;
  Char c = t.At(pos);
  if (!(c.flags & (kNewline | kLetter | kNumber))) {  // [^\r\n\p{L}\p{N}]?\p{L}+
    if (t.At(pos + c.length).flags & kLetter) return t.RunEnd(pos + c.length, kLetter);
  }
  if (c.flags & kLetter) return t.RunEnd(pos, kLetter);
  if (c.flags & kNumber) return t.NumberEnd(pos);
  if (size_t end = t.PunctuationEnd(pos, /*slash_tail=*/false); end != 0) return end;
  return t.WhitespaceEnd(pos);
}

size_t ValidUtf8Prefix(std::string_view text) {
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    // Eight ASCII bytes at a time.
    if (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, p + i, 8);
      if ((word & 0x8080808080808080ull) == 0) {
        i += 8;
        continue;
      }
    }
    uint8_t b = p[i];
    if (b < 0x80) {
      ++i;
      continue;
    }
    size_t length;
    uint8_t low = 0x80, high = 0xbf;  // allowed range of the second byte
    if (b >= 0xc2 && b <= 0xdf) {
      length = 2;
    } else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b == 0xe0) low = 0xa0;
      if (b == 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b == 0xf0) low = 0x90;
      if (b == 0xf4) high = 0x8f;
    } else {
      return i;
    }
    if (i + length > n) return i;
    if (p[i + 1] < low || p[i + 1] > high) return i;
    for (size_t k = 2; k < length; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) return i;
    }
    i += length;
  }
  return n;
}

}  // namespace reagent
