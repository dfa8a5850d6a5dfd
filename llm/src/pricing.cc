#include "reagent/llm/pricing.h"

#include <cctype>

#include "reagent/core/json.h"

namespace reagent {
namespace {

constexpr double kTokensPerMillion = 1e6;
constexpr int64_t kWindow1M = 1047576;       // GPT-4.1 family
constexpr int64_t kWindowGemini = 1048576;   // Gemini 2.5
constexpr int64_t kWindow400K = 400000;      // GPT-5 family
constexpr int64_t kWindow200K = 200000;      // o-series, Claude
constexpr int64_t kWindow128K = 128000;      // GPT-4o, DeepSeek V3.x
constexpr int64_t kWindow32K = 32768;

struct BuiltInPrice {
  const char* model;
  ModelPrice price;
};

// List prices in USD per million tokens (standard tier, 2025).
const BuiltInPrice kBuiltInPrices[] = {
    {"gpt-4.1", {2.00, 0.50, 8.00, kWindow1M}},
    {"gpt-4.1-mini", {0.40, 0.10, 1.60, kWindow1M}},
    {"gpt-4.1-nano", {0.10, 0.025, 0.40, kWindow1M}},
    {"gpt-4o", {2.50, 1.25, 10.00, kWindow128K}},
    {"gpt-4o-mini", {0.15, 0.075, 0.60, kWindow128K}},
    {"gpt-5", {1.25, 0.125, 10.00, kWindow400K}},
    {"gpt-5-mini", {0.25, 0.025, 2.00, kWindow400K}},
    {"gpt-5-nano", {0.05, 0.005, 0.40, kWindow400K}},
    {"o3", {2.00, 0.50, 8.00, kWindow200K}},
    {"o4-mini", {1.10, 0.275, 4.40, kWindow200K}},
    {"claude-sonnet-4.5", {3.00, 0.30, 15.00, kWindow200K}},
    {"claude-haiku-4.5", {1.00, 0.10, 5.00, kWindow200K}},
    {"claude-opus-4.1", {15.00, 1.50, 75.00, kWindow200K}},
    {"gemini-2.5-pro", {1.25, 0.31, 10.00, kWindowGemini}},
    {"gemini-2.5-flash", {0.30, 0.075, 2.50, kWindowGemini}},
    {"gemini-2.5-flash-lite", {0.10, 0.025, 0.40, kWindowGemini}},
    {"deepseek-chat", {0.28, 0.028, 0.42, kWindow128K}},
    {"deepseek-reasoner", {0.28, 0.028, 0.42, kWindow128K}},
    {"mistral-small-latest", {0.10, 0.10, 0.30, kWindow32K * 4}},
};

// "Claude-Sonnet-4-5" -> "claude-sonnet-4.5": lower case, a dash between two digits becomes
// a dot, so dashed and dotted version spellings meet.
std::string Canonical(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (size_t i = 0; i < name.size(); ++i) {
    char c = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
    bool digit_before = i > 0 && std::isdigit(static_cast<unsigned char>(name[i - 1]));
    bool digit_after = i + 1 < name.size() && std::isdigit(static_cast<unsigned char>(name[i + 1]));
    // Only a single digit after the dash: "4-5" is a version, "4-2025" starts a date.
    bool single_digit = digit_after &&
                        (i + 2 >= name.size() || !std::isdigit(static_cast<unsigned char>(name[i + 2])));
    out += (c == '-' && digit_before && single_digit) ? '.' : c;
  }
  return out;
}

// Whether `rest` (what follows a known name) is a dated snapshot suffix: "-2025-04-14",
// "-20250929", "-latest", "-0613".
bool IsSnapshotSuffix(std::string_view rest) {
  if (rest == "-latest") return true;
  if (rest.size() < 5 || rest[0] != '-') return false;
  for (char c : rest.substr(1)) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '-' && c != '.') return false;
  }
  return true;
}

Status FieldError(std::string_view where, std::string_view model, std::string_view field,
                  std::string_view what) {
  return Status::InvalidArgument(std::string(where) + "." + std::string(model) + "." +
                                 std::string(field) + ": " + std::string(what));
}

}  // namespace

PriceTable::PriceTable() : PriceTable(true) {}

