// Shows a running turn to a person: the answer streams to `out` as it arrives (in ReAct mode
// only the text after "Final Answer:"), and steps, tool calls, retries, fallbacks, budget
// warnings and sanitizer findings go to `err` as short lines. Verbose adds thoughts and
// observations. Thread-safe enough for one turn at a time.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

#include "reagent/agent/agent.h"
#include "reagent/core/json.h"

namespace reagent::cli {

struct TurnDisplayOptions {
  bool stream_answer = true;  // false: print nothing on `out` (e.g. --json)
  bool verbose = false;       // thoughts and observations too
  bool quiet = false;         // no progress lines at all
  bool colors = false;
};

class TurnDisplay final : public AgentObserver {
 public:
  TurnDisplay(std::FILE* out, std::FILE* err, TurnDisplayOptions options);
  void OnEvent(const AgentEvent& event) override;

  // Whether any of the final answer reached `out` while streaming.
  bool streamed_answer() const { return streamed_any_; }
  // Prints the final answer if streaming did not (call after Run).
  void FinishAnswer(const std::string& final_answer);

 private:
  void Line(const std::string& text);
  void StreamDelta(const std::string& delta);

  std::FILE* out_;
  std::FILE* err_;
  TurnDisplayOptions options_;
  std::mutex mu_;
  std::string step_text_;     // streamed text of the current call
  size_t answer_start_ = 0;   // where the answer begins in step_text_ (0: marker not seen)
  size_t answer_printed_ = 0; // bytes of the answer already printed
  bool streamed_any_ = false;
  bool answer_open_ = false;  // answer text on out_ not yet ended by a newline
};

// One line summarising a finished turn: "stop final_answer · 2 steps · 412 tokens · $0.000612".
std::string TurnSummary(const TurnResult& result);

// The `--json` document of a turn.
Json TurnJson(const TurnResult& result, const std::string& session_id);

}  // namespace reagent::cli
