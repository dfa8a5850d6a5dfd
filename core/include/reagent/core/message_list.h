// MessageList: a conversation's messages as a value that is cheap to copy. Copies share one
// immutable array; the first change to a shared list gives that list its own array
// (copy-on-write). A request that travels through several layers (retry, fallback, cache,
// pacing) and keeps its history therefore costs one reference count per copy, not one copy
// of every message, and the agent can hand its whole conversation to a request without
// duplicating it.
//
//   MessageList history = {Message::System("You are ..."), Message::User("hi")};
//   ChatRequest request;
//   request.messages = history;                  // shares; no message is copied
//   history.push_back(Message::Assistant("..."));  // history detaches; request is unchanged
//   for (const Message& m : request.messages) ...  // reads like a std::vector<Message>
//
// It offers the parts of std::vector's interface that requests use, and converts to
// `const std::vector<Message>&` for functions that take one. Thread safety: like any value
// type, one MessageList may be read from many threads but changed from one; copies are
// independent values and may be used from different threads freely (the shared array is
// never changed while another list refers to it).
#pragma once

#include <atomic>
#include <cstddef>
#include <initializer_list>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "reagent/core/message.h"

namespace reagent {

class MessageList {
 public:
  using value_type = Message;
  using size_type = size_t;
  using const_iterator = std::vector<Message>::const_iterator;
  using iterator = std::vector<Message>::const_iterator;  // iteration never writes
  using const_reference = const Message&;
  using reference = Message&;

  MessageList() = default;
  MessageList(std::vector<Message> messages);  // NOLINT: implicit, like the vector it replaces
  MessageList(std::initializer_list<Message> messages);
  MessageList(const MessageList& other) noexcept;
  MessageList(MessageList&& other) noexcept : shared_(std::exchange(other.shared_, nullptr)) {}
  MessageList& operator=(const MessageList& other) noexcept;
  MessageList& operator=(MessageList&& other) noexcept;
  MessageList& operator=(std::initializer_list<Message> messages);
  ~MessageList() { Release(); }

  // Reading: never copies.
  size_t size() const { return shared_ ? shared_->messages.size() : 0; }
  bool empty() const { return size() == 0; }
  const Message& operator[](size_t i) const { return view()[i]; }
  const Message& at(size_t i) const { return view().at(i); }
  const Message& front() const { return view().front(); }
  const Message& back() const { return view().back(); }
  const_iterator begin() const { return view().begin(); }
  const_iterator end() const { return view().end(); }
  const_iterator cbegin() const { return begin(); }
  const_iterator cend() const { return end(); }
  // The messages as a vector (shared; valid while this list is neither changed nor destroyed).
  const std::vector<Message>& view() const;
  operator const std::vector<Message>&() const { return view(); }  // NOLINT: implicit on purpose

  // Whether this list and `other` share one array (copies that neither side changed since).
  bool SharesWith(const MessageList& other) const { return shared_ != nullptr && shared_ == other.shared_; }

  // Changing: copies the array first when another list shares it. Iteration is read-only
  // (begin/end are const), so a loop over a list never copies it; element access through a
  // non-const list does detach, as it may write (read through view() or a const list).
  Message& operator[](size_t i) { return Mutable()[i]; }
  Message& front() { return Mutable().front(); }
  Message& back() { return Mutable().back(); }
  void push_back(const Message& m) { Mutable().push_back(m); }
  void push_back(Message&& m) { Mutable().push_back(std::move(m)); }
  template <typename... Args>
  Message& emplace_back(Args&&... args) {
    return Mutable().emplace_back(std::forward<Args>(args)...);
  }
  void pop_back() { Mutable().pop_back(); }
  void reserve(size_t n) { Mutable().reserve(n); }
  void resize(size_t n) { Mutable().resize(n); }
  void clear();
  void insert(const_iterator pos, Message m);
  void erase(const_iterator first, const_iterator last);
  // The messages as a vector this list owns alone (copied first if shared).
  std::vector<Message>& Mutable();

  friend bool operator==(const MessageList& a, const MessageList& b) {
    return a.shared_ == b.shared_ || a.view() == b.view();
  }
  friend bool operator==(const MessageList& a, const std::vector<Message>& b) { return a.view() == b; }

 private:
  struct Shared {
    std::atomic<long> refs{1};
    std::vector<Message> messages;
  };
  void Release() noexcept;
  // Index of `pos` in view(), for operations that must detach before using an iterator.
  size_t IndexOf(const_iterator pos) const { return static_cast<size_t>(pos - view().begin()); }

  Shared* shared_ = nullptr;  // null: empty
};

void to_json(nlohmann::json& j, const MessageList& messages);
void from_json(const nlohmann::json& j, MessageList& messages);

}  // namespace reagent
