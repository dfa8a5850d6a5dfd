// Test helper: two scan results are the same, field by field (findings with their offsets and
// weights), reported with the text they came from.
#pragma once

#include <gtest/gtest.h>

#include <string_view>

#include "reagent/sanitizer/sanitizer.h"

namespace reagent {

inline void ExpectSameScan(const ScanResult& a, const ScanResult& b, std::string_view text) {
  ASSERT_EQ(a.verdict, b.verdict) << text;
  ASSERT_EQ(a.score, b.score) << text;
  ASSERT_EQ(a.cleaned, b.cleaned) << text;
  ASSERT_EQ(a.categories, b.categories) << text;
  ASSERT_EQ(a.findings.size(), b.findings.size()) << text;
  for (size_t f = 0; f < a.findings.size(); ++f) {
    ASSERT_EQ(a.findings[f].rule, b.findings[f].rule) << text;
    ASSERT_EQ(a.findings[f].start, b.findings[f].start) << text;
    ASSERT_EQ(a.findings[f].end, b.findings[f].end) << text;
    ASSERT_EQ(a.findings[f].weight, b.findings[f].weight) << text;
  }
}

}  // namespace reagent
