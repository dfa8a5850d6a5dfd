// What only the SQLite store promises: the file outlives the process, the schema is
// versioned, bad files are refused with an error naming them, a dead process's turns are
// released by the survivors.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "reagent/core/clock.h"
#include "reagent/session/sqlite_session_store.h"
#include "session_rules.h"
#include "sqlite_schema.h"

namespace reagent {
namespace {

class SqliteSessionStoreTest : public ::testing::Test {
 protected:
  SqliteSessionStoreTest() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "reagent-sqlite-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
    path_ = dir_ + "/sessions.db";
  }
  ~SqliteSessionStoreTest() override { std::filesystem::remove_all(dir_); }

  Result<std::unique_ptr<SessionStore>> Open(SqliteSessionStoreOptions o = {}) {
    if (o.path == "reagent.db") o.path = path_;
    return OpenSqliteSessionStore(o, clock_);
  }

  // Runs one SQL statement on the file with a plain connection; returns the first column.
  std::string RawQuery(const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open(path_.c_str(), &db);
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW &&
        sqlite3_column_text(stmt, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return out;
  }

  // Runs a script of statements on the file with a plain connection.
  void RawExec(const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open(path_.c_str(), &db);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }

  // Frames in the WAL file so far (it only grows until a checkpoint restarts it).
  int64_t WalFrames() {
    std::error_code ec;
    const auto bytes = static_cast<int64_t>(std::filesystem::file_size(path_ + "-wal", ec));
    const int64_t page = std::stoll(RawQuery("PRAGMA page_size"));
    return ec || bytes < 32 ? 0 : (bytes - 32) / (page + 24);
  }

  ManualClock clock_;
  std::string dir_, path_;
};

// Every page a commit dirties is one WAL frame. A step of two ordinary messages touches the
// ledger row's leaf, its user/day index and the last page of the messages: three, except when
// a page fills up and the b-tree grows.
TEST_F(SqliteSessionStoreTest, AStepIsAppendedInAtMostThreePagesInTheCommonCase) {
  auto store = Open();
  ASSERT_TRUE(store.ok()) << store.status();
  std::vector<std::string> ids;
  for (int s = 0; s < 3; ++s) ids.push_back((*store)->Create("user" + std::to_string(s))->id);
  std::vector<int64_t> frames;
  for (int step = 0; step < 60; ++step) {
    // Sessions take turns, as a server's would, and time moves on between steps.
    clock_.Advance(Seconds(1));
    const std::string& id = ids[static_cast<size_t>(step) % ids.size()];
    StepRecord record{.messages = {Message::Assistant("Thought: look it up.\nAction: search\nAction Input: "
                                                      "{\"q\": \"step " + std::to_string(step) + "\"}"),
                                   Message::User("Observation: " + std::string(300, 'o'))},
                      .model = "gpt-4.1"};
    record.usage = {.prompt_tokens = 200, .completion_tokens = 30, .cost_usd = 0.001};
    const int64_t before = WalFrames();
    ASSERT_TRUE((*store)->AppendStep(id, record).ok());
    frames.push_back(WalFrames() - before);
  }
  std::vector<int64_t> sorted = frames;
  std::sort(sorted.begin(), sorted.end());
  int64_t total = 0;
  for (int64_t f : frames) total += f;
  RecordProperty("mean_frames_per_step", std::to_string(static_cast<double>(total) / static_cast<double>(frames.size())));
  EXPECT_LE(sorted[sorted.size() / 2], 3) << "median frames per step";
  EXPECT_LE(sorted[sorted.size() * 3 / 4], 3) << "75th percentile of frames per step";
  EXPECT_LE(static_cast<double>(total) / static_cast<double>(frames.size()), 3.5) << "mean frames per step";
  auto info = (*store)->GetInfo(ids[0]);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->step_count, 20);
  EXPECT_EQ(info->message_count, 40);
  EXPECT_EQ(info->usage.prompt_tokens, 20 * 200);
  ASSERT_TRUE(info->usage.cost_usd.has_value());
  EXPECT_NEAR(*info->usage.cost_usd, 0.02, 1e-9);
}

// A step marks its session accessed without rewriting the session row: the latest step's
// time counts, for expiry and for the sweep.
TEST_F(SqliteSessionStoreTest, AStepKeepsItsSessionAliveWithoutRewritingTheSessionRow) {
  auto store = Open({.store = {.ttl = Seconds(100)}});
  const std::string id = (*store)->Create("alice")->id;
  const std::string created = RawQuery("SELECT last_access FROM sessions");
  clock_.Advance(Seconds(30));  // less than a minute: the row keeps its time
  ASSERT_TRUE((*store)->AppendStep(id, {.messages = {Message::User("still here")}}).ok());
  EXPECT_EQ(RawQuery("SELECT last_access FROM sessions"), created);
  clock_.Advance(Seconds(90));  // 120 s after creation, 90 s after the step
  auto info = (*store)->GetInfo(id);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(session_internal::ToMicros(info->last_access), std::stoll(created) + 30'000'000);
  EXPECT_EQ((*store)->Sweep()->expired, 0);
  clock_.Advance(Seconds(11));  // 101 s after the step
  EXPECT_EQ((*store)->GetInfo(id).status().code(), StatusCode::kExpired);
  EXPECT_EQ((*store)->Sweep()->expired, 1);
  EXPECT_EQ(RawQuery("SELECT count(*) FROM messages"), "0");
}

// A file written by the first schema (one clustered table of messages, totals in the session
// row) opens as the current one with nothing lost, and carries on.
TEST_F(SqliteSessionStoreTest, AVersionOneFileIsMigratedWithNothingLost) {
  RawExec(std::string(session_internal::MigrationSql(0)) + R"sql(
    PRAGMA user_version = 1;
    INSERT INTO sessions(id, user_id, created_at, last_access, step_count, message_count, prompt_tokens,
                         completion_tokens, cached_tokens, cost_usd, unpriced_steps, metadata)
      VALUES('s1', 'alice', 1000, 5000, 2, 3, 300, 40, 10, 0.5, 1, '{"channel":"web"}'),
            ('s2', 'bob', 2000, 2000, 0, 0, 0, 0, 0, 0, 0, 'null');
    INSERT INTO messages(session_id, seq, step, user_id, role, content, name, tool_call_id, tool_calls,
                         tokens, created_at)
      VALUES('s1', 0, 1, 'alice', 'user', 'what is 6*7?', '', '', NULL, 9, 3000),
            ('s1', 1, 1, 'alice', 'assistant', '', '', '', '[{"id":"c1","type":"function","function":{"name":"calc","arguments":"6*7"}}]', 12, 3000),
            ('s1', 2, 2, 'alice', 'tool', '42', 'calc', 'c1', NULL, 5, 5000);
    INSERT INTO steps(session_id, step, user_id, first_message, message_count, model, prompt_tokens,
                      completion_tokens, cached_tokens, cost_usd, created_at, day, extra)
      VALUES('s1', 1, 'alice', 0, 2, 'gpt-4.1', 100, 30, 10, 0.5, 3000, '1970-01-01', NULL),
            ('s1', 2, 'alice', 2, 1, 'mystery', 200, 10, 0, NULL, 5000, '1970-01-01', '{"step":2}'),
            ('gone', 1, 'carol', 0, 4, 'gpt-4.1', 7, 7, 0, 0.25, 1500, '1970-01-01', NULL);
  )sql");
  auto store = Open({.store = {.ttl = Seconds(4e9)}});  // the rows date from 1970
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(RawQuery("PRAGMA user_version"), std::to_string(SqliteSessionSchemaVersion()));
  EXPECT_EQ(RawQuery("PRAGMA integrity_check"), "ok");

  auto session = (*store)->Load("s1");
  ASSERT_TRUE(session.ok()) << session.status();
  ASSERT_EQ(session->messages.size(), 3u);
  EXPECT_EQ(session->messages[0], Message::User("what is 6*7?"));
  ASSERT_EQ(session->messages[1].tool_calls.size(), 1u);
  EXPECT_EQ(session->messages[1].tool_calls[0].arguments, "6*7");
  EXPECT_EQ(session->messages[2], Message::Tool("c1", "calc", "42"));
  const SessionInfo& info = session->info;
  EXPECT_EQ(info.user_id, "alice");
  EXPECT_EQ(info.metadata["channel"], "web");
  EXPECT_EQ(info.step_count, 2);
  EXPECT_EQ(info.message_count, 3);
  EXPECT_EQ(info.usage.prompt_tokens, 300);
  EXPECT_EQ(info.usage.completion_tokens, 40);
  EXPECT_EQ(info.usage.cached_tokens, 10);
  EXPECT_FALSE(info.usage.cost_usd.has_value());  // one step was unpriced
  EXPECT_EQ(session_internal::ToMicros(info.last_access), 5000);
  auto empty = (*store)->Load("s2");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->messages.empty());
  EXPECT_EQ(empty->info.step_count, 0);

