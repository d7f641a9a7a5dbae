// Launch permissions and snapshot permissions (SHARE-1, 2, 4, 7, 9, 14 … 17, 19, 20; SNAP-1 … 3).
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ami/policy.h"
#include "policy/common.h"
#include "policy/reasons.h"

namespace ami::policy {
namespace {

template <typename T>
std::vector<T> Apply(std::vector<T> current, const std::vector<T>& add, const std::vector<T>& remove) {
  for (const T& r : remove) current.erase(std::remove(current.begin(), current.end(), r), current.end());
  for (const T& a : add) {
    if (std::find(current.begin(), current.end(), a) == current.end()) current.push_back(a);
  }
  return current;
}

// The owner-only checks shared by every launch-permission change (SHARE-4, REG-2, LAUNCH-3).
const Image* OwnedImage(const StateView& view, AccountId caller, Region region, ImageId id,
                        Decision* d) {
  const Image* image = ImageInRegion(view, id, region, d);
  if (image == nullptr) return nullptr;
  if (image->owner() != caller) {
    d->AddForbid(R(reasons::kNotImageOwner,
                   {.image = id, .account = caller, .owner = image->owner(), .region = region}));
    return nullptr;
  }
  if (image->state() == ImageState::kDeregistered || image->state() == ImageState::kDisabled) {
    RequireAvailable(*image, region, d);
    return nullptr;
  }
  return image;
}

// The public-sharing checks (SHARE-9, 14, 15, 20).
void CheckPublic(const StateView& view, const Image& image, const ReasonArgs& base, Decision* d) {
  if (AnyEncrypted(view, image)) d->AddForbid(R(reasons::kPublicEncrypted, base));
  if (const std::optional<SnapshotId> unknown = UnknownSnapshot(view, image)) {
    ReasonArgs a = base;
    a.snapshot = *unknown;
    d->AddForbid(R(reasons::kShareSnapshotUnknown, std::move(a)));
  }
  if (image.has_marketplace_code()) d->AddForbid(R(reasons::kPublicMarketplace, base));
  if (view.Settings(image.owner(), image.region()).image_block_public_access) {
    d->AddForbid(R(reasons::kBlockPublicAccess, base));
  }
  const int public_images = view.PublicImageCount(image.owner(), image.region());
  if (public_images >= 5) {
    ReasonArgs a = base;
    a.number = public_images;
    d->AddForbid(R(reasons::kPublicQuota, std::move(a)));
  }
}

// SHARE-16 and SHARE-17: what the image's keys mean for new recipients. False when no key
// (and no unknown snapshot) was found.
bool CheckKeysForSharing(const StateView& view, const Image& image, const ReasonArgs& base,
                         Decision* d) {
  if (const std::optional<SnapshotId> unknown = UnknownSnapshot(view, image)) {
    ReasonArgs a = base;
    a.snapshot = *unknown;
    d->AddForbid(R(reasons::kShareSnapshotUnknown, std::move(a)));
    return true;
  }
  bool any = false;
  for (const BlockDeviceMapping& m : image.block_device_mappings()) {
    const std::optional<KmsKeyArn> key = MappingKey(view, m);
    if (!key.has_value()) continue;
    any = true;
    ReasonArgs a = base;
    a.key = *key;
    const KeyFacts facts = view.FindKey(*key);
    if (!facts.exists()) {
      d->AddForbid(R(reasons::kShareKeyUnknown, std::move(a)));
      return true;
    }
    if (facts.aws_managed) {
      d->AddForbid(R(reasons::kShareAwsManagedKey, std::move(a)));
      return true;
    }
    d->AddPermit(R(reasons::kShareNeedsKeyAccess, std::move(a)));
  }
  return any;
}

}  // namespace

Decision EvaluateModifyLaunchPermission(const StateView& view, const ShareQuestion& q,
                                        LaunchPermissions* result) {
  Decision d;
  const Image* image = OwnedImage(view, q.caller, q.region, q.image, &d);
  if (image == nullptr) return d;
  const ReasonArgs base{.image = image->id(), .account = q.caller, .owner = image->owner(),
                        .region = q.region};
  d.AddPermit(R(reasons::kShareAllowed, base));
  const LaunchPermissionChange& c = q.change;
  const LaunchPermissions& now = image->launch_permissions();
  std::vector<AccountId> add_accounts;
  for (const AccountId a : c.add_accounts) {
    if (a != image->owner()) add_accounts.push_back(a);  // The owner always has permission.
  }
  const bool becomes_public = c.add_public && !now.is_public();
  if (becomes_public) CheckPublic(view, *image, base, &d);
  const bool adds_recipients =
      !add_accounts.empty() || !c.add_organizations.empty() || !c.add_ous.empty();
  if (adds_recipients) CheckKeysForSharing(view, *image, base, &d);
  std::vector<AccountId> accounts = Apply(now.accounts(), add_accounts, c.remove_accounts);
  std::vector<OrganizationArn> orgs = Apply(now.organizations(), c.add_organizations, c.remove_organizations);
  std::vector<OrganizationalUnitArn> ous = Apply(now.organizational_units(), c.add_ous, c.remove_ous);
  const size_t entities = accounts.size() + orgs.size() + ous.size();
  if (entities > kMaxLaunchPermissionEntities) {
    ReasonArgs a = base;
    a.number = static_cast<int64_t>(entities);
    d.AddForbid(R(reasons::kSharingQuota, std::move(a)));
  }
  if (!d.allowed()) return d;
  const bool is_public = (now.is_public() || c.add_public) && !c.remove_public;
  absl::StatusOr<LaunchPermissions> next = LaunchPermissions::Create(
      std::move(accounts), is_public, std::move(orgs), std::move(ous));
  if (!next.ok()) {
    // GCOVR_EXCL_START: the quota above is the only way Create() fails.
    d.AddError(std::string(next.status().message()));
    // GCOVR_EXCL_STOP
  } else if (result != nullptr) {
    *result = *std::move(next);
  }
  return d;
}

Decision EvaluateShareKeys(const StateView& view, const Image& image) {
  const ReasonArgs base{.image = image.id(), .account = image.owner(), .owner = image.owner(),
                        .region = image.region()};
  Decision d;
  if (!CheckKeysForSharing(view, image, base, &d)) d.AddPermit(R(reasons::kShareNoKeys, base));
  return d;
}

Decision EvaluateMakePublic(const StateView& view, AccountId caller, Region region, ImageId image) {
  ShareQuestion q{.caller = caller, .region = region, .image = image};
  q.change.add_public = true;
  return EvaluateModifyLaunchPermission(view, q);
}

Decision EvaluateModifySnapshotPermission(const StateView& view, const SnapshotShareQuestion& q,
                                          CreateVolumePermissions* result) {
  ReasonArgs base{.snapshot = q.snapshot, .account = q.caller, .region = q.region};
  const Snapshot* s = view.FindSnapshot(q.snapshot);
  if (s == nullptr || s->region() != q.region) {
    return Decision::Deny(R(reasons::kSnapshotNotFound, base));
  }
  base.owner = s->owner();
  if (s->owner() != q.caller) return Decision::Deny(R(reasons::kNotSnapshotOwner, base));
  const bool adds = !q.add_accounts.empty() || q.add_public;
  const bool removes = !q.remove_accounts.empty() || q.remove_public;
  if (adds && removes) return Decision::Deny(R(reasons::kSnapshotAddAndRemove, base));
  const size_t changes = q.add_accounts.size() + q.remove_accounts.size() + q.add_public + q.remove_public;
  if (changes > 500) {
    ReasonArgs a = base;
    a.number = static_cast<int64_t>(changes);
    return Decision::Deny(R(reasons::kSnapshotTooManyChanges, std::move(a)));
  }
  Decision d = Decision::Allow(R(reasons::kSnapshotOwner, base));
  if (s->encrypted() && !q.add_accounts.empty()) {
    const KeyFacts facts = view.FindKey(*s->kms_key());
    ReasonArgs a = base;
    a.key = s->kms_key();
    if (!facts.exists()) {
      d.AddForbid(R(reasons::kSnapshotKeyUnknown, std::move(a)));
    } else if (facts.aws_managed) {
      d.AddForbid(R(reasons::kSnapshotDefaultKey, std::move(a)));
    }
  }
  if (q.add_public && !s->is_public()) {
    if (s->encrypted()) d.AddForbid(R(reasons::kSnapshotPublicEncrypted, base));
    bool marketplace = false;
    for (const ProductCode& p : s->product_codes()) marketplace |= p.type == ProductCodeType::kMarketplace;
    if (marketplace) d.AddForbid(R(reasons::kSnapshotPublicMarketplace, base));
    const auto block = view.Settings(s->owner(), s->region()).snapshot_block_public_access;
    if (block != RegionSettings::SnapshotBlock::kUnblocked) {
      ReasonArgs a = base;
      a.text = block == RegionSettings::SnapshotBlock::kBlockAllSharing ? "block-all-sharing"
                                                                         : "block-new-sharing";
      d.AddForbid(R(reasons::kSnapshotBlockPublic, std::move(a)));
    }
  }
  if (d.allowed() && result != nullptr) {
    CreateVolumePermissions next = s->create_volume_permissions();
    next.accounts = Apply(next.accounts, q.add_accounts, q.remove_accounts);
    next.accounts.erase(std::remove(next.accounts.begin(), next.accounts.end(), s->owner()),
                        next.accounts.end());
    std::sort(next.accounts.begin(), next.accounts.end());
    next.is_public = (next.is_public || q.add_public) && !q.remove_public;
    *result = std::move(next);
  }
  return d;
}

}  // namespace ami::policy
