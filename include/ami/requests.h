// The Cloud's requests and results: the EC2 and KMS operations', and DescribeImages and
// DescribeSnapshots with their filter language. Thread-safe: plain values and pure functions.
#ifndef AMI_REQUESTS_H_
#define AMI_REQUESTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ami/attributes.h"
#include "ami/ids.h"
#include "ami/image.h"
#include "ami/instance.h"
#include "ami/kms_key.h"
#include "ami/snapshot.h"

// Requests and results of the Cloud's operations. Ids arrive as text, as in the EC2 API, so that
// malformed input is answered with its AWS error code. Plain structs: fields have defaults and
// are documented where AWS's meaning is not obvious.
namespace ami {

// Who calls, where, and whether only to check (DryRun, CREATE-16).
struct CallContext {
  AccountId account = AccountId::FromNumber(0);
  Region region = Region::First();
  bool dry_run = false;
  // The IAM identity that calls: a user or role ARN of `account`, or a role session
  // (arn:aws:sts::<account>:assumed-role/<role>/<session>); empty for the account's root user.
  std::string principal;
  // Values of condition keys the model cannot know (aws:SourceIp, aws:MultiFactorAuthPresent,
  // …), as the request would carry them; a key given twice has both values.
  std::vector<std::pair<std::string, std::string>> context;
};

// A resource id of CreateTags, DeleteTags and GetTags: an image, snapshot or instance id (ID-3).
class ResourceId {
 public:
  // Parses an ami-, snap- or i- id; anything else is `InvalidID`.
  static absl::StatusOr<ResourceId> Parse(absl::string_view text);
  ResourceId(ImageId id) : id_(id) {}  // NOLINT: implicit, as are the others.
  ResourceId(SnapshotId id) : id_(id) {}  // NOLINT
  ResourceId(InstanceId id) : id_(id) {}  // NOLINT

  const std::variant<ImageId, SnapshotId, InstanceId>& value() const { return id_; }
  std::string ToString() const;
  friend bool operator==(const ResourceId& a, const ResourceId& b) { return a.id_ == b.id_; }
  friend bool operator!=(const ResourceId& a, const ResourceId& b) { return !(a == b); }

