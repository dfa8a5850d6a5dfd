// Sanitizer construction (rule loading), matching of the views, and small helpers.
#include <algorithm>
#include <fstream>
#include <iterator>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "reagent/core/hex.h"
#include "reagent/core/json.h"
#include "reagent/core/random.h"
#include "sanitizer_impl.h"

// sanitizer/data/rules.json, linked in by reagent_embed.
extern "C" const unsigned char reagent_sanitizer_rules[];
extern "C" const unsigned char reagent_sanitizer_rules_end[];

namespace reagent {
namespace {

using sanitizer_internal::Hit;

// Categories of the findings made by code (not by rules): always present.
constexpr std::string_view kCodeCategories = R"({
  "format": "reagent-sanitizer-rules/1",
  "categories": [
    {"name": "hygiene", "description": "oversized input, invalid UTF-8, control, invisible and tag characters", "quoted_factor": 1.0},
    {"name": "obfuscation", "description": "a match that was disguised or encoded", "quoted_factor": 1.0},
    {"name": "internal", "description": "the filter failed; the text is blocked", "quoted_factor": 1.0},
    {"name": "learned", "description": "the learned layer's classifier finds the text to be an injection", "quoted_factor": 1.0}
  ],
  "rules": []
})";

constexpr size_t kNonceBytes = 12;

// Locates the matches of `re` in `view_text`, at most `cap` of them. `to_folded` maps a
// position of view_text to one of the folded view (identity for the folded view itself).
template <typename ToFolded>
void Locate(const RE2& re, std::string_view view_text, const sanitizer_internal::TextViews& views,
            size_t rule, bool squeezed, size_t cap, ToFolded to_folded, std::vector<Hit>& hits) {
  re2::StringPiece input(view_text.data(), view_text.size());
  size_t pos = 0;
  size_t found = 0;
  while (pos <= input.size() && found < cap) {
    re2::StringPiece m;
    if (!re.Match(input, pos, input.size(), RE2::UNANCHORED, &m, 1)) break;
    size_t s = static_cast<size_t>(m.data() - input.data());
    size_t e = s + m.size();
    if (e == s) {
      pos = s + 1;
      continue;
    }
    uint32_t start = views.folded.OriginalStart(to_folded(s));
    uint32_t end = views.folded.OriginalEnd(to_folded(e - 1) + 1);
    bool disguised = squeezed || sanitizer_internal::SpanIsDisguised(views, start, end);
    hits.push_back({rule, start, end, disguised, false});
    ++found;
    pos = e;
  }
}

}  // namespace

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kAllow: return "allow";
    case Verdict::kRedact: return "redact";
    case Verdict::kBlock: return "block";
  }
  return "block";
}

std::string_view TextSourceName(TextSource source) {
  switch (source) {
    case TextSource::kUser: return "user";
    case TextSource::kTool: return "tool";
    case TextSource::kHistory: return "history";
    case TextSource::kDocument: return "document";
  }
  return "user";
}

