// The key policies AWS documents and people copy, each read from its JSON and decided for the
// key's owner, a member of the owner's organization and an outsider, through the request
// contexts EC2 builds when it uses a key for a caller (KMS-4 … KMS-7); and the image condition
// keys of identity policies (IAM-3, IAM-4, IAM-7).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ami/ami.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "policy/lang/context.h"
#include "policy/lang/document.h"
#include "policy/lang/evaluate.h"
#include "policy/lang/request.h"
#include "tests/cloud_fixture.h"
#include "tests/test_util.h"

namespace ami::lang {
namespace {

using ::ami::testing::Must;
using ::testing::HasSubstr;

const Region kEast = Region::Parse("us-east-1").value();
const absl::Time kNow = absl::FromUnixSeconds(1780272000);  // 2026-06-01T00:00:00Z
const AccountId kOwner = AccountId::FromNumber(111122223333);
const AccountId kMember = AccountId::FromNumber(444455556666);
const AccountId kOutsider = AccountId::FromNumber(777788889999);
constexpr char kKey[] = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

AccountInfo InOrganization(AccountId id) {
  AccountInfo info;
  info.id = id;
  info.organization = OrganizationId::Parse("o-a1b2c3d4e5").value();
  info.root_id = "r-ab12";
  info.ou_path = {OrganizationalUnitId::Parse("ou-ab12-11111111").value()};
  return info;
}

class DocumentedKeyPolicies : public ::testing::Test {
 protected:
  const AccountInfo owner_info_ = InOrganization(kOwner);
  const AccountInfo member_info_ = InOrganization(kMember);
  const AccountInfo outsider_info_{.id = kOutsider};
  const PolicyDocument allow_kms_ = Must(ParsePolicy(
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]})",
      PolicyKind::kIdentity));

  // A role of `account` asking EC2 to use the key (kms:ViaService ec2.us-east-1.amazonaws.com).
  RequestContext ViaEc2(AccountId account, const AccountInfo* info,
                        absl::string_view action = "kms:Decrypt",
                        absl::string_view role = "dev") const {
    const Caller caller{account, absl::StrCat("arn:aws:iam::", account.ToString(), ":role/", role),
                        info, nullptr};
    RequestContext ctx = BaseContext(caller, action, kKey, kEast, kNow);
    AddKmsViaEc2Keys(caller, kEast, false, &ctx);
    return ctx;
  }

  // The key's verdict; the caller's identity policy allows kms:* when `identity`.
  PolicyResult Decide(const PolicyDocument& key, const RequestContext& ctx,
                      bool identity = true) const {
    PolicyInputs in;
    in.resource_policy = NamedPolicy{"key policy", &key};
    in.resource_account = kOwner.ToString();
    in.resource_policy_required = true;
    if (identity) in.identity = {NamedPolicy{"AllowKms", &allow_kms_}};
    return Evaluate(in, ctx);
  }

  PolicyResult Owner(const PolicyDocument& key, bool identity = true) const {
    return Decide(key, ViaEc2(kOwner, &owner_info_), identity);
  }
  PolicyResult Member(const PolicyDocument& key, bool identity = true) const {
    return Decide(key, ViaEc2(kMember, &member_info_), identity);
  }
  PolicyResult Outsider(const PolicyDocument& key, bool identity = true) const {
    return Decide(key, ViaEc2(kOutsider, &outsider_info_), identity);
  }
};

constexpr char kDefault[] = R"({
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : { "AWS" : "arn:aws:iam::111122223333:root" },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
})";

TEST_F(DocumentedKeyPolicies, KMS_4_DefaultKeyPolicy) {
  const PolicyDocument key = Must(ParsePolicy(kDefault, PolicyKind::kKeyPolicy));
  EXPECT_TRUE(Owner(key).allowed());
  EXPECT_EQ(Owner(key, false).missing_allow, PolicyKind::kIdentity);
  EXPECT_EQ(Member(key).missing_allow, PolicyKind::kKeyPolicy);
  EXPECT_EQ(Outsider(key).missing_allow, PolicyKind::kKeyPolicy);
}

