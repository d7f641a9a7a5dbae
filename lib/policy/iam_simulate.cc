// Asking IAM without calling: the preflight questions asked as a principal, and the policy
// simulator (include/ami/iam/iam.h). Both evaluate exactly what IamDenial evaluates for a call.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ami/errors.h"
#include "policy/iam.h"
#include "policy/lang/evaluate.h"
#include "policy/planning.h"
#include "values/choices.h"
#include "values/status_macros.h"

namespace ami::policy {
namespace {

using iam::EvalDecision;

CallContext ContextOf(AccountId account, Region region, const iam::Identity& who) {
  return CallContext{account, region, false, who.principal, who.context};
}

// The account of an IAM user or role ARN, or of a role session's; InvalidParameterValue for
// anything else.
absl::StatusOr<AccountId> PrincipalAccount(absl::string_view arn) {
  const std::vector<absl::string_view> parts = absl::StrSplit(arn, absl::MaxSplits(':', 5));
  const bool iam = parts.size() == 6 && parts[0] == "arn" && parts[2] == "iam" &&
                   (absl::StartsWith(parts[5], "user/") || absl::StartsWith(parts[5], "role/"));
  const bool sts = parts.size() == 6 && parts[0] == "arn" && parts[2] == "sts" &&
                   absl::StartsWith(parts[5], "assumed-role/");
  if (!iam && !sts) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat("principal `", arn,
                                  "` is not an IAM user, role or role session ARN"));
  }
  absl::StatusOr<AccountId> account = AccountId::Parse(parts[4]);
  if (!account.ok()) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat("principal `", arn, "` names no account"));
  }
  return account;
}

// `arn` as a resource: an image the cloud holds, with its keys; any other ARN, bare.
IamResource SimulatedResource(const PlanView& view, const CallContext& ctx,
                              const std::string& arn) {
  const std::vector<absl::string_view> parts = absl::StrSplit(arn, absl::MaxSplits(':', 5));
  if (parts.size() == 6 && parts[2] == "ec2" && absl::StartsWith(parts[5], "image/")) {
    const absl::StatusOr<Region> region = Region::Parse(parts[3]);
    const absl::StatusOr<ImageId> id = ImageId::Parse(parts[5].substr(6));
    if (region.ok() && id.ok()) return ImageIamResource(view, ctx, *id, *region);
  }
  return IamResource{arn};
}

// The statement that decided, as the simulator names it.
iam::MatchedStatement Matched(const lang::StatementRef& ref,
                              const internal::IamPrincipal& principal) {
  iam::MatchedStatement m{ref.policy, "", ref.statement};
  switch (ref.kind) {
    case lang::PolicyKind::kServiceControl: {
      // Named "service control policy <id> (<name>) attached to <target>" (IamInputs).
      m.source_policy_type = "service-control-policy";
      const std::vector<std::string> words = absl::StrSplit(ref.policy, ' ');
      if (words.size() > 3) m.source_policy_id = words[3];
      break;
    }
    case lang::PolicyKind::kBoundary:
      m.source_policy_type = "permissions-boundary";
      break;
    default:
      if (absl::StartsWith(ref.policy, "arn:aws:iam::aws:policy/")) {
        m.source_policy_type = "aws-managed";
      } else if (absl::StartsWith(ref.policy, "arn:")) {
        m.source_policy_type = "user-managed";
      } else {
        m.source_policy_type = principal.is_role ? "role" : "user";
      }
  }
  return m;
}

iam::SimulationResult ResultOf(const lang::PolicyResult& r, const lang::RequestContext& c,
                               const internal::IamPrincipal& principal) {
  iam::SimulationResult out;
  out.action = c.action;
  out.resource = c.resource;
  out.residual = r.residual;
  out.missing_context_values = r.missing_keys;
  if (r.decided_by) out.matched_statements.push_back(Matched(*r.decided_by, principal));
  if (r.outcome == lang::Outcome::kAllow) {
    out.decision = EvalDecision::kAllowed;
    return out;
  }
  out.message = lang::DenialMessage(r, c);
  const bool may_deny = absl::c_any_of(
      r.residual, [](const std::string& s) { return absl::StartsWith(s, "denied if "); });
  out.decision = r.outcome == lang::Outcome::kExplicitDeny || may_deny
                     ? EvalDecision::kExplicitDeny
                     : EvalDecision::kImplicitDeny;
  return out;
}

}  // namespace

