// Cooperative cancellation. A CancellationSource is owned by whoever may cancel (a REPL's
// Ctrl-C handler, a server's request scope); CancellationTokens are cheap copies handed down to
// model calls, tools and waits, which check cancelled() or register a callback.
// Thread-safe: Cancel() may be called from any thread (not from a signal handler; there, set
// an atomic flag and cancel from a normal thread).
#pragma once

#include <functional>
#include <memory>

namespace reagent {

namespace detail {
struct CancelState;
}

class CancellationToken {
 public:
  // A token that is never cancelled.
  CancellationToken() = default;

  bool cancelled() const;

  // Runs fn once when cancelled (immediately if already cancelled). Returns an id for
  // Unsubscribe. Callbacks run on the cancelling thread and must be quick.
  int OnCancel(std::function<void()> fn) const;
  void Unsubscribe(int id) const;

 private:
  friend class CancellationSource;
  explicit CancellationToken(std::shared_ptr<detail::CancelState> s) : state_(std::move(s)) {}
  std::shared_ptr<detail::CancelState> state_;
};

class CancellationSource {
 public:
  CancellationSource();
  CancellationToken token() const { return CancellationToken(state_); }
  void Cancel();
  bool cancelled() const;

 private:
  std::shared_ptr<detail::CancelState> state_;
};

}  // namespace reagent
