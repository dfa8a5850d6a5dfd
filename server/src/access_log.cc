#include "access_log.h"

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>

#include <fmt/format.h>

#include "reagent/core/json.h"
#include "reagent/core/logging.h"

namespace reagent::server {
namespace {

std::string IsoNow() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t secs = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03d}Z", buf, static_cast<int>(ms));
}

}  // namespace

Result<std::unique_ptr<AccessLog>> AccessLog::Open(const std::string& where) {
  std::unique_ptr<AccessLog> log(new AccessLog());
  if (where == "off") return log;
  if (where == "stderr" || where.empty()) {
    log->file_ = stderr;
  } else if (where == "stdout") {
    log->file_ = stdout;
  } else {
    log->file_ = std::fopen(where.c_str(), "a");
    if (!log->file_) {
      return Status::InvalidArgument(fmt::format("server.access_log: cannot open {}: {}", where, std::strerror(errno)));
    }
    log->owned_ = true;
  }
  return log;
}

AccessLog::~AccessLog() {
  if (owned_ && file_) std::fclose(file_);
}

std::string AccessLog::Line(const ExchangeRecord& r) {
  Json j = {{"ts", IsoNow()},
            {"request_id", r.request_id},
            {"remote", r.remote},
            {"method", r.method},
            {"path", r.path},
            {"status", r.status},
            {"duration_ms", std::round(r.duration_s * 1e4) / 10},
            {"bytes_in", r.bytes_in},
            {"bytes_out", r.bytes_out}};
  if (r.streamed) j["streamed"] = true;
  if (r.client_gone) j["client_gone"] = true;
  for (auto it = r.fields.begin(); it != r.fields.end(); ++it) j[it.key()] = it.value();
  // A user id or session id is the caller's text: the redaction pass makes sure nothing
  // key-shaped reaches the log even from there.
  return RedactSecrets(DumpJson(j));
}

void AccessLog::Write(const ExchangeRecord& record) {
  if (!sink_ && !file_) return;
  const std::string line = Line(record);
  std::lock_guard lock(mu_);
  if (sink_) {
    sink_(line);
    return;
  }
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fputc('\n', file_);
  std::fflush(file_);
}

}  // namespace reagent::server
