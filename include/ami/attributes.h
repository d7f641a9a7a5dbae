// What the resource types share: enumerations and small attribute values, tags, and
// (ami::internal) BodyRef, the shared body a value and its copies hold. Thread-safe: values are
// immutable.
#ifndef AMI_ATTRIBUTES_H_
#define AMI_ATTRIBUTES_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

// Enumerations and small attribute values shared by the resource types: states, device and
// architecture kinds, product codes, state reasons. Each enum prints as AWS spells it
// (ToString) and is read back by ParseEnum<E>(); unknown text is `InvalidParameterValue`.
// Thread-safe: everything here is a value or a pure function.
namespace ami {

// Image.State (BC-EC2 ImageState).
enum class ImageState : uint8_t {
  kPending, kAvailable, kInvalid, kDeregistered, kTransient, kFailed, kError, kDisabled
};
// Snapshot.State (BC-EC2 SnapshotState).
enum class SnapshotState : uint8_t { kPending, kCompleted, kError, kRecoverable, kRecovering };
// Instance.State.Name.
enum class InstanceState : uint8_t {
  kPending, kRunning, kShuttingDown, kTerminated, kStopping, kStopped
};
// RootDeviceType: `ebs` or `instance-store`.
enum class RootDeviceType : uint8_t { kEbs, kInstanceStore };
// Architecture (ATTR-3).
enum class Architecture : uint8_t { kI386, kX86_64, kArm64, kX86_64Mac, kArm64Mac };
// VirtualizationType.
enum class VirtualizationType : uint8_t { kHvm, kParavirtual };
// BootMode (ATTR-3); kUnspecified prints as the empty string.
enum class BootMode : uint8_t { kUnspecified, kLegacyBios, kUefi, kUefiPreferred };
// EBS volume types.
enum class VolumeType : uint8_t { kStandard, kGp2, kGp3, kIo1, kIo2, kSt1, kSc1 };
// ProductCode.ProductCodeType (ATTR-3).
enum class ProductCodeType : uint8_t { kMarketplace, kDevpay };
// ImageOwnerAlias: only AWS-defined aliases exist (DESC-10); kNone prints as "".
enum class OwnerAlias : uint8_t { kNone, kAmazon, kAwsMarketplace, kAwsBackupVault };
// Deregistration protection state (DEREG-6): AWS prints "disabled", "enabled" and
// "enabled-with-cooldown"; a cooldown in progress is "disabled-until-<time>" (see Image).
enum class DeregistrationProtection : uint8_t { kDisabled, kEnabled, kEnabledWithCooldown };

// Allowed AMIs setting of an account in a Region (GOV-7).
enum class AllowedImagesState : uint8_t { kDisabled, kEnabled, kAuditMode };
// Snapshot block public access state (SNAP-3); RegionSettings::SnapshotBlock.
enum class SnapshotBlockPublicAccessState : uint8_t {
  kUnblocked, kBlockNewSharing, kBlockAllSharing
};
// The image attributes DescribeImageAttribute names (DESC-11); only kLaunchPermission can be
// reset (SHARE-2), and kBlockDeviceMapping is not described (AuthFailure).
enum class ImageAttributeName : uint8_t {
  kDescription, kLaunchPermission, kImdsSupport, kProductCodes, kDeregistrationProtection,
  kLastLaunchedTime, kBootMode, kKernel, kRamdisk, kSriovNetSupport, kTpmSupport, kUefiData,
  kBlockDeviceMapping
};
// Recycle Bin resource types (DEREG-9).
enum class RecycleBinResourceType : uint8_t { kImage, kSnapshot };
// Recycle Bin rule lock state (DEREG-9): a locked rule unlocks only after its unlock delay.
enum class RuleLockState : uint8_t { kUnlocked, kLocked, kPendingUnlock };

// Whether an image's snapshots guarantee file-system integrity (CREATE-4).
enum class ImageConsistency : uint8_t {
  // Not known: registered from snapshots, or imported without the information.
  kUnknown,
  // Taken from a stopped instance, or after EC2 rebooted it (NoReboot=false).
  kFileSystemConsistent,
  // Taken from a running instance with NoReboot=true: no integrity guarantee.
  kCrashConsistent,
};

// KMS key manager (KMS-1).
enum class KeyManager : uint8_t { kCustomer, kAws };
// KMS key state (KMS-15).
enum class KeyState : uint8_t {
  kEnabled, kDisabled, kPendingDeletion, kPendingImport, kPendingReplicaDeletion, kUnavailable,
  kCreating, kUpdating
};
// Multi-Region role of a KMS key (KMS-14); kNone is a single-Region key.
enum class MultiRegionRole : uint8_t { kNone, kPrimary, kReplica };

// The AWS spelling of each value.
absl::string_view ToString(ImageState v);
absl::string_view ToString(SnapshotState v);
absl::string_view ToString(InstanceState v);
absl::string_view ToString(RootDeviceType v);
absl::string_view ToString(Architecture v);
absl::string_view ToString(VirtualizationType v);
absl::string_view ToString(BootMode v);
absl::string_view ToString(VolumeType v);
absl::string_view ToString(ProductCodeType v);
absl::string_view ToString(OwnerAlias v);
absl::string_view ToString(DeregistrationProtection v);
absl::string_view ToString(ImageConsistency v);
absl::string_view ToString(KeyManager v);
absl::string_view ToString(KeyState v);
absl::string_view ToString(MultiRegionRole v);
absl::string_view ToString(AllowedImagesState v);
absl::string_view ToString(SnapshotBlockPublicAccessState v);
absl::string_view ToString(ImageAttributeName v);
absl::string_view ToString(RecycleBinResourceType v);
absl::string_view ToString(RuleLockState v);

// Reads an enum from its AWS spelling (exact, case-sensitive); `InvalidParameterValue` if unknown
// (the message of SnapshotBlockPublicAccessState names the states one may enable, and that of
// ImageAttributeName is DescribeImageAttribute's). Defined for every enum above.
template <typename E>
absl::StatusOr<E> ParseEnum(absl::string_view text);

// An AWS Marketplace or DevPay product code on an image, snapshot or instance.
struct ProductCode {
  std::string code;
  ProductCodeType type = ProductCodeType::kMarketplace;

