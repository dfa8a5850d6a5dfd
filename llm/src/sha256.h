// SHA-256 (FIPS 180-4), for response-cache keys: a request's canonical text is hashed so that
// a cache key is short and two different requests cannot be made to share one.
#pragma once

#include <string>
#include <string_view>

namespace reagent::internal {

// The digest of `data` as 64 lowercase hex characters.
std::string Sha256Hex(std::string_view data);

}  // namespace reagent::internal
