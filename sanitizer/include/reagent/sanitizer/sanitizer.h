// The injection filter. Every piece of text that enters an agent's context (the user's
// message, tool output, retrieved documents, replayed history) goes through Sanitizer::Scan,
// which returns a verdict (allow / redact / block), a score in [0,1], the findings that led to
// it (byte offsets into the ORIGINAL text) and a cleaned copy of the text.
//
//   auto sanitizer = reagent::Sanitizer::Create();           // built-in rules
//   if (!sanitizer.ok()) return sanitizer.status();          // a bad rule file names the rule
//   reagent::ScanResult r = (*sanitizer)->Scan(tool_output, reagent::TextSource::kTool);
//   if (r.verdict == reagent::Verdict::kBlock) ...
//
// How it works, in four layers:
//   0. hygiene: size cap, invalid UTF-8 (replaced by U+FFFD), NUL and control characters;
//   1. normalization for matching only: NFKC + case folding, diacritics stripped (Vietnamese
//      "bỏ qua" matches as "bo qua"), invisible characters removed (tag characters are also a
//      finding), Cyrillic/Greek/fullwidth lookalikes folded to ASCII, and a second
//      "squeezed" view without spaces or punctuation that defeats "i g n o r e" / "ign-ore";
//   2. rules (a JSON data file embedded in the library, plus user files) matched in one
//      RE2::Set pass per view; base64 / hex / URL-encoded / tag-character payloads are
//      decoded and scanned once more;
//   3. scoring: weights with diminishing returns per category, lowered inside code blocks and
//      quotes and by the text's source; any internal failure blocks (fail closed).
#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reagent/core/status.h"

namespace reagent {

enum class Verdict { kAllow, kRedact, kBlock };

// "allow" | "redact" | "block" (stable; used in JSON output).
std::string_view VerdictName(Verdict verdict);

// Where a text comes from. Some evidence means different things per source: a line starting
// with "Final Answer:" is a forgery inside tool output but harmless in the user's own message.
enum class TextSource { kUser, kTool, kHistory, kDocument };

// "user" | "tool" | "history" | "document".
std::string_view TextSourceName(TextSource source);

// One piece of evidence. start/end are byte offsets into the ORIGINAL text handed to Scan
// (for evidence found in a decoded payload, the span of the encoded block).
struct Finding {
  std::string rule;      // rule id, e.g. "override.ignore_previous_en"
  std::string category;  // e.g. "instruction_override", "chat_template", "hygiene"
  size_t start = 0, end = 0;
  double weight = 0;     // the weight after context and source factors, in [0,1]
};

struct ScanResult {
  Verdict verdict = Verdict::kBlock;
  double score = 1.0;                    // in [0,1]
  std::vector<std::string> categories;   // distinct categories of the findings, sorted
  std::vector<Finding> findings;         // in order of start offset
  // The text to pass on: invalid UTF-8 replaced by U+FFFD, control and invisible smuggling
  // characters removed; for kRedact also the offending spans replaced by "[redacted:<category>]".
  // Empty for kBlock: nothing of a blocked text should reach a model.
  std::string cleaned;
};

struct SanitizerOptions {
  // Texts longer than this are blocked with the finding "hygiene.too_long" (never truncated
  // silently). Larger values allow bigger tool outputs at a linear cost in time and memory.
  size_t max_input_bytes = 32 * 1024;
  // Score at or above which Scan blocks. Lower blocks more attacks and more innocent text.
  double block_threshold = 0.7;
  // Score at or above which (and below block_threshold) Scan redacts the offending spans.
  double redact_threshold = 0.4;
  // Use the rules shipped inside the library. Turn off only to run a rule file on its own.
  bool builtin_rules = true;
  // Use the learned layer (a linear classifier over hashed word and character n-grams,
  // shipped inside the library). It catches paraphrased attacks the rules have no pattern
  // for, at about 10 % of the scan's time; turn off to measure the rules alone.
  bool learned_layer = true;
  // Extra rule files (same JSON format as sanitizer/data/rules.json), loaded after the
  // built-in ones; a rule id may not repeat. A file that does not load fails Create.
  std::vector<std::string> rule_files;
  // Extra rule documents given as JSON text (same format), e.g. from a config service.
  std::vector<std::string> rule_texts;
  // Decode base64 / hex / URL-encoded / tag-character payloads of at least this many encoded
  // bytes and scan the decoded text once. Smaller values catch shorter payloads and cost
  // more time on texts full of identifiers and hashes.
  size_t min_payload_bytes = 16;
  // Findings reported per rule at most (a 32 KiB text of repeated tokens stays readable);
  // the score already saturates long before this.
  size_t max_findings_per_rule = 16;
  // Memory budget of each compiled RE2::Set in bytes. A scan that exceeds it blocks.
  int64_t regex_max_mem = 64 << 20;
};

// Immutable after Create: Scan and Wrap are const and safe to call from many threads on one
// shared instance.
class Sanitizer {
 public:
  // Loads and validates the rules (a rule that does not compile, an unknown category, a
  // weight outside (0,1] or a repeated id → InvalidArgument naming the rule and the file).
  static Result<std::shared_ptr<const Sanitizer>> Create(const SanitizerOptions& options = {});

