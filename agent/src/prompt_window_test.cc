#include "prompt_window.h"

#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace reagent {
namespace {

// What the window must return: the kept messages copied, the note after conv[0].
std::vector<Message> FromScratch(const MessageList& conv, const std::vector<size_t>& kept,
                                 const std::string& note) {
  std::vector<Message> out;
  for (size_t i : kept) {
    out.push_back(conv[i]);
    if (i == 0 && !note.empty()) out.push_back(Message::System(note));
  }
  return out;
}

std::string NoteFor(size_t dropped) {
  return dropped ? "[" + std::to_string(dropped) + " omitted]" : "";
}

TEST(PromptWindow, DropsAndAppendsLikeAFreshCopy) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    MessageList conv = {Message::System("sys")};
    PromptWindow window;
    size_t dropped = 0;  // messages 1..dropped are left out
    std::vector<std::pair<MessageList, std::vector<Message>>> sent;  // each prompt, as it was sent
    for (int step = 0; step < 30; ++step) {
      const int appended = 1 + static_cast<int>(rng() % 3);
      for (int k = 0; k < appended; ++k) conv.push_back(Message::User("m" + std::to_string(conv.size())));
      if (rng() % 3 == 0) dropped = std::min(conv.size() - 1, dropped + 1 + rng() % 3);
      std::vector<size_t> kept = {0};
      for (size_t i = dropped + 1; i < conv.size(); ++i) {
        if (rng() % 7 != 0 || i + 3 >= conv.size()) kept.push_back(i);  // some gaps in the middle too
      }
      // A gap chosen now may not be kept later; what the window reuses must still be right.
      const std::string note = NoteFor(dropped);
      const MessageList prompt = window.Update(conv, kept, note);
      ASSERT_EQ(prompt.view(), FromScratch(conv, kept, note)) << "trial " << trial << " step " << step;
      sent.emplace_back(prompt, prompt.view());
    }
    // Prompts still held (a request in flight) were never changed by the window's reuse.
    for (const auto& [prompt, as_sent] : sent) ASSERT_EQ(prompt.view(), as_sent);
  }
}

TEST(PromptWindow, KeepingADroppedMessageAgainStartsOver) {
  MessageList conv = {Message::System("sys"), Message::User("a"), Message::User("b"), Message::User("c")};
  PromptWindow window;
  EXPECT_EQ(window.Update(conv, {0, 2, 3}, "[1 omitted]").view(), FromScratch(conv, {0, 2, 3}, "[1 omitted]"));
  // A larger limit (a closing call) keeps message 1 again: rebuilt, not reused.
  EXPECT_EQ(window.Update(conv, {0, 1, 2, 3}, "").view(), FromScratch(conv, {0, 1, 2, 3}, ""));
}

TEST(PromptWindow, ResetForgetsMessagesThatChangedInPlace) {
  MessageList conv = {Message::System("sys"), Message::User("a"), Message::User("b")};
  PromptWindow window;
  (void)window.Update(conv, {0, 2}, "[1 omitted]");
  conv[0] = Message::System("closing");
  window.Reset();
  EXPECT_EQ(window.Update(conv, {0, 2}, "[1 omitted]").view(), FromScratch(conv, {0, 2}, "[1 omitted]"));
}

TEST(PromptWindow, APromptStillInUseIsNotChanged) {
  MessageList conv = {Message::System("sys"), Message::User("a"), Message::User("b")};
  PromptWindow window;
  const MessageList first = window.Update(conv, {0, 1, 2}, "");
  const std::vector<Message> copy = first.view();
  conv.push_back(Message::User("c"));
  (void)window.Update(conv, {0, 2, 3}, "[1 omitted]");
  EXPECT_EQ(first.view(), copy);
}

}  // namespace
}  // namespace reagent
