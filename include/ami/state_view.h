// What the policy engine reads besides the resources: StateView and the facts it exposes, and the
// governance values the Cloud holds per account and Region (Allowed AMIs, Recycle Bin).
// Thread-safe: plain values and pure functions; StateView implementations must allow
// concurrent calls.
#ifndef AMI_STATE_VIEW_H_
#define AMI_STATE_VIEW_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ami/arns.h"
#include "ami/attributes.h"
#include "ami/errors.h"
#include "ami/ids.h"
#include "ami/image.h"
#include "ami/instance.h"
#include "ami/kms_key.h"
#include "ami/snapshot.h"

namespace ami {

// What governs an image over its life besides its own fields: the Allowed AMIs setting of an
// account and Region (GOV-7 … 9) and Recycle Bin retention rules and their contents (DEREG-9,
// DEREG-10). Plain values; the Cloud stores them and its operations change them.
// Thread-safe: everything here is a value or a pure function.

// Bounds of the Allowed AMIs criteria (GOV-8).
inline constexpr size_t kMaxImageCriteria = 10;
inline constexpr size_t kMaxImageProviders = 200;
inline constexpr size_t kMaxImageNames = 50;
inline constexpr size_t kMaxMarketplaceProductCodes = 50;

// One ImageCriterion (GOV-8): its parameters are ANDed, the values within one parameter ORed;
// an empty or unset parameter does not constrain.
struct ImageCriterion {
  // "amazon", "aws-marketplace", "aws-backup-vault", 12-digit account ids, or "none" alone.
  std::vector<std::string> image_providers;
  // Exact names or patterns with `*` (any run) and `?` (any one character).
  std::vector<std::string> image_names;
  std::vector<std::string> marketplace_product_codes;
  // CreationDateCondition.MaximumDaysSinceCreated.
  std::optional<int> maximum_days_since_created;
  // DeprecationTimeCondition.MaximumDaysSinceDeprecated; 0 allows no deprecated image.
  std::optional<int> maximum_days_since_deprecated;

  friend bool operator==(const ImageCriterion& a, const ImageCriterion& b) {
    return a.image_providers == b.image_providers && a.image_names == b.image_names &&
           a.marketplace_product_codes == b.marketplace_product_codes &&
           a.maximum_days_since_created == b.maximum_days_since_created &&
           a.maximum_days_since_deprecated == b.maximum_days_since_deprecated;
  }
};

// The Allowed AMIs setting of one account in one Region (GOV-7).
struct AllowedImagesSettings {
  AllowedImagesState state = AllowedImagesState::kDisabled;
  std::vector<ImageCriterion> criteria;

  friend bool operator==(const AllowedImagesSettings& a, const AllowedImagesSettings& b) {
    return a.state == b.state && a.criteria == b.criteria;
  }
};

// Checks criteria against GOV-8: at most 10 criteria; per criterion at most 200 providers, 50
// names (1–128 characters; at least 3 when the name uses `?`) and 50 product codes (1–25
// letters and digits); providers well formed, "none" alone; day counts 0 or more; no criterion
// empty. Failure: `InvalidParameterValue`.
absl::Status ValidateImageCriteria(const std::vector<ImageCriterion>& criteria);

// The index of the first criterion `image` meets for `account` at `now`, or -1 (GOV-8). Images
// the account owns are not asked about (GOV-9): callers allow them first.
int MatchImageCriteria(const std::vector<ImageCriterion>& criteria, const Image& image,
                       absl::Time now);

// A Recycle Bin resource tag (DEREG-9): an empty value matches any value of the key.
struct ResourceTag {
  std::string key;
  std::string value;

  friend bool operator==(const ResourceTag& a, const ResourceTag& b) {
    return a.key == b.key && a.value == b.value;
  }
};

// Bounds of Recycle Bin rules (DEREG-9).
inline constexpr int kMinRetentionDays = 1;
inline constexpr int kMaxRetentionDays = 365;
inline constexpr int kMinUnlockDelayDays = 7;
inline constexpr int kMaxUnlockDelayDays = 30;
inline constexpr size_t kMaxRuleResourceTags = 50;

// A Recycle Bin retention rule of one account in one Region.
struct RetentionRule {
  // The rule's identifier, 11 characters of [0-9a-zA-Z].
  std::string id;
  std::string description;
  RecycleBinResourceType resource_type = RecycleBinResourceType::kImage;
  int retention_days = 1;
  // Tag-level rule: resources with any of these tags. Empty: a Region-level rule.
  std::vector<ResourceTag> resource_tags;
  // Region-level rules only: resources with any of these tags are not retained.
  std::vector<ResourceTag> exclude_resource_tags;
  RuleLockState lock_state = RuleLockState::kUnlocked;
  // The unlock delay of a locked rule, in days (7–30).
  int unlock_delay_days = 0;
  // For a pending unlock: when the rule becomes unlocked.
  std::optional<absl::Time> unlock_at;

