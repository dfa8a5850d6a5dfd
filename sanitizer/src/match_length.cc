#include "match_length.h"

#include <algorithm>

namespace reagent::sanitizer_internal {
namespace {

// Lengths beyond this are treated as unbounded (no window would be smaller than the text).
constexpr size_t kTooLong = size_t{1} << 20;
// Groups nested deeper than this give no bound: the parser recurses once per group, and a
// hostile rule file must not exhaust the stack (RE2 takes far deeper nesting).
constexpr size_t kMaxNesting = 1000;
// The longest UTF-8 encoding of one character: what '.', \S, \W, \D and a negated or
// non-ASCII class can consume.
constexpr size_t kMaxCharBytes = 4;

// ASCII punctuation: escaped, it stands for itself (one byte).
bool IsPunct(char e) {
  return (e >= '!' && e <= '/') || (e >= ':' && e <= '@') || (e >= '[' && e <= '`') ||
         (e >= '{' && e <= '~');
}

// \n \t \r \f \v: one control byte.
bool IsControlEscape(char e) { return e == 'n' || e == 't' || e == 'r' || e == 'f' || e == 'v'; }

// Recursive descent over the pattern; every function returns nullopt for "no bound".
class Parser {
 public:
  Parser(std::string_view p, Assertions assertions) : p_(p), zero_width_(assertions == Assertions::kZeroWidth) {}

  std::optional<size_t> Whole() {
    auto n = Alternation();
    if (!n || i_ != p_.size()) return std::nullopt;  // e.g. an unbalanced ')'
    return n;
  }

 private:
  bool AtEnd() const { return i_ >= p_.size(); }
  char Peek() const { return p_[i_]; }

  // a|b|c: the longest branch.
  std::optional<size_t> Alternation() {
    auto best = Concatenation();
    if (!best) return std::nullopt;
    while (!AtEnd() && Peek() == '|') {
      ++i_;
      auto n = Concatenation();
      if (!n) return std::nullopt;
      best = std::max(*best, *n);
    }
    return best;
  }

  // abc: the sum of the pieces.
  std::optional<size_t> Concatenation() {
    size_t total = 0;
    while (!AtEnd() && Peek() != '|' && Peek() != ')') {
      auto n = Repeated();
      if (!n) return std::nullopt;
      total += *n;
      if (total > kTooLong) return std::nullopt;
    }
    return total;
  }

  // An atom and its quantifier, if any.
  std::optional<size_t> Repeated() {
    auto n = Atom();
    if (!n) return std::nullopt;
    if (AtEnd()) return n;
    size_t times = 1;
    char q = Peek();
    if (q == '*' || q == '+') return std::nullopt;
    if (q == '?') {
      ++i_;
    } else if (q == '{') {
      auto max = Braces();
      if (!max) return std::nullopt;
      times = *max;
    } else {
      return n;
    }
    if (!AtEnd() && (Peek() == '?' || Peek() == '*' || Peek() == '+' || Peek() == '{')) {
      if (Peek() != '?') return std::nullopt;  // a repeated repetition: not worth understanding
      ++i_;                                    // non-greedy: same bound
    }
    if (*n != 0 && times > kTooLong / *n) return std::nullopt;
    return *n * times;
  }

  // {n} or {n,m}: the maximum; {n,} and anything malformed: no bound.
  std::optional<size_t> Braces() {
    ++i_;  // '{'
    auto number = [&]() -> std::optional<size_t> {
      size_t start = i_, v = 0;
      while (!AtEnd() && Peek() >= '0' && Peek() <= '9' && i_ - start < 5) {
        v = v * 10 + static_cast<size_t>(Peek() - '0');
        ++i_;
      }
      if (i_ == start) return std::nullopt;
      return v;
    };
    auto first = number();
    if (!first || AtEnd()) return std::nullopt;
    size_t max = *first;
    if (Peek() == ',') {
      ++i_;
      auto second = number();
      if (!second || *second < *first) return std::nullopt;
      max = *second;
    }
    if (AtEnd() || Peek() != '}') return std::nullopt;
    ++i_;
    return max;
  }

