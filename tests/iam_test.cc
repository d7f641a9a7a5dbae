// IAM principals and service control policies in the Cloud (include/ami/iam/iam.h): calls made
// as a user or role are authorized by its identity policies, boundary and the SCPs of its
// account (IAM-1, IAM-2, IAM-5, IAM-6, IAM-7), before any resource check; state files and forks
// keep them.
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ami/ami.h"
#include "ami/iam/iam.h"
#include "ami/iam/simulation.h"
#include "ami/io/state_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cloud_fixture.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::ami::testing::Must;
using ::testing::HasSubstr;

constexpr char kAllowEc2[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]})";
constexpr char kRunOnly[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:RunInstances","ec2:CreateTags"],"Resource":"*"}]})";
constexpr char kEc2AndKms[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:*","kms:*"],"Resource":"*"}]})";
// The seed's guardrail: no instance from an image that is not tagged approved=true.
constexpr char kApprovedOnly[] = R"({"Version":"2012-10-17","Statement":[{
  "Sid":"DenyUnapprovedImages","Effect":"Deny","Action":"ec2:RunInstances",
  "Resource":"arn:aws:ec2:*::image/*",
  "Condition":{"StringNotEquals":{"ec2:ResourceTag/approved":"true"}}}]})";

class IamTest : public testing::CloudFixture {
 protected:
  void SetUp() override { CreateOrganizationTree(); }

  // A role `name` of `account` whose only identity policy is `document`.
  std::string Role(AccountId account, const std::string& name, const std::string& document) {
    iam::PrincipalSpec spec;
    spec.name = name;
    spec.policies = {{"inline:" + name, document}};
    return Must(iam::PutPrincipal(*cloud, account, spec));
  }
  CallContext As(AccountId account, const std::string& principal) const {
    CallContext ctx{account, east};
    ctx.principal = principal;
    return ctx;
  }
  // An image of `image_owner` encrypted under a new key of its whose policy adds `statements`,
  // shared with `with`: the question of `with` launching it in us-east-1.
  policy::LaunchQuestion SharedEncrypted(AccountId image_owner,
                                         std::vector<KeyPolicyStatement> statements,
                                         AccountId with) {
    const ImageId image = SeedImage(image_owner, {.key = NewKey(image_owner, east, statements)});
    EXPECT_THAT(Share(CallContext{image_owner, east}, image, {LaunchPermissionEntry{with.ToString()}}),
                IsOk());
    policy::LaunchQuestion q;
    q.caller = with;
    q.region = east;
    q.image = image;
    return q;
  }
  // The platform team's image, in the management account, shared with the workload account.
  ImageId SharedGolden() {
    const ImageId id = SeedImage(mgmt);
    EXPECT_THAT(Share(CallContext{mgmt, east}, id, {LaunchPermissionEntry{in_child.ToString()}}),
                IsOk());
    return id;
  }
};

TEST_F(IamTest, IAM_2_IAM_5_SeedStory_ScpAllowsOnlyImagesTheWorkloadAccountApproved) {
  ASSERT_THAT(iam::PutServiceControlPolicy(*cloud, org, "p-approvedonly", {"ApprovedOnly", kApprovedOnly}),
              IsOk());
  ASSERT_THAT(iam::AttachServiceControlPolicy(*cloud, "p-approvedonly", parent_ou.ToString()), IsOk());
  const std::string dev = Role(in_child, "developer", kAllowEc2);
  const ImageId golden = SharedGolden();

  const absl::StatusOr<std::vector<InstanceId>> untagged = Launch(As(in_child, dev), golden);
  EXPECT_THAT(untagged.status(), HasErrorCode(ErrorCode::kUnauthorizedOperation));
  EXPECT_THAT(untagged.status().message(),
              HasSubstr("with an explicit deny in a service control policy"));
  // A value the caller supplies for a key the cloud knows must agree with it.
  CallContext claims = As(in_child, dev);
  claims.context = {{"ec2:ResourceTag/approved", "true"}};
  EXPECT_THAT(Launch(claims, golden).status(),
              HasErrorCode(ErrorCode::kInvalidParameterCombination));
  // IAM-5: the owner's tag is not the one that counts for another account.
  ASSERT_THAT(cloud->CreateTags(CallContext{mgmt, east}, {golden.ToString()}, {{"approved", "true"}}), IsOk());
  EXPECT_THAT(Launch(As(in_child, dev), golden).status(),
              HasErrorCode(ErrorCode::kUnauthorizedOperation));
  // The workload account tags the shared image itself: now it may launch it.
  ASSERT_THAT(cloud->CreateTags(CallContext{in_child, east}, {golden.ToString()}, {{"approved", "true"}}),
              IsOk());
  EXPECT_THAT(Launch(As(in_child, dev), golden), IsOk());
  // The management account is not bound by SCPs.
  const ImageId own = SeedImage(mgmt);
  EXPECT_THAT(Launch(CallContext{mgmt, east}, own), IsOk());
}

