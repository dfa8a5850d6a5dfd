// What a model call costs. A built-in table of list prices (USD per million tokens, 2025) for
// common models, overridable from JSON; an unknown model is "unpriced" (nullopt), never free.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "reagent/core/message.h"
#include "reagent/core/status.h"

namespace reagent {

struct ModelPrice {
  double input_per_mtok = 0;         // USD per million uncached prompt tokens
  double cached_input_per_mtok = 0;  // USD per million prompt tokens served from the cache
  double output_per_mtok = 0;        // USD per million completion tokens
  std::optional<int64_t> context_window;  // tokens (prompt + output), when known
  friend bool operator==(const ModelPrice&, const ModelPrice&) = default;
};

// A model-name -> price map. Lookups accept the names providers actually return: dated
// snapshots ("gpt-4.1-2025-04-14" prices as "gpt-4.1"), provider prefixes ("openai/gpt-4.1",
// as OpenRouter names them) and dotted/dashed variants ("claude-sonnet-4-5" = "claude-sonnet-4.5").
// Not thread-safe for writes; concurrent const use is safe.
class PriceTable {
 public:
  // The built-in table.
  PriceTable();
  static PriceTable Empty();
  // A shared copy of the built-in table.
  static const PriceTable& BuiltIn();

  // Adds or replaces one model's price.
  void Set(std::string model, ModelPrice price);

  // Applies overrides in this shape (any subset of fields; a missing field keeps the current
  // value, or 0 for a new model; "cached_input" defaults to "input" for a new model):
  //   {"gpt-4.1": {"input": 2.0, "cached_input": 0.5, "output": 8.0, "context_window": 1047576}}
  // Errors name the model and field ("pricing.gpt-4.1.output: expected a non-negative number").
  Status ApplyOverrides(const nlohmann::json& overrides, std::string_view where = "pricing");
  Status ApplyOverridesFile(const std::string& path);

  // The price of `model` (see the naming rules above), or nullopt when unpriced.
  std::optional<ModelPrice> Find(std::string_view model) const;

  // USD for `usage` on `model`: uncached prompt tokens at the input price, cached tokens at
  // the cached price, completion tokens at the output price. nullopt when unpriced.
  std::optional<double> Cost(std::string_view model, const Usage& usage) const;

  // The model's context window in tokens, when known.
  std::optional<int64_t> ContextWindow(std::string_view model) const;

  const std::map<std::string, ModelPrice, std::less<>>& entries() const { return prices_; }

 private:
  explicit PriceTable(bool builtin);
  std::map<std::string, ModelPrice, std::less<>> prices_;
};

// The built-in table's Cost / ContextWindow.
std::optional<double> Cost(std::string_view model, const Usage& usage);
std::optional<int64_t> ContextWindow(std::string_view model);

}  // namespace reagent
