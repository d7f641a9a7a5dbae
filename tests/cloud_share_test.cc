// Sharing and deregistration, rule by rule: launch permissions (SHARE-1 … 20, ID-7), snapshot
// permissions (SNAP-1 … 4), image attributes (DESC-11, CREATE-18) and deregistration (DEREG-1 …
// 4, DEREG-6). Each rule has a test where it allows and one where it denies; every rejected call
// is checked to leave the cloud's state unchanged (Fork() before, StateEquals() after).
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ami/ami.h"
#include "ami/tools/audit.h"
#include "ami/cloud.h"
#include "ami/policy.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cloud_fixture.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::Account;
using ::ami::testing::Group;
using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::ami::testing::kProductCode;
using ::ami::testing::MessageHas;
using ::ami::testing::Must;
using ::ami::testing::Org;
using ::ami::testing::Ou;
using ::ami::testing::Rules;
using ::ami::testing::Texts;
using ::ami::testing::User;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// ---- Helpers ------------------------------------------------------------------------------------

// `n` distinct account entries, from account number `first` on.
std::vector<LaunchPermissionEntry> ManyAccounts(int n, uint64_t first = 100000000000) {
  std::vector<LaunchPermissionEntry> out;
  for (int i = 0; i < n; ++i) out.push_back(User(AccountId::FromNumber(first + i)));
  return out;
}

// The shared cloud, whose organization also has:
//   o-a1b2c3d4e5 (management `mgmt`)
//   ├── parent_ou ── child_ou ── in_child
//   ├── sibling_ou ── in_sibling
//   └── at_root
class CloudFixture : public testing::CloudFixture {
 protected:
  void SetUp() override {
    CreateOrganizationTree();
    ASSERT_THAT(cloud->CreateOrganizationalUnit(org, sibling_ou), IsOk());
    ASSERT_THAT(cloud->AddAccount(in_sibling, org, sibling_ou), IsOk());
    ASSERT_THAT(cloud->AddAccount(at_root, org), IsOk());
  }

  absl::Status SetDescription(const CallContext& ctx, ImageId id, std::string description) {
    ModifyImageAttributeRequest r{id.ToString()};
    r.description = std::move(description);
    return cloud->ModifyImageAttribute(ctx, r);
  }
  absl::Status SetImds(const CallContext& ctx, ImageId id, std::string value) {
    ModifyImageAttributeRequest r{id.ToString()};
    r.imds_support = std::move(value);
    return cloud->ModifyImageAttribute(ctx, r);
  }
  CreateVolumePermissions SnapshotPerms(SnapshotId id) const {
    return cloud->GetSnapshot(id)->create_volume_permissions();
  }
  Decision PreflightShare(AccountId caller, ImageId id,
                          policy::LaunchPermissionChange change) const {
    return cloud->Evaluate([&](const StateView& v) {
      return policy::EvaluateModifyLaunchPermission(v, {caller, east, id, change});
    });
  }
  Decision PreflightOwnerAction(AccountId caller, ImageId id, policy::ImageAction action) const {
    return cloud->Evaluate([&](const StateView& v) {
      return policy::EvaluateImageOwnerAction(v, caller, east, id, action);
    });
  }

  const AccountId in_sibling = Account("666666666666");
  const AccountId at_root = Account("888888888888");
};

// One fixture name per API, so that test names read "Operation.RULE_n_What".
class ModifyImageAttribute : public CloudFixture {};
class ResetImageAttribute : public CloudFixture {};
class CancelImageLaunchPermission : public CloudFixture {};
class ModifySnapshotAttribute : public CloudFixture {};
class DeleteSnapshot : public CloudFixture {};
class DeregisterImage : public CloudFixture {};
class DescribeImageAttribute : public CloudFixture {};

// ---- SHARE-1: who may launch --------------------------------------------------------------------

TEST_F(ModifyImageAttribute, SHARE_1_AddsAccountGroupAllOrganizationAndOu) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(cloud->DisableImageBlockPublicAccess(as_owner), IsOk());
  ASSERT_THAT(Share(as_owner, id, {User(b), Org(OrgArn()), Ou(OuArn(parent_ou)), Group()}), IsOk());
  const LaunchPermissions lp = Perms(id);
  EXPECT_THAT(Texts(lp.accounts()), ElementsAre(b.ToString()));
  EXPECT_TRUE(lp.is_public());
  ASSERT_EQ(lp.organizations().size(), 1u);
  EXPECT_EQ(lp.organizations()[0].ToString(), OrgArn());
  ASSERT_EQ(lp.organizational_units().size(), 1u);
  EXPECT_EQ(lp.organizational_units()[0].ToString(), OuArn(parent_ou));
  const Decision for_b = MayLaunch(id, b);
  EXPECT_TRUE(for_b.allowed());
  EXPECT_THAT(Rules(for_b), ElementsAre("SHARE-1"));
  EXPECT_THAT(Launch(as_b, id), IsOk());
}

TEST_F(ModifyImageAttribute, SHARE_1_OwnerAlwaysLaunchesAndIsNeverListed) {
  const ImageId id = SeedImage(owner);
  EXPECT_TRUE(Perms(id).empty());
  EXPECT_THAT(Rules(MayLaunch(id, owner)), ElementsAre("SHARE-1"));
  ASSERT_THAT(Share(as_owner, id, {User(owner)}), IsOk());  // Ignored (MC-34).
  EXPECT_TRUE(Perms(id).empty());
  ASSERT_THAT(Share(as_owner, id, {}, {User(owner)}), IsOk());
  ASSERT_THAT(cloud->ResetImageAttribute(as_owner, id.ToString(), "launchPermission"), IsOk());
  EXPECT_TRUE(MayLaunch(id, owner).allowed());
  EXPECT_THAT(Launch(as_owner, id), IsOk());
}

TEST_F(ModifyImageAttribute, SHARE_1_UnlistedAccountCannotLaunch) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  const Decision d = MayLaunch(id, c);
  EXPECT_FALSE(d.allowed());
  EXPECT_THAT(Rules(d), ElementsAre("LAUNCH-4"));
  auto before = cloud->Fork();
  EXPECT_THAT(Launch(as_c, id), HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(ModifyImageAttribute, SHARE_1_RejectsGroupOtherThanAllAndAmbiguousEntries) {
  const ImageId id = SeedImage(owner);
  auto before = cloud->Fork();
  EXPECT_THAT(Share(as_owner, id, {Group("everyone")}),
              HasErrorCode(ErrorCode::kInvalidAMIAttributeItemValue));
  LaunchPermissionEntry two{.user_id = b.ToString(), .group = "all"};
  EXPECT_THAT(Share(as_owner, id, {two}), HasErrorCode(ErrorCode::kInvalidParameterCombination));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_TRUE(Perms(id).empty());
}

// ---- SHARE-2: removing and resetting ------------------------------------------------------------

TEST_F(ModifyImageAttribute, SHARE_2_RemoveTakesAccountOff) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {User(b), User(c)}), IsOk());
  ASSERT_THAT(Share(as_owner, id, {}, {User(b)}), IsOk());
  EXPECT_THAT(Texts(Perms(id).accounts()), ElementsAre(c.ToString()));
  EXPECT_FALSE(MayLaunch(id, b).allowed());
  EXPECT_THAT(Launch(as_b, id), HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_TRUE(MayLaunch(id, c).allowed());
}