  friend bool operator==(const ProductCode& a, const ProductCode& b) {
    return a.code == b.code && a.type == b.type;
  }
  friend bool operator!=(const ProductCode& a, const ProductCode& b) { return !(a == b); }
  friend bool operator<(const ProductCode& a, const ProductCode& b) {
    return a.code != b.code ? a.code < b.code : a.type < b.type;
  }
  template <typename H>
  friend H AbslHashValue(H h, const ProductCode& p) {
    return H::combine(std::move(h), p.code, p.type);
  }
};

// Checks a product code: 1–25 characters of [a-zA-Z0-9] (GOV-8); else `InvalidParameterValue`.
absl::Status ValidateProductCode(const ProductCode& code);

// Why a resource is in its state, as EC2's StateReason {Code, Message}; both empty for none.
struct StateReason {
  std::string code;
  std::string message;

  bool empty() const { return code.empty() && message.empty(); }
  friend bool operator==(const StateReason& a, const StateReason& b) {
    return a.code == b.code && a.message == b.message;
  }
  friend bool operator!=(const StateReason& a, const StateReason& b) { return !(a == b); }
  template <typename H>
  friend H AbslHashValue(H h, const StateReason& r) {
    return H::combine(std::move(h), r.code, r.message);
  }
};

// Resource tags: Tag (one key and value) and TagSet (the tags one account sees on a resource).
//
// Keys are 1–128 Unicode characters, values 0–256, both valid UTF-8; a resource carries at most
// 50 user tags (keys starting with `aws:` are system tags: they do not count and users cannot
// create them). Thread-safe: values are immutable.

// Most user tags on one resource.
inline constexpr size_t kMaxUserTagsPerResource = 50;

// One tag. Made by Create(); copyable and movable.
class Tag {
 public:
  // Checks lengths and UTF-8; failure is `InvalidParameterValue`.
  static absl::StatusOr<Tag> Create(absl::string_view key, absl::string_view value);

  const std::string& key() const { return key_; }
  const std::string& value() const { return value_; }
  // True for the `aws:` system tags.
  bool is_system() const;

