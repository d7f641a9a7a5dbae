// Tests of RunInstances, Stop/Start/TerminateInstances, CreateImage and RegisterImage against the
// rulebook (LAUNCH-1 … 4, 7, 9, 10, 15, REG-1, 2, 5, 6, CREATE-1 … 17, ID-17, DEREG-3) and the
// modelling choices of lib/tools/choices.cc. Each rule has tests where it allows and where it denies;
// every rejected call must leave the cloud exactly as it was (checked against a Fork()).
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ami/ami.h"
#include "ami/cloud.h"
#include "ami/policy.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cloud_fixture.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::Check;
using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::ami::testing::MessageHas;
using ::ami::testing::Must;
using ::ami::testing::Rules;
using ::testing::Contains;
using ::testing::HasSubstr;

RunInstancesRequest RunRequest(ImageId image) {
  RunInstancesRequest r;
  r.image_id = image.ToString();
  return r;
}

// Lets account `who` use a key for reading snapshots (KMS-6).
KeyPolicyStatement AllowRead(AccountId who) {
  return KeyPolicyStatement{.sid = "read", .accounts = {who}, .actions = policy::ReadKeyActions()};
}

// A cloud with an organization, standalone accounts and a public Amazon image in us-east-1.
//
//   o-a1b2c3d4e5 (management: owner_)   root r-ab12
//     ├─ org_member_                    (at the root)
//     ├─ ou-ab12-11111111 (parent_ou_)  ou_member_
//     │    └─ ou-ab12-22222222 (child_ou_)  nested_member_
//     └─ ou-ab12-33333333 (sibling_ou_) sibling_member_
//   stranger_ (444455556666) and outsider_ (777788889999) are in no organization.
class CloudTest : public testing::CloudFixture {
 protected:
  CloudTest() {
    Check(cloud->CreateOrganization(org_, owner_, "r-ab12"));
    Check(cloud->CreateOrganizationalUnit(org_, parent_ou_));
    Check(cloud->CreateOrganizationalUnit(org_, child_ou_, parent_ou_));
    Check(cloud->CreateOrganizationalUnit(org_, sibling_ou_));
    Check(cloud->AddAccount(org_member_, org_));
    Check(cloud->AddAccount(ou_member_, org_, parent_ou_));
    Check(cloud->AddAccount(nested_member_, org_, child_ou_));
    Check(cloud->AddAccount(sibling_member_, org_, sibling_ou_));
    public_image_ =
        SeedImage({.owner = amazon_, .permissions = Permissions({}, /*is_public=*/true)});
  }

  // What SeedImage() imports: an image and one snapshot per volume (root 8 GiB, data 20 GiB).
  struct Seed {
    AccountId owner = AccountId::FromNumber(111122223333);
    Region region = Must(Region::Parse("us-east-1"));
    LaunchPermissions permissions;
    std::optional<KmsKeyArn> key;  // Encrypts every snapshot when set.
    int volumes = 1;
    CreateVolumePermissions snapshot_permissions;
    ImageState state = ImageState::kAvailable;
  };

  ImageId SeedImage(const Seed& seed) {
    std::vector<Snapshot> snapshots;
    for (int v = 0; v < seed.volumes; ++v) {
      Snapshot::Builder snap = NewSnapshot(seed.owner, seed.region);
      snap.set_volume_size_gib(v == 0 ? 8 : 20)
          .set_kms_key(seed.key)
          .set_create_volume_permissions(seed.snapshot_permissions);
      snapshots.push_back(Import(snap));
    }
    Image::Builder image = NewImage(seed.owner, snapshots.front());
    image.set_state(seed.state).set_launch_permissions(seed.permissions);
    for (int v = 1; v < seed.volumes; ++v) {
      image.add_snapshot_mapping(std::string("/dev/sd") + static_cast<char>('f' + v - 1), snapshots[v]);
    }
    return Import(image);
  }

  // An instance of owner_ in us-east-1a imported as it is, in `state`.
  InstanceId ImportInstance(InstanceState state, RootDeviceType root = RootDeviceType::kEbs) {
    const int n = ++seeded_;
    Instance::Builder b;
    b.set_id(InstanceId::Long(0xc000 + n))
        .set_owner(owner_)
        .set_availability_zone(Must(AvailabilityZone::Parse("us-east-1a")))
        .set_image_id(public_image_)
        .set_state(state)
        .set_root_device_type(root);
    if (root == RootDeviceType::kEbs) {
      b.add_volume(AttachedVolume{"/dev/xvda", VolumeId::Long(0xd000 + n), 8, true, std::nullopt,
                                  std::nullopt});
    } else {
      b.set_root_device_name("/dev/sda1");
    }
    const Instance instance = Must(b.Build());
    Check(cloud->ImportInstance(instance));
    return instance.id();
  }

  static LaunchPermissions Permissions(std::vector<AccountId> accounts, bool is_public = false,
                                       std::vector<OrganizationArn> orgs = {},
                                       std::vector<OrganizationalUnitArn> ous = {}) {
    return Must(
        LaunchPermissions::Create(std::move(accounts), is_public, std::move(orgs), std::move(ous)));
  }
  OrganizationalUnitArn OuArn(const OrganizationalUnitId& ou) const {
    return OrganizationalUnitArn::Of(owner_, org_, ou);
  }

  // Launches, then lets the instance leave pending (ASYNC-3).
  InstanceId Launch(const CallContext& ctx, const RunInstancesRequest& request) {
    const InstanceId id = Must(cloud->RunInstances(ctx, request)).front();
    cloud->AdvanceClock(absl::Minutes(2));
    return id;
  }
  Instance InstanceOf(InstanceId id) const { return cloud->GetInstance(id).value(); }
  Image ImageOf(ImageId id) const { return cloud->GetImage(id).value(); }
  Snapshot SnapshotOf(SnapshotId id) const { return cloud->GetSnapshot(id).value(); }

  // The preflight answer to "may `who` launch `image` in `region`?".
  Decision PreflightLaunch(AccountId who, ImageId image,
                           std::optional<Region> region = std::nullopt,
                           std::optional<bool> encrypted = std::nullopt,
                           std::optional<KmsKeyRef> key = std::nullopt) const {
    const policy::LaunchQuestion q{who, region.value_or(east_), image, encrypted, key};
    return cloud->Evaluate([&](const StateView& v) { return policy::EvaluateLaunch(v, q); });
  }
  Decision PreflightCreate(InstanceId instance, std::string name, bool no_reboot = false) const {
    const policy::CreateImageQuestion q{owner_, east_, instance, std::move(name), no_reboot};
    return cloud->Evaluate([&](const StateView& v) { return policy::EvaluateCreateImage(v, q); });
  }

  KmsKeyArn CreateKey(const CallContext& ctx, std::vector<KeyPolicyStatement> policy = {}) {
    return NewKey(ctx.account, ctx.region, std::move(policy));
  }

  // The shared cloud's accounts, Regions and OUs, under the names these tests use.
  const Region& east_ = east;
  const Region& west_ = west;
  const AccountId& amazon_ = amazon;
  const AccountId& owner_ = owner;
  const AccountId& stranger_ = b;
  const AccountId& outsider_ = c;
  const AccountId org_member_ = Must(AccountId::Parse("222233334444"));
  const AccountId ou_member_ = Must(AccountId::Parse("333344445555"));
  const AccountId nested_member_ = Must(AccountId::Parse("555566667777"));
  const AccountId sibling_member_ = Must(AccountId::Parse("666677778888"));
  const OrganizationId& org_ = org;
  const OrganizationalUnitId& parent_ou_ = parent_ou;
  const OrganizationalUnitId& child_ou_ = child_ou;
  const OrganizationalUnitId& sibling_ou_ = sibling_ou;
  const CallContext& as_owner_ = as_owner;
  const CallContext& as_owner_west_ = as_owner_west;
  const CallContext as_stranger_{stranger_, east_};
  ImageId public_image_ = ImageId::Short(0);
  int seeded_ = 0;
};

// ==== RunInstances ==============================================================================

class RunInstances : public CloudTest {
 protected:
  // An image of owner_ encrypted with a new customer managed key of owner_ (key_) whose policy
  // adds `policy`, shared with stranger_.
  ImageId SharedEncrypted(std::vector<KeyPolicyStatement> policy = {},
                          CreateVolumePermissions snapshot_permissions = {}) {
    key_ = CreateKey(as_owner_, std::move(policy));
    return SeedImage({.owner = owner_,
                      .permissions = Permissions({stranger_}),
                      .key = key_,
                      .snapshot_permissions = std::move(snapshot_permissions)});
  }
  std::optional<KmsKeyArn> key_;
};

