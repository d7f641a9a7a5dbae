#include "ami/arns.h"

#include <array>
#include <optional>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ami/errors.h"
#include "values/choices.h"
#include "values/kms_id_access.h"
#include "values/status_macros.h"
#include "values/text_util.h"

namespace ami {
namespace {

// The 129 bits of a key id.
struct KeyBits {
  uint64_t high = 0;
  uint64_t low = 0;
  bool mrk = false;
};

// Reads 32 lowercase hex digits from `text`, skipping the dashes at the positions `dashes` marks
// (a UUID's 8-4-4-4-12), into the high and low halves; false on anything else.
bool ReadHex(absl::string_view text, const bool* dashes, KeyBits* bits) {
  int digits = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (dashes != nullptr && dashes[i]) {
      if (text[i] != '-') return false;
      continue;
    }
    const int d = text_util::LowerHexDigit(text[i]);
    if (d < 0) return false;
    uint64_t& half = digits < 16 ? bits->high : bits->low;
    half = (half << 4) | static_cast<uint64_t>(d);
    ++digits;
  }
  return digits == 32;
}

std::optional<KeyBits> ParseKeyBits(absl::string_view text) {
  static constexpr auto kUuidDashes = [] {
    std::array<bool, 36> d{};
    d[8] = d[13] = d[18] = d[23] = true;
    return d;
  }();
  KeyBits bits;
  if (absl::StartsWith(text, "mrk-")) {
    if (text.size() != 4 + 32) return std::nullopt;
    bits.mrk = true;
    if (!ReadHex(text.substr(4), nullptr, &bits)) return std::nullopt;
  } else {
    if (text.size() != 36 || !ReadHex(text, kUuidDashes.data(), &bits)) return std::nullopt;
  }
  return bits;
}

absl::Status InvalidArn(absl::string_view text, absl::string_view why) {
  return MakeError(choices::kMalformedKmsArn,
                   absl::StrCat("invalid kms arn `", text_util::Clip(text), "`: ", why));
}

bool ValidAliasChars(absl::string_view rest) {
  if (rest.empty()) return false;
  for (const char c : rest) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == ':' || c == '/' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// Checks `alias/…` syntax (ID-13): at most 256 characters in all.
bool WellFormedAliasName(absl::string_view name) {
  return absl::StartsWith(name, "alias/") && name.size() <= 256 &&
         ValidAliasChars(name.substr(6));
}

// The parts of arn:aws:kms:<region>:<account>:<resource>.
struct KmsArnParts {
  Region region;
  AccountId account;
  absl::string_view resource;
};

absl::StatusOr<KmsArnParts> SplitKmsArn(absl::string_view text) {
  // The first five colons split it; the resource keeps any others.
  absl::string_view parts[6];
  size_t n = 0, start = 0;
  for (; n < 5; ++n) {
    const size_t colon = text.find(':', start);
    if (colon == absl::string_view::npos) break;
    parts[n] = text.substr(start, colon - start);
    start = colon + 1;
  }
  if (n != 5 || parts[0] != "arn") return InvalidArn(text, "expected arn:aws:kms:region:account:resource");
  parts[5] = text.substr(start);
  if (parts[1] != "aws") return InvalidArn(text, "only the aws partition is modelled");
  if (parts[2] != "kms") return InvalidArn(text, "the service must be kms");
  absl::StatusOr<Region> region = Region::Parse(parts[3]);
  if (!region.ok()) return InvalidArn(text, "the region is not a known region code");
  absl::StatusOr<AccountId> account = AccountId::Parse(parts[4]);
  if (!account.ok()) return InvalidArn(text, "the account must be 12 digits");
  return KmsArnParts{*region, *account, parts[5]};
}

}  // namespace

namespace internal {

KmsKeyId KmsKeyIdAccess::FromBits(uint64_t high, uint64_t low, bool multi_region) {
  return KmsKeyId(high, low, multi_region);
}

bool KmsKeyIdAccess::HasUuidBits(KmsKeyId id, uint64_t high, uint64_t low) {
  return id == KmsKeyId(high, low, false);
}

}  // namespace internal

absl::StatusOr<KmsKeyId> KmsKeyId::Parse(absl::string_view text) {
  const std::optional<KeyBits> bits = ParseKeyBits(text);
  if (!bits.has_value()) {
    return MakeError(choices::kMalformedKmsKey,
                     absl::StrCat("invalid kms key id `", text_util::Clip(text),
                                  "`: expected a lowercase uuid or mrk- and 32 hex digits"));
  }
  return KmsKeyId(bits->high, bits->low, bits->mrk);
}

std::string KmsKeyId::ToString() const {
  if (multi_region_) {
    std::string out = "mrk-00000000000000000000000000000000";
    text_util::PutHex(&out[20], high_, 16);
    text_util::PutHex(&out[36], low_, 16);
    return out;
  }
  // 8-4-4-4-12: the high half is the first 16 digits, the low half the last 16.
  std::string out = "00000000-0000-0000-0000-000000000000";
  text_util::PutHex(&out[8], high_ >> 32, 8);
  text_util::PutHex(&out[13], high_ >> 16, 4);
  text_util::PutHex(&out[18], high_, 4);
  text_util::PutHex(&out[23], low_ >> 48, 4);
  text_util::PutHex(&out[36], low_, 12);
  return out;
}

absl::StatusOr<KmsKeyArn> KmsKeyArn::Parse(absl::string_view text) {
  AMI_ASSIGN_OR_RETURN(const KmsArnParts parts, SplitKmsArn(text));
  if (!absl::StartsWith(parts.resource, "key/")) return InvalidArn(text, "expected key/<key-id>");
  absl::StatusOr<KmsKeyId> key = KmsKeyId::Parse(parts.resource.substr(4));
  if (!key.ok()) return InvalidArn(text, "the key id is not a uuid or mrk- id");
  return KmsKeyArn(parts.account, parts.region, *key);
}

std::string KmsKeyArn::ToString() const {
  return absl::StrCat("arn:aws:kms:", region_.code(), ":", account().ToString(), ":key/",
                      key_id().ToString());
}

bool operator<(const KmsKeyArn& a, const KmsKeyArn& b) {
  if (a.region_ != b.region_) return a.region_ < b.region_;
  if (a.account() != b.account()) return a.account() < b.account();
  return a.key_id() < b.key_id();
}

absl::StatusOr<KmsKeyRef> KmsKeyRef::Parse(absl::string_view text) {
  KmsKeyRef ref;
  if (absl::StartsWith(text, "arn:")) {
    AMI_ASSIGN_OR_RETURN(const KmsArnParts parts, SplitKmsArn(text));
    ref.account_ = parts.account;
    ref.region_ = parts.region;
    if (absl::StartsWith(parts.resource, "key/")) {
      absl::StatusOr<KmsKeyId> key = KmsKeyId::Parse(parts.resource.substr(4));
      if (!key.ok()) return InvalidArn(text, "the key id is not a uuid or mrk- id");
      ref.form_ = Form::kKeyArn;
      ref.key_id_ = *key;
      return ref;
    }
    if (!WellFormedAliasName(parts.resource)) {
      return InvalidArn(text, "expected key/<key-id> or alias/<name>");
    }
    ref.form_ = Form::kAliasArn;
    ref.alias_ = std::string(parts.resource);
    return ref;
  }
  if (absl::StartsWith(text, "alias/")) {
    if (!WellFormedAliasName(text)) {
      return MakeError(choices::kMalformedKmsKey,
                       absl::StrCat("invalid kms alias name `", text_util::Clip(text),
                                    "`: expected alias/ and 1 to 250 of [a-zA-Z0-9:/_-]"));
    }
    ref.form_ = Form::kAliasName;
    ref.alias_ = std::string(text);
    return ref;
  }
  AMI_ASSIGN_OR_RETURN(const KmsKeyId key, KmsKeyId::Parse(text));
  ref.form_ = Form::kKeyId;
  ref.key_id_ = key;
  return ref;
}

KmsKeyRef KmsKeyRef::FromArn(const KmsKeyArn& arn) {
  KmsKeyRef ref;
  ref.form_ = Form::kKeyArn;
  ref.key_id_ = arn.key_id();
  ref.account_ = arn.account();
  ref.region_ = arn.region();
  return ref;
}

std::optional<KmsKeyArn> KmsKeyRef::key_arn() const {
  if (form_ != Form::kKeyArn) return std::nullopt;
  return KmsKeyArn::Of(*account_, *region_, *key_id_);
}

std::string KmsKeyRef::ToString() const {
  switch (form_) {
    case Form::kKeyId:
      return key_id_->ToString();
    case Form::kKeyArn:
      return key_arn()->ToString();
    case Form::kAliasName:
      return alias_;
    case Form::kAliasArn:
      return absl::StrCat("arn:aws:kms:", region_->code(), ":", account_->ToString(), ":", alias_);
  }
  return alias_;
}

bool KmsKeyRef::names_aws_managed_alias() const {
  return absl::StartsWith(alias_, "alias/aws/");
}

absl::Status ValidateNewAliasName(absl::string_view name) {
  if (!WellFormedAliasName(name)) {
    return MakeError(choices::kBadNewAliasName,
                     absl::StrCat("invalid alias name `", text_util::Clip(name),
                                  "`: expected alias/ and 1 to 250 of [a-zA-Z0-9:/_-]"));
  }
  if (absl::StartsWith(name, "alias/aws/")) {
    return MakeError(choices::kBadNewAliasName,
                     absl::StrCat("alias name `", name,
                                  "` is reserved: alias/aws/ names belong to aws managed keys"));
  }
  return absl::OkStatus();
}

}  // namespace ami
