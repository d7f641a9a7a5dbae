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
#include "cloud/state.h"
#include "policy/planning.h"
#include "values/status_macros.h"

namespace ami {

using internal::BinEntry;
using internal::CloudState;
using internal::PendingWork;

namespace {

// The rule's lock state as of `now`: a pending unlock whose delay has passed is unlocked.
RetentionRule Current(RetentionRule rule, absl::Time now) {
  if (rule.lock_state == RuleLockState::kPendingUnlock && rule.unlock_at.has_value() &&
      *rule.unlock_at <= now) {
    rule.lock_state = RuleLockState::kUnlocked;
    rule.unlock_at.reset();
    rule.unlock_delay_days = 0;
  }
  return rule;
}

absl::StatusOr<RetentionRule*> FindRule(CloudState& s, const CallContext& ctx,
                                        const std::string& rule_id) {
  auto it = s.bin_rules.find(internal::AccountRegion{ctx.account, ctx.region});
  if (it != s.bin_rules.end()) {
    for (RetentionRule& r : it->second) {
      if (r.id == rule_id) return &r;
    }
  }
  return MakeError(choices::kRuleNotFound,
                   absl::StrCat("recycle bin rule `", rule_id, "` does not exist in account `",
                                ctx.account.ToString(), "` in ", ctx.region.code()));
}

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

std::string RuleId(CloudState& s) {
  static constexpr char kChars[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  uint64_t bits = s.NextRandom();
  std::string id;
  for (int i = 0; i < 11; ++i) {
    id.push_back(kChars[bits % 62]);
    bits /= 62;
  }
  return id;
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

absl::Status Cloud::EnableAllowedImagesSettings(const CallContext& ctx, const std::string& state) {
  AMI_ASSIGN_OR_RETURN(const AllowedImagesState parsed, ParseEnum<AllowedImagesState>(state));
  if (parsed == AllowedImagesState::kDisabled) {
    return MakeError(choices::kInvalidValue,
                     "allowed images settings state `disabled` cannot be enabled: expected enabled "
                     "or audit-mode (use DisableAllowedImagesSettings)");
  }
  AMI_RETURN_IF_ERROR(internal::DryRunCheck(ctx));
  internal::WriterLock lock(state_->mu);
  state_->allowed_images[{ctx.account, ctx.region}].state = parsed;
  return absl::OkStatus();
}

absl::Status Cloud::DisableAllowedImagesSettings(const CallContext& ctx) {
  AMI_RETURN_IF_ERROR(internal::DryRunCheck(ctx));
  internal::WriterLock lock(state_->mu);
  auto it = state_->allowed_images.find({ctx.account, ctx.region});
  if (it == state_->allowed_images.end()) return absl::OkStatus();
  it->second.state = AllowedImagesState::kDisabled;
  if (it->second.criteria.empty()) state_->allowed_images.erase(it);
  return absl::OkStatus();
}

absl::Status Cloud::ReplaceImageCriteriaInAllowedImagesSettings(
    const CallContext& ctx, std::vector<ImageCriterion> criteria) {
  AMI_RETURN_IF_ERROR(ValidateImageCriteria(criteria));
  AMI_RETURN_IF_ERROR(internal::DryRunCheck(ctx));
  internal::WriterLock lock(state_->mu);
  auto& settings = state_->allowed_images[{ctx.account, ctx.region}];
  settings.criteria = std::move(criteria);
  if (settings.criteria.empty() && settings.state == AllowedImagesState::kDisabled) {
    state_->allowed_images.erase({ctx.account, ctx.region});
  }
  return absl::OkStatus();
}

AllowedImagesSettings Cloud::GetAllowedImagesSettings(AccountId account, Region region) const {
  internal::ReaderLock lock(state_->mu);
  auto it = state_->allowed_images.find({account, region});
  return it == state_->allowed_images.end() ? AllowedImagesSettings() : it->second;
}

// ---- Deprecation, disable, deregistration protection ----

namespace {

// Decode, plan, commit: the image lifecycle operations' one shape.
absl::StatusOr<std::string> ChangeImage(CloudState& s, const CallContext& ctx,
                                        const std::string& image_id,
                                        const policy::ImageLifecycleChange& change) {
  AMI_ASSIGN_OR_RETURN(const ImageId id, ImageId::Parse(image_id));
  internal::WriterLock lock(s.mu);
  AMI_ASSIGN_OR_RETURN(policy::PlannedLifecycle p, policy::PlanImageLifecycle(s, ctx, id, change));
  AMI_RETURN_IF_ERROR(internal::Gate(p.planned.decision, ctx));
  s.Commit(std::move(p.planned.plan));
  return std::move(p.result);
}

using Change = policy::ImageLifecycleChange;

}  // namespace

absl::Status Cloud::EnableImageDeprecation(const CallContext& ctx, const std::string& image_id,
                                           absl::Time deprecate_at) {
  return ChangeImage(*state_, ctx, image_id,
                     {Change::Kind::kEnableDeprecation, deprecate_at, false}).status();
}

absl::Status Cloud::DisableImageDeprecation(const CallContext& ctx, const std::string& image_id) {
  return ChangeImage(*state_, ctx, image_id, {Change::Kind::kDisableDeprecation, {}, false}).status();
}

absl::Status Cloud::DisableImage(const CallContext& ctx, const std::string& image_id) {
  return ChangeImage(*state_, ctx, image_id, {Change::Kind::kDisable, {}, false}).status();
}

absl::Status Cloud::EnableImage(const CallContext& ctx, const std::string& image_id) {
  return ChangeImage(*state_, ctx, image_id, {Change::Kind::kEnable, {}, false}).status();
}

absl::StatusOr<std::string> Cloud::EnableImageDeregistrationProtection(const CallContext& ctx,
                                                                       const std::string& image_id,
                                                                       bool with_cooldown) {
  return ChangeImage(*state_, ctx, image_id,
                     {Change::Kind::kEnableProtection, {}, with_cooldown});
}

absl::StatusOr<std::string> Cloud::DisableImageDeregistrationProtection(
    const CallContext& ctx, const std::string& image_id) {
  return ChangeImage(*state_, ctx, image_id, {Change::Kind::kDisableProtection, {}, false});
}

// ---- Recycle Bin ----

absl::StatusOr<std::string> Cloud::CreateRecycleBinRule(const CallContext& ctx,
                                                        const CreateRuleRequest& request) {
  AMI_ASSIGN_OR_RETURN(const RecycleBinResourceType type,
                       ParseEnum<RecycleBinResourceType>(request.resource_type));
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
  AMI_RETURN_IF_ERROR(internal::DryRunCheck(ctx));
  internal::WriterLock lock(state_->mu);
  CloudState& s = *state_;
  RetentionRule rule;
  rule.id = RuleId(s);
  rule.description = request.description;
  rule.resource_type = type;
  rule.retention_days = request.retention_days;
  rule.resource_tags = request.resource_tags;
  rule.exclude_resource_tags = request.exclude_resource_tags;
  if (request.lock_unlock_delay_days.has_value()) {
    rule.lock_state = RuleLockState::kLocked;
    rule.unlock_delay_days = *request.lock_unlock_delay_days;
  }
  std::vector<RetentionRule>& rules = s.bin_rules[{ctx.account, ctx.region}];
  auto at = std::lower_bound(rules.begin(), rules.end(), rule.id,
                             [](const RetentionRule& r, const std::string& id) { return r.id < id; });
  const std::string id = rule.id;
  rules.insert(at, std::move(rule));
  return id;
}

absl::Status Cloud::DeleteRecycleBinRule(const CallContext& ctx, const std::string& rule_id) {
  internal::WriterLock lock(state_->mu);
  CloudState& s = *state_;
  AMI_ASSIGN_OR_RETURN(RetentionRule* rule, FindRule(s, ctx, rule_id));
  const RuleLockState lock_state = Current(*rule, s.now).lock_state;
  if (lock_state != RuleLockState::kUnlocked) {
    return MakeError(choices::kRuleLocked,
                     absl::StrCat("recycle bin rule `", rule_id, "` is ", ToString(lock_state),
                                  ": it can be deleted only once unlocked (DEREG-9)"));
  }
  AMI_RETURN_IF_ERROR(internal::DryRunCheck(ctx));
  auto& rules = s.bin_rules[{ctx.account, ctx.region}];
  rules.erase(rules.begin() + (rule - rules.data()));
  if (rules.empty()) s.bin_rules.erase({ctx.account, ctx.region});
  return absl::OkStatus();
}

absl::Status Cloud::LockRecycleBinRule(const CallContext& ctx, const std::string& rule_id,
                                       int unlock_delay_days) {
  AMI_RETURN_IF_ERROR(CheckUnlockDelay(unlock_delay_days));
  internal::WriterLock lock(state_->mu);
  AMI_ASSIGN_OR_RETURN(RetentionRule* rule, FindRule(*state_, ctx, rule_id));
  const RetentionRule current = Current(*rule, state_->now);
  if (current.lock_state != RuleLockState::kUnlocked) {
    return MakeError(choices::kRuleLocked, absl::StrCat("recycle bin rule `", rule_id, "` is ",
                                                        ToString(current.lock_state),
                                                        ": only an unlocked rule can be locked"));
  }
  AMI_RETURN_IF_ERROR(internal::DryRunCheck(ctx));
  *rule = current;  // A pending unlock whose delay has passed ends here.
  rule->lock_state = RuleLockState::kLocked;
  rule->unlock_delay_days = unlock_delay_days;
  return absl::OkStatus();
}

absl::Status Cloud::UnlockRecycleBinRule(const CallContext& ctx, const std::string& rule_id) {
  internal::WriterLock lock(state_->mu);
  AMI_ASSIGN_OR_RETURN(RetentionRule* rule, FindRule(*state_, ctx, rule_id));
  const RuleLockState lock_state = Current(*rule, state_->now).lock_state;
  if (lock_state != RuleLockState::kLocked) {
    return MakeError(choices::kRuleLocked, absl::StrCat("recycle bin rule `", rule_id, "` is ",
                                                        ToString(lock_state),
                                                        ": only a locked rule can be unlocked"));
  }
  AMI_RETURN_IF_ERROR(internal::DryRunCheck(ctx));
  rule->lock_state = RuleLockState::kPendingUnlock;
  rule->unlock_at = state_->now + absl::Hours(24) * rule->unlock_delay_days;
  return absl::OkStatus();
}

std::vector<RetentionRule> Cloud::ListRecycleBinRules(AccountId account, Region region) const {
  internal::ReaderLock lock(state_->mu);
  std::vector<RetentionRule> out;
  auto it = state_->bin_rules.find({account, region});
  if (it == state_->bin_rules.end()) return out;
  for (const RetentionRule& r : it->second) out.push_back(Current(r, state_->now));
  return out;
}

std::vector<RecycleBinImage> Cloud::ListImagesInRecycleBin(const CallContext& ctx) const {
  internal::ReaderLock lock(state_->mu);
  std::vector<RecycleBinImage> out;
  for (const auto& [id, entry] : state_->bin_images) {
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
  for (const auto& [id, entry] : state_->bin_snapshots) {
    const Snapshot& snap = *entry.resource;
    if (snap.owner() != ctx.account || snap.region() != ctx.region) continue;
    out.push_back({snap, entry.enter_time, entry.exit_time});
  }
  std::sort(out.begin(), out.end(), [](const RecycleBinSnapshot& a, const RecycleBinSnapshot& b) {
    return a.snapshot.id() < b.snapshot.id();
  });
  return out;
}

absl::Status Cloud::RestoreImageFromRecycleBin(const CallContext& ctx, const std::string& image_id) {
  AMI_ASSIGN_OR_RETURN(const ImageId id, ImageId::Parse(image_id));
  internal::WriterLock lock(state_->mu);
  CloudState& s = *state_;
  auto it = s.bin_images.find(id);
  if (it == s.bin_images.end() || it->second.resource->owner() != ctx.account ||
      it->second.resource->region() != ctx.region) {
    return MakeError(ErrorCode::kInvalidAMIIDNotFound,
                     absl::StrCat("image `", image_id, "` is not in the recycle bin of account `",
                                  ctx.account.ToString(), "` in ", ctx.region.code()));
  }
  const Image& image = *it->second.resource;
  for (const SnapshotId sid : image.snapshot_ids()) {
    const Snapshot* snap = s.FindSnapshot(sid);
    if (snap == nullptr || snap->state() != SnapshotState::kCompleted) {
      return MakeError(choices::kRestoreSnapshotsFirst,
                       absl::StrCat("image `", image_id, "` cannot be restored: its snapshot `",
                                    sid.ToString(), "` is ",
                                    s.bin_snapshots.contains(sid) ? "in the recycle bin"
                                                                  : "deleted for good",
                                    "; restore its snapshots first (DEREG-10)"));
    }
  }
  if (const std::optional<ImageId> used = s.FindImageByName(image.owner(), image.region(), image.name())) {
    return MakeError(ErrorCode::kInvalidAMINameDuplicate,
                     absl::StrCat("image `", image_id, "` cannot be restored: its name `",
                                  image.name(), "` is now used by `", used->ToString(), "`"));
  }
  AMI_RETURN_IF_ERROR(internal::DryRunCheck(ctx));
  s.PutImage(it->second.resource);  // DEREG-10: its shares come back with it.
  s.bin_images.erase(it);
  return absl::OkStatus();
}

absl::Status Cloud::RestoreSnapshotFromRecycleBin(const CallContext& ctx,
                                                  const std::string& snapshot_id) {
  AMI_ASSIGN_OR_RETURN(const SnapshotId id, SnapshotId::Parse(snapshot_id));
  internal::WriterLock lock(state_->mu);
  CloudState& s = *state_;
  auto it = s.bin_snapshots.find(id);
  if (it == s.bin_snapshots.end() || it->second.resource->owner() != ctx.account ||
      it->second.resource->region() != ctx.region) {
    return MakeError(ErrorCode::kInvalidSnapshotNotFound,
                     absl::StrCat("snapshot `", snapshot_id, "` is not in the recycle bin of account `",
                                  ctx.account.ToString(), "` in ", ctx.region.code()));
  }
  AMI_RETURN_IF_ERROR(internal::DryRunCheck(ctx));
  s.PutSnapshot(it->second.resource);
  s.bin_snapshots.erase(it);
  return absl::OkStatus();
}

namespace internal {

int RetentionDays(const CloudState& s, AccountId owner, Region region,
                  RecycleBinResourceType type, const TagSet& tags) {
  auto it = s.bin_rules.find(AccountRegion{owner, region});
  if (it == s.bin_rules.end()) return 0;
  int days = 0;
  for (const RetentionRule& r : it->second) {
    if (r.resource_type == type && RuleRetains(r, tags)) days = std::max(days, r.retention_days);
  }
  return days;
}

}  // namespace internal
}  // namespace ami
