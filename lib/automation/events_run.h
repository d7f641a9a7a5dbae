// The firings of EventBridge rules and Scheduler schedules: what their actions do to the cloud
// (BACKUP-4). Internal to libami; the caller holds the CloudState's writer lock.
#ifndef AMI_LIB_AUTOMATION_EVENTS_RUN_H_
#define AMI_LIB_AUTOMATION_EVENTS_RUN_H_

#include <string>

#include "absl/time/time.h"
#include "automation/automation_state.h"
#include "automation/events_state.h"

namespace ami::internal {

// Queues the first firing of schedule `key` strictly after `after`: none when it is DISABLED or
// its expression fires no more (an at() that fired, a cron whose years ended).
void EnqueueNextEventFiring(AutomationState& automation, const std::string& key,
                            const EventSchedule& schedule, absl::Time after);

// The image name of a firing at `at`: `prefix`, the time as yyyy-mm-ddThh-mm-ssZ, `-` and the
// id of the instance or source image.
std::string EventImageName(const std::string& prefix, absl::Time at, const std::string& id);

}  // namespace ami::internal

#endif  // AMI_LIB_AUTOMATION_EVENTS_RUN_H_
