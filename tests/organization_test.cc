#include "ami/arns.h"

#include "absl/hash/hash_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;

constexpr char kOrgArn[] = "arn:aws:organizations::123456789012:organization/o-123example";
constexpr char kOuArn[] =
    "arn:aws:organizations::123456789012:ou/o-123example/ou-1234-5example";

TEST(OrganizationId, ID_16_Valid) {
  for (const char* t : {"o-123example", "o-a1b2c3d4e5", "o-abcdefghij0123456789abcdefghij01"}) {
    absl::StatusOr<OrganizationId> id = OrganizationId::Parse(t);
    ASSERT_THAT(id, IsOk()) << t;
    EXPECT_EQ(id->ToString(), t);
  }
}
TEST(OrganizationId, ID_16_TooShortIsInvalid) {
  EXPECT_THAT(OrganizationId::Parse("o-123456789"), HasErrorCode(ErrorCode::kInvalidParameterValue));
}
TEST(OrganizationId, ID_16_TooLongIsInvalid) {
  EXPECT_THAT(OrganizationId::Parse("o-" + std::string(33, 'a')),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}
TEST(OrganizationId, ID_16_UppercaseIsInvalid) {
  EXPECT_THAT(OrganizationId::Parse("o-123EXAMPLE"), HasErrorCode(ErrorCode::kInvalidParameterValue));
}
TEST(OrganizationId, ID_16_WrongPrefixIsInvalid) {
  EXPECT_THAT(OrganizationId::Parse("ou-123example"), HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(OrganizationalUnitId, ID_16_Valid) {
  absl::StatusOr<OrganizationalUnitId> id = OrganizationalUnitId::Parse("ou-1234-5example");
  ASSERT_THAT(id, IsOk());
  EXPECT_EQ(id->ToString(), "ou-1234-5example");
}
TEST(OrganizationalUnitId, ID_16_MissingSecondPartIsInvalid) {
  EXPECT_THAT(OrganizationalUnitId::Parse("ou-1234"), HasErrorCode(ErrorCode::kInvalidParameterValue));
}
TEST(OrganizationalUnitId, ID_16_ShortPartsAreInvalid) {
  EXPECT_THAT(OrganizationalUnitId::Parse("ou-123-5example"), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(OrganizationalUnitId::Parse("ou-1234-5exampl"), HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(OrganizationArn, ID_16_ParsesManagementAccountAndOrg) {
  absl::StatusOr<OrganizationArn> arn = OrganizationArn::Parse(kOrgArn);
  ASSERT_THAT(arn, IsOk());
  EXPECT_EQ(arn->management_account().ToString(), "123456789012");
  EXPECT_EQ(arn->organization_id().ToString(), "o-123example");
  EXPECT_EQ(arn->ToString(), kOrgArn);
}
TEST(OrganizationArn, SHARE_7_BareOrganizationIdIsNotAnArn) {
  EXPECT_THAT(OrganizationArn::Parse("o-123example"), HasErrorCode(ErrorCode::kInvalidParameterValue));
}
TEST(OrganizationArn, ID_16_OuArnIsNotAnOrganizationArn) {
  EXPECT_THAT(OrganizationArn::Parse(kOuArn), HasErrorCode(ErrorCode::kInvalidParameterValue));
}
TEST(OrganizationArn, ID_16_BadAccountIsInvalid) {
  EXPECT_THAT(OrganizationArn::Parse("arn:aws:organizations::1234:organization/o-123example"),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(OrganizationalUnitArn, ID_16_ParsesItsParts) {
  absl::StatusOr<OrganizationalUnitArn> arn = OrganizationalUnitArn::Parse(kOuArn);
  ASSERT_THAT(arn, IsOk());
  EXPECT_EQ(arn->management_account().ToString(), "123456789012");
  EXPECT_EQ(arn->organization_id().ToString(), "o-123example");
  EXPECT_EQ(arn->ou_id().ToString(), "ou-1234-5example");
  EXPECT_EQ(arn->ToString(), kOuArn);
}
TEST(OrganizationalUnitArn, SHARE_7_BareOuIdIsNotAnArn) {
  EXPECT_THAT(OrganizationalUnitArn::Parse("ou-1234-5example"),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}
TEST(OrganizationalUnitArn, ID_16_MissingOrgPartIsInvalid) {
  EXPECT_THAT(OrganizationalUnitArn::Parse("arn:aws:organizations::123456789012:ou/ou-1234-5example"),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(Organization, HashesAreCorrect) {
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly(
      {*OrganizationId::Parse("o-123example"), *OrganizationId::Parse("o-a1b2c3d4e5")}));
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly(
      {*OrganizationArn::Parse(kOrgArn),
       *OrganizationArn::Parse("arn:aws:organizations::210987654321:organization/o-123example")}));
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly(
      {*OrganizationalUnitArn::Parse(kOuArn),
       *OrganizationalUnitArn::Parse(
           "arn:aws:organizations::123456789012:ou/o-123example/ou-1234-6example")}));
}

}  // namespace
}  // namespace ami
