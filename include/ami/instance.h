// Instance: an EC2 instance as far as AMIs are concerned — id, owner, Availability Zone, the image
// it was launched from, state, type, its attached EBS volumes with their encryption, and the
// reboots CreateImage made (CREATE-4).
// Made only by Instance::Builder; changed by ToBuilder()…Build(). Thread-safe: values are
// immutable. Copyable and movable.
#ifndef AMI_INSTANCE_H_
#define AMI_INSTANCE_H_

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

namespace ami {

// Checks an instance type name such as "t3.micro": a family, a dot and a size, lowercase
// letters, digits and hyphens. Failure: `InvalidParameterValue`.
absl::Status ValidateInstanceType(absl::string_view type);

// An EBS volume attached to an instance.
struct AttachedVolume {
  std::string device_name;
  VolumeId volume_id = VolumeId::Short(0);
  // Size in GiB; 0 when unknown.
  uint32_t volume_size_gib = 0;
  bool delete_on_termination = true;
  // The volume's key; nullopt for an unencrypted volume.
  std::optional<KmsKeyArn> kms_key;
  // The snapshot the volume was created from, if any.
  std::optional<SnapshotId> snapshot_id;

  bool encrypted() const { return kms_key.has_value(); }
  friend bool operator==(const AttachedVolume& a, const AttachedVolume& b) {
    return a.device_name == b.device_name && a.volume_id == b.volume_id &&
           a.volume_size_gib == b.volume_size_gib &&
           a.delete_on_termination == b.delete_on_termination && a.kms_key == b.kms_key &&
           a.snapshot_id == b.snapshot_id;
  }
  template <typename H>
  friend H AbslHashValue(H h, const AttachedVolume& v) {
    return internal::HashFields(std::move(h), v.device_name, v.volume_id, v.volume_size_gib,
                                v.delete_on_termination, v.kms_key, v.snapshot_id);
  }
};

// An EC2 instance.
class Instance {
 public:
  class Builder;

  InstanceId id() const { return id_; }
  AccountId owner() const { return owner_; }
  AvailabilityZone availability_zone() const { return zone_; }
  // The instance's Region: its zone's (REG-5).
  Region region() const { return zone_.region(); }
  // The image it was launched from (which may since have been deregistered).
  ImageId image_id() const { return image_id_; }
  InstanceState state() const { return state_; }
  const StateReason& state_reason() const { return body_->state_reason; }
  const std::string& instance_type() const { return body_->instance_type; }
  RootDeviceType root_device_type() const { return body_->root_device_type; }
  const std::string& root_device_name() const { return body_->root_device_name; }
  Architecture architecture() const { return body_->architecture; }
  // The attached volumes, in attachment order: a list made from the instance's compact form
  // on each call (hold it in a variable to keep references into it).
  std::vector<AttachedVolume> volumes() const;
  size_t volume_count() const { return volumes_.size(); }
  // Inherited from the image (CREATE-13).
  const std::vector<ProductCode>& product_codes() const { return body_->product_codes; }
  const std::string& platform_details() const { return body_->platform_details; }
  // "windows" for Windows instances, empty otherwise; inherited from the image, and passed on
  // to the images created from the instance.
  const std::string& platform() const { return body_->platform; }
  // HttpTokens=required (LAUNCH-14).
  bool imds_v2_required() const { return body_->imds_v2; }
  absl::Time launch_time() const { return launch_time_; }
  const TagSet& tags() const { return tags_; }
  // How many times CreateImage without NoReboot rebooted the instance (CREATE-4), and when it
  // last did; nullopt when never. EC2 shuts the instance down, snapshots its volumes and starts
  // it again; the model makes the whole CreateImage one call, so a running instance is running
  // again when the call returns: the reboot shows here, never in state().
  uint32_t reboot_count() const { return reboot_count_; }
  std::optional<absl::Time> last_reboot_time() const;

  // A builder holding a copy of this instance.
  Builder ToBuilder() const;

  friend bool operator==(const Instance& a, const Instance& b);
  friend bool operator!=(const Instance& a, const Instance& b) { return !(a == b); }

 private:
  friend class Builder;
  friend struct internal::ValueSharing;
  Instance();
  // The fields many instances have alike (those launched from one image with one type), so that
  // a cloud can keep one copy of each distinct body.
  struct Body {
    StateReason state_reason;
    std::string instance_type = "t3.micro";
    RootDeviceType root_device_type = RootDeviceType::kEbs;
    std::string root_device_name = "/dev/xvda";
    Architecture architecture = Architecture::kX86_64;
    std::vector<ProductCode> product_codes;
    std::string platform_details = "Linux/UNIX";
    std::string platform;
    bool imds_v2 = false;
    // The attached volumes' device names, in attachment order.
    std::vector<std::string> device_names;