TEST_F(ResetImageAttribute, SHARE_2_LaunchPermissionClearsEverything) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(cloud->DisableImageBlockPublicAccess(as_owner), IsOk());
  ASSERT_THAT(Share(as_owner, id, {User(b), Group(), Org(OrgArn()), Ou(OuArn(child_ou))}), IsOk());
  ASSERT_EQ(PublicCount(owner), 1);
  ASSERT_THAT(cloud->ResetImageAttribute(as_owner, id.ToString(), "launchPermission"), IsOk());
  EXPECT_TRUE(Perms(id).empty());
  EXPECT_FALSE(cloud->GetImage(id)->is_public());
  EXPECT_EQ(PublicCount(owner), 0);  // SHARE-9: no longer counts against the quota.
  for (const AccountId who : {b, c, in_child, at_root}) {
    EXPECT_FALSE(MayLaunch(id, who).allowed()) << who.ToString();
  }
  EXPECT_TRUE(MayLaunch(id, owner).allowed());
}

TEST_F(ResetImageAttribute, SHARE_2_OtherAttributeIsInvalidParameterValue) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->ResetImageAttribute(as_owner, id.ToString(), "description"),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(cloud->ResetImageAttribute(as_owner, id.ToString(), "imdsSupport"),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_THAT(Texts(Perms(id).accounts()), ElementsAre(b.ToString()));
}

// ---- SHARE-3: one attribute per call ------------------------------------------------------------

TEST_F(ModifyImageAttribute, SHARE_3_OneAttributePerCallIsAccepted) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(SetDescription(as_owner, id, "golden"), IsOk());
  EXPECT_EQ(cloud->GetImage(id)->description(), "golden");
  ASSERT_THAT(Share(as_owner, id, {User(b)}, {User(c)}), IsOk());  // Add and Remove together.
  EXPECT_THAT(Texts(Perms(id).accounts()), ElementsAre(b.ToString()));
}

TEST_F(ModifyImageAttribute, SHARE_3_LaunchPermissionWithDescriptionIsInvalidCombination) {
  const ImageId id = SeedImage(owner);
  auto before = cloud->Fork();
  ModifyImageAttributeRequest mixed{id.ToString()};
  mixed.add = {User(b)};
  mixed.description = "golden";
  EXPECT_THAT(cloud->ModifyImageAttribute(as_owner, mixed),
              HasErrorCode(ErrorCode::kInvalidParameterCombination));
  ModifyImageAttributeRequest two_values{id.ToString()};
  two_values.description = "golden";
  two_values.imds_support = "v2.0";
  EXPECT_THAT(cloud->ModifyImageAttribute(as_owner, two_values),
              HasErrorCode(ErrorCode::kInvalidParameterCombination));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_TRUE(Perms(id).empty());
  EXPECT_EQ(cloud->GetImage(id)->description(), "seeded");
}

// ---- SHARE-4, SHARE-5: only the owner -----------------------------------------------------------

TEST_F(ModifyImageAttribute, SHARE_4_OwnerSharesResetsAndDeregisters) {
  const ImageId id = SeedImage(owner);
  EXPECT_TRUE(PreflightOwnerAction(owner, id, policy::ImageAction::kModifyAttribute).allowed());
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  ASSERT_THAT(cloud->ResetImageAttribute(as_owner, id.ToString(), "launchPermission"), IsOk());
  EXPECT_THAT(cloud->DeregisterImage(as_owner, id.ToString()), IsOk());
  EXPECT_EQ(cloud->GetImage(id)->state(), ImageState::kDeregistered);
}

TEST_F(ModifyImageAttribute, SHARE_4_RecipientCannotShareResetOrDeregister) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  const Decision d = PreflightShare(b, id, {.add_accounts = {c}});
  EXPECT_FALSE(d.allowed());
  EXPECT_THAT(Rules(d), ElementsAre("SHARE-4"));
  auto before = cloud->Fork();
  EXPECT_THAT(Share(as_b, id, {User(c)}), HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_THAT(Share(as_b, id, {}, {User(b)}), HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_THAT(cloud->ResetImageAttribute(as_b, id.ToString(), "launchPermission"),
              HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_THAT(cloud->DeregisterImage(as_b, id.ToString()), HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_THAT(cloud->DeregisterImage(as_c, id.ToString()), HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(ModifyImageAttribute, SHARE_5_OwnerModifiesDescriptionAndImds) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(SetDescription(as_owner, id, "v2"), IsOk());
  ASSERT_THAT(SetImds(as_owner, id, "v2.0"), IsOk());
  EXPECT_EQ(cloud->GetImage(id)->description(), "v2");
  EXPECT_TRUE(cloud->GetImage(id)->imds_v2_required());
}

TEST_F(ModifyImageAttribute, SHARE_5_NonOwnerModifyIsAuthFailure) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  const Decision d = PreflightOwnerAction(b, id, policy::ImageAction::kModifyAttribute);
  EXPECT_FALSE(d.allowed());
  EXPECT_THAT(Rules(d), ElementsAre("SHARE-4"));
  auto before = cloud->Fork();
  EXPECT_THAT(SetDescription(as_b, id, "mine now"), HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_THAT(SetImds(as_c, id, "v2.0"), HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_THAT(SetDescription(as_b, id, "mine now"), MessageHas(id.ToString()));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

// ---- SHARE-6: ownership stays -------------------------------------------------------------------

TEST_F(ModifyImageAttribute, SHARE_6_SharingKeepsOwnerAndRecipientOwnsWhatItMakes) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  EXPECT_EQ(cloud->GetImage(id)->owner(), owner);
  const auto launched = Launch(as_b, id);
  ASSERT_THAT(launched, IsOk());
  cloud->AdvanceClock(absl::Minutes(2));
  const InstanceId instance = launched->front();
  EXPECT_EQ(cloud->GetInstance(instance)->owner(), b);
  CreateImageRequest create{instance.ToString(), "b-own-image"};
  const absl::StatusOr<ImageId> made = cloud->CreateImage(as_b, create);
  ASSERT_THAT(made, IsOk());
  EXPECT_EQ(cloud->GetImage(*made)->owner(), b);
  EXPECT_EQ(cloud->GetImage(id)->owner(), owner);
  EXPECT_EQ(cloud->GetSnapshot(RootSnapshot(id))->owner(), owner);
}

TEST_F(ModifyImageAttribute, SHARE_6_RecipientCannotActAsOwner) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  auto before = cloud->Fork();
  EXPECT_THAT(Share(as_b, id, {User(c)}), HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_EQ(cloud->GetImage(id)->owner(), owner);
  EXPECT_FALSE(MayLaunch(id, c).allowed());
}

// ---- SHARE-7, ID-7: organizations and OUs -------------------------------------------------------

TEST_F(ModifyImageAttribute, SHARE_7_OrganizationReachesEveryMember) {
  const ImageId id = SeedImage(owner);  // The owner is not a member of the organization.
  ASSERT_THAT(Share(as_owner, id, {Org(OrgArn())}), IsOk());
  for (const AccountId who : {in_child, in_sibling, at_root, mgmt}) {
    const Decision d = MayLaunch(id, who);
    EXPECT_TRUE(d.allowed()) << who.ToString();
    EXPECT_THAT(Rules(d), ElementsAre("SHARE-7")) << who.ToString();
  }
  EXPECT_FALSE(MayLaunch(id, c).allowed());
  EXPECT_THAT(Launch({in_child, east}, id), IsOk());
}

TEST_F(ModifyImageAttribute, SHARE_7_OuReachesNestedOusOnly) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {Ou(OuArn(parent_ou))}), IsOk());
  const Decision nested = MayLaunch(id, in_child);
  EXPECT_TRUE(nested.allowed());
  EXPECT_THAT(Rules(nested), ElementsAre("SHARE-7"));
  EXPECT_THAT(Launch({in_child, east}, id), IsOk());
  EXPECT_FALSE(MayLaunch(id, in_sibling).allowed());
  EXPECT_FALSE(MayLaunch(id, at_root).allowed());
  auto before = cloud->Fork();
  EXPECT_THAT(Launch({in_sibling, east}, id), HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(ModifyImageAttribute, SHARE_7_BareOrganizationOrOuIdIsInvalidParameterValue) {
  const ImageId id = SeedImage(owner);
  auto before = cloud->Fork();
  EXPECT_THAT(Share(as_owner, id, {Org(org.ToString())}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(Share(as_owner, id, {Ou(parent_ou.ToString())}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_FALSE(MayLaunch(id, in_child).allowed());
}

TEST_F(ModifyImageAttribute, ID_7_UserIdWithHyphensIsInvalidAMIAttributeItemValue) {
  const ImageId id = SeedImage(owner);
  auto before = cloud->Fork();
  EXPECT_THAT(Share(as_owner, id, {User("4444-5555-6666")}),
              HasErrorCode(ErrorCode::kInvalidAMIAttributeItemValue));
  EXPECT_THAT(Share(as_owner, id, {User(c), User("4444-5555-6666")}),
              HasErrorCode(ErrorCode::kInvalidAMIAttributeItemValue));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_TRUE(Perms(id).empty());
}

TEST_F(ModifyImageAttribute, ID_7_TwelveDigitUserIdIsAccepted) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {User("012345678901")}), IsOk());
  EXPECT_THAT(Texts(Perms(id).accounts()), ElementsAre("012345678901"));
}

// ---- SHARE-8: removing an account covered by an org; CancelImageLaunchPermission ----------------

TEST_F(ModifyImageAttribute, SHARE_8_RemovedAccountStillCoveredByOrganizationLaunches) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {User(at_root), User(b), Org(OrgArn())}), IsOk());
  ASSERT_THAT(Share(as_owner, id, {}, {User(at_root), User(b)}), IsOk());  // Succeeds.
  EXPECT_THAT(Perms(id).accounts(), IsEmpty());
  const Decision d = MayLaunch(id, at_root);
  EXPECT_TRUE(d.allowed());
  EXPECT_THAT(Rules(d), ElementsAre("SHARE-7"));
  EXPECT_FALSE(MayLaunch(id, b).allowed());  // Not covered by the organization.
}

TEST_F(CancelImageLaunchPermission, SHARE_8_RemovesOnlyTheCallersDirectShare) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(cloud->DisableImageBlockPublicAccess(as_owner), IsOk());
  ASSERT_THAT(Share(as_owner, id, {User(b), User(c), User(at_root), Org(OrgArn()), Group()}),
              IsOk());
  ASSERT_THAT(cloud->CancelImageLaunchPermission(as_b, id.ToString()), IsOk());
  ASSERT_THAT(cloud->CancelImageLaunchPermission({at_root, east}, id.ToString()), IsOk());
  const LaunchPermissions lp = Perms(id);
  EXPECT_THAT(Texts(lp.accounts()), ElementsAre(c.ToString()));
  EXPECT_TRUE(lp.is_public());
  EXPECT_EQ(lp.organizations().size(), 1u);
  EXPECT_THAT(Rules(MayLaunch(id, at_root)), ElementsAre("SHARE-7"));  // Org share remains.
}

TEST_F(CancelImageLaunchPermission, SHARE_8_WithoutDirectShareIsInvalidParameterValue) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(cloud->DisableImageBlockPublicAccess(as_owner), IsOk());
  ASSERT_THAT(Share(as_owner, id, {User(b), Org(OrgArn()), Group()}), IsOk());
  ASSERT_THAT(cloud->CancelImageLaunchPermission(as_b, id.ToString()), IsOk());
  const Decision d = cloud->Evaluate([&](const StateView& v) {
    return policy::EvaluateCancelLaunchPermission(v, at_root, east, id);
  });
  EXPECT_FALSE(d.allowed());
  EXPECT_THAT(Rules(d), ElementsAre("SHARE-8"));
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->CancelImageLaunchPermission({at_root, east}, id.ToString()),
              HasErrorCode(ErrorCode::kInvalidParameterValue));  // Only the org covers it.
  EXPECT_THAT(cloud->CancelImageLaunchPermission(as_c, id.ToString()),
              HasErrorCode(ErrorCode::kInvalidParameterValue));  // Only public.
  EXPECT_THAT(cloud->CancelImageLaunchPermission(as_b, id.ToString()),
              HasErrorCode(ErrorCode::kInvalidParameterValue));  // Already cancelled.
  EXPECT_THAT(Share(as_b, id, {User(b)}), HasErrorCode(ErrorCode::kAuthFailure));  // No undo.
  EXPECT_TRUE(cloud->StateEquals(*before));
}

