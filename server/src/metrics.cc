#include "metrics.h"

#include <cmath>

#include <fmt/format.h>

namespace reagent::server {
namespace {

std::string Number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{}", v);
}

// Adds the le label to a rendered label string.
std::string WithLe(const std::string& labels, const std::string& le) {
  if (labels.empty()) return fmt::format("{{le=\"{}\"}}", le);
  return fmt::format("{},le=\"{}\"}}", labels.substr(0, labels.size() - 1), le);
}

}  // namespace

std::string RenderLabels(const MetricLabels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ',';
    out += labels[i].first;
    out += "=\"";
    for (char c : labels[i].second) {
      if (c == '\\') {
        out += "\\\\";
      } else if (c == '"') {
        out += "\\\"";
      } else if (c == '\n') {
        out += "\\n";
      } else {
        out += c;
      }
    }
    out += '"';
  }
  out += '}';
  return out;
}

void Metrics::Declare(std::string name, std::string help, Type type, std::vector<double> bounds) {
  std::lock_guard lock(mu_);
  Family f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  f.bounds = std::move(bounds);
  families_.push_back(std::move(f));
}

void Metrics::DeclareCounter(std::string name, std::string help) {
  Declare(std::move(name), std::move(help), Type::kCounter, {});
}
void Metrics::DeclareGauge(std::string name, std::string help) {
  Declare(std::move(name), std::move(help), Type::kGauge, {});
}
void Metrics::DeclareHistogram(std::string name, std::string help, std::vector<double> bounds) {
  Declare(std::move(name), std::move(help), Type::kHistogram, std::move(bounds));
}

Metrics::Family* Metrics::Find(std::string_view name) {
  for (auto& f : families_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}
const Metrics::Family* Metrics::Find(std::string_view name) const {
  for (const auto& f : families_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

Metrics::Series& Metrics::SeriesOf(Family& f, const std::string& labels) {
  auto it = f.series.find(labels);
  if (it != f.series.end()) return it->second;
  f.order.push_back(labels);
  Series& s = f.series[labels];
  s.buckets.assign(f.bounds.size(), 0);
  return s;
}

void Metrics::Add(std::string_view name, const MetricLabels& labels, double value) {
  const std::string key = RenderLabels(labels);
  std::lock_guard lock(mu_);
  if (Family* f = Find(name); f && f->type != Type::kHistogram) SeriesOf(*f, key).value += value;
}

void Metrics::Set(std::string_view name, const MetricLabels& labels, double value) {
  const std::string key = RenderLabels(labels);
  std::lock_guard lock(mu_);
  if (Family* f = Find(name); f && f->type == Type::kGauge) SeriesOf(*f, key).value = value;
}

void Metrics::Observe(std::string_view name, const MetricLabels& labels, double value) {
  const std::string key = RenderLabels(labels);
  std::lock_guard lock(mu_);
  Family* f = Find(name);
  if (!f || f->type != Type::kHistogram) return;
  Series& s = SeriesOf(*f, key);
  for (size_t i = 0; i < f->bounds.size(); ++i) {
    if (value <= f->bounds[i]) s.buckets[i] += 1;
  }
  s.sum += value;
  s.count += 1;
}

double Metrics::Value(std::string_view name, const MetricLabels& labels) const {
  const std::string key = RenderLabels(labels);
  std::lock_guard lock(mu_);
  const Family* f = Find(name);
  if (!f) return 0;
  auto it = f->series.find(key);
  return it == f->series.end() ? 0 : it->second.value;
}

std::string Metrics::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const Family& f : families_) {
    const char* type = f.type == Type::kCounter ? "counter" : f.type == Type::kGauge ? "gauge" : "histogram";
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", f.name, f.help, f.name, type);
    for (const std::string& labels : f.order) {
      const Series& s = f.series.at(labels);
      if (f.type != Type::kHistogram) {
        out += fmt::format("{}{} {}\n", f.name, labels, Number(s.value));
        continue;
      }
      for (size_t i = 0; i < f.bounds.size(); ++i) {
        out += fmt::format("{}_bucket{} {}\n", f.name, WithLe(labels, Number(f.bounds[i])), Number(s.buckets[i]));
      }
      out += fmt::format("{}_bucket{} {}\n", f.name, WithLe(labels, "+Inf"), Number(s.count));
      out += fmt::format("{}_sum{} {}\n", f.name, labels, Number(s.sum));
      out += fmt::format("{}_count{} {}\n", f.name, labels, Number(s.count));
    }
  }
  return out;
}

}  // namespace reagent::server
