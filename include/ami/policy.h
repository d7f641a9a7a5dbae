// The policy engine: its answers (Decision, Reason) and the pure functions that give them.
// Thread-safe: Decision is a value; the functions hold no state and only read the view.
#ifndef AMI_POLICY_H_
#define AMI_POLICY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ami/arns.h"
#include "ami/errors.h"
#include "ami/ids.h"
#include "ami/image.h"
#include "ami/instance.h"
#include "ami/kms_key.h"
#include "ami/snapshot.h"
#include "ami/state_view.h"

// Decision: the answer to a question of the policy engine, with the reasons that decided it.
//
// A decision never fails: "the operation failed" is an absl::Status, "the policy said no" is a
// Decision whose effect is kDeny. Forbid beats permit; no permit means deny; a forbid that cannot
// be evaluated counts as deny. Reasons name their rule (an id of the rulebook), the EC2 error code
// a deny carries, and render their one-sentence message only when asked (Message()), so a bare
// decision costs no string formatting.
namespace ami {

// What a decision says.
enum class Effect : uint8_t { kAllow, kDeny };

// A reason's fixed part: the rule, the EC2 code a deny carries, and a message template whose
// placeholders ({image}, {snapshot}, {instance}, {account}, {owner}, {key}, {region},
// {source_region}, {number}, {text}, and {actions}: `number` as KMS action bits) are filled from
// ReasonArgs. All templates live in one catalogue (lib/policy/reasons.h).
struct ReasonTemplate {
  absl::string_view rule;
  ErrorCode code;
  absl::string_view text;
};

// The ids and values a reason's message names.
struct ReasonArgs {
  std::optional<ImageId> image;
  std::optional<SnapshotId> snapshot;
  std::optional<InstanceId> instance;
  std::optional<AccountId> account;
  std::optional<AccountId> owner;
  std::optional<KmsKeyArn> key;
  std::optional<Region> region;
  std::optional<Region> source_region;
  int64_t number = 0;
  std::string text;
};

// One reason for (or against) a decision.
struct Reason {
  const ReasonTemplate* what = nullptr;
  ReasonArgs args;
  // True when AWS would accept the call and report this failure later (KMS-11, LAUNCH-9).
  bool async = false;

  absl::string_view rule() const { return what->rule; }
  ErrorCode code() const { return what->code; }
  // The one-sentence message, ids in backticks, for example
  // "account `444455556666` may not launch image `ami-…`: it is not shared with the account".
  std::string Message() const;
};

using Reasons = absl::InlinedVector<Reason, 2>;

// The answer to one question: may this happen? A decision allows only when it holds a permit
// and no forbid or error: a default-constructed Decision, with no permit, denies.
class Decision {
 public:
  // A decision with no permit: it denies until a permit is added.
  Decision() = default;
  // A decision that allows, for `why`.
  static Decision Allow(Reason why);
  // A decision that denies, for `why`.
  static Decision Deny(Reason why);

  Effect effect() const { return effect_; }
  bool allowed() const { return effect_ == Effect::kAllow; }
  // The reasons that decided it: the permits of an allow, the forbids of a deny.
  const Reasons& reasons() const { return reasons_; }
  // Permits that a forbid overrode.
  const Reasons& overridden() const { return overridden_; }
  // Problems met while evaluating (a forbid that could not be evaluated counts as deny).
  const std::vector<std::string>& errors() const { return errors_; }
  // True when every deny reason is asynchronous: AWS accepts the call and fails it later.
  bool denied_later() const;

  // Adds a permit: a decision with no forbid and no error allows; one with a forbid or an error
  // keeps the permit as overridden.
  void AddPermit(Reason why);
  // Adds a forbid: the decision becomes a deny; earlier permits become overridden.
  void AddForbid(Reason why);
  // Records an evaluation error; the decision becomes a deny.
  void AddError(std::string error);
  // Merges another decision's reasons into this one (forbid beats permit). Merging a decision
  // with no reason changes nothing.
  void Merge(Decision other);

