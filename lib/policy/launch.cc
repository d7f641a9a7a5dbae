// Launch permission and RunInstances (SHARE-1, SHARE-7, ATTR-1, LAUNCH-1 … 4, 7, 9, 10, 15,
// REG-1, REG-2, REG-5, KMS-12).
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ami/errors.h"
#include "ami/policy.h"
#include "absl/strings/str_cat.h"
#include "policy/common.h"
#include "policy/key_use.h"
#include "policy/launch_predicates.h"
#include "policy/reasons.h"

namespace ami::policy {
namespace {

// An image's launch permissions as MatchLaunchPermission reads them, with the organization
// ARNs checked against the view (SHARE-7).
class ImagePermissions {
 public:
  ImagePermissions(const StateView& view, const Image& image)
      : view_(view), image_(image), lp_(image.launch_permissions()) {}

  bool IsOwner(AccountId account) const { return image_.owner() == account; }
  bool Lists(AccountId account) const { return lp_.HasAccount(account); }
  bool is_public() const { return lp_.is_public(); }
  size_t organizations() const { return lp_.organizations().size(); }
  const OrganizationId& organization(size_t i) const {
    return lp_.organizations()[i].organization_id();
  }
  bool organization_usable(size_t i) const {
    const OrganizationArn& arn = lp_.organizations()[i];
    return OrganizationArnUsable(view_, arn.organization_id(), arn.management_account());
  }
  size_t ous() const { return lp_.organizational_units().size(); }
  const OrganizationId& ou_organization(size_t i) const {
    return lp_.organizational_units()[i].organization_id();
  }
  const OrganizationalUnitId& ou(size_t i) const { return lp_.organizational_units()[i].ou_id(); }
  bool ou_usable(size_t i) const {
    const OrganizationalUnitArn& arn = lp_.organizational_units()[i];
    return OrganizationArnUsable(view_, arn.organization_id(), arn.management_account());
  }

