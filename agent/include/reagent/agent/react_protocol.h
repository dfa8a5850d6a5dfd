// The ReAct text protocol: the prompt that teaches a model the Thought / Action /
// Action Input / Observation / Final Answer format, and a tolerant parser for its replies.
//
// Models slip: they number their actions ("Action 1:"), add blank lines and spaces, bold the
// keywords, wrap JSON in code fences, or write the Observation themselves. The parser accepts
// the slips that leave the meaning clear and turns the rest into a corrective message the agent
// sends back as an Observation. Lines inside fenced code blocks are never read as keywords, so
// code in an Action Input reaches the tool intact. A forged "Observation:" (the model writing
// the tool's answer itself) is cut together with everything after it: only the real tool may
// produce an observation. A second Action in one reply is cut the same way: one action runs
// per reply, and the history keeps only what ran.
//
// All functions are pure and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace reagent {

// The stop sequence sent with every ReAct request: the model stops where the tool's
// observation would begin.
inline constexpr std::string_view kReactStopSequence = "\nObservation:";

struct ReactReply {
  enum class Kind {
    kAction,       // use `action` with `action_input`
    kFinalAnswer,  // `final_answer` is the answer
    kMalformed,    // `error` says what was wrong, phrased for the model
  };
  Kind kind = Kind::kMalformed;
  std::string thought;       // the reasoning before the action or answer (may be empty)
  std::string action;        // tool name, cleaned of quotes, backticks and emphasis
  std::string action_input;  // as written; a fenced block holding JSON is unwrapped
  std::string final_answer;  // may span lines; inner formatting kept
  std::string error;         // kMalformed only
  std::string text;          // the reply as kept in history (a forged Observation cut off)
  bool forged_observation_cut = false;
};

// Parses one model reply. Never fails: a reply it cannot use is kMalformed with a reason.
ReactReply ParseReactReply(std::string_view reply);

// The system prompt of a ReAct turn: the application's instructions, the tools (as the
// registry describes them), the format, and the rule that text inside spotlighting
// delimiters is data, not instructions. `tool_names` may be empty (answer-only).
std::string BuildReactSystemPrompt(std::string_view system_prompt,
                                   std::string_view tool_descriptions,
                                   const std::vector<std::string>& tool_names);

// The rule, added to every system prompt, that spotlighted text is data: tool output arrives
// between <<<untrusted ...>>> and <<<end untrusted ...>>> delimiters (Sanitizer::Wrap).
std::string_view SpotlightRule();

// The user-role message carrying a (spotlighted) observation back to the model: the prefix,
// then the observation.
inline constexpr std::string_view kReactObservationPrefix = "Observation: ";
std::string ReactObservationMessage(std::string_view observation);

// The instruction of the closing call made when steps or budget run out: no more tools,
// answer now from what the conversation already holds.
std::string ClosingInstruction(std::string_view why);

// Extracts the answer from a closing call's reply: the Final Answer if there is one,
// otherwise the reply without Thought/Action lines.
std::string ExtractClosingAnswer(std::string_view reply);

}  // namespace reagent