PriceTable::PriceTable(bool builtin) {
  if (!builtin) return;
  for (const BuiltInPrice& p : kBuiltInPrices) prices_[Canonical(p.model)] = p.price;
}

PriceTable PriceTable::Empty() { return PriceTable(false); }

const PriceTable& PriceTable::BuiltIn() {
  static const PriceTable table;
  return table;
}

void PriceTable::Set(std::string model, ModelPrice price) {
  prices_[Canonical(model)] = price;
}

Status PriceTable::ApplyOverrides(const nlohmann::json& overrides, std::string_view where) {
  if (!overrides.is_object()) {
    return Status::InvalidArgument(std::string(where) + ": expected an object of model prices, got " +
                                   std::string(JsonTypeName(overrides)));
  }
  std::map<std::string, ModelPrice, std::less<>> updated = prices_;
  for (const auto& [model, fields] : overrides.items()) {
    if (!fields.is_object()) {
      return Status::InvalidArgument(std::string(where) + "." + model + ": expected an object, got " +
                                     std::string(JsonTypeName(fields)));
    }
    std::string key = Canonical(model);
    bool is_new = !updated.count(key);
    ModelPrice price = is_new ? ModelPrice{} : updated[key];
    bool cached_given = false;
    for (const auto& [field, value] : fields.items()) {
      if (field == "context_window") {
        if (!value.is_number_integer() || value.get<int64_t>() <= 0) {
          return FieldError(where, model, field, "expected a positive integer");
        }
        price.context_window = value.get<int64_t>();
        continue;
      }
      double* slot = field == "input"          ? &price.input_per_mtok
                     : field == "cached_input" ? &price.cached_input_per_mtok
                     : field == "output"       ? &price.output_per_mtok
                                               : nullptr;
      if (!slot) {
        return FieldError(where, model, field,
                          "unknown field (expected input, cached_input, output, context_window)");
      }
      if (!value.is_number() || value.get<double>() < 0) {
        return FieldError(where, model, field, "expected a non-negative number");
      }
      *slot = value.get<double>();
      cached_given |= field == "cached_input";
    }
    if (is_new && !cached_given) price.cached_input_per_mtok = price.input_per_mtok;
    updated[key] = price;
  }
  prices_ = std::move(updated);
  return Status::Ok();
}

Status PriceTable::ApplyOverridesFile(const std::string& path) {
  auto json = ReadJsonFile(path);
  if (!json.ok()) return json.status();
  return ApplyOverrides(*json, path);
}

std::optional<ModelPrice> PriceTable::Find(std::string_view model) const {
  std::string name = Canonical(model);
  if (size_t slash = name.rfind('/'); slash != std::string::npos) name = name.substr(slash + 1);
  if (auto it = prices_.find(name); it != prices_.end()) return it->second;
  // Longest known name that `name` extends with a snapshot suffix.
  std::optional<ModelPrice> best;
  size_t best_len = 0;
  for (const auto& [known, price] : prices_) {
    if (known.size() > best_len && name.size() > known.size() && name.starts_with(known) &&
        IsSnapshotSuffix(std::string_view(name).substr(known.size()))) {
      best = price;
      best_len = known.size();
    }
  }
  return best;
}

std::optional<double> PriceTable::Cost(std::string_view model, const Usage& usage) const {
  auto price = Find(model);
  if (!price) return std::nullopt;
  int64_t cached = std::min(usage.cached_tokens, usage.prompt_tokens);
  int64_t uncached = usage.prompt_tokens - cached;
  return (static_cast<double>(uncached) * price->input_per_mtok +
          static_cast<double>(cached) * price->cached_input_per_mtok +
          static_cast<double>(usage.completion_tokens) * price->output_per_mtok) /
         kTokensPerMillion;
}

std::optional<int64_t> PriceTable::ContextWindow(std::string_view model) const {
  auto price = Find(model);
  return price ? price->context_window : std::nullopt;
}

std::optional<double> Cost(std::string_view model, const Usage& usage) {
  return PriceTable::BuiltIn().Cost(model, usage);
}

std::optional<int64_t> ContextWindow(std::string_view model) {
  return PriceTable::BuiltIn().ContextWindow(model);
}

}  // namespace reagent
