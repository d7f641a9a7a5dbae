// The values of IAM questions asked without calling (ami/iam/iam.h: iam::Explain and
// iam::Simulate): who asks, the policy simulator's request and its results. Thread-safe: plain
// values and a pure function.
#ifndef AMI_IAM_SIMULATION_H_
#define AMI_IAM_SIMULATION_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "ami/ids.h"

namespace ami::iam {

// Who calls a preflight question: an IAM user or role (or role session) ARN of the question's
// account, empty for the account's root user, and the values of condition keys the model cannot
// know (CallContext::context).
struct Identity {
  std::string principal;
  std::vector<std::pair<std::string, std::string>> context;
};

// What `aws iam simulate-principal-policy` asks: may `principal` perform each action on each
// resource?
struct SimulationRequest {
  // An IAM user or role ARN (arn:aws:iam::<account>:user/… or …:role/…) or a role session
  // (arn:aws:sts::<account>:assumed-role/<role>/<session>); its account is the caller's.
  std::string principal;
  // The Region of the calls (aws:RequestedRegion, ec2:Region, and the ARNs of created resources).
  Region region = Region::First();
  // Actions such as "ec2:RunInstances"; at least one.
  std::vector<std::string> actions;
  // Resource ARNs; "*" when empty. An image ARN the cloud holds
  // (arn:aws:ec2:<region>::image/ami-…) carries its keys (ec2:ImageID, ec2:Owner, ec2:Public,
  // its tags as the principal's account sees them …); any other ARN carries none.
  std::vector<std::string> resources;
  // Condition-key values (ContextEntries): a key given twice has both values. A value for a key
  // the model knows must agree with it (InvalidParameterCombination).
  std::vector<std::pair<std::string, std::string>> context;
};

enum class EvalDecision : uint8_t { kAllowed, kExplicitDeny, kImplicitDeny };
// "allowed", "explicitDeny" or "implicitDeny", as EvalDecision is spelled by IAM.
absl::string_view EvalDecisionName(EvalDecision decision);

// The statement that decided: the Allow that allowed or the Deny that denied.
struct MatchedStatement {
  // The policy's name: an inline policy's name, a managed policy's ARN, a service control
  // policy's id.
  std::string source_policy_id;
  // "user" or "role" (inline), "aws-managed" or "user-managed" (a policy named by its ARN),
  // "permissions-boundary", "service-control-policy".
  std::string source_policy_type;
  // Its position: "statement 2 (Sid DenyUntagged)". Line and column are not kept.
  std::string statement;
};

// The answer for one action on one resource.
struct SimulationResult {
  std::string action;
  std::string resource;
  // Never kAllowed while a condition on a key the model does not know could change the answer:
  // kImplicitDeny when an Allow needs it, kExplicitDeny when a Deny may apply.
  EvalDecision decision = EvalDecision::kImplicitDeny;
  // Empty for an implicit deny.
  std::vector<MatchedStatement> matched_statements;
  // The condition keys the answer waits on: supply them in `context` for a definite answer.
  std::vector<std::string> missing_context_values;
  // The conditions themselves ("allowed only if …", "denied if …"), and AWS's denial message
  // (empty when allowed).
  std::vector<std::string> residual;
  std::string message;
};

}  // namespace ami::iam

#endif  // AMI_IAM_SIMULATION_H_
