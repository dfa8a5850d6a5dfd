// What only the SQLite store promises: the file outlives the process, the schema is
// versioned, bad files are refused with an error naming them, a dead process's turns are
// released by the survivors.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "reagent/core/clock.h"
#include "reagent/session/sqlite_session_store.h"

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

  ManualClock clock_;
  std::string dir_, path_;
};

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