 private:
  std::variant<ImageId, SnapshotId, InstanceId> id_;
};

// TagSpecifications: tags for the new image and for its new snapshots (CREATE-9, COPY-4).
struct TagSpecification {
  // "image" or "snapshot"; any other type fails with InvalidParameterValue.
  std::string resource_type;
  std::vector<std::pair<std::string, std::string>> tags;
};

struct RunInstancesRequest {
  std::string image_id;
  // A zone of the called Region; empty for its first zone.
  std::string availability_zone;
  std::string instance_type = "t3.micro";
  int count = 1;
  // Encrypted and KmsKeyId for every EBS volume (LAUNCH-10); the key in any form (ID-12).
  std::optional<bool> encrypted;
  std::string kms_key_id;
  std::vector<std::pair<std::string, std::string>> tags;
};

// A BlockDeviceMappings entry of CreateImage (CREATE-5 … CREATE-7). For an attached volume only
// DeleteOnTermination may change. A device that is not attached adds a mapping: an instance-store
// volume when `virtual_name` is set ("ephemeral0"), else a new empty EBS volume of
// `volume_size_gib`, encrypted only when `encrypted` is true.
struct CreateImageMapping {
  std::string device_name;
  std::optional<bool> delete_on_termination;
  std::optional<uint32_t> volume_size_gib;
  std::optional<bool> encrypted;
  std::string virtual_name;
};

struct CreateImageRequest {
  std::string instance_id;
  std::string name;
  std::string description;
  bool no_reboot = false;
  std::vector<CreateImageMapping> block_device_mappings;
  std::vector<TagSpecification> tag_specifications;
};

// A snapshot-backed BlockDeviceMappings entry of RegisterImage (CREATE-17).
struct RegisterImageMapping {
  std::string device_name;
  std::string snapshot_id;
  uint32_t volume_size_gib = 0;
  VolumeType volume_type = VolumeType::kGp3;
  bool delete_on_termination = true;
  // Must be omitted for a mapping from a snapshot (CREATE-7).
  std::optional<bool> encrypted;
};

struct RegisterImageRequest {
  std::string name;
  std::string description;
  std::string root_device_name = "/dev/xvda";
  // Defaults as AWS's (CREATE-17): i386 and paravirtual when omitted.
  std::optional<Architecture> architecture;
  std::optional<VirtualizationType> virtualization_type;
  BootMode boot_mode = BootMode::kUnspecified;
  bool ena_support = false;
  // "v2.0" or empty (CREATE-18).
  std::string imds_support;
  std::vector<RegisterImageMapping> block_device_mappings;
  std::vector<TagSpecification> tag_specifications;
};

struct CopyImageRequest {
  std::string source_image_id;
  std::string source_region;
  std::string name;
  std::string description;
  std::optional<bool> encrypted;
  std::string kms_key_id;
  bool copy_image_tags = false;
  std::vector<TagSpecification> tag_specifications;
  // Idempotency token (COPY-17); empty for none.
  std::string client_token;
};

// One LaunchPermission entry; exactly one field is set.
struct LaunchPermissionEntry {
  std::string user_id;
  std::string group;
  std::string organization_arn;
  std::string organizational_unit_arn;
};

// ModifyImageAttribute: one attribute per call (SHARE-2, SHARE-3).
struct ModifyImageAttributeRequest {
  std::string image_id;
  std::vector<LaunchPermissionEntry> add;
  std::vector<LaunchPermissionEntry> remove;
  std::optional<std::string> description;
  // "v2.0" (CREATE-18); it cannot be undone.
  std::optional<std::string> imds_support;
};

// ModifySnapshotAttribute of createVolumePermission (SNAP-1).
struct ModifySnapshotAttributeRequest {
  std::string snapshot_id;
  // "add" or "remove".
  std::string operation_type;
  std::vector<std::string> user_ids;
  // Only "all".
  std::vector<std::string> group_names;
};

// One DeleteSnapshotResults entry of DeregisterImage (DEREG-2).
struct DeleteSnapshotResult {
  SnapshotId snapshot_id = SnapshotId::Short(0);
  // "success", "skipped", "missing-permissions", "internal-error" or "client-error".
  std::string return_code;
};

// DescribeImageAttribute's answer; the field named by the request is set.
struct ImageAttribute {
  ImageId image_id = ImageId::Short(0);
  std::optional<std::string> description;
  std::optional<LaunchPermissions> launch_permissions;
  std::optional<std::string> imds_support;
  std::optional<std::vector<ProductCode>> product_codes;
  std::optional<std::string> deregistration_protection;
  std::optional<absl::Time> last_launched_time;
  // bootMode; and "" for kernel, ramdisk, sriovNetSupport, tpmSupport, uefiData (not modelled).
  std::optional<std::string> value;
};

// CreateKey.
struct CreateKeyRequest {
  std::string description;
  bool multi_region = false;
  std::string key_spec = "SYMMETRIC_DEFAULT";
  // Statements added after the key policy below.
  std::vector<KeyPolicyStatement> policy;
  // The whole key policy, as CreateKey's Policy; the default key policy (KMS-4) when unset.
  std::optional<KeyPolicy> policy_document;
};

// DescribeImages and DescribeSnapshots: requests, results, and the EC2 filter pattern language
// (DESC-1 … 10, 12). What a caller gets is what AWS would show it: images it owns, images
// shared with it (directly or through its organization and OUs) and public images, each as the
// caller sees it — another account's image carries the caller's own tags only (DESC-10,
// SHARE-13). Plain values and pure functions; thread-safe.

// The MaxResults bounds of DescribeImages and DescribeSnapshots.
inline constexpr int kMinDescribeResults = 5;
inline constexpr int kMaxDescribeResults = 1000;
// Most values in one filter, most filters in one request, most ids in one request.
inline constexpr size_t kMaxFilterValues = 200;
inline constexpr size_t kMaxFilters = 50;
inline constexpr size_t kMaxDescribeIds = 1000;

// One EC2 filter: the values are ORed; filters are ANDed (DESC-5).
struct Filter {
  std::string name;
  std::vector<std::string> values;
};

// A filter value: literal text, `*` (any run of characters), `?` (zero or one character, as the
// EC2 user guide says) and `\` escaping the next character (DESC-5). Case-sensitive.
class FilterPattern {
 public:
  // Always succeeds; a trailing lone `\` stands for itself.
  static FilterPattern Compile(absl::string_view value);
  bool Matches(absl::string_view text) const;
  // The literal text every match starts with (before the first unescaped wildcard).
  const std::string& literal_prefix() const { return prefix_; }
  // True when the value has no unescaped wildcard: it matches exactly literal_prefix().
  bool exact() const { return exact_; }

