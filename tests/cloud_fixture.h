// The cloud the Cloud tests start from: standard accounts, Regions and an organization, and the
// helpers that seed snapshots and images into it and ask it the usual questions. One instance
// per test, used from the test's thread only.
#ifndef AMI_TESTS_CLOUD_FIXTURE_H_
#define AMI_TESTS_CLOUD_FIXTURE_H_

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ami/ami.h"
#include "ami/cloud.h"
#include "ami/policy.h"
#include "gtest/gtest.h"

namespace ami::testing {

// The value of an operation that must succeed while setting up a test; throws (so gtest reports
// the test as failed) otherwise.
template <typename T>
T Must(absl::StatusOr<T> v) {
  if (!v.ok()) throw std::runtime_error(v.status().ToString());
  return *std::move(v);
}
// Throws unless `s` is OK, like Must().
void Check(const absl::Status& s);

AccountId Account(const char* text);

// The rule ids of a decision's reasons, in order.
std::vector<std::string> Rules(const Decision& d);
// Account ids as text, so that failures print readably.
std::vector<std::string> Texts(const std::vector<AccountId>& accounts);

// True when `d` decided for a reason of `rule` with `code`, immediate or reported later.
::testing::AssertionResult HasReason(const Decision& d, absl::string_view rule, ErrorCode code,
                                     bool async);
// True when an allowing `d` names `rule` among its reasons.
::testing::AssertionResult AllowsBy(const Decision& d, absl::string_view rule);

// Launch permission entries of a ModifyImageAttribute request.
LaunchPermissionEntry User(AccountId a);
LaunchPermissionEntry User(std::string text);
LaunchPermissionEntry Group(std::string group = "all");
LaunchPermissionEntry Org(std::string arn);
LaunchPermissionEntry Ou(std::string arn);

// An AWS Marketplace product code: 25 letters and digits.
inline constexpr char kProductCode[] = "abcd1234efgh5678ijkl9012m";

// What CloudFixture::SeedImage() imports: an image whose root device maps one snapshot.
struct Seed {
  // Empty: "image-<n>".
  std::string name;
  OwnerAlias alias = OwnerAlias::kNone;
  // The root snapshot's key; nullopt for an unencrypted image.
  std::optional<KmsKeyArn> key;
  // A Marketplace product code.
  std::optional<std::string> product_code;
  // Default: now.
  std::optional<absl::Time> created;
  std::optional<absl::Time> deprecated;
  ImageState state = ImageState::kAvailable;
  // Imported with launch permission group all.
  bool is_public = false;
  // Map this existing snapshot instead of seeding a new one.
  std::optional<SnapshotId> snapshot;
  // Make the new root snapshot public (createVolumePermission group all).
  bool snapshot_public = false;
  DeregistrationProtection protection = DeregistrationProtection::kDisabled;
  std::optional<absl::Time> cooldown_until;
  std::optional<Region> region;
};

// A cloud with standalone accounts (owner, b, c, an Amazon-aliased and a Marketplace-aliased
// account) and, once CreateOrganizationTree() ran, an organization:
//   o-a1b2c3d4e5 (management `mgmt`)
//   └── parent_ou ── child_ou ── in_child
class CloudFixture : public ::testing::Test {
 protected:
  // Creates the organization above.
  void CreateOrganizationTree();
  std::string OrgArn() const;
  std::string OuArn(const OrganizationalUnitId& ou) const;

  // Builders holding the next seeded id: a completed 8 GiB snapshot started now, and an image
  // named "image-<n>", created now, whose /dev/xvda maps `root`. Add to them, then Import().
  Snapshot::Builder NewSnapshot(AccountId snapshot_owner, Region region);
  Image::Builder NewImage(AccountId image_owner, const Snapshot& root);
  // How many snapshots and images the fixture has seeded: the number in the last id.
  int seeded() const { return seeded_; }
  // Builds and imports; the test fails when either step does.
  Snapshot Import(const Snapshot::Builder& b);
  ImageId Import(const Image::Builder& b);

  // A new completed 8 GiB snapshot.
  SnapshotId SeedSnapshot(AccountId snapshot_owner, std::optional<KmsKeyArn> key = std::nullopt,
                          bool is_public = false, std::optional<Region> region = std::nullopt);
  // A new image of `image_owner` whose root device maps one snapshot.
  ImageId SeedImage(AccountId image_owner, const Seed& seed = {});

  absl::Status Share(const CallContext& ctx, ImageId id, std::vector<LaunchPermissionEntry> add,
                     std::vector<LaunchPermissionEntry> remove = {});
  absl::Status ShareSnapshot(const CallContext& ctx, SnapshotId id, std::string operation,
                             std::vector<std::string> users, std::vector<std::string> groups = {});
  absl::StatusOr<std::vector<InstanceId>> Launch(const CallContext& ctx, ImageId id);
  absl::StatusOr<ImageId> Copy(const CallContext& ctx, ImageId id, std::string name);
  // A new customer managed key of `key_owner` in `region` whose policy adds `policy`.
  KmsKeyArn NewKey(AccountId key_owner, Region region, std::vector<KeyPolicyStatement> policy = {},
                   bool multi_region = false, std::string spec = "SYMMETRIC_DEFAULT");
  // A new customer managed key of the caller, with the default policy.
  KmsKeyArn CustomerKey(const CallContext& ctx);
  // The account's default EBS key in the Region.
  KmsKeyArn DefaultKey(AccountId account, Region region) const;
  // The account's AWS managed aws/ebs key in us-east-1.
  KmsKeyArn AwsManagedKey(AccountId account) const;

  LaunchPermissions Perms(ImageId id) const;
  SnapshotId RootSnapshot(ImageId id) const;
  // How many public images `account` owns in us-east-1 (SHARE-9).
  int PublicCount(AccountId account) const;

  // Preflight questions in us-east-1.
  Decision MayLaunch(ImageId id, AccountId who) const;
  Decision PreflightLaunch(AccountId who, ImageId id) const;
  Decision PreflightCopy(AccountId caller, ImageId id) const;
  Decision PreflightAllowed(AccountId who, ImageId id) const;

  std::unique_ptr<Cloud> cloud = Cloud::Create();
  const absl::Time t0 = cloud->Now();  // 2026-01-01T00:00:00Z
  const Region east = Region::Parse("us-east-1").value();
  const Region west = Region::Parse("eu-west-1").value();
  const AccountId owner = Account("111122223333");
  const AccountId b = Account("444455556666");
  const AccountId c = Account("777788889999");
  const AccountId amazon = Account("137112412989");
  const AccountId marketplace = Account("679593333241");
  const AccountId mgmt = Account("210987654321");
  const AccountId in_child = Account("555555555555");
  const OrganizationId org = OrganizationId::Parse("o-a1b2c3d4e5").value();
  const OrganizationalUnitId parent_ou = OrganizationalUnitId::Parse("ou-ab12-11111111").value();
  const OrganizationalUnitId child_ou = OrganizationalUnitId::Parse("ou-ab12-22222222").value();
  const OrganizationalUnitId sibling_ou = OrganizationalUnitId::Parse("ou-ab12-33333333").value();
  const CallContext as_owner{owner, east};
  const CallContext as_owner_west{owner, west};
  const CallContext as_b{b, east};
  const CallContext as_c{c, east};

 private:
  int seeded_ = 0;
};

}  // namespace ami::testing

#endif  // AMI_TESTS_CLOUD_FIXTURE_H_