    auto Tie() const {
      return std::tie(state_reason, instance_type, root_device_type, root_device_name,
                      architecture, product_codes, platform_details, platform, imds_v2,
                      device_names);
    }
    friend bool operator==(const Body& a, const Body& b) { return a.Tie() == b.Tie(); }
    template <typename H>
    friend H AbslHashValue(H h, const Body& b) {
      return internal::HashTuple(std::move(h), b.Tie());
    }
  };
  // An attached volume but its device name (which is in the body): 48 bytes.
  struct PackedVolume {
    enum Flag : uint8_t {
      kVolumeLong = 1, kHasSnapshot = 2, kSnapshotLong = 4, kEncrypted = 8, kDeleteOnTermination = 16
    };
    explicit PackedVolume(const AttachedVolume& v);
    AttachedVolume Unpack(const std::string& device_name) const;
    VolumeId volume_id() const {
      return (flags & kVolumeLong) != 0 ? VolumeId::Long(volume_low, volume_high)
                                        : VolumeId::Short(static_cast<uint32_t>(volume_low));
    }

    uint64_t volume_low = 0;
    uint64_t snapshot_low = 0;
    KmsKeyArn key;  // A fixed key when unencrypted.
    uint32_t size_gib = 0;
    uint8_t volume_high = 0;
    uint8_t snapshot_high = 0;
    uint8_t flags = 0;

    auto Tie() const {
      return std::tie(volume_low, snapshot_low, key, size_gib, volume_high, snapshot_high, flags);
    }
    friend bool operator==(const PackedVolume& a, const PackedVolume& b) { return a.Tie() == b.Tie(); }
    template <typename H>
    friend H AbslHashValue(H h, const PackedVolume& v) {
      return internal::HashTuple(std::move(h), v.Tie());
    }
  };
  // Every field, for equality and hashing.
  auto Tie() const {
    return std::tuple_cat(std::tie(id_, owner_, zone_, image_id_, state_, reboot_count_,
                                   last_reboot_ns_, volumes_, launch_time_, tags_),
                          body_->Tie());
  }
  // After Tie(), whose deduced type it needs.
  template <typename H>
  friend H AbslHashValue(H h, const Instance& i) {
    return internal::HashTuple(std::move(h), i.Tie());
  }

  // In this order, 128 bytes: the zone, state and reboot count fill what would be padding.
  InstanceId id_;
  AccountId owner_;
  AvailabilityZone zone_;
  InstanceState state_ = InstanceState::kRunning;
  uint32_t reboot_count_ = 0;
  ImageId image_id_;
  // The last reboot as nanoseconds since 1970 (8 bytes where an absl::Time takes 16); 0 when
  // never rebooted.
  int64_t last_reboot_ns_ = 0;
  absl::Time launch_time_ = absl::UnixEpoch();
  std::vector<PackedVolume> volumes_;
  TagSet tags_;
  internal::BodyRef<Body> body_;
};

// Builds an Instance. Required: set_id(), set_owner(), set_availability_zone(), set_image_id().
// Build() checks: the instance type; device names and volume ids are distinct; each volume's
// size; each encrypted volume's key is in the instance's Region; product codes are well formed;
// a reboot count and a last reboot time come together, the time from 1970-01-01 to 2262-04-11
// (64-bit nanoseconds since 1970).
class Instance::Builder {
 public:
  Builder() = default;
  Builder& set_id(InstanceId id);
  Builder& set_owner(AccountId owner);
  Builder& set_availability_zone(AvailabilityZone zone);
  Builder& set_image_id(ImageId image);
  Builder& set_state(InstanceState state);
  Builder& set_state_reason(StateReason reason);
  Builder& set_instance_type(std::string type);
  Builder& set_root_device_type(RootDeviceType type);
  Builder& set_root_device_name(std::string name);
  Builder& set_architecture(Architecture a);
  Builder& set_volumes(std::vector<AttachedVolume> volumes);
  Builder& add_volume(AttachedVolume volume);
  Builder& set_product_codes(std::vector<ProductCode> codes);
  Builder& set_platform_details(std::string details);
  Builder& set_platform(std::string platform);
  Builder& set_imds_v2_required(bool v2);
  Builder& set_launch_time(absl::Time t);
  Builder& set_tags(TagSet tags);
  // The reboots so far (0 and nullopt: never rebooted).
  Builder& set_reboots(uint32_t count, std::optional<absl::Time> last);

  absl::StatusOr<Instance> Build() const&;
  // The same, moving the value out of a builder that is not used again.
  absl::StatusOr<Instance> Build() &&;

 private:
  // What Build() checks.
  absl::Status Validate() const;
  // The instance's Body, copied on the first change.
  Body& body();
  friend class Instance;
  Instance instance_;
  // The last reboot as set, checked by Build() before it is stored in nanoseconds.
  std::optional<absl::Time> last_reboot_;
  bool has_id_ = false, has_owner_ = false, has_zone_ = false, has_image_ = false;
};

}  // namespace ami

#endif  // AMI_INSTANCE_H_
