// Data Lifecycle Manager's firings (BACKUP-5 … 10). Internal to libami.
#ifndef AMI_LIB_AUTOMATION_DLM_RUN_H_
#define AMI_LIB_AUTOMATION_DLM_RUN_H_

#include <vector>

#include "ami/automation/automation.h"
#include "automation/automation_state.h"

namespace ami::internal {

// What a DLM trigger does (Trigger::kind); Trigger::index is the schedule.
enum DlmTriggerKind : int { kDlmCreate = 0, kDlmExpire = 1, kDlmCopy = 2 };

// The schedules a policy runs: its own, or for a default policy one made of its intervals.
std::vector<DlmSchedule> DlmSchedules(const LifecyclePolicyRequest& details);

// Queues the next creation of every schedule of an enabled policy after `after`.
void EnqueueDlmCreates(AutomationState& a, const DlmPolicyState& p, absl::Time after);

}  // namespace ami::internal

#endif  // AMI_LIB_AUTOMATION_DLM_RUN_H_
