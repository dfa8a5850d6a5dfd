#include "reagent/tools/time_zone.h"

#include <algorithm>
#include <fstream>
#include <iterator>

namespace reagent {
namespace {

constexpr int64_t kSecondsPerDay = 86400;
constexpr std::size_t kTzifHeaderBytes = 44;
constexpr std::size_t kMaxZoneFileBytes = 1 << 20;  // real TZif files are a few KB

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

class Reader {
 public:
  explicit Reader(std::string_view data) : d_(data) {}
  bool Has(std::size_t n) const { return pos_ + n <= d_.size(); }
  int64_t Be(int bytes) {
    int64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(d_[pos_++]);
    if (bytes == 4) v = static_cast<int32_t>(static_cast<uint32_t>(v));
    return v;
  }
  uint8_t Byte() { return static_cast<uint8_t>(d_[pos_++]); }
  void Skip(std::size_t n) { pos_ += n; }
  std::size_t pos() const { return pos_; }
  std::string_view Rest() const { return d_.substr(pos_); }

 private:
  std::string_view d_;
  std::size_t pos_ = 0;
};

bool ValidZoneName(std::string_view name) {
  if (name.empty() || name.size() > 255 || name.front() == '/' || name.find("..") != std::string_view::npos) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '+' || c == '/';
  });
}

// [+-]hh[:mm[:ss]] → seconds; advances s.
bool ParseHms(std::string_view& s, int32_t& out) {
  int sign = 1;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    sign = s[0] == '-' ? -1 : 1;
    s.remove_prefix(1);
  }
  int32_t parts[3] = {0, 0, 0};
  for (int i = 0; i < 3; ++i) {
    if (i > 0) {
      if (s.empty() || s[0] != ':') break;
      s.remove_prefix(1);
    }
    int digits = 0;
    while (!s.empty() && s[0] >= '0' && s[0] <= '9' && digits < 3) {
      parts[i] = parts[i] * 10 + (s[0] - '0');
      s.remove_prefix(1);
      ++digits;
    }
    if (digits == 0) return false;
  }
  out = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
  return true;
}

bool ParseAbbreviation(std::string_view& s, std::string& out) {
  if (!s.empty() && s[0] == '<') {
    auto close = s.find('>');
    if (close == std::string_view::npos) return false;
    out = std::string(s.substr(1, close - 1));
    s.remove_prefix(close + 1);
    return !out.empty();
  }
  std::size_t n = 0;
  while (n < s.size() && ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z'))) ++n;
  if (n < 3) return false;
  out = std::string(s.substr(0, n));
  s.remove_prefix(n);
  return true;
}

}  // namespace

CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2), month, day};
}

TimeZone TimeZone::Utc() {
  TimeZone tz;
  tz.name_ = "UTC";
  tz.types_.push_back({0, false, "UTC"});
  return tz;
}

bool TimeZone::ParseRule(std::string_view s, Rule& rule) {
  int32_t offset;
  if (!ParseAbbreviation(s, rule.std_type.abbreviation) || !ParseHms(s, offset)) return false;
  rule.std_type.utc_offset_s = -offset;  // POSIX offsets count west of Greenwich
  if (s.empty()) return rule.valid = true;
  if (!ParseAbbreviation(s, rule.dst_type.abbreviation)) return false;
  rule.has_dst = true;
  rule.dst_type.is_dst = true;
  rule.dst_type.utc_offset_s = rule.std_type.utc_offset_s + 3600;
  if (!s.empty() && s[0] != ',') {
    if (!ParseHms(s, offset)) return false;
    rule.dst_type.utc_offset_s = -offset;
  }
  auto parse_date = [&](RuleDate& d) {
    // Only the Mm.w.d form: every zone in the tz database uses it.
    if (s.size() < 2 || s[0] != ',' || s[1] != 'M') return false;
    s.remove_prefix(2);
    int* fields[3] = {&d.month, &d.week, &d.weekday};
    for (int i = 0; i < 3; ++i) {
      if (i > 0) {
        if (s.empty() || s[0] != '.') return false;
        s.remove_prefix(1);
      }
      if (s.empty() || s[0] < '0' || s[0] > '9') return false;
      *fields[i] = 0;
      while (!s.empty() && s[0] >= '0' && s[0] <= '9') {
        *fields[i] = *fields[i] * 10 + (s[0] - '0');
        s.remove_prefix(1);
      }
    }
    if (!s.empty() && s[0] == '/' && (s.remove_prefix(1), !ParseHms(s, d.time_s))) return false;
    return d.month >= 1 && d.month <= 12 && d.week >= 1 && d.week <= 5 && d.weekday <= 6;
  };
  if (!parse_date(rule.start) || !parse_date(rule.end) || !s.empty()) return false;
  return rule.valid = true;
}

