#include "answer_stream.h"

#include <gtest/gtest.h>

namespace reagent::server {
namespace {

TEST(AnswerStreamTest, ReactShowsOnlyWhatFollowsTheMarkerEvenWhenItIsSplit) {
  AnswerStream s(/*react=*/true);
  s.StartCall();
  std::string shown;
  for (const char* piece : {"Thought: easy.\nFinal An", "swer:", "  39", "1"}) shown += s.Delta(piece);
  EXPECT_EQ(shown, "391");
  EXPECT_EQ(s.Finish("391"), "");
}

TEST(AnswerStreamTest, AStepWithoutAnAnswerShowsNothing) {
  AnswerStream s(true);
  s.StartCall();
  EXPECT_EQ(s.Delta("Thought: compute.\nAction: calculator\nAction Input: 2*2"), "");
  s.StartCall();
  EXPECT_EQ(s.Delta("Final Answer: 4"), "4");
}

TEST(AnswerStreamTest, FinishSendsTheRestOrTheWholeAnswer) {
  AnswerStream s(true);
  s.StartCall();
  EXPECT_EQ(s.Finish("from the closing call"), "from the closing call");
  s.Delta("Final Answer: par");
  EXPECT_EQ(s.Finish("partial answer"), "tial answer");
  AnswerStream tools(false);
  tools.StartCall();
  EXPECT_EQ(tools.Delta("plain "), "plain ");
  EXPECT_EQ(tools.Delta("text"), "text");
  EXPECT_EQ(tools.Finish("plain text"), "");
}

}  // namespace
}  // namespace reagent::server
