// ScheduleExpression (ami/automation/schedule.h): known firing times of cron, rate, at and DLM interval
// schedules (month ends, leap years, L, W, #, names, steps, Year ranges, daylight-saving changes),
// the expressions refused and their messages, the shortest gap, and a property test against a
// minute-by-minute search.
#include "ami/automation/schedule.h"

#include <algorithm>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/hash/hash_testing.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "ami/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::MessageHas;
using ::testing::ElementsAreArray;

absl::Time Utc(const std::string& text) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, text, &t, &err)) << text << ": " << err;
  return t;
}

std::string Print(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

// The next `n` firings after `after`, printed in UTC; fewer when the schedule ends.
std::vector<std::string> Firings(const ScheduleExpression& s, absl::Time after, absl::Time anchor,
                                 int n) {
  std::vector<std::string> out;
  std::optional<absl::Time> t = after;
  for (int i = 0; i < n; ++i) {
    t = s.NextAfter(*t, anchor);
    if (!t) break;
    out.push_back(Print(*t));
  }
  return out;
}

struct FiringCase {
  std::string name;
  std::string expression;
  std::string zone;
  std::string after;                  // UTC
  std::vector<std::string> expected;  // UTC; fewer than 5 when the schedule ends
};

class KnownFirings : public ::testing::TestWithParam<FiringCase> {};

TEST_P(KnownFirings, NextAfterGivesTheListedTimes) {
  const FiringCase& c = GetParam();
  const absl::StatusOr<ScheduleExpression> s = ScheduleExpression::Parse(c.expression, c.zone);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->kind(), ScheduleExpression::Kind::kCron);
  EXPECT_THAT(Firings(*s, Utc(c.after), Utc(c.after), 5), ElementsAreArray(c.expected));
}

