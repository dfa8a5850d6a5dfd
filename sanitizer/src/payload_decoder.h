// Finds encoded blocks in the original text (base64, hex, URL-encoding) and decodes those
// that turn out to be readable text, so the rules can look at them once more. Binary data
// (images, hashes, compressed blobs) decodes to unreadable bytes and is left alone.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace reagent::sanitizer_internal {

struct Payload {
  std::string_view encoding;  // "base64" | "hex" | "url"
  uint32_t start = 0, end = 0;  // original bytes of the encoded block
  std::string decoded;
};

// Blocks of at least `min_bytes` encoded bytes that decode to readable text; at most
// `max_payloads` of them, in order.
std::vector<Payload> FindPayloads(std::string_view text, size_t min_bytes, size_t max_payloads);

// The same search without the block prefilter: every word is examined (for tests).
std::vector<Payload> FindPayloadsExhaustive(std::string_view text, size_t min_bytes,
                                            size_t max_payloads);

// Exposed for tests. Empty when the input is not valid in that encoding.
std::string DecodeBase64(std::string_view in);
std::string DecodeHex(std::string_view in);       // "48656c6c6f", "48 65 6c", "\x48\x65"
std::string DecodePercent(std::string_view in);   // "%48%65" and '+' as space

// Mostly printable UTF-8 text (letters, spaces, punctuation), not binary.
bool LooksLikeText(std::string_view decoded);

}  // namespace reagent::sanitizer_internal
