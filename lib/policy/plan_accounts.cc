// Plans that set a cloud up: organizations, their OUs, accounts, and the checks of seeded images.
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "policy/planning.h"
#include "values/choices.h"

namespace ami::policy {

using internal::OrganizationInfo;
using internal::Plan;

absl::StatusOr<Plan> PlanCreateOrganization(const PlanView& view, const OrganizationId& org,
                                            AccountId management, const std::string& root_id) {
  if (view.FindOrganization(org) != nullptr) {
    return MakeError(choices::kInvalidValue, absl::StrCat("organization `", org.ToString(), "` exists"));
  }
  const AccountInfo* existing = view.FindAccount(management);
  if (existing != nullptr && existing->organization.has_value()) {
    return MakeError(choices::kInvalidValue, absl::StrCat("account `", management.ToString(),
                                                          "` already belongs to an organization"));
  }
  Plan plan;
  OrganizationInfo info;
  info.management = management;
  info.root_id = root_id;
  plan.mutable_extra().put_organizations.emplace_back(org, std::move(info));
  plan.mutable_extra().put_accounts.push_back(AccountInfo{management, org, root_id, {}});
  return plan;
}

absl::StatusOr<Plan> PlanCreateOrganizationalUnit(const PlanView& view, const OrganizationId& org,
                                                  const OrganizationalUnitId& ou,
                                                  std::optional<OrganizationalUnitId> parent) {
  const OrganizationInfo* info = view.FindOrganization(org);
  if (info == nullptr) {
    return MakeError(choices::kInvalidValue, absl::StrCat("unknown organization `", org.ToString(), "`"));
  }
  if (info->ous.contains(ou) || (parent.has_value() && !info->ous.contains(*parent))) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat("organizational unit `", ou.ToString(),
                                  "` exists already, or its parent does not exist"));
  }
  OrganizationInfo changed = *info;
  changed.ous.emplace(ou, parent);
  Plan plan;
  plan.mutable_extra().put_organizations.emplace_back(org, std::move(changed));
  return plan;
}

absl::StatusOr<Plan> PlanAddAccount(const PlanView& view, AccountId account,
                                    std::optional<OrganizationId> org,
                                    std::optional<OrganizationalUnitId> ou) {
  if (view.FindAccount(account) != nullptr) {
    return MakeError(choices::kInvalidValue, absl::StrCat("account `", account.ToString(), "` exists"));
  }
  if (!org.has_value()) {
    if (ou.has_value()) {
      return MakeError(choices::kInconsistentValues, "an organizational unit needs its organization");
    }
    Plan plan;
    plan.mutable_extra().put_accounts.push_back(AccountInfo{account, std::nullopt, "", {}});
    return plan;
  }
  const OrganizationInfo* info = view.FindOrganization(*org);
  if (info == nullptr) {
    return MakeError(choices::kInvalidValue, absl::StrCat("unknown organization `", org->ToString(), "`"));
  }
  AccountInfo added;
  added.id = account;
  added.organization = org;
  added.root_id = info->root_id;
  if (ou.has_value()) {
    if (!info->ous.contains(*ou)) {
      return MakeError(choices::kInvalidValue, absl::StrCat("unknown organizational unit `",
                                                            ou->ToString(), "`"));
    }
    // OU parents form a tree: each step moves toward the root, so the walk ends.
    for (std::optional<OrganizationalUnitId> at = ou; at.has_value(); at = info->ous.at(*at)) {
      added.ou_path.insert(added.ou_path.begin(), *at);
    }
  }
  Plan plan;
  plan.mutable_extra().put_accounts.push_back(std::move(added));
  return plan;
}

absl::Status CheckSeededImage(const StateView& view, const Image& image, bool check_name) {
  if (image.state() == ImageState::kDeregistered) return absl::OkStatus();
  if (check_name) {
    if (const auto used = view.FindImageByName(image.owner(), image.region(), image.name());
        used.has_value() && *used != image.id()) {
      return MakeError(ErrorCode::kInvalidAMINameDuplicate,
                       absl::StrCat("AMI name `", image.name(), "` is already in use by AMI `",
                                    used->ToString(), "` (REG-6)"));
    }
  }
  for (const BlockDeviceMapping& m : image.block_device_mappings()) {
    if (!m.ebs.has_value() || !m.ebs->snapshot_id.has_value()) continue;
    const SnapshotId id = *m.ebs->snapshot_id;
    const Snapshot* snap = view.FindSnapshot(id);
    const std::string what = absl::StrCat("image `", image.id().ToString(), "` maps snapshot `",
                                          id.ToString(), "`");
    if (snap == nullptr || snap->region() != image.region()) {
      return MakeError(ErrorCode::kInvalidSnapshotNotFound,
                       absl::StrCat(what, ", which does not exist in ", image.region().code()));
    }
    const bool key_differs = m.ebs->kms_key.has_value() && m.ebs->kms_key != snap->kms_key();
    if (m.ebs->encrypted != snap->encrypted() || key_differs) {
      return MakeError(choices::kInconsistentValues,
                       absl::StrCat(what, " as ", m.ebs->encrypted ? "encrypted" : "unencrypted",
                                    ", but the snapshot is ",
                                    snap->encrypted() ? absl::StrCat("encrypted under `",
                                                                     snap->kms_key()->ToString(), "`")
                                                      : std::string("unencrypted"),
                                    ": the inputs disagree"));
    }
  }
  return absl::OkStatus();
}

}  // namespace ami::policy
