// CopyImage (COPY-2 … 12, 18, 19, REG-3, REG-4, REG-6, REG-9, KMS-3, KMS-11, KMS-12).
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ami/policy.h"
#include "policy/common.h"
#include "policy/key_use.h"
#include "policy/reasons.h"

namespace ami::policy {
namespace {

// Checks the copy's name (ID-17, REG-6, COPY-18) into `d`.
void CheckName(const StateView& view, const CopyQuestion& q, const ReasonArgs& base, Decision* d) {
  ReasonArgs a = base;
  a.text = absl::StrCat("`", q.name, "`");
  if (!ValidateImageName(q.name).ok()) {
    d->AddForbid(R(reasons::kBadImageName, std::move(a)));
    return;
  }
  if (const std::optional<ImageId> used = view.FindImageByName(q.caller, q.destination, q.name)) {
    a.image = *used;
    a.region = q.destination;
    d->AddForbid(R(reasons::kDuplicateName, std::move(a)));
  }
}

// The key a copied snapshot gets (COPY-8, COPY-9, KMS-3): the requested key; else, for an
// encrypted source, the same key when the caller owns it in the same Region, otherwise the
// destination's default key; for an unencrypted source, the default key when encryption is
// asked for or on by default.
std::optional<KmsKeyArn> TargetKey(const Snapshot& s, const CopyQuestion& q,
                                   const RegionSettings& dest,
                                   const std::optional<KmsKeyArn>& requested) {
  if (s.encrypted()) {
    if (requested.has_value()) return requested;
    if (s.owner() == q.caller && s.region() == q.destination) return s.kms_key();
    return dest.default_kms_key;
  }
  if (q.encrypted.value_or(false) || dest.encryption_by_default) {
    return requested.has_value() ? requested : dest.default_kms_key;
  }
  return std::nullopt;
}

// The requested key (ID-12, ID-14, KMS-11, REG-5): nullopt when none is named; a name that
// resolves to nothing, or a key in another Region, forbids later, and the copy's snapshots are
// then planned under the destination's default key.
std::optional<KmsKeyArn> RequestedKey(const StateView& view, const CopyQuestion& q,
                                      const RegionSettings& dest, const ReasonArgs& base,
                                      Decision* d) {
  if (!q.kms_key.has_value()) return std::nullopt;
  std::optional<KmsKeyArn> requested = ResolveKey(view, q.caller, q.destination, *q.kms_key);
  if (!requested.has_value()) {
    ReasonArgs a = base;
    a.text = absl::StrCat("`", q.kms_key->ToString(), "`");
    d->AddForbid(R(reasons::kCopyKeyUnresolved, std::move(a), /*async=*/true));
  } else if (requested->region() != q.destination) {
    ReasonArgs a = base;
    a.key = *requested;
    d->AddForbid(R(reasons::kKeyInOtherRegion, std::move(a), /*async=*/true));
    requested = dest.default_kms_key;
  }
  return requested;
}

// Each snapshot of the copy: found, readable across accounts (COPY-4, COPY-5), not decrypted
// (COPY-7), its target key and the key access (COPY-8 … 11); planned into `plan`.
void CheckSnapshots(const StateView& view, const CopyQuestion& q, const KeyCaller* who,
                    const Image& image,
                    const ReasonArgs& base, Decision* d, CopyPlan* plan) {
  const bool cross_account = image.owner() != q.caller;
  const RegionSettings dest = view.Settings(q.caller, q.destination);
  const std::optional<KmsKeyArn> requested = RequestedKey(view, q, dest, base, d);
  for (const BlockDeviceMapping& m : image.block_device_mappings()) {
    if (!m.ebs.has_value() || !m.ebs->snapshot_id.has_value()) continue;
    ReasonArgs a = base;
    a.snapshot = *m.ebs->snapshot_id;
    const Snapshot* s = view.FindSnapshot(*m.ebs->snapshot_id);
    if (s == nullptr) {
      a.region = q.source_region;
      d->AddForbid(R(reasons::kSnapshotNotFound, std::move(a)));
      continue;
    }
    if (cross_account && !SnapshotReadableBy(view, *s, q.caller)) {
      d->AddForbid(R(reasons::kCopyNoStorageAccess, std::move(a)));
      continue;
    }
    // COPY-7; with encryption by default on, Encrypted=false is overridden (KMS-3, MC-30).
    if (s->encrypted() && q.encrypted.has_value() && !*q.encrypted && !dest.encryption_by_default) {
      d->AddForbid(R(reasons::kCopyDecrypt, std::move(a)));
      continue;
    }
    const std::optional<KmsKeyArn> target = TargetKey(*s, q, dest, requested);
    // COPY-11: reading the source key and writing the target key, reported asynchronously.
    CheckVolumeKeys(view, who, q.caller, s->kms_key(), target, s->id(),
                    reasons::kCopyKeyUnusable, base, d);
    if (plan != nullptr) plan->snapshots.push_back({s->id(), target});
  }
}

}  // namespace

Decision EvaluateCopy(const StateView& view, const CopyQuestion& q, CopyPlan* plan) {
  return EvaluateCopyAs(view, q, nullptr, plan);
}

Decision EvaluateCopyAs(const StateView& view, const CopyQuestion& q, const KeyCaller* who,
                        CopyPlan* plan) {
  Decision d;
  const Image* image = ImageInRegion(view, q.source_image, q.source_region, &d);
  if (image == nullptr) return d;
  if (!RequireAllowed(view, *image, q.caller, q.source_region, reasons::kCopyNotAllowed, &d)) {
    return d;
  }
  if (!RequireAvailable(*image, q.source_region, &d)) return d;
  const ReasonArgs base{.image = image->id(), .account = q.caller, .owner = image->owner(),
                        .region = q.destination, .source_region = q.source_region};
  Decision permission = EvaluateLaunchPermission(view, *image, q.caller);
  if (!permission.allowed()) return Decision::Deny(R(reasons::kCopyNoLaunchPermission, base));
  d = std::move(permission);
  if (image->owner() != q.caller && image->has_marketplace_code()) {
    d.AddForbid(R(reasons::kCopyMarketplace, base));
  }
  CheckName(view, q, base, &d);
  if (q.kms_key.has_value() && !q.encrypted.value_or(false)) {
    ReasonArgs a = base;
    a.text = absl::StrCat("`", q.kms_key->ToString(), "`");
    d.AddForbid(R(reasons::kKeyWithoutEncrypted, std::move(a)));
  }
  if (!d.allowed()) return d;
  if (plan != nullptr) plan->owner = q.caller;
  CheckSnapshots(view, q, who, *image, base, &d, plan);
  if (d.allowed() || d.denied_later()) d.AddPermit(R(reasons::kCopyOwner, base));
  return d;
}

}  // namespace ami::policy
