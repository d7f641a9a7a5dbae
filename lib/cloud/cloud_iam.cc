// IAM principals and service control policies (include/ami/iam/iam.h): decode the documents,
// ask the planner, commit.
#include "ami/iam/iam.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "cloud/state.h"
#include "policy/iam.h"
#include "policy/lang/document.h"
#include "policy/planning.h"
#include "values/status_macros.h"

namespace ami::iam {
namespace {

absl::StatusOr<internal::IamDocument> Compile(const PolicySpec& spec, lang::PolicyKind kind) {
  return internal::CompileIamDocument(spec.name, spec.document, kind);
}

absl::Status CommitAttachment(Cloud& cloud, absl::string_view policy_id,
                              absl::string_view target, bool attach) {
  internal::CloudState& state = internal::CloudAccess::State(cloud);
  internal::WriterLock lock(state.mu);
  AMI_ASSIGN_OR_RETURN(internal::Plan p,
                       policy::PlanScpAttachment(state, policy_id, target, attach));
  state.Commit(std::move(p));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> PutPrincipal(Cloud& cloud, AccountId account,
                                         const PrincipalSpec& spec) {
  internal::IamPrincipal principal;
  principal.account = account;
  principal.is_role = spec.type == PrincipalSpec::Type::kRole;
  principal.name = spec.name;
  for (const PolicySpec& p : spec.policies) {
    AMI_ASSIGN_OR_RETURN(internal::IamDocument d, Compile(p, lang::PolicyKind::kIdentity));
    principal.policies.push_back(std::move(d));
  }
  if (spec.boundary) {
    AMI_ASSIGN_OR_RETURN(principal.boundary, Compile(*spec.boundary, lang::PolicyKind::kBoundary));
  }
  std::vector<Tag> tags;
  for (const auto& [key, value] : spec.tags) {
    AMI_ASSIGN_OR_RETURN(Tag t, Tag::Create(key, value));
    tags.push_back(std::move(t));
  }
  AMI_ASSIGN_OR_RETURN(principal.tags, TagSet::Create(std::move(tags)));
  internal::CloudState& state = internal::CloudAccess::State(cloud);
  internal::WriterLock lock(state.mu);
  AMI_ASSIGN_OR_RETURN(internal::Plan plan,
                       policy::PlanPutPrincipal(state, std::move(principal), spec.path));
  std::string arn = plan.extra().put_principals.front()->arn;
  state.Commit(std::move(plan));
  return arn;
}

absl::Status PutServiceControlPolicy(Cloud& cloud, const OrganizationId& organization,
                                     absl::string_view policy_id, const PolicySpec& policy) {
  internal::ServiceControlPolicy scp;
  scp.id = std::string(policy_id);
  AMI_ASSIGN_OR_RETURN(scp.document, Compile(policy, lang::PolicyKind::kServiceControl));
  internal::CloudState& state = internal::CloudAccess::State(cloud);
  internal::WriterLock lock(state.mu);
  AMI_ASSIGN_OR_RETURN(internal::Plan plan,
                       policy::PlanPutServiceControlPolicy(state, organization, std::move(scp)));
  state.Commit(std::move(plan));
  return absl::OkStatus();
}

absl::Status AttachServiceControlPolicy(Cloud& cloud, absl::string_view policy_id,
                                        absl::string_view target) {
  return CommitAttachment(cloud, policy_id, target, true);
}

absl::Status DetachServiceControlPolicy(Cloud& cloud, absl::string_view policy_id,
                                        absl::string_view target) {
  return CommitAttachment(cloud, policy_id, target, false);
}

Decision Explain(const Cloud& cloud, const Identity& who, const policy::LaunchQuestion& q) {
  const internal::CloudState& state = internal::CloudAccess::State(cloud);
  internal::ReaderLock lock(state.mu);
  return policy::ExplainAs(state, who, q);
}

Decision Explain(const Cloud& cloud, const Identity& who, const policy::CopyQuestion& q) {
  const internal::CloudState& state = internal::CloudAccess::State(cloud);
  internal::ReaderLock lock(state.mu);
  return policy::ExplainAs(state, who, q);
}

Decision Explain(const Cloud& cloud, const Identity& who, const policy::ShareQuestion& q) {
  const internal::CloudState& state = internal::CloudAccess::State(cloud);
  internal::ReaderLock lock(state.mu);
  return policy::ExplainAs(state, who, q);
}

absl::StatusOr<std::vector<SimulationResult>> Simulate(const Cloud& cloud,
                                                       const SimulationRequest& request) {
  const internal::CloudState& state = internal::CloudAccess::State(cloud);
  internal::ReaderLock lock(state.mu);
  return policy::SimulateIam(state, request);
}

}  // namespace ami::iam
