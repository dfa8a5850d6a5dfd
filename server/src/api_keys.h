// Bearer API keys → user ids. Only SHA-256 digests of the keys are held: a key from the
// configuration is its digest already, a key from an environment variable is hashed when the
// ring is built and the plain text is not kept. Lookups compare digests in constant time
// against every entry, so timing says nothing about how close a guess was.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reagent/core/status.h"
#include "reagent/runtime/server_config.h"

namespace reagent::server {

class KeyRing {
 public:
  // Errors name the entry: a key_env that is unset or empty, a digest that is not hex.
  static Result<KeyRing> FromConfig(const std::vector<ServerKeyConfig>& keys);

  void Add(std::array<uint8_t, 32> digest, std::string user);

  // The user of the key, or nullopt.
  std::optional<std::string> Authenticate(std::string_view key) const;

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::array<uint8_t, 32> digest;
    std::string user;
  };
  std::vector<Entry> entries_;
};

// The key from an "Authorization: Bearer <key>" value; nullopt when it has another shape.
std::optional<std::string_view> BearerToken(std::string_view authorization);

}  // namespace reagent::server
