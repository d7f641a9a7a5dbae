// Plans of the account settings per Region (KMS-2, KMS-3, SHARE-18, SNAP-3, ASYNC-4), the
// Allowed AMIs settings (GOV-7) and the Recycle Bin's rules and restores (DEREG-9, DEREG-10,
// BACKUP-2).
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ami/errors.h"
#include "policy/common.h"
#include "policy/lang/request.h"
#include "policy/planning.h"
#include "policy/reasons.h"
#include "values/choices.h"

namespace ami::policy {
namespace {

using internal::AccountRegion;

ReasonArgs CallerArgs(const CallContext& ctx) {
  return ReasonArgs{.account = ctx.account, .region = ctx.region};
}

// The settings after `change`, from the settings as they are now (`s`, as the view reports them).
void Apply(const PlanView& view, const CallContext& ctx, const SettingsChange& change,
           RegionSettings* s) {
  using Kind = SettingsChange::Kind;
  switch (change.kind) {
    case Kind::kEnableEncryptionByDefault:
    case Kind::kDisableEncryptionByDefault:
      s->encryption_by_default = change.kind == Kind::kEnableEncryptionByDefault;
      return;
    case Kind::kResetDefaultKey:
      s->default_kms_key = view.AwsManagedEbsKey(ctx.account, ctx.region);
      return;
    case Kind::kEnableImageBlock:
      s->image_block_public_access_chosen = true;
      if (!s->image_block_public_access && !s->image_block_public_access_from.has_value()) {
        s->image_block_public_access_from = view.Now() + absl::Minutes(10);  // ASYNC-4
      }
      return;
    case Kind::kDisableImageBlock:
      s->image_block_public_access_chosen = true;
      s->image_block_public_access = false;
      s->image_block_public_access_from.reset();
      return;
    case Kind::kEnableSnapshotBlock:
      s->snapshot_block_public_access = change.snapshot_block;
      return;
    case Kind::kDisableSnapshotBlock:
      s->snapshot_block_public_access = RegionSettings::SnapshotBlock::kUnblocked;
      return;
  }
}

const ReasonTemplate& PermitOf(SettingsChange::Kind kind) {
  using Kind = SettingsChange::Kind;
  switch (kind) {
    case Kind::kEnableEncryptionByDefault:
    case Kind::kDisableEncryptionByDefault:
      return reasons::kEncryptionByDefaultSet;
    case Kind::kResetDefaultKey:
      return reasons::kDefaultKeyReset;
    case Kind::kEnableImageBlock:
    case Kind::kDisableImageBlock:
      return reasons::kImageBlockSet;
    case Kind::kEnableSnapshotBlock:
    case Kind::kDisableSnapshotBlock:
      break;
  }
  return reasons::kSnapshotBlockSet;
}

// The IAM action of each change.
absl::string_view ActionOf(SettingsChange::Kind kind) {
  using Kind = SettingsChange::Kind;
  switch (kind) {
    case Kind::kEnableEncryptionByDefault:
      return "ec2:EnableEbsEncryptionByDefault";
    case Kind::kDisableEncryptionByDefault:
      return "ec2:DisableEbsEncryptionByDefault";
    case Kind::kResetDefaultKey:
      return "ec2:ResetEbsDefaultKmsKeyId";
    case Kind::kEnableImageBlock:
      return "ec2:EnableImageBlockPublicAccess";
    case Kind::kDisableImageBlock:
      return "ec2:DisableImageBlockPublicAccess";
    case Kind::kEnableSnapshotBlock:
      return "ec2:EnableSnapshotBlockPublicAccess";
    case Kind::kDisableSnapshotBlock:
      break;
  }
  return "ec2:DisableSnapshotBlockPublicAccess";
}

absl::string_view ActionOf(AllowedImagesChange::Kind kind) {
  switch (kind) {
    case AllowedImagesChange::Kind::kEnable:
      return "ec2:EnableAllowedImagesSettings";
    case AllowedImagesChange::Kind::kDisable:
      return "ec2:DisableAllowedImagesSettings";
    case AllowedImagesChange::Kind::kReplaceCriteria:
      break;
  }
  return "ec2:ReplaceImageCriteriaInAllowedImagesSettings";
}

absl::string_view ActionOf(RuleAction action) {
  switch (action) {
    case RuleAction::kDelete:
      return "rbin:DeleteRule";
    case RuleAction::kLock:
      return "rbin:LockRule";
    case RuleAction::kUnlock:
      break;
  }
  return "rbin:UnlockRule";
}

// IAM-7: the settings of an account in a Region support no resource-level permissions.
std::optional<Decision> AccountWideDenial(const PlanView& view, const CallContext& ctx,
                                          absl::string_view action) {
  return IamDenial(view, ctx, action, AnyIamResource);
}

// A Recycle Bin rule as an IAM resource: arn:aws:rbin:<region>:<account>:rule/<id>, with its
// resource type; the model holds no tags on rules.
IamResource RuleResource(const CallContext& ctx, const std::string& id,
                         RecycleBinResourceType type, bool created) {
  IamResource r{absl::StrCat("arn:aws:rbin:", ctx.region.code(), ":", ctx.account.ToString(),
                             ":rule/", id)};
  r.keys.push_back({created ? "rbin:Request/ResourceType" : "rbin:Attribute/ResourceType",
                    type == RecycleBinResourceType::kImage ? "EC2_IMAGE" : "EBS_SNAPSHOT"});
  r.created = true;  // No tags.
  return r;
}

// A rule id: 11 characters of [0-9a-zA-Z] from the next value of the id sequence.
std::string RuleId(internal::IdSequence& ids) {
  static constexpr char kChars[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  uint64_t bits = ids.NextRandom();
  std::string id;
  for (int i = 0; i < 11; ++i) {
    id.push_back(kChars[bits % 62]);
    bits /= 62;
  }
  return id;
}

// Denies into `d` unless `rule`, as of now, may take `action` (DEREG-9).
void CheckLockState(const RetentionRule& rule, RuleAction action, const ReasonArgs& base,
                    Decision* d) {
  const RuleLockState state = rule.lock_state;
  ReasonArgs a = base;
  a.text = absl::StrCat("`", rule.id, "` is ", ToString(state));
  switch (action) {
    case RuleAction::kDelete:
      if (state != RuleLockState::kUnlocked) d->AddForbid(R(reasons::kRuleLockedDelete, a));
      return;
    case RuleAction::kLock:
      if (state != RuleLockState::kUnlocked) d->AddForbid(R(reasons::kRuleLockedLock, a));
      return;
    case RuleAction::kUnlock:
      if (state != RuleLockState::kLocked) d->AddForbid(R(reasons::kRuleNotLocked, a));
      return;
  }
}

// The rule after `action`, kLock or kUnlock (a deleted rule is erased instead); `stored` is the
// rule as stored, `current` as of now.
RetentionRule ActedOn(const PlanView& view, const RetentionRule& stored,
                      const RetentionRule& current, RuleAction action, int unlock_delay_days) {
  RetentionRule out = stored;
  if (action == RuleAction::kLock) {
    out = current;  // A pending unlock whose delay has passed ends here.
    out.lock_state = RuleLockState::kLocked;
    out.unlock_delay_days = unlock_delay_days;
  } else {
    out.lock_state = RuleLockState::kPendingUnlock;
    out.unlock_at = view.Now() + absl::Hours(24) * out.unlock_delay_days;
  }
  return out;
}

// The binned resource when the caller owns it in its Region; nullptr otherwise.
template <typename T>
std::shared_ptr<const T> CallersBinned(std::shared_ptr<const T> binned, const CallContext& ctx) {
  if (binned == nullptr || binned->owner() != ctx.account || binned->region() != ctx.region) {
    return nullptr;
  }
  return binned;
}

// DEREG-10, REG-6: the forbids that keep `image` in the bin, into `d`.
void CheckRestorable(const PlanView& view, const Image& image, const ReasonArgs& base,
                     Decision* d) {
  for (const SnapshotId sid : image.snapshot_ids()) {
    const Snapshot* snap = view.FindSnapshot(sid);
    if (snap != nullptr && snap->state() == SnapshotState::kCompleted) continue;
    ReasonArgs a = base;
    a.snapshot = sid;
    a.text = view.BinnedSnapshot(sid) != nullptr ? "in the recycle bin" : "deleted for good";
    d->AddForbid(R(reasons::kRestoreSnapshotsFirst, std::move(a)));
    return;
  }
  if (const std::optional<ImageId> used =
          view.FindImageByName(image.owner(), image.region(), image.name())) {
    ReasonArgs a = base;
    a.text = absl::StrCat("`", image.name(), "` is now used by `", used->ToString(), "`");
    d->AddForbid(R(reasons::kRestoreNameInUse, std::move(a)));
  }
}

}  // namespace

Planned PlanSettingsChange(const PlanView& view, const CallContext& ctx, const SettingsChange& change) {
  Planned out;
  if (std::optional<Decision> denied = AccountWideDenial(view, ctx, ActionOf(change.kind))) {
    out.decision = *std::move(denied);
    return out;
  }
  RegionSettings s = view.Settings(ctx.account, ctx.region);
  Apply(view, ctx, change, &s);
  ReasonArgs a = CallerArgs(ctx);
  a.key = s.default_kms_key;
  out.decision = Decision::Allow(R(PermitOf(change.kind), std::move(a)));
  out.plan.mutable_extra().put_settings.emplace(AccountRegion{ctx.account, ctx.region}, std::move(s));
  return out;
}

Planned PlanModifyDefaultKey(const PlanView& view, const CallContext& ctx, const KmsKeyRef& ref,
                             const std::string& text) {
  Planned out;
  if (std::optional<Decision> denied =
          AccountWideDenial(view, ctx, "ec2:ModifyEbsDefaultKmsKeyId")) {
    out.decision = *std::move(denied);
    return out;
  }
  ReasonArgs a = CallerArgs(ctx);
  // KMS-11: the key itself is checked when it is used; only a name that resolves to nothing fails.
  const std::optional<KmsKeyArn> arn = ResolveKey(view, ctx.account, ctx.region, ref);
  if (!arn.has_value()) {
    a.text = text;
    out.decision = Decision::Deny(R(reasons::kDefaultKeyNotFound, std::move(a)));
    return out;
  }
  a.key = *arn;
  const KeyFacts facts = view.FindKey(*arn);
  if (facts.key != nullptr && !facts.key->symmetric()) {
    out.decision = Decision::Deny(R(reasons::kDefaultKeyNotSymmetric, std::move(a)));
    return out;
  }
  out.decision = Decision::Allow(R(reasons::kDefaultKeySet, std::move(a)));
  RegionSettings s = view.Settings(ctx.account, ctx.region);
  s.default_kms_key = *arn;
  out.plan.mutable_extra().put_settings.emplace(AccountRegion{ctx.account, ctx.region}, std::move(s));
  return out;
}

Planned PlanAllowedImagesChange(const PlanView& view, const CallContext& ctx,
                                AllowedImagesChange change) {
  Planned out;
  if (std::optional<Decision> denied = AccountWideDenial(view, ctx, ActionOf(change.kind))) {
    out.decision = *std::move(denied);
    return out;
  }
  AllowedImagesSettings s = view.StoredAllowedImages(ctx.account, ctx.region);
  switch (change.kind) {
    case AllowedImagesChange::Kind::kEnable:
      s.state = change.state;
      break;
    case AllowedImagesChange::Kind::kDisable:
      s.state = AllowedImagesState::kDisabled;
      break;
    case AllowedImagesChange::Kind::kReplaceCriteria:
      s.criteria = std::move(change.criteria);
      break;
  }
  out.decision = Decision::Allow(R(reasons::kAllowedImagesSet, CallerArgs(ctx)));
  std::optional<AllowedImagesSettings> put;
  // The default is not stored.
  if (s.state != AllowedImagesState::kDisabled || !s.criteria.empty()) put = std::move(s);
  out.plan.mutable_extra().put_allowed_images.emplace(AccountRegion{ctx.account, ctx.region}, std::move(put));
  return out;
}

PlannedRule PlanCreateRecycleBinRule(const PlanView& view, const CallContext& ctx,
                                     RecycleBinResourceType type, const CreateRuleRequest& request) {
  PlannedRule out;
  internal::IdSequence ids = view.Ids();
  RetentionRule rule;
  rule.id = RuleId(ids);
  rule.description = request.description;
  rule.resource_type = type;
  rule.retention_days = request.retention_days;
  rule.resource_tags = request.resource_tags;
  rule.exclude_resource_tags = request.exclude_resource_tags;
  if (request.lock_unlock_delay_days.has_value()) {
    rule.lock_state = RuleLockState::kLocked;
    rule.unlock_delay_days = *request.lock_unlock_delay_days;
  }
  out.id = rule.id;
  // IAM-7: rbin:CreateRule on the new rule.
  if (std::optional<Decision> denied = IamDenial(view, ctx, "rbin:CreateRule", [&] {
        return std::vector<IamResource>{RuleResource(ctx, rule.id, type, true)};
      })) {
    out.planned.decision = *std::move(denied);
    return out;
  }
  std::vector<RetentionRule> rules = view.BinRules(ctx.account, ctx.region);
  auto at = std::lower_bound(rules.begin(), rules.end(), rule.id,
                             [](const RetentionRule& r, const std::string& id) { return r.id < id; });
  rules.insert(at, std::move(rule));
  out.planned.decision = Decision::Allow(R(reasons::kRuleCreated, CallerArgs(ctx)));
  out.planned.plan.ids = ids;
  out.planned.plan.mutable_extra().put_bin_rules.emplace(AccountRegion{ctx.account, ctx.region}, std::move(rules));
  return out;
}

RetentionRule CurrentRule(RetentionRule rule, absl::Time now) {
  if (rule.lock_state == RuleLockState::kPendingUnlock && rule.unlock_at.has_value() &&
      *rule.unlock_at <= now) {
    rule.lock_state = RuleLockState::kUnlocked;
    rule.unlock_at.reset();
    rule.unlock_delay_days = 0;
  }
  return rule;
}

Planned PlanRecycleBinRule(const PlanView& view, const CallContext& ctx, const std::string& rule_id,
                           RuleAction action, int unlock_delay_days) {
  Planned out;
  ReasonArgs a = CallerArgs(ctx);
  a.text = rule_id;
  std::vector<RetentionRule> rules = view.BinRules(ctx.account, ctx.region);
  auto it = std::find_if(rules.begin(), rules.end(),
                         [&](const RetentionRule& r) { return r.id == rule_id; });
  if (it == rules.end()) {
    out.decision = Decision::Deny(R(reasons::kRuleNotFound, std::move(a)));
    return out;
  }
  // IAM-7: the action on the rule.
  if (std::optional<Decision> denied = IamDenial(view, ctx, ActionOf(action), [&] {
        return std::vector<IamResource>{RuleResource(ctx, it->id, it->resource_type, false)};
      })) {
    out.decision = *std::move(denied);
    return out;
  }
  const RetentionRule current = CurrentRule(*it, view.Now());
  out.decision = Decision::Allow(R(reasons::kRuleHeld, a));
  CheckLockState(current, action, a, &out.decision);
  if (!out.decision.allowed()) return out;
  if (action == RuleAction::kDelete) {
    rules.erase(it);
  } else {
    *it = ActedOn(view, *it, current, action, unlock_delay_days);
  }
  out.plan.mutable_extra().put_bin_rules.emplace(AccountRegion{ctx.account, ctx.region}, std::move(rules));
  return out;
}

Planned PlanRestoreImage(const PlanView& view, const CallContext& ctx, ImageId id) {
  Planned out;
  ReasonArgs a = CallerArgs(ctx);
  a.image = id;
  std::shared_ptr<const Image> image = CallersBinned(view.BinnedImage(id), ctx);
  // IAM-8: the image, as it entered the bin, is the resource.
  if (std::optional<Decision> denied = IamDenial(view, ctx, "ec2:RestoreImageFromRecycleBin", [&] {
        IamResource r{lang::ImageArn(ctx.region, id)};
        if (image != nullptr) {
          r.image = image.get();
          r.tags = &image->tags();
        }
        return std::vector<IamResource>{std::move(r)};
      })) {
    out.decision = *std::move(denied);
    return out;
  }
  if (image == nullptr) {
    out.decision = Decision::Deny(R(reasons::kBinImageNotFound, std::move(a)));
    return out;
  }
  out.decision = Decision::Allow(R(reasons::kBinImageRestored, a));
  CheckRestorable(view, *image, a, &out.decision);
  if (!out.decision.allowed()) return out;
  // DEREG-10: its shares come back with it. BACKUP-2: AWS Backup no longer manages it.
  if (IsBackupManaged(*image)) {
    Image::Builder b = image->ToBuilder();
    b.set_tags(WithoutBackupTags(image->tags()));
    image = std::make_shared<const Image>(*b.Build());  // Fewer tags: valid as before.
  }
  out.plan.put_images.push_back(std::move(image));
  out.plan.mutable_extra().leave_bin.push_back(id.ToString());
  return out;
}

Planned PlanRestoreSnapshot(const PlanView& view, const CallContext& ctx, SnapshotId id) {
  Planned out;
  ReasonArgs a = CallerArgs(ctx);
  a.snapshot = id;
  std::shared_ptr<const Snapshot> snap = CallersBinned(view.BinnedSnapshot(id), ctx);
  if (std::optional<Decision> denied =
          IamDenial(view, ctx, "ec2:RestoreSnapshotFromRecycleBin", [&] {
            IamResource r{lang::SnapshotArn(ctx.region, id)};
            if (snap != nullptr) r.tags = &snap->tags();
            return std::vector<IamResource>{std::move(r)};
          })) {
    out.decision = *std::move(denied);
    return out;
  }
  if (snap == nullptr) {
    out.decision = Decision::Deny(R(reasons::kBinSnapshotNotFound, std::move(a)));
    return out;
  }
  out.decision = Decision::Allow(R(reasons::kBinSnapshotRestored, std::move(a)));
  // BACKUP-2: a restored snapshot is no longer AWS Backup's either.
  if (const TagSet kept = WithoutBackupTags(snap->tags()); kept != snap->tags()) {
    Snapshot::Builder b = snap->ToBuilder();
    b.set_tags(kept);
    snap = std::make_shared<const Snapshot>(*b.Build());  // Fewer tags: valid as before.
  }
  out.plan.put_snapshots.push_back(std::move(snap));
  out.plan.mutable_extra().leave_bin.push_back(id.ToString());
  return out;
}

}  // namespace ami::policy
