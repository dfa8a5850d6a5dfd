// An incremental parser for Server-Sent Events (the WHATWG event-stream format) as chat
// completion streams use it. Bytes arrive in pieces split anywhere — inside a line, between
// "\r" and "\n", inside a UTF-8 sequence — and whole events come out:
//   data: {"choices":[...]}     one line of data
//   data: first                 several data lines join with "\n"
//   data: second
//   : keep-alive                a comment, ignored (counted)
//   event: error                an event type
//   <blank line>                dispatches the event
// Lines may end in "\n", "\r\n" or "\r". "data:x" and "data: x" are the same (one leading
// space is dropped). A leading UTF-8 BOM is skipped. Not thread-safe (one per stream).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace reagent {

struct SseEvent {
  std::string event;  // "" when the server sent no "event:" field ("message" by the spec)
  std::string data;   // data lines joined by "\n"
  std::string id;
};

class SseParser {
 public:
  // Called once per dispatched event; return false to stop parsing (Feed then returns false).
  using EventCallback = std::function<bool(const SseEvent&)>;

  // Lines longer than max_line_bytes make Feed fail (a stream that never sends a newline
  // must not grow memory without bound). Default 16 MiB.
  static constexpr size_t kDefaultMaxLineBytes = size_t{16} << 20;
  explicit SseParser(EventCallback on_event, size_t max_line_bytes = kDefaultMaxLineBytes);

  // Consumes bytes. Returns false when the callback asked to stop or a line was too long;
  // after that the parser ignores further input.
  bool Feed(std::string_view bytes);

  // Call at end of stream. Per the spec an event without its terminating blank line is not
  // dispatched; this reports whether such a partial event (or a partial line) was left.
  bool HasPartialEvent() const;

  // Call at end of stream to be lenient with servers that close right after the last
  // "data:" line without the blank line: processes a partial last line and dispatches a
  // pending event that has data. Returns what the callback returned (true when none ran).
  bool FlushAtEnd();

  bool line_too_long() const { return line_too_long_; }
  // The stream's last event ID: the latest "id:" field seen, kept across events (also those
  // without data, such as a priming event), for a reconnection's Last-Event-ID header.
  const std::string& last_event_id() const { return last_event_id_; }
  // The latest "retry:" field (the reconnection delay the server asks for, in ms), if any.
  std::optional<int64_t> retry_ms() const { return retry_ms_; }
  size_t comments() const { return comments_; }
  size_t events() const { return events_; }

 private:
  bool ProcessLine(std::string_view line);

  EventCallback on_event_;
  size_t max_line_bytes_;
  std::string line_;
  SseEvent pending_;
  bool has_data_ = false;
  bool pending_fields_ = false;
  bool after_cr_ = false;
  bool bom_checked_ = false;
  bool stopped_ = false;
  bool line_too_long_ = false;
  std::string last_event_id_;
  std::optional<int64_t> retry_ms_;
  size_t comments_ = 0;
  size_t events_ = 0;
};

}  // namespace reagent
