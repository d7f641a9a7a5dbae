// Unknown never allows: a decision that needs a fact the model does not hold — a key-policy
// condition it cannot evaluate offline, an IAM identity instead of an account, a key or snapshot
// it never imported, two inputs that disagree — denies and says which fact was missing. Key
// policies as AWS documents them (KMS-4 … KMS-7), AWS managed keys (KMS-1, SHARE-16, SNAP-2),
// snapshots as the truth of an image's encryption (SHARE-14), and decisions without a permit.
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ami/ami.h"
#include "ami/cloud.h"
#include "ami/policy.h"
#include "ami/io/state_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cloud_fixture.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::Account;
using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::testing::HasSubstr;
using ::testing::Not;

const Region kEast = Region::Parse("us-east-1").value();

// An owner with a customer managed key in us-east-1, an image encrypted under it and shared with
// account b, and an organization that the owner and `member` belong to; `outsider` is an account
// in no organization and `stranger` one the cloud has never heard of.
class KeyPolicyTest : public testing::CloudFixture {
 protected:
  void SetUp() override {
    ASSERT_THAT(cloud->CreateOrganization(org, owner, "r-ab12"), IsOk());
    ASSERT_THAT(cloud->AddAccount(member, org), IsOk());
    ASSERT_THAT(cloud->AddAccount(outsider), IsOk());
  }

  // Imports the key with `policy`, and an image under it shared with `grantees`.
  void Seed(std::vector<KeyPolicyStatement> policy, std::vector<AccountId> grantees) {
    ASSERT_THAT(cloud->ImportKey(KmsKey::Builder().set_arn(key).set_policy(policy).Build().value()),
                IsOk());
    const Snapshot snap = OwnerSnapshot(0x51, key);
    ASSERT_THAT(cloud->ImportSnapshot(snap), IsOk());
    Image::Builder img = OwnerImageBuilder(snap);
    img.set_launch_permissions(LaunchPermissions::Create(std::move(grantees), false, {}, {}).value());
    Import(img);
  }

  // A completed 8 GiB snapshot of the owner in us-east-1, under `kms_key` when given.
  Snapshot OwnerSnapshot(uint64_t id, std::optional<KmsKeyArn> kms_key = std::nullopt) {
    Snapshot::Builder b = NewSnapshot(owner, kEast);
    b.set_id(SnapshotId::Long(id)).set_kms_key(std::move(kms_key));
    return b.Build().value();
  }

  // The owner's image "golden" in us-east-1 mapping `snap` as its root device.
  Image::Builder OwnerImageBuilder(const Snapshot& snap) {
    Image::Builder b = NewImage(owner, snap);
    b.set_id(image).set_name("golden");
    return b;
  }
  Image OwnerImage(const Snapshot& snap) { return OwnerImageBuilder(snap).Build().value(); }

  Decision Launch(AccountId caller) const {
    return cloud->Evaluate([&](const StateView& view) {
      return policy::EvaluateLaunch(view, {.caller = caller, .region = kEast, .image = image});
    });
  }

  Decision KeyUse(AccountId caller, KmsActions actions = EbsRequiredKmsActions()) const {
    return cloud->Evaluate([&](const StateView& view) {
      return policy::EvaluateKeyUse(view, caller, key, actions);
    });
  }

  AccountId member = Account("555566667777");
  AccountId outsider = Account("666677778888");
  AccountId stranger = c;
  KmsKeyArn key = KmsKeyArn::Parse(
      "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab").value();
  ImageId image = ImageId::Long(0x60);
};

// The cloud saved to a state file and loaded back.
std::unique_ptr<Cloud> RoundTrip(const Cloud& cloud) {
  std::stringstream bytes;
  EXPECT_THAT(SaveState(cloud, bytes), IsOk());
  absl::StatusOr<std::unique_ptr<Cloud>> loaded = LoadState(bytes);
  EXPECT_THAT(loaded, IsOk());
  return loaded.ok() ? std::move(*loaded) : Cloud::Create();
}

// A statement of `effect` for any principal, on every action, under `conditions`.
KeyPolicyStatement AnyoneIf(std::vector<PolicyCondition> conditions,
                            KeyPolicyStatement::Effect effect = KeyPolicyStatement::Effect::kAllow) {
  KeyPolicyStatement s;
  s.sid = effect == KeyPolicyStatement::Effect::kAllow ? "AllowIf" : "DenyIf";
  s.effect = effect;
  s.any_principal = true;
  s.conditions = std::move(conditions);
  s.actions = KmsActions::All();
  return s;
}

