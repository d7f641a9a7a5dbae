// Account settings per Region (KMS-2, KMS-3, SHARE-18, SNAP-3) and KMS keys (KMS-1, 4, 14, 15).
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ami/cloud.h"
#include "ami/errors.h"
#include "ami/policy.h"
#include "cloud/ops_common.h"
#include "cloud/state.h"
#include "policy/planning.h"
#include "values/choices.h"
#include "values/status_macros.h"

namespace ami {

using internal::CloudState;
using internal::DryRunCheck;

namespace {

// The caller's own customer managed key named by `text` in any form (ID-12, ID-14).
absl::StatusOr<std::shared_ptr<const KmsKey>> OwnKey(const CloudState& s, const CallContext& ctx,
                                                     const std::string& text) {
  AMI_ASSIGN_OR_RETURN(const KmsKeyRef ref, KmsKeyRef::Parse(text));
  const std::optional<KmsKeyArn> arn = policy::ResolveKey(s, ctx.account, ctx.region, ref);
  if (arn.has_value()) {
    auto it = s.keys.find(*arn);
    const bool aws_managed = s.FindKey(*arn).aws_managed;
    if (it != s.keys.end() && it->second->account() == ctx.account && !aws_managed) {
      return it->second;
    }
    if (aws_managed) {
      return MakeError(choices::kAwsManagedKeyChange,
                       absl::StrCat("kms key `", arn->ToString(),
                                    "` is an aws managed key: its policy, grants and state cannot "
                                    "be changed"));
    }
  }
  return MakeError(choices::kKeyNotManageable,
                   absl::StrCat("kms key `", text, "` does not exist in account `",
                                ctx.account.ToString(), "` in ", ctx.region.code()));
}

absl::Status PutKey(CloudState& s, KmsKey::Builder& b) {
  AMI_ASSIGN_OR_RETURN(KmsKey key, b.Build());
  const KmsKeyArn arn = key.arn();
  s.keys[arn] = std::make_shared<const KmsKey>(std::move(key));
  return absl::OkStatus();
}

}  // namespace

// ---- Account settings per Region: decode, plan, gate, commit ----

namespace {

absl::Status CommitPlanned(CloudState& s, const CallContext& ctx, policy::Planned p) {
  AMI_RETURN_IF_ERROR(internal::Gate(p.decision, ctx));
  s.Commit(std::move(p.plan));
  return absl::OkStatus();
}

absl::Status ChangeSettings(CloudState& s, const CallContext& ctx, policy::SettingsChange change) {
  internal::WriterLock lock(s.mu);
  return CommitPlanned(s, ctx, policy::PlanSettingsChange(s, ctx, change));
}

using SettingsKind = policy::SettingsChange::Kind;

}  // namespace

absl::Status Cloud::EnableEbsEncryptionByDefault(const CallContext& ctx) {
  return ChangeSettings(*state_, ctx, {SettingsKind::kEnableEncryptionByDefault});
}

absl::Status Cloud::DisableEbsEncryptionByDefault(const CallContext& ctx) {
  return ChangeSettings(*state_, ctx, {SettingsKind::kDisableEncryptionByDefault});
}

absl::Status Cloud::ResetEbsDefaultKmsKeyId(const CallContext& ctx) {
  return ChangeSettings(*state_, ctx, {SettingsKind::kResetDefaultKey});
}

// SHARE-18, ASYNC-4: enabling takes effect 10 minutes later; disabling at once.
absl::Status Cloud::EnableImageBlockPublicAccess(const CallContext& ctx) {
  return ChangeSettings(*state_, ctx, {SettingsKind::kEnableImageBlock});
}

absl::Status Cloud::DisableImageBlockPublicAccess(const CallContext& ctx) {
  return ChangeSettings(*state_, ctx, {SettingsKind::kDisableImageBlock});
}

absl::Status Cloud::DisableSnapshotBlockPublicAccess(const CallContext& ctx) {
  return ChangeSettings(*state_, ctx, {SettingsKind::kDisableSnapshotBlock});
}

absl::Status Cloud::EnableSnapshotBlockPublicAccess(const CallContext& ctx, const std::string& state) {
  RegionSettings::SnapshotBlock block;
  if (state == "block-all-sharing") {
    block = RegionSettings::SnapshotBlock::kBlockAllSharing;
  } else if (state == "block-new-sharing") {
    block = RegionSettings::SnapshotBlock::kBlockNewSharing;
  } else {
    return MakeError(ErrorCode::kInvalidParameterValue,
                     absl::StrCat("invalid snapshot block public access state `", state,
                                  "`: expected block-all-sharing or block-new-sharing"));
  }
  return ChangeSettings(*state_, ctx, {SettingsKind::kEnableSnapshotBlock, block});
}

absl::Status Cloud::ModifyEbsDefaultKmsKeyId(const CallContext& ctx, const std::string& kms_key_id) {
  AMI_ASSIGN_OR_RETURN(const KmsKeyRef ref, KmsKeyRef::Parse(kms_key_id));
  internal::WriterLock lock(state_->mu);
  return CommitPlanned(*state_, ctx, policy::PlanModifyDefaultKey(*state_, ctx, ref, kms_key_id));
}

absl::StatusOr<KmsKeyArn> Cloud::CreateKey(const CallContext& ctx, const CreateKeyRequest& request) {
  internal::WriterLock lock(state_->mu);
  CloudState& s = *state_;
  const uint64_t saved = s.next_id;
  const KmsKeyArn arn = KmsKeyArn::Of(ctx.account, ctx.region, s.NewKeyId(request.multi_region));
  KmsKey::Builder b;
  b.set_arn(arn)
      .set_description(request.description)
      .set_key_spec(request.key_spec)
      .set_multi_region_role(request.multi_region ? MultiRegionRole::kPrimary : MultiRegionRole::kNone)
      .set_creation_time(s.now)
      .set_policy(request.policy);
  absl::StatusOr<KmsKey> key = b.Build();
  if (!key.ok() || ctx.dry_run) {
    s.next_id = saved;  // A rejected call changes nothing, not even the id sequence.
    AMI_RETURN_IF_ERROR(key.status());
    return DryRunCheck(ctx);
  }
  s.keys[arn] = std::make_shared<const KmsKey>(*std::move(key));
  return arn;
}

absl::StatusOr<KmsKeyArn> Cloud::ReplicateKey(const CallContext& ctx, const std::string& key_id,
                                              const std::string& replica_region) {
  AMI_ASSIGN_OR_RETURN(const Region region, Region::Parse(replica_region));
  internal::WriterLock lock(state_->mu);
  CloudState& s = *state_;
  AMI_ASSIGN_OR_RETURN(const std::shared_ptr<const KmsKey> primary, OwnKey(s, ctx, key_id));
  if (primary->multi_region_role() != MultiRegionRole::kPrimary) {
    return MakeError(ErrorCode::kKmsInvalidStateException,
                     absl::StrCat("kms key `", primary->arn().ToString(),
                                  "` is not a multi-region primary key"));
  }
  const KmsKeyArn arn = KmsKeyArn::Of(ctx.account, region, primary->id());
  if (region == ctx.region || s.keys.contains(arn)) {
    return MakeError(ErrorCode::kInvalidParameterValue,
                     absl::StrCat("kms key `", primary->id().ToString(), "` already exists in ",
                                  region.code(), " (KMS-14: at most one replica per region)"));
  }
  AMI_RETURN_IF_ERROR(DryRunCheck(ctx));
  KmsKey::Builder b = primary->ToBuilder();
  // KMS-14: a replica shares the key id and material, not the policy, grants or description.
  b.set_arn(arn).set_multi_region_role(MultiRegionRole::kReplica).set_grants({}).set_policy({})
      .set_description("").set_tags(TagSet()).set_creation_time(s.now);
  AMI_RETURN_IF_ERROR(PutKey(s, b));
  return arn;
}

absl::Status Cloud::CreateAlias(const CallContext& ctx, const std::string& alias,
                                const std::string& key_id) {
  AMI_RETURN_IF_ERROR(ValidateNewAliasName(alias));
  internal::WriterLock lock(state_->mu);
  CloudState& s = *state_;
  AMI_ASSIGN_OR_RETURN(const std::shared_ptr<const KmsKey> key, OwnKey(s, ctx, key_id));
  const auto slot = std::make_tuple(ctx.account, ctx.region, alias);
  if (s.aliases.contains(slot)) {
    return MakeError(ErrorCode::kInvalidParameterValue,
                     absl::StrCat("alias `", alias, "` already exists in account `",
                                  ctx.account.ToString(), "` in ", ctx.region.code()));
  }
  AMI_RETURN_IF_ERROR(DryRunCheck(ctx));
  s.aliases.emplace(slot, key->arn());
  return absl::OkStatus();
}

absl::Status Cloud::PutKeyPolicy(const CallContext& ctx, const std::string& key_id,
                                 std::vector<KeyPolicyStatement> policy) {
  internal::WriterLock lock(state_->mu);
  CloudState& s = *state_;
  AMI_ASSIGN_OR_RETURN(const std::shared_ptr<const KmsKey> key, OwnKey(s, ctx, key_id));
  KmsKey::Builder b = key->ToBuilder();
  b.set_policy(std::move(policy));
  AMI_RETURN_IF_ERROR(b.Build().status());
  AMI_RETURN_IF_ERROR(DryRunCheck(ctx));
  return PutKey(s, b);
}

absl::StatusOr<std::string> Cloud::CreateGrant(const CallContext& ctx, const std::string& key_id,
                                               AccountId grantee, KmsActions operations) {
  internal::WriterLock lock(state_->mu);
  CloudState& s = *state_;
  AMI_ASSIGN_OR_RETURN(const std::shared_ptr<const KmsKey> key, OwnKey(s, ctx, key_id));
  if (operations.empty()) {
    return MakeError(ErrorCode::kInvalidParameterValue, "a grant needs at least one operation");
  }
  AMI_RETURN_IF_ERROR(DryRunCheck(ctx));
  const std::string grant_id = s.NewGrantId();
  KmsKey::Builder b = key->ToBuilder();
  b.add_grant(KmsGrant{grant_id, grantee, operations});
  AMI_RETURN_IF_ERROR(PutKey(s, b));
  return grant_id;
}

namespace {

absl::Status SetKeyState(CloudState& s, const CallContext& ctx, const std::string& key_id,
                         KeyState state, std::optional<absl::Time> deletion) {
  AMI_ASSIGN_OR_RETURN(const std::shared_ptr<const KmsKey> key, OwnKey(s, ctx, key_id));
  if (key->state() == KeyState::kPendingDeletion) {
    return MakeError(ErrorCode::kKmsInvalidStateException,
                     absl::StrCat("kms key `", key->arn().ToString(), "` is pending deletion"));
  }
  AMI_RETURN_IF_ERROR(DryRunCheck(ctx));
  KmsKey::Builder b = key->ToBuilder();
  b.set_state(state).set_deletion_time(deletion);
  return PutKey(s, b);
}

}  // namespace

absl::Status Cloud::EnableKey(const CallContext& ctx, const std::string& key_id) {
  internal::WriterLock lock(state_->mu);
  return SetKeyState(*state_, ctx, key_id, KeyState::kEnabled, std::nullopt);
}

absl::Status Cloud::DisableKey(const CallContext& ctx, const std::string& key_id) {
  internal::WriterLock lock(state_->mu);
  return SetKeyState(*state_, ctx, key_id, KeyState::kDisabled, std::nullopt);
}

absl::Status Cloud::ScheduleKeyDeletion(const CallContext& ctx, const std::string& key_id,
                                        int pending_window_days) {
  if (pending_window_days < 7 || pending_window_days > 30) {
    return MakeError(ErrorCode::kInvalidParameterValue,
                     absl::StrCat("pending window ", pending_window_days,
                                  " days is outside 7 to 30"));
  }
  internal::WriterLock lock(state_->mu);
  CloudState& s = *state_;
  const absl::Time when = s.now + absl::Hours(24 * pending_window_days);
  AMI_RETURN_IF_ERROR(SetKeyState(s, ctx, key_id, KeyState::kPendingDeletion, when));
  AMI_ASSIGN_OR_RETURN(const std::shared_ptr<const KmsKey> key, OwnKey(s, ctx, key_id));
  s.Schedule(when - s.now, {internal::PendingWork::Kind::kKeyDeletion, key->arn().ToString(), {}});
  return absl::OkStatus();
}

absl::StatusOr<KmsKey> Cloud::DescribeKey(const CallContext& ctx, const std::string& key_id) const {
  AMI_ASSIGN_OR_RETURN(const KmsKeyRef ref, KmsKeyRef::Parse(key_id));
  internal::ReaderLock lock(state_->mu);
  const CloudState& s = *state_;
  const std::optional<KmsKeyArn> arn = policy::ResolveKey(s, ctx.account, ctx.region, ref);
  absl::Status not_found = MakeError(
      ErrorCode::kKmsNotFoundException,
      absl::StrCat("kms key `", key_id, "` does not exist or is not visible to account `",
                   ctx.account.ToString(), "` in ", ctx.region.code()));
  if (!arn.has_value()) return not_found;
  const KeyFacts facts = s.FindKey(*arn);
  if (facts.aws_managed && arn->account() == ctx.account) {
    if (facts.key != nullptr) return *facts.key;  // Imported with its real id.
    return KmsKey::Builder()
        .set_arn(*arn)
        .set_manager(KeyManager::kAws)
        .set_description("Default key that protects my EBS volumes when no other key is defined")
        .Build();
  }
  if (facts.key == nullptr) return not_found;
  if (facts.key->account() != ctx.account &&
      !policy::EvaluateKeyUse(s, ctx.account, *arn, KmsActions::Of({KmsAction::kDescribeKey})).allowed()) {
    return not_found;
  }
  return *facts.key;
}

}  // namespace ami
