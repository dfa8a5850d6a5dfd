// reagent test FILE|DIR...: runs scenario files (format: README "Scenario files").
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fnmatch.h>

#include "command.h"
#include "support/junit.h"
#include "reagent/testing/scenario.h"
#include "reagent/testing/scenario_runner.h"

namespace reagent::cli {
namespace {

namespace fs = std::filesystem;

struct TestOptions {
  std::vector<std::string> paths;
  std::string junit;
  std::string filter;
  bool verbose = false;
};

// Every *.json under the given files and directories (recursively), sorted, without repeats.
std::vector<std::string> CollectFiles(const std::vector<std::string>& paths,
                                      std::vector<std::string>& missing) {
  std::vector<std::string> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::end(it);
           it.increment(ec)) {
        if (it->is_regular_file() && it->path().extension() == ".json") {
          files.push_back(it->path().string());
        }
      }
    } else if (fs::exists(p, ec)) {
      files.push_back(p);
    } else {
      missing.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

bool MatchesFilter(const std::string& filter, const std::string& name, const std::string& file) {
  if (filter.empty()) return true;
  bool glob = filter.find_first_of("*?[") != std::string::npos;
  auto match = [&](const std::string& s) {
    return glob ? fnmatch(filter.c_str(), s.c_str(), 0) == 0 : s.find(filter) != std::string::npos;
  };
  return match(name) || match(file);
}

int RunTests(const TestOptions& options) {
  std::vector<std::string> missing;
  std::vector<std::string> files = CollectFiles(options.paths, missing);
  for (const auto& m : missing) std::fprintf(stderr, "reagent test: no such file or directory: %s\n", m.c_str());
  if (!missing.empty()) return kExitUsage;
  if (files.empty()) {
    std::fprintf(stderr, "reagent test: no *.json scenario files found\n");
    return kExitUsage;
  }
  int passed = 0, failed = 0;
  std::vector<JUnitCase> cases;
  for (const auto& file : files) {
    auto start = std::chrono::steady_clock::now();
    JUnitCase c;
    c.classname = file;
    auto scenario = LoadScenarioFile(file);
    if (!scenario.ok()) {
      c.name = file;
      if (!MatchesFilter(options.filter, file, file)) continue;
      c.passed = false;
      c.failure = scenario.status().message();
    } else {
      c.name = scenario->name;
      if (!MatchesFilter(options.filter, scenario->name, file)) continue;
      ScenarioRun run = RunScenario(*scenario);
      c.passed = run.passed;
      c.failure = run.failure;
      if (options.verbose) {
        std::fprintf(stderr, "  %s: %.1f s simulated\n", file.c_str(), run.simulated_seconds);
      }
    }
    c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (c.passed) {
      ++passed;
      std::printf("PASS %s\n", c.name.c_str());
    } else {
      ++failed;
      std::printf("FAIL %s: %s\n", c.name.c_str(), c.failure.c_str());
    }
    std::fflush(stdout);
    cases.push_back(std::move(c));
  }
  if (!options.junit.empty()) {
    Status s = WriteJUnitFile(options.junit, "reagent scenarios", cases);
    if (!s.ok()) std::fprintf(stderr, "reagent test: %s\n", s.message().c_str());
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? kExitOk : kExitFailure;
}

Command Setup(CLI::App& parent) {
  auto options = std::make_shared<TestOptions>();
  auto* sub = parent.add_subcommand(
      "test",
      "Run scenario files: scripted model replies and faults against the real agent on a\n"
      "simulated clock. Prints PASS/FAIL per scenario and 'N passed, N failed' last.");
  sub->add_option("paths", options->paths, "Scenario files or directories (searched for *.json)")
      ->required();
  sub->add_option("--junit", options->junit, "Also write a JUnit XML report to this file");
  sub->add_option("--filter", options->filter,
                  "Run only scenarios whose name or file matches (substring, or a glob with * ? [])");
  sub->add_flag("-v,--verbose", options->verbose, "Show the simulated time each scenario took");
  return {sub, [options] { return RunTests(*options); }};
}

REAGENT_COMMAND("test", Setup);

}  // namespace
}  // namespace reagent::cli
