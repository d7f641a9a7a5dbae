// Key use by a caller with its own policies (KMS-4 … KMS-7): the key policy, the key's grants
// and the caller's identity policies, permissions boundary and service control policies, asked
// of AWS's policy language (lib/policy/lang) for each KMS action EC2 performs on the caller's
// behalf. Internal to libami.
#ifndef AMI_LIB_POLICY_KEY_USE_H_
#define AMI_LIB_POLICY_KEY_USE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "ami/policy.h"
#include "ami/state_view.h"
#include "policy/lang/evaluate.h"
#include "policy/lang/request.h"

namespace ami::policy {

// Who uses a key, and the policies of its own side.
struct KeyCaller {
  lang::Caller caller;
  // The caller's side: principal_is_root, identity, boundary, scp_levels (the resource fields
  // are the key's, filled per request). The documents must outlive the evaluation.
  lang::PolicyInputs policies;
  // A principal the cloud does not hold: it may use no key.
  bool unknown_principal = false;
  // aws:PrincipalArn when it is not caller.arn: a role session's role.
  std::string principal_arn;
  // Values of condition keys the model cannot know, supplied by the caller, grouped by key; a
  // value for a key the context holds must agree with it (else the key use is refused).
  lang::SuppliedValues supplied;
};

// The account's root user, with no policies of its own side (no SCPs).
KeyCaller RootKeyCaller(const StateView& view, AccountId account);

// May `who` perform `actions` with the key `arn` (EvaluateKeyUse, for any caller)?
Decision EvaluateKeyUseBy(const StateView& view, const KeyCaller& who, const KmsKeyArn& arn,
                          KmsActions actions);

// KMS-5: `action` ("kms:PutKeyPolicy", …) called directly, not through EC2, by `who` on the
// customer managed key `key`, as KMS authorizes it: the key policy must allow the principal
// itself, or its account so that the caller's identity policies (and boundary) decide; a grant
// to the caller's account gives the actions it lists; an explicit Deny anywhere, and the
// service control policies, apply. The key's state is not asked. Nullopt when allowed, else the
// reason (AccessDeniedException with AWS's message).
std::optional<Reason> KeyCallDenial(const StateView& view, const KeyCaller& who,
                                    const KmsKey& key, absl::string_view action);

// EvaluateLaunch and EvaluateCopy with the keys used by `who` (nullptr: the question's caller
// as its account's root user, as the public functions ask).
Decision EvaluateLaunchAs(const StateView& view, const LaunchQuestion& q, const KeyCaller* who,
                          std::vector<VolumePlan>* plan = nullptr);
Decision EvaluateCopyAs(const StateView& view, const CopyQuestion& q, const KeyCaller* who,
                        CopyPlan* plan = nullptr);

}  // namespace ami::policy

#endif  // AMI_LIB_POLICY_KEY_USE_H_
