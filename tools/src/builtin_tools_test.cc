#include "reagent/tools/builtin_tools.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "reagent/tools/time_zone.h"
#include "reagent/tools/tool_registry.h"

namespace reagent {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// 2100 is past the last transition stored in the zone files, so these use the POSIX footer rule.
constexpr int64_t k2100Jan1 = 4102444800;
constexpr int64_t k2100Jul1 = 4118054400;

TEST(TimeZone, ParisIsOneHourAheadInWinterAndTwoInSummer) {
  Result<TimeZone> paris = TimeZone::Load("Europe/Paris");
  ASSERT_TRUE(paris.ok()) << paris.status();
  LocalTimeInfo winter = paris->Lookup(1735689600);  // 2025-01-01T00:00Z
  EXPECT_EQ(winter.utc_offset_s, 3600);
  EXPECT_EQ(winter.abbreviation, "CET");
  EXPECT_FALSE(winter.is_dst);
  LocalTimeInfo summer = paris->Lookup(1751328000);  // 2025-07-01T00:00Z
  EXPECT_EQ(summer.utc_offset_s, 7200);
  EXPECT_EQ(summer.abbreviation, "CEST");
  EXPECT_TRUE(summer.is_dst);
}

TEST(TimeZone, FooterRuleCoversFarFutureInBothHemispheres) {
  Result<TimeZone> paris = TimeZone::Load("Europe/Paris");
  Result<TimeZone> sydney = TimeZone::Load("Australia/Sydney");
  ASSERT_TRUE(paris.ok() && sydney.ok());
  EXPECT_EQ(paris->Lookup(k2100Jan1).abbreviation, "CET");
  EXPECT_EQ(paris->Lookup(k2100Jul1).abbreviation, "CEST");
  EXPECT_EQ(sydney->Lookup(k2100Jan1).utc_offset_s, 11 * 3600);  // southern summer: daylight time
  EXPECT_EQ(sydney->Lookup(k2100Jul1).utc_offset_s, 10 * 3600);
}

TEST(TimeZone, SwitchHappensAtTheRuleInstant) {
  Result<TimeZone> ny = TimeZone::Load("America/New_York");
  ASSERT_TRUE(ny.ok());
  // 2025-03-09 02:00 EST = 07:00Z: clocks go forward.
  EXPECT_EQ(ny->Lookup(1741503600 - 1).abbreviation, "EST");
  EXPECT_EQ(ny->Lookup(1741503600).abbreviation, "EDT");
}

TEST(TimeZone, BadNamesAreRefusedBeforeTouchingTheFileSystem) {
  EXPECT_EQ(TimeZone::Load("../../etc/passwd").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(TimeZone::Load("/etc/passwd").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(TimeZone::Load("Mars/Olympus_Mons").status().message(), "unknown time zone \"Mars/Olympus_Mons\"");
  EXPECT_EQ(TimeZone::Load("UTC")->Lookup(0).abbreviation, "UTC");
}

TEST(CurrentTimeTool, ReadsTheInjectedClockInTheRequestedZone) {
  ManualClock clock;  // 2025-01-01T00:00:00Z, a Wednesday
  auto tool = MakeCurrentTimeTool();
  ToolResult utc = tool->Invoke(json::object(), {.clock = &clock});
  EXPECT_EQ(utc.text, "2025-01-01T00:00:00+00:00 (Wednesday, UTC, UTC)");
  ToolResult paris = tool->Invoke(json{{"time_zone", "Europe/Paris"}}, {.clock = &clock});
  EXPECT_EQ(paris.text, "2025-01-01T01:00:00+01:00 (Wednesday, Europe/Paris, CET)");
  EXPECT_EQ(paris.structured["utc_offset_s"], 3600);
  clock.Advance(Seconds(-0.0) + std::chrono::hours(24 * 181));  // 2025-07-01
  ToolResult la = tool->Invoke(json{{"time_zone", "America/Los_Angeles"}}, {.clock = &clock});
  EXPECT_EQ(la.text, "2025-06-30T17:00:00-07:00 (Monday, America/Los_Angeles, PDT)");
  ToolResult bad = tool->Invoke(json{{"time_zone", "Nowhere/City"}}, {.clock = &clock});
  EXPECT_EQ(bad.error_kind, tool_error::kFailed);
  EXPECT_EQ(bad.text, "unknown time zone \"Nowhere/City\"");
}

TEST(CurrentTimeTool, FallsBackToTheOptionsClock) {
  ManualClock clock(WallTime(std::chrono::seconds(0)));
  auto tool = MakeCurrentTimeTool({.clock = &clock, .default_time_zone = "Asia/Tokyo"});
  EXPECT_EQ(tool->Invoke(json::object()).text, "1970-01-01T09:00:00+09:00 (Thursday, Asia/Tokyo, JST)");
}

class FileToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/reagent_files_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    base_ = tmpl;
    root_ = base_ / "root";
    fs::create_directories(root_ / "sub");
    fs::create_directories(base_ / "outside");
    Write(root_ / "hello.txt", "hello\n");
    Write(root_ / "sub" / "a.txt", "A");
    Write(base_ / "outside" / "secret.txt", "TOP SECRET");
    Write(root_ / "big.bin", std::string(2000, 'b'));
    fs::create_symlink("../outside/secret.txt", root_ / "escape");
    fs::create_symlink("../outside", root_ / "escape_dir");
    fs::create_symlink("hello.txt", root_ / "alias");
    ASSERT_EQ(::mkfifo((root_ / "pipe").c_str(), 0600), 0);
    auto read = MakeReadFileTool({.root = root_.string(), .max_file_bytes = 1000});
    auto list = MakeListDirTool({.root = root_.string(), .max_entries = 100});
    ASSERT_TRUE(read.ok() && list.ok());
    ASSERT_TRUE(registry_.Register(*read).ok());
    ASSERT_TRUE(registry_.Register(*list).ok());
  }
  void TearDown() override { fs::remove_all(base_); }

  static void Write(const fs::path& p, const std::string& data) { std::ofstream(p, std::ios::binary) << data; }
  ToolResult Read(const std::string& path) { return registry_.InvokeJson("read_file", json{{"path", path}}, {}); }

  fs::path base_, root_;
  ToolRegistry registry_;
};

TEST_F(FileToolsTest, ReadsFilesInsideTheRoot) {
  EXPECT_EQ(Read("hello.txt").text, "hello\n");
  EXPECT_EQ(Read("sub/a.txt").text, "A");
  EXPECT_EQ(Read("./sub//a.txt").text, "A");
  EXPECT_EQ(Read("alias").text, "hello\n");  // a symlink that stays inside is fine
}

TEST_F(FileToolsTest, DotDotIsRefused) {
  ToolResult r = Read("../../etc/passwd");
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.text, "\"..\" is not allowed in paths (\"../../etc/passwd\")");
  EXPECT_TRUE(Read("sub/../hello.txt").is_error);
  EXPECT_TRUE(Read("sub/..").is_error);
}

