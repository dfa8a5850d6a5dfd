#include "reagent/core/message_list.h"

#include <nlohmann/json.hpp>

namespace reagent {
namespace {

const std::vector<Message>& Empty() {
  static const std::vector<Message> empty;
  return empty;
}

}  // namespace

MessageList::MessageList(std::vector<Message> messages) {
  if (messages.empty()) return;
  shared_ = new Shared;
  shared_->messages = std::move(messages);
}

MessageList::MessageList(std::initializer_list<Message> messages) : MessageList(std::vector<Message>(messages)) {}

MessageList::MessageList(const MessageList& other) noexcept : shared_(other.shared_) {
  if (shared_) shared_->refs.fetch_add(1, std::memory_order_relaxed);
}

MessageList& MessageList::operator=(const MessageList& other) noexcept {
  if (other.shared_) other.shared_->refs.fetch_add(1, std::memory_order_relaxed);
  Release();
  shared_ = other.shared_;
  return *this;
}

MessageList& MessageList::operator=(MessageList&& other) noexcept {
  if (this != &other) {
    Release();
    shared_ = std::exchange(other.shared_, nullptr);
  }
  return *this;
}

MessageList& MessageList::operator=(std::initializer_list<Message> messages) {
  return *this = MessageList(messages);
}

void MessageList::Release() noexcept {
  // acq_rel: the last owner must see every other owner's reads finished before it frees.
  if (shared_ && shared_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete shared_;
  shared_ = nullptr;
}

const std::vector<Message>& MessageList::view() const { return shared_ ? shared_->messages : Empty(); }

std::vector<Message>& MessageList::Mutable() {
  if (!shared_) {
    shared_ = new Shared;
  } else if (shared_->refs.load(std::memory_order_acquire) != 1) {
    // Another list shares the array: copy it. (acquire: when this list is the last owner,
    // the others' reads happened before their release, so writing in place is safe.)
    auto* own = new Shared;
    own->messages = shared_->messages;
    Release();
    shared_ = own;
  }
  return shared_->messages;
}

void MessageList::clear() {
  if (shared_ && shared_->refs.load(std::memory_order_acquire) == 1) {
    shared_->messages.clear();
  } else {
    Release();
  }
}

void MessageList::insert(const_iterator pos, Message m) {
  const size_t at = IndexOf(pos);
  std::vector<Message>& v = Mutable();
  v.insert(v.begin() + static_cast<std::ptrdiff_t>(at), std::move(m));
}

void MessageList::erase(const_iterator first, const_iterator last) {
  const size_t from = IndexOf(first), to = IndexOf(last);
  std::vector<Message>& v = Mutable();
  v.erase(v.begin() + static_cast<std::ptrdiff_t>(from), v.begin() + static_cast<std::ptrdiff_t>(to));
}

void to_json(nlohmann::json& j, const MessageList& messages) { j = messages.view(); }

void from_json(const nlohmann::json& j, MessageList& messages) {
  messages = MessageList(j.get<std::vector<Message>>());
}

}  // namespace reagent
