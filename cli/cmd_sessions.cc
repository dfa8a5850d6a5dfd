// reagent sessions: inspect and maintain the session database.
//   reagent sessions list [--user U] [--expired|--all] [--limit N] [--json]
//   reagent sessions show ID [--json]      history with per-step usage and cost
//   reagent sessions rm ID
//   reagent sessions gc [--json]           purge expired sessions, evict beyond --max-sessions
//   reagent sessions export ID             the session as JSON
//   reagent sessions stats [--user U] [--json]   counts, tokens and cost per user and day
// Every subcommand takes --db PATH (default $REAGENT_DB, else ./reagent.db); a redis:// or
// unix:// URL there reads the sessions from Redis (--prefix names the key prefix).
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "command.h"
#include "support/terminal.h"
#include "reagent/core/clock.h"
#include "reagent/session/session_json.h"
#include "reagent/runtime/shared_state.h"
#include "reagent/session/sqlite_session_store.h"

namespace reagent::cli {
namespace {

constexpr const char* kDbEnv = "REAGENT_DB";
constexpr const char* kDefaultDb = "reagent.db";

std::string DefaultDbPath() {
  const char* env = std::getenv(kDbEnv);
  return env != nullptr && *env != '\0' ? env : kDefaultDb;
}

// Flags shared by every subcommand.
struct CommonFlags {
  std::string db = DefaultDbPath();
  bool json = false;
  double ttl_s = 3600;
  int64_t max_sessions = 10000;
  std::string prefix = "reagent";
};

void AddCommon(CLI::App* sub, CommonFlags& flags, bool with_json = true) {
  sub->add_option("--db", flags.db,
                  "Session database file, or a redis://host:port/db or unix:///path URL "
                  "(default: $REAGENT_DB if set, else ./reagent.db)");
  sub->add_option("--prefix", flags.prefix, "Key prefix of the sessions in Redis (redis.prefix)")->capture_default_str();
  sub->add_option("--ttl", flags.ttl_s, "Seconds since last access after which a session counts as expired")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  if (with_json) sub->add_flag("--json", flags.json, "Print JSON instead of text");
}

int Fail(const Status& s) {
  std::fprintf(stderr, "reagent sessions: %s\n", s.ToString().c_str());
  return kExitFailure;
}

// Opens an existing database (never creates one: a mistyped --db should not leave files).
Result<std::shared_ptr<SessionStore>> OpenStore(const CommonFlags& flags) {
  if (IsRedisUrl(flags.db)) {
    Config config;
    config.session_ttl_s = flags.ttl_s;
    config.max_sessions = flags.max_sessions;
    config.redis.prefix = flags.prefix;
    return OpenRedisSessions(flags.db, config);
  }
  const std::string path = flags.db.starts_with("sqlite:") ? flags.db.substr(7) : flags.db;
  SqliteSessionStoreOptions options{.path = path, .create_if_missing = false};
  options.store.ttl = Seconds(flags.ttl_s);
  options.store.max_sessions = flags.max_sessions;
  auto store = OpenSqliteSessionStore(options, SystemClock::Default());
  if (!store.ok() && store.status().code() == StatusCode::kNotFound) {
    return Status::NotFound(store.status().message() + " (use --db PATH or set " + kDbEnv + ")");
  }
  if (!store.ok()) return store.status();
  return std::shared_ptr<SessionStore>(std::move(*store));
}

std::string Cost(const Usage& u) {
  if (!u.cost_usd) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "$%.6f", *u.cost_usd);
  return buf;
}

void PrintJson(const nlohmann::json& j) { std::printf("%s\n", j.dump(2).c_str()); }

int RunList(const CommonFlags& flags, const ListFilter& filter) {
  auto store = OpenStore(flags);
  if (!store.ok()) return Fail(store.status());
  auto sessions = (*store)->List(filter);
  if (!sessions.ok()) return Fail(sessions.status());
  if (flags.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& info : *sessions) out.push_back(SessionInfoJson(info));
    PrintJson(out);
    return kExitOk;
  }
  std::printf("%-22s  %-16s  %-20s  %5s  %6s  %9s  %12s\n", "ID", "USER", "LAST ACCESS (UTC)", "STEPS", "MSGS",
              "TOKENS", "COST");
  for (const auto& info : *sessions) {
    std::printf("%-22s  %-16s  %-20s  %5lld  %6lld  %9lld  %12s\n", info.id.c_str(), info.user_id.c_str(),
                FormatUtc(info.last_access).c_str(), static_cast<long long>(info.step_count),
                static_cast<long long>(info.message_count), static_cast<long long>(info.usage.total_tokens()),
                Cost(info.usage).c_str());
  }
  std::printf("%zu session(s)\n", sessions->size());
  return kExitOk;
}

