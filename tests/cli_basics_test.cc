// The `reagent` executable's basics: version, help, unknown subcommands.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>
#include <sys/wait.h>

#include "reagent/core/version.h"

#include "support/reagent_process.h"

namespace {

using reagent::testing::CliRun;
using reagent::testing::Reagent;

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
