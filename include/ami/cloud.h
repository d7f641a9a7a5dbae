// Cloud: an in-memory AWS partition — accounts in organizations and OUs, and for each account and
// Region its EBS encryption settings, block-public-access settings, KMS keys, snapshots, images
// and instances — with EC2- and KMS-like operations.
//
// Every operation is called as an account in a Region, like the real API, and is atomic: a
// rejected call changes nothing. Each asks the policy engine (ami/policy.h) and turns a
// deny into an absl::Status carrying the AWS error code. DryRun answers `DryRunOperation` when the
// call would succeed. Created and copied images start `pending`; AdvanceClock() completes them,
// or fails them when KMS access is missing (ASYNC-1 … 3). Ids come from Options::seed, so runs
// are deterministic.
//
// Ids, ARNs, Regions and enum words are typed parameters: each is a value, or its text as the
// EC2 or KMS request carries it (Input<T>, ami/errors.h), decoded first, so that malformed text
// is answered with its AWS error code. Recycle Bin rule ids, alias names and tag keys are text.
//
// Thread-safety: all methods may be called from any thread. Reads and evaluations run
// concurrently with each other; operations that change state are serialized.
#ifndef AMI_CLOUD_H_
#define AMI_CLOUD_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ami/errors.h"
#include "ami/image.h"
#include "ami/instance.h"
#include "ami/kms_key.h"
#include "ami/policy.h"
#include "ami/requests.h"
#include "ami/snapshot.h"
#include "ami/state_view.h"

namespace ami {

namespace internal {
class CloudState;
struct CloudAccess;
// Keeps a parameter out of template deduction.
template <typename T>
struct Identity {
  using type = T;
};
}  // namespace internal

class Cloud {
 public:
  struct Options {
    // Seeds every generated id (images, snapshots, instances, volumes, keys, grants).
    uint64_t seed = 1;
    // The clock's start.
    absl::Time start_time = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z
    // How long a created, registered or copied image stays pending (ASYNC-1).
    absl::Duration image_pending = absl::Minutes(10);
    // How long a launched instance stays pending (ASYNC-3).
    absl::Duration instance_pending = absl::Minutes(1);
  };

  // An empty cloud.
  static std::unique_ptr<Cloud> Create(Options options);
  static std::unique_ptr<Cloud> Create() { return Create(Options()); }
  ~Cloud();
  Cloud(const Cloud&) = delete;
  Cloud& operator=(const Cloud&) = delete;

  // A what-if copy: changes to the fork do not touch this cloud, nor the reverse.
  std::unique_ptr<Cloud> Fork() const;

  // ---- Clock (rulebook §16) ----
  absl::Time Now() const;
  // Moves the clock forward and completes (or fails) the work due by then.
  void AdvanceClock(absl::Duration by);

  // ---- Accounts and organizations ----
  // Creates an organization with its management account (added as a member) and root id (r-…).
  absl::Status CreateOrganization(const OrganizationId& org, AccountId management,
                                  const Input<OrganizationRootId>& root_id);
  // Creates an OU under the root, or under `parent`.
  absl::Status CreateOrganizationalUnit(const OrganizationId& org, const OrganizationalUnitId& ou,
                                        std::optional<OrganizationalUnitId> parent = std::nullopt);
  // Adds an account, optionally as a member of `org`, in `ou` (or at the root). Accounts that are
  // never added act as standalone accounts.
  absl::Status AddAccount(AccountId account, std::optional<OrganizationId> org = std::nullopt,
                          std::optional<OrganizationalUnitId> ou = std::nullopt);

