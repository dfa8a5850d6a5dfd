#include "reagent/core/secret_scrubber.h"

#include <algorithm>
#include <cctype>

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

}  // namespace

SecretScrubber::SecretScrubber() : secrets_(RegisteredSecrets()) {}

size_t SecretScrubber::SafePrefix() const {
  const std::string_view text = pending_;
  // Key-shaped tokens are runs of key characters: the last word may still grow into one. A
  // "Bearer" before it belongs to the token it introduces.
  size_t hold = LastWordStart(text, text.size());
  if (hold > 0) {
    size_t before = hold;
    while (before > 0 && IsSpace(text[before - 1])) --before;
    const size_t word = LastWordStart(text, before);
    if (EqualsIgnoringCase(text.substr(word, before - word), "bearer")) hold = word;
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
