// AWS Organizations identifiers (ID-16): organization and OU ids and their ARNs, as used by
// organization and OU launch permissions (SHARE-7). Malformed text is `InvalidParameterValue`.
// Thread-safe: values are immutable.
#ifndef AMI_ORGANIZATION_H_
#define AMI_ORGANIZATION_H_

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ami/ids.h"

namespace ami {

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

#endif  // AMI_ORGANIZATION_H_