  // ---- Seeding: existing resources put in as they are, as an inventory import does ----
  // Each id must be new. An image that is not deregistered needs its snapshots, in its Region,
  // and a name its owner does not use there yet (REG-6). Keys named by snapshots or volumes need
  // not exist: using a missing key fails as in AWS. Pending resources complete on the clock.
  // Importing a public image turns image block public access off for its owner and Region,
  // as AWS did for accounts with public AMIs (SHARE-19), unless the account chose it itself.
  // Customer managed and AWS managed keys alike, with their real ids (an AWS managed key is
  // used only by its own account, KMS-1).
  absl::Status ImportKey(const KmsKey& key);
  // An existing alias of `account` in `region`, as `kms list-aliases` prints it: `alias/aws/ebs`
  // may name only an AWS managed key of that account and Region held already, which becomes the
  // account's aws/ebs key there (KMS-2); any other alias follows CreateAlias's rules.
  absl::Status ImportAlias(AccountId account, Region region, const std::string& alias,
                           const KmsKeyArn& key);
  absl::Status ImportSnapshot(const Snapshot& snapshot);
  absl::Status ImportImage(const Image& image);
  absl::Status ImportInstance(const Instance& instance);
  // The tags `account` put on another account's image or snapshot the cloud holds — what that
  // account's describe-images or describe-snapshots prints as Tags (SHARE-13). Empty tags drop
  // them. The resource's owner is `InvalidParameterValue` (its tags are the resource's own); a
  // resource the cloud does not hold is its NotFound code.
  absl::Status ImportForeignTags(AccountId account, const ResourceId& resource, const TagSet& tags);

  // ---- Account settings, per Region ----
  absl::Status EnableEbsEncryptionByDefault(const CallContext& ctx);
  absl::Status DisableEbsEncryptionByDefault(const CallContext& ctx);
  // Sets the default EBS key (KMS-2) to a symmetric customer managed key, named in any form.
  absl::Status ModifyEbsDefaultKmsKeyId(const CallContext& ctx,
                                        const Input<KmsKeyRef>& kms_key_id);
  absl::Status ResetEbsDefaultKmsKeyId(const CallContext& ctx);
  absl::Status EnableImageBlockPublicAccess(const CallContext& ctx);
  absl::Status DisableImageBlockPublicAccess(const CallContext& ctx);
  // kBlockAllSharing or kBlockNewSharing (SNAP-3).
  absl::Status EnableSnapshotBlockPublicAccess(const CallContext& ctx,
                                               const Input<SnapshotBlockPublicAccessState>& state);
  absl::Status DisableSnapshotBlockPublicAccess(const CallContext& ctx);
  RegionSettings GetSettings(AccountId account, Region region) const;
  // "block-new-sharing" or "unblocked". Enabling takes effect after 10 minutes on the clock,
  // and until then this still says "unblocked" (SHARE-18, ASYNC-4).
  std::string GetImageBlockPublicAccessState(AccountId account, Region region) const;
  // "block-all-sharing", "block-new-sharing" or "unblocked" (SNAP-3).
  std::string GetSnapshotBlockPublicAccessState(AccountId account, Region region) const;

  // ---- Allowed AMIs, per account and Region (GOV-7 … 9, LAUNCH-8, DESC-9, COPY-16) ----
  // `state` is kEnabled or kAuditMode.
  absl::Status EnableAllowedImagesSettings(const CallContext& ctx,
                                           const Input<AllowedImagesState>& state);
  absl::Status DisableAllowedImagesSettings(const CallContext& ctx);
  // Replaces the whole criteria list (ValidateImageCriteria).
  absl::Status ReplaceImageCriteriaInAllowedImagesSettings(const CallContext& ctx,
                                                           std::vector<ImageCriterion> criteria);
  AllowedImagesSettings GetAllowedImagesSettings(AccountId account, Region region) const;

