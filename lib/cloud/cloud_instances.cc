// RunInstances, Stop/Start/TerminateInstances and CreateImage (LAUNCH-*, CREATE-*, REG-5, REG-7).
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
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

// RunInstances's request, decoded (LAUNCH-1, LAUNCH-10, REG-5, ID-12).
absl::StatusOr<policy::RunInstancesCall> DecodeRun(const CallContext& ctx,
                                                   const RunInstancesRequest& request) {
  if (request.image_id.empty()) {
    return MakeError(ErrorCode::kMissingParameter, "RunInstances needs an image id (LAUNCH-1)");
  }
  AMI_ASSIGN_OR_RETURN(const ImageId image_id, ImageId::Parse(request.image_id));
  AMI_RETURN_IF_ERROR(ValidateInstanceType(request.instance_type));
  if (request.count < 1 || request.count > 1000) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat("instance count ", request.count, " is outside 1 to 1000"));
  }
  AvailabilityZone zone = ctx.region.zones().front();
  if (!request.availability_zone.empty()) {
    AMI_ASSIGN_OR_RETURN(zone, AvailabilityZone::Parse(request.availability_zone));
    if (zone.region() != ctx.region) {
      return MakeError(choices::kInvalidValue,
                       absl::StrCat("availability zone `", zone.ToString(), "` is not in ",
                                    ctx.region.code(), " (REG-5)"));
    }
  }
  policy::LaunchQuestion q{ctx.account, ctx.region, image_id, request.encrypted, std::nullopt};
  if (!request.kms_key_id.empty()) {
    AMI_ASSIGN_OR_RETURN(KmsKeyRef ref, KmsKeyRef::Parse(request.kms_key_id));
    q.kms_key = std::move(ref);
  }
  AMI_ASSIGN_OR_RETURN(TagSet tags, internal::UserTags(request.tags));
  return policy::RunInstancesCall{ctx, std::move(q), zone, request.instance_type, request.count,
                                  std::move(tags)};
}

// The instance ids, decoded; at least one.
absl::StatusOr<std::vector<InstanceId>> DecodeInstanceIds(const InputList<InstanceId>& ids) {
  AMI_ASSIGN_OR_RETURN(std::vector<InstanceId> out, ids.Decode());
  if (out.empty()) return MakeError(ErrorCode::kMissingParameter, "no instance ids were given");
  return out;
}

// Stop/Start/TerminateInstances: decode, plan, commit.
absl::Status ChangeInstances(internal::CloudState& s, const CallContext& ctx,
                             const InputList<InstanceId>& ids, policy::InstanceAction action) {
  AMI_ASSIGN_OR_RETURN(const std::vector<InstanceId> parsed, DecodeInstanceIds(ids));
  internal::WriterLock lock(s.mu);
  absl::StatusOr<policy::Planned> p = policy::PlanInstanceAction(s, ctx, parsed, action);
  AMI_RETURN_IF_ERROR(p.status());
  AMI_RETURN_IF_ERROR(internal::Gate(p->decision, ctx));
  s.Commit(std::move(p->plan));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<InstanceId>> Cloud::RunInstances(const CallContext& ctx,
                                                            const RunInstancesRequest& request) {
  AMI_ASSIGN_OR_RETURN(const policy::RunInstancesCall call, DecodeRun(ctx, request));
  internal::WriterLock lock(state_->mu);
  absl::StatusOr<policy::Planned> p = policy::PlanRunInstances(*state_, call);
  AMI_RETURN_IF_ERROR(p.status());
  AMI_RETURN_IF_ERROR(internal::Gate(p->decision, ctx, /*allow_later=*/true));
  std::vector<InstanceId> ids;
  for (const Instance& instance : p->plan.put_instances) ids.push_back(instance.id());
  state_->Commit(std::move(p->plan));
  return ids;
}

absl::Status Cloud::StopInstances(const CallContext& ctx, const InputList<InstanceId>& ids) {
  return ChangeInstances(*state_, ctx, ids, policy::InstanceAction::kStop);
}

absl::Status Cloud::StartInstances(const CallContext& ctx, const InputList<InstanceId>& ids) {
  return ChangeInstances(*state_, ctx, ids, policy::InstanceAction::kStart);
}

absl::Status Cloud::TerminateInstances(const CallContext& ctx, const InputList<InstanceId>& ids) {
  return ChangeInstances(*state_, ctx, ids, policy::InstanceAction::kTerminate);
}

absl::StatusOr<ImageId> Cloud::CreateImage(const CallContext& ctx, const CreateImageRequest& request) {
  internal::WriterLock lock(state_->mu);
  return internal::ServiceCreateImage(*state_, ctx, request);
}

absl::StatusOr<ImageId> internal::ServiceCreateImage(CloudState& s, const CallContext& ctx,
                                                     const CreateImageRequest& request,
                                                     const TagSet& service_tags) {
  AMI_ASSIGN_OR_RETURN(const InstanceId instance_id, InstanceId::Parse(request.instance_id));
  AMI_ASSIGN_OR_RETURN(const internal::SpecifiedTags tags,
                       internal::ParseTagSpecifications(request.tag_specifications));
  policy::CreateImageCall call{ctx, request, instance_id, tags.image, tags.snapshot};
  call.service_tags = service_tags;
  absl::StatusOr<policy::Planned> p = policy::PlanCreateImage(s, call);
  AMI_RETURN_IF_ERROR(p.status());
  AMI_RETURN_IF_ERROR(internal::Gate(p->decision, ctx));
  const ImageId id = p->plan.put_images.front()->id();
  s.Commit(std::move(p->plan));
  return id;
}

}  // namespace ami
