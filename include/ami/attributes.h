// Enumerations and small attribute values shared by the resource types: states, device and
// architecture kinds, product codes, state reasons. Each enum prints as AWS spells it
// (ToString) and is read back by ParseEnum<E>(); unknown text is `InvalidParameterValue`.
// Thread-safe: everything here is a value or a pure function.
#ifndef AMI_ATTRIBUTES_H_
#define AMI_ATTRIBUTES_H_

#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

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
absl::string_view ToString(RecycleBinResourceType v);
absl::string_view ToString(RuleLockState v);

// Reads an enum from its AWS spelling (exact, case-sensitive); `InvalidParameterValue` if unknown.
// Defined for every enum above.
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

}  // namespace ami

#endif  // AMI_ATTRIBUTES_H_
