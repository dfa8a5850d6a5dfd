// Layers 0 and 1: one pass over the original bytes that checks hygiene (invalid UTF-8,
// control characters, invisible and tag characters) and builds the views the rules match:
//   folded   — NFKC, case folded, diacritics stripped, lookalikes folded to ASCII, invisible
//              characters dropped, runs of spaces collapsed (newlines kept);
//   squeezed — the folded view without ASCII spaces and punctuation.
// Every byte of a view remembers the original byte range it came from, so a match in a view
// becomes a span of the original text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace reagent::sanitizer_internal {

struct View {
  std::string text;
  std::vector<uint32_t> begin;  // per byte of text: original start of the source character
  std::vector<uint32_t> end;    // per byte of text: original end of the source character

  // Original span of view bytes [s, e); e > s.
  uint32_t OriginalStart(size_t s) const { return begin[s]; }
  uint32_t OriginalEnd(size_t e) const { return end[e - 1]; }
  void Clear() { text.clear(); begin.clear(); end.clear(); }
};

enum class Hygiene : uint8_t { kInvalidUtf8, kControl, kNul, kInvisible, kTag };

struct HygieneSpan {
  Hygiene kind;
  uint32_t start, end;  // original bytes
};

// One change the cleaned text makes to the original: bytes [at, at+length) become `with`.
struct Edit {
  uint32_t at, length;
  std::string_view with;
};

struct TextViews {
  View folded;
  View squeezed;
  std::vector<HygieneSpan> hygiene;      // merged runs, in order
  std::vector<uint32_t> lookalikes;      // original offsets of folded lookalike characters
  std::string tag_payload;               // ASCII hidden in Unicode tag characters
  uint32_t tag_payload_start = 0, tag_payload_end = 0;
  // The text to hand on: invalid UTF-8 → U+FFFD, controls (except \t \n \r), tag, bidi and
  // zero-width smuggling characters removed.
  std::string cleaned;
  std::vector<Edit> edits;  // the changes that made `cleaned`, in order
};

// Builds the views of `text`. Thread-safe (the folding table is built once, on first use).
void BuildViews(std::string_view text, TextViews& out);

// Folds one code point as the folded view would (for tests): the UTF-8 it becomes.
std::string FoldCodePoint(char32_t cp);

// `pattern` with each non-ASCII character replaced by its folding, so a rule may be written
// in natural spelling ("bỏ qua", "игнорируй") and still meet the folded view. ASCII is kept
// as is (regex escapes like \S are case-sensitive).
std::string FoldPatternText(std::string_view pattern);

// True when [start, end) of the original contains a folded lookalike or invisible character:
// evidence that someone disguised the match.
bool SpanIsDisguised(const TextViews& views, uint32_t start, uint32_t end);

}  // namespace reagent::sanitizer_internal
