// KMS administration, the account settings, the Allowed AMIs settings and the Recycle Bin's
// rules called as an IAM principal (IAM-2, IAM-7, KMS-5): KMS operations on a key are authorized
// by the key policy together with the caller's identity policies and SCPs; the others by IAM
// alone. A refused call changes nothing.
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
using ::testing::HasSubstr;

std::string Allow(const std::string& actions, const std::string& resource = "\"*\"") {
  return absl::StrCat(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":)",
                      actions, R"(,"Resource":)", resource, "}]}");
}

const std::string kKmsAll = Allow(R"("kms:*")");
const std::string kEc2All = Allow(R"("ec2:*")");
const std::string kRbinAll = Allow(R"("rbin:*")");

class IamKmsOpsTest : public testing::CloudFixture {
 protected:
  void SetUp() override { CreateOrganizationTree(); }

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
  // A key of `owner` whose whole policy allows kms:* to `principal` only.
  KmsKeyArn KeyFor(const std::string& principal, bool multi_region = false) {
    CreateKeyRequest r{"only one role", multi_region};
    r.policy_document = Must(KeyPolicy::Parse(absl::StrCat(
        R"({"Version":"2012-10-17","Statement":[{"Sid":"OnlyOne","Effect":"Allow",)",
        R"("Principal":{"AWS":")", principal, R"("},"Action":"kms:*","Resource":"*"}]})")));
    return Must(cloud->CreateKey(as_owner, r));
  }
  KmsKey Key(const KmsKeyArn& arn) const { return Must(cloud->DescribeKey(as_owner, arn.ToString())); }
  bool HasAlias(const std::string& alias) const {
    return cloud->DescribeKey(as_owner, alias).ok();
  }

  // Every key operation on `key` as `ctx` answers `code`, and the key is unchanged.
  void ExpectKeyOperationsRefused(const CallContext& ctx, const KmsKeyArn& key, ErrorCode code) {
    const KmsKey before = Key(key);
    const std::string k = key.ToString();
    EXPECT_THAT(cloud->PutKeyPolicy(ctx, k, std::vector<KeyPolicyStatement>{}), HasErrorCode(code));
    EXPECT_THAT(cloud->CreateGrant(ctx, k, b, policy::ReadKeyActions()).status(),
                HasErrorCode(code));
    EXPECT_THAT(cloud->DisableKey(ctx, k), HasErrorCode(code));
    EXPECT_THAT(cloud->EnableKey(ctx, k), HasErrorCode(code));
    EXPECT_THAT(cloud->ScheduleKeyDeletion(ctx, k, 7), HasErrorCode(code));
    EXPECT_THAT(cloud->DescribeKey(ctx, k).status(), HasErrorCode(code));
    EXPECT_THAT(cloud->CreateAlias(ctx, "alias/refused", k), HasErrorCode(code));
    const KmsKey after = Key(key);
    EXPECT_EQ(after.state(), before.state());
    EXPECT_EQ(after.grants().size(), before.grants().size());
    EXPECT_TRUE(after.policy() == before.policy());
    EXPECT_FALSE(HasAlias("alias/refused"));
  }
};

// KMS-5: the default key policy lets the account's IAM policies decide.
TEST_F(IamKmsOpsTest, KMS_5_RoleAllowedByIamManagesAKeyWithTheDefaultPolicy) {
  const CallContext admin = As(owner, Role(owner, "kms-admin", kKmsAll));
  const KmsKeyArn key = Must(cloud->CreateKey(admin, {"by a role"}));
  const std::string k = key.ToString();
  EXPECT_THAT(cloud->DescribeKey(admin, k), IsOk());
  EXPECT_THAT(cloud->CreateGrant(admin, k, b, policy::ReadKeyActions()), IsOk());
  EXPECT_THAT(cloud->CreateAlias(admin, "alias/app", k), IsOk());
  EXPECT_THAT(cloud->PutKeyPolicy(admin, k, std::vector<KeyPolicyStatement>{}), IsOk());
  EXPECT_THAT(cloud->DisableKey(admin, k), IsOk());
  EXPECT_THAT(cloud->EnableKey(admin, k), IsOk());
  EXPECT_THAT(cloud->ScheduleKeyDeletion(admin, k, 7), IsOk());
  EXPECT_EQ(Key(key).state(), KeyState::kPendingDeletion);
  EXPECT_TRUE(HasAlias("alias/app"));
  const KmsKeyArn primary = Must(cloud->CreateKey(admin, {"primary", true}));
  EXPECT_THAT(cloud->ReplicateKey(admin, primary.ToString(), "eu-west-1"), IsOk());
}

