// DescribeInstanceImageMetadata (GOV-9): the image each of the caller's instances was launched
// from, whether it meets the caller's Allowed AMIs criteria, the filters, and what is refused.
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "ami/ami.h"
#include "ami/cloud.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cloud_fixture.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::ami::testing::Must;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class InstanceImageMetadataTest : public testing::CloudFixture {
 protected:
  InstanceId LaunchOne(const CallContext& ctx, ImageId image) {
    return Must(Launch(ctx, image)).front();
  }
  void SetAllowed(const CallContext& ctx, AllowedImagesState state,
                  std::vector<ImageCriterion> criteria) {
    ASSERT_THAT(cloud->ReplaceImageCriteriaInAllowedImagesSettings(ctx, std::move(criteria)),
                IsOk());
    ASSERT_THAT(cloud->EnableAllowedImagesSettings(ctx, state), IsOk());
  }
  std::vector<InstanceImageMetadata> Describe(const CallContext& ctx,
                                              DescribeInstanceImageMetadataRequest r = {}) {
    return Must(cloud->DescribeInstanceImageMetadata(ctx, r)).instances;
  }
  static std::vector<std::string> Ids(const std::vector<InstanceImageMetadata>& out) {
    std::vector<std::string> ids;
    for (const InstanceImageMetadata& m : out) ids.push_back(m.instance.id().ToString());
    return ids;
  }
};

TEST_F(InstanceImageMetadataTest, GOV_9_ImageOutsideTheCriteriaIsNotAllowedOwnAndMatchingAre) {
  const ImageId from_amazon = SeedImage(amazon, {.alias = OwnerAlias::kAmazon, .is_public = true});
  const ImageId from_c = SeedImage(c, {.is_public = true});
  const ImageId own = SeedImage(b);
  const InstanceId good = LaunchOne(as_b, from_amazon);
  const InstanceId bad = LaunchOne(as_b, from_c);
  const InstanceId mine = LaunchOne(as_b, own);
  SetAllowed(as_b, AllowedImagesState::kEnabled, {ImageCriterion{.image_providers = {"amazon"}}});
  const std::vector<InstanceImageMetadata> out = Describe(as_b);
  ASSERT_THAT(out, SizeIs(3));
  for (const InstanceImageMetadata& m : out) {
    ASSERT_TRUE(m.image.known);
    EXPECT_EQ(m.image.image_id, m.instance.image_id());
    const bool expect = m.instance.id() != bad;
    EXPECT_EQ(m.image.image_allowed, std::optional<bool>(expect)) << m.instance.id().ToString();
  }
  // Existing instances keep running; image-allowed=false finds the one to replace.
  DescribeInstanceImageMetadataRequest r;
  r.filters = {{"image-allowed", {"false"}}};
  EXPECT_THAT(Ids(Describe(as_b, r)), ElementsAre(bad.ToString()));
  r.filters = {{"image-allowed", {"true"}}};
  EXPECT_THAT(Describe(as_b, r), SizeIs(2));
  (void)good;
  (void)mine;
}

TEST_F(InstanceImageMetadataTest, GOV_9_EveryImageIsAllowedWhileTheSettingIsDisabled) {
  const InstanceId i = LaunchOne(as_b, SeedImage(c, {.is_public = true}));
  const std::vector<InstanceImageMetadata> out = Describe(as_b);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_EQ(out[0].instance.id(), i);
  EXPECT_EQ(out[0].image.image_allowed, std::optional<bool>(true));
}

TEST_F(InstanceImageMetadataTest, GOV_9_AuditModeReportsTheImageAsNotAllowed) {
  const InstanceId i = LaunchOne(as_b, SeedImage(c, {.is_public = true}));
  SetAllowed(as_b, AllowedImagesState::kAuditMode, {ImageCriterion{.image_providers = {"amazon"}}});
  const std::vector<InstanceImageMetadata> out = Describe(as_b);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_EQ(out[0].instance.id(), i);
  EXPECT_EQ(out[0].image.image_allowed, std::optional<bool>(false));
}