// The aws/ebs key's policy: any principal of the account, through EC2 in its Region.
constexpr char kEbsStyle[] = R"({"Version":"2012-10-17","Id":"auto-ebs-2","Statement":[
 {"Sid":"Allow access through EBS for all principals in the account that are authorized to use EBS",
  "Effect":"Allow","Principal":{"AWS":"*"},
  "Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:CreateGrant","kms:DescribeKey"],
  "Resource":"*",
  "Condition":{"StringEquals":{"kms:CallerAccount":"111122223333","kms:ViaService":"ec2.us-east-1.amazonaws.com"}}},
 {"Sid":"Allow direct access to key metadata to the account","Effect":"Allow",
  "Principal":{"AWS":"arn:aws:iam::111122223333:root"},
  "Action":["kms:Describe*","kms:Get*","kms:List*","kms:RevokeGrant"],"Resource":"*"}]})";

TEST_F(DocumentedKeyPolicies, KMS_4_EbsStylePolicyDecidesByCallerAccountAndViaService) {
  const PolicyDocument key = Must(ParsePolicy(kEbsStyle, PolicyKind::kKeyPolicy));
  // Any role of the account, through EC2, with no identity policy for KMS.
  const PolicyResult owner = Owner(key, false);
  EXPECT_TRUE(owner.allowed());
  EXPECT_THAT(owner.decided_by->statement, HasSubstr("Allow access through EBS"));
  EXPECT_EQ(Member(key).missing_allow, PolicyKind::kKeyPolicy);
  EXPECT_EQ(Outsider(key).missing_allow, PolicyKind::kKeyPolicy);
  // Not through EC2 (a direct call), or through EC2 in another Region: no.
  RequestContext direct = ViaEc2(kOwner, &owner_info_);
  direct.SetAbsent("kms:ViaService");
  EXPECT_FALSE(Decide(key, direct, false).allowed());
  RequestContext west = ViaEc2(kOwner, &owner_info_);
  west.Set("kms:ViaService", "ec2.eu-west-1.amazonaws.com");
  EXPECT_FALSE(Decide(key, west, false).allowed());
  // The metadata statement delegates DescribeKey to IAM, not Decrypt.
  EXPECT_TRUE(Decide(key, ViaEc2(kOwner, &owner_info_, "kms:DescribeKey")).allowed());
}

constexpr char kOrganizationWide[] = R"({"Version":"2012-10-17","Statement":[
 {"Sid":"Enable IAM User Permissions","Effect":"Allow",
  "Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
 {"Sid":"AllowOrganization","Effect":"Allow","Principal":"*",
  "Action":["kms:Decrypt","kms:DescribeKey","kms:CreateGrant","kms:ReEncrypt*"],"Resource":"*",
  "Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}]})";

TEST_F(DocumentedKeyPolicies, KMS_7_OrganizationWideAllow) {
  const PolicyDocument key = Must(ParsePolicy(kOrganizationWide, PolicyKind::kKeyPolicy));
  EXPECT_TRUE(Owner(key).allowed());
  EXPECT_TRUE(Member(key).allowed());
  // Across accounts the member's own identity policy must allow too (KMS-5).
  EXPECT_EQ(Member(key, false).missing_allow, PolicyKind::kIdentity);
  EXPECT_EQ(Outsider(key).missing_allow, PolicyKind::kKeyPolicy);
  // An account whose organization the state does not hold: unknown, never allowed.
  const PolicyResult unknown = Decide(key, ViaEc2(kMember, nullptr));
  EXPECT_FALSE(unknown.allowed());
  EXPECT_THAT(unknown.residual, ::testing::Contains(HasSubstr("aws:PrincipalOrgID")));
}

constexpr char kPerimeter[] = R"({"Version":"2012-10-17","Statement":[
 {"Sid":"Enable IAM User Permissions","Effect":"Allow",
  "Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
 {"Sid":"AllowUse","Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Decrypt","Resource":"*"},
 {"Sid":"DenyOutsideOrganization","Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*",
  "Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}]})";

TEST_F(DocumentedKeyPolicies, KMS_7_PerimeterDeny) {
  const PolicyDocument key = Must(ParsePolicy(kPerimeter, PolicyKind::kKeyPolicy));
  EXPECT_TRUE(Owner(key).allowed());
  EXPECT_TRUE(Member(key).allowed());
  const PolicyResult outsider = Outsider(key);
  EXPECT_EQ(outsider.outcome, Outcome::kExplicitDeny);
  EXPECT_THAT(outsider.decided_by->statement, HasSubstr("DenyOutsideOrganization"));
  // Organization unknown: the Deny may apply, so no allow.
  EXPECT_FALSE(Decide(key, ViaEc2(kMember, nullptr)).allowed());
}

constexpr char kNotPrincipal[] = R"({"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"},
 {"Sid":"OnlyAdmin","Effect":"Deny",
  "NotPrincipal":{"AWS":["arn:aws:iam::111122223333:role/admin","arn:aws:iam::111122223333:root"]},
  "Action":"kms:*","Resource":"*"}]})";

TEST_F(DocumentedKeyPolicies, KMS_4_NotPrincipalDeny) {
  const PolicyDocument key = Must(ParsePolicy(kNotPrincipal, PolicyKind::kKeyPolicy));
  EXPECT_TRUE(Decide(key, ViaEc2(kOwner, &owner_info_, "kms:Decrypt", "admin")).allowed());
  EXPECT_EQ(Owner(key).outcome, Outcome::kExplicitDeny);
  EXPECT_EQ(Member(key).outcome, Outcome::kExplicitDeny);
  EXPECT_EQ(Outsider(key).outcome, Outcome::kExplicitDeny);
}

constexpr char kServicePrincipal[] = R"({"Version":"2012-10-17","Statement":[
 {"Sid":"Enable IAM User Permissions","Effect":"Allow",
  "Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
 {"Sid":"AllowCloudTrail","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},
  "Action":"kms:GenerateDataKey*","Resource":"*"}]})";

