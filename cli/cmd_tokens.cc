// reagent tokens: counts, encodes or decodes text with an exact tokenizer (or estimates for a
// model whose encoding is unknown).
//
//   reagent tokens "Xin chào"                    → 3
//   reagent tokens --model gpt-4 --ids "hello"   → [15339]
//   reagent tokens --jsonl < lines.jsonl         → {"id":1,"count":12} per line
//   echo '[24912]' | reagent tokens --decode     → hello
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "command.h"
#include "reagent/core/bounded_read.h"
#include "reagent/core/json.h"
#include "reagent/core/line_reader.h"
#include "reagent/tokenizer/token_counter.h"
#include "reagent/tokenizer/tokenizer.h"

namespace reagent::cli {
namespace {

struct TokensOptions {
  std::string encoding;
  std::string model;
  std::string text;
  bool text_given = false;
  bool ids = false;
  bool jsonl = false;
  bool decode = false;
  bool allow_special = false;
};

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "reagent tokens: %s\n", message.c_str());
  return code;
}

// The counter and, when exact, the tokenizer the options select.
struct Selection {
  TokenCounter counter = TokenCounter::Estimating();
  const Tokenizer* tokenizer = nullptr;  // null: estimating
};

Result<Selection> Select(const TokensOptions& o) {
  Selection s;
  if (!o.model.empty()) {
    s.counter = TokenCounter::ForModel(o.model);
  } else {
    auto encoding = ParseEncoding(o.encoding.empty() ? "o200k_base" : o.encoding);
    if (!encoding.ok()) return encoding.status();
    s.counter = TokenCounter::ForEncoding(*encoding);
  }
  if (s.counter.encoding()) {
    auto tokenizer = Tokenizer::Get(*s.counter.encoding());
    if (!tokenizer.ok()) return tokenizer.status();
    s.tokenizer = *tokenizer;
  }
  return s;
}

std::vector<uint32_t> EncodeWith(const Tokenizer& t, std::string_view text, bool allow_special) {
  if (!allow_special) return t.Encode(text);
  return t.Encode(text, EncodeOptions{.specials = SpecialTokenPolicy::kAllowAll});
}

int64_t CountWith(const Selection& s, std::string_view text, bool allow_special) {
  if (s.tokenizer != nullptr && allow_special) return static_cast<int64_t>(EncodeWith(*s.tokenizer, text, true).size());
  return s.counter.Count(text);
}

int RunDecode(const Selection& s, const TokensOptions& o) {
  std::string input = o.text;
  if (!o.text_given) {
    auto read = ReadStreamBounded(stdin, kMaxStdinBytes, "standard input");
    if (!read.ok()) return Fail(kExitUsage, read.status().message());
    input = std::move(*read);
  }
  auto json = ParseJson(input, "--decode input");
  if (!json.ok()) return Fail(kExitUsage, json.status().message());
  if (!json->is_array()) return Fail(kExitUsage, "--decode expects a JSON array of token ids");
  std::vector<uint32_t> ids;
  for (size_t i = 0; i < json->size(); ++i) {
    const Json& v = (*json)[i];
    if (!v.is_number_unsigned() || v.get<uint64_t>() > UINT32_MAX) {
      return Fail(kExitUsage, "--decode: element " + std::to_string(i) + " is not a token id");
    }
    ids.push_back(v.get<uint32_t>());
  }
  auto text = s.tokenizer->TryDecode(ids);
  if (!text.ok()) return Fail(kExitFailure, text.status().message());
  std::fwrite(text->data(), 1, text->size(), stdout);
  return kExitOk;
}

