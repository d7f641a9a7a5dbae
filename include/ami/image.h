// Image: an Amazon Machine Image — its identity, state, devices, billing, who may launch it, its
// lifecycle settings, its lineage and whether its snapshots are file-system-consistent or only
// crash-consistent. Made only by Image::Builder; changed by ToBuilder()…Build().
// Thread-safe: values are immutable. Copyable and movable.
#ifndef AMI_IMAGE_H_
#define AMI_IMAGE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ami/arns.h"
#include "ami/attributes.h"
#include "ami/ids.h"
#include "ami/snapshot.h"

namespace ami {
namespace internal {
struct ImageAccess;
}  // namespace internal

// Most sharing entities (accounts + organizations + OUs) on one image (SHARE-9).
inline constexpr size_t kMaxLaunchPermissionEntities = 1000;

// Checks an AMI name (ID-17): 3–128 characters of letters, digits and ( ) [ ] space . / - ' @ _.
// Failure: `InvalidAMIName.Malformed`.
absl::Status ValidateImageName(absl::string_view name);

// Who besides the owner may launch an image (SHARE-1). Made by Create(), which sorts and
// de-duplicates each list.
class LaunchPermissions {
 public:
  LaunchPermissions() = default;
  // Fails with `ResourceLimitExceeded` beyond 1,000 sharing entities (SHARE-9).
  static absl::StatusOr<LaunchPermissions> Create(std::vector<AccountId> accounts, bool is_public,
                                                  std::vector<OrganizationArn> organizations,
                                                  std::vector<OrganizationalUnitArn> ous);

  const std::vector<AccountId>& accounts() const { return accounts_; }
  // Group `all` (ATTR-1).
  bool is_public() const { return public_; }
  const std::vector<OrganizationArn>& organizations() const { return organizations_; }
  const std::vector<OrganizationalUnitArn>& organizational_units() const { return ous_; }
  // True when `account` is listed directly.
  bool HasAccount(AccountId account) const;
  // Accounts + organizations + OUs: what counts against the SHARE-9 quota.
  size_t entity_count() const { return accounts_.size() + organizations_.size() + ous_.size(); }
  // No entry at all: only the owner may launch.
  bool empty() const { return !public_ && entity_count() == 0; }

  friend bool operator==(const LaunchPermissions& a, const LaunchPermissions& b) {
    return a.accounts_ == b.accounts_ && a.public_ == b.public_ &&
           a.organizations_ == b.organizations_ && a.ous_ == b.ous_;
  }
  friend bool operator!=(const LaunchPermissions& a, const LaunchPermissions& b) { return !(a == b); }
  template <typename H>
  friend H AbslHashValue(H h, const LaunchPermissions& p) {
    return H::combine(std::move(h), p.accounts_, p.public_, p.organizations_, p.ous_);
  }

 private:
  std::vector<AccountId> accounts_;
  bool public_ = false;
  std::vector<OrganizationArn> organizations_;
  std::vector<OrganizationalUnitArn> ous_;
};

// An AMI.
class Image {
 public:
  class Builder;

