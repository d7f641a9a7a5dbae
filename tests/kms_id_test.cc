#include "ami/kms_id.h"

#include <string>

#include "absl/hash/hash_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;

constexpr char kUuid[] = "1234abcd-12ab-34cd-56ef-1234567890ab";
constexpr char kMrk[] = "mrk-1234abcd12ab34cd56ef1234567890ab";
constexpr char kKeyArn[] =
    "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
constexpr char kAliasArn[] = "arn:aws:kms:us-east-2:111122223333:alias/ExampleAlias";

TEST(KmsKeyId, ID_12_UuidRoundTrips) {
  absl::StatusOr<KmsKeyId> id = KmsKeyId::Parse(kUuid);
  ASSERT_THAT(id, IsOk());
  EXPECT_EQ(id->ToString(), kUuid);
  EXPECT_FALSE(id->is_multi_region());
}

TEST(KmsKeyId, ID_12_MultiRegionIdRoundTrips) {
  absl::StatusOr<KmsKeyId> id = KmsKeyId::Parse(kMrk);
  ASSERT_THAT(id, IsOk());
  EXPECT_EQ(id->ToString(), kMrk);
  EXPECT_TRUE(id->is_multi_region());
}

TEST(KmsKeyId, SameBitsInBothFormsAreDifferentKeys) {
  EXPECT_NE(*KmsKeyId::Parse(kUuid), *KmsKeyId::Parse(kMrk));
}

TEST(KmsKeyId, EqualTextGivesEqualIds) {
  EXPECT_EQ(*KmsKeyId::Parse(kUuid), *KmsKeyId::Parse(std::string(kUuid)));
}

TEST(KmsKeyId, ID_15_UppercaseIsRejected) {
  EXPECT_THAT(KmsKeyId::Parse("1234ABCD-12ab-34cd-56ef-1234567890ab"),
              HasErrorCode(ErrorCode::kKmsNotFoundException));
}
TEST(KmsKeyId, ID_15_WrongGroupingIsRejected) {
  EXPECT_THAT(KmsKeyId::Parse("1234abcd12ab-34cd-56ef-1234567890ab-"),
              HasErrorCode(ErrorCode::kKmsNotFoundException));
  EXPECT_THAT(KmsKeyId::Parse("1234abcd-12ab-34cd-56ef-1234567890a"),
              HasErrorCode(ErrorCode::kKmsNotFoundException));
}
TEST(KmsKeyId, ID_12_ShortMrkIsRejected) {
  EXPECT_THAT(KmsKeyId::Parse("mrk-1234"), HasErrorCode(ErrorCode::kKmsNotFoundException));
}
TEST(KmsKeyId, ID_12_EmptyIsRejected) {
  EXPECT_THAT(KmsKeyId::Parse(""), HasErrorCode(ErrorCode::kKmsNotFoundException));
}

TEST(KmsKeyId, HashAndOrder) {
  const KmsKeyId a = *KmsKeyId::Parse(kUuid);
  const KmsKeyId b = *KmsKeyId::Parse(kMrk);
  const KmsKeyId c = *KmsKeyId::Parse("0000abcd-12ab-34cd-56ef-1234567890ab");
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly({a, b, c}));
  EXPECT_LT(c, a);  // "0000…" < "1234…"
  EXPECT_LT(a, b);  // "1234…" < "mrk-…"
  EXPECT_FALSE(a < a);
}

TEST(KmsKeyArn, ID_12_ParsesItsParts) {
  absl::StatusOr<KmsKeyArn> arn = KmsKeyArn::Parse(kKeyArn);
  ASSERT_THAT(arn, IsOk());
  EXPECT_EQ(arn->region().code(), "us-east-2");
  EXPECT_EQ(arn->account().ToString(), "111122223333");
  EXPECT_EQ(arn->key_id().ToString(), kUuid);
  EXPECT_EQ(arn->ToString(), kKeyArn);
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly(
      {*arn, KmsKeyArn::Of(arn->account(), *Region::Parse("eu-west-1"), arn->key_id())}));
}

TEST(KmsKeyArn, ID_12_MalformedArnsAreInvalidArn) {
  for (const char* bad :
       {"arn:aws:kms:us-east-2:111122223333:alias/x", "arn:aws:kms:us-east-2:1111:key/x",
        "arn:aws:s3:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws-cn:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:nowhere:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:us-east-2:111122223333:key/nope", "arn:aws:kms", kUuid}) {
    EXPECT_THAT(KmsKeyArn::Parse(bad), HasErrorCode(ErrorCode::kKmsInvalidArnException)) << bad;
  }
}

