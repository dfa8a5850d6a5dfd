#include "api_keys.h"

#include <cctype>
#include <cstdlib>

#include <fmt/format.h>

#include "reagent/core/sha256.h"

namespace reagent::server {
namespace {

std::array<uint8_t, 32> Digest(std::string_view text) {
  Sha256 h;
  h.Update(text);
  return h.Finish();
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::array<uint8_t, 32>> ParseDigest(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  std::array<uint8_t, 32> out{};
  for (size_t i = 0; i < 32; ++i) {
    const int hi = HexValue(hex[2 * i]), lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return out;
}

}  // namespace

Result<KeyRing> KeyRing::FromConfig(const std::vector<ServerKeyConfig>& keys) {
  KeyRing ring;
  for (size_t i = 0; i < keys.size(); ++i) {
    const ServerKeyConfig& k = keys[i];
    if (!k.sha256.empty()) {
      auto digest = ParseDigest(k.sha256);
      if (!digest) return Status::InvalidArgument(fmt::format("server.keys[{}].sha256: expected 64 hex digits", i));
      ring.Add(*digest, k.user);
      continue;
    }
    const char* value = std::getenv(k.key_env.c_str());
    if (!value || !*value) {
      return Status::InvalidArgument(
          fmt::format("server.keys[{}].key_env: the variable {} is not set", i, k.key_env));
    }
    ring.Add(Digest(value), k.user);
  }
  return ring;
}

void KeyRing::Add(std::array<uint8_t, 32> digest, std::string user) {
  entries_.push_back({digest, std::move(user)});
}

std::optional<std::string> KeyRing::Authenticate(std::string_view key) const {
  if (key.empty()) return std::nullopt;
  const auto digest = Digest(key);
  const Entry* found = nullptr;
  for (const Entry& e : entries_) {
    uint8_t diff = 0;
    for (size_t i = 0; i < digest.size(); ++i) diff |= static_cast<uint8_t>(digest[i] ^ e.digest[i]);
    if (diff == 0 && !found) found = &e;
  }
  if (!found) return std::nullopt;
  return found->user;
}

std::optional<std::string_view> BearerToken(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return std::nullopt;
  }
  std::string_view key = authorization.substr(kScheme.size());
  while (!key.empty() && key.front() == ' ') key.remove_prefix(1);
  while (!key.empty() && key.back() == ' ') key.remove_suffix(1);
  if (key.empty()) return std::nullopt;
  return key;
}

}  // namespace reagent::server
