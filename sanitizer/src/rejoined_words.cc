#include "rejoined_words.h"

#include <string>

#include "byte_blocks.h"

namespace reagent::sanitizer_internal {
namespace {

// Letters, roughly: ASCII letters and any UTF-8 sequence (Vietnamese letters, other scripts;
// the views fold them later). Digits are not letters here: "1 2 3 4" is a list.
bool IsAsciiLetter(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
bool IsLetterByte(unsigned char c) { return IsAsciiLetter(c) || c >= 0x80; }
bool IsSeparator(char c) { return c == ' ' || c == '\t'; }
bool IsInnerMark(char c) { return c == '.' || c == '-' || c == '_' || c == '*'; }

// One character of a word: an ASCII byte, or a UTF-8 lead byte with its continuation bytes.
size_t CharLength(std::string_view s, size_t i) {
  if (static_cast<unsigned char>(s[i]) < 0xC0) return 1;
  size_t n = 1;
  while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) ++n;
  return n;
}

// Bytes that make a word a URL, path, address or assignment rather than prose: its dots and
// dashes are not a disguise ("https://ci.example.org/x.svg", "user@mail.example.com").
bool IsCodeByte(char c) {
  return c == '/' || c == ':' || c == '@' || c == '=' || c == '\\' || c == '<' || c == '>';
}

struct Word {
  size_t begin, end;  // bytes of the line
  bool one_letter;    // exactly one letter, with punctuation around it at most
  bool punctuated;    // one of . - _ * between two letters
  bool long_word;     // five letters or more
  bool code;          // a URL, path, address or assignment: left as it is
};

bool IsGap(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// One letter-ish character at `i` followed by a gap or the end: a one-letter word's body.
bool OneCharacterThenGap(std::string_view s, size_t i) {
  if (i >= s.size() || !IsLetterByte(static_cast<unsigned char>(s[i]))) return false;
  const size_t n = CharLength(s, i);
  return i + n >= s.size() || IsGap(s[i + n]);
}

// At a separator: the one-letter word after it is followed by another one.
bool TwoOneLetterWords(std::string_view s, size_t i) {
  if (!OneCharacterThenGap(s, i + 1)) return false;
  size_t j = i + 1 + CharLength(s, i + 1);
  while (j < s.size() && IsSeparator(s[j])) ++j;
  return OneCharacterThenGap(s, j);
}

// The signal at byte i (see NextRejoinSignal), byte by byte.
bool IsSignal(std::string_view t, size_t i) {
  const char c = t[i];
  const auto at = [&](size_t k) { return static_cast<unsigned char>(t[k]); };
  if (IsSeparator(c)) {
    if (i + 2 >= t.size()) return false;
    const unsigned char n = at(i + 1);
    if (IsAsciiLetter(n)) return IsGap(t[i + 2]);
    return n >= 0xC0 && ((i + 3 < t.size() && IsGap(t[i + 3])) || (i + 4 < t.size() && IsGap(t[i + 4])));
  }
  return IsInnerMark(c) && i >= 1 && i + 1 < t.size() && IsLetterByte(at(i - 1)) && IsLetterByte(at(i + 1));
}

template <typename F>
void ForEachWord(std::string_view line, F&& f) {
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsSeparator(line[i])) ++i;
    if (i == line.size()) break;
    Word w{i, i, false, false, false, false};
    size_t letters = 0;
    bool digits = false;
    while (i < line.size() && !IsSeparator(line[i])) {
      const auto c = static_cast<unsigned char>(line[i]);
      if (IsLetterByte(c)) {
        ++letters;
        i += CharLength(line, i);
        continue;
      }
      if (c >= '0' && c <= '9') digits = true;
      // Inside the word ("a:b", "x/y", "k=v"), not a colon or quote mark at its edge.
      if (IsCodeByte(line[i]) && i > w.begin && i + 1 < line.size() && !IsSeparator(line[i + 1])) {
        w.code = true;
      }
      if (IsInnerMark(line[i]) && i > w.begin && i + 1 < line.size() &&
          IsLetterByte(static_cast<unsigned char>(line[i - 1])) &&
          IsLetterByte(static_cast<unsigned char>(line[i + 1]))) {
        w.punctuated = true;
      }
      ++i;
    }
    w.end = i;
    if (w.code) w.punctuated = false;
    w.long_word = letters >= 5 && !w.code;
    // One letter with at most punctuation around it ("s." at a sentence's end), no digit.
    w.one_letter = letters == 1 && !digits;
    f(w);
  }
}

bool LooksTakenApart(std::string_view line) {
  size_t run = 0, longest_run = 0, punctuated = 0, long_words = 0;
  ForEachWord(line, [&](const Word& w) {
    run = w.one_letter ? run + 1 : 0;
    if (run > longest_run) longest_run = run;
    if (w.punctuated && w.long_word) ++punctuated;
    if (w.long_word) ++long_words;
  });
  if (longest_run >= kMinSpacedLetters) return true;
  return punctuated >= kMinPunctuatedWords && 2 * punctuated >= long_words;
}

}  // namespace

