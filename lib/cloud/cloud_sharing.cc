// Image and snapshot attributes, sharing and tags (SHARE-1 … 17, 20, SNAP-1 … 3, DESC-11,
// CREATE-18, ID-3, ID-7).
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "ami/cloud.h"
#include "ami/policy.h"
#include "values/choices.h"
#include "cloud/ops_common.h"
#include "cloud/service_calls.h"
#include "cloud/state.h"
#include "policy/iam.h"
#include "policy/planning.h"
#include "values/image_access.h"
#include "values/status_macros.h"
#include "values/text_util.h"

namespace ami {

using internal::CloudState;

namespace {

// Reads LaunchPermission entries into additions or removals (ID-7, SHARE-7).
absl::Status ReadEntries(const std::vector<LaunchPermissionEntry>& entries, bool add,
                         policy::LaunchPermissionChange* change) {
  for (const LaunchPermissionEntry& e : entries) {
    const int set = !e.user_id.empty() + !e.group.empty() + !e.organization_arn.empty() +
                    !e.organizational_unit_arn.empty();
    if (set != 1) {
      return MakeError(choices::kInconsistentValues,
                       "each launch permission names exactly one of UserId, Group, "
                       "OrganizationArn and OrganizationalUnitArn");
    }
    if (!e.user_id.empty()) {
      absl::StatusOr<AccountId> a = AccountId::Parse(e.user_id);
      if (!a.ok()) {
        return MakeError(choices::kBadLaunchPermissionItem,
                         absl::StrCat("invalid UserId `", e.user_id,
                                      "`: check that it is an AWS account id, without hyphens"));
      }
      (add ? change->add_accounts : change->remove_accounts).push_back(*a);
    } else if (!e.group.empty()) {
      if (e.group != "all") {
        return MakeError(choices::kBadLaunchPermissionItem,
                         absl::StrCat("invalid Group `", e.group, "`: the only group is all"));
      }
      (add ? change->add_public : change->remove_public) = true;
    } else if (!e.organization_arn.empty()) {
      AMI_ASSIGN_OR_RETURN(OrganizationArn arn, OrganizationArn::Parse(e.organization_arn));
      (add ? change->add_organizations : change->remove_organizations).push_back(std::move(arn));
    } else {
      AMI_ASSIGN_OR_RETURN(OrganizationalUnitArn arn,
                           OrganizationalUnitArn::Parse(e.organizational_unit_arn));
      (add ? change->add_ous : change->remove_ous).push_back(std::move(arn));
    }
  }
  return absl::OkStatus();
}

// Plans with `plan`, then gates and commits: the attribute operations' one shape.
// The writer lock is held already.
template <typename PlanFn>
absl::Status PlanAndCommitLocked(CloudState& s, const CallContext& ctx, PlanFn plan)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
  absl::StatusOr<policy::Planned> p = plan(static_cast<const CloudState&>(s));
  AMI_RETURN_IF_ERROR(p.status());
  AMI_RETURN_IF_ERROR(internal::Gate(p->decision, ctx));
  s.Commit(std::move(p->plan));
  return absl::OkStatus();
}

template <typename PlanFn>
absl::Status PlanAndCommit(CloudState& s, const CallContext& ctx, PlanFn plan) {
  internal::WriterLock lock(s.mu);
  return PlanAndCommitLocked(s, ctx, std::move(plan));
}

}  // namespace

absl::Status Cloud::ModifyImageAttribute(const CallContext& ctx,
                                         const ModifyImageAttributeRequest& request) {
  internal::WriterLock lock(state_->mu);
  return internal::ServiceModifyImageAttribute(*state_, ctx, request);
}

absl::Status internal::ServiceModifyImageAttribute(CloudState& s, const CallContext& ctx,
                                                   const ModifyImageAttributeRequest& request) {
  AMI_ASSIGN_OR_RETURN(const ImageId id, ImageId::Parse(request.image_id));
  const bool launch = !request.add.empty() || !request.remove.empty();
  const int kinds = launch + request.description.has_value() + request.imds_support.has_value();
  if (kinds != 1) {
    if (kinds == 0) {
      return MakeError(choices::kMissingValue, "ModifyImageAttribute needs one attribute to modify");
    }
    return MakeError(choices::kInconsistentValues,
                     "ModifyImageAttribute modifies one attribute per call (SHARE-3)");
  }
  if (request.imds_support.has_value() && *request.imds_support != "v2.0") {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat("invalid imds support `", *request.imds_support,
                                  "`: the only value is v2.0, and it cannot be undone (CREATE-18)"));
  }
  if (!launch) {
    return PlanAndCommitLocked(s, ctx, [&](const CloudState& view) {
      return policy::PlanModifyImageDetails(view, ctx, id, request);
    });
  }
  if (request.add.size() + request.remove.size() > 10000) {
    return MakeError(choices::kInvalidValue,
                     "one ModifyImageAttribute call may name at most 10,000 launch permissions");
  }
  policy::ShareQuestion q{ctx.account, ctx.region, id, {}};
  AMI_RETURN_IF_ERROR(ReadEntries(request.add, /*add=*/true, &q.change));
  AMI_RETURN_IF_ERROR(ReadEntries(request.remove, /*add=*/false, &q.change));
  return PlanAndCommitLocked(s, ctx, [&](const CloudState& view) {
    return policy::PlanModifyLaunchPermission(view, ctx, q);
  });
}

