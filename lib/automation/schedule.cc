// ScheduleExpression: reading cron(), rate(), at() and DLM intervals, and their firings.
#include "ami/automation/schedule.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "ami/errors.h"
#include "automation/cron.h"
#include "values/status_macros.h"
#include "values/text_util.h"

namespace ami {
namespace {

// AWS's own bounds: EventBridge Scheduler's ScheduleExpression (256) and
// ScheduleExpressionTimezone (50).
constexpr size_t kMaxExpressionBytes = 256;
constexpr size_t kMaxTimeZoneBytes = 50;

absl::Status Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidParameterValue, message);
}

// An IANA name: letters, digits, `_`, `+`, `-` and `/`-separated parts, none of them `.` or `..`.
bool PlausibleZoneName(absl::string_view name) {
  if (name.empty() || name.front() == '/' || name.back() == '/') return false;
  if (absl::StrContains(name, "..") || absl::StrContains(name, "//")) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '+' || c == '-' ||
           c == '/';
  });
}

absl::StatusOr<absl::TimeZone> LoadZone(absl::string_view name) {
  if (name.empty()) return absl::UTCTimeZone();
  absl::TimeZone zone;
  if (name.size() > kMaxTimeZoneBytes || !PlausibleZoneName(name) ||
      !absl::LoadTimeZone(std::string(name), &zone)) {
    return Invalid(absl::StrCat("unknown time zone `", name.substr(0, kMaxTimeZoneBytes + 1),
                                "`; give an IANA name such as `America/New_York`, or none for "
                                "UTC"));
  }
  return zone;
}

// The instant a local time fires at: none when a daylight-saving change skips it, its first
// occurrence when one repeats it (MC-81).
std::optional<absl::Time> FiringInstant(const absl::TimeZone& zone, absl::CivilSecond local) {
  const absl::TimeZone::TimeInfo info = zone.At(local);
  if (info.kind == absl::TimeZone::TimeInfo::SKIPPED) return std::nullopt;
  // For a repeated time `pre` (the offset before the change) is the earlier instant.
  return info.pre;
}

// Two digits at text[pos] as a number, or -1.
int TwoDigits(absl::string_view text, size_t pos) {
  if (pos + 2 > text.size()) return -1;
  const char a = text[pos];
  const char b = text[pos + 1];
  if (a < '0' || a > '9' || b < '0' || b > '9') return -1;
  return (a - '0') * 10 + (b - '0');
}

// "yyyy-mm-ddThh:mm:ss", years 1970-2199.
absl::StatusOr<absl::CivilSecond> ParseAtTime(absl::string_view text,
                                              absl::string_view expression) {
  const auto bad = [&](absl::string_view what) {
    return Invalid(absl::StrCat("at expression `", expression, "`: ", what));
  };
  int year = 0;
  if (text.size() != 19 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || !text_util::AllDigits(text.substr(0, 4)) ||
      !absl::SimpleAtoi(text.substr(0, 4), &year)) {
    return bad("the time is not yyyy-mm-ddThh:mm:ss");
  }
  const int month = TwoDigits(text, 5), day = TwoDigits(text, 8);
  const int hour = TwoDigits(text, 11), minute = TwoDigits(text, 14), second = TwoDigits(text, 17);
  if (year < internal::kCronFirstYear || year > internal::kCronLastYear) {
    return bad(absl::StrCat("the year `", text.substr(0, 4), "` is outside 1970-2199"));
  }
  if (month < 1 || month > 12)
    return bad(absl::StrCat("the month `", text.substr(5, 2), "` is outside 01-12"));
  if (day < 1 || day > internal::DaysInMonth(year, month)) {
    return bad(absl::StrCat("the day `", text.substr(8, 2), "` is not a day of that month"));
  }
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return bad(
        absl::StrCat("the time of day `", text.substr(11), "` is outside 00:00:00-23:59:59"));
  }
  return absl::CivilSecond(year, month, day, hour, minute, second);
}

