#include "reagent/mcp/mcp_server_config.h"

#include <cstdlib>

namespace reagent {
namespace {

constexpr std::size_t kMaxServerNameLength = 32;  // leaves room for "<server>__<tool>" in 64

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool IsVariableName(std::string_view name) {
  if (name.empty() || name.find('=') != std::string_view::npos) return false;
  for (char c : name)
    if (c == '\0') return false;
  return true;
}

bool HasControl(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  return false;
}

}  // namespace

std::vector<std::string> McpServerConfigErrors(const McpServerConfig& c) {
  std::vector<std::string> errors;
  bool name_ok = !c.name.empty() && c.name.size() <= kMaxServerNameLength;
  for (char ch : c.name) name_ok = name_ok && IsNameChar(ch);
  if (!name_ok) errors.push_back("name: expected 1-32 characters of [A-Za-z0-9_-]");
  const bool stdio = !c.command.empty(), http = !c.url.empty();
  if (stdio == http) errors.push_back("command, url: exactly one is needed (command for stdio, url for HTTP)");
  if (stdio) {
    if (c.command[0].empty()) errors.push_back("command[0]: the program must not be empty");
    if (!c.headers.empty()) errors.push_back("headers: only for an HTTP server (url)");
  }
  if (http) {
    if (!c.url.starts_with("http://") && !c.url.starts_with("https://"))
      errors.push_back("url: expected an http:// or https:// URL");
    if (HasControl(c.url)) errors.push_back("url: contains control characters");
    if (!c.env.empty() || !c.pass_env.empty() || !c.cwd.empty())
      errors.push_back("env, pass_env, cwd: only for a stdio server (command)");
  }
  for (const auto& [k, v] : c.env)
    if (!IsVariableName(k)) errors.push_back("env: \"" + k + "\" is not a variable name");
  for (const auto& k : c.pass_env)
    if (!IsVariableName(k)) errors.push_back("pass_env: \"" + k + "\" is not a variable name");
  for (const auto& [k, v] : c.headers) {
    bool token = !k.empty();
    for (char ch : k) token = token && (IsNameChar(ch) || ch == '.');
    if (!token) errors.push_back("headers: \"" + k + "\" is not a header name");
    if (HasControl(v)) errors.push_back("headers." + k + ": the value contains CR, LF or control characters");
  }
  if (c.call_timeout <= Duration::zero()) errors.push_back("timeout_s: expected a positive number");
  if (c.connect_timeout <= Duration::zero()) errors.push_back("connect_timeout_s: expected a positive number");
  if (c.max_output_bytes == 0) errors.push_back("max_output_bytes: expected a positive integer");
  if (c.max_message_bytes < 1024) errors.push_back("max_message_bytes: expected at least 1024");
  return errors;
}

std::string DescribeMcpEndpoint(const McpServerConfig& c) {
  if (!c.url.empty()) return "http: " + c.url.substr(0, c.url.find('?'));
  std::string out = "stdio:";
  for (const auto& a : c.command) out += " " + a;
  return out;
}

std::string ExpandEnvReferences(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      const std::size_t close = text.find('}', i + 2);
      if (close != std::string_view::npos) {
        const std::string name(text.substr(i + 2, close - i - 2));
        if (const char* v = std::getenv(name.c_str())) out += v;
        i = close;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

}  // namespace reagent
