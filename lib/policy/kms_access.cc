// KMS key use (KMS-1, KMS-2, KMS-4 … KMS-7, KMS-15) and key references (ID-12, ID-14).
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ami/policy_engine.h"
#include "policy/common.h"
#include "policy/reasons.h"
#include "text_util.h"

namespace ami::policy {
namespace {

bool StatementMatches(const KeyPolicyStatement& s, AccountId principal, const AccountInfo* info) {
  if (!s.any_principal &&
      std::find(s.accounts.begin(), s.accounts.end(), principal) == s.accounts.end()) {
    return false;
  }
  const bool in_org = info != nullptr && info->organization.has_value();
  if (!s.principal_org_ids.empty()) {
    if (!in_org) return false;
    if (std::find(s.principal_org_ids.begin(), s.principal_org_ids.end(), *info->organization) ==
        s.principal_org_ids.end()) {
      return false;
    }
  }
  if (!s.principal_org_paths.empty()) {
    if (!in_org) return false;
    const std::string path = OrgPath(*info);
    bool any = false;
    for (const std::string& pattern : s.principal_org_paths) any = any || text_util::Glob(pattern, path);
    if (!any) return false;
  }
  return true;
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
    if (principal == arn.account()) return Decision::Allow(R(reasons::kAwsManagedKeyOwnAccount, base));
    return Decision::Deny(R(reasons::kAwsManagedKeyOtherAccount, base));
  }
  const KmsKey& key = *facts.key;
  Decision d;
  if (!key.enabled()) {
    ReasonArgs args = base;
    args.text = std::string(ToString(key.state()));
    d.AddForbid(R(reasons::kKeyNotEnabled, std::move(args)));
  }
  if (!key.symmetric()) d.AddForbid(R(reasons::kKeyNotSymmetric, base));
  const AccountInfo* info = view.FindAccount(principal);
  KmsActions allowed;
  for (const KeyPolicyStatement& s : key.policy()) {
    if (!StatementMatches(s, principal, info)) continue;
    if (s.effect == KeyPolicyStatement::Effect::kDeny) {
      if ((s.actions.bits() & actions.bits()) != 0) {
        ReasonArgs args = base;
        args.number = actions.bits();
        d.AddForbid(R(reasons::kKeyPolicyDenies, std::move(args)));
      }
      continue;
    }
    allowed = allowed.Union(s.actions);
  }
  if (principal == key.account()) {
    d.AddPermit(R(reasons::kKeyOwner, base));
    return d;
  }
  KmsActions granted;
  for (const KmsGrant& g : key.grants()) {
    if (g.grantee == principal) granted = granted.Union(g.operations);
  }
  if (allowed.Union(granted).HasAll(actions)) {
    ReasonArgs args = base;
    args.number = actions.bits();
    d.AddPermit(R(allowed.HasAll(actions) ? reasons::kKeyPolicyAllows : reasons::kKeyGrantAllows,
                  std::move(args)));
  } else {
    ReasonArgs args = base;
    args.number = actions.bits() & ~allowed.Union(granted).bits();  // The missing ones.
    d.AddForbid(R(reasons::kKeyNotAllowed, std::move(args)));
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
  return std::nullopt;
}

}  // namespace ami::policy
