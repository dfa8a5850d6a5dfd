#include "text_views.h"

#include <algorithm>
#include <array>
#include <utility>

#include <utf8proc.h>

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

// ASCII bytes: what they emit into the folded view (0 = handled by kind).
struct AsciiTable {
  std::array<char, 128> fold{};
  std::array<Kind, 128> kind{};
  AsciiTable() {
    for (int c = 0; c < 128; ++c) {
      fold[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
      kind[c] = Kind::kText;
      if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') kind[c] = Kind::kSpace;
      else if (c == '\n') kind[c] = Kind::kNewline;
      else if (c == 0) kind[c] = Kind::kNul;
      else if (c < 0x20 || c == 0x7F) kind[c] = Kind::kControl;
    }
  }
};

const AsciiTable& Ascii() {
  static const AsciiTable table;
  return table;
}

class ViewBuilder {
 public:
  ViewBuilder(std::string_view text, TextViews& out) : text_(text), out_(out) {
    View& v = out_.folded;
    cap_ = text.size() + kInitialSlack;
    v.text.resize(cap_);
    v.begin.resize(cap_);
    v.end.resize(cap_);
    text_out_ = v.text.data();
    begin_out_ = v.begin.data();
    end_out_ = v.end.data();
  }

  void Run() {
    const FoldTable& table = Table();
    const AsciiTable& ascii = Ascii();
    const size_t n = text_.size();
    size_t i = 0;
    while (i < n) {
      auto c = static_cast<unsigned char>(text_[i]);
      if (c < 0x80) {
        Kind kind = ascii.kind[c];
        if (kind != Kind::kText) {
          Handle(kind, nullptr, 0, i, 1);
          ++i;
          continue;
        }
        // Plain ASCII text, the common case: a tight loop while there is room.
        size_t limit = std::min(n, i + (cap_ - len_));
        while (i < limit) {
          auto d = static_cast<unsigned char>(text_[i]);
          if (d >= 0x80 || ascii.kind[d] != Kind::kText) break;
          text_out_[len_] = ascii.fold[d];
          begin_out_[len_] = static_cast<uint32_t>(i);
          end_out_[len_] = static_cast<uint32_t>(i + 1);
          ++len_;
          ++i;
        }
        if (len_ == cap_) Grow();
        continue;
      }
      char32_t cp = 0;
      size_t len = DecodeUtf8(text_, i, cp);
      if (len == 0) {
        AddHygiene(Hygiene::kInvalidUtf8, i, i + 1);
        ReplaceInCleaned(i, 1, "\xEF\xBF\xBD");
        std::string rep;
        AppendUtf8(rep, kReplacement);
        for (char r : rep) EmitByte(r, i, i + 1);
        ++i;
        continue;
      }
      if (cp < kBmpSize) {
        const FoldEntry& e = table.Entry(cp);
        Handle(e.kind, table.Text(e), e.length, i, len);
      } else if (cp >= kTagFirst && cp <= kTagLast) {
        AddHygiene(Hygiene::kTag, i, i + len);
        AddDisguise(i);
        ReplaceInCleaned(i, len, "");
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
    if (cleaned_from_ < n) out_.cleaned.append(text_.substr(cleaned_from_));
    Finish();
    BuildSqueezed();
  }

 private:
  void Handle(Kind kind, const char* folded, size_t folded_len, size_t at, size_t len) {
    switch (kind) {
      case Kind::kLookalike:
        AddDisguise(at);
        [[fallthrough]];
      case Kind::kText:
        for (size_t k = 0; k < folded_len; ++k) EmitByte(folded[k], at, at + len);
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
        ReplaceInCleaned(at, len, "");
        EmitSpace(at, at + len);
        return;
      case Kind::kHidden:
        AddDisguise(at);
        return;
      case Kind::kSmuggle:
        AddDisguise(at);
        AddHygiene(Hygiene::kInvisible, at, at + len);
        ReplaceInCleaned(at, len, "");
        return;
    }
  }

  void EmitByte(char c, size_t b, size_t e) {
    if (len_ == cap_) Grow();
    text_out_[len_] = c;
    begin_out_[len_] = static_cast<uint32_t>(b);
    end_out_[len_] = static_cast<uint32_t>(e);
    ++len_;
  }

  void EmitSpace(size_t b, size_t e) {
    if (len_ == 0 || text_out_[len_ - 1] == ' ' || text_out_[len_ - 1] == '\n') return;
    EmitByte(' ', b, e);
  }

  void EmitNewline(size_t b, size_t e) {
    if (len_ > 0 && text_out_[len_ - 1] == ' ') {
      text_out_[len_ - 1] = '\n';
      begin_out_[len_ - 1] = static_cast<uint32_t>(b);
      end_out_[len_ - 1] = static_cast<uint32_t>(e);
      return;
    }
    EmitByte('\n', b, e);
  }

  // The folded view is written through raw pointers into buffers sized up front (the
  // per-byte push_back of three containers cost more than the regex pass).
  void Grow() {
    View& v = out_.folded;
    cap_ = std::max<size_t>(cap_ * 2, kInitialSlack);
    v.text.resize(cap_);
    v.begin.resize(cap_);
    v.end.resize(cap_);
    text_out_ = v.text.data();
    begin_out_ = v.begin.data();
    end_out_ = v.end.data();
  }

  void Finish() {
    View& v = out_.folded;
    v.text.resize(len_);
    v.begin.resize(len_);
    v.end.resize(len_);
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

  void ReplaceInCleaned(size_t at, size_t len, std::string_view with) {
    out_.edits.push_back({static_cast<uint32_t>(at), static_cast<uint32_t>(len), with});
    out_.cleaned.append(text_.substr(cleaned_from_, at - cleaned_from_));
    out_.cleaned.append(with);
    cleaned_from_ = at + len;
  }

  void BuildSqueezed() {
    const View& f = out_.folded;
    View& s = out_.squeezed;
    const size_t n = f.text.size();
    s.text.resize(n);
    s.begin.resize(n);
    s.end.resize(n);
    size_t k = 0;
    for (size_t i = 0; i < n; ++i) {
      auto c = static_cast<unsigned char>(f.text[i]);
      bool keep = c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      s.text[k] = static_cast<char>(c);
      s.begin[k] = f.begin[i];
      s.end[k] = f.end[i];
      k += keep ? 1 : 0;
    }
    s.text.resize(k);
    s.begin.resize(k);
    s.end.resize(k);
  }

  static constexpr size_t kInitialSlack = 256;

  std::string_view text_;
  TextViews& out_;
  size_t cleaned_from_ = 0;
  size_t len_ = 0, cap_ = 0;
  char* text_out_ = nullptr;
  uint32_t* begin_out_ = nullptr;
  uint32_t* end_out_ = nullptr;
};

}  // namespace

void BuildViews(std::string_view text, TextViews& out) {
  out.folded.Clear();
  out.squeezed.Clear();
  out.hygiene.clear();
  out.lookalikes.clear();
  out.tag_payload.clear();
  out.tag_payload_start = out.tag_payload_end = 0;
  out.cleaned.clear();
  out.edits.clear();
  out.cleaned.reserve(text.size());
  ViewBuilder(text, out).Run();
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
