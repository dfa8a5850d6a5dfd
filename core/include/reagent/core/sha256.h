// SHA-256 (FIPS 180-4): checksums of shipped data (tokenizer rank files) and short keys for
// long canonical texts (response cache). Small and self-contained: no crypto library for this.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace reagent {

class Sha256 {
 public:
  Sha256();
  void Update(std::string_view bytes);
  // The 32-byte digest; the object must not be updated afterwards.
  std::array<uint8_t, 32> Finish();

 private:
  void Compress(const uint8_t* block);

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
};

// Lower-case hex digest of `bytes`.
std::string Sha256Hex(std::string_view bytes);

}  // namespace reagent
