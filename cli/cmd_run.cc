// reagent run "question": one agent turn; the answer streams to stdout, progress to stderr.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <unistd.h>

#include "command.h"
#include "reagent/core/bounded_read.h"
#include "support/agent_flags.h"
#include "support/exit_codes.h"
#include "support/interrupt.h"
#include "reagent/runtime/runtime.h"
#include "support/terminal.h"
#include "support/turn_display.h"

namespace reagent::cli {
namespace {

struct RunOptions {
  AgentFlags agent;
  std::string question;
  std::string session;
  bool new_session = false;
  bool json = false;
  bool verbose = false;
  bool quiet = false;
};

int Run(const RunOptions& o) {
  auto config = ResolveConfig(o.agent);
  if (!config.ok()) {
    std::fprintf(stderr, "reagent: %s\n", config.status().message().c_str());
    return kExitUsage;
  }
  std::string question = o.question;
  if (question.empty() && !o.new_session) {
    if (isatty(STDIN_FILENO)) {
      std::fprintf(stderr, "reagent run: give a question as an argument or on standard input\n");
      return kExitUsage;
    }
    auto read = ReadStreamBounded(stdin, kMaxStdinBytes, "the question on standard input");
    if (!read.ok()) {
      std::fprintf(stderr, "reagent run: %s\n", read.status().message().c_str());
      return kExitUsage;
    }
    question = std::move(*read);
    while (!question.empty() && (question.back() == '\n' || question.back() == '\r')) question.pop_back();
    if (question.empty()) {
      std::fprintf(stderr, "reagent run: the question on standard input is empty\n");
      return kExitUsage;
    }
  }
  auto runtime = BuildRuntime(*config);
  if (!runtime.ok()) return ReportRuntimeError(*config, runtime.status());
  Runtime& rt = **runtime;

  std::string session_id = o.session;
  if (session_id.empty()) {
    auto created = rt.sessions->Create(config->user);
    if (!created.ok()) {
      std::fprintf(stderr, "reagent: cannot create a session: %s\n", created.status().message().c_str());
      return kExitFailure;
    }
    session_id = created->id;
    if (o.new_session && question.empty()) {
      std::printf("%s\n", session_id.c_str());
      return kExitOk;
    }
    if (!o.quiet && !o.json) std::fprintf(stderr, "session %s\n", session_id.c_str());
  }

  TurnDisplay display(stdout, stderr,
                      {.stream_answer = !o.json, .verbose = o.verbose, .quiet = o.quiet || o.json,
                       .colors = ColorsWanted(stderr)});
  CancellationSource cancel;
  InterruptWatcher interrupts;
  interrupts.OnInterrupt([&](int) { cancel.Cancel(); });
  auto result = rt.agent->Run(session_id, question, &display, cancel.token());
  if (!result.ok()) {
    TurnFailure failure = DescribeTurnFailure(result.status());
    std::fprintf(stderr, "reagent: %s\n", failure.message.c_str());
    return failure.exit_code;
  }
  if (o.json) {
    std::printf("%s\n", DumpJson(TurnJson(*result, session_id)).c_str());
  } else {
    display.FinishAnswer(result->final_answer);
    if (!o.quiet) {
      std::fprintf(stderr, "%s\n", Paint(TurnSummary(*result), Color::kDim, ColorsWanted(stderr)).c_str());
    }
  }
  return ExitCodeFor(*result);
}

Command Setup(CLI::App& parent) {
  auto o = std::make_shared<RunOptions>();
  auto* sub = parent.add_subcommand(
      "run",
      "Run one agent turn: the answer streams to stdout, steps to stderr.\n"
      "Exit: 0 answered, 2 usage/config, 3 a limit ran out (tokens, cost, steps, deadline),\n"
      "4 blocked, 5 models unavailable, 6 rate limited per user, 130 cancelled (Ctrl-C), 1 other.");
  sub->add_option("question", o->question, "The question (default: read standard input)");
  auto* session = sub->add_option("-s,--session", o->session, "Continue this session (default: start a new one)");
  sub->add_flag("--new-session", o->new_session,
                "Create a session; without a question, print its id and exit")
      ->excludes(session);
  sub->add_flag("--json", o->json,
                "Print a JSON result (answer, stop reason, steps, usage, cost, models, retries, "
                "fallbacks) instead of streaming");
  auto* verbose = sub->add_flag("-v,--verbose", o->verbose, "Show thoughts, observations and per-call usage");
  sub->add_flag("-q,--quiet", o->quiet, "Print only the answer")->excludes(verbose);
  AddAgentFlags(sub, o->agent);
  return {sub, [o] { return Run(*o); }};
}

REAGENT_COMMAND("run", Setup);

}  // namespace
}  // namespace reagent::cli
