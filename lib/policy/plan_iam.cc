// Setting up IAM principals and service control policies (IAM-1, IAM-2). Like the accounts and
// organizations (plan_accounts.cc), these fail with InvalidParameterValue or
// InvalidParameterCombination on inputs that contradict what the cloud holds.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "ami/errors.h"
#include "policy/iam.h"
#include "policy/planning.h"
#include "values/choices.h"
#include "values/status_macros.h"

namespace ami::policy {
namespace {

using internal::Plan;

bool NameCharacter(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         absl::string_view("+=,.@_-").find(c) != absl::string_view::npos;
}

// IAM names: 1–64 of [A-Za-z0-9+=,.@_-]; paths "/" or "/…/" of up to 512 printable characters.
absl::Status CheckName(absl::string_view name, absl::string_view path) {
  bool ok = !name.empty() && name.size() <= 64;
  for (char c : name) ok = ok && NameCharacter(c);
  if (!ok) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat("invalid IAM name `", name,
                                  "`: 1 to 64 letters, digits and +=,.@_-"));
  }
  bool path_ok = !path.empty() && path.size() <= 512 && path.front() == '/' && path.back() == '/';
  for (char c : path) path_ok = path_ok && c >= 0x21 && c <= 0x7e;
  if (!path_ok) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat("invalid IAM path `", path, "`: \"/\" or \"/…/\""));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Plan> PlanPutPrincipal(const PlanView& view, internal::IamPrincipal principal,
                                      absl::string_view path) {
  AMI_RETURN_IF_ERROR(CheckName(principal.name, path));
  principal.path = std::string(path);
  principal.arn = absl::StrCat("arn:aws:iam::", principal.account.ToString(), ":",
                               principal.is_role ? "role" : "user", path, principal.name);
  if (principal.is_role) {
    const internal::IamPrincipal* same_name =
        view.FindPrincipal(principal.account,
                           absl::StrCat("arn:aws:sts::", principal.account.ToString(),
                                        ":assumed-role/", principal.name, "/check"));
    if (same_name != nullptr && same_name->arn != principal.arn) {
      return MakeError(choices::kInconsistentValues,
                       absl::StrCat("role `", principal.name, "` exists as `", same_name->arn, "`"));
    }
  }
  Plan plan;
  plan.mutable_extra().put_principals.push_back(
      std::make_shared<const internal::IamPrincipal>(std::move(principal)));
  return plan;
}

absl::StatusOr<Plan> PlanPutServiceControlPolicy(const PlanView& view,
                                                 const OrganizationId& org,
                                                 internal::ServiceControlPolicy policy) {
  if (view.FindOrganization(org) == nullptr) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat("unknown organization `", org.ToString(), "`"));
  }
  absl::string_view id = policy.id;
  bool ok = absl::ConsumePrefix(&id, "p-") && id.size() >= 8 && id.size() <= 128;
  for (char c : id) ok = ok && (absl::ascii_isdigit(c) || absl::ascii_islower(c) || c == '_');
  if (!ok) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat("invalid policy id `", policy.id,
                                  "`: p- and 8 to 128 lowercase letters, digits or _"));
  }
  policy.organization = org.ToString();
  Plan plan;
  plan.mutable_extra().put_scps.push_back(
      std::make_shared<const internal::ServiceControlPolicy>(std::move(policy)));
  return plan;
}

absl::StatusOr<Plan> PlanScpAttachment(const PlanView& view, absl::string_view policy_id,
                                       absl::string_view target, bool attach) {
  const internal::ServiceControlPolicy* policy = view.FindServiceControlPolicy(policy_id);
  if (policy == nullptr) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat("unknown service control policy `", policy_id, "`"));
  }
  const std::optional<OrganizationId> org = view.OrganizationOfTarget(target);
  if (!org || (policy_id != internal::kFullAwsAccessId && org->ToString() != policy->organization)) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat("`", target, "` is not the root, an OU or an account of the ",
                                  "policy's organization"));
  }
  const std::vector<std::string> attached = view.AttachedServiceControlPolicies(target);
  const bool is_attached = absl::c_linear_search(attached, policy_id);
  if (is_attached == attach) {
    return MakeError(choices::kInconsistentValues,
                     absl::StrCat("service control policy `", policy_id, "` is ",
                                  attach ? "already" : "not", " attached to `", target, "`"));
  }
  if (!attach && attached.size() == 1) {
    return MakeError(choices::kInconsistentValues,
                     absl::StrCat("`", target, "` keeps at least one service control policy"));
  }
  Plan plan;
  plan.mutable_extra().scp_attachments.push_back(
      {std::string(policy_id), std::string(target), attach});
  return plan;
}

}  // namespace ami::policy

namespace ami::internal {

absl::StatusOr<IamDocument> CompileIamDocument(absl::string_view name, absl::string_view text,
                                               lang::PolicyKind kind) {
  absl::StatusOr<lang::PolicyDocument> doc = lang::ParsePolicy(text, kind);
  if (!doc.ok()) {
    return MakeError(choices::kMalformedPolicy,
                     absl::StrCat("policy `", name, "`: ", doc.status().message()));
  }
  return IamDocument{std::string(name), std::string(text),
                     std::make_shared<const lang::PolicyDocument>(*std::move(doc))};
}

}  // namespace ami::internal
