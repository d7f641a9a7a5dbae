// KMS key and organization identifiers: KMS key ids, ARNs and references, organization and OU
// ids and ARNs. Thread-safe: values are immutable.
#ifndef AMI_ARNS_H_
#define AMI_ARNS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ami/ids.h"

// Identifiers of AWS KMS keys (ID-12 … ID-15): KmsKeyId, KmsKeyArn and KmsKeyRef.
//
// A key id carries 129 bits, 128 of UUID or `mrk-` hex and the form, and KmsKeyId holds them
// inline: no table, no heap, nothing left behind by an id once its last copy is gone. KmsKeyArn
// packs the id, the account and the Region into 24 bytes. All types here are immutable and
// thread-safe; parsing may be called from any thread.
namespace ami {

namespace internal {
struct KmsKeyIdAccess;
}  // namespace internal

// A KMS key id: a lowercase UUID (ID-15) or a multi-Region `mrk-` + 32 hex id (ID-12).
class KmsKeyId {
 public:
  // Parses a key id; anything else is the KMS error `NotFoundException` ("invalid keyId").
  static absl::StatusOr<KmsKeyId> Parse(absl::string_view text);

  // The text form, for example "1234abcd-12ab-34cd-56ef-1234567890ab".
  std::string ToString() const;
  // True for a multi-Region key id (`mrk-…`).
  bool is_multi_region() const { return multi_region_; }

  friend bool operator==(const KmsKeyId& a, const KmsKeyId& b) {
    return a.high_ == b.high_ && a.low_ == b.low_ && a.multi_region_ == b.multi_region_;
  }
  friend bool operator!=(const KmsKeyId& a, const KmsKeyId& b) { return !(a == b); }
  // Orders as the text forms do: fixed-width lowercase hex compares as numbers, and every UUID
  // (starting with a hex digit) comes before every mrk- id ('m' is after 'f').
  friend bool operator<(const KmsKeyId& a, const KmsKeyId& b) {
    if (a.multi_region_ != b.multi_region_) return b.multi_region_;
    if (a.high_ != b.high_) return a.high_ < b.high_;
    return a.low_ < b.low_;
  }
  template <typename H>
  friend H AbslHashValue(H h, const KmsKeyId& id) {
    return H::combine(std::move(h), id.high_, id.low_, id.multi_region_);
  }

 private:
  friend class KmsKeyArn;
  friend struct internal::KmsKeyIdAccess;
  KmsKeyId(uint64_t high, uint64_t low, bool multi_region)
      : high_(high), low_(low), multi_region_(multi_region) {}
  // The first 16 and the last 16 of the 32 hex digits.
  uint64_t high_;
  uint64_t low_;
  bool multi_region_;
};

// A key ARN, arn:aws:kms:<region>:<account>:key/<key-id>: the key, its account and its Region.
class KmsKeyArn {
 public:
  // Parses a key ARN; malformed is the KMS error `InvalidArnException`.
  static absl::StatusOr<KmsKeyArn> Parse(absl::string_view text);
  // The ARN of `key` in `account` and `region`.
  static KmsKeyArn Of(AccountId account, Region region, KmsKeyId key) {
    return KmsKeyArn(account, region, key);
  }

  // The ARN text.
  std::string ToString() const;
  AccountId account() const { return AccountId(uint64_t{account_high_} << 32 | account_low_); }
  Region region() const { return region_; }
  KmsKeyId key_id() const { return KmsKeyId(key_high_, key_low_, multi_region_); }

  friend bool operator==(const KmsKeyArn& a, const KmsKeyArn& b) {
    return a.key_high_ == b.key_high_ && a.key_low_ == b.key_low_ && a.Tail() == b.Tail();
  }
  friend bool operator!=(const KmsKeyArn& a, const KmsKeyArn& b) { return !(a == b); }
  // Orders by Region code, then account, then key id.
  friend bool operator<(const KmsKeyArn& a, const KmsKeyArn& b);
  template <typename H>
  friend H AbslHashValue(H h, const KmsKeyArn& arn) {
    return H::combine(std::move(h), arn.key_high_, arn.key_low_, arn.Tail());
  }

