// Token counts for budgets: exact when the model's encoding is known (gpt-4o, gpt-4.1,
// o-series, gpt-5 → o200k_base; gpt-4, gpt-3.5, text-embedding-3 → cl100k_base), a calibrated
// per-script estimate otherwise (see script_estimator.h for its measured error).
//
//   TokenCounter counter = TokenCounter::ForModel("gpt-4o-mini");
//   int64_t prompt = counter.CountMessages(messages, tools_json);
//
// Chat counting follows OpenAI's published accounting for its chat format: every message costs
// 3 tokens of framing plus its role, content and name (+1 when a name is present), and the
// reply is primed with 3 more. Tool schemas are counted the way OpenAI's cookbook measured
// them (per function: a fixed start, "name:description", per property "name:type:description"
// and enum values; a fixed end); nested object/array schemas, which the cookbook does not
// cover, are counted as their JSON text, which errs high. Assistant tool calls are counted
// as their function name and arguments plus framing. Over a dozen varied prompts these rules
// land within a few tokens of what the API reports; they are an estimate for tools, exact for
// plain messages.
//
// A TokenCounter is a small value (a pointer to a process-wide Tokenizer); copy it freely. All
// methods are const and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reagent/core/message.h"
#include "reagent/tokenizer/tokenizer.h"

namespace reagent {

// The encoding of an OpenAI model name, if known. Accepts dated variants ("gpt-4o-2024-08-06"),
// provider prefixes ("openai/gpt-4o") and fine-tune names ("ft:gpt-4o-mini:org::id").
std::optional<Encoding> EncodingForModel(std::string_view model);

class TokenCounter {
 public:
  // Exact for a model with a known encoding, estimating otherwise.
  static TokenCounter ForModel(std::string_view model);
  static TokenCounter ForEncoding(Encoding encoding);
  // Always estimates (for models whose tokenizer reagent does not have).
  static TokenCounter Estimating();

  // True when counts are exact token counts of a known encoding.
  bool exact() const { return tokenizer_ != nullptr; }
  // The encoding used when exact().
  std::optional<Encoding> encoding() const;

  // Tokens of `text` (specials counted as text).
  int64_t Count(std::string_view text) const;

  // Chat-format count of a prompt: messages + tool schemas (OpenAI "tools" JSON array, may be
  // null) + reply priming. `tools` of any other shape is counted as its JSON text.
  int64_t CountMessages(const std::vector<Message>& messages, const nlohmann::json& tools = nullptr) const;
  // What one message adds to CountMessages (chat counting is additive), for counting a growing
  // conversation incrementally.
  int64_t CountMessage(const Message& message) const;

  // Overheads of OpenAI's chat format, in tokens.
  static constexpr int64_t kTokensPerMessage = 3;
  static constexpr int64_t kTokensPerName = 1;
  static constexpr int64_t kReplyPrimingTokens = 3;

 private:
  explicit TokenCounter(const Tokenizer* tokenizer) : tokenizer_(tokenizer) {}
  int64_t CountTools(const nlohmann::json& tools) const;

  const Tokenizer* tokenizer_ = nullptr;  // null: estimate
};

}  // namespace reagent
