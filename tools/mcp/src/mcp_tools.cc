// MCP tools as registry entries: names, the text a screen judges, results as ToolResults.
#include <map>

#include "jsonrpc.h"
#include "reagent/core/json.h"
#include "reagent/mcp/mcp_server.h"
#include "reagent/tools/json_schema.h"

namespace reagent {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxToolName = 64;                // the registry's (OpenAI's) limit
constexpr std::size_t kMaxScreenTextBytes = 64 * 1024;  // a schema's strings beyond this are not shown anyway
constexpr std::size_t kMaxContentItems = 256;
constexpr int kMaxSchemaWalkDepth = 32;

std::string RegistryName(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) c = '_';
  }
  return out;
}

void CollectStrings(const json& j, std::string& out, int depth) {
  if (out.size() > kMaxScreenTextBytes || depth > kMaxSchemaWalkDepth) return;
  if (j.is_string()) {
    out += j.get_ref<const std::string&>();
    out += '\n';
  } else if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() != "type" && it.key() != "$schema") {
        out += it.key();
        out += '\n';
      }
      CollectStrings(it.value(), out, depth + 1);
    }
  } else if (j.is_array()) {
    for (const auto& v : j) CollectStrings(v, out, depth + 1);
  }
}

std::string Bytes(std::size_t n) {
  if (n < 10 * 1024) return std::to_string(n) + " bytes";
  return std::to_string(n / 1024) + " KiB";
}

// Base64 text length → decoded size, roughly (for placeholders).
std::size_t DecodedSize(const json& item, const char* key) {
  auto it = item.find(key);
  if (it == item.end() || !it->is_string()) return 0;
  const std::string& b64 = it->get_ref<const std::string&>();
  std::size_t padding = 0;
  for (auto c = b64.rbegin(); c != b64.rend() && *c == '=' && padding < 2; ++c) ++padding;
  return b64.size() * 3 / 4 - padding;
}

std::string Str(const json& item, const char* key) {
  auto it = item.find(key);
  return it != item.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string ContentText(const json& item) {
  if (!item.is_object()) return "[content item that is not an object]";
  const std::string type = Str(item, "type");
  if (type == "text") return Str(item, "text");
  if (type == "image" || type == "audio") {
    const std::string mime = mcp_internal::ShowableText(Str(item, "mimeType"), 64);
    return "[" + type + " (" + (mime.empty() ? "unknown type" : mime) + ", " + Bytes(DecodedSize(item, "data")) +
           ") not shown]";
  }
  if (type == "resource_link") {
    const std::string name = Str(item, "name");
    return "[resource link: " + (name.empty() ? "" : name + " ") + "<" + Str(item, "uri") + ">]";
  }
  if (type == "resource") {
    const json r = item.value("resource", json::object());
    if (!r.is_object()) return "[resource]";
    if (r.contains("text")) return Str(r, "text");
    const std::string mime = mcp_internal::ShowableText(Str(r, "mimeType"), 64);
    return "[resource <" + Str(r, "uri") + "> (" + (mime.empty() ? "binary" : mime) + ", " + Bytes(DecodedSize(r, "blob")) +
           ") not shown]";
  }
  return "[" + mcp_internal::ShowableText(type.empty() ? "untyped" : type, 32) + " content not shown]";
}

}  // namespace

std::string McpToolScreenText(const McpToolInfo& tool) {
  std::string text = tool.name + "\n";
  if (!tool.title.empty()) text += tool.title + "\n";
  text += tool.description + "\n";
  CollectStrings(tool.input_schema, text, 0);
  return text;
}

ToolResult McpResultToToolResult(std::string_view tool_name, const json& result, const json& output_schema) {
  std::string text;
  const json content = result.value("content", json::array());
  if (content.is_array()) {
    std::size_t i = 0;
    for (const auto& item : content) {
      if (i++ == kMaxContentItems) {
        text += "\n[" + std::to_string(content.size() - kMaxContentItems) + " more content items not shown]";
        break;
      }
      if (!text.empty()) text += "\n";
      text += ContentText(item);
    }
  }
  json structured;
  if (auto s = result.find("structuredContent"); s != result.end() && !s->is_null()) structured = *s;
  const bool is_error = result.value("isError", false) == true;
  if (is_error) {
    ToolResult r = ToolResult::Error(tool_error::kFailed,
                                     text.empty() ? std::string(tool_name) + " reported an error without details" : text);
    r.structured = std::move(structured);
    return r;
  }
  if (!structured.is_null() && output_schema.is_object()) {
    if (auto errors = SchemaErrors(output_schema, structured, "structuredContent"); !errors.empty()) {
      std::string why = std::string(tool_name) + " returned a structured result that does not match its outputSchema: ";
      for (std::size_t k = 0; k < errors.size(); ++k) why += (k ? "; " : "") + errors[k];
      return ToolResult::Error(tool_error::kFailed, why);
    }
  }
  if (text.empty() && !structured.is_null()) text = DumpJson(structured);
  if (text.empty()) text = "(" + std::string(tool_name) + " returned no content)";
  ToolResult r = ToolResult::Text(std::move(text));
  r.structured = std::move(structured);
  return r;
}

std::vector<std::shared_ptr<Tool>> MakeMcpTools(const std::vector<std::shared_ptr<McpServer>>& servers,
                                               const std::vector<std::string>& taken, std::vector<std::string>* skipped) {
  std::map<std::string, int> uses;
  for (const auto& t : taken) uses[t] += 1;
  for (const auto& s : servers)
    for (const auto& t : s->tools()) uses[RegistryName(t.name)] += 1;
  std::vector<std::shared_ptr<Tool>> out;
  std::map<std::string, bool> assigned;
  for (const auto& t : taken) assigned[t] = true;
  for (const auto& server : servers) {
    for (const auto& t : server->tools()) {
      const std::string base = RegistryName(t.name);
      std::string name = base;
      if (server->config().prefix_tools || uses[base] > 1) name = server->name() + "__" + base;
      auto skip = [&](const std::string& why) {
        if (skipped) skipped->push_back("mcp server \"" + server->name() + "\": tool \"" + t.name + "\" skipped: " + why);
      };
      if (name.size() > kMaxToolName) {
        skip("its name is longer than 64 characters as \"" + name.substr(0, 40) + "…\"");
        continue;
      }
      if (assigned[name]) {
        skip("the name \"" + name + "\" is taken");
        continue;
      }
      if (Status s = CheckParameterSchema(t.input_schema, name + ".inputSchema"); !s.ok()) {
        skip("its inputSchema cannot be checked (" + s.message() + ")");
        continue;
      }
      ToolDefinition def;
      def.name = name;
      def.description = t.description.empty() ? t.title : t.description;
      def.parameters = t.input_schema;
      def.limits.timeout = server->config().call_timeout;
      def.limits.max_output_bytes = server->config().max_output_bytes;
      assigned[name] = true;
      out.push_back(std::make_shared<McpTool>(std::move(def), server, t.name));
    }
  }
  return out;
}

}  // namespace reagent