const FiringCase kFiringCases[] = {
    // Month ends: the 31st skips the short months; L is the last day, in leap and other years.
    {"Day31SkipsShortMonths",
     "cron(0 12 31 * ? *)",
     "",
     "2027-01-01T00:00:00Z",
     {"2027-01-31T12:00:00Z", "2027-03-31T12:00:00Z", "2027-05-31T12:00:00Z",
      "2027-07-31T12:00:00Z", "2027-08-31T12:00:00Z"}},
    {"LastDayOfFebruary",
     "cron(0 0 L 2 ? *)",
     "",
     "2027-01-01T00:00:00Z",
     {"2027-02-28T00:00:00Z", "2028-02-29T00:00:00Z", "2029-02-28T00:00:00Z",
      "2030-02-28T00:00:00Z", "2031-02-28T00:00:00Z"}},
    {"LastDayOfFebruary2100IsNotLeap",
     "cron(0 0 L 2 ? *)",
     "",
     "2099-12-31T00:00:00Z",
     {"2100-02-28T00:00:00Z", "2101-02-28T00:00:00Z", "2102-02-28T00:00:00Z",
      "2103-02-28T00:00:00Z", "2104-02-29T00:00:00Z"}},
    {"LastDayOfEveryMonth",
     "cron(30 23 l * ? 2028)",
     "",
     "2028-01-31T23:30:00Z",
     {"2028-02-29T23:30:00Z", "2028-03-31T23:30:00Z", "2028-04-30T23:30:00Z",
      "2028-05-31T23:30:00Z", "2028-06-30T23:30:00Z"}},
    // Feb 29 only in leap years (2100 is not one).
    {"Feb29OnlyInLeapYears",
     "cron(0 6 29 2 ? *)",
     "",
     "2025-01-01T00:00:00Z",
     {"2028-02-29T06:00:00Z", "2032-02-29T06:00:00Z", "2036-02-29T06:00:00Z",
      "2040-02-29T06:00:00Z", "2044-02-29T06:00:00Z"}},
    {"Feb29Skips2100",
     "cron(0 6 29 2 ? *)",
     "",
     "2096-03-01T00:00:00Z",
     {"2104-02-29T06:00:00Z", "2108-02-29T06:00:00Z", "2112-02-29T06:00:00Z",
      "2116-02-29T06:00:00Z", "2120-02-29T06:00:00Z"}},
    // W: 2026-08-15 is a Saturday (Friday 14th), 2026-11-15 a Sunday (Monday 16th).
    {"NearestWeekdayOf15th",
     "cron(0 9 15W * ? 2026)",
     "",
     "2026-07-20T00:00:00Z",
     {"2026-08-14T09:00:00Z", "2026-09-15T09:00:00Z", "2026-10-15T09:00:00Z",
      "2026-11-16T09:00:00Z", "2026-12-15T09:00:00Z"}},
    // 2026-08-01 is a Saturday: 1W is Monday the 3rd, not Friday July 31st.
    {"FirstWeekdayStaysInTheMonth",
     "cron(0 9 1w * ? 2026)",
     "",
     "2026-07-02T00:00:00Z",
     {"2026-08-03T09:00:00Z", "2026-09-01T09:00:00Z", "2026-10-01T09:00:00Z",
      "2026-11-02T09:00:00Z", "2026-12-01T09:00:00Z"}},
    // 31W: none in 30-day months; 2026-05-31 is a Sunday, so Friday the 29th.
    {"Day31WeekdaySkipsShortMonths",
     "cron(0 9 31W * ? 2026)",
     "",
     "2026-04-01T00:00:00Z",
     {"2026-05-29T09:00:00Z", "2026-07-31T09:00:00Z", "2026-08-31T09:00:00Z",
      "2026-10-30T09:00:00Z", "2026-12-31T09:00:00Z"}},
    // 6L: the last Friday; the Year range ends in 2030.
    {"LastFriday",
     "cron(0 10 ? * 6L 2026-2030)",
     "",
     "2026-01-01T00:00:00Z",
     {"2026-01-30T10:00:00Z", "2026-02-27T10:00:00Z", "2026-03-27T10:00:00Z",
      "2026-04-24T10:00:00Z", "2026-05-29T10:00:00Z"}},
    {"LastFridayYearRangeEnds",
     "cron(0 10 ? * FRIL 2026-2030)",
     "",
     "2030-10-26T00:00:00Z",
     {"2030-11-29T10:00:00Z", "2030-12-27T10:00:00Z"}},
    {"FirstMonday",
     "cron(0 9 ? * 2#1 *)",
     "",
     "2026-01-01T00:00:00Z",
     {"2026-01-05T09:00:00Z", "2026-02-02T09:00:00Z", "2026-03-02T09:00:00Z",
      "2026-04-06T09:00:00Z", "2026-05-04T09:00:00Z"}},
    {"FifthFridayOnlyWhenThereIsOne",
     "cron(0 9 ? * FRI#5 2026)",
     "",
     "2026-01-01T00:00:00Z",
     {"2026-01-30T09:00:00Z", "2026-05-29T09:00:00Z", "2026-07-31T09:00:00Z",
      "2026-10-30T09:00:00Z"}},
    // L in day-of-week alone is the last day of the week: every Saturday.
    {"LastDayOfWeekIsSaturday",
     "cron(0 9 ? * L 2026)",
     "",
     "2026-01-01T00:00:00Z",
     {"2026-01-03T09:00:00Z", "2026-01-10T09:00:00Z", "2026-01-17T09:00:00Z",
      "2026-01-24T09:00:00Z", "2026-01-31T09:00:00Z"}},
    // Lists, ranges and steps.
    {"StepsOnARange",
     "cron(0/20 9-10 * * ? *)",
     "",
     "2026-01-01T09:30:00Z",
     {"2026-01-01T09:40:00Z", "2026-01-01T10:00:00Z", "2026-01-01T10:20:00Z",
      "2026-01-01T10:40:00Z", "2026-01-02T09:00:00Z"}},
    {"StepOnStarAndRange",
     "cron(5 */6 1-10/3 * ? *)",
     "",
     "2026-01-01T13:00:00Z",
     {"2026-01-01T18:05:00Z", "2026-01-04T00:05:00Z", "2026-01-04T06:05:00Z",
      "2026-01-04T12:05:00Z", "2026-01-04T18:05:00Z"}},
    {"ListsAndMonthNames",
     "cron(15,45 8 1 jan,Jul ? *)",
     "",
     "2026-01-01T08:20:00Z",
     {"2026-01-01T08:45:00Z", "2026-07-01T08:15:00Z", "2026-07-01T08:45:00Z",
      "2027-01-01T08:15:00Z", "2027-01-01T08:45:00Z"}},
    // 2026-01-01 is a Thursday.
    {"WeekdayNames",
     "cron(0 8 ? * mon-FRI *)",
     "",
     "2026-01-01T08:00:00Z",
     {"2026-01-02T08:00:00Z", "2026-01-05T08:00:00Z", "2026-01-06T08:00:00Z",
      "2026-01-07T08:00:00Z", "2026-01-08T08:00:00Z"}},
    {"YearRangeEnds",
     "cron(0 0 1 1 ? 2026-2027)",
     "",
     "2025-06-01T00:00:00Z",
     {"2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"}},
    {"YearStepsAndLastYear",
     "cron(0 0 1 1 ? 2190/4)",
     "",
     "2190-01-01T00:00:00Z",
     {"2194-01-01T00:00:00Z", "2198-01-01T00:00:00Z"}},
    {"NeverMatchingDay", "cron(0 0 31 2 ? *)", "", "2026-01-01T00:00:00Z", {}},
    {"YearAlreadyOver", "cron(0 0 * * ? 2020)", "", "2026-01-01T00:00:00Z", {}},
    // New York, 2026: clocks go forward on March 8 (02:00 EST -> 03:00 EDT) and back on
    // November 1 (02:00 EDT -> 01:00 EST). 02:30 does not exist on March 8: no firing.
    {"NewYorkSpringForwardSkips",
     "cron(30 2 * * ? *)",
     "America/New_York",
     "2026-03-06T12:00:00Z",
     {"2026-03-07T07:30:00Z", "2026-03-09T06:30:00Z", "2026-03-10T06:30:00Z",
      "2026-03-11T06:30:00Z", "2026-03-12T06:30:00Z"}},
    {"NewYorkFallBack0230",
     "cron(30 2 * * ? *)",
     "America/New_York",
     "2026-10-30T12:00:00Z",
     {"2026-10-31T06:30:00Z", "2026-11-01T07:30:00Z", "2026-11-02T07:30:00Z",
      "2026-11-03T07:30:00Z", "2026-11-04T07:30:00Z"}},
    // 01:30 happens twice on November 1: once, at the first (EDT) one.
    {"NewYorkFallBackRepeatedOnce",
     "cron(30 1 * * ? *)",
     "America/New_York",
     "2026-10-30T12:00:00Z",
     {"2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z",
      "2026-11-03T06:30:00Z", "2026-11-04T06:30:00Z"}},
    {"NewYorkEveryHalfHourAcrossFallBack",
     "cron(0/30 * * * ? *)",
     "America/New_York",
     "2026-11-01T04:45:00Z",
     {"2026-11-01T05:00:00Z", "2026-11-01T05:30:00Z", "2026-11-01T07:00:00Z",
      "2026-11-01T07:30:00Z", "2026-11-01T08:00:00Z"}},
    // Asked during the second 01:00-02:00 (EST), the repeated local times are already past.
    {"NewYorkAskedInTheRepeatedHour",
     "cron(0/30 * * * ? *)",
     "America/New_York",
     "2026-11-01T06:10:00Z",
     {"2026-11-01T07:00:00Z", "2026-11-01T07:30:00Z", "2026-11-01T08:00:00Z",
      "2026-11-01T08:30:00Z", "2026-11-01T09:00:00Z"}},
    // London, 2026: forward on March 29 (01:00 GMT -> 02:00 BST), back on October 25
    // (02:00 BST -> 01:00 GMT). 02:30 exists on both days; 01:30 is skipped, then repeated.
    {"LondonSpringForward0230",
     "cron(30 2 * * ? *)",
     "Europe/London",
     "2026-03-27T12:00:00Z",
     {"2026-03-28T02:30:00Z", "2026-03-29T01:30:00Z", "2026-03-30T01:30:00Z",
      "2026-03-31T01:30:00Z", "2026-04-01T01:30:00Z"}},
    {"LondonFallBack0230",
     "cron(30 2 * * ? *)",
     "Europe/London",
     "2026-10-23T12:00:00Z",
     {"2026-10-24T01:30:00Z", "2026-10-25T02:30:00Z", "2026-10-26T02:30:00Z",
      "2026-10-27T02:30:00Z", "2026-10-28T02:30:00Z"}},
    {"LondonSpringForwardSkips0130",
     "cron(30 1 * * ? *)",
     "Europe/London",
     "2026-03-27T12:00:00Z",
     {"2026-03-28T01:30:00Z", "2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z",
      "2026-04-01T00:30:00Z", "2026-04-02T00:30:00Z"}},
    {"LondonFallBackRepeatedOnce",
     "cron(30 1 * * ? *)",
     "Europe/London",
     "2026-10-23T12:00:00Z",
     {"2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z",
      "2026-10-27T01:30:00Z", "2026-10-28T01:30:00Z"}},
};

