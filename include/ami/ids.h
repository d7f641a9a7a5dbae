// Identifiers: accounts, EC2 resources, Regions and Availability Zones, and (ami::internal) the
// hashing helpers the value types use. Thread-safe: values are immutable, the catalogue constant.
#ifndef AMI_IDS_H_
#define AMI_IDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

// Identifier types for accounts and EC2 resources: AccountId, ImageId, SnapshotId, InstanceId,
// VolumeId.
//
// Each id is a distinct, trivially copyable value of at most 16 bytes stored inline (no heap),
// made by Parse() from its AWS text form and printed back by ToString(). Ids are ordered as
// their text forms are, and hashable with Abseil. Thread-safe: values are immutable.
namespace ami {

class KmsKeyArn;

// A 12-digit AWS account id (ID-6); leading zeros are kept.
class AccountId {
 public:
  // Parses exactly 12 decimal digits; anything else is `InvalidUserID.Malformed`.
  static absl::StatusOr<AccountId> Parse(absl::string_view text);
  // The account whose 12-digit form is `number` zero-padded. REQUIRES: number < 10^12.
  static AccountId FromNumber(uint64_t number) { return AccountId(number % 1000000000000ULL); }

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

// Regions and Availability Zones of the AWS commercial partition (ID-8, ID-9, ID-10).
//
// Region, AvailabilityZone and AvailabilityZoneId are 1- or 2-byte values that index a built-in
// catalogue of the real commercial Regions, their zone names and their zone ids. Local Zones,
// Wavelength Zones and Outposts are not in the catalogue. Thread-safe: values are immutable and
// the catalogue is constant.

class AvailabilityZone;
class AvailabilityZoneId;

// An AWS Region of the catalogue, such as us-east-1.
class Region {
 public:
  // Parses a Region code. Malformed or not in the catalogue: `InvalidRegion`.
  static absl::StatusOr<Region> Parse(absl::string_view code);
  // Every Region of the catalogue, in catalogue order.
  static std::vector<Region> All();
  // The first Region of the catalogue, us-east-1: the default of Region fields. Allocates nothing.
  static Region First() { return Region(0); }

  // The Region code, for example "us-east-1".
  absl::string_view code() const;
  // std::string form of code().
  std::string ToString() const { return std::string(code()); }
  // The zone names of this Region (for example us-east-1a … us-east-1f).
  std::vector<AvailabilityZone> zones() const;
  // The zone ids of this Region (for example use1-az1 … use1-az6).
  std::vector<AvailabilityZoneId> zone_ids() const;
  // The catalogue index of this Region.
  uint8_t index() const { return index_; }

  friend bool operator==(Region a, Region b) { return a.index_ == b.index_; }
  friend bool operator!=(Region a, Region b) { return a.index_ != b.index_; }
  // Orders by Region code.
  friend bool operator<(Region a, Region b) { return a.code() < b.code(); }
  template <typename H>
  friend H AbslHashValue(H h, Region r) {
    return H::combine(std::move(h), r.index_);
  }

 private:
  friend class AvailabilityZone;
  friend class AvailabilityZoneId;
  explicit Region(uint8_t index) : index_(index) {}
  uint8_t index_;
};

// An Availability Zone name such as us-east-1a: its Region's code plus a letter (ID-9). Names
// are mapped to physical zones independently per account; AvailabilityZoneId is the stable id.
class AvailabilityZone {
 public:
  // Parses a zone name. Malformed or unknown: `InvalidZone.NotFound` (ID-10).
  static absl::StatusOr<AvailabilityZone> Parse(absl::string_view name);

  // The zone name, for example "us-east-1a".
  std::string ToString() const;
  // The one Region the zone belongs to.
  Region region() const { return Region(region_); }
  // The zone's letter, for example 'a'.
  char letter() const { return letter_; }

  friend bool operator==(AvailabilityZone a, AvailabilityZone b) {
    return a.region_ == b.region_ && a.letter_ == b.letter_;
  }
  friend bool operator!=(AvailabilityZone a, AvailabilityZone b) { return !(a == b); }
  friend bool operator<(AvailabilityZone a, AvailabilityZone b) {
    if (a.region_ != b.region_) return a.region() < b.region();
    return a.letter_ < b.letter_;
  }
  template <typename H>
  friend H AbslHashValue(H h, AvailabilityZone z) {
    return H::combine(std::move(h), z.region_, z.letter_);
  }

 private:
  friend class Region;
  AvailabilityZone(uint8_t region, char letter) : region_(region), letter_(letter) {}
  uint8_t region_;
  char letter_;
};

// An Availability Zone id such as use1-az1: the same physical zone in every account (ID-9).
class AvailabilityZoneId {
 public:
  // Parses a zone id. Malformed or unknown: `InvalidZone.NotFound`.
  static absl::StatusOr<AvailabilityZoneId> Parse(absl::string_view id);

  // The zone id, for example "use1-az1".
  std::string ToString() const;
  // The one Region the zone belongs to.
  Region region() const { return Region(region_); }
  // The zone number, for example 1 for use1-az1.
  uint8_t number() const { return number_; }

  friend bool operator==(AvailabilityZoneId a, AvailabilityZoneId b) {
    return a.region_ == b.region_ && a.number_ == b.number_;
  }
  friend bool operator!=(AvailabilityZoneId a, AvailabilityZoneId b) { return !(a == b); }
  friend bool operator<(AvailabilityZoneId a, AvailabilityZoneId b) {
    if (a.region_ != b.region_) return a.region() < b.region();
    return a.number_ < b.number_;
  }
  template <typename H>
  friend H AbslHashValue(H h, AvailabilityZoneId z) {
    return H::combine(std::move(h), z.region_, z.number_);
  }

 private:
  friend class Region;
  AvailabilityZoneId(uint8_t region, uint8_t number) : region_(region), number_(number) {}
  uint8_t region_;
  uint8_t number_;
};

}  // namespace ami

// A helper for the values' AbslHashValue: combines fields, hashing a std::optional as whether it
// holds a value and then the value (Abseil 20220623 hashes absl::optional, not std::optional).
namespace ami::internal {

template <typename T>
struct IsStdOptional : std::false_type {};
template <typename T>
struct IsStdOptional<std::optional<T>> : std::true_type {};

template <typename H, typename T>
H HashField(H h, const T& value) {
  if constexpr (IsStdOptional<T>::value) {
    if (!value.has_value()) return H::combine(std::move(h), false);
    return HashField(H::combine(std::move(h), true), *value);
  } else {
    return H::combine(std::move(h), value);
  }
}

// Combines every field into `h`.
template <typename H, typename... Ts>
H HashFields(H h, const Ts&... fields) {
  ((h = HashField(std::move(h), fields)), ...);
  return h;
}

// Combines every element of a tuple of references (a Tie()) into `h`.
template <typename H, typename Tuple>
H HashTuple(H h, const Tuple& fields) {
  return std::apply([&h](const auto&... f) { return HashFields(std::move(h), f...); }, fields);
}

}  // namespace ami::internal

#endif  // AMI_IDS_H_
