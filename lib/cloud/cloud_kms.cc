// Account settings per Region (KMS-2, KMS-3, SHARE-18, SNAP-3) and KMS keys (KMS-1, 4, 14, 15).
#include <memory>
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
#include "values/text_util.h"

namespace ami {

using internal::CloudState;
using internal::DryRunCheck;

// ---- Account settings per Region: decode, plan, gate, commit ----

namespace {

absl::Status CommitPlanned(CloudState& s, const CallContext& ctx, policy::Planned p)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
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

absl::Status Cloud::EnableSnapshotBlockPublicAccess(
    const CallContext& ctx, const Input<SnapshotBlockPublicAccessState>& state) {
  // SNAP-3: the two blocking states are the request's only values.
  const absl::StatusOr<RegionSettings::SnapshotBlock> block = state.Decode();
  if (!block.ok() || *block == RegionSettings::SnapshotBlock::kUnblocked) {
    return MakeError(ErrorCode::kInvalidParameterValue,
                     absl::StrCat("invalid snapshot block public access state `",
                                  text_util::Clip(state.ToString()),
                                  "`: expected block-all-sharing or block-new-sharing"));
  }
  return ChangeSettings(*state_, ctx, {SettingsKind::kEnableSnapshotBlock, *block});
}

absl::Status Cloud::ModifyEbsDefaultKmsKeyId(const CallContext& ctx,
                                             const Input<KmsKeyRef>& kms_key_id) {
  AMI_ASSIGN_OR_RETURN(const KmsKeyRef ref, kms_key_id.Decode());
  const std::string text = kms_key_id.ToString();
  internal::WriterLock lock(state_->mu);
  return CommitPlanned(*state_, ctx, policy::PlanModifyDefaultKey(*state_, ctx, ref, text));
}

namespace {

// Plans under the writer lock, gates the decision and commits: the key operations' one shape.
// Returns the first key the plan puts, if any.
template <typename PlanFn>
absl::StatusOr<std::shared_ptr<const KmsKey>> CommitKeyPlan(CloudState& s, const CallContext& ctx,
                                                            PlanFn plan) {
  internal::WriterLock lock(s.mu);
  absl::StatusOr<policy::Planned> p = plan(static_cast<const CloudState&>(s));
  AMI_RETURN_IF_ERROR(p.status());
  AMI_RETURN_IF_ERROR(internal::Gate(p->decision, ctx));
  std::shared_ptr<const KmsKey> key = p->plan.extra().put_keys.empty() ? nullptr : p->plan.extra().put_keys.front();
  s.Commit(std::move(p->plan));
  return key;
}

// The key reference, with its text as given (errors name the key as the caller wrote it).
absl::StatusOr<policy::KeyName> DecodeKey(const Input<KmsKeyRef>& key) {
  AMI_ASSIGN_OR_RETURN(KmsKeyRef ref, key.Decode());
  return policy::KeyName{std::move(ref), key.ToString()};
}

absl::Status SetKeyState(CloudState& s, const CallContext& ctx, const Input<KmsKeyRef>& key_id,
                         KeyState state, int pending_window_days = 0) {
  AMI_ASSIGN_OR_RETURN(const policy::KeyName key, DecodeKey(key_id));
  return CommitKeyPlan(s, ctx, [&](const CloudState& v) {
           return policy::PlanKeyState(v, ctx, key, state, pending_window_days);
         }).status();
}

}  // namespace

absl::StatusOr<KmsKeyArn> Cloud::CreateKey(const CallContext& ctx, const CreateKeyRequest& request) {
  AMI_ASSIGN_OR_RETURN(const std::shared_ptr<const KmsKey> key,
                       CommitKeyPlan(*state_, ctx, [&](const CloudState& v) {
                         return policy::PlanCreateKey(v, ctx, request);
                       }));
  return key->arn();
}

absl::StatusOr<KmsKeyArn> Cloud::ReplicateKey(const CallContext& ctx,
                                              const Input<KmsKeyRef>& key_id,
                                              const Input<Region>& replica_region) {
  AMI_ASSIGN_OR_RETURN(const Region region, replica_region.Decode());
  AMI_ASSIGN_OR_RETURN(const policy::KeyName key, DecodeKey(key_id));
  AMI_ASSIGN_OR_RETURN(const std::shared_ptr<const KmsKey> replica,
                       CommitKeyPlan(*state_, ctx, [&](const CloudState& v) {
                         return policy::PlanReplicateKey(v, ctx, key, region);
                       }));
  return replica->arn();
}

absl::Status Cloud::CreateAlias(const CallContext& ctx, const std::string& alias,
                                const Input<KmsKeyRef>& key_id) {
  AMI_RETURN_IF_ERROR(ValidateNewAliasName(alias));
  AMI_ASSIGN_OR_RETURN(const policy::KeyName key, DecodeKey(key_id));
  return CommitKeyPlan(*state_, ctx, [&](const CloudState& v) -> absl::StatusOr<policy::Planned> {
           return policy::PlanCreateAlias(v, ctx, alias, key);
         }).status();
}

absl::Status Cloud::PutKeyPolicy(const CallContext& ctx, const Input<KmsKeyRef>& key_id,
                                 std::vector<KeyPolicyStatement> policy) {
  AMI_ASSIGN_OR_RETURN(const policy::KeyName key, DecodeKey(key_id));
  return CommitKeyPlan(*state_, ctx, [&](const CloudState& v) {
           return policy::PlanPutKeyPolicy(v, ctx, key, std::nullopt, std::move(policy));
         }).status();
}

absl::Status Cloud::PutKeyPolicy(const CallContext& ctx, const Input<KmsKeyRef>& key_id,
                                 const KeyPolicy& policy) {
  AMI_ASSIGN_OR_RETURN(const policy::KeyName key, DecodeKey(key_id));
  return CommitKeyPlan(*state_, ctx, [&](const CloudState& v) {
           return policy::PlanPutKeyPolicy(v, ctx, key, policy, {});
         }).status();
}

absl::StatusOr<std::string> Cloud::CreateGrant(const CallContext& ctx,
                                               const Input<KmsKeyRef>& key_id,
                                               AccountId grantee, KmsActions operations) {
  AMI_ASSIGN_OR_RETURN(const policy::KeyName key, DecodeKey(key_id));
  std::string grant_id;
  AMI_RETURN_IF_ERROR(
      CommitKeyPlan(*state_, ctx, [&](const CloudState& v) -> absl::StatusOr<policy::Planned> {
        AMI_ASSIGN_OR_RETURN(policy::PlannedGrant g,
                             policy::PlanCreateGrant(v, ctx, key, grantee, operations));
        grant_id = std::move(g.grant_id);
        return std::move(g.planned);
      }).status());
  return grant_id;
}

absl::Status Cloud::EnableKey(const CallContext& ctx, const Input<KmsKeyRef>& key_id) {
  return SetKeyState(*state_, ctx, key_id, KeyState::kEnabled);
}

absl::Status Cloud::DisableKey(const CallContext& ctx, const Input<KmsKeyRef>& key_id) {
  return SetKeyState(*state_, ctx, key_id, KeyState::kDisabled);
}

absl::Status Cloud::ScheduleKeyDeletion(const CallContext& ctx, const Input<KmsKeyRef>& key_id,
                                        int pending_window_days) {
  if (pending_window_days < 7 || pending_window_days > 30) {
    return MakeError(ErrorCode::kInvalidParameterValue,
                     absl::StrCat("pending window ", pending_window_days,
                                  " days is outside 7 to 30"));
  }
  return SetKeyState(*state_, ctx, key_id, KeyState::kPendingDeletion, pending_window_days);
}

absl::StatusOr<KmsKey> Cloud::DescribeKey(const CallContext& ctx,
                                          const Input<KmsKeyRef>& key_id) const {
  AMI_ASSIGN_OR_RETURN(const policy::KeyName key, DecodeKey(key_id));
  const CloudState& s = *state_;
  internal::ReaderLock lock(s.mu);
  std::optional<KmsKeyArn> arn;
  AMI_RETURN_IF_ERROR(policy::EvaluateDescribeKeyAs(s, ctx, key, &arn).ToStatus());
  const KeyFacts facts = s.FindKey(*arn);
  if (facts.key != nullptr) return *facts.key;  // An imported aws managed key keeps its real id.
  return KmsKey::Builder()
      .set_arn(*arn)
      .set_manager(KeyManager::kAws)
      .set_description("Default key that protects my EBS volumes when no other key is defined")
      .Build();
}

}  // namespace ami
