// The compiled form of a key policy (ami/kms_key.h KeyPolicy::Compiled): the document in AWS's
// policy language, and a summary of each statement in the few shapes a compiled launch table
// can hold (lib/tools/launch_table.cc). Internal to libami.
#ifndef AMI_LIB_POLICY_KEY_POLICY_H_
#define AMI_LIB_POLICY_KEY_POLICY_H_

#include <vector>

#include "ami/kms_key.h"
#include "policy/lang/document.h"

namespace ami {

// One statement as KeyPolicyStatement fields. `exact` is false when the statement says more
// than those fields hold — NotPrincipal, NotAction, a Resource other than "*", a principal
// with a wildcard or of another kind than AWS, any condition but StringEquals
// aws:PrincipalOrgID and ForAnyValue:StringLike aws:PrincipalOrgPaths — and then only the
// policy engine's evaluator may decide it.
struct KeyStatementSummary {
  KeyPolicyStatement statement;
  bool exact = true;
};

struct KeyPolicy::Compiled {
  lang::PolicyDocument document;
  std::vector<KeyStatementSummary> summary;  // One per statement, in order.
};

}  // namespace ami

#endif  // AMI_LIB_POLICY_KEY_POLICY_H_
