#include "support/interrupt.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>

namespace reagent::cli {
namespace {

// Written by the signal handler; a self-pipe wakes the watcher thread.
std::atomic<int> g_interrupts{0};
int g_pipe[2] = {-1, -1};

void HandleSignal(int) {
  g_interrupts.fetch_add(1);
  if (g_pipe[1] >= 0) {
    char c = 1;
    ssize_t ignored = write(g_pipe[1], &c, 1);
    (void)ignored;
  }
}

}  // namespace

struct InterruptWatcher::State {
  std::mutex mu;
  std::function<void(int)> callback;
  std::thread thread;
  struct sigaction old_int{}, old_term{};
};

InterruptWatcher::InterruptWatcher() : state_(new State) {
  if (pipe(g_pipe) != 0) g_pipe[0] = g_pipe[1] = -1;
  struct sigaction sa {};
  sa.sa_handler = HandleSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &state_->old_int);
  sigaction(SIGTERM, &sa, &state_->old_term);
  State* state = state_;
  int read_fd = g_pipe[0];
  state_->thread = std::thread([state, read_fd] {
    if (read_fd < 0) return;
    char c;
    while (read(read_fd, &c, 1) == 1) {
      if (c == 0) return;  // shutdown
      std::function<void(int)> cb;
      {
        std::lock_guard lock(state->mu);
        cb = state->callback;
      }
      if (cb) cb(g_interrupts.load());
    }
  });
}

InterruptWatcher::~InterruptWatcher() {
  sigaction(SIGINT, &state_->old_int, nullptr);
  sigaction(SIGTERM, &state_->old_term, nullptr);
  if (g_pipe[1] >= 0) {
    char c = 0;
    ssize_t ignored = write(g_pipe[1], &c, 1);
    (void)ignored;
  }
  if (state_->thread.joinable()) state_->thread.join();
  for (int& fd : g_pipe) {
    if (fd >= 0) close(fd);
    fd = -1;
  }
  delete state_;
}

void InterruptWatcher::OnInterrupt(std::function<void(int)> callback) {
  std::lock_guard lock(state_->mu);
  state_->callback = std::move(callback);
}

int InterruptWatcher::count() const { return g_interrupts.load(); }

}  // namespace reagent::cli
