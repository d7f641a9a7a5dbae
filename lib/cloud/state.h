// The Cloud's tables and indexes, and the StateView over them. Internal to libami.
//
// Every mutation goes through the Put*/Remove* helpers, which keep the indexes (names, snapshot
// users, public counts) in step with the tables. Callers hold the Cloud's mutex.
#ifndef AMI_LIB_CLOUD_STATE_H_
#define AMI_LIB_CLOUD_STATE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "ami/cloud.h"
#include "ami/state_view.h"
#include "ami/policy.h"
#include "automation/automation_state.h"
#include "cloud/image_index.h"
#include "cloud/rw_lock.h"
#include "cloud/value_table.h"
#include "policy/planning.h"
#include "values/value_sharing.h"

namespace ami::internal {

// The alias of every account's AWS managed EBS key (KMS-2).
inline constexpr absl::string_view kAwsEbsAlias = "alias/aws/ebs";


// A resource in the Recycle Bin: as it was before it entered, and when it leaves for good.
template <typename T>
struct BinEntry {
  std::shared_ptr<const T> resource;
  absl::Time enter_time;
  absl::Time exit_time;

  friend bool operator==(const BinEntry& a, const BinEntry& b) {
    return *a.resource == *b.resource && a.enter_time == b.enter_time &&
           a.exit_time == b.exit_time;
  }
};

// The cloud's state. The tables are private: the one writer (Commit, and its bulk form,
// StateLoader) changes them, everything else reads them through the const accessors, the
// StateView and the PlanView. Every table is guarded by `mu`: readers hold it shared, the
// writer holds it alone (callers take it; the methods here do not).
class CloudState final : public policy::PlanView {
 public:
  // Set when the cloud is made (or loaded); not changed after.
  Cloud::Options options;
  // Readers share it; operations that change state hold it alone.
  mutable RwLock mu;

  CloudState() = default;
  // A deep copy for Fork(): tables copy their shared immutable values.
  std::unique_ptr<CloudState> Clone() const ABSL_SHARED_LOCKS_REQUIRED(mu);
  // Same content, table by table (shared values compared by value).
  bool SameAs(const CloudState& other) const ABSL_SHARED_LOCKS_REQUIRED(mu, other.mu);

  // ---- StateView ----
  const Image* FindImage(ImageId id) const ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  const Snapshot* FindSnapshot(SnapshotId id) const ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  const Instance* FindInstance(InstanceId id) const ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  const AccountInfo* FindAccount(AccountId id) const ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  std::optional<AccountId> OrganizationManagement(const OrganizationId& org) const ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  RegionSettings Settings(AccountId account, Region region) const ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  KeyFacts FindKey(const KmsKeyArn& arn) const ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  std::optional<KmsKeyArn> FindAlias(AccountId account, Region region,
                                     absl::string_view alias) const ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  std::optional<ImageId> FindImageByName(AccountId owner, Region region,
                                         absl::string_view name) const ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  int ImagesUsingSnapshot(SnapshotId id) const ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  int PublicImageCount(AccountId owner, Region region) const ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  const AllowedImagesSettings* AllowedImages(AccountId account, Region region) const ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  absl::Time Now() const ABSL_SHARED_LOCKS_REQUIRED(mu) override { return now_; }

  // ---- PlanView ----
  IdSequence Ids() const ABSL_SHARED_LOCKS_REQUIRED(mu) override { return IdSequence(options.seed, next_id_); }
  absl::Duration ImagePending() const override { return options.image_pending; }
  absl::Duration InstancePending() const override { return options.instance_pending; }
  const TokenEntry* FindClientToken(const TokenKey& key) const ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  std::optional<ImageId> CreatingImageFrom(InstanceId instance) const ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  int RetentionDays(AccountId owner, Region region, RecycleBinResourceType type,
                    const TagSet& tags) const ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  std::optional<absl::Time> BinExit(const std::string& id) const ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  const OrganizationInfo* FindOrganization(const OrganizationId& org) const ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  const PendingWork* DueWork() const ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  const TagSet* ForeignTags(const std::string& id, AccountId viewer) const ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  AllowedImagesSettings StoredAllowedImages(AccountId account, Region region) const ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  std::vector<RetentionRule> BinRules(AccountId account, Region region) const ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  std::shared_ptr<const Image> BinnedImage(ImageId id) const ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  std::shared_ptr<const Snapshot> BinnedSnapshot(SnapshotId id) const ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  const IamPrincipal* FindPrincipal(AccountId account, absl::string_view arn) const
      ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  bool GovernedByServiceControlPolicies(AccountId account) const
      ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  std::vector<policy::ScpLevel> ServiceControlPolicies(AccountId account) const
      ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  const ServiceControlPolicy* FindServiceControlPolicy(absl::string_view id) const
      ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  std::vector<std::string> AttachedServiceControlPolicies(absl::string_view target) const
      ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  std::optional<OrganizationId> OrganizationOfTarget(absl::string_view target) const
      ABSL_SHARED_LOCKS_REQUIRED(mu) override;

