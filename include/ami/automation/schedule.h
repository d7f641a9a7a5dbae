// Schedule expressions of EventBridge, EventBridge Scheduler, AWS Backup, Data Lifecycle
// Manager and EC2 Image Builder: six-field cron(), rate(), at(), and DLM's interval schedules.
//
// Thread-safety: an immutable value; safe to share between threads.
#ifndef AMI_AUTOMATION_SCHEDULE_H_
#define AMI_AUTOMATION_SCHEDULE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ami {

class ScheduleExpression {
 public:
  enum class Kind { kCron, kRate, kAt, kInterval };
  static absl::StatusOr<ScheduleExpression> Parse(absl::string_view expression,
                                                  absl::string_view time_zone = "");
  static absl::StatusOr<ScheduleExpression> Interval(int hours, absl::string_view time_of_day);
  std::optional<absl::Time> NextAfter(absl::Time after, absl::Time anchor) const;
  Kind kind() const;
  const std::string& expression() const;
  const std::string& time_zone() const;
  absl::Duration ShortestGap(absl::Time from, absl::Time anchor, absl::Duration horizon) const;
};

}  // namespace ami

#endif  // AMI_AUTOMATION_SCHEDULE_H_
