// Bounding outside text before it is echoed: a tool name, an error body or a server's
// Location header can be 100 KB long, and an error message, a log line or a terminal line
// should not be.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace reagent {

// The longest name (tool, model, header) echoed in messages.
inline constexpr size_t kMaxEchoedName = 80;
// The longest free text (an error body, a rejected argument) echoed in messages.
inline constexpr size_t kMaxEchoedText = 400;

// `text` itself when it has at most max_bytes bytes; otherwise its first max_bytes bytes (cut
// at a UTF-8 character boundary) followed by "…(N bytes)", N being the full length. Line
// breaks and tabs become spaces, so the result stays on one line.
std::string Abbreviate(std::string_view text, size_t max_bytes = kMaxEchoedText);

}  // namespace reagent
