#include "metrics.h"

#include <gtest/gtest.h>

namespace reagent::server {
namespace {

TEST(MetricsTest, RendersCountersGaugesAndHistogramsInTheTextFormat) {
  Metrics m;
  m.DeclareCounter("t_total", "Turns.");
  m.DeclareGauge("open", "Open streams.");
  m.DeclareHistogram("lat_seconds", "Latency.", {0.1, 1});
  m.Add("t_total", {{"stop_reason", "final_answer"}});
  m.Add("t_total", {{"stop_reason", "final_answer"}}, 2);
  m.Add("t_total", {{"stop_reason", "blocked"}});
  m.Set("open", {}, 3);
  m.Observe("lat_seconds", {{"model", "a"}}, 0.05);
  m.Observe("lat_seconds", {{"model", "a"}}, 0.5);
  m.Observe("lat_seconds", {{"model", "a"}}, 5);
  EXPECT_EQ(m.Render(),
            "# HELP t_total Turns.\n# TYPE t_total counter\n"
            "t_total{stop_reason=\"final_answer\"} 3\nt_total{stop_reason=\"blocked\"} 1\n"
            "# HELP open Open streams.\n# TYPE open gauge\nopen 3\n"
            "# HELP lat_seconds Latency.\n# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{model=\"a\",le=\"0.1\"} 1\nlat_seconds_bucket{model=\"a\",le=\"1\"} 2\n"
            "lat_seconds_bucket{model=\"a\",le=\"+Inf\"} 3\nlat_seconds_sum{model=\"a\"} 5.55\n"
            "lat_seconds_count{model=\"a\"} 3\n");
  EXPECT_EQ(m.Value("t_total", {{"stop_reason", "final_answer"}}), 3);
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  EXPECT_EQ(RenderLabels({{"user", "a\"b\\c\nd"}}), "{user=\"a\\\"b\\\\c\\nd\"}");
  EXPECT_EQ(RenderLabels({}), "");
}

TEST(MetricsTest, UndeclaredNamesAndWrongTypesAreIgnored) {
  Metrics m;
  m.DeclareCounter("c", "C.");
  m.Add("nope", {});
  m.Set("c", {}, 5);  // not a gauge
  m.Observe("c", {}, 1);
  EXPECT_EQ(m.Render(), "# HELP c C.\n# TYPE c counter\n");
}

}  // namespace
}  // namespace reagent::server
