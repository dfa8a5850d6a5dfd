// Varied benchmark text for the sanitizer: 2,048 different 8 KiB chunks of benign English or
// Vietnamese, each a different seeded random draw of rows from the repository's benign
// corpora (sanitizer/training/data and sanitizer/corpora). Scanning one chunk again and again
// measures RE2's warm DFA cache, not the filter: real traffic is always new text.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "reagent/core/json.h"

namespace reagent::bench {

inline constexpr size_t kChunkBytes = 8 * 1024;
inline constexpr size_t kChunkCount = 2048;

// Benign rows of language `lang` ("en" or "vi") from every *.jsonl file in `folders`.
inline std::vector<std::string> BenignRows(const std::vector<std::string>& folders,
                                           const std::string& lang) {
  std::vector<std::string> rows;
  for (const std::string& folder : folders) {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(folder, ec)) {
      if (e.path().extension() == ".jsonl") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& path : files) {
      std::ifstream in(path);
      std::string line;
      while (std::getline(in, line)) {
        auto row = ParseJson(line);
        if (!row.ok() || !row->is_object() || (*row).value("label", "") != "benign") continue;
        if ((*row).value("lang", "") != lang) continue;
        rows.push_back((*row)["text"].get<std::string>());
      }
    }
  }
  return rows;
}

// `count` chunks of at most `bytes` bytes, each cut at a UTF-8 character boundary; chunk k is
// rows drawn by a generator seeded with k, so every chunk differs and every run is the same.
inline std::vector<std::string> Chunks(const std::vector<std::string>& rows, size_t count = kChunkCount,
                                       size_t bytes = kChunkBytes) {
  std::vector<std::string> out;
  if (rows.empty()) return out;
  for (size_t k = 0; k < count; ++k) {
    std::mt19937_64 rng(k + 1);
    std::uniform_int_distribution<size_t> pick(0, rows.size() - 1);
    std::string c;
    while (c.size() < bytes) c += rows[pick(rng)] + "\n";
    c.resize(bytes);
    while (!c.empty() && (static_cast<unsigned char>(c.back()) & 0xC0) == 0x80) c.pop_back();
    if (!c.empty() && static_cast<unsigned char>(c.back()) >= 0xC0) c.pop_back();
    out.push_back(std::move(c));
  }
  return out;
}

inline std::vector<std::string> DefaultFolders() {
  return {std::string(REAGENT_SOURCE_DIR) + "/sanitizer/training/data",
          std::string(REAGENT_SOURCE_DIR) + "/sanitizer/corpora"};
}

}  // namespace reagent::bench
