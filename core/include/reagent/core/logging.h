// Logging setup (spdlog). All of reagent logs through Logger(). Every message passes a
// redaction step before any sink sees it: registered secrets (API keys read from the
// environment) and anything shaped like a key ("sk-…", "Bearer …") become "[REDACTED]".
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/logger.h>

#include "reagent/core/status.h"

namespace reagent {

struct LogOptions {
  // trace, debug, info, warn, error, critical, off. Default warn: a library stays quiet.
  std::string level = "warn";
  // One JSON object per line ({"ts","level","logger","msg"}) instead of human text.
  bool json = false;
  // Append to this file instead of stderr.
  std::string file;
};

// Replaces reagent's logger. Thread-safe; call it early (at start-up), not per request.
Status ConfigureLogging(const LogOptions& options);

// reagent's logger ("reagent"); a stderr logger at level warn until configured.
std::shared_ptr<spdlog::logger> Logger();

// Registers a secret value that must never appear in a log line, an answer or a stored
// message. Secrets shorter than 6 bytes are ignored (they would redact ordinary words).
// Thread-safe.
void RegisterSecret(std::string_view secret);

// The registered secrets, lower-cased (for matching text that arrives in pieces).
std::vector<std::string> RegisteredSecrets();

// Replaces registered secrets (in any ASCII case) and key-shaped substrings ("sk-…",
// "Bearer …") in text with "[REDACTED]".
std::string RedactSecrets(std::string_view text);

// Whether RedactSecrets would change text.
bool ContainsSecret(std::string_view text);

}  // namespace reagent
