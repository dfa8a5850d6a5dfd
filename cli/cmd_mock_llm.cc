// reagent mock-llm: an OpenAI-compatible chat server on 127.0.0.1 for demos, tests and fault
// drills, with no API key and no network. The first line on stdout is the port; a summary
// line per busy second goes to stderr; totals go to stdout on SIGINT/SIGTERM.
#include <csignal>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>

#include "command.h"
#include "reagent/core/json.h"
#include "reagent/mockllm/mock_llm_server.h"

namespace reagent::cli {
namespace {

struct MockLlmFlags {
  mockllm::MockLlmOptions options;
  std::string script_path;
  std::string outage;
  bool quiet = false;
};

bool ParseOutage(const std::string& text, std::pair<double, double>& out) {
  size_t colon = text.find(':');
  if (colon == std::string::npos) return false;
  try {
    size_t used_a = 0, used_b = 0;
    std::string a = text.substr(0, colon), b = text.substr(colon + 1);
    out = {std::stod(a, &used_a), std::stod(b, &used_b)};
    return used_a == a.size() && used_b == b.size();
  } catch (...) {
    return false;
  }
}

std::string Summary(const mockllm::MockLlmCounters& c) {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "requests=%lld ok=%lld streamed=%lld rate_limited=%lld quota=%lld unauthorized=%lld "
                "bad_request=%lld failures=%lld outage=%lld garbage=%lld scripted_errors=%lld "
                "prompt_tokens=%lld completion_tokens=%lld connections=%lld",
                static_cast<long long>(c.requests), static_cast<long long>(c.ok),
                static_cast<long long>(c.streamed), static_cast<long long>(c.rate_limited),
                static_cast<long long>(c.quota_exhausted), static_cast<long long>(c.unauthorized),
                static_cast<long long>(c.bad_requests), static_cast<long long>(c.injected_failures),
                static_cast<long long>(c.outage), static_cast<long long>(c.garbage),
                static_cast<long long>(c.scripted_errors), static_cast<long long>(c.prompt_tokens),
                static_cast<long long>(c.completion_tokens), static_cast<long long>(c.connections));
  return buf;
}

mockllm::MockLlmCounters Minus(const mockllm::MockLlmCounters& a, const mockllm::MockLlmCounters& b) {
  return {a.requests - b.requests, a.ok - b.ok, a.streamed - b.streamed, a.rate_limited - b.rate_limited,
          a.quota_exhausted - b.quota_exhausted, a.unauthorized - b.unauthorized,
          a.bad_requests - b.bad_requests, a.injected_failures - b.injected_failures,
          a.outage - b.outage, a.garbage - b.garbage, a.scripted_errors - b.scripted_errors,
          a.prompt_tokens - b.prompt_tokens, a.completion_tokens - b.completion_tokens, a.connections - b.connections};
}

int Run(MockLlmFlags& flags) {
  if (!flags.script_path.empty()) {
    auto script = ReadJsonFile(flags.script_path);
    if (!script.ok()) {
      std::fprintf(stderr, "reagent mock-llm: %s\n", script.status().ToString().c_str());
      return kExitUsage;
    }
    flags.options.script = std::move(*script);
  }
  if (!flags.outage.empty()) {
    std::pair<double, double> window;
    if (!ParseOutage(flags.outage, window)) {
      std::fprintf(stderr, "reagent mock-llm: --outage expects START:END in seconds, got \"%s\"\n",
                   flags.outage.c_str());
      return kExitUsage;
    }
    flags.options.outage = window;
  }
  // Signals are taken synchronously by this thread (sigtimedwait); the server's threads,
  // started after the mask is set, never see them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  mockllm::MockLlmServer server(flags.options);
  if (Status s = server.Start(); !s.ok()) {
    std::fprintf(stderr, "reagent mock-llm: %s\n", s.ToString().c_str());
    return s.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  std::printf("%d\n", server.port());
  std::fflush(stdout);
  std::fprintf(stderr, "mock-llm listening on %s (OPENAI_BASE_URL=%s)\n", server.base_url().c_str(),
               server.base_url().c_str());

  mockllm::MockLlmCounters last{};
  int64_t second = 0;
  timespec tick{1, 0};
  int received = 0;
  while (true) {
    received = sigtimedwait(&signals, nullptr, &tick);
    if (received == SIGINT || received == SIGTERM) break;
    ++second;
    mockllm::MockLlmCounters now = server.counters();
    if (!flags.quiet && now.requests != last.requests) {
      std::fprintf(stderr, "[mock-llm t=%llds] %s\n", static_cast<long long>(second),
                   Summary(Minus(now, last)).c_str());
    }
    last = now;
  }
  server.Stop();
  std::printf("mock-llm totals (%s): %s\n", received == SIGINT ? "SIGINT" : "SIGTERM",
              Summary(server.counters()).c_str());
  std::fflush(stdout);
  return kExitOk;
}

Command Setup(CLI::App& parent) {
  auto flags = std::make_shared<MockLlmFlags>();
  mockllm::MockLlmOptions& o = flags->options;
  auto* sub = parent.add_subcommand(
      "mock-llm",
      "Run an OpenAI-compatible chat server on 127.0.0.1 (deterministic ReAct/tool-calling brain or a "
      "script) with fault injection. Prints the port as the first stdout line; totals on SIGINT/SIGTERM.");
  sub->add_option("--port", o.port, "TCP port; 0 picks a free one (printed on stdout)")->default_val(0);
  sub->add_option("--host", o.host, "Address to bind (keep it on loopback)")->default_val("127.0.0.1");
  sub->add_option("--script", flags->script_path,
                  "JSON replies to replay instead of the brain: an array, {model: [replies]} or a scenario file");
  sub->add_option("--rpm", o.rpm, "Requests per minute (sliding window); 429 beyond. 0 = unlimited")->default_val(0);
  sub->add_option("--tpm", o.tpm, "Tokens per minute (prompt bytes/4 + max_tokens); 429 beyond. 0 = unlimited")
      ->default_val(0);
  sub->add_option("--fail-rate", o.fail_rate, "Probability of an injected 500/502/503")->default_val(0.0);
  sub->add_option("--latency-ms", o.latency_ms, "Added latency per completion")->default_val(0);
  sub->add_option("--jitter-ms", o.jitter_ms, "Extra uniform random latency in [0, N) ms")->default_val(0);
  sub->add_option("--outage", flags->outage, "START:END seconds since start during which completions answer 503");
  sub->add_flag("--quota-exhausted", o.quota_exhausted, "Answer every completion 429 insufficient_quota");
  sub->add_option("--garbage-rate", o.garbage_rate, "Probability of invalid JSON / a truncated stream")
      ->default_val(0.0);
  sub->add_option("--require-key", o.require_key, "Require 'Authorization: Bearer KEY'; 401 otherwise");
  sub->add_option("--seed", o.seed, "Seed for fault dice and ids")->default_val(1);
  sub->add_option("--stream-delay-ms", o.stream_delay_ms, "Pause between streamed chunks")->default_val(0);
  sub->add_option("--chunk-chars", o.stream_chunk_chars, "Characters of content per streamed chunk")
      ->default_val(8);
  sub->add_flag("--quiet", flags->quiet, "No per-second summary on stderr");
  return {sub, [flags] { return Run(*flags); }};
}

REAGENT_COMMAND("mock-llm", Setup);

}  // namespace
}  // namespace reagent::cli
