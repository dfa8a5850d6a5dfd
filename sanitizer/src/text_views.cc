#include "text_views.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

#include <utf8proc.h>

#if defined(__SSE2__)
#include <tmmintrin.h>

#include "byte_blocks.h"
#endif

namespace reagent::sanitizer_internal {
namespace {

constexpr char32_t kReplacement = 0xFFFD;
constexpr char32_t kBmpSize = 0x10000;
constexpr char32_t kTagFirst = 0xE0000, kTagLast = 0xE007F;
constexpr char32_t kTagPrintableFirst = 0xE0020, kTagPrintableLast = 0xE007E;
constexpr int kMaxDecomposition = 32;

// What a character does to the views and to the cleaned text.
enum class Kind : uint8_t {
  kText,       // emits its folding
  kLookalike,  // emits its folding, and is evidence of disguise when inside a match
  kSpace,      // emits one collapsed space
  kNewline,    // emits '\n'
  kControl,    // C0/C1 control: acts as a space, finding, removed from cleaned
  kNul,        // as kControl, its own finding
  kHidden,     // invisible formatting with legitimate uses (ZWJ, soft hyphen): dropped from views
  kSmuggle,    // zero-width space, word joiner, BOM, bidi overrides: dropped everywhere, finding
};

struct FoldEntry {
  uint32_t offset = 0;  // into the pool
  uint8_t length = 0;
  Kind kind = Kind::kText;
};

// Latin-script lookalikes that NFKC leaves alone (applied after case folding).
char LookalikeAscii(char32_t cp) {
  switch (cp) {
    // Cyrillic
    case 0x0430: return 'a'; case 0x0432: return 'b'; case 0x0435: return 'e';
    case 0x0451: return 'e'; case 0x043A: return 'k'; case 0x043C: return 'm';
    case 0x043D: return 'h'; case 0x043E: return 'o'; case 0x0440: return 'p';
    case 0x0441: return 'c'; case 0x0442: return 't'; case 0x0443: return 'y';
    case 0x0445: return 'x'; case 0x0455: return 's'; case 0x0456: return 'i';
    case 0x0457: return 'i'; case 0x0458: return 'j'; case 0x0501: return 'd';
    case 0x051B: return 'q'; case 0x051D: return 'w'; case 0x04BB: return 'h';
    case 0x04CF: return 'l'; case 0x0491: return 'r';
    // Greek
    case 0x03B1: return 'a'; case 0x03B2: return 'b'; case 0x03B5: return 'e';
    case 0x03B7: return 'n'; case 0x03B9: return 'i'; case 0x03BA: return 'k';
    case 0x03BD: return 'v'; case 0x03BF: return 'o'; case 0x03C1: return 'p';
    case 0x03C4: return 't'; case 0x03C5: return 'u'; case 0x03C7: return 'x';
    case 0x03B3: return 'y'; case 0x03C9: return 'w'; case 0x03BC: return 'u';
    case 0x03F2: return 'c'; case 0x03F3: return 'j';
    // IPA, Latin extensions and Armenian that read as ASCII letters
    case 0x0251: return 'a'; case 0x0261: return 'g'; case 0x0269: return 'i';
    case 0x026A: return 'i'; case 0x028F: return 'y'; case 0x0280: return 'r';
    case 0x0131: return 'i'; case 0x0237: return 'j'; case 0x0585: return 'o';
    case 0x057D: return 'u'; case 0x0578: return 'n';
    // Vietnamese d with stroke has no decomposition
    case 0x0111: return 'd'; case 0x0110: return 'd';
    default: return 0;
  }
}

bool IsLatinBlock(char32_t cp) {
  return (cp >= 0x00C0 && cp <= 0x024F) || (cp >= 0x1E00 && cp <= 0x1EFF) ||
         (cp >= 0x2000 && cp <= 0x206F) || cp < 0x80;
}

Kind ClassifyFormatting(char32_t cp) {
  switch (cp) {
    case 0x200B: case 0x2060: case 0x2061: case 0x2062: case 0x2063: case 0x2064:
    case 0xFEFF: case 0x180E:
    case 0x202A: case 0x202B: case 0x202C: case 0x202D: case 0x202E:
    case 0x2066: case 0x2067: case 0x2068: case 0x2069:
      return Kind::kSmuggle;
    case 0x200C: case 0x200D: case 0x200E: case 0x200F: case 0x00AD: case 0x034F:
    case 0x061C: case 0x115F: case 0x1160: case 0x3164: case 0xFFA0:
      return Kind::kHidden;
    case 0x2028: case 0x2029: case 0x0085:
      return Kind::kNewline;
    default:
      break;
  }
  if (cp >= 0xFE00 && cp <= 0xFE0F) return Kind::kHidden;  // variation selectors
  if (cp >= 0x80 && cp <= 0x9F) return Kind::kControl;
  return Kind::kText;
}

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// The folding of one non-ASCII code point and its kind.
std::pair<std::string, Kind> FoldSlow(char32_t cp) {
  Kind kind = ClassifyFormatting(cp);
  if (kind != Kind::kText) return {"", kind};
  std::string out;
  if (char c = LookalikeAscii(cp)) {
    out.push_back(c);
    return {out, c == 'd' && (cp == 0x0111 || cp == 0x0110) ? Kind::kText : Kind::kLookalike};
  }
  std::array<utf8proc_int32_t, kMaxDecomposition> buf{};
  int last_boundclass = 0;
  auto n = utf8proc_decompose_char(
      static_cast<utf8proc_int32_t>(cp), buf.data(), kMaxDecomposition,
      static_cast<utf8proc_option_t>(UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK |
                                     UTF8PROC_DECOMPOSE | UTF8PROC_LUMP),
      &last_boundclass);
  if (n < 0 || n > kMaxDecomposition) {
    AppendUtf8(out, cp);
    return {out, Kind::kText};
  }
  bool all_ascii_alnum = n > 0;
  for (int i = 0; i < n; ++i) {
    auto c = static_cast<char32_t>(buf[static_cast<size_t>(i)]);
    if (char a = LookalikeAscii(c)) c = static_cast<unsigned char>(a);
    if (c >= 0x80 || !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) all_ascii_alnum = false;
    AppendUtf8(out, c);
  }
  if (out == " ") return {"", Kind::kSpace};
  if (out == "\n") return {"", Kind::kNewline};
  if (all_ascii_alnum && !IsLatinBlock(cp)) kind = Kind::kLookalike;
  return {out, kind};
}

class FoldTable {
 public:
  FoldTable() : entries_(kBmpSize) {
    for (char32_t cp = 0x80; cp < kBmpSize; ++cp) {
      if (cp >= 0xD800 && cp <= 0xDFFF) continue;
      auto [text, kind] = FoldSlow(cp);
      FoldEntry& e = entries_[cp];
      e.kind = kind;
      e.offset = static_cast<uint32_t>(pool_.size());
      e.length = static_cast<uint8_t>(text.size());
      pool_ += text;
    }
  }
  const FoldEntry& Entry(char32_t cp) const { return entries_[cp]; }
  const char* Text(const FoldEntry& e) const { return pool_.data() + e.offset; }

