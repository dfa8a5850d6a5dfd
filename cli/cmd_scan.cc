// reagent scan: runs the injection filter over a text, a file, JSON lines, or a folder of
// labelled corpora.
//
//   reagent scan "Ignore all previous instructions"          → JSON result, exit 4 (blocked)
//   reagent scan --explain --file page.html --source tool    → report for people
//   reagent scan --jsonl < in.jsonl > out.jsonl              → one result line per input line
//   reagent scan --eval testdata/injection                   → detection / FP table
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "command.h"
#include "reagent/core/bounded_read.h"
#include "reagent/core/json.h"
#include "reagent/core/line_reader.h"
#include "reagent/sanitizer/sanitizer.h"
#include "support/scan_eval.h"
#include "support/scan_jsonl.h"
#include "support/scan_jsonl_batch.h"
#include "support/scan_output.h"

namespace reagent::cli {
namespace {

struct ScanFlags {
  std::string text;
  std::string file;
  bool jsonl = false;
  unsigned jobs = 0;  // 0: DefaultScanJobs()
  bool explain = false;
  std::string eval_folder;
  bool show_errors = false;
  bool layers = false;
  std::string split;
  bool no_learned = false;
  std::string source = "user";
  std::vector<std::string> rule_files;
  bool no_builtin = false;
  size_t max_bytes = SanitizerOptions{}.max_input_bytes;
  double block_threshold = SanitizerOptions{}.block_threshold;
  double redact_threshold = SanitizerOptions{}.redact_threshold;
};

// Answers are written to stdout this many bytes at a time.
constexpr size_t kOutputBlock = 1 << 20;
// `scan --jsonl` answers lines in batches of at most this many lines or bytes of input.
constexpr size_t kBatchLines = 256;
constexpr size_t kBatchBytes = 4 << 20;

const std::map<std::string, TextSource>& Sources() {
  static const std::map<std::string, TextSource> sources = {{"user", TextSource::kUser},
                                                            {"tool", TextSource::kTool},
                                                            {"history", TextSource::kHistory},
                                                            {"document", TextSource::kDocument}};
  return sources;
}

// Answers every non-blank input line with one output line, in order. Input is read in large
// blocks and answers are written in large blocks, flushed whenever the input runs dry (so a
// program feeding lines one at a time gets each answer before it sends the next). Lines are
// gathered into batches (up to kBatchLines lines or kBatchBytes bytes, or whatever has arrived
// when the input runs dry) that `jobs` threads answer together. A line that cannot be scanned
// gets {"id","line","error"} and makes the exit code 1.
int RunJsonl(const Sanitizer& sanitizer, TextSource default_source, unsigned jobs) {
  bool failed = false;  // some line got an error line: exit 1, as `reagent tokens --jsonl`
  std::string out;
  std::vector<JsonlLine> batch;
  size_t batch_bytes = 0;
  std::vector<std::string> answers;
  auto answer_batch = [&] {
    if (batch.empty()) return;
    ScanJsonlBatch(sanitizer, default_source, batch, jobs, answers, &failed);
    for (const std::string& answer : answers) {
      if (answer.empty()) continue;  // a blank line
      out += answer;
      out += '\n';
    }
    batch.clear();
    batch_bytes = 0;
  };
  auto flush = [&] {
    answer_batch();
    if (!out.empty()) std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
    out.clear();
  };
  // Lines are answered as they came, '\r' included: error lines quote byte offsets.
  LineReader lines(STDIN_FILENO, kMaxJsonLineBytes, {.strip_cr = false, .before_wait = flush});
  while (std::optional<LineReader::Line> line = lines.Next()) {
    if (line->too_long) {  // answered at once, even if the rest of the line never ends
      answer_batch();
      out += ScanJsonlTooLongLine(*line);
      out += '\n';
      failed = true;
      flush();
      continue;
    }
    batch.push_back({std::string(line->text), line->number});
    batch_bytes += line->text.size();
    if (batch.size() >= kBatchLines || batch_bytes >= kBatchBytes) answer_batch();
    if (out.size() >= kOutputBlock) flush();
  }
  flush();
  if (!lines.error().empty()) {
    std::fprintf(stderr, "reagent scan --jsonl: %s\n", lines.error().c_str());
    return kExitFailure;
  }
  return failed ? kExitFailure : kExitOk;
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
                           .learned_layer = !f.no_learned,
                           .rule_files = f.rule_files};
  auto sanitizer = Sanitizer::Create(options);
  if (!sanitizer.ok()) {
    std::fprintf(stderr, "reagent scan: %s\n", sanitizer.status().ToString().c_str());
    return kExitUsage;
  }
  TextSource source = Sources().at(f.source);
  if (f.jsonl) return RunJsonl(**sanitizer, source, f.jobs == 0 ? DefaultScanJobs() : f.jobs);
  if (!f.eval_folder.empty()) {
    std::vector<std::shared_ptr<const Sanitizer>> keep;
    std::vector<EvalFilter> filters;
    if (f.layers) {
      // The rules alone, the learned layer alone, and both (the configured filter).
      SanitizerOptions rules_only = options, learned_only = options;
      rules_only.learned_layer = false;
      learned_only.builtin_rules = false;
      learned_only.rule_files.clear();
      learned_only.learned_layer = true;
      for (const SanitizerOptions& o : {rules_only, learned_only}) {
        auto s = Sanitizer::Create(o);
        if (!s.ok()) {
          std::fprintf(stderr, "reagent scan: %s\n", s.status().ToString().c_str());
          return kExitUsage;
        }
        keep.push_back(*s);
      }
      filters = {{"rules", keep[0].get()}, {"learned", keep[1].get()}, {"both", sanitizer->get()}};
    } else {
      filters = {{"filter", sanitizer->get()}};
    }
    Status s = EvaluateFolder(filters, {.folder = f.eval_folder, .source = source,
                                        .show_errors = f.show_errors, .split = f.split},
                              stdout);
    if (!s.ok()) {
      std::fprintf(stderr, "reagent scan --eval: %s\n", s.ToString().c_str());
      return kExitUsage;
    }
    return kExitOk;
  }
  std::string text = f.text;
  if (!f.file.empty()) {
    // One byte past --max-bytes is enough to block the file as too long; more is never read.
    auto read = ReadFileBounded(f.file, f.max_bytes, "--max-bytes", OverLimit::kTruncate);
    if (!read.ok()) {
      std::fprintf(stderr, "reagent scan: %s\n", read.status().message().c_str());
      return kExitUsage;
    }
    text = std::move(*read);
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
  auto* jsonl = sub->add_flag("--jsonl", flags->jsonl,
                "Read JSON lines with \"text\" (and optional \"id\", \"source\") from stdin; "
                "write one result line per input line, in order; malformed lines get an "
                "\"error\" line");
  sub->add_option("--jobs", flags->jobs,
                  "With --jsonl: scan on this many threads, answers still in input order "
                  "(default: the CPUs this process may use, at most " +
                      std::to_string(kMaxDefaultScanJobs) + ")")
      ->check(CLI::Range(1u, 256u))
      ->needs(jsonl);
  sub->add_flag("--explain", flags->explain, "Print a report for people instead of JSON");
  sub->add_option("--eval", flags->eval_folder,
                  "Evaluate every *.jsonl corpus (text, label attack|benign) in this folder: "
                  "detection and false-positive rates with 95% Wilson intervals");
  sub->add_flag("--show-errors", flags->show_errors,
                "With --eval: list attacks not blocked and false positives");
  sub->add_flag("--layers", flags->layers,
                "With --eval: also evaluate the rules alone and the learned layer alone, one "
                "table row each beside the whole filter");
  sub->add_option("--split", flags->split,
                  "With --eval: only rows whose \"split\" field is this (e.g. test)");
  sub->add_flag("--no-learned-layer", flags->no_learned,
                "Turn the learned layer off (the rules alone)");
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
