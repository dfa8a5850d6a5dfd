// reagent scan: runs the injection filter over a text, a file, JSON lines, or a folder of
// labelled corpora.
//
//   reagent scan "Ignore all previous instructions"          → JSON result, exit 4 (blocked)
//   reagent scan --explain --file page.html --source tool    → report for people
//   reagent scan --jsonl < in.jsonl > out.jsonl              → one result line per input line
//   reagent scan --eval testdata/injection                   → detection / FP table
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>

#include "command.h"
#include "reagent/core/json.h"
#include "reagent/sanitizer/sanitizer.h"
#include "support/scan_eval.h"
#include "support/scan_output.h"

namespace reagent::cli {
namespace {

struct ScanFlags {
  std::string text;
  std::string file;
  bool jsonl = false;
  bool explain = false;
  std::string eval_folder;
  bool show_errors = false;
  std::string source = "user";
  std::vector<std::string> rule_files;
  bool no_builtin = false;
  size_t max_bytes = SanitizerOptions{}.max_input_bytes;
  double block_threshold = SanitizerOptions{}.block_threshold;
  double redact_threshold = SanitizerOptions{}.redact_threshold;
};

const std::map<std::string, TextSource>& Sources() {
  static const std::map<std::string, TextSource> sources = {{"user", TextSource::kUser},
                                                            {"tool", TextSource::kTool},
                                                            {"history", TextSource::kHistory},
                                                            {"document", TextSource::kDocument}};
  return sources;
}

// Answers every non-blank input line with one output line, in order. A line that cannot be
// scanned gets {"id","line","error"} and makes the exit code 1 (as `reagent tokens --jsonl`).
int RunJsonl(const Sanitizer& sanitizer, TextSource default_source) {
  std::string line;
  size_t line_no = 0;
  int exit_code = kExitOk;
  while (std::getline(std::cin, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto row = ParseJson(line, "line " + std::to_string(line_no));
    Json out;
    if (!row.ok()) {
      out = {{"id", nullptr}, {"line", line_no}, {"error", row.status().message()}};
      exit_code = kExitFailure;
    } else if (!row->is_object() || !row->contains("text") || !(*row)["text"].is_string()) {
      Json id = row->is_object() && row->contains("id") ? (*row)["id"] : Json(nullptr);
      out = {{"id", id},
             {"line", line_no},
             {"error", "line " + std::to_string(line_no) + ": needs a string field \"text\""}};
      exit_code = kExitFailure;
    } else {
      TextSource source = default_source;
      if (row->contains("source") && (*row)["source"].is_string()) {
        auto it = Sources().find((*row)["source"].get<std::string>());
        if (it != Sources().end()) source = it->second;
      }
      Json id = row->contains("id") ? (*row)["id"] : Json(nullptr);
      out = ScanResultJson(sanitizer.Scan((*row)["text"].get<std::string>(), source), id);
    }
    std::string dumped = DumpJson(out);
    std::fwrite(dumped.data(), 1, dumped.size(), stdout);
    std::fputc('\n', stdout);
  }
  std::fflush(stdout);
  return exit_code;
}

int Run(const ScanFlags& f) {
  int modes = (!f.text.empty() ? 1 : 0) + (!f.file.empty() ? 1 : 0) + (f.jsonl ? 1 : 0) +
              (!f.eval_folder.empty() ? 1 : 0);
  if (modes != 1) {
    std::fprintf(stderr, "reagent scan: give exactly one of TEXT, --file, --jsonl, --eval\n");
    return kExitUsage;
  }
  SanitizerOptions options{.max_input_bytes = f.max_bytes,
                           .block_threshold = f.block_threshold,
                           .redact_threshold = f.redact_threshold,
                           .builtin_rules = !f.no_builtin,
                           .rule_files = f.rule_files};
  auto sanitizer = Sanitizer::Create(options);
  if (!sanitizer.ok()) {
    std::fprintf(stderr, "reagent scan: %s\n", sanitizer.status().ToString().c_str());
    return kExitUsage;
  }
  TextSource source = Sources().at(f.source);
  if (f.jsonl) return RunJsonl(**sanitizer, source);
  if (!f.eval_folder.empty()) {
    Status s = EvaluateFolder(**sanitizer, {.folder = f.eval_folder, .source = source,
                                            .show_errors = f.show_errors}, stdout);
    if (!s.ok()) {
      std::fprintf(stderr, "reagent scan --eval: %s\n", s.ToString().c_str());
      return kExitUsage;
    }
    return kExitOk;
  }
  std::string text = f.text;
  if (!f.file.empty()) {
    std::ifstream in(f.file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "reagent scan: cannot read file %s\n", f.file.c_str());
      return kExitUsage;
    }
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ScanResult result = (*sanitizer)->Scan(text, source);
  if (f.explain) {
    std::string report = ExplainScan(text, result);
    std::fwrite(report.data(), 1, report.size(), stdout);
  } else {
    std::string dumped = DumpJson(ScanResultJson(result, nullptr));
    std::printf("%s\n", dumped.c_str());
  }
  return result.verdict == Verdict::kBlock ? kExitBlocked : kExitOk;
}

Command Setup(CLI::App& parent) {
  auto* sub = parent.add_subcommand(
      "scan", "Run the injection filter over a text, a file, JSON lines or a corpus folder");
  auto flags = std::make_shared<ScanFlags>();
  sub->add_option("text", flags->text, "Text to scan (exit 0 allowed or redacted, 4 blocked)");
  sub->add_option("--file", flags->file, "Scan the contents of this file instead of TEXT");
  sub->add_flag("--jsonl", flags->jsonl,
                "Read JSON lines with \"text\" (and optional \"id\", \"source\") from stdin; "
                "write one result line per input line, in order; malformed lines get an "
                "\"error\" line");
  sub->add_flag("--explain", flags->explain, "Print a report for people instead of JSON");
  sub->add_option("--eval", flags->eval_folder,
                  "Evaluate every *.jsonl corpus (text, label attack|benign) in this folder: "
                  "detection and false-positive rates with 95% Wilson intervals");
  sub->add_flag("--show-errors", flags->show_errors,
                "With --eval: list missed attacks and false positives");
  sub->add_option("--source", flags->source, "Where the text comes from (default user)")
      ->check(CLI::IsMember({"user", "tool", "history", "document"}));
  sub->add_option("--rules", flags->rule_files,
                  "Extra rule file (JSON, same format as the built-in rules); repeatable")
      ->allow_extra_args(false);
  sub->add_flag("--no-builtin-rules", flags->no_builtin,
                "Use only the --rules files (to test a rule file on its own)");
  sub->add_option("--max-bytes", flags->max_bytes,
                  "Block texts longer than this many bytes (default 32768)");
  sub->add_option("--block-threshold", flags->block_threshold,
                  "Score at or above which a text is blocked (default 0.7)");
  sub->add_option("--redact-threshold", flags->redact_threshold,
                  "Score at or above which offending spans are redacted (default 0.4)");
  return {sub, [flags] { return Run(*flags); }};
}

REAGENT_COMMAND("scan", Setup);

}  // namespace
}  // namespace reagent::cli