 private:
  std::vector<FoldEntry> entries_;
  std::string pool_;
};

const FoldTable& Table() {
  static const FoldTable table;
  return table;
}

// Decodes one UTF-8 character at text[i]; returns its length, or 0 when the byte at i does
// not start a well-formed character (overlong forms, surrogates and > U+10FFFF included).
size_t DecodeUtf8(std::string_view text, size_t i, char32_t& cp) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(text[i + k]); };
  unsigned char c0 = b(0);
  size_t left = text.size() - i;
  auto cont = [&](size_t k) { return k < left && (b(k) & 0xC0) == 0x80; };
  if (c0 >= 0xC2 && c0 <= 0xDF) {
    if (!cont(1)) return 0;
    cp = ((c0 & 0x1Fu) << 6) | (b(1) & 0x3Fu);
    return 2;
  }
  if (c0 >= 0xE0 && c0 <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    cp = ((c0 & 0x0Fu) << 12) | ((b(1) & 0x3Fu) << 6) | (b(2) & 0x3Fu);
    if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return 3;
  }
  if (c0 >= 0xF0 && c0 <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    cp = ((c0 & 0x07u) << 18) | ((b(1) & 0x3Fu) << 12) | ((b(2) & 0x3Fu) << 6) | (b(3) & 0x3Fu);
    if (cp < 0x10000 || cp > 0x10FFFF) return 0;
    return 4;
  }
  return 0;
}

