// The engine's planning functions: for one decoded operation, the Decision and, when it allows
// (or denies only later, KMS-11, LAUNCH-9), the Plan that CloudState::Commit applies. They read
// a PlanView only; every rule an operation can fail on is decided here. Internal to libami.
#ifndef AMI_LIB_POLICY_PLANNING_H_
#define AMI_LIB_POLICY_PLANNING_H_

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "ami/state_view.h"
#include "ami/policy.h"
#include "ami/requests.h"
#include "policy/iam.h"
#include "policy/plan.h"

namespace ami::policy {

// The state facts a plan needs beyond the StateView. Implementations allow concurrent calls.
class PlanView : public StateView {
 public:
  // The id sequence as it stands.
  virtual internal::IdSequence Ids() const = 0;
  // How long new images and instances stay pending (ASYNC-1, ASYNC-3).
  virtual absl::Duration ImagePending() const = 0;
  virtual absl::Duration InstancePending() const = 0;
  // What a ClientToken made before (COPY-17); nullptr when unused.
  virtual const internal::TokenEntry* FindClientToken(const internal::TokenKey& key) const = 0;
  // The image a NoReboot CreateImage of the instance is making (CREATE-15).
  virtual std::optional<ImageId> CreatingImageFrom(InstanceId instance) const = 0;
  // The longest retention of the owner's Recycle Bin rules that retain a resource of `type` with
  // `tags` in `region`; 0 when none does (DEREG-9).
  virtual int RetentionDays(AccountId owner, Region region, RecycleBinResourceType type,
                            const TagSet& tags) const = 0;
  // When the Recycle Bin entry of the image or snapshot `id` leaves for good; nullopt when the
  // bin does not hold it.
  virtual std::optional<absl::Time> BinExit(const std::string& id) const = 0;
  // The organization `org`; nullptr when the cloud does not hold it.
  virtual const internal::OrganizationInfo* FindOrganization(const OrganizationId& org) const = 0;
  // The earliest scheduled work when it is due now; nullptr when none is.
  virtual const internal::PendingWork* DueWork() const = 0;
  // The tags `viewer` put on an image or snapshot `id` it does not own (SHARE-13); nullptr when
  // none.
  virtual const TagSet* ForeignTags(const std::string& id, AccountId viewer) const = 0;
  // The account's AWS managed aws/ebs key in the Region (KMS-2).
  virtual KmsKeyArn AwsManagedEbsKey(AccountId account, Region region) const = 0;
  // The account's Allowed AMIs setting in the Region as stored, criteria kept while disabled;
  // the default (disabled, no criteria) when none is (GOV-7).
  virtual AllowedImagesSettings StoredAllowedImages(AccountId account, Region region) const = 0;
  // The account's Recycle Bin rules in the Region as stored, sorted by id (DEREG-9).
  virtual std::vector<RetentionRule> BinRules(AccountId account, Region region) const = 0;
  // The image or snapshot the Recycle Bin holds, as it entered; nullptr when it holds none.
  virtual std::shared_ptr<const Image> BinnedImage(ImageId id) const = 0;
  virtual std::shared_ptr<const Snapshot> BinnedSnapshot(SnapshotId id) const = 0;
  // The IAM user or role `arn` of `account` (a role session, arn:aws:sts::…:assumed-role/R/S,
  // names its role R); nullptr when the cloud holds none.
  virtual const internal::IamPrincipal* FindPrincipal(AccountId account,
                                                      absl::string_view arn) const {
    (void)account;
    (void)arn;
    return nullptr;
  }
  // True when service control policies govern `account` (cheap: no policy is gathered).
  virtual bool GovernedByServiceControlPolicies(AccountId account) const {
    (void)account;
    return false;
  }
  // The service control policies that govern `account`, per level from its organization's root
  // down to the account; empty when none do (no organization holds a service control policy of
  // its own, or the account is the management account).
  virtual std::vector<ScpLevel> ServiceControlPolicies(AccountId account) const {
    (void)account;
    return {};
  }
  // The service control policy `id` (p-FullAWSAccess included); nullptr when none.
  virtual const internal::ServiceControlPolicy* FindServiceControlPolicy(
      absl::string_view id) const {
    (void)id;
    return nullptr;
  }
  // The ids of the policies attached to a root, OU or account, p-FullAWSAccess first unless
  // detached.
  virtual std::vector<std::string> AttachedServiceControlPolicies(absl::string_view target) const {
    (void)target;
    return {};
  }
  // The organization whose root (r-…), OU (ou-…) or account (12 digits) `target` is.
  virtual std::optional<OrganizationId> OrganizationOfTarget(absl::string_view target) const {
    (void)target;
    return std::nullopt;
  }
};

// ---- IAM principals and service control policies (IAM-1, IAM-2) ----------------------------------
// Setting a cloud up, as for accounts and organizations.

// Adds or replaces a user or role, its ARN made from `path` and its name (checked).
absl::StatusOr<internal::Plan> PlanPutPrincipal(const PlanView& view,
                                                internal::IamPrincipal principal,
                                                absl::string_view path);
// Adds or replaces a service control policy of `org` (its id checked).
absl::StatusOr<internal::Plan> PlanPutServiceControlPolicy(const PlanView& view,
                                                           const OrganizationId& org,
                                                           internal::ServiceControlPolicy policy);
// Attaches or detaches a policy; a target keeps at least one.
absl::StatusOr<internal::Plan> PlanScpAttachment(const PlanView& view, absl::string_view policy_id,
                                                 absl::string_view target, bool attach);

// A decision and, unless it denies now, what to commit.
struct Planned {
  Decision decision;
  internal::Plan plan;
};

// ---- Images -------------------------------------------------------------------------------------

struct RegisterImageCall {
  CallContext ctx;
  RegisterImageRequest request;
  std::vector<SnapshotId> snapshots;  // One per mapping, parsed.
  TagSet image_tags;
};
// REG-6, CREATE-17, ID-4. The new image's id is `plan.put_images.front()->id()`.
absl::StatusOr<Planned> PlanRegisterImage(const PlanView& view, const RegisterImageCall& call);

struct CopyImageCall {
  CallContext ctx;
  // The request as the caller gave it; outlives the call.
  const CopyImageRequest& request;
  CopyQuestion question;
  TagSet image_tags;
  TagSet snapshot_tags;
  // A KmsKeyId that is not a key identifier: the copy fails after the call (KMS-11).
  std::string unparsed_key;
};
// A CopyImage plan; `existing` is set when the ClientToken already made the copy (COPY-17).
struct PlannedCopy {
  Planned planned;
  std::optional<ImageId> existing;
  ImageId image = ImageId::Short(0);
};
// Fills `out`, which the caller keeps in place (a copy's plan is the hottest write); an error
// is a value the plan could not build.
absl::Status PlanCopyImage(const PlanView& view, const CopyImageCall& call, PlannedCopy* out);

// DEREG-1 … 3, DEREG-6, DEREG-9, COPY-1.
struct PlannedDeregister {
  Planned planned;
  std::vector<DeleteSnapshotResult> results;
};
PlannedDeregister PlanDeregisterImage(const PlanView& view, const CallContext& ctx, ImageId id,
                                      bool delete_associated_snapshots,
                                      bool by_backup = false);

// SNAP-4, DEREG-4, DEREG-9.
Planned PlanDeleteSnapshot(const PlanView& view, const CallContext& ctx, SnapshotId id);

// ---- Instances ----------------------------------------------------------------------------------

struct RunInstancesCall {
  CallContext ctx;
  LaunchQuestion question;
  AvailabilityZone zone;
  std::string instance_type;
  int count = 1;
  TagSet tags;
};
// LAUNCH-*, REG-5. The new instances are `plan.put_instances`, in order.
absl::StatusOr<Planned> PlanRunInstances(const PlanView& view, const RunInstancesCall& call);

enum class InstanceAction : uint8_t { kStop, kStart, kTerminate };
// Stop/Start/TerminateInstances: every instance checked before any changes.
absl::StatusOr<Planned> PlanInstanceAction(const PlanView& view, const CallContext& ctx,
                                           const std::vector<InstanceId>& ids, InstanceAction action);

struct CreateImageCall {
  CallContext ctx;
  CreateImageRequest request;
  InstanceId instance = InstanceId::Short(0);
  // The request's TagSpecifications: user tags only (the facade refuses aws: keys, MC-7; so
  // does the planner, with InvalidParameterValue).
  TagSet image_tags;
  TagSet snapshot_tags;
  // System tags a service inside libami puts on the new image and its snapshots, never taken
  // from a caller's request: the AWS Backup engine passes kBackupSourceResourceTag (ami/policy.h)
  // to make a backup-managed image (DEREG-5, BACKUP-2). Every key must start with aws: (else
  // InvalidParameterValue). IAM's aws:RequestTag conditions and the tag-on-create check see only
  // the user tags, as for AWS's own tags.
  TagSet service_tags;
};
// CREATE-1 … 7, 15, REG-6; CREATE-4: a running instance imaged without NoReboot is rebooted
// (`plan.put_instances`). The new image is `plan.put_images.front()`.
absl::StatusOr<Planned> PlanCreateImage(const PlanView& view, const CreateImageCall& call);

// ---- Image lifecycle ----------------------------------------------------------------------------

struct ImageLifecycleChange {
  enum class Kind : uint8_t {
    kEnableDeprecation,
    kDisableDeprecation,
    kDisable,
    kEnable,
    kEnableProtection,
    kDisableProtection,
  };
  Kind kind = Kind::kEnable;
  absl::Time deprecate_at;     // kEnableDeprecation
  bool with_cooldown = false;  // kEnableProtection
};
struct PlannedLifecycle {
  Planned planned;
  // The protection state the protection calls return (DEREG-6).
  std::string result;
};
// DEREG-6 … 8, SHARE-21.
absl::StatusOr<PlannedLifecycle> PlanImageLifecycle(const PlanView& view, const CallContext& ctx,
                                                    ImageId id, const ImageLifecycleChange& change);

// ---- Image attributes ---------------------------------------------------------------------------

// SHARE-1, 4, 6, 7, 9, 10, 14 … 17, 19 … 21: the permissions after the change, and a public
// image's deprecation clamped to its creation plus two years.
absl::StatusOr<Planned> PlanModifyLaunchPermission(const PlanView& view, const CallContext& ctx,
                                                   const ShareQuestion& q);
// SHARE-5, CREATE-18: the description or IMDS support (the request's value already checked).
absl::StatusOr<Planned> PlanModifyImageDetails(const PlanView& view, const CallContext& ctx,
                                               ImageId id, const ModifyImageAttributeRequest& r);
// SHARE-2: the launch permissions emptied.
absl::StatusOr<Planned> PlanResetLaunchPermission(const PlanView& view, const CallContext& ctx,
                                                  ImageId id);
// DESC-11: may the caller describe an attribute of the image `id` (IAM first, then its owner)?
Decision EvaluateDescribeImageAttribute(const PlanView& view, const CallContext& ctx,
                                        ImageId id);
// SHARE-8: the caller's own account removed from the launch permissions.
absl::StatusOr<Planned> PlanCancelLaunchPermission(const PlanView& view, const CallContext& ctx,
                                                   ImageId id);

// ---- The clock ----------------------------------------------------------------------------------

// The clock moved forward by `by` (a duration that is not positive leaves it).
internal::Plan PlanAdvanceClock(const PlanView& view, absl::Duration by);
// What completing the due `work` changes now (ASYNC-1 … 3, KMS-11, LAUNCH-9), the work leaving
// the queue; only that when the work no longer applies.
internal::Plan PlanCompletion(const PlanView& view, const internal::PendingWork& work);

// ---- Accounts and organizations -----------------------------------------------------------------
// Setting a cloud up: these fail with InvalidParameterValue (or InvalidParameterCombination) on
// inputs that contradict what the cloud holds, never on an AWS rule.

// A new organization with its management account (which must not belong to another).
absl::StatusOr<internal::Plan> PlanCreateOrganization(const PlanView& view,
                                                      const OrganizationId& org,
                                                      AccountId management,
                                                      const std::string& root_id);
// A new OU under `parent` (the root when unset).
absl::StatusOr<internal::Plan> PlanCreateOrganizationalUnit(
    const PlanView& view, const OrganizationId& org, const OrganizationalUnitId& ou,
    std::optional<OrganizationalUnitId> parent);
// A new account, standalone or in an organization (and OU).
absl::StatusOr<internal::Plan> PlanAddAccount(const PlanView& view, AccountId account,
                                              std::optional<OrganizationId> org,
                                              std::optional<OrganizationalUnitId> ou);

// ---- Seeding a cloud with existing resources -----------------------------------------------------

// OK when an image read from an account (Cloud::ImportImage, a state file) fits the view: a
// registered image's name is not in use by another of the owner's images in its Region (REG-6),
// and every EBS snapshot it maps is held in its Region and agrees with the mapping on encryption
// and key (the snapshot is the truth; inputs that disagree are refused, never resolved to the
// permissive side). `check_name` false skips REG-6 (checked as the file is read).
absl::Status CheckSeededImage(const StateView& view, const Image& image, bool check_name = true);

// ---- KMS keys, tags and snapshot permissions ----------------------------------------------------

// A key named in a KMS call: the reference as parsed, and the text it was given as.
struct KeyName {
  KmsKeyRef ref;
  std::string text;
};

// KMS-1: the new customer managed key, `plan.put_keys.front()`, its id drawn from the sequence.
absl::StatusOr<Planned> PlanCreateKey(const PlanView& view, const CallContext& ctx,
                                      const CreateKeyRequest& request);
// KMS-1, KMS-14: the replica of the caller's primary key in `replica_region`,
// `plan.put_keys.front()`: same id and material, no policy, grants, description or tags.
absl::StatusOr<Planned> PlanReplicateKey(const PlanView& view, const CallContext& ctx,
                                         const KeyName& key, Region replica_region);
// KMS-1, ID-13: `alias` (already checked as a new alias name) for the caller's key.
Planned PlanCreateAlias(const PlanView& view, const CallContext& ctx, const std::string& alias,
                        const KeyName& key);
// KMS-1, KMS-4: the caller's key with the policy `document` (the default key policy when
// unset) followed by `statements`.
absl::StatusOr<Planned> PlanPutKeyPolicy(const PlanView& view, const CallContext& ctx,
                                         const KeyName& key, std::optional<KeyPolicy> document,
                                         std::vector<KeyPolicyStatement> statements);
// KMS-1, KMS-4: a grant on the caller's key; its id is drawn from the sequence.
struct PlannedGrant {
  Planned planned;
  std::string grant_id;
};
absl::StatusOr<PlannedGrant> PlanCreateGrant(const PlanView& view, const CallContext& ctx,
                                             const KeyName& key, AccountId grantee,
                                             KmsActions operations);
// KMS-1, KMS-15: the caller's key enabled, disabled or (kPendingDeletion) scheduled for
// deletion `pending_window_days` (already checked: 7 to 30) from now.
absl::StatusOr<Planned> PlanKeyState(const PlanView& view, const CallContext& ctx,
                                     const KeyName& key, KeyState state, int pending_window_days = 0);

// May `caller` describe the key `key` names in `region` (ID-14, KMS-1, KMS-5)? Its own keys and
// AWS managed keys, and other accounts' keys whose policy or grants allow kms:DescribeKey; any
// other key is not found. `arn` receives the key an allowing decision is about.
Decision EvaluateDescribeKey(const StateView& view, AccountId caller, Region region,
                             const KeyName& key, std::optional<KmsKeyArn>* arn);

// DescribeKey as the caller of `ctx` asks it: EvaluateDescribeKey, then kms:DescribeKey
// authorized as KMS authorizes it (KeyCallDenialOf; KMS-5, IAM-7). A principal's call on
// another account's key is asked as that principal, not as its account's root user.
Decision EvaluateDescribeKeyAs(const PlanView& view, const CallContext& ctx, const KeyName& key,
                               std::optional<KmsKeyArn>* arn);

// SNAP-1 … 3: the snapshot with its create-volume permissions after the change.
absl::StatusOr<Planned> PlanModifySnapshotPermission(const PlanView& view,
                                                     const SnapshotShareQuestion& q);
// The same for a call of `ctx`, first authorized by IAM (ec2:ModifySnapshotAttribute on the
// snapshot, ec2:Attribute createVolumePermission).
absl::StatusOr<Planned> PlanModifySnapshotPermission(const PlanView& view, const CallContext& ctx,
                                                     const SnapshotShareQuestion& q);

// A resource CreateTags, DeleteTags and GetTags name, decoded (ID-3).
using TagResource = std::variant<ImageId, SnapshotId, InstanceId>;
// May `account` tag `resource` in `region` (ID-4, SHARE-13)? Its owner tags the resource itself;
// an account it is shared with (or, for a snapshot, public) keeps tags of its own on it.
// `owner` receives which.
Decision EvaluateTagAccess(const StateView& view, AccountId account, Region region,
                           const TagResource& resource, bool* owner = nullptr);
// The tags `account` sees on `resource`: the owner's own, or those the account put on it.
TagSet ViewerTags(const PlanView& view, const TagResource& resource, bool owner,
                  AccountId account);

// CreateTags (`add`) or DeleteTags (`remove_keys`) on every resource, each checked first.
struct TagChange {
  std::vector<TagResource> resources;
  bool remove = false;
  TagSet add;
  std::vector<std::string> remove_keys;
};
// ID-4, SHARE-13: owners' tags go in put_images/put_snapshots/put_instances, others' in
// set_foreign_tags. IAM first: ec2:CreateTags or ec2:DeleteTags on every resource, with the tags
// the caller sees on it and the request's tags (aws:RequestTag/…, aws:TagKeys: the keys deleted).
absl::StatusOr<Planned> PlanChangeTags(const PlanView& view, const CallContext& ctx,
                                       const TagChange& change);
// ---- Settings, Allowed AMIs and the Recycle Bin ---------------------------------------------

// One change of an account's settings in a Region; the request already decoded.
struct SettingsChange {
  enum class Kind : uint8_t {
    kEnableEncryptionByDefault,   // KMS-3
    kDisableEncryptionByDefault,  // KMS-3
    kResetDefaultKey,             // KMS-2
    kEnableImageBlock,            // SHARE-18, ASYNC-4: in effect 10 minutes later
    kDisableImageBlock,           // SHARE-18: at once
    kEnableSnapshotBlock,         // SNAP-3
    kDisableSnapshotBlock,        // SNAP-3
  };
  Kind kind = Kind::kEnableEncryptionByDefault;
  RegionSettings::SnapshotBlock snapshot_block = RegionSettings::SnapshotBlock::kUnblocked;
};
// The caller's whole settings in its Region after `change`.
Planned PlanSettingsChange(const PlanView& view, const CallContext& ctx, const SettingsChange& change);

// KMS-2: the key `text` (parsed as `ref`) as the default EBS key: it must resolve, and be
// symmetric when the state holds it (KMS-11: anything else is checked when the key is used).
Planned PlanModifyDefaultKey(const PlanView& view, const CallContext& ctx, const KmsKeyRef& ref,
                             const std::string& text);

// GOV-7: Enable (state enabled or audit-mode), Disable, or ReplaceImageCriteria (criteria
// already validated).
struct AllowedImagesChange {
  enum class Kind : uint8_t { kEnable, kDisable, kReplaceCriteria };
  Kind kind = Kind::kDisable;
  AllowedImagesState state = AllowedImagesState::kDisabled;  // kEnable
  std::vector<ImageCriterion> criteria;                      // kReplaceCriteria
};
Planned PlanAllowedImagesChange(const PlanView& view, const CallContext& ctx,
                                AllowedImagesChange change);

// DEREG-9: a new rule (the request's numbers and tags already checked); its id is drawn from
// the id sequence.
struct PlannedRule {
  Planned planned;
  std::string id;
};
PlannedRule PlanCreateRecycleBinRule(const PlanView& view, const CallContext& ctx,
                                     RecycleBinResourceType type, const CreateRuleRequest& request);

// DEREG-9: delete (unlocked rules only), lock (unlocked rules, `unlock_delay_days` checked) or
// unlock (locked rules: the unlock delay starts) one of the caller's rules.
enum class RuleAction : uint8_t { kDelete, kLock, kUnlock };
Planned PlanRecycleBinRule(const PlanView& view, const CallContext& ctx, const std::string& rule_id,
                           RuleAction action, int unlock_delay_days = 0);

// The Recycle Bin rule's lock state as of `now`: a pending unlock whose delay has passed is
// unlocked (DEREG-9).
RetentionRule CurrentRule(RetentionRule rule, absl::Time now);

// DEREG-10: the caller's image leaves the bin, with its shares, once its snapshots are restored
// and its name is free (REG-6).
Planned PlanRestoreImage(const PlanView& view, const CallContext& ctx, ImageId id);
// DEREG-10: the caller's snapshot leaves the bin.
Planned PlanRestoreSnapshot(const PlanView& view, const CallContext& ctx, SnapshotId id);

}  // namespace ami::policy

#endif  // AMI_LIB_POLICY_PLANNING_H_