// ---- SHARE-9: quotas ----------------------------------------------------------------------------

TEST_F(ModifyImageAttribute, SHARE_9_FivePublicImagesPerRegion) {
  ASSERT_THAT(cloud->DisableImageBlockPublicAccess(as_owner), IsOk());
  ASSERT_THAT(cloud->DisableImageBlockPublicAccess({owner, west}), IsOk());
  for (int i = 0; i < 5; ++i) {
    const ImageId id = SeedImage(owner);
    ASSERT_THAT(Share(as_owner, id, {Group()}), IsOk()) << i;
  }
  const ImageId in_west = SeedImage(owner, {.region = west});
  EXPECT_THAT(Share({owner, west}, in_west, {Group()}), IsOk());  // Quota is per Region.
  EXPECT_TRUE(cloud->GetImage(in_west)->is_public());
}

TEST_F(ModifyImageAttribute, SHARE_9_SixthPublicImageIsResourceLimitExceeded) {
  ASSERT_THAT(cloud->DisableImageBlockPublicAccess(as_owner), IsOk());
  for (int i = 0; i < 5; ++i) ASSERT_THAT(Share(as_owner, SeedImage(owner), {Group()}), IsOk());
  const ImageId sixth = SeedImage(owner);
  const Decision d = cloud->Evaluate(
      [&](const StateView& v) { return policy::EvaluateMakePublic(v, owner, east, sixth); });
  EXPECT_FALSE(d.allowed());
  EXPECT_THAT(Rules(d), ElementsAre("SHARE-9"));
  auto before = cloud->Fork();
  EXPECT_THAT(Share(as_owner, sixth, {Group()}), HasErrorCode(ErrorCode::kResourceLimitExceeded));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_FALSE(cloud->GetImage(sixth)->is_public());
}

TEST_F(ModifyImageAttribute, SHARE_9_ThousandSharingEntitiesAreAllowed) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, ManyAccounts(999)), IsOk());
  ASSERT_THAT(Share(as_owner, id, {Org(OrgArn())}), IsOk());
  EXPECT_EQ(Perms(id).entity_count(), 1000u);
  // Swapping one entity for another keeps the count at 1,000.
  ASSERT_THAT(Share(as_owner, id, {User(b)}, {User(AccountId::FromNumber(100000000000))}), IsOk());
  EXPECT_EQ(Perms(id).entity_count(), 1000u);
  EXPECT_TRUE(MayLaunch(id, b).allowed());
}

TEST_F(ModifyImageAttribute, SHARE_9_ThousandAndOneSharingEntitiesAreResourceLimitExceeded) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, ManyAccounts(1000)), IsOk());
  auto before = cloud->Fork();
  EXPECT_THAT(Share(as_owner, id, {User(b)}), HasErrorCode(ErrorCode::kResourceLimitExceeded));
  EXPECT_THAT(Share(as_owner, id, {Ou(OuArn(child_ou))}),
              HasErrorCode(ErrorCode::kResourceLimitExceeded));
  EXPECT_TRUE(cloud->StateEquals(*before));
  const ImageId fresh = SeedImage(owner);
  auto before_fresh = cloud->Fork();
  EXPECT_THAT(Share(as_owner, fresh, ManyAccounts(1001)),
              HasErrorCode(ErrorCode::kResourceLimitExceeded));
  EXPECT_TRUE(cloud->StateEquals(*before_fresh));
}

// ---- SHARE-11, SHARE-12: snapshots and sharing --------------------------------------------------

