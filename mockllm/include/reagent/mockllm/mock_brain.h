// The mock server's default "model": a small deterministic agent, so demos and agent tests run
// end to end without a real model.
//  - Question with arithmetic ("What is 17*23?") and a calculator available: it asks for the
//    calculator first (ReAct text: "Action: calculator / Action Input: 17*23"; native mode: a
//    tool call with the expression in the calculator schema's first string property); once an
//    observation is in the conversation, it answers from it ("Final Answer: 391").
//  - Question that asks for a tool by name with JSON arguments ("Call get-sum with {"a": 2,
//    "b": 3}") and that tool available: it calls it with exactly those arguments, then answers
//    from the observation (its number, or its opening text). Any tool, MCP ones included.
//  - Arithmetic without a calculator: it computes the answer itself.
//  - Question naming a file ("Summarize notes.txt") and a read_file tool available: it reads
//    the file, then answers with the opening paragraph of what it read.
//  - Anything else: a fixed, clearly-mock final answer quoting the question.
// Native tool-call mode is used when the request carries tools; otherwise the ReAct text
// protocol (Thought / Action / Action Input / Observation / Final Answer).
#pragma once

#include <optional>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reagent/core/message.h"

namespace reagent::mockllm {

struct BrainReply {
  std::string content;
  std::vector<ToolCall> tool_calls;  // ids left empty; the server assigns them
};

// `body` is a chat-completions request body (model, messages, tools...).
BrainReply Think(const nlohmann::json& body);

// The first file name with a common text extension in text ("notes.txt", "docs/a.md").
std::optional<std::string> FindFileName(std::string_view text);

// "Call NAME with {json}" / "Use the NAME tool with {json}" in text: the tool name and the
// arguments object.
std::optional<std::pair<std::string, nlohmann::json>> FindToolRequest(std::string_view text);

// The first arithmetic expression in text ("17*23", "(2 + 3) * 4", "2^10"), trimmed.
std::optional<std::string> FindArithmetic(std::string_view text);

// Evaluates + - * / % ^ and parentheses over decimals; nullopt on a syntax error or a
// division by zero.
std::optional<double> EvaluateArithmetic(std::string_view expression);

// 391 -> "391", 2.5 -> "2.5", 1/3 -> "0.333333333333".
std::string FormatNumber(double value);

}  // namespace reagent::mockllm
