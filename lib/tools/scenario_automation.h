// The scenario steps of the automation layer (scenario.proto field numbers 120-139: Data
// Lifecycle Manager, AWS Backup, EventBridge schedules, through ami::Automation) and the checks
// of what automation did in the step's account and Region (Expect fields 44-48). Internal to
// libami's scenario runner (lib/tools/scenario.cc). Thread-compatible: each run owns its Cloud.
#ifndef AMI_LIB_SCENARIO_AUTOMATION_H_
#define AMI_LIB_SCENARIO_AUTOMATION_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ami/cloud.h"
#include "ami/v1/scenario.pb.h"
#include "tools/scenario_lifecycle.h"

namespace ami::scenario_internal {

// True for the operations RunAutomationStep runs (field numbers 120-139).
bool IsAutomationOperation(v1::Step::OperationCase op);

// Runs one of those operations as `ctx`: a refused call is the step's outcome; InvalidArgument
// for a step that cannot run (an unknown label, dry_run, which automation calls do not take).
absl::StatusOr<Outcome> RunAutomationStep(Cloud& cloud, const CallContext& ctx,
                                          const v1::Step& step, Resolver resolve);

// Checks the automation expectations (lifecycle_policy_images, lifecycle_policies, backup_jobs,
// recovery_points, history) in the step's account and Region, appending mismatches to `out`.
// InvalidArgument for a check that cannot apply (no account or Region, a misspelt state or
// service, a negative count, an unknown label). Only reads `cloud`.
absl::Status CheckAutomation(Cloud& cloud, const v1::Step& step, Resolver resolve,
                             std::vector<std::string>* out);

// Clears from `e` the checks CheckAutomation reads.
void ClearAutomationChecks(v1::Expect* e);

}  // namespace ami::scenario_internal

#endif  // AMI_LIB_SCENARIO_AUTOMATION_H_
