#include "reagent/mockllm/mock_brain.h"

#include <cctype>
#include <cmath>
#include <cstdio>

namespace reagent::mockllm {
namespace {

using nlohmann::json;

constexpr size_t kQuoteLimit = 200;
constexpr int kNumberPrecision = 12;

bool IsOperator(char c) { return c == '+' || c == '-' || c == '*' || c == '/' || c == '%' || c == '^'; }
bool IsExpressionChar(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) || IsOperator(c) || c == '(' || c == ')' ||
         c == '.' || c == ' ';
}

class Evaluator {
 public:
  explicit Evaluator(std::string_view s) : s_(s) {}
  std::optional<double> Run() {
    auto v = Sum();
    Skip();
    if (!v || pos_ != s_.size()) return std::nullopt;
    return v;
  }

 private:
  void Skip() { while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_; }
  bool Eat(char c) {
    Skip();
    if (pos_ < s_.size() && s_[pos_] == c) { ++pos_; return true; }
    return false;
  }
  std::optional<double> Sum() {
    auto v = Product();
    while (v) {
      if (Eat('+')) { auto r = Product(); if (!r) return std::nullopt; *v += *r; }
      else if (Eat('-')) { auto r = Product(); if (!r) return std::nullopt; *v -= *r; }
      else break;
    }
    return v;
  }
  std::optional<double> Product() {
    auto v = Power();
    while (v) {
      char op = 0;
      if (Eat('*')) op = '*'; else if (Eat('/')) op = '/'; else if (Eat('%')) op = '%'; else break;
      auto r = Power();
      if (!r) return std::nullopt;
      if ((op == '/' || op == '%') && *r == 0) return std::nullopt;
      *v = op == '*' ? *v * *r : op == '/' ? *v / *r : std::fmod(*v, *r);
    }
    return v;
  }
  std::optional<double> Power() {
    auto base = Unary();
    if (base && Eat('^')) {
      auto exp = Power();  // right-associative
      if (!exp) return std::nullopt;
      return std::pow(*base, *exp);
    }
    return base;
  }
  std::optional<double> Unary() {
    if (Eat('-')) { auto v = Unary(); return v ? std::optional<double>(-*v) : std::nullopt; }
    if (Eat('(')) {
      auto v = Sum();
      if (!v || !Eat(')')) return std::nullopt;
      return v;
    }
    Skip();
    size_t start = pos_;
    while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.')) ++pos_;
    if (start == pos_) return std::nullopt;
    try {
      return std::stod(std::string(s_.substr(start, pos_ - start)));
    } catch (...) {
      return std::nullopt;
    }
  }
  std::string_view s_;
  size_t pos_ = 0;
};

std::string Text(const json& message) {
  auto it = message.find("content");
  if (it == message.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

// A string field of an object, "" when absent or not a string (requests are the client's).
std::string StringField(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string Role(const json& message) { return StringField(message, "role"); }

// The agent's "answer now with what you have" request after a step or budget limit: not a
// new question, so the brain answers the one before it from the observations so far.
bool IsClosingInstruction(const std::string& text) {
  return text.find("Answer the user's last question now") != std::string::npos;
}

bool StartsWithObservation(const std::string& text) {
  size_t i = text.find_first_not_of(" \n\t");
  return i != std::string::npos && text.compare(i, 12, "Observation:") == 0;
}

// Text with markup tags ("<<tool_output id=9f3>>", "<b>") replaced by spaces.
std::string StripTags(const std::string& text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '<') {
      size_t close = text.find('>', i);
      if (close != std::string::npos) {
        while (close + 1 < text.size() && text[close + 1] == '>') ++close;
        out += ' ';
        i = close + 1;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

// The last decimal number in text ("-12.5"), or "".
std::string LastNumber(const std::string& text) {
  std::string last;
  for (size_t i = 0; i < text.size();) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    size_t start = i > 0 && text[i - 1] == '-' ? i - 1 : i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i + 1 < text.size() && text[i] == '.' && std::isdigit(static_cast<unsigned char>(text[i + 1]))) {
      ++i;
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    }
    last = text.substr(start, i - start);
  }
  return last;
}

// The answer inside an observation: markup and the "Observation:" label removed; a number
// when the observation holds one.
std::string AnswerFromObservation(const std::string& observation) {
  std::string text = StripTags(observation);
  if (size_t at = text.rfind("Observation:"); at != std::string::npos) text = text.substr(at + 12);
  if (std::string number = LastNumber(text); !number.empty()) return number;
  size_t b = text.find_first_not_of(" \n\t"), e = text.find_last_not_of(" \n\t");
  return b == std::string::npos ? "(empty observation)" : text.substr(b, std::min(e - b + 1, kQuoteLimit));
}

// The calculator's argument name: the first string property of its schema, else "expression".
std::string CalculatorArgument(const json& tool) {
  const json* params = nullptr;
  if (tool.contains("function") && tool["function"].is_object() && tool["function"].contains("parameters")) {
    params = &tool["function"]["parameters"];
  }
  if (params && params->is_object() && params->contains("properties") && (*params)["properties"].is_object()) {
    for (const auto& [name, schema] : (*params)["properties"].items()) {
      if (StringField(schema, "type") == "string") return name;
    }
  }
  return "expression";
}

// The opening of a document observation: spotlighting tags removed, up to the first blank
// line (or kQuoteLimit bytes), whitespace folded.
std::string SummaryFromObservation(const std::string& observation) {
  std::string text = StripTags(observation);
  if (size_t at = text.rfind("Observation:"); at != std::string::npos) text = text.substr(at + 12);
  size_t b = text.find_first_not_of(" \n\t");
  if (b == std::string::npos) return "(empty file)";
  text = text.substr(b);
  // Skip a heading line, keep the first paragraph after it.
  size_t para = text.find("\n\n");
  if (para != std::string::npos && para < 80) text = text.substr(para + 2);
  if (size_t end = text.find("\n\n"); end != std::string::npos) text = text.substr(0, end);
  std::string folded;
  for (char c : text) {
    if (c == '\n' || c == '\t') c = ' ';
    if (c == ' ' && !folded.empty() && folded.back() == ' ') continue;
    folded += c;
  }
  return folded.substr(0, kQuoteLimit);
}

}  // namespace

std::optional<std::string> FindFileName(std::string_view text) {
  static constexpr std::string_view kExtensions[] = {".txt", ".md", ".csv", ".json", ".log"};
  for (std::string_view ext : kExtensions) {
    size_t at = text.find(ext);
    if (at == std::string_view::npos) continue;
    size_t begin = at;
    while (begin > 0 && (std::isalnum(static_cast<unsigned char>(text[begin - 1])) ||
                         text[begin - 1] == '_' || text[begin - 1] == '-' || text[begin - 1] == '/' ||
                         text[begin - 1] == '.')) {
      --begin;
    }
    if (begin < at) return std::string(text.substr(begin, at + ext.size() - begin));
  }
  return std::nullopt;
}

std::optional<std::pair<std::string, json>> FindToolRequest(std::string_view text) {
  for (std::string_view verb : {"Call ", "call ", "Use ", "use "}) {
    for (size_t at = text.find(verb); at != std::string_view::npos; at = text.find(verb, at + 1)) {
      size_t i = at + verb.size();
      if (text.substr(i, 4) == "the ") i += 4;
      size_t end = i;
      while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_' ||
                                   text[end] == '-')) {
        ++end;
      }
      if (end == i) continue;
      std::string name(text.substr(i, end - i));
      size_t open = text.find('{', end);
      size_t close = text.rfind('}');
      if (open == std::string_view::npos || close == std::string_view::npos || close < open) continue;
      std::string_view between = text.substr(end, open - end);
      if (between.find("with") == std::string_view::npos) continue;
      json args = json::parse(text.substr(open, close - open + 1), nullptr, false);
      if (args.is_object()) return std::make_pair(std::move(name), std::move(args));
    }
  }
  return std::nullopt;
}

std::optional<std::string> FindArithmetic(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i])) && text[i] != '(') continue;
    size_t end = i;
    while (end < text.size() && IsExpressionChar(text[end])) ++end;
    std::string candidate(text.substr(i, end - i));
    while (!candidate.empty() && (candidate.back() == ' ' || IsOperator(candidate.back()) || candidate.back() == '.')) {
      candidate.pop_back();
    }
    bool has_operator = false;
    for (size_t k = 1; k < candidate.size(); ++k) has_operator |= IsOperator(candidate[k]);
    if (has_operator && EvaluateArithmetic(candidate)) return candidate;
    i = end;
  }
  return std::nullopt;
}

