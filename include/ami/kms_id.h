// Identifiers of AWS KMS keys (ID-12 … ID-15): KmsKeyId, KmsKeyArn and KmsKeyRef.
//
// KmsKeyId is a 4-byte handle into a process-wide, append-only table of the distinct key ids
// parsed so far (a key id carries 129 bits: 128 of UUID or `mrk-` hex and the form), so copies
// never allocate and compare in one instruction. The table holds at most kMaxDistinctKmsKeyIds
// entries. All types here are immutable and thread-safe; parsing may be called from any thread.
#ifndef AMI_KMS_ID_H_
#define AMI_KMS_ID_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ami/hash_util.h"
#include "ami/ids.h"
#include "ami/region.h"

namespace ami {

// The most distinct KMS key ids one process can hold; parsing a new one beyond it fails with
// `ResourceLimitExceeded`.
inline constexpr uint32_t kMaxDistinctKmsKeyIds = 1u << 24;

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
  bool is_multi_region() const;

  friend bool operator==(KmsKeyId a, KmsKeyId b) { return a.handle_ == b.handle_; }
  friend bool operator!=(KmsKeyId a, KmsKeyId b) { return a.handle_ != b.handle_; }
  // Orders as the text forms do.
  friend bool operator<(KmsKeyId a, KmsKeyId b) { return Less(a, b); }
  template <typename H>
  friend H AbslHashValue(H h, KmsKeyId id) {
    return H::combine(std::move(h), id.handle_);
  }

 private:
  friend struct internal::KmsKeyIdAccess;
  explicit KmsKeyId(uint32_t handle) : handle_(handle) {}
  static bool Less(KmsKeyId a, KmsKeyId b);
  uint32_t handle_;
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
  AccountId account() const { return account_; }
  Region region() const { return region_; }
  KmsKeyId key_id() const { return key_; }

  friend bool operator==(const KmsKeyArn& a, const KmsKeyArn& b) {
    return a.account_ == b.account_ && a.region_ == b.region_ && a.key_ == b.key_;
  }
  friend bool operator!=(const KmsKeyArn& a, const KmsKeyArn& b) { return !(a == b); }
  friend bool operator<(const KmsKeyArn& a, const KmsKeyArn& b);
  template <typename H>
  friend H AbslHashValue(H h, const KmsKeyArn& arn) {
    return H::combine(std::move(h), arn.account_, arn.region_, arn.key_);
  }

 private:
  KmsKeyArn(AccountId account, Region region, KmsKeyId key)
      : account_(account), key_(key), region_(region) {}
  AccountId account_;
  KmsKeyId key_;
  Region region_;
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

}  // namespace ami

#endif  // AMI_KMS_ID_H_
