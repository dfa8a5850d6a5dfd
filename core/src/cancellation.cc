#include "reagent/core/cancellation.h"

#include <atomic>
#include <map>
#include <mutex>

namespace reagent {
namespace detail {
struct CancelState {
  std::atomic<bool> cancelled{false};
  std::mutex mu;
  int next_id = 1;
  std::map<int, std::function<void()>> callbacks;
};
}  // namespace detail

bool CancellationToken::cancelled() const {
  return state_ && state_->cancelled.load(std::memory_order_acquire);
}

int CancellationToken::OnCancel(std::function<void()> fn) const {
  if (!state_) return 0;
  {
    std::lock_guard lock(state_->mu);
    if (!state_->cancelled.load()) {
      int id = state_->next_id++;
      state_->callbacks.emplace(id, std::move(fn));
      return id;
    }
  }
  fn();
  return 0;
}

void CancellationToken::Unsubscribe(int id) const {
  if (!state_ || id == 0) return;
  std::lock_guard lock(state_->mu);
  state_->callbacks.erase(id);
}

CancellationSource::CancellationSource() : state_(std::make_shared<detail::CancelState>()) {}

void CancellationSource::Cancel() {
  std::map<int, std::function<void()>> callbacks;
  {
    std::lock_guard lock(state_->mu);
    if (state_->cancelled.exchange(true)) return;
    callbacks.swap(state_->callbacks);
  }
  for (auto& [id, fn] : callbacks) fn();
}

bool CancellationSource::cancelled() const { return state_->cancelled.load(); }

}  // namespace reagent