// ASCII bytes: what they emit into the folded view, and whether the fast path takes them.
struct AsciiTable {
  static constexpr uint8_t kSlow = 1;   // not plain text: the general path decides
  static constexpr uint8_t kBlank = 2;  // space or tab: folds to ' ', collapses with its neighbours
  std::array<char, 128> fold{};
  std::array<Kind, 128> kind{};
  std::array<uint8_t, 256> flags{};  // all 256 bytes: non-ASCII is kSlow
  AsciiTable() {
    flags.fill(kSlow);
    for (int c = 0; c < 128; ++c) {
      fold[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
      kind[c] = Kind::kText;
      flags[c] = 0;
      if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
        kind[c] = Kind::kSpace;
        fold[c] = ' ';
        flags[c] = kBlank;
      } else if (c == '\n') {
        kind[c] = Kind::kNewline;
        flags[c] = kSlow;
      } else if (c == 0) {
        kind[c] = Kind::kNul;
        flags[c] = kSlow;
      } else if (c < 0x20 || c == 0x7F) {
        kind[c] = Kind::kControl;
        flags[c] = kSlow;
      }
    }
  }
};

const AsciiTable& Ascii() {
  static const AsciiTable table;
  return table;
}

// Squeezed view: 1 for the bytes it keeps (ASCII letters and digits, and all non-ASCII).
constexpr std::array<uint8_t, 256> kSqueezeKeep = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    t[c] = c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? 1 : 0;
  }
  return t;
}();

// Copies the bytes of in[0, n) that the squeezed view keeps to `out` (which has room for n
// bytes plus 16); returns how many. Scalar and branch-free: every byte is written, the kept
// ones advance.
size_t SqueezeScalar(const unsigned char* in, size_t n, unsigned char* out) {
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = in[i];
    out[k] = c;
    k += kSqueezeKeep[c];
  }
  return k;
}

#if defined(__SSE2__)
// Left-packing 8 bytes at a time with PSHUFB: for each 8-bit keep mask, the shuffle that
// moves the kept bytes to the front, and how many there are.
struct PackTable {
  std::array<std::array<uint8_t, 8>, 256> shuffle{};
  std::array<uint8_t, 256> count{};
  constexpr PackTable() {
    for (int m = 0; m < 256; ++m) {
      int k = 0;
      for (int b = 0; b < 8; ++b) {
        if (m & (1 << b)) shuffle[m][k++] = static_cast<uint8_t>(b);
      }
      count[m] = static_cast<uint8_t>(k);
      for (int b = k; b < 8; ++b) shuffle[m][b] = 0x80;  // zero
    }
  }
};
constexpr PackTable kPack;

__attribute__((target("ssse3"))) size_t SqueezeSsse3(const unsigned char* in, size_t n,
                                                     unsigned char* out) {
  using namespace blocks;
  size_t i = 0, k = 0;
  for (; i + kSize <= n; i += kSize) {
    __m128i x = Load(in + i);
    unsigned keep = Mask(_mm_or_si128(_mm_or_si128(InRange(x, 'a', 'z'), InRange(x, '0', '9')),
                                      NonAscii(x)));
    unsigned lo = keep & 0xFF, hi = keep >> 8;
    __m128i shuffle_lo = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(kPack.shuffle[lo].data()));
    __m128i shuffle_hi = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(kPack.shuffle[hi].data()));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + k), _mm_shuffle_epi8(x, shuffle_lo));
    k += kPack.count[lo];
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + k),
                     _mm_shuffle_epi8(_mm_srli_si128(x, 8), shuffle_hi));
    k += kPack.count[hi];
  }
  return k + SqueezeScalar(in + i, n - i, out + k);
}
#endif

size_t Squeeze(const unsigned char* in, size_t n, unsigned char* out, bool allow_vector = true) {
#if defined(__SSE2__)
  static const bool has_ssse3 = __builtin_cpu_supports("ssse3");
  if (allow_vector && has_ssse3) return SqueezeSsse3(in, n, out);
#else
  (void)allow_vector;
#endif
  return SqueezeScalar(in, n, out);
}

