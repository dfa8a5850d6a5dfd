// The SQLite session store against raw SQLite doing the same work with the same pragmas
// (WAL, synchronous NORMAL or FULL, foreign_keys, busy_timeout), in the same run:
//   Load    a 20-message session: a read transaction, the session row, its 20 message rows,
//           each copied out (raw: into strings; the store: into Messages);
//   Append  one step (2 messages) per transaction: BEGIN IMMEDIATE, read the session row and
//           its latest ledger row, insert the ledger row (with the session's new totals) and
//           the messages at the end of their table, COMMIT (schema version 2).
// Each at 1 and 2 threads. Argument 0/1 = synchronous NORMAL/FULL for the append benchmarks.
// bench/session_store.sh runs this and prints store/raw ratios.
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "reagent/core/clock.h"
#include "reagent/session/sqlite_session_store.h"

namespace {

using namespace reagent;

constexpr int kLoadMessages = 20;
constexpr int kThreadsMax = 2;

std::string g_dir;

std::string Content(int i) {
  return "message " + std::to_string(i) + ": " + std::string(160, static_cast<char>('a' + i % 26));
}

// ---- the store ---------------------------------------------------------------------------

struct StoreFixture {
  std::unique_ptr<SessionStore> store;
  std::vector<std::string> load_ids;    // per thread
  std::vector<std::string> append_ids;  // per thread
};

StoreFixture& Store(SqliteSync sync) {
  static StoreFixture fixtures[2];
  static std::once_flag once[2];
  int k = sync == SqliteSync::kFull ? 1 : 0;
  std::call_once(once[k], [&] {
    StoreFixture& f = fixtures[k];
    auto opened = OpenSqliteSessionStore(
        {.path = g_dir + "/store" + std::to_string(k) + ".db",
         .store = {.max_concurrent_turns_per_user = 0, .max_requests_per_window = 0},
         .synchronous = sync},
        SystemClock::Default());
    if (!opened.ok()) {
      std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
      std::abort();
    }
    f.store = std::move(*opened);
    for (int t = 0; t < kThreadsMax; ++t) {
      std::string id = f.store->Create("load" + std::to_string(t))->id;
      for (int i = 0; i < kLoadMessages; i += 2) {
        StepRecord step{.messages = {Message::User(Content(i)), Message::Assistant(Content(i + 1))}, .model = "m"};
        step.usage = {100, 20, 0, 0.001};
        (void)f.store->AppendStep(id, step);
      }
      f.load_ids.push_back(id);
      f.append_ids.push_back(f.store->Create("append" + std::to_string(t))->id);
    }
  });
  return fixtures[k];
}

void BM_StoreLoad20(benchmark::State& state) {
  StoreFixture& f = Store(SqliteSync::kNormal);
  const std::string& id = f.load_ids[state.thread_index()];
  for (auto _ : state) {
    auto session = f.store->Load(id);
    if (!session.ok() || session->messages.size() != kLoadMessages) state.SkipWithError("load failed");
    benchmark::DoNotOptimize(session);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_StoreAppendStep(benchmark::State& state) {
  StoreFixture& f = Store(state.range(0) == 1 ? SqliteSync::kFull : SqliteSync::kNormal);
  const std::string& id = f.append_ids[state.thread_index()];
  StepRecord step{.messages = {Message::User(Content(1)), Message::Assistant(Content(2))}, .model = "m"};
  step.usage = {100, 20, 0, 0.001};
  for (auto _ : state) {
    Status s = f.store->AppendStep(id, step);
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}

// ---- raw SQLite, same schema and pragmas -----------------------------------------------

struct RawConnection {
  sqlite3* db = nullptr;
  sqlite3_stmt *begin_read, *begin_write, *commit, *session, *messages, *insert_step, *insert_message, *next_id;

  RawConnection(const std::string& path, bool full) {
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    sqlite3_busy_timeout(db, 5000);
    Exec("PRAGMA journal_mode = WAL");
    Exec(full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
    Exec("PRAGMA foreign_keys = ON");
    begin_read = Prepare("BEGIN");
    begin_write = Prepare("BEGIN IMMEDIATE");
    commit = Prepare("COMMIT");
    // The session row with its latest ledger row, which carries the session's totals.
    session = Prepare(
        "SELECT s.user_id, s.created_at, max(s.last_access, coalesce(t.created_at, 0)), coalesce(t.step, 0), "
        "coalesce(t.first_message + t.message_count, 0), coalesce(t.session_prompt_tokens, 0), "
        "coalesce(t.session_completion_tokens, 0), coalesce(t.session_cached_tokens, 0), "
        "coalesce(t.session_cost_usd, 0), coalesce(t.session_unpriced_steps, 0), s.metadata, s.last_access "
        "FROM sessions AS s LEFT JOIN steps AS t ON t.session_id = s.id AND t.step = "
        "(SELECT max(step) FROM steps WHERE session_id = s.id) WHERE s.id = ?1");
    messages = Prepare(
        "SELECT m.role, m.content, m.name, m.tool_call_id, m.tool_calls FROM steps AS t JOIN messages AS m "
        "ON m.id >= t.first_rowid AND m.id < t.first_rowid + t.message_count WHERE t.session_id = ?1 "
        "ORDER BY t.step, m.id");
    insert_step = Prepare(
        "INSERT INTO steps(session_id, step, user_id, first_message, message_count, model, prompt_tokens, "
        "completion_tokens, cached_tokens, cost_usd, created_at, day, extra, first_rowid, session_prompt_tokens, "
        "session_completion_tokens, session_cached_tokens, session_cost_usd, session_unpriced_steps) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)");
    insert_message = Prepare(
        "INSERT INTO messages(id, session_id, seq, step, user_id, role, content, name, tool_call_id, tool_calls, "
        "tokens, created_at) VALUES(?12, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    next_id = Prepare("SELECT coalesce(max(id), 0) + 1 FROM messages");
  }
  ~RawConnection() {
    for (sqlite3_stmt* s : {begin_read, begin_write, commit, session, messages, insert_step, insert_message, next_id}) {
      sqlite3_finalize(s);
    }
    sqlite3_close(db);
  }
  void Exec(const char* sql) { sqlite3_exec(db, sql, nullptr, nullptr, nullptr); }
  sqlite3_stmt* Prepare(const char* sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK) {
      std::fprintf(stderr, "prepare: %s\n", sqlite3_errmsg(db));
      std::abort();
    }
    return s;
  }
  static bool Run(sqlite3_stmt* s) {
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {}
    sqlite3_reset(s);
    return rc == SQLITE_DONE;
  }
  static std::string Text(sqlite3_stmt* s, int col) {
    const unsigned char* p = sqlite3_column_text(s, col);
    return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(s, col));
  }
};

bool Run(sqlite3_stmt* s) { return RawConnection::Run(s); }

struct RawRow {
  std::string role, content, name, tool_call_id, tool_calls;
};

void BM_RawLoad20(benchmark::State& state) {
  StoreFixture& f = Store(SqliteSync::kNormal);  // same file contents
  RawConnection c(g_dir + "/store0.db", false);
  const std::string& id = f.load_ids[state.thread_index()];
  for (auto _ : state) {
    Run(c.begin_read);
    sqlite3_bind_text(c.session, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
    std::string user, metadata;
    int64_t counters[9] = {};
    if (sqlite3_step(c.session) == SQLITE_ROW) {
      user = RawConnection::Text(c.session, 0);
      for (int i = 0; i < 9; ++i) counters[i] = sqlite3_column_int64(c.session, i + 1);
      metadata = RawConnection::Text(c.session, 10);
    }
    sqlite3_reset(c.session);
    sqlite3_bind_text(c.messages, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
    std::vector<RawRow> rows;
    rows.reserve(kLoadMessages);
    while (sqlite3_step(c.messages) == SQLITE_ROW) {
      rows.push_back({RawConnection::Text(c.messages, 0), RawConnection::Text(c.messages, 1),
                      RawConnection::Text(c.messages, 2), RawConnection::Text(c.messages, 3),
                      RawConnection::Text(c.messages, 4)});
    }
    sqlite3_reset(c.messages);
    Run(c.commit);
    if (rows.size() != kLoadMessages) state.SkipWithError("raw load failed");
    benchmark::DoNotOptimize(rows);
    benchmark::DoNotOptimize(counters);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_RawAppendStep(benchmark::State& state) {
  bool full = state.range(0) == 1;
  StoreFixture& f = Store(full ? SqliteSync::kFull : SqliteSync::kNormal);
  RawConnection c(g_dir + "/store" + std::to_string(full ? 1 : 0) + ".db", full);
  // Appends to its own session, created through the store so the row shapes match.
  std::string id = f.store->Create("raw" + std::to_string(state.thread_index()))->id;
  std::string user = "raw" + std::to_string(state.thread_index());
  std::string m1 = Content(1), m2 = Content(2);
  for (auto _ : state) {
    Run(c.begin_write);
    sqlite3_bind_text(c.session, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
    int64_t step = 0, message_count = 0, totals[3] = {}, unpriced = 0;
    double cost = 0;
    if (sqlite3_step(c.session) == SQLITE_ROW) {
      step = sqlite3_column_int64(c.session, 3) + 1;
      message_count = sqlite3_column_int64(c.session, 4);
      for (int i = 0; i < 3; ++i) totals[i] = sqlite3_column_int64(c.session, 5 + i);
      cost = sqlite3_column_double(c.session, 8);
      unpriced = sqlite3_column_int64(c.session, 9);
    }
    sqlite3_reset(c.session);
    int64_t first_id = 1;
    if (sqlite3_step(c.next_id) == SQLITE_ROW) first_id = sqlite3_column_int64(c.next_id, 0);
    sqlite3_reset(c.next_id);
    int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count();
    sqlite3_stmt* s = c.insert_step;
    sqlite3_bind_text(s, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, step);
    sqlite3_bind_text(s, 3, user.data(), static_cast<int>(user.size()), SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, message_count);
    sqlite3_bind_int64(s, 5, 2);
    sqlite3_bind_text(s, 6, "m", 1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 7, 100);
    sqlite3_bind_int64(s, 8, 20);
    sqlite3_bind_int64(s, 9, 0);
    sqlite3_bind_double(s, 10, 0.001);
    sqlite3_bind_int64(s, 11, now);
    sqlite3_bind_text(s, 12, "2025-01-01", 10, SQLITE_STATIC);
    sqlite3_bind_null(s, 13);
    sqlite3_bind_int64(s, 14, first_id);
    sqlite3_bind_int64(s, 15, totals[0] + 100);
    sqlite3_bind_int64(s, 16, totals[1] + 20);
    sqlite3_bind_int64(s, 17, totals[2]);
    sqlite3_bind_double(s, 18, cost + 0.001);
    sqlite3_bind_int64(s, 19, unpriced);
    bool ok = Run(s);
    for (int i = 0; i < 2; ++i) {
      sqlite3_stmt* m = c.insert_message;
      const std::string& text = i == 0 ? m1 : m2;
      sqlite3_bind_text(m, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
      sqlite3_bind_int64(m, 2, message_count + i);
      sqlite3_bind_int64(m, 3, step);
      sqlite3_bind_text(m, 4, user.data(), static_cast<int>(user.size()), SQLITE_STATIC);
      sqlite3_bind_text(m, 5, i == 0 ? "user" : "assistant", -1, SQLITE_STATIC);
      sqlite3_bind_text(m, 6, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
      sqlite3_bind_text(m, 7, "", 0, SQLITE_STATIC);
      sqlite3_bind_text(m, 8, "", 0, SQLITE_STATIC);
      sqlite3_bind_null(m, 9);
      sqlite3_bind_null(m, 10);
      sqlite3_bind_int64(m, 11, now);
      sqlite3_bind_int64(m, 12, first_id + i);
      ok = Run(m) && ok;
    }
    ok = Run(c.commit) && ok;
    if (!ok) state.SkipWithError(sqlite3_errmsg(c.db));
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_StoreLoad20)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_RawLoad20)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_StoreAppendStep)->Arg(0)->Arg(1)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_RawAppendStep)->Arg(0)->Arg(1)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  const char* base = std::getenv("REAGENT_BENCH_DIR");
  std::string tmpl = (std::filesystem::path(base != nullptr ? base : std::filesystem::temp_directory_path().c_str()) /
                      "reagent-session-bench-XXXXXX").string();
  g_dir = mkdtemp(tmpl.data());
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::filesystem::remove_all(g_dir);
  return 0;
}
