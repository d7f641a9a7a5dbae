// KMS key use (KMS-1, KMS-2, KMS-4 … KMS-7, KMS-15) and key references (ID-12, ID-14).
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ami/policy.h"
#include "policy/common.h"
#include "policy/iam.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "policy/key_policy.h"
#include "policy/key_use.h"
#include "policy/launch_predicates.h"
#include "policy/reasons.h"
#include "values/text_util.h"

namespace ami::policy {
namespace {

// The modelled actions of `actions`, one at a time (a bit of no KmsAction is never allowed).
template <typename F>
void ForEachAction(KmsActions actions, F f) {
  const KmsActions all = KmsActions::All();
  for (int bit = 0; bit < 16; ++bit) {
    const auto a = static_cast<KmsAction>(1 << bit);
    if (actions.Has(a) && all.Has(a)) f(a);
  }
}

// What the policies say of each action of one request.
struct KeyVerdict {
  KmsActions allowed;
  KmsActions granted;  // Allowed by a grant (and not by a statement).
  KmsActions denied;   // By an explicit Deny.
  KmsActions maybe_denied;  // A Deny applies unless an unknown condition is false.
  KmsActions allowed_if;    // Only under an unknown condition: never granted.
  std::string deny_text;
  bool denied_by_caller = false;  // The Deny is in a policy of the caller's side.
  std::string residual_text;
};

// One action through the evaluator: `in` holds the caller's policies and the key policy; the
// grants are the action's own.
void JudgeAction(const KeyCaller& who, const KmsKey& key, KmsAction action,
                 lang::PolicyInputs* in, lang::RequestContext* ctx, KeyVerdict* v) {
  ctx->action = std::string(KmsActionName(action));
  // EBS creates its grants for the caller's volumes: true on CreateGrant, absent otherwise.
  if (action == KmsAction::kCreateGrant) {
    ctx->Set("kms:GrantIsForAWSResource", "true");
  } else {
    ctx->SetAbsent("kms:GrantIsForAWSResource");
  }
  in->grants.clear();
  for (const KmsGrant& g : key.grants()) {
    if (g.grantee == who.caller.account && g.operations.Has(action)) in->grants.push_back(g.grant_id);
  }
  const lang::PolicyResult r = lang::Evaluate(*in, *ctx);
  const KmsActions one = KmsActions::Of({action});
  switch (r.outcome) {
    case lang::Outcome::kAllow:
      v->allowed = v->allowed.Union(one);
      if (r.decided_by && r.decided_by->statement == "grant") v->granted = v->granted.Union(one);
      return;
    case lang::Outcome::kExplicitDeny:
      v->denied = v->denied.Union(one);
      if (v->deny_text.empty() && r.decided_by) {
        v->deny_text = absl::StrCat(r.decided_by->policy, " ", r.decided_by->statement);
        v->denied_by_caller = r.decided_by->kind != lang::PolicyKind::kKeyPolicy;
      }
      return;
    case lang::Outcome::kImplicitDeny:
      break;
  }
  const bool maybe_deny = !r.residual.empty() && absl::StartsWith(r.residual.front(), "denied if");
  if (maybe_deny) {
    v->maybe_denied = v->maybe_denied.Union(one);
    if (v->deny_text.empty()) v->deny_text = absl::StrJoin(r.residual, "; ");
  } else if (!r.residual.empty()) {
    v->allowed_if = v->allowed_if.Union(one);
    if (v->residual_text.empty()) v->residual_text = absl::StrJoin(r.residual, "; ");
  }
}

// The Decision for the verdicts: an explicit Deny, every action allowed (by the key policy, a
// grant, or for the key's own account), or which actions are missing and what would allow them.
Decision KeyUseDecision(const ReasonArgs& base, KmsActions actions, const KeyVerdict& v,
                        bool owner, Decision d) {
  ReasonArgs args = base;
  const KmsActions against = v.denied.Union(v.maybe_denied);
  if (!against.empty()) {
    args.number = against.bits();
    args.text = v.deny_text;
    d.AddForbid(R(v.denied.empty()      ? reasons::kKeyPolicyDeniesUnknown
                  : v.denied_by_caller ? reasons::kKeyUseDeniedByCaller
                                       : reasons::kKeyPolicyDenies,
                  args));
  }
  if (v.allowed.HasAll(actions)) {
    args.number = actions.bits();
    const bool by_grant = (v.granted.bits() & actions.bits()) != 0;
    d.AddPermit(R(owner      ? reasons::kKeyOwner
                  : by_grant ? reasons::kKeyGrantAllows
                             : reasons::kKeyPolicyAllows,
                  std::move(args)));
    return d;
  }
  args.number = actions.bits() & ~v.allowed.bits();  // The missing ones.
  const bool residual = (v.allowed_if.bits() & args.number) != 0;
  d.AddForbid(R(reasons::kKeyNotAllowed, args));
  if (residual) {
    args.number &= v.allowed_if.bits();
    args.text = v.residual_text;
    d.AddForbid(R(reasons::kKeyPolicyAllowsOnlyIf, std::move(args)));
  }
  return d;
}


// The context and policies of a request by `who` on `key` (named `arn`): the key policy (which must allow),
// the caller's side from `who`, and the keys of a call EC2 makes for the caller (`via_ec2`,
// KMS-4) or of one the caller makes itself. Returns the condition key whose supplied value
// disagrees with the context, if any.
std::optional<std::string> KeyRequest(const StateView& view, const KeyCaller& who,
                                      const KmsKeyArn& arn, const KmsKey& key, bool via_ec2,
                                      lang::RequestContext* ctx, lang::PolicyInputs* in) {
  *ctx = lang::BaseContext(who.caller, "", arn.ToString(), arn.region(), view.Now());
  if (via_ec2) {
    lang::AddKmsViaEc2Keys(who.caller, arn.region(), false, ctx);
  } else {
    ctx->Set("kms:CallerAccount", who.caller.account.ToString());
    ctx->SetAbsent("kms:ViaService");
    ctx->Set("kms:GrantIsForAWSResource", "false");
    ctx->Set("aws:ViaAWSService", "false");
  }
  if (!who.principal_arn.empty()) ctx->Set("aws:PrincipalArn", who.principal_arn);
  *in = who.policies;
  in->resource_policy = lang::NamedPolicy{absl::StrCat("key policy of ", arn.ToString()),
                                          &key.policy().compiled().document};
  in->resource_account = key.account().ToString();
  in->resource_policy_required = true;
  return lang::AddSuppliedValues(who.supplied, ctx);
}

// The modelled KMS action `name` names ("kms:DescribeKey"), if any: grants can give it.
std::optional<KmsAction> ModelledAction(absl::string_view name) {
  std::optional<KmsAction> out;
  ForEachAction(KmsActions::All(), [&](KmsAction a) {
    if (absl::EqualsIgnoreCase(KmsActionName(a), name)) out = a;
  });
  return out;
}

}  // namespace

std::string OrgPath(const AccountInfo& info) {
  std::string path = absl::StrCat(info.organization->ToString(), "/", info.root_id, "/");
  for (const OrganizationalUnitId& ou : info.ou_path) absl::StrAppend(&path, ou.ToString(), "/");
  return path;
}

KmsActions ReadKeyActions() {
  return KmsActions::Of({KmsAction::kDescribeKey, KmsAction::kCreateGrant, KmsAction::kDecrypt,
                         KmsAction::kReEncryptFrom});
}

KmsActions WriteKeyActions() {
  return KmsActions::Of({KmsAction::kDescribeKey, KmsAction::kCreateGrant,
                         KmsAction::kGenerateDataKeyWithoutPlaintext, KmsAction::kReEncryptTo});
}

KeyCaller RootKeyCaller(const StateView& view, AccountId account) {
  KeyCaller who;
  who.caller.account = account;
  who.caller.info = view.FindAccount(account);
  who.policies.principal_is_root = true;
  return who;
}

Decision EvaluateKeyUse(const StateView& view, AccountId principal, const KmsKeyArn& arn,
                        KmsActions actions) {
  return EvaluateKeyUseBy(view, RootKeyCaller(view, principal), arn, actions);
}

Decision EvaluateKeyUseBy(const StateView& view, const KeyCaller& who, const KmsKeyArn& arn,
                          KmsActions actions) {
  const AccountId principal = who.caller.account;
  const ReasonArgs base{.account = principal, .owner = arn.account(), .key = arn,
                        .region = arn.region()};
  const KeyFacts facts = view.FindKey(arn);
  if (!facts.exists()) {
    ReasonArgs args = base;
    args.text = absl::StrCat("`", arn.ToString(), "`");
    return Decision::Deny(R(reasons::kKeyNotFound, std::move(args)));
  }
  if (facts.aws_managed) {
    if (KeyAccountMayUse(arn.account(), principal)) {
      return Decision::Allow(R(reasons::kAwsManagedKeyOwnAccount, base));
    }
    return Decision::Deny(R(reasons::kAwsManagedKeyOtherAccount, base));
  }
  if (who.unknown_principal) {
    return Decision::Deny(R(reasons::kUnknownPrincipal, {.account = principal, .text = who.caller.arn}));
  }
  const KmsKey& key = *facts.key;
  Decision d;
  if (!KeyUsable(key)) {
    if (!key.enabled()) {
      ReasonArgs args = base;
      args.text = std::string(ToString(key.state()));
      d.AddForbid(R(reasons::kKeyNotEnabled, std::move(args)));
    }
    if (!key.symmetric()) d.AddForbid(R(reasons::kKeyNotSymmetric, base));
  }
  lang::RequestContext ctx;
  lang::PolicyInputs in;
  if (std::optional<std::string> conflict = KeyRequest(view, who, arn, key, true, &ctx, &in)) {
    d.AddForbid(R(reasons::kIamContextConflict, {.account = principal, .text = *conflict}));
    return d;
  }
  KeyVerdict v;
  ForEachAction(actions, [&](KmsAction a) { JudgeAction(who, key, a, &in, &ctx, &v); });
  return KeyUseDecision(base, actions, v, KeyAccountMayUse(key.account(), principal), d);
}

std::optional<Reason> KeyCallDenial(const StateView& view, const KeyCaller& who,
                                    const KmsKey& key, absl::string_view action) {
  const AccountId account = who.caller.account;
  if (who.unknown_principal) {
    return R(reasons::kUnknownPrincipalAccess, {.account = account, .text = who.caller.arn});
  }
  lang::RequestContext ctx;
  lang::PolicyInputs in;
  if (std::optional<std::string> conflict = KeyRequest(view, who, key.arn(), key, false, &ctx, &in)) {
    return R(reasons::kIamContextConflict, {.account = account, .text = *conflict});
  }
  ctx.action = std::string(action);
  if (const std::optional<KmsAction> modelled = ModelledAction(action)) {
    for (const KmsGrant& g : key.grants()) {
      if (g.grantee == account && g.operations.Has(*modelled)) in.grants.push_back(g.grant_id);
    }
  }
  const lang::PolicyResult r = lang::Evaluate(in, ctx);
  if (r.allowed()) return std::nullopt;
  return CallDenial(r, ctx, account);
}

std::optional<KmsKeyArn> ResolveKey(const StateView& view, AccountId caller, Region region,
                                    const KmsKeyRef& ref) {
  switch (ref.form()) {
    case KmsKeyRef::Form::kKeyArn:
      return ref.key_arn();
    case KmsKeyRef::Form::kKeyId:
      return KmsKeyArn::Of(caller, region, *ref.key_id());
    case KmsKeyRef::Form::kAliasName:
      return view.FindAlias(caller, region, ref.alias_name());
    case KmsKeyRef::Form::kAliasArn:
      return view.FindAlias(*ref.account(), *ref.region(), ref.alias_name());
  }
  return std::nullopt;  // GCOVR_EXCL_LINE: every form returns above.
}

}  // namespace ami::policy
