#include "support/exit_codes.h"

#include <cmath>

#include "support/terminal.h"

namespace reagent::cli {

TurnFailure DescribeTurnFailure(const Status& status) {
  switch (status.code()) {
    case StatusCode::kNotFound:
    case StatusCode::kExpired:
      return {kExitUsage, status.ToString()};
    case StatusCode::kRateLimited: {
      std::string message = status.ToString();
      if (auto wait = status.retry_after_s(); wait && std::isfinite(*wait) && *wait >= 0) {
        message += "; try again in " + FormatDuration(std::max(*wait, 1.0));
      }
      return {kExitRateLimited, message};
    }
    case StatusCode::kCancelled:
      return {kExitCancelled, status.ToString()};
    default:
      return {kExitFailure, status.ToString()};
  }
}

}  // namespace reagent::cli
