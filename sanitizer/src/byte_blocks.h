// Classifying 16 bytes at once with SSE2, for the scans that run over every text (folding,
// squeezing, payload and quotation search). Only where SSE2 exists (all x86-64); each caller
// keeps a scalar path that its tests compare against.
#pragma once

#if defined(__SSE2__)
#include <emmintrin.h>

#include <cstddef>

namespace reagent::sanitizer_internal::blocks {

inline constexpr size_t kSize = 16;

inline __m128i Load(const void* p) { return _mm_loadu_si128(static_cast<const __m128i*>(p)); }

// Bit k set when byte k of `lanes` is set (0xFF).
inline unsigned Mask(__m128i lanes) { return static_cast<unsigned>(_mm_movemask_epi8(lanes)); }

// Bytes in [lo, hi], both ASCII: bytes >= 0x80 are negative as signed chars and never match.
inline __m128i InRange(__m128i x, char lo, char hi) {
  return _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(static_cast<char>(lo - 1))),
                       _mm_cmplt_epi8(x, _mm_set1_epi8(static_cast<char>(hi + 1))));
}

// Bytes >= 0x80 (parts of non-ASCII characters).
inline __m128i NonAscii(__m128i x) { return _mm_cmplt_epi8(x, _mm_setzero_si128()); }

// Bytes equal to any of `chars` (a fold over the arguments, so it unrolls at compile time).
template <typename... Chars>
inline __m128i AnyOf(__m128i x, Chars... chars) {
  __m128i any = _mm_setzero_si128();
  ((any = _mm_or_si128(any, _mm_cmpeq_epi8(x, _mm_set1_epi8(static_cast<char>(chars))))), ...);
  return any;
}

}  // namespace reagent::sanitizer_internal::blocks

#endif
