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

// Where a run of view bytes came from. A linear segment maps each view byte to one original
// ASCII byte (view byte `view + k` is original byte `orig + k`); a character segment maps all
// its view bytes to one original character [orig, orig_end). A segment ends where the next
// one starts. Plain ASCII prose is a handful of linear segments, so building a view writes
// about one byte per input byte.
struct Segment {
  uint32_t view;
  uint32_t orig;
  uint32_t orig_end;  // 0 for a linear segment
};

struct View {
  std::string text;
  std::vector<Segment> segments;  // sorted by `view`; the first starts at 0

  // Original span of view bytes [s, e); e > s.
  uint32_t OriginalStart(size_t s) const;
  uint32_t OriginalEnd(size_t e) const;
  void Clear() { text.clear(); segments.clear(); }
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
  // The folded view without ASCII spaces and punctuation. Its bytes map to the folded view
  // through SqueezedToFolded (computed on demand: only a match needs it).
  std::string squeezed;
  std::vector<HygieneSpan> hygiene;      // merged runs, in order
  std::vector<uint32_t> lookalikes;      // original offsets of folded lookalike characters
  std::string tag_payload;               // ASCII hidden in Unicode tag characters
  uint32_t tag_payload_start = 0, tag_payload_end = 0;
  // The changes that make the text to hand on (see ApplyEdits): invalid UTF-8 → U+FFFD,
  // controls (except \t \n \r), tag, bidi and zero-width smuggling characters removed.
  std::vector<Edit> edits;  // in order, disjoint
};

// A span of the original text to replace when producing cleaned text.
struct Replacement {
  uint32_t start, end;
  std::string with;
};

// Builds the views of `text`. Thread-safe (the folding table is built once, on first use).
void BuildViews(std::string_view text, TextViews& out);

// The bytes of `folded` the squeezed view keeps, by the vector path when `allow_vector` and
// the CPU has one, else by the scalar path (both are tested against each other).
std::string SqueezeBytes(std::string_view folded, bool allow_vector);

// The leetspeak reading of a folded view: inside every word that mixes ASCII letters with
// 0 1 3 4 5 7 @ $, those become o i e a s t a s ("d1sr3g4rd" reads "disregard"); other bytes
// are kept, so the reading has the folded view's length and offsets. False (and `out`
// untouched) when no word needs it, which is the case for almost all prose: a fast scan for
// the eight bytes decides.
bool LeetView(std::string_view folded, std::string& out);

// Per byte of views.squeezed: its position in views.folded.
std::vector<uint32_t> SqueezedToFolded(const TextViews& views);

// Original text with the hygiene edits applied, and `replacements` (sorted, disjoint) taking
// precedence over the edits they cover.
std::string ApplyEdits(std::string_view text, const std::vector<Edit>& edits,
                       const std::vector<Replacement>& replacements = {});

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
