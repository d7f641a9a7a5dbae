// ScheduleExpression: when an AWS schedule fires. The schedule expressions of EventBridge,
// EventBridge Scheduler, Data Lifecycle Manager and EC2 Image Builder — cron(…) with six fields,
// rate(…) and at(…), evaluated in an IANA time zone — and DLM's interval schedules, with the next
// firing after a time and the shortest gap between firings. Thread-safe: an immutable value;
// copyable and movable; const methods may be called concurrently.
#ifndef AMI_AUTOMATION_SCHEDULE_H_
#define AMI_AUTOMATION_SCHEDULE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ami {

namespace internal {
struct CronFields;  // The parsed cron fields (lib/automation/cron.h).
}  // namespace internal

// The longest rate(): 36,525 days (100 years); a longer one is `InvalidParameterValue`.
inline constexpr absl::Duration kMaxScheduleRate = absl::Hours(24 * 36525);
// ShortestGap looks at no more than this many firings (2^20, two years of a cron that fires
// every minute); when it stops there, the gap it returns is at most horizon / (2^20 - 1).
inline constexpr int64_t kMaxShortestGapFirings = int64_t{1} << 20;

// A schedule expression and the time zone it is read in.
//
// cron(Minutes Hours Day-of-month Month Day-of-week Year): the fields are matched against the
// local time of the zone, to the minute. Minutes 0-59, Hours 0-23, Day-of-month 1-31, Month 1-12
// or JAN-DEC, Day-of-week 1-7 or SUN-SAT (1 = Sunday), Year 1970-2199; names are
// case-insensitive. Every field takes `*`, `,` lists, `a-b` ranges (a ≤ b) and, except
// Day-of-week, `/` steps (`a/n`, `a-b/n`, `*/n`: every n-th value from a, up to b or the
// field's end). Exactly one of Day-of-month and Day-of-week is `?`. Day-of-month also takes `L`
// (the month's last day) and `nW` (the weekday nearest day n within the month: a Saturday goes
// back to Friday, a Sunday forward to Monday, never across the month's ends; no firing in a month
// shorter than n); Day-of-week takes `L` (Saturday), `nL` (the month's last weekday n) and `n#k`
// (the k-th weekday n of the month, k 1-5). `L`, `nW`, `nL` and `n#k` stand alone in their field.
// A local time that a daylight-saving change skips does not fire; one that it repeats fires once,
// at its first occurrence (modelling choice MC-81).
//
// rate(N unit): every N minutes, hours or days (a day is 24 hours) from the anchor; unit is
// `minute`, `hour` or `day` when N is 1, their plural otherwise.
// at(yyyy-mm-ddThh:mm:ss): once, at that local time (a skipped local time never fires, a
// repeated one fires at its first occurrence).
class ScheduleExpression {
 public:
  enum class Kind { kCron, kRate, kAt, kInterval };

  // Reads `expression` in `time_zone`, an IANA name such as "America/New_York" loaded from the
  // system time-zone database ("" = UTC). A malformed expression or an unknown zone is
  // `InvalidParameterValue`, naming the field that is wrong.
  static absl::StatusOr<ScheduleExpression> Parse(absl::string_view expression,
                                                  absl::string_view time_zone = "");
  // Data Lifecycle Manager's CreateRule without a cron: every `hours` hours (1, 2, 3, 4, 6, 8, 12
  // or 24), at `time_of_day` ("hh:mm", UTC) and every `hours` after it each day; "" counts from
  // the anchor instead. Anything else is `InvalidParameterValue`.
  static absl::StatusOr<ScheduleExpression> Interval(int hours, absl::string_view time_of_day);

  // The first firing strictly after `after`. `anchor` is when the schedule was created: rate()
  // and an interval without a time of day fire at anchor + k × period, k ≥ 1; cron(), at() and an
  // interval with a time of day ignore it. nullopt when there is no firing any more (an at() in
  // the past, a cron whose Year field has ended or that can never match, `after` =
  // InfiniteFuture, an infinite anchor where one counts). `after` = InfinitePast asks for the
  // first firing (a cron's from 1970; none for an interval with a time of day, which has no
  // first). A cron is found field by field, years first, and never looks past 2199.
  std::optional<absl::Time> NextAfter(absl::Time after, absl::Time anchor) const;

  // The shortest time between two consecutive firings that both fall in [from, from + horizon],
  // or absl::InfiniteDuration() when fewer than two do (always for an at()). rate() and interval
  // schedules return their period. A cron looks at most kMaxShortestGapFirings firings.
  absl::Duration ShortestGap(absl::Time from, absl::Time anchor, absl::Duration horizon) const;

  Kind kind() const { return kind_; }
  // The expression with the whitespace between its fields collapsed to one space, for printing
  // and saving; an interval prints as "interval(12 hours at 09:00)" or "interval(12 hours)"
  // (Parse does not read that form: save interval_hours() and interval_time_of_day()).
  const std::string& expression() const { return expression_; }
  // The IANA zone name as given, "" for UTC.
  const std::string& time_zone() const { return time_zone_; }
  // An interval's hours, 0 for the other kinds.
  int interval_hours() const { return interval_hours_; }
  // An interval's time of day ("hh:mm"), "" when it counts from the anchor or is another kind.
  std::string interval_time_of_day() const;

  // Same expression text and zone.
  friend bool operator==(const ScheduleExpression& a, const ScheduleExpression& b) {
    return a.expression_ == b.expression_ && a.time_zone_ == b.time_zone_;
  }
  friend bool operator!=(const ScheduleExpression& a, const ScheduleExpression& b) {
    return !(a == b);
  }
  template <typename H>
  friend H AbslHashValue(H h, const ScheduleExpression& s) {
    return H::combine(std::move(h), s.expression_, s.time_zone_);
  }

 private:
  ScheduleExpression() = default;

  std::optional<absl::Time> NextCron(absl::Time after) const;
  std::optional<absl::Time> NextAt(absl::Time after) const;
  std::optional<absl::Time> NextInterval(absl::Time after, absl::Time anchor) const;

  Kind kind_ = Kind::kCron;
  std::string expression_;
  std::string time_zone_;
  absl::TimeZone zone_;
  std::shared_ptr<const internal::CronFields> cron_;  // kCron only.
  absl::Duration period_;                             // kRate and kInterval.
  std::optional<absl::Time> at_;                      // kAt: nullopt if its local time is skipped.
  int interval_hours_ = 0;                            // kInterval.
  int interval_minute_of_day_ = -1;                   // kInterval: -1 = from the anchor.
};

}  // namespace ami

#endif  // AMI_AUTOMATION_SCHEDULE_H_
