// What Sanitizer hides behind its pointer, shared by scan.cc (Scan, scoring) and
// spotlight.cc (Wrap).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reagent/sanitizer/sanitizer.h"
#include "learned_model.h"
#include "rule_book.h"
#include "text_views.h"

namespace reagent {

namespace sanitizer_internal {

// A rule match located in the original text.
struct Hit {
  size_t rule;                 // index into RuleBook::rules()
  uint32_t start, end;         // original bytes
  bool disguised = false;      // lookalikes, invisible characters or spacing tricks inside
  bool from_payload = false;   // found in a decoded base64/hex/URL/tag-character block
};

}  // namespace sanitizer_internal

struct Sanitizer::Impl {
  SanitizerOptions options;
  std::shared_ptr<const sanitizer_internal::RuleBook> book;  // shared by equal rule lists
  const sanitizer_internal::LearnedModel* model = nullptr;   // null: learned layer off

  // Runs both sets over `views` and locates the matches. `direct_only` skips the squeezed
  // view. False when RE2 failed (out of memory): the caller must fail closed.
  bool Match(const sanitizer_internal::TextViews& views, bool direct_only,
             std::vector<sanitizer_internal::Hit>& hits) const;
};

}  // namespace reagent