  friend bool operator==(const RetentionRule& a, const RetentionRule& b) {
    return a.id == b.id && a.description == b.description &&
           a.resource_type == b.resource_type && a.retention_days == b.retention_days &&
           a.resource_tags == b.resource_tags &&
           a.exclude_resource_tags == b.exclude_resource_tags &&
           a.lock_state == b.lock_state && a.unlock_delay_days == b.unlock_delay_days &&
           a.unlock_at == b.unlock_at;
  }
};

// True when `rule` retains a resource with `tags` (tag-level: any tag matches; Region-level: no
// excluded tag matches).
bool RuleRetains(const RetentionRule& rule, const TagSet& tags);

// A CreateRule request of the Recycle Bin.
struct CreateRuleRequest {
  std::string description;
  // "EC2_IMAGE" or "EBS_SNAPSHOT".
  std::string resource_type;
  int retention_days = 0;
  std::vector<ResourceTag> resource_tags;
  std::vector<ResourceTag> exclude_resource_tags;
  // Set to lock the rule at creation, with this unlock delay in days.
  std::optional<int> lock_unlock_delay_days;
};

// An image in the Recycle Bin (ListImagesInRecycleBin).
struct RecycleBinImage {
  // The image as it was before deregistration, launch permissions included (DEREG-10).
  Image image;
  absl::Time enter_time;
  absl::Time exit_time;
};

// A snapshot in the Recycle Bin (ListSnapshotsInRecycleBin).
struct RecycleBinSnapshot {
  Snapshot snapshot;
  absl::Time enter_time;
  absl::Time exit_time;
};

// The read-only StateView that decisions are evaluated against, and the facts it exposes:
// accounts in organizations, per-Region settings and key facts.

// An account as the policy engine sees it: its organization and its OU path.
struct AccountInfo {
  AccountId id = AccountId::FromNumber(0);
  std::optional<OrganizationId> organization;
  // The organization's root, for example "r-ab12", when in an organization.
  std::string root_id;
  // OUs from the root down to the account's parent.
  std::vector<OrganizationalUnitId> ou_path;

  friend bool operator==(const AccountInfo& a, const AccountInfo& b) {
    return a.id == b.id && a.organization == b.organization && a.root_id == b.root_id &&
           a.ou_path == b.ou_path;
  }
};

// Settings of one account in one Region.
struct RegionSettings {
  // EBS encryption by default (KMS-3).
  bool encryption_by_default = false;
  // The default EBS key (KMS-2): the AWS managed aws/ebs key unless changed. Views always set it.
  std::optional<KmsKeyArn> default_kms_key;
  // Image block public access (SHARE-18, SHARE-19): true blocks new public sharing.
  bool image_block_public_access = true;
  // Snapshot block public access (SNAP-3).
  using SnapshotBlock = SnapshotBlockPublicAccessState;
  SnapshotBlock snapshot_block_public_access = SnapshotBlock::kUnblocked;
  // While an enable is taking effect (SHARE-18, up to 10 minutes): when it will. Views report
  // image_block_public_access as true from then on.
  std::optional<absl::Time> image_block_public_access_from;
  // True once the account enabled or disabled image block public access itself (SHARE-19).
  bool image_block_public_access_chosen = false;

  friend bool operator==(const RegionSettings& a, const RegionSettings& b) {
    return a.encryption_by_default == b.encryption_by_default &&
           a.default_kms_key == b.default_kms_key &&
           a.image_block_public_access == b.image_block_public_access &&
           a.snapshot_block_public_access == b.snapshot_block_public_access &&
           a.image_block_public_access_from == b.image_block_public_access_from &&
           a.image_block_public_access_chosen == b.image_block_public_access_chosen;
  }
};

// What the policy engine knows of a KMS key.
struct KeyFacts {
  // The key, when it is a customer managed key the state holds; nullptr otherwise.
  const KmsKey* key = nullptr;
  // True for an AWS managed key (aws/ebs), which only its own account can use (KMS-1).
  bool aws_managed = false;
  bool exists() const { return key != nullptr || aws_managed; }
};

// A read-only view of a cloud's state. Returned pointers stay valid while the view does: for the
// view Cloud::Evaluate passes, only until the callback returns (the cloud may change after); copy
// a value to keep it (values share their parts, so copies are cheap). Implementations must allow
// concurrent calls from many threads.
class StateView {
 public:
  virtual ~StateView() = default;
  virtual const Image* FindImage(ImageId id) const = 0;
  virtual const Snapshot* FindSnapshot(SnapshotId id) const = 0;
  virtual const Instance* FindInstance(InstanceId id) const = 0;
  // The account's organization facts; nullptr for an account in no organization.
  virtual const AccountInfo* FindAccount(AccountId id) const = 0;
  // The management account of an organization, if the organization is known.
  virtual std::optional<AccountId> OrganizationManagement(const OrganizationId& org) const = 0;
  virtual RegionSettings Settings(AccountId account, Region region) const = 0;
  virtual KeyFacts FindKey(const KmsKeyArn& arn) const = 0;
  // The key an alias names for `account` in `region` (alias/aws/ebs included).
  virtual std::optional<KmsKeyArn> FindAlias(AccountId account, Region region,
                                             absl::string_view alias) const = 0;
  // The account's available or pending image of that name in the Region (REG-6).
  virtual std::optional<ImageId> FindImageByName(AccountId owner, Region region,
                                                 absl::string_view name) const = 0;
  // How many registered images use the snapshot (SNAP-4).
  virtual int ImagesUsingSnapshot(SnapshotId id) const = 0;
  // How many public images the account owns in the Region (SHARE-9).
  virtual int PublicImageCount(AccountId owner, Region region) const = 0;
  // The cloud's clock.
  virtual absl::Time Now() const = 0;
  // The account's Allowed AMIs setting in the Region when enabled or in audit mode; nullptr
  // when disabled (GOV-7).
  virtual const AllowedImagesSettings* AllowedImages(AccountId account, Region region) const {
    (void)account;
    (void)region;
    return nullptr;
  }
};

}  // namespace ami

#endif  // AMI_STATE_VIEW_H_