  // ---- Image lifecycle (DEREG-6 … 8, SHARE-21) ----
  // Deprecates the image at `deprecate_at`, rounded to the nearest minute: not in the past, at
  // most 10 years ahead, and for a public image not after its creation plus 2 years.
  absl::Status EnableImageDeprecation(const CallContext& ctx, const Input<ImageId>& image_id,
                                      absl::Time deprecate_at);
  // Cancels deprecation; a public image must be made private first (SHARE-21).
  absl::Status DisableImageDeprecation(const CallContext& ctx, const Input<ImageId>& image_id);
  // Disables an available image: it becomes private, its shares are dropped for good (DEREG-8).
  absl::Status DisableImage(const CallContext& ctx, const Input<ImageId>& image_id);
  // Makes a disabled image available again, without its former shares.
  absl::Status EnableImage(const CallContext& ctx, const Input<ImageId>& image_id);
  // Returns the new protection state: "enabled", "enabled-with-cooldown" (DEREG-6).
  absl::StatusOr<std::string> EnableImageDeregistrationProtection(const CallContext& ctx,
                                                                  const Input<ImageId>& image_id,
                                                                  bool with_cooldown = false);
  // Returns "disabled", or "disabled-until-<time>" when a cooldown keeps protection for 24 h.
  absl::StatusOr<std::string> DisableImageDeregistrationProtection(const CallContext& ctx,
                                                                   const Input<ImageId>& image_id);

  // ---- Recycle Bin (DEREG-9, DEREG-10) ----
  // Creates a retention rule in the caller's account and Region; returns its id. Deregistered
  // EBS-backed images and deleted snapshots that a rule retains enter the bin for the longest
  // retention of the rules that retain them, and are deleted for good when it ends.
  absl::StatusOr<std::string> CreateRecycleBinRule(const CallContext& ctx,
                                                   const CreateRuleRequest& request);
  // Fails for a locked rule, and for one whose unlock delay has not passed.
  absl::Status DeleteRecycleBinRule(const CallContext& ctx, const std::string& rule_id);
  absl::Status LockRecycleBinRule(const CallContext& ctx, const std::string& rule_id,
                                  int unlock_delay_days);
  // Starts the unlock delay; the rule is unlocked when it has passed.
  absl::Status UnlockRecycleBinRule(const CallContext& ctx, const std::string& rule_id);
  // The rules of the account and Region, by id, with their lock state as of now.
  std::vector<RetentionRule> ListRecycleBinRules(AccountId account, Region region) const;
  // What the caller's Recycle Bin holds in its Region; empty for a principal IAM does not allow
  // ec2:ListImagesInRecycleBin (or ec2:ListSnapshotsInRecycleBin) (IAM-8).
  std::vector<RecycleBinImage> ListImagesInRecycleBin(const CallContext& ctx) const;
  std::vector<RecycleBinSnapshot> ListSnapshotsInRecycleBin(const CallContext& ctx) const;
  // Restores an image whose snapshots all exist outside the bin; its shares come back.
  absl::Status RestoreImageFromRecycleBin(const CallContext& ctx, const Input<ImageId>& image_id);
  absl::Status RestoreSnapshotFromRecycleBin(const CallContext& ctx,
                                             const Input<SnapshotId>& snapshot_id);

  // ---- KMS ----
  absl::StatusOr<KmsKeyArn> CreateKey(const CallContext& ctx, const CreateKeyRequest& request);
  // Replicates the multi-Region key (a key ARN or id in the caller's Region) into `replica_region`.
  absl::StatusOr<KmsKeyArn> ReplicateKey(const CallContext& ctx, const Input<KmsKeyRef>& key_id,
                                         const Input<Region>& replica_region);
  // Creates `alias` (alias/…, not alias/aws/…) for a key of the caller's account and Region.
  absl::Status CreateAlias(const CallContext& ctx, const std::string& alias,
                           const Input<KmsKeyRef>& key_id);
  // Replaces the key policy with the default key policy (KMS-4) followed by `policy`.
  absl::Status PutKeyPolicy(const CallContext& ctx, const Input<KmsKeyRef>& key_id,
                            std::vector<KeyPolicyStatement> policy);
  // Replaces the key policy with the document `policy`, as KMS's PutKeyPolicy.
  absl::Status PutKeyPolicy(const CallContext& ctx, const Input<KmsKeyRef>& key_id,
                            const KeyPolicy& policy);
  // Grants `grantee` the operations; returns the grant id.
  absl::StatusOr<std::string> CreateGrant(const CallContext& ctx, const Input<KmsKeyRef>& key_id,
                                          AccountId grantee, KmsActions operations);
  absl::Status EnableKey(const CallContext& ctx, const Input<KmsKeyRef>& key_id);
  absl::Status DisableKey(const CallContext& ctx, const Input<KmsKeyRef>& key_id);
  // PendingDeletion for 7–30 days, then the key is deleted by AdvanceClock().
  absl::Status ScheduleKeyDeletion(const CallContext& ctx, const Input<KmsKeyRef>& key_id,
                                   int pending_window_days = 30);
  // The key named in any form, as the caller may see it (AWS managed keys included).
  absl::StatusOr<KmsKey> DescribeKey(const CallContext& ctx, const Input<KmsKeyRef>& key_id) const;