// The EBS-style statement: anyone, when the caller is `account` and EC2 in us-east-1 acts.
KeyPolicyStatement EbsStyle(AccountId account, const char* service = "ec2.us-east-1.amazonaws.com") {
  return AnyoneIf({{"StringEquals", "kms:CallerAccount", {account.ToString()}},
                   {"StringEquals", "kms:ViaService", {service}}});
}

KeyPolicyStatement AllowAccount(AccountId account) {
  KeyPolicyStatement s;
  s.sid = "AllowAccount";
  s.accounts = {account};
  s.actions = KmsActions::All();
  return s;
}

// ---- Conditions that libami can evaluate offline ----

TEST_F(KeyPolicyTest, KMS_5_EbsStylePolicyAllowsTheCallerAccountItNames) {
  Seed({EbsStyle(b)}, {b});
  EXPECT_TRUE(KeyUse(b).allowed()) << KeyUse(b).Explain();
  EXPECT_TRUE(Launch(b).allowed()) << Launch(b).Explain();
}

TEST_F(KeyPolicyTest, KMS_5_EbsStylePolicyDeniesAnotherCallerAccount) {
  Seed({EbsStyle(owner)}, {b});
  const Decision d = Launch(b);
  EXPECT_FALSE(d.allowed());
  EXPECT_TRUE(d.denied_later());  // The instance would start and terminate (LAUNCH-9).
  EXPECT_THAT(d.Explain(), HasSubstr("LAUNCH-9"));
  EXPECT_TRUE(Launch(owner).allowed()) << Launch(owner).Explain();
}

TEST_F(KeyPolicyTest, KMS_5_ViaServiceOfAnotherRegionDoesNotAllow) {
  Seed({EbsStyle(b, "ec2.eu-west-1.amazonaws.com")}, {b});
  EXPECT_FALSE(KeyUse(b).allowed());
}

TEST_F(KeyPolicyTest, KMS_5_StringEqualsIgnoreCaseIsEvaluated) {
  Seed({AnyoneIf({{"StringEqualsIgnoreCase", "KMS:ViaService", {"EC2.US-EAST-1.AMAZONAWS.COM"}},
                  {"StringEquals", "kms:CallerAccount", {b.ToString()}}})},
       {b});
  EXPECT_TRUE(KeyUse(b).allowed()) << KeyUse(b).Explain();
  EXPECT_FALSE(KeyUse(outsider).allowed());
}

TEST_F(KeyPolicyTest, KMS_6_GrantIsForAwsResourceHoldsOnlyForCreateGrant) {
  KeyPolicyStatement use = AllowAccount(b);
  use.actions = KmsActions::FromBits(KmsActions::All().bits() &
                                     ~static_cast<uint16_t>(KmsAction::kCreateGrant));
  KeyPolicyStatement attach = AllowAccount(b);
  attach.actions = KmsActions::Of({KmsAction::kCreateGrant});
  attach.conditions = {{"Bool", "kms:GrantIsForAWSResource", {"true"}}};
  Seed({use, attach}, {b});
  EXPECT_TRUE(KeyUse(b).allowed()) << KeyUse(b).Explain();
}

TEST_F(KeyPolicyTest, KMS_6_GrantIsForAwsResourceFalseDoesNotAllowCreateGrant) {
  KeyPolicyStatement use = AllowAccount(b);
  use.actions = KmsActions::FromBits(KmsActions::All().bits() &
                                     ~static_cast<uint16_t>(KmsAction::kCreateGrant));
  KeyPolicyStatement attach = AllowAccount(b);
  attach.actions = KmsActions::Of({KmsAction::kCreateGrant});
  attach.conditions = {{"Bool", "kms:GrantIsForAWSResource", {"false"}}};
  Seed({use, attach}, {b});
  EXPECT_FALSE(KeyUse(b).allowed());
}

