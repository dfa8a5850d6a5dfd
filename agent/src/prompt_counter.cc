#include "prompt_counter.h"

#include "reagent/tokenizer/token_counter.h"

namespace reagent {
namespace {

// OpenAI's chat accounting is additive (framing per message + reply priming + tool schemas),
// so a prompt's count is the sum of its messages' counts plus the fixed part.
class TokenizerPromptCounter final : public PromptCounter {
 public:
  explicit TokenizerPromptCounter(TokenCounter counter) : counter_(counter) {}

  int64_t CountMessage(const Message& m) const override { return counter_.CountMessage(m); }
  int64_t CountFixed(const nlohmann::json& tools_json) const override {
    return counter_.CountMessages({}, tools_json);
  }
  int64_t CountText(std::string_view text) const override { return counter_.Count(text); }
  bool exact() const override { return counter_.exact(); }

 private:
  TokenCounter counter_;
};

}  // namespace

Result<std::shared_ptr<const PromptCounter>> MakePromptCounter(const std::string& model) {
  return std::shared_ptr<const PromptCounter>(
      std::make_shared<TokenizerPromptCounter>(TokenCounter::ForModel(model)));
}

}  // namespace reagent
