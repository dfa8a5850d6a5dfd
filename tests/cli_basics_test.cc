// The `reagent` executable's basics: version, help, unknown subcommands.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>
#include <sys/wait.h>

#include "reagent/core/version.h"

namespace {

struct CliRun {
  int exit_code;
  std::string out;
};

CliRun Reagent(const std::string& args) {
  std::string cmd = std::string(REAGENT_BIN) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST(CliBasics, VersionFlagPrintsTheVersion) {
  CliRun r = Reagent("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find(REAGENT_VERSION), std::string::npos) << r.out;
}

TEST(CliBasics, HelpListsSubcommands) {
  CliRun r = Reagent("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("version"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("SUBCOMMAND"), std::string::npos) << r.out;
}

TEST(CliBasics, UnknownSubcommandIsAUsageError) {
  CliRun r = Reagent("frobnicate");
  EXPECT_EQ(r.exit_code, 2) << r.out;
}

TEST(CliBasics, VersionSubcommandNamesTheLibraries) {
  CliRun r = Reagent("version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("sqlite"), std::string::npos) << r.out;
}

}  // namespace