TEST_F(ModifyImageAttribute, SHARE_11_RecipientLaunchesWithoutSnapshotShare) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  const Decision d = PreflightLaunch(b, id);
  EXPECT_TRUE(d.allowed());
  EXPECT_THAT(Rules(d), ElementsAre("SHARE-1", "LAUNCH-15"));
  const auto launched = Launch(as_b, id);
  ASSERT_THAT(launched, IsOk());
  cloud->AdvanceClock(absl::Minutes(2));
  EXPECT_EQ(cloud->GetInstance(launched->front())->state(), InstanceState::kRunning);
  EXPECT_EQ(SnapshotPerms(RootSnapshot(id)), CreateVolumePermissions{});
}

TEST_F(ModifyImageAttribute, SHARE_11_SnapshotShareAloneDoesNotGrantLaunch) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(ShareSnapshot(as_owner, RootSnapshot(id), "add", {c.ToString()}), IsOk());
  EXPECT_THAT(Rules(PreflightLaunch(c, id)), ElementsAre("LAUNCH-4"));
  auto before = cloud->Fork();
  EXPECT_THAT(Launch(as_c, id), HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(ModifyImageAttribute, SHARE_12_CopyWorksOnceSnapshotIsSharedToo) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  ASSERT_THAT(ShareSnapshot(as_owner, RootSnapshot(id), "add", {b.ToString()}), IsOk());
  EXPECT_TRUE(PreflightCopy(b, id).allowed());
  const absl::StatusOr<ImageId> copy = Copy(as_b, id, "b-copy");
  ASSERT_THAT(copy, IsOk());
  EXPECT_EQ(cloud->GetImage(*copy)->owner(), b);
}

