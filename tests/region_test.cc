#include "ami/ids.h"

#include <set>
#include <string>

#include "absl/hash/hash_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::ami::testing::MessageHas;

class RegionValid : public ::testing::TestWithParam<std::string> {};

TEST_P(RegionValid, ID_8_ParsesAndPrintsBack) {
  absl::StatusOr<Region> r = Region::Parse(GetParam());
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->code(), GetParam());
  EXPECT_FALSE(r->zones().empty());
  EXPECT_FALSE(r->zone_ids().empty());
}

INSTANTIATE_TEST_SUITE_P(Commercial, RegionValid,
                         ::testing::Values("us-east-1", "us-east-2", "us-west-1", "us-west-2",
                                           "eu-west-1", "eu-central-1", "ap-southeast-2",
                                           "ap-northeast-1", "sa-east-1", "ca-central-1",
                                           "me-central-1", "il-central-1", "af-south-1"));

TEST(Region, ID_8_MalformedCodeIsInvalidRegion) {
  for (const char* bad : {"", "us_east_1", "US-EAST-1", "useast1", "us-east", "us-east-1a",
                          "1-2-3", "us--1", "a-b-c-d-1", "us-east-1 "}) {
    EXPECT_THAT(Region::Parse(bad), HasErrorCode(ErrorCode::kInvalidRegion)) << bad;
  }
}

TEST(Region, ID_8_WellFormedButUnknownIsInvalidRegion) {
  EXPECT_THAT(Region::Parse("xx-nowhere-9"), HasErrorCode(ErrorCode::kInvalidRegion));
  EXPECT_THAT(Region::Parse("xx-nowhere-9"), MessageHas("unknown region"));
  EXPECT_THAT(Region::Parse("us_east_1"), MessageHas("for example us-west-2"));
}

TEST(Region, ID_8_GovCloudAndChinaAreNotCommercial) {
  EXPECT_THAT(Region::Parse("us-gov-west-1"), HasErrorCode(ErrorCode::kInvalidRegion));
  EXPECT_THAT(Region::Parse("cn-north-1"), HasErrorCode(ErrorCode::kInvalidRegion));
}

TEST(Region, CatalogueIsConsistent) {
  std::set<std::string> codes;
  for (const Region r : Region::All()) {
    EXPECT_TRUE(codes.insert(std::string(r.code())).second) << r.code();
    EXPECT_EQ(*Region::Parse(r.code()), r);
    for (const AvailabilityZone z : r.zones()) {
      EXPECT_EQ(z.region(), r);
      EXPECT_EQ(*AvailabilityZone::Parse(z.ToString()), z);
    }
    for (const AvailabilityZoneId z : r.zone_ids()) {
      EXPECT_EQ(z.region(), r);
      EXPECT_EQ(*AvailabilityZoneId::Parse(z.ToString()), z);
    }
  }
  EXPECT_GE(codes.size(), 30u);
}

TEST(Region, FirstIsTheCatalogueFirst) {
  EXPECT_EQ(Region::First(), Region::All().front());
  EXPECT_EQ(Region::First().code(), "us-east-1");
}

TEST(Region, UsEast1HasSixZones) {
  const Region r = *Region::Parse("us-east-1");
  EXPECT_EQ(r.zones().size(), 6u);
  EXPECT_EQ(r.zones().front().ToString(), "us-east-1a");
  EXPECT_EQ(r.zones().back().ToString(), "us-east-1f");
  EXPECT_EQ(r.zone_ids().front().ToString(), "use1-az1");
}

TEST(AvailabilityZone, ID_9_BelongsToExactlyOneRegion) {
  const AvailabilityZone z = *AvailabilityZone::Parse("eu-west-1b");
  EXPECT_EQ(z.region().code(), "eu-west-1");
  EXPECT_EQ(z.letter(), 'b');
  EXPECT_EQ(z.ToString(), "eu-west-1b");
}

TEST(AvailabilityZone, ID_10_UnknownLetterIsNotFound) {
  EXPECT_THAT(AvailabilityZone::Parse("us-east-2f"), HasErrorCode(ErrorCode::kInvalidZoneNotFound));
}
TEST(AvailabilityZone, ID_10_UnknownRegionIsNotFound) {
  EXPECT_THAT(AvailabilityZone::Parse("xx-nowhere-9a"), HasErrorCode(ErrorCode::kInvalidZoneNotFound));
}
TEST(AvailabilityZone, ID_10_RegionCodeAloneIsNotAZone) {
  EXPECT_THAT(AvailabilityZone::Parse("us-east-1"), HasErrorCode(ErrorCode::kInvalidZoneNotFound));
  EXPECT_THAT(AvailabilityZone::Parse(""), HasErrorCode(ErrorCode::kInvalidZoneNotFound));
  EXPECT_THAT(AvailabilityZone::Parse("a"), HasErrorCode(ErrorCode::kInvalidZoneNotFound));
}
TEST(AvailabilityZone, ID_10_LocalZoneIsNotModelled) {
  EXPECT_THAT(AvailabilityZone::Parse("us-west-2-lax-1a"), HasErrorCode(ErrorCode::kInvalidZoneNotFound));
}

TEST(AvailabilityZoneId, ID_9_ParsesAndNamesItsRegion) {
  const AvailabilityZoneId z = *AvailabilityZoneId::Parse("apne1-az4");
  EXPECT_EQ(z.region().code(), "ap-northeast-1");
  EXPECT_EQ(z.number(), 4);
  EXPECT_EQ(z.ToString(), "apne1-az4");
}
TEST(AvailabilityZoneId, ID_10_RetiredOrUnknownIdIsNotFound) {
  EXPECT_THAT(AvailabilityZoneId::Parse("apne1-az3"), HasErrorCode(ErrorCode::kInvalidZoneNotFound));
  EXPECT_THAT(AvailabilityZoneId::Parse("zzz9-az1"), HasErrorCode(ErrorCode::kInvalidZoneNotFound));
  EXPECT_THAT(AvailabilityZoneId::Parse("use1-az"), HasErrorCode(ErrorCode::kInvalidZoneNotFound));
  EXPECT_THAT(AvailabilityZoneId::Parse("use1-az12"), HasErrorCode(ErrorCode::kInvalidZoneNotFound));
}

TEST(Region, HashesAreCorrect) {
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly(
      {*Region::Parse("us-east-1"), *Region::Parse("eu-west-1"), *Region::Parse("sa-east-1")}));
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly(
      {*AvailabilityZone::Parse("us-east-1a"), *AvailabilityZone::Parse("us-east-1b"),
       *AvailabilityZone::Parse("eu-west-1a")}));
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly(
      {*AvailabilityZoneId::Parse("use1-az1"), *AvailabilityZoneId::Parse("use1-az2"),
       *AvailabilityZoneId::Parse("euw1-az1")}));
}

TEST(Region, OrderedByCode) {
  EXPECT_LT(*Region::Parse("ap-south-1"), *Region::Parse("us-east-1"));
  EXPECT_LT(*Region::Parse("eu-west-1"), *Region::Parse("eu-west-2"));
}

}  // namespace
}  // namespace ami