absl::Status Cloud::ResetImageAttribute(const CallContext& ctx, const Input<ImageId>& image_id,
                                        const Input<ImageAttributeName>& attribute) {
  AMI_ASSIGN_OR_RETURN(const ImageId id, image_id.Decode());
  const absl::StatusOr<ImageAttributeName> name = attribute.Decode();
  if (!name.ok() || *name != ImageAttributeName::kLaunchPermission) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat("attribute `", attribute.ToString(),
                                  "` cannot be reset; only launchPermission"));
  }
  return PlanAndCommit(*state_, ctx, [&](const CloudState& s) {
    return policy::PlanResetLaunchPermission(s, ctx, id);
  });
}

absl::Status Cloud::CancelImageLaunchPermission(const CallContext& ctx,
                                                const Input<ImageId>& image_id) {
  AMI_ASSIGN_OR_RETURN(const ImageId id, image_id.Decode());
  return PlanAndCommit(*state_, ctx, [&](const CloudState& s) {
    return policy::PlanCancelLaunchPermission(s, ctx, id);
  });
}

namespace {

// The attribute's value on `image` as of `now` (DESC-11: blockDeviceMapping is not described).
absl::StatusOr<ImageAttribute> ReadAttribute(const Image& image, ImageAttributeName attribute,
                                             absl::Time now) {
  using Name = ImageAttributeName;
  ImageAttribute out;
  out.image_id = image.id();
  if (attribute == Name::kDescription) {
    out.description = image.description();
  } else if (attribute == Name::kLaunchPermission) {
    out.launch_permissions = image.launch_permissions();
  } else if (attribute == Name::kImdsSupport) {
    out.imds_support = image.imds_v2_required() ? "v2.0" : "";
  } else if (attribute == Name::kProductCodes) {
    out.product_codes = image.product_codes();
  } else if (attribute == Name::kDeregistrationProtection) {
    out.deregistration_protection =
        image.protection_cooldown_until().has_value() &&
                image.deregistration_protection() == DeregistrationProtection::kDisabled &&
                *image.protection_cooldown_until() > now
            ? absl::StrCat("disabled-until-", FormatAwsTime(*image.protection_cooldown_until()))
            : std::string(ToString(image.deregistration_protection()));
  } else if (attribute == Name::kLastLaunchedTime) {
    out.last_launched_time = image.last_launched_time();
  } else if (attribute == Name::kBootMode) {
    out.value = std::string(ToString(image.boot_mode()));
  } else if (attribute == Name::kBlockDeviceMapping) {
    return MakeError(ErrorCode::kAuthFailure,
                     "the blockDeviceMapping attribute is deprecated and cannot be described (DESC-11)");
  } else {
    out.value = "";  // kernel, ramdisk, sriovNetSupport, tpmSupport, uefiData: not modelled.
  }
  return out;
}

}  // namespace

absl::StatusOr<ImageAttribute> Cloud::DescribeImageAttribute(
    const CallContext& ctx, const Input<ImageId>& image_id,
    const Input<ImageAttributeName>& attribute) const {
  AMI_ASSIGN_OR_RETURN(const ImageId id, image_id.Decode());
  AMI_ASSIGN_OR_RETURN(const ImageAttributeName name, attribute.Decode());
  const CloudState& s = *state_;
  internal::ReaderLock lock(s.mu);
  const Decision d = policy::EvaluateDescribeImageAttribute(s, ctx, id);
  AMI_RETURN_IF_ERROR(internal::Gate(d, ctx));
  return ReadAttribute(*s.FindImage(id), name, s.Now());
}

absl::Status Cloud::ModifySnapshotAttribute(const CallContext& ctx,
                                            const ModifySnapshotAttributeRequest& request) {
  internal::WriterLock lock(state_->mu);
  return internal::ServiceModifySnapshotAttribute(*state_, ctx, request);
}

