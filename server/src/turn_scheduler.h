// Admission control for turns: at most max_running run at once (each on a worker thread,
// started on demand and kept), at most max_queued wait for a worker, and anything beyond is
// refused at once so the caller can answer 503 with Retry-After instead of letting requests
// pile up without bound.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace reagent::server {

class TurnScheduler {
 public:
  // A job is called once: run=true on a worker to do its work, or run=false (on the thread
  // that calls StopAdmitting) when it was still queued at shutdown and must answer instead.
  using Job = std::function<void(bool run)>;
  enum class Admission { kRunning, kQueued, kFull, kStopped };

  TurnScheduler(int64_t max_running, int64_t max_queued);
  ~TurnScheduler();  // StopAdmitting(), then waits for running jobs and joins the workers
  TurnScheduler(const TurnScheduler&) = delete;
  TurnScheduler& operator=(const TurnScheduler&) = delete;

  // Thread-safe. kFull / kStopped: the job was not taken (and will not be called).
  Admission Submit(Job job);

  // Refuses new jobs and calls every queued one with run=false. Running jobs go on.
  void StopAdmitting();

  // Blocks until no job runs or waits, or until `deadline`; true when idle.
  bool WaitIdle(std::chrono::steady_clock::time_point deadline);

  int64_t running() const;
  int64_t queued() const;
  int64_t workers() const;

 private:
  void Work();

  const int64_t max_running_, max_queued_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_, idle_cv_;
  std::deque<Job> queue_;
  std::vector<std::thread> threads_;
  int64_t running_ = 0;
  int64_t idle_workers_ = 0;
  bool stopped_ = false;
  bool exiting_ = false;
};

}  // namespace reagent::server
