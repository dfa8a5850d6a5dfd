#include "rule_book.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <new>
#include <utility>

#include "match_length.h"
#include "text_views.h"

namespace reagent::sanitizer_internal {
namespace {

constexpr std::string_view kFormat = "reagent-sanitizer-rules/1";
// Memory budget of one rule's own RE2 (the sets get SanitizerOptions::regex_max_mem).
constexpr int64_t kRuleMaxMem = 8 << 20;
constexpr std::array<std::string_view, kSourceCount> kSourceNames = {"user", "tool", "history",
                                                                     "document"};

Status Bad(std::string_view where, std::string_view what, std::string_view detail) {
  return Status::InvalidArgument(std::string(where) + ": " + std::string(what) + ": " +
                                 std::string(detail));
}

// RE2's error for `re`, built from `pattern`, with the fragment it quotes cut to its first
// kQuotedBytes: RE2 quotes the rest of the pattern from the fault ("missing ): (((aaa…"), which
// for a large generated pattern is the whole pattern. Says where the fragment starts.
std::string CompileError(const RE2& re, const std::string& pattern) {
  constexpr size_t kQuotedBytes = 80;
  const std::string& arg = re.error_arg();
  std::string error = re.error();
  if (arg.size() <= kQuotedBytes || error.size() < arg.size() ||
      error.compare(error.size() - arg.size(), arg.size(), arg) != 0) {
    return error;
  }
  size_t cut = kQuotedBytes;
  while (cut > 0 && (static_cast<unsigned char>(arg[cut]) & 0xC0) == 0x80) --cut;  // whole characters
  error.resize(error.size() - arg.size());
  error += arg.substr(0, cut) + "… (" + std::to_string(arg.size()) + " bytes";
  if (size_t at = pattern.find(arg); at != std::string::npos) {
    error += " from byte " + std::to_string(at) + " of the pattern's " + std::to_string(pattern.size());
  }
  return error + ")";
}

Result<std::vector<std::string>> StringList(const Json& j, const char* key, std::string_view where,
                                            std::string_view what) {
  std::vector<std::string> out;
  if (!j.contains(key)) return out;
  const Json& list = j.at(key);
  if (!list.is_array()) return Bad(where, what, std::string("\"") + key + "\" must be an array");
  for (const Json& s : list) {
    if (!s.is_string()) return Bad(where, what, std::string("\"") + key + "\" holds a non-string");
    out.push_back(s.get<std::string>());
  }
  return out;
}

}  // namespace

const RE2* LazyRegex::Get() const {
  std::call_once(once_, [&] {
    try {
      auto re = std::make_unique<RE2>(pattern_, options_);
      if (re->ok()) re_ = std::move(re);
    } catch (const std::bad_alloc&) {
      // re_ stays null: the caller blocks the text
    }
  });
  return re_.get();
}

RE2::Options RuleOptions(int64_t max_mem) {
  RE2::Options o;
  o.set_log_errors(false);
  o.set_max_mem(max_mem);
  o.set_encoding(RE2::Options::EncodingUTF8);
  return o;
}

int RuleBook::FindCategory(std::string_view name) const {
  for (size_t i = 0; i < categories_.size(); ++i) {
    if (categories_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

bool RuleSet::Applies(const LiteralFilter& filter, const LiteralFilter::Found& found) const {
  if (gate.empty()) return true;
  return std::any_of(gate_literals.begin(), gate_literals.end(),
                     [&](size_t k) { return filter.Extra(found, k); });
}

bool RuleSet::Match(const LiteralFilter& filter, const LiteralFilter::Found& found, std::string_view text,
                    std::vector<int>& ids) const {
  ids.clear();
  RE2::Set::ErrorInfo error{};
  auto run = [&](std::string_view part, std::vector<int>& out) {
    return set->Match(re2::StringPiece(part.data(), part.size()), &out, &error) ||
           error.kind == RE2::Set::kNoError;
  };
  if (!window_bytes) return run(text, ids);
  thread_local std::vector<std::pair<size_t, size_t>> windows;
  thread_local std::vector<int> part_ids;
  filter.Windows(found, gate_strings, *window_bytes + 1, text.size(), windows);
  for (const auto& [b, e] : windows) {
    if (!run(text.substr(b, e - b), part_ids)) return false;
    ids.insert(ids.end(), part_ids.begin(), part_ids.end());
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return true;
}

namespace {

struct BookCache {
  std::mutex mu;
  std::map<std::string, std::weak_ptr<const RuleBook>> books;
  std::vector<std::shared_ptr<const RuleBook>> pinned;  // built-in only: kept for the process
  size_t compiled = 0;
};

BookCache& Cache() {
  static BookCache* cache = new BookCache;  // never destroyed: Sanitizers may outlive main
  return *cache;
}

}  // namespace

Result<std::shared_ptr<const RuleBook>> RuleBook::Shared(const std::vector<RuleSource>& sources,
                                                         int64_t max_mem) {
  std::string key = std::to_string(max_mem);
  bool all_trusted = true;
  for (const RuleSource& s : sources) {
    key += '\0';
    key += s.where;
    key += '\0';
    key += s.text;
    all_trusted &= s.trusted;
  }
  BookCache& cache = Cache();
  // Held while compiling, so two threads asking for the same new book compile it once.
  std::lock_guard<std::mutex> lock(cache.mu);
  if (auto it = cache.books.find(key); it != cache.books.end()) {
    if (auto book = it->second.lock()) return book;
  }
  auto book = std::make_shared<RuleBook>();
  for (const RuleSource& s : sources) {
    auto doc = ParseJson(s.text, s.where);
    if (!doc.ok()) return doc.status();
    REAGENT_RETURN_IF_ERROR(book->Add(*doc, s.where, s.trusted));
  }
  REAGENT_RETURN_IF_ERROR(book->Compile(max_mem));
  ++cache.compiled;
  std::shared_ptr<const RuleBook> shared = book;
  for (auto it = cache.books.begin(); it != cache.books.end();) {
    it = it->second.expired() ? cache.books.erase(it) : std::next(it);
  }
  cache.books[key] = shared;
  if (all_trusted) cache.pinned.push_back(shared);
  return shared;
}

size_t RuleBook::CompiledCount() {
  std::lock_guard<std::mutex> lock(Cache().mu);
  return Cache().compiled;
}

Status RuleBook::Add(const Json& doc, std::string_view where, bool trusted) {
  if (!doc.is_object()) return Bad(where, "document", "must be a JSON object");
  if (!doc.contains("format") || doc.at("format") != kFormat) {
    return Bad(where, "document", "\"format\" must be \"" + std::string(kFormat) + "\"");
  }
  if (doc.contains("categories")) {
    if (!doc.at("categories").is_array()) return Bad(where, "categories", "must be an array");
    for (const Json& c : doc.at("categories")) REAGENT_RETURN_IF_ERROR(AddCategory(c, where));
  }
  if (!doc.contains("rules") || !doc.at("rules").is_array()) {
    return Bad(where, "document", "\"rules\" must be an array");
  }
  for (const Json& r : doc.at("rules")) REAGENT_RETURN_IF_ERROR(AddRule(r, where, trusted));
  return Status::Ok();
}

Status RuleBook::AddCategory(const Json& j, std::string_view where) {
  if (!j.is_object() || !j.contains("name") || !j.at("name").is_string()) {
    return Bad(where, "category", "needs a string \"name\"");
  }
  Category c;
  c.name = j.at("name").get<std::string>();
  std::string what = "category \"" + c.name + "\"";
  if (FindCategory(c.name) >= 0) return Bad(where, what, "defined twice");
  if (j.contains("description") && j.at("description").is_string()) {
    c.description = j.at("description").get<std::string>();
  }
  if (j.contains("source_factors")) {
    const Json& f = j.at("source_factors");
    if (!f.is_object()) return Bad(where, what, "\"source_factors\" must be an object");
    for (auto it = f.begin(); it != f.end(); ++it) {
      size_t k = 0;
      while (k < kSourceCount && kSourceNames[k] != it.key()) ++k;
      if (k == kSourceCount) return Bad(where, what, "unknown source \"" + it.key() + "\"");
      if (!it.value().is_number() || it.value().get<double>() < 0 || it.value().get<double>() > 1) {
        return Bad(where, what, "source factor \"" + it.key() + "\" must be a number in [0,1]");
      }
      c.source_factor[k] = it.value().get<double>();
    }
  }
  if (j.contains("quoted_factor")) {
    const Json& q = j.at("quoted_factor");
    if (!q.is_number() || q.get<double>() < 0 || q.get<double>() > 1) {
      return Bad(where, what, "\"quoted_factor\" must be a number in [0,1]");
    }
    c.quoted_factor = q.get<double>();
  }
  for (auto [key, flag] : {std::pair{"redactable", &c.redactable}, std::pair{"attack", &c.attack}}) {
    if (!j.contains(key)) continue;
    if (!j.at(key).is_boolean()) return Bad(where, what, std::string("\"") + key + "\" must be true or false");
    *flag = j.at(key).get<bool>();
  }
  categories_.push_back(std::move(c));
  return Status::Ok();
}

Status RuleBook::AddRule(const Json& j, std::string_view where, bool trusted) {
  if (!j.is_object() || !j.contains("id") || !j.at("id").is_string()) {
    return Bad(where, "rule", "needs a string \"id\"");
  }
  Rule r;
  r.id = j.at("id").get<std::string>();
  std::string what = "rule \"" + r.id + "\"";
  for (const Rule& other : rules_) {
    if (other.id == r.id) return Bad(where, what, "id used twice");
  }
  if (!j.contains("category") || !j.at("category").is_string()) {
    return Bad(where, what, "needs a string \"category\"");
  }
  int cat = FindCategory(j.at("category").get<std::string>());
  if (cat < 0) return Bad(where, what, "unknown category \"" + j.at("category").get<std::string>() + "\"");
  r.category = static_cast<size_t>(cat);
  if (!j.contains("weight") || !j.at("weight").is_number()) {
    return Bad(where, what, "needs a number \"weight\"");
  }
  r.weight = j.at("weight").get<double>();
  if (!(r.weight > 0 && r.weight <= 1)) return Bad(where, what, "\"weight\" must be in (0,1]");
  if (j.contains("description") && j.at("description").is_string()) {
    r.description = j.at("description").get<std::string>();
  }
  if (j.contains("pattern") && !j.at("pattern").is_string()) {
    return Bad(where, what, "\"pattern\" must be a string");
  }
  if (j.contains("squeezed") && !j.at("squeezed").is_string()) {
    return Bad(where, what, "\"squeezed\" must be a string");
  }
  r.pattern = FoldPatternText(j.value("pattern", ""));
  r.squeezed_pattern = FoldPatternText(j.value("squeezed", ""));
  if (r.pattern.empty() && r.squeezed_pattern.empty()) {
    return Bad(where, what, "needs a \"pattern\" or a \"squeezed\" pattern");
  }
  auto gate = StringList(j, "gate", where, what);
  if (!gate.ok()) return gate.status();
  for (const std::string& g : *gate) {
    if (g.empty()) return Bad(where, what, "\"gate\" holds an empty string");
    r.gate.push_back(FoldPatternText(g));
  }
  if (!r.gate.empty() && r.pattern.empty()) return Bad(where, what, "a gate needs a \"pattern\"");
  if (j.contains("gate_in_match")) {
    if (!j.at("gate_in_match").is_boolean()) return Bad(where, what, "\"gate_in_match\" must be true or false");
    r.gate_in_match = j.at("gate_in_match").get<bool>();
    if (r.gate_in_match && r.gate.empty()) return Bad(where, what, "\"gate_in_match\" needs a \"gate\"");
  }
  // Unless the document is trusted (shipped with the library and checked by its tests), each
  // pattern is compiled once here to report a bad rule by name now; the RE2 that locates its
  // matches is built on first use.
  const RE2::Options opts = RuleOptions(kRuleMaxMem);
  auto lazy = [&](const std::string& pattern, const char* label,
                  std::unique_ptr<LazyRegex>& out) -> Status {
    if (pattern.empty()) return Status::Ok();
    if (!trusted) {
      if (RE2 re(pattern, opts); !re.ok()) {
        return Bad(where, what, std::string(label) + " does not compile: " + CompileError(re, pattern));
      }
    }
    out = std::make_unique<LazyRegex>(pattern, opts);
    return Status::Ok();
  };
  REAGENT_RETURN_IF_ERROR(lazy(r.pattern, "pattern", r.re));
  REAGENT_RETURN_IF_ERROR(lazy(r.squeezed_pattern, "squeezed pattern", r.squeezed_re));
  auto hits = StringList(j, "hit", where, what);
  if (!hits.ok()) return hits.status();
  auto misses = StringList(j, "miss", where, what);
  if (!misses.ok()) return misses.status();
  r.hits = std::move(*hits);
  r.misses = std::move(*misses);
  rules_.push_back(std::move(r));
  return Status::Ok();
}

namespace {

// A gate_in_match set's bound on the length of its matches (RuleSet::window_bytes): the
// longest of its patterns', assertions taken as zero width; none when a pattern has none.
std::optional<size_t> WindowBytes(const RuleSet& set, const std::vector<Rule>& rules) {
  if (!set.gate_in_match) return std::nullopt;
  size_t bound = 0;
  for (size_t r : set.rules) {
    auto n = MaxMatchBytes(rules[r].pattern, Assertions::kZeroWidth);
    if (!n) return std::nullopt;
    bound = std::max(bound, *n);
  }
  return bound;
}

}  // namespace

Status RuleBook::Compile(int64_t max_mem) {
  max_mem_ = max_mem;
  const RE2::Options opts = RuleOptions(max_mem);
  folded_sets_.clear();
  folded_sets_.emplace_back();  // the main set
  squeezed_set_ = std::make_unique<RE2::Set>(opts, RE2::UNANCHORED);
  squeezed_rules_.clear();
  auto add = [&](RE2::Set& set, const Rule& rule, const std::string& pattern) -> Status {
    std::string error;
    if (set.Add(pattern, &error) < 0) {
      return Status::InvalidArgument("rule \"" + rule.id + "\": " + error);
    }
    return Status::Ok();
  };
  for (size_t i = 0; i < rules_.size(); ++i) {
    const Rule& rule = rules_[i];
    if (!rule.pattern.empty()) {
      auto it = std::find_if(folded_sets_.begin(), folded_sets_.end(),
                             [&](const RuleSet& s) {
                               return s.gate == rule.gate && s.gate_in_match == rule.gate_in_match;
                             });
      if (it == folded_sets_.end()) {
        folded_sets_.push_back(RuleSet{rule.gate, rule.gate_in_match, nullptr, {}});
        it = folded_sets_.end() - 1;
      }
      if (!it->set) it->set = std::make_unique<RE2::Set>(opts, RE2::UNANCHORED);
      REAGENT_RETURN_IF_ERROR(add(*it->set, rule, rule.pattern));
      it->rules.push_back(i);
    }
    if (!rule.squeezed_pattern.empty()) {
      REAGENT_RETURN_IF_ERROR(add(*squeezed_set_, rule, rule.squeezed_pattern));
      squeezed_rules_.push_back(i);
    }
  }
  // An empty RE2::Set does not compile; a never-matching pattern keeps indices aligned.
  constexpr const char* kNever = "[^\\x00-\\x{10FFFF}]";
  if (!folded_sets_[0].set) folded_sets_[0].set = std::make_unique<RE2::Set>(opts, RE2::UNANCHORED);
  if (folded_sets_[0].rules.empty()) folded_sets_[0].set->Add(kNever, nullptr);
  if (squeezed_rules_.empty()) squeezed_set_->Add(kNever, nullptr);
  for (RuleSet& s : folded_sets_) {
    if (!s.set->Compile()) return Status::ResourceExhausted("the rule set does not fit in regex_max_mem");
  }
  if (!squeezed_set_->Compile()) {
    return Status::ResourceExhausted("the rule set does not fit in regex_max_mem");
  }
  // The prefilters: the gate strings for the folded views (the main set's patterns share too
  // many common words to rule much out, and trying its candidates one by one costs more than
  // the set), the squeezed patterns' literals for the squeezed view.
  std::vector<std::string> gate_strings, squeezed_patterns;
  for (size_t k = 1; k < folded_sets_.size(); ++k) {
    for (const std::string& g : folded_sets_[k].gate) {
      folded_sets_[k].gate_literals.push_back(gate_strings.size());
      gate_strings.push_back(g);
    }
  }
  for (size_t r : squeezed_rules_) squeezed_patterns.push_back(rules_[r].squeezed_pattern);
  const RE2::Options rule_opts = RuleOptions(kRuleMaxMem);
  // Where the gate strings are is recorded only when some set is searched around them.
  bool windowed = false;
  for (size_t k = 1; k < folded_sets_.size(); ++k) {
    folded_sets_[k].window_bytes = WindowBytes(folded_sets_[k], rules_);
    windowed = windowed || folded_sets_[k].window_bytes.has_value();
  }
  folded_filter_ = LiteralFilter::Build({}, gate_strings, rule_opts, windowed);
  for (RuleSet& s : folded_sets_) {
    if (!s.window_bytes) continue;
    s.gate_strings.assign(folded_filter_->strings(), 0);
    for (size_t g : s.gate_literals) s.gate_strings[folded_filter_->ExtraString(g)] = 1;
  }
  squeezed_filter_ = LiteralFilter::Build(squeezed_patterns, {}, rule_opts, /*windows=*/true);
  return Status::Ok();
}

}  // namespace reagent::sanitizer_internal
