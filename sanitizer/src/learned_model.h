// The learned layer: a logistic regression over hashed word and character n-grams of the
// folded view, trained by sanitizer/training/train.py (which documents the features and is the
// reference this file matches; src/testdata/learned_features.json holds fixed vectors both
// sides must reproduce).
//
// Features, per token of the folded view (maximal runs of [a-z0-9@$] and non-ASCII bytes,
// at most 32 bytes, read as leetspeak when they mix letters with 0 1 3 4 5 7 @ $; URLs are
// skipped, the rules judge those; a run that reads as a digest, base64 or an id, letters and
// digits mixed over 16 bytes or more, or 8 or more with one of 2 6 8 9, is one opaque token
// with no trigrams, whatever its bytes): a unigram,
// a bigram with the previous token, and the character trigrams of tokens of 5 bytes or more,
// each hashed into 2^bits buckets of int16 weights. The text is scored in windows of
// `window` tokens every `stride` tokens; the score is the best window's logit, so one
// injected paragraph inside a long benign document is not diluted by the rest. A window
// counts each distinct token's unigram and trigrams once and each distinct pair's bigram once,
// so repetition adds nothing: a column of "yes" in a table or "no no no ..." weighs what one
// "yes" or "no" weighs.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "reagent/core/status.h"

namespace reagent::sanitizer_internal {

class LearnedModel {
 public:
  // Parses a model file (format "RGLM" v1, little endian; see train.py's write_model). The
  // bytes must outlive the model (the weights are used in place).
  static Result<LearnedModel> Parse(std::string_view bytes);

  // The model shipped inside the library, parsed once per process after its SHA-256 is
  // checked against the one recorded in sanitizer/data/learned_model.json. Null if the
  // embedded bytes are damaged (then Sanitizer::Create fails).
  static const LearnedModel* Builtin();

  // The best window's logit for a folded view.
  double Score(std::string_view folded) const;

  // Logit at or above which the model alone blocks, and at or above which it adds partial
  // evidence; chosen on held-out calibration rows (benign false positives ≤ 0.3 %, ≤ 1 % per
  // source for blocking).
  double block_logit() const { return block_; }
  double partial_logit() const { return partial_; }

  // Per token, its feature buckets (for the fixture test).
  std::vector<std::vector<uint32_t>> TokenFeatures(std::string_view folded) const;
  unsigned bits() const { return bits_; }

 private:
  static constexpr size_t kMaxTokenBytes = 64;

  LearnedModel() = default;
  template <typename OnToken>
  void ForEachToken(std::string_view folded, OnToken&& on_token) const;
  template <typename Visit>
  void ForEachOwnFeature(const unsigned char* tok, size_t len, uint32_t mixed_u, Visit&& visit) const;
  uint32_t BigramBucket(uint32_t mixed_pair) const;  // of Fmix(PairHash)

  const int16_t* weights_ = nullptr;
  uint64_t id_ = 0;  // unique per parsed model (copies share it): keys the per-thread token cache
  unsigned bits_ = 0, window_ = 0, stride_ = 0, char_min_ = 0, max_token_ = 0;
  double scale_ = 0, bias_ = 0, block_ = 0, partial_ = 0;
};

}  // namespace reagent::sanitizer_internal
