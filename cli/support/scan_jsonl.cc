#include "support/scan_jsonl.h"

#include <array>
#include <cstdint>
#include <cstring>

#include "reagent/core/json.h"
#include "support/scan_output.h"

namespace reagent::cli {
namespace {

// ---- the flat-object reader ------------------------------------------------------------

// What the reader keeps of a line: the decoded text and its JSON form, the id's JSON form, the
// source. Anything it does not handle sends the line down the general path instead.
struct FlatRow {
  std::string text;
  std::string_view text_json;  // the string token as written, quotes included
  bool text_canonical = true;  // text_json is exactly what the JSON writer would produce
  std::string_view id_json;    // empty: no id
  std::string source;
  bool has_text = false, has_source = false;
};

constexpr bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ReadHex4(const char* p, const char* end, uint32_t& out, bool& lowercase) {
  if (end - p < 4) return false;
  out = 0;
  for (int i = 0; i < 4; ++i) {
    const int v = HexValue(p[i]);
    if (v < 0) return false;
    if (p[i] >= 'A' && p[i] <= 'F') lowercase = false;
    out = out << 4 | static_cast<uint32_t>(v);
  }
  return true;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF), or 0.
size_t Utf8Sequence(const unsigned char* p, const unsigned char* end) {
  auto cont = [&](size_t i, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return p + i < end && p[i] >= lo && p[i] <= hi;
  };
  const unsigned char c = p[0];
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

// Bytes that end a plain run inside a string: the quote, the backslash, control characters
// (invalid unescaped) and non-ASCII bytes (to be checked as UTF-8).
constexpr std::array<bool, 256> MakeSpecial() {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = true;
  for (int c = 0x80; c < 0x100; ++c) t[c] = true;
  t['"'] = t['\\'] = true;
  return t;
}
constexpr std::array<bool, 256> kSpecial = MakeSpecial();

// The first byte at or after p that ends a plain run (or end). Eight bytes at a time: a word
// without a quote, a backslash, a control or a non-ASCII byte is skipped whole.
const char* SkipPlain(const char* p, const char* end) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  while (end - p >= 8) {
    uint64_t x;
    std::memcpy(&x, p, 8);
    const uint64_t quote = x ^ (kOnes * '"'), backslash = x ^ (kOnes * '\\');
    const uint64_t special = ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash) |
                             (x - kOnes * 0x20) | x;  // zero bytes of quote/backslash; < 0x20; >= 0x80
    if ((special & kHigh) != 0) break;
    p += 8;
  }
  while (p < end && !kSpecial[static_cast<unsigned char>(*p)]) ++p;
  return p;
}

// Reads the string token at *p (which is '"'). Decodes it into `out` when given; `canonical`
// stays true while every escape is the one the JSON writer would use for that character.
bool ReadString(const char*& p, const char* end, std::string* out, bool& canonical) {
  ++p;
  while (true) {
    const char* run = p;
    p = SkipPlain(p, end);
    if (p >= end) return false;
    const auto c = static_cast<unsigned char>(*p);
    if (c >= 0x80) {
      const size_t n = Utf8Sequence(reinterpret_cast<const unsigned char*>(p), reinterpret_cast<const unsigned char*>(end));
      if (n == 0) return false;
      p += n;
      if (out) out->append(run, static_cast<size_t>(p - run));
      continue;
    }
    if (out) out->append(run, static_cast<size_t>(p - run));
    if (c == '"') {
      ++p;
      return true;
    }
    if (c < 0x20) return false;  // a raw control character
    // An escape.
    if (end - p < 2) return false;
    const char e = p[1];
    p += 2;
    char plain = 0;
    switch (e) {
      case '"': plain = '"'; break;
      case '\\': plain = '\\'; break;
      case 'b': plain = '\b'; break;
      case 'f': plain = '\f'; break;
      case 'n': plain = '\n'; break;
      case 'r': plain = '\r'; break;
      case 't': plain = '\t'; break;
      case '/': plain = '/', canonical = false; break;  // the writer leaves '/' alone
      case 'u': {
        uint32_t cp = 0;
        bool lowercase = true;
        if (!ReadHex4(p, end, cp, lowercase)) return false;
        p += 4;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a lone low surrogate
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t low = 0;
          if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || !ReadHex4(p + 2, end, low, lowercase)) return false;
          if (low < 0xDC00 || low > 0xDFFF) return false;
          p += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          canonical = false;
        } else {
          // The writer uses \u00xx (lower case) only for controls without a short form.
          const bool short_form = cp == '\b' || cp == '\f' || cp == '\n' || cp == '\r' || cp == '\t';
          if (cp >= 0x20 || short_form || !lowercase) canonical = false;
        }
        if (out) AppendUtf8(*out, cp);
        continue;
      }
      default: return false;
    }
    if (out) *out += plain;
  }
}