  ImageId id() const { return id_; }
  const std::string& name() const { return body_->name; }
  const std::string& description() const { return body_->description; }
  AccountId owner() const { return owner_; }
  OwnerAlias owner_alias() const { return owner_alias_; }
  Region region() const { return region_; }
  ImageState state() const { return state_; }
  const StateReason& state_reason() const { return state_reason_; }
  absl::Time creation_time() const { return body_->creation_time; }
  RootDeviceType root_device_type() const { return body_->root_device_type; }
  const std::string& root_device_name() const { return body_->root_device_name; }
  Architecture architecture() const { return body_->architecture; }
  VirtualizationType virtualization_type() const { return body_->virtualization_type; }
  BootMode boot_mode() const { return body_->boot_mode; }
  bool ena_support() const { return body_->ena_support; }
  // ImdsSupport=v2.0 (CREATE-18): launched instances require IMDSv2.
  bool imds_v2_required() const { return imds_v2_; }
  const std::vector<BlockDeviceMapping>& block_device_mappings() const { return body_->mappings; }
  // The snapshots of the EBS mappings, in mapping order.
  std::vector<SnapshotId> snapshot_ids() const;
  // True when any EBS mapping is encrypted.
  bool encrypted() const;
  const std::vector<ProductCode>& product_codes() const { return body_->product_codes; }
  // True when a product code is of type marketplace (SHARE-15, COPY-12).
  bool has_marketplace_code() const;
  // "windows" or empty.
  const std::string& platform() const { return body_->platform; }
  // Billing information, for example "Linux/UNIX" and "RunInstances".
  const std::string& platform_details() const { return body_->platform_details; }
  const std::string& usage_operation() const { return body_->usage_operation; }
  const LaunchPermissions& launch_permissions() const { return launch_permissions_; }
  bool is_public() const { return launch_permissions_.is_public(); }
  const std::optional<absl::Time>& deprecation_time() const { return deprecation_time_; }
  DeregistrationProtection deregistration_protection() const { return protection_; }
  // While protection was disabled with a cooldown, when the cooldown ends (DEREG-6).
  const std::optional<absl::Time>& protection_cooldown_until() const { return cooldown_until_; }
  const std::optional<InstanceId>& source_instance() const { return body_->source_instance; }
  const std::optional<ImageId>& source_image() const { return body_->source_image; }
  const std::optional<Region>& source_image_region() const { return body_->source_image_region; }
  ImageConsistency consistency() const { return body_->consistency; }
  const std::optional<absl::Time>& last_launched_time() const { return last_launched_time_; }
  // The owner's tags; other accounts' tags live with those accounts (SHARE-13).
  const TagSet& tags() const { return tags_; }

  // A builder holding a copy of this image.
  Builder ToBuilder() const;

  friend bool operator==(const Image& a, const Image& b);
  friend bool operator!=(const Image& a, const Image& b) { return !(a == b); }

 private:
  friend class Builder;
  friend struct internal::ImageAccess;
  friend struct internal::ValueSharing;
  Image();
  // The fields that operations seldom change, shared by the copies an image's permissions,
  // state and tags go through (ModifyImageAttribute, DescribeImages).
  struct Body {
    std::string name;
    std::string description;
    absl::Time creation_time = absl::UnixEpoch();
    RootDeviceType root_device_type = RootDeviceType::kEbs;
    std::string root_device_name = "/dev/xvda";
    Architecture architecture = Architecture::kX86_64;
    VirtualizationType virtualization_type = VirtualizationType::kHvm;
    BootMode boot_mode = BootMode::kUnspecified;
    bool ena_support = true;
    std::vector<BlockDeviceMapping> mappings;
    std::vector<ProductCode> product_codes;
    std::string platform;
    std::string platform_details = "Linux/UNIX";
    std::string usage_operation = "RunInstances";
    std::optional<InstanceId> source_instance;
    std::optional<ImageId> source_image;
    std::optional<Region> source_image_region;
    ImageConsistency consistency = ImageConsistency::kUnknown;

    auto Tie() const {
      return std::tie(name, description, creation_time, root_device_type, root_device_name,
                      architecture, virtualization_type, boot_mode, ena_support, mappings,
                      product_codes, platform, platform_details, usage_operation, source_instance,
                      source_image, source_image_region, consistency);
    }
  };
  using BodyRef = internal::BodyRef<Body>;
  // Every field, for equality and hashing.
  auto Tie() const {
    return std::tuple_cat(std::tie(id_, owner_, owner_alias_, region_, state_, state_reason_,
                                   imds_v2_, launch_permissions_, deprecation_time_, protection_,
                                   cooldown_until_, last_launched_time_, tags_),
                          body_->Tie());
  }
  // After Tie(), whose deduced type it needs.
  template <typename H>
  friend H AbslHashValue(H h, const Image& image) {
    return internal::HashTuple(std::move(h), image.Tie());
  }

