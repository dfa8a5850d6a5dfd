// Exactness against reference ids: every o200k_base and cl100k_base case of TestPlans.txt
// (gpt-tokenizer's test plans) and the generated fixture corpus (tokenizer/testdata,
// reference ids from npm tiktoken, made by bench/tokenizer_fixtures.mjs).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "reagent/core/json.h"
#include "reagent/tokenizer/script_estimator.h"
#include "reagent/tokenizer/tokenizer.h"

namespace {

using reagent::Encoding;
using reagent::Tokenizer;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string kTestData = std::string(REAGENT_SOURCE_DIR) + "/tokenizer/testdata/";

struct Case {
  std::string encoding;
  std::string text;
  std::vector<uint32_t> ids;
};

std::vector<uint32_t> ParseIds(const std::string& list) {
  std::vector<uint32_t> ids;
  auto json = reagent::ParseJson(list);
  if (json.ok()) {
    for (const auto& v : *json) ids.push_back(v.get<uint32_t>());
  }
  return ids;
}

std::vector<Case> TestPlans() {
  std::istringstream in(ReadFile(kTestData + "TestPlans.txt"));
  std::vector<Case> cases;
  std::string line;
  Case current;
  while (std::getline(in, line)) {
    if (line.rfind("EncodingName: ", 0) == 0) current.encoding = line.substr(14);
    if (line.rfind("Sample: ", 0) == 0) current.text = line.substr(8);
    if (line.rfind("Encoded: ", 0) == 0) {
      current.ids = ParseIds(line.substr(9));
      cases.push_back(current);
    }
  }
  return cases;
}

const Tokenizer* For(const std::string& name) {
  auto encoding = reagent::ParseEncoding(name);
  if (!encoding.ok()) return nullptr;
  auto t = Tokenizer::Get(*encoding);
  return t.ok() ? *t : nullptr;
}

TEST(TokenizerExactness, EveryTestPlanCaseMatchesForBothEncodings) {
  std::vector<Case> cases = TestPlans();
  int checked = 0;
  for (const Case& c : cases) {
    if (c.encoding != "o200k_base" && c.encoding != "cl100k_base") continue;
    const Tokenizer* t = For(c.encoding);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->Encode(c.text), c.ids) << c.encoding << ": " << c.text;
    EXPECT_EQ(t->Count(c.text), c.ids.size()) << c.encoding << ": " << c.text;
    EXPECT_EQ(t->Decode(c.ids), c.text);
    ++checked;
  }
  EXPECT_EQ(checked, 121);  // 57 o200k_base + 64 cl100k_base cases
}

TEST(TokenizerExactness, GeneratedFixtureCorpusMatchesReferenceIds) {
  std::istringstream in(ReadFile(kTestData + "fixtures.jsonl"));
  std::string line;
  int checked = 0, mismatched = 0;
  while (std::getline(in, line)) {
    auto json = reagent::ParseJson(line, "fixtures.jsonl");
    ASSERT_TRUE(json.ok()) << json.status();
    std::string text = (*json)["text"].get<std::string>();
    for (const char* name : {"o200k_base", "cl100k_base"}) {
      std::vector<uint32_t> expected = (*json)[name].get<std::vector<uint32_t>>();
      const Tokenizer* t = For(name);
      ASSERT_NE(t, nullptr);
      std::vector<uint32_t> ids = t->Encode(text);
      if (ids != expected && ++mismatched <= 10) {
        ADD_FAILURE() << name << " " << (*json)["id"].get<std::string>() << ": " << text;
      }
      EXPECT_EQ(t->Count(text), expected.size());
      ++checked;
    }
  }
  EXPECT_EQ(mismatched, 0);
  EXPECT_GT(checked, 1000);
}

TEST(TokenizerExactness, RankFilesLoadedFromDiskEncodeLikeTheEmbeddedOnes) {
  for (Encoding e : {Encoding::kO200kBase, Encoding::kCl100kBase}) {
    std::string path = std::string(REAGENT_SOURCE_DIR) + "/tokenizer/data/" + std::string(reagent::EncodingName(e)) + ".tiktoken";
    auto loaded = Tokenizer::LoadFromFile(e, path);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    const Tokenizer* embedded = *Tokenizer::Get(e);
    EXPECT_NE(loaded->get(), embedded);
    for (const char* text : {"Xin chào thế giới", "The quick brown fox", "  \n\n 12345 ✅"}) {
      EXPECT_EQ((*loaded)->Encode(text), embedded->Encode(text));
    }
  }
}

TEST(TokenizerExactness, MegabyteOfRandomBytesRoundTripsQuickly) {
  // Invalid UTF-8 early on makes almost all of it one piece: the heap merge keeps it fast.
  std::string bytes(1 << 20, '\0');
  uint64_t state = 88172645463325252ull;
  for (char& c : bytes) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    c = static_cast<char>(state);
  }
  for (Encoding e : {Encoding::kO200kBase, Encoding::kCl100kBase}) {
    const Tokenizer* t = *Tokenizer::Get(e);
    std::vector<uint32_t> ids = t->Encode(bytes);
    EXPECT_EQ(t->Decode(ids), bytes);
    EXPECT_EQ(t->Count(bytes), ids.size());
  }
}

// The bound documented in script_estimator.h, against max(o200k_base, cl100k_base).
TEST(TokenizerExactness, EstimatorStaysWithinItsDocumentedBound) {
  std::istringstream in(ReadFile(kTestData + "fixtures.jsonl"));
  std::string line;
  int64_t prose_target = 0, prose_estimate = 0;
  int checked = 0;
  while (std::getline(in, line)) {
    auto json = reagent::ParseJson(line, "fixtures.jsonl");
    ASSERT_TRUE(json.ok());
    std::string id = (*json)["id"].get<std::string>();
    std::string text = (*json)["text"].get<std::string>();
    int64_t target = static_cast<int64_t>(
        std::max((*json)["o200k_base"].size(), (*json)["cl100k_base"].size()));
    int64_t estimate = reagent::EstimateTokens(text);
    bool prose = id.rfind("english", 0) == 0 || id.rfind("vietnamese", 0) == 0 || id.rfind("code", 0) == 0;
    if (prose || id.rfind("mixed", 0) == 0) {
      prose_target += target;
      prose_estimate += estimate;
    }
    if (target >= 20) {
      double error = std::abs(static_cast<double>(estimate - target)) / static_cast<double>(target);
      EXPECT_LE(error, prose ? 0.25 : 0.50) << id << ": estimate " << estimate << ", target " << target;
      ++checked;
    }
  }
  EXPECT_GT(checked, 300);
  EXPECT_NEAR(static_cast<double>(prose_estimate) / static_cast<double>(prose_target), 1.0, 0.02);
}

}  // namespace
