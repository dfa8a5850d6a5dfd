#include "reagent/tokenizer/tokenizer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "byte_pair.h"
#include "encoding_spec.h"
#include "rank_table.h"
#include "reagent/core/random.h"
#include "reagent/core/sha256.h"

namespace reagent {
namespace {

const Tokenizer& O200k() { return **Tokenizer::Get(Encoding::kO200kBase); }
const Tokenizer& Cl100k() { return **Tokenizer::Get(Encoding::kCl100kBase); }

std::string RandomBytes(Random& random, size_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(static_cast<int>(random.Uniform(0, 256)));
  return s;
}

TEST(TokenizerTest, GetReturnsTheSameInstanceToEveryThread) {
  std::vector<const Tokenizer*> seen(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&seen, i] {
      auto t = Tokenizer::Get(Encoding::kO200kBase);
      seen[i] = t.ok() ? *t : nullptr;
      if (seen[i] != nullptr && seen[i]->Encode("hello") != std::vector<uint32_t>{24912}) seen[i] = nullptr;
    });
  }
  for (auto& t : threads) t.join();
  for (const Tokenizer* t : seen) EXPECT_EQ(t, &O200k());
}

std::string RankFile(const EncodingSpec& spec) {
  std::ifstream in(std::string(REAGENT_TOKENIZER_DATA_DIR) + "/" + std::string(spec.file_name), std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The tables linked into the library are exactly what parsing the shipped rank file gives,
// and that file is the one OpenAI published: the checks a load used to make at run time.
TEST(TokenizerTest, TheEmbeddedTablesAreAParseOfThePublishedRankFile) {
  for (Encoding e : {Encoding::kO200kBase, Encoding::kCl100kBase}) {
    const EncodingSpec& spec = SpecOf(e);
    const std::string file = RankFile(spec);
    ASSERT_FALSE(file.empty()) << spec.file_name;
    EXPECT_EQ(Sha256Hex(file), spec.sha256) << spec.name;
    auto parsed = RankTable::Parse(file, spec.file_name, {spec.specials.begin(), spec.specials.end()});
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_TRUE((*parsed)->Image() == spec.image()) << spec.name << ": embedded tables differ from the rank file";
    const Tokenizer& t = **Tokenizer::Get(e);
    EXPECT_EQ(t.vocabulary_size(), (*parsed)->size());
    for (const auto& special : spec.specials) {
      EXPECT_EQ(t.Decode(std::vector<uint32_t>{special.id}), special.text);
    }
  }
}

TEST(RankTableTest, AnImageOfAnotherLayoutIsRefused) {
  const EncodingSpec& spec = SpecOf(Encoding::kCl100kBase);
  std::string image(spec.image());
  auto ok = RankTable::FromImage(image, "copy", {});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ((*ok)->Find("hello"), (*Tokenizer::Get(Encoding::kCl100kBase))->Encode("hello")[0]);
  std::string truncated = image.substr(0, image.size() - 8);
  EXPECT_EQ(RankTable::FromImage(truncated, "cut", {}).status().code(), StatusCode::kDataLoss);
  std::string wrong = image;
  wrong[0] = 'X';
  auto refused = RankTable::FromImage(wrong, "wrong", {});
  EXPECT_EQ(refused.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(refused.status().message().find("wrong magic"), std::string::npos) << refused.status();
}

TEST(TokenizerTest, EncodesKnownTextToTiktokensIds) {
  EXPECT_EQ(O200k().Encode("hello world"), (std::vector<uint32_t>{24912, 2375}));
  EXPECT_EQ(Cl100k().Encode("hello world"), (std::vector<uint32_t>{15339, 1917}));
  EXPECT_TRUE(O200k().Encode("").empty());
}

TEST(TokenizerTest, SpecialTokenTextIsOrdinaryTextByDefault) {
  std::vector<uint32_t> ids = O200k().Encode("<|endoftext|>");
  EXPECT_GT(ids.size(), 1u);
  for (uint32_t id : ids) EXPECT_NE(id, 199999u);
  EXPECT_EQ(O200k().Decode(ids), "<|endoftext|>");
}

TEST(TokenizerTest, AllowedSpecialTokensBecomeTheirSingleIds) {
  EncodeOptions all{.specials = SpecialTokenPolicy::kAllowAll};
  EXPECT_EQ(O200k().Encode("a<|endoftext|>b", all), (std::vector<uint32_t>{64, 199999, 65}));
  EXPECT_EQ(Cl100k().Encode("<|fim_prefix|><|endofprompt|>", all), (std::vector<uint32_t>{100258, 100276}));

  EncodeOptions listed{.specials = SpecialTokenPolicy::kAllowListed, .allowed = {"<|endofprompt|>"}};
  std::vector<uint32_t> ids = O200k().Encode("<|endoftext|><|endofprompt|>", listed);
  EXPECT_EQ(ids.back(), 200018u);
  EXPECT_GT(ids.size(), 2u);
  EXPECT_EQ(O200k().Decode(ids), "<|endoftext|><|endofprompt|>");
}

TEST(TokenizerTest, DecodeRoundTripsRandomBytesIncludingInvalidUtf8) {
  SeededRandom random(42);
  for (int i = 0; i < 200; ++i) {
    std::string bytes = RandomBytes(random, static_cast<size_t>(random.Uniform(0, 300)));
    for (const Tokenizer* t : {&O200k(), &Cl100k()}) {
      std::vector<uint32_t> ids = t->Encode(bytes);
      ASSERT_EQ(t->Decode(ids), bytes);
      EXPECT_EQ(t->Count(bytes), ids.size());
    }
  }
}

TEST(TokenizerTest, InvalidUtf8KeepsTheValidPrefixAndMergesTheRestWithTheLastPiece) {
  // tiktoken's byte encoding: "Hello world" encodes as usual up to its last piece " world";
  // " world" + "\xff!" is merged as one piece.
  std::vector<uint32_t> prefix = O200k().Encode("Hello");
  std::vector<uint32_t> ids = O200k().Encode("Hello world\xff!");
  ASSERT_GE(ids.size(), 2u);
  EXPECT_EQ(ids[0], prefix[0]);
  EXPECT_EQ(O200k().Decode(std::span(ids).subspan(1)), " world\xff!");
  // A lone invalid byte is its byte token.
  EXPECT_EQ(O200k().Decode(O200k().Encode("\xff")), "\xff");
  EXPECT_EQ(O200k().Encode("\xff").size(), 1u);
}

// A rank file of the 256 single bytes, then `extra` lines.
std::string ByteRankFile(const std::string& extra) {
  static constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string file;
  for (int b = 0; b < 256; ++b) {
    file += kB64[b >> 2];
    file += kB64[(b & 3) << 4];
    file += "== " + std::to_string(b) + "\n";
  }
  return file + extra;
}

TEST(RankTableTest, MalformedLinesAreNamedByFileAndLine) {
  struct Case {
    std::string extra, message;
  };
  for (const Case& c : {Case{"aGk= 256\nbad-line\n", "f.tiktoken line 258: expected \"<base64> <rank>\""},
                        Case{"aGk 256\n", "f.tiktoken line 257: bad base64"},
                        Case{"aGk= 25x\n", "f.tiktoken line 257: bad rank"},
                        Case{"aGk= 255\n", "f.tiktoken line 257: rank 255 repeated"}}) {
    auto ranks = RankTable::Parse(ByteRankFile(c.extra), "f.tiktoken", {});
    ASSERT_FALSE(ranks.ok()) << c.extra;
    EXPECT_EQ(ranks.status().code(), StatusCode::kDataLoss);
    EXPECT_NE(ranks.status().message().find(c.message), std::string::npos) << ranks.status().message();
  }
  auto ranks = RankTable::Parse(ByteRankFile("aGk= 256\n\n"), "f.tiktoken", {});  // "hi", blank line
  ASSERT_TRUE(ranks.ok()) << ranks.status();
  EXPECT_EQ((*ranks)->Find("hi"), 256u);
}

TEST(TokenizerTest, LongPiecesMergeLikeTheQuadraticReference) {
  // The heap used for long pieces must pick the same merges as tiktoken's linear scan.
  const EncodingSpec& spec = SpecOf(Encoding::kCl100kBase);
  auto ranks = RankTable::Parse(RankFile(spec), "cl100k", {});
  ASSERT_TRUE(ranks.ok());
  auto reference = [&](std::string_view piece) {
    std::vector<std::string_view> parts;
    for (size_t i = 0; i < piece.size(); ++i) parts.push_back(piece.substr(i, 1));
    while (true) {
      uint32_t best = RankTable::kNoRank;
      size_t at = 0;
      for (size_t i = 0; i + 1 < parts.size(); ++i) {
        uint32_t r = (*ranks)->Find(std::string_view(parts[i].data(), parts[i].size() + parts[i + 1].size()));
        if (r < best) best = r, at = i;
      }
      if (best == RankTable::kNoRank) break;
      parts[at] = std::string_view(parts[at].data(), parts[at].size() + parts[at + 1].size());
      parts.erase(parts.begin() + static_cast<long>(at) + 1);
    }
    std::vector<uint32_t> ids;
    for (auto p : parts) ids.push_back((*ranks)->Find(p));
    return ids;
  };
  SeededRandom random(7);
  const std::string alphabet = "aaabbcde    \n\t..xyz";
  for (int i = 0; i < 20; ++i) {
    std::string piece;
    size_t n = 200 + static_cast<size_t>(random.Uniform(0, 400));
    for (size_t k = 0; k < n; ++k) piece += alphabet[static_cast<size_t>(random.Uniform(0, alphabet.size()))];
    std::vector<uint32_t> ids;
    BytePairEncode(**ranks, piece, ids);
    EXPECT_EQ(ids, reference(piece)) << piece;
    EXPECT_EQ(BytePairCount(**ranks, piece), ids.size());
  }
}

TEST(TokenizerTest, TryDecodeNamesAnUnknownIdAndItsPosition) {
  std::vector<uint32_t> ids = {24912, 199998};
  auto text = O200k().TryDecode(ids);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(text.status().message().find("199998"), std::string::npos);
  EXPECT_NE(text.status().message().find("position 1"), std::string::npos);
  EXPECT_EQ(O200k().Decode(ids), "hello");  // Decode skips it
  std::vector<uint32_t> special = {199999};
  EXPECT_EQ(*O200k().TryDecode(special), "<|endoftext|>");
}

TEST(TokenizerTest, LoadingACorruptRankFileNamesTheFileAndBothChecksums) {
  std::string path = ::testing::TempDir() + "/corrupt.tiktoken";
  {
    std::ofstream out(path, std::ios::binary);
    out << "IQ== 0\n";
  }
  auto t = Tokenizer::LoadFromFile(Encoding::kO200kBase, path);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(t.status().message().find(path), std::string::npos);
  EXPECT_NE(t.status().message().find("446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"),
            std::string::npos);
  EXPECT_NE(t.status().message().find("SHA-256 mismatch"), std::string::npos);
  std::remove(path.c_str());
}

TEST(TokenizerTest, LoadingAMissingRankFileIsNotFound) {
  auto t = Tokenizer::LoadFromFile(Encoding::kCl100kBase, "/nonexistent/cl100k_base.tiktoken");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kNotFound);
  EXPECT_NE(t.status().message().find("/nonexistent/cl100k_base.tiktoken"), std::string::npos);
}

TEST(TokenizerTest, EncodingNamesParseBack) {
  EXPECT_EQ(*ParseEncoding("o200k_base"), Encoding::kO200kBase);
  EXPECT_EQ(*ParseEncoding("cl100k_base"), Encoding::kCl100kBase);
  EXPECT_EQ(ParseEncoding("p50k_base").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EncodingName(Encoding::kCl100kBase), "cl100k_base");
  EXPECT_EQ(O200k().vocabulary_size(), 200019u);
  EXPECT_EQ(Cl100k().vocabulary_size(), 100277u);
}

}  // namespace
}  // namespace reagent
