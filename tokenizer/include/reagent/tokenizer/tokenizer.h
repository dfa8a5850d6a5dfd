// Exact byte-level BPE tokenizer, compatible id for id with OpenAI's tiktoken for o200k_base
// (gpt-4o, gpt-4.1, o-series, gpt-5) and cl100k_base (gpt-4, gpt-3.5).
//
//   Result<const Tokenizer*> t = Tokenizer::Get(Encoding::kO200kBase);
//   if (!t.ok()) return t.status();
//   std::vector<uint32_t> ids = (*t)->Encode("Xin chào thế giới");
//   size_t n = (*t)->Count(text);                 // same number, no id vector
//
// The rank files are embedded in the library (no files needed at run time) and checked
// against their SHA-256 when first used. Text is split with a hand-written scanner that
// reproduces each encoding's pre-tokenization regex exactly, then each piece is merged by rank.
//
// Special tokens ("<|endoftext|>", ...) are plain text unless the caller allows them
// (EncodeOptions), so untrusted text can never smuggle a control token into a prompt.
//
// Invalid UTF-8 never fails and never loses bytes: the valid prefix is encoded normally and the
// rest, joined to the last piece, is merged byte-wise, exactly as tiktoken encodes raw bytes
// (its `_encode_bytes`). Decode(Encode(x)) == x for every byte string x.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reagent/core/status.h"

namespace reagent {

enum class Encoding { kO200kBase, kCl100kBase };

// "o200k_base", "cl100k_base".
std::string_view EncodingName(Encoding encoding);
// Accepts the names above; anything else is kInvalidArgument naming the input.
Result<Encoding> ParseEncoding(std::string_view name);

// How text that looks like a special token is encoded.
enum class SpecialTokenPolicy {
  kAsText,    // default: "<|endoftext|>" is ordinary text (several ids)
  kAllowAll,  // every special token of the encoding becomes its single id
  kAllowListed,  // only those named in EncodeOptions::allowed
};

struct EncodeOptions {
  // Default kAsText: safe for untrusted text.
  SpecialTokenPolicy specials = SpecialTokenPolicy::kAsText;
  // With kAllowListed: the special tokens (their text, e.g. "<|endoftext|>") to recognise.
  std::vector<std::string> allowed;
};

class RankTable;

class Tokenizer {
 public:
  // The process-wide tokenizer for `encoding`, built from the embedded rank file on first use
  // (thread-safe, once per process; later calls return the same pointer). Fails only if the
  // embedded data is corrupt (kDataLoss naming the file and both checksums).
  static Result<const Tokenizer*> Get(Encoding encoding);

  // Builds a tokenizer from a rank file on disk; its SHA-256 must equal the one published for
  // `encoding`. kNotFound/kIOError name the path; kDataLoss names the path and both checksums.
  static Result<std::unique_ptr<Tokenizer>> LoadFromFile(Encoding encoding, const std::string& path);

  ~Tokenizer();
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  Encoding encoding() const { return encoding_; }
  // Number of ids, specials included (the highest id + 1).
  uint32_t vocabulary_size() const;

  // All methods below are const and thread-safe.

  // Token ids of `text`; special-token text is encoded as ordinary text.
  std::vector<uint32_t> Encode(std::string_view text) const;
  std::vector<uint32_t> Encode(std::string_view text, const EncodeOptions& options) const;

  // The bytes the ids stand for, concatenated. Ids the encoding does not have are skipped;
  // use TryDecode to be told about them.
  std::string Decode(std::span<const uint32_t> ids) const;
  // As Decode, but an unknown id is kInvalidArgument naming the id and its position.
  Result<std::string> TryDecode(std::span<const uint32_t> ids) const;

  // Encode(text).size(), without building the id vector.
  size_t Count(std::string_view text) const;

  // The special tokens of the encoding, as (text, id).
  struct SpecialToken {
    std::string_view text;
    uint32_t id;
  };
  std::span<const SpecialToken> special_tokens() const;

 private:
  Tokenizer(Encoding encoding, std::unique_ptr<RankTable> ranks);
  template <typename Sink>
  void EncodeOrdinary(std::string_view text, Sink& sink) const;
  template <typename Sink>
  void EncodeSegments(std::string_view text, const EncodeOptions& options, Sink& sink) const;

  Encoding encoding_;
  std::unique_ptr<RankTable> ranks_;
};

}  // namespace reagent
