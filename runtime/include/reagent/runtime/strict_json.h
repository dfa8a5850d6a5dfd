// Strict reading of JSON objects from files users write (scenarios, config): every key must
// be known and every value of the expected type. Errors name the JSON path
// ("agent.budget.max_tokens: expected number, got string") and are collected, not thrown,
// so one run reports all of a file's mistakes.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "reagent/core/json.h"

namespace reagent {

class StrictObject {
 public:
  // `errors` collects "path: message" lines; it must outlive this object.
  StrictObject(const Json& json, std::string path, std::vector<std::string>& errors);

  // False when the value is not an object (an error has been recorded).
  bool valid() const { return valid_; }
  const std::string& path() const { return path_; }
  std::string PathOf(std::string_view key) const;

  bool Has(std::string_view key) const;
  std::optional<std::string> String(std::string_view key, bool required = false);
  // An integer in [min, max]; out of range (including beyond 64 bits) is an error naming the
  // key and the range.
  std::optional<int64_t> Int(std::string_view key, bool required = false, int64_t min = INT64_MIN,
                             int64_t max = INT64_MAX);
  std::optional<double> Number(std::string_view key, bool required = false, double min = -1e308);
  std::optional<bool> Bool(std::string_view key, bool required = false);
  std::optional<std::vector<std::string>> StringArray(std::string_view key, bool required = false);
  // The value if it is an object / array (else nullptr; an error when present or required).
  const Json* Object(std::string_view key, bool required = false);
  const Json* Array(std::string_view key, bool required = false);
  // Any type, marked as known.
  const Json* Any(std::string_view key, bool required = false);

  // The object at `key` (if present) reduced to the `allowed` keys, each a non-negative
  // number except those in `string_keys` (strings) and `int_keys` (integers in
  // [0, INT32_MAX]); unknown keys, wrong types and out-of-range values are errors.
  Json Overrides(std::string_view key, const std::vector<std::string>& allowed,
                 const std::vector<std::string>& string_keys = {},
                 const std::vector<std::string>& int_keys = {});

  // Records "unknown key" for every key that no getter asked for.
  void RejectUnknownKeys();

  void Error(const std::string& path, const std::string& message);

 private:
  const Json* Get(std::string_view key, bool required);
  void TypeError(std::string_view key, std::string_view expected, const Json& got);

  const Json& json_;
  std::string path_;
  std::vector<std::string>& errors_;
  std::set<std::string, std::less<>> seen_;
  bool valid_ = true;
};

// "a.b" + "c" -> "a.b.c"; "" + "c" -> "c".
std::string JoinPath(std::string_view base, std::string_view key);
// "a.b" + 3 -> "a.b[3]".
std::string IndexPath(std::string_view base, size_t index);

}  // namespace reagent