INSTANTIATE_TEST_SUITE_P(Cron, KnownFirings, ::testing::ValuesIn(kFiringCases),
                         [](const ::testing::TestParamInfo<FiringCase>& info) {
                           return info.param.name;
                         });

TEST(ScheduleExpression, CronKeepsItsTextAndZone) {
  const auto s = ScheduleExpression::Parse("cron(0  10\t* * ? *)", "Europe/London");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->expression(), "cron(0 10 * * ? *)");
  EXPECT_EQ(s->time_zone(), "Europe/London");
  EXPECT_EQ(*s, *ScheduleExpression::Parse("cron(0 10 * * ? *)", "Europe/London"));
  EXPECT_NE(*s, *ScheduleExpression::Parse("cron(0 10 * * ? *)"));
  EXPECT_NE(*s, *ScheduleExpression::Parse("cron(0 11 * * ? *)", "Europe/London"));
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly(
      {*s, *ScheduleExpression::Parse("cron(0 10 * * ? *)"),
       *ScheduleExpression::Parse("rate(1 day)"), *ScheduleExpression::Interval(12, "09:00")}));
}

TEST(ScheduleExpression, RateCountsFromTheAnchor) {
  const absl::Time anchor = Utc("2026-01-01T00:00:07Z");
  const auto minutes = ScheduleExpression::Parse("rate(5 minutes)");
  ASSERT_TRUE(minutes.ok()) << minutes.status();
  EXPECT_EQ(minutes->kind(), ScheduleExpression::Kind::kRate);
  EXPECT_THAT(
      Firings(*minutes, anchor, anchor, 3),
      ElementsAreArray({"2026-01-01T00:05:07Z", "2026-01-01T00:10:07Z", "2026-01-01T00:15:07Z"}));
  // Asked before the anchor: the first firing is one rate after it; on a firing, the next one.
  EXPECT_EQ(minutes->NextAfter(Utc("2025-01-01T00:00:00Z"), anchor), Utc("2026-01-01T00:05:07Z"));
  EXPECT_EQ(minutes->NextAfter(Utc("2026-01-01T01:00:07Z"), anchor), Utc("2026-01-01T01:05:07Z"));
  const auto hour = ScheduleExpression::Parse("rate(1 hour)");
  ASSERT_TRUE(hour.ok()) << hour.status();
  EXPECT_EQ(hour->NextAfter(Utc("2026-01-03T10:59:00Z"), anchor), Utc("2026-01-03T11:00:07Z"));
  // Days are 24 hours, whatever the zone's clocks do.
  const auto days = ScheduleExpression::Parse("rate(2 days)", "America/New_York");
  ASSERT_TRUE(days.ok()) << days.status();
  EXPECT_THAT(
      Firings(*days, Utc("2026-03-06T00:00:00Z"), Utc("2026-03-05T12:00:00Z"), 3),
      ElementsAreArray({"2026-03-07T12:00:00Z", "2026-03-09T12:00:00Z", "2026-03-11T12:00:00Z"}));
  EXPECT_EQ(minutes->NextAfter(absl::InfiniteFuture(), anchor), std::nullopt);
  EXPECT_EQ(minutes->NextAfter(anchor, absl::InfinitePast()), std::nullopt);
}

