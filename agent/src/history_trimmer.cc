#include "reagent/agent/history_trimmer.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "trim_groups.h"

namespace reagent {
namespace {

int64_t SumTokens(const std::vector<int64_t>& counts, size_t begin, size_t end) {
  int64_t t = 0;
  for (size_t i = begin; i < end && i < counts.size(); ++i) t += counts[i];
  return t;
}

std::string Note(size_t turns, size_t steps) {
  if (turns == 0 && steps == 0) return {};
  std::string what;
  if (turns > 0) what = fmt::format("{} earlier turn{}", turns, turns == 1 ? "" : "s");
  if (steps > 0) {
    if (!what.empty()) what += " and ";
    what += fmt::format("{} earlier step{} of this turn", steps, steps == 1 ? "" : "s");
  }
  return fmt::format("[Conversation trimmed to fit the context window: {} omitted.]", what);
}

}  // namespace

bool IsObservationMessage(const Message& m) {
  return m.role == Role::kUser && std::string_view(m.content).starts_with("Observation:");
}

EarlierTurns GroupEarlierTurns(const std::vector<Message>& messages,
                               const std::vector<int64_t>& message_tokens,
                               size_t current_turn_start) {
  EarlierTurns e;
  const size_t n = messages.size();
  e.first = (n > 0 && messages[0].role == Role::kSystem) ? 1 : 0;
  e.turn_start = std::max(std::min(current_turn_start, n), e.first);
  // Earlier turns: each starts at a user message that the user wrote.
  for (size_t i = e.first; i < e.turn_start; ++i) {
    const bool starts_turn = messages[i].role == Role::kUser && !IsObservationMessage(messages[i]);
    if (e.turns.empty() || starts_turn) e.turns.push_back({i, i + 1, 0});
    else e.turns.back().end = i + 1;
  }
  for (TrimGroup& g : e.turns) g.tokens = SumTokens(message_tokens, g.begin, g.end);
  return e;
}

TrimResult TrimGrouped(const EarlierTurns& earlier, const std::vector<Message>& messages,
                       const std::vector<int64_t>& message_tokens, int64_t fixed_tokens,
                       int64_t limit, int64_t step_limit,
                       const std::function<int64_t(const std::string& note)>& count_note) {
  const size_t n = messages.size();
  const size_t first = earlier.first;
  const size_t current_turn_start = std::min(earlier.turn_start, n);
  const std::vector<TrimGroup>& turns = earlier.turns;
  // Steps of the current turn: an assistant message and the tool results/observations after it.
  std::vector<TrimGroup> steps;
  const size_t steps_begin = std::min(current_turn_start + 1, n);
  for (size_t i = steps_begin; i < n; ++i) {
    if (steps.empty() || messages[i].role == Role::kAssistant) steps.push_back({i, i + 1, 0});
    else steps.back().end = i + 1;
  }
  for (TrimGroup& g : steps) g.tokens = SumTokens(message_tokens, g.begin, g.end);

  int64_t base = fixed_tokens + SumTokens(message_tokens, 0, first) +
                 SumTokens(message_tokens, current_turn_start, steps_begin);
  int64_t kept_turns = 0, kept_steps = 0;
  for (const TrimGroup& g : turns) kept_turns += g.tokens;
  for (const TrimGroup& g : steps) kept_steps += g.tokens;

  size_t drop_turns = 0, drop_steps = 0;
  // The total with the note for the current drops. A prompt already over `bound` without its
  // note is over it with one, so the note is formatted and counted only when it can decide.
  auto total = [&](int64_t bound) {
    const int64_t bare = base + kept_turns + kept_steps;
    if (bare > bound) return bare;
    const std::string note = Note(drop_turns, drop_steps);
    return bare + (note.empty() ? 0 : count_note(note));
  };
  int64_t t = total(limit);
  while (t > limit && drop_turns < turns.size()) {
    kept_turns -= turns[drop_turns++].tokens;
    t = total(limit);
  }
  // The current turn's latest step is the minimum worth sending.
  t = total(step_limit);
  while (t > step_limit && steps.size() > 1 && drop_steps + 1 < steps.size()) {
    kept_steps -= steps[drop_steps++].tokens;
    t = total(step_limit);
  }
  t = total(std::numeric_limits<int64_t>::max());  // the exact total, note included

  TrimResult r;
  r.dropped_turns = drop_turns;
  r.dropped_steps = drop_steps;
  r.note = Note(drop_turns, drop_steps);
  r.tokens = t;
  r.fits = t <= limit;
  const size_t dropped_from = drop_turns < turns.size() ? turns[drop_turns].begin : current_turn_start;
  const size_t dropped_to = drop_steps < steps.size() ? steps[drop_steps].begin : n;
  r.kept.reserve(first + (current_turn_start - dropped_from) + (steps_begin - current_turn_start) +
                 (n - dropped_to));
  for (size_t i = 0; i < first; ++i) r.kept.push_back(i);
  for (size_t g = drop_turns; g < turns.size(); ++g) {
    for (size_t i = turns[g].begin; i < turns[g].end; ++i) r.kept.push_back(i);
  }
  for (size_t i = current_turn_start; i < steps_begin; ++i) r.kept.push_back(i);
  for (size_t g = drop_steps; g < steps.size(); ++g) {
    for (size_t i = steps[g].begin; i < steps[g].end; ++i) r.kept.push_back(i);
  }
  return r;
}

TrimResult TrimHistory(const std::vector<Message>& messages,
                       const std::vector<int64_t>& message_tokens, size_t current_turn_start,
                       int64_t fixed_tokens, int64_t limit, int64_t step_limit,
                       const std::function<int64_t(const std::string& note)>& count_note) {
  return TrimGrouped(GroupEarlierTurns(messages, message_tokens, current_turn_start), messages,
                     message_tokens, fixed_tokens, limit, step_limit, count_note);
}

}  // namespace reagent
