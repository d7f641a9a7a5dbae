#include "policy/common.h"

#include "policy/key_use.h"

#include <algorithm>

#include "policy/reasons.h"

namespace ami::policy {

const Image* ImageInRegion(const StateView& view, ImageId id, Region region, Decision* d) {
  const Image* image = view.FindImage(id);
  if (image == nullptr) {
    d->AddForbid(R(reasons::kImageNotFound, {.image = id, .region = region}));
    return nullptr;
  }
  if (image->region() != region) {
    d->AddForbid(R(reasons::kImageInOtherRegion,
                   {.image = id, .region = region, .source_region = image->region()}));
    return nullptr;
  }
  return image;
}


bool RequireAvailable(const Image& image, Region region, Decision* d) {
  if (image.state() == ImageState::kAvailable) return true;
  if (image.state() == ImageState::kDeregistered) {
    d->AddForbid(R(reasons::kImageDeregistered, {.image = image.id(), .region = region}));
  } else if (image.state() == ImageState::kDisabled) {
    d->AddForbid(R(reasons::kImageDisabled, {.image = image.id(), .region = region}));
  } else {
    d->AddForbid(R(reasons::kImageNotLaunchable,
                   {.image = image.id(), .region = region, .text = std::string(ToString(image.state()))}));
  }
  return false;
}

bool SnapshotReadableBy(const StateView& view, const Snapshot& snapshot, AccountId account) {
  if (snapshot.owner() == account) return true;
  const auto& accounts = snapshot.create_volume_permissions().accounts;
  if (std::binary_search(accounts.begin(), accounts.end(), account)) return true;
  if (!snapshot.is_public()) return false;
  return view.Settings(snapshot.owner(), snapshot.region()).snapshot_block_public_access !=
         RegionSettings::SnapshotBlock::kBlockAllSharing;
}

std::optional<KmsKeyArn> MappingKey(const StateView& view, const BlockDeviceMapping& m) {
  if (!m.ebs.has_value()) return std::nullopt;
  if (m.ebs->snapshot_id.has_value()) {
    if (const Snapshot* s = view.FindSnapshot(*m.ebs->snapshot_id)) return s->kms_key();
  }
  return m.ebs->kms_key;
}

std::optional<SnapshotId> UnknownSnapshot(const StateView& view, const Image& image) {
  for (const BlockDeviceMapping& m : image.block_device_mappings()) {
    if (m.ebs.has_value() && m.ebs->snapshot_id.has_value() &&
        view.FindSnapshot(*m.ebs->snapshot_id) == nullptr) {
      return m.ebs->snapshot_id;
    }
  }
  return std::nullopt;
}

bool AnyEncrypted(const StateView& view, const Image& image) {
  if (image.encrypted()) return true;
  for (const BlockDeviceMapping& m : image.block_device_mappings()) {
    if (!m.ebs.has_value() || !m.ebs->snapshot_id.has_value()) continue;
    const Snapshot* s = view.FindSnapshot(*m.ebs->snapshot_id);
    if (s != nullptr && s->encrypted()) return true;
  }
  return false;
}

Decision MakeAsync(Decision d) {
  Decision out;
  for (const Reason& r : d.reasons()) {
    Reason copy = r;
    copy.async = !d.allowed();
    if (d.allowed()) {
      out.AddPermit(std::move(copy));  // GCOVR_EXCL_LINE: callers pass only denials.
    } else {
      out.AddForbid(std::move(copy));
    }
  }
  for (const std::string& e : d.errors()) out.AddError(e);
  return out;
}

absl::Time AddYears(absl::Time t, int years) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::CivilSecond c = absl::ToCivilSecond(t, utc);
  const absl::CivilSecond shifted(c.year() + years, c.month(), c.day(), c.hour(), c.minute(),
                                  c.second());
  return absl::FromCivil(shifted, utc);
}

StateReason FailureReason(absl::string_view code, const Decision& decision) {
  StateReason reason;
  reason.code = std::string(code);
  reason.message = decision.reasons().empty() ? std::string("failed")
                                              : decision.reasons().front().Message();
  return reason;
}

void CheckVolumeKeys(const StateView& view, const KeyCaller* who, AccountId caller,
                     const std::optional<KmsKeyArn>& source,
                     const std::optional<KmsKeyArn>& target, std::optional<SnapshotId> snapshot,
                     const ReasonTemplate& unusable, const ReasonArgs& base, Decision* d) {
  for (const auto& [arn, actions] :
       {std::pair{source, ReadKeyActions()}, std::pair{target, WriteKeyActions()}}) {
    if (!arn.has_value()) continue;
    Decision use = who != nullptr ? EvaluateKeyUseBy(view, *who, *arn, actions)
                                  : EvaluateKeyUse(view, caller, *arn, actions);
    if (use.allowed()) {
      if (d->allowed()) d->Merge(std::move(use));
      continue;
    }
    ReasonArgs a = base;
    a.key = *arn;
    a.snapshot = snapshot;
    d->AddForbid(R(unusable, std::move(a), /*async=*/true));
    d->Merge(MakeAsync(std::move(use)));
  }
}

}  // namespace ami::policy
