#include "reagent/llm/openai_wire.h"

#include <algorithm>

#include "reagent/core/abbreviate.h"
#include "reagent/core/json.h"
#include "reagent/core/logging.h"
#include "reagent/llm/http_error.h"

namespace reagent {
namespace {

using nlohmann::json;

// Tool-call fragments are joined by their index; more distinct calls than this in one reply
// is not a reply (the agent runs far fewer per step anyway).
constexpr int64_t kMaxToolCallIndex = 1 << 16;

ModelError Malformed(std::string_view model, std::string message) {
  ModelError e;
  e.kind = ModelErrorKind::kMalformedResponse;
  e.model = std::string(model);
  e.message = std::move(message);
  return e;
}

std::string StringField(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Tool-call arguments are a JSON string by the spec; Ollama and some gateways send an object.
std::string ArgumentsText(const json& function) {
  auto it = function.find("arguments");
  if (it == function.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : DumpJson(*it);
}

// Text content is a string by the spec; some servers send an array of content parts.
std::string ContentText(const json& message) {
  auto it = message.find("content");
  if (it == message.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  std::string text;
  if (it->is_array()) {
    for (const json& part : *it) {
      if (part.is_object() && StringField(part, "type") == "text") text += StringField(part, "text");
    }
  }
  return text;
}

}  // namespace

json BuildChatRequestBody(const ChatRequest& request, std::string_view model, bool stream,
                          const WireOptions& options) {
  json body;
  body["model"] = request.model.empty() ? std::string(model) : request.model;
  json messages = json::array();
  for (const Message& m : request.messages) {
    json jm = m;
    // Strict servers reject "name" on tool messages; the tool_call_id is what links them.
    if (m.role == Role::kTool) jm.erase("name");
    messages.push_back(std::move(jm));
  }
  body["messages"] = std::move(messages);
  if (!request.tools.empty()) {
    json tools = json::array();
    for (const ToolSpec& t : request.tools) {
      json fn = {{"name", t.name}, {"parameters", t.parameters}};
      if (!t.description.empty()) fn["description"] = t.description;
      tools.push_back({{"type", "function"}, {"function", std::move(fn)}});
    }
    body["tools"] = std::move(tools);
  }
  if (!request.tool_choice.is_null()) body["tool_choice"] = request.tool_choice;
  if (request.temperature) body["temperature"] = *request.temperature;
  if (request.max_tokens) body[options.max_tokens_field] = *request.max_tokens;
  if (!request.stop.empty()) body["stop"] = request.stop;
  if (!request.response_format.is_null()) body["response_format"] = request.response_format;
  if (stream) {
    body["stream"] = true;
    if (options.stream_include_usage) body["stream_options"] = {{"include_usage", true}};
  }
  return body;
}

Usage ParseWireUsage(const json& usage) {
  Usage u;
  if (!usage.is_object()) return u;
  std::string problem;
  // A count the provider sends is trusted only as an integer in [0, kMaxReportedTokens]:
  // negative counts would refund the budget, huge ones overflow every sum they enter.
  auto count = [&](const json& j, const char* key) -> int64_t {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return 0;
    const bool in_range =
        (it->is_number_unsigned() && it->get<uint64_t>() <= static_cast<uint64_t>(kMaxReportedTokens)) ||
        (it->is_number_integer() && !it->is_number_unsigned() && it->get<int64_t>() >= 0 &&
         it->get<int64_t>() <= kMaxReportedTokens);
    if (!in_range) {
      if (problem.empty()) problem = std::string(key) + " = " + Abbreviate(DumpJson(*it), kMaxEchoedName);
      return 0;
    }
    return it->get<int64_t>();
  };
  u.prompt_tokens = count(usage, "prompt_tokens");
  u.completion_tokens = count(usage, "completion_tokens");
  if (auto d = usage.find("prompt_tokens_details"); d != usage.end() && d->is_object()) {
    u.cached_tokens = count(*d, "cached_tokens");
  }
  if (u.cached_tokens == 0) u.cached_tokens = count(usage, "prompt_cache_hit_tokens");
  if (!problem.empty()) {
    Logger()->warn("the provider reported an invalid usage ({}); ignoring it and counting the "
                   "tokens locally",
                   problem);
    return Usage{};
  }
  // Cached tokens are part of the prompt and priced lower: never more of them than the prompt.
  u.cached_tokens = std::min(u.cached_tokens, u.prompt_tokens);
  return u;
}

Expected<ChatResponse, ModelError> ParseChatResponse(std::string_view body, std::string_view model) {
  auto parsed = ParseJson(body, "response body");
  if (!parsed.ok()) return MakeUnexpected(Malformed(model, parsed.status().message()));
  const json& j = *parsed;
  if (!j.is_object()) return MakeUnexpected(Malformed(model, "response body is not a JSON object"));
  if (j.contains("error") && !j["error"].is_null()) {
    return MakeUnexpected(ModelErrorFromErrorObject(j, model));
  }
  auto choices = j.find("choices");
  if (choices == j.end() || !choices->is_array() || choices->empty()) {
    return MakeUnexpected(Malformed(model, "response has no choices"));
  }
  const json& choice = (*choices)[0];
  auto message = choice.is_object() ? choice.find("message") : choice.end();
  if (!choice.is_object() || message == choice.end() || !message->is_object()) {
    return MakeUnexpected(Malformed(model, "response choice has no message"));
  }
  ChatResponse r;
  r.id = StringField(j, "id");
  r.model = StringField(j, "model");
  if (r.model.empty()) r.model = std::string(model);
  r.content = ContentText(*message);
  r.finish_reason = StringField(choice, "finish_reason");
  if (auto calls = message->find("tool_calls"); calls != message->end() && calls->is_array()) {
    for (const json& c : *calls) {
      auto fn = c.is_object() ? c.find("function") : c.end();
      if (!c.is_object() || fn == c.end() || !fn->is_object() || !(*fn).contains("name")) {
        return MakeUnexpected(Malformed(model, "tool call without a function name"));
      }
      r.tool_calls.push_back({StringField(c, "id"), StringField(*fn, "name"), ArgumentsText(*fn)});
    }
  } else if (auto fc = message->find("function_call"); fc != message->end() && fc->is_object()) {
    r.tool_calls.push_back({"", StringField(*fc, "name"), ArgumentsText(*fc)});  // legacy shape
  }
  for (size_t i = 0; i < r.tool_calls.size(); ++i) {
    // llama.cpp and Ollama may omit ids; the agent needs one to answer each call.
    if (r.tool_calls[i].id.empty()) r.tool_calls[i].id = "call_" + std::to_string(i);
  }
  if (r.finish_reason == "content_filter" && r.content.empty() && r.tool_calls.empty()) {
    ModelError e;
    e.kind = ModelErrorKind::kContentFilter;
    e.model = std::string(model);
    e.http_status = 200;
    e.code = "content_filter";
    e.message = "the provider's content filter withheld the reply";
    return MakeUnexpected(std::move(e));
  }
  if (auto usage = j.find("usage"); usage != j.end()) r.usage = ParseWireUsage(*usage);
  return r;
}

std::optional<ModelError> StreamAssembler::Apply(std::string_view data, const DeltaCallback& on_delta) {
  auto parsed = ParseJson(data, "stream chunk");
  if (!parsed.ok()) return Malformed(model_, parsed.status().message());
  const json& j = *parsed;
  if (!j.is_object()) return Malformed(model_, "stream chunk is not a JSON object");
  if (j.contains("error") && !j["error"].is_null()) return ModelErrorFromErrorObject(j, model_);
  if (response_.id.empty()) response_.id = StringField(j, "id");
  if (response_.model.empty()) response_.model = StringField(j, "model");
  // Usage arrives in a final chunk with empty choices (include_usage), or in every chunk
  // (vLLM continuous usage, DeepSeek): the last one wins.
  if (auto usage = j.find("usage"); usage != j.end() && usage->is_object()) {
    response_.usage = ParseWireUsage(*usage);
    has_usage_ = true;
  }
  auto choices = j.find("choices");
  if (choices == j.end() || !choices->is_array()) return std::nullopt;
  for (const json& choice : *choices) {
    if (!choice.is_object()) continue;
    if (choice.contains("index") && choice["index"].is_number_integer() && choice["index"] != 0) {
      continue;  // only the first choice is assembled (n = 1)
    }
    if (std::string reason = StringField(choice, "finish_reason"); !reason.empty()) {
      response_.finish_reason = reason;
    }
    auto delta = choice.find("delta");
    if (delta == choice.end() || !delta->is_object()) continue;
    if (std::string text = ContentText(*delta); !text.empty()) {
      response_.content += text;
      if (on_delta) {
        ChatDelta d;
        d.content = std::move(text);
        on_delta(d);
      }
    }
    auto calls = delta->find("tool_calls");
    if (calls == delta->end() || !calls->is_array()) continue;
    for (const json& c : *calls) {
      if (!c.is_object()) continue;
      int index = last_index_ < 0 ? 0 : last_index_;
      if (auto it = c.find("index"); it != c.end() && it->is_number_integer()) {
        const int64_t wire = it->get<int64_t>();
        if (it->is_number_unsigned() ? it->get<uint64_t>() > kMaxToolCallIndex
                                     : wire < 0 || wire > kMaxToolCallIndex) {
          return Malformed(model_, "tool call index " + Abbreviate(DumpJson(*it), kMaxEchoedName) +
                                       " out of range");
        }
        index = static_cast<int>(wire);
      }
      last_index_ = index;
      ToolCall& call = calls_[index];
      ChatDelta d;
      d.tool_index = index;
      if (std::string id = StringField(c, "id"); !id.empty() && call.id.empty()) {
        call.id = d.tool_call_id = id;
      }
      if (auto fn = c.find("function"); fn != c.end() && fn->is_object()) {
        if (std::string name = StringField(*fn, "name"); !name.empty() && call.name.empty()) {
          call.name = d.tool_name = name;
        }
        d.tool_arguments = ArgumentsText(*fn);
        call.arguments += d.tool_arguments;
      }
      if (on_delta && (!d.tool_call_id.empty() || !d.tool_name.empty() || !d.tool_arguments.empty())) {
        on_delta(d);
      }
    }
  }
  return std::nullopt;
}

ChatResponse StreamAssembler::Take() {
  ChatResponse r = std::move(response_);
  if (r.model.empty()) r.model = model_;
  for (auto& [index, call] : calls_) {
    if (call.id.empty()) call.id = "call_" + std::to_string(index);
    r.tool_calls.push_back(std::move(call));
  }
  calls_.clear();
  return r;
}

}  // namespace reagent
