// Reading AWS Organizations output (lib/io/aws_import_org.h).
#include "io/aws_import_org.h"

#include <algorithm>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ami/errors.h"
#include "ami/iam/iam.h"
#include "values/choices.h"
#include "values/status_macros.h"
#include "values/text_util.h"

namespace ami::aws_import_internal {
namespace {

constexpr char kFullAccess[] = "p-FullAWSAccess";

template <typename M>
absl::StatusOr<M> Read(const AwsCliFile& file, Kind kind) {
  M message;
  AMI_RETURN_IF_ERROR(InFile(file, DecodeJson(file.json, absl::StrCat(InfoOf(kind).name, " output"),
                                              &message)));
  if constexpr (!std::is_same_v<M, v1::DescribeOrganizationOutput> &&
                !std::is_same_v<M, v1::DescribePolicyOutput>) {
    if (!message.next_token().empty()) {
      return InFile(file, At("NextToken", MakeError(choices::kMissingValue,
                                                    "the listing is truncated: what it leaves "
                                                    "out could deny, so it is refused; run the "
                                                    "command without --max-items")));
    }
  }
  return message;
}

// A file that needs an id the CLI was given (--parent-id, --child-id, --policy-id).
absl::Status NeedsId(const AwsCliFile& file, Kind kind, absl::string_view field,
                     absl::string_view flag) {
  return InFile(file, MakeError(choices::kMissingValue,
                                absl::StrCat(InfoOf(kind).name, " output needs the ", flag,
                                             " it was run with: set AwsCliFile::", field,
                                             " (amictl import --", field == "parent_id" ? "parent"
                                             : field == "child_id" ? "child" : "policy-id",
                                             ")")));
}

bool IsAccountId(const std::string& id) {
  return id.size() == 12 && std::all_of(id.begin(), id.end(), [](char c) {
           return absl::ascii_isdigit(static_cast<unsigned char>(c));
         });
}

// The parent in an account's Paths entry "o-…/r-…/ou-…/<account>/"; empty when it has none.
std::string ParentInPath(const std::string& path, const std::string& account) {
  std::vector<std::string> parts = absl::StrSplit(path, '/', absl::SkipEmpty());
  if (!parts.empty() && parts.back() == account) parts.pop_back();
  if (parts.size() < 2) return "";
  return parts.back();
}

absl::Status Inconsistent(absl::string_view message) {
  return MakeError(choices::kInvalidValue, message);
}

}  // namespace

absl::Status OrganizationFiles::Add(const AwsCliFile& file, Kind kind) {
  // An empty {"Policies": []} may as well be IAM's, filtered to managed policies, as
  // Organizations': it asks for no organization.
  if (kind != Kind::kScpList) any_ = true;
  switch (kind) {
    case Kind::kOrganization: return AddOrganization(file);
    case Kind::kRoots: return AddRoots(file);
    case Kind::kOrganizationalUnits: return AddUnits(file);
    case Kind::kAccounts: return AddAccounts(file);
    case Kind::kParents: return AddParents(file);
    case Kind::kScpList: return AddPolicyList(file);
    case Kind::kScpContent: return AddPolicy(file);
    case Kind::kScpTargets: return AddTargets(file);
    default: return absl::InternalError("not an Organizations output");
  }
}

absl::Status OrganizationFiles::AddOrganization(const AwsCliFile& file) {
  AMI_ASSIGN_OR_RETURN(v1::DescribeOrganizationOutput out,
                       (Read<v1::DescribeOrganizationOutput>(file, Kind::kOrganization)));
  v1::DescribeOrganizationOutput::Organization& o = *out.mutable_organization();
  if (o.management_account_id().empty()) o.set_management_account_id(o.master_account_id());
  if (!o.master_account_id().empty() && o.master_account_id() != o.management_account_id()) {
    return InFile(file, At("Organization.MasterAccountId",
                           Inconsistent("differs from ManagementAccountId")));
  }
  if (org_.has_value() && (org_->id() != o.id() ||
                           org_->management_account_id() != o.management_account_id())) {
    return InFile(file, At("Organization.Id",
                           Inconsistent(absl::StrCat("organization `", text_util::Clip(o.id()),
                                                     "` disagrees with `", org_->id(), "` of ",
                                                     org_where_.file->name,
                                                     ": an import holds one organization"))));
  }
  org_ = std::move(o);
  org_where_ = {&file, "Organization"};
  return absl::OkStatus();
}

absl::Status OrganizationFiles::AddRoots(const AwsCliFile& file) {
  AMI_ASSIGN_OR_RETURN(const v1::ListRootsOutput out, Read<v1::ListRootsOutput>(file, Kind::kRoots));
  for (int i = 0; i < out.roots_size(); ++i) {
    const std::string& id = out.roots(i).id();
    const std::string path = absl::StrCat("Roots[", i, "].Id");
    if (root_.has_value() && root_->id != id) {
      return InFile(file, At(path, Inconsistent(absl::StrCat(
                                       "root `", text_util::Clip(id), "` disagrees with `",
                                       root_->id, "`: an organization has one root"))));
    }
    root_ = Parent{id, {&file, path}};
    AMI_RETURN_IF_ERROR(AddPolicyTypes(file, out.roots(i), i));
  }
  return absl::OkStatus();
}

// A root's PolicyTypes lists each type enabled in it or on its way in or out (PENDING_ENABLE,
// PENDING_DISABLE): any status is taken as in force.
absl::Status OrganizationFiles::AddPolicyTypes(const AwsCliFile& file,
                                               const v1::ListRootsOutput::Root& root, int i) {
  for (int j = 0; j < root.policy_types_size(); ++j) {
    const v1::ListRootsOutput::PolicyType& t = root.policy_types(j);
    const std::string path = absl::StrCat("Roots[", i, "].PolicyTypes[", j, "]");
    // Resource control policies restrict what SCPs allow: an organization where they may
    // apply cannot be imported without losing a Deny.
    if (t.type() == "RESOURCE_CONTROL_POLICY") {
      return InFile(file, At(absl::StrCat(path, ".Type"), Invalid(absl::StrCat(
          "root `", text_util::Clip(root.id()), "` has `RESOURCE_CONTROL_POLICY` policies "
          "enabled (status `", text_util::Clip(t.status()), "`): they are not modelled and may "
          "deny, so the organization cannot be imported"))));
    }
    if (t.type() == "SERVICE_CONTROL_POLICY" && scps_enabled_.file == nullptr) {
      scps_enabled_ = {&file, path};
    }
  }
  return absl::OkStatus();
}

// SCPs enabled in the root govern every account under it: without their listing, a Deny
// among them would be lost.
absl::Status OrganizationFiles::CheckScpsListed() const {
  if (scps_enabled_.file == nullptr || !listed_.empty()) return absl::OkStatus();
  return InFile(*scps_enabled_.file, At(scps_enabled_.path, MakeError(
      choices::kMissingValue, absl::StrCat(
          "root `", root_->id, "` has service control policies enabled, but no output of "
          "`aws organizations list-policies --filter SERVICE_CONTROL_POLICY` lists them: the "
          "SCPs that govern its accounts are unknown and are not assumed to allow; add that "
          "output, then `aws organizations describe-policy --policy-id <id>` and `aws "
          "organizations list-targets-for-policy --policy-id <id>` for each policy it lists"))));
}

absl::Status OrganizationFiles::SetParent(const std::string& child, const std::string& parent,
                                          Where where) {
  const auto [it, added] = parents_.emplace(child, Parent{parent, where});
  if (added || it->second.id == parent) return absl::OkStatus();
  return InFile(*where.file,
                At(where.path, Inconsistent(absl::StrCat(
                                   "`", text_util::Clip(child), "` is under `",
                                   text_util::Clip(parent), "` here and under `", it->second.id,
                                   "` in ", it->second.where.file->name, " (",
                                   it->second.where.path, "): a child has one parent"))));
}

absl::Status OrganizationFiles::AddUnits(const AwsCliFile& file) {
  if (file.parent_id.empty()) {
    return NeedsId(file, Kind::kOrganizationalUnits, "parent_id", "--parent-id");
  }
  AMI_ASSIGN_OR_RETURN(const v1::ListOrganizationalUnitsForParentOutput out,
                       Read<v1::ListOrganizationalUnitsForParentOutput>(
                           file, Kind::kOrganizationalUnits));
  for (int i = 0; i < out.organizational_units_size(); ++i) {
    AMI_RETURN_IF_ERROR(SetParent(out.organizational_units(i).id(), file.parent_id,
                                  {&file, absl::StrCat("OrganizationalUnits[", i, "].Id")}));
  }
  return absl::OkStatus();
}

absl::Status OrganizationFiles::AddAccounts(const AwsCliFile& file) {
  AMI_ASSIGN_OR_RETURN(const v1::ListAccountsOutput out,
                       Read<v1::ListAccountsOutput>(file, Kind::kAccounts));
  for (int i = 0; i < out.accounts_size(); ++i) {
    const v1::ListAccountsOutput::Account& a = out.accounts(i);
    const Where where{&file, absl::StrCat("Accounts[", i, "].Id")};
    if (!IsAccountId(a.id())) {
      return InFile(file, At(where.path, AccountId::Parse(a.id()).status()));
    }
    std::string parent = file.parent_id;
    if (parent.empty() && a.paths_size() > 0) parent = ParentInPath(a.paths(0), a.id());
    if (parent.empty()) {
      accounts_.emplace(a.id(), where);
      continue;
    }
    AMI_RETURN_IF_ERROR(SetParent(a.id(), parent, where));
  }
  return absl::OkStatus();
}

absl::Status OrganizationFiles::AddParents(const AwsCliFile& file) {
  if (file.child_id.empty()) return NeedsId(file, Kind::kParents, "child_id", "--child-id");
  AMI_ASSIGN_OR_RETURN(const v1::ListParentsOutput out,
                       Read<v1::ListParentsOutput>(file, Kind::kParents));
  if (out.parents_size() != 1) {
    return InFile(file, At("Parents", Inconsistent(absl::StrCat(
                                          out.parents_size(),
                                          " parents listed: a child has exactly one"))));
  }
  return SetParent(file.child_id, out.parents(0).id(), {&file, "Parents[0].Id"});
}

absl::Status OrganizationFiles::AddPolicyList(const AwsCliFile& file) {
  AMI_ASSIGN_OR_RETURN(const v1::ListPoliciesOutput out,
                       Read<v1::ListPoliciesOutput>(file, Kind::kScpList));
  for (int i = 0; i < out.policies_size(); ++i) {
    const v1::OrganizationsPolicySummary& p = out.policies(i);
    // Resource control and declarative EC2 policies restrict what SCPs allow: dropping them
    // could lose a Deny, so they are refused rather than skipped.
    if (p.type() == "RESOURCE_CONTROL_POLICY" || p.type() == "DECLARATIVE_POLICY_EC2") {
      return InFile(file, At(absl::StrCat("Policies[", i, "].Type"),
                             Invalid(absl::StrCat("`", p.type(), "` policies are not modelled "
                                                  "and may deny: they cannot be imported"))));
    }
    if (!p.type().empty() && p.type() != "SERVICE_CONTROL_POLICY") continue;
    listed_.emplace(p.id(), Where{&file, absl::StrCat("Policies[", i, "]")});
  }
  if (out.policies_size() > 0) any_ = true;
  return absl::OkStatus();
}

absl::Status OrganizationFiles::AddPolicy(const AwsCliFile& file) {
  AMI_ASSIGN_OR_RETURN(const v1::DescribePolicyOutput out,
                       Read<v1::DescribePolicyOutput>(file, Kind::kScpContent));
  const v1::OrganizationsPolicySummary& summary = out.policy().policy_summary();
  if (!summary.type().empty() && summary.type() != "SERVICE_CONTROL_POLICY") {
    return InFile(file, At("Policy.PolicySummary.Type",
                           Invalid(absl::StrCat("only service control policies are imported, "
                                                "not `", text_util::Clip(summary.type()), "`"))));
  }
  if (out.policy().content().empty()) {
    return InFile(file, At("Policy.Content", MakeError(choices::kMissingValue, "no content")));
  }
  const auto [it, added] = described_.emplace(
      summary.id(), Content{summary.name(), out.policy().content(), {&file, "Policy"}});
  if (!added && it->second.document != out.policy().content()) {
    return InFile(file, At("Policy.Content",
                           Inconsistent(absl::StrCat("policy `", text_util::Clip(summary.id()),
                                                     "` has other content in ",
                                                     it->second.where.file->name))));
  }
  return absl::OkStatus();
}

absl::Status OrganizationFiles::AddTargets(const AwsCliFile& file) {
  if (file.policy_id.empty()) {
    return NeedsId(file, Kind::kScpTargets, "policy_id", "--policy-id");
  }
  AMI_ASSIGN_OR_RETURN(const v1::ListTargetsForPolicyOutput out,
                       Read<v1::ListTargetsForPolicyOutput>(file, Kind::kScpTargets));
  Targets& t = targets_[file.policy_id];
  if (t.where.file == nullptr) t.where = {&file, "Targets"};
  for (const v1::ListTargetsForPolicyOutput::Target& target : out.targets()) {
    t.ids.push_back(target.target_id());
  }
  return absl::OkStatus();
}

// ---- Into the cloud ----

absl::Status OrganizationFiles::ImportTree(Cloud& cloud) const {
  if (!any_) return absl::OkStatus();
  if (!org_.has_value() || !root_.has_value()) {
    return MakeError(choices::kMissingValue,
                     absl::StrCat("Organizations output needs ",
                                  org_.has_value() ? "list-roots" : "describe-organization",
                                  " output too"));
  }
  AMI_RETURN_IF_ERROR(CheckScpsListed());
  AMI_ASSIGN_OR_RETURN(const OrganizationId org,
                       InFile(*org_where_.file, At("Organization.Id",
                                                   OrganizationId::Parse(org_->id()))));
  AMI_ASSIGN_OR_RETURN(const AccountId management,
                       InFile(*org_where_.file,
                              At("Organization.ManagementAccountId",
                                 AccountId::Parse(org_->management_account_id()))));
  AMI_RETURN_IF_ERROR(InFile(*root_->where.file,
                             At(root_->where.path,
                                cloud.CreateOrganization(org, management, root_->id))));
  AMI_RETURN_IF_ERROR(ImportUnits(cloud, org));
  return ImportAccounts(cloud, org);
}

// OUs parents first; an OU whose parent is neither the root nor a listed OU fails.
absl::Status OrganizationFiles::ImportUnits(Cloud& cloud, const OrganizationId& org) const {
  std::set<std::string> done;
  std::vector<const std::pair<const std::string, Parent>*> left;
  for (const auto& entry : parents_) {
    if (absl::StartsWith(entry.first, "ou-")) left.push_back(&entry);
  }
  while (!left.empty()) {
    std::vector<const std::pair<const std::string, Parent>*> next;
    for (const auto* entry : left) {
      const Parent& p = entry->second;
      const bool at_root = p.id == root_->id;
      if (!at_root && !done.count(p.id)) {
        next.push_back(entry);
        continue;
      }
      AMI_ASSIGN_OR_RETURN(const OrganizationalUnitId ou,
                           InFile(*p.where.file,
                                  At(p.where.path, OrganizationalUnitId::Parse(entry->first))));
      std::optional<OrganizationalUnitId> parent;
      if (!at_root) parent = *OrganizationalUnitId::Parse(p.id);
      AMI_RETURN_IF_ERROR(InFile(*p.where.file,
                                 At(p.where.path, cloud.CreateOrganizationalUnit(org, ou, parent))));
      done.insert(entry->first);
    }
    if (next.size() == left.size()) {
      const Parent& p = next.front()->second;
      return InFile(*p.where.file,
                    At(p.where.path, Inconsistent(absl::StrCat(
                                         "OU `", text_util::Clip(next.front()->first),
                                         "` is under `", text_util::Clip(p.id),
                                         "`, which is neither the root `", root_->id,
                                         "` nor an OU of any list-organizational-units-for-"
                                         "parent output"))));
    }
    left = std::move(next);
  }
  return absl::OkStatus();
}

absl::Status OrganizationFiles::ImportAccounts(Cloud& cloud, const OrganizationId& org) const {
  for (const auto& [account, where] : accounts_) {
    if (parents_.count(account) || account == org_->management_account_id()) continue;
    return InFile(*where.file,
                  At(where.path, MakeError(choices::kMissingValue, absl::StrCat(
                                     "account `", account, "` has no known parent, so the "
                                     "SCPs of its OUs are unknown: list it with "
                                     "list-accounts-for-parent, or give list-parents output"))));
  }
  for (const auto& [child, p] : parents_) {
    if (!IsAccountId(child) || child == org_->management_account_id()) continue;
    std::optional<OrganizationalUnitId> ou;
    if (p.id != root_->id) {
      absl::StatusOr<OrganizationalUnitId> parsed = OrganizationalUnitId::Parse(p.id);
      if (!parsed.ok() || !parents_.count(p.id)) {
        return InFile(*p.where.file,
                      At(p.where.path, Inconsistent(absl::StrCat(
                                           "account `", child, "` is under `",
                                           text_util::Clip(p.id), "`, which is neither the root `",
                                           root_->id, "` nor a listed OU"))));
      }
      ou = *parsed;
    }
    AMI_RETURN_IF_ERROR(InFile(*p.where.file,
                               At(p.where.path, cloud.AddAccount(*AccountId::Parse(child), org, ou))));
  }
  return absl::OkStatus();
}

// Every SCP listed or attached has its content, and every SCP described its targets: an SCP
// taken as allowing, or as attached nowhere, could lose a Deny.
absl::Status OrganizationFiles::CheckPolicies() const {
  std::map<std::string, Where> named = listed_;
  for (const auto& [id, t] : targets_) named.emplace(id, t.where);
  for (const auto& [id, where] : named) {
    if (id == kFullAccess || described_.count(id)) continue;
    return InFile(*where.file, At(where.path, MakeError(choices::kMissingValue, absl::StrCat(
        "service control policy `", text_util::Clip(id), "` has no describe-policy output: its "
        "content is unknown and is not assumed to allow; add `aws organizations describe-policy "
        "--policy-id ", text_util::Clip(id), "`"))));
  }
  if (!targets_.count(kFullAccess) && (!named.empty() || !described_.empty())) {
    const Where& w = named.empty() ? described_.begin()->second.where : named.begin()->second;
    return InFile(*w.file, At(w.path, MakeError(choices::kMissingValue, absl::StrCat(
        "p-FullAWSAccess has no list-targets-for-policy output: where it is detached (and an "
        "allow-list policy alone decides) is unknown; add `aws organizations "
        "list-targets-for-policy --policy-id p-FullAWSAccess`"))));
  }
  for (const auto& [id, content] : described_) {
    if (id == kFullAccess || targets_.count(id)) continue;
    return InFile(*content.where.file,
                  At(content.where.path, MakeError(choices::kMissingValue, absl::StrCat(
                      "service control policy `", text_util::Clip(id), "` has no "
                      "list-targets-for-policy output: where it is attached is unknown"))));
  }
  return absl::OkStatus();
}

absl::Status OrganizationFiles::ImportPolicies(Cloud& cloud) const {
  if (!any_) return absl::OkStatus();
  AMI_RETURN_IF_ERROR(CheckPolicies());
  const OrganizationId org = *OrganizationId::Parse(org_->id());
  for (const auto& [id, content] : described_) {
    if (id == kFullAccess) continue;
    const Where& w = content.where;
    AMI_RETURN_IF_ERROR(InFile(*w.file, At(w.path, iam::PutServiceControlPolicy(
                                                       cloud, org, id,
                                                       {content.name, content.document}))));
  }
  for (const auto& [id, t] : targets_) {
    if (id == kFullAccess) continue;
    for (size_t i = 0; i < t.ids.size(); ++i) {
      AMI_RETURN_IF_ERROR(InFile(*t.where.file,
                                 At(absl::StrCat(t.where.path, "[", i, "].TargetId"),
                                    iam::AttachServiceControlPolicy(cloud, id, t.ids[i]))));
    }
  }
  return DetachFullAccess(cloud, org);
}

// p-FullAWSAccess is attached everywhere; its list-targets-for-policy output says where not.
absl::Status OrganizationFiles::DetachFullAccess(Cloud& cloud, const OrganizationId& org) const {
  const auto it = targets_.find(kFullAccess);
  if (it == targets_.end()) return absl::OkStatus();
  const std::set<std::string> attached(it->second.ids.begin(), it->second.ids.end());
  std::vector<std::string> everything = {root_->id};
  for (const auto& [child, p] : parents_) {
    if (absl::StartsWith(child, "ou-")) everything.push_back(child);
  }
  for (const AccountId& a : cloud.ListAccounts()) {
    if (cloud.AccountOrganization(a) == org) everything.push_back(a.ToString());
  }
  for (const std::string& target : everything) {
    if (attached.count(target)) continue;
    AMI_RETURN_IF_ERROR(InFile(*it->second.where.file,
                               At(it->second.where.path,
                                  iam::DetachServiceControlPolicy(cloud, kFullAccess, target))));
  }
  return absl::OkStatus();
}

}  // namespace ami::aws_import_internal
