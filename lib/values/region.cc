#include "ami/ids.h"

#include <array>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ami/errors.h"
#include "values/text_util.h"

namespace ami {
namespace {

// One commercial Region: its code, the letters of its zone names, the prefix of its zone ids
// and the numbers of its zone ids.
struct RegionInfo {
  absl::string_view code;
  absl::string_view letters;
  absl::string_view zone_id_prefix;
  absl::string_view zone_numbers;
};

// The commercial partition's Regions. Zone names differ per account (ID-9); this lists the
// letters that accounts are offered.
constexpr std::array<RegionInfo, 34> kRegions = {{
    {"us-east-1", "abcdef", "use1", "123456"},
    {"us-east-2", "abc", "use2", "123"},
    {"us-west-1", "abc", "usw1", "13"},
    {"us-west-2", "abcd", "usw2", "1234"},
    {"af-south-1", "abc", "afs1", "123"},
    {"ap-east-1", "abc", "ape1", "123"},
    {"ap-east-2", "abc", "ape2", "123"},
    {"ap-south-1", "abc", "aps1", "123"},
    {"ap-south-2", "abc", "aps2", "123"},
    {"ap-southeast-1", "abc", "apse1", "123"},
    {"ap-southeast-2", "abc", "apse2", "123"},
    {"ap-southeast-3", "abc", "apse3", "123"},
    {"ap-southeast-4", "abc", "apse4", "123"},
    {"ap-southeast-5", "abc", "apse5", "123"},
    {"ap-southeast-6", "abc", "apse6", "123"},
    {"ap-southeast-7", "abc", "apse7", "123"},
    {"ap-northeast-1", "acd", "apne1", "124"},
    {"ap-northeast-2", "abcd", "apne2", "1234"},
    {"ap-northeast-3", "abc", "apne3", "123"},
    {"ca-central-1", "abd", "cac1", "124"},
    {"ca-west-1", "abc", "caw1", "123"},
    {"eu-central-1", "abc", "euc1", "123"},
    {"eu-central-2", "abc", "euc2", "123"},
    {"eu-west-1", "abc", "euw1", "123"},
    {"eu-west-2", "abc", "euw2", "123"},
    {"eu-west-3", "abc", "euw3", "123"},
    {"eu-south-1", "abc", "eus1", "123"},
    {"eu-south-2", "abc", "eus2", "123"},
    {"eu-north-1", "abc", "eun1", "123"},
    {"il-central-1", "abc", "ilc1", "123"},
    {"me-south-1", "abc", "mes1", "123"},
    {"me-central-1", "abc", "mec1", "123"},
    {"mx-central-1", "abc", "mxc1", "123"},
    {"sa-east-1", "abc", "sae1", "123"},
}};

// The form KMS uses to validate Region codes: ^([a-z]+-){2,3}\d+$ (ID-8).
bool WellFormedRegionCode(absl::string_view code) {
  if (code.empty() || code.size() > 32) return false;
  const std::vector<absl::string_view> parts = absl::StrSplit(code, '-');
  if (parts.size() < 3 || parts.size() > 4) return false;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    if (parts[i].empty()) return false;
    for (const char c : parts[i]) {
      if (c < 'a' || c > 'z') return false;
    }
  }
  return text_util::AllDigits(parts.back());
}

int FindRegion(absl::string_view code) {
  for (size_t i = 0; i < kRegions.size(); ++i) {
    if (kRegions[i].code == code) return static_cast<int>(i);
  }
  return -1;
}

absl::Status ZoneNotFound(absl::string_view what, absl::string_view text) {
  return MakeError(ErrorCode::kInvalidZoneNotFound,
                   absl::StrCat("the availability zone ", what, " `", text_util::Clip(text),
                                "` does not exist in any known region"));
}

}  // namespace

absl::StatusOr<Region> Region::Parse(absl::string_view code) {
  if (!WellFormedRegionCode(code)) {
    return MakeError(ErrorCode::kInvalidRegion,
                     absl::StrCat("invalid region `", text_util::Clip(code),
                                  "`: specify a region code, for example us-west-2"));
  }
  const int index = FindRegion(code);
  if (index < 0) {
    return MakeError(ErrorCode::kInvalidRegion,
                     absl::StrCat("unknown region `", code,
                                  "`: it is not a commercial AWS region libami knows"));
  }
  return Region(static_cast<uint8_t>(index));
}

std::vector<Region> Region::All() {
  std::vector<Region> out;
  out.reserve(kRegions.size());
  for (size_t i = 0; i < kRegions.size(); ++i) out.push_back(Region(static_cast<uint8_t>(i)));
  return out;
}

absl::string_view Region::code() const { return kRegions[index_].code; }

std::vector<AvailabilityZone> Region::zones() const {
  std::vector<AvailabilityZone> out;
  for (const char letter : kRegions[index_].letters) out.push_back(AvailabilityZone(index_, letter));
  return out;
}

std::vector<AvailabilityZoneId> Region::zone_ids() const {
  std::vector<AvailabilityZoneId> out;
  for (const char n : kRegions[index_].zone_numbers) {
    out.push_back(AvailabilityZoneId(index_, static_cast<uint8_t>(n - '0')));
  }
  return out;
}

absl::StatusOr<AvailabilityZone> AvailabilityZone::Parse(absl::string_view name) {
  if (name.size() < 2) return ZoneNotFound("name", name);
  const absl::string_view code = name.substr(0, name.size() - 1);
  const char letter = name.back();
  const int index = FindRegion(code);
  if (index < 0 || kRegions[index].letters.find(letter) == absl::string_view::npos) {
    return ZoneNotFound("name", name);
  }
  return AvailabilityZone(static_cast<uint8_t>(index), letter);
}

std::string AvailabilityZone::ToString() const {
  return absl::StrCat(kRegions[region_].code, absl::string_view(&letter_, 1));
}

absl::StatusOr<AvailabilityZoneId> AvailabilityZoneId::Parse(absl::string_view id) {
  const size_t dash = id.rfind("-az");
  if (dash == absl::string_view::npos || dash + 4 != id.size()) return ZoneNotFound("id", id);
  const absl::string_view prefix = id.substr(0, dash);
  const char number = id.back();
  for (size_t i = 0; i < kRegions.size(); ++i) {
    if (kRegions[i].zone_id_prefix == prefix &&
        kRegions[i].zone_numbers.find(number) != absl::string_view::npos) {
      return AvailabilityZoneId(static_cast<uint8_t>(i), static_cast<uint8_t>(number - '0'));
    }
  }
  return ZoneNotFound("id", id);
}

std::string AvailabilityZoneId::ToString() const {
  return absl::StrCat(kRegions[region_].zone_id_prefix, "-az", number_);
}

}  // namespace ami
