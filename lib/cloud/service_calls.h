// EC2 calls that a service of the cloud makes — Data Lifecycle Manager, AWS Backup, the targets
// of EventBridge schedules — from inside Cloud::AdvanceClock(), where the writer lock is held
// already. Each is the public operation's own code (the Cloud's method takes the lock and calls
// it): the same decode, planner, decision and commit, so every rule applies to a service as to
// a person. `service_tags` are the service's `aws:` tags, which a caller of the public API
// cannot set. Internal to libami.
#ifndef AMI_LIB_CLOUD_SERVICE_CALLS_H_
#define AMI_LIB_CLOUD_SERVICE_CALLS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "ami/attributes.h"
#include "ami/requests.h"
#include "cloud/state.h"
#include "policy/planning.h"

namespace ami::internal {

absl::StatusOr<ImageId> ServiceCreateImage(CloudState& s, const CallContext& ctx,
                                           const CreateImageRequest& request,
                                           const TagSet& service_tags = {})
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu);
// Called in the destination Region (ctx.region).
absl::StatusOr<ImageId> ServiceCopyImage(CloudState& s, const CallContext& ctx,
                                         const CopyImageRequest& request,
                                         const TagSet& service_tags = {})
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu);
// `by_backup`: AWS Backup deleting a recovery point's AMI, which DEREG-5 does not refuse.
absl::StatusOr<std::vector<DeleteSnapshotResult>> ServiceDeregisterImage(
    CloudState& s, const CallContext& ctx, ImageId id, bool delete_associated_snapshots,
    bool by_backup = false) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu);
absl::Status ServiceDeleteSnapshot(CloudState& s, const CallContext& ctx, SnapshotId id)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu);
// Launch permissions or another image attribute (ModifyImageAttribute).
absl::Status ServiceModifyImageAttribute(CloudState& s, const CallContext& ctx,
                                         const ModifyImageAttributeRequest& request)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu);
// createVolumePermission of a snapshot (ModifySnapshotAttribute).
absl::Status ServiceModifySnapshotAttribute(CloudState& s, const CallContext& ctx,
                                            const ModifySnapshotAttributeRequest& request)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu);
// Deprecation, disabling, deregistration protection (the image lifecycle operations).
absl::StatusOr<std::string> ServiceChangeImage(CloudState& s, const CallContext& ctx, ImageId id,
                                               const policy::ImageLifecycleChange& change)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu);

// `tags` with the service's `service_tags` put over them.
absl::StatusOr<TagSet> WithServiceTags(const TagSet& tags, const TagSet& service_tags);

}  // namespace ami::internal

#endif  // AMI_LIB_CLOUD_SERVICE_CALLS_H_
