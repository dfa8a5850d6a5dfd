#include "reagent/llm/resilient_model.h"

#include <utility>

#include "reagent/llm/rate_limited_model.h"
#include "reagent/llm/retrying_model.h"

namespace reagent {

Result<std::shared_ptr<FallbackChain>> MakeResilientModel(std::vector<ResilientModelSpec> models,
                                                          const ResilienceOptions& options,
                                                          Clock& clock, Random& random) {
  if (models.empty()) return Status::InvalidArgument("a model chain needs at least one model");
  REAGENT_RETURN_IF_ERROR(options.retry.Validate());
  REAGENT_RETURN_IF_ERROR(options.breaker.Validate());
  REAGENT_RETURN_IF_ERROR(options.limiter.Validate());
  auto budget = std::make_shared<RetryBudget>(clock, options.retry.budget_ratio,
                                              options.retry.budget_window,
                                              options.retry.budget_min_retries);
  std::vector<FallbackEntry> entries;
  for (size_t i = 0; i < models.size(); ++i) {
    ResilientModelSpec& spec = models[i];
    if (!spec.model) {
      return Status::InvalidArgument("model #" + std::to_string(i + 1) + " of the chain is null");
    }
    if (spec.limits) REAGENT_RETURN_IF_ERROR(spec.limits->Validate());
    const std::string name = spec.model_name.empty() ? spec.model->name() : spec.model_name;
    std::shared_ptr<ChatModel> model = spec.model;
    if (options.use_limiters) {
      std::shared_ptr<RateLimiter> limiter = spec.shared_limiter;
      if (!limiter) {
        limiter = std::make_shared<RateLimiter>(clock, spec.limits.value_or(options.limiter), spec.pacing_state);
      }
      model = std::make_shared<RateLimitedModel>(std::move(model), std::move(limiter));
    }
    model = std::make_shared<RetryingModel>(std::move(model), clock, random, options.retry, budget);
    std::shared_ptr<CircuitBreaker> breaker;
    if (options.use_breakers) {
      breaker = std::make_shared<CircuitBreaker>(name, clock, options.breaker, spec.breaker_state);
    }
    entries.push_back(FallbackEntry{.model = std::move(model), .breaker = std::move(breaker),
                                    .model_name = name});
  }
  return std::make_shared<FallbackChain>(std::move(entries), clock);
}

}  // namespace reagent
