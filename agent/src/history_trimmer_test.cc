#include "reagent/agent/history_trimmer.h"

#include <gtest/gtest.h>

namespace reagent {
namespace {

// Every message counts 10 tokens, the note 5.
std::vector<int64_t> Tens(size_t n) { return std::vector<int64_t>(n, 10); }
int64_t NoteCount(const std::string&) { return 5; }

std::vector<Message> TwoEarlierTurnsAndAToolStep() {
  return {
      Message::System("sys"),                                              // 0
      Message::User("q1"), Message::Assistant("a1"),                       // 1-2  turn 1
      Message::User("q2"),                                                 // 3    turn 2
      Message::Assistant("", {{"c1", "search", "{}"}}),                    // 4
      Message::Tool("c1", "search", "r1"), Message::Assistant("a2"),       // 5-6
      Message::User("q3"),                                                 // 7    current
      Message::Assistant("", {{"c2", "search", "{}"}, {"c3", "calc", "{}"}}),  // 8
      Message::Tool("c2", "search", "r2"), Message::Tool("c3", "calc", "r3"),  // 9-10
  };
}

TEST(HistoryTrimmer, KeepsEverythingWhenItFits) {
  auto m = TwoEarlierTurnsAndAToolStep();
  auto r = TrimHistory(m, Tens(m.size()), 7, 3, 1000, 1000, NoteCount);
  EXPECT_TRUE(r.fits);
  EXPECT_EQ(r.kept.size(), m.size());
  EXPECT_EQ(r.tokens, 3 + 110);
  EXPECT_TRUE(r.note.empty());
}

TEST(HistoryTrimmer, DropsOldestTurnsFirstAndAddsANote) {
  auto m = TwoEarlierTurnsAndAToolStep();
  // 113 total; the limit forces dropping turn 1 (20 tokens) but not turn 2.
  auto r = TrimHistory(m, Tens(m.size()), 7, 3, 100, 100, NoteCount);
  EXPECT_TRUE(r.fits);
  EXPECT_EQ(r.dropped_turns, 1u);
  EXPECT_EQ(r.kept, (std::vector<size_t>{0, 3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(r.tokens, 3 + 90 + 5);
  EXPECT_NE(r.note.find("1 earlier turn omitted"), std::string::npos);
}

TEST(HistoryTrimmer, NeverSeparatesAToolCallFromItsResults) {
  auto m = TwoEarlierTurnsAndAToolStep();
  for (int64_t limit = 0; limit <= 120; ++limit) {
    auto r = TrimHistory(m, Tens(m.size()), 7, 3, limit, limit, NoteCount);
    for (size_t k = 0; k < r.kept.size(); ++k) {
      const Message& msg = m[r.kept[k]];
      if (msg.role == Role::kTool) {
        // Its assistant message is kept, before it.
        bool found = false;
        for (size_t j = 0; j < k; ++j) {
          for (const auto& c : m[r.kept[j]].tool_calls) found |= c.id == msg.tool_call_id;
        }
        EXPECT_TRUE(found) << "limit " << limit << " orphaned " << msg.tool_call_id;
      }
      for (const auto& c : msg.tool_calls) {
        bool answered = false;
        for (size_t j = k + 1; j < r.kept.size(); ++j) answered |= m[r.kept[j]].tool_call_id == c.id;
        EXPECT_TRUE(answered) << "limit " << limit << " unanswered " << c.id;
      }
    }
    // System and the latest user message are always there.
    ASSERT_GE(r.kept.size(), 2u);
    EXPECT_EQ(r.kept[0], 0u);
    EXPECT_NE(std::find(r.kept.begin(), r.kept.end(), 7u), r.kept.end());
  }
}

TEST(HistoryTrimmer, DropsOldStepsOfTheCurrentTurnKeepingTheLatest) {
  std::vector<Message> m = {
      Message::System("sys"), Message::User("q"),
      Message::Assistant("Thought: a\nAction: calc\nAction Input: 1"), Message::User("Observation: 1"),
      Message::Assistant("Thought: b\nAction: calc\nAction Input: 2"), Message::User("Observation: 2"),
      Message::Assistant("Thought: c\nAction: calc\nAction Input: 3"), Message::User("Observation: 3"),
  };
  auto r = TrimHistory(m, Tens(m.size()), 1, 0, 65, 65, NoteCount);  // 80 - 20 + note 5
  EXPECT_TRUE(r.fits);
  EXPECT_EQ(r.dropped_steps, 1u);
  EXPECT_EQ(r.kept, (std::vector<size_t>{0, 1, 4, 5, 6, 7}));
  auto tiny = TrimHistory(m, Tens(m.size()), 1, 0, 10, 10, NoteCount);
  EXPECT_FALSE(tiny.fits);
  EXPECT_EQ(tiny.kept, (std::vector<size_t>{0, 1, 6, 7}));
}

TEST(HistoryTrimmer, StepLimitProtectsTheCurrentTurn) {
  auto m = TwoEarlierTurnsAndAToolStep();
  // The budget allows 40 tokens, the context window 1000: earlier turns go, this turn stays.
  auto r = TrimHistory(m, Tens(m.size()), 7, 3, 40, 1000, NoteCount);
  EXPECT_FALSE(r.fits);
  EXPECT_EQ(r.dropped_turns, 2u);
  EXPECT_EQ(r.dropped_steps, 0u);
  EXPECT_EQ(r.kept, (std::vector<size_t>{0, 7, 8, 9, 10}));
}

TEST(HistoryTrimmer, ObservationsDoNotStartTurns) {
  EXPECT_TRUE(IsObservationMessage(Message::User("Observation: x")));
  EXPECT_FALSE(IsObservationMessage(Message::User("What is an Observation: x?")));
  EXPECT_FALSE(IsObservationMessage(Message::Assistant("Observation: x")));
}

}  // namespace
}  // namespace reagent