  // ---- The one writer ----
  // Applies everything `plan` holds, in the order Plan declares, keeping the indexes. Every
  // value was built and checked when the plan was made, so nothing here can fail.
  void Commit(Plan&& plan) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  // The AWS managed aws/ebs key of an account in a Region (KMS-2): the imported key that the
  // account's alias/aws/ebs names, else one derived from the seed, never stored.
  KmsKeyArn AwsManagedEbsKey(AccountId account, Region region) const
      ABSL_SHARED_LOCKS_REQUIRED(mu) override;
  // Whether `arn` is the derived aws/ebs key of its account and Region; no lock, no interning.
  bool IsAwsManagedEbsKey(const KmsKeyArn& arn) const;
  // The settings as stored (a pending block public access not yet applied), or the defaults.
  RegionSettings StoredSettings(AccountId account, Region region) const
      ABSL_SHARED_LOCKS_REQUIRED(mu);

  // ---- Read access to the tables (the caller holds `mu`) ----
  uint64_t next_id() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return next_id_; }
  const auto& accounts() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return accounts_; }
  const auto& organizations() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return organizations_; }
  const auto& settings() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return settings_; }
  const auto& keys() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return keys_; }
  const auto& aliases() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return aliases_; }
  const auto& images() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return images_; }
  const auto& snapshots() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return snapshots_; }
  const auto& instances() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return instances_; }
  // The ids of `account`'s instances in `region`; nullptr when it has none.
  const std::vector<InstanceId>* InstancesOf(AccountId account, Region region) const
      ABSL_SHARED_LOCKS_REQUIRED(mu) {
    auto it = instances_by_owner_.find(AccountRegion{account, region});
    return it == instances_by_owner_.end() ? nullptr : &it->second;
  }
  const auto& image_names() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return image_names_; }
  const auto& snapshot_users() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return snapshot_users_; }
  const auto& public_images() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return public_images_; }
  const auto& foreign_tags() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return foreign_tags_; }
  const auto& client_tokens() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return client_tokens_; }
  const auto& creating_from() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return creating_from_; }
  const auto& pending() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return pending_; }
  const auto& allowed_images() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return allowed_images_; }
  const auto& bin_rules() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return bin_rules_; }
  const auto& bin_images() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return bin_images_; }
  const auto& bin_snapshots() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return bin_snapshots_; }
  const auto& image_index() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return image_index_; }
  const auto& snapshot_index() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return snapshot_index_; }
  const auto& sharing() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return sharing_; }
  const auto& principals() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return principals_; }
  const auto& scps() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return scps_; }
  const auto& scp_attachments() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return scp_attachments_; }
  const auto& full_access_detached() const ABSL_SHARED_LOCKS_REQUIRED(mu) {
    return full_access_detached_;
  }
  // The automation's definitions and queue (lib/automation). Unlike the resource tables, they
  // are changed in place by the automation's own code, under the writer lock; the resources
  // automation touches change only through plans and Commit.
  const AutomationState& automation() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return automation_; }
  AutomationState& mutable_automation() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return automation_; }

 private:
  friend class StateLoader;
  // The steps of Commit (lib/cloud/commit.cc).
  friend struct CommitSteps;

  // ---- Mutations that keep the indexes ----
  // Each takes the value with its parts shared through `sharing` (a value whose parts are
  // not shared yet is copied once).
  void PutImage(std::shared_ptr<const Image> image) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  void PutSnapshot(std::shared_ptr<const Snapshot> snapshot) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Adds or replaces an instance.
  void PutInstance(Instance instance) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  void RemoveSnapshot(SnapshotId id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Sets (or, when empty, drops) the tags `account` put on another account's image or snapshot
  // `id` in `region`.
  void SetForeignTags(const std::string& id, Region region, AccountId account, TagSet tags) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Drops every account's tags on the image or snapshot `id` in `region`.
  void DropForeignTags(const std::string& id, Region region) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  void Schedule(absl::Duration after, PendingWork work) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Ends the NoReboot CreateImage in progress that made `image`, if any (CREATE-15).
  void ReleaseCreateImage(const Image& image) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  absl::Time now_ ABSL_GUARDED_BY(mu);
  uint64_t next_id_ ABSL_GUARDED_BY(mu) = 0;

  absl::flat_hash_map<AccountId, AccountInfo> accounts_ ABSL_GUARDED_BY(mu);
  absl::flat_hash_map<OrganizationId, OrganizationInfo> organizations_ ABSL_GUARDED_BY(mu);
  absl::flat_hash_map<AccountRegion, RegionSettings> settings_ ABSL_GUARDED_BY(mu);
  absl::flat_hash_map<KmsKeyArn, std::shared_ptr<const KmsKey>> keys_ ABSL_GUARDED_BY(mu);
  // (account, Region, alias name) → key.
  absl::flat_hash_map<std::tuple<AccountId, Region, std::string>, KmsKeyArn> aliases_ ABSL_GUARDED_BY(mu);
  absl::flat_hash_map<ImageId, std::shared_ptr<const Image>> images_ ABSL_GUARDED_BY(mu);
  absl::flat_hash_map<SnapshotId, std::shared_ptr<const Snapshot>> snapshots_ ABSL_GUARDED_BY(mu);
  ValueTable<InstanceId, Instance> instances_ ABSL_GUARDED_BY(mu);
  // Instances by owner and Region, in the order they arrived (instances never change either).
  absl::flat_hash_map<AccountRegion, std::vector<InstanceId>> instances_by_owner_ ABSL_GUARDED_BY(mu);
  // Indexes.
  absl::flat_hash_map<std::tuple<AccountId, Region, std::string>, ImageId> image_names_ ABSL_GUARDED_BY(mu);
  absl::flat_hash_map<SnapshotId, int> snapshot_users_ ABSL_GUARDED_BY(mu);
  absl::flat_hash_map<AccountRegion, int> public_images_ ABSL_GUARDED_BY(mu);
  // Tags that accounts other than the owner put on resources (SHARE-13): resource id → account.
  absl::flat_hash_map<std::string, std::map<AccountId, TagSet>> foreign_tags_ ABSL_GUARDED_BY(mu);
  absl::flat_hash_map<std::tuple<AccountId, Region, std::string>, TokenEntry> client_tokens_ ABSL_GUARDED_BY(mu);
  // Instances with a NoReboot CreateImage in progress (CREATE-15): instance → pending image.
  absl::flat_hash_map<InstanceId, ImageId> creating_from_ ABSL_GUARDED_BY(mu);
  // Work due at a time, in the order it was scheduled.
  std::multimap<absl::Time, PendingWork> pending_ ABSL_GUARDED_BY(mu);
  // Allowed AMIs settings that are not the default (disabled, no criteria).
  absl::flat_hash_map<AccountRegion, AllowedImagesSettings> allowed_images_ ABSL_GUARDED_BY(mu);
  // Recycle Bin rules, sorted by id, and contents.
  absl::flat_hash_map<AccountRegion, std::vector<RetentionRule>> bin_rules_ ABSL_GUARDED_BY(mu);
  absl::flat_hash_map<ImageId, BinEntry<Image>> bin_images_ ABSL_GUARDED_BY(mu);
  absl::flat_hash_map<SnapshotId, BinEntry<Snapshot>> bin_snapshots_ ABSL_GUARDED_BY(mu);
  // Derived indexes for discovery, kept by PutImage, PutSnapshot, RemoveSnapshot and
  // SetForeignTags.
  // IAM users and roles by ARN, and roles by (account, name) for role sessions.
  absl::flat_hash_map<std::string, std::shared_ptr<const IamPrincipal>> principals_ ABSL_GUARDED_BY(mu);
  absl::flat_hash_map<std::pair<AccountId, std::string>, std::string> role_names_ ABSL_GUARDED_BY(mu);
  // Service control policies by id; the ids attached to each target (r-…, ou-…, account id);
  // targets FullAWSAccess was detached from.
  absl::flat_hash_map<std::string, std::shared_ptr<const ServiceControlPolicy>> scps_ ABSL_GUARDED_BY(mu);
  absl::flat_hash_map<std::string, std::vector<std::string>> scp_attachments_ ABSL_GUARDED_BY(mu);
  absl::flat_hash_set<std::string> full_access_detached_ ABSL_GUARDED_BY(mu);
  // Organizations that hold a service control policy of their own: only their accounts are
  // governed by SCPs.
  absl::flat_hash_set<std::string> scp_orgs_ ABSL_GUARDED_BY(mu);
  ImageIndex image_index_ ABSL_GUARDED_BY(mu);
  SnapshotIndex snapshot_index_ ABSL_GUARDED_BY(mu);
  // One copy of each distinct tag set and instance body the tables hold.
  ValueSharing::Pool sharing_ ABSL_GUARDED_BY(mu);
  AutomationState automation_ ABSL_GUARDED_BY(mu);

};

