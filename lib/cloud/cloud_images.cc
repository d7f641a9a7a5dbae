// RegisterImage, CopyImage, DeregisterImage and DeleteSnapshot (CREATE-17, COPY-*, DEREG-1 … 3,
// SNAP-4, REG-3, REG-4, REG-6).
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ami/cloud.h"
#include "ami/errors.h"
#include "ami/policy.h"
#include "values/choices.h"
#include "cloud/ops_common.h"
#include "cloud/service_calls.h"
#include "cloud/state.h"
#include "policy/iam.h"
#include "policy/planning.h"
#include "values/status_macros.h"

namespace ami {


namespace {

// RegisterImage's request, decoded (ID-17, CREATE-7, CREATE-18).
absl::StatusOr<policy::RegisterImageCall> DecodeRegister(const CallContext& ctx,
                                                         const RegisterImageRequest& request) {
  AMI_RETURN_IF_ERROR(ValidateImageName(request.name));
  AMI_ASSIGN_OR_RETURN(const internal::SpecifiedTags tags,
                       internal::ParseTagSpecifications(request.tag_specifications));
  if (!request.imds_support.empty() && request.imds_support != "v2.0") {
    return MakeError(choices::kInvalidValue, absl::StrCat("invalid imds support `",
                                                          request.imds_support, "`: only v2.0"));
  }
  policy::RegisterImageCall call{ctx, request, {}, tags.image};
  for (const RegisterImageMapping& m : request.block_device_mappings) {
    if (m.encrypted.has_value()) {
      return MakeError(choices::kInconsistentValues,
                       absl::StrCat("mapping `", m.device_name,
                                    "` is created from a snapshot: omit Encrypted (CREATE-7)"));
    }
    AMI_ASSIGN_OR_RETURN(const SnapshotId id, SnapshotId::Parse(m.snapshot_id));
    call.snapshots.push_back(id);
  }
  return call;
}

// CopyImage's request, decoded (COPY-1, COPY-4, ID-12). A KmsKeyId that is not a key identifier
// is kept as text: the copy fails after the call (KMS-11).
absl::StatusOr<policy::CopyImageCall> DecodeCopy(const CallContext& ctx,
                                                 const CopyImageRequest& request) {
  if (request.name.empty()) {
    return MakeError(ErrorCode::kMissingParameter, "CopyImage needs a Name (COPY-1)");
  }
  AMI_ASSIGN_OR_RETURN(const Region source_region, Region::Parse(request.source_region));
  AMI_ASSIGN_OR_RETURN(const ImageId source_id, ImageId::Parse(request.source_image_id));
  AMI_ASSIGN_OR_RETURN(const internal::SpecifiedTags tags,
                       internal::ParseTagSpecifications(request.tag_specifications));
  policy::CopyImageCall call{ctx, request, {ctx.account, ctx.region, source_region, source_id,
                                            request.name, request.encrypted, std::nullopt},
                             tags.image, tags.snapshot, ""};
  if (!request.kms_key_id.empty()) {
    absl::StatusOr<KmsKeyRef> ref = KmsKeyRef::Parse(request.kms_key_id);
    if (ref.ok()) {
      call.question.kms_key = *ref;
    } else {
      call.unparsed_key = request.kms_key_id;
    }
  }
  return call;
}

}  // namespace

absl::StatusOr<ImageId> Cloud::RegisterImage(const CallContext& ctx,
                                             const RegisterImageRequest& request) {
  AMI_ASSIGN_OR_RETURN(const policy::RegisterImageCall call, DecodeRegister(ctx, request));
  internal::WriterLock lock(state_->mu);
  absl::StatusOr<policy::Planned> p = policy::PlanRegisterImage(*state_, call);
  AMI_RETURN_IF_ERROR(p.status());
  AMI_RETURN_IF_ERROR(internal::Gate(p->decision, ctx));
  const ImageId id = p->plan.put_images.front()->id();
  state_->Commit(std::move(p->plan));
  return id;
}

absl::StatusOr<ImageId> Cloud::CopyImage(const CallContext& ctx, const CopyImageRequest& request) {
  internal::WriterLock lock(state_->mu);
  return internal::ServiceCopyImage(*state_, ctx, request);
}

absl::StatusOr<ImageId> internal::ServiceCopyImage(CloudState& s, const CallContext& ctx,
                                                   const CopyImageRequest& request,
                                                   const TagSet& service_tags) {
  absl::StatusOr<policy::CopyImageCall> call = DecodeCopy(ctx, request);
  AMI_RETURN_IF_ERROR(call.status());
  AMI_ASSIGN_OR_RETURN(call->image_tags, WithServiceTags(call->image_tags, service_tags));
  policy::PlannedCopy p;
  AMI_RETURN_IF_ERROR(policy::PlanCopyImage(s, *call, &p));
  AMI_RETURN_IF_ERROR(internal::Gate(p.planned.decision, ctx, /*allow_later=*/true));
  if (!p.existing.has_value()) s.Commit(std::move(p.planned.plan));
  return p.image;
}

absl::StatusOr<std::vector<DeleteSnapshotResult>> Cloud::DeregisterImage(
    const CallContext& ctx, const Input<ImageId>& image_id, bool delete_associated_snapshots) {
  AMI_ASSIGN_OR_RETURN(const ImageId id, image_id.Decode());
  internal::WriterLock lock(state_->mu);
  return internal::ServiceDeregisterImage(*state_, ctx, id, delete_associated_snapshots,
                                          /*by_backup=*/false);
}

absl::StatusOr<std::vector<DeleteSnapshotResult>> internal::ServiceDeregisterImage(
    CloudState& s, const CallContext& ctx, ImageId id, bool delete_associated_snapshots,
    bool by_backup) {
  policy::PlannedDeregister p =
      policy::PlanDeregisterImage(s, ctx, id, delete_associated_snapshots, by_backup);
  AMI_RETURN_IF_ERROR(internal::Gate(p.planned.decision, ctx));
  s.Commit(std::move(p.planned.plan));
  return std::move(p.results);
}

absl::Status Cloud::DeleteSnapshot(const CallContext& ctx, const Input<SnapshotId>& snapshot_id) {
  AMI_ASSIGN_OR_RETURN(const SnapshotId id, snapshot_id.Decode());
  internal::WriterLock lock(state_->mu);
  return internal::ServiceDeleteSnapshot(*state_, ctx, id);
}

absl::Status internal::ServiceDeleteSnapshot(CloudState& s, const CallContext& ctx,
                                             SnapshotId id) {
  policy::Planned p = policy::PlanDeleteSnapshot(s, ctx, id);
  AMI_RETURN_IF_ERROR(internal::Gate(p.decision, ctx));
  s.Commit(std::move(p.plan));
  return absl::OkStatus();
}

absl::StatusOr<TagSet> internal::WithServiceTags(const TagSet& tags, const TagSet& service_tags) {
  if (service_tags.empty()) return tags;
  return tags.With(service_tags);
}

}  // namespace ami
