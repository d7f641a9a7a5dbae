// Scenario steps that set IAM up (put_principal and the service control policy steps), and the
// check of an expected residual condition (lib/tools/scenario_runner.h).
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "ami/iam/iam.h"
#include "tools/scenario_runner.h"
#include "values/choices.h"

namespace ami::scenario_internal {
namespace {

using Op = v1::Step::OperationCase;

iam::PolicySpec Spec(const v1::PolicyDocument& p) { return {p.name(), p.document()}; }

absl::StatusOr<iam::PrincipalSpec> PrincipalSpecOf(const v1::PutPrincipal& r) {
  iam::PrincipalSpec spec;
  if (r.type() == "user") {
    spec.type = iam::PrincipalSpec::Type::kUser;
  } else if (r.type() != "role") {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat("put_principal.type `", r.type(), "` is neither user nor role"));
  }
  spec.name = r.name();
  if (!r.path().empty()) spec.path = r.path();
  for (const v1::PolicyDocument& p : r.policies()) spec.policies.push_back(Spec(p));
  if (r.has_boundary()) spec.boundary = Spec(r.boundary());
  for (const v1::Tag& t : r.tags()) spec.tags.push_back({t.key(), t.value()});
  return spec;
}

}  // namespace

bool NamesResidualKey(absl::string_view message, absl::string_view key) {
  const std::string text = absl::AsciiStrToLower(message);
  const std::string want = absl::AsciiStrToLower(key);
  for (absl::string_view marker : {"allowed only if ", "denied if "}) {
    const size_t at = text.find(std::string(marker));
    if (at != std::string::npos && text.find(want, at) != std::string::npos) return true;
  }
  return false;
}

absl::StatusOr<Outcome> Runner::IamOp(const v1::Step& step) {
  switch (step.operation_case()) {
    case Op::kPutPrincipal: {
      const v1::PutPrincipal& r = step.put_principal();
      AMI_OUTCOME_OR(const AccountId account,
                     AccountId::Parse(r.account().empty() ? step.account() : r.account()));
      AMI_OUTCOME_OR(const iam::PrincipalSpec spec, PrincipalSpecOf(r));
      absl::StatusOr<std::string> arn = iam::PutPrincipal(*cloud_, account, spec);
      if (!arn.ok()) return Outcome::Failed(arn.status());
      Outcome out = Outcome::Done(absl::OkStatus(), *arn);
      out.returned.push_back(*std::move(arn));
      return out;
    }
    case Op::kPutServiceControlPolicy: {
      const v1::PutServiceControlPolicy& r = step.put_service_control_policy();
      AMI_OUTCOME_OR(const OrganizationId org, OrganizationId::Parse(r.organization()));
      return Outcome::Done(iam::PutServiceControlPolicy(*cloud_, org, r.policy_id(),
                                                        {r.name(), r.document()}),
                           "");
    }
    case Op::kAttachServiceControlPolicy: {
      const v1::ServiceControlPolicyTarget& r = step.attach_service_control_policy();
      return Outcome::Done(iam::AttachServiceControlPolicy(*cloud_, r.policy_id(), r.target()), "");
    }
    default: {  // detach_service_control_policy
      const v1::ServiceControlPolicyTarget& r = step.detach_service_control_policy();
      return Outcome::Done(iam::DetachServiceControlPolicy(*cloud_, r.policy_id(), r.target()), "");
    }
  }
}

}  // namespace ami::scenario_internal
