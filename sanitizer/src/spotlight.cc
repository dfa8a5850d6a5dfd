// Sanitizer::Wrap: spotlighting of untrusted text. The model is told (by the agent's system
// prompt) that text between the nonce-carrying delimiters is data. The nonce is unguessable,
// so the text cannot close the block itself; inside it, template tokens are removed and
// forged protocol lines are marked as quoted so they cannot pass for the agent's own.
#include <algorithm>

#include "sanitizer_impl.h"

namespace reagent {
namespace {

using sanitizer_internal::Hit;
using sanitizer_internal::Replacement;

constexpr std::string_view kTemplateRemoved = "[template token removed]";
constexpr std::string_view kQuotedPrefix = "(quoted) ";
constexpr std::string_view kWithheld = "[untrusted text withheld: the filter failed]\n";

bool IsNameByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

std::string SafeSourceName(std::string_view name) {
  std::string out;
  for (char c : name) out.push_back(IsNameByte(c) ? c : '_');
  return out.empty() ? "unknown" : out;
}

}  // namespace

namespace {

std::string Envelope(std::string_view body, std::string_view source_name, std::string_view nonce) {
  std::string safe_nonce = SafeSourceName(nonce);
  std::string out;
  out.reserve(body.size() + 128);
  out += "<<<untrusted nonce=" + safe_nonce + " source=" + SafeSourceName(source_name) + ">>>\n";
  out += body;
  if (!body.empty() && body.back() != '\n') out += '\n';
  out += "<<<end untrusted nonce=" + safe_nonce + ">>>";
  return out;
}

// Forged delimiters: no three '<' in a row survive ("<<<" → "<< <", "<<<<<<" → "<< << <<"),
// so nothing in the body reads as a block marker.
std::string Defanged(std::string_view body) {
  std::string defanged;
  defanged.reserve(body.size() + body.size() / 8);
  int run = 0;
  for (char c : body) {
    run = c == '<' ? run + 1 : 0;
    if (run == 3) {
      defanged += ' ';
      run = 1;
    }
    defanged += c;
  }
  return defanged;
}

// The categories whose matches Wrap rewrites (template tokens removed, protocol lines quoted).
bool WrapRewrites(std::string_view category) {
  return category == "chat_template" || category == "forged_protocol";
}

}  // namespace

std::string Sanitizer::Wrap(std::string_view text, std::string_view source_name,
                            std::string_view nonce) const {
  try {
    sanitizer_internal::TextViews views;
    sanitizer_internal::BuildViews(text, views);
    std::vector<Hit> hits;
    bool matched = impl_->Match(views, true, hits);
    std::vector<Replacement> spans;
    if (matched) {
      const auto& rules = impl_->book->rules();
      const auto& categories = impl_->book->categories();
      std::sort(hits.begin(), hits.end(),
                [](const Hit& a, const Hit& b) { return a.start < b.start; });
      for (const Hit& h : hits) {
        const std::string& cat = categories[rules[h.rule].category].name;
        if (!WrapRewrites(cat)) continue;
        bool is_template = cat == "chat_template";
        if (!spans.empty() && h.start < spans.back().end) continue;
        std::string with = is_template
                               ? std::string(kTemplateRemoved)
                               : std::string(kQuotedPrefix) +
                                     std::string(text.substr(h.start, h.end - h.start));
        spans.push_back({h.start, h.end, std::move(with)});
      }
    }
    // Fail closed: text the filter could not examine is not shown to the model.
    std::string body = matched ? sanitizer_internal::ApplyEdits(text, views.edits, spans)
                               : std::string(kWithheld);
    return Envelope(Defanged(body), source_name, nonce);
  } catch (const std::exception&) {
    return Envelope(kWithheld, source_name, nonce);  // out of memory or a bug
  }
}

std::optional<std::pair<size_t, size_t>> Sanitizer::WrappedBody(std::string_view text) {
  constexpr std::string_view kOpen = "<<<untrusted nonce=", kSource = " source=",
                             kOpenEnd = ">>>\n", kClose = "<<<end untrusted nonce=",
                             kCloseEnd = ">>>";
  // A name as SafeSourceName leaves it: one or more of [A-Za-z0-9_.-].
  auto name_end = [&](size_t from) {
    size_t k = from;
    while (k < text.size() && IsNameByte(text[k])) ++k;
    return k;
  };
  if (!text.starts_with(kOpen)) return std::nullopt;
  const size_t nonce_end = name_end(kOpen.size());
  if (nonce_end == kOpen.size() || text.substr(nonce_end, kSource.size()) != kSource) {
    return std::nullopt;
  }
  const size_t source_begin = nonce_end + kSource.size();
  const size_t source_end = name_end(source_begin);
  if (source_end == source_begin || text.substr(source_end, kOpenEnd.size()) != kOpenEnd) {
    return std::nullopt;
  }
  const size_t begin = source_end + kOpenEnd.size();
  const std::string_view nonce = text.substr(kOpen.size(), nonce_end - kOpen.size());
  const size_t close_bytes = kClose.size() + nonce.size() + kCloseEnd.size();
  if (text.size() < begin + close_bytes) return std::nullopt;
  size_t end = text.size() - close_bytes;
  if (text.substr(end, kClose.size()) != kClose ||
      text.substr(end + kClose.size(), nonce.size()) != nonce || !text.ends_with(kCloseEnd)) {
    return std::nullopt;
  }
  if (end > begin) {
    if (text[end - 1] != '\n') return std::nullopt;  // Wrap ends a text with a newline
    --end;
  }
  if (text.substr(begin, end - begin).find("<<<") != std::string_view::npos) return std::nullopt;
  return std::pair{begin, end};
}

std::string Sanitizer::Wrap(std::string_view text, std::string_view source_name,
                            std::string_view nonce, const ScanResult& scanned) const {
  // Every hygiene edit comes with a hygiene finding, and Wrap's match (the folded view and
  // its leetspeak reading) is the first part of Scan's, every hit of which is a finding: an
  // allowed text with none of these findings has no edit and no span for Wrap to apply.
  const bool unchanged =
      scanned.verdict == Verdict::kAllow && scanned.cleaned == text &&
      std::none_of(scanned.findings.begin(), scanned.findings.end(), [](const Finding& f) {
        return f.category == "hygiene" || WrapRewrites(f.category);
      });
  if (!unchanged) return Wrap(text, source_name, nonce);
  try {
    return Envelope(Defanged(text), source_name, nonce);
  } catch (const std::exception&) {
    return Envelope(kWithheld, source_name, nonce);
  }
}

}  // namespace reagent