Result<TimeZone> TimeZone::Load(std::string_view name, const std::string& zoneinfo_dir) {
  if (name == "UTC" || name == "Etc/UTC" || name == "Z") return Utc();
  if (!ValidZoneName(name)) return Status::InvalidArgument("\"" + std::string(name) + "\" is not a time zone name (like Europe/Paris)");
  const std::string path = zoneinfo_dir + "/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("unknown time zone \"" + std::string(name) + "\"");
  std::string data;
  data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (data.size() > kMaxZoneFileBytes || data.size() < kTzifHeaderBytes || data.compare(0, 4, "TZif") != 0)
    return Status::NotFound("unknown time zone \"" + std::string(name) + "\"");
  const Status corrupt = Status::DataLoss("zoneinfo file for \"" + std::string(name) + "\" is corrupt");

  Reader r(data);
  auto read_header = [&](int64_t counts[6]) {
    r.Skip(4);
    const char version = static_cast<char>(r.Byte());
    r.Skip(15);
    for (int i = 0; i < 6; ++i) counts[i] = r.Be(4);
    return version;
  };
  int64_t c[6];  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  const char version = read_header(c);
  int time_bytes = 4;
  if (version >= '2') {
    const int64_t v1 = c[3] * 5 + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
    if (!r.Has(static_cast<std::size_t>(v1) + kTzifHeaderBytes)) return corrupt;
    r.Skip(static_cast<std::size_t>(v1));
    read_header(c);
    time_bytes = 8;
  }
  for (int i = 0; i < 6; ++i)
    if (c[i] < 0 || c[i] > 100000) return corrupt;
  const int64_t need = c[3] * (time_bytes + 1) + c[4] * 6 + c[5] + c[2] * (time_bytes + 4) + c[1] + c[0];
  if (!r.Has(static_cast<std::size_t>(need)) || c[4] == 0) return corrupt;

  TimeZone tz;
  tz.name_ = std::string(name);
  for (int64_t i = 0; i < c[3]; ++i) tz.transitions_.push_back(r.Be(time_bytes));
  for (int64_t i = 0; i < c[3]; ++i) {
    tz.transition_types_.push_back(r.Byte());
    if (tz.transition_types_.back() >= c[4]) return corrupt;
  }
  std::vector<std::pair<int32_t, std::pair<bool, uint8_t>>> raw_types;
  for (int64_t i = 0; i < c[4]; ++i) {
    const auto off = static_cast<int32_t>(r.Be(4));
    const bool dst = r.Byte() != 0;
    raw_types.push_back({off, {dst, r.Byte()}});
  }
  const std::string_view chars = std::string_view(data).substr(r.pos(), static_cast<std::size_t>(c[5]));
  for (const auto& [off, rest] : raw_types) {
    const auto [dst, idx] = rest;
    if (idx >= chars.size()) return corrupt;
    const auto end = chars.find('\0', idx);
    tz.types_.push_back({off, dst, std::string(chars.substr(idx, end == std::string_view::npos ? end : end - idx))});
  }
  r.Skip(static_cast<std::size_t>(c[5] + c[2] * (time_bytes + 4) + c[1] + c[0]));
  if (version >= '2') {
    std::string_view footer = r.Rest();
    if (footer.size() >= 2 && footer[0] == '\n') {
      footer.remove_prefix(1);
      footer = footer.substr(0, footer.find('\n'));
      Rule rule;
      if (!footer.empty() && ParseRule(footer, rule)) tz.rule_ = rule;
    }
  }
  return tz;
}

LocalTimeInfo TimeZone::FromRule(int64_t t) const {
  const Rule& r = rule_;
  if (!r.has_dst) return {r.std_type.utc_offset_s, false, r.std_type.abbreviation};
  const int64_t year = CivilFromDays(FloorDiv(t + r.std_type.utc_offset_s, kSecondsPerDay)).year;
  auto change_utc = [&](const RuleDate& d, int32_t offset_before) {
    const int64_t first = DaysFromCivil(year, d.month, 1);
    const int first_weekday = static_cast<int>(((first % 7) + 7 + 4) % 7);  // 1970-01-01 was a Thursday
    int64_t day = first + (d.weekday - first_weekday + 7) % 7 + (d.week - 1) * 7;
    const int64_t next_month = d.month == 12 ? DaysFromCivil(year + 1, 1, 1) : DaysFromCivil(year, d.month + 1, 1);
    while (day >= next_month) day -= 7;  // week 5 means "the last"
    return day * kSecondsPerDay + d.time_s - offset_before;
  };
  const int64_t start = change_utc(r.start, r.std_type.utc_offset_s);
  const int64_t end = change_utc(r.end, r.dst_type.utc_offset_s);
  const bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
  const Type& type = dst ? r.dst_type : r.std_type;
  return {type.utc_offset_s, type.is_dst, type.abbreviation};
}

LocalTimeInfo TimeZone::Lookup(int64_t t) const {
  if (!transitions_.empty() && t >= transitions_.back() && rule_.valid) return FromRule(t);
  if (transitions_.empty() && rule_.valid) return FromRule(t);
  const Type* type = &types_.front();
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t);
  if (it != transitions_.begin()) type = &types_[transition_types_[static_cast<std::size_t>(it - transitions_.begin() - 1)]];
  return {type->utc_offset_s, type->is_dst, type->abbreviation};
}

}  // namespace reagent
