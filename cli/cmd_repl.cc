// reagent repl: an interactive session with line editing, persistent history, streaming
// answers, a live status line and slash commands. Ctrl-C cancels the running turn (a second
// Ctrl-C at an empty prompt exits); Ctrl-D exits.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <thread>

#include "command.h"
#include "reagent/llm/circuit_breaker.h"
#include "support/agent_flags.h"
#include "support/exit_codes.h"
#include "support/repl_commands.h"
#include "reagent/runtime/runtime.h"
#include "support/terminal.h"
#include "support/turn_display.h"

namespace reagent::cli {
namespace {

// SIGINT → a byte on this pipe; the REPL polls it beside standard input.
int g_signal_pipe[2] = {-1, -1};

void OnSigint(int) {
  char c = 1;
  ssize_t ignored = write(g_signal_pipe[1], &c, 1);
  (void)ignored;
}

void DrainPipe(int fd) {
  char buf[64];
  while (read(fd, buf, sizeof buf) > 0) {
  }
}

struct ReplOptions {
  AgentFlags agent;
  std::string session;
  std::string history_file;
  bool verbose = false;
};

std::optional<std::string> g_line;  // set by the readline callback
bool g_eof = false;

void OnLine(char* line) {
  if (!line) {
    g_eof = true;
  } else {
    g_line = line;
    std::free(line);
  }
  rl_callback_handler_remove();
}

std::string DefaultHistoryFile() {
  const char* home = std::getenv("HOME");
  return home ? std::string(home) + "/.reagent_history" : ".reagent_history";
}

int Repl(const ReplOptions& o) {
  auto config = ResolveConfig(o.agent);
  if (!config.ok()) {
    std::fprintf(stderr, "reagent: %s\n", config.status().message().c_str());
    return kExitUsage;
  }
  auto runtime = BuildRuntime(*config);
  if (!runtime.ok()) return ReportRuntimeError(*config, runtime.status());
  Runtime& rt = **runtime;
  const bool colors = ColorsWanted(stdout);

  ReplState state;
  state.runtime = &rt;
  state.colors = colors;
  if (!o.session.empty()) {
    auto info = rt.sessions->GetInfo(o.session);
    if (!info.ok()) {
      std::fprintf(stderr, "reagent: %s\n", info.status().message().c_str());
      return kExitUsage;
    }
    state.session_id = o.session;
  } else if (Status s = NewSession(state); !s.ok()) {
    std::fprintf(stderr, "reagent: %s\n", s.message().c_str());
    return kExitFailure;
  }

  if (pipe(g_signal_pipe) != 0) return kExitFailure;
  fcntl(g_signal_pipe[0], F_SETFL, O_NONBLOCK);
  struct sigaction sa {}, old {};
  sa.sa_handler = OnSigint;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old);
  rl_catch_signals = 0;

  std::string history = o.history_file.empty() ? DefaultHistoryFile() : o.history_file;
  using_history();
  read_history(history.c_str());

  std::printf("%s\n", Paint("reagent repl · model " + config->models.front().model + " · session " +
                                state.session_id + " · /help for commands, Ctrl-D to exit",
                            Color::kDim, colors)
                          .c_str());
  const std::string prompt = colors ? "\001\033[1m\002reagent>\001\033[0m\002 " : "reagent> ";
  bool interrupted_at_prompt = false;
  int exit_code = kExitOk;
  while (true) {
    g_line.reset();
    g_eof = false;
    rl_callback_handler_install(prompt.c_str(), OnLine);
    while (!g_line && !g_eof) {
      pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {g_signal_pipe[0], POLLIN, 0}};
      if (poll(fds, 2, -1) < 0) continue;
      if (fds[1].revents & POLLIN) {
        DrainPipe(g_signal_pipe[0]);
        bool empty = rl_end == 0;
        if (empty && interrupted_at_prompt) {
          rl_callback_handler_remove();
          std::printf("\n");
          g_eof = true;
          break;
        }
        interrupted_at_prompt = empty;
        rl_replace_line("", 0);
        std::printf("^C%s\n", empty ? "  (Ctrl-C again or Ctrl-D to exit)" : "");
        rl_on_new_line();
        rl_redisplay();
        continue;
      }
      if (fds[0].revents & (POLLIN | POLLHUP)) {
        interrupted_at_prompt = false;
        rl_callback_read_char();
      }
    }
    if (g_eof) break;
    std::string line = *g_line;
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    add_history(line.c_str());
    // append_history only appends to an existing file; the first line of a fresh machine
    // writes the file (the whole in-memory history: just this line).
    if (append_history(1, history.c_str()) != 0) write_history(history.c_str());

