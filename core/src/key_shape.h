// What RedactSecrets counts as a key-shaped token, shared with SecretScrubber so the scrubber
// holds back exactly what the redaction could still match.
#pragma once

#include <cctype>
#include <string_view>

namespace reagent::key_shape {

// The characters a key-shaped token is made of ('.' may continue one but not precede it).
inline bool IsKeyChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; }

// The prefix of a key-shaped API key ("sk-…", in any letter case).
inline constexpr std::string_view kKeyPrefix = "sk-";

}  // namespace reagent::key_shape
