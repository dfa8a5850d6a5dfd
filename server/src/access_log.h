// JSON access-log lines, one per answered request: when, who (user, never the key), what
// (method, path, status, bytes, duration) and what the turn did (session, stop reason, model,
// tokens, cost). Request headers and bodies are never logged.
#pragma once

#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "http_exchange.h"
#include "reagent/core/status.h"

namespace reagent::server {

class AccessLog {
 public:
  // "stderr", "stdout", "off", or a file to append to (created if missing).
  static Result<std::unique_ptr<AccessLog>> Open(const std::string& where);
  // Lines go to `sink` (for embedding and tests).
  explicit AccessLog(std::function<void(std::string_view)> sink) : sink_(std::move(sink)) {}
  ~AccessLog();

  // Thread-safe.
  void Write(const ExchangeRecord& record);

  // The line for a record (no newline).
  static std::string Line(const ExchangeRecord& record);

 private:
  AccessLog() = default;
  std::function<void(std::string_view)> sink_;
  std::FILE* file_ = nullptr;
  bool owned_ = false;
  std::mutex mu_;
};

}  // namespace reagent::server
