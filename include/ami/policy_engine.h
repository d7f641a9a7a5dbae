// The policy engine: pure functions from a question and a read-only StateView to a Decision.
// Every cloud operation asks one of these, and tools ask them directly for preflight: "could
// account B launch image X in Region R?", "would this copy succeed, and who would own it?",
// "can this image be made public?" — including failures AWS only reports later.
// Thread-safe: the functions hold no state; they read the view only.
#ifndef AMI_POLICY_ENGINE_H_
#define AMI_POLICY_ENGINE_H_

#include <optional>
#include <string>
#include <vector>

#include "ami/kms_key.h"
#include "ami/policy.h"

namespace ami::policy {

// The KMS actions EBS needs on a snapshot's key to read it (KMS-6) and on a volume's or copy's
// key to write it (KMS-8).
KmsActions ReadKeyActions();
KmsActions WriteKeyActions();

// May `principal` perform `actions` with the key `arn` (KMS-1, KMS-4 … KMS-7, KMS-15)? IAM in the
// principal's account is not modelled: it is taken to allow.
Decision EvaluateKeyUse(const StateView& view, AccountId principal, const KmsKeyArn& arn,
                        KmsActions actions);

// May `account` launch `image` (SHARE-1, SHARE-7, LAUNCH-4)? Owner, listed account, member of a
// listed organization or OU (nested included), or public.
Decision EvaluateLaunchPermission(const StateView& view, const Image& image, AccountId account);

// Resolves a KMS key reference for `caller` in `region` (ID-12, ID-14): key ids and alias names
// in the caller's account, ARNs as written. nullopt when it names nothing.
std::optional<KmsKeyArn> ResolveKey(const StateView& view, AccountId caller, Region region,
                                    const KmsKeyRef& ref);

// Does `image` meet the Allowed AMIs setting of `account` in `region` (GOV-7 … 9)? Allowed when
// the setting is disabled, the account owns the image, or a criterion matches. In audit mode a
// non-matching image is allowed with a GOV-7 reason saying it is only reported; check
// AllowedImages() for the mode.
Decision EvaluateImageAllowed(const StateView& view, const Image& image, AccountId account,
                              Region region);

// ---- RunInstances -----------------------------------------------------------------------------

struct LaunchQuestion {
  AccountId caller = AccountId::FromNumber(0);
  Region region = Region::All().front();
  ImageId image = ImageId::Short(0);
  // Encrypted / KmsKeyId of the request's EBS mappings, applied to every volume (LAUNCH-10).
  std::optional<bool> encrypted;
  std::optional<KmsKeyRef> kms_key;
};

// A volume a launch would create.
struct VolumePlan {
  std::string device_name;
  std::optional<SnapshotId> snapshot;
  uint32_t size_gib = 0;
  bool delete_on_termination = true;
  std::optional<KmsKeyArn> key;
};

// LAUNCH-1 … 10, 15, REG-1, REG-2, REG-5. Fills `plan` with the volumes when allowed
// (or denied only later).
Decision EvaluateLaunch(const StateView& view, const LaunchQuestion& q,
                        std::vector<VolumePlan>* plan = nullptr);

// ---- CreateImage ------------------------------------------------------------------------------

struct CreateImageQuestion {
  AccountId caller = AccountId::FromNumber(0);
  Region region = Region::All().front();
  InstanceId instance = InstanceId::Short(0);
  std::string name;
  bool no_reboot = false;
};

// CREATE-1 … 4, 6, REG-6. `consistency` receives what the image would be (CREATE-4).
Decision EvaluateCreateImage(const StateView& view, const CreateImageQuestion& q,
                             ImageConsistency* consistency = nullptr);

// ---- CopyImage --------------------------------------------------------------------------------

struct CopyQuestion {
  AccountId caller = AccountId::FromNumber(0);
  // The Region called: the destination (REG-3).
  Region destination = Region::All().front();
  Region source_region = Region::All().front();
  ImageId source_image = ImageId::Short(0);
  std::string name;
  std::optional<bool> encrypted;
  std::optional<KmsKeyRef> kms_key;
};

// What a copy would produce.
struct CopyPlan {
  // The owner of the copy: always the caller (COPY-3).
  AccountId owner = AccountId::FromNumber(0);
  struct SnapshotCopy {
    SnapshotId source = SnapshotId::Short(0);
    std::optional<KmsKeyArn> key;
  };
  std::vector<SnapshotCopy> snapshots;
};

// COPY-2 … 12, 16, 18, 19, REG-3, REG-4, REG-9, KMS-3, KMS-12.
Decision EvaluateCopy(const StateView& view, const CopyQuestion& q, CopyPlan* plan = nullptr);

// ---- Sharing ----------------------------------------------------------------------------------

// Additions and removals of an image's launch permissions.
struct LaunchPermissionChange {
  std::vector<AccountId> add_accounts;
  std::vector<AccountId> remove_accounts;
  bool add_public = false;
  bool remove_public = false;
  std::vector<OrganizationArn> add_organizations;
  std::vector<OrganizationArn> remove_organizations;
  std::vector<OrganizationalUnitArn> add_ous;
  std::vector<OrganizationalUnitArn> remove_ous;
};

struct ShareQuestion {
  AccountId caller = AccountId::FromNumber(0);
  Region region = Region::All().front();
  ImageId image = ImageId::Short(0);
  LaunchPermissionChange change;
};

// SHARE-1, 4, 6, 7, 9, 10, 14 … 17, 19, 20. `result` receives the permissions after the change.
Decision EvaluateModifyLaunchPermission(const StateView& view, const ShareQuestion& q,
                                        LaunchPermissions* result = nullptr);

// What the image's keys mean for sharing it with new accounts, organizations or OUs (SHARE-16,
// SHARE-17), whoever asks: denied for a snapshot encrypted with an AWS managed key, or for a
// snapshot or key the state does not hold (the reason names the key or snapshot); otherwise
// allowed, with one SHARE-17 reason per customer managed key that recipients must be granted,
// in the order of the image's volumes. A deny keeps those of the volumes before the one that
// decided it as overridden permits.
Decision EvaluateShareKeys(const StateView& view, const Image& image);

// Could `owner` make `image` public right now? (SHARE-14, 15, 9, 20.)
Decision EvaluateMakePublic(const StateView& view, AccountId caller, Region region, ImageId image);

struct SnapshotShareQuestion {
  AccountId caller = AccountId::FromNumber(0);
  Region region = Region::All().front();
  SnapshotId snapshot = SnapshotId::Short(0);
  std::vector<AccountId> add_accounts;
  std::vector<AccountId> remove_accounts;
  bool add_public = false;
  bool remove_public = false;
};

// SNAP-1, SNAP-2, SNAP-3. `result` receives the permissions after the change.
Decision EvaluateModifySnapshotPermission(const StateView& view, const SnapshotShareQuestion& q,
                                          CreateVolumePermissions* result = nullptr);

// ---- Owner-only operations --------------------------------------------------------------------

enum class ImageAction : uint8_t {
  kDeregister,         // DEREG-1, DEREG-6
  kDescribeAttribute,  // DESC-11
  kModifyAttribute,    // SHARE-4, SHARE-5
  kResetAttribute,     // SHARE-2
};

// May `caller` perform `action` on `image` in `region`? (REG-2, SHARE-4, SHARE-5, DESC-11, DEREG-1.)
Decision EvaluateImageOwnerAction(const StateView& view, AccountId caller, Region region,
                                  ImageId image, ImageAction action);

// CancelImageLaunchPermission by a recipient (SHARE-8).
Decision EvaluateCancelLaunchPermission(const StateView& view, AccountId caller, Region region,
                                        ImageId image);

// DeleteSnapshot (SNAP-4, DEREG-4).
Decision EvaluateDeleteSnapshot(const StateView& view, AccountId caller, Region region,
                                SnapshotId snapshot);

}  // namespace ami::policy

#endif  // AMI_POLICY_ENGINE_H_