TEST_F(FileToolsTest, AbsolutePathsAreRefused) {
  ToolResult r = Read("/etc/passwd");
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.text, "absolute paths are not allowed (\"/etc/passwd\"); give a path relative to the allowed directory");
  EXPECT_TRUE(Read((root_ / "hello.txt").string()).is_error);
}

TEST_F(FileToolsTest, PercentEncodedTraversalIsRefused) {
  EXPECT_EQ(Read("%2e%2e/outside/secret.txt").text,
            "percent-encoded path characters are not allowed (\"%2e%2e/outside/secret.txt\")");
  EXPECT_TRUE(Read("..%2Foutside%2Fsecret.txt").is_error);
  EXPECT_TRUE(Read("%2E%2E%2Fetc%2Fpasswd").is_error);
}

TEST_F(FileToolsTest, SymlinkEscapesAreRefusedWithoutLeakingContent) {
  ToolResult r = Read("escape");
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.text, "\"escape\" resolves outside the allowed directory");
  EXPECT_EQ(Read("escape_dir/secret.txt").text, "\"escape_dir/secret.txt\" resolves outside the allowed directory");
  EXPECT_EQ(registry_.InvokeJson("list_dir", json{{"path", "escape_dir"}}, {}).text,
            "\"escape_dir\" resolves outside the allowed directory");
}

TEST_F(FileToolsTest, DevicesFifosAndDirectoriesAreNotRead) {
  EXPECT_EQ(Read("pipe").text, "\"pipe\" is not a regular file (device, FIFO or socket)");
  EXPECT_EQ(Read("sub").text, "\"sub\" is a directory; use list_dir");
  auto dev = MakeReadFileTool({.root = "/dev"});
  ASSERT_TRUE(dev.ok());
  EXPECT_EQ((*dev)->Invoke(json{{"path", "null"}}).text, "\"null\" is not a regular file (device, FIFO or socket)");
}

TEST_F(FileToolsTest, FilesOverTheCapAreRefused) {
  EXPECT_EQ(Read("big.bin").text, "\"big.bin\" is larger than the 1000-byte limit (2000 bytes)");
}

TEST_F(FileToolsTest, MissingFilesSaySo) {
  EXPECT_EQ(Read("nope.txt").text, "no such file or directory: \"nope.txt\"");
}

TEST_F(FileToolsTest, ListDirShowsSortedEntriesWithKinds) {
  ToolResult r = registry_.InvokeJson("list_dir", json::object(), {});
  EXPECT_FALSE(r.is_error) << r.text;
  EXPECT_EQ(r.text, "alias@\nbig.bin\nescape@\nescape_dir@\nhello.txt\npipe\nsub/\n");
  EXPECT_EQ(registry_.Invoke("list_dir", "sub", {}).text, "a.txt\n");
  EXPECT_EQ(registry_.Invoke("list_dir", "../", {}).text, "\"..\" is not allowed in paths (\"../\")");
  EXPECT_EQ(registry_.Invoke("list_dir", "hello.txt", {}).text, "\"hello.txt\" is not a directory");
}

TEST_F(FileToolsTest, ListDirCapsTheNumberOfEntries) {
  auto list = MakeListDirTool({.root = root_.string(), .max_entries = 2});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ((*list)->Invoke(json::object()).text, "alias@\nbig.bin\n[5 more entries not listed]\n");
}

TEST(FileTools, RootMustBeAnExistingDirectory) {
  EXPECT_EQ(MakeReadFileTool({.root = "/nonexistent/reagent"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeListDirTool({}).status().message(), "file tools need a root directory");
}

TEST(BuiltinTools, MadeByName) {
  for (const auto& name : {"calculator", "current_time"}) {
    auto t = MakeBuiltinTool(name);
    ASSERT_TRUE(t.ok()) << name;
    EXPECT_EQ((*t)->name(), name);
  }
  EXPECT_EQ(MakeBuiltinTool("shell").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace reagent
