#include "support/repl_commands.h"

#include <sstream>

#include "reagent/llm/circuit_breaker.h"
#include "reagent/mcp/mcp_server.h"
#include "support/terminal.h"

namespace reagent::cli {
namespace {

std::string Money(std::optional<double> usd) {
  if (!usd) return "unpriced";
  char buf[32];
  std::snprintf(buf, sizeof buf, "$%.6f", *usd);
  return buf;
}

void Help(std::FILE* out) {
  std::fputs(
      "  /help            this list\n"
      "  /new             start a new session\n"
      "  /sessions        your sessions, most recent first\n"
      "  /load ID         continue session ID\n"
      "  /history         messages of the current session\n"
      "  /budget          the per-turn budget and what the last turn used\n"
      "  /model           the model chain and each breaker's state\n"
      "  /tools           the tools the agent may call\n"
      "  /scan TEXT       run the injection filter on TEXT\n"
      "  /cost            tokens and cost of this session and of this REPL\n"
      "  /exit            leave (Ctrl-D works too)\n",
      out);
}

void Sessions(ReplState& s, std::FILE* out) {
  ListFilter filter;
  filter.user_id = s.runtime->config.user;
  filter.limit = 20;
  auto list = s.runtime->sessions->List(filter);
  if (!list.ok()) {
    std::fprintf(out, "  error: %s\n", list.status().message().c_str());
    return;
  }
  for (const auto& info : *list) {
    std::fprintf(out, "  %s %s  %s  %lld tokens  %s\n", info.id == s.session_id ? "*" : " ",
                 info.id.c_str(), Counted(info.step_count, "step").c_str(),
                 static_cast<long long>(info.usage.total_tokens()), Money(info.usage.cost_usd).c_str());
  }
  if (list->empty()) std::fputs("  (no sessions)\n", out);
}

void History(ReplState& s, std::FILE* out) {
  auto session = s.runtime->sessions->Load(s.session_id);
  if (!session.ok()) {
    std::fprintf(out, "  error: %s\n", session.status().message().c_str());
    return;
  }
  for (const auto& m : session->messages) {
    std::string text = m.content;
    for (const auto& call : m.tool_calls) text += " [call " + call.name + "(" + call.arguments + ")]";
    std::fprintf(out, "  %s: %s\n",
                 Paint(std::string(RoleName(m.role)), Color::kBold, s.colors).c_str(), text.c_str());
  }
  if (session->messages.empty()) std::fputs("  (empty)\n", out);
}

void Budget(ReplState& s, std::FILE* out) {
  const Config& c = s.runtime->config;
  std::fprintf(out, "  per turn: %lld tokens, %s, %s, %s deadline\n",
               static_cast<long long>(c.budget_max_tokens),
               c.budget_max_cost_usd > 0 ? Money(c.budget_max_cost_usd).c_str() : "no cost limit",
               Counted(c.max_steps, "step").c_str(), FormatDuration(c.budget_deadline_s).c_str());
  if (s.last_turn) {
    std::fprintf(out, "  last turn: %lld tokens, %s, %s, stop %s\n",
                 static_cast<long long>(s.last_turn->usage.total_tokens()),
                 Money(s.last_turn->usage.cost_usd).c_str(), Counted(s.last_turn->steps, "step").c_str(),
                 std::string(StopReasonName(s.last_turn->stop_reason)).c_str());
  }
}

void Models(ReplState& s, std::FILE* out) {
  int i = 0;
  for (const auto& entry : s.runtime->chain->entries()) {
    std::string name = entry.model_name.empty() ? entry.model->name() : entry.model_name;
    std::string state = entry.breaker ? std::string(BreakerStateName(entry.breaker->state())) : "no breaker";
    std::fprintf(out, "  %d. %s  breaker %s\n", ++i, name.c_str(), state.c_str());
  }
}

void Tools(ReplState& s, std::FILE* out) {
  for (const auto& name : s.runtime->tools->Names()) {
    auto tool = s.runtime->tools->Find(name);
    if (!tool) continue;
    if (auto* mcp = dynamic_cast<const McpTool*>(tool.get())) {
      std::fprintf(out, "  %s [mcp: %s]: %s\n", name.c_str(), mcp->server_name().c_str(), tool->description().c_str());
    } else {
      std::fprintf(out, "  %s: %s\n", name.c_str(), tool->description().c_str());
    }
  }
  if (s.runtime->tools->Names().empty()) std::fputs("  (no tools)\n", out);
  for (const auto& server : s.runtime->mcp_servers)
    for (const auto& r : server->refused())
      if (r.reason != "not in the allow-list")
        std::fprintf(out, "  (refused) %s [mcp: %s]: %s\n", r.name.c_str(), server->name().c_str(), r.reason.c_str());
  for (const auto& config : s.runtime->config.mcp_servers) {
    bool running = false;
    for (const auto& server : s.runtime->mcp_servers) running = running || server->name() == config.name;
    if (!running) std::fprintf(out, "  (unavailable) mcp server %s did not start\n", config.name.c_str());
  }
}

void Scan(ReplState& s, const std::string& text, std::FILE* out) {
  ScanResult r = s.runtime->sanitizer->Scan(text, TextSource::kUser);
  std::fprintf(out, "  %s (score %.2f)\n", std::string(VerdictName(r.verdict)).c_str(), r.score);
  for (const auto& f : r.findings) {
    std::fprintf(out, "    %s/%s at bytes %zu-%zu\n", f.category.c_str(), f.rule.c_str(), f.start, f.end);
  }
}

void Cost(ReplState& s, std::FILE* out) {
  auto info = s.runtime->sessions->GetInfo(s.session_id);
  if (info.ok()) {
    std::fprintf(out, "  session: %lld tokens, %s over %s\n",
                 static_cast<long long>(info->usage.total_tokens()), Money(info->usage.cost_usd).c_str(),
                 Counted(info->step_count, "step").c_str());
  }
  std::fprintf(out, "  this repl: %lld tokens, %s over %d turns\n",
               static_cast<long long>(s.total.total_tokens()), Money(s.total.cost_usd).c_str(), s.turns);
}

}  // namespace

Status NewSession(ReplState& state) {
  auto created = state.runtime->sessions->Create(state.runtime->config.user);
  if (!created.ok()) return created.status();
  state.session_id = created->id;
  state.last_turn.reset();
  return Status::Ok();
}

ReplCommandResult RunReplCommand(ReplState& s, const std::string& line, std::FILE* out) {
  std::istringstream in(line);
  std::string command, arg;
  in >> command;
  std::getline(in, arg);
  arg.erase(0, arg.find_first_not_of(" \t"));
  if (command == "/exit" || command == "/quit") return ReplCommandResult::kExit;
  if (command == "/help") {
    Help(out);
  } else if (command == "/new") {
    Status st = NewSession(s);
    std::fprintf(out, "  %s\n", st.ok() ? ("session " + s.session_id).c_str() : st.message().c_str());
  } else if (command == "/sessions") {
    Sessions(s, out);
  } else if (command == "/load") {
    if (arg.empty()) {
      std::fputs("  usage: /load SESSION_ID\n", out);
    } else if (auto info = s.runtime->sessions->GetInfo(arg); !info.ok()) {
      std::fprintf(out, "  %s\n", info.status().message().c_str());
    } else {
      s.session_id = arg;
      s.last_turn.reset();
      std::fprintf(out, "  session %s (%s)\n", arg.c_str(), Counted(info->step_count, "step").c_str());
    }
  } else if (command == "/history") {
    History(s, out);
  } else if (command == "/budget") {
    Budget(s, out);
  } else if (command == "/model") {
    Models(s, out);
  } else if (command == "/tools") {
    Tools(s, out);
  } else if (command == "/scan") {
    if (arg.empty()) {
      std::fputs("  usage: /scan TEXT\n", out);
    } else {
      Scan(s, arg, out);
    }
  } else if (command == "/cost") {
    Cost(s, out);
  } else {
    std::fprintf(out, "  unknown command %s; /help lists them\n", command.c_str());
  }
  std::fflush(out);
  return ReplCommandResult::kHandled;
}

}  // namespace reagent::cli