 private:
  const StateView& view_;
  const Image& image_;
  const LaunchPermissions& lp_;
};

// The key a launched volume gets (LAUNCH-10).
std::optional<KmsKeyArn> VolumeKey(const Snapshot* snapshot, bool mapping_encrypted,
                                   AccountId caller, const RegionSettings& settings,
                                   const LaunchQuestion& q,
                                   const std::optional<KmsKeyArn>& requested) {
  if (requested.has_value()) return requested;
  const std::optional<KmsKeyArn> source = snapshot ? snapshot->kms_key() : std::nullopt;
  if (source.has_value()) {
    return VolumeKeepsSnapshotKey(snapshot->owner(), caller) ? source : settings.default_kms_key;
  }
  if (mapping_encrypted || q.encrypted.value_or(false) || settings.encryption_by_default) {
    return settings.default_kms_key;
  }
  return std::nullopt;
}

// The checks before the launch permission: the image exists in the Region, the caller's
// Allowed AMIs setting admits it, and it is available (LAUNCH-6 for a disabled image). Returns
// the image when they pass and the permission decides; otherwise `*d` holds the decision.
const Image* LaunchableImage(const StateView& view, const LaunchQuestion& q, Decision* d) {
  const Image* image = ImageInRegion(view, q.image, q.region, d);
  if (image == nullptr) return nullptr;
  if (!RequireAllowed(view, *image, q.caller, q.region, reasons::kLaunchNotAllowed, d)) {
    return nullptr;
  }
  // LAUNCH-6: a disabled image is private, so a former recipient is told it lacks permission.
  if (image->state() == ImageState::kDisabled && image->owner() != q.caller) {
    *d = EvaluateLaunchPermission(view, *image, q.caller);
    return nullptr;
  }
  if (!RequireAvailable(*image, q.region, d)) return nullptr;
  return image;
}

// The volume key the request names (ID-12, ID-14, KMS-12, REG-5): nullopt when it names none,
// or names one the launch cannot use (then `*d` forbids, later).
std::optional<KmsKeyArn> RequestedKey(const StateView& view, const LaunchQuestion& q,
                                      const ReasonArgs& base, Decision* d) {
  if (!q.kms_key.has_value()) return std::nullopt;
  std::optional<KmsKeyArn> requested = ResolveKey(view, q.caller, q.region, *q.kms_key);
  if (!requested.has_value()) {
    ReasonArgs a = base;
    a.text = absl::StrCat("`", q.kms_key->ToString(), "`");
    d->AddForbid(R(reasons::kCopyKeyUnresolved, std::move(a), /*async=*/true));
  } else if (requested->region() != q.region) {
    ReasonArgs a = base;
    a.key = *requested;
    d->AddForbid(R(reasons::kKeyInOtherRegion, std::move(a), /*async=*/true));
    requested.reset();
  }
  return requested;
}

// The volumes of the launch: their snapshots, their keys (LAUNCH-9, LAUNCH-10) and the plan.
void CheckVolumes(const StateView& view, const LaunchQuestion& q, const KeyCaller* who,
                  const Image& image,
                  const std::optional<KmsKeyArn>& requested, const ReasonArgs& base,
                  Decision* d, std::vector<VolumePlan>* plan) {
  const RegionSettings settings = view.Settings(q.caller, q.region);
  bool snapshots_not_shared = false;
  for (const BlockDeviceMapping& m : image.block_device_mappings()) {
    if (!m.ebs.has_value()) continue;
    const Snapshot* snapshot = nullptr;
    if (m.ebs->snapshot_id.has_value()) {
      snapshot = view.FindSnapshot(*m.ebs->snapshot_id);
      if (snapshot == nullptr) {
        ReasonArgs a = base;
        a.snapshot = *m.ebs->snapshot_id;
        d->AddForbid(R(reasons::kSnapshotMissing, std::move(a), /*async=*/true));
        continue;
      }
      snapshots_not_shared |= !SnapshotReadableBy(view, *snapshot, q.caller);
    }
    const std::optional<KmsKeyArn> key =
        VolumeKey(snapshot, m.ebs->encrypted, q.caller, settings, q, requested);
    const std::optional<KmsKeyArn> source = snapshot ? snapshot->kms_key() : std::nullopt;
    // LAUNCH-9: reading the snapshot's key and writing the volume's.
    CheckVolumeKeys(view, who, q.caller, source, key, m.ebs->snapshot_id,
                    reasons::kLaunchKeyUnusable, base, d);
    if (plan != nullptr) {
      plan->push_back(VolumePlan{m.device_name, m.ebs->snapshot_id,
                                 // A mapping of no snapshot has a size (Image::Builder).
                                 m.ebs->volume_size_gib != 0 ? m.ebs->volume_size_gib
                                                             : snapshot->volume_size_gib(),
                                 m.ebs->delete_on_termination, key});
    }
  }
  if (snapshots_not_shared && d->allowed()) {
    d->AddPermit(R(reasons::kSnapshotsNeedNotBeShared, base));
  }
}

}  // namespace

Decision EvaluateLaunchPermission(const StateView& view, const Image& image, AccountId account) {
  const ImagePermissions permissions(view, image);
  const LaunchMatch match = MatchLaunchPermission(
      permissions, account, [&] { return MemberOf(view.FindAccount(account)); });
  ReasonArgs args{.image = image.id(), .account = account, .owner = image.owner()};
  const LaunchPermissions& lp = image.launch_permissions();
  switch (match.grant) {
    case LaunchGrant::kOwner:
      return Decision::Allow(R(reasons::kOwnerMayLaunch, std::move(args)));
    case LaunchGrant::kAccount:
      return Decision::Allow(R(reasons::kSharedWithAccount, std::move(args)));
    case LaunchGrant::kOrganization:
      args.text = absl::StrCat("`", lp.organizations()[match.index].ToString(), "`");
      return Decision::Allow(R(reasons::kSharedWithOrganization, std::move(args)));
    case LaunchGrant::kOu:
      args.text = absl::StrCat("`", lp.organizational_units()[match.index].ToString(), "`");
      return Decision::Allow(R(reasons::kSharedWithOu, std::move(args)));
    case LaunchGrant::kPublic:
      return Decision::Allow(R(reasons::kPublicImage, std::move(args)));
    case LaunchGrant::kNone:
      break;
  }
  return Decision::Deny(R(reasons::kNoLaunchPermission, std::move(args)));
}

Decision EvaluateLaunch(const StateView& view, const LaunchQuestion& q,
                        std::vector<VolumePlan>* plan) {
  return EvaluateLaunchAs(view, q, nullptr, plan);
}

Decision EvaluateLaunchAs(const StateView& view, const LaunchQuestion& q, const KeyCaller* who,
                          std::vector<VolumePlan>* plan) {
  Decision d;
  const Image* image = LaunchableImage(view, q, &d);
  if (image == nullptr) return d;
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
  const std::optional<KmsKeyArn> requested = RequestedKey(view, q, base, &d);
  CheckVolumes(view, q, who, *image, requested, base, &d, plan);
  return d;
}

}  // namespace ami::policy