 private:
  KmsKeyArn(AccountId account, Region region, KmsKeyId key)
      : key_high_(key.high_),
        key_low_(key.low_),
        account_low_(static_cast<uint32_t>(account.number())),
        account_high_(static_cast<uint8_t>(account.number() >> 32)),
        region_(region),
        multi_region_(key.multi_region_) {}
  // The account, the Region and the key id's form as one word.
  uint64_t Tail() const {
    return uint64_t{multi_region_} << 48 | uint64_t{region_.index()} << 40 |
           uint64_t{account_high_} << 32 | account_low_;
  }
  // The key id's 128 bits, then the 12-digit account's 40 bits split in two so that the whole
  // ARN takes 24 bytes.
  uint64_t key_high_;
  uint64_t key_low_;
  uint32_t account_low_;
  uint8_t account_high_;
  Region region_;
  bool multi_region_;
};

// A reference to a KMS key in any of the four forms EC2's `KmsKeyId` parameters accept (ID-12):
// key id, key ARN, alias name (`alias/…`) or alias ARN. Only the ARN forms name another account
// (ID-14); resolving a reference to a key is the cloud's job.
class KmsKeyRef {
 public:
  enum class Form : uint8_t { kKeyId, kKeyArn, kAliasName, kAliasArn };

  // Parses any of the four forms. Malformed ARNs are `InvalidArnException`, other malformed
  // references `NotFoundException`, as KMS answers.
  static absl::StatusOr<KmsKeyRef> Parse(absl::string_view text);
  // A reference by key ARN.
  static KmsKeyRef FromArn(const KmsKeyArn& arn);

  // The text form, as it was given (normalized).
  std::string ToString() const;
  Form form() const { return form_; }
  // The key id, for kKeyId and kKeyArn.
  std::optional<KmsKeyId> key_id() const { return key_id_; }
  // The key ARN, for kKeyArn.
  std::optional<KmsKeyArn> key_arn() const;
  // The alias name including `alias/`, for kAliasName and kAliasArn; empty otherwise.
  const std::string& alias_name() const { return alias_; }
  // The account named by an ARN form.
  std::optional<AccountId> account() const { return account_; }
  // The Region named by an ARN form.
  std::optional<Region> region() const { return region_; }
  // True for an alias under `alias/aws/`, the names reserved for AWS managed keys (ID-13).
  bool names_aws_managed_alias() const;

  friend bool operator==(const KmsKeyRef& a, const KmsKeyRef& b) {
    return a.form_ == b.form_ && a.key_id_ == b.key_id_ && a.alias_ == b.alias_ &&
           a.account_ == b.account_ && a.region_ == b.region_;
  }
  friend bool operator!=(const KmsKeyRef& a, const KmsKeyRef& b) { return !(a == b); }
  template <typename H>
  friend H AbslHashValue(H h, const KmsKeyRef& r) {
    return internal::HashFields(std::move(h), r.form_, r.key_id_, r.alias_, r.account_, r.region_);
  }

 private:
  KmsKeyRef() = default;
  Form form_ = Form::kKeyId;
  std::optional<KmsKeyId> key_id_;
  std::string alias_;
  std::optional<AccountId> account_;
  std::optional<Region> region_;
};

// Checks an alias name that a customer wants to create: `alias/` + 1–250 of [a-zA-Z0-9:/_-],
// not under the reserved `alias/aws/` (ID-13). Failure: `InvalidAliasNameException`.
absl::Status ValidateNewAliasName(absl::string_view name);

// AWS Organizations identifiers (ID-16): organization and OU ids and their ARNs, as used by
// organization and OU launch permissions (SHARE-7). Malformed text is `InvalidParameterValue`.
// Thread-safe: values are immutable.

// An organization id, o-[a-z0-9]{10,32}.
class OrganizationId {
 public:
  static absl::StatusOr<OrganizationId> Parse(absl::string_view text);
  const std::string& ToString() const { return value_; }

  friend bool operator==(const OrganizationId& a, const OrganizationId& b) { return a.value_ == b.value_; }
  friend bool operator!=(const OrganizationId& a, const OrganizationId& b) { return !(a == b); }
  friend bool operator<(const OrganizationId& a, const OrganizationId& b) { return a.value_ < b.value_; }
  template <typename H>
  friend H AbslHashValue(H h, const OrganizationId& id) {
    return H::combine(std::move(h), id.value_);
  }