  auto steps = (*store)->Steps("s1");
  ASSERT_TRUE(steps.ok());
  ASSERT_EQ(steps->size(), 2u);
  EXPECT_EQ((*steps)[1].first_message, 2);
  EXPECT_EQ((*steps)[1].extra["step"], 2);
  auto by_user = (*store)->UsageTotals(UsageGrouping::kUser);
  ASSERT_TRUE(by_user.ok());
  ASSERT_EQ(by_user->size(), 2u);  // alice, and carol: the ledger of a deleted session stays
  EXPECT_EQ((*by_user)[1].user_id, "carol");

  // The session goes on where it stopped: step 3, message 3, totals added to.
  clock_.Advance(Seconds(10));
  StepRecord next{.messages = {Message::Assistant("42")}, .model = "gpt-4.1"};
  next.usage = {.prompt_tokens = 50, .completion_tokens = 2, .cost_usd = 0.25};
  ASSERT_TRUE((*store)->AppendStep("s1", next).ok());
  auto after = (*store)->Load("s1");
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->messages.size(), 4u);
  EXPECT_EQ(after->messages[3].content, "42");
  EXPECT_EQ(after->info.step_count, 3);
  EXPECT_EQ(after->info.usage.prompt_tokens, 350);
  ASSERT_EQ(RawQuery("SELECT seq FROM messages WHERE content = '42' AND role = 'assistant'"), "3");

  ASSERT_TRUE((*store)->Delete("s1").ok());
  EXPECT_EQ(RawQuery("SELECT count(*) FROM messages"), "0");
  EXPECT_EQ(RawQuery("SELECT count(*) FROM steps WHERE session_id = 's1'"), "3");  // billing stays
}

