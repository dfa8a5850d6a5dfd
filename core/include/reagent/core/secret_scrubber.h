// SecretScrubber: RedactSecrets for text that arrives in pieces (a streamed answer). A key
// split across two pieces ("sk-ab" + "cdef…") must not reach the terminal half by half, so
// the scrubber holds back the tail of what it has seen for as long as that tail could still
// become a secret — a key-shaped token in progress ("sk-…", "Bearer …") and any suffix that
// starts a registered secret — and releases it, redacted, once it cannot. Ordinary text is
// released as it arrives, so a streamed answer still grows character by character.
//
//   SecretScrubber scrubber;
//   for (piece : stream) Print(scrubber.Feed(piece));
//   Print(scrubber.Finish());
//
// Concatenating every Feed and the Finish gives RedactSecrets of the whole text. Not
// thread-safe (one per stream).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace reagent {

class SecretScrubber {
 public:
  // Uses the secrets registered so far (RegisterSecret).
  SecretScrubber();

  // Takes the next piece; returns the text that is now safe to show (possibly empty).
  std::string Feed(std::string_view piece);
  // The rest, redacted; the scrubber is empty afterwards.
  std::string Finish();
  // Whether anything was redacted so far.
  bool redacted() const { return redacted_; }

 private:
  size_t SafePrefix() const;  // how much of pending_ can be released now
  std::string Release(size_t n);

  std::vector<std::string> secrets_;  // lower-cased
  std::string pending_;
  bool redacted_ = false;
};

}  // namespace reagent