// KMS-5: across accounts a role needs both the key's side and its own identity policy for the
// KMS actions EC2 performs with its key; the account's root user needs the key's side only.
TEST_F(IamTest, KMS_5_ACrossAccountRoleNeedsItsIdentityPolicyForTheKey) {
  KeyPolicyStatement allow_b;
  allow_b.sid = "AllowB";
  allow_b.accounts = {b};
  allow_b.actions = KmsActions::All();
  const policy::LaunchQuestion q = SharedEncrypted(owner, {allow_b}, b);
  EXPECT_TRUE(iam::Explain(*cloud, {}, q).allowed());  // The root user of b.
  const std::string ec2_only = Role(b, "ec2-only", kAllowEc2);
  const Decision without = iam::Explain(*cloud, {ec2_only, {}}, q);
  EXPECT_FALSE(without.allowed());
  EXPECT_TRUE(without.denied_later());
  EXPECT_THAT(without.Explain(), HasSubstr("neither the key policy nor a grant allows"));
  const std::string with_kms = Role(b, "with-kms",
      kEc2AndKms);
  EXPECT_TRUE(iam::Explain(*cloud, {with_kms, {}}, q).allowed());
  // The same through RunInstances.
  EXPECT_THAT(Launch(As(b, with_kms), q.image), IsOk());
}

// KMS-5: a key policy may name one role of another account; that role (with its identity
// policy) may use the key, the account's root user may not.
TEST_F(IamTest, KMS_5_AKeyPolicyNamingARoleLetsOnlyThatRoleUseIt) {
  const std::string with_kms = Role(b, "builder",
      kEc2AndKms);
  KeyPolicyStatement allow_role;
  allow_role.sid = "AllowBuilder";
  allow_role.iam_principals = {with_kms};
  allow_role.actions = KmsActions::All();
  const policy::LaunchQuestion q = SharedEncrypted(owner, {allow_role}, b);
  EXPECT_TRUE(iam::Explain(*cloud, {with_kms, {}}, q).allowed());
  EXPECT_FALSE(iam::Explain(*cloud, {}, q).allowed());
}

// KMS-5, IAM-2: service control policies bind the KMS actions EC2 performs for the caller.
TEST_F(IamTest, KMS_5_AnScpDenyingKmsStopsTheKeyUse) {
  KeyPolicyStatement allow_child;
  allow_child.accounts = {in_child};
  allow_child.actions = KmsActions::All();
  const policy::LaunchQuestion q = SharedEncrypted(mgmt, {allow_child}, in_child);
  EXPECT_TRUE(iam::Explain(*cloud, {}, q).allowed());
  ASSERT_THAT(iam::PutServiceControlPolicy(*cloud, org, "p-nokmsdecrypt", {"NoKms",
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}]})"}),
              IsOk());
  ASSERT_THAT(iam::AttachServiceControlPolicy(*cloud, "p-nokmsdecrypt", parent_ou.ToString()), IsOk());
  const Decision denied = iam::Explain(*cloud, {}, q);
  EXPECT_FALSE(denied.allowed());
  EXPECT_THAT(denied.Explain(), HasSubstr("service control policy p-nokmsdecrypt"));
  EXPECT_THAT(denied.Explain(), HasSubstr("kms:Decrypt with kms key"));
}