TEST_F(IamKmsOpsTest, KMS_5_RoleWithoutKmsPermissionIsAccessDenied) {
  const CallContext ec2_only = As(owner, Role(owner, "ec2-only", kEc2All));
  const KmsKeyArn key = CustomerKey(as_owner);
  ExpectKeyOperationsRefused(ec2_only, key, ErrorCode::kAccessDeniedException);
  const absl::Status s = cloud->DisableKey(ec2_only, key.ToString());
  EXPECT_THAT(s.message(), HasSubstr("because no identity-based policy allows the kms:DisableKey"));
  const size_t keys = cloud->ListKeys().size();
  EXPECT_THAT(cloud->CreateKey(ec2_only, {"refused"}).status(),
              HasErrorCode(ErrorCode::kAccessDeniedException));
  EXPECT_EQ(cloud->ListKeys().size(), keys);
  const KmsKeyArn primary = NewKey(owner, east, {}, true);
  EXPECT_THAT(cloud->ReplicateKey(ec2_only, primary.ToString(), "eu-west-1").status(),
              HasErrorCode(ErrorCode::kAccessDeniedException));
  EXPECT_EQ(cloud->ListKeys().size(), keys + 1);
}

// KMS-5: a key policy that names one role and not the account: IAM alone allows nothing, and
// the role it names needs no identity policy in the key's own account.
TEST_F(IamKmsOpsTest, KMS_5_KeyPolicyNamingAnotherRoleRefusesARoleIamAllows) {
  const std::string named = Role(owner, "key-admin", Allow(R"("ec2:DescribeImages")"));
  const CallContext admin = As(owner, Role(owner, "kms-admin", kKmsAll));
  const KmsKeyArn key = KeyFor(named);
  ExpectKeyOperationsRefused(admin, key, ErrorCode::kAccessDeniedException);
  const absl::Status s = cloud->PutKeyPolicy(admin, key.ToString(), std::vector<KeyPolicyStatement>{});
  EXPECT_THAT(s.message(), HasSubstr("because no resource-based policy allows"));
  const KmsKeyArn primary = KeyFor(named, true);
  EXPECT_THAT(cloud->ReplicateKey(admin, primary.ToString(), "eu-west-1").status(),
              HasErrorCode(ErrorCode::kAccessDeniedException));
  // The role the key policy names.
  EXPECT_THAT(cloud->DisableKey(As(owner, named), key.ToString()), IsOk());
  EXPECT_EQ(Key(key).state(), KeyState::kDisabled);
  // The account's root user manages its own keys as before (KMS-1).
  EXPECT_THAT(cloud->EnableKey(as_owner, key.ToString()), IsOk());
}

TEST_F(IamKmsOpsTest, KMS_5_ExplicitDenyInTheIdentityPolicyWins) {
  const std::string role = Role(owner, "no-delete", R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":"kms:*","Resource":"*"},
      {"Effect":"Deny","Action":"kms:ScheduleKeyDeletion","Resource":"*"}]})");
  const KmsKeyArn key = KeyFor(role);  // The key policy names the role itself.
  const absl::Status s = cloud->ScheduleKeyDeletion(As(owner, role), key.ToString(), 7);
  EXPECT_THAT(s, HasErrorCode(ErrorCode::kAccessDeniedException));
  EXPECT_THAT(s.message(), HasSubstr("with an explicit deny in an identity-based policy"));
  EXPECT_EQ(Key(key).state(), KeyState::kEnabled);
  EXPECT_THAT(cloud->DisableKey(As(owner, role), key.ToString()), IsOk());
}