TEST(ScheduleExpression, AtFiresOnceInItsZone) {
  const auto at = ScheduleExpression::Parse("at(2026-07-01T09:00:00)", "America/New_York");
  ASSERT_TRUE(at.ok()) << at.status();
  EXPECT_EQ(at->kind(), ScheduleExpression::Kind::kAt);
  const absl::Time anchor = Utc("2026-01-01T00:00:00Z");
  EXPECT_EQ(at->NextAfter(anchor, anchor), Utc("2026-07-01T13:00:00Z"));
  EXPECT_EQ(at->NextAfter(Utc("2026-07-01T13:00:00Z"), anchor), std::nullopt);
  EXPECT_EQ(at->ShortestGap(anchor, anchor, absl::Hours(24 * 365)), absl::InfiniteDuration());
  const auto utc = ScheduleExpression::Parse("at(2026-07-01T09:00:00)");
  EXPECT_EQ(utc->NextAfter(anchor, anchor), Utc("2026-07-01T09:00:00Z"));
  // A skipped local time never fires; a repeated one fires at its first occurrence.
  const auto skipped = ScheduleExpression::Parse("at(2026-03-08T02:30:00)", "America/New_York");
  ASSERT_TRUE(skipped.ok()) << skipped.status();
  EXPECT_EQ(skipped->NextAfter(anchor, anchor), std::nullopt);
  const auto repeated = ScheduleExpression::Parse("at(2026-11-01T01:30:00)", "America/New_York");
  EXPECT_EQ(repeated->NextAfter(anchor, anchor), Utc("2026-11-01T05:30:00Z"));
}

TEST(ScheduleExpression, IntervalWithATimeOfDay) {
  const auto twelve = ScheduleExpression::Interval(12, "09:00");
  ASSERT_TRUE(twelve.ok()) << twelve.status();
  EXPECT_EQ(twelve->kind(), ScheduleExpression::Kind::kInterval);
  EXPECT_EQ(twelve->expression(), "interval(12 hours at 09:00)");
  EXPECT_EQ(twelve->interval_hours(), 12);
  EXPECT_EQ(twelve->interval_time_of_day(), "09:00");
  // The anchor does not move the firings.
  EXPECT_THAT(
      Firings(*twelve, Utc("2026-01-01T10:00:00Z"), Utc("2026-01-01T10:00:00Z"), 3),
      ElementsAreArray({"2026-01-01T21:00:00Z", "2026-01-02T09:00:00Z", "2026-01-02T21:00:00Z"}));
  EXPECT_EQ(twelve->NextAfter(Utc("2026-01-02T09:00:00Z"), absl::UnixEpoch()),
            Utc("2026-01-02T21:00:00Z"));
  const auto eight = ScheduleExpression::Interval(8, "01:30");
  EXPECT_THAT(Firings(*eight, Utc("2026-05-05T00:00:00Z"), absl::UnixEpoch(), 4),
              ElementsAreArray({"2026-05-05T01:30:00Z", "2026-05-05T09:30:00Z",
                                "2026-05-05T17:30:00Z", "2026-05-06T01:30:00Z"}));
  const auto daily = ScheduleExpression::Interval(24, "23:45");
  EXPECT_EQ(daily->NextAfter(Utc("1969-12-30T23:50:00Z"), absl::UnixEpoch()),
            Utc("1969-12-31T23:45:00Z"));
}

TEST(ScheduleExpression, IntervalWithoutATimeCountsFromTheAnchor) {
  const auto twelve = ScheduleExpression::Interval(12, "");
  ASSERT_TRUE(twelve.ok()) << twelve.status();
  EXPECT_EQ(twelve->expression(), "interval(12 hours)");
  EXPECT_EQ(twelve->interval_time_of_day(), "");
  const absl::Time anchor = Utc("2026-01-01T10:17:00Z");
  EXPECT_THAT(
      Firings(*twelve, anchor, anchor, 3),
      ElementsAreArray({"2026-01-01T22:17:00Z", "2026-01-02T10:17:00Z", "2026-01-02T22:17:00Z"}));
  EXPECT_EQ(ScheduleExpression::Interval(1, "")->expression(), "interval(1 hour)");
}

