// LeaseKeeper: renews the heartbeat keys of this process's turn leases, so that while the
// process lives its leases hold, and when it dies (SIGKILL, a crash, a partition) Redis
// expires them within one lease TTL and the other replicas may use the session and the
// user's slot again. Runs one background thread on real time (a heartbeat is about the
// process being alive, which no injected clock can simulate).
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "reagent/core/clock.h"
#include "reagent/redis/redis_client.h"

namespace reagent::redis_internal {

class LeaseKeeper {
 public:
  // Renews every `ttl / 3`; the thread starts with the first lease.
  LeaseKeeper(std::shared_ptr<RedisClient> client, Duration ttl);
  ~LeaseKeeper();
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  void Add(const std::string& key);
  void Remove(const std::string& key);

 private:
  void Run();
  void RenewAll();

  const std::shared_ptr<RedisClient> client_;
  const Duration ttl_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::set<std::string> keys_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace reagent::redis_internal