TEST_F(InstanceImageMetadataTest, GOV_9_DeregisteredAndNoLongerSharedImagesAreStillDescribed) {
  const ImageId image = SeedImage(c, {.is_public = true});
  const InstanceId i = LaunchOne(as_b, image);
  ASSERT_THAT(cloud->DeregisterImage(as_c, image.ToString()), IsOk());
  const std::vector<InstanceImageMetadata> out = Describe(as_b);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_EQ(out[0].instance.id(), i);
  EXPECT_TRUE(out[0].image.known);
  EXPECT_EQ(out[0].image.state, ImageState::kDeregistered);
  EXPECT_EQ(out[0].image.owner, c);
}

TEST_F(InstanceImageMetadataTest, GOV_9_OnlyTheCallersInstancesInTheRegion) {
  const ImageId image = SeedImage(c, {.is_public = true});
  const InstanceId mine = LaunchOne(as_b, image);
  const InstanceId theirs = LaunchOne(as_c, image);
  LaunchOne(as_owner_west, SeedImage(owner, {.region = west}));
  EXPECT_THAT(Ids(Describe(as_b)), ElementsAre(mine.ToString()));
  DescribeInstanceImageMetadataRequest r;
  r.instance_ids = {theirs.ToString()};
  EXPECT_THAT(cloud->DescribeInstanceImageMetadata(as_b, r),
              HasErrorCode(ErrorCode::kInvalidInstanceIDNotFound));
  r.instance_ids = {mine.ToString()};
  EXPECT_THAT(Ids(Describe(as_b, r)), ElementsAre(mine.ToString()));
  r.instance_ids = {"i-nothex"};
  EXPECT_THAT(cloud->DescribeInstanceImageMetadata(as_b, r),
              HasErrorCode(ErrorCode::kInvalidInstanceIDMalformed));
  EXPECT_THAT(Describe(as_owner), IsEmpty());
}

TEST_F(InstanceImageMetadataTest, GOV_9_FiltersAreAndedAndUnknownFiltersRefused) {
  const ImageId image = SeedImage(amazon, {.alias = OwnerAlias::kAmazon, .is_public = true});
  const InstanceId i = LaunchOne(as_b, image);
  cloud->AdvanceClock(absl::Minutes(10));
  DescribeInstanceImageMetadataRequest r;
  r.filters = {{"instance-state-name", {"running"}}, {"owner-alias", {"amazon"}}};
  EXPECT_THAT(Ids(Describe(as_b, r)), ElementsAre(i.ToString()));
  r.filters = {{"instance-state-name", {"stopped"}}, {"owner-alias", {"amazon"}}};
  EXPECT_THAT(Describe(as_b, r), IsEmpty());
  r.filters = {{"instance-id", {"i-*"}}, {"owner-id", {b.ToString()}}};
  EXPECT_THAT(Describe(as_b, r), SizeIs(1));
  r.filters = {{"zone-id", {"use1-az1"}}};
  EXPECT_THAT(cloud->DescribeInstanceImageMetadata(as_b, r),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST_F(InstanceImageMetadataTest, GOV_9_AnImageTheCloudDoesNotHoldIsNeverShownAllowed) {
  SetAllowed(as_b, AllowedImagesState::kEnabled, {ImageCriterion{.image_providers = {"amazon"}}});
  const Instance imported = Must(Instance::Builder()
                                     .set_id(Must(InstanceId::Parse("i-0123456789abcdef0")))
                                     .set_owner(b)
                                     .set_availability_zone(Must(AvailabilityZone::Parse("us-east-1a")))
                                     .set_image_id(Must(ImageId::Parse("ami-0fedcba9876543210")))
                                     .set_state(InstanceState::kRunning)
                                     .set_instance_type("t3.micro")
                                     .set_root_device_type(RootDeviceType::kEbs)
                                     .set_root_device_name("/dev/xvda")
                                     .Build());
  ASSERT_THAT(cloud->ImportInstance(imported), IsOk());
  const std::vector<InstanceImageMetadata> out = Describe(as_b);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_FALSE(out[0].image.known);
  EXPECT_EQ(out[0].image.image_allowed, std::nullopt);
  DescribeInstanceImageMetadataRequest r;
  r.filters = {{"image-allowed", {"true"}}};
  EXPECT_THAT(Describe(as_b, r), IsEmpty());
  r.filters = {{"image-allowed", {"false"}}};
  EXPECT_THAT(Describe(as_b, r), SizeIs(1));
}

}  // namespace
}  // namespace ami
