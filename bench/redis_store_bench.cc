// RedisSessionStore against (a) a bare hiredis loop sending exactly the same scripts with the
// same arguments (redis/testing/raw_redis.h) and (b) the SQLite store, in one run:
//   AppendStep  one step of 2 messages (varied lengths and texts), as the agent commits it;
//   Load        a 20-message session (one of 64, round robin), as a turn starts.
// At 1, 4 and 16 threads. Redis runs on a unix socket with appendonly yes + appendfsync
// everysec (the usual production setting); SQLite with WAL + synchronous NORMAL (its
// default). The store's pool has 16 connections; each raw thread has its own connection.
// bench/redis_store.sh runs this with interleaved repetitions and prints the ratios.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "raw_redis.h"
#include "reagent/core/clock.h"
#include "reagent/redis/redis_session_store.h"
#include "reagent/session/sqlite_session_store.h"
#include "redis_server.h"

namespace {

using namespace reagent;

constexpr int kThreadsMax = 16;
constexpr int kLoadSessions = 64;
constexpr int kLoadMessages = 20;
constexpr int kSteps = 256;  // distinct steps appended in turn

[[noreturn]] void Die(const Status& s) {
  std::fprintf(stderr, "redis_store_bench: %s\n", s.ToString().c_str());
  std::exit(1);
}

// Varied text: lengths from ~40 to ~900 bytes, English and Vietnamese words, digits.
std::string Text(int i) {
  static const char* kWords[] = {"the", "session", "replica", "answer", "tool", "result", "xin", "chào", "thế", "giới",
                                 "hệ", "thống", "1234", "budget", "tokens", "model", "cache", "limit", "{\"q\":", "…"};
  std::string out;
  const int words = 8 + (i * 37) % 140;
  for (int w = 0; w < words; ++w) {
    out += kWords[(i * 7 + w * 13) % 20];
    out += ' ';
  }
  return out;
}

StepRecord Step(int i) {
  StepRecord step{.messages = {Message::User(Text(2 * i)), Message::Assistant(Text(2 * i + 1))}, .model = "gpt-4.1"};
  step.usage = {.prompt_tokens = 100 + i, .completion_tokens = 20 + i % 50, .cost_usd = 0.0001 * (1 + i % 7)};
  step.extra = {{"stop", "final_answer"}};
  return step;
}

const std::vector<StepRecord>& Steps() {
  static const std::vector<StepRecord> steps = [] {
    std::vector<StepRecord> v;
    for (int i = 0; i < kSteps; ++i) v.push_back(Step(i));
    return v;
  }();
  return steps;
}

struct Fixture {
  std::unique_ptr<SessionStore> store;
  std::vector<std::string> load_ids;    // kLoadSessions sessions of kLoadMessages messages
  std::vector<std::string> append_ids;  // one per thread
};

void Fill(Fixture& f) {
  for (int t = 0; t < kThreadsMax; ++t) f.append_ids.push_back(f.store->Create("append" + std::to_string(t))->id);
  for (int s = 0; s < kLoadSessions; ++s) {
    const std::string id = f.store->Create("load" + std::to_string(s % 8))->id;
    for (int i = 0; i < kLoadMessages / 2; ++i) {
      if (Status st = f.store->AppendStep(id, Steps()[(s * 11 + i) % kSteps]); !st.ok()) Die(st);
    }
    f.load_ids.push_back(id);
  }
}

const SessionStoreOptions kNoLimits{.max_concurrent_turns_per_user = 0, .max_requests_per_window = 0};

RedisServer& Server() {
  static std::unique_ptr<RedisServer> server = [] {
    auto s = RedisServer::Start({.fsync = "everysec"});
    if (!s.ok()) Die(s.status());
    return std::move(*s);
  }();
  return *server;
}

RedisSessionStoreOptions RedisOptions() {
  return {.client = {.url = Server().url(), .max_connections = kThreadsMax}, .prefix = "bench", .store = kNoLimits};
}

Fixture& Redis() {
  static Fixture f;
  static std::once_flag once;
  std::call_once(once, [] {
    auto store = OpenRedisSessionStore(RedisOptions(), SystemClock::Default());
    if (!store.ok()) Die(store.status());
    f.store = std::move(*store);
    Fill(f);
  });
  return f;
}

Fixture& Sqlite() {
  static Fixture f;
  static std::once_flag once;
  std::call_once(once, [] {
    static std::string dir = [] {
      std::string tmpl = (std::filesystem::temp_directory_path() / "reagent-bench-XXXXXX").string();
      if (!mkdtemp(tmpl.data())) std::abort();
      return tmpl;
    }();
    std::atexit([] { std::filesystem::remove_all(dir); });
    auto store = OpenSqliteSessionStore({.path = dir + "/s.db", .store = kNoLimits}, SystemClock::Default());
    if (!store.ok()) Die(store.status());
    f.store = std::move(*store);
    Fill(f);
  });
  return f;
}

void Append(benchmark::State& state, Fixture& f) {
  const std::string& id = f.append_ids[state.thread_index()];
  int i = state.thread_index() * 17;
  for (auto _ : state) {
    if (Status s = f.store->AppendStep(id, Steps()[i++ % kSteps]); !s.ok()) state.SkipWithError(s.message().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}

void Load(benchmark::State& state, Fixture& f) {
  int i = state.thread_index() * 5;
  for (auto _ : state) {
    auto session = f.store->Load(f.load_ids[i++ % kLoadSessions]);
    if (!session.ok() || session->messages.size() != kLoadMessages) state.SkipWithError("load failed");
    benchmark::DoNotOptimize(session);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_RedisStoreAppendStep(benchmark::State& state) { Append(state, Redis()); }
void BM_SqliteStoreAppendStep(benchmark::State& state) { Append(state, Sqlite()); }
void BM_RedisStoreLoad20(benchmark::State& state) { Load(state, Redis()); }
void BM_SqliteStoreLoad20(benchmark::State& state) { Load(state, Sqlite()); }

// The same scripts and arguments over a bare connection per thread, arguments built before
// the loop (with the time of building: the session's TTL is long enough not to matter).
void BM_RawHiredisAppendStep(benchmark::State& state) {
  Fixture& f = Redis();
  auto raw = RawRedis::Connect(Server().url());
  if (!raw.ok()) Die(raw.status());
  const std::string& id = f.append_ids[state.thread_index()];
  std::vector<std::vector<std::string>> args;
  const WallTime now = SystemClock::Default().WallNow();
  for (const StepRecord& step : Steps()) args.push_back(RawRedis::AppendStepArgs(RedisOptions(), id, step, now));
  int i = state.thread_index() * 17;
  for (auto _ : state) {
    if (!(*raw)->AppendStep(args[i++ % kSteps])) state.SkipWithError("raw append failed");
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_RawHiredisLoad20(benchmark::State& state) {
  Fixture& f = Redis();
  auto raw = RawRedis::Connect(Server().url());
  if (!raw.ok()) Die(raw.status());
  std::vector<std::vector<std::string>> args;
  const WallTime now = SystemClock::Default().WallNow();
  for (const std::string& id : f.load_ids) args.push_back(RawRedis::LoadArgs(RedisOptions(), id, now));
  int i = state.thread_index() * 5;
  for (auto _ : state) {
    if (!(*raw)->Load(args[i++ % kLoadSessions])) state.SkipWithError("raw load failed");
  }
  state.SetItemsProcessed(state.iterations());
}

#define REAGENT_THREADS(bm) BENCHMARK(bm)->Threads(1)->Threads(4)->Threads(16)->UseRealTime()
REAGENT_THREADS(BM_RedisStoreAppendStep);
REAGENT_THREADS(BM_RawHiredisAppendStep);
REAGENT_THREADS(BM_SqliteStoreAppendStep);
REAGENT_THREADS(BM_RedisStoreLoad20);
REAGENT_THREADS(BM_RawHiredisLoad20);
REAGENT_THREADS(BM_SqliteStoreLoad20);

}  // namespace

BENCHMARK_MAIN();
