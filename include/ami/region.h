// Regions and Availability Zones of the AWS commercial partition (ID-8, ID-9, ID-10).
//
// Region, AvailabilityZone and AvailabilityZoneId are 1- or 2-byte values that index a built-in
// catalogue of the real commercial Regions, their zone names and their zone ids. Local Zones,
// Wavelength Zones and Outposts are not in the catalogue. Thread-safe: values are immutable and
// the catalogue is constant.
#ifndef AMI_REGION_H_
#define AMI_REGION_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ami {

class AvailabilityZone;
class AvailabilityZoneId;

// An AWS Region of the catalogue, such as us-east-1.
class Region {
 public:
  // Parses a Region code. Malformed or not in the catalogue: `InvalidRegion`.
  static absl::StatusOr<Region> Parse(absl::string_view code);
  // Every Region of the catalogue, in catalogue order.
  static std::vector<Region> All();

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

#endif  // AMI_REGION_H_
