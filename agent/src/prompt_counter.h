// Exact token counts for the agent's prompts, message by message, so a growing conversation is
// counted incrementally (each message once) instead of re-tokenized every step.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reagent/core/message.h"
#include "reagent/core/status.h"
#include "reagent/llm/chat_model.h"

namespace reagent {

// Thread-safe (const after creation).
class PromptCounter {
 public:
  virtual ~PromptCounter() = default;
  // Tokens one message adds to a chat prompt (its content, role and framing).
  virtual int64_t CountMessage(const Message& m) const = 0;
  // Tokens a request costs beyond its messages: the reply priming and the tool schemas
  // (`tools_json` null or an OpenAI `tools` array).
  virtual int64_t CountFixed(const nlohmann::json& tools_json) const = 0;
  // Tokens of a plain text (a reply whose usage the provider did not report).
  virtual int64_t CountText(std::string_view text) const = 0;
  // Whether the counts are exact for this model (false: a calibrated estimate).
  virtual bool exact() const = 0;
};

// The counter for `model` (the tokenizer layer's encoding map; an estimator for unknown models).
Result<std::shared_ptr<const PromptCounter>> MakePromptCounter(const std::string& model);


}  // namespace reagent
