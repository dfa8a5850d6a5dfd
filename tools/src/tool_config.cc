// LoadToolsFromJson: external-program tools from a config file.
#include <cmath>
#include <set>

#include "reagent/core/json.h"
#include "reagent/tools/external_tool.h"
#include "reagent/tools/json_schema.h"

namespace reagent {
namespace {

using nlohmann::json;

Status TypeMismatch(const std::string& path, const std::string& what, const json& got) {
  return Status::InvalidArgument(path + ": expected " + what + ", got " + std::string(JsonTypeName(got)));
}

Result<std::vector<std::string>> StringList(const json& v, const std::string& path, bool non_empty) {
  const std::string what = non_empty ? "a non-empty array of strings" : "an array of strings";
  if (!v.is_array() || (non_empty && v.empty())) return TypeMismatch(path, what, v);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) return TypeMismatch(path + "[" + std::to_string(i) + "]", "a string", v[i]);
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

Result<double> PositiveNumber(const json& v, const std::string& path) {
  if (!v.is_number() || !(v.get<double>() > 0) || !std::isfinite(v.get<double>())) return TypeMismatch(path, "a positive number", v);
  return v.get<double>();
}

Result<std::shared_ptr<Tool>> ParseEntry(const json& e, const std::string& path) {
  if (!e.is_object()) return TypeMismatch(path, "an object", e);
  static const std::set<std::string> kKeys = {"name", "description", "parameters", "argv", "cwd", "env",
                                              "set_env", "timeout_s", "kill_grace_s", "max_output_bytes"};
  for (auto it = e.begin(); it != e.end(); ++it)
    if (!kKeys.count(it.key())) return Status::InvalidArgument(path + "." + it.key() + ": unknown key");
  ExternalToolConfig c;
  auto name = e.find("name");
  if (name == e.end() || !name->is_string()) return Status::InvalidArgument(path + ".name: expected a string (required)");
  c.definition.name = name->get<std::string>();
  if (auto d = e.find("description"); d != e.end()) {
    if (!d->is_string()) return TypeMismatch(path + ".description", "a string", *d);
    c.definition.description = d->get<std::string>();
  }
  if (auto p = e.find("parameters"); p != e.end()) {
    REAGENT_RETURN_IF_ERROR(CheckParameterSchema(*p, path + ".parameters"));
    c.definition.parameters = *p;
  }
  auto argv = e.find("argv");
  if (argv == e.end()) return Status::InvalidArgument(path + ".argv: required (the program and its fixed arguments)");
  REAGENT_ASSIGN_OR_RETURN(c.argv, StringList(*argv, path + ".argv", true));
  if (c.argv[0].empty()) return Status::InvalidArgument(path + ".argv[0]: the program must not be empty");
  if (auto cwd = e.find("cwd"); cwd != e.end()) {
    if (!cwd->is_string()) return TypeMismatch(path + ".cwd", "a string", *cwd);
    c.cwd = cwd->get<std::string>();
  }
  if (auto env = e.find("env"); env != e.end()) {
    REAGENT_ASSIGN_OR_RETURN(c.env, StringList(*env, path + ".env", false));
  }
  if (auto set = e.find("set_env"); set != e.end()) {
    if (!set->is_object()) return TypeMismatch(path + ".set_env", "an object of strings", *set);
    for (auto it = set->begin(); it != set->end(); ++it) {
      if (!it->is_string()) return TypeMismatch(path + ".set_env." + it.key(), "a string", *it);
      if (it.key().empty() || it.key().find('=') != std::string::npos)
        return Status::InvalidArgument(path + ".set_env: \"" + it.key() + "\" is not a variable name");
      c.set_env[it.key()] = it->get<std::string>();
    }
  }
  if (auto t = e.find("timeout_s"); t != e.end()) {
    REAGENT_ASSIGN_OR_RETURN(double s, PositiveNumber(*t, path + ".timeout_s"));
    c.definition.limits.timeout = Seconds(s);
  }
  if (auto g = e.find("kill_grace_s"); g != e.end()) {
    REAGENT_ASSIGN_OR_RETURN(double s, PositiveNumber(*g, path + ".kill_grace_s"));
    c.kill_grace = Seconds(s);
  }
  if (auto m = e.find("max_output_bytes"); m != e.end()) {
    if (!m->is_number_integer() || m->get<int64_t>() <= 0) return TypeMismatch(path + ".max_output_bytes", "a positive integer", *m);
    c.definition.limits.max_output_bytes = m->get<std::size_t>();
  }
  REAGENT_ASSIGN_OR_RETURN(auto tool, ExternalTool::Create(std::move(c)));
  return std::shared_ptr<Tool>(std::move(tool));
}

}  // namespace

Result<std::vector<std::shared_ptr<Tool>>> LoadToolsFromJson(const json& config, std::string_view list_path) {
  const json* list = &config;
  if (config.is_object()) {
    for (auto it = config.begin(); it != config.end(); ++it)
      if (it.key() != "tools") return Status::InvalidArgument(it.key() + ": unknown key (expected \"tools\")");
    auto t = config.find("tools");
    if (t == config.end()) return Status::InvalidArgument("tools: required");
    list = &*t;
  }
  if (!list->is_array()) return TypeMismatch(std::string(list_path), "an array", *list);
  std::vector<std::shared_ptr<Tool>> tools;
  std::set<std::string> names;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string path = std::string(list_path) + "[" + std::to_string(i) + "]";
    REAGENT_ASSIGN_OR_RETURN(auto tool, ParseEntry((*list)[i], path));
    if (!names.insert(tool->name()).second)
      return Status::InvalidArgument(path + ".name: \"" + tool->name() + "\" is declared twice");
    tools.push_back(std::move(tool));
  }
  return tools;
}

Result<std::vector<std::shared_ptr<Tool>>> LoadToolsFromFile(const std::string& path) {
  REAGENT_ASSIGN_OR_RETURN(json config, ReadJsonFile(path));
  auto tools = LoadToolsFromJson(config);
  if (!tools.ok()) return tools.status().WithContext(path);
  return tools;
}

}  // namespace reagent
