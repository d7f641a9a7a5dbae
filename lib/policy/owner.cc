// Owner-only image operations, recipients' cancellation, snapshot deletion (SHARE-4, SHARE-5,
// SHARE-8, DESC-11, DEREG-1, DEREG-5, DEREG-6, SNAP-4, DEREG-4), and which images AWS Backup
// manages (DEREG-5, BACKUP-2).
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "ami/policy.h"
#include "policy/common.h"
#include "policy/reasons.h"

namespace ami::policy {

Decision EvaluateImageOwnerAction(const StateView& view, AccountId caller, Region region,
                                  ImageId id, ImageAction action) {
  Decision d;
  const Image* image = ImageInRegion(view, id, region, &d);
  if (image == nullptr) return d;
  const ReasonArgs base{.image = id, .account = caller, .owner = image->owner(), .region = region};
  if (image->owner() != caller) {
    const bool deregister =
        action == ImageAction::kDeregister || action == ImageAction::kDeregisterByBackup;
    const ReasonTemplate& why = deregister ? reasons::kNotOwnerDeregister
                                : action == ImageAction::kDescribeAttribute ? reasons::kNotOwnerDescribe
                                                                           : reasons::kNotImageOwner;
    return Decision::Deny(R(why, base));
  }
  if (image->state() == ImageState::kDeregistered) {
    RequireAvailable(*image, region, &d);
    return d;
  }
  d.AddPermit(R(reasons::kImageOwner, base));
  if (action == ImageAction::kDeregister && IsBackupManaged(*image)) {
    d.AddForbid(R(reasons::kBackupManaged, base));  // DEREG-5, BACKUP-2.
  }
  if (action == ImageAction::kDeregister || action == ImageAction::kDeregisterByBackup) {
    const DeregistrationProtection p = image->deregistration_protection();
    const auto& until = image->protection_cooldown_until();
    if (p != DeregistrationProtection::kDisabled) {
      d.AddForbid(R(reasons::kProtected, base));
    } else if (until.has_value() && *until > view.Now()) {
      ReasonArgs a = base;
      a.text = absl::StrCat(" until ", FormatAwsTime(*until), " (cooldown)");
      d.AddForbid(R(reasons::kProtected, std::move(a)));
    }
  }
  return d;
}

bool IsBackupManaged(const Image& image) {
  return image.tags().Find(kBackupSourceResourceTag).has_value();
}

TagSet WithoutBackupTags(const TagSet& tags) {
  std::vector<std::string> keys;
  for (const Tag& tag : tags) {
    if (absl::StartsWith(tag.key(), kBackupTagPrefix)) keys.push_back(tag.key());
  }
  return keys.empty() ? tags : tags.Without(keys);
}

Decision EvaluateCancelLaunchPermission(const StateView& view, AccountId caller, Region region,
                                        ImageId id) {
  Decision d;
  const Image* image = ImageInRegion(view, id, region, &d);
  if (image == nullptr) return d;
  const ReasonArgs base{.image = id, .account = caller, .owner = image->owner(), .region = region};
  if (!image->launch_permissions().HasAccount(caller)) {
    return Decision::Deny(R(reasons::kNotDirectlyShared, base));
  }
  return Decision::Allow(R(reasons::kDirectlyShared, base));
}

Decision EvaluateDeleteSnapshot(const StateView& view, AccountId caller, Region region,
                                SnapshotId id) {
  ReasonArgs base{.snapshot = id, .account = caller, .region = region};
  const Snapshot* s = view.FindSnapshot(id);
  if (s == nullptr || s->region() != region) return Decision::Deny(R(reasons::kSnapshotNotFound, base));
  base.owner = s->owner();
  if (s->owner() != caller) return Decision::Deny(R(reasons::kNotSnapshotOwner, base));
  // DEREG-5, BACKUP-2: AWS Backup's snapshots are deleted by AWS Backup, with their recovery point.
  if (s->tags().Find(kBackupSourceResourceTag).has_value()) {
    return Decision::Deny(R(reasons::kBackupManagedSnapshot, base));
  }
  const int users = view.ImagesUsingSnapshot(id);
  if (users > 0) {
    base.number = users;
    return Decision::Deny(R(reasons::kSnapshotInUse, base));
  }
  return Decision::Allow(R(reasons::kSnapshotOwner, base));
}

}  // namespace ami::policy
