#include "literal_filter.h"

#include <algorithm>
#include <array>
#include <deque>

#include "match_length.h"

namespace reagent::sanitizer_internal {
namespace {

constexpr uint32_t kReports = 1u << 31;

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

}  // namespace

LiteralFilter::Window LiteralFilter::MakeWindow(const std::string& pattern,
                                                const std::vector<std::string>& strings,
                                                const RE2::Options& options) {
  Window w;
  auto bound = MaxMatchBytes(pattern);
  if (!bound || pattern.empty()) return w;
  // The pattern's own literals, from a filter of it alone: when that filter does not pass
  // every text (it did not reduce to "always"), every string matching the pattern contains
  // one of them, and so does every match.
  re2::FilteredRE2 own(3);
  int id = -1;
  if (own.Add(pattern, options, &id) != RE2::NoError) return w;
  std::vector<std::string> atoms;
  own.Compile(&atoms);
  std::vector<int> none, always;
  own.AllPotentials(none, &always);
  if (atoms.empty() || !always.empty()) return w;
  std::vector<uint8_t> is_literal(strings.size(), 0);
  for (const std::string& a : atoms) {
    auto it = std::find(strings.begin(), strings.end(), a);
    if (!IsAscii(a) || it == strings.end()) return w;  // not searched for: no windows
    is_literal[static_cast<size_t>(it - strings.begin())] = 1;
  }
  w.max_bytes = *bound;
  w.is_literal = std::move(is_literal);
  return w;
}

bool LiteralFilter::Matches(size_t pattern, const RE2& re, std::string_view text,
                            const Found& found) const {
  const Window& w = windows_[pattern];
  re2::StringPiece input(text.data(), text.size());
  if (w.is_literal.empty()) return re.Match(input, 0, input.size(), RE2::UNANCHORED, nullptr, 0);
  // Windows [end - L, start + L) around each occurrence, merged. RE2 searches a window with
  // the whole text as context, so a match found there is a match of the text.
  thread_local std::vector<std::pair<size_t, size_t>> spans;
  Windows(found, w.is_literal, w.max_bytes, text.size(), spans);
  for (const auto& [b, e] : spans) {
    if (re.Match(input, b, e, RE2::UNANCHORED, nullptr, 0)) return true;
  }
  return false;
}

void LiteralFilter::Windows(const Found& found, const std::vector<uint8_t>& is_string, size_t reach,
                            size_t text_size, std::vector<std::pair<size_t, size_t>>& out) const {
  out.clear();
  for (const LiteralMatcher::Occurrence& o : found.at) {
    if (!is_string[o.string]) continue;
    const size_t end = o.end, start = end - string_length_[o.string];
    out.emplace_back(end > reach ? end - reach : 0, std::min(text_size, start + reach));
  }
  std::sort(out.begin(), out.end());
  size_t merged = 0;
  for (size_t k = 0; k < out.size();) {
    size_t b = out[k].first, e = out[k].second;
    for (++k; k < out.size() && out[k].first <= e; ++k) e = std::max(e, out[k].second);
    out[merged++] = {b, e};
  }
  out.resize(merged);
}

LiteralMatcher::LiteralMatcher(const std::vector<std::string>& strings)
    : byte_class_(256, 0), string_count_(strings.size()) {
  for (const std::string& str : strings) max_length_ = std::max(max_length_, str.size());
  // Bytes that occur in no string share class 0 (they send every state back to the root).
  std::array<bool, 256> used{};
  for (const std::string& s : strings) {
    for (char c : s) used[static_cast<unsigned char>(c)] = true;
  }
  size_t used_classes = 1;
  for (int b = 0; b < 256; ++b) {
    if (used[b]) byte_class_[b] = static_cast<uint8_t>(used_classes++);
  }
  // A power of two, so a premultiplied state divides back by a shift.
  while ((size_t{1} << shift_) < used_classes) ++shift_;
  classes_ = size_t{1} << shift_;
  // The trie: goto[state][class], 0 = none (the root is never a goto target).
  std::vector<std::vector<uint32_t>> go(1, std::vector<uint32_t>(classes_, 0));
  out_.assign(1, {});
  for (size_t k = 0; k < strings.size(); ++k) {
    uint32_t s = 0;
    for (char c : strings[k]) {
      uint8_t cls = byte_class_[static_cast<unsigned char>(c)];
      if (go[s][cls] == 0) {
        go[s][cls] = static_cast<uint32_t>(go.size());
        go.emplace_back(classes_, 0);
        out_.emplace_back();
      }
      s = go[s][cls];
    }
    out_[s].push_back(static_cast<uint32_t>(k));  // an empty string ends at the root
  }
  // Breadth first: failure links, merged outputs and the full transition table.
  const size_t states = go.size();
  std::vector<uint32_t> fail(states, 0);
  next_.assign(states * classes_, 0);
  std::deque<uint32_t> queue;
  for (size_t c = 0; c < classes_; ++c) {
    uint32_t t = c == 0 ? 0 : go[0][c];
    next_[c] = t;
    if (t != 0) queue.push_back(t);
  }
  while (!queue.empty()) {
    uint32_t s = queue.front();
    queue.pop_front();
    const std::vector<uint32_t>& inherited = out_[fail[s]];
    out_[s].insert(out_[s].end(), inherited.begin(), inherited.end());
    for (size_t c = 0; c < classes_; ++c) {
      uint32_t t = c == 0 ? 0 : go[s][c];
      if (t != 0) {
        fail[t] = next_[fail[s] * classes_ + c];
        queue.push_back(t);
        next_[s * classes_ + c] = t;
      } else {
        next_[s * classes_ + c] = next_[fail[s] * classes_ + c];
      }
    }
  }
  // Premultiplied targets with the "reports" flag, so the scan loop does one load per byte.
  for (uint32_t& t : next_) t = (t << shift_) | (out_[t].empty() ? 0 : kReports);
}

void LiteralMatcher::Find(std::string_view text, std::vector<uint8_t>& found,
                          std::vector<Occurrence>* at) const {
  for (uint32_t k : out_[0]) found[k] = 1;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const uint8_t* cls = byte_class_.data();
  const uint32_t* next = next_.data();
  // `s` is the state after the byte at `pos`.
  auto report = [&](uint32_t& s, size_t pos) {
    if (s & kReports) {
      s &= ~kReports;
      for (uint32_t k : out_[s >> shift_]) {
        found[k] = 1;
        if (at) at->push_back({k, static_cast<uint32_t>(pos + 1)});
      }
    }
  };
  // Each step waits for the previous state, so four parts of the text are walked side by side
  // (four independent chains). A part reaches max_length_ - 1 bytes into the next one, so
  // every occurrence lies wholly inside one part.
  constexpr size_t kLanes = 4;  // the loop below names its four chains
  const size_t n = text.size();
  const size_t part = n / kLanes;
  const size_t reach = max_length_ > 0 ? max_length_ - 1 : 0;
  if (part > reach) {
    std::array<uint32_t, kLanes> s{};
    std::array<size_t, kLanes> begin{}, length{};
    for (size_t l = 0; l < kLanes; ++l) {
      begin[l] = l * part;
      length[l] = l + 1 < kLanes ? part + reach : n - begin[l];
    }
    const size_t common = *std::min_element(length.begin(), length.end());
    // The four states live in registers (an array indexed in a loop was kept in memory,
    // which put a store and a reload into every step of every chain).
    uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    const unsigned char *p0 = p + begin[0], *p1 = p + begin[1], *p2 = p + begin[2],
                        *p3 = p + begin[3];
    for (size_t i = 0; i < common; ++i) {
      s0 = next[s0 + cls[p0[i]]];
      s1 = next[s1 + cls[p1[i]]];
      s2 = next[s2 + cls[p2[i]]];
      s3 = next[s3 + cls[p3[i]]];
      if ((s0 | s1 | s2 | s3) & kReports) {
        report(s0, begin[0] + i);
        report(s1, begin[1] + i);
        report(s2, begin[2] + i);
        report(s3, begin[3] + i);
      }
    }
    s = {s0, s1, s2, s3};
    for (size_t l = 0; l < kLanes; ++l) {
      for (size_t i = common; i < length[l]; ++i) {
        s[l] = next[s[l] + cls[p[begin[l] + i]]];
        report(s[l], begin[l] + i);
      }
    }
    return;
  }
  uint32_t s = 0;
  for (size_t i = 0; i < n; ++i) {
    s = next[s + cls[p[i]]];
    report(s, i);
  }
}

std::unique_ptr<LiteralFilter> LiteralFilter::Build(const std::vector<std::string>& patterns,
                                                            const std::vector<std::string>& extra,
                                                            const RE2::Options& options,
                                                            bool windows) {
  std::unique_ptr<LiteralFilter> f(new LiteralFilter);
  f->record_ = windows;
  for (size_t i = 0; i < patterns.size(); ++i) {
    if (patterns[i].empty()) continue;
    int id = -1;
    if (f->filtered_.Add(patterns[i], options, &id) != RE2::NoError) {
      f->always_patterns_.push_back(static_cast<int>(i));  // e.g. too big on its own: not filtered
      continue;
    }
    f->filter_index_.push_back(static_cast<int>(i));
  }
  std::vector<std::string> atoms;
  if (!f->filter_index_.empty()) f->filtered_.Compile(&atoms);
  std::vector<std::string> strings;
  for (size_t a = 0; a < atoms.size(); ++a) {
    if (IsAscii(atoms[a])) {
      strings.push_back(atoms[a]);
      f->string_atom_.push_back(static_cast<int>(a));
    } else {
      f->always_atoms_.push_back(static_cast<int>(a));
    }
  }
  f->extra_base_ = strings.size();
  for (const std::string& e : extra) {
    strings.push_back(e);
    f->string_atom_.push_back(-1);
  }
  f->matcher_ = std::make_unique<LiteralMatcher>(strings);
  for (const std::string& str : strings) f->string_length_.push_back(str.size());
  f->windows_.resize(patterns.size());
  if (windows) {
    for (size_t i = 0; i < patterns.size(); ++i) f->windows_[i] = MakeWindow(patterns[i], strings, options);
  }
  return f;
}

void LiteralFilter::Scan(std::string_view text, Found& found) const {
  found.strings.assign(matcher_->size(), 0);
  found.at.clear();
  matcher_->Find(text, found.strings, record_ ? &found.at : nullptr);
  found.atoms = always_atoms_;
  for (size_t k = 0; k < extra_base_; ++k) {
    if (found.strings[k]) found.atoms.push_back(string_atom_[k]);
  }
}

void LiteralFilter::Candidates(Found& found, std::vector<int>& out) const {
  out = always_patterns_;
  if (filter_index_.empty()) return;
  thread_local std::vector<int> ids;
  filtered_.AllPotentials(found.atoms, &ids);
  for (int id : ids) out.push_back(filter_index_[static_cast<size_t>(id)]);
  std::sort(out.begin(), out.end());
}

}  // namespace reagent::sanitizer_internal
