#include "tests/cloud_fixture.h"

#include "absl/strings/str_cat.h"
#include "tests/test_util.h"

namespace ami::testing {

void Check(const absl::Status& s) {
  if (!s.ok()) throw std::runtime_error(s.ToString());
}

AccountId Account(const char* text) { return AccountId::Parse(text).value(); }

std::vector<std::string> Rules(const Decision& d) {
  std::vector<std::string> out;
  for (const Reason& r : d.reasons()) out.emplace_back(r.rule());
  return out;
}

std::vector<std::string> Texts(const std::vector<AccountId>& accounts) {
  std::vector<std::string> out;
  for (const AccountId a : accounts) out.push_back(a.ToString());
  return out;
}

::testing::AssertionResult HasReason(const Decision& d, absl::string_view rule, ErrorCode code,
                                     bool async) {
  for (const Reason& r : d.reasons()) {
    if (r.rule() == rule && r.code() == code && r.async == async) return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "no reason " << rule << " [" << ErrorCodeName(code)
                                       << (async ? ", later" : "") << "] in:\n" << d.Explain();
}

::testing::AssertionResult AllowsBy(const Decision& d, absl::string_view rule) {
  if (!d.allowed()) return ::testing::AssertionFailure() << d.Explain();
  for (const Reason& r : d.reasons()) {
    if (r.rule() == rule) return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "no permit " << rule << " in:\n" << d.Explain();
}

LaunchPermissionEntry User(AccountId a) { return {.user_id = a.ToString()}; }
LaunchPermissionEntry User(std::string text) { return {.user_id = std::move(text)}; }
LaunchPermissionEntry Group(std::string group) { return {.group = std::move(group)}; }
LaunchPermissionEntry Org(std::string arn) { return {.organization_arn = std::move(arn)}; }
LaunchPermissionEntry Ou(std::string arn) { return {.organizational_unit_arn = std::move(arn)}; }

void CloudFixture::CreateOrganizationTree() {
  ASSERT_THAT(cloud->CreateOrganization(org, mgmt, "r-ab12"), IsOk());
  ASSERT_THAT(cloud->CreateOrganizationalUnit(org, parent_ou), IsOk());
  ASSERT_THAT(cloud->CreateOrganizationalUnit(org, child_ou, parent_ou), IsOk());
  ASSERT_THAT(cloud->AddAccount(in_child, org, child_ou), IsOk());
}

std::string CloudFixture::OrgArn() const { return OrganizationArn::Of(mgmt, org).ToString(); }

std::string CloudFixture::OuArn(const OrganizationalUnitId& ou) const {
  return OrganizationalUnitArn::Of(mgmt, org, ou).ToString();
}

Snapshot::Builder CloudFixture::NewSnapshot(AccountId snapshot_owner, Region region) {
  Snapshot::Builder b;
  b.set_id(SnapshotId::Long(0x5eed00000 + ++seeded_))
      .set_owner(snapshot_owner)
      .set_region(region)
      .set_volume_size_gib(8)
      .set_start_time(cloud->Now());
  return b;
}

Image::Builder CloudFixture::NewImage(AccountId image_owner, const Snapshot& root) {
  const int n = ++seeded_;
  Image::Builder b;
  b.set_id(ImageId::Long(0xa11e00000 + n))
      .set_name(absl::StrCat("image-", n))
      .set_description("seeded")
      .set_owner(image_owner)
      .set_region(root.region())
      .set_creation_time(cloud->Now())
      .add_snapshot_mapping("/dev/xvda", root);
  return b;
}

Snapshot CloudFixture::Import(const Snapshot::Builder& b) {
  const Snapshot snapshot = Must(b.Build());
  EXPECT_THAT(cloud->ImportSnapshot(snapshot), IsOk());
  return snapshot;
}

ImageId CloudFixture::Import(const Image::Builder& b) {
  const Image image = Must(b.Build());
  EXPECT_THAT(cloud->ImportImage(image), IsOk());
  return image.id();
}

SnapshotId CloudFixture::SeedSnapshot(AccountId snapshot_owner, std::optional<KmsKeyArn> key,
                                      bool is_public, std::optional<Region> region) {
  Snapshot::Builder b = NewSnapshot(snapshot_owner, region.value_or(east));
  b.set_kms_key(std::move(key)).set_create_volume_permissions({{}, is_public});
  return Import(b).id();
}

ImageId CloudFixture::SeedImage(AccountId image_owner, const Seed& seed) {
  const Region region = seed.region.value_or(east);
  const SnapshotId snap = seed.snapshot.has_value()
                              ? *seed.snapshot
                              : SeedSnapshot(image_owner, seed.key, seed.snapshot_public, region);
  Image::Builder b = NewImage(image_owner, cloud->GetSnapshot(snap).value());
  if (!seed.name.empty()) b.set_name(seed.name);
  b.set_owner_alias(seed.alias)
      .set_state(seed.state)
      .set_creation_time(seed.created.value_or(cloud->Now()))
      .set_deprecation_time(seed.deprecated)
      .set_deregistration_protection(seed.protection)
      .set_protection_cooldown_until(seed.cooldown_until);
  if (seed.product_code.has_value()) {
    b.set_product_codes({{*seed.product_code, ProductCodeType::kMarketplace}});
  }
  if (seed.is_public) b.set_launch_permissions(LaunchPermissions::Create({}, true, {}, {}).value());
  return Import(b);
}

absl::Status CloudFixture::Share(const CallContext& ctx, ImageId id,
                                 std::vector<LaunchPermissionEntry> add,
                                 std::vector<LaunchPermissionEntry> remove) {
  ModifyImageAttributeRequest r{id.ToString()};
  r.add = std::move(add);
  r.remove = std::move(remove);
  return cloud->ModifyImageAttribute(ctx, r);
}

absl::Status CloudFixture::ShareSnapshot(const CallContext& ctx, SnapshotId id,
                                         std::string operation, std::vector<std::string> users,
                                         std::vector<std::string> groups) {
  return cloud->ModifySnapshotAttribute(
      ctx, {id.ToString(), std::move(operation), std::move(users), std::move(groups)});
}

absl::StatusOr<std::vector<InstanceId>> CloudFixture::Launch(const CallContext& ctx, ImageId id) {
  RunInstancesRequest r;
  r.image_id = id.ToString();
  return cloud->RunInstances(ctx, r);
}

absl::StatusOr<ImageId> CloudFixture::Copy(const CallContext& ctx, ImageId id, std::string name) {
  return cloud->CopyImage(ctx, {id.ToString(), "us-east-1", std::move(name)});
}

KmsKeyArn CloudFixture::NewKey(AccountId key_owner, Region region,
                               std::vector<KeyPolicyStatement> policy, bool multi_region,
                               std::string spec) {
  return Must(cloud->CreateKey({key_owner, region},
                               {"test key", multi_region, std::move(spec), std::move(policy)}));
}

KmsKeyArn CloudFixture::CustomerKey(const CallContext& ctx) { return NewKey(ctx.account, ctx.region); }

KmsKeyArn CloudFixture::DefaultKey(AccountId account, Region region) const {
  return cloud->GetSettings(account, region).default_kms_key.value();
}

KmsKeyArn CloudFixture::AwsManagedKey(AccountId account) const { return DefaultKey(account, east); }

LaunchPermissions CloudFixture::Perms(ImageId id) const {
  return cloud->GetImage(id)->launch_permissions();
}

SnapshotId CloudFixture::RootSnapshot(ImageId id) const {
  return cloud->GetImage(id)->snapshot_ids().front();
}

int CloudFixture::PublicCount(AccountId account) const {
  int n = 0;
  cloud->Evaluate([&](const StateView& v) {
    n = v.PublicImageCount(account, east);
    return Decision();
  });
  return n;
}

Decision CloudFixture::MayLaunch(ImageId id, AccountId who) const {
  return cloud->Evaluate([&](const StateView& v) {
    return policy::EvaluateLaunchPermission(v, *v.FindImage(id), who);
  });
}

Decision CloudFixture::PreflightLaunch(AccountId who, ImageId id) const {
  return cloud->Evaluate([&](const StateView& v) {
    return policy::EvaluateLaunch(v, {who, east, id, std::nullopt, std::nullopt});
  });
}

Decision CloudFixture::PreflightCopy(AccountId caller, ImageId id) const {
  return cloud->Evaluate([&](const StateView& v) {
    return policy::EvaluateCopy(v, {caller, east, east, id, "copy", std::nullopt, std::nullopt});
  });
}

Decision CloudFixture::PreflightAllowed(AccountId who, ImageId id) const {
  return cloud->Evaluate([&](const StateView& v) {
    return policy::EvaluateImageAllowed(v, *v.FindImage(id), who, east);
  });
}

}  // namespace ami::testing
