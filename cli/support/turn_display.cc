#include "support/turn_display.h"

#include <cstdio>

#include <fmt/format.h>

#include "reagent/core/abbreviate.h"
#include "support/terminal.h"

namespace reagent::cli {
namespace {

constexpr std::string_view kFinalMarker = "Final Answer:";
constexpr size_t kMaxShownObservation = 300;
// Shorter limiter waits are noise to a reader.
constexpr Duration kShownWait = std::chrono::milliseconds(10);

std::string Shorten(std::string text, size_t max) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  if (text.size() > max) text = text.substr(0, max) + "…";
  return text;
}

std::string Money(std::optional<double> usd) {
  if (!usd) return "unpriced";
  char buf[32];
  std::snprintf(buf, sizeof buf, "$%.6f", *usd);
  return buf;
}

}  // namespace

TurnDisplay::TurnDisplay(std::FILE* out, std::FILE* err, TurnDisplayOptions options)
    : out_(out), err_(err), options_(options) {}

void TurnDisplay::Line(const std::string& text) {
  if (options_.quiet) return;
  if (answer_open_) {
    std::fputc('\n', out_);
    std::fflush(out_);
    answer_open_ = false;
  }
  std::fprintf(err_, "%s\n", text.c_str());
  std::fflush(err_);
}

void TurnDisplay::StreamDelta(const std::string& delta) {
  if (!options_.stream_answer) return;
  step_text_ += delta;
  if (answer_start_ == 0) {
    size_t pos = step_text_.find(kFinalMarker);
    if (pos == std::string::npos) return;
    answer_start_ = pos + kFinalMarker.size();
  }
  // Leading spaces after the marker are not part of the answer.
  while (answer_printed_ == 0 && answer_start_ < step_text_.size() && step_text_[answer_start_] == ' ') {
    ++answer_start_;
  }
  size_t from = answer_start_ + answer_printed_;
  if (from >= step_text_.size()) return;
  std::string piece = step_text_.substr(from);
  answer_printed_ += piece.size();
  std::fputs(piece.c_str(), out_);
  std::fflush(out_);
  streamed_any_ = true;
  answer_open_ = piece.back() != '\n';
}

void TurnDisplay::OnEvent(const AgentEvent& e) {
  std::lock_guard lock(mu_);
  const bool c = options_.colors;
  using K = AgentEvent::Kind;
  switch (e.kind) {
    case K::kStepStarted:
      step_text_.clear();
      answer_start_ = 0;
      answer_printed_ = 0;
      if (e.closing_call) Line(Paint("· closing call: asking for the best answer so far", Color::kYellow, c));
      break;
    case K::kTokenDelta:
      StreamDelta(e.text);
      break;
    case K::kThought:
      if (options_.verbose && !e.text.empty()) Line(Paint("  thought: " + Shorten(e.text, 400), Color::kDim, c));
      break;
    case K::kToolCall:
      Line(Paint("· step " + std::to_string(e.step) + ": " + Abbreviate(e.tool_call.name, kMaxEchoedName) + "(" +
                     Shorten(e.tool_call.arguments, 120) + ")",
                 Color::kCyan, c));
      break;
    case K::kToolResult:
      if (e.is_error) {
        Line(Paint("  " + Abbreviate(e.tool_call.name, kMaxEchoedName) + " failed (" + e.error_kind + "): " + Shorten(e.text, 200),
                   Color::kRed, c));
      } else if (options_.verbose) {
        Line(Paint("  → " + Shorten(e.text, kMaxShownObservation), Color::kDim, c));
      }
      break;
    case K::kParseError:
      Line(Paint("  malformed reply, asking the model to fix it", Color::kYellow, c));
      break;
    case K::kModelCall:
      if (options_.verbose) {
        Line(Paint("  " + e.model + ": " + std::to_string(e.usage.total_tokens()) + " tokens, " +
                       Money(e.usage.cost_usd) + ", " + FormatDuration(ToSeconds(e.latency)),
                   Color::kDim, c));
      }
      break;
    case K::kRetry:
      Line(Paint("· retry " + std::to_string(e.model_event.attempt) + " of " + e.model_event.model +
                     " in " + FormatDuration(ToSeconds(e.model_event.wait)) + " (" +
                     e.model_event.reason + ")",
                 Color::kYellow, c));
      break;
    case K::kLimiterWait:
      if (options_.verbose && e.model_event.wait >= kShownWait) {
        Line(Paint("· pacing: waiting " + FormatDuration(ToSeconds(e.model_event.wait)), Color::kDim, c));
      }
      break;
    case K::kFallback:
      Line(Paint("· fallback " + e.model_event.model + " → " + e.model_event.to_model + " (" +
                     e.model_event.reason + ")",
                 Color::kMagenta, c));
      break;
    case K::kBreakerTransition:
      Line(Paint("· breaker " + e.model_event.model + ": " + e.model_event.from_state + " → " +
                     e.model_event.to_state + " (" + e.model_event.reason + ")",
                 Color::kMagenta, c));
      break;
    case K::kCacheHit:
      Line(Paint("· cache hit", Color::kDim, c));
      break;
    case K::kBudgetWarning:
      Line(Paint("· budget warning: " + std::string(BudgetDimensionName(e.warning.dimension)) + " at " +
                     fmt::format("{:.0f}", e.warning.fraction * 100) + "% of the " +
                     e.warning.scope + " limit",
                 Color::kYellow, c));
      break;
    case K::kSanitizerFinding: {
      if (e.verdict == Verdict::kAllow && !options_.verbose) break;
      std::string rules;
      for (const auto& f : e.findings) rules += (rules.empty() ? "" : ", ") + f.category + "/" + f.rule;
      Line(Paint("· sanitizer (" + e.source + "): " + std::string(VerdictName(e.verdict)) + " [" + rules + "]",
                 e.verdict == Verdict::kBlock ? Color::kRed : Color::kYellow, c));
      break;
    }
    case K::kHistoryTrimmed:
      if (options_.verbose) Line(Paint("· history trimmed", Color::kDim, c));
      break;
    default:
      break;
  }
}

