// IAM users and roles, and the service control policies of organizations, in a Cloud. A call
// whose CallContext names a principal is authorized by that principal's identity policies and
// permissions boundary and by the service control policies of its account, evaluated as AWS
// documents it (rulebook IAM-1 … IAM-7): an explicit Deny wins; every level from the
// organization's root to the account must allow; the identity policy must allow. A denial is
// `UnauthorizedOperation` with AWS's message. A call as the account's root user (no principal)
// needs no identity policy, but is still bound by service control policies.
//
// Policy documents are JSON, as IAM and Organizations take them; one that does not parse or
// breaks the grammar is `MalformedPolicyDocument`. Conditions on facts the model cannot know
// (aws:SourceIp, aws:MultiFactorAuthPresent, …) never let an Allow apply: supply their values
// in CallContext::context for a definite answer.
//
// Thread-safety: as the Cloud's operations (serialized with other changes; safe from any thread).
#ifndef AMI_IAM_IAM_H_
#define AMI_IAM_IAM_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ami/cloud.h"
#include "ami/iam/simulation.h"
#include "ami/ids.h"
#include "ami/policy.h"

namespace ami::iam {

// A named policy document: an inline policy's name or a managed policy's ARN, and its JSON.
struct PolicySpec {
  std::string name;
  std::string document;
};

// An IAM user or role of one account.
struct PrincipalSpec {
  enum class Type : uint8_t { kUser, kRole };
  Type type = Type::kRole;
  // The name ([\w+=,.@-], 1–64 characters) and path ("/" or "/a/b/").
  std::string name;
  std::string path = "/";
  // Every identity policy that applies: inline, attached managed, and (users) their groups'.
  std::vector<PolicySpec> policies;
  // The permissions boundary, if any.
  std::optional<PolicySpec> boundary;
  // The principal's tags (aws:PrincipalTag/…).
  std::vector<std::pair<std::string, std::string>> tags;
};

// Creates or replaces the user or role `spec` in `account`; returns its ARN
// (arn:aws:iam::<account>:role/<path><name>). The account must be one the cloud holds.
absl::StatusOr<std::string> PutPrincipal(Cloud& cloud, AccountId account,
                                         const PrincipalSpec& spec);

// Creates or replaces the service control policy `policy_id` (p- and 8–128 lowercase letters or
// digits) of the organization `organization`, called by its management account.
absl::Status PutServiceControlPolicy(Cloud& cloud, const OrganizationId& organization,
                                     absl::string_view policy_id, const PolicySpec& policy);

// Attaches (or detaches) a service control policy to the organization's root (r-…), an OU
// (ou-…) or an account (12 digits). "p-FullAWSAccess" is attached everywhere until detached;
// a target keeps at least one policy (`ConstraintViolationException` otherwise).
absl::Status AttachServiceControlPolicy(Cloud& cloud, absl::string_view policy_id,
                                        absl::string_view target);
absl::Status DetachServiceControlPolicy(Cloud& cloud, absl::string_view policy_id,
                                        absl::string_view target);

// ---- Asking IAM without calling (preflight and simulation; types in ami/iam/simulation.h) ----

// The preflight questions of ami/policy.h asked as `who`: IAM first, as RunInstances, CopyImage
// and ModifyImageAttribute (launchPermission) ask it (UnauthorizedOperation with AWS's message
// and any residual conditions, "allowed only if …"), then the question's own rules. For a launch
// the instance type is unknown, so a condition on ec2:InstanceType is a residual condition.
// Make-public is the ShareQuestion that adds the group all.
Decision Explain(const Cloud& cloud, const Identity& who, const policy::LaunchQuestion& q);
Decision Explain(const Cloud& cloud, const Identity& who, const policy::CopyQuestion& q);
Decision Explain(const Cloud& cloud, const Identity& who, const policy::ShareQuestion& q);

// One result per action and resource, actions outer. A principal the cloud does not hold is
// `NoSuchEntity` (MC-70); a malformed principal ARN or no action `InvalidParameterValue`.
absl::StatusOr<std::vector<SimulationResult>> Simulate(const Cloud& cloud,
                                                       const SimulationRequest& request);

}  // namespace ami::iam

#endif  // AMI_IAM_IAM_H_
