#include "reagent/core/line_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace reagent {
namespace {

// Writes `input` into a pipe from another thread and collects the lines read back.
// Too-long lines come back as "TOO LONG:" + their head.
std::vector<std::string> LinesOf(const std::string& input, size_t max_line_bytes = size_t{64} << 20,
                                 bool strip_cr = false) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  std::thread writer([&] {
    for (size_t at = 0; at < input.size();) {  // in uneven pieces, as a pipe delivers them
      const size_t n = std::min<size_t>(input.size() - at, 1 + (at * 7919) % 70000);
      EXPECT_EQ(write(fds[1], input.data() + at, n), static_cast<ssize_t>(n));
      at += n;
    }
    close(fds[1]);
  });
  std::vector<std::string> lines;
  LineReader reader(fds[0], max_line_bytes, {.strip_cr = strip_cr});
  while (auto line = reader.Next()) {
    lines.emplace_back((line->too_long ? "TOO LONG:" : "") + std::string(line->text));
    EXPECT_EQ(line->number, lines.size());
  }
  writer.join();
  close(fds[0]);
  EXPECT_TRUE(reader.error().empty()) << reader.error();
  return lines;
}

TEST(LineReaderTest, SplitsLinesLikeGetline) {
  EXPECT_EQ(LinesOf("a\nbb\n\nccc\n"), (std::vector<std::string>{"a", "bb", "", "ccc"}));
  EXPECT_EQ(LinesOf("no final newline"), (std::vector<std::string>{"no final newline"}));
  EXPECT_EQ(LinesOf(""), (std::vector<std::string>{}));
  EXPECT_EQ(LinesOf("\n"), (std::vector<std::string>{""}));
  EXPECT_EQ(LinesOf("x\r\n"), (std::vector<std::string>{"x\r"}));
}

TEST(LineReaderTest, StripsOneCarriageReturnWhenAsked) {
  EXPECT_EQ(LinesOf("first\r\nsecond\r\r\nlast\r", 1000, true),
            (std::vector<std::string>{"first", "second\r", "last"}));
  // The limit counts the '\r': eight bytes and a CR do not fit in eight.
  EXPECT_EQ(LinesOf("12345678\r\n1234567\r\n", 8, true), (std::vector<std::string>{"TOO LONG:12345678", "1234567"}));
}

TEST(LineReaderTest, LinesLongerThanAReadBlockArriveWhole) {
  const std::string big(3 << 20, 'x');
  std::string input;
  for (int i = 0; i < 3; ++i) input += std::to_string(i) + big + "\n";
  input += "tail";
  std::vector<std::string> lines = LinesOf(input);
  ASSERT_EQ(lines.size(), 4u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(lines[static_cast<size_t>(i)], std::to_string(i) + big);
  EXPECT_EQ(lines[3], "tail");
}

TEST(LineReaderTest, ALineOverTheLimitIsCutReportedOnceAndTheRestSkipped) {
  const std::string big(5 << 20, 'x');
  EXPECT_EQ(LinesOf("ok\n" + big + "\nnext\n" + big, 8),
            (std::vector<std::string>{"ok", "TOO LONG:xxxxxxxx", "next", "TOO LONG:xxxxxxxx"}));
  EXPECT_EQ(LinesOf("123456789\n12345678\n", 8), (std::vector<std::string>{"TOO LONG:12345678", "12345678"}));
}

TEST(LineReaderTest, ReadsAFileFromItsCurrentPosition) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  const std::string long_line(200000, 'z');
  std::fputs(("first\r\n" + long_line + "\nlast").c_str(), f);
  std::fflush(f);
  std::rewind(f);
  LineReader reader(fileno(f), 1000);
  auto a = reader.Next();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->text, "first");
  EXPECT_EQ(a->number, 1u);
  auto b = reader.Next();
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->too_long);
  EXPECT_EQ(b->text.size(), 1000u);
  auto c = reader.Next();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->text, "last");
  EXPECT_EQ(c->number, 3u);
  EXPECT_FALSE(reader.Next());
  EXPECT_TRUE(reader.error().empty());
  std::fclose(f);
}

TEST(LineReaderTest, AnEndlessLineIsReportedBeforeItEnds) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  LineReader reader(fds[0], 1000);
  const std::string chunk(4000, 'z');  // more than the limit, and no newline yet
  ASSERT_EQ(write(fds[1], chunk.data(), chunk.size()), static_cast<ssize_t>(chunk.size()));
  auto line = reader.Next();
  ASSERT_TRUE(line.has_value());
  EXPECT_TRUE(line->too_long);
  EXPECT_EQ(line->text.size(), 1000u);
  close(fds[1]);
  EXPECT_FALSE(reader.Next().has_value());
  close(fds[0]);
}

TEST(LineReaderTest, RunsTheWaitHookBeforeEveryReadThatMayBlock) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  int waits = 0;
  LineReader reader(fds[0], 1 << 20, {.before_wait = [&] { ++waits; }});
  ASSERT_EQ(write(fds[1], "one\n", 4), 4);
  EXPECT_EQ(reader.Next()->text, "one");
  EXPECT_EQ(waits, 1);
  ASSERT_EQ(write(fds[1], "two\nthree\n", 10), 10);
  EXPECT_EQ(reader.Next()->text, "two");
  EXPECT_EQ(reader.Next()->text, "three");  // already read: no wait
  EXPECT_EQ(waits, 2);
  close(fds[1]);
  EXPECT_FALSE(reader.Next().has_value());
  close(fds[0]);
}

TEST(LineReaderTest, AReadErrorIsNamed) {
  LineReader reader(-1, 100);
  EXPECT_FALSE(reader.Next().has_value());
  EXPECT_NE(reader.error().find("reading the input failed: "), std::string::npos) << reader.error();
}

}  // namespace
}  // namespace reagent