TEST_F(KeyPolicyTest, KMS_7_PerimeterDenyLetsTheOrganizationThrough) {
  Seed({AllowAccount(owner), AllowAccount(member), AllowAccount(outsider),
        AnyoneIf({{"StringNotEquals", "aws:PrincipalOrgID", {org.ToString()}}},
                 KeyPolicyStatement::Effect::kDeny)},
       {member, outsider});
  EXPECT_TRUE(Launch(owner).allowed()) << Launch(owner).Explain();
  EXPECT_TRUE(Launch(member).allowed()) << Launch(member).Explain();
}

TEST_F(KeyPolicyTest, KMS_7_PerimeterDenyStopsAccountsOutsideTheOrganization) {
  Seed({AllowAccount(outsider),
        AnyoneIf({{"StringNotEquals", "aws:PrincipalOrgID", {org.ToString()}}},
                 KeyPolicyStatement::Effect::kDeny)},
       {outsider});
  const Decision d = KeyUse(outsider);
  EXPECT_FALSE(d.allowed());
  EXPECT_THAT(d.Explain(), HasSubstr("denies account `666677778888`"));
}

TEST_F(KeyPolicyTest, KMS_7_AnAccountTheStateDoesNotKnowIsNotTakenForAMember) {
  Seed({AllowAccount(stranger),
        AnyoneIf({{"StringNotEquals", "aws:PrincipalOrgID", {org.ToString()}}},
                 KeyPolicyStatement::Effect::kDeny)},
       {stranger});
  const Decision d = KeyUse(stranger);
  EXPECT_FALSE(d.allowed());
  EXPECT_THAT(d.Explain(), HasSubstr("denied if"));
  EXPECT_THAT(d.Explain(), HasSubstr("StringNotEquals aws:PrincipalOrgID"));
}

TEST_F(KeyPolicyTest, KMS_7_AnOrganizationAllowLetsInOnlyKnownMembers) {
  KeyPolicyStatement s = AnyoneIf({});
  s.principal_org_ids = {org};
  Seed({s}, {member, stranger, outsider});
  EXPECT_TRUE(KeyUse(member).allowed()) << KeyUse(member).Explain();
  EXPECT_FALSE(KeyUse(stranger).allowed());
  EXPECT_FALSE(KeyUse(outsider).allowed());
}

// ---- Conditions that cannot be known offline ----

TEST_F(KeyPolicyTest, KMS_5_AllowUnderAnUnknownConditionNeverGrants) {
  KeyPolicyStatement s = AllowAccount(b);
  s.conditions = {{"IpAddress", "aws:SourceIp", {"10.0.0.0/8"}}};
  Seed({s}, {b});
  const Decision d = KeyUse(b);
  EXPECT_FALSE(d.allowed());
  EXPECT_THAT(d.Explain(), HasSubstr("IpAddress aws:SourceIp [10.0.0.0/8]"));
  EXPECT_THAT(d.Explain(), HasSubstr("cannot be known offline"));
  EXPECT_FALSE(Launch(b).allowed());
}

TEST_F(KeyPolicyTest, KMS_5_AllowWithoutTheUnknownConditionGrants) {
  Seed({AllowAccount(b)}, {b});
  EXPECT_TRUE(KeyUse(b).allowed());
}

TEST_F(KeyPolicyTest, KMS_5_UnknownKeyUnderAKnownOperatorNeverGrants) {
  KeyPolicyStatement s = AllowAccount(b);
  s.conditions = {{"StringEqualsIgnoreCase", "aws:PrincipalTag/team", {"platform"}}};
  Seed({s}, {b});
  EXPECT_FALSE(KeyUse(b).allowed());
}

TEST_F(KeyPolicyTest, KMS_5_PolicyVariablesOfUnknownKeysAreUnknown) {
  Seed({AnyoneIf({{"StringEquals", "kms:CallerAccount", {"${aws:SourceIdentity}"}}})}, {b});
  EXPECT_FALSE(KeyUse(b).allowed());
}

TEST_F(KeyPolicyTest, KMS_5_PolicyVariablesOfKnownKeysAreSubstituted) {
  Seed({AnyoneIf({{"StringEquals", "kms:CallerAccount", {"${aws:PrincipalAccount}"}}})}, {b});
  EXPECT_TRUE(KeyUse(b).allowed());
}