  ~Sanitizer();
  Sanitizer(const Sanitizer&) = delete;
  Sanitizer& operator=(const Sanitizer&) = delete;

  // Scans `text` from `source`. Never fails open: RE2 running out of memory yields kBlock
  // with the finding "internal.regex_failure", any other internal failure (std::bad_alloc
  // included) kBlock with "internal.error" and no cleaned text. Linear in text size.
  ScanResult Scan(std::string_view text, TextSource source = TextSource::kUser) const;
  // One scan judged from several sources: result k is what Scan(text, sources[k]) returns, but
  // the text is matched once (the sources weigh the same evidence differently; the matching is
  // the costly part). E.g. ScanAs(output, {TextSource::kTool, TextSource::kHistory}).
  std::vector<ScanResult> ScanAs(std::string_view text,
                                 std::initializer_list<TextSource> sources) const;

  // Spotlighting for untrusted text (tool output, documents): returns
  //   <<<untrusted nonce=NONCE source=SOURCE_NAME>>>
  //   ...text...
  //   <<<end untrusted nonce=NONCE>>>
  // with hygiene applied, chat-template tokens removed and forged agent-protocol lines
  // ("Observation:", "Final Answer:", ...) and any forged delimiter defanged, so the text
  // cannot close the block or speak as the assistant. `nonce` should come from NewNonce()
  // once per session; `source_name` is reduced to [A-Za-z0-9_.-]. Never truncates. When the
  // text cannot be examined (out of memory, RE2 failure) the block holds a notice that it
  // was withheld instead of the text.
  std::string Wrap(std::string_view text, std::string_view source_name,
                   std::string_view nonce) const;
  // The same block for a text Scan has just passed: `scanned` is Scan's result for the text
  // whose `cleaned` is `text` (e.g. Wrap(r.cleaned, name, nonce, r)). When that scan allowed
  // the text and found nothing Wrap would change (no hygiene, template or protocol finding),
  // the text is not matched a second time; otherwise (or when `scanned.cleaned != text`) this
  // is Wrap(text, source_name, nonce). The result is the same either way.
  std::string Wrap(std::string_view text, std::string_view source_name, std::string_view nonce,
                   const ScanResult& scanned) const;

  // 24 hex characters from SecureRandomBytes: unguessable by the text being wrapped.
  static std::string NewNonce();

  // Where the text inside a block Wrap made lies: [first, second) byte offsets into `text`,
  // when `text` is exactly one such block (delimiter lines of the form Wrap writes, one nonce
  // in both, no "<<<" inside); nullopt otherwise. The newline Wrap ends the text with is not
  // part of it. Used to scan stored tool output without the wrapper's own lines.
  static std::optional<std::pair<size_t, size_t>> WrappedBody(std::string_view text);

  // Number of loaded rules (built-in plus user files).
  size_t rule_count() const;

  struct Impl;

 private:
  explicit Sanitizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace reagent
