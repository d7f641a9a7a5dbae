// Our AMI policies, pinned down as unit tests: libami's testing kit (ami/testing/) on a world that
// a scenario file sets up, and every scenario file of scenarios/ run as a test of its own.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ami/ami.h"
#include "ami/testing/matchers.h"
#include "ami/testing/no_change.h"
#include "ami/tools/scenario.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace {

using ::ami::AccountId;
using ::ami::ImageId;
using ::ami::Region;
using ::ami::testing::HasErrorCode;
using ::ami::testing::IsAllowed;
using ::ami::testing::IsDeniedBy;
using ::ami::testing::IsPublic;
using ::ami::testing::OwnedBy;
using ::testing::Not;

const AccountId kPlatform = AccountId::FromNumber(111122223333);
const AccountId kProd = AccountId::FromNumber(444455556666);
const AccountId kSandbox = AccountId::FromNumber(777788889999);
const Region kEast = Region::Parse("us-east-1").value();
const ImageId kGolden = ImageId::Parse("ami-0a1b2c3d4e5f60718").value();

// The organization as scenarios/golden_ami_prod_only.textproto leaves it.
std::unique_ptr<ami::Cloud> World() {
  const auto scenario = ami::ParseScenarioFile(std::string(POLICY_SCENARIOS) +
                                               "/golden_ami_prod_only.textproto");
  EXPECT_TRUE(scenario.ok()) << scenario.status();
  std::unique_ptr<ami::Cloud> cloud;
  const auto result = ami::RunScenario(*scenario, &cloud);
  EXPECT_TRUE(result.ok() && result->passed);
  return cloud;
}

ami::Decision Launch(const ami::Cloud& cloud, AccountId caller) {
  return cloud.Evaluate(ami::policy::EvaluateLaunch, ami::policy::LaunchQuestion{caller, kEast, kGolden});
}

TEST(GoldenAmi, LaunchableByEveryProdAccountAndNoSandboxAccount) {
  const auto cloud = World();
  EXPECT_THAT(Launch(*cloud, kProd), IsAllowed());
  EXPECT_THAT(Launch(*cloud, kSandbox), IsDeniedBy("LAUNCH-4"));
}

TEST(GoldenAmi, StaysPrivateAndOwnedByThePlatformAccount) {
  const auto cloud = World();
  const auto image = cloud->GetImage(kGolden);
  ASSERT_TRUE(image.has_value());
  EXPECT_THAT(*image, OwnedBy(kPlatform));
  EXPECT_THAT(*image, Not(IsPublic()));
}

TEST(GoldenAmi, OnlyThePlatformAccountMayShareItAndARefusalChangesNothing) {
  const auto cloud = World();
  ami::ModifyImageAttributeRequest share{kGolden.ToString()};
  share.add = {ami::LaunchPermissionEntry{kSandbox.ToString()}};
  EXPECT_NO_CHANGE(cloud, EXPECT_THAT(cloud->ModifyImageAttribute({kProd, kEast}, share),
                                      HasErrorCode(ami::ErrorCode::kAuthFailure)));
}

class Scenario : public ::testing::TestWithParam<std::string> {};

TEST_P(Scenario, Passes) {
  const auto scenario = ami::ParseScenarioFile(GetParam());
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const auto result = ami::RunScenario(*scenario);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->passed) << result->first_mismatch;
}

std::vector<std::string> ScenarioFiles() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(POLICY_SCENARIOS)) {
    if (entry.path().extension() == ".textproto") files.push_back(entry.path().string());
  }
  return files;
}

INSTANTIATE_TEST_SUITE_P(Files, Scenario, ::testing::ValuesIn(ScenarioFiles()));

}  // namespace
