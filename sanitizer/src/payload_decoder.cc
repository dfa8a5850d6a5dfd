#include "payload_decoder.h"

#include <array>

namespace reagent::sanitizer_internal {
namespace {

// Decoded text shorter than this carries no instruction worth a second scan.
constexpr size_t kMinDecodedBytes = 6;
// Share of printable characters and of letters/spaces a decoded block needs to count as text.
constexpr double kMinPrintableShare = 0.9;
constexpr double kMinLetterShare = 0.6;
// A percent-encoded block needs this many escapes to be worth decoding.
constexpr size_t kMinPercentEscapes = 3;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

bool IsBase64Char(char c) { return Base64Value(c) >= 0; }
bool IsHexRunChar(char c) { return HexValue(c) >= 0 || c == ' ' || c == '\\' || c == 'x' || c == ','; }
bool IsUrlRunChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '%' ||
         c == '.' || c == '_' || c == '~' || c == '+' || c == '-' || c == '!' || c == '*' ||
         c == '\'' || c == '(' || c == ')' || c == ',' || c == ':' || c == '?';
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

template <typename Pred>
size_t RunEnd(std::string_view text, size_t i, Pred pred) {
  while (i < text.size() && pred(text[i])) ++i;
  return i;
}

}  // namespace

std::string DecodeBase64(std::string_view in) {
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  if (in.size() % 4 == 1) in.remove_suffix(1);
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = Base64Value(c);
    if (v < 0) return {};
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

std::string DecodeHex(std::string_view in) {
  std::string digits;
  size_t i = 0;
  while (i < in.size()) {
    if (in[i] == '\\' && i + 1 < in.size() && in[i + 1] == 'x') { i += 2; continue; }
    if (in[i] == ' ' || in[i] == ',') { ++i; continue; }
    if (HexValue(in[i]) < 0) return {};
    digits.push_back(in[i]);
    ++i;
  }
  if (digits.size() % 2 != 0) return {};
  std::string out;
  for (size_t k = 0; k + 1 < digits.size(); k += 2) {
    out.push_back(static_cast<char>(HexValue(digits[k]) * 16 + HexValue(digits[k + 1])));
  }
  return out;
}

std::string DecodePercent(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() + 0 && HexValue(in[i + 1]) >= 0 &&
        HexValue(in[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(in[i + 1]) * 16 + HexValue(in[i + 2])));
      i += 2;
    } else if (in[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

bool LooksLikeText(std::string_view decoded) {
  if (decoded.size() < kMinDecodedBytes || !ValidUtf8(decoded)) return false;
  size_t printable = 0, letters = 0;
  for (char ch : decoded) {
    auto c = static_cast<unsigned char>(ch);
    bool is_letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80 || c == ' ';
    if ((c >= 0x20 && c < 0x7F) || c == '\n' || c == '\t' || c >= 0x80) ++printable;
    if (is_letter) ++letters;
  }
  double n = static_cast<double>(decoded.size());
  return printable >= kMinPrintableShare * n && letters >= kMinLetterShare * n;
}

std::vector<Payload> FindPayloads(std::string_view text, size_t min_bytes, size_t max_payloads) {
  std::vector<Payload> out;
  auto add = [&](std::string_view encoding, size_t start, size_t end, std::string decoded) {
    if (out.size() >= max_payloads || !LooksLikeText(decoded)) return;
    out.push_back({encoding, static_cast<uint32_t>(start), static_cast<uint32_t>(end),
                   std::move(decoded)});
  };
  // base64 (standard and URL alphabets)
  for (size_t i = 0; i < text.size() && out.size() < max_payloads;) {
    if (!IsBase64Char(text[i])) { ++i; continue; }
    size_t end = RunEnd(text, i, IsBase64Char);
    size_t padded = RunEnd(text, end, [](char c) { return c == '='; });
    if (end - i >= min_bytes) add("base64", i, padded, DecodeBase64(text.substr(i, end - i)));
    i = padded > i ? padded : i + 1;
  }
  // hex, contiguous or in spaced pairs or \x escapes
  for (size_t i = 0; i < text.size() && out.size() < max_payloads;) {
    if (HexValue(text[i]) < 0 && text[i] != '\\') { ++i; continue; }
    size_t end = RunEnd(text, i, IsHexRunChar);
    while (end > i && (text[end - 1] == ' ' || text[end - 1] == ',')) --end;
    size_t digits = 0;
    for (size_t k = i; k < end; ++k) digits += HexValue(text[k]) >= 0 ? 1 : 0;
    if (digits >= min_bytes) add("hex", i, end, DecodeHex(text.substr(i, end - i)));
    i = end > i ? end : i + 1;
  }
  // percent-encoding
  for (size_t i = 0; i < text.size() && out.size() < max_payloads;) {
    if (!IsUrlRunChar(text[i])) { ++i; continue; }
    size_t end = RunEnd(text, i, IsUrlRunChar);
    size_t escapes = 0;
    for (size_t k = i; k + 2 < end; ++k) {
      if (text[k] == '%' && HexValue(text[k + 1]) >= 0 && HexValue(text[k + 2]) >= 0) ++escapes;
    }
    if (end - i >= min_bytes && escapes >= kMinPercentEscapes) {
      add("url", i, end, DecodePercent(text.substr(i, end - i)));
    }
    i = end > i ? end : i + 1;
  }
  return out;
}

}  // namespace reagent::sanitizer_internal