int RunJsonl(const Selection& s, const TokensOptions& o) {
  int exit_code = kExitOk;
  LineReader lines(STDIN_FILENO, kMaxJsonLineBytes);
  while (auto next = lines.Next()) {
    std::string_view line = next->text;
    const size_t line_number = next->number;
    if (!next->too_long && line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto json = ParseJsonLine(*next);
    // Written by hand to keep the documented key order: id first.
    std::string dumped = "{";
    // The id is echoed, null when absent, as `reagent scan --jsonl` does.
    const bool has_id = json.ok() && json->is_object() && json->contains("id");
    dumped += "\"id\":" + (has_id ? DumpJson((*json)["id"]) : std::string("null")) + ",";
    if (!json.ok() || !json->is_object() || !json->contains("text") || !(*json)["text"].is_string()) {
      std::string error = json.ok() ? "line " + std::to_string(line_number) + ": needs a string field \"text\""
                                    : json.status().message();
      dumped += "\"line\":" + std::to_string(line_number) + ",\"error\":" + DumpJson(Json(error));
      exit_code = kExitFailure;
    } else {
      std::string text = (*json)["text"].get<std::string>();
      if (o.ids) {
        std::vector<uint32_t> ids = EncodeWith(*s.tokenizer, text, o.allow_special);
        dumped += "\"count\":" + std::to_string(ids.size()) + ",\"ids\":" + DumpJson(Json(ids));
      } else {
        dumped += "\"count\":" + std::to_string(CountWith(s, text, o.allow_special));
      }
    }
    dumped += "}\n";
    std::fwrite(dumped.data(), 1, dumped.size(), stdout);
    if (next->too_long) std::fflush(stdout);
  }
  if (!lines.error().empty()) return Fail(kExitFailure, "cannot read standard input");
  return exit_code;
}

Command Setup(CLI::App& parent) {
  auto o = std::make_shared<TokensOptions>();
  auto* sub = parent.add_subcommand("tokens", "Count, encode or decode tokens (exact for o200k_base and cl100k_base)");
  sub->footer(
      "Examples:\n"
      "  reagent tokens \"Xin chào thế giới\"            count with o200k_base\n"
      "  reagent tokens --model gpt-4 --ids \"hello\"      ids as a JSON array\n"
      "  reagent tokens --jsonl < in.jsonl              {\"id\",\"text\"} lines -> {\"id\",\"count\"}\n"
      "  echo '[24912]' | reagent tokens --decode       ids -> text");
  auto* encoding = sub->add_option("--encoding", o->encoding, "Encoding: o200k_base (default) or cl100k_base")
                       ->check(CLI::IsMember({"o200k_base", "cl100k_base"}));
  sub->add_option("--model", o->model,
                  "Model name; picks its encoding (gpt-4o, gpt-4.1, o-series -> o200k_base; gpt-4, gpt-3.5 -> "
                  "cl100k_base); other models get a calibrated estimate")
      ->excludes(encoding);
  sub->add_flag("--ids", o->ids, "Print the token ids as a JSON array instead of the count");
  sub->add_flag("--jsonl", o->jsonl,
                "Read JSON lines {\"id\",\"text\"} from stdin; write {\"id\",\"count\"} (and \"ids\" with --ids) per line");
  sub->add_flag("--decode", o->decode, "Read a JSON array of ids (TEXT or stdin) and print the text");
  sub->add_flag("--allow-special", o->allow_special,
                "Encode special-token text (<|endoftext|>, ...) as the special token; by default it is plain text");
  sub->add_option("text", o->text, "Text to process; stdin when omitted");
  return {sub, [o, sub] {
            o->text_given = sub->count("text") > 0;
            if (o->decode && o->jsonl) return Fail(kExitUsage, "--decode and --jsonl cannot be combined");
            auto selection = Select(*o);
            if (!selection.ok()) return Fail(kExitUsage, selection.status().message());
            bool needs_ids = o->ids || o->decode;
            if (needs_ids && selection->tokenizer == nullptr) {
              return Fail(kExitUsage, "model \"" + o->model +
                                          "\" has no known encoding, so only an estimated count is available; "
                                          "use --encoding for ids");
            }
            if (o->decode) return RunDecode(*selection, *o);
            if (o->jsonl) {
              if (o->text_given) return Fail(kExitUsage, "--jsonl reads stdin; do not pass TEXT");
              return RunJsonl(*selection, *o);
            }
            std::string text = o->text;
            if (!o->text_given) {
              auto read = ReadStreamBounded(stdin, kMaxStdinBytes, "standard input");
              if (!read.ok()) return Fail(kExitUsage, read.status().message());
              text = std::move(*read);
            }
            if (o->ids) {
              std::string dumped = DumpJson(Json(EncodeWith(*selection->tokenizer, text, o->allow_special))) + "\n";
              std::fwrite(dumped.data(), 1, dumped.size(), stdout);
            } else {
              std::printf("%lld\n", static_cast<long long>(CountWith(*selection, text, o->allow_special)));
              if (!selection->counter.exact()) {
                std::fprintf(stderr, "reagent tokens: estimated (no known encoding for model \"%s\")\n", o->model.c_str());
              }
            }
            return kExitOk;
          }};
}

REAGENT_COMMAND("tokens", Setup);

}  // namespace
}  // namespace reagent::cli
