// The predicates of a launch decision, written once: who the launch permissions let launch
// (SHARE-1, SHARE-7, LAUNCH-4), an account's organization facts, what a key policy's
// unconditioned statements and grants let a principal do (KMS-4 … KMS-7), and which actions a
// launch needs of a snapshot's key (LAUNCH-9, LAUNCH-10). Internal to libami.
//
// The policy engine asks them of a StateView; LaunchTable (lib/cloud/launch_table.cc) compiles
// them: it interns organizations and OUs as numbers, drops the organization ARNs
// OrganizationArnUsable rejects, and buckets key-policy statements by KeyStatementFormOf, then
// asks MatchLaunchPermission and the statement matchers of its compiled facts.
#ifndef AMI_LIB_POLICY_LAUNCH_PREDICATES_H_
#define AMI_LIB_POLICY_LAUNCH_PREDICATES_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/types/span.h"
#include "ami/kms_key.h"
#include "ami/policy.h"
#include "policy/key_policy.h"

namespace ami::policy {

// ---- Launch permissions --------------------------------------------------------------------

// What an account's organization membership is made of: its organization (an OrganizationId,
// or the number a compiled table gives it) and its OUs from the root down.
template <typename Org, typename Ou>
struct MemberFacts {
  const Org* organization = nullptr;  // nullptr: in no organization the state knows.
  absl::Span<const Ou> ou_path;
};

// The organization facts of an account as the view holds them (nullptr: none).
inline MemberFacts<OrganizationId, OrganizationalUnitId> MemberOf(const AccountInfo* info) {
  if (info == nullptr || !info->organization.has_value()) return {};
  return {&*info->organization, absl::MakeConstSpan(info->ou_path)};
}

// An organization or OU ARN names the members of its organization only when its management
// account is the organization's, when the view knows the organization (SHARE-7).
bool OrganizationArnUsable(const StateView& view, const OrganizationId& org,
                           AccountId arn_management);

// A member of `ou` or of any OU beneath it: `ou` is on the member's path (SHARE-7).
template <typename Ou>
bool OnOuPath(absl::Span<const Ou> path, const Ou& ou) {
  return std::find(path.begin(), path.end(), ou) != path.end();
}

// The clause of the launch permissions that lets an account launch, and for an organization or
// OU the position of the matching entry.
enum class LaunchGrant : uint8_t { kNone, kOwner, kAccount, kOrganization, kOu, kPublic };
struct LaunchMatch {
  LaunchGrant grant = LaunchGrant::kNone;
  uint32_t index = 0;
};

// May `account` launch (SHARE-1, SHARE-7, LAUNCH-4)? The first of: the owner, a listed account,
// a member of a listed organization, a member of a listed OU or one beneath it, anyone for a
// public image. `p` reads the launch permissions:
//   bool IsOwner(AccountId), bool Lists(AccountId), bool is_public(),
//   size_t organizations(), organization(i), bool organization_usable(i),
//   size_t ous(), ou_organization(i), ou(i), bool ou_usable(i);
// `member()` returns the account's MemberFacts, asked only for organization and OU entries.
template <typename Permissions, typename Member>
LaunchMatch MatchLaunchPermission(const Permissions& p, AccountId account, Member member) {
  if (p.IsOwner(account)) return {LaunchGrant::kOwner};
  if (p.Lists(account)) return {LaunchGrant::kAccount};
  if (p.organizations() + p.ous() != 0) {
    const auto facts = member();
    if (facts.organization != nullptr) {
      const auto& org = *facts.organization;
      for (size_t i = 0; i < p.organizations(); ++i) {
        if (p.organization(i) == org && p.organization_usable(i)) {
          return {LaunchGrant::kOrganization, static_cast<uint32_t>(i)};
        }
      }
      for (size_t i = 0; i < p.ous(); ++i) {
        if (p.ou_organization(i) == org && p.ou_usable(i) && OnOuPath(facts.ou_path, p.ou(i))) {
          return {LaunchGrant::kOu, static_cast<uint32_t>(i)};
        }
      }
    }
  }
  if (p.is_public()) return {LaunchGrant::kPublic};
  return {LaunchGrant::kNone};
}

// ---- Key use -------------------------------------------------------------------------------

// Three-valued truth.
enum class Truth : uint8_t { kFalse, kTrue, kUnknown };

// A key its policy and grants can let others use: enabled and symmetric (KMS-15).
inline bool KeyUsable(const KmsKey& key) { return key.enabled() && key.symmetric(); }

// An AWS managed key: only its own account may use it (KMS-2). A customer managed key's own
// account is as bound by its key policy as any other (KMS-4).
inline bool KeyAccountMayUse(AccountId key_account, AccountId principal) {
  return principal == key_account;
}

// The actions the key's grants give `principal` (KMS-4).
KmsActions GrantedActions(const KmsKey& key, AccountId principal);

// How a key-policy statement names whom it applies to, as far as a compiled table can hold it.
enum class KeyStatementForm : uint8_t {
  kEngine,         // A Deny, a condition, an IAM identity, or more than the summary holds.
  kAnyone,         // Any principal, no organization field.
  kAccounts,       // Listed accounts, no organization field.
  kOrganizations,  // Any principal whose aws:PrincipalOrgID is one listed, no path.
  kGeneral,        // Any other: StatementNamesAccount and OrganizationMatches decide.
};
KeyStatementForm KeyStatementFormOf(const KeyStatementSummary& summary);

// The statement's principal names `caller`: any principal, or its account (IAM identities
// aside).
bool StatementNamesAccount(const KeyPolicyStatement& s, AccountId caller);

// The statement's organization fields (StringEquals aws:PrincipalOrgID, ForAnyValue:StringLike
// aws:PrincipalOrgPaths) for an account with these facts (KMS-7): true without fields, unknown
// for an account the state does not hold (`info` nullptr). `org_path` is OrgPath(*info) when the
// caller has it, else nullptr.
Truth OrganizationMatches(const KeyPolicyStatement& s, const AccountInfo* info,
                          const std::string* org_path = nullptr);

// ---- Launch key use ------------------------------------------------------------------------

// A volume launched from `snapshot` by `caller` keeps the snapshot's key when the caller owns
// the snapshot; anyone else's volume gets the caller's default key (LAUNCH-10).
inline bool VolumeKeepsSnapshotKey(AccountId snapshot_owner, AccountId caller) {
  return snapshot_owner == caller;
}

}  // namespace ami::policy

#endif  // AMI_LIB_POLICY_LAUNCH_PREDICATES_H_