// A number, true, false or null: checked, not converted. Only simple integers are taken (the
// general path words the rest: fractions, exponents, overflow).
bool ReadScalar(const char*& p, const char* end) {
  for (std::string_view word : {"true", "false", "null"}) {
    if (static_cast<size_t>(end - p) >= word.size() && std::memcmp(p, word.data(), word.size()) == 0) {
      p += word.size();
      return true;
    }
  }
  if (p < end && *p == '-') ++p;
  const char* digits = p;
  while (p < end && *p >= '0' && *p <= '9') ++p;
  const size_t n = static_cast<size_t>(p - digits);
  if (n == 0 || n > 18 || (n > 1 && *digits == '0')) return false;
  return p == end || (*p != '.' && *p != 'e' && *p != 'E');
}

void SkipSpace(const char*& p, const char* end) {
  while (p < end && IsSpace(*p)) ++p;
}

bool ReadFlatRow(std::string_view line, FlatRow& row) {
  const char* p = line.data();
  const char* end = p + line.size();
  SkipSpace(p, end);
  if (p >= end || *p != '{') return false;
  ++p;
  SkipSpace(p, end);
  bool has_id = false;
  if (p < end && *p == '}') {
    ++p;
  } else {
    while (true) {
      if (p >= end || *p != '"') return false;
      const char* key_start = p;
      bool key_plain = true;
      if (!ReadString(p, end, nullptr, key_plain)) return false;
      const std::string_view key(key_start + 1, static_cast<size_t>(p - key_start - 2));
      if (key.find('\\') != std::string_view::npos) return false;  // an escaped key
      SkipSpace(p, end);
      if (p >= end || *p != ':') return false;
      ++p;
      SkipSpace(p, end);
      if (p >= end) return false;
      const char* value = p;
      if (key == "text") {
        if (row.has_text || *p != '"') return false;
        row.has_text = true;
        row.text.reserve(line.size());
        if (!ReadString(p, end, &row.text, row.text_canonical)) return false;
        row.text_json = std::string_view(value, static_cast<size_t>(p - value));
      } else if (*p == '"') {
        bool ignored = true;
        std::string decoded;
        if (!ReadString(p, end, key == "source" ? &decoded : nullptr, ignored)) return false;
        if (key == "source") {
          if (row.has_source) return false;
          row.has_source = true;
          row.source = std::move(decoded);
        }
      } else if (!ReadScalar(p, end)) {
        return false;  // objects, arrays, other numbers: the general path
      }
      if (key == "id") {
        if (has_id) return false;
        has_id = true;
        row.id_json = std::string_view(value, static_cast<size_t>(p - value));
      } else if (key == "source" && *value != '"') {
        if (row.has_source) return false;
        row.has_source = true;  // not a string: the default source
      }
      SkipSpace(p, end);
      if (p < end && *p == ',') {
        ++p;
        SkipSpace(p, end);
        continue;
      }
      if (p < end && *p == '}') {
        ++p;
        break;
      }
      return false;
    }
  }
  SkipSpace(p, end);
  return p == end && row.has_text;
}

// ---- the result line -------------------------------------------------------------------