TEST_F(RunInstances, LAUNCH_1_DeniedWithoutImageId) {
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->RunInstances(as_owner_, RunInstancesRequest{}),
              HasErrorCode(ErrorCode::kMissingParameter));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(RunInstances, LAUNCH_1_AllowedWithImageId) {
  RunInstancesRequest r = RunRequest(public_image_);
  r.count = 2;
  const std::vector<InstanceId> ids = Must(cloud->RunInstances(as_owner_, r));
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_NE(ids[0], ids[1]);
  for (const InstanceId id : ids) {
    const Instance i = InstanceOf(id);
    EXPECT_EQ(i.image_id(), public_image_);
    EXPECT_EQ(i.owner(), owner_);
    EXPECT_EQ(i.state(), InstanceState::kPending);
  }
}

TEST_F(RunInstances, InstancesLaunchedAlikeShareOneBody) {
  const InstanceId first = Launch(as_owner_, RunRequest(public_image_));
  const InstanceId second = Launch(as_owner_, RunRequest(public_image_));
  RunInstancesRequest other = RunRequest(public_image_);
  other.instance_type = "m7g.large";
  const InstanceId third = Launch(as_owner_, other);
  ASSERT_TRUE(cloud->StopInstances(as_owner_, {second.ToString()}).ok());
  cloud->Evaluate([&](const StateView& view) {
    const Instance* a = view.FindInstance(first);
    const Instance* b = view.FindInstance(second);
    const Instance* c = view.FindInstance(third);
    EXPECT_EQ(a->instance_type(), b->instance_type());
    EXPECT_EQ(&a->platform_details(), &b->platform_details());
    EXPECT_EQ(c->instance_type(), "m7g.large");
    EXPECT_NE(&a->platform_details(), &c->platform_details());
    return Decision();
  });
}

TEST_F(RunInstances, LAUNCH_2_DeniedForImageThatDoesNotExist) {
  const ImageId missing = Must(ImageId::Parse("ami-0123456789abcdef0"));
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->RunInstances(as_owner_, RunRequest(missing)),
              HasErrorCode(ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_TRUE(cloud->StateEquals(*before));
  const Decision d = PreflightLaunch(owner_, missing);
  EXPECT_FALSE(d.allowed());
  EXPECT_EQ(Rules(d), std::vector<std::string>{"ID-4"});
}

TEST_F(RunInstances, LAUNCH_2_DeniedForMalformedImageId) {
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->RunInstances(as_owner_, {"ami-12345"}),
              HasErrorCode(ErrorCode::kInvalidAMIIDMalformed));
  EXPECT_THAT(cloud->RunInstances(as_owner_, {"AMI-0123456789ABCDEF0"}),
              HasErrorCode(ErrorCode::kInvalidAMIIDMalformed));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(RunInstances, LAUNCH_2_AllowedForVisibleImageInTheRegion) {
  const InstanceId id = Launch(as_stranger_, RunRequest(public_image_));
  EXPECT_EQ(InstanceOf(id).state(), InstanceState::kRunning);
  EXPECT_TRUE(PreflightLaunch(stranger_, public_image_).allowed());
}

TEST_F(RunInstances, LAUNCH_3_DeniedWhileImageIsPending) {
  const InstanceId web = Launch(as_owner_, RunRequest(public_image_));
  const ImageId pending = Must(cloud->CreateImage(as_owner_, {web.ToString(), "web-pending"}));
  ASSERT_EQ(ImageOf(pending).state(), ImageState::kPending);
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->RunInstances(as_owner_, RunRequest(pending)),
              HasErrorCode(ErrorCode::kInvalidAMIIDUnavailable));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_EQ(Rules(PreflightLaunch(owner_, pending)), std::vector<std::string>{"LAUNCH-3"});
}

TEST_F(RunInstances, LAUNCH_3_DeniedForFailedImage) {
  const ImageId failed = SeedImage({.owner = owner_, .state = ImageState::kFailed});
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->RunInstances(as_owner_, RunRequest(failed)),
              HasErrorCode(ErrorCode::kInvalidAMIIDUnavailable));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(RunInstances, LAUNCH_3_AllowedOnceImageIsAvailable) {
  const InstanceId web = Launch(as_owner_, RunRequest(public_image_));
  const ImageId image = Must(cloud->CreateImage(as_owner_, {web.ToString(), "web-ready"}));
  cloud->AdvanceClock(absl::Minutes(15));
  ASSERT_EQ(ImageOf(image).state(), ImageState::kAvailable);
  const InstanceId id = Launch(as_owner_, RunRequest(image));
  EXPECT_EQ(InstanceOf(id).state(), InstanceState::kRunning);
  EXPECT_EQ(InstanceOf(id).image_id(), image);
}

TEST_F(RunInstances, LAUNCH_4_AllowedForOwner) {
  const ImageId mine = SeedImage({.owner = owner_});
  const InstanceId id = Launch(as_owner_, RunRequest(mine));
  EXPECT_EQ(InstanceOf(id).state(), InstanceState::kRunning);
  EXPECT_EQ(Rules(PreflightLaunch(owner_, mine)).front(), "SHARE-1");
}

TEST_F(RunInstances, LAUNCH_4_AllowedWhenSharedWithAccount) {
  const ImageId mine = SeedImage({.owner = owner_});
  ModifyImageAttributeRequest share{mine.ToString()};
  share.add.push_back({.user_id = stranger_.ToString()});
  ASSERT_THAT(cloud->ModifyImageAttribute(as_owner_, share), IsOk());
  const InstanceId id = Launch(as_stranger_, RunRequest(mine));
  EXPECT_EQ(InstanceOf(id).state(), InstanceState::kRunning);
  EXPECT_EQ(InstanceOf(id).owner(), stranger_);
  EXPECT_EQ(Rules(PreflightLaunch(stranger_, mine)).front(), "SHARE-1");
}

TEST_F(RunInstances, LAUNCH_4_AllowedWhenSharedWithOrganization) {
  const ImageId mine = SeedImage({.owner = owner_});
  ModifyImageAttributeRequest share{mine.ToString()};
  share.add.push_back({.organization_arn = OrganizationArn::Of(owner_, org_).ToString()});
  ASSERT_THAT(cloud->ModifyImageAttribute(as_owner_, share), IsOk());
  for (const AccountId member : {org_member_, ou_member_, nested_member_, sibling_member_}) {
    const InstanceId id = Launch({member, east_}, RunRequest(mine));
    EXPECT_EQ(InstanceOf(id).state(), InstanceState::kRunning) << member.ToString();
    EXPECT_EQ(Rules(PreflightLaunch(member, mine)).front(), "SHARE-7");
  }
}

TEST_F(RunInstances, LAUNCH_4_AllowedWhenSharedWithOu) {
  const ImageId mine = SeedImage({.owner = owner_});
  ModifyImageAttributeRequest share{mine.ToString()};
  share.add.push_back({.organizational_unit_arn = OuArn(parent_ou_).ToString()});
  ASSERT_THAT(cloud->ModifyImageAttribute(as_owner_, share), IsOk());
  const InstanceId id = Launch({ou_member_, east_}, RunRequest(mine));
  EXPECT_EQ(InstanceOf(id).state(), InstanceState::kRunning);
  EXPECT_EQ(Rules(PreflightLaunch(ou_member_, mine)).front(), "SHARE-7");
}

TEST_F(RunInstances, LAUNCH_4_AllowedForAccountInOuNestedUnderSharedOu) {
  const ImageId mine =
      SeedImage({.owner = owner_, .permissions = Permissions({}, false, {}, {OuArn(parent_ou_)})});
  const InstanceId id = Launch({nested_member_, east_}, RunRequest(mine));
  EXPECT_EQ(InstanceOf(id).state(), InstanceState::kRunning);
  EXPECT_EQ(Rules(PreflightLaunch(nested_member_, mine)).front(), "SHARE-7");
}

TEST_F(RunInstances, LAUNCH_4_AllowedWhenPublic) {
  const InstanceId id = Launch({outsider_, east_}, RunRequest(public_image_));
  EXPECT_EQ(InstanceOf(id).state(), InstanceState::kRunning);
  EXPECT_EQ(Rules(PreflightLaunch(outsider_, public_image_)).front(), "ATTR-1");
}