int RunExport(const CommonFlags& flags, const std::string& id) {
  auto store = OpenStore(flags);
  if (!store.ok()) return Fail(store.status());
  auto exported = ExportSession(**store, id);
  if (!exported.ok()) return Fail(exported.status());
  PrintJson(*exported);
  return kExitOk;
}

int RunShow(const CommonFlags& flags, const std::string& id) {
  if (flags.json) return RunExport(flags, id);
  auto store = OpenStore(flags);
  if (!store.ok()) return Fail(store.status());
  auto session = (*store)->Load(id);
  auto steps = (*store)->Steps(id);
  if (!session.ok()) return Fail(session.status());
  if (!steps.ok()) return Fail(steps.status());
  const SessionInfo& info = session->info;
  std::printf("session %s  user %s\ncreated %s  last access %s\n%s, %s, %lld+%lld tokens "
              "(%lld cached), cost %s\n",
              info.id.c_str(), info.user_id.c_str(), FormatUtc(info.created_at).c_str(),
              FormatUtc(info.last_access).c_str(), Counted(info.step_count, "step").c_str(),
              Counted(info.message_count, "message").c_str(), static_cast<long long>(info.usage.prompt_tokens),
              static_cast<long long>(info.usage.completion_tokens), static_cast<long long>(info.usage.cached_tokens),
              Cost(info.usage).c_str());
  for (const StepInfo& step : *steps) {
    std::printf("\n-- step %lld  %s  model %s  tokens %lld+%lld (cached %lld)  cost %s\n",
                static_cast<long long>(step.step), FormatUtc(step.created_at).c_str(), step.model.c_str(),
                static_cast<long long>(step.usage.prompt_tokens), static_cast<long long>(step.usage.completion_tokens),
                static_cast<long long>(step.usage.cached_tokens), Cost(step.usage).c_str());
    for (int64_t i = step.first_message; i < step.first_message + step.message_count; ++i) {
      if (i < 0 || i >= static_cast<int64_t>(session->messages.size())) break;
      const Message& m = session->messages[static_cast<size_t>(i)];
      std::printf("[%s]%s %s\n", std::string(RoleName(m.role)).c_str(),
                  m.name.empty() ? "" : (" (" + m.name + ")").c_str(), m.content.c_str());
      for (const ToolCall& call : m.tool_calls) {
        std::printf("  -> %s(%s) [%s]\n", call.name.c_str(), call.arguments.c_str(), call.id.c_str());
      }
    }
  }
  return kExitOk;
}

int RunRm(const CommonFlags& flags, const std::string& id) {
  auto store = OpenStore(flags);
  if (!store.ok()) return Fail(store.status());
  Status s = (*store)->Delete(id);
  if (!s.ok()) return Fail(s);
  std::printf("removed session %s\n", id.c_str());
  return kExitOk;
}

int RunGc(const CommonFlags& flags) {
  auto store = OpenStore(flags);
  if (!store.ok()) return Fail(store.status());
  auto report = (*store)->Sweep();
  if (!report.ok()) return Fail(report.status());
  if (flags.json) {
    PrintJson({{"expired", report->expired}, {"evicted", report->evicted},
               {"abandoned_turns", report->abandoned_turns}});
    return kExitOk;
  }
  std::printf("purged %lld expired session(s), evicted %lld least recently used beyond %lld, "
              "released %lld abandoned turn(s)\n",
              static_cast<long long>(report->expired), static_cast<long long>(report->evicted),
              static_cast<long long>(flags.max_sessions), static_cast<long long>(report->abandoned_turns));
  return kExitOk;
}