// ScanResultJson's line with `cleaned_json` (a JSON string token) as "cleaned": the object
// dumped without it, and the token put where the writer, which orders keys, would put it.
std::string ResultLine(ScanResult result, const Json& id, std::string_view cleaned_json) {
  result.cleaned.clear();
  Json out = ScanResultJson(result, id);
  const std::string categories = DumpJson(out["categories"]);
  out.erase("categories");
  out.erase("cleaned");
  const std::string rest = DumpJson(out);  // {"findings":...,"id":...,"score":...,"verdict":...}
  std::string line;
  line.reserve(categories.size() + cleaned_json.size() + rest.size() + 32);
  line += "{\"categories\":";
  line += categories;
  line += ",\"cleaned\":";
  line += cleaned_json;
  line += ',';
  line.append(rest, 1);
  return line;
}

}  // namespace

bool ParseTextSource(std::string_view name, TextSource& source) {
  static constexpr std::pair<std::string_view, TextSource> kSources[] = {
      {"user", TextSource::kUser}, {"tool", TextSource::kTool},
      {"history", TextSource::kHistory}, {"document", TextSource::kDocument}};
  for (const auto& [n, s] : kSources) {
    if (n == name) {
      source = s;
      return true;
    }
  }
  return false;
}

std::string ScanJsonlErrorLine(const Json& id, size_t line_no, std::string_view message) {
  return DumpJson(Json{{"id", id}, {"line", line_no}, {"error", std::string(message)}});
}

std::string ScanJsonlTooLongLine(const LineReader::Line& line) {
  return ScanJsonlErrorLine(nullptr, line.number, ParseJsonLine(line).status().message());
}

std::string ScanJsonlLineGeneric(const Sanitizer& sanitizer, TextSource default_source, std::string_view line,
                                 size_t line_no, bool* failed) {
  if (line.find_first_not_of(" \t\r") == std::string_view::npos) return {};
  auto row = ParseJson(line, "line " + std::to_string(line_no));
  if (!row.ok()) {
    if (failed) *failed = true;
    return ScanJsonlErrorLine(nullptr, line_no, row.status().message());
  }
  if (!row->is_object() || !row->contains("text") || !(*row)["text"].is_string()) {
    if (failed) *failed = true;
    Json id = row->is_object() && row->contains("id") ? (*row)["id"] : Json(nullptr);
    return ScanJsonlErrorLine(id, line_no, "line " + std::to_string(line_no) + ": needs a string field \"text\"");
  }
  TextSource source = default_source;
  if (row->contains("source") && (*row)["source"].is_string()) {
    (void)ParseTextSource((*row)["source"].get_ref<const std::string&>(), source);
  }
  Json id = row->contains("id") ? (*row)["id"] : Json(nullptr);
  return DumpJson(ScanResultJson(sanitizer.Scan((*row)["text"].get_ref<const std::string&>(), source), id));
}

std::string ScanJsonlLine(const Sanitizer& sanitizer, TextSource default_source, std::string_view line,
                          size_t line_no, bool* failed) {
  FlatRow row;
  if (!ReadFlatRow(line, row)) return ScanJsonlLineGeneric(sanitizer, default_source, line, line_no, failed);
  Json id = nullptr;
  if (!row.id_json.empty()) {
    auto parsed = ParseJson(row.id_json, "id");
    if (!parsed.ok()) return ScanJsonlLineGeneric(sanitizer, default_source, line, line_no, failed);
    id = std::move(*parsed);
  }
  TextSource source = default_source;
  if (row.has_source) (void)ParseTextSource(row.source, source);
  ScanResult result = sanitizer.Scan(row.text, source);
  if (row.text_canonical && result.cleaned == row.text) {
    return ResultLine(std::move(result), id, row.text_json);  // the input's own JSON form
  }
  const std::string cleaned = DumpJson(Json(result.cleaned));
  return ResultLine(std::move(result), id, cleaned);
}

}  // namespace reagent::cli
