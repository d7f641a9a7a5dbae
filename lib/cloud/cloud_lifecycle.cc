// Image lifecycle (DEREG-6 … 8, SHARE-21), Allowed AMIs settings (GOV-7), block public access
// states (SHARE-18, SNAP-3) and the Recycle Bin (DEREG-9, DEREG-10).
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

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
#include "values/status_macros.h"

namespace ami {

using internal::CloudState;

namespace {

absl::Status CheckUnlockDelay(int days) {
  if (days < kMinUnlockDelayDays || days > kMaxUnlockDelayDays) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat("unlock delay of ", days, " days: expected ",
                                  kMinUnlockDelayDays, " to ", kMaxUnlockDelayDays));
  }
  return absl::OkStatus();
}

absl::Status CheckResourceTags(const std::vector<ResourceTag>& tags) {
  if (tags.size() > kMaxRuleResourceTags) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat(tags.size(), " resource tags, more than ", kMaxRuleResourceTags));
  }
  for (const ResourceTag& t : tags) {
    AMI_RETURN_IF_ERROR(Tag::Create(t.key, t.value).status());
  }
  return absl::OkStatus();
}

// The request's numbers, tags and description (DEREG-9 ranges): request decoding.
absl::Status CheckRuleRequest(const CreateRuleRequest& request) {
  if (request.retention_days < kMinRetentionDays || request.retention_days > kMaxRetentionDays) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat("retention period of ", request.retention_days,
                                  " days: expected ", kMinRetentionDays, " to ", kMaxRetentionDays,
                                  " (DEREG-9)"));
  }
  AMI_RETURN_IF_ERROR(CheckResourceTags(request.resource_tags));
  AMI_RETURN_IF_ERROR(CheckResourceTags(request.exclude_resource_tags));
  if (!request.resource_tags.empty() && !request.exclude_resource_tags.empty()) {
    return MakeError(choices::kInconsistentValues,
                     "a rule has resource tags (tag-level) or exclude resource tags (Region-level), "
                     "not both");
  }
  if (request.description.size() > 255) {
    return MakeError(choices::kInvalidValue, "a rule description has at most 255 characters");
  }
  if (request.lock_unlock_delay_days.has_value()) {
    AMI_RETURN_IF_ERROR(CheckUnlockDelay(*request.lock_unlock_delay_days));
  }
  return absl::OkStatus();
}

// Plan (under the writer lock), gate, commit: the shape of the operations below, once decoded.
template <typename PlanFn>
absl::Status PlanGateCommit(CloudState& s, const CallContext& ctx, PlanFn plan) {
  internal::WriterLock lock(s.mu);
  policy::Planned p = plan(std::as_const(s));
  AMI_RETURN_IF_ERROR(internal::Gate(p.decision, ctx));
  s.Commit(std::move(p.plan));
  return absl::OkStatus();
}

}  // namespace

// ---- Block public access states ----

std::string Cloud::GetImageBlockPublicAccessState(AccountId account, Region region) const {
  internal::ReaderLock lock(state_->mu);
  return state_->Settings(account, region).image_block_public_access ? "block-new-sharing"
                                                                      : "unblocked";
}

std::string Cloud::GetSnapshotBlockPublicAccessState(AccountId account, Region region) const {
  internal::ReaderLock lock(state_->mu);
  switch (state_->Settings(account, region).snapshot_block_public_access) {
    case RegionSettings::SnapshotBlock::kBlockAllSharing:
      return "block-all-sharing";
    case RegionSettings::SnapshotBlock::kBlockNewSharing:
      return "block-new-sharing";
    case RegionSettings::SnapshotBlock::kUnblocked:
      break;
  }
  return "unblocked";
}

// ---- Allowed AMIs ----

absl::Status Cloud::EnableAllowedImagesSettings(const CallContext& ctx,
                                                const Input<AllowedImagesState>& state) {
  AMI_ASSIGN_OR_RETURN(const AllowedImagesState parsed, state.Decode());
  if (parsed == AllowedImagesState::kDisabled) {
    return MakeError(choices::kInvalidValue,
                     "allowed images settings state `disabled` cannot be enabled: expected enabled "
                     "or audit-mode (use DisableAllowedImagesSettings)");
  }
  policy::AllowedImagesChange change{policy::AllowedImagesChange::Kind::kEnable, parsed, {}};
  return PlanGateCommit(*state_, ctx, [&](const policy::PlanView& v) {
    return policy::PlanAllowedImagesChange(v, ctx, std::move(change));
  });
}

