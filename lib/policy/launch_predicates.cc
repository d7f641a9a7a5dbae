// The predicates of a launch decision (policy/launch_predicates.h).
#include "policy/launch_predicates.h"

#include <algorithm>
#include <optional>
#include <string>

#include "policy/common.h"
#include "values/text_util.h"

namespace ami::policy {

bool OrganizationArnUsable(const StateView& view, const OrganizationId& org,
                           AccountId arn_management) {
  const std::optional<AccountId> management = view.OrganizationManagement(org);
  return !management.has_value() || *management == arn_management;
}

KmsActions GrantedActions(const KmsKey& key, AccountId principal) {
  KmsActions granted;
  for (const KmsGrant& g : key.grants()) {
    if (g.grantee == principal) granted = granted.Union(g.operations);
  }
  return granted;
}

KeyStatementForm KeyStatementFormOf(const KeyStatementSummary& summary) {
  const KeyPolicyStatement& s = summary.statement;
  if (!summary.exact || s.effect == KeyPolicyStatement::Effect::kDeny || !s.conditions.empty() ||
      !s.iam_principals.empty()) {
    return KeyStatementForm::kEngine;
  }
  if (s.principal_org_paths.empty() && s.principal_org_ids.empty()) {
    return s.any_principal ? KeyStatementForm::kAnyone : KeyStatementForm::kAccounts;
  }
  if (s.any_principal && s.principal_org_paths.empty()) return KeyStatementForm::kOrganizations;
  return KeyStatementForm::kGeneral;
}

bool StatementNamesAccount(const KeyPolicyStatement& s, AccountId caller) {
  return s.any_principal ||
         std::find(s.accounts.begin(), s.accounts.end(), caller) != s.accounts.end();
}

Truth OrganizationMatches(const KeyPolicyStatement& s, const AccountInfo* info,
                          const std::string* org_path) {
  if (s.principal_org_ids.empty() && s.principal_org_paths.empty()) return Truth::kTrue;
  if (info == nullptr) return Truth::kUnknown;
  if (!info->organization.has_value()) return Truth::kFalse;
  if (!s.principal_org_ids.empty() &&
      std::find(s.principal_org_ids.begin(), s.principal_org_ids.end(), *info->organization) ==
          s.principal_org_ids.end()) {
    return Truth::kFalse;
  }
  if (s.principal_org_paths.empty()) return Truth::kTrue;
  std::string computed;
  if (org_path == nullptr) {
    computed = OrgPath(*info);
    org_path = &computed;
  }
  const bool any = std::any_of(s.principal_org_paths.begin(), s.principal_org_paths.end(),
                               [&](const std::string& p) { return text_util::Glob(p, *org_path); });
  return any ? Truth::kTrue : Truth::kFalse;
}

}  // namespace ami::policy
