// reagent batch --in items.jsonl --out results.jsonl: one agent turn (or one completion with
// --no-agent) per input line, concurrent, paced, resumable after any crash.
#include <algorithm>
#include <cstdio>

#include "command.h"
#include "reagent/core/logging.h"
#include "support/agent_flags.h"
#include "support/batch_runner.h"
#include "support/interrupt.h"
#include "reagent/runtime/runtime.h"
#include "support/terminal.h"
#include "support/turn_display.h"

namespace reagent::cli {
namespace {

struct BatchCliOptions {
  AgentFlags agent;
  std::string in, out, state;
  int concurrency = 4;
  bool no_agent = false;
  double progress_s = 0;
};

// The text of an input line: "text", "question", "input" or "prompt", or the line itself
// when it is a JSON string.
std::optional<std::string> ItemText(const Json& input) {
  if (input.is_string()) return input.get<std::string>();
  if (!input.is_object()) return std::nullopt;
  for (const char* key : {"text", "question", "input", "prompt"}) {
    if (input.contains(key) && input[key].is_string()) return input[key].get<std::string>();
  }
  return std::nullopt;
}

constexpr const char* kNoTextError = "line has no \"text\" (or \"question\", \"input\", \"prompt\") string";

BatchItemResult Failed(std::string error) {
  BatchItemResult r;
  r.ok = false;
  r.error = std::move(error);
  return r;
}

// An item succeeded when its turn produced an answer: a final answer, or the closing answer
// after a limit (max steps, budget, deadline). A deadline with nothing to show is a failure
// (tried again on resume), as are errors, outages, blocks and cancellations.
bool TurnAnswered(const TurnResult& t) {
  switch (t.stop_reason) {
    case StopReason::kFinalAnswer:
    case StopReason::kMaxSteps:
    case StopReason::kBudgetExhausted:
    case StopReason::kDeadline:
      return !t.final_answer.empty();
    default:
      return false;
  }
}

// Counts retries and 429s of one item from the agent's events.
class RetryCounter final : public AgentObserver {
 public:
  void OnEvent(const AgentEvent& e) override {
    if (e.kind == AgentEvent::Kind::kRetry && e.model_event.reason.find("429") != std::string::npos) ++rate_limited;
  }
  int64_t rate_limited = 0;
};

BatchItemResult AgentItem(Runtime& rt, const BatchItem& item, const CancellationToken& cancel) {
  BatchItemResult r;
  auto text = ItemText(item.input);
  if (!text) return Failed(kNoTextError);
  auto session = rt.sessions->Create(rt.config.user);
  if (!session.ok()) return Failed(session.status().ToString());
  RetryCounter counter;
  auto turn = rt.agent->Run(session->id, *text, &counter, cancel);
  // The user's request window or concurrent-turn limit (sessions.*) says "not yet": wait as
  // told and try again, so a batch paces itself under the per-user limits instead of failing.
  while (!turn.ok() && turn.status().code() == StatusCode::kRateLimited && !cancel.cancelled()) {
    double wait_s = turn.status().retry_after_s().value_or(1.0);
    if (!SystemClock::Default().SleepFor(Seconds(wait_s), cancel)) break;
    turn = rt.agent->Run(session->id, *text, &counter, cancel);
  }
  if (!turn.ok()) return Failed(turn.status().ToString());
  r.ok = TurnAnswered(*turn);
  r.output = {{"answer", turn->final_answer}, {"stop_reason", StopReasonName(turn->stop_reason)},
              {"session_id", session->id}, {"steps", turn->steps}, {"usage", turn->usage},
              {"model", turn->model_used}, {"retries", turn->retries}, {"fallbacks", turn->fallbacks}};
  if (!r.ok) r.error = turn->stop_reason == StopReason::kBlocked ? "blocked by the injection filter" : turn->stop_detail;
  r.tokens = turn->usage.total_tokens();
  r.cost_usd = turn->usage.cost_usd;
  r.retries = turn->retries;
  r.rate_limited = counter.rate_limited;
  return r;
}

BatchItemResult CompletionItem(Runtime& rt, const BatchItem& item, const CancellationToken& cancel) {
  BatchItemResult r;
  auto text = ItemText(item.input);
  if (!text) return Failed(kNoTextError);
  ScanResult scan = rt.sanitizer->Scan(*text, TextSource::kUser);
  if (scan.verdict == Verdict::kBlock) {
    BatchItemResult blocked = Failed("blocked by the injection filter");
    blocked.output["stop_reason"] = "blocked";
    return blocked;
  }
  ChatRequest request;
  request.messages = {Message::System(rt.config.system_prompt), Message::User(*text)};
  request.max_tokens = rt.config.max_output_tokens;
  request.temperature = rt.config.temperature;
  request.cancel = cancel;
  request.on_event = [&r](const ModelEvent& e) {
    if (e.kind == ModelEvent::Kind::kRetry) {
      ++r.retries;
      if (e.reason.find("429") != std::string::npos) ++r.rate_limited;
    }
  };
  ChatResult reply = rt.model->Complete(request);
  if (!reply.ok()) {
    r.ok = false;
    r.error = reply.error().ToString();
    return r;
  }
  // Priced by the model asked for; the name the server reports is not to be trusted.
  const std::string model = reply->requested_model.empty() ? rt.config.models.front().model
                                                           : reply->requested_model;
  Usage usage = reply->usage;
  usage.cost_usd = rt.prices->Cost(model, usage);
  r.output = {{"answer", RedactSecrets(reply->content)}, {"model", model}, {"usage", usage},
              {"attempts", reply->attempts}, {"fallbacks", reply->fallbacks}};
  r.tokens = usage.total_tokens();
  r.cost_usd = usage.cost_usd;
  return r;
}

std::string ProgressText(const BatchProgress& p, bool bar, int width) {
  const double rate = p.items_per_s;
  std::string eta = p.eta_s ? FormatDuration(*p.eta_s) : "?";
  char stats[256];
  std::snprintf(stats, sizeof stats, "%lld/%lld · %.1f/s · ETA %s · ok %lld · failed %lld · 429s %lld · retries %lld · $%.4f",
                static_cast<long long>(p.done), static_cast<long long>(p.total), rate, eta.c_str(),
                static_cast<long long>(p.succeeded), static_cast<long long>(p.failed),
                static_cast<long long>(p.rate_limited), static_cast<long long>(p.retries), p.cost_usd);
  if (!bar) return std::string("progress ") + stats;
  int cells = std::clamp(width - static_cast<int>(std::string(stats).size()) - 4, 10, 40);
  int filled = p.total ? static_cast<int>(cells * p.done / p.total) : cells;
  return "[" + std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(cells - filled), '.') + "] " + stats;
}

// A batch is one job, not a chatbot user: the per-user limits (30 turns a minute, 3 at once
// for user "cli") would pace it to a crawl whatever -j and --rpm say. They apply only when
// the batch asks for them — a --user, or agent.user / sessions limits in the config file.
// And -j items in flight means -j model calls in flight, unless limiter.concurrency says
// otherwise.
// Returns the line that tells the user how the batch is paced.
std::string PaceByProvider(const BatchCliOptions& o, Config& c) {
  const bool per_user = !o.agent.user.empty() || c.Sets("agent.user") ||
                        c.Sets("sessions.requests_per_minute") || c.Sets("sessions.max_concurrent_per_user");
  if (!per_user) {
    c.requests_per_minute = 0;      // 0: no per-user window
    c.max_concurrent_per_user = 0;  // 0: no per-user cap
  }
  if (!c.Sets("limiter.concurrency")) c.limiter["concurrency"] = o.concurrency;
  auto number = [](const Json& v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v.get<double>());
    return std::string(buf);
  };
  std::string pace = "batch: " + std::to_string(o.concurrency) + " in flight, paced by ";
  if (c.limiter.contains("rpm")) pace += number(c.limiter["rpm"]) + " requests/min, ";
  if (c.limiter.contains("tpm")) pace += number(c.limiter["tpm"]) + " tokens/min, ";
  pace += "the provider's rate-limit headers; ";
  pace += per_user ? "per-user limits on for user " + c.user + " (" + std::to_string(c.requests_per_minute) +
                         " turns/min, " + std::to_string(c.max_concurrent_per_user) + " at once)"
                   : "per-user limits off (--user to apply them)";
  return pace;
}