 private:
  // Tokens: a literal byte, or a wildcard (kAny = `*`, kOne = `?`).
  enum : int { kAny = -1, kOne = -2 };
  std::vector<int> tokens_;
  std::string prefix_;
  bool exact_ = true;
};

struct DescribeImagesRequest {
  // Account ids, "self", "amazon", "aws-marketplace", "aws-backup-vault" (DESC-2).
  std::vector<std::string> owners;
  // "self", account ids, "all" (DESC-3).
  std::vector<std::string> executable_users;
  // Named images; one that does not exist or is not visible fails the call (DESC-4).
  std::vector<std::string> image_ids;
  // Every filter of DESC-6.
  std::vector<Filter> filters;
  bool include_deprecated = false;
  bool include_disabled = false;
  // 0: every match in one answer. Else 5–1000 per page (DESC-12).
  int max_results = 0;
  // From a previous page of the same request.
  std::string next_token;
};

// One image as the caller sees it. For another account's image: the caller's own tags, no
// launch permissions but the public flag, no deregistration protection and no last launched
// time (DESC-10).
struct DescribedImage {
  Image image;
  // Set when the caller's Allowed AMIs setting is enabled or in audit mode (DESC-9).
  std::optional<bool> image_allowed;
};

struct DescribeImagesResult {
  std::vector<DescribedImage> images;
  // Empty when this was the last page.
  std::string next_token;
};

struct DescribeSnapshotsRequest {
  // Account ids, "self", "amazon".
  std::vector<std::string> owner_ids;
  // Account ids, "self", "all".
  std::vector<std::string> restorable_by_user_ids;
  std::vector<std::string> snapshot_ids;
  // description, encrypted, kms-key-id, owner-alias, owner-id, progress, snapshot-id,
  // start-time, status, tag:<key>, tag-key, volume-id, volume-size.
  std::vector<Filter> filters;
  int max_results = 0;
  std::string next_token;
};

struct DescribeSnapshotsResult {
  // As the caller sees them: another account's snapshot carries the caller's own tags and no
  // create-volume permissions but the public flag.
  std::vector<Snapshot> snapshots;
  std::string next_token;
};

// DescribeInstanceImageMetadata (GOV-9): the image each of the caller's instances in the Region
// was launched from — even when the image is deprecated, deregistered, no longer shared or not
// allowed — and whether it meets the caller's Allowed AMIs criteria.
struct DescribeInstanceImageMetadataRequest {
  // Named instances (at most kMaxDescribeIds); each must exist, be the caller's and be in the
  // Region, else InvalidInstanceID.NotFound.
  std::vector<std::string> instance_ids;
  // availability-zone, image-allowed, instance-id, instance-state-name, instance-type,
  // launch-time, owner-alias (the image owner's alias), owner-id (the instance's owner),
  // tag:<key>, tag-key. Any other name is InvalidParameterValue (MC-79).
  std::vector<Filter> filters;
};

// What DescribeInstanceImageMetadata says of an image. When the cloud does not hold the image
// only `image_id` is set (and `image_allowed` is unset: it cannot be shown to be allowed).
struct ImageMetadata {
  ImageId image_id = ImageId::Short(0);
  bool known = false;
  std::string name;
  AccountId owner = AccountId::FromNumber(0);
  OwnerAlias owner_alias = OwnerAlias::kNone;
  ImageState state = ImageState::kAvailable;
  absl::Time creation_date = absl::InfinitePast();
  std::optional<absl::Time> deprecation_time;
  bool is_public = false;
  // True when the image meets the caller's Allowed AMIs criteria (always true while the setting
  // is disabled, and for the caller's own images, GOV-9); unset for an image the cloud does not
  // hold.
  std::optional<bool> image_allowed;
};

// One instance and its image.
struct InstanceImageMetadata {
  Instance instance;
  ImageMetadata image;
};

struct DescribeInstanceImageMetadataResult {
  // Sorted by instance id.
  std::vector<InstanceImageMetadata> instances;
};

}  // namespace ami

#endif  // AMI_REQUESTS_H_
