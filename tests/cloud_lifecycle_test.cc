// An image's life after creation, rule by rule: deprecation (DEREG-7, SHARE-21, LAUNCH-5),
// disabling (DEREG-8, LAUNCH-6, SNAP-4), deregistration protection (DEREG-6), the Recycle Bin
// (DEREG-9, DEREG-10), block public access (SHARE-18, SHARE-19, SNAP-3) and Allowed AMIs (GOV-7 …
// 9, LAUNCH-8, COPY-16, DESC-9), and a state file holding all of it. Each rule has a test where it
// allows and one where it denies; every rejected call is checked to leave the cloud's state
// unchanged (Fork() before, StateEquals() after).
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "ami/ami.h"
#include "ami/cloud.h"
#include "ami/policy.h"
#include "ami/io/state_file.h"
#include "ami/state_view.h"
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
using ::ami::testing::Org;
using ::ami::testing::Ou;
using ::ami::testing::Rules;
using ::ami::testing::Texts;
using ::ami::testing::User;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

// ---- Helpers ------------------------------------------------------------------------------------

absl::Time Utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone());
}

// The shared cloud and its organization (mgmt, parent_ou ── child_ou ── in_child).
class CloudFixture : public testing::CloudFixture {
 protected:
  void SetUp() override { CreateOrganizationTree(); }

  absl::Status TagResource(const CallContext& ctx, const std::string& id, std::string key,
                   std::string value) {
    return cloud->CreateTags(ctx, {id}, {{std::move(key), std::move(value)}});
  }

  ImageState State(ImageId id) const { return cloud->GetImage(id)->state(); }
  std::optional<absl::Time> Deprecation(ImageId id) const {
    return cloud->GetImage(id)->deprecation_time();
  }

  // Sets the caller's Allowed AMIs criteria, then its state.
  void SetAllowed(const CallContext& ctx, const std::string& state,
                  std::vector<ImageCriterion> criteria) {
    ASSERT_THAT(cloud->ReplaceImageCriteriaInAllowedImagesSettings(ctx, std::move(criteria)),
                IsOk());
    ASSERT_THAT(cloud->EnableAllowedImagesSettings(ctx, state), IsOk());
  }

  absl::StatusOr<std::string> CreateRule(const CallContext& ctx, std::string type, int days,
                                         std::vector<ResourceTag> tags = {},
                                         std::vector<ResourceTag> exclude = {},
                                         std::optional<int> lock_days = std::nullopt) {
    CreateRuleRequest r;
    r.description = "keep";
    r.resource_type = std::move(type);
    r.retention_days = days;
    r.resource_tags = std::move(tags);
    r.exclude_resource_tags = std::move(exclude);
    r.lock_unlock_delay_days = lock_days;
    return cloud->CreateRecycleBinRule(ctx, r);
  }
  std::vector<ImageId> BinImages(const CallContext& ctx) const {
    std::vector<ImageId> out;
    for (const RecycleBinImage& e : cloud->ListImagesInRecycleBin(ctx)) out.push_back(e.image.id());
    return out;
  }
  std::vector<SnapshotId> BinSnapshots(const CallContext& ctx) const {
    std::vector<SnapshotId> out;
    for (const RecycleBinSnapshot& e : cloud->ListSnapshotsInRecycleBin(ctx)) {
      out.push_back(e.snapshot.id());
    }
    return out;
  }
  std::optional<RetentionRule> FindRule(AccountId account, const std::string& id) const {
    for (const RetentionRule& r : cloud->ListRecycleBinRules(account, east)) {
      if (r.id == id) return r;
    }
    return std::nullopt;
  }
};

// One fixture name per API family, so that test names read "Area.RULE_n_What".
class ImageDeprecation : public CloudFixture {};
class DisableImage : public CloudFixture {};
class RunInstances : public CloudFixture {};
class DeleteSnapshot : public CloudFixture {};
class DeregistrationProtectionApi : public CloudFixture {};
class RecycleBin : public CloudFixture {};
class ImageBlockPublicAccess : public CloudFixture {};
class SnapshotBlockPublicAccess : public CloudFixture {};
class AllowedImages : public CloudFixture {};
class CopyImage : public CloudFixture {};
class DescribeImages : public CloudFixture {};
class LifecycleStateFile : public CloudFixture {};

// ---- DEREG-7: deprecation -----------------------------------------------------------------------

TEST_F(ImageDeprecation, DEREG_7_OwnerDeprecatesRoundedToNearestMinute) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(cloud->EnableImageDeprecation(as_owner, id.ToString(),
                                            t0 + absl::Hours(1) + absl::Seconds(29)),
              IsOk());
  EXPECT_EQ(Deprecation(id), t0 + absl::Hours(1));
  ASSERT_THAT(cloud->EnableImageDeprecation(as_owner, id.ToString(),
                                            t0 + absl::Hours(1) + absl::Seconds(30)),
              IsOk());
  EXPECT_EQ(Deprecation(id), t0 + absl::Hours(1) + absl::Minutes(1));
  // Now itself and exactly ten years ahead are accepted.
  ASSERT_THAT(cloud->EnableImageDeprecation(as_owner, id.ToString(), t0), IsOk());
  EXPECT_EQ(Deprecation(id), t0);
  ASSERT_THAT(cloud->EnableImageDeprecation(as_owner, id.ToString(),
                                            Utc(2036, 1, 1) + absl::Seconds(29)),
              IsOk());
  EXPECT_EQ(Deprecation(id), Utc(2036, 1, 1));
  ASSERT_THAT(cloud->DisableImageDeprecation(as_owner, id.ToString()), IsOk());
  EXPECT_FALSE(Deprecation(id).has_value());
}

TEST_F(ImageDeprecation, DEREG_7_PastOrMoreThanTenYearsAheadIsInvalidParameterValue) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(cloud->EnableImageDeprecation(as_owner, id.ToString(), t0 + absl::Hours(24)), IsOk());
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->EnableImageDeprecation(as_owner, id.ToString(), t0 - absl::Minutes(1)),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(cloud->EnableImageDeprecation(as_owner, id.ToString(), Utc(2036, 1, 1, 0, 1)),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(cloud->EnableImageDeprecation(as_owner, id.ToString(), Utc(2040, 6, 1)),
              MessageHas("10 years"));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_EQ(Deprecation(id), t0 + absl::Hours(24));
}

TEST_F(ImageDeprecation, DEREG_7_NonOwnerIsAuthFailure) {
  const ImageId id = SeedImage(owner, {.deprecated = t0 + absl::Hours(24)});
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->EnableImageDeprecation(as_b, id.ToString(), t0 + absl::Hours(48)),
              HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_THAT(cloud->DisableImageDeprecation(as_b, id.ToString()),
              HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_THAT(cloud->DisableImageDeprecation(as_c, id.ToString()),
              HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_EQ(Deprecation(id), t0 + absl::Hours(24));
}

// ---- SHARE-21: public images are deprecated within two years ------------------------------------

TEST_F(ImageDeprecation, SHARE_21_MakingPublicSetsCreationPlusTwoYearsUnlessEarlier) {
  ASSERT_THAT(cloud->DisableImageBlockPublicAccess(as_owner), IsOk());
  const ImageId plain = SeedImage(owner, {.created = t0 - absl::Hours(24 * 30)});
  const ImageId earlier = SeedImage(owner, {.deprecated = t0 + absl::Hours(24 * 90)});
  const ImageId later = SeedImage(owner, {.deprecated = Utc(2031, 1, 1)});
  for (const ImageId id : {plain, earlier, later}) {
    ASSERT_THAT(Share(as_owner, id, {Group()}), IsOk());
  }
  EXPECT_EQ(Deprecation(plain), Utc(2027, 12, 2));  // Created 2025-12-02.
  EXPECT_EQ(Deprecation(earlier), t0 + absl::Hours(24 * 90));
  EXPECT_EQ(Deprecation(later), Utc(2028, 1, 1));
  // Sharing with an account only does not deprecate.
  const ImageId shared = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, shared, {User(b)}), IsOk());
  EXPECT_FALSE(Deprecation(shared).has_value());
}

TEST_F(ImageDeprecation, SHARE_21_PublicImageMovesDeprecationEarlierButNotLater) {
  ASSERT_THAT(cloud->DisableImageBlockPublicAccess(as_owner), IsOk());
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {Group()}), IsOk());
  ASSERT_THAT(cloud->EnableImageDeprecation(as_owner, id.ToString(), Utc(2027, 3, 1)), IsOk());
  EXPECT_EQ(Deprecation(id), Utc(2027, 3, 1));
  ASSERT_THAT(cloud->EnableImageDeprecation(as_owner, id.ToString(), Utc(2028, 1, 1)), IsOk());
  EXPECT_EQ(Deprecation(id), Utc(2028, 1, 1));
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->EnableImageDeprecation(as_owner, id.ToString(), Utc(2028, 1, 1, 0, 1)),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(cloud->EnableImageDeprecation(as_owner, id.ToString(), Utc(2030, 1, 1)),
              MessageHas("SHARE-21"));
  EXPECT_TRUE(cloud->StateEquals(*before));
  // Once private, a later time is accepted again (DEREG-7's ten years).
  ASSERT_THAT(Share(as_owner, id, {}, {Group()}), IsOk());
  ASSERT_THAT(cloud->EnableImageDeprecation(as_owner, id.ToString(), Utc(2030, 1, 1)), IsOk());
  EXPECT_EQ(Deprecation(id), Utc(2030, 1, 1));
}

TEST_F(ImageDeprecation, SHARE_21_CannotCancelDeprecationWhilePublic) {
  ASSERT_THAT(cloud->DisableImageBlockPublicAccess(as_owner), IsOk());
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {Group()}), IsOk());
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->DisableImageDeprecation(as_owner, id.ToString()),
              HasErrorCode(ErrorCode::kOperationNotPermitted));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_EQ(Deprecation(id), Utc(2028, 1, 1));
  ASSERT_THAT(Share(as_owner, id, {}, {Group()}), IsOk());
  ASSERT_THAT(cloud->DisableImageDeprecation(as_owner, id.ToString()), IsOk());
  EXPECT_FALSE(Deprecation(id).has_value());
}