  std::optional<size_t> Atom() {
    char c = Peek();
    if (c == '(') {
      if (++depth_ > kMaxNesting) return std::nullopt;
      ++i_;
      if (!AtEnd() && Peek() == '?') {
        if (p_.substr(i_, 2) != "?:") return std::nullopt;  // flags or named groups
        i_ += 2;
      }
      auto n = Alternation();
      if (!n || AtEnd() || Peek() != ')') return std::nullopt;
      ++i_;
      --depth_;
      return n;
    }
    if (c == '[') return Class();
    if (c == '\\') return Escape();
    if (c == '.') {
      ++i_;
      return kMaxCharBytes;
    }
    if ((c == '^' || c == '$') && zero_width_) {
      ++i_;
      return size_t{0};
    }
    if (c == '^' || c == '$' || c == '*' || c == '+' || c == '?' || c == '{' || c == '}' ||
        c == ')' || c == ']') {
      return std::nullopt;  // assertions, and syntax this parser does not take apart
    }
    // A literal character: its UTF-8 bytes match themselves (the rules are case-sensitive).
    size_t len = 1;
    auto b = static_cast<unsigned char>(c);
    if (b >= 0xC0) len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
    if (b >= 0x80 && b < 0xC0) return std::nullopt;  // a stray continuation byte
    if (i_ + len > p_.size()) return std::nullopt;
    i_ += len;
    return len;
  }

  // After "\p" or "\P": a one-letter class name (\pL) or one in braces (\p{Greek}).
  bool UnicodeClassName() {
    if (AtEnd()) return false;
    if (Peek() != '{') {
      const char c = Peek();
      ++i_;
      return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }
    const size_t close = p_.find('}', i_);
    if (close == std::string_view::npos || close == i_ + 1) return false;
    for (size_t k = i_ + 1; k < close; ++k) {
      const char c = p_[k];
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '^')) return false;
    }
    i_ = close + 1;
    return true;
  }

  // One escape that stands for one character, at i_ (the backslash), consumed: 1 byte for an
  // ASCII class (\d \w \s), escaped punctuation or a control byte (\n \t …), kMaxCharBytes
  // for a class that reaches beyond ASCII (\D \W \S, \pL, \P{Greek}); nullopt for any other
  // escape (i_ is then past its first two bytes). Read the same inside and outside brackets.
  std::optional<size_t> CharacterEscape() {
    if (i_ + 1 >= p_.size()) return std::nullopt;
    const char e = p_[i_ + 1];
    i_ += 2;
    if (e == 'd' || e == 'w' || e == 's') return size_t{1};  // ASCII classes in RE2
    if (IsPunct(e) || IsControlEscape(e)) return size_t{1};
    if (e == 'D' || e == 'W' || e == 'S') return kMaxCharBytes;
    if ((e == 'p' || e == 'P') && UnicodeClassName()) return kMaxCharBytes;
    return std::nullopt;
  }

  std::optional<size_t> Escape() {
    if (i_ + 1 >= p_.size()) return std::nullopt;
    const char e = p_[i_ + 1];
    if (auto n = CharacterEscape()) return n;
    if (zero_width_ && (e == 'b' || e == 'B' || e == 'A' || e == 'z')) return size_t{0};
    return std::nullopt;  // \b \B \A \z (unless zero_width_), \x \Q \C, \a, digits, …
  }

  // [...]: one byte when the class holds only ASCII, else one character.
  std::optional<size_t> Class() {
    ++i_;  // '['
    bool negated = false, ascii = true;
    if (!AtEnd() && Peek() == '^') {
      negated = true;
      ++i_;
    }
    if (!AtEnd() && Peek() == ']') return std::nullopt;  // a leading ']': leave it to RE2
    while (!AtEnd() && Peek() != ']') {
      char c = Peek();
      if (c == '[') return std::nullopt;  // [:alpha:] and the like
      if (c == '\\') {
        auto n = CharacterEscape();
        if (!n) return std::nullopt;  // \x, \b … inside a class
        if (*n > 1) ascii = false;    // it reaches beyond ASCII: the class is one character
        continue;
      }
      if (static_cast<unsigned char>(c) >= 0x80) ascii = false;
      ++i_;
    }
    if (AtEnd()) return std::nullopt;
    ++i_;  // ']'
    return negated || !ascii ? kMaxCharBytes : size_t{1};
  }

  std::string_view p_;
  bool zero_width_ = false;
  size_t i_ = 0;
  size_t depth_ = 0;  // groups open at i_
};

}  // namespace

std::optional<size_t> MaxMatchBytes(std::string_view pattern, Assertions assertions) {
  return Parser(pattern, assertions).Whole();
}

}  // namespace reagent::sanitizer_internal