TEST_F(RunInstances, LAUNCH_4_DeniedWithoutLaunchPermission) {
  const ImageId mine = SeedImage({.owner = owner_, .permissions = Permissions({stranger_})});
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->RunInstances({outsider_, east_}, RunRequest(mine)),
              HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_THAT(cloud->RunInstances({org_member_, east_}, RunRequest(mine)),
              HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_EQ(Rules(PreflightLaunch(outsider_, mine)), std::vector<std::string>{"LAUNCH-4"});
}

TEST_F(RunInstances, LAUNCH_4_DeniedForAccountOutsideSharedOrganization) {
  const ImageId mine =
      SeedImage({.owner = owner_,
                 .permissions = Permissions({}, false, {OrganizationArn::Of(owner_, org_)})});
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->RunInstances(as_stranger_, RunRequest(mine)),
              HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_EQ(Rules(PreflightLaunch(stranger_, mine)), std::vector<std::string>{"LAUNCH-4"});
}

TEST_F(RunInstances, LAUNCH_4_DeniedForAccountOutsideSharedOu) {
  // Sharing the child OU covers neither its parent nor a sibling OU, nor the organization root.
  const ImageId mine =
      SeedImage({.owner = owner_, .permissions = Permissions({}, false, {}, {OuArn(child_ou_)})});
  auto before = cloud->Fork();
  for (const AccountId who : {ou_member_, sibling_member_, org_member_}) {
    EXPECT_THAT(cloud->RunInstances({who, east_}, RunRequest(mine)),
                HasErrorCode(ErrorCode::kAuthFailure))
        << who.ToString();
    EXPECT_EQ(Rules(PreflightLaunch(who, mine)), std::vector<std::string>{"LAUNCH-4"});
  }
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(RunInstances, LAUNCH_7_DeniedForDeregisteredImage) {
  const ImageId mine = SeedImage({.owner = owner_, .permissions = Permissions({stranger_})});
  ASSERT_THAT(cloud->DeregisterImage(as_owner_, mine.ToString()), IsOk());
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->RunInstances(as_owner_, RunRequest(mine)),
              HasErrorCode(ErrorCode::kInvalidAMIIDUnavailable));
  EXPECT_THAT(cloud->RunInstances(as_stranger_, RunRequest(mine)),
              HasErrorCode(ErrorCode::kInvalidAMIIDUnavailable));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_EQ(Rules(PreflightLaunch(owner_, mine)), std::vector<std::string>{"LAUNCH-7"});
}

TEST_F(RunInstances, LAUNCH_7_DEREG_3_InstancesOfDeregisteredImageKeepRunning) {
  const ImageId mine = SeedImage({.owner = owner_});
  const InstanceId id = Launch(as_owner_, RunRequest(mine));
  ASSERT_EQ(InstanceOf(id).state(), InstanceState::kRunning);
  ASSERT_THAT(cloud->DeregisterImage(as_owner_, mine.ToString()), IsOk());
  cloud->AdvanceClock(absl::Hours(1));
  EXPECT_EQ(InstanceOf(id).state(), InstanceState::kRunning);
  ASSERT_THAT(cloud->StopInstances(as_owner_, {id.ToString()}), IsOk());
  EXPECT_EQ(InstanceOf(id).state(), InstanceState::kStopped);
  ASSERT_THAT(cloud->StartInstances(as_owner_, {id.ToString()}), IsOk());
  cloud->AdvanceClock(absl::Minutes(2));
  EXPECT_EQ(InstanceOf(id).state(), InstanceState::kRunning);
  EXPECT_EQ(InstanceOf(id).image_id(), mine);
}

TEST_F(RunInstances, LAUNCH_9_TerminatedWhenLauncherCannotUseKey) {
  const ImageId image = SharedEncrypted();
  const std::vector<InstanceId> ids = Must(cloud->RunInstances(as_stranger_, RunRequest(image)));
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(InstanceOf(ids[0]).state(), InstanceState::kPending);
  cloud->AdvanceClock(absl::Minutes(2));
  const Instance after = InstanceOf(ids[0]);
  EXPECT_EQ(after.state(), InstanceState::kTerminated);
  EXPECT_EQ(after.state_reason().code, "Client.InternalError");
  EXPECT_THAT(after.state_reason().message, HasSubstr("Client error on launch"));
  EXPECT_TRUE(after.volumes().empty());
}

TEST_F(RunInstances, LAUNCH_9_PreflightSaysDeniedLater) {
  const ImageId image = SharedEncrypted();
  const Decision d = PreflightLaunch(stranger_, image);
  EXPECT_FALSE(d.allowed());
  EXPECT_TRUE(d.denied_later());
  ASSERT_FALSE(d.reasons().empty());
  EXPECT_EQ(d.reasons()[0].rule(), "LAUNCH-9");
  EXPECT_TRUE(d.reasons()[0].async);
  EXPECT_THAT(Rules(d), Contains("KMS-5"));
}

TEST_F(RunInstances, LAUNCH_9_RunningWhenKeyPolicyAllowsLauncher) {
  const ImageId image = SharedEncrypted({AllowRead(stranger_)});
  const Decision d = PreflightLaunch(stranger_, image);
  EXPECT_TRUE(d.allowed());
  EXPECT_THAT(Rules(d), Contains("KMS-5"));
  const InstanceId id = Launch(as_stranger_, RunRequest(image));
  EXPECT_EQ(InstanceOf(id).state(), InstanceState::kRunning);
  EXPECT_TRUE(InstanceOf(id).state_reason().empty());
}

TEST_F(RunInstances, LAUNCH_9_RunningWhenGrantAllowsLauncher) {
  const ImageId image = SharedEncrypted();
  ASSERT_THAT(cloud->CreateGrant(as_owner_, key_->ToString(), stranger_, policy::ReadKeyActions()),
              IsOk());
  const Decision d = PreflightLaunch(stranger_, image);
  EXPECT_TRUE(d.allowed());
  EXPECT_THAT(Rules(d), Contains("KMS-4"));
  const InstanceId id = Launch(as_stranger_, RunRequest(image));
  EXPECT_EQ(InstanceOf(id).state(), InstanceState::kRunning);
}

TEST_F(RunInstances, LAUNCH_9_OwnersInstanceTerminatedWhenKeyDisabled) {
  const ImageId image = SharedEncrypted();
  ASSERT_THAT(cloud->DisableKey(as_owner_, key_->ToString()), IsOk());
  const Decision d = PreflightLaunch(owner_, image);
  EXPECT_TRUE(d.denied_later());
  EXPECT_THAT(Rules(d), Contains("KMS-15"));
  const InstanceId id = Launch(as_owner_, RunRequest(image));
  EXPECT_EQ(InstanceOf(id).state(), InstanceState::kTerminated);
  EXPECT_EQ(InstanceOf(id).state_reason().code, "Client.InternalError");
}

TEST_F(RunInstances, LAUNCH_10_UnencryptedSnapshotGivesUnencryptedVolume) {
  const InstanceId id = Launch(as_owner_, RunRequest(public_image_));
  ASSERT_EQ(InstanceOf(id).volumes().size(), 1u);
  EXPECT_EQ(InstanceOf(id).volumes()[0].kms_key, std::nullopt);
}

TEST_F(RunInstances, LAUNCH_10_EncryptionByDefaultUsesDefaultKey) {
  ASSERT_THAT(cloud->EnableEbsEncryptionByDefault(as_stranger_), IsOk());
  const InstanceId id = Launch(as_stranger_, RunRequest(public_image_));
  ASSERT_EQ(InstanceOf(id).volumes().size(), 1u);
  EXPECT_EQ(InstanceOf(id).volumes()[0].kms_key, DefaultKey(stranger_, east_));
  EXPECT_EQ(InstanceOf(id).state(), InstanceState::kRunning);
}

TEST_F(RunInstances, LAUNCH_10_EncryptionByDefaultUsesChangedDefaultKey) {
  const KmsKeyArn mine = CreateKey(as_stranger_);
  ASSERT_THAT(cloud->ModifyEbsDefaultKmsKeyId(as_stranger_, mine.ToString()), IsOk());
  ASSERT_THAT(cloud->EnableEbsEncryptionByDefault(as_stranger_), IsOk());
  const InstanceId id = Launch(as_stranger_, RunRequest(public_image_));
  EXPECT_EQ(InstanceOf(id).volumes()[0].kms_key, mine);
}

TEST_F(RunInstances, LAUNCH_10_EncryptedTrueUsesDefaultKeyForUnencryptedSnapshot) {
  RunInstancesRequest r = RunRequest(public_image_);
  r.encrypted = true;
  const InstanceId id = Launch(as_stranger_, r);
  EXPECT_EQ(InstanceOf(id).volumes()[0].kms_key, DefaultKey(stranger_, east_));
}

TEST_F(RunInstances, LAUNCH_10_OwnedEncryptedSnapshotKeepsItsKey) {
  const ImageId image = SharedEncrypted();
  RunInstancesRequest with_flag = RunRequest(image);
  with_flag.encrypted = true;
  for (const RunInstancesRequest& r : {RunRequest(image), with_flag}) {
    const InstanceId id = Launch(as_owner_, r);
    ASSERT_EQ(InstanceOf(id).volumes().size(), 1u);
    EXPECT_EQ(InstanceOf(id).volumes()[0].kms_key, key_);
  }
}

TEST_F(RunInstances, LAUNCH_10_SharedEncryptedSnapshotGetsLaunchersDefaultKey) {
  const ImageId image = SharedEncrypted({AllowRead(stranger_)});
  const InstanceId id = Launch(as_stranger_, RunRequest(image));
  ASSERT_EQ(InstanceOf(id).volumes().size(), 1u);
  EXPECT_EQ(InstanceOf(id).volumes()[0].kms_key, DefaultKey(stranger_, east_));
  EXPECT_NE(InstanceOf(id).volumes()[0].kms_key, key_);
  EXPECT_EQ(InstanceOf(id).state(), InstanceState::kRunning);
}

TEST_F(RunInstances, LAUNCH_10_EncryptedWithKmsKeyIdUsesThatKey) {
  const ImageId image = SharedEncrypted({AllowRead(stranger_)});
  const KmsKeyArn mine = CreateKey(as_stranger_);
  // The key by ARN and by bare key id (ID-12), for an encrypted and an unencrypted source.
  for (const std::string& name : {mine.ToString(), mine.key_id().ToString()}) {
    for (const ImageId source : {image, public_image_}) {
      RunInstancesRequest r = RunRequest(source);
      r.encrypted = true;
      r.kms_key_id = name;
      const InstanceId id = Launch(as_stranger_, r);
      EXPECT_EQ(InstanceOf(id).volumes()[0].kms_key, mine) << name;
      EXPECT_EQ(InstanceOf(id).state(), InstanceState::kRunning);
    }
  }
}

TEST_F(RunInstances, LAUNCH_10_DeniedKmsKeyIdWithoutEncrypted) {
  const KmsKeyArn mine = CreateKey(as_stranger_);
  RunInstancesRequest r = RunRequest(public_image_);
  r.kms_key_id = mine.ToString();
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->RunInstances(as_stranger_, r),
              HasErrorCode(ErrorCode::kInvalidParameterCombination));
  r.encrypted = false;
  EXPECT_THAT(cloud->RunInstances(as_stranger_, r),
              HasErrorCode(ErrorCode::kInvalidParameterCombination));
  EXPECT_TRUE(cloud->StateEquals(*before));
  const Decision d =
      PreflightLaunch(stranger_, public_image_, east_, std::nullopt, KmsKeyRef::FromArn(mine));
  EXPECT_FALSE(d.allowed());
  EXPECT_FALSE(d.denied_later());
  EXPECT_EQ(Rules(d), std::vector<std::string>{"KMS-12"});
}

