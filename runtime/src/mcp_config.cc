#include "reagent/runtime/mcp_config.h"

#include <set>

#include "reagent/runtime/strict_json.h"

namespace reagent {
namespace {

std::map<std::string, std::string> StringMap(StrictObject& o, std::string_view key) {
  std::map<std::string, std::string> out;
  if (const Json* m = o.Object(key)) {
    for (auto it = m->begin(); it != m->end(); ++it) {
      if (!it->is_string()) {
        o.Error(o.PathOf(std::string(key) + "." + it.key()), "expected string, got " + std::string(JsonTypeName(*it)));
        continue;
      }
      out[it.key()] = it->get<std::string>();
    }
  }
  return out;
}

McpServerConfig ParseOne(const Json& j, const std::string& path, std::vector<std::string>& errors) {
  McpServerConfig c;
  StrictObject o(j, path, errors);
  if (!o.valid()) return c;
  if (auto v = o.String("name", true)) c.name = *v;
  if (auto v = o.StringArray("command")) c.command = *v;
  if (o.Has("command") && c.command.empty()) o.Error(o.PathOf("command"), "expected a non-empty array of strings");
  c.env = StringMap(o, "env");
  if (auto v = o.StringArray("pass_env")) c.pass_env = *v;
  if (auto v = o.String("cwd")) c.cwd = *v;
  if (auto v = o.String("url")) c.url = *v;
  c.headers = StringMap(o, "headers");
  if (auto v = o.StringArray("tools")) c.allowed_tools = *v;
  if (auto v = o.Bool("prefix_tools")) c.prefix_tools = *v;
  if (auto v = o.Number("timeout_s", false, 0)) c.call_timeout = Seconds(*v);
  if (auto v = o.Number("connect_timeout_s", false, 0)) c.connect_timeout = Seconds(*v);
  if (auto v = o.Int("max_output_bytes", false, 1)) c.max_output_bytes = static_cast<std::size_t>(*v);
  if (auto v = o.Int("max_message_bytes", false, 1024)) c.max_message_bytes = static_cast<std::size_t>(*v);
  o.RejectUnknownKeys();
  // The cross-key rules (exactly one transport, name shape, header values) live with the
  // config type; their key names are the file's. A missing name was reported above.
  for (const auto& e : McpServerConfigErrors(c)) {
    if (e.starts_with("name:") && !o.Has("name")) continue;
    if (e.starts_with("command, url") && o.Has("command") && c.command.empty()) continue;
    errors.push_back(path + "." + e);
  }
  return c;
}

}  // namespace

std::vector<McpServerConfig> ParseMcpServers(const Json& list, const std::string& path, std::vector<std::string>& errors) {
  std::vector<McpServerConfig> servers;
  std::set<std::string> names;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string at = IndexPath(path, i);
    McpServerConfig c = ParseOne(list[i], at, errors);
    if (!c.name.empty() && !names.insert(c.name).second)
      errors.push_back(at + ".name: \"" + c.name + "\" is used by another server");
    servers.push_back(std::move(c));
  }
  return servers;
}

Json McpServersJson(const std::vector<McpServerConfig>& servers) {
  Json out = Json::array();
  for (const auto& c : servers) {
    Json j = {{"name", c.name},
              {"transport", c.url.empty() ? "stdio" : "http"},
              {"tools", c.allowed_tools},
              {"prefix_tools", c.prefix_tools},
              {"timeout_s", ToSeconds(c.call_timeout)},
              {"connect_timeout_s", ToSeconds(c.connect_timeout)},
              {"max_output_bytes", c.max_output_bytes},
              {"max_message_bytes", c.max_message_bytes}};
    if (c.url.empty()) {
      j["command"] = c.command;
      Json env = Json::object();
      for (const auto& [k, v] : c.env) env[k] = v.find("${") != std::string::npos ? v : "(set)";
      j["env"] = env;
      j["pass_env"] = c.pass_env;
      if (!c.cwd.empty()) j["cwd"] = c.cwd;
    } else {
      j["url"] = c.url.substr(0, c.url.find('?'));
      Json headers = Json::object();
      for (const auto& [k, v] : c.headers) headers[k] = "(redacted)";
      j["headers"] = headers;
    }
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace reagent