TEST_F(KeyPolicyTest, KMS_4_DenyUnderAnUnknownConditionApplies) {
  Seed({AllowAccount(b),
        AnyoneIf({{"NotIpAddress", "aws:SourceIp", {"10.0.0.0/8"}}},
                 KeyPolicyStatement::Effect::kDeny)},
       {b});
  const Decision d = KeyUse(b);
  EXPECT_FALSE(d.allowed());
  EXPECT_THAT(d.Explain(), HasSubstr("NotIpAddress aws:SourceIp"));
  // It applies to the owner too: no fact says the caller's address is inside the range.
  EXPECT_FALSE(KeyUse(owner).allowed());
}

TEST_F(KeyPolicyTest, KMS_4_DenyWhoseKnownConditionIsFalseDoesNotApply) {
  Seed({AllowAccount(b),
        AnyoneIf({{"StringEquals", "kms:CallerAccount", {outsider.ToString()}},
                  {"IpAddress", "aws:SourceIp", {"10.0.0.0/8"}}},
                 KeyPolicyStatement::Effect::kDeny)},
       {b});
  EXPECT_TRUE(KeyUse(b).allowed()) << KeyUse(b).Explain();
}

TEST_F(KeyPolicyTest, KMS_5_ARoleOfTheAccountDoesNotGrantTheWholeAccount) {
  KeyPolicyStatement s;
  s.sid = "AllowRole";
  s.iam_principals = {"arn:aws:iam::444455556666:role/ami-builder"};
  s.actions = KmsActions::All();
  Seed({s}, {b});
  const Decision d = KeyUse(b);
  EXPECT_FALSE(d.allowed());
  EXPECT_THAT(d.Explain(), HasSubstr("neither the key policy nor a grant allows"));
}

TEST_F(KeyPolicyTest, KMS_4_ADenyNamingARoleDoesNotApplyToTheRootUser) {
  KeyPolicyStatement deny;
  deny.sid = "DenyRole";
  deny.effect = KeyPolicyStatement::Effect::kDeny;
  deny.iam_principals = {"arn:aws:iam::444455556666:role/contractor"};
  deny.actions = KmsActions::All();
  Seed({AllowAccount(b), deny}, {b});
  // A call without a principal is the account's root user, which the Deny does not name.
  EXPECT_TRUE(KeyUse(b).allowed());
  EXPECT_TRUE(KeyUse(owner).allowed());
}

