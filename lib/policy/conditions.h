// Key-policy conditions, evaluated to true, false or unknown. Internal to libami.
//
// A condition key has a value libami knows offline (kms:CallerAccount, kms:ViaService,
// aws:PrincipalAccount, aws:PrincipalOrgID, aws:PrincipalOrgPaths, kms:GrantIsForAWSResource),
// is known to be absent, or is unknown (aws:SourceIp, aws:PrincipalArn, encryption context, …).
// Operators: String(Not)Equals(IgnoreCase), String(Not)Like, Bool, Null, with the IfExists
// suffix and the ForAnyValue:/ForAllValues: qualifiers; any other operator, and any value that
// uses a policy variable, is unknown. Unknown never allows: an Allow applies only when every
// condition is true, a Deny whenever none is false.
#ifndef AMI_LIB_POLICY_CONDITIONS_H_
#define AMI_LIB_POLICY_CONDITIONS_H_

#include <optional>
#include <string>
#include <vector>

#include "ami/kms_key.h"
#include "ami/policy.h"

namespace ami::policy {

// Three-valued truth.
enum class Truth : uint8_t { kFalse, kTrue, kUnknown };

// The request a key-policy statement is matched against: an account that EC2 acts for, using
// one KMS action on a key in `region` (kms:ViaService is ec2.<region>.amazonaws.com).
struct KeyRequest {
  AccountId caller;
  const AccountInfo* caller_info = nullptr;  // nullptr: in no organization the state knows
  Region region;
  KmsAction action = KmsAction::kDecrypt;
};

// Whether one condition holds for the request.
Truth EvaluateCondition(const PolicyCondition& c, const KeyRequest& r);

// Whether the statement applies to the request — its principal, its organization conditions and
// every other condition — and, when unknown, the first condition (or principal) that could not
// be evaluated, as text, in `*unknown`.
Truth StatementApplies(const KeyPolicyStatement& s, const KeyRequest& r, std::string* unknown);

// The condition as a policy writes it: "StringEquals aws:SourceIp [10.0.0.0/8]".
std::string ConditionText(const PolicyCondition& c);

}  // namespace ami::policy

#endif  // AMI_LIB_POLICY_CONDITIONS_H_
