// The trimmer in two halves, for a caller that trims at every step of a turn: the earlier
// turns are grouped once (they do not change while the turn runs), and each step only groups
// its own turn's steps and chooses what to drop. TrimHistory (the public entry point) is the
// two halves in one call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "reagent/agent/history_trimmer.h"

namespace reagent {

// [begin, end) of a run of messages that are kept or dropped together, and their tokens.
struct TrimGroup {
  size_t begin = 0;
  size_t end = 0;
  int64_t tokens = 0;
};

// The conversation before the current turn's user message, as trimming sees it.
struct EarlierTurns {
  size_t first = 0;         // 1 when the conversation starts with a system message
  size_t turn_start = 0;    // the current turn's user message (clamped to [first, size])
  std::vector<TrimGroup> turns;  // oldest first; each starts at a message the user wrote
};

EarlierTurns GroupEarlierTurns(const std::vector<Message>& messages,
                               const std::vector<int64_t>& message_tokens,
                               size_t current_turn_start);

// TrimHistory for `messages` whose part before earlier.turn_start is what `earlier` grouped
// (the current turn may have grown since).
TrimResult TrimGrouped(const EarlierTurns& earlier, const std::vector<Message>& messages,
                       const std::vector<int64_t>& message_tokens, int64_t fixed_tokens,
                       int64_t limit, int64_t step_limit,
                       const std::function<int64_t(const std::string& note)>& count_note);

}  // namespace reagent