// ---- LAUNCH-5: deprecated images stay launchable ------------------------------------------------

TEST_F(RunInstances, LAUNCH_5_DeprecatedImageStillLaunchableByPermittedAccount) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  ASSERT_THAT(cloud->EnableImageDeprecation(as_owner, id.ToString(), t0 + absl::Minutes(5)),
              IsOk());
  EXPECT_THAT(Rules(PreflightLaunch(b, id)), Not(Contains("LAUNCH-5")));  // Not deprecated yet.
  cloud->AdvanceClock(absl::Minutes(10));
  const Decision d = PreflightLaunch(b, id);
  EXPECT_TRUE(d.allowed());
  EXPECT_THAT(Rules(d), Contains("LAUNCH-5"));
  EXPECT_THAT(Launch(as_b, id), IsOk());
  EXPECT_THAT(Rules(PreflightLaunch(owner, id)), Contains("LAUNCH-5"));
  EXPECT_THAT(Launch(as_owner, id), IsOk());
}

TEST_F(RunInstances, LAUNCH_5_DeprecatedImageWithoutPermissionIsAuthFailure) {
  const ImageId id = SeedImage(owner, {.deprecated = t0});
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  cloud->AdvanceClock(absl::Minutes(1));
  const Decision d = PreflightLaunch(c, id);
  EXPECT_FALSE(d.allowed());
  EXPECT_THAT(Rules(d), ElementsAre("LAUNCH-4"));
  auto before = cloud->Fork();
  EXPECT_THAT(Launch(as_c, id), HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

// ---- DEREG-8: disabling -------------------------------------------------------------------------

TEST_F(DisableImage, DEREG_8_DisableDropsEverySharePublicIncluded) {
  ASSERT_THAT(cloud->DisableImageBlockPublicAccess(as_owner), IsOk());
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {User(b), Group(), Org(OrgArn()), Ou(OuArn(parent_ou))}), IsOk());
  ASSERT_EQ(PublicCount(owner), 1);
  ASSERT_TRUE(MayLaunch(id, in_child).allowed());
  ASSERT_THAT(cloud->DisableImage(as_owner, id.ToString()), IsOk());
  EXPECT_EQ(State(id), ImageState::kDisabled);
  EXPECT_TRUE(Perms(id).empty());
  EXPECT_FALSE(cloud->GetImage(id)->is_public());
  EXPECT_EQ(PublicCount(owner), 0);
  for (const AccountId who : {b, c, in_child, mgmt}) {
    EXPECT_FALSE(MayLaunch(id, who).allowed()) << who.ToString();
  }
  ASSERT_THAT(cloud->EnableImage(as_owner, id.ToString()), IsOk());
  EXPECT_EQ(State(id), ImageState::kAvailable);
  EXPECT_TRUE(Perms(id).empty());  // Shares are not restored.
  for (const AccountId who : {b, c, in_child}) {
    EXPECT_FALSE(MayLaunch(id, who).allowed()) << who.ToString();
  }
  // The owner can share it again.
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  EXPECT_TRUE(MayLaunch(id, b).allowed());
}

TEST_F(DisableImage, DEREG_8_WrongStateIsInvalidAMIIDUnavailable) {
  const ImageId available = SeedImage(owner);
  const ImageId disabled = SeedImage(owner, {.state = ImageState::kDisabled});
  const ImageId pending = SeedImage(owner, {.state = ImageState::kPending});
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->DisableImage(as_owner, disabled.ToString()),
              HasErrorCode(ErrorCode::kInvalidAMIIDUnavailable));
  EXPECT_THAT(cloud->DisableImage(as_owner, pending.ToString()),
              HasErrorCode(ErrorCode::kInvalidAMIIDUnavailable));
  EXPECT_THAT(cloud->EnableImage(as_owner, available.ToString()),
              HasErrorCode(ErrorCode::kInvalidAMIIDUnavailable));
  EXPECT_THAT(cloud->EnableImage(as_owner, pending.ToString()),
              HasErrorCode(ErrorCode::kInvalidAMIIDUnavailable));
  // A disabled image cannot be shared until enabled.
  EXPECT_THAT(Share(as_owner, disabled, {User(b)}),
              HasErrorCode(ErrorCode::kInvalidAMIIDUnavailable));
  EXPECT_TRUE(cloud->StateEquals(*before));
  ASSERT_THAT(cloud->DeregisterImage(as_owner, available.ToString()), IsOk());
  auto after_deregister = cloud->Fork();
  EXPECT_THAT(cloud->DisableImage(as_owner, available.ToString()),
              HasErrorCode(ErrorCode::kInvalidAMIIDUnavailable));
  EXPECT_TRUE(cloud->StateEquals(*after_deregister));
}

TEST_F(DisableImage, DEREG_8_NonOwnerIsAuthFailure) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  const ImageId disabled = SeedImage(owner, {.state = ImageState::kDisabled});
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->DisableImage(as_b, id.ToString()), HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_THAT(cloud->DisableImage(as_c, id.ToString()), HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_THAT(cloud->EnableImage(as_b, disabled.ToString()), HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_EQ(State(id), ImageState::kAvailable);
  EXPECT_THAT(Texts(Perms(id).accounts()), ElementsAre(b.ToString()));
}

// ---- LAUNCH-6: disabled images cannot be launched -----------------------------------------------

TEST_F(RunInstances, LAUNCH_6_DisabledImageCannotBeLaunched) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  ASSERT_THAT(cloud->DisableImage(as_owner, id.ToString()), IsOk());
  EXPECT_THAT(Rules(PreflightLaunch(owner, id)), ElementsAre("LAUNCH-6"));
  EXPECT_THAT(Rules(PreflightLaunch(b, id)), ElementsAre("LAUNCH-4"));
  auto before = cloud->Fork();
  EXPECT_THAT(Launch(as_owner, id), HasErrorCode(ErrorCode::kInvalidAMIIDUnavailable));
  EXPECT_THAT(Launch(as_b, id), HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_THAT(Launch(as_c, id), HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(RunInstances, LAUNCH_6_EnabledImageLaunchesAndRunningInstancesAreUnaffected) {
  const ImageId id = SeedImage(owner);
  const auto first = Launch(as_owner, id);
  ASSERT_THAT(first, IsOk());
  cloud->AdvanceClock(absl::Minutes(2));
  ASSERT_THAT(cloud->DisableImage(as_owner, id.ToString()), IsOk());
  EXPECT_EQ(cloud->GetInstance(first->front())->state(), InstanceState::kRunning);
  ASSERT_THAT(cloud->EnableImage(as_owner, id.ToString()), IsOk());
  EXPECT_TRUE(PreflightLaunch(owner, id).allowed());
  EXPECT_THAT(Launch(as_owner, id), IsOk());
}

// ---- SNAP-4: snapshots of disabled images are in use --------------------------------------------

TEST_F(DeleteSnapshot, SNAP_4_SnapshotOfDisabledImageIsInUse) {
  const ImageId id = SeedImage(owner);
  const SnapshotId snap = RootSnapshot(id);
  ASSERT_THAT(cloud->DisableImage(as_owner, id.ToString()), IsOk());
  const Decision d = cloud->Evaluate(
      [&](const StateView& v) { return policy::EvaluateDeleteSnapshot(v, owner, east, snap); });
  EXPECT_THAT(Rules(d), ElementsAre("SNAP-4"));
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->DeleteSnapshot(as_owner, snap.ToString()),
              HasErrorCode(ErrorCode::kInvalidSnapshotInUse));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_TRUE(cloud->GetSnapshot(snap).has_value());
}

TEST_F(DeleteSnapshot, SNAP_4_SnapshotOfDeregisteredDisabledImageIsDeletable) {
  const ImageId id = SeedImage(owner);
  const SnapshotId snap = RootSnapshot(id);
  ASSERT_THAT(cloud->DisableImage(as_owner, id.ToString()), IsOk());
  ASSERT_THAT(cloud->DeregisterImage(as_owner, id.ToString()), IsOk());
  ASSERT_THAT(cloud->DeleteSnapshot(as_owner, snap.ToString()), IsOk());
  EXPECT_FALSE(cloud->GetSnapshot(snap).has_value());
}

// ---- DEREG-6: deregistration protection ---------------------------------------------------------

TEST_F(DeregistrationProtectionApi, DEREG_6_EnabledProtectionBlocksDeregisterUntilDisabled) {
  const ImageId id = SeedImage(owner);
  const auto enabled = cloud->EnableImageDeregistrationProtection(as_owner, id.ToString());
  ASSERT_THAT(enabled, IsOk());
  EXPECT_EQ(*enabled, "enabled");
  EXPECT_EQ(cloud->GetImage(id)->deregistration_protection(), DeregistrationProtection::kEnabled);
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->DeregisterImage(as_owner, id.ToString()),
              HasErrorCode(ErrorCode::kOperationNotPermitted));
  EXPECT_TRUE(cloud->StateEquals(*before));
  const auto disabled = cloud->DisableImageDeregistrationProtection(as_owner, id.ToString());
  ASSERT_THAT(disabled, IsOk());
  EXPECT_EQ(*disabled, "disabled");
  EXPECT_THAT(cloud->DeregisterImage(as_owner, id.ToString()), IsOk());
  EXPECT_EQ(State(id), ImageState::kDeregistered);
}

TEST_F(DeregistrationProtectionApi, DEREG_6_CooldownKeepsProtectionFor24HoursAfterDisabling) {
  const ImageId id = SeedImage(owner);
  const auto enabled = cloud->EnableImageDeregistrationProtection(as_owner, id.ToString(),
                                                                  /*with_cooldown=*/true);
  ASSERT_THAT(enabled, IsOk());
  EXPECT_EQ(*enabled, "enabled-with-cooldown");
  cloud->AdvanceClock(absl::Hours(1));
  const auto disabled = cloud->DisableImageDeregistrationProtection(as_owner, id.ToString());
  ASSERT_THAT(disabled, IsOk());
  EXPECT_EQ(*disabled, "disabled-until-2026-01-02T01:00:00.000Z");
  cloud->AdvanceClock(absl::Hours(2));
  const auto again = cloud->DisableImageDeregistrationProtection(as_owner, id.ToString());
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(*again, "disabled-until-2026-01-02T01:00:00.000Z");
  cloud->AdvanceClock(absl::Hours(21) + absl::Minutes(59));  // 2026-01-02T00:59.
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->DeregisterImage(as_owner, id.ToString()),
              HasErrorCode(ErrorCode::kOperationNotPermitted));
  EXPECT_TRUE(cloud->StateEquals(*before));
  cloud->AdvanceClock(absl::Minutes(1));
  EXPECT_THAT(cloud->DeregisterImage(as_owner, id.ToString()), IsOk());
  EXPECT_EQ(State(id), ImageState::kDeregistered);
}