TEST(ScheduleExpression, ShortestGap) {
  const absl::Time from = Utc("2026-01-01T00:00:00Z");
  const absl::Duration year = absl::Hours(24 * 366);
  // Daily at 01:30 New York: the spring-forward day has 23 hours. At 02:30, skipped that day,
  // the gap over it is 47 hours and the shortest stays 24.
  EXPECT_EQ(ScheduleExpression::Parse("cron(30 1 * * ? *)", "America/New_York")
                ->ShortestGap(from, from, year),
            absl::Hours(23));
  EXPECT_EQ(ScheduleExpression::Parse("cron(30 2 * * ? *)", "America/New_York")
                ->ShortestGap(from, from, year),
            absl::Hours(24));
  EXPECT_EQ(ScheduleExpression::Parse("cron(30 2 * * ? *)")->ShortestGap(from, from, year),
            absl::Hours(24));
  // 08:00 and 08:30 on weekdays: 30 minutes.
  EXPECT_EQ(ScheduleExpression::Parse("cron(0,30 8 ? * MON-FRI *)")->ShortestGap(from, from, year),
            absl::Minutes(30));
  EXPECT_EQ(ScheduleExpression::Parse("cron(* * * * ? *)")->ShortestGap(from, from, year),
            absl::Minutes(1));
  // Once a year: 365 days, or no gap when the horizon holds only one firing.
  EXPECT_EQ(ScheduleExpression::Parse("cron(0 0 1 1 ? *)")->ShortestGap(from, from, year),
            absl::Hours(24 * 365));
  EXPECT_EQ(ScheduleExpression::Parse("cron(0 0 1 1 ? *)")
                ->ShortestGap(from, from, absl::Hours(24 * 300)),
            absl::InfiniteDuration());
  EXPECT_EQ(ScheduleExpression::Parse("rate(3 hours)")->ShortestGap(from, from, year),
            absl::Hours(3));
  EXPECT_EQ(ScheduleExpression::Parse("rate(3 hours)")->ShortestGap(from, from, absl::Hours(5)),
            absl::InfiniteDuration());
  EXPECT_EQ(ScheduleExpression::Interval(6, "00:00")->ShortestGap(from, from, year),
            absl::Hours(6));
  EXPECT_EQ(
      ScheduleExpression::Parse("cron(0 0 * * ? *)")->ShortestGap(from, from, absl::ZeroDuration()),
      absl::InfiniteDuration());
}

// ShortestGap stops after kMaxShortestGapFirings firings; the gap it has seen by then is at most
// horizon / (2^20 - 1).
TEST(ScheduleExpression, ShortestGapStopsAtItsBound) {
  const absl::Time from = Utc("2026-01-01T00:00:00Z");
  const absl::Duration horizon = absl::Hours(24 * 365 * 5);  // 1.3 million firings.
  const absl::Duration gap =
      ScheduleExpression::Parse("cron(0/2 * * * ? *)")->ShortestGap(from, from, horizon);
  EXPECT_EQ(gap, absl::Minutes(2));
  EXPECT_LE(gap, horizon / (kMaxShortestGapFirings - 1));
  EXPECT_EQ(ScheduleExpression::Interval(4, "")->NextAfter(absl::InfinitePast(), from),
            Utc("2026-01-01T04:00:00Z"));
  EXPECT_EQ(ScheduleExpression::Interval(4, "01:00")->NextAfter(absl::InfinitePast(), from),
            std::nullopt);
}

// A cron that can never fire, and searches over the whole Year range, end quickly with nullopt.
TEST(ScheduleExpression, NeverFiringCronsEnd) {
  const absl::Time from = Utc("1970-01-01T00:00:00Z");
  for (const char* e : {"cron(0 0 31 2 ? *)", "cron(0 0 30 2 ? *)", "cron(0 0 31W 4,6,9,11 ? *)",
                        "cron(0 0 ? 2 1#5 2026)", "cron(0 0 29 2 ? 2100)"}) {
    SCOPED_TRACE(e);
    const auto s = ScheduleExpression::Parse(e);
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(s->NextAfter(from, from), std::nullopt);
    EXPECT_EQ(s->NextAfter(absl::InfinitePast(), from), std::nullopt);
  }
  const auto daily = ScheduleExpression::Parse("cron(0 0 * * ? *)");
  EXPECT_EQ(daily->NextAfter(Utc("2199-12-31T00:00:00Z"), from), std::nullopt);
  EXPECT_EQ(daily->NextAfter(Utc("2300-01-01T00:00:00Z"), from), std::nullopt);
  EXPECT_EQ(daily->NextAfter(absl::InfiniteFuture(), from), std::nullopt);
  EXPECT_EQ(daily->NextAfter(Utc("1900-05-05T00:00:00Z"), from), Utc("1970-01-01T00:00:00Z"));
  // A local time skipped every year (New York's second Sunday of March at 02:30).
  const auto skipped =
      ScheduleExpression::Parse("cron(30 2 ? 3 1#2 2008-2199)", "America/New_York");
  EXPECT_EQ(skipped->NextAfter(from, from), std::nullopt);
}

struct InvalidCase {
  std::string expression;
  std::string zone;
  std::string message;
};