absl::Status Cloud::DisableAllowedImagesSettings(const CallContext& ctx) {
  return PlanGateCommit(*state_, ctx, [&](const policy::PlanView& v) {
    return policy::PlanAllowedImagesChange(v, ctx, {policy::AllowedImagesChange::Kind::kDisable});
  });
}

absl::Status Cloud::ReplaceImageCriteriaInAllowedImagesSettings(
    const CallContext& ctx, std::vector<ImageCriterion> criteria) {
  AMI_RETURN_IF_ERROR(ValidateImageCriteria(criteria));
  policy::AllowedImagesChange change{policy::AllowedImagesChange::Kind::kReplaceCriteria,
                                     AllowedImagesState::kDisabled, std::move(criteria)};
  return PlanGateCommit(*state_, ctx, [&](const policy::PlanView& v) {
    return policy::PlanAllowedImagesChange(v, ctx, std::move(change));
  });
}

AllowedImagesSettings Cloud::GetAllowedImagesSettings(AccountId account, Region region) const {
  internal::ReaderLock lock(state_->mu);
  auto it = state_->allowed_images().find({account, region});
  return it == state_->allowed_images().end() ? AllowedImagesSettings() : it->second;
}

// ---- Deprecation, disable, deregistration protection ----

namespace {

// Decode, plan, commit: the image lifecycle operations' one shape.
absl::StatusOr<std::string> ChangeImage(CloudState& s, const CallContext& ctx,
                                        const Input<ImageId>& image_id,
                                        const policy::ImageLifecycleChange& change) {
  AMI_ASSIGN_OR_RETURN(const ImageId id, image_id.Decode());
  internal::WriterLock lock(s.mu);
  return internal::ServiceChangeImage(s, ctx, id, change);
}

using Change = policy::ImageLifecycleChange;

}  // namespace

absl::StatusOr<std::string> internal::ServiceChangeImage(CloudState& s, const CallContext& ctx,
                                                         ImageId id,
                                                         const policy::ImageLifecycleChange& change) {
  absl::StatusOr<policy::PlannedLifecycle> p = policy::PlanImageLifecycle(s, ctx, id, change);
  AMI_RETURN_IF_ERROR(p.status());
  AMI_RETURN_IF_ERROR(internal::Gate(p->planned.decision, ctx));
  s.Commit(std::move(p->planned.plan));
  return std::move(p->result);
}

absl::Status Cloud::EnableImageDeprecation(const CallContext& ctx, const Input<ImageId>& image_id,
                                           absl::Time deprecate_at) {
  return ChangeImage(*state_, ctx, image_id,
                     {Change::Kind::kEnableDeprecation, deprecate_at, false}).status();
}

absl::Status Cloud::DisableImageDeprecation(const CallContext& ctx,
                                            const Input<ImageId>& image_id) {
  return ChangeImage(*state_, ctx, image_id, {Change::Kind::kDisableDeprecation, {}, false}).status();
}

absl::Status Cloud::DisableImage(const CallContext& ctx, const Input<ImageId>& image_id) {
  return ChangeImage(*state_, ctx, image_id, {Change::Kind::kDisable, {}, false}).status();
}

absl::Status Cloud::EnableImage(const CallContext& ctx, const Input<ImageId>& image_id) {
  return ChangeImage(*state_, ctx, image_id, {Change::Kind::kEnable, {}, false}).status();
}

absl::StatusOr<std::string> Cloud::EnableImageDeregistrationProtection(
    const CallContext& ctx, const Input<ImageId>& image_id, bool with_cooldown) {
  return ChangeImage(*state_, ctx, image_id,
                     {Change::Kind::kEnableProtection, {}, with_cooldown});
}

absl::StatusOr<std::string> Cloud::DisableImageDeregistrationProtection(
    const CallContext& ctx, const Input<ImageId>& image_id) {
  return ChangeImage(*state_, ctx, image_id, {Change::Kind::kDisableProtection, {}, false});
}

// ---- Recycle Bin ----