// rate(N unit): N a positive number, unit singular exactly when N is 1.
absl::StatusOr<absl::Duration> ParseRate(absl::string_view body, absl::string_view expression) {
  const auto bad = [&](absl::string_view what) {
    return Invalid(absl::StrCat("rate expression `", expression, "`: ", what));
  };
  const size_t space = body.find(' ');
  if (space == absl::string_view::npos || body.find(' ', space + 1) != absl::string_view::npos) {
    return bad("it needs a value and a unit separated by one space, as in rate(5 minutes)");
  }
  const absl::string_view number = body.substr(0, space);
  const absl::string_view unit = body.substr(space + 1);
  int64_t value = 0;
  if (!text_util::AllDigits(number) || number.size() > 9 || !absl::SimpleAtoi(number, &value) ||
      value < 1) {
    return bad(absl::StrCat("the value `", number, "` is not a positive whole number"));
  }
  const absl::string_view singular = absl::StripSuffix(unit, "s");
  absl::Duration each;
  if (singular == "minute") {
    each = absl::Minutes(1);
  } else if (singular == "hour") {
    each = absl::Hours(1);
  } else if (singular == "day") {
    each = absl::Hours(24);
  } else {
    return bad(absl::StrCat("the unit `", unit, "` is not minute(s), hour(s) or day(s)"));
  }
  if ((value == 1) != (unit == singular)) {
    return bad(absl::StrCat("the unit `", unit, "` must be singular for 1 and plural otherwise"));
  }
  const absl::Duration rate = each * value;
  if (rate > kMaxScheduleRate) return bad("the rate is longer than 36525 days");
  return rate;
}

// The first anchor + k × period, k ≥ 1, strictly after `after`.
std::optional<absl::Time> NextPeriodic(absl::Time after, absl::Time anchor, absl::Duration period) {
  if (anchor == absl::InfinitePast() || anchor == absl::InfiniteFuture() ||
      after == absl::InfiniteFuture()) {
    return std::nullopt;
  }
  const absl::Time first = anchor + period;
  if (after < first) return first;
  absl::Duration rem;
  const int64_t k = absl::IDivDuration(after - anchor, period, &rem);
  const absl::Time next = anchor + period * (k + 1);
  if (next == absl::InfiniteFuture()) return std::nullopt;
  return next;
}

}  // namespace

absl::StatusOr<ScheduleExpression> ScheduleExpression::Parse(absl::string_view expression,
                                                             absl::string_view time_zone) {
  if (expression.size() > kMaxExpressionBytes) {
    return Invalid(absl::StrCat("schedule expression of ", expression.size(),
                                " bytes is longer than the 256 allowed"));
  }
  AMI_ASSIGN_OR_RETURN(const absl::TimeZone zone, LoadZone(time_zone));
  ScheduleExpression s;
  s.time_zone_ = std::string(time_zone);
  s.zone_ = zone;
  absl::string_view body = expression;
  if (absl::ConsumePrefix(&body, "cron(") && absl::ConsumeSuffix(&body, ")")) {
    std::string fields;
    AMI_ASSIGN_OR_RETURN(internal::CronFields cron,
                         internal::ParseCronFields(body, expression, &fields));
    s.kind_ = Kind::kCron;
    s.cron_ = std::make_shared<const internal::CronFields>(std::move(cron));
    s.expression_ = absl::StrCat("cron(", fields, ")");
  } else if (absl::ConsumePrefix(&body, "rate(") && absl::ConsumeSuffix(&body, ")")) {
    AMI_ASSIGN_OR_RETURN(s.period_, ParseRate(body, expression));
    s.kind_ = Kind::kRate;
    s.expression_ = std::string(expression);
  } else if (absl::ConsumePrefix(&body, "at(") && absl::ConsumeSuffix(&body, ")")) {
    AMI_ASSIGN_OR_RETURN(const absl::CivilSecond local, ParseAtTime(body, expression));
    s.kind_ = Kind::kAt;
    s.at_ = FiringInstant(zone, local);
    s.expression_ = std::string(expression);
  } else {
    return Invalid(
        absl::StrCat("schedule expression `", expression, "` is not cron(…), rate(…) or at(…)"));
  }
  return s;
}

absl::StatusOr<ScheduleExpression> ScheduleExpression::Interval(int hours,
                                                                absl::string_view time_of_day) {
  static constexpr int kHours[] = {1, 2, 3, 4, 6, 8, 12, 24};
  if (std::find(std::begin(kHours), std::end(kHours), hours) == std::end(kHours)) {
    return Invalid(
        absl::StrCat("interval of ", hours, " hours is not one of 1, 2, 3, 4, 6, 8, 12 or 24"));
  }
  ScheduleExpression s;
  s.kind_ = Kind::kInterval;
  s.zone_ = absl::UTCTimeZone();
  s.period_ = absl::Hours(hours);
  s.interval_hours_ = hours;
  const absl::string_view unit = hours == 1 ? "hour" : "hours";
  if (time_of_day.empty()) {
    s.expression_ = absl::StrCat("interval(", hours, " ", unit, ")");
    return s;
  }
  const int hh = TwoDigits(time_of_day, 0);
  const int mm = TwoDigits(time_of_day, 3);
  if (time_of_day.size() != 5 || time_of_day[2] != ':' || hh < 0 || hh > 23 || mm < 0 || mm > 59) {
    return Invalid(
        absl::StrCat("interval start time `", time_of_day, "` is not hh:mm in 00:00-23:59"));
  }
  s.interval_minute_of_day_ = hh * 60 + mm;
  s.expression_ = absl::StrCat("interval(", hours, " ", unit, " at ", time_of_day, ")");
  return s;
}

