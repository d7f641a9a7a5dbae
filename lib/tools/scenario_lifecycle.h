// The scenario steps of the image lifecycle, Allowed AMIs, block public access states, the
// Recycle Bin and discovery (scenario.proto field numbers 70-109), the checks that read an
// account and Region or what a step returned, and what every step's operation did (Outcome).
// Internal to libami's scenario runner (lib/tools/scenario.cc). Thread-compatible: each run owns its
// Cloud.
#ifndef AMI_LIB_SCENARIO_LIFECYCLE_H_
#define AMI_LIB_SCENARIO_LIFECYCLE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "ami/cloud.h"
#include "ami/v1/scenario.pb.h"
#include "values/status_macros.h"

// Like AMI_ASSIGN_OR_RETURN, but a failure is the step's outcome, not a broken scenario.
#define AMI_OUTCOME_OR(lhs, rexpr) \
  AMI_OUTCOME_OR_IMPL_(AMI_STATUS_CONCAT_(ami_outcome_, __LINE__), lhs, rexpr)
#define AMI_OUTCOME_OR_IMPL_(statusor, lhs, rexpr)                                             \
  auto statusor = (rexpr);                                                                     \
  if (!statusor.ok()) return ::ami::scenario_internal::Outcome::Failed(std::move(statusor).status()); \
  lhs = std::move(statusor).value()

namespace ami::scenario_internal {

// What an operation did.
struct Outcome {
  // The operation's status: OK, or the AWS error.
  absl::Status status;
  // Ids the operation returned, which `save_as` saves.
  std::vector<std::string> returned;
  // The resource the operation acted on: the default resource of the checks after `returned`.
  std::string target;
  // More to show in the outcome (an attribute, DeleteSnapshotResults, a state).
  std::string detail;
  // DescribeImageAttribute's value, as text.
  std::optional<std::string> attribute_value;
  // DescribeImages' ImageAllowed of each image found, by image id.
  std::vector<std::pair<std::string, std::optional<bool>>> image_allowed;
  // DeregisterImage's DeleteSnapshotResults.
  std::vector<DeleteSnapshotResult> deleted_snapshots;
  // Whether the cloud after the step equals the cloud before it; set only when the step's
  // expectation asks (expect.unchanged), for the comparison copies the cloud.
  std::optional<bool> unchanged;

  static Outcome Failed(absl::Status s) { return Outcome{std::move(s), {}, "", "", {}, {}, {}, {}}; }
  static Outcome Done(absl::Status s, std::string target) {
    return Outcome{std::move(s), {}, std::move(target), "", {}, {}, {}, {}};
  }
};

// Resolves a "$label" reference to the id it names; other text is returned as it is. An
// unknown label is InvalidArgument (a broken scenario).
using Resolver = absl::FunctionRef<absl::StatusOr<std::string>(const std::string&)>;

// The step's operation field name, for example "copy_image"; "(none)" when unset.
std::string OperationName(const v1::Step& step);

// True for the operations RunLifecycleStep runs (field numbers 70-109).
bool IsLifecycleOperation(v1::Step::OperationCase op);

// Runs one of those operations as `ctx`; InvalidArgument for a step that cannot run (an unknown
// label, dry_run on a read that takes none).
absl::StatusOr<Outcome> RunLifecycleStep(Cloud& cloud, const CallContext& ctx,
                                         const v1::Step& step, Resolver resolve);

// Checks the expectations of the step's account and Region (block public access and Allowed
// AMIs states, Recycle Bin contents and rules) and of what the step returned (`returned`,
// `image_allowed`), appending mismatches to `out`. InvalidArgument for a check that cannot
// apply (no account or Region, image_allowed on another operation, a misspelt state).
absl::Status CheckAccountAndReturned(const Cloud& cloud, const v1::Step& step,
                                     const Outcome& outcome, Resolver resolve,
                                     std::vector<std::string>* out);

// Clears from `e` the checks CheckAccountAndReturned reads, leaving the resource checks.
void ClearAccountAndReturnedChecks(v1::Expect* e);

}  // namespace ami::scenario_internal

#endif  // AMI_LIB_SCENARIO_LIFECYCLE_H_