TEST_F(SqliteSessionStoreTest, SessionsSurviveClosingAndReopeningTheFile) {
  std::string id;
  {
    auto store = Open();
    ASSERT_TRUE(store.ok()) << store.status();
    auto info = (*store)->Create("alice");
    id = info->id;
    ASSERT_TRUE((*store)->AppendStep(id, {.messages = {Message::User("remember me")}}).ok());
  }
  auto store = Open();
  ASSERT_TRUE(store.ok());
  auto session = (*store)->Load(id);
  ASSERT_TRUE(session.ok()) << session.status();
  ASSERT_EQ(session->messages.size(), 1u);
  EXPECT_EQ(session->messages[0].content, "remember me");
}

TEST_F(SqliteSessionStoreTest, FileUsesWalAndRecordsItsSchemaVersion) {
  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(RawQuery("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(RawQuery("PRAGMA user_version"), std::to_string(SqliteSessionSchemaVersion()));
}

TEST_F(SqliteSessionStoreTest, MessageJsonColumnReassemblesTheOpenAiObject) {
  auto store = Open();
  auto info = (*store)->Create("alice");
  ASSERT_TRUE((*store)->AppendStep(info->id, {.messages = {Message::Tool("call_9", "calc", "42")}}).ok());
  auto json = nlohmann::json::parse(RawQuery("SELECT message_json FROM messages"));
  EXPECT_EQ(json["role"], "tool");
  EXPECT_EQ(json["content"], "42");
  EXPECT_EQ(json["tool_call_id"], "call_9");
}

TEST_F(SqliteSessionStoreTest, ANewerSchemaIsRefusedNamingTheFile) {
  ASSERT_TRUE(Open().ok());
  RawQuery("PRAGMA user_version = 99");
  auto store = Open();
  ASSERT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find(path_), std::string::npos) << store.status();
  EXPECT_NE(store.status().message().find("schema version 99"), std::string::npos) << store.status();
}

TEST_F(SqliteSessionStoreTest, AFileThatIsNotADatabaseIsRefusedNamingTheFile) {
  std::ofstream(path_) << std::string(8192, 'x');
  auto store = Open();
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find(path_ + " is not a SQLite database"), std::string::npos) << store.status();
}

