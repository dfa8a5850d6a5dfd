// What the history scan reads of a stored message. A tool's output enters the history wrapped
// by the agent (Sanitizer::Wrap, after "Observation: " in ReAct turns); the wrapper's lines are
// the agent's own text, so only the output inside is scanned: the wrapper's words would weigh in
// the learned layer's windows, and "Observation:" reads as a forged protocol line. Any other
// message is scanned whole.
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>

#include "reagent/agent/react_protocol.h"
#include "reagent/sanitizer/sanitizer.h"

namespace reagent {

// [first, second): the byte range of `content` the history scan reads.
inline std::pair<size_t, size_t> HistoryText(std::string_view content) {
  const size_t at = content.starts_with(kReactObservationPrefix) ? kReactObservationPrefix.size() : 0;
  if (auto body = Sanitizer::WrappedBody(content.substr(at))) {
    return {at + body->first, at + body->second};
  }
  return {0, content.size()};
}

}  // namespace reagent
