#include "reagent/core/message_list.h"

#include <gtest/gtest.h>

#include <thread>

#include <nlohmann/json.hpp>

namespace reagent {
namespace {

TEST(MessageListTest, CopiesShareUntilOneSideChanges) {
  MessageList a = {Message::System("sys"), Message::User("hi")};
  const Message* first = &a[0];
  MessageList b = a;
  EXPECT_TRUE(b.SharesWith(a));
  EXPECT_EQ(&std::as_const(b)[0], first);  // no message was copied

  b.push_back(Message::Assistant("hello"));
  EXPECT_FALSE(b.SharesWith(a));
  EXPECT_EQ(a.size(), 2u);
  EXPECT_EQ(b.size(), 3u);
  EXPECT_EQ(&std::as_const(a)[0], first);  // the original kept its array
}

TEST(MessageListTest, TheLastOwnerChangesInPlace) {
  MessageList a = {Message::User("one")};
  const Message* first = &std::as_const(a)[0];
  {
    MessageList request = a;  // shared while the request lives
  }
  a[0].content = "changed";  // sole owner again: no copy
  EXPECT_EQ(&std::as_const(a)[0], first);
  EXPECT_EQ(a[0].content, "changed");
}

TEST(MessageListTest, ReadingANonConstListNeverCopies) {
  MessageList a = {Message::User("one"), Message::User("two")};
  MessageList b = a;
  size_t total = 0;
  for (const Message& m : b) total += m.content.size();
  EXPECT_EQ(total, 6u);
  EXPECT_EQ(b.front().content, "one");  // non-const front() detaches: it may write
  EXPECT_FALSE(b.SharesWith(a));
  MessageList c = a;
  EXPECT_EQ(c.view().back().content, "two");  // view() is the read-only way
  EXPECT_TRUE(c.SharesWith(a));
}

TEST(MessageListTest, BehavesLikeTheVectorItReplaces) {
  MessageList list;
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.begin(), list.end());
  list = {Message::User("a"), Message::User("c")};
  list.insert(list.begin() + 1, Message::User("b"));
  list.emplace_back(Message::Assistant("d"));
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list.view()[1].content, "b");
  list.erase(list.begin(), list.begin() + 1);
  list.pop_back();
  const std::vector<Message>& as_vector = list;
  EXPECT_EQ(as_vector, (std::vector<Message>{Message::User("b"), Message::User("c")}));
  EXPECT_EQ(list, (std::vector<Message>{Message::User("b"), Message::User("c")}));
  MessageList other = std::vector<Message>{Message::User("b"), Message::User("c")};
  EXPECT_EQ(list, other);
  list.clear();
  EXPECT_TRUE(list.empty());
}

TEST(MessageListTest, ClearingASharedListLeavesTheOtherIntact) {
  MessageList a = {Message::User("x")};
  MessageList b = a;
  b.clear();
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(a.size(), 1u);
}

TEST(MessageListTest, SerializesAsTheOpenAIMessagesArray) {
  MessageList list = {Message::System("s"), Message::User("u")};
  nlohmann::json j = list;
  ASSERT_TRUE(j.is_array());
  EXPECT_EQ(j[1]["role"], "user");
  MessageList back = j.get<MessageList>();
  EXPECT_EQ(back, list);
}

TEST(MessageListTest, CopiesAreIndependentAcrossThreads) {
  MessageList base;
  for (int i = 0; i < 100; ++i) base.push_back(Message::User(std::to_string(i)));
  std::vector<std::thread> threads;
  std::vector<size_t> sizes(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t, copy = base]() mutable {
      for (int i = 0; i < 50; ++i) copy.push_back(Message::User("t"));
      sizes[static_cast<size_t>(t)] = copy.size();
    });
  }
  for (auto& th : threads) th.join();
  for (size_t s : sizes) EXPECT_EQ(s, 150u);
  EXPECT_EQ(base.size(), 100u);
}

}  // namespace
}  // namespace reagent
