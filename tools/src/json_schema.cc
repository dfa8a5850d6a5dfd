#include "reagent/tools/json_schema.h"

#include <cmath>
#include <string_view>

namespace reagent {
namespace {

using Json = nlohmann::json;

// Characters (code points) in UTF-8 text: bytes that are not continuation bytes.
std::size_t CountCodePoints(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// The type name a model would use for a value: integers and floats are both "number" unless
// the value is integral, so "expected string, got number" reads naturally.
std::string_view ValueTypeName(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return "number";
    case Json::value_t::string: return "string";
    case Json::value_t::array: return "array";
    case Json::value_t::object: return "object";
    default: return "unsupported value";
  }
}

bool MatchesType(const Json& v, std::string_view type) {
  if (type == "string") return v.is_string();
  if (type == "number") return v.is_number();
  if (type == "integer") {
    if (v.is_number_integer()) return true;
    if (!v.is_number_float()) return false;
    const double d = v.get<double>();
    return std::isfinite(d) && std::floor(d) == d;
  }
  if (type == "boolean") return v.is_boolean();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "null") return v.is_null();
  return false;
}

bool IsKnownType(std::string_view t) {
  return t == "string" || t == "number" || t == "integer" || t == "boolean" || t == "object" ||
         t == "array" || t == "null";
}

std::string Brief(const Json& v) {
  std::string s = v.dump(-1, ' ', false, Json::error_handler_t::replace);
  constexpr std::size_t kMaxShown = 40;  // enough to recognise a value, short enough for one line
  if (s.size() > kMaxShown) s = s.substr(0, kMaxShown) + "...";
  return s;
}

std::string FormatNumber(double d) {
  if (std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<long long>(d));
  std::string s = std::to_string(d);
  while (!s.empty() && s.back() == '0') s.pop_back();
  return s;
}

class Validator {
 public:
  Validator(std::vector<std::string>& errors, std::size_t max_errors)
      : errors_(errors), max_errors_(max_errors) {}

  void Check(const Json& schema, const Json& v, const std::string& path) {
    if (full() || !schema.is_object()) return;
    if (auto it = schema.find("type"); it != schema.end()) {
      if (!CheckType(*it, v, path)) return;  // the other checks would only repeat the mismatch
    }
    if (auto it = schema.find("const"); it != schema.end() && *it != v) {
      Add(path, "expected " + Brief(*it) + ", got " + Brief(v));
      return;
    }
    if (auto it = schema.find("enum"); it != schema.end() && it->is_array()) {
      bool found = false;
      for (const auto& option : *it) found = found || option == v;
      if (!found) {
        std::string options;
        for (const auto& option : *it) options += (options.empty() ? "" : ", ") + Brief(option);
        Add(path, "expected one of [" + options + "], got " + Brief(v));
        return;
      }
    }
    if (v.is_number()) CheckNumber(schema, v.get<double>(), path);
    if (v.is_string()) CheckString(schema, v.get_ref<const std::string&>(), path);
    if (v.is_array()) CheckArray(schema, v, path);
    if (v.is_object()) CheckObject(schema, v, path);
  }

 private:
  bool full() const { return errors_.size() >= max_errors_; }
  void Add(const std::string& path, std::string what) {
    if (!full()) errors_.push_back(path + ": " + std::move(what));
  }

  bool CheckType(const Json& type, const Json& v, const std::string& path) {
    if (type.is_string()) {
      const auto& t = type.get_ref<const std::string&>();
      if (MatchesType(v, t)) return true;
      Add(path, "expected " + t + ", got " + std::string(ValueTypeName(v)));
      return false;
    }
    if (!type.is_array()) return true;
    std::string names;
    for (const auto& t : type) {
      if (!t.is_string()) continue;
      if (MatchesType(v, t.get_ref<const std::string&>())) return true;
      names += (names.empty() ? "" : " or ") + t.get<std::string>();
    }
    Add(path, "expected " + names + ", got " + std::string(ValueTypeName(v)));
    return false;
  }

  static const Json* Number(const Json& schema, const char* key) {
    auto it = schema.find(key);
    return it != schema.end() && it->is_number() ? &*it : nullptr;
  }

  void CheckNumber(const Json& schema, double d, const std::string& path) {
    if (const Json* m = Number(schema, "minimum"); m && d < m->get<double>())
      Add(path, "expected a number >= " + FormatNumber(m->get<double>()) + ", got " + FormatNumber(d));
    if (const Json* m = Number(schema, "maximum"); m && d > m->get<double>())
      Add(path, "expected a number <= " + FormatNumber(m->get<double>()) + ", got " + FormatNumber(d));
    if (const Json* m = Number(schema, "exclusiveMinimum"); m && d <= m->get<double>())
      Add(path, "expected a number > " + FormatNumber(m->get<double>()) + ", got " + FormatNumber(d));
    if (const Json* m = Number(schema, "exclusiveMaximum"); m && d >= m->get<double>())
      Add(path, "expected a number < " + FormatNumber(m->get<double>()) + ", got " + FormatNumber(d));
  }

  void CheckString(const Json& schema, const std::string& s, const std::string& path) {
    const Json* min = Number(schema, "minLength");
    const Json* max = Number(schema, "maxLength");
    if (!min && !max) return;
    const std::size_t n = CountCodePoints(s);
    if (min && static_cast<double>(n) < min->get<double>())
      Add(path, "expected at least " + FormatNumber(min->get<double>()) + " characters, got " + std::to_string(n));
    if (max && static_cast<double>(n) > max->get<double>())
      Add(path, "expected at most " + FormatNumber(max->get<double>()) + " characters, got " + std::to_string(n));
  }

