// Identifier types for accounts and EC2 resources: AccountId, ImageId, SnapshotId, InstanceId,
// VolumeId.
//
// Each id is a distinct, trivially copyable value of at most 16 bytes stored inline (no heap),
// made by Parse() from its AWS text form and printed back by ToString(). Ids are ordered as
// their text forms are, and hashable with Abseil. Thread-safe: values are immutable.
#ifndef AMI_IDS_H_
#define AMI_IDS_H_

#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ami {

class KmsKeyArn;

// A 12-digit AWS account id (ID-6); leading zeros are kept.
class AccountId {
 public:
  // Parses exactly 12 decimal digits; anything else is `InvalidUserID.Malformed`.
  static absl::StatusOr<AccountId> Parse(absl::string_view text);
  // The account whose 12-digit form is `number` zero-padded. REQUIRES: number < 10^12.
  static AccountId FromNumber(uint64_t number);

  // The 12-digit text form, for example "012345678901".
  std::string ToString() const;
  // The account id as a number.
  uint64_t number() const { return value_; }

  friend bool operator==(AccountId a, AccountId b) { return a.value_ == b.value_; }
  friend bool operator!=(AccountId a, AccountId b) { return a.value_ != b.value_; }
  friend bool operator<(AccountId a, AccountId b) { return a.value_ < b.value_; }
  friend bool operator>(AccountId a, AccountId b) { return b < a; }
  friend bool operator<=(AccountId a, AccountId b) { return !(b < a); }
  friend bool operator>=(AccountId a, AccountId b) { return !(a < b); }
  template <typename H>
  friend H AbslHashValue(H h, AccountId id) {
    return H::combine(std::move(h), id.value_);
  }

 private:
  friend class KmsKeyArn;  // Keeps the number in 40 bits.
  explicit AccountId(uint64_t value) : value_(value) {}
  uint64_t value_;
};

namespace internal {

// Kind tags for HexId; their prefixes and error codes live in ids.cc.
struct ImageIdKind;
struct SnapshotIdKind;
struct InstanceIdKind;
struct VolumeIdKind;

// An EC2 resource id: a prefix, a hyphen and 8 (legacy) or 17 lowercase hex digits (ID-1, ID-2).
// The 17-digit form holds 68 bits: the low 64 in `low_`, the top 4 in `high_`.
template <typename Kind>
class HexId {
 public:
  // Parses the text form; a bad one gets the kind's `*.Malformed` code (ID-3).
  static absl::StatusOr<HexId> Parse(absl::string_view text);
  // The 17-digit id whose value is (high4 << 64) | low64; only the low 4 bits of high4 are used.
  static HexId Long(uint64_t low64, uint8_t high4 = 0) {
    return HexId(low64, static_cast<uint8_t>(high4 & 0xF), true);
  }
  // The legacy 8-digit id with this value.
  static HexId Short(uint32_t value) { return HexId(value, 0, false); }

  // The text form, for example "ami-0123456789abcdef0".
  std::string ToString() const;
  // Appends the text form to `*out` (no string of its own is made).
  void AppendTo(std::string* out) const;
  // True for the 17-digit form, false for the legacy 8-digit form.
  bool is_long() const { return long_; }
  // The low 64 bits of the value.
  uint64_t low64() const { return low_; }
  // The top 4 bits of a 17-digit value (0 for the 8-digit form).
  uint8_t high4() const { return high_; }

  friend bool operator==(const HexId& a, const HexId& b) {
    return a.low_ == b.low_ && a.high_ == b.high_ && a.long_ == b.long_;
  }
  friend bool operator!=(const HexId& a, const HexId& b) { return !(a == b); }
  // Orders as the text forms do.
  friend bool operator<(const HexId& a, const HexId& b) {
    const uint32_t pa = a.Prefix8(), pb = b.Prefix8();
    if (pa != pb) return pa < pb;
    if (a.long_ != b.long_) return !a.long_;
    if (a.high_ != b.high_) return a.high_ < b.high_;
    return a.low_ < b.low_;
  }
  friend bool operator>(const HexId& a, const HexId& b) { return b < a; }
  friend bool operator<=(const HexId& a, const HexId& b) { return !(b < a); }
  friend bool operator>=(const HexId& a, const HexId& b) { return !(a < b); }
  template <typename H>
  friend H AbslHashValue(H h, const HexId& id) {
    return H::combine(std::move(h), id.low_, id.high_, id.long_);
  }

 private:
  HexId(uint64_t low, uint8_t high, bool is_long) : low_(low), high_(high), long_(is_long) {}
  // The value of the first 8 hex digits.
  uint32_t Prefix8() const {
    return long_ ? static_cast<uint32_t>((uint64_t{high_} << 28) | (low_ >> 36))
                 : static_cast<uint32_t>(low_);
  }

  uint64_t low_;
  uint8_t high_;
  bool long_;
};

}  // namespace internal

// An AMI id, `ami-` + 8 or 17 hex digits; malformed is `InvalidAMIID.Malformed`.
using ImageId = internal::HexId<internal::ImageIdKind>;
// An EBS snapshot id, `snap-…`; malformed is `InvalidSnapshotID.Malformed`.
using SnapshotId = internal::HexId<internal::SnapshotIdKind>;
// An instance id, `i-…`; malformed is `InvalidInstanceID.Malformed`.
using InstanceId = internal::HexId<internal::InstanceIdKind>;
// An EBS volume id, `vol-…`; malformed is `InvalidVolumeID.Malformed`.
using VolumeId = internal::HexId<internal::VolumeIdKind>;

}  // namespace ami

#endif  // AMI_IDS_H_