absl::StatusOr<std::string> Cloud::CreateRecycleBinRule(const CallContext& ctx,
                                                        const CreateRuleRequest& request) {
  AMI_ASSIGN_OR_RETURN(const RecycleBinResourceType type,
                       ParseEnum<RecycleBinResourceType>(request.resource_type));
  AMI_RETURN_IF_ERROR(CheckRuleRequest(request));
  internal::WriterLock lock(state_->mu);
  policy::PlannedRule p = policy::PlanCreateRecycleBinRule(*state_, ctx, type, request);
  AMI_RETURN_IF_ERROR(internal::Gate(p.planned.decision, ctx));
  state_->Commit(std::move(p.planned.plan));
  return std::move(p.id);
}

absl::Status Cloud::DeleteRecycleBinRule(const CallContext& ctx, const std::string& rule_id) {
  return PlanGateCommit(*state_, ctx, [&](const policy::PlanView& v) {
    return policy::PlanRecycleBinRule(v, ctx, rule_id, policy::RuleAction::kDelete);
  });
}

absl::Status Cloud::LockRecycleBinRule(const CallContext& ctx, const std::string& rule_id,
                                       int unlock_delay_days) {
  AMI_RETURN_IF_ERROR(CheckUnlockDelay(unlock_delay_days));
  return PlanGateCommit(*state_, ctx, [&](const policy::PlanView& v) {
    return policy::PlanRecycleBinRule(v, ctx, rule_id, policy::RuleAction::kLock,
                                      unlock_delay_days);
  });
}

absl::Status Cloud::UnlockRecycleBinRule(const CallContext& ctx, const std::string& rule_id) {
  return PlanGateCommit(*state_, ctx, [&](const policy::PlanView& v) {
    return policy::PlanRecycleBinRule(v, ctx, rule_id, policy::RuleAction::kUnlock);
  });
}

std::vector<RetentionRule> Cloud::ListRecycleBinRules(AccountId account, Region region) const {
  internal::ReaderLock lock(state_->mu);
  std::vector<RetentionRule> out;
  auto it = state_->bin_rules().find({account, region});
  if (it == state_->bin_rules().end()) return out;
  for (const RetentionRule& r : it->second) out.push_back(policy::CurrentRule(r, state_->Now()));
  return out;
}

std::vector<RecycleBinImage> Cloud::ListImagesInRecycleBin(const CallContext& ctx) const {
  internal::ReaderLock lock(state_->mu);
  std::vector<RecycleBinImage> out;
  if (!policy::IamAllowsListing(*state_, ctx, "ec2:ListImagesInRecycleBin")) return out;
  for (const auto& [id, entry] : state_->bin_images()) {
    const Image& image = *entry.resource;
    if (image.owner() != ctx.account || image.region() != ctx.region) continue;
    out.push_back({image, entry.enter_time, entry.exit_time});
  }
  std::sort(out.begin(), out.end(), [](const RecycleBinImage& a, const RecycleBinImage& b) {
    return a.image.id() < b.image.id();
  });
  return out;
}

std::vector<RecycleBinSnapshot> Cloud::ListSnapshotsInRecycleBin(const CallContext& ctx) const {
  internal::ReaderLock lock(state_->mu);
  std::vector<RecycleBinSnapshot> out;
  if (!policy::IamAllowsListing(*state_, ctx, "ec2:ListSnapshotsInRecycleBin")) return out;
  for (const auto& [id, entry] : state_->bin_snapshots()) {
    const Snapshot& snap = *entry.resource;
    if (snap.owner() != ctx.account || snap.region() != ctx.region) continue;
    out.push_back({snap, entry.enter_time, entry.exit_time});
  }
  std::sort(out.begin(), out.end(), [](const RecycleBinSnapshot& a, const RecycleBinSnapshot& b) {
    return a.snapshot.id() < b.snapshot.id();
  });
  return out;
}

absl::Status Cloud::RestoreImageFromRecycleBin(const CallContext& ctx,
                                               const Input<ImageId>& image_id) {
  AMI_ASSIGN_OR_RETURN(const ImageId id, image_id.Decode());
  return PlanGateCommit(*state_, ctx, [&](const policy::PlanView& v) {
    return policy::PlanRestoreImage(v, ctx, id);
  });
}

absl::Status Cloud::RestoreSnapshotFromRecycleBin(const CallContext& ctx,
                                                  const Input<SnapshotId>& snapshot_id) {
  AMI_ASSIGN_OR_RETURN(const SnapshotId id, snapshot_id.Decode());
  return PlanGateCommit(*state_, ctx, [&](const policy::PlanView& v) {
    return policy::PlanRestoreSnapshot(v, ctx, id);
  });
}

}  // namespace ami
