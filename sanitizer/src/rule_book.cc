#include "rule_book.h"

#include <new>
#include <utility>

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

Status RuleBook::Add(const Json& doc, std::string_view where) {
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
  for (const Json& r : doc.at("rules")) REAGENT_RETURN_IF_ERROR(AddRule(r, where));
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
  categories_.push_back(std::move(c));
  return Status::Ok();
}

Status RuleBook::AddRule(const Json& j, std::string_view where) {
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
  // Each pattern is compiled once here to report a bad rule now; the RE2 that locates its
  // matches is built on first use.
  const RE2::Options opts = RuleOptions(kRuleMaxMem);
  auto lazy = [&](const std::string& pattern, const char* label,
                  std::unique_ptr<LazyRegex>& out) -> Status {
    if (pattern.empty()) return Status::Ok();
    if (RE2 re(pattern, opts); !re.ok()) {
      return Bad(where, what, std::string(label) + " does not compile: " + re.error());
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

Status RuleBook::Compile(int64_t max_mem) {
  max_mem_ = max_mem;
  RE2::Options opts = RuleOptions(max_mem);
  folded_set_ = std::make_unique<RE2::Set>(opts, RE2::UNANCHORED);
  squeezed_set_ = std::make_unique<RE2::Set>(opts, RE2::UNANCHORED);
  folded_rules_.clear();
  squeezed_rules_.clear();
  for (size_t i = 0; i < rules_.size(); ++i) {
    std::string error;
    if (!rules_[i].pattern.empty()) {
      if (folded_set_->Add(rules_[i].pattern, &error) < 0) {
        return Status::InvalidArgument("rule \"" + rules_[i].id + "\": " + error);
      }
      folded_rules_.push_back(i);
    }
    if (!rules_[i].squeezed_pattern.empty()) {
      if (squeezed_set_->Add(rules_[i].squeezed_pattern, &error) < 0) {
        return Status::InvalidArgument("rule \"" + rules_[i].id + "\": " + error);
      }
      squeezed_rules_.push_back(i);
    }
  }
  // An empty RE2::Set does not compile; a never-matching pattern keeps indices aligned.
  if (folded_rules_.empty()) folded_set_->Add("[^\\x00-\\x{10FFFF}]", nullptr);
  if (squeezed_rules_.empty()) squeezed_set_->Add("[^\\x00-\\x{10FFFF}]", nullptr);
  if (!folded_set_->Compile() || !squeezed_set_->Compile()) {
    return Status::ResourceExhausted("the rule set does not fit in regex_max_mem");
  }
  return Status::Ok();
}

}  // namespace reagent::sanitizer_internal
