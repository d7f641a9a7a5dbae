// Plans of the KMS key operations: creating and replicating keys, aliases, key policies, grants
// and key state (KMS-1, KMS-4, KMS-14, KMS-15, ID-13).
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "policy/common.h"
#include "policy/planning.h"
#include "policy/reasons.h"
#include "values/status_macros.h"

namespace ami::policy {
namespace {

// The caller's own customer managed key that `name` names (KMS-1, ID-12, ID-14), with a permit
// in `*d`; otherwise nullptr and a forbid: an AWS managed key cannot be changed, and a key of
// another account or none at all is not found.
const KmsKey* OwnKey(const PlanView& view, const CallContext& ctx, const KeyName& name,
                     Decision* d) {
  ReasonArgs a{.account = ctx.account, .region = ctx.region};
  const std::optional<KmsKeyArn> arn = ResolveKey(view, ctx.account, ctx.region, name.ref);
  if (arn.has_value()) {
    const KeyFacts facts = view.FindKey(*arn);
    a.key = *arn;
    if (facts.aws_managed) {
      d->AddForbid(R(reasons::kAwsManagedKeyChange, std::move(a)));
      return nullptr;
    }
    if (facts.key != nullptr && facts.key->account() == ctx.account) {
      d->AddPermit(R(reasons::kKeyManaged, std::move(a)));
      return facts.key;
    }
  }
  a.key.reset();
  a.text = name.text;
  d->AddForbid(R(reasons::kKeyNotManageable, std::move(a)));
  return nullptr;
}

// Builds `b` into `out`'s plan.
absl::Status PutKey(const KmsKey::Builder& b, Planned* out) {
  AMI_ASSIGN_OR_RETURN(KmsKey key, b.Build());
  out->plan.mutable_extra().put_keys.push_back(std::make_shared<const KmsKey>(std::move(key)));
  return absl::OkStatus();
}

// KMS-5: replaces `*d` with the denial and returns false when the caller may not call `action`
// on its own key `key`.
bool AuthorizeOnKey(const PlanView& view, const CallContext& ctx, const KmsKey& key,
                    absl::string_view action, Decision* d) {
  std::optional<Decision> denied = KeyCallDenialOf(view, ctx, key.arn(), &key, action);
  if (!denied) return true;
  *d = *std::move(denied);
  return false;
}

// IAM-7: replaces `*d` with the denial and returns false when IAM refuses `action` on
// `resources`.
bool AuthorizeIam(const PlanView& view, const CallContext& ctx, absl::string_view action,
                  std::vector<IamResource> resources, Decision* d) {
  std::optional<Decision> denied =
      IamDenial(view, ctx, action, [&] { return std::move(resources); });
  if (!denied) return true;
  *d = *std::move(denied);
  return false;
}

absl::string_view KeyStateAction(KeyState state) {
  switch (state) {
    case KeyState::kEnabled:
      return "kms:EnableKey";
    case KeyState::kDisabled:
      return "kms:DisableKey";
    default:
      break;
  }
  return "kms:ScheduleKeyDeletion";
}

}  // namespace

absl::StatusOr<Planned> PlanCreateKey(const PlanView& view, const CallContext& ctx,
                                      const CreateKeyRequest& request) {
  Planned out;
  // IAM-7: kms:CreateKey supports no resource-level permissions.
  if (!AuthorizeIam(view, ctx, "kms:CreateKey", AnyIamResource(), &out.decision)) return out;
  internal::IdSequence ids = view.Ids();
  const KmsKeyArn arn = KmsKeyArn::Of(ctx.account, ctx.region, ids.NewKeyId(request.multi_region));
  KmsKey::Builder b;
  b.set_arn(arn)
      .set_description(request.description)
      .set_key_spec(request.key_spec)
      .set_multi_region_role(request.multi_region ? MultiRegionRole::kPrimary : MultiRegionRole::kNone)
      .set_creation_time(view.Now());
  if (request.policy_document) b.set_policy(*request.policy_document);
  for (const KeyPolicyStatement& s : request.policy) b.add_policy_statement(s);
  AMI_RETURN_IF_ERROR(PutKey(b, &out));
  out.plan.ids = ids;
  out.decision = Decision::Allow(
      R(reasons::kKeyCreated, {.account = ctx.account, .key = arn, .region = ctx.region}));
  return out;
}

absl::StatusOr<Planned> PlanReplicateKey(const PlanView& view, const CallContext& ctx,
                                         const KeyName& key, Region replica_region) {
  Planned out;
  const KmsKey* primary = OwnKey(view, ctx, key, &out.decision);
  if (primary == nullptr) return out;
  // KMS-5: kms:ReplicateKey on the primary key, and kms:CreateKey (IAM) in the replica's Region.
  if (!AuthorizeOnKey(view, ctx, *primary, "kms:ReplicateKey", &out.decision)) return out;
  CallContext in_replica_region = ctx;
  in_replica_region.region = replica_region;
  if (!AuthorizeIam(view, in_replica_region, "kms:CreateKey", AnyIamResource(), &out.decision)) {
    return out;
  }
  if (primary->multi_region_role() != MultiRegionRole::kPrimary) {
    out.decision.AddForbid(R(reasons::kReplicaOfNonPrimary, {.key = primary->arn()}));
    return out;
  }
  const KmsKeyArn arn = KmsKeyArn::Of(ctx.account, replica_region, primary->id());
  if (replica_region == ctx.region || view.FindKey(arn).key != nullptr) {
    out.decision.AddForbid(R(reasons::kReplicaExists,
                             {.region = replica_region, .text = primary->id().ToString()}));
    return out;
  }
  KmsKey::Builder b = primary->ToBuilder();
  // KMS-14: a replica shares the key id and material, not the policy, grants or description.
  b.set_arn(arn).set_multi_region_role(MultiRegionRole::kReplica).set_grants({})
      .set_policy(KeyPolicy::Default(ctx.account))
      .set_description("").set_tags(TagSet()).set_creation_time(view.Now());
  AMI_RETURN_IF_ERROR(PutKey(b, &out));
  return out;
}

Planned PlanCreateAlias(const PlanView& view, const CallContext& ctx, const std::string& alias,
                        const KeyName& key) {
  Planned out;
  const KmsKey* own = OwnKey(view, ctx, key, &out.decision);
  if (own == nullptr) return out;
  // KMS-5: kms:CreateAlias on the alias (IAM only) and on the key.
  const std::string alias_arn =
      absl::StrCat("arn:aws:kms:", ctx.region.code(), ":", ctx.account.ToString(), ":", alias);
  if (!AuthorizeIam(view, ctx, "kms:CreateAlias", {IamResource{alias_arn}}, &out.decision) ||
      !AuthorizeOnKey(view, ctx, *own, "kms:CreateAlias", &out.decision)) {
    return out;
  }
  // ID-13: an alias is unique per account and Region.
  if (view.FindAlias(ctx.account, ctx.region, alias).has_value()) {
    out.decision.AddForbid(R(reasons::kAliasExists,
                             {.account = ctx.account, .region = ctx.region, .text = alias}));
    return out;
  }
  out.plan.mutable_extra().put_aliases.emplace_back(std::make_tuple(ctx.account, ctx.region, alias), own->arn());
  return out;
}

absl::StatusOr<Planned> PlanPutKeyPolicy(const PlanView& view, const CallContext& ctx,
                                         const KeyName& key, std::optional<KeyPolicy> document,
                                         std::vector<KeyPolicyStatement> statements) {
  Planned out;
  const KmsKey* own = OwnKey(view, ctx, key, &out.decision);
  if (own == nullptr || !AuthorizeOnKey(view, ctx, *own, "kms:PutKeyPolicy", &out.decision)) {
    return out;
  }
  KmsKey::Builder b = own->ToBuilder();
  b.set_policy(document ? *std::move(document) : KeyPolicy::Default(own->account()));
  for (KeyPolicyStatement& s : statements) b.add_policy_statement(std::move(s));
  AMI_RETURN_IF_ERROR(PutKey(b, &out));
  return out;
}

absl::StatusOr<PlannedGrant> PlanCreateGrant(const PlanView& view, const CallContext& ctx,
                                             const KeyName& key, AccountId grantee,
                                             KmsActions operations) {
  PlannedGrant out;
  Decision& d = out.planned.decision;
  const KmsKey* own = OwnKey(view, ctx, key, &d);
  if (own == nullptr || !AuthorizeOnKey(view, ctx, *own, "kms:CreateGrant", &d)) return out;
  if (operations.empty()) {
    d.AddForbid(R(reasons::kGrantWithoutOperations));
    return out;
  }
  internal::IdSequence ids = view.Ids();
  out.grant_id = ids.NewGrantId();
  KmsKey::Builder b = own->ToBuilder();
  b.add_grant(KmsGrant{out.grant_id, grantee, operations});
  AMI_RETURN_IF_ERROR(PutKey(b, &out.planned));
  out.planned.plan.ids = ids;
  return out;
}

absl::StatusOr<Planned> PlanKeyState(const PlanView& view, const CallContext& ctx,
                                     const KeyName& key, KeyState state, int pending_window_days) {
  Planned out;
  const KmsKey* own = OwnKey(view, ctx, key, &out.decision);
  if (own == nullptr || !AuthorizeOnKey(view, ctx, *own, KeyStateAction(state), &out.decision)) {
    return out;
  }
  // KMS-15: a key pending deletion is neither enabled nor disabled again.
  if (own->state() == KeyState::kPendingDeletion) {
    out.decision.AddForbid(R(reasons::kKeyPendingDeletion, {.key = own->arn()}));
    return out;
  }
  std::optional<absl::Time> deletion;
  if (state == KeyState::kPendingDeletion) {
    const absl::Duration window = absl::Hours(24 * pending_window_days);
    deletion = view.Now() + window;
    out.plan.schedule.emplace_back(
        window, internal::PendingWork{internal::PendingWork::Kind::kKeyDeletion,
                                      own->arn().ToString(), std::nullopt});
  }
  KmsKey::Builder b = own->ToBuilder();
  b.set_state(state).set_deletion_time(deletion);
  AMI_RETURN_IF_ERROR(PutKey(b, &out));
  return out;
}

Decision EvaluateDescribeKey(const StateView& view, AccountId caller, Region region,
                             const KeyName& key, std::optional<KmsKeyArn>* arn) {
  ReasonArgs a{.account = caller, .region = region, .text = key.text};
  *arn = ResolveKey(view, caller, region, key.ref);
  if (!arn->has_value()) return Decision::Deny(R(reasons::kDescribeKeyUnresolved, std::move(a)));
  const KeyFacts facts = view.FindKey(**arn);
  if (facts.aws_managed) {
    if ((*arn)->account() != caller) {
      return Decision::Deny(R(reasons::kDescribeOtherAwsManagedKey, std::move(a)));
    }
    return Decision::Allow(
        R(reasons::kAwsManagedKeyOwnAccount, {.account = caller, .key = **arn}));
  }
  if (facts.key == nullptr) return Decision::Deny(R(reasons::kDescribeKeyUnresolved, std::move(a)));
  if (facts.key->account() == caller) {
    return Decision::Allow(R(reasons::kKeyManaged, {.account = caller, .key = **arn}));
  }
  Decision use = EvaluateKeyUse(view, caller, **arn, KmsActions::Of({KmsAction::kDescribeKey}));
  if (!use.allowed()) return Decision::Deny(R(reasons::kDescribeKeyNotAllowed, std::move(a)));
  return use;
}

Decision EvaluateDescribeKeyAs(const PlanView& view, const CallContext& ctx, const KeyName& key,
                               std::optional<KmsKeyArn>* arn) {
  Decision d = EvaluateDescribeKey(view, ctx.account, ctx.region, key, arn);
  const KmsKey* customer = arn->has_value() ? view.FindKey(**arn).key : nullptr;
  // KMS-5: a principal's call on another account's key is asked of the key policy as that
  // principal, not as its account's root user.
  if (!ctx.principal.empty() && customer != nullptr && customer->account() != ctx.account) {
    d = Decision::Allow(R(reasons::kKeyPolicyAllows,
                          {.account = ctx.account, .key = **arn,
                           .number = KmsActions::Of({KmsAction::kDescribeKey}).bits()}));
  }
  if (!d.allowed()) return d;
  if (std::optional<Decision> denied =
          KeyCallDenialOf(view, ctx, **arn, customer, "kms:DescribeKey")) {
    return *std::move(denied);
  }
  return d;
}

}  // namespace ami::policy
