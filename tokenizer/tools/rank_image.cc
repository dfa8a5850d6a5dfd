// Build step: checks a tiktoken rank file against its published SHA-256 (the SHA256SUMS file
// beside it), parses it and writes the rank table's image (RankTable::Image), which the
// tokenizer library embeds and uses in place at run time: the checksum and the parse are paid
// once per build, not once per process.
//
//   reagent_rank_image RANK_FILE SHA256SUMS OUT
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "rank_table.h"
#include "reagent/core/sha256.h"

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "reagent_rank_image: %s\n", message.c_str());
  return 1;
}

bool ReadFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  out = bytes.str();
  return !in.bad();
}

// The digest SHA256SUMS lists for `file_name` ("<hex>  <name>" lines), or "".
std::string ExpectedDigest(const std::string& sums, const std::string& file_name) {
  std::istringstream lines(sums);
  std::string digest, name;
  while (lines >> digest >> name) {
    if (name == file_name) return digest;
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) return Fail("usage: reagent_rank_image RANK_FILE SHA256SUMS OUT");
  const std::string rank_path = argv[1], sums_path = argv[2], out_path = argv[3];
  std::string bytes, sums;
  if (!ReadFile(rank_path, bytes)) return Fail("cannot read " + rank_path);
  if (!ReadFile(sums_path, sums)) return Fail("cannot read " + sums_path);
  const std::string name = std::filesystem::path(rank_path).filename().string();
  const std::string expected = ExpectedDigest(sums, name);
  if (expected.empty()) return Fail(sums_path + " lists no digest for " + name);
  const std::string actual = reagent::Sha256Hex(bytes);
  if (actual != expected) {
    return Fail("SHA-256 mismatch for " + rank_path + ": expected " + expected + ", got " + actual);
  }
  auto table = reagent::RankTable::Parse(bytes, rank_path, {});
  if (!table.ok()) return Fail(table.status().ToString());
  const std::string image = (*table)->Image();
  const std::string tmp = out_path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(image.data(), static_cast<std::streamsize>(image.size()));
    if (!out) return Fail("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, out_path, ec);
  if (ec) return Fail("cannot rename " + tmp + " to " + out_path + ": " + ec.message());
  return 0;
}
