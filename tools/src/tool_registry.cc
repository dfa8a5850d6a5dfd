#include "reagent/tools/tool_registry.h"

#include <algorithm>
#include <mutex>

#include "reagent/core/json.h"
#include "reagent/tools/action_input.h"
#include "reagent/tools/json_schema.h"
#include "reagent/tools/output_text.h"

namespace reagent {
namespace {

constexpr std::size_t kMaxToolNameLength = 64;  // OpenAI's limit on function names

bool IsValidToolName(std::string_view name) {
  if (name.empty() || name.size() > kMaxToolNameLength) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// `{"q": string (required), "limit": integer}` — the shape a model needs, without the noise.
std::string DescribeArguments(const nlohmann::json& schema) {
  auto props = schema.find("properties");
  if (props == schema.end() || !props->is_object() || props->empty()) return "{}";
  std::vector<std::string> required;
  if (auto r = schema.find("required"); r != schema.end() && r->is_array())
    for (const auto& n : *r)
      if (n.is_string()) required.push_back(n.get<std::string>());
  std::string out = "{";
  bool first = true;
  for (auto it = props->begin(); it != props->end(); ++it) {
    out += first ? "" : ", ";
    first = false;
    out += DumpJson(it.key()) + ": ";
    const auto& p = it.value();
    auto type = p.find("type");
    out += type == p.end() ? "any" : type->is_string() ? type->get<std::string>() : DumpJson(*type);
    if (auto e = p.find("enum"); e != p.end()) out += " one of " + DumpJson(*e);
    if (std::find(required.begin(), required.end(), it.key()) != required.end()) out += " (required)";
    if (auto d = p.find("description"); d != p.end() && d->is_string()) out += " - " + d->get<std::string>();
  }
  return out + "}";
}

}  // namespace

ToolRegistry::ToolRegistry(const ToolRegistry& other) {
  std::shared_lock lock(other.mu_);
  tools_ = other.tools_;
  filter_ = other.filter_;
}

ToolRegistry& ToolRegistry::operator=(const ToolRegistry& other) {
  if (this == &other) return *this;
  std::vector<std::shared_ptr<Tool>> tools;
  ToolOutputFilter filter;
  {
    std::shared_lock lock(other.mu_);
    tools = other.tools_;
    filter = other.filter_;
  }
  std::unique_lock lock(mu_);
  tools_ = std::move(tools);
  filter_ = std::move(filter);
  return *this;
}

Status ToolRegistry::Register(std::shared_ptr<Tool> tool) {
  if (!tool) return Status::InvalidArgument("cannot register a null tool");
  if (!IsValidToolName(tool->name()))
    return Status::InvalidArgument("tool name \"" + tool->name() + "\" must be 1-64 characters of [A-Za-z0-9_-]");
  REAGENT_RETURN_IF_ERROR(CheckParameterSchema(tool->parameters(), tool->name() + ".parameters"));
  std::unique_lock lock(mu_);
  for (const auto& t : tools_)
    if (t->name() == tool->name()) return Status::AlreadyExists("a tool named \"" + tool->name() + "\" is already registered");
  tools_.push_back(std::move(tool));
  return Status::Ok();
}

std::shared_ptr<Tool> ToolRegistry::Find(std::string_view name) const {
  std::shared_lock lock(mu_);
  for (const auto& t : tools_)
    if (t->name() == name) return t;
  return nullptr;
}

std::vector<std::string> ToolRegistry::Names() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> names;
  for (const auto& t : tools_) names.push_back(t->name());
  return names;
}

Result<ToolRegistry> ToolRegistry::Restrict(const std::vector<std::string>& allowed) const {
  ToolRegistry out;
  {
    std::shared_lock lock(mu_);
    out.filter_ = filter_;
  }
  for (const auto& name : allowed) {
    auto tool = Find(name);
    if (!tool) {
      std::string known;
      for (const auto& n : Names()) known += (known.empty() ? "" : ", ") + n;
      return Status::NotFound("allowed tool \"" + name + "\" is not registered (registered: [" + known + "])");
    }
    if (out.Find(name)) continue;
    out.tools_.push_back(std::move(tool));
  }
  return out;
}

std::vector<ToolSpec> ToolRegistry::Specs() const {
  std::shared_lock lock(mu_);
  std::vector<ToolSpec> specs;
  specs.reserve(tools_.size());
  for (const auto& t : tools_) specs.push_back(t->spec());
  return specs;
}

std::string ToolRegistry::DescribeForReact() const {
  std::shared_lock lock(mu_);
  std::string out;
  for (const auto& t : tools_) {
    out += t->name() + ": " + t->description() + "\n  Action Input: " + DescribeArguments(t->parameters());
    if (auto single = SingleStringParameter(t->parameters())) out += " or the " + *single + " as plain text";
    out += "\n";
  }
  return out;
}

void ToolRegistry::SetOutputFilter(ToolOutputFilter filter) {
  std::unique_lock lock(mu_);
  filter_ = std::move(filter);
}

std::string ToolRegistry::UnknownToolMessage(std::string_view name) const {
  std::string list;
  for (const auto& n : Names()) list += (list.empty() ? "" : ", ") + n;
  // The name is model output: make it valid UTF-8 and keep it short before echoing it back.
  constexpr std::size_t kMaxEchoedName = 80;
  std::string shown = MakeValidUtf8(name.substr(0, Utf8PrefixLength(name, kMaxEchoedName)));
  if (shown.empty()) return "No tool was named, try one of [" + list + "]";
  return shown + " is not a valid tool, try one of [" + list + "]";
}

ToolResult ToolRegistry::Invoke(std::string_view name, std::string_view raw_arguments, const ToolContext& ctx) const {
  auto tool = Find(name);
  if (!tool) return Finish(name, ToolResult::Error(tool_error::kUnknownTool, UnknownToolMessage(name)));
  Result<nlohmann::json> args = ParseToolArguments(raw_arguments, tool->parameters());
  if (!args.ok()) {
    return Finish(name, ToolResult::Error(tool_error::kInvalidArguments,
                                          "invalid arguments for " + tool->name() + ": " + args.status().message()));
  }
  return Finish(name, tool->Invoke(*args, ctx));
}

ToolResult ToolRegistry::InvokeJson(std::string_view name, const nlohmann::json& arguments, const ToolContext& ctx) const {
  auto tool = Find(name);
  if (!tool) return Finish(name, ToolResult::Error(tool_error::kUnknownTool, UnknownToolMessage(name)));
  return Finish(name, tool->Invoke(arguments, ctx));
}

ToolResult ToolRegistry::Finish(std::string_view name, ToolResult result) const {
  ToolOutputFilter filter;
  {
    std::shared_lock lock(mu_);
    filter = filter_;
  }
  if (filter) result.text = filter(name, result.text);
  return result;
}

}  // namespace reagent
