// Sanitizer::Scan: layers 0-3 put together, and the scoring.
#include <algorithm>
#include <cmath>
#include <map>
#include <new>


#include "byte_blocks.h"
#include "payload_decoder.h"
#include "rejoined_words.h"
#include "sanitizer_impl.h"

namespace reagent {
namespace {

using sanitizer_internal::Hit;
using sanitizer_internal::Hygiene;
using sanitizer_internal::Payload;
using sanitizer_internal::Replacement;
using sanitizer_internal::Rule;
using sanitizer_internal::TextViews;

// Weights of the findings that come from code rather than from the rule file.
constexpr double kTooLongWeight = 1.0;
constexpr double kInvalidUtf8Weight = 0.1;
constexpr double kControlWeight = 0.1;
constexpr double kNulWeight = 0.15;
constexpr double kInvisibleWeight = 0.1;  // zero-width spaces turn up in pasted web text
constexpr double kTagWeight = 0.6;        // Unicode tag characters have no honest use in prose
// A disguised or encoded match adds this share of its own weight as separate evidence:
// nobody hides an innocent sentence.
constexpr double kDisguiseShare = 0.5;
// Within one category the k-th strongest finding counts kDiminish^k of its weight.
constexpr double kDiminish = 0.5;
// Findings weaker than this are not redacted (they only add to the score).
constexpr double kMinRedactWeight = 0.1;
// The learned layer's finding: at or above the model's block logit it blocks on its own;
// between its partial and block logits it is evidence from kLearnedPartialLow to
// kLearnedPartialHigh (linear in the logit) that blocks only together with rule findings.
constexpr double kLearnedBlockWeight = 0.9;
constexpr double kLearnedPartialLow = 0.3, kLearnedPartialHigh = 0.65;
// Quoted spans (double quotes) longer than this are not treated as a quotation.
constexpr size_t kMaxQuoteBytes = 400;
constexpr size_t kMaxPayloads = 8;

Finding MakeFinding(std::string rule, std::string category, size_t start, size_t end,
                    double weight) {
  return Finding{std::move(rule), std::move(category), start, end, weight};
}

ScanResult BlockWith(Finding finding) {
  ScanResult r;
  r.verdict = Verdict::kBlock;
  r.score = 1.0;
  r.categories = {finding.category};
  r.findings.push_back(std::move(finding));
  return r;
}

// Bytes that can open a quotation: ` ~ " and the first byte of “.
bool OpensQuote(char c) { return c == '`' || c == '~' || c == '"' || c == '\xE2'; }

// The first byte at or after `i` that can open a quotation, or text.size().
size_t NextQuoteOpener(std::string_view text, size_t i) {
#if defined(__SSE2__)
  namespace blocks = sanitizer_internal::blocks;
  for (; i + blocks::kSize <= text.size(); i += blocks::kSize) {
    __m128i x = blocks::Load(text.data() + i);
    unsigned openers = blocks::Mask(blocks::AnyOf(x, '`', '~', '"', '\xE2'));
    if (openers) return i + static_cast<size_t>(__builtin_ctz(openers));
  }
#endif
  while (i < text.size() && !OpensQuote(text[i])) ++i;
  return i;
}

// Regions of the original text that are code or quotation: ``` fences, `inline code`,
// "double quotes" and “curly quotes” closed on the same line within kMaxQuoteBytes.
// Linear in the text: an unclosed quotation is looked for only that far.
std::vector<std::pair<size_t, size_t>> QuotedRegions(std::string_view text) {
  std::vector<std::pair<size_t, size_t>> regions;
  constexpr std::string_view kOpenCurly = "\xE2\x80\x9C", kCloseCurly = "\xE2\x80\x9D";
  size_t i = 0;
  // Closes a quotation opened at i (of `open` bytes) by `close` on the same line.
  auto pair_on_line = [&](size_t open, std::string_view close) {
    std::string_view window = text.substr(i + open, kMaxQuoteBytes - open + close.size());
    window = window.substr(0, window.find('\n'));
    size_t c = window.find(close);
    if (c == std::string_view::npos) {
      i += open;
      return;
    }
    size_t end = i + open + c + close.size();
    regions.emplace_back(i, end);
    i = end;
  };
  while ((i = NextQuoteOpener(text, i)) < text.size()) {
    char ch = text[i];
    if ((ch == '`' || ch == '~') && text.substr(i, 3) == std::string_view(ch == '`' ? "```" : "~~~")) {
      size_t close = text.find(text.substr(i, 3), i + 3);
      size_t end = close == std::string_view::npos ? text.size() : close + 3;
      regions.emplace_back(i, end);
      i = end;
    } else if (ch == '`' || ch == '"') {
      pair_on_line(1, std::string_view(&text[i], 1));
    } else if (ch == '\xE2' && text.substr(i, kOpenCurly.size()) == kOpenCurly) {
      pair_on_line(kOpenCurly.size(), kCloseCurly);
    } else {
      ++i;
    }
  }
  return regions;
}

bool Inside(const std::vector<std::pair<size_t, size_t>>& regions, size_t start, size_t end) {
  for (const auto& [s, e] : regions) {
    if (start >= s && end <= e) return true;
  }
  return false;
}

double LearnedWeight(const sanitizer_internal::LearnedModel& model, double logit) {
  if (logit >= model.block_logit()) return kLearnedBlockWeight;
  if (logit < model.partial_logit()) return 0;
  double span = model.block_logit() - model.partial_logit();
  double t = span > 0 ? (logit - model.partial_logit()) / span : 1.0;
  return kLearnedPartialLow + (kLearnedPartialHigh - kLearnedPartialLow) * t;
}

// Evidence combines only when it is this close (bytes between the starts of findings): an
// attack is a local thing, and a long benign document collects weak, unrelated findings (a
// "từ giờ" here, a "without restrictions" there) that must not add up to a block. The learned
// layer's finding, which covers the whole text, combines with every window.
constexpr size_t kEvidenceWindow = 512;

// Diminishing returns per category, categories combined as 1 - prod(1 - s), over the
// findings `counts` selects, within the best window of kEvidenceWindow bytes.
template <typename Counts>
double Score(const std::vector<Finding>& findings, Counts counts) {
  std::vector<const Finding*> local, global;
  for (const Finding& f : findings) {
    if (!counts(f)) continue;
    (f.category == "learned" ? global : local).push_back(&f);
  }
  std::sort(local.begin(), local.end(),
            [](const Finding* a, const Finding* b) { return a->start < b->start; });
  auto combine = [&](size_t begin, size_t end) {
    std::map<std::string_view, std::vector<double>> by_category;
    for (const Finding* f : global) by_category[f->category].push_back(f->weight);
    for (size_t k = begin; k < end; ++k) by_category[local[k]->category].push_back(local[k]->weight);
    double keep = 1.0;
    for (auto& [category, weights] : by_category) {
      std::sort(weights.rbegin(), weights.rend());
      double factor = 1.0;
      for (double w : weights) {
        keep *= 1.0 - std::clamp(w * factor, 0.0, 1.0);
        factor *= kDiminish;
      }
    }
    return std::clamp(1.0 - keep, 0.0, 1.0);
  };
  if (local.empty()) return combine(0, 0);
  double best = 0;
  size_t end = 0;
  for (size_t begin = 0; begin < local.size(); ++begin) {
    end = std::max(end, begin + 1);
    while (end < local.size() && local[end]->start < local[begin]->start + kEvidenceWindow) ++end;
    best = std::max(best, combine(begin, end));
  }
  return best;
}

std::string_view HygieneRule(Hygiene kind) {
  switch (kind) {
    case Hygiene::kInvalidUtf8: return "hygiene.invalid_utf8";
    case Hygiene::kControl: return "hygiene.control_character";
    case Hygiene::kNul: return "hygiene.nul";
    case Hygiene::kInvisible: return "hygiene.invisible_character";
    case Hygiene::kTag: return "hygiene.tag_characters";
  }
  return "hygiene.unknown";
}

double HygieneWeight(Hygiene kind) {
  switch (kind) {
    case Hygiene::kInvalidUtf8: return kInvalidUtf8Weight;
    case Hygiene::kControl: return kControlWeight;
    case Hygiene::kNul: return kNulWeight;
    case Hygiene::kInvisible: return kInvisibleWeight;
    case Hygiene::kTag: return kTagWeight;
  }
  return kControlWeight;
}

}  // namespace

ScanResult Sanitizer::Scan(std::string_view text, TextSource source) const {
  std::vector<ScanResult> results = ScanAs(text, {source});
  return std::move(results.front());
}

std::vector<ScanResult> Sanitizer::ScanAs(std::string_view text,
                                          std::initializer_list<TextSource> sources) const {
  const SanitizerOptions& opt = impl_->options;
  // What fails the scan fails it from every source.
  auto block_with = [&](Finding finding) {
    return std::vector<ScanResult>(sources.size(), BlockWith(std::move(finding)));
  };
  if (text.size() > opt.max_input_bytes) {
    return block_with(MakeFinding("hygiene.too_long", "hygiene", 0, text.size(), kTooLongWeight));
  }
  try {
    thread_local TextViews views;
    thread_local TextViews payload_views;
    sanitizer_internal::BuildViews(text, views);

    std::vector<Hit> hits;
    double logit = impl_->model ? impl_->model->Score(views.folded.text) : -HUGE_VAL;
    if (!impl_->Match(views, false, hits)) {
      return block_with(MakeFinding("internal.regex_failure", "internal", 0, text.size(), 1.0));
    }
    // Encoded payloads (and text hidden in tag characters) are decoded and scanned once.
    std::vector<Payload> payloads =
        sanitizer_internal::FindPayloads(text, opt.min_payload_bytes, kMaxPayloads);
    if (!views.tag_payload.empty()) {
      payloads.push_back({"tag", views.tag_payload_start, views.tag_payload_end,
                          views.tag_payload});
    }
    for (const Payload& p : payloads) {
      sanitizer_internal::BuildViews(p.decoded, payload_views);
      std::vector<Hit> inner;
      if (!impl_->Match(payload_views, false, inner)) {
        return block_with(MakeFinding("internal.regex_failure", "internal", 0, text.size(), 1.0));
      }
      for (Hit& h : inner) hits.push_back({h.rule, p.start, p.end, true, true});
      if (impl_->model) logit = std::max(logit, impl_->model->Score(payload_views.folded.text));
    }
    // Lines whose words were taken apart ("i g n o r e", "ign.ore") are read once more with
    // the words rejoined. What they add is a disguised match over the lines (a rule that
    // matched the text as it stands already counts).
    for (const Payload& p : sanitizer_internal::FindRejoined(text, kMaxPayloads)) {
      sanitizer_internal::BuildViews(p.decoded, payload_views);
      std::vector<Hit> inner;
      if (!impl_->Match(payload_views, false, inner)) {
        return block_with(MakeFinding("internal.regex_failure", "internal", 0, text.size(), 1.0));
      }
      for (const Hit& h : inner) {
        const bool known = std::any_of(hits.begin(), hits.end(), [&](const Hit& k) { return k.rule == h.rule; });
        if (!known) hits.push_back({h.rule, p.start, p.end, true, false});
      }
      if (impl_->model) logit = std::max(logit, impl_->model->Score(payload_views.folded.text));
    }

    const auto& rules = impl_->book->rules();
    const auto& categories = impl_->book->categories();
    std::vector<std::pair<size_t, size_t>> quoted;
    if (!hits.empty()) quoted = QuotedRegions(text);
    // The evidence is the text's; what it weighs depends on where the text comes from.
    auto judge = [&](TextSource source) {
      ScanResult result;
      const size_t src = static_cast<size_t>(source);
      double disguised_weight = 0, encoded_weight = 0;
      size_t disguised_at = 0, disguised_end = 0, encoded_at = 0, encoded_end = 0;
      for (const Hit& h : hits) {
        const Rule& rule = rules[h.rule];
        const auto& cat = categories[rule.category];
        double w = rule.weight * cat.source_factor[src];
        if (!h.from_payload && Inside(quoted, h.start, h.end)) w *= cat.quoted_factor;
        if (h.from_payload && w > encoded_weight) {
          encoded_weight = w;
          encoded_at = h.start;
          encoded_end = h.end;
        } else if (h.disguised && !h.from_payload && w > disguised_weight) {
          disguised_weight = w;
          disguised_at = h.start;
          disguised_end = h.end;
        }
        result.findings.push_back(MakeFinding(rule.id, cat.name, h.start, h.end, w));
      }
      if (disguised_weight > 0) {
        result.findings.push_back(MakeFinding("obfuscation.disguised_match", "obfuscation",
                                              disguised_at, disguised_end,
                                              kDisguiseShare * disguised_weight));
      }
      if (encoded_weight > 0) {
        result.findings.push_back(MakeFinding("obfuscation.encoded_payload", "obfuscation",
                                              encoded_at, encoded_end,
                                              kDisguiseShare * encoded_weight));
      }
      for (const auto& h : views.hygiene) {
        result.findings.push_back(
            MakeFinding(std::string(HygieneRule(h.kind)), "hygiene", h.start, h.end, HygieneWeight(h.kind)));
      }
      if (impl_->model) {
        const int learned = impl_->book->FindCategory("learned");
        double w = LearnedWeight(*impl_->model, logit) *
                   categories[static_cast<size_t>(learned)].source_factor[src];
        if (w > 0) result.findings.push_back(MakeFinding("learned.classifier", "learned", 0, text.size(), w));
      }
      std::stable_sort(result.findings.begin(), result.findings.end(),
                       [](const Finding& a, const Finding& b) { return a.start < b.start; });

      auto category_of = [&](const Finding& f) -> const sanitizer_internal::Category& {
        return categories[static_cast<size_t>(impl_->book->FindCategory(f.category))];
      };
      result.score = Score(result.findings, [&](const Finding& f) { return category_of(f).attack; });
      const double redact_score =
          Score(result.findings, [&](const Finding& f) { return category_of(f).redactable; });
      for (const Finding& f : result.findings) result.categories.push_back(f.category);
      std::sort(result.categories.begin(), result.categories.end());
      result.categories.erase(std::unique(result.categories.begin(), result.categories.end()),
                              result.categories.end());

      if (result.score >= opt.block_threshold) {
        result.verdict = Verdict::kBlock;
      } else if (redact_score >= opt.redact_threshold) {
        // Not an attack, but it carries something to cut out (a secret, template tokens, a lone
        // exfiltration link): the rest of the text is passed on.
        result.verdict = Verdict::kRedact;
        std::vector<Replacement> spans;
        for (const Finding& f : result.findings) {
          if (!category_of(f).redactable || f.weight < kMinRedactWeight) continue;
          if (!spans.empty() && f.start < spans.back().end) {
            spans.back().end = std::max<uint32_t>(spans.back().end, static_cast<uint32_t>(f.end));
            continue;
          }
          spans.push_back({static_cast<uint32_t>(f.start), static_cast<uint32_t>(f.end),
                           "[redacted:" + f.category + "]"});
        }
        result.cleaned = sanitizer_internal::ApplyEdits(text, views.edits, spans);
      } else {
        result.verdict = Verdict::kAllow;
        result.cleaned = sanitizer_internal::ApplyEdits(text, views.edits);
      }
      return result;
    };
    std::vector<ScanResult> results;
    results.reserve(sources.size());
    for (TextSource source : sources) results.push_back(judge(source));
    return results;
  } catch (const std::exception& e) {
    // Out of memory or a bug: nothing unexamined gets through.
    return block_with(MakeFinding("internal.error", "internal", 0, text.size(), 1.0));
  }
}

}  // namespace reagent