 private:
  explicit OrganizationId(std::string value) : value_(std::move(value)) {}
  std::string value_;
};

// An organization's root id (r-…), named when the organization is created. Parse asks only the
// prefix and at least 4 more characters.
class OrganizationRootId {
 public:
  static absl::StatusOr<OrganizationRootId> Parse(absl::string_view text);
  const std::string& ToString() const { return value_; }

 private:
  explicit OrganizationRootId(std::string value) : value_(std::move(value)) {}
  std::string value_;
};

// An organizational unit id, ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}.
class OrganizationalUnitId {
 public:
  static absl::StatusOr<OrganizationalUnitId> Parse(absl::string_view text);
  const std::string& ToString() const { return value_; }

  friend bool operator==(const OrganizationalUnitId& a, const OrganizationalUnitId& b) {
    return a.value_ == b.value_;
  }
  friend bool operator!=(const OrganizationalUnitId& a, const OrganizationalUnitId& b) { return !(a == b); }
  friend bool operator<(const OrganizationalUnitId& a, const OrganizationalUnitId& b) {
    return a.value_ < b.value_;
  }
  template <typename H>
  friend H AbslHashValue(H h, const OrganizationalUnitId& id) {
    return H::combine(std::move(h), id.value_);
  }

 private:
  explicit OrganizationalUnitId(std::string value) : value_(std::move(value)) {}
  std::string value_;
};

// arn:aws:organizations::<management-account>:organization/<org-id>.
class OrganizationArn {
 public:
  static absl::StatusOr<OrganizationArn> Parse(absl::string_view text);
  static OrganizationArn Of(AccountId management_account, OrganizationId org) {
    return OrganizationArn(management_account, std::move(org));
  }
  std::string ToString() const;
  // The organization's management account (the account in the ARN).
  AccountId management_account() const { return management_; }
  const OrganizationId& organization_id() const { return org_; }

  friend bool operator==(const OrganizationArn& a, const OrganizationArn& b) {
    return a.management_ == b.management_ && a.org_ == b.org_;
  }
  friend bool operator!=(const OrganizationArn& a, const OrganizationArn& b) { return !(a == b); }
  friend bool operator<(const OrganizationArn& a, const OrganizationArn& b) {
    return a.ToString() < b.ToString();
  }
  template <typename H>
  friend H AbslHashValue(H h, const OrganizationArn& arn) {
    return H::combine(std::move(h), arn.management_, arn.org_);
  }

 private:
  OrganizationArn(AccountId management, OrganizationId org)
      : management_(management), org_(std::move(org)) {}
  AccountId management_;
  OrganizationId org_;
};

// arn:aws:organizations::<management-account>:ou/<org-id>/<ou-id>.
class OrganizationalUnitArn {
 public:
  static absl::StatusOr<OrganizationalUnitArn> Parse(absl::string_view text);
  static OrganizationalUnitArn Of(AccountId management_account, OrganizationId org,
                                  OrganizationalUnitId ou) {
    return OrganizationalUnitArn(management_account, std::move(org), std::move(ou));
  }
  std::string ToString() const;
  AccountId management_account() const { return management_; }
  const OrganizationId& organization_id() const { return org_; }
  const OrganizationalUnitId& ou_id() const { return ou_; }

  friend bool operator==(const OrganizationalUnitArn& a, const OrganizationalUnitArn& b) {
    return a.management_ == b.management_ && a.org_ == b.org_ && a.ou_ == b.ou_;
  }
  friend bool operator!=(const OrganizationalUnitArn& a, const OrganizationalUnitArn& b) {
    return !(a == b);
  }
  friend bool operator<(const OrganizationalUnitArn& a, const OrganizationalUnitArn& b) {
    return a.ToString() < b.ToString();
  }
  template <typename H>
  friend H AbslHashValue(H h, const OrganizationalUnitArn& arn) {
    return H::combine(std::move(h), arn.management_, arn.org_, arn.ou_);
  }

 private:
  OrganizationalUnitArn(AccountId management, OrganizationId org, OrganizationalUnitId ou)
      : management_(management), org_(std::move(org)), ou_(std::move(ou)) {}
  AccountId management_;
  OrganizationId org_;
  OrganizationalUnitId ou_;
};

}  // namespace ami

#endif  // AMI_ARNS_H_
