// History trimming: fit a conversation into the model's context window and the budget's
// prompt allowance without breaking it.
//
// Rules, in order:
//  - the system message (first, if any) and the latest user message are always kept;
//  - the oldest earlier turns are dropped first, whole (a turn = a user message and every
//    assistant/tool/observation message up to the next user message);
//  - if the current turn alone is still too large, its oldest steps are dropped, each step
//    whole: an assistant message with tool calls is never separated from its tool results,
//    and a ReAct action is never separated from its Observation;
//  - a short note replaces what was dropped, so the model knows the history is partial.
//
// Counting is exact and incremental: the caller supplies a per-message token count (cached by
// the agent) and the fixed overhead of the request (reply priming, tool schemas), so trimming a
// long history does not re-tokenize it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "reagent/core/message.h"

namespace reagent {

struct TrimResult {
  std::vector<size_t> kept;   // indexes into the input, in order
  int64_t tokens = 0;         // fixed overhead + kept messages (+ the note, if any)
  size_t dropped_turns = 0;   // earlier turns dropped whole
  size_t dropped_steps = 0;   // steps of the current turn dropped
  std::string note;           // non-empty when something was dropped: insert after the system message
  bool fits = false;          // tokens <= limit
};

// Chooses which of `messages` to keep so that fixed_tokens + their counts (+ the note's
// count) stay within `limit`: earlier turns are dropped while the total exceeds `limit`,
// steps of the current turn only while it exceeds `step_limit` (pass `limit` to allow both
// equally; a larger value protects the current turn's work). `message_tokens[i]` is the exact count of messages[i];
// `count_note` counts the note message. The user message at `current_turn_start` (the latest
// user message) starts the turn being run; everything before it belongs to earlier turns.
// When even the minimum (system, latest user message, and the current turn's last step)
// does not fit, returns that minimum with fits = false.
TrimResult TrimHistory(const std::vector<Message>& messages,
                       const std::vector<int64_t>& message_tokens, size_t current_turn_start,
                       int64_t fixed_tokens, int64_t limit, int64_t step_limit,
                       const std::function<int64_t(const std::string& note)>& count_note);

// Whether a message is a ReAct observation sent back as a user message ("Observation: ...")
// rather than something the user wrote.
bool IsObservationMessage(const Message& m);

}  // namespace reagent