// KMS-4, KMS-5: a grant to an account delegates to its IAM policies, as a key policy naming the
// account does: its root user may use the key, a role needs its identity policy too.
TEST_F(IamTest, KMS_5_AGrantToAnAccountDelegatesToItsIamPolicies) {
  const KmsKeyArn key = NewKey(owner, east, {});  // The default policy: the owner only.
  ASSERT_THAT(cloud->CreateGrant(CallContext{owner, east}, key.ToString(), b,
                                 policy::ReadKeyActions()), IsOk());
  const ImageId shared = SeedImage(owner, {.key = key});
  ASSERT_THAT(Share(CallContext{owner, east}, shared, {LaunchPermissionEntry{b.ToString()}}), IsOk());
  policy::LaunchQuestion q;
  q.caller = b;
  q.region = east;
  q.image = shared;
  // b's volume gets b's own default key; reading the snapshot needs the grant.
  EXPECT_TRUE(iam::Explain(*cloud, {}, q).allowed()) << iam::Explain(*cloud, {}, q).Explain();
  EXPECT_FALSE(iam::Explain(*cloud, {Role(b, "ec2-only", kAllowEc2), {}}, q).allowed());
  const std::string with_kms = Role(b, "with-kms",
      kEc2AndKms);
  EXPECT_TRUE(iam::Explain(*cloud, {with_kms, {}}, q).allowed());
}

// KMS-5: a role session is its role for the key's side too (aws:PrincipalArn), and a value the
// caller supplies for a key the cloud knows must agree with it.
TEST_F(IamTest, KMS_5_RoleSessionsAndSuppliedValuesInKeyUse) {
  ASSERT_THAT(iam::PutServiceControlPolicy(*cloud, org, "p-nocontractor", {"NoContractor",
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"kms:*","Resource":"*",
          "Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/contractor"}}}]})"}),
              IsOk());
  ASSERT_THAT(iam::AttachServiceControlPolicy(*cloud, "p-nocontractor", parent_ou.ToString()), IsOk());
  Role(in_child, "contractor",
      kEc2AndKms);
  KeyPolicyStatement allow_child;
  allow_child.accounts = {in_child};
  allow_child.actions = KmsActions::All();
  const policy::LaunchQuestion q = SharedEncrypted(mgmt, {allow_child}, in_child);
  EXPECT_TRUE(iam::Explain(*cloud, {}, q).allowed());
  const std::string session = absl::StrCat("arn:aws:sts::", in_child.ToString(),
                                           ":assumed-role/contractor/alice");
  const Decision denied = iam::Explain(*cloud, {session, {}}, q);
  EXPECT_FALSE(denied.allowed());
  EXPECT_THAT(denied.Explain(), HasSubstr("p-nocontractor"));
  // kms:CallerAccount is the caller's account: a claim of another is refused.
  const Decision claim =
      iam::Explain(*cloud, {"", {{"kms:CallerAccount", mgmt.ToString()}}}, q);
  EXPECT_FALSE(claim.allowed());
}

TEST_F(IamTest, IAM_1_IdentityPolicyMustAllow) {
  const std::string runner = Role(owner, "runner", kRunOnly);
  const ImageId id = SeedImage(owner);
  EXPECT_THAT(Launch(As(owner, runner), id), IsOk());
  const absl::Status share =
      Share(As(owner, runner), id, {LaunchPermissionEntry{b.ToString()}});
  EXPECT_THAT(share, HasErrorCode(ErrorCode::kUnauthorizedOperation));
  EXPECT_THAT(share.message(),
              HasSubstr("is not authorized to perform: ec2:ModifyImageAttribute on resource: "
                        "arn:aws:ec2:us-east-1::image/"));
  EXPECT_THAT(share.message(), HasSubstr("because no identity-based policy allows"));
  EXPECT_TRUE(Perms(id).empty());
  const std::string admin = Role(owner, "admin", kAllowEc2);
  EXPECT_THAT(Share(As(owner, admin), id, {LaunchPermissionEntry{b.ToString()}}), IsOk());
}