std::string RejoinLine(std::string_view line) {
  std::vector<Word> words;
  ForEachWord(line, [&](const Word& w) { words.push_back(w); });
  std::string out;
  out.reserve(line.size());
  size_t copied = 0;  // bytes of `line` handled
  auto append_word = [&](const Word& w) {
    if (w.code) {
      out.append(line.substr(w.begin, w.end - w.begin));
      return;
    }
    for (size_t k = w.begin; k < w.end; ++k) {
      if (IsInnerMark(line[k]) && k > w.begin && k + 1 < w.end &&
          IsLetterByte(static_cast<unsigned char>(line[k - 1])) &&
          IsLetterByte(static_cast<unsigned char>(line[k + 1]))) {
        continue;
      }
      out += line[k];
    }
  };
  for (size_t i = 0; i < words.size();) {
    size_t j = i;
    while (j < words.size() && words[j].one_letter) ++j;
    const bool spaced_run = j - i >= kMinSpacedLetters;
    if (!spaced_run) j = i + 1;
    out.append(line.substr(copied, words[i].begin - copied));  // the separators before
    for (size_t k = i; k < j; ++k) {
      // Inside a run, a wider gap than one space is where one spaced-out word ends.
      if (k > i && words[k].begin - words[k - 1].end > 1) out += ' ';
      append_word(words[k]);
    }
    copied = words[j - 1].end;
    i = j;
  }
  out.append(line.substr(copied));
  return out;
}

size_t NextRejoinSignal(std::string_view text, size_t from, bool allow_vector) {
  size_t i = from;
#if defined(__SSE2__)
  using namespace blocks;
  if (allow_vector) {
    if (i == 0 && !text.empty()) {
      if (IsSignal(text, 0)) return 0;
      i = 1;
    }
    // Byte i of the block needs bytes i-1 .. i+4.
    const auto* d = text.data();
    const __m128i case_bit = _mm_set1_epi8(0x20), below_lead = _mm_set1_epi8(static_cast<char>(0xBF));
    for (; i + kSize + 4 <= text.size(); i += kSize) {
      const __m128i x = Load(d + i), before = Load(d + i - 1), x1 = Load(d + i + 1);
      const __m128i x2 = Load(d + i + 2), x3 = Load(d + i + 3), x4 = Load(d + i + 4);
      const __m128i ascii1 = InRange(_mm_or_si128(x1, case_bit), 'a', 'z');
      const __m128i lead1 = _mm_and_si128(NonAscii(x1), _mm_cmpgt_epi8(x1, below_lead));
      const __m128i spaced = _mm_and_si128(
          AnyOf(x, ' ', '\t'),
          _mm_or_si128(_mm_and_si128(ascii1, AnyOf(x2, ' ', '\t', '\n', '\r')),
                       _mm_and_si128(lead1, _mm_or_si128(AnyOf(x3, ' ', '\t', '\n', '\r'),
                                                         AnyOf(x4, ' ', '\t', '\n', '\r')))));
      const __m128i letter_before =
          _mm_or_si128(InRange(_mm_or_si128(before, case_bit), 'a', 'z'), NonAscii(before));
      const __m128i letter_after = _mm_or_si128(ascii1, NonAscii(x1));
      const __m128i mark = _mm_and_si128(AnyOf(x, '.', '-', '_', '*'), _mm_and_si128(letter_before, letter_after));
      if (const unsigned m = Mask(_mm_or_si128(spaced, mark))) return i + static_cast<size_t>(__builtin_ctz(m));
    }
  }
#else
  (void)allow_vector;
#endif
  for (; i < text.size(); ++i) {
    if (IsSignal(text, i)) return i;
  }
  return text.size();
}

std::vector<Payload> FindRejoined(std::string_view text, size_t max_payloads, bool allow_vector) {
  std::vector<Payload> out;
  size_t last_mark = std::string_view::npos;
  for (size_t i = 0; (i = NextRejoinSignal(text, i, allow_vector)) < text.size();) {
    bool look = false;
    if (IsSeparator(text[i])) {
      look = TwoOneLetterWords(text, i);
    } else {
      look = last_mark != std::string_view::npos && i - last_mark <= kMarkPairBytes &&
             text.substr(last_mark, i - last_mark).find('\n') == std::string_view::npos;
      last_mark = i;
    }
    if (!look) {
      ++i;
      continue;
    }
    const size_t nl_before = text.rfind('\n', i);
    const size_t start = nl_before == std::string_view::npos ? 0 : nl_before + 1;
    size_t end = text.find('\n', i);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    if (LooksTakenApart(line)) {
      if (!out.empty() && out.back().end + 1 == start) {  // the line right after the last one
        out.back().decoded += '\n';
        out.back().decoded += RejoinLine(line);
        out.back().end = static_cast<uint32_t>(end);
      } else if (out.size() < max_payloads) {
        out.push_back({"rejoined", static_cast<uint32_t>(start), static_cast<uint32_t>(end), RejoinLine(line)});
      } else {
        break;
      }
    }
    i = end;
    last_mark = std::string_view::npos;
  }
  return out;
}

}  // namespace reagent::sanitizer_internal
