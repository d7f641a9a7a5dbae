// Plans of the work AdvanceClock() completes (ASYNC-1 … 3, KMS-11, LAUNCH-9, DEREG-9).
#include <string>
#include <utility>

#include "policy/planning.h"

namespace ami::policy {

using internal::PendingWork;
using internal::Plan;

namespace {

// A pending image becomes available, or failed with its snapshots in error (ASYNC-1, KMS-11).
void CompleteImage(const PlanView& view, const PendingWork& work, Plan* plan) {
  const absl::StatusOr<ImageId> id = ImageId::Parse(work.id);
  const Image* image = id.ok() ? view.FindImage(*id) : nullptr;
  if (image == nullptr || image->state() != ImageState::kPending) return;
  const bool failed = work.failure.has_value();
  for (const SnapshotId sid : image->snapshot_ids()) {
    const Snapshot* snap = view.FindSnapshot(sid);
    if (snap == nullptr || snap->state() != SnapshotState::kPending) continue;
    Snapshot::Builder b = snap->ToBuilder();
    b.set_state(failed ? SnapshotState::kError : SnapshotState::kCompleted);
    if (failed) b.set_state_message(work.failure->message);
    plan->put_snapshots.push_back(std::make_shared<const Snapshot>(*b.Build()));
  }
  Image::Builder b = image->ToBuilder();
  b.set_state(failed ? ImageState::kFailed : ImageState::kAvailable);
  if (failed) b.set_state_reason(*work.failure);
  plan->put_images.push_back(std::make_shared<const Image>(*b.Build()));
}

// A pending instance runs, or terminates without its volumes (ASYNC-3, LAUNCH-9).
void CompleteInstance(const PlanView& view, const PendingWork& work, Plan* plan) {
  const absl::StatusOr<InstanceId> id = InstanceId::Parse(work.id);
  const Instance* instance = id.ok() ? view.FindInstance(*id) : nullptr;
  if (instance == nullptr || instance->state() != InstanceState::kPending) return;
  Instance::Builder b = instance->ToBuilder();
  if (work.failure.has_value()) {
    b.set_state(InstanceState::kTerminated).set_state_reason(*work.failure).set_volumes({});
  } else {
    b.set_state(InstanceState::kRunning);
  }
  plan->put_instances.push_back(*std::move(b).Build());
}

// A key whose deletion window ended is deleted for good, with its aliases.
void CompleteKeyDeletion(const PlanView& view, const PendingWork& work, Plan* plan) {
  const absl::StatusOr<KmsKeyArn> arn = KmsKeyArn::Parse(work.id);
  if (!arn.ok()) return;  // Scheduled from a key's own ARN, or checked when a state file loaded.
  const KeyFacts facts = view.FindKey(*arn);
  if (facts.key == nullptr || facts.key->state() != KeyState::kPendingDeletion) return;
  plan->mutable_extra().delete_keys.push_back(*arn);
}

// A Recycle Bin entry whose retention ended leaves for good (DEREG-9).
void ExpireBinEntry(const PlanView& view, const PendingWork& work, Plan* plan) {
  const std::optional<absl::Time> exit = view.BinExit(work.id);
  if (exit.has_value() && *exit <= view.Now()) plan->mutable_extra().expire_bin_entries.push_back(work.id);
}

}  // namespace

Plan PlanAdvanceClock(const PlanView& view, absl::Duration by) {
  Plan plan;
  if (by > absl::ZeroDuration()) plan.mutable_extra().now = view.Now() + by;
  return plan;
}

Plan PlanCompletion(const PlanView& view, const PendingWork& work) {
  Plan plan;
  plan.mutable_extra().pop_due_work = true;
  switch (work.kind) {
    case PendingWork::Kind::kImage:
      CompleteImage(view, work, &plan);
      break;
    case PendingWork::Kind::kInstance:
      CompleteInstance(view, work, &plan);
      break;
    case PendingWork::Kind::kKeyDeletion:
      CompleteKeyDeletion(view, work, &plan);
      break;
    case PendingWork::Kind::kBinExpiry:
      ExpireBinEntry(view, work, &plan);
      break;
  }
  return plan;
}

}  // namespace ami::policy