bool Sanitizer::Impl::Match(const sanitizer_internal::TextViews& views, bool direct_only,
                            std::vector<Hit>& hits) const {
  using sanitizer_internal::LiteralFilter;
  const auto& rules = book->rules();
  std::vector<bool> matched(rules.size(), false);
  const size_t cap = options.max_findings_per_rule;
  std::vector<int> ids;
  RE2::Set::ErrorInfo error{};
  thread_local LiteralFilter::Found found;
  // The folded sets over one view text (the folded view, or its leetspeak reading, which has
  // the same length and so the same mapping to the original). One pass of the folded filter
  // finds the gate strings of every gated set.
  auto run_folded = [&](std::string_view text, bool disguise) {
    book->folded_filter().Scan(text, found);
    for (const sanitizer_internal::RuleSet& set : book->folded_sets()) {
      if (!set.Applies(book->folded_filter(), found)) continue;
      if (!set.Match(book->folded_filter(), found, text, ids)) return false;
      for (int id : ids) {
        size_t r = sanitizer_internal::RuleBook::FoldedRule(set, id);
        if (r >= rules.size() || !rules[r].re || matched[r]) continue;
        matched[r] = true;
        const RE2* re = rules[r].re->Get();
        if (!re) return false;
        Locate(*re, text, views, r, disguise, cap, [](size_t i) { return i; }, hits);
      }
    }
    return true;
  };
  if (!run_folded(views.folded.text, false)) return false;
  thread_local std::string leet;
  if (sanitizer_internal::LeetView(views.folded.text, leet) && !run_folded(leet, true)) return false;
  if (direct_only) return true;
  std::vector<uint32_t> to_folded;
  auto locate_squeezed = [&](size_t r) {
    const RE2* re = rules[r].squeezed_re->Get();
    if (!re) return false;
    if (to_folded.empty()) to_folded = sanitizer_internal::SqueezedToFolded(views);
    Locate(*re, views.squeezed, views, r, true, cap,
           [&](size_t i) { return static_cast<size_t>(to_folded[i]); }, hits);
    return true;
  };
  // The squeezed set runs only when the prefilter leaves more than one of its rules possibly
  // matching: each candidate is tried on its own (only around its literals when its match
  // length is bounded), and when at most one matches, that is the
  // set's whole answer (when several match, the set's order of reporting decides the order of
  // the hits, so the set runs after all).
  book->squeezed_filter().Scan(views.squeezed, found);
  thread_local std::vector<int> candidates;
  book->squeezed_filter().Candidates(found, candidates);
  size_t one = SIZE_MAX;
  bool several = false;
  for (int id : candidates) {
    size_t r = book->SqueezedRule(id);
    if (r >= rules.size() || matched[r] || !rules[r].squeezed_re) continue;
    const RE2* re = rules[r].squeezed_re->Get();
    if (!re) return false;
    if (!book->squeezed_filter().Matches(static_cast<size_t>(id), *re, views.squeezed, found)) continue;
    if (one != SIZE_MAX) {
      several = true;
      break;
    }
    one = r;
  }
  if (!several) return one == SIZE_MAX || locate_squeezed(one);
  ids.clear();
  if (!book->squeezed_set().Match(views.squeezed, &ids, &error) &&
      error.kind != RE2::Set::kNoError) {
    return false;
  }
  for (int id : ids) {
    size_t r = book->SqueezedRule(id);
    if (r >= rules.size() || matched[r] || !rules[r].squeezed_re) continue;
    if (!locate_squeezed(r)) return false;
  }
  return true;
}

Sanitizer::Sanitizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Sanitizer::~Sanitizer() = default;

size_t Sanitizer::rule_count() const { return impl_->book->rules().size(); }

Result<std::shared_ptr<const Sanitizer>> Sanitizer::Create(const SanitizerOptions& options) {
  if (options.max_input_bytes == 0) {
    return Status::InvalidArgument("SanitizerOptions.max_input_bytes must be positive");
  }
  if (!(options.block_threshold > 0 && options.block_threshold <= 1) ||
      !(options.redact_threshold > 0 && options.redact_threshold <= options.block_threshold)) {
    return Status::InvalidArgument(
        "SanitizerOptions: need 0 < redact_threshold <= block_threshold <= 1");
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  if (options.learned_layer) {
    impl->model = sanitizer_internal::LearnedModel::Builtin();
    if (!impl->model) return Status::Internal("the built-in learned model is damaged (SHA-256 mismatch)");
  }
  std::vector<sanitizer_internal::RuleSource> sources;
  sources.push_back({"code categories", kCodeCategories, true});
  if (options.builtin_rules) {
    sources.push_back({"built-in rules",
                       std::string_view(reinterpret_cast<const char*>(reagent_sanitizer_rules),
                                        static_cast<size_t>(reagent_sanitizer_rules_end -
                                                            reagent_sanitizer_rules)),
                       true});
  }
  std::vector<std::string> file_texts;
  file_texts.reserve(options.rule_files.size());
  for (const std::string& path : options.rule_files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::NotFound("cannot read rule file " + path);
    file_texts.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  for (size_t i = 0; i < file_texts.size(); ++i) sources.push_back({options.rule_files[i], file_texts[i]});
  for (size_t i = 0; i < options.rule_texts.size(); ++i) {
    sources.push_back({"rule text " + std::to_string(i + 1), options.rule_texts[i]});
  }
  const size_t compiled_before = sanitizer_internal::RuleBook::CompiledCount();
  auto book = sanitizer_internal::RuleBook::Shared(sources, options.regex_max_mem);
  if (!book.ok()) return book.status();
  impl->book = *book;
#if defined(__GLIBC__)
  // Compiling a new book (and checking its rules one by one) leaves freed memory in the heap
  // that would otherwise stay for the life of the process.
  if (sanitizer_internal::RuleBook::CompiledCount() != compiled_before) malloc_trim(0);
#else
  (void)compiled_before;
#endif
  return std::shared_ptr<const Sanitizer>(new Sanitizer(std::move(impl)));
}

std::string Sanitizer::NewNonce() {
  return HexLower(SecureRandomBytes(kNonceBytes));
}

}  // namespace reagent
