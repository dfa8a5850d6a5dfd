#include "worker_pool.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace reagent::tools_internal {
namespace {

// An idle worker waits this long for work before exiting: long enough that an agent loop's
// tool calls reuse threads, short enough that a burst does not pin threads forever.
constexpr auto kIdleExit = std::chrono::seconds(20);

class WorkerPool {
 public:
  void Submit(std::function<void()> task) {
    bool spawn;
    {
      std::lock_guard lock(mu_);
      tasks_.push_back(std::move(task));
      spawn = idle_ < tasks_.size();
      if (spawn) ++idle_;  // the new thread counts as idle until it takes a task
    }
    if (spawn) {
      std::thread([this] { Loop(); }).detach();
    } else {
      cv_.notify_one();
    }
  }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    for (;;) {
      if (!cv_.wait_for(lock, kIdleExit, [this] { return !tasks_.empty(); })) {
        --idle_;
        return;
      }
      std::function<void()> task = std::move(tasks_.front());
      tasks_.pop_front();
      --idle_;
      lock.unlock();
      task();
      task = nullptr;  // destroy captures (the tool, the call state) outside the lock
      lock.lock();
      ++idle_;
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  std::size_t idle_ = 0;
};

}  // namespace

void SubmitToWorker(std::function<void()> task) {
  // Leaked on purpose: abandoned workers may outlive static destruction.
  static WorkerPool* pool = new WorkerPool;
  pool->Submit(std::move(task));
}

}  // namespace reagent::tools_internal
