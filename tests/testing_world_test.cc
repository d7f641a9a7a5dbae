// The testing kit's World (ami/testing/world.h): a test world declared in a few lines, built
// through the Cloud's operations, and the first error of a declaration that fails.
#include "ami/testing/world.h"

#include "absl/time/time.h"
#include "ami/ami.h"
#include "ami/iam/iam.h"
#include "ami/testing/matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::HasState;
using ::ami::testing::HasTag;
using ::ami::testing::IsAllowed;
using ::ami::testing::IsDenied;
using ::ami::testing::IsDeniedBy;
using ::ami::testing::IsOk;
using ::ami::testing::OwnedBy;
using ::ami::testing::World;
using ::testing::HasSubstr;

constexpr char kOrg[] = "o-a1b2c3d4e5";
constexpr char kPlatform[] = "111122223333";
constexpr char kProd[] = "444455556666";
constexpr char kSandbox[] = "777788889999";
constexpr char kProdOu[] = "ou-a1b2-11111111";
constexpr char kSandboxOu[] = "ou-a1b2-22222222";
constexpr char kEast[] = "us-east-1";

// The platform account's golden image, encrypted with its key, shared with the prod OU.
World GoldenWorld() {
  World w;
  w.Organization(kOrg, kPlatform)
      .Ou(kOrg, kProdOu)
      .Ou(kOrg, kSandboxOu)
      .Account(kProd, kOrg, kProdOu)
      .Account(kSandbox, kOrg, kSandboxOu)
      .Key("cmk", kPlatform, kEast,
           R"({"Version":"2012-10-17","Statement":[
                {"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},
                 "Action":"kms:*","Resource":"*"},
                {"Sid":"Org","Effect":"Allow","Principal":{"AWS":"*"},
                 "Action":["kms:Decrypt","kms:DescribeKey","kms:CreateGrant","kms:ReEncrypt*","kms:GenerateDataKey*"],
                 "Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}]})")
      .Image("golden", kPlatform, kEast,
             {.key = "cmk",
              .tags = {{"approved", "true"}},
              .shared_with = {"arn:aws:organizations::111122223333:ou/o-a1b2c3d4e5/ou-a1b2-11111111"}})
      .Instance("web", kProd, kEast, "golden");
  return w;
}

Decision MayLaunch(const World& w, const char* account) {
  return w.cloud().Evaluate(policy::EvaluateLaunch,
                            policy::LaunchQuestion{*AccountId::Parse(account), *Region::Parse(kEast),
                                                   w.image("golden")});
}

TEST(TestingWorld, DeclaresAnOrganizationKeysImagesAndInstancesInAFewLines) {
  World w = GoldenWorld();
  ASSERT_THAT(w.status(), IsOk());
  const Image golden = *w.cloud().GetImage(w.image("golden"));
  EXPECT_THAT(golden, OwnedBy(*AccountId::Parse(kPlatform)));
  EXPECT_THAT(golden, HasTag("approved", "true"));
  const Snapshot root = *w.cloud().GetSnapshot(golden.snapshot_ids().front());
  EXPECT_EQ(root.kms_key(), std::optional<KmsKeyArn>(w.key("cmk")));
  EXPECT_THAT(MayLaunch(w, kProd), IsAllowed());
  EXPECT_THAT(MayLaunch(w, kSandbox), IsDeniedBy("LAUNCH-4"));
  w.cloud().AdvanceClock(absl::Minutes(10));
  const Instance web = *w.cloud().GetInstance(w.instance("web"));
  EXPECT_EQ(web.image_id(), w.image("golden"));
  EXPECT_THAT(web, HasState(InstanceState::kRunning));
}

TEST(TestingWorld, RolesAndServiceControlPoliciesDecideAsIamDoes) {
  World w;
  w.Organization(kOrg, kPlatform)
      .Ou(kOrg, kProdOu)
      .Account(kProd, kOrg, kProdOu)
      .Image("tagged", kProd, kEast, {.tags = {{"approved", "true"}}})
      .Image("untagged", kProd, kEast)
      .Role("developer", kProd,
            R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}]})")
      .Scp(kOrg, "p-approvedonly1",
           R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:RunInstances",
               "Resource":"arn:aws:ec2:*::image/*",
               "Condition":{"StringNotEquals":{"ec2:ResourceTag/approved":"true"}}}]})",
           kProdOu);
  ASSERT_THAT(w.status(), IsOk());
  EXPECT_EQ(w.principal("developer"), "arn:aws:iam::444455556666:role/developer");
  auto ask = [&](const char* image) {
    return iam::Explain(w.cloud(), {w.principal("developer"), {}},
                        policy::LaunchQuestion{*AccountId::Parse(kProd), *Region::Parse(kEast),
                                               w.image(image)});
  };
  EXPECT_THAT(ask("tagged"), IsAllowed());
  EXPECT_THAT(ask("untagged"), IsDenied());
  World bad;
  bad.Account(kProd).Role("developer", kProd, "not a policy");
  EXPECT_FALSE(bad.status().ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("`developer`"));
}

TEST(TestingWorld, TheFirstErrorIsKeptWithItsLabelAndTheRestIsSkipped) {
  World w;
  w.Account(kPlatform)
      .Image("golden", kPlatform, kEast)
      .Instance("web", kSandbox, kEast, "golden")  // Not shared: RunInstances refuses it.
      .Image("second", kPlatform, kEast);
  EXPECT_THAT(w.status(), HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_THAT(std::string(w.status().message()), HasSubstr("`web`"));
  EXPECT_FALSE(w.cloud().GetImage(w.image("second")).has_value());
  World again;
  again.Image("golden", kPlatform, kEast).Image("golden", kPlatform, kEast);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  World unknown_key;
  unknown_key.Image("golden", kPlatform, kEast, {.key = "nope"});
  EXPECT_THAT(std::string(unknown_key.status().message()), HasSubstr("no key labelled `nope`"));
  World bad_id;
  bad_id.Account("1234");
  EXPECT_THAT(bad_id.status(), HasErrorCode(ErrorCode::kInvalidUserIDMalformed));
}

}  // namespace
}  // namespace ami
