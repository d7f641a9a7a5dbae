// Snapshot: an EBS snapshot — id, owner, Region, size, encryption and key, state, who may create
// volumes from it (createVolumePermission), product codes, and where it came from.
// Made only by Snapshot::Builder; changed by ToBuilder()…Build(). Thread-safe: values are
// immutable. Copyable and movable.
#ifndef AMI_SNAPSHOT_H_
#define AMI_SNAPSHOT_H_

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

// Largest EBS volume or snapshot, in GiB.
inline constexpr uint32_t kMaxVolumeSizeGiB = 65536;

// Who besides the owner may create volumes from a snapshot (SNAP-1).
struct CreateVolumePermissions {
  // Accounts with permission, sorted, without duplicates.
  std::vector<AccountId> accounts;
  // Group `all`: the snapshot is public.
  bool is_public = false;

  friend bool operator==(const CreateVolumePermissions& a, const CreateVolumePermissions& b) {
    return a.accounts == b.accounts && a.is_public == b.is_public;
  }
  friend bool operator!=(const CreateVolumePermissions& a, const CreateVolumePermissions& b) {
    return !(a == b);
  }
  template <typename H>
  friend H AbslHashValue(H h, const CreateVolumePermissions& p) {
    return H::combine(std::move(h), p.accounts, p.is_public);
  }
};

// An EBS snapshot.
class Snapshot {
 public:
  class Builder;

  SnapshotId id() const { return id_; }
  AccountId owner() const { return owner_; }
  Region region() const { return region_; }
  uint32_t volume_size_gib() const { return volume_size_gib_; }
  bool encrypted() const { return kms_key_.has_value(); }
  // The key of an encrypted snapshot, in the snapshot's Region; nullopt when unencrypted.
  const std::optional<KmsKeyArn>& kms_key() const { return kms_key_; }
  SnapshotState state() const { return state_; }
  // Why the snapshot is in `error` (for example missing KMS permissions, KMS-11).
  const std::string& state_message() const { return body_->state_message; }
  const std::string& description() const { return body_->description; }
  absl::Time start_time() const { return start_time_; }
  const CreateVolumePermissions& create_volume_permissions() const { return body_->permissions; }
  bool is_public() const { return body_->permissions.is_public; }
  const std::vector<ProductCode>& product_codes() const { return body_->product_codes; }
  // The volume the snapshot was taken from, if known.
  const std::optional<VolumeId>& volume_id() const { return volume_id_; }
  // The snapshot this one was copied from, if any.
  const std::optional<SnapshotId>& source_snapshot() const { return source_snapshot_; }
  // The owner's tags.
  const TagSet& tags() const { return tags_; }

  // A builder holding a copy of this snapshot.
  Builder ToBuilder() const;

  friend bool operator==(const Snapshot& a, const Snapshot& b);
  friend bool operator!=(const Snapshot& a, const Snapshot& b) { return !(a == b); }

 private:
  friend class Builder;
  friend struct internal::ValueSharing;
  Snapshot();
  // The fields the snapshots of one image usually have alike (description, permissions), so
  // that a cloud can keep one copy of each distinct body.
  struct Body {
    std::string state_message;
    std::string description;
    CreateVolumePermissions permissions;
    std::vector<ProductCode> product_codes;

    auto Tie() const { return std::tie(state_message, description, permissions, product_codes); }
    friend bool operator==(const Body& a, const Body& b) { return a.Tie() == b.Tie(); }
    template <typename H>
    friend H AbslHashValue(H h, const Body& b) {
      return internal::HashTuple(std::move(h), b.Tie());
    }
  };
  // Every field, for equality and hashing.
  auto Tie() const {
    return std::tuple_cat(std::tie(id_, owner_, region_, volume_size_gib_, kms_key_, state_,
                                   start_time_, volume_id_, source_snapshot_, tags_),
                          body_->Tie());
  }
  // After Tie(), whose deduced type it needs.
  template <typename H>
  friend H AbslHashValue(H h, const Snapshot& s) {
    return internal::HashTuple(std::move(h), s.Tie());
  }