class ViewBuilder {
 public:
  ViewBuilder(std::string_view text, TextViews& out) : text_(text), out_(out) {
    cap_ = text.size() + kInitialSlack;
    out_.folded.text.resize(cap_);
    text_out_ = out_.folded.text.data();
  }

  void Run() {
    const FoldTable& table = Table();
    const AsciiTable& ascii = Ascii();
    const auto* p = reinterpret_cast<const unsigned char*>(text_.data());
    const size_t n = text_.size();
    size_t i = 0;
    while (i < n) {
      auto c = p[i];
      if (c < 0x80) {
        if (ascii.flags[c] & AsciiTable::kSlow) {
          Handle(ascii.kind[c], nullptr, 0, i, 1);
          ++i;
          continue;
        }
        i = AsciiRun(p, i, n, ascii);
        continue;
      }
      char32_t cp = 0;
      size_t len = DecodeUtf8(text_, i, cp);
      if (len == 0) {
        AddHygiene(Hygiene::kInvalidUtf8, i, i + 1);
        AddEdit(i, 1, "\xEF\xBF\xBD");
        std::string rep;
        AppendUtf8(rep, kReplacement);
        EmitChar(rep.data(), rep.size(), i, i + 1);
        ++i;
        continue;
      }
      if (cp < kBmpSize) {
        const FoldEntry& e = table.Entry(cp);
        Handle(e.kind, table.Text(e), e.length, i, len);
      } else if (cp >= kTagFirst && cp <= kTagLast) {
        AddHygiene(Hygiene::kTag, i, i + len);
        AddDisguise(i);
        AddEdit(i, len, "");
        if (cp >= kTagPrintableFirst && cp <= kTagPrintableLast) {
          if (out_.tag_payload.empty()) out_.tag_payload_start = static_cast<uint32_t>(i);
          out_.tag_payload.push_back(static_cast<char>(cp - kTagFirst));
          out_.tag_payload_end = static_cast<uint32_t>(i + len);
        }
      } else if (cp >= 0xE0100 && cp <= 0xE01EF) {
        Handle(Kind::kHidden, nullptr, 0, i, len);
      } else {
        auto [folded, kind] = FoldSlow(cp);
        Handle(kind, folded.data(), folded.size(), i, len);
      }
      i += len;
    }
    out_.folded.text.resize(len_);
    BuildSqueezed();
  }

 private:
  // Plain ASCII text and single blanks from p[i], the common case: 16 bytes at a time where
  // SSE2 is available, else one table lookup and one store per byte. A view byte here is
  // original byte (view byte + delta), so one linear segment covers the whole run. Returns
  // where the run stopped.
  size_t AsciiRun(const unsigned char* p, size_t i, size_t n, const AsciiTable& ascii) {
    Reserve(n - i);
    // A blank right after a blank, a newline or the start is collapsed: not this path.
    bool after_blank = len_ == 0 || text_out_[len_ - 1] == ' ' || text_out_[len_ - 1] == '\n';
    if ((ascii.flags[p[i]] & AsciiTable::kBlank) && after_blank) return i + 1;
    StartLinear(i);
    char* const out = text_out_;
    size_t len = len_;
    for (;;) {
      size_t blocks = PrintableBlocks(p + i, n - i, after_blank, out + len);
      i += blocks;
      len += blocks;
      // One block's worth byte by byte: past a tab, a double space or the end of the run.
      size_t stop = std::min(n, i + kBlock);
      for (; i < stop; ++i) {
        unsigned char d = p[i];
        uint8_t f = ascii.flags[d];
        bool blank = (f & AsciiTable::kBlank) != 0;
        if ((f & AsciiTable::kSlow) || (blank && after_blank)) {
          len_ = len;
          return i;
        }
        after_blank = blank;
        out[len++] = ascii.fold[d];
      }
      if (i == n) break;
    }
    len_ = len;
    return i;
  }

  static constexpr size_t kBlock = 16;