// IAM-2: an SCP binds the roles and the root user of the accounts under it.
TEST_F(IamKmsOpsTest, IAM_2_ScpDeniesKeyDeletion) {
  ASSERT_THAT(iam::PutServiceControlPolicy(*cloud, org, "p-nokeydelete",
                                           {"NoKeyDeletion", R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Deny","Action":"kms:ScheduleKeyDeletion","Resource":"*"}]})"}),
              IsOk());
  ASSERT_THAT(iam::AttachServiceControlPolicy(*cloud, "p-nokeydelete", parent_ou.ToString()), IsOk());
  const CallContext root{in_child, east};
  const KmsKeyArn key = CustomerKey(root);
  const CallContext admin = As(in_child, Role(in_child, "kms-admin", kKmsAll));
  for (const CallContext& ctx : {admin, root}) {
    const absl::Status s = cloud->ScheduleKeyDeletion(ctx, key.ToString(), 7);
    EXPECT_THAT(s, HasErrorCode(ErrorCode::kAccessDeniedException));
    EXPECT_THAT(s.message(), HasSubstr("service control policy"));
  }
  EXPECT_THAT(cloud->DisableKey(admin, key.ToString()), IsOk());
  EXPECT_EQ(Must(cloud->DescribeKey(root, key.ToString())).state(), KeyState::kDisabled);
}

// KMS-5: kms:CreateAlias on the alias comes from IAM, on the key from the key policy.
TEST_F(IamKmsOpsTest, KMS_5_CreateAliasNeedsTheAliasAndTheKey) {
  const KmsKeyArn key = CustomerKey(as_owner);
  const std::string key_only =
      Role(owner, "key-only", Allow(R"("kms:CreateAlias")", absl::StrCat("\"", key.ToString(), "\"")));
  EXPECT_THAT(cloud->CreateAlias(As(owner, key_only), "alias/app", key.ToString()),
              HasErrorCode(ErrorCode::kAccessDeniedException));
  EXPECT_FALSE(HasAlias("alias/app"));
  const std::string both = Role(owner, "both", Allow(R"("kms:CreateAlias")",
      absl::StrCat("[\"", key.ToString(), "\",\"arn:aws:kms:us-east-1:111122223333:alias/app\"]")));
  EXPECT_THAT(cloud->CreateAlias(As(owner, both), "alias/app", key.ToString()), IsOk());
  EXPECT_TRUE(HasAlias("alias/app"));
}

// KMS-5: across accounts, the key policy naming the principal and its own IAM policy.
TEST_F(IamKmsOpsTest, KMS_5_DescribeKeyOfAnotherAccountAsARole) {
  const std::string reader = Role(b, "reader", Allow(R"("kms:DescribeKey")"));
  const std::string ec2_only = Role(b, "ec2-only", kEc2All);
  KeyPolicyStatement allow;
  allow.sid = "Roles";
  allow.iam_principals = {reader, ec2_only};
  allow.actions = KmsActions::Of({KmsAction::kDescribeKey});
  const KmsKeyArn key = NewKey(owner, east, {allow});
  EXPECT_EQ(Must(cloud->DescribeKey(As(b, reader), key.ToString())).arn(), key);
  EXPECT_THAT(cloud->DescribeKey(As(b, ec2_only), key.ToString()).status(),
              HasErrorCode(ErrorCode::kAccessDeniedException));
  // The account's AWS managed key: its policy lets IAM decide.
  EXPECT_THAT(cloud->DescribeKey(As(b, reader), "alias/aws/ebs"), IsOk());
  EXPECT_THAT(cloud->DescribeKey(As(b, ec2_only), "alias/aws/ebs").status(),
              HasErrorCode(ErrorCode::kAccessDeniedException));
}

