// Prometheus metrics in the text exposition format (version 0.0.4): counters, gauges and
// histograms with labels, declared once and updated from any thread.
//
//   Metrics m;
//   m.DeclareCounter("reagent_turns_total", "Turns by stop reason.");
//   m.Add("reagent_turns_total", {{"stop_reason", "final_answer"}});
//   std::string page = m.Render();  // "# HELP reagent_turns_total ...\n# TYPE ... counter\n..."
//
// Label values are escaped; series appear in the order first seen. Updating an undeclared
// name is a programming error and is ignored.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace reagent::server {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
 public:
  void DeclareCounter(std::string name, std::string help);
  void DeclareGauge(std::string name, std::string help);
  // `bounds` are the upper bounds of the buckets, ascending; +Inf is added.
  void DeclareHistogram(std::string name, std::string help, std::vector<double> bounds);

  void Add(std::string_view name, const MetricLabels& labels, double value = 1);
  void Set(std::string_view name, const MetricLabels& labels, double value);
  void Observe(std::string_view name, const MetricLabels& labels, double value);

  // The current value of a counter or gauge series (0 when unseen); for tests.
  double Value(std::string_view name, const MetricLabels& labels) const;

  std::string Render() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Series {
    double value = 0;             // counter / gauge
    std::vector<double> buckets;  // histogram: cumulative counts per bound
    double sum = 0;
    double count = 0;
  };
  struct Family {
    std::string name, help;
    Type type = Type::kCounter;
    std::vector<double> bounds;
    std::vector<std::string> order;  // label strings in first-seen order
    std::map<std::string, Series, std::less<>> series;
  };

  Family* Find(std::string_view name);
  const Family* Find(std::string_view name) const;
  void Declare(std::string name, std::string help, Type type, std::vector<double> bounds);
  static Series& SeriesOf(Family& f, const std::string& labels);

  mutable std::mutex mu_;
  std::vector<Family> families_;
};

// {a="x",b="y"} with Prometheus escaping (\\, \", \n); "" for no labels.
std::string RenderLabels(const MetricLabels& labels);

}  // namespace reagent::server
