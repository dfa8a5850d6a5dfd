#include "support/batch_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <unistd.h>

namespace reagent::cli {
namespace {

namespace fs = std::filesystem;

class BatchRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("batch_" + std::to_string(::getpid()) + "_" +
                                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    in_ = (dir_ / "in.jsonl").string();
    out_ = (dir_ / "out.jsonl").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  void WriteInput(const std::string& text) { std::ofstream(in_) << text; }

  std::vector<Json> ReadOutput() {
    std::ifstream in(out_);
    std::vector<Json> lines;
    std::string line;
    while (std::getline(in, line)) lines.push_back(Json::parse(line));
    return lines;
  }

  BatchOptions Options() {
    BatchOptions o;
    o.in_path = in_;
    o.out_path = out_;
    o.concurrency = 2;
    o.progress_interval_s = 3600;
    return o;
  }

  fs::path dir_;
  std::string in_, out_;
};

BatchItemResult Echo(const BatchItem& item, const CancellationToken&) {
  BatchItemResult r;
  r.output["answer"] = "echo: " + item.input.value("text", "");
  r.tokens = 10;
  r.cost_usd = 0.5;
  return r;
}

TEST_F(BatchRunnerTest, ProcessesEveryLineAndWritesResultsInInputOrder) {
  WriteInput("{\"id\":\"a\",\"text\":\"one\"}\n\n{\"id\":\"b\",\"text\":\"two\"}\n{\"id\":\"c\",\"text\":\"three\"}\n");
  auto p = RunBatch(Options(), Echo);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->total, 4);  // the blank line is a line too: it gets an error line
  EXPECT_EQ(p->succeeded, 3);
  EXPECT_EQ(p->failed, 1);
  EXPECT_EQ(p->tokens, 30);
  EXPECT_DOUBLE_EQ(p->cost_usd, 1.5);
  EXPECT_TRUE(p->final);
  auto out = ReadOutput();
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0]["id"], "a");
  EXPECT_EQ(out[1]["index"], 1);
  EXPECT_EQ(out[1]["ok"], false);
  EXPECT_EQ(out[1]["error"], "line 2 is blank");
  EXPECT_EQ(out[2]["answer"], "echo: two");
  EXPECT_EQ(out[3]["index"], 3);
}

TEST_F(BatchRunnerTest, DuplicateIdsAreRefusedNamingBothLines) {
  WriteInput("{\"id\":\"a\",\"text\":\"one\"}\n{\"id\":2,\"text\":\"two\"}\n{\"id\":\"a\",\"text\":\"three\"}\n");
  std::atomic<int> calls{0};
  auto p = RunBatch(Options(), [&](const BatchItem& item, const CancellationToken& c) {
    ++calls;
    return Echo(item, c);
  });
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(p.status().message().find("duplicate id \"a\" on lines 1 and 3"), std::string::npos) << p.status();
  EXPECT_EQ(calls, 0);
  EXPECT_FALSE(fs::exists(out_));
}

TEST_F(BatchRunnerTest, AMalformedLineIsRecordedAsAFailureAndTheBatchGoesOn) {
  WriteInput("{\"text\":\"one\"}\n{not json\n{\"text\":\"three\"}\n");
  auto p = RunBatch(Options(), Echo);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->succeeded, 2);
  EXPECT_EQ(p->failed, 1);
  auto out = ReadOutput();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[1]["ok"], false);
  EXPECT_NE(out[1]["error"].get<std::string>().find("line 2"), std::string::npos) << out[1];
}

TEST_F(BatchRunnerTest, StoppedBatchResumesWithoutRepeatingOrLosingItems) {
  std::string text;
  for (int i = 0; i < 20; ++i) text += "{\"id\":" + std::to_string(i) + ",\"text\":\"t\"}\n";
  WriteInput(text);
  std::mutex mu;
  std::multiset<int64_t> processed;
  CancellationSource stop;
  auto counting = [&](const BatchItem& item, const CancellationToken& c) {
    {
      std::lock_guard lock(mu);
      processed.insert(item.index);
      if (processed.size() == 7) stop.Cancel();
    }
    return Echo(item, c);
  };
  BatchOptions first = Options();
  first.stop = stop.token();
  auto p1 = RunBatch(first, counting);
  ASSERT_TRUE(p1.ok()) << p1.status();
  EXPECT_LT(p1->done, 20);
  EXPECT_GE(p1->done, 7);
  auto p2 = RunBatch(Options(), counting);
  ASSERT_TRUE(p2.ok()) << p2.status();
  EXPECT_EQ(p2->resumed, p1->done);
  EXPECT_EQ(p2->done, 20);
  EXPECT_EQ(processed.size(), 20u);
  for (int64_t i = 0; i < 20; ++i) EXPECT_EQ(processed.count(i), 1u) << "item " << i;
  auto out = ReadOutput();
  ASSERT_EQ(out.size(), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(out[static_cast<size_t>(i)]["id"], i);
}

TEST_F(BatchRunnerTest, ACheckpointOfAnotherInputIsRefused) {
  WriteInput("{\"text\":\"one\"}\n");
  ASSERT_TRUE(RunBatch(Options(), Echo).ok());
  WriteInput("{\"text\":\"changed\"}\n");
  auto p = RunBatch(Options(), Echo);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(p.status().message().find("different input"), std::string::npos);
}

TEST_F(BatchRunnerTest, MissingInputIsAClearError) {
  auto p = RunBatch(Options(), Echo);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find(in_), std::string::npos);
}

}  // namespace
}  // namespace reagent::cli