void TurnDisplay::FinishAnswer(const std::string& final_answer) {
  std::lock_guard lock(mu_);
  if (!options_.stream_answer) return;
  if (!streamed_any_) {
    if (!final_answer.empty()) std::fprintf(out_, "%s\n", final_answer.c_str());
  } else if (answer_open_) {
    std::fputc('\n', out_);
    answer_open_ = false;
  }
  std::fflush(out_);
}

std::string TurnSummary(const TurnResult& r) {
  std::string s = "stop " + std::string(StopReasonName(r.stop_reason)) + " · " +
                  std::to_string(r.steps) + (r.steps == 1 ? " step" : " steps") + " · " +
                  std::to_string(r.usage.total_tokens()) + " tokens · " + Money(r.usage.cost_usd);
  if (!r.model_used.empty()) s += " · " + r.model_used;
  if (r.retries) s += " · " + std::to_string(r.retries) + (r.retries == 1 ? " retry" : " retries");
  if (r.fallbacks) s += " · " + std::to_string(r.fallbacks) + (r.fallbacks == 1 ? " fallback" : " fallbacks");
  if (!r.stop_detail.empty() && r.stop_reason != StopReason::kFinalAnswer) s += " · " + r.stop_detail;
  return s;
}

Json TurnJson(const TurnResult& r, const std::string& session_id) {
  Json findings = Json::array();
  for (const auto& f : r.findings) {
    findings.push_back({{"rule", f.rule}, {"category", f.category}, {"start", f.start}, {"end", f.end}});
  }
  Json steps = Json::array();
  for (const auto& t : r.trace) {
    Json calls = Json::array();
    for (const auto& call : t.tool_calls) calls.push_back({{"name", call.name}, {"arguments", call.arguments}});
    steps.push_back({{"index", t.index}, {"closing_call", t.closing_call}, {"model", t.model},
                     {"usage", t.usage}, {"thought", t.thought}, {"tool_calls", calls},
                     {"observations", t.observations}});
  }
  Json j = {{"session_id", session_id},
            {"final_answer", r.final_answer},
            {"stop_reason", StopReasonName(r.stop_reason)},
            {"stop_detail", r.stop_detail},
            {"steps", r.steps},
            {"usage", r.usage},
            {"cost_usd", r.usage.cost_usd ? Json(RoundedCost(*r.usage.cost_usd)) : Json()},
            {"model_used", r.model_used},
            {"models_used", r.models_used},
            {"retries", r.retries},
            {"fallbacks", r.fallbacks},
            {"tool_calls", r.tool_calls},
            {"blocked", r.blocked},
            {"findings", findings},
            {"trace", steps}};
  return j;
}

}  // namespace reagent::cli
