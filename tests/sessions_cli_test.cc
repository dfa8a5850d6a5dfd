// `reagent sessions` against a real database file written through the library.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "reagent/core/clock.h"
#include "reagent/session/sqlite_session_store.h"

#include "support/reagent_process.h"

namespace reagent {
namespace {

using testing::CliRun;
using testing::Reagent;

class SessionsCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "reagent-cli-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
    db_ = dir_ + "/s.db";
    // An old session (2025-01-01, long expired by now) and a fresh one with two steps.
    ManualClock past;
    auto old_store = OpenSqliteSessionStore({.path = db_}, past);
    ASSERT_TRUE(old_store.ok()) << old_store.status();
    auto old_session = (*old_store)->Create("olduser");
    ASSERT_TRUE(old_session.ok()) << old_session.status();
    old_id_ = old_session->id;
    StepRecord old_step{.messages = {Message::User("long ago")}, .model = "m-old"};
    old_step.usage = {100, 10, 0, 0.5};
    ASSERT_TRUE((*old_store)->AppendStep(old_id_, old_step).ok());
    old_store->reset();

    auto store = OpenSqliteSessionStore({.path = db_}, SystemClock::Default());
    auto live_session = (*store)->Create("alice");
    ASSERT_TRUE(live_session.ok()) << live_session.status();
    live_id_ = live_session->id;
    StepRecord first{.messages = {Message::User("what is 6*7?"),
                                  Message::Assistant("", {ToolCall{"call_1", "calc", R"({"e":"6*7"})"}})},
                     .model = "gpt-4.1"};
    first.usage = {120, 30, 20, 0.25};
    StepRecord second{.messages = {Message::Tool("call_1", "calc", "42"), Message::Assistant("42")},
                      .model = "gpt-4.1"};
    second.usage = {200, 5, 0, 0.125};
    ASSERT_TRUE((*store)->AppendStep(live_id_, first).ok());
    ASSERT_TRUE((*store)->AppendStep(live_id_, second).ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Db() const { return " --db " + db_; }

  std::string dir_, db_, old_id_, live_id_;
};

TEST_F(SessionsCliTest, ListShowsLiveSessionsAsATable) {
  CliRun r = Reagent("sessions list" + Db());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find(live_id_), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(old_id_), std::string::npos) << "expired sessions are hidden by default";
  EXPECT_NE(r.out.find("$0.375000"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 session(s)"), std::string::npos) << r.out;
}

TEST_F(SessionsCliTest, ListJsonFiltersByUserAndExpiry) {
  CliRun r = Reagent("sessions list --json --expired" + Db());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["id"], old_id_);
  EXPECT_EQ(j[0]["user_id"], "olduser");
  r = Reagent("sessions list --json --all --user alice" + Db());
  j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["id"], live_id_);
  EXPECT_EQ(j[0]["step_count"], 2);
}

TEST_F(SessionsCliTest, ShowPrintsEachStepWithItsUsageCostAndMessages) {
  CliRun r = Reagent("sessions show " + live_id_ + Db());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("-- step 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("tokens 120+30 (cached 20)  cost $0.250000"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("-> calc({\"e\":\"6*7\"}) [call_1]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[tool] (calc) 42"), std::string::npos) << r.out;
}

TEST_F(SessionsCliTest, ExportPrintsMessagesStepsAndUsageAsJson) {
  CliRun r = Reagent("sessions export " + live_id_ + Db());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["session"]["id"], live_id_);
  ASSERT_EQ(j["messages"].size(), 4u);
  EXPECT_EQ(j["messages"][0]["content"], "what is 6*7?");
  EXPECT_EQ(j["messages"][1]["tool_calls"][0]["function"]["name"], "calc");
  ASSERT_EQ(j["steps"].size(), 2u);
  EXPECT_EQ(j["steps"][1]["usage"]["cost_usd"], 0.125);
  EXPECT_EQ(j["steps"][1]["first_message"], 2);
}

TEST_F(SessionsCliTest, RmDeletesAndAnUnknownIdFails) {
  EXPECT_EQ(Reagent("sessions rm " + live_id_ + Db()).exit_code, 0);
  CliRun again = Reagent("sessions rm " + live_id_ + Db());
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.out.find("not_found"), std::string::npos) << again.out;
  EXPECT_NE(Reagent("sessions show " + live_id_ + Db()).exit_code, 0);
}

TEST_F(SessionsCliTest, GcPurgesExpiredSessionsAndReportsCounts) {
  CliRun r = Reagent("sessions gc --json" + Db());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["expired"], 1);
  EXPECT_EQ(j["evicted"], 0);
  EXPECT_EQ(nlohmann::json::parse(Reagent("sessions list --json --all" + Db()).out).size(), 1u);
}

TEST_F(SessionsCliTest, StatsGivesTokensAndCostPerUserAndDay) {
  CliRun r = Reagent("sessions stats --json" + Db());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["sessions"]["live"], 1);
  EXPECT_EQ(j["sessions"]["expired"], 1);
  ASSERT_EQ(j["per_user_day"].size(), 2u);
  EXPECT_EQ(j["per_user_day"][0]["user_id"], "alice");
  EXPECT_EQ(j["per_user_day"][0]["usage"]["cost_usd"], 0.375);
  EXPECT_EQ(j["per_user_day"][1]["day"], "2025-01-01");
  EXPECT_EQ(j["per_user_day"][1]["usage"]["prompt_tokens"], 100);
  CliRun text = Reagent("sessions stats" + Db());
  EXPECT_NE(text.out.find("1 live, 1 expired"), std::string::npos) << text.out;
}

TEST_F(SessionsCliTest, TheDatabaseComesFromReagentDbWhenNoFlagIsGiven) {
  CliRun r = Reagent("sessions list --json", "REAGENT_DB=" + db_);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(nlohmann::json::parse(r.out).size(), 1u);
}

TEST_F(SessionsCliTest, AMissingDatabaseIsAClearErrorAndIsNotCreated) {
  std::string missing = dir_ + "/nope.db";
  CliRun r = Reagent("sessions list --db " + missing);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("no session database at " + missing), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(missing));
}

TEST_F(SessionsCliTest, AFileThatIsNotADatabaseIsNamedInTheError) {
  std::string bogus = dir_ + "/notes.txt";
  FILE* f = std::fopen(bogus.c_str(), "w");
  std::fputs(std::string(5000, 'z').c_str(), f);
  std::fclose(f);
  CliRun r = Reagent("sessions stats --db " + bogus);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find(bogus + " is not a SQLite database"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace reagent