int RunStats(const CommonFlags& flags, const std::string& user) {
  auto store = OpenStore(flags);
  if (!store.ok()) return Fail(store.status());
  auto all = (*store)->List({.user_id = user, .include_expired = true});
  auto live = (*store)->List({.user_id = user});
  auto per_user_day = (*store)->UsageTotals(UsageGrouping::kUserDay, {.user_id = user});
  auto per_user = (*store)->UsageTotals(UsageGrouping::kUser, {.user_id = user});
  for (const Status& s : {all.status(), live.status(), per_user_day.status(), per_user.status()}) {
    if (!s.ok()) return Fail(s);
  }
  std::map<std::string, int64_t> sessions_per_user;
  for (const auto& info : *live) ++sessions_per_user[info.user_id];
  int64_t expired = static_cast<int64_t>(all->size() - live->size());
  if (flags.json) {
    nlohmann::json out = {{"sessions", {{"live", live->size()}, {"expired", expired}}},
                          {"per_user", nlohmann::json::array()},
                          {"per_user_day", nlohmann::json::array()}};
    for (const auto& t : *per_user) {
      nlohmann::json j = UsageTotalJson(t);
      j["live_sessions"] = sessions_per_user[t.user_id];
      out["per_user"].push_back(j);
    }
    for (const auto& t : *per_user_day) out["per_user_day"].push_back(UsageTotalJson(t));
    PrintJson(out);
    return kExitOk;
  }
  std::printf("sessions: %zu live, %lld expired (awaiting gc)\n\n", live->size(), static_cast<long long>(expired));
  std::printf("%-16s  %-10s  %6s  %10s  %10s  %10s  %12s\n", "USER", "DAY (UTC)", "STEPS", "PROMPT", "COMPLETION",
              "CACHED", "COST");
  auto print_row = [](const UsageTotal& t, const std::string& day) {
    std::printf("%-16s  %-10s  %6lld  %10lld  %10lld  %10lld  %12s\n", t.user_id.c_str(), day.c_str(),
                static_cast<long long>(t.steps), static_cast<long long>(t.usage.prompt_tokens),
                static_cast<long long>(t.usage.completion_tokens), static_cast<long long>(t.usage.cached_tokens),
                Cost(t.usage).c_str());
  };
  for (const auto& t : *per_user_day) print_row(t, t.day);
  for (const auto& t : *per_user) print_row(t, "total");
  return kExitOk;
}

// State parsed by CLI11; lives as long as the program.
struct SessionsArgs {
  CommonFlags flags;
  ListFilter filter;
  bool all = false;
  std::string id;
  std::string user;
};

Command Setup(CLI::App& parent) {
  auto args = std::make_shared<SessionsArgs>();
  auto* sessions = parent.add_subcommand(
      "sessions",
      "Inspect and maintain the session database (--db PATH or redis:// URL; default $REAGENT_DB, else ./reagent.db)");
  sessions->require_subcommand(1);

  auto* list = sessions->add_subcommand("list", "List sessions, most recently accessed first");
  AddCommon(list, args->flags);
  list->add_option("--user", args->filter.user_id, "Only this user's sessions");
  auto* expired = list->add_flag("--expired", args->filter.expired_only, "Only expired sessions (awaiting gc)");
  list->add_flag("--all", args->all, "Live and expired sessions")->excludes(expired);
  list->add_option("--limit", args->filter.limit, "At most this many (0: all)")->check(CLI::NonNegativeNumber);

  auto* show = sessions->add_subcommand("show", "Show a session's history with per-step usage and cost");
  AddCommon(show, args->flags);
  show->add_option("id", args->id, "Session id")->required();

  auto* rm = sessions->add_subcommand("rm", "Delete a session and its messages (its usage stays in the ledger)");
  AddCommon(rm, args->flags, /*with_json=*/false);
  rm->add_option("id", args->id, "Session id")->required();

  auto* gc = sessions->add_subcommand("gc", "Purge expired sessions and evict the least recently used beyond --max-sessions");
  AddCommon(gc, args->flags);
  gc->add_option("--max-sessions", args->flags.max_sessions, "Sessions to keep at most")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);

  auto* exp = sessions->add_subcommand("export", "Print a session (messages, steps, usage) as JSON");
  AddCommon(exp, args->flags, /*with_json=*/false);
  exp->add_option("id", args->id, "Session id")->required();

  auto* stats = sessions->add_subcommand("stats", "Session counts, tokens and cost per user and per UTC day");
  AddCommon(stats, args->flags);
  stats->add_option("--user", args->user, "Only this user");

  return {sessions, [=] {
            if (list->parsed()) {
              ListFilter filter = args->filter;
              filter.include_expired = args->all;
              return RunList(args->flags, filter);
            }
            if (show->parsed()) return RunShow(args->flags, args->id);
            if (rm->parsed()) return RunRm(args->flags, args->id);
            if (gc->parsed()) return RunGc(args->flags);
            if (exp->parsed()) return RunExport(args->flags, args->id);
            if (stats->parsed()) return RunStats(args->flags, args->user);
            return kExitUsage;
          }};
}

REAGENT_COMMAND("sessions", Setup);

}  // namespace
}  // namespace reagent::cli