TEST(KeyPolicyStatement, IamPrincipalsMustBeIamArnsOfOneIdentity) {
  const KmsKeyArn arn = KmsKeyArn::Parse(
      "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab").value();
  KeyPolicyStatement s;
  s.iam_principals = {"arn:aws:iam::444455556666:root"};
  s.actions = KmsActions::All();
  EXPECT_THAT(KmsKey::Builder().set_arn(arn).add_policy_statement(s).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  s.iam_principals = {"arn:aws:iam::444455556666:role/x"};
  EXPECT_THAT(KmsKey::Builder().set_arn(arn).add_policy_statement(s).Build(), IsOk());
  s.conditions = {{"StringEquals", "", {"x"}}};
  EXPECT_THAT(KmsKey::Builder().set_arn(arn).add_policy_statement(s).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST_F(KeyPolicyTest, ConditionsAndIamPrincipalsSurviveAStateFile) {
  KeyPolicyStatement s = EbsStyle(b);
  s.iam_principals = {"arn:aws:iam::444455556666:role/ami-builder"};
  Seed({s, AllowAccount(owner)}, {b});
  EXPECT_EQ(RoundTrip(*cloud)->GetKey(key)->policy(), cloud->GetKey(key)->policy());
}

// ---- Keys and snapshots the state does not hold ----

class UnknownFactsTest : public KeyPolicyTest {
 protected:
  // An image of the owner whose root snapshot is encrypted under `snapshot_key`.
  void SeedUnder(const KmsKeyArn& snapshot_key) {
    const Snapshot snap = OwnerSnapshot(0x52, snapshot_key);
    ASSERT_THAT(cloud->ImportSnapshot(snap), IsOk());
    ASSERT_THAT(cloud->ImportImage(OwnerImage(snap)),
                IsOk());
  }

  Decision ShareWithB() const {
    return cloud->Evaluate([&](const StateView& view) {
      policy::ShareQuestion q{.caller = owner, .region = kEast, .image = image};
      q.change.add_accounts = {b};
      return policy::EvaluateModifyLaunchPermission(view, q);
    });
  }

  Decision ShareSnapshotWithB() const {
    return cloud->Evaluate([&](const StateView& view) {
      return policy::EvaluateModifySnapshotPermission(
          view, {.caller = owner, .region = kEast, .snapshot = SnapshotId::Long(0x52),
                 .add_accounts = {b}});
    });
  }
};

TEST_F(UnknownFactsTest, SHARE_16_AKeyTheStateDoesNotHoldIsNotTakenForACustomerKey) {
  SeedUnder(key);  // Never imported.
  const Decision d = ShareWithB();
  EXPECT_FALSE(d.allowed());
  EXPECT_THAT(d.Explain(), HasSubstr("which the state does not hold"));
}

TEST_F(UnknownFactsTest, SHARE_16_AKnownCustomerKeyMayBeShared) {
  ASSERT_THAT(cloud->ImportKey(KmsKey::Builder().set_arn(key).Build().value()), IsOk());
  SeedUnder(key);
  EXPECT_TRUE(ShareWithB().allowed()) << ShareWithB().Explain();
}

TEST_F(UnknownFactsTest, SNAP_2_AKeyTheStateDoesNotHoldBlocksSnapshotSharing) {
  SeedUnder(key);
  EXPECT_FALSE(ShareSnapshotWithB().allowed());
}

TEST_F(UnknownFactsTest, SNAP_2_AKnownCustomerKeyAllowsSnapshotSharing) {
  ASSERT_THAT(cloud->ImportKey(KmsKey::Builder().set_arn(key).Build().value()), IsOk());
  SeedUnder(key);
  EXPECT_TRUE(ShareSnapshotWithB().allowed()) << ShareSnapshotWithB().Explain();
}

// ---- AWS managed keys imported as what they are ----

const char kEbsDescription[] = "Default key that protects my EBS volumes when no other key is defined";

KmsKey AwsManaged(const KmsKeyArn& arn, const char* description = kEbsDescription) {
  return KmsKey::Builder()
      .set_arn(arn)
      .set_manager(KeyManager::kAws)
      .set_description(description)
      .Build()
      .value();
}

TEST_F(UnknownFactsTest, SHARE_16_AnImportedAwsManagedKeyCannotBeShared) {
  ASSERT_THAT(cloud->ImportKey(AwsManaged(key)), IsOk());
  SeedUnder(key);
  const Decision d = ShareWithB();
  EXPECT_FALSE(d.allowed());
  EXPECT_EQ(d.reasons().front().rule(), "SHARE-16");
  EXPECT_FALSE(ShareSnapshotWithB().allowed());
}

TEST_F(UnknownFactsTest, KMS_1_TheOwnerMayLaunchUnderItsImportedAwsManagedKey) {
  ASSERT_THAT(cloud->ImportKey(AwsManaged(key)), IsOk());
  SeedUnder(key);
  EXPECT_TRUE(Launch(owner).allowed()) << Launch(owner).Explain();
  EXPECT_FALSE(KeyUse(b).allowed());
}

TEST_F(UnknownFactsTest, KMS_2_AnImportedAwsEbsKeyIsTheAccountsDefaultKey) {
  ASSERT_THAT(cloud->ImportKey(AwsManaged(key)), IsOk());
  ASSERT_THAT(cloud->ImportAlias(owner, kEast, "alias/aws/ebs", key), IsOk());
  EXPECT_EQ(cloud->GetSettings(owner, kEast).default_kms_key, key);
  CallContext ctx;
  ctx.account = owner;
  ctx.region = kEast;
  const absl::StatusOr<KmsKey> described = cloud->DescribeKey(ctx, "alias/aws/ebs");
  ASSERT_THAT(described, IsOk());
  EXPECT_EQ(described->arn(), key);
  // Its policy, like every AWS managed key's, cannot be changed (KMS-1).
  EXPECT_THAT(cloud->PutKeyPolicy(ctx, key.ToString(), {AllowAccount(b)}),
              HasErrorCode(ErrorCode::kOperationNotPermitted));
  // And it survives a state file.
  EXPECT_EQ(RoundTrip(*cloud)->GetSettings(owner, kEast).default_kms_key, key);
}

TEST_F(UnknownFactsTest, KMS_2_AliasAwsEbsMayNameOnlyAnAwsManagedKeyOfTheAccount) {
  ASSERT_THAT(cloud->ImportKey(KmsKey::Builder().set_arn(key).Build().value()), IsOk());
  EXPECT_THAT(cloud->ImportAlias(owner, kEast, "alias/aws/ebs", key),
              HasErrorCode(ErrorCode::kInvalidParameterCombination));
  EXPECT_THAT(cloud->ImportAlias(b, kEast, "alias/mine", key),
              HasErrorCode(ErrorCode::kInvalidParameterCombination));
  EXPECT_THAT(cloud->ImportAlias(owner, kEast, "alias/mine", key), IsOk());
}

// ---- The snapshot is the truth of an image's encryption ----

TEST_F(UnknownFactsTest, SHARE_14_AnImageThatDisagreesWithItsSnapshotIsRefused) {
  ASSERT_THAT(cloud->ImportKey(KmsKey::Builder().set_arn(key).Build().value()), IsOk());
  const Snapshot snap = OwnerSnapshot(0x53, key);
  ASSERT_THAT(cloud->ImportSnapshot(snap), IsOk());
  BlockDeviceMapping m;
  m.device_name = "/dev/xvda";
  m.ebs = EbsBlockDevice{.snapshot_id = snap.id(), .volume_size_gib = 8};  // Says unencrypted.
  const Image lying = Image::Builder()
                          .set_id(image)
                          .set_name("golden")
                          .set_owner(owner)
                          .set_region(kEast)
                          .add_block_device_mapping(m)
                          .Build()
                          .value();
  EXPECT_THAT(cloud->ImportImage(lying), HasErrorCode(ErrorCode::kInvalidParameterCombination));
  EXPECT_FALSE(cloud->GetImage(image).has_value());
  // Told the truth, it imports, and cannot be made public.
  m.ebs->encrypted = true;
  m.ebs->kms_key = key;
  const Image honest = lying.ToBuilder().set_block_device_mappings({m}).Build().value();
  ASSERT_THAT(cloud->ImportImage(honest), IsOk());
  const Decision d = cloud->Evaluate([&](const StateView& view) {
    return policy::EvaluateMakePublic(view, owner, kEast, image);
  });
  EXPECT_FALSE(d.allowed());
  EXPECT_THAT(d.Explain(), HasSubstr("SHARE-14"));
}

TEST_F(UnknownFactsTest, SHARE_14_AnUnencryptedImageMayBeMadePublic) {
  const Snapshot snap = OwnerSnapshot(0x54);
  ASSERT_THAT(cloud->ImportSnapshot(snap), IsOk());
  ASSERT_THAT(cloud->ImportImage(OwnerImage(snap)),
              IsOk());
  CallContext ctx;
  ctx.account = owner;
  ctx.region = kEast;
  ASSERT_THAT(cloud->DisableImageBlockPublicAccess(ctx), IsOk());
  const Decision d = cloud->Evaluate([&](const StateView& view) {
    return policy::EvaluateMakePublic(view, owner, kEast, image);
  });
  EXPECT_TRUE(d.allowed()) << d.Explain();
}

// ---- A decision without a permit denies ----

TEST(Decision, ADecisionWithNoPermitDenies) {
  const Decision d;
  EXPECT_FALSE(d.allowed());
  EXPECT_EQ(d.effect(), Effect::kDeny);
  EXPECT_THAT(d.ToStatus(), HasErrorCode(ErrorCode::kInvalidRequest));
  EXPECT_THAT(d.Explain(), HasSubstr("without a permit"));
}

TEST(Decision, APermitAllowsAndAForbidWinsForGood) {
  static constexpr ReasonTemplate kPermit{"TEST-1", ErrorCode::kAuthFailure, "permit"};
  static constexpr ReasonTemplate kForbid{"TEST-2", ErrorCode::kAuthFailure, "forbid"};
  Decision d;
  d.AddPermit({&kPermit, {}, false});
  EXPECT_TRUE(d.allowed());
  d.AddForbid({&kForbid, {}, false});
  EXPECT_FALSE(d.allowed());
  d.AddPermit({&kPermit, {}, false});
  EXPECT_FALSE(d.allowed());
  EXPECT_EQ(d.overridden().size(), 2u);
  Decision errored;
  errored.AddError("could not evaluate");
  errored.AddPermit({&kPermit, {}, false});
  EXPECT_FALSE(errored.allowed());
}

}  // namespace
}  // namespace ami
