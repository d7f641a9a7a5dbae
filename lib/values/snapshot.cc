#include "ami/snapshot.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "values/choices.h"
#include "values/resource_checks.h"
#include "values/status_macros.h"

namespace ami {

Snapshot::Snapshot()
    : id_(SnapshotId::Short(0)),
      owner_(AccountId::FromNumber(0)),
      region_(Region::First()),
      body_(internal::BodyRef<Body>::Default()) {}

Snapshot::Body& Snapshot::Builder::body() { return snapshot_.body_.Mutable(); }

bool operator==(const Snapshot& a, const Snapshot& b) { return a.Tie() == b.Tie(); }

Snapshot::Builder Snapshot::ToBuilder() const {
  Builder b;
  b.snapshot_ = *this;
  b.has_id_ = b.has_owner_ = b.has_region_ = true;
  return b;
}

using B = Snapshot::Builder;
B& B::set_id(SnapshotId id) { snapshot_.id_ = id; has_id_ = true; return *this; }
B& B::set_owner(AccountId o) { snapshot_.owner_ = o; has_owner_ = true; return *this; }
B& B::set_region(Region r) { snapshot_.region_ = r; has_region_ = true; return *this; }
B& B::set_volume_size_gib(uint32_t s) { snapshot_.volume_size_gib_ = s; return *this; }
B& B::set_kms_key(std::optional<KmsKeyArn> k) { snapshot_.kms_key_ = k; return *this; }
B& B::set_state(SnapshotState s) { snapshot_.state_ = s; return *this; }
B& B::set_state_message(std::string m) { body().state_message = std::move(m); return *this; }
B& B::set_description(std::string d) { body().description = std::move(d); return *this; }
B& B::set_start_time(absl::Time t) { snapshot_.start_time_ = t; return *this; }
B& B::set_create_volume_permissions(CreateVolumePermissions p) {
  body().permissions = std::move(p);
  return *this;
}
B& B::set_product_codes(std::vector<ProductCode> c) { body().product_codes = std::move(c); return *this; }
B& B::set_volume_id(std::optional<VolumeId> v) { snapshot_.volume_id_ = v; return *this; }
B& B::set_source_snapshot(std::optional<SnapshotId> s) { snapshot_.source_snapshot_ = s; return *this; }
B& B::set_tags(TagSet t) { snapshot_.tags_ = std::move(t); return *this; }

absl::Status Snapshot::Builder::Finish(Snapshot& s) const {
  if (!has_id_ || !has_owner_ || !has_region_) {
    return MakeError(choices::kMissingValue, "a snapshot needs an id, an owner and a region");
  }
  const std::string what = absl::StrCat("snapshot `", s.id_.ToString(), "`");
  AMI_RETURN_IF_ERROR(checks::VolumeSize(what, s.volume_size_gib_, /*allow_zero=*/false));
  if (s.kms_key_.has_value()) {
    AMI_RETURN_IF_ERROR(checks::KeyInRegion(what, *s.kms_key_, s.region_));
  }
  AMI_RETURN_IF_ERROR(checks::Description(what, s.body_->description));
  AMI_RETURN_IF_ERROR(checks::FiniteTime(what, "start time", s.start_time_));
  AMI_RETURN_IF_ERROR(checks::ProductCodes(s.body_->product_codes));
  const std::vector<AccountId>& accounts = s.body_->permissions.accounts;
  const bool sorted = std::adjacent_find(accounts.begin(), accounts.end(), [](AccountId a, AccountId b) {
                        return !(a < b);
                      }) == accounts.end();
  if (sorted && !std::binary_search(accounts.begin(), accounts.end(), s.owner_)) {
    return absl::OkStatus();  // Nothing to sort: the body stays shared.
  }
  // `s` gets a body of its own with the accounts sorted and de-duplicated.
  auto body = std::make_shared<Body>(*s.body_);
  AMI_RETURN_IF_ERROR(checks::SortedAccounts(what, s.owner_, &body->permissions.accounts));
  s.body_ = std::shared_ptr<const Body>(std::move(body));
  return absl::OkStatus();
}

absl::StatusOr<Snapshot> Snapshot::Builder::Build() const& {
  Snapshot s = snapshot_;
  AMI_RETURN_IF_ERROR(Finish(s));
  return s;
}

absl::StatusOr<Snapshot> Snapshot::Builder::Build() && {
  AMI_RETURN_IF_ERROR(Finish(snapshot_));
  return std::move(snapshot_);
}

}  // namespace ami