Decision ExplainAs(const PlanView& view, const iam::Identity& who, const LaunchQuestion& q) {
  const CallContext ctx = ContextOf(q.caller, q.region, who);
  if (std::optional<Decision> denied = IamDenial(view, ctx, "ec2:RunInstances", [&] {
        return LaunchIamResources(view, ctx, q.image, nullptr);
      })) {
    return *std::move(denied);
  }
  const std::optional<KeyCaller> keys = IamKeyCaller(view, ctx);
  return EvaluateLaunchAs(view, q, keys ? &*keys : nullptr);
}

Decision ExplainAs(const PlanView& view, const iam::Identity& who, const CopyQuestion& q) {
  const CallContext ctx = ContextOf(q.caller, q.destination, who);
  if (std::optional<Decision> denied = IamDenial(view, ctx, "ec2:CopyImage", [&] {
        return CopyIamResources(view, ctx, q.source_image, q.source_region);
      })) {
    return *std::move(denied);
  }
  const std::optional<KeyCaller> keys = IamKeyCaller(view, ctx);
  return EvaluateCopyAs(view, q, keys ? &*keys : nullptr);
}

Decision ExplainAs(const PlanView& view, const iam::Identity& who, const ShareQuestion& q) {
  const CallContext ctx = ContextOf(q.caller, q.region, who);
  if (std::optional<Decision> denied = IamDenial(view, ctx, "ec2:ModifyImageAttribute", [&] {
        return LaunchPermissionIamResources(view, ctx, q.image);
      })) {
    return *std::move(denied);
  }
  return EvaluateModifyLaunchPermission(view, q);
}

absl::StatusOr<std::vector<iam::SimulationResult>> SimulateIam(
    const PlanView& view, const iam::SimulationRequest& request) {
  if (request.actions.empty()) {
    return MakeError(choices::kInvalidValue, "a simulation needs at least one action");
  }
  AMI_ASSIGN_OR_RETURN(const AccountId account, PrincipalAccount(request.principal));
  const internal::IamPrincipal* principal = view.FindPrincipal(account, request.principal);
  if (principal == nullptr) {
    return MakeError(choices::kUnknownSimulatedPrincipal,
                     absl::StrCat("the principal ", request.principal,
                                  " cannot be found: the cloud holds no such user or role"));
  }
  const CallContext ctx{account, request.region, false, request.principal, request.context};
  const lang::PolicyInputs inputs = IamInputs(view, ctx, principal);
  std::vector<std::string> resources = request.resources;
  if (resources.empty()) resources.push_back("*");
  std::vector<iam::SimulationResult> out;
  for (const std::string& action : request.actions) {
    const lang::RequestContext base = IamBaseContext(view, ctx, principal, action, nullptr);
    for (const std::string& arn : resources) {
      std::string conflict;
      const lang::RequestContext c =
          IamResourceContext(base, SimulatedResource(view, ctx, arn), ctx, &conflict);
      if (!conflict.empty()) {
        return MakeError(choices::kInconsistentValues,
                         absl::StrCat("the value given for condition key ", conflict,
                                      " disagrees with what the cloud holds for it"));
      }
      out.push_back(ResultOf(lang::Evaluate(inputs, c), c, *principal));
    }
  }
  return out;
}

}  // namespace ami::policy

namespace ami::iam {

absl::string_view EvalDecisionName(EvalDecision decision) {
  switch (decision) {
    case EvalDecision::kAllowed:
      return "allowed";
    case EvalDecision::kExplicitDeny:
      return "explicitDeny";
    case EvalDecision::kImplicitDeny:
      break;
  }
  return "implicitDeny";
}

}  // namespace ami::iam
