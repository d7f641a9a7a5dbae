// Image and snapshot attributes, sharing and tags (SHARE-1 … 17, 20, SNAP-1 … 3, DESC-11,
// CREATE-18, ID-3, ID-7).
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "ami/errors.h"
#include "ami/cloud.h"
#include "ami/policy.h"
#include "values/choices.h"
#include "cloud/ops_common.h"
#include "cloud/state.h"
#include "policy/planning.h"
#include "values/image_access.h"
#include "values/status_macros.h"

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
template <typename PlanFn>
absl::Status PlanAndCommit(CloudState& s, const CallContext& ctx, PlanFn plan) {
  internal::WriterLock lock(s.mu);
  AMI_ASSIGN_OR_RETURN(policy::Planned p, plan(static_cast<const CloudState&>(s)));
  AMI_RETURN_IF_ERROR(internal::Gate(p.decision, ctx));
  s.Commit(std::move(p.plan));
  return absl::OkStatus();
}

}  // namespace

absl::Status Cloud::ModifyImageAttribute(const CallContext& ctx,
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
    return PlanAndCommit(*state_, ctx, [&](const CloudState& s) {
      return policy::PlanModifyImageDetails(s, ctx, id, request);
    });
  }
  if (request.add.size() + request.remove.size() > 10000) {
    return MakeError(choices::kInvalidValue,
                     "one ModifyImageAttribute call may name at most 10,000 launch permissions");
  }
  policy::ShareQuestion q{ctx.account, ctx.region, id, {}};
  AMI_RETURN_IF_ERROR(ReadEntries(request.add, /*add=*/true, &q.change));
  AMI_RETURN_IF_ERROR(ReadEntries(request.remove, /*add=*/false, &q.change));
  return PlanAndCommit(*state_, ctx, [&](const CloudState& s) {
    return policy::PlanModifyLaunchPermission(s, q);
  });
}

absl::Status Cloud::ResetImageAttribute(const CallContext& ctx, const std::string& image_id,
                                        const std::string& attribute) {
  AMI_ASSIGN_OR_RETURN(const ImageId id, ImageId::Parse(image_id));
  if (attribute != "launchPermission") {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat("attribute `", attribute, "` cannot be reset; only launchPermission"));
  }
  return PlanAndCommit(*state_, ctx, [&](const CloudState& s) {
    return policy::PlanResetLaunchPermission(s, ctx, id);
  });
}

absl::Status Cloud::CancelImageLaunchPermission(const CallContext& ctx, const std::string& image_id) {
  AMI_ASSIGN_OR_RETURN(const ImageId id, ImageId::Parse(image_id));
  return PlanAndCommit(*state_, ctx, [&](const CloudState& s) {
    return policy::PlanCancelLaunchPermission(s, ctx, id);
  });
}

namespace {

// DescribeImageAttribute's attribute names (DESC-11).
bool KnownImageAttribute(const std::string& a) {
  static constexpr const char* kNames[] = {
      "description", "launchPermission", "imdsSupport", "productCodes",
      "deregistrationProtection", "lastLaunchedTime", "bootMode", "kernel", "ramdisk",
      "sriovNetSupport", "tpmSupport", "uefiData", "blockDeviceMapping"};
  return std::find(std::begin(kNames), std::end(kNames), a) != std::end(kNames);
}

}  // namespace

absl::StatusOr<ImageAttribute> Cloud::DescribeImageAttribute(const CallContext& ctx,
                                                             const std::string& image_id,
                                                             const std::string& attribute) const {
  AMI_ASSIGN_OR_RETURN(const ImageId id, ImageId::Parse(image_id));
  if (!KnownImageAttribute(attribute)) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat("unknown or unsupported image attribute `", attribute, "`"));
  }
  internal::ReaderLock lock(state_->mu);
  const CloudState& s = *state_;
  const Decision d = policy::EvaluateImageOwnerAction(s, ctx.account, ctx.region, id,
                                                      policy::ImageAction::kDescribeAttribute);
  AMI_RETURN_IF_ERROR(internal::Gate(d, ctx));
  const Image& image = *s.FindImage(id);
  ImageAttribute out;
  out.image_id = id;
  if (attribute == "description") {
    out.description = image.description();
  } else if (attribute == "launchPermission") {
    out.launch_permissions = image.launch_permissions();
  } else if (attribute == "imdsSupport") {
    out.imds_support = image.imds_v2_required() ? "v2.0" : "";
  } else if (attribute == "productCodes") {
    out.product_codes = image.product_codes();
  } else if (attribute == "deregistrationProtection") {
    out.deregistration_protection =
        image.protection_cooldown_until().has_value() &&
                image.deregistration_protection() == DeregistrationProtection::kDisabled &&
                *image.protection_cooldown_until() > s.now
            ? absl::StrCat("disabled-until-", FormatAwsTime(*image.protection_cooldown_until()))
            : std::string(ToString(image.deregistration_protection()));
  } else if (attribute == "lastLaunchedTime") {
    out.last_launched_time = image.last_launched_time();
  } else if (attribute == "bootMode") {
    out.value = std::string(ToString(image.boot_mode()));
  } else if (attribute == "kernel" || attribute == "ramdisk" || attribute == "sriovNetSupport" ||
             attribute == "tpmSupport" || attribute == "uefiData") {
    out.value = "";  // Not modelled: machine images without kernels, SR-IOV, TPM or UEFI data.
  } else if (attribute == "blockDeviceMapping") {
    return MakeError(ErrorCode::kAuthFailure,
                     "the blockDeviceMapping attribute is deprecated and cannot be described (DESC-11)");
  } else {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat("unknown or unsupported image attribute `", attribute, "`"));
  }
  return out;
}