TEST_F(DocumentedKeyPolicies, KMS_4_ServicePrincipal) {
  const PolicyDocument key = Must(ParsePolicy(kServicePrincipal, PolicyKind::kKeyPolicy));
  RequestContext trail;
  trail.service_principal = "cloudtrail.amazonaws.com";
  trail.action = "kms:GenerateDataKey";
  trail.resource = kKey;
  EXPECT_TRUE(Decide(key, trail, false).allowed());
  trail.action = "kms:Decrypt";
  EXPECT_FALSE(Decide(key, trail, false).allowed());
  // The statement names the service, not the accounts.
  EXPECT_EQ(Member(key).missing_allow, PolicyKind::kKeyPolicy);
  EXPECT_EQ(Outsider(key).missing_allow, PolicyKind::kKeyPolicy);
}

constexpr char kSourceIp[] = R"({"Version":"2012-10-17","Statement":[
 {"Sid":"Enable IAM User Permissions","Effect":"Allow",
  "Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
 {"Sid":"Office","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},
  "Action":"kms:Decrypt","Resource":"*",
  "Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]})";

TEST_F(DocumentedKeyPolicies, KMS_5_SourceIpIsAResidualCondition) {
  const PolicyDocument key = Must(ParsePolicy(kSourceIp, PolicyKind::kKeyPolicy));
  EXPECT_TRUE(Owner(key).allowed());
  const PolicyResult member = Member(key);
  EXPECT_FALSE(member.allowed());
  ASSERT_EQ(member.residual.size(), 1u);
  EXPECT_THAT(member.residual[0], HasSubstr("allowed only if"));
  EXPECT_THAT(member.residual[0], HasSubstr("IpAddress aws:SourceIp"));
  RequestContext in_office = ViaEc2(kMember, &member_info_);
  in_office.Set("aws:SourceIp", "203.0.113.9");
  EXPECT_TRUE(Decide(key, in_office).allowed());
  in_office.Set("aws:SourceIp", "198.51.100.9");
  const PolicyResult away = Decide(key, in_office);
  EXPECT_FALSE(away.allowed());
  EXPECT_TRUE(away.residual.empty());
  EXPECT_EQ(Outsider(key).missing_allow, PolicyKind::kKeyPolicy);
}

// ---- The same documents as keys of a Cloud (KmsKey, KeyPolicy::Parse, EvaluateKeyUse) ----------

// The key owner (111122223333) and b (444455556666) in o-a1b2c3d4e5, c (777788889999) outside.
class DocumentedKeysInTheCloud : public testing::CloudFixture {
 protected:
  void SetUp() override {
    ASSERT_THAT(cloud->CreateOrganization(org, owner, "r-ab12"), testing::IsOk());
    ASSERT_THAT(cloud->AddAccount(b, org), testing::IsOk());
  }
  // A key of the owner whose whole policy is `document`, as CreateKey takes it.
  KmsKeyArn KeyWith(const char* document) {
    CreateKeyRequest request;
    request.description = "documented";
    request.policy_document = Must(KeyPolicy::Parse(document));
    return Must(cloud->CreateKey(CallContext{owner, east}, request));
  }
  // May `who`'s root user use the key as EC2 does for a volume it reads?
  Decision Use(AccountId who, const KmsKeyArn& key,
               KmsActions actions = policy::ReadKeyActions()) const {
    return cloud->Evaluate(
        [&](const StateView& v) { return policy::EvaluateKeyUse(v, who, key, actions); });
  }
};

TEST_F(DocumentedKeysInTheCloud, KMS_4_DefaultKeyPolicy) {
  const KmsKeyArn key = KeyWith(kDefault);
  EXPECT_TRUE(Use(owner, key).allowed());
  EXPECT_FALSE(Use(b, key).allowed());
  EXPECT_FALSE(Use(c, key).allowed());
}

TEST_F(DocumentedKeysInTheCloud, KMS_4_EbsStylePolicy) {
  const KmsKeyArn key = KeyWith(kEbsStyle);
  EXPECT_TRUE(Use(owner, key).allowed()) << Use(owner, key).Explain();
  EXPECT_FALSE(Use(b, key).allowed());
  EXPECT_FALSE(Use(c, key).allowed());
}

TEST_F(DocumentedKeysInTheCloud, KMS_7_OrganizationWideAllow) {
  const KmsKeyArn key = KeyWith(kOrganizationWide);
  EXPECT_TRUE(Use(owner, key).allowed());
  EXPECT_TRUE(Use(b, key).allowed()) << Use(b, key).Explain();
  EXPECT_FALSE(Use(c, key).allowed());
}

TEST_F(DocumentedKeysInTheCloud, KMS_7_PerimeterDeny) {
  const KmsKeyArn key = KeyWith(kPerimeter);
  const KmsActions decrypt = KmsActions::Of({KmsAction::kDecrypt});
  EXPECT_TRUE(Use(owner, key, decrypt).allowed());
  EXPECT_TRUE(Use(b, key, decrypt).allowed()) << Use(b, key, decrypt).Explain();
  const Decision outsider = Use(c, key, decrypt);
  EXPECT_FALSE(outsider.allowed());
  EXPECT_THAT(outsider.Explain(), HasSubstr("DenyOutsideOrganization"));
}

TEST_F(DocumentedKeysInTheCloud, KMS_4_NotPrincipalDeny) {
  const KmsKeyArn key = KeyWith(kNotPrincipal);
  EXPECT_TRUE(Use(owner, key).allowed());  // The root user is among the principals spared.
  EXPECT_FALSE(Use(b, key).allowed());
  EXPECT_FALSE(Use(c, key).allowed());
}

TEST_F(DocumentedKeysInTheCloud, KMS_4_ServicePrincipal) {
  const KmsKeyArn key = KeyWith(kServicePrincipal);
  EXPECT_TRUE(Use(owner, key).allowed());
  EXPECT_FALSE(Use(b, key).allowed());
  EXPECT_FALSE(Use(c, key).allowed());
}

TEST_F(DocumentedKeysInTheCloud, KMS_5_SourceIpIsAResidualCondition) {
  const KmsKeyArn key = KeyWith(kSourceIp);
  const KmsActions decrypt = KmsActions::Of({KmsAction::kDecrypt});
  EXPECT_TRUE(Use(owner, key, decrypt).allowed());
  const Decision member = Use(b, key, decrypt);
  EXPECT_FALSE(member.allowed());
  EXPECT_THAT(member.Explain(), HasSubstr("allowed only if"));
  EXPECT_THAT(member.Explain(), HasSubstr("IpAddress aws:SourceIp [203.0.113.0/24]"));
  EXPECT_FALSE(Use(c, key, decrypt).allowed());
}

// ---- Image condition keys (IAM-3, IAM-4, IAM-7) --------------------------------------------------

Image MakeImage(AccountId owner, OwnerAlias alias, bool is_public) {
  const Snapshot root = Snapshot::Builder()
                            .set_id(SnapshotId::Long(0x5eed))
                            .set_owner(owner)
                            .set_region(kEast)
                            .set_volume_size_gib(8)
                            .set_start_time(kNow)
                            .Build()
                            .value();
  Image::Builder b;
  b.set_id(ImageId::Long(0xa11e))
      .set_name("golden")
      .set_owner(owner)
      .set_owner_alias(alias)
      .set_region(kEast)
      .set_creation_time(kNow)
      .add_snapshot_mapping("/dev/xvda", root);
  if (is_public) b.set_launch_permissions(LaunchPermissions::Create({}, true, {}, {}).value());
  return b.Build().value();
}

PolicyResult Launch(const PolicyDocument& identity, const Image& image) {
  const Caller caller{kMember, "arn:aws:iam::444455556666:role/dev", nullptr, nullptr};
  RequestContext ctx =
      BaseContext(caller, "ec2:RunInstances", ImageArn(kEast, image.id()), kEast, kNow);
  AddImageKeys(image, TagSet(), &ctx);
  PolicyInputs in;
  in.identity = {NamedPolicy{"arn:aws:iam::444455556666:policy/Launch", &identity}};
  return Evaluate(in, ctx);
}

// The documented example: RunInstances only for images Amazon owns.
TEST(ImageConditionKeys, IAM_4_OnlyAmazonImages) {
  const PolicyDocument p = Must(ParsePolicy(R"({"Version":"2012-10-17","Statement":[{
      "Effect":"Allow","Action":"ec2:RunInstances","Resource":"arn:aws:ec2:us-east-1::image/ami-*",
      "Condition":{"StringEquals":{"ec2:Owner":"amazon"}}}]})",
                                            PolicyKind::kIdentity));
  EXPECT_TRUE(Launch(p, MakeImage(AccountId::FromNumber(137112412989), OwnerAlias::kAmazon, true))
                  .allowed());
  EXPECT_FALSE(Launch(p, MakeImage(kOwner, OwnerAlias::kNone, true)).allowed());
}