  // ---- Instances ----
  absl::StatusOr<std::vector<InstanceId>> RunInstances(const CallContext& ctx,
                                                       const RunInstancesRequest& request);
  absl::Status StopInstances(const CallContext& ctx, const InputList<InstanceId>& instance_ids);
  absl::Status StartInstances(const CallContext& ctx, const InputList<InstanceId>& instance_ids);
  absl::Status TerminateInstances(const CallContext& ctx,
                                  const InputList<InstanceId>& instance_ids);

  // ---- Images and snapshots ----
  // Without NoReboot, a running instance is rebooted: its reboot count and last reboot time
  // change, and it is running again when the call returns (CREATE-4, MC-84).
  absl::StatusOr<ImageId> CreateImage(const CallContext& ctx, const CreateImageRequest& request);
  absl::StatusOr<ImageId> RegisterImage(const CallContext& ctx, const RegisterImageRequest& request);
  // Called in the destination Region (REG-3).
  absl::StatusOr<ImageId> CopyImage(const CallContext& ctx, const CopyImageRequest& request);
  absl::Status ModifyImageAttribute(const CallContext& ctx,
                                    const ModifyImageAttributeRequest& request);
  // Only kLaunchPermission can be reset (SHARE-2).
  absl::Status ResetImageAttribute(const CallContext& ctx, const Input<ImageId>& image_id,
                                   const Input<ImageAttributeName>& attribute);
  absl::Status CancelImageLaunchPermission(const CallContext& ctx, const Input<ImageId>& image_id);
  // Any ImageAttributeName but kBlockDeviceMapping, which is AuthFailure (DESC-11).
  absl::StatusOr<ImageAttribute> DescribeImageAttribute(
      const CallContext& ctx, const Input<ImageId>& image_id,
      const Input<ImageAttributeName>& attribute) const;
  absl::Status ModifySnapshotAttribute(const CallContext& ctx,
                                       const ModifySnapshotAttributeRequest& request);
  // An image AWS Backup manages (policy::IsBackupManaged) is refused with InvalidParameterValue
  // (DEREG-5, MC-83); a protected one with OperationNotPermitted (DEREG-6).
  absl::StatusOr<std::vector<DeleteSnapshotResult>> DeregisterImage(
      const CallContext& ctx, const Input<ImageId>& image_id,
      bool delete_associated_snapshots = false);
  absl::Status DeleteSnapshot(const CallContext& ctx, const Input<SnapshotId>& snapshot_id);

  // ---- Discovery (DESC-1 … 10, 12) ----
  // Served from indexes by owner, grantee account, organization and OU, the public set, tag and
  // name prefix: a selective query costs in proportion to what it returns.
  absl::StatusOr<DescribeImagesResult> DescribeImages(const CallContext& ctx,
                                                      const DescribeImagesRequest& request) const;
  absl::StatusOr<DescribeSnapshotsResult> DescribeSnapshots(
      const CallContext& ctx, const DescribeSnapshotsRequest& request) const;
  // The caller's instances in the Region with the image each was launched from (GOV-9), served
  // from an index of instances by owner and Region: the cost is in proportion to the caller's
  // instances there. Needs ec2:DescribeInstanceImageMetadata.
  absl::StatusOr<DescribeInstanceImageMetadataResult> DescribeInstanceImageMetadata(
      const CallContext& ctx, const DescribeInstanceImageMetadataRequest& request) const;

