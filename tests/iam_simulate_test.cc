// The policy simulator and the preflight questions asked as a principal (include/ami/iam/iam.h):
// the same evaluation as a call (IAM-1, IAM-2, IAM-7), never "allowed" while a key the model
// does not know could change the answer, and a principal the cloud does not hold is
// NoSuchEntity (MC-70).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ami/ami.h"
#include "ami/iam/iam.h"
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
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr char kAllowEc2[] =
    R"({"Version":"2012-10-17","Statement":[{"Sid":"AllowAll","Effect":"Allow","Action":"ec2:*","Resource":"*"}]})";
// Allows RunInstances only from the office network.
constexpr char kOfficeOnly[] = R"({"Version":"2012-10-17","Statement":[{
  "Sid":"FromTheOffice","Effect":"Allow","Action":"ec2:RunInstances","Resource":"*",
  "Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]})";
constexpr char kNoSharing[] = R"({"Version":"2012-10-17","Statement":[{
  "Sid":"NoSharing","Effect":"Deny","Action":"ec2:ModifyImageAttribute","Resource":"*"}]})";
constexpr char kDenyWithoutMfa[] = R"({"Version":"2012-10-17","Statement":[{
  "Sid":"NeedMfa","Effect":"Deny","Action":"ec2:DeregisterImage","Resource":"*",
  "Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]})";

class IamSimulateTest : public testing::CloudFixture {
 protected:
  void SetUp() override { CreateOrganizationTree(); }

  std::string Role(AccountId account, const std::string& name, std::vector<iam::PolicySpec> p) {
    iam::PrincipalSpec spec;
    spec.name = name;
    spec.policies = std::move(p);
    return Must(iam::PutPrincipal(*cloud, account, spec));
  }
  iam::SimulationResult One(const std::string& principal, const std::string& action,
                            const std::string& resource,
                            std::vector<std::pair<std::string, std::string>> context = {}) {
    iam::SimulationRequest r{principal, east, {action}, {resource}, std::move(context)};
    std::vector<iam::SimulationResult> results = Must(iam::Simulate(*cloud, r));
    EXPECT_THAT(results, SizeIs(1));
    return results.front();
  }
};

TEST_F(IamSimulateTest, IAM_1_AllowedNamesTheAllowingStatement) {
  const std::string dev = Role(owner, "dev", {{"Everything", kAllowEc2}});
  const iam::SimulationResult r = One(dev, "ec2:RunInstances", "*");
  EXPECT_EQ(r.decision, iam::EvalDecision::kAllowed);
  EXPECT_EQ(iam::EvalDecisionName(r.decision), "allowed");
  ASSERT_THAT(r.matched_statements, SizeIs(1));
  EXPECT_EQ(r.matched_statements[0].source_policy_id, "Everything");
  EXPECT_EQ(r.matched_statements[0].source_policy_type, "role");
  EXPECT_EQ(r.matched_statements[0].statement, "statement 1 (Sid AllowAll)");
  EXPECT_THAT(r.missing_context_values, IsEmpty());
  EXPECT_THAT(r.message, IsEmpty());
}

TEST_F(IamSimulateTest, IAM_2_ExplicitDenyByServiceControlPolicy) {
  ASSERT_THAT(iam::PutServiceControlPolicy(*cloud, org, "p-nosharing1", {"NoSharing", kNoSharing}),
              IsOk());
  ASSERT_THAT(iam::AttachServiceControlPolicy(*cloud, "p-nosharing1", parent_ou.ToString()), IsOk());
  const std::string dev = Role(in_child, "dev", {{"Everything", kAllowEc2}});
  const iam::SimulationResult r = One(dev, "ec2:ModifyImageAttribute", "*");
  EXPECT_EQ(r.decision, iam::EvalDecision::kExplicitDeny);
  ASSERT_THAT(r.matched_statements, SizeIs(1));
  EXPECT_EQ(r.matched_statements[0].source_policy_id, "p-nosharing1");
  EXPECT_EQ(r.matched_statements[0].source_policy_type, "service-control-policy");
  EXPECT_THAT(r.message, HasSubstr("with an explicit deny in a service control policy"));
  // Another action the SCP does not deny stays allowed.
  EXPECT_EQ(One(dev, "ec2:RunInstances", "*").decision, iam::EvalDecision::kAllowed);
}

TEST_F(IamSimulateTest, IAM_1_ImplicitDenyWhenNoPolicyAllows) {
  const std::string office = Role(owner, "office", {{"Office", kOfficeOnly}});
  const iam::SimulationResult r = One(office, "ec2:CopyImage", "*");
  EXPECT_EQ(r.decision, iam::EvalDecision::kImplicitDeny);
  EXPECT_THAT(r.matched_statements, IsEmpty());
  EXPECT_THAT(r.missing_context_values, IsEmpty());
  EXPECT_THAT(r.message, HasSubstr("because no identity-based policy allows"));
}

TEST_F(IamSimulateTest, IAM_7_ResidualIsNeverAllowedAndListsMissingContextValues) {
  const std::string office = Role(owner, "office", {{"Office", kOfficeOnly}});
  const iam::SimulationResult r = One(office, "ec2:RunInstances", "*");
  EXPECT_EQ(r.decision, iam::EvalDecision::kImplicitDeny);
  EXPECT_THAT(r.missing_context_values, ElementsAre("aws:SourceIp"));
  ASSERT_THAT(r.residual, SizeIs(1));
  EXPECT_THAT(r.residual[0], HasSubstr("allowed only if Office statement 1 (Sid FromTheOffice)"));
  // A Deny that may apply: explicitDeny, waiting on the key.
  const std::string admin = Role(owner, "admin", {{"Everything", kAllowEc2}, {"Mfa", kDenyWithoutMfa}});
  const iam::SimulationResult d = One(admin, "ec2:DeregisterImage", "*");
  EXPECT_EQ(d.decision, iam::EvalDecision::kExplicitDeny);
  EXPECT_THAT(d.missing_context_values, ElementsAre("aws:MultiFactorAuthPresent"));
}