TEST_F(ModifyImageAttribute, SHARE_12_SharingImageLeavesSnapshotUnshared) {
  const ImageId id = SeedImage(owner);
  const SnapshotId snap = RootSnapshot(id);
  const CreateVolumePermissions snapshot_before = SnapshotPerms(snap);
  ASSERT_THAT(cloud->DisableImageBlockPublicAccess(as_owner), IsOk());
  ASSERT_THAT(Share(as_owner, id, {User(b), Group(), Org(OrgArn())}), IsOk());
  EXPECT_EQ(SnapshotPerms(snap), snapshot_before);
  EXPECT_THAT(SnapshotPerms(snap).accounts, IsEmpty());
  EXPECT_FALSE(SnapshotPerms(snap).is_public);
  const Decision d = PreflightCopy(b, id);
  EXPECT_FALSE(d.allowed());
  EXPECT_THAT(Rules(d), ElementsAre("COPY-6"));
  auto before = cloud->Fork();
  EXPECT_THAT(Copy(as_b, id, "b-copy"), HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

// ---- SHARE-13: tags are per account -------------------------------------------------------------

TEST_F(ModifyImageAttribute, SHARE_13_RecipientTagsAreVisibleOnlyToIt) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(cloud->CreateTags(as_owner, {id.ToString()}, {{"team", "a"}}), IsOk());
  ASSERT_THAT(Share(as_owner, id, {User(b), User(c)}), IsOk());
  ASSERT_THAT(cloud->CreateTags(as_b, {id.ToString()}, {{"mine", "b"}}), IsOk());
  const absl::StatusOr<TagSet> for_b = cloud->GetTags(b, id.ToString());
  ASSERT_THAT(for_b, IsOk());
  EXPECT_EQ(for_b->size(), 1u);
  EXPECT_EQ(for_b->Find("mine").value_or("-"), "b");
  EXPECT_FALSE(for_b->Find("team").has_value());
  const absl::StatusOr<TagSet> for_owner = cloud->GetTags(owner, id.ToString());
  ASSERT_THAT(for_owner, IsOk());
  EXPECT_EQ(for_owner->Find("team").value_or("-"), "a");
  EXPECT_FALSE(for_owner->Find("mine").has_value());
  EXPECT_EQ(cloud->GetImage(id)->tags(), *for_owner);
  const absl::StatusOr<TagSet> for_c = cloud->GetTags(c, id.ToString());
  ASSERT_THAT(for_c, IsOk());
  EXPECT_TRUE(for_c->empty());
}

TEST_F(ModifyImageAttribute, SHARE_13_AccountWithoutAccessSeesNoImage) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(cloud->CreateTags(as_owner, {id.ToString()}, {{"team", "a"}}), IsOk());
  EXPECT_THAT(cloud->GetTags(c, id.ToString()), HasErrorCode(ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_THAT(cloud->GetTags(c, "vpc-0123456789abcdef0"), HasErrorCode(ErrorCode::kInvalidID));
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->CreateTags(as_c, {id.ToString()}, {{"mine", "c"}}),
              HasErrorCode(ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_THAT(cloud->CreateTags(as_c, {"bogus"}, {{"mine", "c"}}),
              HasErrorCode(ErrorCode::kInvalidID));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

// ---- SHARE-14, SHARE-15: what cannot be public --------------------------------------------------

TEST_F(ModifyImageAttribute, SHARE_14_EncryptedImageSharedWithAccountButUnencryptedGoesPublic) {
  ASSERT_THAT(cloud->DisableImageBlockPublicAccess(as_owner), IsOk());
  const ImageId encrypted = SeedImage(owner, {.key = CustomerKey(as_owner)});
  EXPECT_THAT(Share(as_owner, encrypted, {User(b)}), IsOk());
  const ImageId plain = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, plain, {Group()}), IsOk());
  EXPECT_TRUE(cloud->GetImage(plain)->is_public());
  EXPECT_TRUE(MayLaunch(plain, c).allowed());
}

TEST_F(ModifyImageAttribute, SHARE_14_EncryptedImageCannotBePublic) {
  ASSERT_THAT(cloud->DisableImageBlockPublicAccess(as_owner), IsOk());
  const ImageId cmk = SeedImage(owner, {.key = CustomerKey(as_owner)});
  const ImageId aws_managed = SeedImage(owner, {.key = AwsManagedKey(owner)});
  const Decision d = cloud->Evaluate(
      [&](const StateView& v) { return policy::EvaluateMakePublic(v, owner, east, cmk); });
  EXPECT_FALSE(d.allowed());
  EXPECT_THAT(Rules(d), ElementsAre("SHARE-14"));
  auto before = cloud->Fork();
  EXPECT_THAT(Share(as_owner, cmk, {Group()}), HasErrorCode(ErrorCode::kUnsupportedOperation));
  EXPECT_THAT(Share(as_owner, aws_managed, {Group()}),
              HasErrorCode(ErrorCode::kUnsupportedOperation));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(ModifyImageAttribute, SHARE_15_MarketplaceImageSharedWithAccount) {
  const ImageId id = SeedImage(owner, {.product_code = kProductCode});
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  EXPECT_TRUE(MayLaunch(id, b).allowed());
}

TEST_F(ModifyImageAttribute, SHARE_15_MarketplaceImageCannotBePublic) {
  ASSERT_THAT(cloud->DisableImageBlockPublicAccess(as_owner), IsOk());
  const ImageId id = SeedImage(owner, {.product_code = kProductCode});
  const Decision d = cloud->Evaluate(
      [&](const StateView& v) { return policy::EvaluateMakePublic(v, owner, east, id); });
  EXPECT_THAT(Rules(d), ElementsAre("SHARE-15"));
  auto before = cloud->Fork();
  EXPECT_THAT(Share(as_owner, id, {Group()}), HasErrorCode(ErrorCode::kUnsupportedOperation));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_FALSE(cloud->GetImage(id)->is_public());
}

// ---- SHARE-16, SHARE-17: encrypted images -------------------------------------------------------

TEST_F(ModifyImageAttribute, SHARE_16_CustomerManagedKeyImageCanBeShared) {
  const ImageId id = SeedImage(owner, {.key = CustomerKey(as_owner)});
  ASSERT_THAT(Share(as_owner, id, {User(b), Org(OrgArn())}), IsOk());
  EXPECT_THAT(Texts(Perms(id).accounts()), ElementsAre(b.ToString()));
  EXPECT_EQ(Perms(id).organizations().size(), 1u);
}

TEST_F(ModifyImageAttribute, SHARE_16_AwsManagedKeyImageCannotBeShared) {
  const ImageId id = SeedImage(owner, {.key = AwsManagedKey(owner)});
  const Decision d = PreflightShare(owner, id, {.add_accounts = {b}});
  EXPECT_FALSE(d.allowed());
  EXPECT_THAT(Rules(d), ElementsAre("SHARE-16"));
  auto before = cloud->Fork();
  EXPECT_THAT(Share(as_owner, id, {User(b)}), HasErrorCode(ErrorCode::kInvalidParameter));
  EXPECT_THAT(Share(as_owner, id, {Org(OrgArn())}), HasErrorCode(ErrorCode::kInvalidParameter));
  EXPECT_THAT(Share(as_owner, id, {Ou(OuArn(child_ou))}),
              HasErrorCode(ErrorCode::kInvalidParameter));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_TRUE(Perms(id).empty());
}

TEST_F(ModifyImageAttribute, SHARE_16_ShareKeysDenyAwsManagedKey) {
  const ImageId id = SeedImage(owner, {.key = AwsManagedKey(owner)});
  const Decision d = cloud->Evaluate(
      [&](const StateView& v) { return policy::EvaluateShareKeys(v, *v.FindImage(id)); });
  EXPECT_FALSE(d.allowed());
  EXPECT_THAT(Rules(d), ElementsAre("SHARE-16"));
  ASSERT_EQ(d.reasons().size(), 1u);
  EXPECT_EQ(d.reasons().front().args.key, AwsManagedKey(owner));
}

TEST_F(ModifyImageAttribute, SHARE_16_ShareKeysAllowCustomerManagedKeyAndNameIt) {
  const KmsKeyArn key = CustomerKey(as_owner);
  const ImageId id = SeedImage(owner, {.key = key});
  const Decision d = cloud->Evaluate(
      [&](const StateView& v) { return policy::EvaluateShareKeys(v, *v.FindImage(id)); });
  EXPECT_TRUE(d.allowed());
  EXPECT_THAT(Rules(d), ElementsAre("SHARE-17"));
  ASSERT_EQ(d.reasons().size(), 1u);
  EXPECT_EQ(d.reasons().front().args.key, key);
}

TEST_F(ModifyImageAttribute, SHARE_16_ShareKeysAllowUnencryptedImage) {
  const ImageId id = SeedImage(owner);
  const Decision d = cloud->Evaluate(
      [&](const StateView& v) { return policy::EvaluateShareKeys(v, *v.FindImage(id)); });
  EXPECT_TRUE(d.allowed());
  EXPECT_THAT(Rules(d), ElementsAre("SHARE-16"));
}

TEST_F(ModifyImageAttribute, SHARE_16_AuditAsksTheEngineForTheAwsManagedKey) {
  const ImageId aws = SeedImage(owner, {.key = AwsManagedKey(owner)});
  SeedImage(owner, {.key = CustomerKey(as_owner)});
  std::vector<std::string> unshareable;
  // The state holds the organization's accounts: the owner, standalone, is audited by name.
  for (const Finding& f : Must(Audit(*cloud, {.owners = {owner}})).findings) {
    if (f.kind == FindingKind::kUnshareableAwsManagedKey) {
      EXPECT_EQ(f.rule, "SHARE-16");
      EXPECT_THAT(f.detail, HasSubstr(AwsManagedKey(owner).ToString()));
      unshareable.push_back(f.resource);
    }
  }
  EXPECT_THAT(unshareable, ElementsAre(aws.ToString()));
}

TEST_F(ModifyImageAttribute, SHARE_17_AuditListsRecipientsWithoutTheKey) {
  const KmsKeyArn key = CustomerKey(as_owner);
  const ImageId id = SeedImage(owner, {.key = key});
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  auto findings = [&] {
    std::vector<std::string> out;
    for (const Finding& f : Must(Audit(*cloud, {.owners = {owner}})).findings) {
      if (f.kind == FindingKind::kRecipientCannotUseKey) out.push_back(f.detail);
    }
    return out;
  };
  EXPECT_THAT(findings(), ElementsAre(AllOf(HasSubstr(b.ToString()), HasSubstr(key.ToString()))));
  KeyPolicyStatement allow_b;
  allow_b.sid = "Allow account B";
  allow_b.accounts = {b};
  allow_b.actions = policy::ReadKeyActions();
  ASSERT_THAT(cloud->PutKeyPolicy(as_owner, key.ToString(), {allow_b}), IsOk());
  EXPECT_THAT(findings(), IsEmpty());
}

TEST_F(ModifyImageAttribute, SHARE_17_ShareSucceedsWithoutKmsCheckAndLaunchWorksOnceKeyShared) {
  const KmsKeyArn key = CustomerKey(as_owner);
  const ImageId id = SeedImage(owner, {.key = key});
  const KmsKey key_before = cloud->GetKey(key).value();
  const Decision d = PreflightShare(owner, id, {.add_accounts = {b}});
  EXPECT_TRUE(d.allowed());
  EXPECT_THAT(Rules(d), Contains("SHARE-17"));
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());  // B has no use of the key.
  EXPECT_EQ(cloud->GetKey(key).value(), key_before);     // Sharing granted nothing in KMS.
  KeyPolicyStatement allow_b;
  allow_b.sid = "Allow account B";
  allow_b.accounts = {b};
  allow_b.actions = policy::ReadKeyActions();
  ASSERT_THAT(cloud->PutKeyPolicy(as_owner, key.ToString(), {allow_b}), IsOk());
  EXPECT_TRUE(PreflightLaunch(b, id).allowed());
  const auto launched = Launch(as_b, id);
  ASSERT_THAT(launched, IsOk());
  cloud->AdvanceClock(absl::Minutes(2));
  EXPECT_EQ(cloud->GetInstance(launched->front())->state(), InstanceState::kRunning);
}

TEST_F(ModifyImageAttribute, SHARE_17_RecipientLaunchFailsLaterWithoutKey) {
  const KmsKeyArn key = CustomerKey(as_owner);
  const ImageId id = SeedImage(owner, {.key = key});
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  const Decision d = PreflightLaunch(b, id);
  EXPECT_FALSE(d.allowed());
  EXPECT_TRUE(d.denied_later());
  EXPECT_THAT(Rules(d), Contains("LAUNCH-9"));
  // AWS accepts the call (MC-29) and terminates the instance; a dry run changes nothing.
  auto before = cloud->Fork();
  RunInstancesRequest dry{id.ToString()};
  EXPECT_THAT(cloud->RunInstances({b, east, /*dry_run=*/true}, dry),
              HasErrorCode(ErrorCode::kDryRunOperation));
  EXPECT_TRUE(cloud->StateEquals(*before));
  const auto launched = Launch(as_b, id);
  ASSERT_THAT(launched, IsOk());
  cloud->AdvanceClock(absl::Minutes(2));
  const Instance instance = cloud->GetInstance(launched->front()).value();
  EXPECT_EQ(instance.state(), InstanceState::kTerminated);
  EXPECT_EQ(instance.state_reason().code, "Client.InternalError");
  EXPECT_EQ(cloud->GetKey(key).value(), *before->GetKey(key));
}

// ---- SHARE-19, SHARE-20: block public access ----------------------------------------------------

TEST_F(ModifyImageAttribute, SHARE_20_AfterDisablingBlockPublicAccessImageGoesPublicAndStays) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(cloud->DisableImageBlockPublicAccess(as_owner), IsOk());
  EXPECT_FALSE(cloud->GetSettings(owner, east).image_block_public_access);
  ASSERT_THAT(Share(as_owner, id, {Group()}), IsOk());
  ASSERT_THAT(cloud->EnableImageBlockPublicAccess(as_owner), IsOk());
  EXPECT_TRUE(cloud->GetImage(id)->is_public());
  EXPECT_THAT(Rules(MayLaunch(id, c)), ElementsAre("ATTR-1"));
  EXPECT_THAT(Launch(as_c, id), IsOk());
}

TEST_F(ModifyImageAttribute, SHARE_20_BlockPublicAccessOnByDefaultIsOperationNotPermitted) {
  EXPECT_TRUE(cloud->GetSettings(owner, east).image_block_public_access);  // SHARE-19.
  const ImageId id = SeedImage(owner);
  const Decision d = cloud->Evaluate(
      [&](const StateView& v) { return policy::EvaluateMakePublic(v, owner, east, id); });
  EXPECT_THAT(Rules(d), ElementsAre("SHARE-20"));
  auto before = cloud->Fork();
  EXPECT_THAT(Share(as_owner, id, {Group()}), HasErrorCode(ErrorCode::kOperationNotPermitted));
  EXPECT_THAT(Share(as_owner, id, {Group()}), MessageHas("DisableImageBlockPublicAccess"));
  EXPECT_TRUE(cloud->StateEquals(*before));
  // Re-enabled after a public share: new public shares are blocked again.
  ASSERT_THAT(cloud->DisableImageBlockPublicAccess(as_owner), IsOk());
  ASSERT_THAT(Share(as_owner, id, {Group()}), IsOk());
  ASSERT_THAT(cloud->EnableImageBlockPublicAccess(as_owner), IsOk());
  const ImageId second = SeedImage(owner);
  // SHARE-18, ASYNC-4: enabling takes effect after 10 minutes; until then sharing still works.
  EXPECT_EQ(cloud->GetImageBlockPublicAccessState(owner, east), "unblocked");
  EXPECT_TRUE(cloud->Evaluate([&](const StateView& v) {
                     return policy::EvaluateMakePublic(v, owner, east, second);
                   }).allowed());
  cloud->AdvanceClock(absl::Minutes(10));
  EXPECT_EQ(cloud->GetImageBlockPublicAccessState(owner, east), "block-new-sharing");
  EXPECT_TRUE(cloud->GetImage(id)->is_public());  // Already public images stay public.
  auto before_second = cloud->Fork();
  EXPECT_THAT(Share(as_owner, second, {Group()}), HasErrorCode(ErrorCode::kOperationNotPermitted));
  EXPECT_TRUE(cloud->StateEquals(*before_second));
}

// ---- SNAP-1 … SNAP-3: snapshot permissions ------------------------------------------------------

TEST_F(ModifySnapshotAttribute, SNAP_1_AddsAndRemovesAccountsAndGroupAll) {
  const SnapshotId snap = SeedSnapshot(owner);
  ASSERT_THAT(ShareSnapshot(as_owner, snap, "add", {c.ToString(), b.ToString()}), IsOk());
  EXPECT_THAT(Texts(SnapshotPerms(snap).accounts), ElementsAre(b.ToString(), c.ToString()));
  ASSERT_THAT(ShareSnapshot(as_owner, snap, "add", {}, {"all"}), IsOk());
  EXPECT_TRUE(SnapshotPerms(snap).is_public);
  ASSERT_THAT(ShareSnapshot(as_owner, snap, "remove", {b.ToString()}, {"all"}), IsOk());
  EXPECT_THAT(Texts(SnapshotPerms(snap).accounts), ElementsAre(c.ToString()));
  EXPECT_FALSE(SnapshotPerms(snap).is_public);
  std::vector<std::string> many;
  for (int i = 0; i < 500; ++i) many.push_back(AccountId::FromNumber(200000000000 + i).ToString());
  ASSERT_THAT(ShareSnapshot(as_owner, snap, "add", many), IsOk());
  EXPECT_EQ(SnapshotPerms(snap).accounts.size(), 501u);
}

TEST_F(ModifySnapshotAttribute, SNAP_1_NonOwnerTooManyChangesOrBadOperationAreRejected) {
  const SnapshotId snap = SeedSnapshot(owner);
  ASSERT_THAT(ShareSnapshot(as_owner, snap, "add", {b.ToString()}), IsOk());
  const Decision d = cloud->Evaluate([&](const StateView& v) {
    return policy::EvaluateModifySnapshotPermission(v, {b, east, snap, {c}, {}, false, false});
  });
  EXPECT_THAT(Rules(d), ElementsAre("SNAP-1"));
  std::vector<std::string> many;
  for (int i = 0; i < 501; ++i) many.push_back(AccountId::FromNumber(200000000000 + i).ToString());
  auto before = cloud->Fork();
  EXPECT_THAT(ShareSnapshot(as_b, snap, "add", {c.ToString()}),
              HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_THAT(ShareSnapshot(as_b, snap, "remove", {b.ToString()}),
              HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_THAT(ShareSnapshot(as_owner, snap, "add", many),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(ShareSnapshot(as_owner, snap, "replace", {c.ToString()}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(ShareSnapshot(as_owner, snap, "", {c.ToString()}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(ModifySnapshotAttribute, SNAP_2_CustomerKeySnapshotSharedWithAccount) {
  const SnapshotId snap = SeedSnapshot(owner, CustomerKey(as_owner));
  ASSERT_THAT(ShareSnapshot(as_owner, snap, "add", {b.ToString()}), IsOk());
  EXPECT_THAT(Texts(SnapshotPerms(snap).accounts), ElementsAre(b.ToString()));
}

TEST_F(ModifySnapshotAttribute, SNAP_2_AwsManagedKeyOrPublicEncryptedIsRejected) {
  const SnapshotId aws_managed = SeedSnapshot(owner, AwsManagedKey(owner));
  const SnapshotId cmk = SeedSnapshot(owner, CustomerKey(as_owner));
  const Decision d = cloud->Evaluate([&](const StateView& v) {
    return policy::EvaluateModifySnapshotPermission(
        v, {owner, east, aws_managed, {b}, {}, false, false});
  });
  EXPECT_THAT(Rules(d), ElementsAre("SNAP-2"));
  auto before = cloud->Fork();
  EXPECT_THAT(ShareSnapshot(as_owner, aws_managed, "add", {b.ToString()}),
              HasErrorCode(ErrorCode::kOperationNotPermitted));
  EXPECT_THAT(ShareSnapshot(as_owner, cmk, "add", {}, {"all"}),
              HasErrorCode(ErrorCode::kUnsupportedOperation));
  EXPECT_THAT(ShareSnapshot(as_owner, aws_managed, "add", {}, {"all"}),
              HasErrorCode(ErrorCode::kUnsupportedOperation));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(ModifySnapshotAttribute, SNAP_3_BlockNewSharingKeepsAccountSharingAndPublicReads) {
  const ImageId id = SeedImage(owner, {.snapshot_public = true});
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  ASSERT_THAT(cloud->EnableSnapshotBlockPublicAccess(as_owner, "block-new-sharing"), IsOk());
  const SnapshotId other = SeedSnapshot(owner);
  EXPECT_THAT(ShareSnapshot(as_owner, other, "add", {b.ToString()}), IsOk());
  EXPECT_TRUE(PreflightCopy(b, id).allowed());  // Already-public snapshot stays readable.
  ASSERT_THAT(cloud->EnableSnapshotBlockPublicAccess(as_owner, "block-all-sharing"), IsOk());
  ASSERT_THAT(cloud->DisableSnapshotBlockPublicAccess(as_owner), IsOk());
  EXPECT_THAT(Copy(as_b, id, "b-copy"), IsOk());
  ASSERT_THAT(ShareSnapshot(as_owner, other, "add", {}, {"all"}), IsOk());
  EXPECT_TRUE(SnapshotPerms(other).is_public);
}

TEST_F(ModifySnapshotAttribute, SNAP_3_BlockNewSharingRejectsMakingPublic) {
  const SnapshotId snap = SeedSnapshot(owner);
  ASSERT_THAT(cloud->EnableSnapshotBlockPublicAccess(as_owner, "block-new-sharing"), IsOk());
  const Decision d = cloud->Evaluate([&](const StateView& v) {
    return policy::EvaluateModifySnapshotPermission(v, {owner, east, snap, {}, {}, true, false});
  });
  EXPECT_THAT(Rules(d), ElementsAre("SNAP-3"));
  auto before = cloud->Fork();
  EXPECT_THAT(ShareSnapshot(as_owner, snap, "add", {}, {"all"}),
              HasErrorCode(ErrorCode::kOperationNotPermitted));
  EXPECT_THAT(cloud->EnableSnapshotBlockPublicAccess(as_owner, "unblocked"),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(ModifySnapshotAttribute, SNAP_3_BlockAllSharingMakesPublicSnapshotUnreadable) {
  const ImageId id = SeedImage(owner, {.snapshot_public = true});
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  EXPECT_TRUE(PreflightCopy(b, id).allowed());  // Readable before.
  ASSERT_THAT(cloud->EnableSnapshotBlockPublicAccess(as_owner, "block-all-sharing"), IsOk());
  EXPECT_TRUE(SnapshotPerms(RootSnapshot(id)).is_public);  // The attribute still says public.
  const Decision d = PreflightCopy(b, id);
  EXPECT_FALSE(d.allowed());
  EXPECT_THAT(Rules(d), ElementsAre("COPY-6"));
  auto before = cloud->Fork();
  EXPECT_THAT(Copy(as_b, id, "b-copy"), HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

// ---- SNAP-4, DEREG-4: snapshots in use ----------------------------------------------------------

TEST_F(DeleteSnapshot, SNAP_4_DEREG_4_DeletableAfterDeregister) {
  const ImageId id = SeedImage(owner);
  const SnapshotId snap = RootSnapshot(id);
  const SnapshotId unused = SeedSnapshot(owner);
  EXPECT_TRUE(cloud->Evaluate([&](const StateView& v) {
                     return policy::EvaluateDeleteSnapshot(v, owner, east, unused);
                   }).allowed());
  EXPECT_THAT(cloud->DeleteSnapshot(as_owner, unused.ToString()), IsOk());
  ASSERT_THAT(cloud->DeregisterImage(as_owner, id.ToString()), IsOk());
  ASSERT_THAT(cloud->DeleteSnapshot(as_owner, snap.ToString()), IsOk());
  EXPECT_FALSE(cloud->GetSnapshot(snap).has_value());
}

TEST_F(DeleteSnapshot, SNAP_4_DEREG_4_SnapshotOfRegisteredImageIsInUse) {
  const ImageId id = SeedImage(owner);
  const SnapshotId snap = RootSnapshot(id);
  const ImageId disabled = SeedImage(owner, {.state = ImageState::kDisabled});
  const Decision d = cloud->Evaluate(
      [&](const StateView& v) { return policy::EvaluateDeleteSnapshot(v, owner, east, snap); });
  EXPECT_THAT(Rules(d), ElementsAre("SNAP-4"));
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->DeleteSnapshot(as_owner, snap.ToString()),
              HasErrorCode(ErrorCode::kInvalidSnapshotInUse));
  EXPECT_THAT(cloud->DeleteSnapshot(as_owner, RootSnapshot(disabled).ToString()),
              HasErrorCode(ErrorCode::kInvalidSnapshotInUse));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

// ---- DEREG-1 … DEREG-3, DEREG-6: deregistration -------------------------------------------------

TEST_F(DeregisterImage, DEREG_1_OwnerDeregisters) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  EXPECT_TRUE(PreflightOwnerAction(owner, id, policy::ImageAction::kDeregister).allowed());
  ASSERT_THAT(cloud->DeregisterImage(as_owner, id.ToString()), IsOk());
  EXPECT_EQ(cloud->GetImage(id)->state(), ImageState::kDeregistered);
  auto before = cloud->Fork();
  EXPECT_THAT(Launch(as_owner, id), HasErrorCode(ErrorCode::kInvalidAMIIDUnavailable));
  EXPECT_THAT(Launch(as_b, id), HasErrorCode(ErrorCode::kInvalidAMIIDUnavailable));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(DeregisterImage, DEREG_1_NonOwnerIsAuthFailure) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  const Decision d = PreflightOwnerAction(b, id, policy::ImageAction::kDeregister);
  EXPECT_THAT(Rules(d), ElementsAre("DEREG-1"));
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->DeregisterImage(as_b, id.ToString(), true),
              HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_THAT(cloud->DeregisterImage(as_b, id.ToString()), MessageHas(id.ToString()));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_EQ(cloud->GetImage(id)->state(), ImageState::kAvailable);
}

TEST_F(DeregisterImage, DEREG_2_DeleteAssociatedSnapshotsDeletesThem) {
  const ImageId id = SeedImage(owner);
  const SnapshotId snap = RootSnapshot(id);
  const auto results =
      cloud->DeregisterImage(as_owner, id.ToString(), /*delete_associated_snapshots=*/true);
  ASSERT_THAT(results, IsOk());
  ASSERT_EQ(results->size(), 1u);
  EXPECT_EQ((*results)[0].snapshot_id, snap);
  EXPECT_EQ((*results)[0].return_code, "success");
  EXPECT_FALSE(cloud->GetSnapshot(snap).has_value());
}

TEST_F(DeregisterImage, DEREG_2_SharedSnapshotIsSkippedAndDefaultKeepsSnapshots) {
  const ImageId first = SeedImage(owner);
  const SnapshotId shared = RootSnapshot(first);
  const ImageId second = SeedImage(owner, {.snapshot = shared});
  const auto results = cloud->DeregisterImage(as_owner, first.ToString(), true);
  ASSERT_THAT(results, IsOk());
  ASSERT_EQ(results->size(), 1u);
  EXPECT_EQ((*results)[0].return_code, "skipped");
  EXPECT_TRUE(cloud->GetSnapshot(shared).has_value());
  EXPECT_EQ(cloud->GetImage(first)->state(), ImageState::kDeregistered);
  EXPECT_EQ(cloud->GetImage(second)->state(), ImageState::kAvailable);
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->DeleteSnapshot(as_owner, shared.ToString()),
              HasErrorCode(ErrorCode::kInvalidSnapshotInUse));
  EXPECT_TRUE(cloud->StateEquals(*before));
  const auto kept = cloud->DeregisterImage(as_owner, second.ToString());  // Default: false.
  ASSERT_THAT(kept, IsOk());
  EXPECT_THAT(*kept, IsEmpty());
  EXPECT_TRUE(cloud->GetSnapshot(shared).has_value());
}

TEST_F(DeregisterImage, DEREG_3_InstancesKeepRunning) {
  const ImageId id = SeedImage(owner);
  const auto launched = Launch(as_owner, id);
  ASSERT_THAT(launched, IsOk());
  const InstanceId instance = launched->front();
  cloud->AdvanceClock(absl::Minutes(2));
  ASSERT_THAT(cloud->DeregisterImage(as_owner, id.ToString()), IsOk());
  EXPECT_EQ(cloud->GetInstance(instance)->state(), InstanceState::kRunning);
  EXPECT_EQ(cloud->GetInstance(instance)->image_id(), id);
  ASSERT_THAT(cloud->StopInstances(as_owner, {instance.ToString()}), IsOk());
  ASSERT_THAT(cloud->StartInstances(as_owner, {instance.ToString()}), IsOk());
  cloud->AdvanceClock(absl::Minutes(2));
  EXPECT_EQ(cloud->GetInstance(instance)->state(), InstanceState::kRunning);
}

TEST_F(DeregisterImage, DEREG_3_NoNewLaunchesFromDeregisteredImage) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Launch(as_owner, id), IsOk());
  cloud->AdvanceClock(absl::Minutes(2));
  ASSERT_THAT(cloud->DeregisterImage(as_owner, id.ToString()), IsOk());
  EXPECT_THAT(Rules(PreflightLaunch(owner, id)), ElementsAre("LAUNCH-7"));
  auto before = cloud->Fork();
  EXPECT_THAT(Launch(as_owner, id), HasErrorCode(ErrorCode::kInvalidAMIIDUnavailable));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(DeregisterImage, DEREG_6_UnprotectedOrCooledDownImageDeregisters) {
  const ImageId plain = SeedImage(owner);
  EXPECT_THAT(cloud->DeregisterImage(as_owner, plain.ToString()), IsOk());
  const ImageId cooling = SeedImage(owner, {.cooldown_until = cloud->Now() + absl::Hours(24)});
  cloud->AdvanceClock(absl::Hours(24) + absl::Minutes(1));
  EXPECT_TRUE(PreflightOwnerAction(owner, cooling, policy::ImageAction::kDeregister).allowed());
  EXPECT_THAT(cloud->DeregisterImage(as_owner, cooling.ToString()), IsOk());
  EXPECT_EQ(cloud->GetImage(cooling)->state(), ImageState::kDeregistered);
}

TEST_F(DeregisterImage, DEREG_6_ProtectedImageIsOperationNotPermitted) {
  const ImageId on = SeedImage(owner, {.protection = DeregistrationProtection::kEnabled});
  const ImageId with_cooldown =
      SeedImage(owner, {.protection = DeregistrationProtection::kEnabledWithCooldown});
  const ImageId cooling = SeedImage(owner, {.cooldown_until = cloud->Now() + absl::Hours(24)});
  EXPECT_THAT(Rules(PreflightOwnerAction(owner, on, policy::ImageAction::kDeregister)),
              ElementsAre("DEREG-6"));
  EXPECT_THAT(Rules(PreflightOwnerAction(owner, cooling, policy::ImageAction::kDeregister)),
              ElementsAre("DEREG-6"));
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->DeregisterImage(as_owner, on.ToString(), true),
              HasErrorCode(ErrorCode::kOperationNotPermitted));
  EXPECT_THAT(cloud->DeregisterImage(as_owner, with_cooldown.ToString()),
              HasErrorCode(ErrorCode::kOperationNotPermitted));
  EXPECT_THAT(cloud->DeregisterImage(as_owner, cooling.ToString()),
              HasErrorCode(ErrorCode::kOperationNotPermitted));
  EXPECT_TRUE(cloud->StateEquals(*before));
  cloud->AdvanceClock(absl::Hours(23));
  auto still = cloud->Fork();
  EXPECT_THAT(cloud->DeregisterImage(as_owner, cooling.ToString()),
              HasErrorCode(ErrorCode::kOperationNotPermitted));
  EXPECT_TRUE(cloud->StateEquals(*still));
}

// ---- DESC-11: DescribeImageAttribute ------------------------------------------------------------

TEST_F(DescribeImageAttribute, DESC_11_OwnerReadsAttributes) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {User(b), Org(OrgArn())}), IsOk());
  const auto lp = cloud->DescribeImageAttribute(as_owner, id.ToString(), "launchPermission");
  ASSERT_THAT(lp, IsOk());
  ASSERT_TRUE(lp->launch_permissions.has_value());
  EXPECT_EQ(*lp->launch_permissions, Perms(id));
  EXPECT_THAT(Texts(lp->launch_permissions->accounts()), ElementsAre(b.ToString()));
  const auto description = cloud->DescribeImageAttribute(as_owner, id.ToString(), "description");
  ASSERT_THAT(description, IsOk());
  EXPECT_EQ(description->description.value_or("-"), "seeded");
  const auto imds = cloud->DescribeImageAttribute(as_owner, id.ToString(), "imdsSupport");
  ASSERT_THAT(imds, IsOk());
  EXPECT_EQ(imds->imds_support.value_or("-"), "");
}

TEST_F(DescribeImageAttribute, DESC_11_NonOwnerEvenRecipientIsAuthFailure) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  EXPECT_THAT(Rules(PreflightOwnerAction(b, id, policy::ImageAction::kDescribeAttribute)),
              ElementsAre("DESC-11"));
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->DescribeImageAttribute(as_b, id.ToString(), "launchPermission"),
              HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_THAT(cloud->DescribeImageAttribute(as_b, id.ToString(), "description"),
              HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_THAT(cloud->DescribeImageAttribute(as_c, id.ToString(), "imdsSupport"),
              HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_THAT(cloud->DescribeImageAttribute(as_owner, id.ToString(), "colour"),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

// ---- CREATE-18: imdsSupport ---------------------------------------------------------------------

TEST_F(ModifyImageAttribute, CREATE_18_ImdsV2RequiredForLaunchedInstances) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  ASSERT_THAT(SetImds(as_owner, id, "v2.0"), IsOk());
  EXPECT_TRUE(cloud->GetImage(id)->imds_v2_required());
  const auto imds = cloud->DescribeImageAttribute(as_owner, id.ToString(), "imdsSupport");
  ASSERT_THAT(imds, IsOk());
  EXPECT_EQ(imds->imds_support.value_or("-"), "v2.0");
  for (const CallContext& ctx : {as_owner, as_b}) {
    const auto launched = Launch(ctx, id);
    ASSERT_THAT(launched, IsOk());
    EXPECT_TRUE(cloud->GetInstance(launched->front())->imds_v2_required());
  }
}

TEST_F(ModifyImageAttribute, CREATE_18_OtherImdsValueIsInvalidParameterValue) {
  const ImageId id = SeedImage(owner);
  auto before = cloud->Fork();
  for (const char* value : {"v1.0", "required", "V2.0", ""}) {
    EXPECT_THAT(SetImds(as_owner, id, value), HasErrorCode(ErrorCode::kInvalidParameterValue))
        << value;
  }
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_FALSE(cloud->GetImage(id)->imds_v2_required());
  const auto launched = Launch(as_owner, id);
  ASSERT_THAT(launched, IsOk());
  EXPECT_FALSE(cloud->GetInstance(launched->front())->imds_v2_required());
}

TEST(ImageBlockPublicAccess, SHARE_19_DefaultsOnForNewAccountsOffForAccountsWithPublicImages) {
  auto cloud = Cloud::Create();
  const Region east = *Region::Parse("us-east-1");
  const AccountId fresh = *AccountId::Parse("121212121212");
  const AccountId publisher = *AccountId::Parse("343434343434");
  EXPECT_TRUE(cloud->GetSettings(fresh, east).image_block_public_access);
  const Snapshot snap = *Snapshot::Builder()
                             .set_id(*SnapshotId::Parse("snap-0abcabcabcabcabc1"))
                             .set_owner(publisher)
                             .set_region(east)
                             .Build();
  ASSERT_THAT(cloud->ImportSnapshot(snap), IsOk());
  const Image image = *Image::Builder()
                           .set_id(*ImageId::Parse("ami-0abcabcabcabcabc1"))
                           .set_name("published")
                           .set_owner(publisher)
                           .set_region(east)
                           .add_snapshot_mapping("/dev/xvda", snap)
                           .set_launch_permissions(*LaunchPermissions::Create({}, true, {}, {}))
                           .Build();
  ASSERT_THAT(cloud->ImportImage(image), IsOk());
  EXPECT_FALSE(cloud->GetSettings(publisher, east).image_block_public_access);
  EXPECT_TRUE(cloud->GetSettings(publisher, *Region::Parse("eu-west-1")).image_block_public_access);
}

}  // namespace
}  // namespace ami
