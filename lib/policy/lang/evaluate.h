// AWS's policy evaluation logic over compiled documents. Internal to libami.
//
// One evaluator for every kind of policy (IAM User Guide, "Policy evaluation logic" and
// "Cross-account policy evaluation logic"; AWS KMS Developer Guide, "Troubleshooting key
// access"):
//   1. An explicit Deny in any policy that applies — identity, permissions boundary, service
//      control policy, resource (key) policy — denies.
//   2. Service control policies: at every level from the organization's root down to the
//      account, some attached policy must allow. The management account is not subject to them.
//   3. The principal's side: an identity policy allows (the account's root user needs none),
//      and its permissions boundary, when it has one, allows too.
//   4. The resource's side, for resources with a resource policy: a KMS key's policy must allow
//      the principal itself, or allow its account and let the identity policy decide (only the
//      account named as principal delegates to IAM); a grant for the principal also allows.
//      Across accounts both sides must allow. Within one account, for resources whose policy
//      is not required, either side allowing is enough.
// Three-valued: a statement whose conditions need a fact the context does not hold neither
// grants nor is ignored as a deny. The result is never Allow then; it lists those residual
// conditions ("would be allowed only if …", "denied if …").
// Thread-safe: pure functions over values.
#ifndef AMI_LIB_POLICY_LANG_EVALUATE_H_
#define AMI_LIB_POLICY_LANG_EVALUATE_H_

#include <optional>
#include <string>
#include <vector>

#include "policy/lang/condition.h"
#include "policy/lang/context.h"
#include "policy/lang/document.h"

namespace ami::lang {

// A policy and what it is called in explanations: a managed policy's ARN, "role/dev inline
// policy AllowTagged", "key policy of arn:aws:kms:…", "SCP p-… attached to ou-…".
struct NamedPolicy {
  std::string name;
  const PolicyDocument* document = nullptr;
};

// Everything that governs one request.
struct PolicyInputs {
  // The principal is its account's root user: it needs no identity policy in its own account.
  bool principal_is_root = false;
  std::vector<NamedPolicy> identity;
  std::optional<NamedPolicy> boundary;
  // Service control policies per level, from the root down to the account. Empty: none apply
  // (no organization, or the management account).
  std::vector<std::vector<NamedPolicy>> scp_levels;
  // The resource's policy (a KMS key policy) and the account that owns the resource.
  std::optional<NamedPolicy> resource_policy;
  std::string resource_account;
  // True when the resource policy must allow (KMS keys); false for resources whose policy is
  // one of two ways in (none of EC2's image resources have one).
  bool resource_policy_required = false;
  // Names of grants that give the principal's account this action on the resource; like a key
  // policy naming the account, they delegate to the account's IAM policies.
  std::vector<std::string> grants;
};

// The statement that decided, for explanations.
struct StatementRef {
  std::string policy;
  PolicyKind kind = PolicyKind::kIdentity;
  std::string statement;
};

enum class Outcome : uint8_t { kAllow, kExplicitDeny, kImplicitDeny };

struct PolicyResult {
  Outcome outcome = Outcome::kImplicitDeny;
  // For kAllow: the statement (or grant) that allowed; for kExplicitDeny: the Deny statement.
  std::optional<StatementRef> decided_by;
  // For kImplicitDeny: the kind of policy that had no Allow (kServiceControl, kBoundary,
  // kIdentity or kKeyPolicy).
  std::optional<PolicyKind> missing_allow;
  // Conditions on facts the context does not hold that would change the answer:
  // "would be allowed only if <conditions>" / "would be denied if <conditions>".
  std::vector<std::string> residual;
  // The condition keys the context did not know that those residual conditions read (each once,
  // as first written): the values a caller would supply for a definite answer.
  std::vector<std::string> missing_keys;

  bool allowed() const { return outcome == Outcome::kAllow; }
};

// Evaluates the request against every policy in `inputs`.
PolicyResult Evaluate(const PolicyInputs& inputs, const RequestContext& ctx);

// AWS's message for a denial: "User: <arn> is not authorized to perform: <action> on resource:
// <arn> because no identity-based policy allows the <action> action", "… with an explicit deny
// in a service control policy", ….
std::string DenialMessage(const PolicyResult& result, const RequestContext& ctx);

}  // namespace ami::lang

#endif  // AMI_LIB_POLICY_LANG_EVALUATE_H_