TEST_F(IamSimulateTest, IAM_7_SuppliedContextMakesItDefinite) {
  const std::string office = Role(owner, "office", {{"Office", kOfficeOnly}});
  const iam::SimulationResult in =
      One(office, "ec2:RunInstances", "*", {{"aws:SourceIp", "203.0.113.7"}});
  EXPECT_EQ(in.decision, iam::EvalDecision::kAllowed);
  EXPECT_THAT(in.missing_context_values, IsEmpty());
  const iam::SimulationResult out =
      One(office, "ec2:RunInstances", "*", {{"aws:SourceIp", "198.51.100.1"}});
  EXPECT_EQ(out.decision, iam::EvalDecision::kImplicitDeny);
  EXPECT_THAT(out.missing_context_values, IsEmpty());
  const std::string admin = Role(owner, "admin", {{"Everything", kAllowEc2}, {"Mfa", kDenyWithoutMfa}});
  EXPECT_EQ(One(admin, "ec2:DeregisterImage", "*", {{"aws:MultiFactorAuthPresent", "true"}}).decision,
            iam::EvalDecision::kAllowed);
}

TEST_F(IamSimulateTest, IAM_5_ImageArnCarriesItsTagsOtherArnsNone) {
  const std::string tagged = Role(owner, "tagged", {{"Tagged", R"({"Version":"2012-10-17","Statement":[{
    "Effect":"Allow","Action":"ec2:RunInstances","Resource":"*",
    "Condition":{"StringEquals":{"ec2:ResourceTag/approved":"true"}}}]})"}});
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(cloud->CreateTags(CallContext{owner, east}, {id.ToString()}, {{"approved", "true"}}), IsOk());
  const std::string arn = absl::StrCat("arn:aws:ec2:us-east-1::image/", id.ToString());
  EXPECT_EQ(One(tagged, "ec2:RunInstances", arn).decision, iam::EvalDecision::kAllowed);
  // An ARN the cloud does not hold carries no tags: the key is unknown.
  const iam::SimulationResult other =
      One(tagged, "ec2:RunInstances", "arn:aws:ec2:us-east-1:111122223333:instance/*");
  EXPECT_EQ(other.decision, iam::EvalDecision::kImplicitDeny);
  EXPECT_THAT(other.missing_context_values, ElementsAre("ec2:ResourceTag/approved"));
}

TEST_F(IamSimulateTest, EveryActionOnEveryResource) {
  const std::string dev = Role(owner, "dev", {{"Everything", kAllowEc2}});
  iam::SimulationRequest r{dev, east, {"ec2:RunInstances", "s3:GetObject"}, {"*", "arn:aws:s3:::b/k"}, {}};
  const std::vector<iam::SimulationResult> results = Must(iam::Simulate(*cloud, r));
  ASSERT_THAT(results, SizeIs(4));
  EXPECT_EQ(results[0].action, "ec2:RunInstances");
  EXPECT_EQ(results[1].resource, "arn:aws:s3:::b/k");
  EXPECT_EQ(results[1].decision, iam::EvalDecision::kAllowed);
  EXPECT_EQ(results[2].decision, iam::EvalDecision::kImplicitDeny);
}

TEST_F(IamSimulateTest, MC_70_UnknownPrincipalIsNoSuchEntity) {
  iam::SimulationRequest r{absl::StrCat("arn:aws:iam::", owner.ToString(), ":role/nobody"), east,
                           {"ec2:RunInstances"}, {}, {}};
  EXPECT_THAT(iam::Simulate(*cloud, r).status(), HasErrorCode(ErrorCode::kNoSuchEntity));
  EXPECT_EQ(ErrorCodeName(ErrorCode::kNoSuchEntity), "NoSuchEntity");
  r.principal = "not-an-arn";
  EXPECT_THAT(iam::Simulate(*cloud, r).status(), HasErrorCode(ErrorCode::kInvalidParameterValue));
  r.principal = Role(owner, "dev", {{"Everything", kAllowEc2}});
  r.actions.clear();
  EXPECT_THAT(iam::Simulate(*cloud, r).status(), HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST_F(IamSimulateTest, IAM_7_ExplainAsPrincipalAsksIamFirst) {
  const std::string office = Role(owner, "office", {{"Office", kOfficeOnly}});
  const ImageId id = SeedImage(owner);
  const policy::LaunchQuestion q{owner, east, id, std::nullopt, std::nullopt};
  const Decision denied = iam::Explain(*cloud, {office, {}}, q);
  EXPECT_FALSE(denied.allowed());
  EXPECT_THAT(denied.Explain(), HasSubstr("allowed only if Office statement 1"));
  EXPECT_THAT(denied.Explain(), HasSubstr("aws:SourceIp"));
  const Decision allowed = iam::Explain(*cloud, {office, {{"aws:SourceIp", "203.0.113.9"}}}, q);
  EXPECT_TRUE(allowed.allowed()) << allowed.Explain();
  // As the root user (no principal) it is the preflight question itself.
  EXPECT_TRUE(iam::Explain(*cloud, {}, q).allowed());
}

}  // namespace
}  // namespace ami
