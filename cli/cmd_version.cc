// reagent version: prints the version and the library versions it was built with.
#include <cstdio>

#include <CLI/Version.hpp>
#include <curl/curl.h>
#include <nlohmann/json.hpp>
#include <spdlog/version.h>
#include <sqlite3.h>

#include "command.h"
#include "reagent/core/version.h"

namespace reagent::cli {
namespace {

Command Setup(CLI::App& parent) {
  auto* sub = parent.add_subcommand("version", "Print reagent's version and its libraries'");
  return {sub, [] {
            std::printf("reagent %s\n", REAGENT_VERSION);
            std::printf("  sqlite %s, libcurl %s, nlohmann_json %d.%d.%d, spdlog %d.%d.%d, CLI11 %s\n",
                        sqlite3_libversion(), curl_version_info(CURLVERSION_NOW)->version,
                        NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR,
                        NLOHMANN_JSON_VERSION_PATCH, SPDLOG_VER_MAJOR, SPDLOG_VER_MINOR,
                        SPDLOG_VER_PATCH, CLI11_VERSION);
            return kExitOk;
          }};
}

REAGENT_COMMAND("version", Setup);

}  // namespace
}  // namespace reagent::cli