// IAM-7: UnauthorizedOperation comes before what the resource would answer.
TEST_F(IamTest, IAM_7_UnauthorizedBeforeResourceChecks) {
  const std::string reader = Role(owner, "reader",
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]})");
  const ImageId others = SeedImage(b);
  EXPECT_THAT(Launch(As(owner, reader), others).status(),
              HasErrorCode(ErrorCode::kUnauthorizedOperation));
  EXPECT_THAT(Launch(CallContext{owner, east}, others).status(),
              HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_THAT(cloud->DeregisterImage(As(owner, reader), others).status(),
              HasErrorCode(ErrorCode::kUnauthorizedOperation));
}

// MC-69: every operation asks IAM of a principal; the account's root user is asked nothing
// outside service control policies.
TEST_F(IamTest, IAM_7_EveryOperationAsksIamOfAPrincipal) {
  const std::string admin = Role(owner, "admin", kEc2AndKms);
  const std::string runner = Role(owner, "runner", kRunOnly);
  const absl::Status encrypt = cloud->EnableEbsEncryptionByDefault(As(owner, runner));
  EXPECT_THAT(encrypt, HasErrorCode(ErrorCode::kUnauthorizedOperation));
  EXPECT_THAT(encrypt.message(), HasSubstr("ec2:EnableEbsEncryptionByDefault"));
  EXPECT_THAT(cloud->EnableEbsEncryptionByDefault(As(owner, admin)), IsOk());
  CreateRuleRequest rule;
  rule.resource_type = "EC2_IMAGE";
  rule.retention_days = 7;
  // The Recycle Bin's own actions are rbin:…, which ec2:* and kms:* do not grant.
  EXPECT_FALSE(cloud->CreateRecycleBinRule(As(owner, admin), rule).ok());
  // As the account's root user, as before.
  const ImageId id = SeedImage(owner);
  EXPECT_THAT(cloud->DisableEbsEncryptionByDefault(CallContext{owner, east}), IsOk());
  EXPECT_THAT(cloud->CreateRecycleBinRule(CallContext{owner, east}, rule), IsOk());
  EXPECT_THAT(cloud->CreateTags(CallContext{owner, east}, {id.ToString()}, {{"k", "v"}}), IsOk());
  EXPECT_THAT(cloud->DisableImage(CallContext{owner, east}, id), IsOk());
}

TEST_F(IamTest, IAM_7_UnknownPrincipalIsRefused) {
  const ImageId id = SeedImage(owner);
  const absl::Status s =
      Launch(As(owner, "arn:aws:iam::111122223333:role/nobody"), id).status();
  EXPECT_THAT(s, HasErrorCode(ErrorCode::kUnauthorizedOperation));
  EXPECT_THAT(s.message(), HasSubstr("is not one the cloud holds"));
  // A role of another account is not the caller's.
  const std::string other = Role(b, "dev", kAllowEc2);
  EXPECT_THAT(Launch(As(owner, other), id).status(),
              HasErrorCode(ErrorCode::kUnauthorizedOperation));
}

