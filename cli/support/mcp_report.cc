#include "support/mcp_report.h"

#include <map>

#include "reagent/runtime/runtime.h"

namespace reagent::cli {

Result<std::vector<McpServerConfig>> ResolveMcpTargets(const Config& config, const std::vector<std::string>& target) {
  if (target.empty()) {
    if (config.mcp_servers.empty())
      return Status::InvalidArgument("no MCP server is configured (tools.mcp in " + config.source +
                                     "); name one: a URL or a command");
    return config.mcp_servers;
  }
  if (target.size() == 1) {
    for (const auto& s : config.mcp_servers)
      if (s.name == target[0]) return std::vector<McpServerConfig>{s};
  }
  McpServerConfig adhoc;
  adhoc.name = "cli";
  if (target.size() == 1 && (target[0].starts_with("http://") || target[0].starts_with("https://"))) {
    adhoc.url = target[0];
  } else {
    adhoc.command = target;
  }
  if (auto errors = McpServerConfigErrors(adhoc); !errors.empty()) return Status::InvalidArgument(errors.front());
  return std::vector<McpServerConfig>{adhoc};
}

namespace {

// The registry names the agent would see for one server's tools (prefixes where names collide
// are decided over all servers together).
std::map<std::pair<std::string, std::string>, std::string> AgentNames(const std::vector<std::shared_ptr<McpServer>>& servers,
                                                                      const std::vector<std::string>& taken) {
  std::map<std::pair<std::string, std::string>, std::string> names;
  for (const auto& tool : MakeMcpTools(servers, taken)) {
    if (auto* m = dynamic_cast<const McpTool*>(tool.get())) names[{m->server_name(), m->remote_name()}] = tool->name();
  }
  return names;
}

std::string ServerLine(const McpServer& s) {
  const McpServerInfo info = s.info();
  std::string line = s.name() + " (" + DescribeMcpEndpoint(s.config()) + ")";
  line += ": " + (info.name.empty() ? std::string("unnamed server") : info.name);
  if (!info.version.empty()) line += " " + info.version;
  line += ", protocol " + info.protocol_version;
  return line;
}

}  // namespace

void PrintMcpServers(const std::vector<std::shared_ptr<McpServer>>& servers, const std::vector<std::string>& problems,
                     const std::vector<std::string>& taken, std::FILE* out) {
  const auto names = AgentNames(servers, taken);
  for (const auto& s : servers) {
    const auto tools = s->tools();
    std::fprintf(out, "mcp server %s\n  %zu tool%s:\n", ServerLine(*s).c_str(), tools.size(), tools.size() == 1 ? "" : "s");
    for (const auto& t : tools) {
      auto it = names.find({s->name(), t.name});
      const std::string shown = it == names.end() ? t.name : it->second;
      std::string description = t.description.substr(0, t.description.find('\n'));
      if (description.size() > 100) description = description.substr(0, 100) + "…";
      std::fprintf(out, "    %s%s%s\n", shown.c_str(), description.empty() ? "" : " - ", description.c_str());
    }
    for (const auto& r : s->refused()) std::fprintf(out, "  refused %s: %s\n", r.name.c_str(), r.reason.c_str());
  }
  for (const auto& p : problems) {
    bool shown = false;  // a refusal is already listed under its server
    for (const auto& s : servers)
      for (const auto& r : s->refused())
        shown = shown || p == "mcp server \"" + s->name() + "\": tool \"" + r.name + "\" refused: " + r.reason;
    if (!shown) std::fprintf(out, "problem: %s\n", p.c_str());
  }
}

Json McpServersReport(const std::vector<std::shared_ptr<McpServer>>& servers, const std::vector<std::string>& problems,
                      const std::vector<std::string>& taken) {
  const auto names = AgentNames(servers, taken);
  Json list = Json::array();
  for (const auto& s : servers) {
    const McpServerInfo info = s->info();
    Json tools = Json::array();
    for (const auto& t : s->tools()) {
      auto it = names.find({s->name(), t.name});
      tools.push_back({{"name", it == names.end() ? t.name : it->second}, {"server_name", t.name},
                       {"title", t.title}, {"description", t.description}, {"input_schema", t.input_schema}});
    }
    Json refused = Json::array();
    for (const auto& r : s->refused()) refused.push_back({{"name", r.name}, {"reason", r.reason}});
    list.push_back({{"name", s->name()},
                    {"endpoint", DescribeMcpEndpoint(s->config())},
                    {"server", {{"name", info.name}, {"version", info.version}, {"title", info.title}}},
                    {"protocol", info.protocol_version},
                    {"tools", tools},
                    {"refused", refused}});
  }
  return {{"servers", list}, {"problems", problems}};
}

bool CheckMcpServers(const Config& config, std::FILE* out) {
  auto sanitizer = MakeSanitizer(config);
  if (!sanitizer.ok()) {
    std::fprintf(out, "reagent: %s\n", sanitizer.status().message().c_str());
    return false;
  }
  std::vector<std::string> problems;
  auto servers = StartMcpServers(config.mcp_servers, *sanitizer, &problems);
  PrintMcpServers(servers, problems, config.builtin_tools, out);
  if (servers.size() == config.mcp_servers.size()) return true;
  for (std::size_t i = 0; i < config.mcp_servers.size(); ++i) {
    bool started = false;
    for (const auto& s : servers) started = started || s->name() == config.mcp_servers[i].name;
    if (!started) std::fprintf(out, "reagent: tools.mcp[%zu] (\"%s\") did not start\n", i, config.mcp_servers[i].name.c_str());
  }
  return false;
}

}  // namespace reagent::cli