std::string ScheduleExpression::interval_time_of_day() const {
  if (interval_minute_of_day_ < 0) return "";
  return absl::StrFormat("%02d:%02d", interval_minute_of_day_ / 60, interval_minute_of_day_ % 60);
}

std::optional<absl::Time> ScheduleExpression::NextAfter(absl::Time after, absl::Time anchor) const {
  switch (kind_) {
    case Kind::kCron:
      return NextCron(after);
    case Kind::kRate:
      return NextPeriodic(after, anchor, period_);
    case Kind::kAt:
      return NextAt(after);
    case Kind::kInterval:
      return NextInterval(after, anchor);
  }
  return std::nullopt;
}

std::optional<absl::Time> ScheduleExpression::NextCron(absl::Time after) const {
  if (after == absl::InfiniteFuture()) return std::nullopt;
  absl::CivilMinute start(internal::kCronFirstYear, 1, 1, 0, 0);
  if (after != absl::InfinitePast()) start = absl::CivilMinute(zone_.At(after).cs) + 1;
  // The local times in order map to increasing instants once skipped ones are dropped and a
  // repeated one is taken at its first occurrence, so the first local match whose instant is
  // after `after` is the answer. Each pass moves `start` forward; the search ends in 2199.
  while (true) {
    const std::optional<absl::CivilMinute> local = internal::NextCronMinute(*cron_, start);
    if (!local) return std::nullopt;
    const std::optional<absl::Time> t = FiringInstant(zone_, absl::CivilSecond(*local));
    if (t && *t > after) return t;
    start = *local + 1;
  }
}

std::optional<absl::Time> ScheduleExpression::NextAt(absl::Time after) const {
  if (at_ && *at_ > after) return at_;
  return std::nullopt;
}

std::optional<absl::Time> ScheduleExpression::NextInterval(absl::Time after,
                                                           absl::Time anchor) const {
  if (interval_minute_of_day_ < 0) return NextPeriodic(after, anchor, period_);
  if (after == absl::InfiniteFuture()) return std::nullopt;
  // The periods divide a day, so every day's start time lies on one lattice of the period.
  const absl::Time lattice = absl::UnixEpoch() + absl::Minutes(interval_minute_of_day_);
  if (after == absl::InfinitePast()) return std::nullopt;
  absl::Duration rem;
  int64_t k = absl::IDivDuration(after - lattice, period_, &rem);
  if (rem < absl::ZeroDuration()) --k;  // Round toward the past.
  const absl::Time next = lattice + period_ * (k + 1);
  if (next == absl::InfiniteFuture()) return std::nullopt;
  return next;
}

absl::Duration ScheduleExpression::ShortestGap(absl::Time from, absl::Time anchor,
                                               absl::Duration horizon) const {
  if (kind_ == Kind::kAt || horizon <= absl::ZeroDuration()) return absl::InfiniteDuration();
  const absl::Time end = from + horizon;
  std::optional<absl::Time> prev = NextAfter(from - absl::Nanoseconds(1), anchor);
  if (!prev || *prev > end) return absl::InfiniteDuration();
  if (kind_ != Kind::kCron) {
    return *prev + period_ <= end ? period_ : absl::InfiniteDuration();
  }
  absl::Duration shortest = absl::InfiniteDuration();
  for (int64_t n = 1; n < kMaxShortestGapFirings; ++n) {
    const std::optional<absl::Time> next = NextAfter(*prev, anchor);
    if (!next || *next > end) break;
    shortest = std::min(shortest, *next - *prev);
    // Firings are whole local minutes apart: nothing shorter can follow.
    if (shortest <= absl::Minutes(1)) break;
    prev = next;
  }
  return shortest;
}

}  // namespace ami
