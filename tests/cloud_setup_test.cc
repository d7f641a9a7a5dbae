// Setting a cloud up: organizations, OUs and accounts are checked against what the cloud holds
// (a contradiction is refused and changes nothing), and the clock completes due work in order.
#include <memory>
#include <optional>

#include "absl/time/time.h"
#include "ami/cloud.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::ami::testing::MessageHas;

const AccountId kMgmt = AccountId::FromNumber(210987654321);
const AccountId kMember = AccountId::FromNumber(555555555555);
const AccountId kLone = AccountId::FromNumber(777788889999);
const OrganizationId kOrg = OrganizationId::Parse("o-a1b2c3d4e5").value();
const OrganizationId kOther = OrganizationId::Parse("o-f6g7h8i9j0").value();
const OrganizationalUnitId kParent = OrganizationalUnitId::Parse("ou-ab12-11111111").value();
const OrganizationalUnitId kChild = OrganizationalUnitId::Parse("ou-ab12-22222222").value();

class Setup : public ::testing::Test {
 protected:
  std::unique_ptr<Cloud> cloud = Cloud::Create();
};

TEST_F(Setup, OrganizationAndOuPathAreRecorded) {
  ASSERT_THAT(cloud->CreateOrganization(kOrg, kMgmt, "r-ab12"), IsOk());
  ASSERT_THAT(cloud->CreateOrganizationalUnit(kOrg, kParent, std::nullopt), IsOk());
  ASSERT_THAT(cloud->CreateOrganizationalUnit(kOrg, kChild, kParent), IsOk());
  ASSERT_THAT(cloud->AddAccount(kMember, kOrg, kChild), IsOk());
  EXPECT_EQ(cloud->AccountOrganization(kMember), kOrg);
  EXPECT_EQ(cloud->AccountOrganization(kMgmt), kOrg);
}

TEST_F(Setup, ContradictionsAreRefusedAndChangeNothing) {
  ASSERT_THAT(cloud->CreateOrganization(kOrg, kMgmt, "r-ab12"), IsOk());
  const std::unique_ptr<Cloud> before = cloud->Fork();
  EXPECT_THAT(cloud->CreateOrganization(kOrg, kLone, "r-cd34"),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(cloud->CreateOrganization(kOther, kMgmt, "r-cd34"),
              MessageHas("already belongs to an organization"));
  EXPECT_THAT(cloud->CreateOrganizationalUnit(kOther, kParent, std::nullopt),
              MessageHas("unknown organization"));
  EXPECT_THAT(cloud->CreateOrganizationalUnit(kOrg, kChild, kParent),
              MessageHas("or its parent does not exist"));
  EXPECT_THAT(cloud->AddAccount(kMgmt, std::nullopt, std::nullopt), MessageHas("exists"));
  EXPECT_THAT(cloud->AddAccount(kMember, kOther, std::nullopt), MessageHas("unknown organization"));
  EXPECT_THAT(cloud->AddAccount(kMember, kOrg, kChild), MessageHas("unknown organizational unit"));
  EXPECT_THAT(cloud->AddAccount(kMember, std::nullopt, kChild),
              HasErrorCode(ErrorCode::kInvalidParameterCombination));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_THAT(cloud->AddAccount(kLone, std::nullopt, std::nullopt), IsOk());
  EXPECT_FALSE(cloud->StateEquals(*before));
}

TEST_F(Setup, ClockMovesOnlyForwardAndCompletesDueWork) {
  const absl::Time start = cloud->Now();
  cloud->AdvanceClock(-absl::Hours(1));
  EXPECT_EQ(cloud->Now(), start);
  cloud->AdvanceClock(absl::Minutes(5));
  EXPECT_EQ(cloud->Now(), start + absl::Minutes(5));
}

}  // namespace
}  // namespace ami
