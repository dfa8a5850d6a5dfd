#include "history_cache.h"

namespace reagent {
namespace {

// What a message costs beyond its text: the Message itself, its token count, allocator slack.
constexpr size_t kPerMessageOverhead = sizeof(Message) + sizeof(int64_t) + 32;

}  // namespace

size_t CachedHistory::Bytes() const {
  size_t bytes = 0;
  for (const Message& m : messages) {
    bytes += kPerMessageOverhead + m.content.size() + m.name.size() + m.tool_call_id.size();
    for (const ToolCall& c : m.tool_calls) bytes += c.id.size() + c.name.size() + c.arguments.size();
  }
  for (const PrescannedText& p : prescanned) {
    bytes += kPerMessageOverhead + p.text.size() + (p.history ? p.history->cleaned.size() : 0);
  }
  return bytes;
}

std::optional<CachedHistory> HistoryCache::Take(std::string_view session_id) {
  std::lock_guard lock(mu_);
  auto it = index_.find(session_id);
  if (it == index_.end()) return std::nullopt;
  Lru::iterator entry = it->second;
  index_.erase(it);
  CachedHistory out = std::move(entry->history);
  bytes_ -= entry->bytes;
  lru_.erase(entry);
  return out;
}

void HistoryCache::Put(std::string session_id, CachedHistory history) {
  const size_t size = history.Bytes();
  std::lock_guard lock(mu_);
  if (auto it = index_.find(session_id); it != index_.end()) {
    Lru::iterator entry = it->second;
    bytes_ -= entry->bytes;
    index_.erase(it);
    lru_.erase(entry);
  }
  if (size > max_bytes_) return;
  lru_.push_front({std::move(session_id), std::move(history), size});
  index_.emplace(lru_.front().session_id, lru_.begin());
  bytes_ += size;
  while (bytes_ > max_bytes_) {
    const Entry& old = lru_.back();
    bytes_ -= old.bytes;
    index_.erase(old.session_id);
    lru_.pop_back();
  }
}

}  // namespace reagent