absl::Status Cloud::ModifySnapshotAttribute(const CallContext& ctx,
                                            const ModifySnapshotAttributeRequest& request) {
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
  internal::WriterLock lock(state_->mu);
  CloudState& s = *state_;
  CreateVolumePermissions next;
  AMI_RETURN_IF_ERROR(internal::Gate(policy::EvaluateModifySnapshotPermission(s, q, &next), ctx));
  Snapshot::Builder b = s.FindSnapshot(id)->ToBuilder();
  b.set_create_volume_permissions(std::move(next));
  AMI_ASSIGN_OR_RETURN(Snapshot snapshot, b.Build());
  s.PutSnapshot(std::make_shared<const Snapshot>(std::move(snapshot)));
  return absl::OkStatus();
}

// ---- Tags ----

namespace {

// Where a resource's tags live for one account (SHARE-13).
struct TagTarget {
  enum class Kind { kImage, kSnapshot, kInstance } kind;
  std::string id;
  bool owner = false;
};

absl::StatusOr<TagTarget> FindTagTarget(const CloudState& s, AccountId account, Region region,
                                        const std::string& text) {
  auto not_found = [&](ErrorCode code) {
    return MakeError(code, absl::StrCat("resource `", text, "` does not exist in ", region.code()));
  };
  if (absl::StartsWith(text, "ami-") && ImageId::Parse(text).ok()) {
    const Image* image = s.FindImage(*ImageId::Parse(text));
    if (image == nullptr || image->region() != region || !internal::IsRegistered(image->state())) {
      return not_found(ErrorCode::kInvalidAMIIDNotFound);
    }
    const bool owner = image->owner() == account;
    if (!owner && !policy::EvaluateLaunchPermission(s, *image, account).allowed()) {
      return not_found(ErrorCode::kInvalidAMIIDNotFound);
    }
    return TagTarget{TagTarget::Kind::kImage, text, owner};
  }
  if (absl::StartsWith(text, "snap-") && SnapshotId::Parse(text).ok()) {
    const Snapshot* snap = s.FindSnapshot(*SnapshotId::Parse(text));
    if (snap == nullptr || snap->region() != region) return not_found(ErrorCode::kInvalidSnapshotNotFound);
    const bool owner = snap->owner() == account;
    if (!owner && !std::binary_search(snap->create_volume_permissions().accounts.begin(),
                                      snap->create_volume_permissions().accounts.end(), account) &&
        !snap->is_public()) {
      return not_found(ErrorCode::kInvalidSnapshotNotFound);
    }
    return TagTarget{TagTarget::Kind::kSnapshot, text, owner};
  }
  if (absl::StartsWith(text, "i-") && InstanceId::Parse(text).ok()) {
    const Instance* instance = s.FindInstance(*InstanceId::Parse(text));
    if (instance == nullptr || instance->region() != region || instance->owner() != account) {
      return not_found(ErrorCode::kInvalidInstanceIDNotFound);
    }
    return TagTarget{TagTarget::Kind::kInstance, text, true};
  }
  return MakeError(ErrorCode::kInvalidID,
                   absl::StrCat("invalid resource id `", text, "` (ID-3): expected an ami-, snap- or i- id"));
}

TagSet OwnerTags(const CloudState& s, const TagTarget& t) {
  switch (t.kind) {
    case TagTarget::Kind::kImage:
      return s.FindImage(*ImageId::Parse(t.id))->tags();
    case TagTarget::Kind::kSnapshot:
      return s.FindSnapshot(*SnapshotId::Parse(t.id))->tags();
    case TagTarget::Kind::kInstance:
      return s.FindInstance(*InstanceId::Parse(t.id))->tags();
  }
  return TagSet();
}

void SetOwnerTags(CloudState& s, const TagTarget& t, TagSet tags) {
  switch (t.kind) {
    case TagTarget::Kind::kImage: {
      Image::Builder b = s.FindImage(*ImageId::Parse(t.id))->ToBuilder();
      s.PutImage(std::make_shared<const Image>(*b.set_tags(std::move(tags)).Build()));
      return;
    }
    case TagTarget::Kind::kSnapshot: {
      Snapshot::Builder b = s.FindSnapshot(*SnapshotId::Parse(t.id))->ToBuilder();
      s.PutSnapshot(std::make_shared<const Snapshot>(*b.set_tags(std::move(tags)).Build()));
      return;
    }
    case TagTarget::Kind::kInstance: {
      Instance::Builder b = s.FindInstance(*InstanceId::Parse(t.id))->ToBuilder();
      s.PutInstance(*std::move(b.set_tags(std::move(tags))).Build());
      return;
    }
  }
}

TagSet ViewerTags(const CloudState& s, const TagTarget& t, AccountId account) {
  if (t.owner) return OwnerTags(s, t);
  auto it = s.foreign_tags.find(t.id);
  if (it == s.foreign_tags.end()) return TagSet();
  auto mine = it->second.find(account);
  return mine == it->second.end() ? TagSet() : mine->second;
}

// Computes every resource's new tags, then applies them all (atomicity).
template <typename Change>
absl::Status ChangeTags(CloudState& s, const CallContext& ctx, const std::vector<std::string>& ids,
                        Change change) {
  std::vector<std::pair<TagTarget, TagSet>> updates;
  for (const std::string& text : ids) {
    AMI_ASSIGN_OR_RETURN(const TagTarget target, FindTagTarget(s, ctx.account, ctx.region, text));
    AMI_ASSIGN_OR_RETURN(TagSet next, change(ViewerTags(s, target, ctx.account)));
    updates.emplace_back(target, std::move(next));
  }
  if (updates.empty()) return MakeError(ErrorCode::kMissingParameter, "no resource ids were given");
  AMI_RETURN_IF_ERROR(internal::DryRunCheck(ctx));
  for (auto& [target, tags] : updates) {
    if (target.owner) {
      SetOwnerTags(s, target, std::move(tags));
    } else {
      s.SetForeignTags(target.id, ctx.region, ctx.account, std::move(tags));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Cloud::CreateTags(const CallContext& ctx, const std::vector<std::string>& resource_ids,
                               const std::vector<std::pair<std::string, std::string>>& tags) {
  AMI_ASSIGN_OR_RETURN(const TagSet added, internal::UserTags(tags));
  internal::WriterLock lock(state_->mu);
  return ChangeTags(*state_, ctx, resource_ids,
                    [&added](const TagSet& current) { return current.With(added); });
}

absl::Status Cloud::DeleteTags(const CallContext& ctx, const std::vector<std::string>& resource_ids,
                               const std::vector<std::string>& keys) {
  internal::WriterLock lock(state_->mu);
  return ChangeTags(*state_, ctx, resource_ids, [&keys](const TagSet& current) {
    return absl::StatusOr<TagSet>(current.Without(keys));
  });
}

absl::StatusOr<TagSet> Cloud::GetTags(AccountId viewer, const std::string& resource_id) const {
  internal::ReaderLock lock(state_->mu);
  const CloudState& s = *state_;
  // The resource's own Region: tags are looked up wherever the resource is.
  Region region = Region::All().front();
  if (auto id = ImageId::Parse(resource_id); id.ok() && s.FindImage(*id)) {
    region = s.FindImage(*id)->region();
  } else if (auto sid = SnapshotId::Parse(resource_id); sid.ok() && s.FindSnapshot(*sid)) {
    region = s.FindSnapshot(*sid)->region();
  } else if (auto iid = InstanceId::Parse(resource_id); iid.ok() && s.FindInstance(*iid)) {
    region = s.FindInstance(*iid)->region();
  }
  AMI_ASSIGN_OR_RETURN(const TagTarget target, FindTagTarget(s, viewer, region, resource_id));
  return ViewerTags(s, target, viewer);
}

}  // namespace ami
