#include "reagent/core/secret_scrubber.h"

#include <algorithm>
#include <cctype>

#include "key_shape.h"
#include "reagent/core/logging.h"

namespace reagent {
namespace {

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

bool EqualsIgnoringCase(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != lower[i]) return false;
  }
  return true;
}

// The start of the word (run of non-space bytes) that ends text, or text.size().
size_t LastWordStart(std::string_view text, size_t end) {
  size_t i = end;
  while (i > 0 && !IsSpace(text[i - 1])) --i;
  return i;
}

using key_shape::IsKeyChar;
using key_shape::kKeyPrefix;

bool StartsWithIgnoringCase(std::string_view text, std::string_view lower_prefix) {
  return text.size() >= lower_prefix.size() && EqualsIgnoringCase(text.substr(0, lower_prefix.size()), lower_prefix);
}

// Where a key-shaped token ("sk-…", as RedactSecrets finds them) that may still grow begins in
// the final run of token characters of text, or text.size() when none can.
size_t TokenInProgress(std::string_view text) {
  size_t run = text.size();
  while (run > 0 && (IsKeyChar(text[run - 1]) || text[run - 1] == '.')) --run;
  for (size_t q = run; q < text.size(); ++q) {
    if (q > 0 && IsKeyChar(text[q - 1])) continue;  // not where a token starts
    const std::string_view rest = text.substr(q);
    if (StartsWithIgnoringCase(rest, kKeyPrefix) ||
        (rest.size() < kKeyPrefix.size() && EqualsIgnoringCase(rest, kKeyPrefix.substr(0, rest.size()))))
      return q;
  }
  return text.size();
}

}  // namespace

SecretScrubber::SecretScrubber() : secrets_(RegisteredSecrets()) {}

size_t SecretScrubber::SafePrefix() const {
  const std::string_view text = pending_;
  // Only what may still become a secret is held back: a key-shaped token in progress, and
  // "Bearer" with the token it introduces. Ordinary text, long words included, flows on.
  size_t hold = TokenInProgress(text);
  const size_t word = LastWordStart(text, text.size());
  const std::string_view last = text.substr(word);
  constexpr std::string_view kBearer = "bearer";
  if (!last.empty() && last.size() <= kBearer.size() && EqualsIgnoringCase(last, kBearer.substr(0, last.size()))) {
    hold = std::min(hold, word);
  } else {
    size_t before = word;
    while (before > 0 && IsSpace(text[before - 1])) --before;
    const size_t previous = LastWordStart(text, before);
    if (before < word && EqualsIgnoringCase(text.substr(previous, before - previous), kBearer))
      hold = std::min(hold, previous);
  }
  // A registered secret (it may contain spaces) whose beginning ends the text, or that
  // straddles the cut.
  for (const std::string& secret : secrets_) {
    for (size_t k = std::min(secret.size() - 1, text.size()); k > 0; --k) {
      if (EqualsIgnoringCase(text.substr(text.size() - k), std::string_view(secret).substr(0, k))) {
        hold = std::min(hold, text.size() - k);
        break;
      }
    }
    const size_t from = hold >= secret.size() ? hold - secret.size() + 1 : 0;
    for (size_t i = from; i < hold; ++i) {
      if (i + secret.size() <= text.size() &&
          EqualsIgnoringCase(text.substr(i, secret.size()), secret)) {
        hold = i;
        break;
      }
    }
  }
  return hold;
}

std::string SecretScrubber::Release(size_t n) {
  const std::string head = pending_.substr(0, n);
  pending_.erase(0, n);
  std::string out = RedactSecrets(head);
  if (out != head) redacted_ = true;
  return out;
}

std::string SecretScrubber::Feed(std::string_view piece) {
  pending_.append(piece);
  return Release(SafePrefix());
}

std::string SecretScrubber::Finish() { return Release(pending_.size()); }

}  // namespace reagent