int Batch(const BatchCliOptions& o) {
  auto config = ResolveConfig(o.agent);
  if (!config.ok()) {
    std::fprintf(stderr, "reagent: %s\n", config.status().message().c_str());
    return kExitUsage;
  }
  const std::string pace = PaceByProvider(o, *config);
  auto runtime = BuildRuntime(*config, /*stream=*/false);
  if (!runtime.ok()) return ReportRuntimeError(*config, runtime.status());
  std::fprintf(stderr, "%s\n", pace.c_str());
  Runtime& rt = **runtime;
  const bool tty = IsTerminal(stderr);
  const int width = TerminalWidth(stderr);

  CancellationSource stop, abort;
  InterruptWatcher interrupts;
  interrupts.OnInterrupt([&](int count) {
    if (count == 1) {
      std::fprintf(stderr, "\nreagent batch: stopping after the items in flight (Ctrl-C again to abort them)\n");
      stop.Cancel();
    } else {
      abort.Cancel();
    }
  });

  BatchOptions bo;
  bo.in_path = o.in;
  bo.out_path = o.out;
  bo.state_path = o.state;
  bo.concurrency = o.concurrency;
  bo.progress_interval_s = o.progress_s > 0 ? o.progress_s : (tty ? 0.5 : 10);
  bo.stop = stop.token();
  bo.abort = abort.token();
  bo.on_progress = [&](const BatchProgress& p) {
    std::string text = ProgressText(p, tty, width);
    if (tty) {
      std::fprintf(stderr, "\r%s\033[K%s", text.c_str(), p.final ? "\n" : "");
    } else {
      std::fprintf(stderr, "%s\n", text.c_str());
    }
    std::fflush(stderr);
  };
  auto process = [&](const BatchItem& item, const CancellationToken& cancel) {
    return o.no_agent ? CompletionItem(rt, item, cancel) : AgentItem(rt, item, cancel);
  };
  auto result = RunBatch(bo, process);
  if (!result.ok()) {
    std::fprintf(stderr, "reagent batch: %s\n", result.status().message().c_str());
    return result.status().code() == StatusCode::kIOError ? kExitFailure : kExitUsage;
  }
  const BatchProgress& p = *result;
  std::fprintf(stderr,
               "batch %s: %lld succeeded, %lld failed, %lld resumed from checkpoint, %lld of %lld done · "
               "%lld tokens · $%.6f · %s\n",
               p.done == p.total ? "finished" : "stopped", static_cast<long long>(p.succeeded),
               static_cast<long long>(p.failed), static_cast<long long>(p.resumed),
               static_cast<long long>(p.done), static_cast<long long>(p.total),
               static_cast<long long>(p.tokens), p.cost_usd, FormatDuration(p.elapsed_s).c_str());
  if (p.done < p.total) {
    std::fprintf(stderr, "rerun the same command to continue where it stopped\n");
    return interrupts.count() > 0 ? kExitCancelled : kExitFailure;
  }
  return p.failed == 0 ? kExitOk : kExitFailure;
}

