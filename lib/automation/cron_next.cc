// The next local minute a cron matches: years, then months, then the month's matching days as a
// bit set, then hour and minute by bit scans — never minute by minute.
#include <cstdint>
#include <optional>
#include <utility>

#include "absl/numeric/bits.h"
#include "absl/time/civil_time.h"
#include "automation/cron.h"

namespace ami::internal {
namespace {

// The first matching (hour, minute) at or after h0:m0 of a day.
std::optional<std::pair<int, int>> FirstTime(const CronFields& cron, int h0, int m0) {
  uint32_t hours = cron.hours & (~uint32_t{0} << h0);
  if (hours == 0) return std::nullopt;
  int h = absl::countr_zero(hours);
  if (h == h0) {
    const uint64_t minutes = cron.minutes & (~uint64_t{0} << m0);
    if (minutes != 0) return std::make_pair(h, absl::countr_zero(minutes));
    hours &= hours - 1;
    if (hours == 0) return std::nullopt;
    h = absl::countr_zero(hours);
  }
  return std::make_pair(h, absl::countr_zero(cron.minutes));
}

// `nW`: the weekday nearest day n, within the month; 0 when the month is shorter than n.
int NearestWeekday(int year, int month, int n, int days_in_month) {
  if (n > days_in_month) return 0;
  const int weekday = AwsWeekday(absl::CivilDay(year, month, n));
  if (weekday == 7) return n > 1 ? n - 1 : n + 2;              // Saturday.
  if (weekday == 1) return n < days_in_month ? n + 1 : n - 2;  // Sunday.
  return n;
}

}  // namespace

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month != 2) return kDays[month - 1];
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return leap ? 29 : 28;
}

int AwsWeekday(absl::CivilDay day) {
  // absl::Weekday counts from Monday = 0 to Sunday = 6.
  return (static_cast<int>(absl::GetWeekday(day)) + 1) % 7 + 1;
}

uint32_t CronMatchingDays(const CronFields& cron, int year, int month) {
  const int dim = DaysInMonth(year, month);
  const uint32_t valid = ((uint32_t{1} << dim) - 1) << 1;
  switch (cron.day_rule) {
    case CronDayRule::kDaysOfMonth:
      return cron.days & valid;
    case CronDayRule::kLastDay:
      return uint32_t{1} << dim;
    case CronDayRule::kNearestWeekday: {
      const int day = NearestWeekday(year, month, cron.day_arg, dim);
      return day == 0 ? 0 : uint32_t{1} << day;
    }
    case CronDayRule::kWeekdays: {
      const int first = AwsWeekday(absl::CivilDay(year, month, 1));
      return cron.weekday_masks[first - 1] & valid;
    }
    case CronDayRule::kLastWeekday: {
      const int last = AwsWeekday(absl::CivilDay(year, month, dim));
      return uint32_t{1} << (dim - (last - cron.day_arg + 7) % 7);
    }
    case CronDayRule::kNthWeekday: {
      const int first = AwsWeekday(absl::CivilDay(year, month, 1));
      const int day = 1 + (cron.day_arg - first + 7) % 7 + 7 * (cron.nth - 1);
      return day > dim ? 0 : uint32_t{1} << day;
    }
  }
  return 0;
}

std::optional<absl::CivilMinute> NextCronMinute(const CronFields& cron, absl::CivilMinute start) {
  if (start.year() > kCronLastYear) return std::nullopt;
  if (start.year() < kCronFirstYear) start = absl::CivilMinute(kCronFirstYear, 1, 1, 0, 0);
  const int start_year = static_cast<int>(start.year());
  for (int y = start_year; y <= kCronLastYear; ++y) {
    if (!cron.years.test(y - kCronFirstYear)) continue;
    const bool same_year = y == start_year;
    for (int m = same_year ? start.month() : 1; m <= 12; ++m) {
      if ((cron.months >> m & 1) == 0) continue;
      const bool same_month = same_year && m == start.month();
      uint32_t days = CronMatchingDays(cron, y, m);
      if (same_month) days &= ~((uint32_t{1} << start.day()) - 1);
      for (; days != 0; days &= days - 1) {
        const int d = absl::countr_zero(days);
        const bool same_day = same_month && d == start.day();
        const std::optional<std::pair<int, int>> time =
            FirstTime(cron, same_day ? start.hour() : 0, same_day ? start.minute() : 0);
        if (time) return absl::CivilMinute(y, m, d, time->first, time->second);
      }
    }
  }
  return std::nullopt;
}

}  // namespace ami::internal