  // Copies, lower-cased, the leading bytes of `p` that are printable ASCII with no two spaces
  // in a row, 16 at a time; returns how many. A block that holds a byte the byte loop must
  // decide (non-ASCII, a newline or tab, a second space) still gives its clean prefix: in
  // Vietnamese almost every block holds a non-ASCII letter, and the ASCII between them would
  // otherwise be copied byte by byte. `out` has room for every byte of `p`. `after_blank` is
  // whether the byte before p was a blank, and is updated.
  static size_t PrintableBlocks(const unsigned char* p, size_t n, bool& after_blank, char* out) {
    size_t done = 0;
#if defined(__SSE2__)
    using namespace blocks;
    while (n - done >= kBlock) {
      __m128i x = Load(p + done);
      unsigned printable = Mask(InRange(x, ' ', '~'));
      unsigned spaces = Mask(AnyOf(x, ' '));
      unsigned stop = (~printable & 0xFFFFu) | (spaces & ((spaces << 1) | (after_blank ? 1u : 0u)));
      x = _mm_add_epi8(x, _mm_and_si128(InRange(x, 'A', 'Z'), _mm_set1_epi8(0x20)));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + done), x);  // bytes past the prefix are rewritten later
      if (stop == 0) {
        after_blank = (spaces >> (kBlock - 1)) & 1u;
        done += kBlock;
        continue;
      }
      const unsigned clean = static_cast<unsigned>(__builtin_ctz(stop));
      if (clean > 0) after_blank = (spaces >> (clean - 1)) & 1u;
      done += clean;
      break;
    }
#else
    (void)p;
    (void)n;
    (void)after_blank;
    (void)out;
#endif
    return done;
  }

  void Handle(Kind kind, const char* folded, size_t folded_len, size_t at, size_t len) {
    switch (kind) {
      case Kind::kLookalike:
        AddDisguise(at);
        [[fallthrough]];
      case Kind::kText:
        EmitChar(folded, folded_len, at, at + len);
        return;
      case Kind::kSpace:
        EmitSpace(at, at + len);
        return;
      case Kind::kNewline:
        EmitNewline(at, at + len);
        return;
      case Kind::kNul:
      case Kind::kControl:
        AddHygiene(kind == Kind::kNul ? Hygiene::kNul : Hygiene::kControl, at, at + len);
        AddEdit(at, len, "");
        EmitSpace(at, at + len);
        return;
      case Kind::kHidden:
        AddDisguise(at);
        return;
      case Kind::kSmuggle:
        AddDisguise(at);
        AddHygiene(Hygiene::kInvisible, at, at + len);
        AddEdit(at, len, "");
        return;
    }
  }

  // The view bytes of one original character [b, e).
  void EmitChar(const char* folded, size_t folded_len, size_t b, size_t e) {
    if (folded_len == 0) return;
    Reserve(folded_len);
    if (e == b + 1 && folded_len == 1) {
      StartLinear(b);
    } else {
      Mark(len_, b, e);
    }
    for (size_t k = 0; k < folded_len; ++k) text_out_[len_++] = folded[k];
  }

  void EmitSpace(size_t b, size_t e) {
    if (len_ == 0 || text_out_[len_ - 1] == ' ' || text_out_[len_ - 1] == '\n') return;
    EmitChar(" ", 1, b, e);
  }

  // A newline right after an emitted space takes that space's place.
  void EmitNewline(size_t b, size_t e) {
    if (len_ > 0 && text_out_[len_ - 1] == ' ') {
      --len_;
      Segment& last = out_.folded.segments.back();
      if (last.view == len_) out_.folded.segments.pop_back();
      delta_ = kNoDelta;
    }
    EmitChar("\n", 1, b, e);
  }

  // The next view byte (at len_) is original byte `orig`, and so are the following ones
  // one for one: opens a linear segment unless the current one already says so.
  void StartLinear(size_t orig) {
    int64_t delta = static_cast<int64_t>(orig) - static_cast<int64_t>(len_);
    if (delta == delta_) return;
    out_.folded.segments.push_back({static_cast<uint32_t>(len_), static_cast<uint32_t>(orig), 0});
    delta_ = delta;
  }

  // View bytes from `view` on come from original character [b, e).
  void Mark(size_t view, size_t b, size_t e) {
    out_.folded.segments.push_back(
        {static_cast<uint32_t>(view), static_cast<uint32_t>(b), static_cast<uint32_t>(e)});
    delta_ = kNoDelta;
  }

  // Room for `more` view bytes. The folded view is written through a raw pointer into a
  // buffer sized up front (a growing container per byte cost more than the regex pass).
  void Reserve(size_t more) {
    if (len_ + more <= cap_) return;
    cap_ = std::max(cap_ * 2, len_ + more);
    out_.folded.text.resize(cap_);
    text_out_ = out_.folded.text.data();
  }

  void AddHygiene(Hygiene kind, size_t b, size_t e) {
    auto& h = out_.hygiene;
    if (!h.empty() && h.back().kind == kind && h.back().end == b) {
      h.back().end = static_cast<uint32_t>(e);
      return;
    }
    h.push_back({kind, static_cast<uint32_t>(b), static_cast<uint32_t>(e)});
  }

  void AddDisguise(size_t at) { out_.lookalikes.push_back(static_cast<uint32_t>(at)); }

  void AddEdit(size_t at, size_t len, std::string_view with) {
    out_.edits.push_back({static_cast<uint32_t>(at), static_cast<uint32_t>(len), with});
  }

  void BuildSqueezed() {
    const std::string& f = out_.folded.text;
    std::string& s = out_.squeezed;
    s.resize(f.size() + 16);  // the 8-byte stores may write past the last kept byte
    s.resize(Squeeze(reinterpret_cast<const unsigned char*>(f.data()), f.size(),
                     reinterpret_cast<unsigned char*>(s.data())));
  }

  static constexpr size_t kInitialSlack = 256;
  static constexpr int64_t kNoDelta = INT64_MIN;

  std::string_view text_;
  TextViews& out_;
  size_t len_ = 0, cap_ = 0;
  char* text_out_ = nullptr;
  int64_t delta_ = kNoDelta;  // original - view offset of the open linear segment
};

}  // namespace