TEST_F(RunInstances, LAUNCH_15_AllowedWithoutSnapshotsSharedWithLauncher) {
  const ImageId image = SeedImage({.owner = owner_, .permissions = Permissions({stranger_})});
  for (const SnapshotId s : ImageOf(image).snapshot_ids()) {
    ASSERT_TRUE(SnapshotOf(s).create_volume_permissions().accounts.empty());
    ASSERT_FALSE(SnapshotOf(s).is_public());
  }
  const Decision d = PreflightLaunch(stranger_, image);
  EXPECT_TRUE(d.allowed());
  EXPECT_THAT(Rules(d), Contains("LAUNCH-15"));
  const InstanceId id = Launch(as_stranger_, RunRequest(image));
  EXPECT_EQ(InstanceOf(id).state(), InstanceState::kRunning);
}

TEST_F(RunInstances, LAUNCH_15_SharedSnapshotDoesNotReplaceKeyAccess) {
  const ImageId image = SharedEncrypted({}, CreateVolumePermissions{{stranger_}, false});
  EXPECT_TRUE(PreflightLaunch(stranger_, image).denied_later());
  const InstanceId id = Launch(as_stranger_, RunRequest(image));
  EXPECT_EQ(InstanceOf(id).state(), InstanceState::kTerminated);
  EXPECT_EQ(InstanceOf(id).state_reason().code, "Client.InternalError");
}

TEST_F(RunInstances, REG_1_AllowedInTheImagesRegion) {
  const InstanceId id = Launch(as_owner_, RunRequest(public_image_));
  EXPECT_EQ(InstanceOf(id).region(), east_);
  EXPECT_EQ(InstanceOf(id).state(), InstanceState::kRunning);
}

