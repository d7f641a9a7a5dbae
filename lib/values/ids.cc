#include "ami/ids.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "values/choices.h"
#include "values/text_util.h"

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
  out->append(Kind::kPrefix.data(), Kind::kPrefix.size());
  const size_t start = out->size();
  if (!long_) {
    out->resize(start + 8);
    text_util::PutHex(out->data() + start + 8, low_, 8);
    return;
  }
  // 17 digits: the top one is high4, then the 16 of the low 64 bits.
  out->resize(start + 17);
  text_util::PutHex(out->data() + start + 1, high_, 1);
  text_util::PutHex(out->data() + start + 17, low_, 16);
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


std::string AccountId::ToString() const {
  std::string out(12, '0');
  uint64_t v = value_;
  for (int i = 11; i >= 0 && v > 0; --i, v /= 10) out[i] = static_cast<char>('0' + v % 10);
  return out;
}

}  // namespace ami