TEST_F(SqliteSessionStoreTest, AnotherApplicationsDatabaseIsLeftAlone) {
  RawQuery("CREATE TABLE invoices(id INTEGER)");
  auto store = Open();
  ASSERT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("another application"), std::string::npos) << store.status();
}

TEST_F(SqliteSessionStoreTest, ACorruptFileIsReportedAsDataLossNamingTheFile) {
  {
    auto store = Open();
    for (int i = 0; i < 50; ++i) {
      auto info = (*store)->Create("user" + std::to_string(i));
      ASSERT_TRUE((*store)->AppendStep(info->id, {.messages = {Message::User(std::string(2000, 'm'))}}).ok());
    }
  }
  RawQuery("PRAGMA wal_checkpoint(TRUNCATE)");
  {
    // Keep the header page, scribble over everything after it.
    std::fstream f(path_, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096);
    std::string junk(64 * 1024, '\xA5');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  auto store = Open({.verify_on_open = true});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss) << store.status();
  EXPECT_NE(store.status().message().find(path_), std::string::npos) << store.status();
}

TEST_F(SqliteSessionStoreTest, AReadOnlyFileIsRefusedUnlessOpenedReadOnly) {
  std::string id;
  {
    auto store = Open();
    id = (*store)->Create("alice")->id;
  }
  RawQuery("PRAGMA wal_checkpoint(TRUNCATE)");
  ASSERT_EQ(chmod(path_.c_str(), 0444), 0);
  auto refused = Open();
  ASSERT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find(path_ + " is read-only"), std::string::npos) << refused.status();

  auto reader = Open({.read_only = true});
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_TRUE((*reader)->Load(id).ok());
  Status write = (*reader)->Touch(id);
  EXPECT_EQ(write.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(write.message().find("read-only"), std::string::npos) << write;
}

TEST_F(SqliteSessionStoreTest, AMissingFileIsNotFoundWhenItMustExist) {
  auto store = Open({.create_if_missing = false});
  ASSERT_EQ(store.status().code(), StatusCode::kNotFound);
  EXPECT_NE(store.status().message().find(path_), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(SqliteSessionStoreTest, AFullDatabaseSurfacesAsIoErrorAndKeepsEarlierSteps) {
  auto store = Open({.max_db_bytes = 256 * 1024});
  ASSERT_TRUE(store.ok()) << store.status();
  auto info = (*store)->Create("alice");
  Status s;
  int stored = 0;
  for (int i = 0; i < 1000 && s.ok(); ++i) {
    s = (*store)->AppendStep(info->id, {.messages = {Message::User(std::string(10000, 'f'))}});
    if (s.ok()) ++stored;
  }
  ASSERT_EQ(s.code(), StatusCode::kIOError) << s;
  EXPECT_NE(s.message().find("is full"), std::string::npos) << s;
  auto session = (*store)->Load(info->id);
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(static_cast<int>(session->messages.size()), stored);
}

TEST_F(SqliteSessionStoreTest, TurnsOfAProcessThatDiedAreReleasedBySurvivors) {
  auto store = Open({.store = {.max_concurrent_turns_per_user = 2}});
  auto info = (*store)->Create("alice");
  auto other = (*store)->Create("alice");
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto own = Open({.store = {.max_concurrent_turns_per_user = 2}});
    auto a = (*own)->BeginTurn(info->id);
    auto b = (*own)->BeginTurn(other->id);
    _exit(a.ok() && b.ok() ? 0 : 1);  // dies holding both turns: no destructor runs
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(RawQuery("SELECT count(*) FROM turns"), "2");
  EXPECT_EQ(*(*store)->RunningTurns("alice"), 0);
  auto lease = (*store)->BeginTurn(info->id);
  EXPECT_TRUE(lease.ok()) << lease.status();
  EXPECT_EQ(RawQuery("SELECT count(*) FROM turns"), "1");
}

}  // namespace
}  // namespace reagent