// IAM-7: the account settings support no resource-level permissions: IAM is asked for "*".
TEST_F(IamKmsOpsTest, IAM_7_AccountSettingsAskIam) {
  const CallContext admin = As(owner, Role(owner, "ec2-admin", kEc2All));
  const CallContext kms_only = As(owner, Role(owner, "kms-only", kKmsAll));
  const CallContext scoped = As(owner, Role(owner, "scoped", Allow(R"("ec2:*")",
                                                               R"("arn:aws:ec2:*:111122223333:*")")));
  const KmsKeyArn key = CustomerKey(as_owner);
  const RegionSettings before = cloud->GetSettings(owner, east);
  for (const CallContext& ctx : {kms_only, scoped}) {
    const ErrorCode code = ErrorCode::kUnauthorizedOperation;
    EXPECT_THAT(cloud->EnableEbsEncryptionByDefault(ctx), HasErrorCode(code));
    EXPECT_THAT(cloud->DisableEbsEncryptionByDefault(ctx), HasErrorCode(code));
    EXPECT_THAT(cloud->ModifyEbsDefaultKmsKeyId(ctx, key.ToString()), HasErrorCode(code));
    EXPECT_THAT(cloud->ResetEbsDefaultKmsKeyId(ctx), HasErrorCode(code));
    EXPECT_THAT(cloud->EnableImageBlockPublicAccess(ctx), HasErrorCode(code));
    EXPECT_THAT(cloud->DisableImageBlockPublicAccess(ctx), HasErrorCode(code));
    EXPECT_THAT(cloud->EnableSnapshotBlockPublicAccess(ctx, "block-all-sharing"), HasErrorCode(code));
    EXPECT_THAT(cloud->DisableSnapshotBlockPublicAccess(ctx), HasErrorCode(code));
  }
  EXPECT_TRUE(cloud->GetSettings(owner, east) == before);
  EXPECT_THAT(cloud->EnableEbsEncryptionByDefault(admin), IsOk());
  EXPECT_THAT(cloud->ModifyEbsDefaultKmsKeyId(admin, key.ToString()), IsOk());
  EXPECT_THAT(cloud->EnableImageBlockPublicAccess(admin), IsOk());
  EXPECT_THAT(cloud->EnableSnapshotBlockPublicAccess(admin, "block-all-sharing"), IsOk());
  const RegionSettings after = cloud->GetSettings(owner, east);
  EXPECT_TRUE(after.encryption_by_default);
  EXPECT_EQ(after.default_kms_key, key);
  EXPECT_EQ(after.snapshot_block_public_access, RegionSettings::SnapshotBlock::kBlockAllSharing);
  EXPECT_THAT(cloud->DisableEbsEncryptionByDefault(admin), IsOk());
  EXPECT_THAT(cloud->ResetEbsDefaultKmsKeyId(admin), IsOk());
  EXPECT_THAT(cloud->DisableImageBlockPublicAccess(admin), IsOk());
  EXPECT_THAT(cloud->DisableSnapshotBlockPublicAccess(admin), IsOk());
  EXPECT_FALSE(cloud->GetSettings(owner, east).encryption_by_default);
}

TEST_F(IamKmsOpsTest, IAM_7_AllowedImagesSettingsAskIam) {
  const CallContext admin = As(owner, Role(owner, "ec2-admin", kEc2All));
  const CallContext kms_only = As(owner, Role(owner, "kms-only", kKmsAll));
  ImageCriterion amazon_only;
  amazon_only.image_providers = {"amazon"};
  EXPECT_THAT(cloud->EnableAllowedImagesSettings(kms_only, AllowedImagesState::kEnabled),
              HasErrorCode(ErrorCode::kUnauthorizedOperation));
  EXPECT_THAT(cloud->ReplaceImageCriteriaInAllowedImagesSettings(kms_only, {amazon_only}),
              HasErrorCode(ErrorCode::kUnauthorizedOperation));
  EXPECT_EQ(cloud->GetAllowedImagesSettings(owner, east).state, AllowedImagesState::kDisabled);
  EXPECT_TRUE(cloud->GetAllowedImagesSettings(owner, east).criteria.empty());
  EXPECT_THAT(cloud->EnableAllowedImagesSettings(admin, AllowedImagesState::kEnabled), IsOk());
  EXPECT_THAT(cloud->ReplaceImageCriteriaInAllowedImagesSettings(admin, {amazon_only}), IsOk());
  EXPECT_THAT(cloud->DisableAllowedImagesSettings(kms_only),
              HasErrorCode(ErrorCode::kUnauthorizedOperation));
  EXPECT_EQ(cloud->GetAllowedImagesSettings(owner, east).state, AllowedImagesState::kEnabled);
  EXPECT_THAT(cloud->DisableAllowedImagesSettings(admin), IsOk());
  EXPECT_EQ(cloud->GetAllowedImagesSettings(owner, east).state, AllowedImagesState::kDisabled);
}