// IAM-3: a statement is asked for every resource a launch authorizes; the new instance has no
// tags yet, so a tag condition without IfExists fails on it, as AWS documents.
TEST_F(IamTest, IAM_3_EveryResourceOfALaunchIsAsked) {
  auto tagged_only = [](const char* op) {
    return absl::StrCat(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)",
                        R"("Action":"ec2:RunInstances","Resource":"*","Condition":{")", op,
                        R"(":{"ec2:ResourceTag/approved":"true"}}}]})");
  };
  const std::string strict = Role(owner, "strict", tagged_only("StringEquals"));
  const std::string if_exists = Role(owner, "ifexists", tagged_only("StringEqualsIfExists"));
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(cloud->CreateTags(CallContext{owner, east}, {id.ToString()}, {{"approved", "true"}}),
              IsOk());
  EXPECT_THAT(Launch(As(owner, strict), id).status(),
              HasErrorCode(ErrorCode::kUnauthorizedOperation));
  EXPECT_THAT(Launch(As(owner, if_exists), id), IsOk());
  // Claiming the tag for the new instance contradicts what the cloud knows: it has none.
  CallContext claims = As(owner, strict);
  claims.context = {{"ec2:ResourceTag/approved", "true"}};
  EXPECT_THAT(Launch(claims, id).status(), HasErrorCode(ErrorCode::kInvalidParameterCombination));
}

TEST_F(IamTest, IAM_1_RoleSessionIsItsRole) {
  Role(owner, "dev", kAllowEc2);
  const ImageId id = SeedImage(owner);
  EXPECT_THAT(Launch(As(owner, "arn:aws:sts::111122223333:assumed-role/dev/alice"), id), IsOk());
  EXPECT_THAT(Launch(As(owner, "arn:aws:sts::111122223333:assumed-role/ops/alice"), id).status(),
              HasErrorCode(ErrorCode::kUnauthorizedOperation));
}

TEST_F(IamTest, IAM_1_UnknownConditionIsResidualUntilSupplied) {
  const std::string office = Role(owner, "office", R"({"Version":"2012-10-17","Statement":[{
      "Effect":"Allow","Action":"ec2:RunInstances","Resource":"*",
      "Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]})");
  const ImageId id = SeedImage(owner);
  const absl::Status unknown = Launch(As(owner, office), id).status();
  EXPECT_THAT(unknown, HasErrorCode(ErrorCode::kUnauthorizedOperation));
  EXPECT_THAT(unknown.message(), HasSubstr("allowed only if"));
  EXPECT_THAT(unknown.message(), HasSubstr("aws:SourceIp"));
  CallContext in_office = As(owner, office);
  in_office.context = {{"aws:SourceIp", "203.0.113.7"}};
  EXPECT_THAT(Launch(in_office, id), IsOk());
  in_office.context = {{"aws:SourceIp", "198.51.100.7"}};
  EXPECT_THAT(Launch(in_office, id).status(), HasErrorCode(ErrorCode::kUnauthorizedOperation));
}

TEST_F(IamTest, IAM_1_BoundaryLimitsTheRole) {
  iam::PrincipalSpec spec;
  spec.name = "bounded";
  spec.policies = {{"inline:all", kAllowEc2}};
  spec.boundary = iam::PolicySpec{"arn:aws:iam::111122223333:policy/DescribeOnly",
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]})"};
  const std::string bounded = Must(iam::PutPrincipal(*cloud, owner, spec));
  const absl::Status s = Launch(As(owner, bounded), SeedImage(owner)).status();
  EXPECT_THAT(s, HasErrorCode(ErrorCode::kUnauthorizedOperation));
  EXPECT_THAT(s.message(), HasSubstr("because no permissions boundary allows"));
}

TEST_F(IamTest, IAM_6_AttributeConditionOnModifyImageAttribute) {
  const std::string describer = Role(owner, "describer", R"({"Version":"2012-10-17","Statement":[{
      "Effect":"Allow","Action":"ec2:ModifyImageAttribute","Resource":"*",
      "Condition":{"StringEquals":{"ec2:Attribute":"description"}}}]})");
  const ImageId id = SeedImage(owner);
  ModifyImageAttributeRequest describe{id.ToString()};
  describe.description = "golden";
  EXPECT_THAT(cloud->ModifyImageAttribute(As(owner, describer), describe), IsOk());
  EXPECT_THAT(Share(As(owner, describer), id, {LaunchPermissionEntry{b.ToString()}}),
              HasErrorCode(ErrorCode::kUnauthorizedOperation));
}

