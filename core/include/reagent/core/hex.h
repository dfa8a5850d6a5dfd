// Lower-case hexadecimal text of bytes: digests, nonces.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace reagent {

// Two lower-case hex digits per byte, in order.
std::string HexLower(std::span<const uint8_t> bytes);
inline std::string HexLower(std::string_view bytes) {
  return HexLower(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

}  // namespace reagent
