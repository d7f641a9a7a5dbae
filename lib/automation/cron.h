// The six fields of an AWS cron expression, parsed into bit sets, and the search for the next
// local minute they match. Internal to libami (ami/automation/schedule.h is the public face). Thread-safe:
// immutable values and pure functions.
#ifndef AMI_LIB_AUTOMATION_CRON_H_
#define AMI_LIB_AUTOMATION_CRON_H_

#include <array>
#include <bitset>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace ami::internal {

// The Year field's range, and so the last year any cron is searched in.
inline constexpr int kCronFirstYear = 1970;
inline constexpr int kCronLastYear = 2199;
inline constexpr int kCronYears = kCronLastYear - kCronFirstYear + 1;

// How the day fields choose the days of a month.
enum class CronDayRule : uint8_t {
  kDaysOfMonth,     // Day-of-month values (`days`).
  kLastDay,         // Day-of-month `L`.
  kNearestWeekday,  // Day-of-month `nW` (`day_arg` = n).
  kWeekdays,        // Day-of-week values and `L` = Saturday (`weekday_masks`).
  kLastWeekday,     // Day-of-week `nL` (`day_arg` = the weekday n, 1 = Sunday).
  kNthWeekday,      // Day-of-week `n#k` (`day_arg` = n, `nth` = k).
};

// A parsed cron expression. Bit i of each set is value i (years: bit y - 1970).
struct CronFields {
  uint64_t minutes = 0;
  uint32_t hours = 0;
  uint32_t days = 0;
  uint16_t months = 0;
  std::bitset<kCronYears> years;
  CronDayRule day_rule = CronDayRule::kDaysOfMonth;
  // kWeekdays: the matching days of a 31-day month whose 1st is weekday w + 1 (1 = Sunday).
  std::array<uint32_t, 7> weekday_masks{};
  int day_arg = 0;
  int nth = 0;
};

// Parses the text between `cron(` and `)`: six fields separated by spaces. Sets `*normalized`
// to the fields joined by single spaces. `InvalidParameterValue` naming the wrong field otherwise;
// `expression` is the whole text, quoted in messages.
absl::StatusOr<CronFields> ParseCronFields(absl::string_view fields, absl::string_view expression,
                                           std::string* normalized);

// The days of `year`-`month` that the day fields match, as bits 1-31.
uint32_t CronMatchingDays(const CronFields& cron, int year, int month);

// The first local minute at or after `start` that `cron` matches, found field by field (year,
// month, day, then hour and minute); nullopt when there is none up to the end of 2199.
std::optional<absl::CivilMinute> NextCronMinute(const CronFields& cron, absl::CivilMinute start);

// The number of days of `year`-`month`.
int DaysInMonth(int64_t year, int month);

// The AWS day-of-week number of a date: 1 = Sunday … 7 = Saturday.
int AwsWeekday(absl::CivilDay day);

}  // namespace ami::internal

#endif  // AMI_LIB_AUTOMATION_CRON_H_