class Refused : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(Refused, WithInvalidParameterValueNamingTheField) {
  const InvalidCase& c = GetParam();
  const absl::StatusOr<ScheduleExpression> s = ScheduleExpression::Parse(c.expression, c.zone);
  EXPECT_THAT(s, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(s, MessageHas(c.message));
  if (!s.ok()) EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
}

const InvalidCase kInvalidCases[] = {
    {"cron(0 0 * * ?)", "", "cron expression `cron(0 0 * * ?)`: has 5 fields; it needs 6"},
    {"cron(0 0 * * ? * 2026)", "", "has 7 fields; it needs 6"},
    {"cron()", "", "has 0 fields"},
    {"cron(60 0 * * ? *)", "", "the minutes value `60` is outside 0-59"},
    {"cron(0 24 * * ? *)", "", "the hours value `24` is outside 0-23"},
    {"cron(0 0 32 * ? *)", "", "the day-of-month value `32` is outside 1-31"},
    {"cron(0 0 0 * ? *)", "", "the day-of-month value `0` is outside 1-31"},
    {"cron(0 0 * 13 ? *)", "", "the month value `13` is outside 1-12 or JAN-DEC"},
    {"cron(0 0 * FOO ? *)", "", "the month value `FOO` is not one of 1-12 or JAN-DEC"},
    {"cron(0 0 ? * 8 *)", "", "the day-of-week value `8` is outside 1-7 or SUN-SAT"},
    {"cron(0 0 ? * MONDAY *)", "", "the day-of-week value `MONDAY` is not a number in 1-7"},
    {"cron(0 0 * * ? 1969)", "", "the year value `1969` is outside 1970-2199"},
    {"cron(0 0 * * ? 2200)", "", "the year value `2200` is outside 1970-2199"},
    {"cron(0 0 1 * MON *)", "", "fields are both set; one of them must be `?`"},
    {"cron(0 0 * * * *)", "", "fields are both set; one of them must be `?`"},
    {"cron(0 0 ? * ? *)", "", "fields are both `?`; exactly one of them must be"},
    {"cron(? 0 * * ? *)", "", "the minutes field cannot be `?`"},
    {"cron(0 0 ? * 2#6 *)", "", "asks for occurrence `6`; `#` takes 1-5"},
    {"cron(0 0 ? * 2#0 *)", "", "asks for occurrence `0`; `#` takes 1-5"},
    {"cron(0 0 ? * 2#1,3#2 *)", "", "combines `L`, `W` or `#` with other values"},
    {"cron(0 0 15W,20 * ? *)", "", "combines `L`, `W` or `#` with other values"},
    {"cron(0 0 LW * ? *)", "", "the day-of-month value `LW` is not a day 1-31"},
    {"cron(0 0 L-2 * ? *)", "", "the day-of-month value `L-2` is not a day 1-31"},
    {"cron(0 0 32W * ? *)", "", "the day-of-month value `32` is outside 1-31"},
    {"cron(0/0 0 * * ? *)", "", "the minutes step in `0/0` is not a number in 1-60"},
    {"cron(30-10 0 * * ? *)", "", "the minutes range `30-10` runs backwards"},
    {"cron(0 0 ? * 1/2 *)", "", "the day-of-week field takes no `/` steps"},
    {"cron(1,,2 0 * * ? *)", "", "the minutes field `1,,2` has an empty item"},
    {"cron(a 0 * * ? *)", "", "the minutes value `a` is not a number in 0-59"},
    {"cron(0 -1 * * ? *)", "", "the hours value `` is not a number in 0-23"},
    {"rate(0 minutes)", "", "rate expression `rate(0 minutes)`: the value `0` is not a positive"},
    {"rate(1 minutes)", "", "the unit `minutes` must be singular for 1 and plural otherwise"},
    {"rate(5 minute)", "", "the unit `minute` must be singular for 1 and plural otherwise"},
    {"rate(5 weeks)", "", "the unit `weeks` is not minute(s), hour(s) or day(s)"},
    {"rate(5minutes)", "", "it needs a value and a unit separated by one space"},
    {"rate(36526 days)", "", "the rate is longer than 36525 days"},
    {"at(2026-02-30T00:00:00)", "", "the day `30` is not a day of that month"},
    {"at(2026-01-01 00:00:00)", "", "the time is not yyyy-mm-ddThh:mm:ss"},
    {"at(2026-01-01T24:00:00)", "", "the time of day `24:00:00` is outside 00:00:00-23:59:59"},
    {"at(2200-01-01T00:00:00)", "", "the year `2200` is outside 1970-2199"},
    {"every 5 minutes", "",
     "schedule expression `every 5 minutes` is not cron(…), rate(…) or at(…)"},
    {"CRON(0 0 * * ? *)", "", "is not cron(…), rate(…) or at(…)"},
    {"cron(0 0 * * ? *)", "Mars/Olympus_Mons", "unknown time zone `Mars/Olympus_Mons`"},
    {"cron(0 0 * * ? *)", "../../etc/passwd", "unknown time zone `../../etc/passwd`"},
    {"cron(0 0 * * ? *)", "/usr/share/zoneinfo/UTC", "unknown time zone"},
    {"cron(0 0 * * ? *)", std::string(60, 'A'), "unknown time zone"},
    {"cron(" + std::string(300, '1') + ")", "",
     "schedule expression of 306 bytes is longer than "
     "the 256 allowed"},
};

INSTANTIATE_TEST_SUITE_P(Schedule, Refused, ::testing::ValuesIn(kInvalidCases));

TEST(ScheduleExpression, IntervalRefusesOtherHoursAndTimes) {
  for (int hours : {0, 5, 7, 9, 10, 48, -1}) {
    EXPECT_THAT(ScheduleExpression::Interval(hours, ""),
                HasErrorCode(ErrorCode::kInvalidParameterValue));
    EXPECT_THAT(ScheduleExpression::Interval(hours, ""),
                MessageHas("is not one of 1, 2, 3, 4, 6, 8, 12 or 24"));
  }
  for (const char* time : {"24:00", "9:00", "09:60", "09-00", "0900", "09:00:00"}) {
    EXPECT_THAT(ScheduleExpression::Interval(12, time),
                MessageHas(absl::StrCat("interval start time `", time, "` is not hh:mm")));
  }
}

// Property: for random valid crons in four zones (two with an hour of daylight saving, one with
// half an hour), NextAfter(t) is after t, matches the fields, and no firing lies between them —
// checked against a minute-by-minute search over the next 35 days, written from the fields'
// meaning alone (the first occurrence of a matching local minute fires).
class RandomCron {
 public:
  explicit RandomCron(std::mt19937* rng) : rng_(rng) {}

