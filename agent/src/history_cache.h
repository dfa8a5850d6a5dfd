// The sanitized, counted history of recently used sessions, kept by an Agent between turns.
// A turn whose session nobody else changed since the agent last ran it starts from here
// instead of loading every stored message again, scanning each with the sanitizer and counting
// each with the tokenizer: its cost per turn stops growing with the length of the session.
//
// An entry is checked out by the turn that uses it (Take) and handed back at the end (Put), so
// two concurrent turns of one session never share one; the second simply finds none and loads
// from the store. Whether an entry still matches the store is the caller's check (the number
// of stored messages: sessions only grow, and a count that moved means someone else wrote).
// Thread-safe. Bounded: least recently used entries go first beyond max_bytes of message text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "reagent/core/message_list.h"
#include "reagent/sanitizer/sanitizer.h"

namespace reagent {

// A tool's output this agent observed, with the result of scanning it from the history
// (nullopt: allowed), judged from the same scan as its tool scan (Sanitizer::ScanAs). When the
// text the history scan reads of a message (history_text.h) is this text, its scan is this one:
// a scan is a function of the text and the source.
struct PrescannedText {
  std::string text;
  std::optional<ScanResult> history;
};

struct CachedHistory {
  // [0] the agent's system prompt, then the history as it enters prompts (after the history
  // scan); messages[scanned...] were written by this agent and have not had that scan yet.
  MessageList messages;
  std::vector<int64_t> tokens;  // the counter's count of each message
  size_t scanned = 1;
  int64_t stored_messages = 0;  // how many messages the store held for the session
  // The history scans that did not allow their message, by index, replayed into every turn's
  // findings as a fresh load would report them.
  std::vector<std::pair<size_t, ScanResult>> findings;
  // The tool outputs of messages[scanned...], already scanned from the history.
  std::vector<PrescannedText> prescanned;

  size_t Bytes() const;
};

class HistoryCache {
 public:
  explicit HistoryCache(size_t max_bytes) : max_bytes_(max_bytes) {}

  // Removes and returns the session's entry, if there is one.
  std::optional<CachedHistory> Take(std::string_view session_id);
  // Stores the entry (replacing any), then evicts beyond max_bytes, oldest first; an entry
  // larger than max_bytes on its own is not kept.
  void Put(std::string session_id, CachedHistory history);

 private:
  struct Entry {
    std::string session_id;
    CachedHistory history;
    size_t bytes = 0;
  };
  using Lru = std::list<Entry>;
  const size_t max_bytes_;
  std::mutex mu_;
  Lru lru_;  // most recently used first
  std::unordered_map<std::string_view, Lru::iterator> index_;
  size_t bytes_ = 0;
};

}  // namespace reagent