void BuildViews(std::string_view text, TextViews& out) {
  out.folded.Clear();
  out.squeezed.clear();
  out.hygiene.clear();
  out.lookalikes.clear();
  out.tag_payload.clear();
  out.tag_payload_start = out.tag_payload_end = 0;
  out.edits.clear();
  ViewBuilder(text, out).Run();
}

std::string SqueezeBytes(std::string_view folded, bool allow_vector) {
  std::string out(folded.size() + 16, '\0');
  out.resize(Squeeze(reinterpret_cast<const unsigned char*>(folded.data()), folded.size(),
                     reinterpret_cast<unsigned char*>(out.data()), allow_vector));
  return out;
}

namespace {

constexpr std::array<char, 256> kLeet = [] {
  std::array<char, 256> t{};
  t['0'] = 'o'; t['1'] = 'i'; t['3'] = 'e'; t['4'] = 'a';
  t['5'] = 's'; t['7'] = 't'; t['@'] = 'a'; t['$'] = 's';
  return t;
}();

inline bool WordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '@' || c == '$' || c >= 0x80;
}

// The first byte at or after i that a leetspeak word could hold, or text.size().
size_t NextLeetByte(std::string_view text, size_t i) {
#if defined(__SSE2__)
  for (; i + blocks::kSize <= text.size(); i += blocks::kSize) {
    __m128i x = blocks::Load(text.data() + i);
    unsigned m = blocks::Mask(blocks::AnyOf(x, '0', '1', '3', '4', '5', '7', '@', '$'));
    if (m) return i + static_cast<size_t>(__builtin_ctz(m));
  }
#endif
  while (i < text.size() && !kLeet[static_cast<unsigned char>(text[i])]) ++i;
  return i;
}

}  // namespace

