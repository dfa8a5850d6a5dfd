#include "reagent/runtime/strict_json.h"

#include <algorithm>

namespace reagent {

std::string JoinPath(std::string_view base, std::string_view key) {
  if (base.empty()) return std::string(key);
  return std::string(base) + "." + std::string(key);
}

std::string IndexPath(std::string_view base, size_t index) {
  return std::string(base) + "[" + std::to_string(index) + "]";
}

StrictObject::StrictObject(const Json& json, std::string path, std::vector<std::string>& errors)
    : json_(json), path_(std::move(path)), errors_(errors) {
  if (!json_.is_object()) {
    valid_ = false;
    Error(path_.empty() ? "(top level)" : path_,
          "expected object, got " + std::string(JsonTypeName(json_)));
  }
}

std::string StrictObject::PathOf(std::string_view key) const { return JoinPath(path_, key); }

void StrictObject::Error(const std::string& path, const std::string& message) {
  errors_.push_back(path + ": " + message);
}

bool StrictObject::Has(std::string_view key) const {
  return valid_ && json_.contains(std::string(key));
}

const Json* StrictObject::Get(std::string_view key, bool required) {
  if (!valid_) return nullptr;
  seen_.insert(std::string(key));
  auto it = json_.find(std::string(key));
  if (it == json_.end()) {
    if (required) Error(PathOf(key), "required key is missing");
    return nullptr;
  }
  return &*it;
}

void StrictObject::TypeError(std::string_view key, std::string_view expected, const Json& got) {
  Error(PathOf(key), "expected " + std::string(expected) + ", got " + std::string(JsonTypeName(got)));
}

std::optional<std::string> StrictObject::String(std::string_view key, bool required) {
  const Json* v = Get(key, required);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    TypeError(key, "string", *v);
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<int64_t> StrictObject::Int(std::string_view key, bool required, int64_t min,
                                         int64_t max) {
  const Json* v = Get(key, required);
  if (!v) return std::nullopt;
  if (v->is_number_float()) {  // "2.5": say what was given, not just "number"
    Error(PathOf(key), "expected integer, got " + DumpJson(*v));
    return std::nullopt;
  }
  if (!v->is_number_integer()) {
    TypeError(key, "integer", *v);
    return std::nullopt;
  }
  // An unsigned value above INT64_MAX must not read as a negative one.
  const bool too_big = v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(max);
  if (too_big || v->get<int64_t>() > max) {
    Error(PathOf(key), "must be at most " + std::to_string(max) + ", got " + DumpJson(*v));
    return std::nullopt;
  }
  int64_t x = v->get<int64_t>();
  if (x < min) {
    Error(PathOf(key), "must be at least " + std::to_string(min) + ", got " + std::to_string(x));
    return std::nullopt;
  }
  return x;
}

std::optional<double> StrictObject::Number(std::string_view key, bool required, double min) {
  const Json* v = Get(key, required);
  if (!v) return std::nullopt;
  if (!v->is_number()) {
    TypeError(key, "number", *v);
    return std::nullopt;
  }
  double x = v->get<double>();
  if (x < min) {
    Error(PathOf(key), "must be at least " + DumpJson(Json(min)) + ", got " + DumpJson(*v));
    return std::nullopt;
  }
  return x;
}

std::optional<bool> StrictObject::Bool(std::string_view key, bool required) {
  const Json* v = Get(key, required);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    TypeError(key, "boolean", *v);
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<std::vector<std::string>> StrictObject::StringArray(std::string_view key,
                                                                  bool required) {
  const Json* v = Get(key, required);
  if (!v) return std::nullopt;
  if (!v->is_array()) {
    TypeError(key, "array of strings", *v);
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < v->size(); ++i) {
    const Json& item = (*v)[i];
    if (!item.is_string()) {
      Error(IndexPath(PathOf(key), i), "expected string, got " + std::string(JsonTypeName(item)));
      return std::nullopt;
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

const Json* StrictObject::Object(std::string_view key, bool required) {
  const Json* v = Get(key, required);
  if (v && !v->is_object()) {
    TypeError(key, "object", *v);
    return nullptr;
  }
  return v;
}

const Json* StrictObject::Array(std::string_view key, bool required) {
  const Json* v = Get(key, required);
  if (v && !v->is_array()) {
    TypeError(key, "array", *v);
    return nullptr;
  }
  return v;
}

const Json* StrictObject::Any(std::string_view key, bool required) { return Get(key, required); }

Json StrictObject::Overrides(std::string_view key, const std::vector<std::string>& allowed,
                             const std::vector<std::string>& string_keys,
                             const std::vector<std::string>& int_keys) {
  Json out = Json::object();
  const Json* obj = Object(key);
  if (!obj) return out;
  StrictObject o(*obj, PathOf(key), errors_);
  auto among = [](const std::vector<std::string>& keys, const std::string& k) {
    return std::find(keys.begin(), keys.end(), k) != keys.end();
  };
  for (const auto& k : allowed) {
    if (!o.Has(k)) continue;
    if (among(string_keys, k)) {
      if (auto s = o.String(k)) out[k] = *s;
    } else if (among(int_keys, k)) {
      if (auto v = o.Int(k, false, 0, INT32_MAX)) out[k] = *v;
    } else if (auto v = o.Number(k, false, 0)) {
      out[k] = *v;
    }
  }
  o.RejectUnknownKeys();
  return out;
}

void StrictObject::RejectUnknownKeys() {
  if (!valid_) return;
  for (auto it = json_.begin(); it != json_.end(); ++it) {
    if (!seen_.count(it.key())) Error(PathOf(it.key()), "unknown key");
  }
}

}  // namespace reagent