// IAM-7: rbin:CreateRule, DeleteRule, LockRule and UnlockRule on the rule's ARN; the Recycle
// Bin answers AccessDeniedException.
TEST_F(IamKmsOpsTest, IAM_7_RecycleBinRulesAskIam) {
  const CallContext admin = As(owner, Role(owner, "rbin-admin", kRbinAll));
  const CallContext ec2_only = As(owner, Role(owner, "ec2-only", kEc2All));
  CreateRuleRequest request;
  request.resource_type = "EC2_IMAGE";
  request.retention_days = 7;
  EXPECT_THAT(cloud->CreateRecycleBinRule(ec2_only, request).status(),
              HasErrorCode(ErrorCode::kAccessDeniedException));
  EXPECT_TRUE(cloud->ListRecycleBinRules(owner, east).empty());
  const std::string id = Must(cloud->CreateRecycleBinRule(admin, request));
  const std::string other_rule = Role(owner, "other-rule", Allow(R"("rbin:*")",
      R"("arn:aws:rbin:us-east-1:111122223333:rule/other")"));
  for (const CallContext& ctx : {ec2_only, As(owner, other_rule)}) {
    EXPECT_THAT(cloud->LockRecycleBinRule(ctx, id, 7), HasErrorCode(ErrorCode::kAccessDeniedException));
    EXPECT_THAT(cloud->DeleteRecycleBinRule(ctx, id), HasErrorCode(ErrorCode::kAccessDeniedException));
  }
  EXPECT_EQ(cloud->ListRecycleBinRules(owner, east).at(0).lock_state, RuleLockState::kUnlocked);
  const std::string this_rule = Role(owner, "this-rule", Allow(R"("rbin:*")",
      absl::StrCat(R"("arn:aws:rbin:us-east-1:111122223333:rule/)", id, "\"")));
  EXPECT_THAT(cloud->LockRecycleBinRule(As(owner, this_rule), id, 7), IsOk());
  EXPECT_THAT(cloud->UnlockRecycleBinRule(ec2_only, id), HasErrorCode(ErrorCode::kAccessDeniedException));
  EXPECT_EQ(cloud->ListRecycleBinRules(owner, east).at(0).lock_state, RuleLockState::kLocked);
  EXPECT_THAT(cloud->UnlockRecycleBinRule(admin, id), IsOk());
  // A rule of the other resource type is not this role's.
  const std::string images_only = Role(owner, "images-only", R"({"Version":"2012-10-17","Statement":[{
      "Effect":"Allow","Action":"rbin:CreateRule","Resource":"*",
      "Condition":{"StringEquals":{"rbin:Request/ResourceType":"EC2_IMAGE"}}}]})");
  request.resource_type = "EBS_SNAPSHOT";
  EXPECT_THAT(cloud->CreateRecycleBinRule(As(owner, images_only), request).status(),
              HasErrorCode(ErrorCode::kAccessDeniedException));
  request.resource_type = "EC2_IMAGE";
  EXPECT_THAT(cloud->CreateRecycleBinRule(As(owner, images_only), request), IsOk());
  EXPECT_EQ(cloud->ListRecycleBinRules(owner, east).size(), 2u);
}

}  // namespace
}  // namespace ami
