#include "reagent/llm/sse_parser.h"

#include <gtest/gtest.h>

#include <vector>

namespace reagent {
namespace {

std::vector<SseEvent> ParseAll(const std::vector<std::string_view>& pieces, bool* partial = nullptr) {
  std::vector<SseEvent> events;
  SseParser parser([&](const SseEvent& e) {
    events.push_back(e);
    return true;
  });
  for (std::string_view p : pieces) EXPECT_TRUE(parser.Feed(p));
  if (partial) *partial = parser.HasPartialEvent();
  return events;
}

TEST(SseParser, DispatchesOneEventPerBlankLine) {
  auto events = ParseAll({"data: {\"a\":1}\n\ndata: {\"b\":2}\n\n"});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].data, "{\"a\":1}");
  EXPECT_EQ(events[1].data, "{\"b\":2}");
}

TEST(SseParser, JoinsMultiLineDataWithNewlines) {
  auto events = ParseAll({"data: first\ndata: second\ndata:third\n\n"});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "first\nsecond\nthird");
}

TEST(SseParser, IgnoresCommentsAndCountsThem) {
  std::vector<SseEvent> events;
  SseParser parser([&](const SseEvent& e) { events.push_back(e); return true; });
  ASSERT_TRUE(parser.Feed(": OPENROUTER PROCESSING\n\n: ping\ndata: x\n\n"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "x");
  EXPECT_EQ(parser.comments(), 2u);
}

TEST(SseParser, AcceptsCrLfAndBareCrLineEndings) {
  auto crlf = ParseAll({"data: a\r\n\r\ndata: b\r\r"});
  ASSERT_EQ(crlf.size(), 2u);
  EXPECT_EQ(crlf[0].data, "a");
  EXPECT_EQ(crlf[1].data, "b");
}

TEST(SseParser, CrLfSplitAcrossFeedsIsOneLineEnd) {
  auto events = ParseAll({"data: a\r", "\n", "\r", "\ndata: b\n\n"});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].data, "b");
}

TEST(SseParser, KeepsEventTypeAndId) {
  auto events = ParseAll({"event: error\nid: 7\ndata: {\"error\":{}}\n\n"});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, "error");
  EXPECT_EQ(events[0].id, "7");
}

TEST(SseParser, EventWithoutDataIsNotDispatched) {
  EXPECT_TRUE(ParseAll({"event: ping\n\nretry: 100\n\n"}).empty());
}

TEST(SseParser, OnlyOneLeadingSpaceIsDropped) {
  auto events = ParseAll({"data:  two spaces\n\n"});
  EXPECT_EQ(events[0].data, " two spaces");
}

TEST(SseParser, SkipsALeadingBom) {
  auto events = ParseAll({"\xEF\xBB\xBF", "data: x\n\n"});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "x");
}

TEST(SseParser, UnterminatedEventIsReportedAsPartial) {
  bool partial = false;
  auto events = ParseAll({"data: a\n\ndata: {\"trunc"}, &partial);
  EXPECT_EQ(events.size(), 1u);
  EXPECT_TRUE(partial);
  bool clean = true;
  ParseAll({"data: a\n\n"}, &clean);
  EXPECT_FALSE(clean);
}

TEST(SseParser, FlushAtEndDispatchesALastEventWithoutBlankLine) {
  std::vector<SseEvent> events;
  SseParser parser([&](const SseEvent& e) { events.push_back(e); return true; });
  ASSERT_TRUE(parser.Feed("data: a\n\ndata: [DONE]"));
  ASSERT_TRUE(parser.FlushAtEnd());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].data, "[DONE]");
}

TEST(SseParser, CallbackCanStopParsing) {
  int seen = 0;
  SseParser parser([&](const SseEvent&) { return ++seen < 1; });
  EXPECT_FALSE(parser.Feed("data: a\n\ndata: b\n\n"));
  EXPECT_EQ(seen, 1);
  EXPECT_FALSE(parser.Feed("data: c\n\n"));
  EXPECT_EQ(seen, 1);
}

TEST(SseParser, RefusesEndlessLines) {
  SseParser parser([](const SseEvent&) { return true; }, 64);
  EXPECT_FALSE(parser.Feed(std::string(100, 'x')));
  EXPECT_TRUE(parser.line_too_long());
}

TEST(SseParser, SameEventsWhateverTheSplitPoints) {
  const std::string stream =
      ": keep-alive\r\n\r\ndata: {\"x\":\"h\xC3\xA9llo\"}\r\n\r\nevent: message\ndata: one\ndata: two\n\n"
      "data: [DONE]\n\n";
  auto whole = ParseAll({stream});
  ASSERT_EQ(whole.size(), 3u);
  for (size_t a = 0; a <= stream.size(); ++a) {
    for (size_t b = a; b <= stream.size(); b += 7) {
      std::string_view s(stream);
      auto split = ParseAll({s.substr(0, a), s.substr(a, b - a), s.substr(b)});
      ASSERT_EQ(split.size(), whole.size()) << "split at " << a << "," << b;
      for (size_t i = 0; i < whole.size(); ++i) {
        EXPECT_EQ(split[i].data, whole[i].data);
        EXPECT_EQ(split[i].event, whole[i].event);
      }
    }
  }
}

TEST(SseParser, KeepsTheLastEventIdAcrossEventsIncludingDataLessOnes) {
  std::vector<SseEvent> events;
  SseParser p([&](const SseEvent& e) { events.push_back(e); return true; });
  ASSERT_TRUE(p.Feed("id: prime-1\n\n"));  // a priming event: no data, not dispatched
  EXPECT_TRUE(events.empty());
  EXPECT_EQ(p.last_event_id(), "prime-1");
  ASSERT_TRUE(p.Feed("id: 7\ndata: x\n\ndata: y\n\n"));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].id, "7");
  EXPECT_EQ(p.last_event_id(), "7");  // an event without an id keeps the last one
  ASSERT_TRUE(p.Feed(std::string("id: a\0b\n\n", 9)));
  EXPECT_EQ(p.last_event_id(), "7");  // an id with NUL is ignored
}

TEST(SseParser, ReadsTheRetryFieldAndIgnoresNonDigits) {
  SseParser p([](const SseEvent&) { return true; });
  EXPECT_FALSE(p.retry_ms().has_value());
  ASSERT_TRUE(p.Feed("retry: 500\ndata: \n\n"));
  EXPECT_EQ(p.retry_ms(), 500);
  ASSERT_TRUE(p.Feed("retry: 5s\n\nretry: -1\n\nretry: 99999999999999999999\n\n"));
  EXPECT_EQ(p.retry_ms(), 500);
}

}  // namespace
}  // namespace reagent
