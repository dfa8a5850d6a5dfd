#include "lease_keeper.h"

#include <vector>

#include "reagent/core/logging.h"

namespace reagent::redis_internal {

LeaseKeeper::LeaseKeeper(std::shared_ptr<RedisClient> client, Duration ttl) : client_(std::move(client)), ttl_(ttl) {}

LeaseKeeper::~LeaseKeeper() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LeaseKeeper::Add(const std::string& key) {
  std::lock_guard lock(mu_);
  keys_.insert(key);
  if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
}

void LeaseKeeper::Remove(const std::string& key) {
  std::lock_guard lock(mu_);
  keys_.erase(key);
}

void LeaseKeeper::Run() {
  const auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(ttl_ / 3);
  std::unique_lock lock(mu_);
  while (!stop_) {
    wake_.wait_for(lock, interval, [this] { return stop_; });
    if (stop_ || keys_.empty()) continue;
    lock.unlock();
    RenewAll();
    lock.lock();
  }
}

void LeaseKeeper::RenewAll() {
  std::vector<std::string> keys;
  {
    std::lock_guard lock(mu_);
    keys.assign(keys_.begin(), keys_.end());
  }
  const std::string ms = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(ttl_).count());
  std::vector<RedisClient::Args> commands;
  commands.reserve(keys.size());
  for (const std::string& key : keys) commands.push_back({"PEXPIRE", key, ms});
  auto replies = client_->Pipeline(commands);
  if (!replies.ok()) {
    // Redis is away: the leases expire unless it comes back within their TTL, after which
    // the owner finds out at its next write (the turn goes on; its slot may be taken).
    Logger()->warn("cannot renew {} turn lease(s): {}", keys.size(), replies.status().message());
    return;
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    if ((*replies)[i].AsInt(1) == 0) {
      Logger()->warn("turn lease {} expired before it was renewed (the process stalled longer than the lease "
                     "TTL, or Redis lost it); another replica may start a turn on its session",
                     keys[i]);
      Remove(keys[i]);
    }
  }
}

}  // namespace reagent::redis_internal
