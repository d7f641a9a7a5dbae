// Tests for KmsActions and KmsKey::Builder (KMS-1 … KMS-15).
#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "ami/ami.h"
#include "policy/key_policy.h"
#include "ami/io/proto.h"
#include "absl/hash/hash_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::ami::testing::MessageHas;
using ::testing::ElementsAre;

constexpr char kUuid[] = "1234abcd-12ab-34cd-56ef-1234567890ab";
constexpr char kMrk[] = "mrk-1234abcd12ab34cd56ef1234567890ab";

AccountId Account(absl::string_view text) { return *AccountId::Parse(text); }

KmsKeyArn KeyArn(absl::string_view key_id = kUuid, absl::string_view region = "us-east-1") {
  return KmsKeyArn::Of(Account("111122223333"), *Region::Parse(region), *KmsKeyId::Parse(key_id));
}

absl::Time Jan15() {
  return absl::FromCivil(absl::CivilSecond(2024, 1, 15, 10, 20, 30), absl::UTCTimeZone());
}

KeyPolicyStatement AccountStatement() {
  KeyPolicyStatement s;
  s.sid = "AllowUse";
  s.accounts = {Account("444455556666")};
  s.actions = EbsRequiredKmsActions();
  return s;
}

KmsGrant Grant() {
  return KmsGrant{"grant-1", Account("444455556666"), KmsActions::Of({KmsAction::kDecrypt})};
}

KmsKey::Builder ValidKey() {
  KmsKey::Builder b;
  b.set_arn(KeyArn());
  return b;
}

// ---- KmsActions --------------------------------------------------------------------------------

TEST(KmsActions, ParsesOneAction) {
  absl::StatusOr<KmsActions> a = KmsActions::Parse({"kms:Decrypt"});
  ASSERT_THAT(a, IsOk());
  EXPECT_TRUE(a->Has(KmsAction::kDecrypt));
  EXPECT_FALSE(a->Has(KmsAction::kEncrypt));
  EXPECT_EQ(a->bits(), static_cast<uint16_t>(KmsAction::kDecrypt));
}

TEST(KmsActions, EmptyListIsEmpty) {
  absl::StatusOr<KmsActions> a = KmsActions::Parse({});
  ASSERT_THAT(a, IsOk());
  EXPECT_TRUE(a->empty());
}

struct WildcardCase {
  std::string action;
  KmsActions expected;
};

class KmsActionWildcardTest : public ::testing::TestWithParam<WildcardCase> {};

TEST_P(KmsActionWildcardTest, ExpandsToModelledActions) {
  absl::StatusOr<KmsActions> a = KmsActions::Parse({GetParam().action});
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(*a, GetParam().expected) << GetParam().action;
}

INSTANTIATE_TEST_SUITE_P(
    Wildcards, KmsActionWildcardTest,
    ::testing::Values(WildcardCase{"kms:*", KmsActions::All()},
                      WildcardCase{"kms:ReEncrypt*", KmsActions::Of({KmsAction::kReEncryptFrom,
                                                                     KmsAction::kReEncryptTo})},
                      WildcardCase{"kms:GenerateDataKey*",
                                   KmsActions::Of({KmsAction::kGenerateDataKey,
                                                   KmsAction::kGenerateDataKeyWithoutPlaintext})},
                      WildcardCase{"kms:Describe*", KmsActions::Of({KmsAction::kDescribeKey})},
                      WildcardCase{"kms:List*", KmsActions::Of({KmsAction::kListGrants})},
                      WildcardCase{"kms:Get*", KmsActions()},
                      WildcardCase{"kms:CreateGrant", KmsActions::Of({KmsAction::kCreateGrant})}));