absl::Status internal::ServiceModifySnapshotAttribute(
    CloudState& s, const CallContext& ctx, const ModifySnapshotAttributeRequest& request) {
  AMI_ASSIGN_OR_RETURN(const SnapshotId id, SnapshotId::Parse(request.snapshot_id));
  if (request.operation_type != "add" && request.operation_type != "remove") {
    return MakeError(choices::kInvalidValue, absl::StrCat("invalid operation type `",
                                                          request.operation_type,
                                                          "`: expected add or remove"));
  }
  const bool add = request.operation_type == "add";
  policy::SnapshotShareQuestion q{ctx.account, ctx.region, id, {}, {}, false, false};
  for (const std::string& user : request.user_ids) {
    AMI_ASSIGN_OR_RETURN(const AccountId a, AccountId::Parse(user));
    (add ? q.add_accounts : q.remove_accounts).push_back(a);
  }
  for (const std::string& group : request.group_names) {
    if (group != "all") {
      return MakeError(choices::kInvalidValue, absl::StrCat("invalid group `", group, "`: only all"));
    }
    (add ? q.add_public : q.remove_public) = true;
  }
  return PlanAndCommitLocked(s, ctx, [&](const CloudState& view) {
    return policy::PlanModifySnapshotPermission(view, ctx, q);
  });
}

// ---- Tags ----

namespace {

absl::StatusOr<policy::TagChange> DecodeTagChange(const InputList<ResourceId>& ids) {
  if (ids.empty()) return MakeError(ErrorCode::kMissingParameter, "no resource ids were given");
  policy::TagChange change;
  for (const Input<ResourceId>& input : ids.items()) {
    AMI_ASSIGN_OR_RETURN(const ResourceId resource, input.Decode());
    change.resources.push_back(resource.value());
  }
  return change;
}

}  // namespace

absl::Status Cloud::CreateTags(const CallContext& ctx, const InputList<ResourceId>& resource_ids,
                               const std::vector<std::pair<std::string, std::string>>& tags) {
  AMI_ASSIGN_OR_RETURN(TagSet added, internal::UserTags(tags));
  AMI_ASSIGN_OR_RETURN(policy::TagChange change, DecodeTagChange(resource_ids));
  change.add = std::move(added);
  return PlanAndCommit(*state_, ctx, [&](const CloudState& s) {
    return policy::PlanChangeTags(s, ctx, change);
  });
}

absl::Status Cloud::DeleteTags(const CallContext& ctx, const InputList<ResourceId>& resource_ids,
                               const std::vector<std::string>& keys) {
  // MC-85: aws: tags are AWS's. Were they deletable, a user could free a backup-managed image
  // from AWS Backup (DEREG-5).
  for (const std::string& key : keys) {
    if (absl::StartsWith(key, "aws:")) {
      return MakeError(choices::kReservedTagDelete,
                       absl::StrCat("tag key `", text_util::Clip(key),
                                    "` is reserved: tags with the aws: prefix cannot be deleted"));
    }
  }
  AMI_ASSIGN_OR_RETURN(policy::TagChange change, DecodeTagChange(resource_ids));
  change.remove = true;
  change.remove_keys = keys;
  return PlanAndCommit(*state_, ctx, [&](const CloudState& s) {
    return policy::PlanChangeTags(s, ctx, change);
  });
}

absl::StatusOr<TagSet> Cloud::GetTags(AccountId viewer, const Input<ResourceId>& resource_id) const {
  AMI_ASSIGN_OR_RETURN(const ResourceId decoded, resource_id.Decode());
  const policy::TagResource& resource = decoded.value();
  const CloudState& s = *state_;
  internal::ReaderLock lock(s.mu);
  // The resource's own Region: tags are looked up wherever the resource is.
  Region region = Region::First();
  if (const auto* id = std::get_if<ImageId>(&resource); id && s.FindImage(*id)) {
    region = s.FindImage(*id)->region();
  } else if (const auto* sid = std::get_if<SnapshotId>(&resource); sid && s.FindSnapshot(*sid)) {
    region = s.FindSnapshot(*sid)->region();
  } else if (const auto* iid = std::get_if<InstanceId>(&resource); iid && s.FindInstance(*iid)) {
    region = s.FindInstance(*iid)->region();
  }
  bool owner = false;
  AMI_RETURN_IF_ERROR(policy::EvaluateTagAccess(s, viewer, region, resource, &owner).ToStatus());
  return policy::ViewerTags(s, resource, owner, viewer);
}

}  // namespace ami
