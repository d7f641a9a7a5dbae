// KMS key use (KMS-1, KMS-2, KMS-4 … KMS-7, KMS-15) and key references (ID-12, ID-14).
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ami/policy.h"
#include "policy/common.h"
#include "policy/conditions.h"
#include "policy/launch_predicates.h"
#include "policy/reasons.h"
#include "values/text_util.h"

namespace ami::policy {
namespace {

// The key policy's verdict for one request: what its Allow statements grant for certain, what
// they would grant only under an unknown condition, and the first Deny that applies.
struct PolicyVerdict {
  KmsActions allowed;
  KmsActions allowed_if;  // Only under an unknown condition: never granted.
  std::string allowed_if_text;
  KmsActions denied;
  std::string denied_text;  // Set when a Deny applies only because a condition is unknown.
  bool denied_for_certain = false;
};

// The actions of `actions`, one at a time.
template <typename F>
void ForEachAction(KmsActions actions, F f) {
  for (int bit = 0; bit < 16; ++bit) {
    const auto a = static_cast<KmsAction>(1 << bit);
    if (actions.Has(a)) f(a);
  }
}

// Folds one statement into the verdict. A statement with conditions is evaluated once per
// action, since kms:GrantIsForAWSResource depends on it.
void Fold(const KeyPolicyStatement& s, KeyRequest r, KmsActions actions, PolicyVerdict* v) {
  const KmsActions relevant(KmsActions::FromBits(s.actions.bits() & actions.bits()));
  if (relevant.empty()) return;
  const bool deny = s.effect == KeyPolicyStatement::Effect::kDeny;
  const auto one = [&](KmsActions these, KmsAction action) {
    r.action = action;
    std::string unknown;
    const Truth t = StatementApplies(s, r, &unknown);
    if (t == Truth::kFalse) return;
    const std::string text =
        t == Truth::kUnknown ? absl::StrCat("statement `", text_util::Clip(s.sid), "`: ", unknown)
                             : std::string();
    if (deny) {
      v->denied = v->denied.Union(these);
      v->denied_for_certain |= t == Truth::kTrue;
      if (v->denied_text.empty()) v->denied_text = text;
    } else if (t == Truth::kTrue) {
      v->allowed = v->allowed.Union(these);
    } else {
      v->allowed_if = v->allowed_if.Union(these);
      if (v->allowed_if_text.empty()) v->allowed_if_text = text;
    }
  };
  if (s.conditions.empty()) {
    one(relevant, KmsAction::kDecrypt);  // The action matters to no part of the statement.
    return;
  }
  ForEachAction(relevant, [&](KmsAction a) { one(KmsActions::Of({a}), a); });
}

PolicyVerdict EvaluatePolicy(const KmsKey& key, const KeyRequest& r, KmsActions actions) {
  PolicyVerdict v;
  for (const KeyPolicyStatement& s : key.policy()) Fold(s, r, actions, &v);
  return v;
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

Decision EvaluateKeyUse(const StateView& view, AccountId principal, const KmsKeyArn& arn,
                        KmsActions actions) {
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
  const KeyRequest request{principal, view.FindAccount(principal), arn.region()};
  const PolicyVerdict v = EvaluatePolicy(key, request, actions);
  if (!v.denied.empty()) {
    ReasonArgs args = base;
    args.number = actions.bits();
    args.text = v.denied_text;
    d.AddForbid(R(v.denied_for_certain ? reasons::kKeyPolicyDenies
                                       : reasons::kKeyPolicyDeniesUnknown, std::move(args)));
  }
  if (KeyAccountMayUse(key.account(), principal)) {
    d.AddPermit(R(reasons::kKeyOwner, base));
    return d;
  }
  const KmsActions usable = v.allowed.Union(GrantedActions(key, principal));
  if (usable.HasAll(actions)) {
    ReasonArgs args = base;
    args.number = actions.bits();
    d.AddPermit(R(v.allowed.HasAll(actions) ? reasons::kKeyPolicyAllows : reasons::kKeyGrantAllows,
                  std::move(args)));
    return d;
  }
  ReasonArgs args = base;
  args.number = actions.bits() & ~usable.bits();  // The missing ones.
  const bool residual = (v.allowed_if.bits() & args.number) != 0;
  d.AddForbid(R(reasons::kKeyNotAllowed, args));
  if (residual) {
    args.number &= v.allowed_if.bits();
    args.text = v.allowed_if_text;
    d.AddForbid(R(reasons::kKeyPolicyAllowsOnlyIf, std::move(args)));
  }
  return d;
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
