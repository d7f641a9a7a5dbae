#include "ami/ids.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "choices.h"
#include "text_util.h"

namespace ami {
namespace internal {

struct ImageIdKind {
  static constexpr absl::string_view kPrefix = "ami-";
  static constexpr ErrorCode kMalformed = ErrorCode::kInvalidAMIIDMalformed;
  static constexpr absl::string_view kNoun = "AMI";
};
struct SnapshotIdKind {
  static constexpr absl::string_view kPrefix = "snap-";
  static constexpr ErrorCode kMalformed = ErrorCode::kInvalidSnapshotIDMalformed;
  static constexpr absl::string_view kNoun = "snapshot";
};
struct InstanceIdKind {
  static constexpr absl::string_view kPrefix = "i-";
  static constexpr ErrorCode kMalformed = ErrorCode::kInvalidInstanceIDMalformed;
  static constexpr absl::string_view kNoun = "instance";
};
struct VolumeIdKind {
  static constexpr absl::string_view kPrefix = "vol-";
  static constexpr ErrorCode kMalformed = ErrorCode::kInvalidVolumeIDMalformed;
  static constexpr absl::string_view kNoun = "volume";
};

template <typename Kind>
absl::StatusOr<HexId<Kind>> HexId<Kind>::Parse(absl::string_view text) {
  auto malformed = [&] {
    return MakeError(Kind::kMalformed,
                     absl::StrCat("invalid ", Kind::kNoun, " id `", text_util::Clip(text),
                                  "`: expected ", Kind::kPrefix, "xxxxxxxx or ", Kind::kPrefix,
                                  "xxxxxxxxxxxxxxxxx (lowercase hex)"));
  };
  if (!absl::StartsWith(text, Kind::kPrefix)) return malformed();
  const absl::string_view hex = text.substr(Kind::kPrefix.size());
  if (hex.size() != 8 && hex.size() != 17) return malformed();
  uint64_t low = 0;
  uint8_t high = 0;
  for (const char c : hex) {
    const int digit = text_util::LowerHexDigit(c);
    if (digit < 0) return malformed();
    high = static_cast<uint8_t>((high << 4) | (low >> 60));
    low = (low << 4) | static_cast<uint64_t>(digit);
  }
  return HexId(low, static_cast<uint8_t>(high & 0xF), hex.size() == 17);
}

template <typename Kind>
void HexId<Kind>::AppendTo(std::string* out) const {
  static constexpr char kDigits[] = "0123456789abcdef";
  const int n = long_ ? 17 : 8;
  out->append(Kind::kPrefix.data(), Kind::kPrefix.size());
  const size_t end = out->size() + static_cast<size_t>(n);
  out->resize(end);
  char* p = out->data() + end;
  uint64_t low = low_;
  for (int i = 0; i < n; ++i) {
    const int digit = i < 16 ? static_cast<int>(low & 0xF) : high_;
    *--p = kDigits[digit];
    low >>= 4;
  }
}

template <typename Kind>
std::string HexId<Kind>::ToString() const {
  std::string out;
  out.reserve(Kind::kPrefix.size() + 17);
  AppendTo(&out);
  return out;
}

template class HexId<ImageIdKind>;
template class HexId<SnapshotIdKind>;
template class HexId<InstanceIdKind>;
template class HexId<VolumeIdKind>;

}  // namespace internal

absl::StatusOr<AccountId> AccountId::Parse(absl::string_view text) {
  if (text.size() != 12 || !text_util::AllDigits(text)) {
    return MakeError(choices::kMalformedAccountId,
                     absl::StrCat("invalid account id `", text_util::Clip(text),
                                  "`: expected 12 digits without hyphens"));
  }
  uint64_t value = 0;
  for (const char c : text) value = value * 10 + static_cast<uint64_t>(c - '0');
  return AccountId(value);
}

AccountId AccountId::FromNumber(uint64_t number) { return AccountId(number % 1000000000000ULL); }

std::string AccountId::ToString() const {
  std::string out(12, '0');
  uint64_t v = value_;
  for (int i = 11; i >= 0 && v > 0; --i, v /= 10) out[i] = static_cast<char>('0' + v % 10);
  return out;
}

}  // namespace ami
