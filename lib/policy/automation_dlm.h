// Data Lifecycle Manager in the policy engine: the checks of an AMI policy (BACKUP-5 … 10), the
// schedule of a CreateRule, and the ages of retention and deprecation rules. Internal to libami.
#ifndef AMI_LIB_POLICY_AUTOMATION_DLM_H_
#define AMI_LIB_POLICY_AUTOMATION_DLM_H_

#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ami/automation/automation.h"
#include "ami/automation/schedule.h"
#include "ami/policy.h"
#include "ami/state_view.h"

namespace ami::policy {

// Bounds of an AMI policy, as DLM documents them.
inline constexpr int kDlmMaxSchedules = 4;
inline constexpr int kDlmMaxCopyRules = 3;
inline constexpr int kDlmMaxRetainCount = 1000;
inline constexpr int kDlmMaxTargetTags = 50;
inline constexpr int kDlmMaxDescription = 500;
inline constexpr int kDlmMaxScheduleName = 120;

// CreateLifecyclePolicy's checks for `ctx.account` in `ctx.region` (BACKUP-5 … 10, and the
// default-policy bounds of BACKUP-10): allowed, or denied with one reason per broken rule, each
// InvalidRequestException.
Decision EvaluateLifecyclePolicy(const StateView& view, const CallContext& ctx,
                                 const LifecyclePolicyRequest& request);

// The firing schedule of a CreateRule (BACKUP-6); an invalid rule is InvalidRequestException.
absl::StatusOr<ScheduleExpression> DlmCreateSchedule(const DlmCreateRule& rule);

// `from` plus an age rule's interval (DAYS, WEEKS, MONTHS, YEARS, in UTC calendar terms);
// nullopt for a count rule or an empty one.
std::optional<absl::Time> DlmAgeEnd(const DlmAgeOrCount& rule, absl::Time from);

// The schedule of a default policy: every `create_interval_days` from `anchor`.
ScheduleExpression DlmDefaultSchedule(int create_interval_days);

}  // namespace ami::policy

#endif  // AMI_LIB_POLICY_AUTOMATION_DLM_H_
