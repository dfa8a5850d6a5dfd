// reagent serve: the agent as an HTTP backend — OpenAI-compatible chat (JSON and SSE), the
// sessions API, API keys, per-user limits, /metrics, /health, /ready and a chat page. The
// first line on stdout is the port; access-log lines go to stderr unless told otherwise.
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <mutex>
#include <unistd.h>

#include "command.h"
#include "reagent/core/sha256.h"
#include "reagent/runtime/runtime.h"
#include "reagent/server/server.h"
#include "support/agent_flags.h"
#include "support/interrupt.h"

namespace reagent::cli {
namespace {

struct ServeFlags {
  AgentFlags agent;
  std::optional<std::string> host;
  std::optional<int> port;
  std::optional<std::string> access_log;
  std::optional<int64_t> max_concurrent_turns;
  std::optional<int64_t> max_queued_turns;
  std::optional<int64_t> max_body_bytes;
  std::optional<double> drain_grace_s;
  bool allow_anonymous = false;
  bool hash_key = false;
};

// Reads a key on stdin, prints the config entry that admits it (the key itself is not kept).
int HashKey() {
  if (isatty(STDIN_FILENO)) std::fprintf(stderr, "API key (input is not echoed by your shell's read -s; end with Enter): ");
  std::string key;
  std::getline(std::cin, key);
  while (!key.empty() && (key.back() == '\r' || key.back() == ' ')) key.pop_back();
  if (key.empty()) {
    std::fprintf(stderr, "reagent serve --hash-key: no key on standard input\n");
    return kExitUsage;
  }
  std::printf("%s\n", Sha256Hex(key).c_str());
  std::fprintf(stderr, "config: \"server\": {\"keys\": [{\"user\": \"USER\", \"sha256\": \"%s\"}]}\n",
               Sha256Hex(key).c_str());
  return kExitOk;
}

int Serve(const ServeFlags& f) {
  if (f.hash_key) return HashKey();
  auto config = ResolveConfig(f.agent);
  if (!config.ok()) {
    std::fprintf(stderr, "reagent: %s\n", config.status().message().c_str());
    return kExitUsage;
  }
  ServerConfig& sc = config->server;
  if (f.host) sc.host = *f.host;
  if (f.port) sc.port = *f.port;
  if (f.access_log) sc.access_log = *f.access_log;
  if (f.max_concurrent_turns) sc.max_concurrent_turns = *f.max_concurrent_turns;
  if (f.max_queued_turns) sc.max_queued_turns = *f.max_queued_turns;
  if (f.max_body_bytes) sc.max_body_bytes = *f.max_body_bytes;
  if (f.drain_grace_s) sc.drain_grace_s = *f.drain_grace_s;
  if (f.allow_anonymous) sc.allow_anonymous = true;
  // Users come from the API keys; the server checks that a session is the caller's.
  config->user.clear();

  auto runtime = BuildRuntime(*config, /*stream=*/true);
  if (!runtime.ok()) {
    std::fprintf(stderr, "reagent: %s\n", runtime.status().message().c_str());
    return runtime.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  auto server = server::Server::Start(std::move(*runtime), {.config = sc});
  if (!server.ok()) {
    std::fprintf(stderr, "reagent serve: %s\n", server.status().message().c_str());
    return server.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  std::printf("%d\n", (*server)->port());
  std::fflush(stdout);
  std::fprintf(stderr, "reagent serve: listening on http://%s:%d (%zu keys%s, %lld turns at once, %lld queued)\n",
               sc.host.c_str(), (*server)->port(), sc.keys.size(), sc.allow_anonymous ? ", anonymous allowed" : "",
               static_cast<long long>(sc.max_concurrent_turns), static_cast<long long>(sc.max_queued_turns));

  std::mutex mu;
  std::condition_variable cv;
  int interrupts = 0;
  InterruptWatcher watcher;
  watcher.OnInterrupt([&](int count) {
    std::lock_guard lock(mu);
    interrupts = count;
    if (count >= 2) (*server)->CancelRunning();  // a second signal: stop waiting for turns
    cv.notify_all();
  });
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return interrupts > 0; });
  }
  std::fprintf(stderr, "reagent serve: draining: %lld turns running, up to %.0f s to finish\n",
               static_cast<long long>((*server)->running_turns()), sc.drain_grace_s);
  (*server)->Drain(Seconds(sc.drain_grace_s));
  std::fprintf(stderr, "reagent serve: stopped\n");
  return kExitOk;
}

Command Setup(CLI::App& parent) {
  auto f = std::make_shared<ServeFlags>();
  auto* sub = parent.add_subcommand(
      "serve",
      "Serve the agent over HTTP: OpenAI-compatible /v1/chat/completions (JSON and SSE), the\n"
      "sessions API, /v1/models, /health, /ready, /metrics and a chat page at /.\n"
      "The first line on stdout is the port. SIGTERM drains: running turns may finish for\n"
      "server.drain_grace_s, then they are cancelled; a second SIGTERM cancels them at once.");
  sub->add_option("--host", f->host, "Address to listen on (default: server.host, 127.0.0.1)");
  sub->add_option("-p,--port", f->port, "Port (default: server.port, 8080; 0 = a free port, printed first)")
      ->check(CLI::Range(0, 65535));
  sub->add_flag("--allow-anonymous", f->allow_anonymous,
                "Without configured keys, serve every request as user \"anonymous\" (local use only)");
  sub->add_option("--access-log", f->access_log,
                  "Where JSON access-log lines go: stderr (default), stdout, off, or a file");
  sub->add_option("--max-concurrent-turns", f->max_concurrent_turns,
                  "Turns running at once (default 64); more wait in the queue")
      ->check(CLI::Range(int64_t{1}, int64_t{100000}));
  sub->add_option("--max-queued-turns", f->max_queued_turns,
                  "Turns waiting for a worker (default 256); beyond: 503 with Retry-After")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--max-body-bytes", f->max_body_bytes, "Largest request body (default 1 MiB); larger: 413")
      ->check(CLI::PositiveNumber);
  sub->add_option("--drain-grace", f->drain_grace_s,
                  "Seconds running turns may finish after SIGTERM before they are cancelled (default 30)")
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("--hash-key", f->hash_key,
                "Read an API key on stdin and print its SHA-256 for server.keys (the key is not stored)");
  AddAgentFlags(sub, f->agent);
  // Users are the API keys' users here.
  sub->remove_option(sub->get_option("--user"));
  return {sub, [f] { return Serve(*f); }};
}

REAGENT_COMMAND("serve", Setup);

}  // namespace
}  // namespace reagent::cli