bool LeetView(std::string_view folded, std::string& out) {
  const auto at = [&](size_t k) { return static_cast<unsigned char>(folded[k]); };
  const auto is_letter = [&](size_t k) { return at(k) >= 'a' && at(k) <= 'z'; };
  // Calls f(b, e, trigger) for each word [b, e) that holds a leetspeak byte and a letter;
  // `trigger` when it looks deliberate: two such bytes, or a digit between letters ("r3g").
  // "mp3", "1st", "ipv4", "$100" or an e-mail address do not start the reading on their own.
  auto words = [&](auto&& f) {
    size_t i = 0;
    while ((i = NextLeetByte(folded, i)) < folded.size()) {
      size_t b = i, e = i;
      while (b > 0 && WordByte(at(b - 1))) --b;
      while (e < folded.size() && WordByte(at(e))) ++e;
      bool letter = false, between = false;
      size_t leet = 0;
      for (size_t k = b; k < e; ++k) {
        letter |= is_letter(k);
        if (kLeet[at(k)]) {
          ++leet;
          between |= at(k) <= '9' && k > b && k + 1 < e && is_letter(k - 1) && is_letter(k + 1);
        }
      }
      if (letter && f(b, e, leet >= 2 || between)) return;
      i = e;
    }
  };
  bool trigger = false;
  words([&](size_t, size_t, bool t) { return trigger = t; });
  if (!trigger) return false;
  out.assign(folded);
  words([&](size_t b, size_t e, bool) {
    for (size_t k = b; k < e; ++k) {
      if (char c = kLeet[at(k)]) out[k] = c;
    }
    return false;
  });
  return true;
}

std::vector<uint32_t> SqueezedToFolded(const TextViews& views) {
  const std::string& f = views.folded.text;
  std::vector<uint32_t> index;
  index.reserve(views.squeezed.size());
  for (size_t i = 0; i < f.size(); ++i) {
    if (kSqueezeKeep[static_cast<unsigned char>(f[i])]) index.push_back(static_cast<uint32_t>(i));
  }
  return index;
}

uint32_t View::OriginalStart(size_t s) const {
  auto it = std::upper_bound(segments.begin(), segments.end(), s,
                             [](size_t v, const Segment& g) { return v < g.view; });
  const Segment& g = *(it - 1);
  return g.orig_end != 0 ? g.orig : g.orig + static_cast<uint32_t>(s - g.view);
}

uint32_t View::OriginalEnd(size_t e) const {
  auto it = std::upper_bound(segments.begin(), segments.end(), e - 1,
                             [](size_t v, const Segment& g) { return v < g.view; });
  const Segment& g = *(it - 1);
  return g.orig_end != 0 ? g.orig_end : g.orig + static_cast<uint32_t>(e - g.view);
}

std::string ApplyEdits(std::string_view text, const std::vector<Edit>& edits,
                       const std::vector<Replacement>& replacements) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  size_t e = 0;
  auto copy_until = [&](size_t limit) {
    while (pos < limit) {
      while (e < edits.size() && edits[e].at < pos) ++e;
      if (e < edits.size() && edits[e].at < limit) {
        out.append(text.substr(pos, edits[e].at - pos));
        out.append(edits[e].with);
        pos = edits[e].at + edits[e].length;
        ++e;
      } else {
        out.append(text.substr(pos, limit - pos));
        pos = limit;
      }
    }
  };
  for (const Replacement& r : replacements) {
    if (r.start < pos) continue;
    copy_until(r.start);
    out.append(r.with);
    pos = r.end;
  }
  copy_until(text.size());
  return out;
}

std::string FoldCodePoint(char32_t cp) {
  if (cp < 0x80) {
    const AsciiTable& a = Ascii();
    return std::string(1, a.fold[cp]);
  }
  return FoldSlow(cp).first;
}

std::string FoldPatternText(std::string_view pattern) {
  std::string out;
  size_t i = 0;
  while (i < pattern.size()) {
    auto c = static_cast<unsigned char>(pattern[i]);
    char32_t cp = 0;
    size_t len = c < 0x80 ? 0 : DecodeUtf8(pattern, i, cp);
    if (len == 0) {
      out.push_back(pattern[i]);
      ++i;
      continue;
    }
    out += FoldSlow(cp).first;
    i += len;
  }
  return out;
}

bool SpanIsDisguised(const TextViews& views, uint32_t start, uint32_t end) {
  auto it = std::lower_bound(views.lookalikes.begin(), views.lookalikes.end(), start);
  return it != views.lookalikes.end() && *it < end;
}

}  // namespace reagent::sanitizer_internal
