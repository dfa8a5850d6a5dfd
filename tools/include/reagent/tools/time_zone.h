// Time zones by IANA name ("Europe/Paris"), read from the system's compiled zoneinfo files
// (TZif, RFC 8536). libstdc++ 12 has no C++20 std::chrono::tzdb, and the POSIX route
// (setenv("TZ") + localtime_r) mutates the process environment, which races with every other
// thread that reads it; so reagent parses the TZif file itself: transitions for the past,
// the file's POSIX TZ footer rule ("CET-1CEST,M3.5.0,M10.5.0/3") for times after the last one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "reagent/core/status.h"

namespace reagent {

// A proleptic Gregorian date.
struct CivilDate {
  int64_t year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};
// The date `days` days after 1970-01-01 (negative: before), H. Hinnant's civil_from_days.
CivilDate CivilFromDays(int64_t days);

struct LocalTimeInfo {
  int32_t utc_offset_s = 0;   // local = UTC + offset
  bool is_dst = false;
  std::string abbreviation;   // "CET", "CEST", "UTC"
};

// Immutable after Load; thread-safe to share.
class TimeZone {
 public:
  // UTC, without touching the file system.
  static TimeZone Utc();

  // Loads zoneinfo_dir/name. The name must look like an IANA zone ("UTC", "Europe/Paris",
  // "America/Argentina/Buenos_Aires", "Etc/GMT+5"): letters, digits, '_', '-', '+', '/', no
  // "..", not absolute. NotFound when there is no such zone; DataLoss when the file is not TZif.
  static Result<TimeZone> Load(std::string_view name, const std::string& zoneinfo_dir = "/usr/share/zoneinfo");

  const std::string& name() const { return name_; }

  // The offset in effect at a Unix time (seconds).
  LocalTimeInfo Lookup(int64_t unix_seconds) const;

 private:
  struct Type {
    int32_t utc_offset_s = 0;
    bool is_dst = false;
    std::string abbreviation;
  };
  // A POSIX TZ rule date: month (1-12), week (1-5; 5 = last), weekday (0 = Sunday), and the
  // local time of the change in seconds.
  struct RuleDate {
    int month = 0, week = 0, weekday = 0;
    int32_t time_s = 7200;
  };
  struct Rule {
    bool valid = false;
    Type std_type, dst_type;
    bool has_dst = false;
    RuleDate start, end;
  };

  static bool ParseRule(std::string_view tz, Rule& rule);
  LocalTimeInfo FromRule(int64_t unix_seconds) const;

  std::string name_;
  std::vector<int64_t> transitions_;
  std::vector<uint8_t> transition_types_;
  std::vector<Type> types_;
  Rule rule_;
};

}  // namespace reagent