TEST(ImageConditionKeys, IAM_3_PublicTypeAndRootDevice) {
  const PolicyDocument p = Must(ParsePolicy(R"({"Version":"2012-10-17","Statement":[{
      "Effect":"Allow","Action":"ec2:RunInstances","Resource":"*",
      "Condition":{"Bool":{"ec2:Public":"false"},"StringEquals":{"ec2:ImageType":"machine",
                   "ec2:RootDeviceType":"ebs","ec2:Owner":"111122223333","ec2:Region":"us-east-1"}}}]})",
                                            PolicyKind::kIdentity));
  EXPECT_TRUE(Launch(p, MakeImage(kOwner, OwnerAlias::kNone, false)).allowed());
  EXPECT_FALSE(Launch(p, MakeImage(kOwner, OwnerAlias::kNone, true)).allowed());
  const Image image = MakeImage(kOwner, OwnerAlias::kNone, false);
  auto only = [](absl::string_view id) {
    return Must(ParsePolicy(
        absl::StrCat(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)",
                     R"("Action":"ec2:RunInstances","Resource":"*",)",
                     R"("Condition":{"StringEquals":{"ec2:ImageID":")", id, R"("}}}]})"),
        PolicyKind::kIdentity));
  };
  EXPECT_TRUE(Launch(only(image.id().ToString()), image).allowed());
  EXPECT_FALSE(Launch(only("ami-0123456789abcdef0"), image).allowed());
}

TEST(ImageConditionKeys, IAM_7_DenialNamesPrincipalActionAndResource) {
  const PolicyDocument p = Must(ParsePolicy(R"({"Version":"2012-10-17","Statement":[{
      "Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]})",
                                            PolicyKind::kIdentity));
  const Image image = MakeImage(kOwner, OwnerAlias::kNone, false);
  const PolicyResult r = Launch(p, image);
  EXPECT_EQ(r.outcome, Outcome::kImplicitDeny);
  const Caller caller{kMember, "arn:aws:iam::444455556666:role/dev", nullptr, nullptr};
  const RequestContext ctx =
      BaseContext(caller, "ec2:RunInstances", ImageArn(kEast, image.id()), kEast, kNow);
  EXPECT_EQ(DenialMessage(r, ctx),
            absl::StrCat("User: arn:aws:iam::444455556666:role/dev is not authorized to perform: "
                         "ec2:RunInstances on resource: arn:aws:ec2:us-east-1::image/",
                         image.id().ToString(),
                         " because no identity-based policy allows the ec2:RunInstances action"));
}

}  // namespace
}  // namespace ami::lang