TEST(KmsActions, KMS_7_OrganizationSharingActionsParse) {
  absl::StatusOr<KmsActions> a =
      KmsActions::Parse({"kms:Describe*", "kms:List*", "kms:Get*", "kms:Encrypt", "kms:Decrypt",
                         "kms:ReEncrypt*", "kms:GenerateDataKey*"});
  ASSERT_THAT(a, IsOk());
  EXPECT_TRUE(a->HasAll(
      KmsActions::Of({KmsAction::kDescribeKey, KmsAction::kListGrants, KmsAction::kEncrypt,
                      KmsAction::kDecrypt, KmsAction::kReEncryptFrom, KmsAction::kReEncryptTo,
                      KmsAction::kGenerateDataKeyWithoutPlaintext})));
  EXPECT_FALSE(a->Has(KmsAction::kCreateGrant));
  EXPECT_FALSE(a->Has(KmsAction::kRevokeGrant));
}

TEST(KmsActions, UnknownActionIsInvalidParameterValue) {
  EXPECT_THAT(KmsActions::Parse({"kms:Decrypt", "kms:Frobnicate"}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(KmsActions, ActionWithoutServicePrefixIsInvalidParameterValue) {
  EXPECT_THAT(KmsActions::Parse({"Decrypt"}), HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(KmsActions, OtherServiceActionIsInvalidParameterValue) {
  EXPECT_THAT(KmsActions::Parse({"ec2:CreateImage"}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(KmsActions, ToStringsUsesFixedOrderWithoutWildcards) {
  EXPECT_THAT(KmsActions::Of({KmsAction::kDescribeKey, KmsAction::kEncrypt}).ToStrings(),
              ElementsAre("kms:Encrypt", "kms:DescribeKey"));
  EXPECT_EQ(KmsActions::All().ToStrings().size(), 11u);
}

TEST(KmsActions, ToStringsParsesBackToTheSameSet) {
  const KmsActions all = KmsActions::All();
  absl::StatusOr<KmsActions> back = KmsActions::Parse(all.ToStrings());
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(*back, all);
}

TEST(KmsActions, UnionAndHasAll) {
  const KmsActions a = KmsActions::Of({KmsAction::kEncrypt});
  const KmsActions b = KmsActions::Of({KmsAction::kDecrypt});
  const KmsActions both = a.Union(b);
  EXPECT_TRUE(both.HasAll(a));
  EXPECT_TRUE(both.HasAll(b));
  EXPECT_FALSE(a.HasAll(both));
  EXPECT_NE(a, b);
  EXPECT_TRUE(KmsActions().empty());
  EXPECT_FALSE(both.empty());
}

TEST(KmsActions, KMS_8_EbsRequiredActions) {
  const KmsActions ebs = EbsRequiredKmsActions();
  EXPECT_TRUE(ebs.HasAll(
      KmsActions::Of({KmsAction::kCreateGrant, KmsAction::kDecrypt, KmsAction::kDescribeKey,
                      KmsAction::kReEncryptFrom, KmsAction::kGenerateDataKeyWithoutPlaintext})));
  EXPECT_FALSE(ebs.Has(KmsAction::kEncrypt));
  EXPECT_FALSE(ebs.Has(KmsAction::kRevokeGrant));
}

// ---- KmsKey::Builder: rejections ---------------------------------------------------------------

TEST(KmsKeyBuilder, MissingArnIsMissingParameter) {
  EXPECT_THAT(KmsKey::Builder().set_description("no arn").Build(),
              HasErrorCode(ErrorCode::kMissingParameter));
}

TEST(KmsKeyBuilder, KMS_14_MrkIdWithoutMultiRegionRoleIsInvalid) {
  EXPECT_THAT(ValidKey().set_arn(KeyArn(kMrk)).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(KmsKeyBuilder, KMS_14_PrimaryRoleWithUuidIdIsInvalid) {
  EXPECT_THAT(ValidKey().set_multi_region_role(MultiRegionRole::kPrimary).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(KmsKeyBuilder, KMS_14_ReplicaRoleWithUuidIdIsInvalid) {
  EXPECT_THAT(ValidKey().set_multi_region_role(MultiRegionRole::kReplica).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

class KmsKeyBadSpecTest : public ::testing::TestWithParam<std::string> {};

TEST_P(KmsKeyBadSpecTest, IsInvalidParameterValue) {
  EXPECT_THAT(ValidKey().set_key_spec(GetParam()).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

INSTANTIATE_TEST_SUITE_P(Specs, KmsKeyBadSpecTest,
                         ::testing::Values("", "symmetric_default", "RSA-2048", "RSA 2048",
                                           std::string(65, 'A')));

TEST(KmsKeyBuilder, KMS_1_AwsManagedKeyCannotBeMultiRegion) {
  EXPECT_THAT(ValidKey()
                  .set_arn(KeyArn(kMrk))
                  .set_multi_region_role(MultiRegionRole::kPrimary)
                  .set_manager(KeyManager::kAws)
                  .Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(KmsKeyBuilder, KMS_2_AwsManagedKeyMustBeSymmetric) {
  EXPECT_THAT(ValidKey().set_manager(KeyManager::kAws).set_key_spec("RSA_2048").Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(KmsKeyBuilder, KMS_15_DeletionTimeWhileEnabledIsInvalid) {
  EXPECT_THAT(ValidKey().set_deletion_time(Jan15()).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(KmsKeyBuilder, KMS_15_DeletionTimeWhileDisabledIsInvalid) {
  EXPECT_THAT(ValidKey().set_state(KeyState::kDisabled).set_deletion_time(Jan15()).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(KmsKeyBuilder, KMS_15_PendingDeletionWithoutDeletionTimeIsInvalid) {
  EXPECT_THAT(ValidKey().set_state(KeyState::kPendingDeletion).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(KmsKeyBuilder, KMS_4_StatementWithoutPrincipalIsInvalid) {
  KeyPolicyStatement s = AccountStatement();
  s.sid = "Nobody";
  s.accounts.clear();
  absl::StatusOr<KmsKey> key = ValidKey().add_policy_statement(s).Build();
  EXPECT_THAT(key, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(key, MessageHas("Nobody"));
}

TEST(KmsKeyBuilder, KMS_4_GrantWithoutOperationsIsInvalid) {
  KmsGrant g = Grant();
  g.operations = KmsActions();
  EXPECT_THAT(ValidKey().add_grant(g).Build(), HasErrorCode(ErrorCode::kInvalidParameterValue));
}

// ---- KmsKey::Builder: valid keys ---------------------------------------------------------------

TEST(KmsKeyBuilder, DefaultsOfAMinimalKey) {
  absl::StatusOr<KmsKey> key = ValidKey().Build();
  ASSERT_THAT(key, IsOk());
  EXPECT_EQ(key->arn(), KeyArn());
  EXPECT_EQ(key->id().ToString(), kUuid);
  EXPECT_EQ(key->account().ToString(), "111122223333");
  EXPECT_EQ(key->region().code(), "us-east-1");
  EXPECT_EQ(key->manager(), KeyManager::kCustomer);
  EXPECT_FALSE(key->is_aws_managed());
  EXPECT_TRUE(key->enabled());
  EXPECT_EQ(key->multi_region_role(), MultiRegionRole::kNone);
  EXPECT_EQ(key->key_spec(), "SYMMETRIC_DEFAULT");
  EXPECT_TRUE(key->symmetric());
  EXPECT_EQ(key->creation_time(), absl::UnixEpoch());
  EXPECT_FALSE(key->deletion_time().has_value());
  // KMS-4: a key made without a policy has the default key policy of its account.
  EXPECT_EQ(key->policy(), KeyPolicy::Default(key->account()));
  EXPECT_TRUE(key->grants().empty());
}

TEST(KmsKeyBuilder, GettersReturnWhatWasSet) {
  const TagSet tags = *TagSet::Create({*Tag::Create("team", "storage")});
  absl::StatusOr<KmsKey> key = ValidKey()
                                   .set_arn(KeyArn(kMrk, "eu-west-1"))
                                   .set_multi_region_role(MultiRegionRole::kReplica)
                                   .set_state(KeyState::kPendingDeletion)
                                   .set_deletion_time(Jan15() + absl::Hours(24 * 7))
                                   .set_key_spec("RSA_2048")
                                   .set_description("replica")
                                   .set_creation_time(Jan15())
                                   .add_policy_statement(AccountStatement())
                                   .add_grant(Grant())
                                   .set_tags(tags)
                                   .Build();
  ASSERT_THAT(key, IsOk());
  EXPECT_EQ(key->region().code(), "eu-west-1");
  EXPECT_TRUE(key->id().is_multi_region());
  EXPECT_EQ(key->multi_region_role(), MultiRegionRole::kReplica);
  EXPECT_EQ(key->state(), KeyState::kPendingDeletion);
  EXPECT_FALSE(key->enabled());
  EXPECT_EQ(key->deletion_time(), Jan15() + absl::Hours(24 * 7));
  EXPECT_EQ(key->key_spec(), "RSA_2048");
  EXPECT_FALSE(key->symmetric());
  EXPECT_EQ(key->description(), "replica");
  EXPECT_EQ(key->creation_time(), Jan15());
  ASSERT_EQ(key->policy().statement_count(), 2u);  // The default statement, then this one.
  EXPECT_EQ(key->policy().compiled().document.statements[1].sid, "AllowUse");
  EXPECT_THAT(key->grants(), ElementsAre(Grant()));
  EXPECT_EQ(key->tags(), tags);
}

TEST(KmsKeyBuilder, KMS_14_MrkIdWithPrimaryRoleBuilds) {
  EXPECT_THAT(
      ValidKey().set_arn(KeyArn(kMrk)).set_multi_region_role(MultiRegionRole::kPrimary).Build(),
      IsOk());
}

TEST(KmsKeyBuilder, KMS_1_AwsManagedSymmetricKeyBuilds) {
  absl::StatusOr<KmsKey> key = ValidKey().set_manager(KeyManager::kAws).Build();
  ASSERT_THAT(key, IsOk());
  EXPECT_TRUE(key->is_aws_managed());
}

TEST(KmsKeyBuilder, ValidKeySpecsBuild) {
  for (const char* spec : {"RSA_2048", "ECC_NIST_P256", "HMAC_256", "SM2"}) {
    EXPECT_THAT(ValidKey().set_key_spec(spec).Build(), IsOk()) << spec;
  }
  EXPECT_THAT(ValidKey().set_key_spec(std::string(64, 'A')).Build(), IsOk());
}

TEST(KmsKeyBuilder, StatementWithAnyPrincipalOnlyBuilds) {
  KeyPolicyStatement s;
  s.sid = "Org";
  s.any_principal = true;
  s.principal_org_ids = {*OrganizationId::Parse("o-a1b2c3d4e5")};
  s.actions = KmsActions::Of({KmsAction::kDecrypt});
  EXPECT_THAT(ValidKey().add_policy_statement(s).Build(), IsOk());
}

TEST(KmsKeyBuilder, SetPolicyReplacesAndAddAppends) {
  KeyPolicyStatement other = AccountStatement();
  other.sid = "Other";
  absl::StatusOr<KmsKey> key = ValidKey()
                                   .add_policy_statement(AccountStatement())
                                   .set_policy({other})
                                   .add_policy_statement(AccountStatement())
                                   .Build();
  ASSERT_THAT(key, IsOk());
  ASSERT_EQ(key->policy().statement_count(), 3u);
  EXPECT_EQ(key->policy().compiled().document.statements[1].sid, "Other");
  EXPECT_EQ(key->policy().compiled().document.statements[2].sid, "AllowUse");
}

TEST(KmsKeyBuilder, ToBuilderRoundTripsToAnEqualKey) {
  absl::StatusOr<KmsKey> key = ValidKey()
                                   .set_description("d")
                                   .add_policy_statement(AccountStatement())
                                   .add_grant(Grant())
                                   .Build();
  ASSERT_THAT(key, IsOk());
  absl::StatusOr<KmsKey> again = key->ToBuilder().Build();
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(*again, *key);
}

TEST(KmsKeyBuilder, EachChangedFieldMakesAnUnequalKey) {
  const KmsKey base = *ValidKey().Build();
  const std::vector<std::function<void(KmsKey::Builder&)>> changes = {
      [](KmsKey::Builder& b) { b.set_arn(KeyArn(kUuid, "us-west-2")); },
      [](KmsKey::Builder& b) { b.set_manager(KeyManager::kAws); },
      [](KmsKey::Builder& b) { b.set_state(KeyState::kDisabled); },
      [](KmsKey::Builder& b) { b.set_key_spec("RSA_4096"); },
      [](KmsKey::Builder& b) { b.set_description("changed"); },
      [](KmsKey::Builder& b) { b.set_creation_time(Jan15()); },
      [](KmsKey::Builder& b) { b.add_policy_statement(AccountStatement()); },
      [](KmsKey::Builder& b) { b.add_grant(Grant()); },
      [](KmsKey::Builder& b) { b.set_tags(*TagSet::Create({*Tag::Create("k", "v")})); },
  };
  for (size_t i = 0; i < changes.size(); ++i) {
    KmsKey::Builder b = base.ToBuilder();
    changes[i](b);
    absl::StatusOr<KmsKey> changed = b.Build();
    ASSERT_THAT(changed, IsOk()) << "change " << i;
    EXPECT_NE(*changed, base) << "change " << i;
  }
}

TEST(KmsActions, IAM_1_ActionNamesAreCaseInsensitive) {
  absl::StatusOr<KmsActions> actions = KmsActions::Parse({"KMS:decrypt", "kms:reencrypt*"});
  ASSERT_THAT(actions, IsOk());
  EXPECT_TRUE(actions->Has(KmsAction::kDecrypt));
  EXPECT_TRUE(actions->Has(KmsAction::kReEncryptTo));
  EXPECT_FALSE(actions->Has(KmsAction::kEncrypt));
}

TEST(KmsKeyBuilder, KMS_1_AwsManagedKeyCannotBePendingDeletion) {
  EXPECT_THAT(ValidKey()
                  .set_manager(KeyManager::kAws)
                  .set_state(KeyState::kPendingDeletion)
                  .set_deletion_time(absl::FromUnixSeconds(1800000000))
                  .Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(ValidKey().set_manager(KeyManager::kAws).Build(), IsOk());
}

TEST(KmsKeyBuilder, InfiniteCreationTimeIsInvalid) {
  EXPECT_THAT(ValidKey().set_creation_time(absl::InfiniteFuture()).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(KmsActions, WildcardsExpandOverRealActionsAndUnmodelledOnesAddNothing) {
  absl::StatusOr<KmsActions> admin = KmsActions::Parse({"kms:Create*", "kms:Revoke*", "kms:PutKeyPolicy",
                                                        "kms:Enable*", "kms:TagResource"});
  ASSERT_THAT(admin, IsOk());
  EXPECT_EQ(*admin, KmsActions::Of({KmsAction::kCreateGrant, KmsAction::kRevokeGrant}));
  EXPECT_THAT(KmsActions::Parse({"kms:Frobnicate*"}), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(KmsActions::Parse({"s3:GetObject"}), HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(KmsKeyHash, EqualKeysHashEquallyAndEachFieldCounts) {
  const KmsKey base = *ValidKey().Build();
  KeyPolicyStatement s;
  s.accounts = {*AccountId::Parse("444455556666")};
  s.actions = KmsActions::All();
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly({
      base,
      *base.ToBuilder().set_state(KeyState::kDisabled).Build(),
      *base.ToBuilder().set_description("other").Build(),
      *base.ToBuilder().add_policy_statement(s).Build(),
      *base.ToBuilder().add_grant({"g1", *AccountId::Parse("444455556666"), KmsActions::All()}).Build(),
  }));
}

}  // namespace
}  // namespace ami