    if (line[0] == '/') {
      ReplCommandResult r = RunReplCommand(state, line, stdout);
      if (r == ReplCommandResult::kExit) break;
      continue;
    }

    // An MCP server's tool list may have changed since the last turn (list_changed, a restart).
    if (auto refreshed = RefreshMcpTools(rt); !refreshed.ok()) {
      std::fprintf(stderr, "reagent: the MCP tools could not be rebuilt: %s\n", refreshed.status().message().c_str());
    } else if (*refreshed) {
      std::fprintf(stderr, "(the MCP tools changed; /tools lists them)\n");
    }

    // A turn runs on a worker thread; the main thread waits for it or for Ctrl-C.
    TurnDisplay display(stdout, stderr, {.stream_answer = true, .verbose = o.verbose, .colors = colors});
    CancellationSource cancel;
    int done_pipe[2];
    if (pipe(done_pipe) != 0) return kExitFailure;
    std::optional<Result<TurnResult>> result;
    std::thread turn([&] {
      result.emplace(rt.agent->Run(state.session_id, line, &display, cancel.token()));
      char c = 1;
      ssize_t ignored = write(done_pipe[1], &c, 1);
      (void)ignored;
    });
    bool cancelled = false;
    while (true) {
      pollfd fds[2] = {{done_pipe[0], POLLIN, 0}, {g_signal_pipe[0], POLLIN, 0}};
      if (poll(fds, 2, -1) < 0) continue;
      if (fds[0].revents & POLLIN) break;
      if (fds[1].revents & POLLIN) {
        DrainPipe(g_signal_pipe[0]);
        if (!cancelled) std::fprintf(stderr, "%s\n", Paint("^C cancelling the turn…", Color::kYellow, colors).c_str());
        cancelled = true;
        cancel.Cancel();
      }
    }
    turn.join();
    close(done_pipe[0]);
    close(done_pipe[1]);
    if (!result->ok()) {
      std::fprintf(stderr, "%s\n", Paint("error: " + DescribeTurnFailure(result->status()).message, Color::kRed, colors).c_str());
      continue;
    }
    display.FinishAnswer((*result)->final_answer);
    state.last_turn = **result;
    state.turns += 1;
    state.total += (*result)->usage;
    std::fprintf(stderr, "%s\n", Paint(TurnSummary(**result), Color::kDim, colors).c_str());
  }
  sigaction(SIGINT, &old, nullptr);
  close(g_signal_pipe[0]);
  close(g_signal_pipe[1]);
  return exit_code;
}

Command Setup(CLI::App& parent) {
  auto o = std::make_shared<ReplOptions>();
  auto* sub = parent.add_subcommand(
      "repl",
      "Interactive session: line editing, history, streaming answers, slash commands (/help).\n"
      "Ctrl-C cancels a running turn; Ctrl-C twice at an empty prompt, or Ctrl-D, exits.");
  sub->add_option("-s,--session", o->session, "Resume this session (default: a new one)");
  sub->add_option("--history-file", o->history_file, "Line history file (default ~/.reagent_history)");
  sub->add_flag("-v,--verbose", o->verbose, "Show thoughts, observations and per-call usage");
  AddAgentFlags(sub, o->agent);
  return {sub, [o] { return Repl(*o); }};
}

REAGENT_COMMAND("repl", Setup);

}  // namespace
}  // namespace reagent::cli
