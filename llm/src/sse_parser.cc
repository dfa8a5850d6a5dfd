#include "reagent/llm/sse_parser.h"

#include <algorithm>

namespace reagent {
namespace {
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
}

SseParser::SseParser(EventCallback on_event, size_t max_line_bytes)
    : on_event_(std::move(on_event)), max_line_bytes_(max_line_bytes) {}

bool SseParser::Feed(std::string_view bytes) {
  if (stopped_) return false;
  size_t i = 0;
  while (i < bytes.size()) {
    char c = bytes[i];
    if (after_cr_) {
      after_cr_ = false;
      if (c == '\n') {  // the "\n" of a "\r\n" split across Feed calls
        ++i;
        continue;
      }
    }
    // Copy the run of ordinary bytes at once.
    size_t end = bytes.find_first_of("\r\n", i);
    if (end == std::string_view::npos) end = bytes.size();
    line_.append(bytes.substr(i, end - i));
    if (line_.size() > max_line_bytes_) {
      line_too_long_ = true;
      stopped_ = true;
      return false;
    }
    i = end;
    if (i == bytes.size()) break;
    if (bytes[i] == '\r') after_cr_ = true;
    ++i;
    if (!bom_checked_) {
      bom_checked_ = true;
      if (std::string_view(line_).starts_with(kUtf8Bom)) line_.erase(0, kUtf8Bom.size());
    }
    bool go_on = ProcessLine(line_);
    line_.clear();
    if (!go_on) {
      stopped_ = true;
      return false;
    }
  }
  return true;
}

bool SseParser::ProcessLine(std::string_view line) {
  if (line.empty()) {
    bool dispatch = has_data_;
    SseEvent event = std::move(pending_);
    pending_ = SseEvent{};
    has_data_ = false;
    pending_fields_ = false;
    if (!dispatch) return true;  // an event without data is not dispatched
    if (!event.data.empty() && event.data.back() == '\n') event.data.pop_back();
    ++events_;
    return on_event_(event);
  }
  if (line.front() == ':') {
    ++comments_;
    return true;
  }
  std::string_view field = line, value;
  if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  pending_fields_ = true;
  if (field == "data") {
    pending_.data.append(value);
    pending_.data.push_back('\n');
    has_data_ = true;
  } else if (field == "event") {
    pending_.event = std::string(value);
  } else if (field == "id") {
    // An id containing NUL is ignored, as the spec says.
    if (value.find('\0') == std::string_view::npos) {
      pending_.id = std::string(value);
      last_event_id_ = pending_.id;
    }
  } else if (field == "retry") {
    // Only ASCII digits count; anything else is ignored, as the spec says. Capped so a hostile
    // value cannot overflow.
    constexpr int64_t kMaxRetryMs = int64_t{1} << 40;
    // More than 13 digits is ignored like any other invalid value, before it is read (13
    // digits fit an int64_t; a longer run would overflow it).
    bool digits = !value.empty() && value.size() <= 13;
    int64_t ms = 0;
    for (size_t i = 0; digits && i < value.size(); ++i) {
      const char c = value[i];
      if (c < '0' || c > '9') digits = false;
      else ms = ms * 10 + (c - '0');
    }
    if (digits) retry_ms_ = std::min(ms, kMaxRetryMs);
  }
  // Unknown fields are ignored, as the spec says.
  return true;
}

bool SseParser::FlushAtEnd() {
  if (stopped_) return false;
  if (!line_.empty()) {
    std::string last = std::move(line_);
    line_.clear();
    if (!ProcessLine(last)) return false;
  }
  return ProcessLine("");
}

bool SseParser::HasPartialEvent() const {
  return !line_.empty() || pending_fields_;
}

}  // namespace reagent