  void CheckArray(const Json& schema, const Json& v, const std::string& path) {
    const double n = static_cast<double>(v.size());
    if (const Json* m = Number(schema, "minItems"); m && n < m->get<double>())
      Add(path, "expected at least " + FormatNumber(m->get<double>()) + " items, got " + FormatNumber(n));
    if (const Json* m = Number(schema, "maxItems"); m && n > m->get<double>())
      Add(path, "expected at most " + FormatNumber(m->get<double>()) + " items, got " + FormatNumber(n));
    auto items = schema.find("items");
    if (items == schema.end() || !items->is_object()) return;
    for (std::size_t i = 0; i < v.size() && !full(); ++i)
      Check(*items, v[i], path + "[" + std::to_string(i) + "]");
  }

  void CheckObject(const Json& schema, const Json& v, const std::string& path) {
    auto props = schema.find("properties");
    const bool has_props = props != schema.end() && props->is_object();
    if (auto req = schema.find("required"); req != schema.end() && req->is_array()) {
      for (const auto& name : *req) {
        if (name.is_string() && !v.contains(name.get_ref<const std::string&>()))
          Add(path, "missing required property \"" + name.get<std::string>() + "\"");
      }
    }
    auto additional = schema.find("additionalProperties");
    for (auto it = v.begin(); it != v.end() && !full(); ++it) {
      const std::string child = path + "." + it.key();
      if (has_props) {
        if (auto p = props->find(it.key()); p != props->end()) {
          Check(*p, it.value(), child);
          continue;
        }
      }
      if (additional == schema.end()) continue;
      if (additional->is_boolean() && !additional->get<bool>()) {
        std::string allowed;
        if (has_props)
          for (auto p = props->begin(); p != props->end(); ++p) allowed += (allowed.empty() ? "" : ", ") + p.key();
        Add(child, "unexpected property (allowed: " + (allowed.empty() ? "none" : allowed) + ")");
      } else if (additional->is_object()) {
        Check(*additional, it.value(), child);
      }
    }
  }

  std::vector<std::string>& errors_;
  std::size_t max_errors_;
};

Status CheckSchemaNode(const Json& schema, const std::string& path) {
  if (!schema.is_object()) return Status::InvalidArgument(path + ": expected a schema object, got " + std::string(ValueTypeName(schema)));
  if (auto t = schema.find("type"); t != schema.end()) {
    std::vector<Json> names = t->is_array() ? t->get<std::vector<Json>>() : std::vector<Json>{*t};
    for (const auto& n : names) {
      if (!n.is_string()) return Status::InvalidArgument(path + ".type: expected a type name, got " + Brief(n));
      if (!IsKnownType(n.get_ref<const std::string&>()))
        return Status::InvalidArgument(path + ".type: unknown type " + Brief(n));
    }
  }
  for (const char* key : {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength",
                          "maxLength", "minItems", "maxItems"}) {
    if (auto it = schema.find(key); it != schema.end() && !it->is_number())
      return Status::InvalidArgument(path + "." + key + ": expected a number, got " + std::string(ValueTypeName(*it)));
  }
  if (auto it = schema.find("enum"); it != schema.end() && !it->is_array())
    return Status::InvalidArgument(path + ".enum: expected an array, got " + std::string(ValueTypeName(*it)));
  if (auto it = schema.find("required"); it != schema.end()) {
    if (!it->is_array()) return Status::InvalidArgument(path + ".required: expected an array of names");
    for (const auto& n : *it)
      if (!n.is_string()) return Status::InvalidArgument(path + ".required: expected an array of names");
  }
  if (auto it = schema.find("properties"); it != schema.end()) {
    if (!it->is_object()) return Status::InvalidArgument(path + ".properties: expected an object");
    for (auto p = it->begin(); p != it->end(); ++p)
      REAGENT_RETURN_IF_ERROR(CheckSchemaNode(p.value(), path + ".properties." + p.key()));
  }
  if (auto it = schema.find("items"); it != schema.end())
    REAGENT_RETURN_IF_ERROR(CheckSchemaNode(*it, path + ".items"));
  if (auto it = schema.find("additionalProperties"); it != schema.end() && !it->is_boolean())
    REAGENT_RETURN_IF_ERROR(CheckSchemaNode(*it, path + ".additionalProperties"));
  return Status::Ok();
}

}  // namespace

std::vector<std::string> SchemaErrors(const Json& schema, const Json& value, std::string_view root,
                                      std::size_t max_errors) {
  std::vector<std::string> errors;
  Validator(errors, max_errors).Check(schema, value, std::string(root));
  return errors;
}

Status ValidateAgainstSchema(const Json& schema, const Json& value, std::string_view root) {
  auto errors = SchemaErrors(schema, value, root);
  if (errors.empty()) return Status::Ok();
  std::string message;
  for (const auto& e : errors) message += (message.empty() ? "" : "; ") + e;
  return Status::InvalidArgument(std::move(message));
}

Status CheckParameterSchema(const Json& schema, std::string_view root) {
  const std::string path(root);
  REAGENT_RETURN_IF_ERROR(CheckSchemaNode(schema, path));
  auto t = schema.find("type");
  if (t == schema.end() || *t != "object")
    return Status::InvalidArgument(path + ".type: a tool's parameters must be {\"type\": \"object\", ...}");
  return Status::Ok();
}

}  // namespace reagent
