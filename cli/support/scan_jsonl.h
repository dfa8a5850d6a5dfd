// One line of `reagent scan --jsonl`: a JSON object with "text" (and optional "id" and
// "source") in, one result line out (the DESIGN contract: id, verdict, score, categories,
// findings, cleaned; or an error line naming the input line).
//
// The common line — a flat object of strings, numbers and literals — is read by a small
// parser that keeps the text's JSON form, so an allowed text that the filter passed unchanged
// is echoed as "cleaned" without being escaped again; anything else (nested values, repeated
// keys, anything malformed) takes the general JSON path, which also words the errors. Both
// give the same bytes for the same line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "reagent/core/json.h"
#include "reagent/core/line_reader.h"
#include "reagent/sanitizer/sanitizer.h"

namespace reagent::cli {

// The result line for `line` (the input's 1-based line_no), without a newline; empty for a
// blank line, which gets no answer. A line that cannot be scanned gets {"id","line","error"}
// and sets *failed (when given).
std::string ScanJsonlLine(const Sanitizer& sanitizer, TextSource default_source, std::string_view line,
                          size_t line_no, bool* failed = nullptr);

// The same through the general JSON path only (the reference the fast path is tested against).
std::string ScanJsonlLineGeneric(const Sanitizer& sanitizer, TextSource default_source, std::string_view line,
                                 size_t line_no, bool* failed = nullptr);

// The answer to a line that cannot be scanned: {"error","id","line"} (the writer's key order),
// `id` null when the line has none.
std::string ScanJsonlErrorLine(const Json& id, size_t line_no, std::string_view message);

// The answer to a line longer than kMaxJsonLineBytes, given as soon as the LineReader reports
// it too long (the rest of the line may never arrive).
std::string ScanJsonlTooLongLine(const LineReader::Line& line);

// "user", "tool", "history", "document" as a source, or false.
bool ParseTextSource(std::string_view name, TextSource& source);

}  // namespace reagent::cli
