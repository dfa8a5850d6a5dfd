// The trimmed prompt of a turn, kept from one step to the next. Once a conversation no longer
// fits, every step's prompt is the one before with the step's new messages appended and, now
// and then, the oldest turns or steps dropped. Building each from scratch copies a window's
// worth of messages (every string) per step; the window instead moves the kept messages it
// already holds and copies only the new ones, and the request shares the result.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "reagent/core/message_list.h"

namespace reagent {

class PromptWindow {
 public:
  // The prompt that keeps conv[i] for each i of `kept` (ascending), with a system message
  // holding `note` right after conv[0] when the note is not empty. Valid only while the
  // messages it kept before are unchanged in conv: call Reset when conv changes other than by
  // appending.
  MessageList Update(const MessageList& conv, const std::vector<size_t>& kept, const std::string& note);
  void Reset();

 private:
  // Whether `kept` is kept_ with some indexes dropped and newer ones (beyond kept_'s last)
  // appended: then the messages held can be reused.
  bool Extends(const std::vector<size_t>& kept) const;

  std::vector<size_t> kept_;  // conv indexes of list_'s messages, the note not counted
  std::string note_;
  MessageList list_;
};

}  // namespace reagent
