#include "turn_scheduler.h"

namespace reagent::server {

TurnScheduler::TurnScheduler(int64_t max_running, int64_t max_queued)
    : max_running_(std::max<int64_t>(1, max_running)), max_queued_(std::max<int64_t>(0, max_queued)) {}

TurnScheduler::~TurnScheduler() {
  StopAdmitting();
  {
    std::unique_lock lock(mu_);
    idle_cv_.wait(lock, [&] { return running_ == 0; });
    exiting_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : threads_) t.join();
}

TurnScheduler::Admission TurnScheduler::Submit(Job job) {
  std::unique_lock lock(mu_);
  if (stopped_) return Admission::kStopped;
  const int64_t admitted = running_ + static_cast<int64_t>(queue_.size());
  if (admitted >= max_running_ + max_queued_) return Admission::kFull;
  const Admission admission = admitted >= max_running_ ? Admission::kQueued : Admission::kRunning;
  queue_.push_back(std::move(job));
  if (idle_workers_ == 0 && static_cast<int64_t>(threads_.size()) < max_running_) {
    threads_.emplace_back([this] { Work(); });
  } else {
    work_cv_.notify_one();
  }
  return admission;
}

void TurnScheduler::Work() {
  std::unique_lock lock(mu_);
  while (true) {
    ++idle_workers_;
    work_cv_.wait(lock, [&] { return exiting_ || (!queue_.empty() && running_ < max_running_); });
    --idle_workers_;
    if (exiting_) return;
    Job job = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    lock.unlock();
    job(true);
    job = nullptr;  // what the job holds is released before it counts as done
    lock.lock();
    --running_;
    idle_cv_.notify_all();
    if (!queue_.empty()) work_cv_.notify_one();
  }
}

void TurnScheduler::StopAdmitting() {
  std::deque<Job> dropped;
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    dropped.swap(queue_);
  }
  idle_cv_.notify_all();
  for (Job& job : dropped) job(false);
}

bool TurnScheduler::WaitIdle(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  return idle_cv_.wait_until(lock, deadline, [&] { return running_ == 0 && queue_.empty(); });
}

int64_t TurnScheduler::running() const {
  std::lock_guard lock(mu_);
  return running_;
}
int64_t TurnScheduler::queued() const {
  std::lock_guard lock(mu_);
  return static_cast<int64_t>(queue_.size());
}
int64_t TurnScheduler::workers() const {
  std::lock_guard lock(mu_);
  return static_cast<int64_t>(threads_.size());
}

}  // namespace reagent::server