TEST_F(DeregistrationProtectionApi, DEREG_6_ProtectionCanBeEnabledAgainDuringCooldown) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(cloud->EnableImageDeregistrationProtection(as_owner, id.ToString(), true), IsOk());
  ASSERT_THAT(cloud->DisableImageDeregistrationProtection(as_owner, id.ToString()), IsOk());
  cloud->AdvanceClock(absl::Hours(1));
  const auto again = cloud->EnableImageDeregistrationProtection(as_owner, id.ToString());
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(*again, "enabled");
  EXPECT_EQ(cloud->GetImage(id)->deregistration_protection(), DeregistrationProtection::kEnabled);
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->DeregisterImage(as_owner, id.ToString()),
              HasErrorCode(ErrorCode::kOperationNotPermitted));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(DeregistrationProtectionApi, DEREG_6_NonOwnerCannotChangeProtection) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->EnableImageDeregistrationProtection(as_b, id.ToString()),
              HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_THAT(cloud->DisableImageDeregistrationProtection(as_b, id.ToString()),
              HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

// ---- DEREG-9: Recycle Bin rules and retention ---------------------------------------------------

TEST_F(RecycleBin, DEREG_9_CreateRuleAcceptsBoundsAndBothResourceTypes) {
  const auto one = CreateRule(as_owner, "EC2_IMAGE", 1);
  const auto year = CreateRule(as_owner, "EBS_SNAPSHOT", 365, {{"keep", ""}});
  const auto locked7 = CreateRule(as_owner, "EC2_IMAGE", 30, {}, {{"skip", "yes"}}, 7);
  const auto locked30 = CreateRule(as_owner, "EC2_IMAGE", 30, {}, {}, 30);
  for (const auto* r : {&one, &year, &locked7, &locked30}) {
    ASSERT_THAT(*r, IsOk());
    EXPECT_EQ((*r)->size(), 11u);
  }
  EXPECT_EQ(cloud->ListRecycleBinRules(owner, east).size(), 4u);
  EXPECT_THAT(cloud->ListRecycleBinRules(b, east), IsEmpty());
  const RetentionRule snapshots = FindRule(owner, *year).value();
  EXPECT_EQ(snapshots.resource_type, RecycleBinResourceType::kSnapshot);
  EXPECT_EQ(snapshots.retention_days, 365);
  EXPECT_EQ(snapshots.lock_state, RuleLockState::kUnlocked);
  const RetentionRule locked = FindRule(owner, *locked7).value();
  EXPECT_EQ(locked.lock_state, RuleLockState::kLocked);
  EXPECT_EQ(locked.unlock_delay_days, 7);
  EXPECT_EQ(FindRule(owner, *locked30)->unlock_delay_days, 30);
}

TEST_F(RecycleBin, DEREG_9_CreateRuleRejectsOutOfRangeOrInconsistentInput) {
  auto before = cloud->Fork();
  EXPECT_THAT(CreateRule(as_owner, "EC2_IMAGE", 0), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(CreateRule(as_owner, "EC2_IMAGE", 366),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(CreateRule(as_owner, "EC2_IMAGE", 7, {}, {}, 6),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(CreateRule(as_owner, "EC2_IMAGE", 7, {}, {}, 31),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(CreateRule(as_owner, "EBS_VOLUME", 7), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(CreateRule(as_owner, "ec2_image", 7), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(CreateRule(as_owner, "", 7), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(CreateRule(as_owner, "EC2_IMAGE", 7, {{"keep", ""}}, {{"skip", ""}}),
              HasErrorCode(ErrorCode::kInvalidParameterCombination));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_THAT(cloud->ListRecycleBinRules(owner, east), IsEmpty());
}

TEST_F(RecycleBin, DEREG_9_TagLevelRuleRetainsOnlyTaggedImages) {
  ASSERT_THAT(CreateRule(as_owner, "EC2_IMAGE", 7, {{"keep", ""}, {"env", "prod"}}), IsOk());
  const ImageId any_keep = SeedImage(owner);
  const ImageId prod = SeedImage(owner);
  const ImageId dev = SeedImage(owner);
  const ImageId untagged = SeedImage(owner);
  ASSERT_THAT(TagResource(as_owner, any_keep.ToString(), "keep", "whatever"), IsOk());
  ASSERT_THAT(TagResource(as_owner, prod.ToString(), "env", "prod"), IsOk());
  ASSERT_THAT(TagResource(as_owner, dev.ToString(), "env", "dev"), IsOk());
  for (const ImageId id : {any_keep, prod, dev, untagged}) {
    ASSERT_THAT(cloud->DeregisterImage(as_owner, id.ToString()), IsOk());
  }
  EXPECT_THAT(BinImages(as_owner), UnorderedElementsAre(any_keep, prod));
}

TEST_F(RecycleBin, DEREG_9_RegionLevelRuleRetainsAllButExcludedImages) {
  ASSERT_THAT(CreateRule(as_owner, "EC2_IMAGE", 7, {}, {{"skip", "true"}}), IsOk());
  const ImageId kept = SeedImage(owner);
  const ImageId skip_false = SeedImage(owner);
  const ImageId excluded = SeedImage(owner);
  const ImageId in_west = SeedImage(owner, {.region = west});
  const ImageId of_b = SeedImage(b);
  ASSERT_THAT(TagResource(as_owner, skip_false.ToString(), "skip", "false"), IsOk());
  ASSERT_THAT(TagResource(as_owner, excluded.ToString(), "skip", "true"), IsOk());
  for (const ImageId id : {kept, skip_false, excluded}) {
    ASSERT_THAT(cloud->DeregisterImage(as_owner, id.ToString()), IsOk());
  }
  ASSERT_THAT(cloud->DeregisterImage(as_owner_west, in_west.ToString()), IsOk());
  ASSERT_THAT(cloud->DeregisterImage(as_b, of_b.ToString()), IsOk());
  EXPECT_THAT(BinImages(as_owner), UnorderedElementsAre(kept, skip_false));
  EXPECT_THAT(BinImages(as_owner_west), IsEmpty());  // Rules are per Region …
  EXPECT_THAT(BinImages(as_b), IsEmpty());           // … and per account.
}

TEST_F(RecycleBin, DEREG_9_DeregisteredImageIsListedWithEnterAndExitTimes) {
  ASSERT_THAT(CreateRule(as_owner, "EC2_IMAGE", 7), IsOk());
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  cloud->AdvanceClock(absl::Hours(1));
  ASSERT_THAT(cloud->DeregisterImage(as_owner, id.ToString()), IsOk());
  EXPECT_EQ(State(id), ImageState::kDeregistered);
  const std::vector<RecycleBinImage> bin = cloud->ListImagesInRecycleBin(as_owner);
  ASSERT_EQ(bin.size(), 1u);
  EXPECT_EQ(bin[0].image.id(), id);
  EXPECT_EQ(bin[0].image.state(), ImageState::kAvailable);  // As it was (DEREG-10).
  EXPECT_THAT(Texts(bin[0].image.launch_permissions().accounts()), ElementsAre(b.ToString()));
  EXPECT_EQ(bin[0].enter_time, t0 + absl::Hours(1));
  EXPECT_EQ(bin[0].exit_time, t0 + absl::Hours(1) + absl::Hours(24 * 7));
  EXPECT_THAT(BinImages(as_b), IsEmpty());
  EXPECT_FALSE(MayLaunch(id, b).allowed());  // Unshared while in the bin.
}

TEST_F(RecycleBin, DEREG_9_ImageWithoutMatchingRuleIsNotRetained) {
  ASSERT_THAT(CreateRule(as_owner, "EBS_SNAPSHOT", 7), IsOk());  // Snapshots only.
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(cloud->DeregisterImage(as_owner, id.ToString()), IsOk());
  EXPECT_THAT(BinImages(as_owner), IsEmpty());
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->RestoreImageFromRecycleBin(as_owner, id.ToString()),
              HasErrorCode(ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(RecycleBin, DEREG_9_LongestRetentionOfMatchingRulesWins) {
  ASSERT_THAT(CreateRule(as_owner, "EC2_IMAGE", 3), IsOk());
  ASSERT_THAT(CreateRule(as_owner, "EC2_IMAGE", 10, {{"keep", ""}}), IsOk());
  ASSERT_THAT(CreateRule(as_owner, "EC2_IMAGE", 30, {{"other", ""}}), IsOk());  // No match.
  ASSERT_THAT(CreateRule(as_owner, "EBS_SNAPSHOT", 60), IsOk());  // Other type.
  const ImageId tagged = SeedImage(owner);
  const ImageId plain = SeedImage(owner);
  ASSERT_THAT(TagResource(as_owner, tagged.ToString(), "keep", "1"), IsOk());
  ASSERT_THAT(cloud->DeregisterImage(as_owner, tagged.ToString()), IsOk());
  ASSERT_THAT(cloud->DeregisterImage(as_owner, plain.ToString()), IsOk());
  std::map<ImageId, absl::Duration> retention;
  for (const RecycleBinImage& e : cloud->ListImagesInRecycleBin(as_owner)) {
    retention[e.image.id()] = e.exit_time - e.enter_time;
  }
  EXPECT_EQ(retention.size(), 2u);
  EXPECT_EQ(retention[tagged], absl::Hours(24 * 10));
  EXPECT_EQ(retention[plain], absl::Hours(24 * 3));
}

TEST_F(RecycleBin, DEREG_9_EntryIsDeletedForGoodWhenRetentionEnds) {
  ASSERT_THAT(CreateRule(as_owner, "EC2_IMAGE", 7), IsOk());
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(cloud->DeregisterImage(as_owner, id.ToString()), IsOk());
  cloud->AdvanceClock(absl::Hours(24 * 7) - absl::Minutes(1));
  EXPECT_THAT(BinImages(as_owner), ElementsAre(id));
  cloud->AdvanceClock(absl::Minutes(1));
  EXPECT_THAT(BinImages(as_owner), IsEmpty());
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->RestoreImageFromRecycleBin(as_owner, id.ToString()),
              HasErrorCode(ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(RecycleBin, DEREG_9_DeletedSnapshotEntersBinWithSnapshotRule) {
  ASSERT_THAT(CreateRule(as_owner, "EBS_SNAPSHOT", 14), IsOk());
  const SnapshotId snap = SeedSnapshot(owner);
  ASSERT_THAT(cloud->DeleteSnapshot(as_owner, snap.ToString()), IsOk());
  EXPECT_FALSE(cloud->GetSnapshot(snap).has_value());
  const std::vector<RecycleBinSnapshot> bin = cloud->ListSnapshotsInRecycleBin(as_owner);
  ASSERT_EQ(bin.size(), 1u);
  EXPECT_EQ(bin[0].snapshot.id(), snap);
  EXPECT_EQ(bin[0].enter_time, t0);
  EXPECT_EQ(bin[0].exit_time, t0 + absl::Hours(24 * 14));
  EXPECT_THAT(BinSnapshots(as_b), IsEmpty());
  ASSERT_THAT(cloud->RestoreSnapshotFromRecycleBin(as_owner, snap.ToString()), IsOk());
  EXPECT_TRUE(cloud->GetSnapshot(snap).has_value());
  EXPECT_THAT(BinSnapshots(as_owner), IsEmpty());
  // Deleted again and left past its retention, it is gone for good.
  ASSERT_THAT(cloud->DeleteSnapshot(as_owner, snap.ToString()), IsOk());
  cloud->AdvanceClock(absl::Hours(24 * 14));
  EXPECT_THAT(BinSnapshots(as_owner), IsEmpty());
  EXPECT_THAT(cloud->RestoreSnapshotFromRecycleBin(as_owner, snap.ToString()),
              HasErrorCode(ErrorCode::kInvalidSnapshotNotFound));
}

TEST_F(RecycleBin, DEREG_9_SnapshotWithoutSnapshotRuleIsDeletedForGood) {
  ASSERT_THAT(CreateRule(as_owner, "EC2_IMAGE", 14), IsOk());  // Images only.
  const SnapshotId snap = SeedSnapshot(owner);
  ASSERT_THAT(cloud->DeleteSnapshot(as_owner, snap.ToString()), IsOk());
  EXPECT_THAT(BinSnapshots(as_owner), IsEmpty());
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->RestoreSnapshotFromRecycleBin(as_owner, snap.ToString()),
              HasErrorCode(ErrorCode::kInvalidSnapshotNotFound));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(RecycleBin, DEREG_9_LockedRuleCannotBeDeletedUntilUnlockDelayPasses) {
  const std::string id = CreateRule(as_owner, "EC2_IMAGE", 7, {}, {}, 7).value();
  auto locked = cloud->Fork();
  EXPECT_THAT(cloud->DeleteRecycleBinRule(as_owner, id),
              HasErrorCode(ErrorCode::kOperationNotPermitted));
  EXPECT_TRUE(cloud->StateEquals(*locked));
  cloud->AdvanceClock(absl::Hours(1));
  ASSERT_THAT(cloud->UnlockRecycleBinRule(as_owner, id), IsOk());
  const RetentionRule pending = FindRule(owner, id).value();
  EXPECT_EQ(pending.lock_state, RuleLockState::kPendingUnlock);
  EXPECT_EQ(pending.unlock_at, t0 + absl::Hours(1) + absl::Hours(24 * 7));
  cloud->AdvanceClock(absl::Hours(24 * 7) - absl::Minutes(1));
  auto still = cloud->Fork();
  EXPECT_THAT(cloud->DeleteRecycleBinRule(as_owner, id),
              HasErrorCode(ErrorCode::kOperationNotPermitted));
  EXPECT_TRUE(cloud->StateEquals(*still));
  cloud->AdvanceClock(absl::Minutes(1));
  EXPECT_EQ(FindRule(owner, id)->lock_state, RuleLockState::kUnlocked);
  ASSERT_THAT(cloud->DeleteRecycleBinRule(as_owner, id), IsOk());
  EXPECT_THAT(cloud->ListRecycleBinRules(owner, east), IsEmpty());
}

TEST_F(RecycleBin, DEREG_9_UnlockedRuleIsDeletedAndCanBeLocked) {
  const std::string plain = CreateRule(as_owner, "EC2_IMAGE", 7).value();
  const std::string to_lock = CreateRule(as_owner, "EC2_IMAGE", 7).value();
  ASSERT_THAT(cloud->LockRecycleBinRule(as_owner, to_lock, 10), IsOk());
  EXPECT_EQ(FindRule(owner, to_lock)->lock_state, RuleLockState::kLocked);
  EXPECT_EQ(FindRule(owner, to_lock)->unlock_delay_days, 10);
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->DeleteRecycleBinRule(as_b, plain),  // Another account's rule.
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(cloud->LockRecycleBinRule(as_owner, plain, 6),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(cloud->UnlockRecycleBinRule(as_owner, plain),  // Not locked.
              HasErrorCode(ErrorCode::kOperationNotPermitted));
  EXPECT_TRUE(cloud->StateEquals(*before));
  ASSERT_THAT(cloud->DeleteRecycleBinRule(as_owner, plain), IsOk());
  EXPECT_FALSE(FindRule(owner, plain).has_value());
}

// A rule whose unlock delay has passed is unlocked; calls that reject it, or are dry runs, must
// still change nothing.
TEST_F(RecycleBin, DEREG_9_RejectedCallsOnRuleWhoseDelayPassedChangeNothing) {
  const std::string id = CreateRule(as_owner, "EC2_IMAGE", 7, {}, {}, 7).value();
  ASSERT_THAT(cloud->UnlockRecycleBinRule(as_owner, id), IsOk());
  cloud->AdvanceClock(absl::Hours(24 * 8));
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->UnlockRecycleBinRule(as_owner, id),
              HasErrorCode(ErrorCode::kOperationNotPermitted));
  EXPECT_THAT(cloud->DeleteRecycleBinRule({owner, east, /*dry_run=*/true}, id),
              HasErrorCode(ErrorCode::kDryRunOperation));
  EXPECT_TRUE(cloud->StateEquals(*before));
  // And locking it again starts from a clean unlocked rule.
  ASSERT_THAT(cloud->LockRecycleBinRule(as_owner, id, 7), IsOk());
  const RetentionRule relocked = FindRule(owner, id).value();
  EXPECT_EQ(relocked.lock_state, RuleLockState::kLocked);
  EXPECT_FALSE(relocked.unlock_at.has_value());
}

// ---- DEREG-10: restoring from the Recycle Bin ---------------------------------------------------

TEST_F(RecycleBin, DEREG_10_RestoreBringsImageBackWithItsShares) {
  ASSERT_THAT(CreateRule(as_owner, "EC2_IMAGE", 7), IsOk());
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {User(b), Ou(OuArn(parent_ou))}), IsOk());
  const LaunchPermissions shared = Perms(id);
  ASSERT_THAT(cloud->DeregisterImage(as_owner, id.ToString()), IsOk());
  EXPECT_FALSE(MayLaunch(id, b).allowed());
  ASSERT_THAT(cloud->RestoreImageFromRecycleBin(as_owner, id.ToString()), IsOk());
  EXPECT_EQ(State(id), ImageState::kAvailable);
  EXPECT_EQ(Perms(id), shared);
  EXPECT_TRUE(MayLaunch(id, b).allowed());
  EXPECT_TRUE(MayLaunch(id, in_child).allowed());
  EXPECT_THAT(Launch(as_b, id), IsOk());
  EXPECT_THAT(BinImages(as_owner), IsEmpty());
}

TEST_F(RecycleBin, DEREG_10_SnapshotsMustBeRestoredFirst) {
  ASSERT_THAT(CreateRule(as_owner, "EC2_IMAGE", 7), IsOk());
  ASSERT_THAT(CreateRule(as_owner, "EBS_SNAPSHOT", 7), IsOk());
  const ImageId id = SeedImage(owner);
  const SnapshotId snap = RootSnapshot(id);
  const auto results = cloud->DeregisterImage(as_owner, id.ToString(), true);
  ASSERT_THAT(results, IsOk());
  ASSERT_EQ(results->size(), 1u);
  EXPECT_EQ((*results)[0].return_code, "success");
  EXPECT_THAT(BinSnapshots(as_owner), ElementsAre(snap));
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->RestoreImageFromRecycleBin(as_owner, id.ToString()),
              HasErrorCode(ErrorCode::kInvalidSnapshotNotFound));
  EXPECT_THAT(cloud->RestoreImageFromRecycleBin(as_owner, id.ToString()),
              MessageHas(snap.ToString()));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_THAT(BinImages(as_owner), ElementsAre(id));
  ASSERT_THAT(cloud->RestoreSnapshotFromRecycleBin(as_owner, snap.ToString()), IsOk());
  ASSERT_THAT(cloud->RestoreImageFromRecycleBin(as_owner, id.ToString()), IsOk());
  EXPECT_EQ(State(id), ImageState::kAvailable);
  EXPECT_THAT(Launch(as_owner, id), IsOk());
}

TEST_F(RecycleBin, DEREG_10_SnapshotDeletedForGoodMakesImageUnrecoverable) {
  ASSERT_THAT(CreateRule(as_owner, "EC2_IMAGE", 7), IsOk());
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(cloud->DeregisterImage(as_owner, id.ToString(), true), IsOk());  // No snapshot rule.
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->RestoreImageFromRecycleBin(as_owner, id.ToString()),
              HasErrorCode(ErrorCode::kInvalidSnapshotNotFound));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(RecycleBin, DEREG_10_NameReusedMeanwhileIsInvalidAMINameDuplicate) {
  ASSERT_THAT(CreateRule(as_owner, "EC2_IMAGE", 7), IsOk());
  const ImageId id = SeedImage(owner, {.name = "golden"});
  ASSERT_THAT(cloud->DeregisterImage(as_owner, id.ToString()), IsOk());
  const ImageId reuse = SeedImage(owner, {.name = "golden"});
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->RestoreImageFromRecycleBin(as_owner, id.ToString()),
              HasErrorCode(ErrorCode::kInvalidAMINameDuplicate));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_THAT(BinImages(as_owner), ElementsAre(id));
  // Once the new image is gone (into the bin too), the old one comes back.
  ASSERT_THAT(cloud->DeregisterImage(as_owner, reuse.ToString()), IsOk());
  ASSERT_THAT(cloud->RestoreImageFromRecycleBin(as_owner, id.ToString()), IsOk());
  EXPECT_EQ(State(id), ImageState::kAvailable);
  EXPECT_THAT(BinImages(as_owner), ElementsAre(reuse));
}

TEST_F(RecycleBin, DEREG_10_OnlyTheOwnerRestores) {
  ASSERT_THAT(CreateRule(as_owner, "EC2_IMAGE", 7), IsOk());
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(cloud->DeregisterImage(as_owner, id.ToString()), IsOk());
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->RestoreImageFromRecycleBin(as_b, id.ToString()),
              HasErrorCode(ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_THAT(cloud->RestoreImageFromRecycleBin(as_owner_west, id.ToString()),
              HasErrorCode(ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

// ---- SHARE-18, SHARE-19: image block public access ----------------------------------------------

TEST_F(ImageBlockPublicAccess, SHARE_18_EnablingTakesEffectAfterTenMinutes) {
  ASSERT_THAT(cloud->DisableImageBlockPublicAccess(as_owner), IsOk());
  EXPECT_EQ(cloud->GetImageBlockPublicAccessState(owner, east), "unblocked");
  const ImageId first = SeedImage(owner);
  const ImageId second = SeedImage(owner);
  ASSERT_THAT(cloud->EnableImageBlockPublicAccess(as_owner), IsOk());
  EXPECT_EQ(cloud->GetImageBlockPublicAccessState(owner, east), "unblocked");
  cloud->AdvanceClock(absl::Minutes(9));
  EXPECT_EQ(cloud->GetImageBlockPublicAccessState(owner, east), "unblocked");
  ASSERT_THAT(Share(as_owner, first, {Group()}), IsOk());  // Still allowed.
  // Enabling again does not restart the ten minutes.
  ASSERT_THAT(cloud->EnableImageBlockPublicAccess(as_owner), IsOk());
  cloud->AdvanceClock(absl::Minutes(1));
  EXPECT_EQ(cloud->GetImageBlockPublicAccessState(owner, east), "block-new-sharing");
  EXPECT_TRUE(cloud->GetImage(first)->is_public());  // Already public stays public.
  EXPECT_TRUE(MayLaunch(first, c).allowed());
  auto before = cloud->Fork();
  EXPECT_THAT(Share(as_owner, second, {Group()}), HasErrorCode(ErrorCode::kOperationNotPermitted));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(ImageBlockPublicAccess, SHARE_18_DisablingTakesEffectAtOnce) {
  const ImageId id = SeedImage(owner);
  EXPECT_EQ(cloud->GetImageBlockPublicAccessState(owner, east), "block-new-sharing");
  ASSERT_THAT(cloud->DisableImageBlockPublicAccess(as_owner), IsOk());
  EXPECT_EQ(cloud->GetImageBlockPublicAccessState(owner, east), "unblocked");
  ASSERT_THAT(Share(as_owner, id, {Group()}), IsOk());
  // Enabling then disabling before the ten minutes pass leaves it unblocked.
  ASSERT_THAT(cloud->EnableImageBlockPublicAccess(as_owner), IsOk());
  ASSERT_THAT(cloud->DisableImageBlockPublicAccess(as_owner), IsOk());
  cloud->AdvanceClock(absl::Minutes(20));
  EXPECT_EQ(cloud->GetImageBlockPublicAccessState(owner, east), "unblocked");
}

TEST_F(ImageBlockPublicAccess, SHARE_19_NewAccountBlocksNewSharing) {
  const ImageId id = SeedImage(b);
  EXPECT_EQ(cloud->GetImageBlockPublicAccessState(b, east), "block-new-sharing");
  EXPECT_EQ(cloud->GetImageBlockPublicAccessState(b, west), "block-new-sharing");
  auto before = cloud->Fork();
  EXPECT_THAT(Share(as_b, id, {Group()}), HasErrorCode(ErrorCode::kOperationNotPermitted));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(ImageBlockPublicAccess, SHARE_19_AccountWithPublicImageStaysUnblocked) {
  const ImageId already_public = SeedImage(c, {.is_public = true});
  EXPECT_EQ(cloud->GetImageBlockPublicAccessState(c, east), "unblocked");
  EXPECT_EQ(cloud->GetImageBlockPublicAccessState(c, west), "block-new-sharing");
  ASSERT_THAT(Share(as_c, already_public, {}, {Group()}), IsOk());
  EXPECT_FALSE(cloud->GetImage(already_public)->is_public());
  EXPECT_EQ(cloud->GetImageBlockPublicAccessState(c, east), "unblocked");  // Stays off.
  const ImageId other = SeedImage(c);
  EXPECT_THAT(Share(as_c, other, {Group()}), IsOk());
}

// The default follows the account's public images, whatever else it changed in its settings.
TEST_F(ImageBlockPublicAccess, SHARE_19_PublicImageTurnsBlockingOffDespiteOtherSettings) {
  ASSERT_THAT(cloud->EnableEbsEncryptionByDefault(as_c), IsOk());
  ASSERT_THAT(cloud->EnableSnapshotBlockPublicAccess(as_c, "block-new-sharing"), IsOk());
  SeedImage(c, {.is_public = true});
  EXPECT_EQ(cloud->GetImageBlockPublicAccessState(c, east), "unblocked");
}

TEST_F(ImageBlockPublicAccess, SHARE_19_ExplicitChoiceSurvivesImportingPublicImage) {
  ASSERT_THAT(cloud->EnableImageBlockPublicAccess(as_c), IsOk());
  SeedImage(c, {.is_public = true});
  EXPECT_EQ(cloud->GetImageBlockPublicAccessState(c, east), "block-new-sharing");
}

// ---- SNAP-3: snapshot block public access -------------------------------------------------------

TEST_F(SnapshotBlockPublicAccess, SNAP_3_GetStateReportsEachSetting) {
  EXPECT_EQ(cloud->GetSnapshotBlockPublicAccessState(owner, east), "unblocked");
  ASSERT_THAT(cloud->EnableSnapshotBlockPublicAccess(as_owner, "block-new-sharing"), IsOk());
  EXPECT_EQ(cloud->GetSnapshotBlockPublicAccessState(owner, east), "block-new-sharing");
  EXPECT_EQ(cloud->GetSnapshotBlockPublicAccessState(owner, west), "unblocked");
  ASSERT_THAT(cloud->EnableSnapshotBlockPublicAccess(as_owner, "block-all-sharing"), IsOk());
  EXPECT_EQ(cloud->GetSnapshotBlockPublicAccessState(owner, east), "block-all-sharing");
  // Separate from image block public access.
  EXPECT_EQ(cloud->GetImageBlockPublicAccessState(owner, east), "block-new-sharing");
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->EnableSnapshotBlockPublicAccess(as_owner, "unblocked"),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(cloud->EnableSnapshotBlockPublicAccess(as_owner, "block-all"),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_TRUE(cloud->StateEquals(*before));
  ASSERT_THAT(cloud->DisableSnapshotBlockPublicAccess(as_owner), IsOk());
  EXPECT_EQ(cloud->GetSnapshotBlockPublicAccessState(owner, east), "unblocked");
}

TEST_F(SnapshotBlockPublicAccess, SNAP_3_BlockAllSharingMakesPublicSnapshotUnreadable) {
  const ImageId id = SeedImage(owner, {.snapshot_public = true});
  const SnapshotId snap = RootSnapshot(id);
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  auto public_ids = [&](const CallContext& ctx) {
    std::vector<SnapshotId> out;
    DescribeSnapshotsRequest r;
    r.restorable_by_user_ids = {"all"};
    const absl::StatusOr<DescribeSnapshotsResult> result = cloud->DescribeSnapshots(ctx, r);
    EXPECT_THAT(result, IsOk());
    if (!result.ok()) return out;
    for (const Snapshot& s : result->snapshots) out.push_back(s.id());
    return out;
  };
  EXPECT_THAT(public_ids(as_b), ElementsAre(snap));
  ASSERT_THAT(cloud->EnableSnapshotBlockPublicAccess(as_owner, "block-all-sharing"), IsOk());
  EXPECT_TRUE(cloud->GetSnapshot(snap)->is_public());  // The attribute still says public.
  EXPECT_THAT(public_ids(as_b), IsEmpty());
  EXPECT_THAT(Rules(PreflightCopy(b, id)), ElementsAre("COPY-6"));
  auto before = cloud->Fork();
  EXPECT_THAT(Copy(as_b, id, "b-copy"), HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(SnapshotBlockPublicAccess, SNAP_3_BlockNewSharingKeepsExistingPublicSnapshots) {
  const ImageId id = SeedImage(owner, {.snapshot_public = true});
  const SnapshotId snap = RootSnapshot(id);
  const SnapshotId other = SeedSnapshot(owner);
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  ASSERT_THAT(cloud->EnableSnapshotBlockPublicAccess(as_owner, "block-new-sharing"), IsOk());
  DescribeSnapshotsRequest r;
  r.restorable_by_user_ids = {"all"};
  const auto seen = cloud->DescribeSnapshots(as_b, r);
  ASSERT_THAT(seen, IsOk());
  ASSERT_EQ(seen->snapshots.size(), 1u);
  EXPECT_EQ(seen->snapshots[0].id(), snap);
  EXPECT_THAT(Copy(as_b, id, "b-copy"), IsOk());
  auto before = cloud->Fork();
  EXPECT_THAT(ShareSnapshot(as_owner, other, "add", {}, {"all"}),
              HasErrorCode(ErrorCode::kOperationNotPermitted));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

// ---- GOV-7: the Allowed AMIs API ----------------------------------------------------------------

TEST_F(AllowedImages, GOV_7_EnableAuditModeDisableAndGet) {
  EXPECT_EQ(cloud->GetAllowedImagesSettings(b, east), AllowedImagesSettings());
  const std::vector<ImageCriterion> criteria = {{.image_providers = {"amazon"}}};
  ASSERT_THAT(cloud->ReplaceImageCriteriaInAllowedImagesSettings(as_b, criteria), IsOk());
  ASSERT_THAT(cloud->EnableAllowedImagesSettings(as_b, "enabled"), IsOk());
  AllowedImagesSettings got = cloud->GetAllowedImagesSettings(b, east);
  EXPECT_EQ(got.state, AllowedImagesState::kEnabled);
  EXPECT_EQ(got.criteria, criteria);
  EXPECT_EQ(cloud->GetAllowedImagesSettings(b, west), AllowedImagesSettings());  // Per Region.
  EXPECT_EQ(cloud->GetAllowedImagesSettings(c, east), AllowedImagesSettings());  // Per account.
  ASSERT_THAT(cloud->EnableAllowedImagesSettings(as_b, "audit-mode"), IsOk());
  got = cloud->GetAllowedImagesSettings(b, east);
  EXPECT_EQ(got.state, AllowedImagesState::kAuditMode);
  EXPECT_EQ(got.criteria, criteria);
  ASSERT_THAT(cloud->DisableAllowedImagesSettings(as_b), IsOk());
  EXPECT_EQ(cloud->GetAllowedImagesSettings(b, east).state, AllowedImagesState::kDisabled);
}

TEST_F(AllowedImages, GOV_7_InvalidStateIsInvalidParameterValue) {
  ASSERT_THAT(cloud->EnableAllowedImagesSettings(as_b, "audit-mode"), IsOk());
  auto before = cloud->Fork();
  for (const char* state : {"disabled", "foo", "", "Enabled"}) {
    EXPECT_THAT(cloud->EnableAllowedImagesSettings(as_b, state),
                HasErrorCode(ErrorCode::kInvalidParameterValue))
        << state;
  }
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_EQ(cloud->GetAllowedImagesSettings(b, east).state, AllowedImagesState::kAuditMode);
}

TEST_F(AllowedImages, GOV_7_ReplaceReplacesTheWholeList) {
  const ImageCriterion first{.image_providers = {"amazon"}};
  const ImageCriterion second{.image_names = {"web-*"}};
  const ImageCriterion third{.maximum_days_since_created = 30};
  ASSERT_THAT(cloud->ReplaceImageCriteriaInAllowedImagesSettings(as_b, {first, second}), IsOk());
  ASSERT_THAT(cloud->EnableAllowedImagesSettings(as_b, "enabled"), IsOk());
  EXPECT_THAT(cloud->GetAllowedImagesSettings(b, east).criteria, ElementsAre(first, second));
  ASSERT_THAT(cloud->ReplaceImageCriteriaInAllowedImagesSettings(as_b, {third}), IsOk());
  EXPECT_THAT(cloud->GetAllowedImagesSettings(b, east).criteria, ElementsAre(third));
  ASSERT_THAT(cloud->ReplaceImageCriteriaInAllowedImagesSettings(as_b, {}), IsOk());
  EXPECT_THAT(cloud->GetAllowedImagesSettings(b, east).criteria, IsEmpty());
  EXPECT_EQ(cloud->GetAllowedImagesSettings(b, east).state, AllowedImagesState::kEnabled);
  // An invalid list replaces nothing.
  ASSERT_THAT(cloud->ReplaceImageCriteriaInAllowedImagesSettings(as_b, {first}), IsOk());
  auto before = cloud->Fork();
  EXPECT_THAT(cloud->ReplaceImageCriteriaInAllowedImagesSettings(as_b, {second, ImageCriterion()}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_THAT(cloud->GetAllowedImagesSettings(b, east).criteria, ElementsAre(first));
}

// ---- GOV-8: criteria ----------------------------------------------------------------------------

TEST_F(AllowedImages, GOV_8_ProvidersMatchAliasesAndAccountIds) {
  const ImageId from_amazon = SeedImage(amazon, {.alias = OwnerAlias::kAmazon, .is_public = true});
  const ImageId from_marketplace = SeedImage(
      marketplace, {.alias = OwnerAlias::kAwsMarketplace, .product_code = kProductCode,
                    .is_public = true});
  const ImageId from_owner = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, from_owner, {User(b)}), IsOk());
  SetAllowed(as_b, "enabled", {{.image_providers = {"amazon"}}});
  EXPECT_THAT(Rules(PreflightAllowed(b, from_amazon)), ElementsAre("GOV-8"));
  EXPECT_TRUE(PreflightAllowed(b, from_amazon).allowed());
  EXPECT_FALSE(PreflightAllowed(b, from_marketplace).allowed());
  EXPECT_FALSE(PreflightAllowed(b, from_owner).allowed());
  SetAllowed(as_b, "enabled", {{.image_providers = {"aws-marketplace", owner.ToString()}}});
  EXPECT_FALSE(PreflightAllowed(b, from_amazon).allowed());
  EXPECT_TRUE(PreflightAllowed(b, from_marketplace).allowed());
  EXPECT_TRUE(PreflightAllowed(b, from_owner).allowed());
  // An account id matches the owner, not an alias.
  SetAllowed(as_b, "enabled", {{.image_providers = {amazon.ToString()}}});
  EXPECT_TRUE(PreflightAllowed(b, from_amazon).allowed());
  EXPECT_FALSE(PreflightAllowed(b, from_owner).allowed());
  // "none": the account's own images only.
  SetAllowed(as_b, "enabled", {{.image_providers = {"none"}}});
  EXPECT_FALSE(PreflightAllowed(b, from_amazon).allowed());
  EXPECT_FALSE(PreflightAllowed(b, from_owner).allowed());
  EXPECT_THAT(Rules(PreflightAllowed(b, from_owner)), ElementsAre("GOV-8"));
}

TEST_F(AllowedImages, GOV_8_NamesMatchExactlyOrWithWildcards) {
  const ImageId web = SeedImage(owner, {.name = "web-server-2025"});
  const ImageId db1 = SeedImage(owner, {.name = "db-1"});
  const ImageId db12 = SeedImage(owner, {.name = "db-12"});
  const ImageId exact = SeedImage(owner, {.name = "golden"});
  ASSERT_THAT(Share(as_owner, web, {User(b)}), IsOk());
  ASSERT_THAT(Share(as_owner, db1, {User(b)}), IsOk());
  ASSERT_THAT(Share(as_owner, db12, {User(b)}), IsOk());
  ASSERT_THAT(Share(as_owner, exact, {User(b)}), IsOk());
  SetAllowed(as_b, "enabled", {{.image_names = {"web-*", "db-?", "golden"}}});
  EXPECT_TRUE(PreflightAllowed(b, web).allowed());
  EXPECT_TRUE(PreflightAllowed(b, db1).allowed());
  EXPECT_FALSE(PreflightAllowed(b, db12).allowed());  // `?` is exactly one character.
  EXPECT_TRUE(PreflightAllowed(b, exact).allowed());
  SetAllowed(as_b, "enabled", {{.image_names = {"gold", "web-server"}}});
  EXPECT_FALSE(PreflightAllowed(b, exact).allowed());
  EXPECT_FALSE(PreflightAllowed(b, web).allowed());
}

TEST_F(AllowedImages, GOV_8_MarketplaceProductCodes) {
  const ImageId with_code = SeedImage(
      marketplace, {.alias = OwnerAlias::kAwsMarketplace, .product_code = kProductCode,
                    .is_public = true});
  const ImageId other_code = SeedImage(
      marketplace, {.alias = OwnerAlias::kAwsMarketplace, .product_code = "zzzz1111",
                    .is_public = true});
  const ImageId no_code = SeedImage(amazon, {.alias = OwnerAlias::kAmazon, .is_public = true});
  SetAllowed(as_b, "enabled", {{.marketplace_product_codes = {kProductCode, "yyyy2222"}}});
  EXPECT_TRUE(PreflightAllowed(b, with_code).allowed());
  EXPECT_FALSE(PreflightAllowed(b, other_code).allowed());
  EXPECT_FALSE(PreflightAllowed(b, no_code).allowed());
}

TEST_F(AllowedImages, GOV_8_MaximumDaysSinceCreated) {
  const ImageId old = SeedImage(owner, {.created = t0 - absl::Hours(24 * 100)});
  const ImageId fresh = SeedImage(owner, {.created = t0 - absl::Hours(24 * 10)});
  ASSERT_THAT(Share(as_owner, old, {User(b)}), IsOk());
  ASSERT_THAT(Share(as_owner, fresh, {User(b)}), IsOk());
  SetAllowed(as_b, "enabled", {{.maximum_days_since_created = 30}});
  EXPECT_FALSE(PreflightAllowed(b, old).allowed());
  EXPECT_TRUE(PreflightAllowed(b, fresh).allowed());
  cloud->AdvanceClock(absl::Hours(24 * 21));  // Now 31 days old.
  EXPECT_FALSE(PreflightAllowed(b, fresh).allowed());
  SetAllowed(as_b, "enabled", {{.maximum_days_since_created = 365}});
  EXPECT_TRUE(PreflightAllowed(b, old).allowed());
}

TEST_F(AllowedImages, GOV_8_MaximumDaysSinceDeprecated) {
  const ImageId long_ago = SeedImage(owner, {.deprecated = t0});
  const ImageId recently = SeedImage(owner, {.deprecated = t0 + absl::Hours(24 * 35)});
  const ImageId future = SeedImage(owner, {.deprecated = t0 + absl::Hours(24 * 400)});
  const ImageId never = SeedImage(owner);
  for (const ImageId id : {long_ago, recently, future, never}) {
    ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  }
  cloud->AdvanceClock(absl::Hours(24 * 40));  // long_ago: 40 days; recently: 5 days.
  SetAllowed(as_b, "enabled", {{.maximum_days_since_deprecated = 30}});
  EXPECT_FALSE(PreflightAllowed(b, long_ago).allowed());
  EXPECT_TRUE(PreflightAllowed(b, recently).allowed());
  EXPECT_TRUE(PreflightAllowed(b, future).allowed());
  EXPECT_TRUE(PreflightAllowed(b, never).allowed());
  SetAllowed(as_b, "enabled", {{.maximum_days_since_deprecated = 0}});  // No deprecated image.
  EXPECT_FALSE(PreflightAllowed(b, long_ago).allowed());
  EXPECT_FALSE(PreflightAllowed(b, recently).allowed());
  EXPECT_TRUE(PreflightAllowed(b, future).allowed());
  EXPECT_TRUE(PreflightAllowed(b, never).allowed());
}

TEST_F(AllowedImages, GOV_8_ParametersAreAndedAndCriteriaOred) {
  const ImageId al = SeedImage(amazon, {.name = "al2023-ami", .alias = OwnerAlias::kAmazon,
                                        .is_public = true});
  const ImageId windows = SeedImage(amazon, {.name = "windows-2022", .alias = OwnerAlias::kAmazon,
                                             .is_public = true});
  const ImageId mine_al = SeedImage(owner, {.name = "al2023-custom"});
  const ImageId web = SeedImage(owner, {.name = "web-1"});
  ASSERT_THAT(Share(as_owner, mine_al, {User(b)}), IsOk());
  ASSERT_THAT(Share(as_owner, web, {User(b)}), IsOk());
  SetAllowed(as_b, "enabled", {{.image_providers = {"amazon"}, .image_names = {"al2023-*"}}});
  EXPECT_TRUE(PreflightAllowed(b, al).allowed());
  EXPECT_FALSE(PreflightAllowed(b, windows).allowed());  // Provider matches, name does not.
  EXPECT_FALSE(PreflightAllowed(b, mine_al).allowed());  // Name matches, provider does not.
  EXPECT_FALSE(PreflightAllowed(b, web).allowed());
  SetAllowed(as_b, "enabled",
             {{.image_providers = {"amazon"}, .image_names = {"al2023-*"}},
              {.image_names = {"web-*"}}});
  EXPECT_TRUE(PreflightAllowed(b, al).allowed());
  EXPECT_TRUE(PreflightAllowed(b, web).allowed());
  EXPECT_FALSE(PreflightAllowed(b, windows).allowed());
  EXPECT_FALSE(PreflightAllowed(b, mine_al).allowed());
  EXPECT_THAT(PreflightAllowed(b, web).reasons().front().Message(),
              ::testing::HasSubstr("criterion 2"));
}

TEST_F(AllowedImages, GOV_8_ValidateImageCriteriaAcceptsTheBounds) {
  std::vector<ImageCriterion> ten(kMaxImageCriteria, ImageCriterion{.image_providers = {"amazon"}});
  EXPECT_THAT(ValidateImageCriteria(ten), IsOk());
  ImageCriterion wide;
  for (int i = 0; i < 199; ++i) {
    wide.image_providers.push_back(AccountId::FromNumber(100000000000 + i).ToString());
  }
  wide.image_providers.push_back("aws-backup-vault");
  for (int i = 0; i < 50; ++i) wide.image_names.push_back(absl::StrCat("name-", i, "-*"));
  wide.image_names.back() = "a?b";  // Three characters with `?`.
  wide.marketplace_product_codes = {kProductCode, "x"};
  wide.maximum_days_since_created = 0;
  wide.maximum_days_since_deprecated = 0;
  EXPECT_THAT(ValidateImageCriteria({wide}), IsOk());
  EXPECT_THAT(ValidateImageCriteria({{.image_providers = {"none"}}}), IsOk());
  EXPECT_THAT(ValidateImageCriteria({}), IsOk());
  EXPECT_THAT(cloud->ReplaceImageCriteriaInAllowedImagesSettings(as_b, {wide}), IsOk());
}

TEST_F(AllowedImages, GOV_8_ValidateImageCriteriaRejectsOutOfBounds) {
  const std::vector<ImageCriterion> eleven(kMaxImageCriteria + 1,
                                           ImageCriterion{.image_providers = {"amazon"}});
  ImageCriterion providers;
  for (int i = 0; i < 201; ++i) {
    providers.image_providers.push_back(AccountId::FromNumber(100000000000 + i).ToString());
  }
  ImageCriterion names;
  for (int i = 0; i < 51; ++i) names.image_names.push_back(absl::StrCat("name-", i));
  ImageCriterion codes;
  for (int i = 0; i < 51; ++i) codes.marketplace_product_codes.push_back(absl::StrCat("code", i));
  const std::vector<std::vector<ImageCriterion>> bad = {
      eleven,
      {providers},
      {names},
      {codes},
      {{.image_providers = {"amazonn"}}},
      {{.image_providers = {"12345678901"}}},
      {{.image_providers = {"none", "amazon"}}},
      {{.image_names = {""}}},
      {{.image_names = {"a?"}}},
      {{.image_names = {std::string(129, 'a')}}},
      {{.marketplace_product_codes = {"bad-code"}}},
      {{.marketplace_product_codes = {std::string(26, 'a')}}},
      {{.maximum_days_since_created = -1}},
      {ImageCriterion()},
      {{.image_providers = {"amazon"}}, ImageCriterion()},
  };
  auto before = cloud->Fork();
  for (size_t i = 0; i < bad.size(); ++i) {
    EXPECT_THAT(ValidateImageCriteria(bad[i]), HasErrorCode(ErrorCode::kInvalidParameterValue))
        << "case " << i;
    EXPECT_THAT(cloud->ReplaceImageCriteriaInAllowedImagesSettings(as_b, bad[i]),
                HasErrorCode(ErrorCode::kInvalidParameterValue))
        << "case " << i;
  }
  EXPECT_TRUE(cloud->StateEquals(*before));
}

// ---- GOV-9: own images are always allowed -------------------------------------------------------

TEST_F(AllowedImages, GOV_9_OwnImagesAreAllowedEvenWithoutCriteria) {
  const ImageId own = SeedImage(b);
  ASSERT_THAT(cloud->EnableAllowedImagesSettings(as_b, "enabled"), IsOk());
  ASSERT_THAT(cloud->GetAllowedImagesSettings(b, east).criteria, IsEmpty());
  const Decision d = PreflightAllowed(b, own);
  EXPECT_TRUE(d.allowed());
  EXPECT_THAT(Rules(d), ElementsAre("GOV-9"));
  EXPECT_THAT(Launch(as_b, own), IsOk());
  EXPECT_THAT(Copy(as_b, own, "own-copy"), IsOk());
  // Criteria that do not match the account's own image do not restrict it either.
  SetAllowed(as_b, "enabled", {{.image_providers = {"amazon"}}});
  EXPECT_THAT(Rules(PreflightAllowed(b, own)), ElementsAre("GOV-9"));
  EXPECT_THAT(Launch(as_b, own), IsOk());
}

TEST_F(AllowedImages, GOV_9_OtherAccountsImagesNeedACriterion) {
  const ImageId shared = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, shared, {User(b)}), IsOk());
  ASSERT_THAT(cloud->EnableAllowedImagesSettings(as_b, "enabled"), IsOk());
  const Decision d = PreflightAllowed(b, shared);
  EXPECT_FALSE(d.allowed());
  EXPECT_THAT(Rules(d), ElementsAre("GOV-8"));
  // The owner's own setting does not restrict what other accounts do.
  EXPECT_TRUE(PreflightAllowed(owner, shared).allowed());
  auto before = cloud->Fork();
  EXPECT_THAT(Launch(as_b, shared), HasErrorCode(ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

// ---- LAUNCH-8: launches need allowed images -----------------------------------------------------

TEST_F(RunInstances, LAUNCH_8_NonAllowedImageIsInvalidAMIIDNotFound) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  SetAllowed(as_b, "enabled", {{.image_providers = {"amazon"}}});
  const Decision d = PreflightLaunch(b, id);
  EXPECT_FALSE(d.allowed());
  EXPECT_THAT(Rules(d), Contains("LAUNCH-8"));
  auto before = cloud->Fork();
  EXPECT_THAT(Launch(as_b, id), HasErrorCode(ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_THAT(cloud->ListInstances(), IsEmpty());
}

TEST_F(RunInstances, LAUNCH_8_AllowedImageLaunches) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  SetAllowed(as_b, "enabled", {{.image_providers = {"amazon"}}, {.image_providers = {owner.ToString()}}});
  EXPECT_TRUE(PreflightLaunch(b, id).allowed());
  EXPECT_THAT(Launch(as_b, id), IsOk());
  // Disabling the setting lifts every restriction.
  SetAllowed(as_b, "enabled", {{.image_providers = {"amazon"}}});
  ASSERT_THAT(cloud->DisableAllowedImagesSettings(as_b), IsOk());
  EXPECT_THAT(Launch(as_b, id), IsOk());
}

TEST_F(RunInstances, LAUNCH_8_AuditModeDoesNotBlock) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  SetAllowed(as_b, "audit-mode", {{.image_providers = {"amazon"}}});
  const Decision allowed = PreflightAllowed(b, id);
  EXPECT_TRUE(allowed.allowed());
  EXPECT_THAT(Rules(allowed), ElementsAre("GOV-7"));
  EXPECT_TRUE(PreflightLaunch(b, id).allowed());
  EXPECT_THAT(Launch(as_b, id), IsOk());
}

// ---- COPY-16: copies need allowed images --------------------------------------------------------

TEST_F(CopyImage, COPY_16_NonAllowedSharedImageIsInvalidAMIIDNotFound) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  ASSERT_THAT(ShareSnapshot(as_owner, RootSnapshot(id), "add", {b.ToString()}), IsOk());
  ASSERT_TRUE(PreflightCopy(b, id).allowed());
  SetAllowed(as_b, "enabled", {{.image_names = {"al2023-*"}}});
  const Decision d = PreflightCopy(b, id);
  EXPECT_FALSE(d.allowed());
  EXPECT_THAT(Rules(d), Contains("COPY-16"));
  auto before = cloud->Fork();
  EXPECT_THAT(Copy(as_b, id, "b-copy"), HasErrorCode(ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

TEST_F(CopyImage, COPY_16_AllowedSharedImageCopies) {
  const ImageId id = SeedImage(owner, {.name = "al2023-base"});
  ASSERT_THAT(Share(as_owner, id, {User(b)}), IsOk());
  // A copy also needs the snapshots shared (COPY-6).
  ASSERT_THAT(ShareSnapshot(as_owner, RootSnapshot(id), "add", {b.ToString()}), IsOk());
  SetAllowed(as_b, "enabled", {{.image_names = {"al2023-*"}}});
  EXPECT_TRUE(PreflightCopy(b, id).allowed());
  const auto copy = Copy(as_b, id, "b-copy");
  ASSERT_THAT(copy, IsOk());
  EXPECT_EQ(cloud->GetImage(*copy)->owner(), b);
  // Audit mode does not block a copy either.
  const ImageId other = SeedImage(owner, {.name = "other"});
  ASSERT_THAT(Share(as_owner, other, {User(b)}), IsOk());
  ASSERT_THAT(ShareSnapshot(as_owner, RootSnapshot(other), "add", {b.ToString()}), IsOk());
  ASSERT_THAT(cloud->EnableAllowedImagesSettings(as_b, "audit-mode"), IsOk());
  EXPECT_THAT(Copy(as_b, other, "b-copy-2"), IsOk());
}

// ---- DESC-9: DescribeImages and Allowed AMIs ----------------------------------------------------

class DescribeImagesAllowed : public DescribeImages {
 protected:
  void SetUp() override {
    DescribeImages::SetUp();
    allowed = SeedImage(owner, {.name = "web-1"});
    other = SeedImage(owner, {.name = "db-1"});
    own = SeedImage(b, {.name = "mine"});
    ASSERT_THAT(Share(as_owner, allowed, {User(b)}), IsOk());
    ASSERT_THAT(Share(as_owner, other, {User(b)}), IsOk());
    ASSERT_THAT(cloud->ReplaceImageCriteriaInAllowedImagesSettings(
                    as_b, {{.image_names = {"web-*"}}}),
                IsOk());
  }

  // Each image id the caller sees, with its ImageAllowed (-1 unset, 0 false, 1 true).
  std::map<ImageId, int> Seen(const DescribeImagesRequest& r = {}) {
    std::map<ImageId, int> out;
    const auto result = cloud->DescribeImages(as_b, r);
    EXPECT_THAT(result, IsOk());
    if (!result.ok()) return out;
    for (const DescribedImage& d : result->images) {
      out[d.image.id()] = d.image_allowed.has_value() ? *d.image_allowed : -1;
    }
    return out;
  }

  ImageId allowed = ImageId::Short(0);
  ImageId other = ImageId::Short(0);
  ImageId own = ImageId::Short(0);
};

TEST_F(DescribeImagesAllowed, DESC_9_EnabledOmitsNonAllowedImages) {
  ASSERT_THAT(cloud->EnableAllowedImagesSettings(as_b, "enabled"), IsOk());
  EXPECT_EQ(Seen(), (std::map<ImageId, int>{{allowed, 1}, {own, 1}}));
  EXPECT_EQ(Seen({.image_ids = {allowed.ToString()}}), (std::map<ImageId, int>{{allowed, 1}}));
  EXPECT_THAT(cloud->DescribeImages(as_b, {.image_ids = {other.ToString()}}),
              HasErrorCode(ErrorCode::kInvalidAMIIDNotFound));
  // The owner's own view is untouched by b's setting.
  const auto for_owner = cloud->DescribeImages(as_owner, {});
  ASSERT_THAT(for_owner, IsOk());
  EXPECT_EQ(for_owner->images.size(), 2u);
}

TEST_F(DescribeImagesAllowed, DESC_9_AuditModeReturnsAllWithImageAllowed) {
  ASSERT_THAT(cloud->EnableAllowedImagesSettings(as_b, "audit-mode"), IsOk());
  EXPECT_EQ(Seen(), (std::map<ImageId, int>{{allowed, 1}, {other, 0}, {own, 1}}));
  EXPECT_EQ(Seen({.image_ids = {other.ToString()}}), (std::map<ImageId, int>{{other, 0}}));
  EXPECT_EQ(Seen({.filters = {{"image-allowed", {"false"}}}}), (std::map<ImageId, int>{{other, 0}}));
}

TEST_F(DescribeImagesAllowed, DESC_9_DisabledLeavesImageAllowedUnset) {
  EXPECT_EQ(Seen(), (std::map<ImageId, int>{{allowed, -1}, {other, -1}, {own, -1}}));
  ASSERT_THAT(cloud->EnableAllowedImagesSettings(as_b, "enabled"), IsOk());
  ASSERT_THAT(cloud->DisableAllowedImagesSettings(as_b), IsOk());
  EXPECT_EQ(Seen(), (std::map<ImageId, int>{{allowed, -1}, {other, -1}, {own, -1}}));
}

// ---- State files hold the whole lifecycle -------------------------------------------------------

TEST_F(LifecycleStateFile, DEREG_9_GOV_7_LifecycleStateRoundTrips) {
  // Allowed AMIs settings: enabled with criteria, audit mode, and criteria kept while disabled.
  SetAllowed(as_b, "enabled",
             {{.image_providers = {"amazon", owner.ToString()}, .image_names = {"web-*"}},
              {.marketplace_product_codes = {kProductCode}, .maximum_days_since_created = 30,
               .maximum_days_since_deprecated = 0}});
  SetAllowed(as_c, "audit-mode", {{.image_providers = {"none"}}});
  ASSERT_THAT(cloud->ReplaceImageCriteriaInAllowedImagesSettings(
                  {owner, west}, {{.image_names = {"db-?"}}}),
              IsOk());
  // Recycle Bin rules: one locked, one pending unlock, one with exclusions, one for snapshots.
  ASSERT_THAT(CreateRule(as_owner, "EC2_IMAGE", 30, {}, {}, 10), IsOk());
  const std::string unlocking = CreateRule(as_owner, "EC2_IMAGE", 7, {{"keep", ""}}, {}, 7).value();
  ASSERT_THAT(cloud->UnlockRecycleBinRule(as_owner, unlocking), IsOk());
  ASSERT_THAT(CreateRule(as_owner, "EC2_IMAGE", 14, {}, {{"skip", "yes"}}), IsOk());
  ASSERT_THAT(CreateRule(as_owner, "EBS_SNAPSHOT", 21), IsOk());
  // An image and its snapshot in the bin, and a lone snapshot in the bin.
  const ImageId binned = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, binned, {User(b)}), IsOk());
  ASSERT_THAT(TagResource(as_owner, binned.ToString(), "keep", "yes"), IsOk());
  cloud->AdvanceClock(absl::Hours(1));
  ASSERT_THAT(cloud->DeregisterImage(as_owner, binned.ToString(), true), IsOk());
  ASSERT_THAT(cloud->DeleteSnapshot(as_owner, SeedSnapshot(owner).ToString()), IsOk());
  // A deprecated image, a disabled one, one under cooldown, and a pending block public access.
  const ImageId deprecated = SeedImage(owner);
  ASSERT_THAT(cloud->EnableImageDeprecation(as_owner, deprecated.ToString(),
                                            cloud->Now() + absl::Minutes(1)),
              IsOk());
  const ImageId disabled = SeedImage(owner);
  ASSERT_THAT(cloud->DisableImage(as_owner, disabled.ToString()), IsOk());
  const ImageId cooling = SeedImage(owner);
  ASSERT_THAT(cloud->EnableImageDeregistrationProtection(as_owner, cooling.ToString(), true), IsOk());
  ASSERT_THAT(cloud->DisableImageDeregistrationProtection(as_owner, cooling.ToString()), IsOk());
  cloud->AdvanceClock(absl::Minutes(2));
  ASSERT_THAT(cloud->DisableImageBlockPublicAccess(as_owner), IsOk());
  ASSERT_THAT(cloud->EnableImageBlockPublicAccess(as_owner), IsOk());
  ASSERT_THAT(cloud->EnableSnapshotBlockPublicAccess(as_b, "block-all-sharing"), IsOk());
  ASSERT_EQ(BinImages(as_owner).size(), 1u);
  ASSERT_EQ(BinSnapshots(as_owner).size(), 2u);
  ASSERT_EQ(FindRule(owner, unlocking)->lock_state, RuleLockState::kPendingUnlock);
  ASSERT_EQ(cloud->GetImageBlockPublicAccessState(owner, east), "unblocked");

  std::stringstream out;
  ASSERT_THAT(SaveState(*cloud, out), IsOk());
  const std::string bytes = out.str();
  std::istringstream in(bytes);
  absl::StatusOr<std::unique_ptr<Cloud>> loaded = LoadState(in);
  ASSERT_THAT(loaded, IsOk());
  EXPECT_TRUE((*loaded)->StateEquals(*cloud));
  EXPECT_TRUE(cloud->StateEquals(**loaded));
  std::stringstream again;
  ASSERT_THAT(SaveState(**loaded, again), IsOk());
  EXPECT_EQ(again.str(), bytes);

  // The loaded cloud behaves the same: the pending enable takes effect, the bin expires.
  Cloud& copy = **loaded;
  EXPECT_EQ(copy.GetAllowedImagesSettings(b, east), cloud->GetAllowedImagesSettings(b, east));
  EXPECT_EQ(copy.GetAllowedImagesSettings(owner, west).state, AllowedImagesState::kDisabled);
  EXPECT_THAT(copy.GetAllowedImagesSettings(owner, west).criteria, ::testing::SizeIs(1));
  EXPECT_EQ(copy.GetImage(disabled)->state(), ImageState::kDisabled);
  EXPECT_TRUE(copy.GetImage(deprecated)->deprecation_time().has_value());
  copy.AdvanceClock(absl::Minutes(10));
  EXPECT_EQ(copy.GetImageBlockPublicAccessState(owner, east), "block-new-sharing");
  copy.AdvanceClock(absl::Hours(24 * 30));
  EXPECT_THAT(copy.ListImagesInRecycleBin(as_owner), IsEmpty());
  EXPECT_THAT(copy.ListSnapshotsInRecycleBin(as_owner), IsEmpty());
}

}  // namespace
}  // namespace ami