TEST_F(IamTest, IAM_2_DetachingFullAccessLeavesOnlyWhatIsAttached) {
  const std::string dev = Role(in_child, "developer", kAllowEc2);
  const ImageId own = SeedImage(in_child);
  ASSERT_THAT(iam::PutServiceControlPolicy(*cloud, org, "p-describeonly",
      {"DescribeOnly", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]})"}),
              IsOk());
  EXPECT_THAT(Launch(As(in_child, dev), own), IsOk());
  // The last policy of a target cannot be detached.
  EXPECT_THAT(iam::DetachServiceControlPolicy(*cloud, "p-FullAWSAccess", child_ou.ToString()),
              HasErrorCode(ErrorCode::kInvalidParameterCombination));
  ASSERT_THAT(iam::AttachServiceControlPolicy(*cloud, "p-describeonly", child_ou.ToString()), IsOk());
  ASSERT_THAT(iam::DetachServiceControlPolicy(*cloud, "p-FullAWSAccess", child_ou.ToString()), IsOk());
  const absl::Status s = Launch(As(in_child, dev), own).status();
  EXPECT_THAT(s, HasErrorCode(ErrorCode::kUnauthorizedOperation));
  EXPECT_THAT(s.message(), HasSubstr("because no service control policy allows"));
  // Even the account's root user.
  EXPECT_THAT(Launch(CallContext{in_child, east}, own).status(),
              HasErrorCode(ErrorCode::kUnauthorizedOperation));
}

TEST_F(IamTest, MalformedDocumentsAreRefused) {
  iam::PrincipalSpec spec;
  spec.name = "broken";
  spec.policies = {{"inline:broken", R"({"Statement":[{"Effect":"Permit","Action":"*","Resource":"*"}]})"}};
  EXPECT_THAT(iam::PutPrincipal(*cloud, owner, spec).status(),
              HasErrorCode(ErrorCode::kMalformedPolicyDocument));
  spec.policies = {{"inline:ok", kAllowEc2}};
  spec.name = "bad name!";
  EXPECT_THAT(iam::PutPrincipal(*cloud, owner, spec).status(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(iam::PutServiceControlPolicy(*cloud, org, "p-x", {"X", kAllowEc2}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST_F(IamTest, StateFilesAndForksKeepPrincipalsAndScps) {
  ASSERT_THAT(iam::PutServiceControlPolicy(*cloud, org, "p-approvedonly", {"ApprovedOnly", kApprovedOnly}),
              IsOk());
  ASSERT_THAT(iam::AttachServiceControlPolicy(*cloud, "p-approvedonly", parent_ou.ToString()), IsOk());
  iam::PrincipalSpec spec;
  spec.name = "developer";
  spec.path = "/teams/";
  spec.policies = {{"inline:all", kAllowEc2}};
  spec.tags = {{"team", "web"}};
  const std::string dev = Must(iam::PutPrincipal(*cloud, in_child, spec));
  EXPECT_EQ(dev, "arn:aws:iam::555555555555:role/teams/developer");
  std::stringstream file;
  ASSERT_THAT(SaveState(*cloud, file), IsOk());
  const std::unique_ptr<Cloud> loaded = Must(LoadState(file));
  EXPECT_TRUE(loaded->StateEquals(*cloud));
  const std::unique_ptr<Cloud> fork = cloud->Fork();
  EXPECT_TRUE(fork->StateEquals(*cloud));
  const ImageId golden = SharedGolden();
  EXPECT_THAT(Launch(As(in_child, dev), golden).status(),
              HasErrorCode(ErrorCode::kUnauthorizedOperation));
  // A changed principal is a different state.
  spec.tags = {{"team", "data"}};
  ASSERT_THAT(iam::PutPrincipal(*cloud, in_child, spec).status(), IsOk());
  EXPECT_FALSE(fork->StateEquals(*cloud));
}

}  // namespace
}  // namespace ami