// The bulk form of the one writer: what loading a state file and seeding a cloud with existing
// resources (Cloud::Import*, AWS CLI import) add to a state, entry by entry, keeping the indexes.
// The caller decodes and checks; each Add* refuses (returns false, changing nothing) an entry
// whose key the state holds already. The caller holds the state's writer lock (or owns a state
// no one else sees).
// Its methods are not checked by the lock analysis: a loader may also fill a state that no other
// thread can see yet, without its lock.
class StateLoader {
 public:
  explicit StateLoader(CloudState& s) : s_(s) {}

  // The header of a state file: the options, the clock and the id sequence.
  void SetClock(const Cloud::Options& options, absl::Time now, uint64_t next_id);
  bool AddOrganization(const OrganizationId& id, OrganizationInfo info);
  bool AddAccount(AccountInfo info);
  bool AddSettings(AccountId account, Region region, const RegionSettings& settings);
  // Adds or replaces the settings.
  void PutSettings(AccountId account, Region region, const RegionSettings& settings);
  // Adds or replaces an alias.
  void PutAlias(AccountId account, Region region, const std::string& alias, const KmsKeyArn& key);
  void SetForeignTags(const std::string& id, Region region, AccountId account, TagSet tags);
  void AddPending(absl::Time at, PendingWork work);
  void PutClientToken(TokenKey key, TokenEntry entry);
  void PutCreating(InstanceId instance, ImageId image);
  bool AddAllowedImages(AccountId account, Region region, AllowedImagesSettings settings);
  // Appends a Recycle Bin rule; false when its id does not sort after the rules held.
  bool AppendRule(AccountId account, Region region, RetentionRule rule);
  bool AddBinImage(BinEntry<Image> entry);
  // False also when the snapshot is held outside the bin.
  bool AddBinSnapshot(BinEntry<Snapshot> entry);
  bool AddKey(KmsKey key);
  // Each shares the value's parts through the state's pool.
  bool AddSnapshot(Snapshot snapshot);
  bool AddImage(Image image);
  bool AddInstance(Instance instance);
  // Room for `n` entries of a table, sized before they arrive.
  void ReserveSnapshots(size_t n);
  void ReserveImages(size_t n);
  void ReserveInstances(size_t n);

 private:
  CloudState& s_;
};

// Library-internal access to a Cloud's state (state files, imports).
struct CloudAccess {
  static CloudState& State(const Cloud& cloud) { return *cloud.state_; }
  static std::unique_ptr<Cloud> Wrap(std::unique_ptr<CloudState> state) {
    return std::unique_ptr<Cloud>(new Cloud(std::move(state)));
  }
};

// Whether an image state holds its name and snapshots (REG-6, SNAP-4): every state but
// deregistered.
bool IsRegistered(ImageState state);

// OK, or the DryRunOperation error when `ctx.dry_run` (CREATE-16).
absl::Status DryRunCheck(const CallContext& ctx);

}  // namespace ami::internal

#endif  // AMI_LIB_CLOUD_STATE_H_