TEST(KmsKeyRef, ID_12_AllFourFormsParse) {
  absl::StatusOr<KmsKeyRef> id = KmsKeyRef::Parse(kUuid);
  ASSERT_THAT(id, IsOk());
  EXPECT_EQ(id->form(), KmsKeyRef::Form::kKeyId);
  EXPECT_FALSE(id->account().has_value());

  absl::StatusOr<KmsKeyRef> arn = KmsKeyRef::Parse(kKeyArn);
  ASSERT_THAT(arn, IsOk());
  EXPECT_EQ(arn->form(), KmsKeyRef::Form::kKeyArn);
  EXPECT_EQ(arn->key_arn()->ToString(), kKeyArn);

  absl::StatusOr<KmsKeyRef> alias = KmsKeyRef::Parse("alias/ExampleAlias");
  ASSERT_THAT(alias, IsOk());
  EXPECT_EQ(alias->form(), KmsKeyRef::Form::kAliasName);
  EXPECT_EQ(alias->alias_name(), "alias/ExampleAlias");
  EXPECT_FALSE(alias->key_id().has_value());

  absl::StatusOr<KmsKeyRef> alias_arn = KmsKeyRef::Parse(kAliasArn);
  ASSERT_THAT(alias_arn, IsOk());
  EXPECT_EQ(alias_arn->form(), KmsKeyRef::Form::kAliasArn);
  EXPECT_EQ(alias_arn->alias_name(), "alias/ExampleAlias");
  EXPECT_EQ(alias_arn->account()->ToString(), "111122223333");
  EXPECT_EQ(alias_arn->region()->code(), "us-east-2");

  for (const char* text : {kUuid, kMrk, kKeyArn, kAliasArn, "alias/aws/ebs"}) {
    EXPECT_EQ(KmsKeyRef::Parse(text)->ToString(), text);
    EXPECT_EQ(*KmsKeyRef::Parse(KmsKeyRef::Parse(text)->ToString()), *KmsKeyRef::Parse(text));
  }
}

TEST(KmsKeyRef, ID_14_OnlyArnFormsNameAnAccount) {
  EXPECT_TRUE(KmsKeyRef::Parse(kKeyArn)->account().has_value());
  EXPECT_TRUE(KmsKeyRef::Parse(kAliasArn)->account().has_value());
  EXPECT_FALSE(KmsKeyRef::Parse("alias/x")->account().has_value());
  EXPECT_FALSE(KmsKeyRef::Parse(kMrk)->account().has_value());
}

TEST(KmsKeyRef, ID_13_AwsManagedAliasIsRecognised) {
  EXPECT_TRUE(KmsKeyRef::Parse("alias/aws/ebs")->names_aws_managed_alias());
  EXPECT_FALSE(KmsKeyRef::Parse("alias/awsome")->names_aws_managed_alias());
  EXPECT_FALSE(KmsKeyRef::Parse(kUuid)->names_aws_managed_alias());
}

TEST(KmsKeyRef, ID_13_BadAliasNameIsNotFound) {
  EXPECT_THAT(KmsKeyRef::Parse("alias/"), HasErrorCode(ErrorCode::kKmsNotFoundException));
  EXPECT_THAT(KmsKeyRef::Parse("alias/has space"), HasErrorCode(ErrorCode::kKmsNotFoundException));
  EXPECT_THAT(KmsKeyRef::Parse("alias/" + std::string(251, 'a')),
              HasErrorCode(ErrorCode::kKmsNotFoundException));
}
TEST(KmsKeyRef, ID_12_GarbageIsNotFound) {
  EXPECT_THAT(KmsKeyRef::Parse("my-key"), HasErrorCode(ErrorCode::kKmsNotFoundException));
}
TEST(KmsKeyRef, ID_12_BadAliasArnIsInvalidArn) {
  EXPECT_THAT(KmsKeyRef::Parse("arn:aws:kms:us-east-2:111122223333:alias/"),
              HasErrorCode(ErrorCode::kKmsInvalidArnException));
  EXPECT_THAT(KmsKeyRef::Parse("arn:aws:kms:us-east-2:111122223333:grant/x"),
              HasErrorCode(ErrorCode::kKmsInvalidArnException));
}

TEST(ValidateNewAliasName, ID_13_CustomerAliasIsAccepted) {
  EXPECT_THAT(ValidateNewAliasName("alias/golden-ami/prod_1"), IsOk());
  EXPECT_THAT(ValidateNewAliasName("alias/" + std::string(250, 'a')), IsOk());
}
TEST(ValidateNewAliasName, ID_13_AwsPrefixIsReserved) {
  EXPECT_THAT(ValidateNewAliasName("alias/aws/ebs"), HasErrorCode(ErrorCode::kKmsInvalidAliasNameException));
  EXPECT_THAT(ValidateNewAliasName("alias/aws/mine"), HasErrorCode(ErrorCode::kKmsInvalidAliasNameException));
}
TEST(ValidateNewAliasName, ID_13_MissingPrefixIsInvalid) {
  EXPECT_THAT(ValidateNewAliasName("golden"), HasErrorCode(ErrorCode::kKmsInvalidAliasNameException));
  EXPECT_THAT(ValidateNewAliasName("alias/" + std::string(251, 'a')),
              HasErrorCode(ErrorCode::kKmsInvalidAliasNameException));
}

}  // namespace
}  // namespace ami
