// OutageNote: one warning when a fail-open component starts carrying on without Redis and
// one note when Redis is back, instead of a log line per call during an outage.
#pragma once

#include <atomic>
#include <string>

#include "reagent/core/logging.h"
#include "reagent/core/status.h"

namespace reagent::redis_internal {

class OutageNote {
 public:
  explicit OutageNote(std::string what) : what_(std::move(what)) {}

  void Failed(const Status& s) {
    if (!down_.exchange(true)) Logger()->warn("{}: {}; carrying on without Redis (fail_open)", what_, s.message());
  }
  void Succeeded() {
    if (down_.load(std::memory_order_relaxed) && down_.exchange(false)) Logger()->warn("{}: Redis is back", what_);
  }

 private:
  const std::string what_;
  std::atomic<bool> down_{false};
};

}  // namespace reagent::redis_internal
