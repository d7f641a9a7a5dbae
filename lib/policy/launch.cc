// Launch permission and RunInstances (SHARE-1, SHARE-7, ATTR-1, LAUNCH-1 … 4, 7, 9, 10, 15,
// REG-1, REG-2, REG-5, KMS-12).
#include <string>
#include <utility>
#include <vector>

#include "ami/errors.h"
#include "ami/policy.h"
#include "policy/common.h"
#include "policy/reasons.h"

namespace ami::policy {
namespace {

// True when the organization ARN names `org`, and the ARN's management account is the
// organization's (when the view knows the organization).
bool SameOrganization(const StateView& view, const OrganizationId& org, AccountId arn_management,
                      const OrganizationId& arn_org) {
  if (org != arn_org) return false;
  const std::optional<AccountId> management = view.OrganizationManagement(org);
  return !management.has_value() || *management == arn_management;
}

// The key a launched volume gets (LAUNCH-10).
std::optional<KmsKeyArn> VolumeKey(const Snapshot* snapshot, bool mapping_encrypted,
                                   AccountId caller, const RegionSettings& settings,
                                   const LaunchQuestion& q,
                                   const std::optional<KmsKeyArn>& requested) {
  if (requested.has_value()) return requested;
  const std::optional<KmsKeyArn> source = snapshot ? snapshot->kms_key() : std::nullopt;
  if (source.has_value()) {
    return snapshot->owner() == caller ? source : settings.default_kms_key;
  }
  if (mapping_encrypted || q.encrypted.value_or(false) || settings.encryption_by_default) {
    return settings.default_kms_key;
  }
  return std::nullopt;
}

}  // namespace

Decision EvaluateLaunchPermission(const StateView& view, const Image& image, AccountId account) {
  const ReasonArgs args{.image = image.id(), .account = account, .owner = image.owner()};
  if (image.owner() == account) return Decision::Allow(R(reasons::kOwnerMayLaunch, args));
  const LaunchPermissions& lp = image.launch_permissions();
  if (lp.HasAccount(account)) return Decision::Allow(R(reasons::kSharedWithAccount, args));
  const AccountInfo* info = view.FindAccount(account);
  if (info != nullptr && info->organization.has_value()) {
    for (const OrganizationArn& arn : lp.organizations()) {
      if (SameOrganization(view, *info->organization, arn.management_account(),
                           arn.organization_id())) {
        ReasonArgs a = args;
        a.text = absl::StrCat("`", arn.ToString(), "`");
        return Decision::Allow(R(reasons::kSharedWithOrganization, std::move(a)));
      }
    }
    for (const OrganizationalUnitArn& arn : lp.organizational_units()) {
      if (!SameOrganization(view, *info->organization, arn.management_account(),
                            arn.organization_id())) {
        continue;
      }
      for (const OrganizationalUnitId& ou : info->ou_path) {
        if (ou == arn.ou_id()) {
          ReasonArgs a = args;
          a.text = absl::StrCat("`", arn.ToString(), "`");
          return Decision::Allow(R(reasons::kSharedWithOu, std::move(a)));
        }
      }
    }
  }
  if (lp.is_public()) return Decision::Allow(R(reasons::kPublicImage, args));
  return Decision::Deny(R(reasons::kNoLaunchPermission, args));
}

Decision EvaluateLaunch(const StateView& view, const LaunchQuestion& q,
                        std::vector<VolumePlan>* plan) {
  Decision d;
  const Image* image = ImageInRegion(view, q.image, q.region, &d);
  if (image == nullptr) return d;
  if (!RequireAllowed(view, *image, q.caller, q.region, reasons::kLaunchNotAllowed, &d)) return d;
  // LAUNCH-6: a disabled image is private, so a former recipient is told it lacks permission.
  if (image->state() == ImageState::kDisabled && image->owner() != q.caller) {
    return EvaluateLaunchPermission(view, *image, q.caller);
  }
  if (!RequireAvailable(*image, q.region, &d)) return d;
  d = EvaluateLaunchPermission(view, *image, q.caller);
  if (!d.allowed()) return d;
  if (image->deprecation_time().has_value() && *image->deprecation_time() <= view.Now()) {
    d.AddPermit(R(reasons::kDeprecatedStillLaunchable,
                  {.image = image->id(), .account = q.caller, .region = q.region,
                   .text = FormatAwsTime(*image->deprecation_time())}));
  }
  const ReasonArgs base{.image = image->id(), .account = q.caller, .region = q.region};
  if (q.kms_key.has_value() && !q.encrypted.value_or(false)) {
    ReasonArgs a = base;
    a.text = absl::StrCat("`", q.kms_key->ToString(), "`");
    d.AddForbid(R(reasons::kKeyWithoutEncrypted, std::move(a)));
    return d;
  }
  const RegionSettings settings = view.Settings(q.caller, q.region);
  std::optional<KmsKeyArn> requested;
  if (q.kms_key.has_value()) {
    requested = ResolveKey(view, q.caller, q.region, *q.kms_key);
    if (!requested.has_value()) {
      ReasonArgs a = base;
      a.text = absl::StrCat("`", q.kms_key->ToString(), "`");
      d.AddForbid(R(reasons::kCopyKeyUnresolved, std::move(a), /*async=*/true));
    } else if (requested->region() != q.region) {
      ReasonArgs a = base;
      a.key = *requested;
      d.AddForbid(R(reasons::kKeyInOtherRegion, std::move(a), /*async=*/true));
      requested.reset();
    }
  }
  bool snapshots_not_shared = false;
  for (const BlockDeviceMapping& m : image->block_device_mappings()) {
    if (!m.ebs.has_value()) continue;
    const Snapshot* snapshot = nullptr;
    if (m.ebs->snapshot_id.has_value()) {
      snapshot = view.FindSnapshot(*m.ebs->snapshot_id);
      if (snapshot == nullptr) {
        ReasonArgs a = base;
        a.snapshot = *m.ebs->snapshot_id;
        d.AddForbid(R(reasons::kSnapshotMissing, std::move(a), /*async=*/true));
        continue;
      }
      snapshots_not_shared |= !SnapshotReadableBy(view, *snapshot, q.caller);
    }
    const std::optional<KmsKeyArn> key =
        VolumeKey(snapshot, m.ebs->encrypted, q.caller, settings, q, requested);
    const std::optional<KmsKeyArn> source = snapshot ? snapshot->kms_key() : std::nullopt;
    // LAUNCH-9: reading the snapshot's key and writing the volume's.
    for (const auto& [arn, actions] :
         {std::pair{source, ReadKeyActions()}, std::pair{key, WriteKeyActions()}}) {
      if (!arn.has_value()) continue;
      Decision use = EvaluateKeyUse(view, q.caller, *arn, actions);
      if (use.allowed()) {
        if (d.allowed()) d.Merge(std::move(use));
        continue;
      }
      ReasonArgs a = base;
      a.key = *arn;
      a.snapshot = m.ebs->snapshot_id;
      d.AddForbid(R(reasons::kLaunchKeyUnusable, std::move(a), /*async=*/true));
      d.Merge(MakeAsync(std::move(use)));
    }
    if (plan != nullptr) {
      plan->push_back(VolumePlan{m.device_name, m.ebs->snapshot_id,
                                 m.ebs->volume_size_gib != 0 || snapshot == nullptr
                                     ? m.ebs->volume_size_gib
                                     : snapshot->volume_size_gib(),
                                 m.ebs->delete_on_termination, key});
    }
  }
  if (snapshots_not_shared && d.allowed()) d.AddPermit(R(reasons::kSnapshotsNeedNotBeShared, base));
  return d;
}

}  // namespace ami::policy
