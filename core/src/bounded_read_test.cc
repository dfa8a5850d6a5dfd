#include "reagent/core/bounded_read.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace reagent {
namespace {

std::string TempPath(const std::string& name) { return ::testing::TempDir() + "/" + name; }

TEST(ReadFileBoundedTest, ReadsARegularFile) {
  const std::string path = TempPath("bounded_ok.txt");
  std::ofstream(path) << "hello";
  auto r = ReadFileBounded(path, 100);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, "hello");
  std::remove(path.c_str());
}

TEST(ReadFileBoundedTest, AnOversizedFileNamesTheLimit) {
  const std::string path = TempPath("bounded_big.txt");
  std::ofstream(path) << std::string(5000, 'x');
  auto r = ReadFileBounded(path, 1000, "--max-bytes");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("5000 bytes"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find("1000 bytes"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find("--max-bytes"), std::string::npos) << r.status();

  auto truncated = ReadFileBounded(path, 1000, "", OverLimit::kTruncate);
  ASSERT_TRUE(truncated.ok());
  EXPECT_EQ(truncated->size(), 1001u);  // one past the limit: visibly too long
  std::remove(path.c_str());
}

TEST(ReadFileBoundedTest, DevicesDirectoriesAndFifosAreRefusedWithoutReading) {
  auto zero = ReadFileBounded("/dev/zero", 1000);
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.status().message().find("/dev/zero is a character device"), std::string::npos)
      << zero.status();
  auto dir = ReadFileBounded("/tmp", 1000);
  EXPECT_NE(dir.status().message().find("is a directory"), std::string::npos) << dir.status();

  const std::string fifo = TempPath("bounded_fifo");
  std::remove(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto f = ReadFileBounded(fifo, 1000);  // must not block waiting for a writer
  EXPECT_NE(f.status().message().find("is a FIFO"), std::string::npos) << f.status();
  std::remove(fifo.c_str());

  EXPECT_EQ(ReadFileBounded("/nonexistent/x", 10).status().code(), StatusCode::kNotFound);
}

TEST(ReadStreamBoundedTest, StopsAtTheLimit) {
  std::FILE* f = std::tmpfile();
  std::fputs(std::string(300, 'a').c_str(), f);
  std::rewind(f);
  auto r = ReadStreamBounded(f, 100, "standard input", "--max-input");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("standard input is more than"), std::string::npos) << r.status();
  std::rewind(f);
  auto ok = ReadStreamBounded(f, 300, "standard input");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->size(), 300u);
  std::fclose(f);
}

TEST(DescribeBytesTest, NamesRoundUnits) {
  EXPECT_EQ(DescribeBytes(1000), "1000 bytes");
  EXPECT_EQ(DescribeBytes(1 << 20), "1048576 bytes (1 MiB)");
  EXPECT_EQ(DescribeBytes(2048), "2048 bytes (2 KiB)");
}

}  // namespace
}  // namespace reagent