  // ---- Tags (SHARE-13: each account sees its own tags on resources it does not own) ----
  absl::Status CreateTags(const CallContext& ctx, const InputList<ResourceId>& resource_ids,
                          const std::vector<std::pair<std::string, std::string>>& tags);
  // Keys with the aws: prefix are AWS's: CreateTags refuses them (MC-7), DeleteTags too (MC-85).
  absl::Status DeleteTags(const CallContext& ctx, const InputList<ResourceId>& resource_ids,
                          const std::vector<std::string>& keys);
  // The tags `viewer` sees on the image, snapshot or instance `resource_id`.
  absl::StatusOr<TagSet> GetTags(AccountId viewer, const Input<ResourceId>& resource_id) const;

  // ---- Reads (the owner's view; nullopt when absent) ----
  std::optional<Image> GetImage(ImageId id) const;
  std::optional<Snapshot> GetSnapshot(SnapshotId id) const;
  std::optional<Instance> GetInstance(InstanceId id) const;
  std::optional<KmsKey> GetKey(const KmsKeyArn& arn) const;
  // True for the AWS managed aws/ebs key of its account and Region (KMS-1, KMS-2).
  bool IsAwsManagedKey(const KmsKeyArn& arn) const;
  // The accounts added with CreateOrganization or AddAccount, sorted.
  std::vector<AccountId> ListAccounts() const;
  // The organization an account belongs to, if any.
  std::optional<OrganizationId> AccountOrganization(AccountId account) const;
  // Every image, snapshot, instance and customer managed key, sorted by id.
  std::vector<Image> ListImages() const;
  std::vector<Snapshot> ListSnapshots() const;
  std::vector<Instance> ListInstances() const;
  std::vector<KmsKey> ListKeys() const;

  // ---- Preflight: evaluate policy questions against a consistent view of the state ----
  // Asks one question of the policy engine under a read lock, for example
  // `cloud.Evaluate(policy::EvaluateLaunch, question)` or, with its plan,
  // `cloud.Evaluate(policy::EvaluateCopy, question, &copy_plan)`. `ask` is a plain function (no
  // captures), the question and the plan are values: nothing the view owns can outlive the lock.
  template <typename Q>
  Decision Evaluate(Decision (*ask)(const StateView&, const Q&),
                    const typename internal::Identity<Q>::type& question) const {
    return Evaluate([&](const StateView& view) { return ask(view, question); });
  }
  template <typename Q, typename Plan>
  Decision Evaluate(Decision (*ask)(const StateView&, const Q&, Plan*),
                    const typename internal::Identity<Q>::type& question,
                    Plan* plan = nullptr) const {
    return Evaluate([&](const StateView& view) { return ask(view, question, plan); });
  }

  // Runs `evaluate` under a read lock, to combine several questions (any ami/policy.h function
  // may be called in it). The view and every pointer it returns are valid only inside
  // `evaluate`: copy a value to keep it. The Decision owns its data.
  Decision Evaluate(absl::FunctionRef<Decision(const StateView&)> evaluate) const;

  // True when both clouds hold the same state: clock, ids to come, accounts, settings, keys,
  // aliases, images, snapshots, instances, tags, tokens and pending work.
  bool StateEquals(const Cloud& other) const;

 private:
  friend struct internal::CloudAccess;
  explicit Cloud(std::unique_ptr<internal::CloudState> state);
  std::unique_ptr<internal::CloudState> state_;
};

}  // namespace ami

#endif  // AMI_CLOUD_H_