  friend bool operator==(const Tag& a, const Tag& b) { return a.key_ == b.key_ && a.value_ == b.value_; }
  friend bool operator!=(const Tag& a, const Tag& b) { return !(a == b); }
  friend bool operator<(const Tag& a, const Tag& b) {
    return a.key_ != b.key_ ? a.key_ < b.key_ : a.value_ < b.value_;
  }
  template <typename H>
  friend H AbslHashValue(H h, const Tag& t) {
    return H::combine(std::move(h), t.key_, t.value_);
  }

 private:
  Tag(std::string key, std::string value) : key_(std::move(key)), value_(std::move(value)) {}
  std::string key_;
  std::string value_;
};

namespace internal {
struct ValueSharing;
}  // namespace internal

// A set of tags with distinct keys, sorted by key. The default TagSet is empty. Copies share
// the tags (they are never changed), so a copy costs one reference count.
class TagSet {
 public:
  TagSet() = default;
  // Distinct keys (`InvalidParameterValue`), at most 50 user tags (`TagLimitExceeded`).
  static absl::StatusOr<TagSet> Create(std::vector<Tag> tags);
  // Checks tags a user asks to create: as Create(), and no `aws:` keys (`InvalidParameterValue`).
  static absl::StatusOr<TagSet> CreateUserTags(std::vector<Tag> tags);

  // The value of `key`, if present.
  std::optional<absl::string_view> Find(absl::string_view key) const;
  bool empty() const { return tags_ == nullptr; }
  size_t size() const { return tags_ == nullptr ? 0 : tags_->size(); }
  const std::vector<Tag>& tags() const { return tags_ == nullptr ? NoTags() : *tags_; }
  std::vector<Tag>::const_iterator begin() const { return tags().begin(); }
  std::vector<Tag>::const_iterator end() const { return tags().end(); }

  // These tags with `added` put over them (CreateTags): same key, new value.
  absl::StatusOr<TagSet> With(const TagSet& added) const;
  // These tags without the given keys (DeleteTags).
  TagSet Without(const std::vector<std::string>& keys) const;
  // These tags without the `aws:` system tags.
  TagSet UserTags() const;

  friend bool operator==(const TagSet& a, const TagSet& b) {
    return a.tags_ == b.tags_ || a.tags() == b.tags();
  }
  friend bool operator!=(const TagSet& a, const TagSet& b) { return !(a == b); }
  template <typename H>
  friend H AbslHashValue(H h, const TagSet& s) {
    return H::combine(std::move(h), s.tags());
  }

 private:
  friend struct internal::ValueSharing;
  // Takes sorted tags with distinct keys; none is stored as no vector.
  explicit TagSet(std::vector<Tag> sorted);
  static const std::vector<Tag>& NoTags();
  // Null when empty.
  std::shared_ptr<const std::vector<Tag>> tags_;
};

}  // namespace ami

// BodyRef: how a value type holds the fields it shares with its copies. Internal to libami's
// value types; not for direct use.
namespace ami::internal {

// A shared, never-changed body. A move copies the pointer, so that a moved-from value stays
// readable.
template <typename Body>
class BodyRef {
 public:
  BodyRef(std::shared_ptr<const Body> body) : ptr_(std::move(body)) {}  // NOLINT: implicit.
  BodyRef(const BodyRef&) = default;
  BodyRef(BodyRef&& other) noexcept : ptr_(other.ptr_) {}
  BodyRef& operator=(const BodyRef&) = default;
  BodyRef& operator=(BodyRef&& other) noexcept {
    ptr_ = other.ptr_;
    return *this;
  }
  const Body* operator->() const { return ptr_.get(); }
  const Body& operator*() const { return *ptr_; }
  const Body* get() const { return ptr_.get(); }
  const std::shared_ptr<const Body>& shared() const { return ptr_; }
  long use_count() const { return ptr_.use_count(); }

  // The body for a builder to change: first copied, unless this reference alone holds it.
  Body& Mutable() {
    // A body held here alone was made by this function (or by make_shared), not const.
    if (ptr_.use_count() != 1) ptr_ = std::make_shared<Body>(*ptr_);
    return const_cast<Body&>(*ptr_);
  }
  // The body of a new value: shared, never changed (Mutable() copies it).
  static const std::shared_ptr<const Body>& Default() {
    static const auto* const body = new std::shared_ptr<const Body>(std::make_shared<Body>());
    return *body;
  }

 private:
  std::shared_ptr<const Body> ptr_;
};

}  // namespace ami::internal

#endif  // AMI_ATTRIBUTES_H_
