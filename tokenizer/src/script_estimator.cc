#include "reagent/tokenizer/script_estimator.h"

#include <array>
#include <cmath>
#include <cstddef>

namespace reagent {
namespace {

// Feature indices; bench/tokenizer_calibrate.mjs computes the same features.
enum Feature : size_t {
  kAsciiLetter,
  kAsciiDigit,
  kAsciiPunctuation,
  kAsciiSpace,
  kAsciiWord,        // runs of ASCII letters (a word start costs more than its letters)
  kLatinExtended,    // U+00C0-U+024F, U+1E00-U+1EFF (Vietnamese, European accents)
  kCombiningMark,    // U+0300-U+036F (decomposed accents)
  kAlphabetic,       // Greek, Cyrillic, Armenian, Hebrew, Arabic (U+0370-U+06FF)
  kBrahmic,          // Indic, Thai, Lao, Tibetan, Myanmar (U+0900-U+109F)
  kCjk,              // CJK, kana, fullwidth forms
  kHangul,
  kSymbol,           // punctuation and symbols U+2000-U+2BFF, emoji
  kOther,            // any other code point
  kInvalidByte,
  kFeatureCount,
};

// Fitted by bench/tokenizer_calibrate.mjs (see script_estimator.h for the error it measured).
constexpr std::array<double, kFeatureCount> kWeights = {
    0.1122, 0.5358, 0.6815, 0.4099, 0.1904, 1.1937, 2.3141, 0.7966, 1.1540, 0.9207, 1.4173, 2.1902, 2.7847, 1.0,
};

Feature ClassOf(uint32_t cp) {
  if (cp >= 0xc0 && cp <= 0x24f) return kLatinExtended;
  if (cp >= 0x1e00 && cp <= 0x1eff) return kLatinExtended;
  if (cp >= 0x300 && cp <= 0x36f) return kCombiningMark;
  if (cp >= 0x370 && cp <= 0x6ff) return kAlphabetic;
  if (cp >= 0x900 && cp <= 0x109f) return kBrahmic;
  if ((cp >= 0x1100 && cp <= 0x11ff) || (cp >= 0x3130 && cp <= 0x318f) || (cp >= 0xac00 && cp <= 0xd7af)) {
    return kHangul;
  }
  if ((cp >= 0x2e80 && cp <= 0x9fff) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xff00 && cp <= 0xffef) ||
      (cp >= 0x20000 && cp <= 0x3ffff)) {
    return kCjk;
  }
  if ((cp >= 0x2000 && cp <= 0x2bff) || (cp >= 0x1f000 && cp <= 0x1faff) || (cp >= 0xfe00 && cp <= 0xfe0f)) {
    return kSymbol;
  }
  return kOther;
}

}  // namespace

int64_t EstimateTokens(std::string_view text) {
  std::array<double, kFeatureCount> counts{};
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  bool in_word = false;
  for (size_t i = 0; i < n;) {
    unsigned char b = p[i];
    if (b < 0x80) {
      bool letter = (b | 0x20) >= 'a' && (b | 0x20) <= 'z';
      if (letter) {
        counts[kAsciiLetter] += 1;
        if (!in_word) counts[kAsciiWord] += 1;
      } else if (b >= '0' && b <= '9') {
        counts[kAsciiDigit] += 1;
      } else if (b == ' ' || (b >= '\t' && b <= '\r')) {
        counts[kAsciiSpace] += 1;
      } else {
        counts[kAsciiPunctuation] += 1;
      }
      in_word = letter;
      ++i;
      continue;
    }
    in_word = false;
    size_t length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0;
    bool valid = length >= 2 && i + length <= n;
    for (size_t k = 1; valid && k < length; ++k) valid = (p[i + k] & 0xc0) == 0x80;
    if (!valid) {
      counts[kInvalidByte] += 1;
      ++i;
      continue;
    }
    uint32_t cp = length == 2 ? (b & 0x1fu) : length == 3 ? (b & 0x0fu) : (b & 0x07u);
    for (size_t k = 1; k < length; ++k) cp = (cp << 6) | (p[i + k] & 0x3fu);
    counts[ClassOf(cp)] += 1;
    i += length;
  }
  double estimate = 0;
  for (size_t f = 0; f < kFeatureCount; ++f) estimate += kWeights[f] * counts[f];
  if (n > 0 && estimate < 1) estimate = 1;
  return static_cast<int64_t>(std::llround(estimate));
}

}  // namespace reagent
