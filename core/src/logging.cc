#include "reagent/core/logging.h"

#include "key_shape.h"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <shared_mutex>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace reagent {
namespace {

constexpr std::string_view kRedacted = "[REDACTED]";
// A key-shaped token needs this many characters after its prefix; shorter ones are words.
constexpr size_t kMinKeyBody = 16;
constexpr size_t kMinSecretLength = 6;

std::shared_mutex& SecretsMutex() {
  static std::shared_mutex mu;
  return mu;
}
std::vector<std::string>& Secrets() {
  static std::vector<std::string> secrets;
  return secrets;
}

using key_shape::IsKeyChar;

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Replaces s[pos, pos + len) with replacement in s and its lower-case twin alike.
void ReplaceBoth(std::string& s, std::string& lower, size_t pos, size_t len, std::string_view replacement) {
  s.replace(pos, len, replacement);
  lower.replace(pos, len, Lower(replacement));
}

// Redacts "<prefix><key chars>{min_body,}" wherever prefix starts a token; the prefix is
// matched without regard to case ("SK-…", "bearer …").
void RedactShaped(std::string& s, std::string& lower, std::string_view prefix, size_t min_body) {
  const std::string lower_prefix = Lower(prefix);
  size_t pos = 0;
  while ((pos = lower.find(lower_prefix, pos)) != std::string::npos) {
    bool starts_token = pos == 0 || !IsKeyChar(s[pos - 1]);
    size_t end = pos + prefix.size();
    while (end < s.size() && (IsKeyChar(s[end]) || s[end] == '.')) ++end;
    if (starts_token && end - pos - prefix.size() >= min_body) {
      ReplaceBoth(s, lower, pos + prefix.size(), end - pos - prefix.size(), kRedacted);
      pos += prefix.size() + kRedacted.size();
    } else {
      pos = end > pos ? end : pos + 1;
    }
  }
}

class RedactingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  RedactingSink(spdlog::sink_ptr inner, bool json) : inner_(std::move(inner)), json_(json) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string text = RedactSecrets(std::string_view(msg.payload.data(), msg.payload.size()));
    if (json_) {
      text = nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    spdlog::details::log_msg copy(msg);
    copy.payload = text;
    inner_->log(copy);
  }
  void flush_() override { inner_->flush(); }

 private:
  spdlog::sink_ptr inner_;
  bool json_;
};

std::shared_ptr<spdlog::logger> MakeLogger(spdlog::sink_ptr inner, bool json) {
  if (json) {
    inner->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%f%z","level":"%l","logger":"%n","msg":%v})");
  } else {
    inner->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%n] [%l] %v");
  }
  auto sink = std::make_shared<RedactingSink>(std::move(inner), json);
  return std::make_shared<spdlog::logger>("reagent", std::move(sink));
}

std::mutex& LoggerMutex() {
  static std::mutex mu;
  return mu;
}
std::shared_ptr<spdlog::logger>& LoggerSlot() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = MakeLogger(std::make_shared<spdlog::sinks::stderr_sink_mt>(), false);
    l->set_level(spdlog::level::warn);
    return l;
  }();
  return logger;
}

}  // namespace

Status ConfigureLogging(const LogOptions& options) {
  auto level = spdlog::level::from_str(options.level);
  if (level == spdlog::level::off && options.level != "off") {
    return Status::InvalidArgument("unknown log level \"" + options.level +
                                   "\" (expected trace, debug, info, warn, error, critical or off)");
  }
  spdlog::sink_ptr inner;
  if (options.file.empty()) {
    inner = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  } else {
    try {
      inner = std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.file);
    } catch (const spdlog::spdlog_ex& e) {
      return Status::IOError("cannot open log file " + options.file + ": " + e.what());
    }
  }
  auto logger = MakeLogger(std::move(inner), options.json);
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  std::lock_guard lock(LoggerMutex());
  LoggerSlot() = std::move(logger);
  return Status::Ok();
}

std::shared_ptr<spdlog::logger> Logger() {
  std::lock_guard lock(LoggerMutex());
  return LoggerSlot();
}

void RegisterSecret(std::string_view secret) {
  if (secret.size() < kMinSecretLength) return;
  std::unique_lock lock(SecretsMutex());
  auto& secrets = Secrets();
  const std::string lower = Lower(secret);
  if (std::find(secrets.begin(), secrets.end(), lower) == secrets.end()) secrets.push_back(lower);
}

std::vector<std::string> RegisteredSecrets() {
  std::shared_lock lock(SecretsMutex());
  return Secrets();
}

std::string RedactSecrets(std::string_view text) {
  std::string s(text);
  std::string lower = Lower(text);
  {
    std::shared_lock lock(SecretsMutex());
    // Matched without regard to ASCII case: a server that upper-cases the key it echoes in
    // an error must not get it through.
    for (const auto& secret : Secrets()) {
      size_t pos = 0;
      while ((pos = lower.find(secret, pos)) != std::string::npos) {
        ReplaceBoth(s, lower, pos, secret.size(), kRedacted);
        pos += kRedacted.size();
      }
    }
  }
  RedactShaped(s, lower, key_shape::kKeyPrefix, kMinKeyBody);
  RedactShaped(s, lower, "Bearer ", 8);
  return s;
}

bool ContainsSecret(std::string_view text) { return RedactSecrets(text) != text; }

}  // namespace reagent