TEST_F(RunInstances, REG_1_SharedImageIsNotAvailableInOtherRegions) {
  const ImageId mine = SeedImage({.owner = owner_, .permissions = Permissions({stranger_})});
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->RunInstances({stranger_, west_}, RunRequest(mine)),
              HasErrorCode(ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(RunInstances, REG_2_DeniedForImageOfAnotherRegion) {
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->RunInstances(as_owner_west_, RunRequest(public_image_)),
              HasErrorCode(ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_EQ(Rules(PreflightLaunch(owner_, public_image_, west_)),
            std::vector<std::string>{"REG-2"});
}

TEST_F(RunInstances, REG_2_AllowedForImageOfTheSameRegion) {
  const ImageId west_image = SeedImage({.owner = owner_, .region = west_});
  const InstanceId id = Launch(as_owner_west_, RunRequest(west_image));
  EXPECT_EQ(InstanceOf(id).state(), InstanceState::kRunning);
  EXPECT_TRUE(PreflightLaunch(owner_, west_image, west_).allowed());
}

TEST_F(RunInstances, REG_5_InstanceIsInTheImagesRegion) {
  const InstanceId first_zone = Launch(as_owner_, RunRequest(public_image_));
  EXPECT_EQ(InstanceOf(first_zone).availability_zone().ToString(), "us-east-1a");
  RunInstancesRequest r = RunRequest(public_image_);
  r.availability_zone = "us-east-1c";
  const InstanceId zone_c = Launch(as_owner_, r);
  EXPECT_EQ(InstanceOf(zone_c).availability_zone().ToString(), "us-east-1c");
  EXPECT_EQ(InstanceOf(zone_c).region(), ImageOf(public_image_).region());
}

TEST_F(RunInstances, REG_5_DeniedForZoneOfAnotherRegion) {
  RunInstancesRequest r = RunRequest(public_image_);
  r.availability_zone = "eu-west-1a";
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->RunInstances(as_owner_, r), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(RunInstances, CREATE_16_DryRunLaunchesNothing) {
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->RunInstances({owner_, east_, /*dry_run=*/true}, RunRequest(public_image_)),
              HasErrorCode(ErrorCode::kDryRunOperation));
  EXPECT_TRUE(cloud->StateEquals(*before));
  const ImageId mine = SeedImage({.owner = owner_});
  before = cloud->Fork();
  EXPECT_THAT(cloud->RunInstances({outsider_, east_, /*dry_run=*/true}, RunRequest(mine)),
              HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

// ==== Stop, Start, Terminate (MC-32) ============================================================

class StopInstances : public CloudTest {};
class StartInstances : public CloudTest {};
class TerminateInstances : public CloudTest {};

TEST_F(StopInstances, MC_32_RunningBecomesStoppedAtOnce) {
  const InstanceId id = Launch(as_owner_, RunRequest(public_image_));
  ASSERT_THAT(cloud->StopInstances(as_owner_, {id.ToString()}), IsOk());
  EXPECT_EQ(InstanceOf(id).state(), InstanceState::kStopped);
  const InstanceId stopping = ImportInstance(InstanceState::kStopping);
  ASSERT_THAT(cloud->StopInstances(as_owner_, {stopping.ToString()}), IsOk());
  EXPECT_EQ(InstanceOf(stopping).state(), InstanceState::kStopped);
}

TEST_F(StopInstances, IncorrectInstanceStateWhenPendingOrTerminated) {
  const InstanceId pending =
      Must(cloud->RunInstances(as_owner_, RunRequest(public_image_))).front();
  const InstanceId gone = ImportInstance(InstanceState::kTerminated);
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->StopInstances(as_owner_, {pending.ToString()}),
              HasErrorCode(ErrorCode::kIncorrectInstanceState));
  EXPECT_THAT(cloud->StopInstances(as_owner_, {gone.ToString()}),
              HasErrorCode(ErrorCode::kIncorrectInstanceState));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(StopInstances, AllOrNothingWhenOneInstanceIsInTheWrongState) {
  const InstanceId running = Launch(as_owner_, RunRequest(public_image_));
  const InstanceId gone = ImportInstance(InstanceState::kTerminated);
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->StopInstances(as_owner_, {running.ToString(), gone.ToString()}),
              HasErrorCode(ErrorCode::kIncorrectInstanceState));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_EQ(InstanceOf(running).state(), InstanceState::kRunning);
}

TEST_F(StopInstances, UnsupportedForInstanceStoreRoot) {
  const InstanceId store = ImportInstance(InstanceState::kRunning, RootDeviceType::kInstanceStore);
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->StopInstances(as_owner_, {store.ToString()}),
              HasErrorCode(ErrorCode::kUnsupportedOperation));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(StopInstances, CREATE_16_DryRunStopsNothing) {
  const InstanceId id = Launch(as_owner_, RunRequest(public_image_));
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->StopInstances({owner_, east_, true}, {id.ToString()}),
              HasErrorCode(ErrorCode::kDryRunOperation));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(StartInstances, MC_32_StoppedBecomesPendingThenRunning) {
  const InstanceId id = Launch(as_owner_, RunRequest(public_image_));
  ASSERT_THAT(cloud->StopInstances(as_owner_, {id.ToString()}), IsOk());
  ASSERT_THAT(cloud->StartInstances(as_owner_, {id.ToString()}), IsOk());
  EXPECT_EQ(InstanceOf(id).state(), InstanceState::kPending);
  cloud->AdvanceClock(absl::Minutes(2));
  EXPECT_EQ(InstanceOf(id).state(), InstanceState::kRunning);
}

TEST_F(StartInstances, IncorrectInstanceStateWhenStoppingOrTerminated) {
  const InstanceId stopping = ImportInstance(InstanceState::kStopping);
  const InstanceId gone = ImportInstance(InstanceState::kTerminated);
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->StartInstances(as_owner_, {stopping.ToString()}),
              HasErrorCode(ErrorCode::kIncorrectInstanceState));
  EXPECT_THAT(cloud->StartInstances(as_owner_, {gone.ToString()}),
              HasErrorCode(ErrorCode::kIncorrectInstanceState));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(TerminateInstances, RunningAndStoppedBecomeTerminatedAndLoseTheirVolumes) {
  const InstanceId running = Launch(as_owner_, RunRequest(public_image_));
  const InstanceId stopped = Launch(as_owner_, RunRequest(public_image_));
  ASSERT_THAT(cloud->StopInstances(as_owner_, {stopped.ToString()}), IsOk());
  ASSERT_THAT(cloud->TerminateInstances(as_owner_, {running.ToString(), stopped.ToString()}),
              IsOk());
  for (const InstanceId id : {running, stopped}) {
    EXPECT_EQ(InstanceOf(id).state(), InstanceState::kTerminated);
    EXPECT_TRUE(InstanceOf(id).volumes().empty());
  }
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->StartInstances(as_owner_, {running.ToString()}),
              HasErrorCode(ErrorCode::kIncorrectInstanceState));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

// Another account's instance, or one in another Region, does not exist for the caller; a bad
// id is malformed. Stop, Start and Terminate answer alike.
TEST_F(TerminateInstances, InvalidInstanceIdNotFoundOrMalformed) {
  const InstanceId id = Launch(as_owner_, RunRequest(public_image_));
  using Op = decltype(&Cloud::StopInstances);
  for (const Op op : {&Cloud::StopInstances, &Cloud::StartInstances, &Cloud::TerminateInstances}) {
    auto before = cloud->Fork();
    EXPECT_THAT(((*cloud).*op)(as_stranger_, {id.ToString()}),
                HasErrorCode(ErrorCode::kInvalidInstanceIDNotFound));
    EXPECT_THAT(((*cloud).*op)(as_owner_west_, {id.ToString()}),
                HasErrorCode(ErrorCode::kInvalidInstanceIDNotFound));
    EXPECT_THAT(((*cloud).*op)(as_owner_, {"i-xyz"}),
                HasErrorCode(ErrorCode::kInvalidInstanceIDMalformed));
    EXPECT_THAT(((*cloud).*op)(as_owner_, {id.ToString(), "i-0123"}),
                HasErrorCode(ErrorCode::kInvalidInstanceIDMalformed));
    EXPECT_TRUE(cloud->StateEquals(*before));
  }
  EXPECT_EQ(InstanceOf(id).state(), InstanceState::kRunning);
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->TerminateInstances(as_owner_, {}), HasErrorCode(ErrorCode::kMissingParameter));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

// ==== CreateImage ===============================================================================

class CreateImage : public CloudTest {
 protected:
  // A running instance of owner_ from its own image of `volumes` volumes.
  InstanceId Running(int volumes = 1, std::optional<bool> encrypted = std::nullopt) {
    RunInstancesRequest r = RunRequest(SeedImage({.owner = owner_, .volumes = volumes}));
    r.encrypted = encrypted;
    return Launch(as_owner_, r);
  }
  static CreateImageRequest Request(InstanceId instance, std::string name) {
    CreateImageRequest r;
    r.instance_id = instance.ToString();
    r.name = std::move(name);
    return r;
  }
};

TEST_F(CreateImage, CREATE_1_AllowedFromRunningInstance) {
  const InstanceId web = Running();
  CreateImageRequest r = Request(web, "web-2026-01-01");
  r.description = "web server";
  const ImageId id = Must(cloud->CreateImage(as_owner_, r));
  Image image = ImageOf(id);
  EXPECT_EQ(image.state(), ImageState::kPending);
  EXPECT_EQ(image.owner(), owner_);
  EXPECT_EQ(image.region(), InstanceOf(web).region());
  EXPECT_EQ(image.root_device_type(), RootDeviceType::kEbs);
  EXPECT_EQ(image.name(), "web-2026-01-01");
  EXPECT_EQ(image.description(), "web server");
  cloud->AdvanceClock(absl::Minutes(15));
  EXPECT_EQ(ImageOf(id).state(), ImageState::kAvailable);
}

TEST_F(CreateImage, CREATE_1_AllowedFromStoppedInstance) {
  const InstanceId web = Running();
  ASSERT_THAT(cloud->StopInstances(as_owner_, {web.ToString()}), IsOk());
  const ImageId id = Must(cloud->CreateImage(as_owner_, Request(web, "web-stopped")));
  cloud->AdvanceClock(absl::Minutes(15));
  EXPECT_EQ(ImageOf(id).state(), ImageState::kAvailable);
  EXPECT_EQ(InstanceOf(web).state(), InstanceState::kStopped);
}

TEST_F(CreateImage, CREATE_1_DeniedForInstanceOfAnotherAccountOrRegion) {
  const InstanceId web = Running();
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->CreateImage(as_stranger_, Request(web, "not-mine")),
              HasErrorCode(ErrorCode::kInvalidInstanceIDNotFound));
  EXPECT_THAT(cloud->CreateImage(as_owner_west_, Request(web, "wrong-region")),
              HasErrorCode(ErrorCode::kInvalidInstanceIDNotFound));
  EXPECT_THAT(cloud->CreateImage(as_owner_, {"i-nothex", "bad-id"}),
              HasErrorCode(ErrorCode::kInvalidInstanceIDMalformed));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(CreateImage, CREATE_2_DeniedForTerminatedInstance) {
  const InstanceId web = Running();
  ASSERT_THAT(cloud->TerminateInstances(as_owner_, {web.ToString()}), IsOk());
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->CreateImage(as_owner_, Request(web, "from-terminated")),
              HasErrorCode(ErrorCode::kIncorrectInstanceState));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_EQ(Rules(PreflightCreate(web, "from-terminated")), std::vector<std::string>{"CREATE-2"});
}

TEST_F(CreateImage, CREATE_2_DeniedForPendingOrShuttingDownInstance) {
  const InstanceId pending =
      Must(cloud->RunInstances(as_owner_, RunRequest(public_image_))).front();
  const InstanceId shutting = ImportInstance(InstanceState::kShuttingDown);
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->CreateImage(as_owner_, Request(pending, "from-pending")),
              HasErrorCode(ErrorCode::kIncorrectInstanceState));
  EXPECT_THAT(cloud->CreateImage(as_owner_, Request(shutting, "from-shutting-down")),
              HasErrorCode(ErrorCode::kIncorrectInstanceState));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(CreateImage, CREATE_2_AllowedForStoppingInstance) {
  const InstanceId stopping = ImportInstance(InstanceState::kStopping);
  const ImageId id = Must(cloud->CreateImage(as_owner_, Request(stopping, "from-stopping")));
  EXPECT_EQ(ImageOf(id).state(), ImageState::kPending);
  EXPECT_EQ(ImageOf(id).consistency(), ImageConsistency::kCrashConsistent);  // MC-11
}

TEST_F(CreateImage, CREATE_3_DeniedForInstanceStoreRoot) {
  const InstanceId store = ImportInstance(InstanceState::kRunning, RootDeviceType::kInstanceStore);
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->CreateImage(as_owner_, Request(store, "from-instance-store")),
              HasErrorCode(ErrorCode::kUnsupportedOperation));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_EQ(Rules(PreflightCreate(store, "from-instance-store")),
            std::vector<std::string>{"CREATE-3"});
}

TEST_F(CreateImage, CREATE_3_AllowedForEbsRoot) {
  const InstanceId ebs = ImportInstance(InstanceState::kRunning);
  const ImageId id = Must(cloud->CreateImage(as_owner_, Request(ebs, "from-ebs")));
  EXPECT_EQ(ImageOf(id).root_device_type(), RootDeviceType::kEbs);
}

TEST_F(CreateImage, CREATE_4_RebootGivesFileSystemConsistency) {
  const InstanceId web = Running();
  const Decision d = PreflightCreate(web, "rebooted");
  EXPECT_TRUE(d.allowed());
  EXPECT_EQ(Rules(d), std::vector<std::string>{"CREATE-4"});
  const ImageId id = Must(cloud->CreateImage(as_owner_, Request(web, "rebooted")));
  EXPECT_EQ(ImageOf(id).consistency(), ImageConsistency::kFileSystemConsistent);
}

TEST_F(CreateImage, CREATE_4_StoppedInstanceGivesFileSystemConsistency) {
  const InstanceId web = Running();
  ASSERT_THAT(cloud->StopInstances(as_owner_, {web.ToString()}), IsOk());
  CreateImageRequest r = Request(web, "stopped-no-reboot");
  r.no_reboot = true;
  const ImageId id = Must(cloud->CreateImage(as_owner_, r));
  EXPECT_EQ(ImageOf(id).consistency(), ImageConsistency::kFileSystemConsistent);
}

TEST_F(CreateImage, CREATE_4_NoRebootOnRunningInstanceIsOnlyCrashConsistent) {
  const InstanceId web = Running();
  EXPECT_EQ(Rules(PreflightCreate(web, "hasty", /*no_reboot=*/true)),
            std::vector<std::string>{"CREATE-4"});
  CreateImageRequest r = Request(web, "hasty");
  r.no_reboot = true;
  const ImageId id = Must(cloud->CreateImage(as_owner_, r));
  EXPECT_EQ(ImageOf(id).consistency(), ImageConsistency::kCrashConsistent);
}

TEST_F(CreateImage, CREATE_5_OneSnapshotPerEbsVolume) {
  const InstanceId web = Running(/*volumes=*/2);
  const Instance instance = InstanceOf(web);
  ASSERT_EQ(instance.volumes().size(), 2u);
  const size_t snapshots_before = cloud->ListSnapshots().size();
  const ImageId id = Must(cloud->CreateImage(as_owner_, Request(web, "two-volumes")));
  EXPECT_EQ(cloud->ListSnapshots().size(), snapshots_before + 2);
  const Image image = ImageOf(id);
  ASSERT_EQ(image.block_device_mappings().size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const BlockDeviceMapping& m = image.block_device_mappings()[i];
    const AttachedVolume v = instance.volumes()[i];
    EXPECT_EQ(m.device_name, v.device_name);
    ASSERT_TRUE(m.ebs.has_value() && m.ebs->snapshot_id.has_value());
    EXPECT_NE(m.ebs->snapshot_id, v.snapshot_id);  // A new snapshot, not the image's.
    const Snapshot snap = SnapshotOf(*m.ebs->snapshot_id);
    EXPECT_EQ(snap.volume_id(), v.volume_id);
    EXPECT_EQ(snap.volume_size_gib(), v.volume_size_gib);
    EXPECT_EQ(snap.owner(), owner_);
  }
  EXPECT_NE(image.snapshot_ids()[0], image.snapshot_ids()[1]);
}

TEST_F(CreateImage, CREATE_5_NewEmptyAndInstanceStoreMappingsAreAdded) {
  const InstanceId web = Running();
  CreateImageRequest r = Request(web, "with-extra-devices");
  r.block_device_mappings.push_back({"/dev/sdf", std::nullopt, 100u, true, ""});
  r.block_device_mappings.push_back({"/dev/sdb", std::nullopt, std::nullopt, std::nullopt, "ephemeral0"});
  const size_t snapshots_before = cloud->ListSnapshots().size();
  const ImageId id = Must(cloud->CreateImage(as_owner_, r));
  EXPECT_EQ(cloud->ListSnapshots().size(), snapshots_before + 1);  // Only the attached volume.
  const Image image = ImageOf(id);
  ASSERT_EQ(image.block_device_mappings().size(), 3u);
  const BlockDeviceMapping& empty = image.block_device_mappings()[1];
  EXPECT_EQ(empty.device_name, "/dev/sdf");
  ASSERT_TRUE(empty.ebs.has_value());
  EXPECT_FALSE(empty.ebs->snapshot_id.has_value());
  EXPECT_EQ(empty.ebs->volume_size_gib, 100u);
  EXPECT_TRUE(empty.ebs->encrypted);
  EXPECT_EQ(image.block_device_mappings()[2].virtual_name, "ephemeral0");
}

TEST_F(CreateImage, CREATE_5_NewMappingWithoutSizeOrVirtualNameIsRejected) {
  const InstanceId web = Running();
  CreateImageRequest r = Request(web, "bad-extra-device");
  r.block_device_mappings.push_back({"/dev/sdf", std::nullopt, std::nullopt, std::nullopt, ""});
  const auto before = cloud->Fork();
  EXPECT_THAT(cloud->CreateImage(as_owner_, r), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(CreateImage, CREATE_6_SnapshotEncryptionFollowsTheVolumes) {
  const InstanceId plain = Running();
  const InstanceId sealed = Running(/*volumes=*/2, /*encrypted=*/true);
  const ImageId plain_image = Must(cloud->CreateImage(as_owner_, Request(plain, "plain")));
  const ImageId sealed_image = Must(cloud->CreateImage(as_owner_, Request(sealed, "sealed")));
  EXPECT_FALSE(ImageOf(plain_image).encrypted());
  EXPECT_FALSE(SnapshotOf(ImageOf(plain_image).snapshot_ids()[0]).encrypted());
  const Image image = ImageOf(sealed_image);
  ASSERT_EQ(image.snapshot_ids().size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const std::optional<KmsKeyArn> volume_key = InstanceOf(sealed).volumes()[i].kms_key;
    ASSERT_TRUE(volume_key.has_value());
    EXPECT_EQ(SnapshotOf(image.snapshot_ids()[i]).kms_key(), volume_key);
    EXPECT_EQ(image.block_device_mappings()[i].ebs->kms_key, volume_key);
  }
}

TEST_F(CreateImage, CREATE_6_DeniedVolumeSizeChange) {
  const InstanceId web = Running();
  CreateImageRequest r = Request(web, "bigger-root");
  r.block_device_mappings.push_back({.device_name = "/dev/xvda", .volume_size_gib = 16});
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->CreateImage(as_owner_, r), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(CreateImage, CREATE_6_AllowedDeleteOnTerminationChange) {
  const InstanceId web = Running(/*volumes=*/2);
  CreateImageRequest r = Request(web, "keep-data");
  r.block_device_mappings.push_back({.device_name = "/dev/sdf", .delete_on_termination = false});
  const Image image = ImageOf(Must(cloud->CreateImage(as_owner_, r)));
  ASSERT_EQ(image.block_device_mappings().size(), 2u);
  EXPECT_TRUE(image.block_device_mappings()[0].ebs->delete_on_termination);
  EXPECT_EQ(image.block_device_mappings()[1].device_name, "/dev/sdf");
  EXPECT_FALSE(image.block_device_mappings()[1].ebs->delete_on_termination);
  cloud->AdvanceClock(absl::Minutes(15));
  const InstanceId relaunched = Launch(as_owner_, RunRequest(image.id()));
  ASSERT_EQ(InstanceOf(relaunched).volumes().size(), 2u);
  EXPECT_FALSE(InstanceOf(relaunched).volumes()[1].delete_on_termination);
}

TEST_F(CreateImage, CREATE_7_DeniedEncryptedTrueOnUnencryptedVolume) {
  const InstanceId web = Running();
  CreateImageRequest r = Request(web, "encrypt-me");
  r.block_device_mappings.push_back({.device_name = "/dev/xvda", .encrypted = true});
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->CreateImage(as_owner_, r), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(CreateImage, CREATE_7_AllowedEncryptedFalseWhichAnEncryptedVolumeIgnores) {
  const InstanceId plain = Running();
  const InstanceId sealed = Running(1, /*encrypted=*/true);
  for (const InstanceId web : {plain, sealed}) {
    CreateImageRequest r = Request(web, absl::StrCat("unencrypted-", web.ToString()));
    r.block_device_mappings.push_back({.device_name = "/dev/xvda", .encrypted = false});
    const Image image = ImageOf(Must(cloud->CreateImage(as_owner_, r)));
    EXPECT_EQ(SnapshotOf(image.snapshot_ids()[0]).kms_key(), InstanceOf(web).volumes()[0].kms_key);
  }
}

TEST_F(CreateImage, CREATE_6_UnchangedSizeAndCREATE_7_EncryptedTrueOnAnEncryptedVolumeAreAllowed) {
  const InstanceId sealed = Running(1, /*encrypted=*/true);
  const AttachedVolume volume = InstanceOf(sealed).volumes()[0];
  CreateImageRequest r = Request(sealed, "same-size");
  r.block_device_mappings.push_back(
      {.device_name = volume.device_name, .volume_size_gib = volume.volume_size_gib, .encrypted = true});
  const Image image = ImageOf(Must(cloud->CreateImage(as_owner_, r)));
  ASSERT_EQ(image.snapshot_ids().size(), 1u);
  EXPECT_EQ(SnapshotOf(image.snapshot_ids()[0]).kms_key(), volume.kms_key);
  EXPECT_EQ(SnapshotOf(image.snapshot_ids()[0]).volume_size_gib(), volume.volume_size_gib);
}

TEST_F(CreateImage, CREATE_9_TagsTheImageAndItsSnapshots) {
  const InstanceId web = Running(/*volumes=*/2);
  CreateImageRequest r = Request(web, "tagged");
  r.tag_specifications = {{"image", {{"Name", "web"}}}, {"snapshot", {{"team", "infra"}}}};
  const Image image = ImageOf(Must(cloud->CreateImage(as_owner_, r)));
  EXPECT_EQ(image.tags().Find("Name"), "web");
  EXPECT_EQ(image.tags().Find("team"), std::nullopt);
  ASSERT_EQ(image.snapshot_ids().size(), 2u);
  for (const SnapshotId s : image.snapshot_ids()) {
    EXPECT_EQ(SnapshotOf(s).tags().Find("team"), "infra");
    EXPECT_EQ(SnapshotOf(s).tags().Find("Name"), std::nullopt);
  }
}

TEST_F(CreateImage, CREATE_9_DeniedForInstanceResourceType) {
  const InstanceId web = Running();
  CreateImageRequest r = Request(web, "tagged-instance");
  r.tag_specifications = {{"image", {{"Name", "web"}}}, {"instance", {{"Name", "web"}}}};
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->CreateImage(as_owner_, r), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(CreateImage, CREATE_10_PendingUntilItsSnapshotsComplete) {
  const InstanceId web = Running();
  const ImageId id = Must(cloud->CreateImage(as_owner_, Request(web, "slow")));
  cloud->AdvanceClock(absl::Minutes(5));
  EXPECT_EQ(ImageOf(id).state(), ImageState::kPending);
  EXPECT_EQ(SnapshotOf(ImageOf(id).snapshot_ids()[0]).state(), SnapshotState::kPending);
  cloud->AdvanceClock(absl::Minutes(10));
  EXPECT_EQ(ImageOf(id).state(), ImageState::kAvailable);
  EXPECT_EQ(SnapshotOf(ImageOf(id).snapshot_ids()[0]).state(), SnapshotState::kCompleted);
}

TEST_F(CreateImage, CREATE_11_SnapshotDescriptionNamesInstanceAndImage) {
  const InstanceId web = Running();
  const ImageId id = Must(cloud->CreateImage(as_owner_, Request(web, "described")));
  EXPECT_EQ(SnapshotOf(ImageOf(id).snapshot_ids()[0]).description(),
            absl::StrCat("Created by CreateImage(", web.ToString(), ") for ", id.ToString()));
}

TEST_F(CreateImage, CREATE_12_SourceInstanceIsSetByCreateImage) {
  const InstanceId web = Running();
  const ImageId id = Must(cloud->CreateImage(as_owner_, Request(web, "with-source")));
  EXPECT_EQ(ImageOf(id).source_instance(), web);
}

TEST_F(CreateImage, CREATE_12_SourceInstanceIsNotSetByRegisterOrCopyImage) {
  const InstanceId web = Running();
  const ImageId created = Must(cloud->CreateImage(as_owner_, Request(web, "original")));
  cloud->AdvanceClock(absl::Minutes(15));
  const ImageId copy =
      Must(cloud->CopyImage(as_owner_, {created.ToString(), "us-east-1", "copy-of-original"}));
  EXPECT_EQ(ImageOf(copy).source_instance(), std::nullopt);
  EXPECT_EQ(ImageOf(copy).source_image(), created);
  RegisterImageRequest reg;
  reg.name = "registered";
  reg.block_device_mappings.push_back({"/dev/xvda", ImageOf(created).snapshot_ids()[0].ToString()});
  const ImageId registered = Must(cloud->RegisterImage(as_owner_, reg));
  EXPECT_EQ(ImageOf(registered).source_instance(), std::nullopt);
}

TEST_F(CreateImage, CREATE_15_DeniedSecondNoRebootWhileFirstIsPending) {
  const InstanceId web = Running();
  CreateImageRequest first = Request(web, "first"), second = Request(web, "second");
  first.no_reboot = second.no_reboot = true;
  ASSERT_THAT(cloud->CreateImage(as_owner_, first), IsOk());
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->CreateImage(as_owner_, second),
              HasErrorCode(ErrorCode::kConcurrentCreateImageNoRebootLimitExceeded));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(CreateImage, CREATE_15_AllowedOnceTheFirstCompletes) {
  const InstanceId web = Running();
  CreateImageRequest first = Request(web, "first"), second = Request(web, "second");
  first.no_reboot = second.no_reboot = true;
  ASSERT_THAT(cloud->CreateImage(as_owner_, first), IsOk());
  cloud->AdvanceClock(absl::Minutes(15));
  const ImageId id = Must(cloud->CreateImage(as_owner_, second));
  EXPECT_EQ(ImageOf(id).state(), ImageState::kPending);
}

// A NoReboot CreateImage whose pending image was deregistered is no longer in progress once the
// clock has passed its completion time (MC-33: only a pending one blocks another).
TEST_F(CreateImage, CREATE_15_AllowedOnceADeregisteredPendingImageWouldHaveCompleted) {
  const InstanceId web = Running();
  CreateImageRequest first = Request(web, "first"), second = Request(web, "second");
  first.no_reboot = second.no_reboot = true;
  const ImageId abandoned = Must(cloud->CreateImage(as_owner_, first));
  ASSERT_THAT(cloud->DeregisterImage(as_owner_, abandoned.ToString()), IsOk());
  cloud->AdvanceClock(absl::Hours(1));
  ASSERT_EQ(ImageOf(abandoned).state(), ImageState::kDeregistered);
  EXPECT_THAT(cloud->CreateImage(as_owner_, second), IsOk());
}

TEST_F(CreateImage, CREATE_16_DryRunAnswersDryRunOperationAndChangesNothing) {
  const InstanceId web = Running();
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->CreateImage({owner_, east_, /*dry_run=*/true}, Request(web, "dry")),
              HasErrorCode(ErrorCode::kDryRunOperation));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_EQ(cloud->ListImages().size(), before->ListImages().size());
}

TEST_F(CreateImage, CREATE_16_WithoutDryRunTheImageIsCreated) {
  const InstanceId web = Running();
  const size_t images_before = cloud->ListImages().size();
  ASSERT_THAT(cloud->CreateImage(as_owner_, Request(web, "wet")), IsOk());
  EXPECT_EQ(cloud->ListImages().size(), images_before + 1);
}

TEST_F(CreateImage, CREATE_16_DryRunOfACallThatWouldFailReportsTheFailure) {
  const InstanceId web = Running();
  ASSERT_THAT(cloud->TerminateInstances(as_owner_, {web.ToString()}), IsOk());
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->CreateImage({owner_, east_, true}, Request(web, "dry-terminated")),
              HasErrorCode(ErrorCode::kIncorrectInstanceState));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(CreateImage, REG_6_DeniedDuplicateNameInTheSameAccountAndRegion) {
  const InstanceId web = Running();
  const ImageId first = Must(cloud->CreateImage(as_owner_, Request(web, "golden")));
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->CreateImage(as_owner_, Request(web, "golden")),
              HasErrorCode(ErrorCode::kInvalidAMINameDuplicate));
  EXPECT_THAT(cloud->CreateImage(as_owner_, Request(web, "golden")), MessageHas(first.ToString()));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_EQ(Rules(PreflightCreate(web, "golden")), std::vector<std::string>{"REG-6"});
}

TEST_F(CreateImage, REG_6_AllowedSameNameInAnotherRegionOrAccount) {
  ASSERT_THAT(cloud->CreateImage(as_owner_, Request(Running(), "golden")), IsOk());
  const InstanceId west_web =
      Launch(as_owner_west_, RunRequest(SeedImage({.owner = owner_, .region = west_})));
  EXPECT_THAT(cloud->CreateImage(as_owner_west_, Request(west_web, "golden")), IsOk());
  const InstanceId theirs = Launch(as_stranger_, RunRequest(public_image_));
  EXPECT_THAT(cloud->CreateImage(as_stranger_, Request(theirs, "golden")), IsOk());
}

TEST_F(CreateImage, REG_6_NameIsReusableAfterDeregisterImage) {
  const InstanceId web = Running();
  const ImageId first = Must(cloud->CreateImage(as_owner_, Request(web, "golden")));
  cloud->AdvanceClock(absl::Minutes(15));
  ASSERT_THAT(cloud->DeregisterImage(as_owner_, first.ToString()), IsOk());
  const ImageId second = Must(cloud->CreateImage(as_owner_, Request(web, "golden")));
  EXPECT_NE(first, second);
  EXPECT_EQ(ImageOf(second).name(), "golden");
}

TEST_F(CreateImage, ID_17_DeniedMalformedName) {
  const InstanceId web = Running();
  auto before = cloud->Fork();
  for (const std::string& name : {std::string("ab"), std::string(129, 'a'), std::string("web|prod"),
                                  std::string("web*"), std::string()}) {
    EXPECT_THAT(cloud->CreateImage(as_owner_, Request(web, name)),
                HasErrorCode(ErrorCode::kInvalidAMINameMalformed))
        << name;
  }
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_EQ(Rules(PreflightCreate(web, "ab")), std::vector<std::string>{"ID-17"});
}

TEST_F(CreateImage, ID_17_AllowedNameCharactersAndLengths) {
  const InstanceId web = Running();
  for (const std::string& name : {std::string("abc"), std::string(128, 'a'),
                                  std::string("Web (v1) [x] 2026.01/a-b 'c' @d_e")}) {
    EXPECT_THAT(cloud->CreateImage(as_owner_, Request(web, name)), IsOk()) << name;
  }
}

// ==== RegisterImage =============================================================================

class RegisterImage : public CloudTest {
 protected:
  // A completed snapshot of `owner` in `region`.
  SnapshotId SeedSnapshot(AccountId owner, std::optional<Region> region = std::nullopt) {
    return CloudFixture::SeedSnapshot(owner, std::nullopt, false, region);
  }
  static RegisterImageRequest Request(std::string name, SnapshotId root) {
    RegisterImageRequest r;
    r.name = std::move(name);
    r.block_device_mappings.push_back({"/dev/xvda", root.ToString()});
    return r;
  }
};

TEST_F(RegisterImage, CREATE_17_DefaultsFromAnOwnedSnapshot) {
  const SnapshotId root = SeedSnapshot(owner_);
  const ImageId id = Must(cloud->RegisterImage(as_owner_, Request("registered", root)));
  const Image image = ImageOf(id);
  EXPECT_EQ(image.architecture(), Architecture::kI386);
  EXPECT_EQ(image.virtualization_type(), VirtualizationType::kParavirtual);
  EXPECT_EQ(image.consistency(), ImageConsistency::kUnknown);
  EXPECT_EQ(image.snapshot_ids(), std::vector<SnapshotId>{root});
  EXPECT_EQ(image.state(), ImageState::kPending);
  cloud->AdvanceClock(absl::Minutes(15));
  EXPECT_EQ(ImageOf(id).state(), ImageState::kAvailable);
}

TEST_F(RegisterImage, CREATE_17_AllowedFromSnapshotSharedWithCaller) {
  const SnapshotId root = SeedSnapshot(owner_);
  ASSERT_THAT(cloud->ModifySnapshotAttribute(as_owner_,
                                             {root.ToString(), "add", {stranger_.ToString()}, {}}),
              IsOk());
  const ImageId id = Must(cloud->RegisterImage(as_stranger_, Request("from-shared", root)));
  EXPECT_EQ(ImageOf(id).owner(), stranger_);
}

TEST_F(RegisterImage, CREATE_17_DeniedSnapshotNotOwnedNorShared) {
  const SnapshotId theirs = SeedSnapshot(owner_);
  const SnapshotId west_snapshot = SeedSnapshot(owner_, west_);
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->RegisterImage(as_stranger_, Request("not-mine", theirs)),
              HasErrorCode(ErrorCode::kInvalidSnapshotNotFound));
  EXPECT_THAT(cloud->RegisterImage(as_owner_, Request("other-region", west_snapshot)),
              HasErrorCode(ErrorCode::kInvalidSnapshotNotFound));
  EXPECT_THAT(cloud->RegisterImage(as_owner_, Request("missing", SnapshotId::Long(0xdead))),
              HasErrorCode(ErrorCode::kInvalidSnapshotNotFound));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(RegisterImage, CREATE_7_DeniedEncryptedOnASnapshotMapping) {
  const SnapshotId root = SeedSnapshot(owner_);
  auto before = cloud->Fork();
  for (const bool encrypted : {true, false}) {
    RegisterImageRequest r = Request("with-encrypted", root);
    r.block_device_mappings[0].encrypted = encrypted;
    EXPECT_THAT(cloud->RegisterImage(as_owner_, r),
                HasErrorCode(ErrorCode::kInvalidParameterCombination));
  }
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(RegisterImage, REG_6_DeniedDuplicateNameInTheSameAccountAndRegion) {
  const SnapshotId root = SeedSnapshot(owner_);
  ASSERT_THAT(cloud->RegisterImage(as_owner_, Request("golden", root)), IsOk());
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->RegisterImage(as_owner_, Request("golden", root)),
              HasErrorCode(ErrorCode::kInvalidAMINameDuplicate));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(RegisterImage, REG_6_AllowedSameNameInAnotherRegionOrAccount) {
  ASSERT_THAT(cloud->RegisterImage(as_owner_, Request("golden", SeedSnapshot(owner_))), IsOk());
  EXPECT_THAT(cloud->RegisterImage(as_owner_west_, Request("golden", SeedSnapshot(owner_, west_))),
              IsOk());
  EXPECT_THAT(cloud->RegisterImage(as_stranger_, Request("golden", SeedSnapshot(stranger_))),
              IsOk());
}

TEST_F(RegisterImage, ID_17_DeniedMalformedName) {
  const SnapshotId root = SeedSnapshot(owner_);
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->RegisterImage(as_owner_, Request("x", root)),
              HasErrorCode(ErrorCode::kInvalidAMINameMalformed));
  EXPECT_THAT(cloud->RegisterImage(as_owner_, Request("name#1", root)),
              HasErrorCode(ErrorCode::kInvalidAMINameMalformed));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

}  // namespace
}  // namespace ami