  ImageId id_;
  AccountId owner_;
  OwnerAlias owner_alias_ = OwnerAlias::kNone;
  Region region_;
  ImageState state_ = ImageState::kAvailable;
  bool imds_v2_ = false;
  DeregistrationProtection protection_ = DeregistrationProtection::kDisabled;
  StateReason state_reason_;
  LaunchPermissions launch_permissions_;
  std::optional<absl::Time> deprecation_time_;
  std::optional<absl::Time> cooldown_until_;
  std::optional<absl::Time> last_launched_time_;
  TagSet tags_;
  BodyRef body_;
};

// Builds an Image. Required: set_id(), set_name(), set_owner(), set_region(). Build() checks
// structure only: the name (ID-17) and description; device names are distinct; an EBS-backed
// image maps its root device onto a snapshot; each mapping is EBS or instance-store, and its key
// (when given) is encrypted and in the image's Region; snapshots added with add_snapshot_mapping()
// are in the image's Region; source image and source Region go together; a disabled image has
// no launch permissions (DEREG-8); product codes are well formed.
class Image::Builder {
 public:
  Builder() = default;
  Builder& set_id(ImageId id);
  Builder& set_name(std::string name);
  Builder& set_description(std::string description);
  Builder& set_owner(AccountId owner);
  Builder& set_owner_alias(OwnerAlias alias);
  Builder& set_region(Region region);
  Builder& set_state(ImageState state);
  Builder& set_state_reason(StateReason reason);
  Builder& set_creation_time(absl::Time t);
  Builder& set_root_device_type(RootDeviceType type);
  Builder& set_root_device_name(std::string name);
  Builder& set_architecture(Architecture a);
  Builder& set_virtualization_type(VirtualizationType v);
  Builder& set_boot_mode(BootMode m);
  Builder& set_ena_support(bool ena);
  Builder& set_imds_v2_required(bool v2);
  Builder& set_block_device_mappings(std::vector<BlockDeviceMapping> mappings);
  Builder& add_block_device_mapping(BlockDeviceMapping mapping);
  // Adds BlockDeviceMapping::FromSnapshot(device_name, snapshot); Build() fails if the snapshot
  // is in another Region.
  Builder& add_snapshot_mapping(std::string device_name, const Snapshot& snapshot);
  Builder& set_product_codes(std::vector<ProductCode> codes);
  Builder& set_platform(std::string platform);
  Builder& set_platform_details(std::string details);
  Builder& set_usage_operation(std::string operation);
  Builder& set_launch_permissions(LaunchPermissions permissions);
  Builder& set_deprecation_time(std::optional<absl::Time> t);
  Builder& set_deregistration_protection(DeregistrationProtection p);
  Builder& set_protection_cooldown_until(std::optional<absl::Time> t);
  Builder& set_source_instance(std::optional<InstanceId> instance);
  // The image this one was copied from and its Region (COPY-5).
  Builder& set_source_image(std::optional<ImageId> image, std::optional<Region> region);
  Builder& set_consistency(ImageConsistency c);
  Builder& set_last_launched_time(std::optional<absl::Time> t);
  Builder& set_tags(TagSet tags);

  absl::StatusOr<Image> Build() const&;
  // The same, moving the value out of a builder that is not used again.
  absl::StatusOr<Image> Build() &&;

 private:
  // What Build() checks.
  absl::Status Validate() const;
  friend class Image;
  // The image's Body, copied on the first change.
  Body& body();
  Image image_;
  bool has_id_ = false, has_name_ = false, has_owner_ = false, has_region_ = false;
  // Snapshots given to add_snapshot_mapping() that are not in the image's Region.
  std::vector<std::pair<SnapshotId, Region>> snapshot_regions_;
};

}  // namespace ami

#endif  // AMI_IMAGE_H_