Command Setup(CLI::App& parent) {
  auto o = std::make_shared<BatchCliOptions>();
  auto* sub = parent.add_subcommand(
      "batch",
      "Run one agent turn per JSON line of --in (fields: id, text), writing one result line per\n"
      "input line to --out (a blank or malformed line gets an error line; duplicate ids are\n"
      "refused). Resumable: rerun the same command after a crash or Ctrl-C; items that succeeded\n"
      "are skipped, failed ones are tried again (checkpoint: OUT.state.db). Paced by -j, --rpm/--tpm and the provider's\n"
      "rate-limit headers; per-user session limits apply only with --user or when the config\n"
      "sets agent.user or sessions limits.\n"
      "Exit: 0 all ok, 1 some items failed, 2 usage/config/duplicate ids, 130 interrupted.");
  sub->add_option("--in", o->in, "Input JSON lines: {\"id\": ..., \"text\": \"...\"}")->required();
  sub->add_option("--out", o->out, "Output JSON lines, one per input line, in input order")->required();
  sub->add_option("--state", o->state, "Checkpoint database (default OUT.state.db)");
  sub->add_option("-j,--concurrency", o->concurrency,
                  "Items in flight at once (default 4); also the model calls in flight unless "
                  "limiter.concurrency is set")
      ->check(CLI::Range(1, 256));
  sub->add_flag("--no-agent", o->no_agent, "One plain completion per item instead of an agent turn");
  sub->add_option("--progress-interval", o->progress_s,
                  "Seconds between progress reports (default 0.5 on a terminal, 10 otherwise)");
  AddAgentFlags(sub, o->agent);
  return {sub, [o] { return Batch(*o); }};
}

REAGENT_COMMAND("batch", Setup);

}  // namespace
}  // namespace reagent::cli