  // The explanation: effect, then one line per reason, overridden permit and error; a decision
  // with no permit says so.
  std::string Explain() const;
  // OK for an allow; for a deny, the first immediate (else first) reason as MakeError(code, message).
  absl::Status ToStatus() const;

 private:
  Effect effect_ = Effect::kDeny;
  // True once a forbid or an error was added: no permit can make it allow again.
  bool blocked_ = false;
  Reasons reasons_;
  Reasons overridden_;
  std::vector<std::string> errors_;
};

}  // namespace ami

// The policy engine: pure functions from a question and a read-only StateView to a Decision.
// Every cloud operation asks one of these, and tools ask them directly for preflight: "could
// account B launch image X in Region R?", "would this copy succeed, and who would own it?",
// "can this image be made public?" — including failures AWS only reports later.
// Thread-safe: the functions hold no state; they read the view only.
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
  Region region = Region::First();
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
  Region region = Region::First();
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
  Region destination = Region::First();
  Region source_region = Region::First();
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
  Region region = Region::First();
  ImageId image = ImageId::Short(0);
  LaunchPermissionChange change;
};

// SHARE-1, 4, 6, 7, 9, 10, 14 … 17, 19, 20. `result` receives the permissions after the change.
Decision EvaluateModifyLaunchPermission(const StateView& view, const ShareQuestion& q,
                                        LaunchPermissions* result = nullptr);
// What the image's keys mean for sharing it (SHARE-16, SHARE-17): denied for an AWS managed key
// or a snapshot or key the state does not hold; else one SHARE-17 reason per customer managed
// key recipients must be granted, in volume order.
Decision EvaluateShareKeys(const StateView& view, const Image& image);


// Could `owner` make `image` public right now? (SHARE-14, 15, 9, 20.)
Decision EvaluateMakePublic(const StateView& view, AccountId caller, Region region, ImageId image);

struct SnapshotShareQuestion {
  AccountId caller = AccountId::FromNumber(0);
  Region region = Region::First();
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
  kDeregister,         // DEREG-1, DEREG-5, DEREG-6
  kDescribeAttribute,  // DESC-11
  kModifyAttribute,    // SHARE-4, SHARE-5
  kResetAttribute,     // SHARE-2
  // AWS Backup deleting the AMI of a recovery point: as kDeregister, but DEREG-5 does not apply
  // (only EC2's callers are refused a backup-managed image).
  kDeregisterByBackup,
};

// May `caller` perform `action` on `image` in `region`? (REG-2, SHARE-4, SHARE-5, DESC-11, DEREG-1,
// DEREG-5, DEREG-6.)
Decision EvaluateImageOwnerAction(const StateView& view, AccountId caller, Region region,
                                  ImageId image, ImageAction action);

// The tag AWS Backup puts on the AMIs (and their snapshots) it creates, naming the backed-up
// resource, and the prefix of AWS Backup's tags. Keys starting with aws: are AWS's: users can
// neither create nor delete them (MC-7, MC-85), so only AWS Backup sets this one.
inline constexpr absl::string_view kBackupSourceResourceTag = "aws:backup:source-resource";
inline constexpr absl::string_view kBackupTagPrefix = "aws:backup:";

// True when AWS Backup manages `image`: it carries kBackupSourceResourceTag (MC-83). Such an image
// cannot be deregistered through EC2 (DEREG-5); restored from the Recycle Bin, it is no longer
// managed (BACKUP-2). The image's name (AWS Backup's are "AwsBackup_…") is not looked at: any
// user can choose one.
bool IsBackupManaged(const Image& image);

// `tags` without AWS Backup's tags (those starting with kBackupTagPrefix): what a restore from
// the Recycle Bin keeps (BACKUP-2).
TagSet WithoutBackupTags(const TagSet& tags);

// CancelImageLaunchPermission by a recipient (SHARE-8).
Decision EvaluateCancelLaunchPermission(const StateView& view, AccountId caller, Region region,
                                        ImageId image);

// DeleteSnapshot (SNAP-4, DEREG-4).
Decision EvaluateDeleteSnapshot(const StateView& view, AccountId caller, Region region,
                                SnapshotId snapshot);

}  // namespace ami::policy

#endif  // AMI_POLICY_H_
