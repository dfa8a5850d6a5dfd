#include "prompt_window.h"

#include <utility>

namespace reagent {

bool PromptWindow::Extends(const std::vector<size_t>& kept) const {
  if (kept_.empty()) return false;
  size_t j = 0;
  for (size_t i : kept) {
    if (i > kept_.back()) return true;  // the rest is new
    while (j < kept_.size() && kept_[j] < i) ++j;
    if (j == kept_.size() || kept_[j] != i) return false;  // kept again after being dropped
  }
  return true;
}

MessageList PromptWindow::Update(const MessageList& conv, const std::vector<size_t>& kept,
                                 const std::string& note) {
  std::vector<Message> held;
  size_t held_at = 0;  // next unused message of `held`
  size_t j = 0;        // its index in kept_
  const bool reuse = Extends(kept);
  if (reuse) held = std::move(list_.Mutable());  // a copy only if a request still shares it
  const bool held_note = !note_.empty() && !kept_.empty() && kept_.front() == 0;

  std::vector<Message> out;
  out.reserve(kept.size() + 1);
  for (size_t i : kept) {
    bool moved = false;
    if (reuse && i <= kept_.back()) {
      // Skip what was dropped (and the old note, which follows conv[0]).
      while (kept_[j] < i) {
        held_at += (held_note && j == 0) ? 2 : 1;
        ++j;
      }
      out.push_back(std::move(held[held_at]));
      held_at += (held_note && j == 0) ? 2 : 1;
      ++j;
      moved = true;
    }
    if (!moved) out.push_back(conv[i]);
    if (i == 0 && !note.empty()) out.push_back(Message::System(note));
  }
  kept_ = kept;
  note_ = note;
  list_ = MessageList(std::move(out));
  return list_;
}

void PromptWindow::Reset() {
  kept_.clear();
  note_.clear();
  list_ = MessageList();
}

}  // namespace reagent