  SnapshotId id_;
  AccountId owner_;
  Region region_;
  uint32_t volume_size_gib_ = 8;
  std::optional<KmsKeyArn> kms_key_;
  SnapshotState state_ = SnapshotState::kCompleted;
  absl::Time start_time_ = absl::UnixEpoch();
  std::optional<VolumeId> volume_id_;
  std::optional<SnapshotId> source_snapshot_;
  TagSet tags_;
  internal::BodyRef<Body> body_;
};

// Builds a Snapshot. Required: set_id(), set_owner(), set_region(). Build() checks: size
// 1–65536 GiB; an encrypted snapshot's key is in the snapshot's Region; the owner is not in its
// own permission list; product codes are well formed; description ≤ 255 characters.
class Snapshot::Builder {
 public:
  Builder() = default;
  Builder& set_id(SnapshotId id);
  Builder& set_owner(AccountId owner);
  Builder& set_region(Region region);
  Builder& set_volume_size_gib(uint32_t size);
  // Marks the snapshot encrypted with `key`; nullopt makes it unencrypted.
  Builder& set_kms_key(std::optional<KmsKeyArn> key);
  Builder& set_state(SnapshotState state);
  Builder& set_state_message(std::string message);
  Builder& set_description(std::string description);
  Builder& set_start_time(absl::Time t);
  // Accounts are sorted and de-duplicated by Build().
  Builder& set_create_volume_permissions(CreateVolumePermissions permissions);
  Builder& set_product_codes(std::vector<ProductCode> codes);
  Builder& set_volume_id(std::optional<VolumeId> volume);
  Builder& set_source_snapshot(std::optional<SnapshotId> source);
  Builder& set_tags(TagSet tags);

  absl::StatusOr<Snapshot> Build() const&;
  // The same, moving the value out of a builder that is not used again.
  absl::StatusOr<Snapshot> Build() &&;

 private:
  // Build()'s checks, sorting and de-duplicating the accounts of `s`.
  absl::Status Finish(Snapshot& s) const;
  // The snapshot's Body, copied on the first change.
  Body& body();
  friend class Snapshot;
  Snapshot snapshot_;
  bool has_id_ = false, has_owner_ = false, has_region_ = false;
};

// Block device mappings: the EBS or instance-store volumes an image or launch maps to devices.

// The EBS part of a block device mapping.
struct EbsBlockDevice {
  // The snapshot the volume is created from; nullopt for a new empty volume.
  std::optional<SnapshotId> snapshot_id;
  // Size in GiB; 0 means "the snapshot's size".
  uint32_t volume_size_gib = 0;
  VolumeType volume_type = VolumeType::kGp3;
  bool delete_on_termination = true;
  bool encrypted = false;
  // The snapshot's key, when known; only with `encrypted`.
  std::optional<KmsKeyArn> kms_key;

  friend bool operator==(const EbsBlockDevice& a, const EbsBlockDevice& b) {
    return a.snapshot_id == b.snapshot_id && a.volume_size_gib == b.volume_size_gib &&
           a.volume_type == b.volume_type && a.delete_on_termination == b.delete_on_termination &&
           a.encrypted == b.encrypted && a.kms_key == b.kms_key;
  }
  template <typename H>
  friend H AbslHashValue(H h, const EbsBlockDevice& e) {
    return internal::HashFields(std::move(h), e.snapshot_id, e.volume_size_gib, e.volume_type,
                                e.delete_on_termination, e.encrypted, e.kms_key);
  }
};

// One block device mapping: an EBS volume, or an instance-store volume (`ephemeralN`).
struct BlockDeviceMapping {
  std::string device_name;
  // Set for EBS volumes.
  std::optional<EbsBlockDevice> ebs;
  // Set for instance-store volumes, for example "ephemeral0".
  std::string virtual_name;

  // The mapping of `snapshot` at `device_name`, with the snapshot's size and encryption.
  static BlockDeviceMapping FromSnapshot(std::string device_name, const Snapshot& snapshot);

  friend bool operator==(const BlockDeviceMapping& a, const BlockDeviceMapping& b) {
    return a.device_name == b.device_name && a.ebs == b.ebs && a.virtual_name == b.virtual_name;
  }
  template <typename H>
  friend H AbslHashValue(H h, const BlockDeviceMapping& m) {
    return internal::HashFields(std::move(h), m.device_name, m.ebs, m.virtual_name);
  }
};

}  // namespace ami

#endif  // AMI_SNAPSHOT_H_
