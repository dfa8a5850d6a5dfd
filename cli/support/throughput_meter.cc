#include "support/throughput_meter.h"

namespace reagent::cli {

void ThroughputMeter::Record(TimePoint at) { done_.push_back(at); }

double ThroughputMeter::Rate(TimePoint now) {
  // Keep one completion older than the window as the start of the span.
  while (done_.size() > 2 && done_[1] < now - window_) done_.pop_front();
  if (done_.size() < 2) return 0;
  // From the oldest kept completion to now: a stall since the last completion lowers the rate.
  const double span = ToSeconds(now - done_.front());
  if (span <= 0) return 0;
  return static_cast<double>(done_.size() - 1) / span;
}

}  // namespace reagent::cli
