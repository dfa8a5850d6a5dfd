#include "reagent/core/abbreviate.h"

namespace reagent {

std::string Abbreviate(std::string_view text, size_t max_bytes) {
  const bool cut = text.size() > max_bytes;
  size_t keep = cut ? max_bytes : text.size();
  // Back up to the start of a UTF-8 sequence so the result stays valid UTF-8.
  while (cut && keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) --keep;
  std::string out(text.substr(0, keep));
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (cut) out += "\xE2\x80\xA6(" + std::to_string(text.size()) + " bytes)";
  return out;
}

}  // namespace reagent