  // Builds the expression text and the sets it means.
  std::string Make() {
    const std::string minutes = Field(0, 59, nullptr, true, &minutes_);
    const std::string hours = Field(0, 23, nullptr, true, &hours_);
    const std::string months =
        Pick(10) < 7 ? All(1, 12, &months_) : Field(1, 12, kMonths, true, &months_);
    std::string years = "*";
    first_year_ = 1970;
    last_year_ = 2199;
    if (Pick(2) == 0) {
      first_year_ = 2026 + Pick(3);
      last_year_ = first_year_ + Pick(3);
      years = absl::StrCat(first_year_, "-", last_year_);
    }
    const auto [day_of_month, day_of_week] = Days();
    return absl::StrCat("cron(", minutes, " ", hours, " ", day_of_month, " ", months, " ",
                        day_of_week, " ", years, ")");
  }

  bool Matches(absl::CivilMinute c) const {
    return c.year() >= first_year_ && c.year() <= last_year_ && minutes_[c.minute()] &&
           hours_[c.hour()] && months_[c.month()] && DayMatches(absl::CivilDay(c));
  }

 private:
  enum class DayKind { kDays, kLast, kNearest, kWeekdays, kLastWeekday, kNth };
  static constexpr const char* kMonths[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                            "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
  static constexpr const char* kDays[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(*rng_); }
  int In(int lo, int hi) { return lo + Pick(hi - lo + 1); }

  std::string All(int lo, int hi, std::vector<bool>* set) {
    set->assign(hi + 1, false);
    for (int v = lo; v <= hi; ++v) (*set)[v] = true;
    return "*";
  }
  std::string Name(int v, int lo, const char* const* names) {
    if (names != nullptr && Pick(2) == 0) return names[v - lo];
    return absl::StrCat(v);
  }
  // `*`, a value, a range, a list, or a step on a value, `*` or a range.
  std::string Field(int lo, int hi, const char* const* names, bool steps, std::vector<bool>* set) {
    set->assign(hi + 1, false);
    const int form = Pick(steps ? 7 : 4);
    const int a = In(lo, hi);
    const int b = In(a, hi);
    const int step = In(1, std::max(1, (hi - lo) / 2));
    switch (form) {
      case 0:
        return All(lo, hi, set);
      case 1:
        (*set)[a] = true;
        return Name(a, lo, names);
      case 2:
        for (int v = a; v <= b; ++v) (*set)[v] = true;
        return absl::StrCat(Name(a, lo, names), "-", Name(b, lo, names));
      case 3: {
        const int c = In(lo, hi);
        (*set)[a] = (*set)[b] = (*set)[c] = true;
        return absl::StrCat(Name(a, lo, names), ",", Name(b, lo, names), ",", Name(c, lo, names));
      }
      case 4:
        for (int v = a; v <= hi; v += step) (*set)[v] = true;
        return absl::StrCat(a, "/", step);
      case 5:
        for (int v = lo; v <= hi; v += step) (*set)[v] = true;
        return absl::StrCat("*/", step);
      default:
        for (int v = a; v <= b; v += step) (*set)[v] = true;
        return absl::StrCat(a, "-", b, "/", step);
    }
  }
  // The day-of-month and day-of-week fields, one of them `?`.
  std::pair<std::string, std::string> Days() {
    day_kind_ = static_cast<DayKind>(Pick(6));
    arg_ = In(1, 7);
    switch (day_kind_) {
      case DayKind::kDays:
        return {Field(1, 31, nullptr, true, &days_), "?"};
      case DayKind::kLast:
        return {"L", "?"};
      case DayKind::kNearest:
        arg_ = In(1, 31);
        return {absl::StrCat(arg_, "W"), "?"};
      case DayKind::kWeekdays:
        return {"?", Field(1, 7, kDays, false, &weekdays_)};
      case DayKind::kLastWeekday:
        return {"?", absl::StrCat(Name(arg_, 1, kDays), "L")};
      case DayKind::kNth:
        nth_ = In(1, 5);
        return {"?", absl::StrCat(Name(arg_, 1, kDays), "#", nth_)};
    }
    return {};
  }
  static int Weekday(absl::CivilDay d) {
    switch (absl::GetWeekday(d)) {
      case absl::Weekday::sunday:
        return 1;
      case absl::Weekday::monday:
        return 2;
      case absl::Weekday::tuesday:
        return 3;
      case absl::Weekday::wednesday:
        return 4;
      case absl::Weekday::thursday:
        return 5;
      case absl::Weekday::friday:
        return 6;
      case absl::Weekday::saturday:
        return 7;
    }
    return 0;
  }
  bool DayMatches(absl::CivilDay d) const {
    const int dim = (absl::CivilDay(absl::CivilMonth(d) + 1) - 1).day();
    switch (day_kind_) {
      case DayKind::kDays:
        return days_[d.day()];
      case DayKind::kLast:
        return d.day() == dim;
      case DayKind::kNearest: {
        if (arg_ > dim) return false;
        const absl::CivilDay target(d.year(), d.month(), arg_);
        int day = arg_;
        if (Weekday(target) == 7) day = arg_ == 1 ? 3 : arg_ - 1;
        if (Weekday(target) == 1) day = arg_ == dim ? arg_ - 2 : arg_ + 1;
        return d.day() == day;
      }
      case DayKind::kWeekdays:
        return weekdays_[Weekday(d)];
      case DayKind::kLastWeekday:
        return Weekday(d) == arg_ && d.day() + 7 > dim;
      case DayKind::kNth:
        return Weekday(d) == arg_ && (d.day() - 1) / 7 + 1 == nth_;
    }
    return false;
  }

  std::mt19937* rng_;
  std::vector<bool> minutes_, hours_, months_, days_, weekdays_;
  int64_t first_year_ = 1970, last_year_ = 2199;
  DayKind day_kind_ = DayKind::kDays;
  int arg_ = 1, nth_ = 1;
};

TEST(ScheduleExpressionProperty, NextAfterIsTheFirstMatchingMinute) {
  std::mt19937 rng(20261208);
  const char* const kZones[] = {"", "America/New_York", "Europe/London", "Australia/Lord_Howe"};
  // Daylight-saving changes of 2026 and 2027, so that many searches cross one.
  const absl::Time kNear[] = {Utc("2026-03-08T07:00:00Z"), Utc("2026-11-01T06:00:00Z"),
                              Utc("2026-03-29T01:00:00Z"), Utc("2026-10-25T01:00:00Z"),
                              Utc("2026-04-04T15:00:00Z"), Utc("2026-10-03T15:30:00Z"),
                              Utc("2027-03-14T07:00:00Z"), Utc("2027-11-07T06:00:00Z")};
  const absl::Duration horizon = absl::Hours(24 * 35);
  int found = 0;
  for (int i = 0; i < 500; ++i) {
    RandomCron cron(&rng);
    const std::string text = cron.Make();
    const std::string zone_name = kZones[i % 4];
    SCOPED_TRACE(absl::StrCat(text, " in `", zone_name, "`"));
    const absl::StatusOr<ScheduleExpression> s = ScheduleExpression::Parse(text, zone_name);
    ASSERT_TRUE(s.ok()) << s.status();
    absl::TimeZone zone;
    ASSERT_TRUE(absl::LoadTimeZone(zone_name.empty() ? "UTC" : zone_name, &zone));
    const absl::Time after =
        (i % 2 == 0 ? kNear[rng() % 8] : Utc("2026-01-01T00:00:00Z") + absl::Hours(rng() % 35000)) +
        absl::Seconds(static_cast<int>(rng() % 14400) - 7200);
    SCOPED_TRACE(Print(after));
    const std::optional<absl::Time> next = s->NextAfter(after, after);
    // The minute-by-minute search: each whole minute after `after` whose local time matches and
    // is that local time's first occurrence.
    std::optional<absl::Time> brute;
    for (absl::Time u = absl::FromUnixSeconds(absl::ToUnixSeconds(after) / 60 * 60 + 60);
         u <= after + horizon; u += absl::Minutes(1)) {
      const absl::CivilSecond local = zone.At(u).cs;
      if (cron.Matches(absl::CivilMinute(local)) && zone.At(local).pre == u) {
        brute = u;
        break;
      }
    }
    if (brute) {
      ++found;
      ASSERT_TRUE(next.has_value());
      EXPECT_EQ(Print(*next), Print(*brute));
    } else if (next) {
      EXPECT_GT(*next, after + horizon);
    }
    if (next) {
      EXPECT_GT(*next, after);
      EXPECT_TRUE(cron.Matches(absl::CivilMinute(zone.At(*next).cs)));
    }
  }
  // Most cases fire within the horizon, so the comparison is not vacuous.
  EXPECT_GT(found, 250) << found;
}

}  // namespace
}  // namespace ami
