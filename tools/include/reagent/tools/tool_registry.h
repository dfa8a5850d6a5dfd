// ToolRegistry: the tools one agent may call, by name. It lists them for the model (OpenAI
// `tools` entries for native mode, a text block for the ReAct prompt) and turns a model's
// tool call — a name and raw argument text, both untrusted — into a ToolResult. Every failure
// (unknown name, unparsable or invalid arguments, timeout, crash) becomes a result with
// is_error set whose text tells the model what to do instead.
//
//   ToolRegistry registry;
//   registry.Register(MakeCalculatorTool());
//   ToolResult r = registry.Invoke("calculator", "17*23", ctx);   // r.text == "391"
//   ToolResult u = registry.Invoke("search", "{}", ctx);
//   // u.text == "search is not a valid tool, try one of [calculator]"
#pragma once

#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reagent/core/status.h"
#include "reagent/llm/chat_model.h"
#include "reagent/tools/tool.h"

namespace reagent {

// Rewrites a result's text before it leaves the registry (the agent's sanitizer Wrap, a
// redactor). Called for successes and errors alike. Must be thread-safe.
using ToolOutputFilter = std::function<std::string(std::string_view tool_name, std::string_view text)>;

// Thread-safe: every method may be called concurrently (registration takes a write lock;
// lookups and invocations a read lock held only while the tool is looked up, never while it
// runs). Copying copies the list of tools (tools themselves are shared).
class ToolRegistry {
 public:
  ToolRegistry() = default;
  ToolRegistry(const ToolRegistry& other);
  ToolRegistry& operator=(const ToolRegistry& other);

  // Adds a tool. InvalidArgument when its name is not [A-Za-z0-9_-]{1,64} or its parameter
  // schema is unusable (see CheckParameterSchema); AlreadyExists when the name is taken.
  Status Register(std::shared_ptr<Tool> tool);

  // The tool with this name, or nullptr.
  std::shared_ptr<Tool> Find(std::string_view name) const;

  // Names in registration order.
  std::vector<std::string> Names() const;

  // A registry holding only the named tools (an agent's allow-list), in the order given.
  // NotFound names the first name that is not registered.
  Result<ToolRegistry> Restrict(const std::vector<std::string>& allowed) const;

  // OpenAI `tools` entries, in registration order (native tool-call mode).
  std::vector<ToolSpec> Specs() const;

  // One block for the ReAct prompt: per tool its name, description and arguments, e.g.
  //   calculator: Evaluates an arithmetic expression.
  //     Action Input: {"expression": string (required)} or the expression as plain text
  std::string DescribeForReact() const;

  // Installs the filter every result's text passes through (nullptr: none).
  void SetOutputFilter(ToolOutputFilter filter);

  // Parses raw argument text (JSON, or plain string for single-string-parameter tools; see
  // ParseToolArguments), validates, invokes; every failure becomes a ToolResult with is_error.
  ToolResult Invoke(std::string_view name, std::string_view raw_arguments, const ToolContext& ctx) const;
  // The same with arguments already parsed (native mode clients that hold JSON).
  ToolResult InvokeJson(std::string_view name, const nlohmann::json& arguments, const ToolContext& ctx) const;

  // "X is not a valid tool, try one of [a, b]" for the registered names.
  std::string UnknownToolMessage(std::string_view name) const;

 private:
  ToolResult Finish(std::string_view name, ToolResult result) const;

  mutable std::shared_mutex mu_;
  std::vector<std::shared_ptr<Tool>> tools_;
  ToolOutputFilter filter_;
};

}  // namespace reagent