std::optional<double> EvaluateArithmetic(std::string_view expression) {
  return Evaluator(expression).Run();
}

std::string FormatNumber(double value) {
  if (std::isfinite(value) && value == std::round(value) && std::fabs(value) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", value);
    return buf;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", kNumberPrecision, value);
  return buf;
}

BrainReply Think(const json& body) {
  const json messages = body.contains("messages") && body["messages"].is_array() ? body["messages"] : json::array();
  // The question: the last user message that is not an observation.
  size_t question_at = messages.size();
  for (size_t i = messages.size(); i-- > 0;) {
    if (Role(messages[i]) == "user" && !StartsWithObservation(Text(messages[i])) &&
        !IsClosingInstruction(Text(messages[i]))) {
      question_at = i;
      break;
    }
  }
  std::string question = question_at < messages.size() ? Text(messages[question_at]) : "";
  std::optional<std::string> observation;
  for (size_t i = question_at + 1; i < messages.size(); ++i) {
    std::string role = Role(messages[i]), text = Text(messages[i]);
    if (role == "tool" || (role == "user" && StartsWithObservation(text))) observation = text;
    else if (role == "assistant" && text.find("Observation:") != std::string::npos) observation = text;
  }
  const json* calculator = nullptr;
  bool native = body.contains("tools") && body["tools"].is_array() && !body["tools"].empty();
  if (native) {
    for (const json& t : body["tools"]) {
      if (t.is_object() && t.contains("function") && StringField(t["function"], "name") == "calculator") calculator = &t;
    }
  }
  bool react_has_calculator = false, react_has_read_file = false, native_has_read_file = false;
  for (const json& m : messages) {
    react_has_calculator |= Text(m).find("calculator") != std::string::npos;
    react_has_read_file |= Text(m).find("read_file") != std::string::npos;
  }
  if (native) {
    for (const json& t : body["tools"]) {
      native_has_read_file |= t.is_object() && t.contains("function") && StringField(t["function"], "name") == "read_file";
    }
  }
  std::optional<std::string> file = FindFileName(question);

  BrainReply reply;
  auto final_answer = [&](const std::string& answer) {
    reply.content = native ? answer : "Thought: I now know the final answer.\nFinal Answer: " + answer;
  };
  if (observation) {
    final_answer(file ? "Summary of " + *file + ": " + SummaryFromObservation(*observation)
                      : AnswerFromObservation(*observation));
    return reply;
  }
  if (auto request = FindToolRequest(question)) {
    bool offered = false;
    if (native) {
      for (const json& t : body["tools"])
        offered |= t.is_object() && t.contains("function") && t["function"].value("name", "") == request->first;
    } else {
      for (const json& m : messages)
        offered |= Role(m) == "system" && Text(m).find(request->first + ":") != std::string::npos;
    }
    if (offered) {
      if (native) {
        reply.tool_calls.push_back({"", request->first, request->second.dump()});
      } else {
        reply.content = "Thought: I was asked to use " + request->first + ".\nAction: " + request->first +
                        "\nAction Input: " + request->second.dump();
      }
      return reply;
    }
  }
  if (file && (native ? native_has_read_file : react_has_read_file)) {
    json args = {{"path", *file}};
    if (native) {
      reply.tool_calls.push_back({"", "read_file", args.dump()});
    } else {
      reply.content = "Thought: I should read " + *file + " first.\nAction: read_file\nAction Input: " + args.dump();
    }
    return reply;
  }
  if (auto expr = FindArithmetic(question)) {
    if (native && calculator) {
      reply.tool_calls.push_back({"", "calculator", json{{CalculatorArgument(*calculator), *expr}}.dump()});
      return reply;
    }
    if (!native && react_has_calculator) {
      reply.content = "Thought: I need to compute " + *expr + ".\nAction: calculator\nAction Input: " + *expr;
      return reply;
    }
    final_answer(FormatNumber(*EvaluateArithmetic(*expr)));
    return reply;
  }
  std::string quoted = question.substr(0, kQuoteLimit);
  final_answer("This is mock-llm, a deterministic test model. You asked: \"" + quoted + "\"");
  return reply;
}

}  // namespace reagent::mockllm
