#include "reagent/tools/builtin_tools.h"

#include <cstdio>

#include "reagent/tools/calculator.h"
#include "reagent/tools/time_zone.h"

namespace reagent {
namespace {

using nlohmann::json;

constexpr const char* kWeekdays[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};

// "2025-01-01T01:00:00+01:00" and the weekday for a local time (UTC seconds + offset).
std::pair<std::string, std::string> FormatLocal(int64_t unix_seconds, int32_t offset_s) {
  const int64_t local = unix_seconds + offset_s;
  const int64_t days = local / 86400 - (local % 86400 < 0);
  const int64_t secs = local - days * 86400;
  const int weekday = static_cast<int>(((days % 7) + 7 + 4) % 7);  // 1970-01-01 was a Thursday
  const CivilDate date = CivilFromDays(days);
  const int64_t y = date.year, m = date.month, d = date.day;
  const int32_t abs_off = offset_s < 0 ? -offset_s : offset_s;
  char buf[160];  // generous: the compiler cannot bound every field's width
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld%c%02d:%02d", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d), static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60), offset_s < 0 ? '-' : '+',
                abs_off / 3600, abs_off / 60 % 60);
  return {buf, kWeekdays[weekday]};
}

class CalculatorTool final : public Tool {
 public:
  CalculatorTool()
      : Tool({.name = "calculator",
              .description = "Evaluates an arithmetic expression: + - * / ^ %, parentheses, sqrt, log, exp, sin, cos, "
                             "abs, round, min, max, pi, e. Use it for any arithmetic instead of computing in your head.",
              .parameters = json::parse(R"json({"type":"object","properties":{"expression":{"type":"string",
                  "description":"the expression, e.g. (17*23)^2 / sqrt(2)"}},"required":["expression"]})json"),
              .limits = {.timeout = Duration::zero()}}) {}

 protected:
  ToolResult Run(const json& args, const ToolContext&) override {
    const auto& expr = args["expression"].get_ref<const std::string&>();
    Result<double> v = EvaluateExpression(expr);
    if (!v.ok()) return ToolResult::Error(tool_error::kFailed, "cannot evaluate \"" + expr + "\": " + v.status().message());
    ToolResult r = ToolResult::Text(FormatCalculatorNumber(*v));
    r.structured = json{{"result", *v}};
    return r;
  }
};

class CurrentTimeTool final : public Tool {
 public:
  explicit CurrentTimeTool(CurrentTimeOptions options)
      : Tool({.name = "current_time",
              .description = "Tells the current date and time, in a given IANA time zone (e.g. Europe/Paris) or " +
                             options.default_time_zone + ".",
              .parameters = json::parse(R"({"type":"object","properties":{"time_zone":{"type":"string",
                  "description":"IANA time zone name, e.g. America/New_York"}}})"),
              .limits = {.timeout = Duration::zero()}}),
        options_(std::move(options)) {}

 protected:
  ToolResult Run(const json& args, const ToolContext& ctx) override {
    const std::string zone_name = args.value("time_zone", options_.default_time_zone);
    Result<TimeZone> zone = TimeZone::Load(zone_name, options_.zoneinfo_dir);
    if (!zone.ok()) return ToolResult::Error(tool_error::kFailed, zone.status().message());
    Clock* clock = ctx.clock ? ctx.clock : options_.clock ? options_.clock : &SystemClock::Default();
    const auto unix_s = static_cast<int64_t>(
        std::chrono::floor<std::chrono::seconds>(clock->WallNow().time_since_epoch()).count());
    const LocalTimeInfo info = zone->Lookup(unix_s);
    auto [iso, weekday] = FormatLocal(unix_s, info.utc_offset_s);
    ToolResult r = ToolResult::Text(iso + " (" + weekday + ", " + zone->name() + ", " + info.abbreviation + ")");
    r.structured = json{{"iso", iso}, {"unix", unix_s}, {"time_zone", zone->name()},
                        {"abbreviation", info.abbreviation}, {"utc_offset_s", info.utc_offset_s}, {"weekday", weekday}};
    return r;
  }

 private:
  CurrentTimeOptions options_;
};

}  // namespace

std::shared_ptr<Tool> MakeCalculatorTool() { return std::make_shared<CalculatorTool>(); }

std::shared_ptr<Tool> MakeCurrentTimeTool(CurrentTimeOptions options) {
  return std::make_shared<CurrentTimeTool>(std::move(options));
}

std::vector<std::string> BuiltinToolNames() { return {"calculator", "current_time", "read_file", "list_dir"}; }

Result<std::shared_ptr<Tool>> MakeBuiltinTool(std::string_view name, const BuiltinToolOptions& options) {
  if (name == "calculator") return MakeCalculatorTool();
  if (name == "current_time") return MakeCurrentTimeTool(options.time);
  if (name == "read_file") return MakeReadFileTool(options.files);
  if (name == "list_dir") return MakeListDirTool(options.files);
  return Status::NotFound("no built-in tool \"" + std::string(name) + "\" (built-ins: calculator, current_time, read_file, list_dir)");
}

}  // namespace reagent
