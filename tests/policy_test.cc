// The policy engine on its own (include/ami/policy.h): every Evaluate* function and helper,
// and Decision itself, asked against a small in-memory StateView. Each rule id an engine function
// decides has a test where it allows and one where it denies (named by rule id), and each test
// checks the deciding reason's rule id and error code.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ami/ami.h"
#include "ami/policy.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "cloud/ops_common.h"
#include "cloud/state.h"
#include "policy/key_use.h"
#include "policy/lang/document.h"
#include "policy/launch_predicates.h"
#include "policy/planning.h"
#include "tests/cloud_fixture.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::ami::testing::MessageHas;
using ::testing::HasSubstr;
using ::testing::Not;
using policy::ImageAction;

const AccountId kOwner = AccountId::FromNumber(111122223333);
const AccountId kB = AccountId::FromNumber(444455556666);
const AccountId kC = AccountId::FromNumber(777788889999);
const AccountId kMgmt = AccountId::FromNumber(210987654321);
const AccountId kMember = AccountId::FromNumber(555555555555);  // In child OU.
const Region kEast = Region::Parse("us-east-1").value();
const Region kWest = Region::Parse("eu-west-1").value();
const OrganizationId kOrg = OrganizationId::Parse("o-a1b2c3d4e5").value();
const OrganizationalUnitId kParentOu = OrganizationalUnitId::Parse("ou-ab12-11111111").value();
const OrganizationalUnitId kChildOu = OrganizationalUnitId::Parse("ou-ab12-22222222").value();
const absl::Time kNow = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z

KmsKeyArn KeyOf(AccountId account, Region region, const char* id = "1234abcd-12ab-34cd-56ef-1234567890ab") {
  return KmsKeyArn::Of(account, region, KmsKeyId::Parse(id).value());
}
// The AWS managed aws/ebs key of an account in a Region (KMS-1, KMS-2).
KmsKeyArn AwsKey(AccountId account, Region region) {
  return KeyOf(account, region, "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa");
}

// A StateView over plain containers: what a test puts in is what the engine reads.
class FakeView : public StateView {
 public:
  FakeView() {
    accounts.push_back({kMgmt, kOrg, "r-ab12", {}});
    accounts.push_back({kMember, kOrg, "r-ab12", {kParentOu, kChildOu}});
    accounts.push_back({kC, std::nullopt, "", {}});  // Known, in no organization.
  }

  const Image* FindImage(ImageId id) const override {
    for (const Image& i : images) {
      if (i.id() == id) return &i;
    }
    return nullptr;
  }
  const Snapshot* FindSnapshot(SnapshotId id) const override {
    for (const Snapshot& s : snapshots) {
      if (s.id() == id) return &s;
    }
    return nullptr;
  }
  const Instance* FindInstance(InstanceId id) const override {
    for (const Instance& i : instances) {
      if (i.id() == id) return &i;
    }
    return nullptr;
  }
  const AccountInfo* FindAccount(AccountId id) const override {
    for (const AccountInfo& a : accounts) {
      if (a.id == id) return &a;
    }
    return nullptr;
  }
  std::optional<AccountId> OrganizationManagement(const OrganizationId& org) const override {
    if (org == kOrg && org_known) return kMgmt;
    return std::nullopt;
  }
  RegionSettings Settings(AccountId account, Region region) const override {
    for (const auto& [a, r, s] : settings) {
      if (a == account && r == region) return s;
    }
    RegionSettings s;
    s.default_kms_key = AwsKey(account, region);
    return s;
  }
  // Sets the settings of an account in a Region, starting from the defaults.
  RegionSettings& MutableSettings(AccountId account, Region region) {
    for (auto& [a, r, s] : settings) {
      if (a == account && r == region) return s;
    }
    settings.emplace_back(account, region, Settings(account, region));
    return std::get<2>(settings.back());
  }
  KeyFacts FindKey(const KmsKeyArn& arn) const override {
    if (arn == AwsKey(arn.account(), arn.region())) return {nullptr, true};
    for (const KmsKey& k : keys) {
      if (k.arn() == arn) return {&k, false};
    }
    return {};
  }
  std::optional<KmsKeyArn> FindAlias(AccountId account, Region region,
                                     absl::string_view alias) const override {
    for (const auto& [a, r, name, arn] : aliases) {
      if (a == account && r == region && name == alias) return arn;
    }
    return std::nullopt;
  }
  std::optional<ImageId> FindImageByName(AccountId owner, Region region,
                                         absl::string_view name) const override {
    for (const Image& i : images) {
      if (i.owner() == owner && i.region() == region && i.name() == name) return i.id();
    }
    return std::nullopt;
  }
  int ImagesUsingSnapshot(SnapshotId id) const override {
    int n = 0;
    for (const Image& i : images) {
      for (const SnapshotId s : i.snapshot_ids()) n += s == id ? 1 : 0;
    }
    return n;
  }
  int PublicImageCount(AccountId owner, Region region) const override {
    int n = 0;
    for (const Image& i : images) {
      n += i.owner() == owner && i.region() == region && i.launch_permissions().is_public() ? 1 : 0;
    }
    return n;
  }
  absl::Time Now() const override { return kNow; }
  const AllowedImagesSettings* AllowedImages(AccountId account, Region region) const override {
    for (const auto& [a, r, s] : allowed) {
      if (a == account && r == region && s.state != AllowedImagesState::kDisabled) return &s;
    }
    return nullptr;
  }

  std::vector<Image> images;
  std::vector<Snapshot> snapshots;
  std::vector<Instance> instances;
  std::vector<AccountInfo> accounts;
  bool org_known = true;
  std::vector<std::tuple<AccountId, Region, RegionSettings>> settings;
  std::vector<KmsKey> keys;
  std::vector<std::tuple<AccountId, Region, std::string, KmsKeyArn>> aliases;
  std::vector<std::tuple<AccountId, Region, AllowedImagesSettings>> allowed;
};

// True when `d` allows and one of its reasons is `rule` with `code`.
::testing::AssertionResult Allows(const Decision& d, absl::string_view rule, ErrorCode code) {
  if (!d.allowed()) return ::testing::AssertionFailure() << "denies:\n" << d.Explain();
  for (const Reason& r : d.reasons()) {
    if (r.rule() == rule && r.code() == code) return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "no permit " << rule << " [" << ErrorCodeName(code)
                                       << "] in:\n" << d.Explain();
}

// True when `d` denies and one of its reasons is `rule` with `code` (reported later when `later`).
::testing::AssertionResult Denies(const Decision& d, absl::string_view rule, ErrorCode code,
                                  bool later = false) {
  if (d.allowed()) return ::testing::AssertionFailure() << "allows:\n" << d.Explain();
  for (const Reason& r : d.reasons()) {
    if (r.rule() == rule && r.code() == code && r.async == later) return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "no forbid " << rule << " [" << ErrorCodeName(code)
                                       << (later ? ", later" : "") << "] in:\n" << d.Explain();
}

// True when `d` holds a permit of `rule` that a forbid overrode.
bool Overridden(const Decision& d, absl::string_view rule) {
  for (const Reason& r : d.overridden()) {
    if (r.rule() == rule) return true;
  }
  return false;
}

// Builds the view's resources with short calls.
class PolicyEngine : public ::testing::Test {
 protected:
  // A completed 8 GiB snapshot, added to the view.
  Snapshot AddSnapshot(AccountId owner, std::optional<KmsKeyArn> key = std::nullopt,
                        CreateVolumePermissions permissions = {}, Region region = kEast,
                        std::vector<ProductCode> codes = {}) {
    view.snapshots.push_back(Snapshot::Builder()
                                 .set_id(SnapshotId::Long(0x5000 + ++seq_))
                                 .set_owner(owner)
                                 .set_region(region)
                                 .set_volume_size_gib(8)
                                 .set_kms_key(std::move(key))
                                 .set_create_volume_permissions(std::move(permissions))
                                 .set_product_codes(std::move(codes))
                                 .Build()
                                 .value());
    return view.snapshots.back();
  }

  // An image mapping `snapshot` at /dev/xvda, added to the view; `customize` may set more.
  ImageId AddImage(AccountId owner, const Snapshot& snapshot,
                   const std::function<void(Image::Builder&)>& customize = nullptr) {
    const uint64_t n = ++seq_;
    Image::Builder b;
    b.set_id(ImageId::Long(0xa000 + n))
        .set_name(absl::StrCat("image-", n))
        .set_owner(owner)
        .set_region(snapshot.region())
        .set_creation_time(kNow - absl::Hours(24))
        .add_snapshot_mapping("/dev/xvda", snapshot);
    if (customize) customize(b);
    view.images.push_back(b.Build().value());
    return view.images.back().id();
  }
  // An image of `owner` over a new snapshot of its own.
  ImageId AddImage(AccountId owner, const std::function<void(Image::Builder&)>& customize = nullptr) {
    const Snapshot s = AddSnapshot(owner);
    return AddImage(owner, s, customize);
  }

  // A customer managed key of `owner` in `region` with `policy`, added to the view.
  KmsKeyArn AddKey(AccountId owner, std::vector<KeyPolicyStatement> policy = {},
                   Region region = kEast, const char* id = "1234abcd-12ab-34cd-56ef-1234567890ab") {
    const KmsKeyArn arn = KeyOf(owner, region, id);
    view.keys.push_back(KmsKey::Builder().set_arn(arn).set_policy(std::move(policy)).Build().value());
    return arn;
  }

  InstanceId AddInstance(AccountId owner, InstanceState state,
                         RootDeviceType root = RootDeviceType::kEbs) {
    Instance::Builder b;
    b.set_id(InstanceId::Long(0xc000 + ++seq_))
        .set_owner(owner)
        .set_availability_zone(AvailabilityZone::Parse("us-east-1a").value())
        .set_image_id(ImageId::Long(0xa000))
        .set_state(state)
        .set_root_device_type(root);
    if (root == RootDeviceType::kEbs) {
      b.add_volume(AttachedVolume{"/dev/xvda", VolumeId::Long(0xd000 + seq_), 8, true, std::nullopt,
                                  std::nullopt});
    } else {
      b.set_root_device_name("/dev/sda1");
    }
    view.instances.push_back(b.Build().value());
    return view.instances.back().id();
  }

  const Image& ImageOf(ImageId id) const { return *view.FindImage(id); }

  static LaunchPermissions Shared(std::vector<AccountId> accounts, bool is_public = false,
                                  std::vector<OrganizationArn> orgs = {},
                                  std::vector<OrganizationalUnitArn> ous = {}) {
    return LaunchPermissions::Create(std::move(accounts), is_public, std::move(orgs), std::move(ous))
        .value();
  }
  static std::function<void(Image::Builder&)> SharedWith(std::vector<AccountId> accounts,
                                                         bool is_public = false) {
    return [=](Image::Builder& b) { b.set_launch_permissions(Shared(accounts, is_public)); };
  }

  Decision KeyUse(AccountId principal, const KmsKeyArn& arn,
                  KmsActions actions = policy::ReadKeyActions()) const {
    return policy::EvaluateKeyUse(view, principal, arn, actions);
  }

  FakeView view;

 private:
  uint64_t seq_ = 0;
};

KeyPolicyStatement AllowAccounts(std::vector<AccountId> accounts, KmsActions actions = KmsActions::All()) {
  KeyPolicyStatement s;
  s.sid = "allow";
  s.accounts = std::move(accounts);
  s.actions = actions;
  return s;
}
KeyPolicyStatement DenyAccounts(std::vector<AccountId> accounts, KmsActions actions = KmsActions::All()) {
  KeyPolicyStatement s = AllowAccounts(std::move(accounts), actions);
  s.sid = "deny";
  s.effect = KeyPolicyStatement::Effect::kDeny;
  return s;
}
// A statement of `effect` for any principal, on every action, under `conditions`.
KeyPolicyStatement AnyoneIf(std::vector<PolicyCondition> conditions,
                            KeyPolicyStatement::Effect effect = KeyPolicyStatement::Effect::kAllow) {
  KeyPolicyStatement s;
  s.sid = "if";
  s.effect = effect;
  s.any_principal = true;
  s.conditions = std::move(conditions);
  s.actions = KmsActions::All();
  return s;
}

// ---- Decision ------------------------------------------------------------------------------------

const ReasonTemplate kPermitT{"TEST-1", ErrorCode::kAuthFailure, "permit {account}"};
const ReasonTemplate kForbidT{"TEST-2", ErrorCode::kInvalidParameterValue, "forbid {image}"};

Reason MakeReason(const ReasonTemplate& t, bool async = false) {
  Reason r;
  r.what = &t;
  r.args.account = kB;
  r.args.image = ImageId::Long(0xab);
  r.async = async;
  return r;
}

TEST(Decision, ADefaultDecisionHasNoPermitAndDenies) {
  const Decision d;
  EXPECT_FALSE(d.allowed());
  EXPECT_EQ(d.effect(), Effect::kDeny);
  EXPECT_FALSE(d.denied_later());
  EXPECT_THAT(d.Explain(), HasSubstr("without a permit denies"));
  EXPECT_THAT(d.ToStatus(), HasErrorCode(ErrorCode::kInvalidRequest));
  EXPECT_THAT(d.ToStatus(), MessageHas("without a permit"));
}

TEST(Decision, AllowHoldsItsPermitAndIsOk) {
  const Decision d = Decision::Allow(MakeReason(kPermitT));
  EXPECT_TRUE(d.allowed());
  EXPECT_EQ(d.effect(), Effect::kAllow);
  ASSERT_EQ(d.reasons().size(), 1u);
  EXPECT_EQ(d.reasons()[0].rule(), "TEST-1");
  EXPECT_EQ(d.reasons()[0].code(), ErrorCode::kAuthFailure);
  EXPECT_EQ(d.reasons()[0].Message(), "permit `444455556666`");
  EXPECT_THAT(d.ToStatus(), IsOk());
  EXPECT_THAT(d.Explain(), HasSubstr("ALLOW\n  because TEST-1: permit `444455556666`"));
}

TEST(Decision, AForbidWinsOverEarlierAndLaterPermits) {
  Decision d = Decision::Allow(MakeReason(kPermitT));
  d.AddForbid(MakeReason(kForbidT));
  d.AddPermit(MakeReason(kPermitT));
  EXPECT_FALSE(d.allowed());
  ASSERT_EQ(d.reasons().size(), 1u);
  EXPECT_EQ(d.reasons()[0].rule(), "TEST-2");
  EXPECT_EQ(d.overridden().size(), 2u);
  EXPECT_THAT(d.ToStatus(), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(d.Explain(), HasSubstr("overridden TEST-1"));
  EXPECT_THAT(d.Explain(), HasSubstr("denied by TEST-2: forbid `ami-"));
}

TEST(Decision, AnErrorDeniesAndIsReported) {
  Decision d = Decision::Allow(MakeReason(kPermitT));
  d.AddError("could not evaluate");
  d.AddError("twice");
  EXPECT_FALSE(d.allowed());
  EXPECT_EQ(d.errors().size(), 2u);
  EXPECT_EQ(d.overridden().size(), 1u);
  EXPECT_FALSE(d.denied_later());
  EXPECT_THAT(d.ToStatus(), HasErrorCode(ErrorCode::kInvalidRequest));
  EXPECT_THAT(d.ToStatus(), MessageHas("could not evaluate"));
  EXPECT_THAT(d.Explain(), HasSubstr("error: twice"));
}

TEST(Decision, DeniedLaterOnlyWhenEveryForbidIsAsynchronous) {
  Decision later = Decision::Deny(MakeReason(kForbidT, /*async=*/true));
  EXPECT_TRUE(later.denied_later());
  EXPECT_THAT(later.Explain(), HasSubstr("DENY (reported later)"));
  EXPECT_THAT(later.Explain(), HasSubstr(", later]"));
  // With only later reasons, ToStatus reports the first.
  EXPECT_THAT(later.ToStatus(), HasErrorCode(ErrorCode::kInvalidParameterValue));
  later.AddForbid(MakeReason(kPermitT));
  EXPECT_FALSE(later.denied_later());
  // The first immediate reason is the status.
  EXPECT_THAT(later.ToStatus(), HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_FALSE(Decision::Allow(MakeReason(kPermitT)).denied_later());
}

TEST(Decision, MergeKeepsForbidOverPermitAndCarriesErrors) {
  Decision d = Decision::Allow(MakeReason(kPermitT));
  d.Merge(Decision());  // No reason: nothing changes.
  EXPECT_TRUE(d.allowed());
  d.Merge(Decision::Allow(MakeReason(kPermitT)));
  EXPECT_EQ(d.reasons().size(), 2u);
  Decision denied = Decision::Deny(MakeReason(kForbidT));
  denied.AddPermit(MakeReason(kPermitT));
  denied.AddError("e");
  d.Merge(std::move(denied));
  EXPECT_FALSE(d.allowed());
  EXPECT_EQ(d.errors().size(), 1u);
  EXPECT_EQ(d.overridden().size(), 3u);
  ASSERT_EQ(d.reasons().size(), 1u);
  EXPECT_EQ(d.reasons()[0].rule(), "TEST-2");
}

TEST(Decision, MessagesFillEveryPlaceholderAndKeepUnknownOnes) {
  static const ReasonTemplate kAll{
      "TEST-3", ErrorCode::kAuthFailure,
      "{image}|{snapshot}|{instance}|{account}|{owner}|{key}|{region}|{source_region}|{number}|"
      "{text}|{actions}|{bogus}|{nosuch_placeholder}|{imagx}|{ownex}|{regioX}|{numbex}|{accounX}|"
      "{actionX}|{snapshoX}|{instancX}|{ke}|{tex}|{source_regioX} {unclosed"};
  Reason r;
  r.what = &kAll;
  r.args = {.image = ImageId::Long(1), .snapshot = SnapshotId::Long(2), .instance = InstanceId::Long(3),
            .account = kB, .owner = kOwner, .key = KeyOf(kOwner, kEast), .region = kEast,
            .source_region = kWest, .number = KmsActions::Of({KmsAction::kDecrypt}).bits(),
            .text = "words"};
  const std::string m = r.Message();
  EXPECT_THAT(m, HasSubstr("`ami-"));
  EXPECT_THAT(m, HasSubstr("`snap-"));
  EXPECT_THAT(m, HasSubstr("`i-"));
  EXPECT_THAT(m, HasSubstr("|`444455556666`|`111122223333`|`arn:aws:kms:us-east-1:"));
  EXPECT_THAT(m, HasSubstr("|us-east-1|eu-west-1|2|words|kms:Decrypt|{bogus}|"));
  EXPECT_THAT(m, HasSubstr("{unclosed"));
  Reason bare;
  bare.what = &kAll;
  EXPECT_THAT(bare.Message(), HasSubstr("||||||||0||"));
}

// ---- EvaluateKeyUse (KMS-1, KMS-2, KMS-4, KMS-5, KMS-11, KMS-15) ---------------------------------

TEST_F(PolicyEngine, KMS_11_UnknownKeyDenies) {
  EXPECT_TRUE(Denies(KeyUse(kOwner, KeyOf(kOwner, kEast)), "KMS-11",
                     ErrorCode::kCustomerKeyHasBeenRevoked));
}

TEST_F(PolicyEngine, KMS_11_KnownKeyIsNotDeniedAsMissing) {
  const KmsKeyArn key = AddKey(kOwner);
  EXPECT_TRUE(Allows(KeyUse(kOwner, key), "KMS-4", ErrorCode::kCustomerKeyHasBeenRevoked));
}

TEST_F(PolicyEngine, KMS_1_AwsManagedKeyServesOnlyItsAccount) {
  EXPECT_TRUE(Allows(KeyUse(kOwner, AwsKey(kOwner, kEast)), "KMS-1",
                     ErrorCode::kCustomerKeyHasBeenRevoked));
  EXPECT_TRUE(Denies(KeyUse(kB, AwsKey(kOwner, kEast)), "KMS-1",
                     ErrorCode::kCustomerKeyHasBeenRevoked));
}

TEST_F(PolicyEngine, KMS_15_DisabledKeyDeniesEvenItsOwner) {
  const KmsKeyArn arn = KeyOf(kOwner, kEast);
  view.keys.push_back(KmsKey::Builder().set_arn(arn).set_state(KeyState::kDisabled).Build().value());
  EXPECT_TRUE(Denies(KeyUse(kOwner, arn), "KMS-15", ErrorCode::kCustomerKeyHasBeenRevoked));
}

TEST_F(PolicyEngine, KMS_2_AsymmetricKeyDeniesSymmetricIsUsable) {
  const KmsKeyArn arn = KeyOf(kOwner, kEast);
  view.keys.push_back(KmsKey::Builder().set_arn(arn).set_key_spec("RSA_2048").Build().value());
  EXPECT_TRUE(Denies(KeyUse(kOwner, arn), "KMS-2", ErrorCode::kCustomerKeyHasBeenRevoked));
  const KmsKeyArn symmetric = AddKey(kOwner, {}, kWest);
  EXPECT_TRUE(Allows(KeyUse(kOwner, symmetric), "KMS-4", ErrorCode::kCustomerKeyHasBeenRevoked));
}

TEST_F(PolicyEngine, KMS_5_KeyPolicyAllowsAnotherAccount) {
  const KmsKeyArn key = AddKey(kOwner, {AllowAccounts({kB})});
  EXPECT_TRUE(Allows(KeyUse(kB, key), "KMS-5", ErrorCode::kCustomerKeyHasBeenRevoked));
}

TEST_F(PolicyEngine, KMS_5_KeyPolicyWithoutTheAccountDenies) {
  const KmsKeyArn key = AddKey(kOwner, {AllowAccounts({kC}), AllowAccounts({kB}, policy::WriteKeyActions())});
  EXPECT_TRUE(Denies(KeyUse(kB, key), "KMS-5", ErrorCode::kCustomerKeyHasBeenRevoked));
  EXPECT_THAT(KeyUse(kB, key).reasons()[0].Message(), HasSubstr("kms:Decrypt"));
}

TEST_F(PolicyEngine, KMS_4_GrantAllowsWhatThePolicyDoesNot) {
  const KmsKeyArn arn = KeyOf(kOwner, kEast);
  view.keys.push_back(KmsKey::Builder()
                          .set_arn(arn)
                          .add_grant({"g-1", kB, policy::ReadKeyActions()})
                          .add_grant({"g-2", kC, policy::WriteKeyActions()})
                          .Build()
                          .value());
  EXPECT_TRUE(Allows(KeyUse(kB, arn), "KMS-4", ErrorCode::kCustomerKeyHasBeenRevoked));
  EXPECT_TRUE(Denies(KeyUse(kC, arn), "KMS-5", ErrorCode::kCustomerKeyHasBeenRevoked));
}

TEST_F(PolicyEngine, KMS_4_DenyStatementBeatsAllowAndOwnership) {
  const KmsKeyArn key = AddKey(kOwner, {AllowAccounts({kB}), DenyAccounts({kB, kOwner})});
  EXPECT_TRUE(Denies(KeyUse(kB, key), "KMS-4", ErrorCode::kCustomerKeyHasBeenRevoked));
  EXPECT_TRUE(Denies(KeyUse(kOwner, key), "KMS-4", ErrorCode::kCustomerKeyHasBeenRevoked));
  // A Deny on other actions only does not apply.
  const KmsKeyArn narrow =
      AddKey(kOwner, {AllowAccounts({kB}), DenyAccounts({kB}, KmsActions::Of({KmsAction::kListGrants}))},
             kWest);
  EXPECT_TRUE(Allows(KeyUse(kB, narrow), "KMS-5", ErrorCode::kCustomerKeyHasBeenRevoked));
}

TEST_F(PolicyEngine, KMS_4_DenyUnderAnUnknownConditionApplies) {
  const KmsKeyArn key =
      AddKey(kOwner, {AllowAccounts({kB}),
                      AnyoneIf({{"IpAddress", "aws:SourceIp", {"10.0.0.0/8"}}},
                               KeyPolicyStatement::Effect::kDeny)});
  const Decision d = KeyUse(kB, key);
  EXPECT_TRUE(Denies(d, "KMS-4", ErrorCode::kCustomerKeyHasBeenRevoked));
  EXPECT_THAT(d.Explain(), HasSubstr("cannot be known offline"));
  EXPECT_THAT(d.Explain(), HasSubstr("IpAddress aws:SourceIp [10.0.0.0/8]"));
}

TEST_F(PolicyEngine, KMS_5_AllowUnderAnUnknownConditionDoesNotAllow) {
  const KmsKeyArn key = AddKey(kOwner, {AnyoneIf({{"StringEquals", "aws:SourceVpc", {"vpc-1"}}})});
  const Decision d = KeyUse(kB, key);
  EXPECT_TRUE(Denies(d, "KMS-5", ErrorCode::kCustomerKeyHasBeenRevoked));
  EXPECT_THAT(d.Explain(), HasSubstr("only if a condition"));
  EXPECT_THAT(d.Explain(), HasSubstr("aws:SourceVpc"));
}

TEST_F(PolicyEngine, KMS_5_IamIdentityOfTheAccountNeverAllowsButItsDenyApplies) {
  KeyPolicyStatement role = AllowAccounts({});
  role.iam_principals = {"arn:aws:iam::777788889999:role/other", "arn:aws:iam::444455556666:role/ops"};
  const KmsKeyArn allow = AddKey(kOwner, {role});
  // A call without a principal is the account's root user, which a role statement does not name.
  EXPECT_TRUE(Denies(KeyUse(kB, allow), "KMS-5", ErrorCode::kCustomerKeyHasBeenRevoked));
  EXPECT_TRUE(Denies(KeyUse(kC, allow), "KMS-5", ErrorCode::kCustomerKeyHasBeenRevoked));
  // The role itself is named; across accounts its identity policy must allow too (KMS-5).
  policy::KeyCaller ops = policy::RootKeyCaller(view, kB);
  ops.caller.arn = "arn:aws:iam::444455556666:role/ops";
  ops.policies.principal_is_root = false;
  const Decision no_identity = policy::EvaluateKeyUseBy(view, ops, allow, policy::ReadKeyActions());
  EXPECT_TRUE(Denies(no_identity, "KMS-5", ErrorCode::kCustomerKeyHasBeenRevoked));
  const absl::StatusOr<lang::PolicyDocument> identity = lang::ParsePolicy(
      R"({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "kms:*",
          "Resource": "*"}})", lang::PolicyKind::kIdentity);
  ASSERT_TRUE(identity.ok());
  ops.policies.identity.push_back({"ops-policy", &*identity});
  EXPECT_TRUE(policy::EvaluateKeyUseBy(view, ops, allow, policy::ReadKeyActions()).allowed());
  // A Deny naming the role applies to it, not to the account's root user.
  role.effect = KeyPolicyStatement::Effect::kDeny;
  const KmsKeyArn deny = AddKey(kOwner, {AllowAccounts({kB}), role}, kWest);
  EXPECT_TRUE(Allows(KeyUse(kB, deny), "KMS-5", ErrorCode::kCustomerKeyHasBeenRevoked));
  EXPECT_TRUE(Denies(policy::EvaluateKeyUseBy(view, ops, deny, policy::ReadKeyActions()), "KMS-4",
                     ErrorCode::kCustomerKeyHasBeenRevoked));
}

// ---- Key-policy conditions (KMS-5, KMS-7), through EvaluateKeyUse ------------------------------

enum class Want { kFalse, kTrue, kUnknown };
struct ConditionCase {
  AccountId caller;
  PolicyCondition condition;
  Want want;
};

// An Allow under the condition allows only when it is true; a Deny under it applies unless it is
// false: together they tell the three truths apart.
TEST_F(PolicyEngine, KMS_5_ConditionsAreTrueFalseOrUnknown) {
  const std::string path = "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/";
  const std::vector<ConditionCase> cases = {
      {kB, {"StringEquals", "kms:CallerAccount", {"444455556666"}}, Want::kTrue},
      {kB, {"StringEquals", "kms:CallerAccount", {"111122223333"}}, Want::kFalse},
      {kB, {"StringNotEquals", "kms:CallerAccount", {"111122223333"}}, Want::kTrue},
      {kB, {"StringEqualsIgnoreCase", "kms:ViaService", {"EC2.us-east-1.amazonaws.com"}}, Want::kTrue},
      {kB, {"StringNotEqualsIgnoreCase", "kms:ViaService", {"ec2.us-east-1.amazonaws.com"}}, Want::kFalse},
      {kB, {"StringLike", "aws:PrincipalAccount", {"4444*"}}, Want::kTrue},
      {kB, {"StringNotLike", "aws:PrincipalAccount", {"4444*"}}, Want::kFalse},
      {kC, {"Null", "aws:PrincipalOrgID", {"true"}}, Want::kTrue},
      {kMember, {"Null", "aws:PrincipalOrgID", {"false"}}, Want::kTrue},
      {kMember, {"Null", "aws:PrincipalOrgID", {"true"}}, Want::kFalse},
      {kB, {"IpAddress", "aws:SourceIp", {"10.0.0.0/8"}}, Want::kUnknown},
      {kB, {"StringEquals", "aws:SourceIp", {"10.0.0.1"}}, Want::kUnknown},
      // Policy variables are substituted from the request: known keys decide, unknown ones not.
      {kB, {"StringEquals", "kms:CallerAccount", {"${aws:PrincipalAccount}"}}, Want::kTrue},
      {kMember, {"StringEquals", "aws:PrincipalOrgID", {"${aws:PrincipalOrgID}"}}, Want::kTrue},
      {kB, {"StringEquals", "kms:CallerAccount", {"${aws:SourceIp}"}}, Want::kUnknown},
      {kC, {"StringEqualsIfExists", "aws:PrincipalOrgID", {"o-a1b2c3d4e5"}}, Want::kTrue},
      {kC, {"ForAllValues:StringEquals", "aws:PrincipalOrgID", {"o-a1b2c3d4e5"}}, Want::kTrue},
      {kC, {"ForAnyValue:StringEquals", "aws:PrincipalOrgID", {"o-a1b2c3d4e5"}}, Want::kFalse},
      {kC, {"StringEquals", "aws:PrincipalOrgID", {"o-a1b2c3d4e5"}}, Want::kFalse},
      {kC, {"StringNotEquals", "aws:PrincipalOrgID", {"o-a1b2c3d4e5"}}, Want::kTrue},
      {kMember, {"ForAllValues:StringLike", "aws:PrincipalOrgPaths", {"o-a1b2c3d4e5/*"}}, Want::kTrue},
      {kMember, {"ForAllValues:StringLike", "aws:PrincipalOrgPaths", {"o-zzzzzzzzzz/*"}}, Want::kFalse},
      {kMember, {"ForAnyValue:StringEquals", "aws:PrincipalOrgID", {"o-a1b2c3d4e5"}}, Want::kTrue},
      {kMember, {"StringEquals", "aws:PrincipalOrgPaths", {path}}, Want::kTrue},
      {kB, {"StringEquals", "aws:PrincipalOrgID", {"o-a1b2c3d4e5"}}, Want::kUnknown},
  };
  int n = 0;
  for (const ConditionCase& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.condition.op, " ", c.condition.key, " for ", c.caller.ToString()));
    // Both keys in us-east-1, where kms:ViaService is ec2.us-east-1.amazonaws.com.
    const std::string allow_id = absl::StrCat("1234abcd-12ab-34cd-56ef-", 100000000000 + ++n);
    const std::string deny_id = absl::StrCat("1234abcd-12ab-34cd-56ef-", 100000000000 + ++n);
    const KmsKeyArn allow = AddKey(kOwner, {AnyoneIf({c.condition})}, kEast, allow_id.c_str());
    const KmsKeyArn deny =
        AddKey(kOwner, {AllowAccounts({c.caller}), AnyoneIf({c.condition}, KeyPolicyStatement::Effect::kDeny)},
               kEast, deny_id.c_str());
    const Decision by_allow = KeyUse(c.caller, allow);
    const Decision by_deny = KeyUse(c.caller, deny);
    if (c.want == Want::kTrue) {
      EXPECT_TRUE(Allows(by_allow, "KMS-5", ErrorCode::kCustomerKeyHasBeenRevoked));
    } else {
      EXPECT_TRUE(Denies(by_allow, "KMS-5", ErrorCode::kCustomerKeyHasBeenRevoked));
    }
    if (c.want == Want::kFalse) {
      EXPECT_TRUE(Allows(by_deny, "KMS-5", ErrorCode::kCustomerKeyHasBeenRevoked));
    } else {
      EXPECT_TRUE(Denies(by_deny, "KMS-4", ErrorCode::kCustomerKeyHasBeenRevoked));
    }
  }
}

// Conditions AWS's grammar refuses make no key: a Bool or Null value that is not true or false.
TEST_F(PolicyEngine, KMS_5_ConditionsTheGrammarRefusesMakeNoKey) {
  for (const PolicyCondition& c : std::vector<PolicyCondition>{
           {"Bool", "kms:CallerAccount", {"444455556666"}},
           {"Null", "aws:PrincipalOrgID", {"maybe"}}}) {
    SCOPED_TRACE(c.op);
    EXPECT_THAT(KmsKey::Builder().set_arn(KeyOf(kOwner, kEast)).set_policy({AnyoneIf({c})}).Build(),
                HasErrorCode(ErrorCode::kMalformedPolicyDocument));
  }
}

TEST_F(PolicyEngine, KMS_5_GrantIsForAwsResourceHoldsOnlyForCreateGrant) {
  const KmsActions without_grant = KmsActions::Of({KmsAction::kDescribeKey, KmsAction::kDecrypt,
                                                   KmsAction::kReEncryptFrom});
  const KmsKeyArn key = AddKey(
      kOwner, {AllowAccounts({kB}, without_grant),
               AnyoneIf({{"Bool", "kms:GrantIsForAWSResource", {"true"}},
                         {"StringEquals", "kms:CallerAccount", {"444455556666"}}})});
  EXPECT_TRUE(Allows(KeyUse(kB, key), "KMS-5", ErrorCode::kCustomerKeyHasBeenRevoked));
  const KmsKeyArn no_grant = AddKey(kOwner, {AllowAccounts({kB}, without_grant),
                                             AnyoneIf({{"Bool", "kms:GrantIsForAWSResource", {"false"}}})},
                                    kWest);
  EXPECT_TRUE(Denies(KeyUse(kB, no_grant), "KMS-5", ErrorCode::kCustomerKeyHasBeenRevoked));
}

TEST_F(PolicyEngine, KMS_5_FirstUnknownConditionIsNamedAndAFalseOneEndsTheStatement) {
  const KmsKeyArn key = AddKey(kOwner, {AnyoneIf({{"StringEquals", "aws:SourceVpc", {"vpc-1"}},
                                                  {"StringEquals", "aws:SourceIp", {"10.0.0.1"}}})});
  const Decision d = KeyUse(kB, key);
  EXPECT_TRUE(Denies(d, "KMS-5", ErrorCode::kCustomerKeyHasBeenRevoked));
  EXPECT_THAT(d.Explain(), HasSubstr("aws:SourceVpc"));
  EXPECT_THAT(d.Explain(), HasSubstr("aws:SourceIp"));  // Every condition it would need.
  const KmsKeyArn falsified =
      AddKey(kOwner, {AllowAccounts({kB}),
                      AnyoneIf({{"StringEquals", "aws:SourceVpc", {"vpc-1"}},
                                {"StringEquals", "kms:CallerAccount", {"111122223333"}},
                                {"StringEquals", "aws:SourceIp", {"10.0.0.1"}}},
                               KeyPolicyStatement::Effect::kDeny)},
             kWest);
  EXPECT_TRUE(Allows(KeyUse(kB, falsified), "KMS-5", ErrorCode::kCustomerKeyHasBeenRevoked));
}

TEST_F(PolicyEngine, KMS_7_PrincipalOrgIdAndPathsAllowMembers) {
  KeyPolicyStatement by_id = AnyoneIf({});
  by_id.principal_org_ids = {kOrg};
  KeyPolicyStatement by_path = AnyoneIf({});
  by_path.principal_org_ids = {kOrg};
  by_path.principal_org_paths = {"o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"};
  EXPECT_TRUE(Allows(KeyUse(kMember, AddKey(kOwner, {by_id})), "KMS-5",
                     ErrorCode::kCustomerKeyHasBeenRevoked));
  EXPECT_TRUE(Allows(KeyUse(kMember, AddKey(kOwner, {by_path}, kWest)), "KMS-5",
                     ErrorCode::kCustomerKeyHasBeenRevoked));
}

TEST_F(PolicyEngine, KMS_7_PrincipalOrgIdAndPathsDenyOthers) {
  KeyPolicyStatement other_org = AnyoneIf({});
  other_org.principal_org_ids = {OrganizationId::Parse("o-zzzzzzzzzz").value()};
  KeyPolicyStatement other_path = AnyoneIf({});
  other_path.principal_org_paths = {"o-a1b2c3d4e5/r-ab12/ou-ab12-33333333/*"};
  const KmsKeyArn k1 = AddKey(kOwner, {other_org});
  const KmsKeyArn k2 = AddKey(kOwner, {other_path}, kWest);
  EXPECT_TRUE(Denies(KeyUse(kMember, k1), "KMS-5", ErrorCode::kCustomerKeyHasBeenRevoked));
  EXPECT_TRUE(Denies(KeyUse(kMember, k2), "KMS-5", ErrorCode::kCustomerKeyHasBeenRevoked));
  // In no organization: false; not in the state: unknown, so it never allows.
  EXPECT_TRUE(Denies(KeyUse(kC, k2), "KMS-5", ErrorCode::kCustomerKeyHasBeenRevoked));
  const Decision unknown = KeyUse(kB, k2);
  EXPECT_TRUE(Denies(unknown, "KMS-5", ErrorCode::kCustomerKeyHasBeenRevoked));
  EXPECT_THAT(unknown.Explain(), HasSubstr("allowed only if"));
  EXPECT_THAT(unknown.Explain(), HasSubstr("aws:PrincipalOrgPaths"));
  other_path.effect = KeyPolicyStatement::Effect::kDeny;
  const KmsKeyArn k3 = AddKey(kOwner, {AllowAccounts({kB}), other_path}, kEast,
                              "1234abcd-12ab-34cd-56ef-000000000003");
  EXPECT_TRUE(Denies(KeyUse(kB, k3), "KMS-4", ErrorCode::kCustomerKeyHasBeenRevoked));
}

// ---- EvaluateLaunchPermission (SHARE-1, SHARE-7, ATTR-1, LAUNCH-4) -----------------------------

TEST_F(PolicyEngine, SHARE_1_OwnerAndListedAccountMayLaunch) {
  const ImageId id = AddImage(kOwner, SharedWith({kB}));
  EXPECT_TRUE(Allows(policy::EvaluateLaunchPermission(view, ImageOf(id), kOwner), "SHARE-1",
                     ErrorCode::kAuthFailure));
  EXPECT_TRUE(Allows(policy::EvaluateLaunchPermission(view, ImageOf(id), kB), "SHARE-1",
                     ErrorCode::kAuthFailure));
}

TEST_F(PolicyEngine, LAUNCH_4_UnlistedAccountMayNotLaunch) {
  const ImageId id = AddImage(kOwner, SharedWith({kB}));
  EXPECT_TRUE(Denies(policy::EvaluateLaunchPermission(view, ImageOf(id), kC), "LAUNCH-4",
                     ErrorCode::kAuthFailure));
}

TEST_F(PolicyEngine, SHARE_7_OrganizationAndNestedOuShareAllowMembers) {
  const ImageId to_org = AddImage(kOwner, [](Image::Builder& b) {
    b.set_launch_permissions(Shared({}, false, {OrganizationArn::Of(kMgmt, kOrg)}));
  });
  const ImageId to_ou = AddImage(kOwner, [](Image::Builder& b) {
    b.set_launch_permissions(Shared({}, false, {}, {OrganizationalUnitArn::Of(kMgmt, kOrg, kParentOu)}));
  });
  EXPECT_TRUE(Allows(policy::EvaluateLaunchPermission(view, ImageOf(to_org), kMember), "SHARE-7",
                     ErrorCode::kAuthFailure));
  EXPECT_TRUE(Allows(policy::EvaluateLaunchPermission(view, ImageOf(to_ou), kMember), "SHARE-7",
                     ErrorCode::kAuthFailure));
  // An organization the view does not know is matched by its id alone.
  view.org_known = false;
  const ImageId other_mgmt = AddImage(kOwner, [](Image::Builder& b) {
    b.set_launch_permissions(Shared({}, false, {OrganizationArn::Of(kC, kOrg)}));
  });
  EXPECT_TRUE(Allows(policy::EvaluateLaunchPermission(view, ImageOf(other_mgmt), kMember),
                     "SHARE-7", ErrorCode::kAuthFailure));
}

TEST_F(PolicyEngine, SHARE_7_WrongManagementOtherOuOrNoOrganizationDoNotAllow) {
  const OrganizationId other = OrganizationId::Parse("o-zzzzzzzzzz").value();
  const ImageId id = AddImage(kOwner, [&](Image::Builder& b) {
    b.set_launch_permissions(Shared(
        {}, false, {OrganizationArn::Of(kC, kOrg), OrganizationArn::Of(kMgmt, other)},
        {OrganizationalUnitArn::Of(kC, kOrg, kParentOu),
         OrganizationalUnitArn::Of(kMgmt, kOrg, OrganizationalUnitId::Parse("ou-ab12-33333333").value())}));
  });
  EXPECT_TRUE(Denies(policy::EvaluateLaunchPermission(view, ImageOf(id), kMember), "LAUNCH-4",
                     ErrorCode::kAuthFailure));
  EXPECT_TRUE(Denies(policy::EvaluateLaunchPermission(view, ImageOf(id), kC), "LAUNCH-4",
                     ErrorCode::kAuthFailure));
  EXPECT_TRUE(Denies(policy::EvaluateLaunchPermission(view, ImageOf(id), kB), "LAUNCH-4",
                     ErrorCode::kAuthFailure));
}

TEST_F(PolicyEngine, ATTR_1_PublicImageAllowsAnyone) {
  const ImageId id = AddImage(kOwner, SharedWith({}, /*is_public=*/true));
  EXPECT_TRUE(Allows(policy::EvaluateLaunchPermission(view, ImageOf(id), kC), "ATTR-1",
                     ErrorCode::kAuthFailure));
}

TEST_F(PolicyEngine, ATTR_1_PrivateImageIsNotPublic) {
  const ImageId id = AddImage(kOwner);
  EXPECT_TRUE(Denies(policy::EvaluateLaunchPermission(view, ImageOf(id), kC), "LAUNCH-4",
                     ErrorCode::kAuthFailure));
}

// ---- ResolveKey (ID-12, ID-14) -------------------------------------------------------------------

TEST_F(PolicyEngine, ResolveKeyReadsEveryForm) {
  const KmsKeyArn arn = AddKey(kOwner);
  view.aliases.emplace_back(kOwner, kEast, "alias/app", arn);
  const auto resolve = [&](const char* text) {
    return policy::ResolveKey(view, kOwner, kEast, KmsKeyRef::Parse(text).value());
  };
  EXPECT_EQ(resolve("1234abcd-12ab-34cd-56ef-1234567890ab"), arn);
  EXPECT_EQ(resolve(arn.ToString().c_str()), arn);
  EXPECT_EQ(resolve("alias/app"), arn);
  EXPECT_EQ(resolve("arn:aws:kms:us-east-1:111122223333:alias/app"), arn);
  EXPECT_EQ(resolve("alias/none"), std::nullopt);
  EXPECT_EQ(resolve("arn:aws:kms:us-east-1:444455556666:alias/app"), std::nullopt);
}

// ---- EvaluateImageAllowed (GOV-7, GOV-8, GOV-9) --------------------------------------------------

void SetAllowed(FakeView& view, AccountId account, AllowedImagesState state,
                std::vector<ImageCriterion> criteria) {
  view.allowed.emplace_back(account, kEast, AllowedImagesSettings{state, std::move(criteria)});
}

TEST_F(PolicyEngine, GOV_7_DisabledSettingAllowsEveryImage) {
  const ImageId id = AddImage(kOwner, SharedWith({kB}));
  EXPECT_TRUE(Allows(policy::EvaluateImageAllowed(view, ImageOf(id), kB, kEast), "GOV-7",
                     ErrorCode::kInvalidAMIIDNotFound));
}

TEST_F(PolicyEngine, GOV_7_AuditModeReportsButAllowsEnabledDenies) {
  const ImageId id = AddImage(kOwner, SharedWith({kB, kC}));
  SetAllowed(view, kB, AllowedImagesState::kAuditMode, {{.image_providers = {"amazon"}}});
  SetAllowed(view, kC, AllowedImagesState::kEnabled, {{.image_providers = {"amazon"}}});
  EXPECT_TRUE(Allows(policy::EvaluateImageAllowed(view, ImageOf(id), kB, kEast), "GOV-7",
                     ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_TRUE(Denies(policy::EvaluateImageAllowed(view, ImageOf(id), kC, kEast), "GOV-8",
                     ErrorCode::kInvalidAMIIDNotFound));
}

TEST_F(PolicyEngine, GOV_8_MatchingCriterionAllows) {
  const ImageId id = AddImage(kOwner, SharedWith({kB}));
  SetAllowed(view, kB, AllowedImagesState::kEnabled,
             {{.image_providers = {"amazon"}}, {.image_providers = {kOwner.ToString()}}});
  const Decision d = policy::EvaluateImageAllowed(view, ImageOf(id), kB, kEast);
  EXPECT_TRUE(Allows(d, "GOV-8", ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_THAT(d.Explain(), HasSubstr("criterion 2"));
}

TEST_F(PolicyEngine, GOV_9_OwnImageIsAlwaysAllowed) {
  const ImageId id = AddImage(kB);
  SetAllowed(view, kB, AllowedImagesState::kEnabled, {{.image_providers = {"amazon"}}});
  EXPECT_TRUE(Allows(policy::EvaluateImageAllowed(view, ImageOf(id), kB, kEast), "GOV-9",
                     ErrorCode::kInvalidAMIIDNotFound));
  const ImageId other = AddImage(kOwner, SharedWith({kB}));
  EXPECT_TRUE(Denies(policy::EvaluateImageAllowed(view, ImageOf(other), kB, kEast), "GOV-8",
                     ErrorCode::kInvalidAMIIDNotFound));
}

// ---- EvaluateLaunch (ID-4, REG-2, LAUNCH-3 … 10, 15, KMS-11, KMS-12, REG-9) ----------------------

Decision Launch(const FakeView& view, AccountId caller, ImageId image, Region region = kEast,
                std::optional<bool> encrypted = std::nullopt, std::optional<KmsKeyRef> key = std::nullopt,
                std::vector<policy::VolumePlan>* plan = nullptr) {
  return policy::EvaluateLaunch(view, {caller, region, image, encrypted, std::move(key)}, plan);
}

TEST_F(PolicyEngine, ID_4_LaunchOfAnUnknownImageDenies) {
  EXPECT_TRUE(Denies(Launch(view, kOwner, ImageId::Long(0xdead)), "ID-4",
                     ErrorCode::kInvalidAMIIDNotFound));
}

TEST_F(PolicyEngine, REG_2_ImageIsUsableOnlyInItsRegion) {
  const ImageId id = AddImage(kOwner);
  EXPECT_TRUE(Denies(Launch(view, kOwner, id, kWest), "REG-2", ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_TRUE(Allows(Launch(view, kOwner, id, kEast), "SHARE-1", ErrorCode::kAuthFailure));
}

TEST_F(PolicyEngine, LAUNCH_8_AllowedAmisGateLaunches) {
  const ImageId id = AddImage(kOwner, SharedWith({kB, kC}));
  SetAllowed(view, kB, AllowedImagesState::kEnabled, {{.image_providers = {"amazon"}}});
  SetAllowed(view, kC, AllowedImagesState::kEnabled, {{.image_providers = {kOwner.ToString()}}});
  const Decision denied = Launch(view, kB, id);
  EXPECT_TRUE(Denies(denied, "LAUNCH-8", ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_TRUE(Denies(denied, "GOV-8", ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_TRUE(Allows(Launch(view, kC, id), "SHARE-1", ErrorCode::kAuthFailure));
}

TEST_F(PolicyEngine, LAUNCH_6_DisabledImageIsPrivateToOthersUnavailableToItsOwner) {
  const ImageId id = AddImage(kOwner, [](Image::Builder& b) { b.set_state(ImageState::kDisabled); });
  EXPECT_TRUE(Denies(Launch(view, kB, id), "LAUNCH-4", ErrorCode::kAuthFailure));
  EXPECT_TRUE(Denies(Launch(view, kOwner, id), "LAUNCH-6", ErrorCode::kInvalidAMIIDUnavailable));
}

TEST_F(PolicyEngine, LAUNCH_7_DeregisteredAndLAUNCH_3_PendingImagesDeny) {
  const ImageId gone = AddImage(kOwner, [](Image::Builder& b) { b.set_state(ImageState::kDeregistered); });
  const ImageId pending = AddImage(kOwner, [](Image::Builder& b) { b.set_state(ImageState::kPending); });
  EXPECT_TRUE(Denies(Launch(view, kOwner, gone), "LAUNCH-7", ErrorCode::kInvalidAMIIDUnavailable));
  const Decision d = Launch(view, kOwner, pending);
  EXPECT_TRUE(Denies(d, "LAUNCH-3", ErrorCode::kInvalidAMIIDUnavailable));
  EXPECT_THAT(d.Explain(), HasSubstr("is pending"));
}

TEST_F(PolicyEngine, LAUNCH_4_LaunchNeedsLaunchPermission) {
  const ImageId id = AddImage(kOwner, SharedWith({kB}));
  EXPECT_TRUE(Denies(Launch(view, kC, id), "LAUNCH-4", ErrorCode::kAuthFailure));
  EXPECT_TRUE(Allows(Launch(view, kB, id), "SHARE-1", ErrorCode::kAuthFailure));
}

TEST_F(PolicyEngine, LAUNCH_5_DeprecatedImageStillLaunchesById) {
  const ImageId old = AddImage(kOwner, [](Image::Builder& b) { b.set_deprecation_time(kNow - absl::Hours(1)); });
  const ImageId later = AddImage(kOwner, [](Image::Builder& b) { b.set_deprecation_time(kNow + absl::Hours(1)); });
  EXPECT_TRUE(Allows(Launch(view, kOwner, old), "LAUNCH-5", ErrorCode::kInvalidAMIIDUnavailable));
  EXPECT_FALSE(Allows(Launch(view, kOwner, later), "LAUNCH-5", ErrorCode::kInvalidAMIIDUnavailable));
}

TEST_F(PolicyEngine, KMS_12_LaunchKeyNeedsEncrypted) {
  const ImageId id = AddImage(kOwner);
  const KmsKeyArn key = AddKey(kOwner);
  EXPECT_TRUE(Denies(Launch(view, kOwner, id, kEast, std::nullopt, KmsKeyRef::FromArn(key)), "KMS-12",
                     ErrorCode::kInvalidParameterCombination));
  EXPECT_TRUE(Allows(Launch(view, kOwner, id, kEast, true, KmsKeyRef::FromArn(key)), "KMS-4",
                     ErrorCode::kCustomerKeyHasBeenRevoked));
}

TEST_F(PolicyEngine, KMS_11_LaunchWithAnUnresolvableKeyFailsLater) {
  const ImageId id = AddImage(kOwner);
  const Decision d = Launch(view, kOwner, id, kEast, true, KmsKeyRef::Parse("alias/none").value());
  EXPECT_TRUE(Denies(d, "KMS-11", ErrorCode::kCustomerKeyHasBeenRevoked, /*later=*/true));
  EXPECT_TRUE(d.denied_later());
}

TEST_F(PolicyEngine, REG_9_LaunchKeyFromAnotherRegionFailsLater) {
  const ImageId id = AddImage(kOwner);
  const KmsKeyArn west_key = AddKey(kOwner, {}, kWest);
  std::vector<policy::VolumePlan> plan;
  const Decision d = Launch(view, kOwner, id, kEast, true, KmsKeyRef::FromArn(west_key), &plan);
  EXPECT_TRUE(Denies(d, "REG-9", ErrorCode::kCustomerKeyHasBeenRevoked, /*later=*/true));
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].key, AwsKey(kOwner, kEast));  // Encrypted=true: the default key.
  const KmsKeyArn east_key = AddKey(kOwner);
  EXPECT_TRUE(Allows(Launch(view, kOwner, id, kEast, true, KmsKeyRef::FromArn(east_key)), "KMS-4",
                     ErrorCode::kCustomerKeyHasBeenRevoked));
}

TEST_F(PolicyEngine, LAUNCH_9_MissingSnapshotFailsLater) {
  const Snapshot s = AddSnapshot(kOwner);
  const ImageId id = AddImage(kOwner, s);
  view.snapshots.clear();
  EXPECT_TRUE(Denies(Launch(view, kOwner, id), "LAUNCH-9", ErrorCode::kCustomerKeyHasBeenRevoked,
                     /*later=*/true));
}

TEST_F(PolicyEngine, LAUNCH_9_UnusableKeyFailsLaterUsableKeyAllows) {
  const KmsKeyArn closed = AddKey(kOwner);
  const KmsKeyArn open = AddKey(kOwner, {AllowAccounts({kB})}, kEast, "1234abcd-12ab-34cd-56ef-000000000002");
  const ImageId under_closed =
      AddImage(kOwner, AddSnapshot(kOwner, closed, {{kB}, false}), SharedWith({kB}));
  const ImageId under_open = AddImage(kOwner, AddSnapshot(kOwner, open, {{kB}, false}), SharedWith({kB}));
  const Decision d = Launch(view, kB, under_closed);
  EXPECT_TRUE(Denies(d, "LAUNCH-9", ErrorCode::kCustomerKeyHasBeenRevoked, /*later=*/true));
  EXPECT_TRUE(Denies(d, "KMS-5", ErrorCode::kCustomerKeyHasBeenRevoked, /*later=*/true));
  std::vector<policy::VolumePlan> plan;
  const Decision ok = Launch(view, kB, under_open, kEast, std::nullopt, std::nullopt, &plan);
  EXPECT_TRUE(Allows(ok, "KMS-5", ErrorCode::kCustomerKeyHasBeenRevoked));
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].key, AwsKey(kB, kEast));  // Another account's key: the caller's default key.
  EXPECT_EQ(plan[0].size_gib, 8u);
}

TEST_F(PolicyEngine, LAUNCH_15_SnapshotsNeedNotBeSharedForALaunch) {
  const ImageId id = AddImage(kOwner, SharedWith({kB}));
  EXPECT_TRUE(Allows(Launch(view, kB, id), "LAUNCH-15", ErrorCode::kAuthFailure));
  const ImageId readable = AddImage(kOwner, AddSnapshot(kOwner, std::nullopt, {{kB}, false}), SharedWith({kB}));
  EXPECT_FALSE(Allows(Launch(view, kB, readable), "LAUNCH-15", ErrorCode::kAuthFailure));
}

TEST_F(PolicyEngine, LAUNCH_10_VolumeKeysFollowTheSnapshotTheMappingAndTheDefaults) {
  const KmsKeyArn own = AddKey(kOwner);
  const Snapshot encrypted = AddSnapshot(kOwner, own);
  const Snapshot plain = AddSnapshot(kOwner);
  const Snapshot sized_by_snapshot = AddSnapshot(kOwner);
  const ImageId id = AddImage(kOwner, encrypted, [&](Image::Builder& b) {
    b.add_snapshot_mapping("/dev/sdb", plain);
    BlockDeviceMapping empty{"/dev/sdc", EbsBlockDevice{.volume_size_gib = 20, .encrypted = true}, ""};
    b.add_block_device_mapping(empty);
    b.add_block_device_mapping(BlockDeviceMapping{"/dev/sdd", std::nullopt, "ephemeral0"});
    b.add_block_device_mapping(
        {"/dev/sde", EbsBlockDevice{.snapshot_id = sized_by_snapshot.id(), .volume_size_gib = 0}, ""});
  });
  std::vector<policy::VolumePlan> plan;
  EXPECT_TRUE(Allows(Launch(view, kOwner, id, kEast, std::nullopt, std::nullopt, &plan), "KMS-4",
                     ErrorCode::kCustomerKeyHasBeenRevoked));
  ASSERT_EQ(plan.size(), 4u);
  EXPECT_EQ(plan[3].size_gib, 8u);  // Size 0: the snapshot's.
  EXPECT_EQ(plan[0].key, own);           // The owner's snapshot keeps its key.
  EXPECT_EQ(plan[1].key, std::nullopt);  // Unencrypted stays so.
  EXPECT_EQ(plan[2].key, AwsKey(kOwner, kEast));
  EXPECT_EQ(plan[2].size_gib, 20u);
  view.MutableSettings(kOwner, kEast).encryption_by_default = true;
  plan.clear();
  EXPECT_TRUE(Allows(Launch(view, kOwner, id, kEast, std::nullopt, std::nullopt, &plan), "SHARE-1",
                     ErrorCode::kAuthFailure));
  EXPECT_EQ(plan[1].key, AwsKey(kOwner, kEast));
}

// ---- EvaluateCreateImage (ID-4, CREATE-2, CREATE-3, CREATE-4, ID-17, REG-6) ----------------------

Decision Create(const FakeView& view, AccountId caller, InstanceId instance, std::string name = "new-image",
                bool no_reboot = false, ImageConsistency* consistency = nullptr) {
  return policy::EvaluateCreateImage(view, {caller, kEast, instance, std::move(name), no_reboot},
                                     consistency);
}

TEST_F(PolicyEngine, ID_4_CreateImageNeedsTheCallersInstanceInTheRegion) {
  const InstanceId id = AddInstance(kOwner, InstanceState::kRunning);
  EXPECT_TRUE(Denies(Create(view, kB, id), "ID-4", ErrorCode::kInvalidInstanceIDNotFound));
  EXPECT_TRUE(Denies(Create(view, kOwner, InstanceId::Long(0xbad)), "ID-4",
                     ErrorCode::kInvalidInstanceIDNotFound));
  EXPECT_TRUE(Denies(policy::EvaluateCreateImage(view, {kOwner, kWest, id, "new-image", false}), "ID-4",
                     ErrorCode::kInvalidInstanceIDNotFound));
  EXPECT_TRUE(Allows(Create(view, kOwner, id), "CREATE-4", ErrorCode::kIncorrectInstanceState));
}

TEST_F(PolicyEngine, CREATE_3_InstanceStoreRootDenies) {
  const InstanceId store = AddInstance(kOwner, InstanceState::kRunning, RootDeviceType::kInstanceStore);
  EXPECT_TRUE(Denies(Create(view, kOwner, store), "CREATE-3", ErrorCode::kUnsupportedOperation));
  const InstanceId ebs = AddInstance(kOwner, InstanceState::kRunning);
  EXPECT_TRUE(Allows(Create(view, kOwner, ebs), "CREATE-4", ErrorCode::kIncorrectInstanceState));
}

TEST_F(PolicyEngine, CREATE_2_OnlyRunningStoppingOrStoppedInstances) {
  const InstanceId pending = AddInstance(kOwner, InstanceState::kPending);
  const InstanceId stopped = AddInstance(kOwner, InstanceState::kStopped);
  EXPECT_TRUE(Denies(Create(view, kOwner, pending), "CREATE-2", ErrorCode::kIncorrectInstanceState));
  EXPECT_TRUE(Allows(Create(view, kOwner, stopped), "CREATE-4", ErrorCode::kIncorrectInstanceState));
}

TEST_F(PolicyEngine, ID_17_CreateImageNameMustBeValid) {
  const InstanceId id = AddInstance(kOwner, InstanceState::kStopped);
  EXPECT_TRUE(Denies(Create(view, kOwner, id, "x"), "ID-17", ErrorCode::kInvalidAMINameMalformed));
  EXPECT_TRUE(Allows(Create(view, kOwner, id, "xyz"), "CREATE-4", ErrorCode::kIncorrectInstanceState));
}

TEST_F(PolicyEngine, REG_6_CreateImageNameMustBeFreeInTheRegion) {
  const InstanceId id = AddInstance(kOwner, InstanceState::kStopped);
  const ImageId taken = AddImage(kOwner);
  const std::string name = ImageOf(taken).name();
  EXPECT_TRUE(Denies(Create(view, kOwner, id, name), "REG-6", ErrorCode::kInvalidAMINameDuplicate));
  view.images.clear();
  EXPECT_TRUE(Allows(Create(view, kOwner, id, name), "CREATE-4", ErrorCode::kIncorrectInstanceState));
}

TEST_F(PolicyEngine, CREATE_4_ConsistencyFollowsTheInstanceStateAndNoReboot) {
  const InstanceId running = AddInstance(kOwner, InstanceState::kRunning);
  const InstanceId stopping = AddInstance(kOwner, InstanceState::kStopping);
  const InstanceId stopped = AddInstance(kOwner, InstanceState::kStopped);
  ImageConsistency c = ImageConsistency::kCrashConsistent;
  EXPECT_TRUE(Allows(Create(view, kOwner, running, "a-1", false, &c), "CREATE-4",
                     ErrorCode::kIncorrectInstanceState));
  EXPECT_EQ(c, ImageConsistency::kFileSystemConsistent);
  const Decision no_reboot = Create(view, kOwner, running, "a-2", true, &c);
  EXPECT_TRUE(Allows(no_reboot, "CREATE-4", ErrorCode::kIncorrectInstanceState));
  EXPECT_THAT(no_reboot.Explain(), HasSubstr("NoReboot"));
  EXPECT_EQ(c, ImageConsistency::kCrashConsistent);
  EXPECT_TRUE(Allows(Create(view, kOwner, stopping, "a-3", false, &c), "CREATE-4",
                     ErrorCode::kIncorrectInstanceState));
  EXPECT_EQ(c, ImageConsistency::kCrashConsistent);
  EXPECT_TRUE(Allows(Create(view, kOwner, stopped, "a-4", true, &c), "CREATE-4",
                     ErrorCode::kIncorrectInstanceState));
  EXPECT_EQ(c, ImageConsistency::kFileSystemConsistent);
}

TEST_F(PolicyEngine, CREATE_4_AnInstanceThatIsGoneIsNoConsistency) {
  const InstanceId gone = AddInstance(kOwner, InstanceState::kTerminated);
  EXPECT_TRUE(Denies(Create(view, kOwner, gone), "CREATE-2", ErrorCode::kIncorrectInstanceState));
}

// ---- EvaluateCopy (COPY-3, 6, 7, 11, 12, 16, ID-4, ID-17, REG-2, REG-6, REG-9, KMS-11, KMS-12) ----

Decision Copy(const FakeView& view, AccountId caller, ImageId source, Region destination = kEast,
              std::optional<bool> encrypted = std::nullopt, std::optional<KmsKeyRef> key = std::nullopt,
              policy::CopyPlan* plan = nullptr, std::string name = "copy") {
  return policy::EvaluateCopy(view, {caller, destination, kEast, source, std::move(name), encrypted,
                                     std::move(key)},
                              plan);
}

TEST_F(PolicyEngine, COPY_3_CallerOwnsTheCopy) {
  const ImageId id = AddImage(kOwner, AddSnapshot(kOwner, std::nullopt, {{kB}, false}), SharedWith({kB}));
  policy::CopyPlan plan;
  EXPECT_TRUE(Allows(Copy(view, kB, id, kWest, std::nullopt, std::nullopt, &plan), "COPY-3",
                     ErrorCode::kAuthFailure));
  EXPECT_EQ(plan.owner, kB);
  ASSERT_EQ(plan.snapshots.size(), 1u);
  EXPECT_EQ(plan.snapshots[0].key, std::nullopt);
}

TEST_F(PolicyEngine, COPY_3_NoCopyNoOwner) {
  EXPECT_TRUE(Denies(Copy(view, kB, ImageId::Long(0xbad)), "ID-4", ErrorCode::kInvalidAMIIDNotFound));
  const ImageId id = AddImage(kOwner);
  EXPECT_TRUE(Denies(policy::EvaluateCopy(view, {kOwner, kEast, kWest, id, "copy", std::nullopt, std::nullopt}),
                     "REG-2", ErrorCode::kInvalidAMIIDNotFound));
}

TEST_F(PolicyEngine, COPY_16_AllowedAmisGateCopies) {
  const ImageId id = AddImage(kOwner, SharedWith({kB}));
  SetAllowed(view, kB, AllowedImagesState::kEnabled, {{.image_providers = {"amazon"}}});
  EXPECT_TRUE(Denies(Copy(view, kB, id), "COPY-16", ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_TRUE(Allows(Copy(view, kOwner, id), "COPY-3", ErrorCode::kAuthFailure));
}

TEST_F(PolicyEngine, LAUNCH_7_DeregisteredImageCannotBeCopied) {
  const ImageId id = AddImage(kOwner, [](Image::Builder& b) { b.set_state(ImageState::kDeregistered); });
  EXPECT_TRUE(Denies(Copy(view, kOwner, id), "LAUNCH-7", ErrorCode::kInvalidAMIIDUnavailable));
}

TEST_F(PolicyEngine, COPY_6_CopyNeedsLaunchPermissionAndReadableSnapshots) {
  const ImageId id = AddImage(kOwner, SharedWith({kB}));
  // Without launch permission the image is invisible: it does not exist for the caller.
  EXPECT_TRUE(Denies(Copy(view, kC, id), "COPY-6", ErrorCode::kInvalidAMIIDNotFound));
  // Shared image, private snapshot.
  const Decision d = Copy(view, kB, id);
  EXPECT_TRUE(Denies(d, "COPY-6", ErrorCode::kAuthFailure));
  EXPECT_THAT(d.Explain(), HasSubstr("permission to access the storage"));
  // A public snapshot is readable unless its owner blocks all sharing.
  const ImageId pub = AddImage(kOwner, AddSnapshot(kOwner, std::nullopt, {{}, true}), SharedWith({kB}));
  EXPECT_TRUE(Allows(Copy(view, kB, pub), "COPY-3", ErrorCode::kAuthFailure));
  view.MutableSettings(kOwner, kEast).snapshot_block_public_access =
      RegionSettings::SnapshotBlock::kBlockAllSharing;
  EXPECT_TRUE(Denies(Copy(view, kB, pub), "COPY-6", ErrorCode::kAuthFailure));
}

TEST_F(PolicyEngine, COPY_12_MarketplaceImageIsCopiedOnlyByItsOwner) {
  const ImageId id = AddImage(kOwner, AddSnapshot(kOwner, std::nullopt, {{kB}, false}), [](Image::Builder& b) {
    b.set_launch_permissions(Shared({kB}));
    b.set_product_codes({{"abcd1234efgh5678ijkl9012m", ProductCodeType::kMarketplace}});
  });
  EXPECT_TRUE(Denies(Copy(view, kB, id), "COPY-12", ErrorCode::kOperationNotPermitted));
  EXPECT_TRUE(Allows(Copy(view, kOwner, id), "COPY-3", ErrorCode::kAuthFailure));
}

TEST_F(PolicyEngine, ID_17_AndREG_6_CopyNameIsCheckedInTheDestination) {
  const ImageId id = AddImage(kOwner);
  const std::string taken = ImageOf(id).name();
  EXPECT_TRUE(Denies(Copy(view, kOwner, id, kEast, std::nullopt, std::nullopt, nullptr, "x"), "ID-17",
                     ErrorCode::kInvalidAMINameMalformed));
  EXPECT_TRUE(Denies(Copy(view, kOwner, id, kEast, std::nullopt, std::nullopt, nullptr, taken), "REG-6",
                     ErrorCode::kInvalidAMINameDuplicate));
  EXPECT_TRUE(Allows(Copy(view, kOwner, id, kWest, std::nullopt, std::nullopt, nullptr, taken), "COPY-3",
                     ErrorCode::kAuthFailure));
}

TEST_F(PolicyEngine, KMS_12_CopyKeyNeedsEncrypted) {
  const ImageId id = AddImage(kOwner);
  const KmsKeyArn key = AddKey(kOwner);
  EXPECT_TRUE(Denies(Copy(view, kOwner, id, kEast, false, KmsKeyRef::FromArn(key)), "KMS-12",
                     ErrorCode::kInvalidParameterCombination));
  policy::CopyPlan plan;
  EXPECT_TRUE(Allows(Copy(view, kOwner, id, kEast, true, KmsKeyRef::FromArn(key), &plan), "COPY-3",
                     ErrorCode::kAuthFailure));
  EXPECT_EQ(plan.snapshots.at(0).key, key);
}

TEST_F(PolicyEngine, KMS_11_CopyWithAnUnresolvableKeyFailsLater) {
  const ImageId id = AddImage(kOwner);
  const Decision d = Copy(view, kOwner, id, kEast, true, KmsKeyRef::Parse("alias/none").value());
  EXPECT_TRUE(Denies(d, "KMS-11", ErrorCode::kCustomerKeyHasBeenRevoked, /*later=*/true));
  EXPECT_TRUE(d.denied_later());
  EXPECT_TRUE(Allows(Copy(view, kOwner, id, kEast, true), "COPY-3", ErrorCode::kAuthFailure));
}

TEST_F(PolicyEngine, REG_9_CopyKeyFromAnotherRegionFailsLater) {
  const ImageId id = AddImage(kOwner);
  const KmsKeyArn east_key = AddKey(kOwner);
  policy::CopyPlan plan;
  const Decision d = Copy(view, kOwner, id, kWest, true, KmsKeyRef::FromArn(east_key), &plan);
  EXPECT_TRUE(Denies(d, "REG-9", ErrorCode::kCustomerKeyHasBeenRevoked, /*later=*/true));
  EXPECT_TRUE(d.denied_later());
  EXPECT_TRUE(Overridden(d, "COPY-3"));  // AWS accepts the call: the copy would be the caller's.
  EXPECT_EQ(plan.snapshots.at(0).key, AwsKey(kOwner, kWest));
  const KmsKeyArn west_key = AddKey(kOwner, {}, kWest);
  EXPECT_TRUE(Allows(Copy(view, kOwner, id, kWest, true, KmsKeyRef::FromArn(west_key)), "COPY-3",
                     ErrorCode::kAuthFailure));
}

TEST_F(PolicyEngine, ID_4_CopyOfAnImageWhoseSnapshotIsGoneDenies) {
  const ImageId id = AddImage(kOwner);
  view.snapshots.clear();
  EXPECT_TRUE(Denies(Copy(view, kOwner, id), "ID-4", ErrorCode::kInvalidSnapshotNotFound));
}

TEST_F(PolicyEngine, COPY_7_EncryptedSnapshotCannotBeCopiedUnencrypted) {
  const KmsKeyArn key = AddKey(kOwner);
  const ImageId id = AddImage(kOwner, AddSnapshot(kOwner, key));
  EXPECT_TRUE(Denies(Copy(view, kOwner, id, kEast, false), "COPY-7", ErrorCode::kInvalidRequest));
  // With encryption by default on, Encrypted=false is overridden.
  view.MutableSettings(kOwner, kEast).encryption_by_default = true;
  policy::CopyPlan plan;
  EXPECT_TRUE(Allows(Copy(view, kOwner, id, kEast, false, std::nullopt, &plan), "COPY-3",
                     ErrorCode::kAuthFailure));
  EXPECT_EQ(plan.snapshots.at(0).key, key);  // Same owner, same Region: the same key.
}

TEST_F(PolicyEngine, COPY_11_UnusableKeyFailsLaterAndTargetKeysFollowTheRules) {
  const KmsKeyArn closed = AddKey(kOwner);
  const KmsKeyArn open = AddKey(kOwner, {AllowAccounts({kB})}, kEast, "1234abcd-12ab-34cd-56ef-000000000002");
  const ImageId under_closed =
      AddImage(kOwner, AddSnapshot(kOwner, closed, {{kB}, false}), SharedWith({kB}));
  const ImageId under_open = AddImage(kOwner, AddSnapshot(kOwner, open, {{kB}, false}), SharedWith({kB}));
  const Decision d = Copy(view, kB, under_closed);
  EXPECT_TRUE(Denies(d, "COPY-11", ErrorCode::kCustomerKeyHasBeenRevoked, /*later=*/true));
  EXPECT_TRUE(d.denied_later());
  EXPECT_TRUE(Overridden(d, "COPY-3"));
  policy::CopyPlan plan;
  EXPECT_TRUE(Allows(Copy(view, kB, under_open, kEast, std::nullopt, std::nullopt, &plan), "COPY-3",
                     ErrorCode::kAuthFailure));
  EXPECT_EQ(plan.snapshots.at(0).key, AwsKey(kB, kEast));  // Another's key: the default key.
  // The owner copying to another Region: the destination's default key.
  plan = {};
  EXPECT_TRUE(Allows(Copy(view, kOwner, under_open, kWest, std::nullopt, std::nullopt, &plan), "COPY-3",
                     ErrorCode::kAuthFailure));
  EXPECT_EQ(plan.snapshots.at(0).key, AwsKey(kOwner, kWest));
}

// ---- EvaluateModifyLaunchPermission and EvaluateMakePublic (SHARE-2, 4, 9, 14 … 17, 20) ---------

Decision ShareWith(const FakeView& view, AccountId caller, ImageId image, policy::LaunchPermissionChange change,
                   LaunchPermissions* result = nullptr) {
  return policy::EvaluateModifyLaunchPermission(view, {caller, kEast, image, std::move(change)}, result);
}
policy::LaunchPermissionChange AddAccounts(std::vector<AccountId> accounts) {
  policy::LaunchPermissionChange c;
  c.add_accounts = std::move(accounts);
  return c;
}

TEST_F(PolicyEngine, SHARE_2_OwnerChangesLaunchPermissions) {
  const ImageId id = AddImage(kOwner, SharedWith({kC}));
  policy::LaunchPermissionChange c = AddAccounts({kB, kOwner, kB});
  c.remove_accounts = {kC};
  c.add_organizations = {OrganizationArn::Of(kMgmt, kOrg)};
  c.add_ous = {OrganizationalUnitArn::Of(kMgmt, kOrg, kParentOu)};
  LaunchPermissions result;
  EXPECT_TRUE(Allows(ShareWith(view, kOwner, id, c, &result), "SHARE-2", ErrorCode::kAuthFailure));
  ASSERT_EQ(result.accounts().size(), 1u);  // The owner is never listed.
  EXPECT_EQ(result.accounts()[0], kB);
  EXPECT_EQ(result.organizations().size(), 1u);
  EXPECT_EQ(result.organizational_units().size(), 1u);
  EXPECT_FALSE(result.is_public());
  c = {};
  c.remove_public = true;
  EXPECT_TRUE(Allows(ShareWith(view, kOwner, id, c), "SHARE-2", ErrorCode::kAuthFailure));
}

TEST_F(PolicyEngine, SHARE_4_OnlyTheOwnerSharesAnAvailableImage) {
  const ImageId id = AddImage(kOwner, SharedWith({kB}));
  EXPECT_TRUE(Denies(ShareWith(view, kB, id, AddAccounts({kC})), "SHARE-4", ErrorCode::kAuthFailure));
  EXPECT_TRUE(Denies(ShareWith(view, kB, ImageId::Long(0xbad), AddAccounts({kC})), "ID-4",
                     ErrorCode::kInvalidAMIIDNotFound));
  const ImageId gone = AddImage(kOwner, [](Image::Builder& b) { b.set_state(ImageState::kDeregistered); });
  const ImageId disabled = AddImage(kOwner, [](Image::Builder& b) { b.set_state(ImageState::kDisabled); });
  EXPECT_TRUE(Denies(ShareWith(view, kOwner, gone, AddAccounts({kC})), "LAUNCH-7",
                     ErrorCode::kInvalidAMIIDUnavailable));
  EXPECT_TRUE(Denies(ShareWith(view, kOwner, disabled, AddAccounts({kC})), "LAUNCH-6",
                     ErrorCode::kInvalidAMIIDUnavailable));
  EXPECT_TRUE(Allows(ShareWith(view, kOwner, id, AddAccounts({kC})), "SHARE-2", ErrorCode::kAuthFailure));
}

TEST_F(PolicyEngine, SHARE_20_BlockPublicAccessStopsMakingPublic) {
  const ImageId id = AddImage(kOwner);
  EXPECT_TRUE(Denies(policy::EvaluateMakePublic(view, kOwner, kEast, id), "SHARE-20",
                     ErrorCode::kOperationNotPermitted));
  view.MutableSettings(kOwner, kEast).image_block_public_access = false;
  LaunchPermissions result;
  policy::LaunchPermissionChange c;
  c.add_public = true;
  EXPECT_TRUE(Allows(ShareWith(view, kOwner, id, c, &result), "SHARE-2", ErrorCode::kAuthFailure));
  EXPECT_TRUE(result.is_public());
  EXPECT_TRUE(Allows(policy::EvaluateMakePublic(view, kOwner, kEast, id), "SHARE-2", ErrorCode::kAuthFailure));
}

TEST_F(PolicyEngine, SHARE_14_EncryptedOrUnknownSnapshotsCannotBePublic) {
  view.MutableSettings(kOwner, kEast).image_block_public_access = false;
  const KmsKeyArn key = AddKey(kOwner);
  const ImageId encrypted = AddImage(kOwner, AddSnapshot(kOwner, key));
  EXPECT_TRUE(Denies(policy::EvaluateMakePublic(view, kOwner, kEast, encrypted), "SHARE-14",
                     ErrorCode::kUnsupportedOperation));
  // The image says unencrypted, its snapshot (the truth) says encrypted.
  const Snapshot truth = AddSnapshot(kOwner, key);
  const ImageId hidden = AddImage(kOwner, AddSnapshot(kOwner), [&](Image::Builder& b) {
    b.add_block_device_mapping({"/dev/sdb", EbsBlockDevice{.snapshot_id = truth.id(), .volume_size_gib = 8}, ""});
  });
  EXPECT_TRUE(Denies(policy::EvaluateMakePublic(view, kOwner, kEast, hidden), "SHARE-14",
                     ErrorCode::kUnsupportedOperation));
  const ImageId unknown = AddImage(kOwner, [](Image::Builder& b) {
    b.add_block_device_mapping(
        {"/dev/sdb", EbsBlockDevice{.snapshot_id = SnapshotId::Long(0xfeed), .volume_size_gib = 8}, ""});
  });
  EXPECT_TRUE(Denies(policy::EvaluateMakePublic(view, kOwner, kEast, unknown), "SHARE-14",
                     ErrorCode::kInvalidSnapshotNotFound));
  const ImageId plain = AddImage(kOwner, [](Image::Builder& b) {
    b.add_block_device_mapping({"/dev/sdb", EbsBlockDevice{.volume_size_gib = 8}, ""});
    b.add_block_device_mapping(BlockDeviceMapping{"/dev/sdd", std::nullopt, "ephemeral0"});
  });
  EXPECT_TRUE(Allows(policy::EvaluateMakePublic(view, kOwner, kEast, plain), "SHARE-2",
                     ErrorCode::kAuthFailure));
}

TEST_F(PolicyEngine, SHARE_15_MarketplaceImageCannotBePublic) {
  view.MutableSettings(kOwner, kEast).image_block_public_access = false;
  const ImageId id = AddImage(kOwner, [](Image::Builder& b) {
    b.set_product_codes({{"abcd1234efgh5678ijkl9012m", ProductCodeType::kMarketplace}});
  });
  EXPECT_TRUE(Denies(policy::EvaluateMakePublic(view, kOwner, kEast, id), "SHARE-15",
                     ErrorCode::kUnsupportedOperation));
  // Already public: nothing new is made public.
  const ImageId already = AddImage(kOwner, [](Image::Builder& b) {
    b.set_launch_permissions(Shared({}, true));
    b.set_product_codes({{"abcd1234efgh5678ijkl9012m", ProductCodeType::kMarketplace}});
  });
  EXPECT_TRUE(Allows(policy::EvaluateMakePublic(view, kOwner, kEast, already), "SHARE-2",
                     ErrorCode::kAuthFailure));
}

TEST_F(PolicyEngine, SHARE_9_PublicImageAndSharingQuotas) {
  view.MutableSettings(kOwner, kEast).image_block_public_access = false;
  for (int i = 0; i < 4; ++i) AddImage(kOwner, SharedWith({}, true));
  const ImageId fifth = AddImage(kOwner);
  EXPECT_TRUE(Allows(policy::EvaluateMakePublic(view, kOwner, kEast, fifth), "SHARE-2", ErrorCode::kAuthFailure));
  AddImage(kOwner, SharedWith({}, true));
  EXPECT_TRUE(Denies(policy::EvaluateMakePublic(view, kOwner, kEast, fifth), "SHARE-9",
                     ErrorCode::kResourceLimitExceeded));
  std::vector<AccountId> many;
  for (uint64_t i = 0; i < kMaxLaunchPermissionEntities; ++i) many.push_back(AccountId::FromNumber(100000000000 + i));
  EXPECT_TRUE(Allows(ShareWith(view, kOwner, fifth, AddAccounts(many)), "SHARE-2", ErrorCode::kAuthFailure));
  many.push_back(kB);
  EXPECT_TRUE(Denies(ShareWith(view, kOwner, fifth, AddAccounts(many)), "SHARE-9",
                     ErrorCode::kResourceLimitExceeded));
}

TEST_F(PolicyEngine, SHARE_16_AwsManagedOrUnknownKeyCannotBeShared) {
  const ImageId managed = AddImage(kOwner, AddSnapshot(kOwner, AwsKey(kOwner, kEast)));
  EXPECT_TRUE(Denies(ShareWith(view, kOwner, managed, AddAccounts({kB})), "SHARE-16",
                     ErrorCode::kInvalidParameter));
  const ImageId unknown_key = AddImage(kOwner, AddSnapshot(kOwner, KeyOf(kOwner, kEast)));
  EXPECT_TRUE(Denies(ShareWith(view, kOwner, unknown_key, AddAccounts({kB})), "SHARE-16",
                     ErrorCode::kInvalidParameter));
  const ImageId unknown_snapshot = AddImage(kOwner, [](Image::Builder& b) {
    b.add_block_device_mapping(
        {"/dev/sdb", EbsBlockDevice{.snapshot_id = SnapshotId::Long(0xfeed), .volume_size_gib = 8}, ""});
  });
  EXPECT_TRUE(Denies(ShareWith(view, kOwner, unknown_snapshot, AddAccounts({kB})), "SHARE-14",
                     ErrorCode::kInvalidSnapshotNotFound));
  // Removing recipients needs no key check.
  policy::LaunchPermissionChange remove;
  remove.remove_accounts = {kB};
  EXPECT_TRUE(Allows(ShareWith(view, kOwner, managed, remove), "SHARE-2", ErrorCode::kAuthFailure));
}

TEST_F(PolicyEngine, SHARE_17_CustomerKeyIsSharedWithAWarning) {
  const KmsKeyArn key = AddKey(kOwner);
  const ImageId id = AddImage(kOwner, AddSnapshot(kOwner, key), [](Image::Builder& b) {
    b.add_block_device_mapping({"/dev/sdb", EbsBlockDevice{.volume_size_gib = 8}, ""});
    b.add_block_device_mapping(BlockDeviceMapping{"/dev/sdd", std::nullopt, "ephemeral0"});
  });
  EXPECT_TRUE(Allows(ShareWith(view, kOwner, id, AddAccounts({kB})), "SHARE-17", ErrorCode::kAuthFailure));
  const ImageId plain = AddImage(kOwner);
  EXPECT_FALSE(Allows(ShareWith(view, kOwner, plain, AddAccounts({kB})), "SHARE-17", ErrorCode::kAuthFailure));
}

// ---- EvaluateModifySnapshotPermission (ID-4, SNAP-1, SNAP-2, SNAP-3) -----------------------------

Decision ShareSnapshot(const FakeView& view, AccountId caller, SnapshotId id, std::vector<AccountId> add,
                       bool add_public = false, std::vector<AccountId> remove = {}, bool remove_public = false,
                       CreateVolumePermissions* result = nullptr) {
  return policy::EvaluateModifySnapshotPermission(
      view, {caller, kEast, id, std::move(add), std::move(remove), add_public, remove_public}, result);
}

TEST_F(PolicyEngine, SNAP_1_OwnerSharesAndUnsharesASnapshot) {
  const SnapshotId id = AddSnapshot(kOwner, std::nullopt, {{kC}, false}).id();
  CreateVolumePermissions result;
  EXPECT_TRUE(Allows(ShareSnapshot(view, kOwner, id, {kB, kOwner}, false, {}, false, &result), "SNAP-1",
                     ErrorCode::kAuthFailure));
  EXPECT_EQ(result.accounts, (std::vector<AccountId>{kB, kC}));
  EXPECT_TRUE(Allows(ShareSnapshot(view, kOwner, id, {}, false, {kC}, true, &result), "SNAP-1",
                     ErrorCode::kAuthFailure));
  EXPECT_TRUE(result.accounts.empty());
  EXPECT_FALSE(result.is_public);
}

TEST_F(PolicyEngine, SNAP_1_NotOwnerMixedOrTooManyChangesDeny) {
  const SnapshotId id = AddSnapshot(kOwner).id();
  EXPECT_TRUE(Denies(ShareSnapshot(view, kB, id, {kC}), "SNAP-1", ErrorCode::kAuthFailure));
  EXPECT_TRUE(Denies(ShareSnapshot(view, kOwner, id, {kB}, false, {kC}), "SNAP-1",
                     ErrorCode::kInvalidParameterCombination));
  EXPECT_TRUE(Denies(ShareSnapshot(view, kOwner, id, {}, true, {}, true), "SNAP-1",
                     ErrorCode::kInvalidParameterCombination));
  std::vector<AccountId> many;
  for (uint64_t i = 0; i < 501; ++i) many.push_back(AccountId::FromNumber(100000000000 + i));
  EXPECT_TRUE(Denies(ShareSnapshot(view, kOwner, id, many), "SNAP-1", ErrorCode::kInvalidParameterValue));
  EXPECT_TRUE(Denies(ShareSnapshot(view, kOwner, SnapshotId::Long(0xbad), {kB}), "ID-4",
                     ErrorCode::kInvalidSnapshotNotFound));
  EXPECT_TRUE(Denies(policy::EvaluateModifySnapshotPermission(view, {kOwner, kWest, id, {kB}, {}, false, false}),
                     "ID-4", ErrorCode::kInvalidSnapshotNotFound));
}

TEST_F(PolicyEngine, SNAP_2_DefaultOrUnknownKeyCannotBeSharedCustomerKeyCan) {
  const SnapshotId managed = AddSnapshot(kOwner, AwsKey(kOwner, kEast)).id();
  const SnapshotId unknown = AddSnapshot(kOwner, KeyOf(kOwner, kEast, "1234abcd-12ab-34cd-56ef-000000000009")).id();
  const SnapshotId customer = AddSnapshot(kOwner, AddKey(kOwner)).id();
  EXPECT_TRUE(Denies(ShareSnapshot(view, kOwner, managed, {kB}), "SNAP-2", ErrorCode::kOperationNotPermitted));
  EXPECT_TRUE(Denies(ShareSnapshot(view, kOwner, unknown, {kB}), "SNAP-2", ErrorCode::kOperationNotPermitted));
  EXPECT_TRUE(Allows(ShareSnapshot(view, kOwner, customer, {kB}), "SNAP-1", ErrorCode::kAuthFailure));
}

TEST_F(PolicyEngine, SNAP_2_EncryptedOrMarketplaceSnapshotCannotBePublic) {
  const SnapshotId encrypted = AddSnapshot(kOwner, AddKey(kOwner)).id();
  const SnapshotId marketplace =
      AddSnapshot(kOwner, std::nullopt, {}, kEast,
                  {{"abcd1234efgh5678ijkl9012m", ProductCodeType::kDevpay},
                   {"abcd1234efgh5678ijkl9012n", ProductCodeType::kMarketplace}})
          .id();
  const SnapshotId devpay =
      AddSnapshot(kOwner, std::nullopt, {}, kEast, {{"abcd1234efgh5678ijkl9012m", ProductCodeType::kDevpay}}).id();
  EXPECT_TRUE(Denies(ShareSnapshot(view, kOwner, encrypted, {}, true), "SNAP-2", ErrorCode::kUnsupportedOperation));
  EXPECT_TRUE(Denies(ShareSnapshot(view, kOwner, marketplace, {}, true), "SNAP-2", ErrorCode::kUnsupportedOperation));
  CreateVolumePermissions result;
  EXPECT_TRUE(Allows(ShareSnapshot(view, kOwner, devpay, {}, true, {}, false, &result), "SNAP-1",
                     ErrorCode::kAuthFailure));
  EXPECT_TRUE(result.is_public);
}

TEST_F(PolicyEngine, SNAP_3_BlockPublicAccessStopsNewPublicSharing) {
  const SnapshotId id = AddSnapshot(kOwner).id();
  const SnapshotId already = AddSnapshot(kOwner, std::nullopt, {{}, true}).id();
  view.MutableSettings(kOwner, kEast).snapshot_block_public_access = RegionSettings::SnapshotBlock::kBlockNewSharing;
  const Decision d = ShareSnapshot(view, kOwner, id, {}, true);
  EXPECT_TRUE(Denies(d, "SNAP-3", ErrorCode::kOperationNotPermitted));
  EXPECT_THAT(d.Explain(), HasSubstr("block-new-sharing"));
  EXPECT_TRUE(Allows(ShareSnapshot(view, kOwner, already, {}, true), "SNAP-1", ErrorCode::kAuthFailure));
  view.MutableSettings(kOwner, kEast).snapshot_block_public_access = RegionSettings::SnapshotBlock::kBlockAllSharing;
  EXPECT_THAT(ShareSnapshot(view, kOwner, id, {}, true).Explain(), HasSubstr("block-all-sharing"));
}

// ---- EvaluateImageOwnerAction (ID-4, SHARE-4, DEREG-1, DESC-11, DEREG-6) -------------------------

Decision OwnerAction(const FakeView& view, AccountId caller, ImageId id, ImageAction action) {
  return policy::EvaluateImageOwnerAction(view, caller, kEast, id, action);
}

TEST_F(PolicyEngine, SHARE_4_OnlyTheOwnerActsOnItsImage) {
  const ImageId id = AddImage(kOwner, SharedWith({kB}));
  EXPECT_TRUE(Denies(OwnerAction(view, kB, id, ImageAction::kModifyAttribute), "SHARE-4", ErrorCode::kAuthFailure));
  EXPECT_TRUE(Denies(OwnerAction(view, kB, id, ImageAction::kResetAttribute), "SHARE-4", ErrorCode::kAuthFailure));
  EXPECT_TRUE(Allows(OwnerAction(view, kOwner, id, ImageAction::kModifyAttribute), "SHARE-4",
                     ErrorCode::kAuthFailure));
  EXPECT_TRUE(Denies(OwnerAction(view, kOwner, ImageId::Long(0xbad), ImageAction::kModifyAttribute), "ID-4",
                     ErrorCode::kInvalidAMIIDNotFound));
  const ImageId gone = AddImage(kOwner, [](Image::Builder& b) { b.set_state(ImageState::kDeregistered); });
  EXPECT_TRUE(Denies(OwnerAction(view, kOwner, gone, ImageAction::kDescribeAttribute), "LAUNCH-7",
                     ErrorCode::kInvalidAMIIDUnavailable));
}

TEST_F(PolicyEngine, DEREG_1_OnlyTheOwnerDeregisters) {
  const ImageId id = AddImage(kOwner, SharedWith({kB}));
  EXPECT_TRUE(Denies(OwnerAction(view, kB, id, ImageAction::kDeregister), "DEREG-1", ErrorCode::kAuthFailure));
  EXPECT_TRUE(Allows(OwnerAction(view, kOwner, id, ImageAction::kDeregister), "SHARE-4", ErrorCode::kAuthFailure));
}

TEST_F(PolicyEngine, DESC_11_OnlyTheOwnerDescribesAttributes) {
  const ImageId id = AddImage(kOwner, SharedWith({kB}));
  EXPECT_TRUE(Denies(OwnerAction(view, kB, id, ImageAction::kDescribeAttribute), "DESC-11",
                     ErrorCode::kAuthFailure));
  EXPECT_TRUE(Allows(OwnerAction(view, kOwner, id, ImageAction::kDescribeAttribute), "SHARE-4",
                     ErrorCode::kAuthFailure));
}

TEST_F(PolicyEngine, DEREG_6_ProtectionAndItsCooldownStopDeregistration) {
  const ImageId on = AddImage(kOwner, [](Image::Builder& b) {
    b.set_deregistration_protection(DeregistrationProtection::kEnabledWithCooldown);
  });
  const ImageId cooling = AddImage(kOwner, [](Image::Builder& b) {
    b.set_protection_cooldown_until(kNow + absl::Hours(1));
  });
  const ImageId cooled = AddImage(kOwner, [](Image::Builder& b) {
    b.set_protection_cooldown_until(kNow - absl::Hours(1));
  });
  EXPECT_TRUE(Denies(OwnerAction(view, kOwner, on, ImageAction::kDeregister), "DEREG-6",
                     ErrorCode::kOperationNotPermitted));
  const Decision d = OwnerAction(view, kOwner, cooling, ImageAction::kDeregister);
  EXPECT_TRUE(Denies(d, "DEREG-6", ErrorCode::kOperationNotPermitted));
  EXPECT_THAT(d.Explain(), HasSubstr("(cooldown)"));
  EXPECT_TRUE(Allows(OwnerAction(view, kOwner, cooled, ImageAction::kDeregister), "SHARE-4",
                     ErrorCode::kAuthFailure));
  EXPECT_TRUE(Allows(OwnerAction(view, kOwner, on, ImageAction::kModifyAttribute), "SHARE-4",
                     ErrorCode::kAuthFailure));
}

// ---- EvaluateCancelLaunchPermission (SHARE-8) ----------------------------------------------------

TEST_F(PolicyEngine, SHARE_8_DirectRecipientCancels) {
  const ImageId id = AddImage(kOwner, SharedWith({kB}));
  EXPECT_TRUE(Allows(policy::EvaluateCancelLaunchPermission(view, kB, kEast, id), "SHARE-8",
                     ErrorCode::kAuthFailure));
}

TEST_F(PolicyEngine, SHARE_8_OnlyADirectShareCanBeCancelled) {
  const ImageId id = AddImage(kOwner, [](Image::Builder& b) {
    b.set_launch_permissions(Shared({}, true, {OrganizationArn::Of(kMgmt, kOrg)}));
  });
  EXPECT_TRUE(Denies(policy::EvaluateCancelLaunchPermission(view, kMember, kEast, id), "SHARE-8",
                     ErrorCode::kInvalidParameterValue));
  EXPECT_TRUE(Denies(policy::EvaluateCancelLaunchPermission(view, kB, kWest, id), "REG-2",
                     ErrorCode::kInvalidAMIIDNotFound));
}

// ---- EvaluateDeleteSnapshot (ID-4, SNAP-1, SNAP-4) -----------------------------------------------

TEST_F(PolicyEngine, SNAP_4_SnapshotOfARegisteredImageCannotBeDeleted) {
  const Snapshot s = AddSnapshot(kOwner);
  AddImage(kOwner, s);
  const Decision d = policy::EvaluateDeleteSnapshot(view, kOwner, kEast, s.id());
  EXPECT_TRUE(Denies(d, "SNAP-4", ErrorCode::kInvalidSnapshotInUse));
  EXPECT_THAT(d.Explain(), HasSubstr("in use by 1 registered image"));
}

TEST_F(PolicyEngine, SNAP_4_UnusedSnapshotIsDeletedByItsOwnerOnly) {
  const SnapshotId id = AddSnapshot(kOwner).id();
  EXPECT_TRUE(Allows(policy::EvaluateDeleteSnapshot(view, kOwner, kEast, id), "SNAP-1", ErrorCode::kAuthFailure));
  EXPECT_TRUE(Denies(policy::EvaluateDeleteSnapshot(view, kB, kEast, id), "SNAP-1", ErrorCode::kAuthFailure));
  EXPECT_TRUE(Denies(policy::EvaluateDeleteSnapshot(view, kOwner, kWest, id), "ID-4",
                     ErrorCode::kInvalidSnapshotNotFound));
  EXPECT_TRUE(Denies(policy::EvaluateDeleteSnapshot(view, kOwner, kEast, SnapshotId::Long(0xbad)), "ID-4",
                     ErrorCode::kInvalidSnapshotNotFound));
}

// ---- Plans of the KMS key, tag and snapshot permission operations, over a Cloud's state ----------

class KeyTagPlanning : public testing::CloudFixture {
 protected:
  const internal::CloudState& State() const { return internal::CloudAccess::State(*cloud); }
  // Applies an allowed plan, as the Cloud does after the gate.
  void Apply(policy::Planned p) {
    ASSERT_TRUE(p.decision.allowed()) << p.decision.Explain();
    internal::CloudAccess::State(*cloud).Commit(std::move(p.plan));
  }
  static policy::KeyName Name(const std::string& text) {
    return {KmsKeyRef::Parse(text).value(), text};
  }
  static policy::KeyName Name(const KmsKeyArn& arn) { return Name(arn.ToString()); }
  policy::Planned Tag(const CallContext& ctx, std::vector<policy::TagResource> resources,
                      std::vector<std::pair<std::string, std::string>> tags) {
    policy::TagChange change;
    change.resources = std::move(resources);
    change.add = testing::Must(internal::UserTags(tags));
    return testing::Must(policy::PlanChangeTags(State(), ctx, change));
  }
};

TEST_F(KeyTagPlanning, KMS_1_CreateKeyDrawsItsIdFromACopyOfTheSequence) {
  const uint64_t before = State().next_id();
  policy::Planned p = testing::Must(policy::PlanCreateKey(State(), as_owner, {}));
  EXPECT_TRUE(Allows(p.decision, "KMS-1", ErrorCode::kAuthFailure));
  ASSERT_EQ(p.plan.extra().put_keys.size(), 1u);
  EXPECT_EQ(State().next_id(), before);  // Planning draws nothing.
  ASSERT_TRUE(p.plan.ids.has_value());
  EXPECT_EQ(p.plan.ids->next(), before + 2);
  const KmsKeyArn planned = p.plan.extra().put_keys.front()->arn();
  const std::unique_ptr<Cloud> twin = cloud->Fork();
  EXPECT_EQ(twin->CreateKey(as_owner, {}).value(), planned);  // The Cloud makes the same id.
  Apply(std::move(p));
  EXPECT_EQ(State().next_id(), before + 2);
  EXPECT_TRUE(cloud->GetKey(planned).has_value());
}

TEST_F(KeyTagPlanning, KMS_1_CreateKeyWithABadSpecPlansNothing) {
  CreateKeyRequest bad;
  bad.key_spec = "";
  EXPECT_FALSE(policy::PlanCreateKey(State(), as_owner, bad).ok());
}

TEST_F(KeyTagPlanning, KMS_1_OwnerManagesItsCustomerManagedKey) {
  const KmsKeyArn key = CustomerKey(as_owner);
  const policy::Planned p = testing::Must(policy::PlanPutKeyPolicy(State(), as_owner, Name(key), std::nullopt, {}));
  EXPECT_TRUE(Allows(p.decision, "KMS-1", ErrorCode::kAuthFailure));
  EXPECT_EQ(p.plan.extra().put_keys.size(), 1u);
}

TEST_F(KeyTagPlanning, KMS_1_AwsManagedKeyCannotBeChanged) {
  const policy::Planned p =
      testing::Must(policy::PlanPutKeyPolicy(State(), as_owner, Name(AwsManagedKey(owner)), std::nullopt, {}));
  EXPECT_TRUE(Denies(p.decision, "KMS-1", ErrorCode::kOperationNotPermitted));
  EXPECT_TRUE(p.plan.extra().put_keys.empty());
}

TEST_F(KeyTagPlanning, KMS_1_KeyOfAnotherAccountOrNoKeyIsNotFound) {
  const KmsKeyArn key = CustomerKey(as_owner);
  const policy::Planned theirs = testing::Must(policy::PlanKeyState(State(), as_b, Name(key), KeyState::kDisabled));
  EXPECT_TRUE(Denies(theirs.decision, "KMS-1", ErrorCode::kKmsNotFoundException));
  EXPECT_THAT(theirs.decision.ToStatus().message(), HasSubstr("does not exist in account `444455556666`"));
  const policy::Planned none = policy::PlanCreateAlias(State(), as_owner, "alias/x", Name("alias/none"));
  EXPECT_TRUE(Denies(none.decision, "KMS-1", ErrorCode::kKmsNotFoundException));
}

TEST_F(KeyTagPlanning, KMS_14_PrimaryIsReplicatedToAnotherRegion) {
  const KmsKeyArn mrk = NewKey(owner, east, {}, /*multi_region=*/true);
  policy::Planned p = testing::Must(policy::PlanReplicateKey(State(), as_owner, Name(mrk), west));
  EXPECT_TRUE(Allows(p.decision, "KMS-1", ErrorCode::kAuthFailure));
  ASSERT_EQ(p.plan.extra().put_keys.size(), 1u);
  EXPECT_EQ(p.plan.extra().put_keys.front()->arn(), KmsKeyArn::Of(owner, west, mrk.key_id()));
  EXPECT_EQ(p.plan.extra().put_keys.front()->multi_region_role(), MultiRegionRole::kReplica);
  Apply(std::move(p));
  const policy::Planned again = testing::Must(policy::PlanReplicateKey(State(), as_owner, Name(mrk), west));
  EXPECT_TRUE(Denies(again.decision, "KMS-14", ErrorCode::kInvalidParameterValue));
}

TEST_F(KeyTagPlanning, KMS_14_OnlyAPrimaryIsReplicatedAndNotIntoItsOwnRegion) {
  const KmsKeyArn single = CustomerKey(as_owner);
  const KmsKeyArn mrk = NewKey(owner, east, {}, /*multi_region=*/true);
  EXPECT_TRUE(Denies(testing::Must(policy::PlanReplicateKey(State(), as_owner, Name(single), west)).decision,
                     "KMS-14", ErrorCode::kKmsInvalidStateException));
  EXPECT_TRUE(Denies(testing::Must(policy::PlanReplicateKey(State(), as_owner, Name(mrk), east)).decision,
                     "KMS-14", ErrorCode::kInvalidParameterValue));
}

TEST_F(KeyTagPlanning, ID_13_AliasIsUniquePerAccountAndRegion) {
  const KmsKeyArn key = CustomerKey(as_owner);
  policy::Planned p = policy::PlanCreateAlias(State(), as_owner, "alias/build", Name(key));
  EXPECT_TRUE(Allows(p.decision, "KMS-1", ErrorCode::kAuthFailure));
  ASSERT_EQ(p.plan.extra().put_aliases.size(), 1u);
  Apply(std::move(p));
  EXPECT_EQ(State().FindAlias(owner, east, "alias/build"), key);
  EXPECT_TRUE(Denies(policy::PlanCreateAlias(State(), as_owner, "alias/build", Name(key)).decision, "ID-13",
                     ErrorCode::kInvalidParameterValue));
  EXPECT_TRUE(policy::PlanCreateAlias(State(), as_owner_west, "alias/build",
                                      Name(NewKey(owner, west))).decision.allowed());
}

TEST_F(KeyTagPlanning, KMS_4_GrantNeedsAnOperationAndDrawsItsId) {
  const KmsKeyArn key = CustomerKey(as_owner);
  const uint64_t before = State().next_id();
  const KmsActions decrypt = KmsActions::Of({KmsAction::kDecrypt});
  policy::PlannedGrant g = testing::Must(policy::PlanCreateGrant(State(), as_owner, Name(key), b, decrypt));
  EXPECT_TRUE(Allows(g.planned.decision, "KMS-1", ErrorCode::kAuthFailure));
  EXPECT_EQ(g.grant_id.size(), 32u);
  EXPECT_EQ(State().next_id(), before);
  ASSERT_EQ(g.planned.plan.extra().put_keys.size(), 1u);
  EXPECT_EQ(g.planned.plan.extra().put_keys.front()->grants().back().grant_id, g.grant_id);
  const policy::PlannedGrant none =
      testing::Must(policy::PlanCreateGrant(State(), as_owner, Name(key), b, KmsActions()));
  EXPECT_TRUE(Denies(none.planned.decision, "KMS-4", ErrorCode::kInvalidParameterValue));
  EXPECT_FALSE(none.planned.plan.ids.has_value());
}

TEST_F(KeyTagPlanning, KMS_15_ScheduledDeletionIsPlannedAndThenFinal) {
  const KmsKeyArn key = CustomerKey(as_owner);
  policy::Planned p =
      testing::Must(policy::PlanKeyState(State(), as_owner, Name(key), KeyState::kPendingDeletion, 7));
  EXPECT_TRUE(Allows(p.decision, "KMS-1", ErrorCode::kAuthFailure));
  ASSERT_EQ(p.plan.schedule.size(), 1u);
  EXPECT_EQ(p.plan.schedule.front().first, absl::Hours(24 * 7));
  EXPECT_EQ(p.plan.extra().put_keys.front()->deletion_time(), t0 + absl::Hours(24 * 7));
  Apply(std::move(p));
  const policy::Planned enable = testing::Must(policy::PlanKeyState(State(), as_owner, Name(key), KeyState::kEnabled));
  EXPECT_TRUE(Denies(enable.decision, "KMS-15", ErrorCode::kKmsInvalidStateException));
}

TEST_F(KeyTagPlanning, KMS_5_AnotherAccountDescribesAKeyOnlyWhenAllowed) {
  const KmsKeyArn key = CustomerKey(as_owner);
  std::optional<KmsKeyArn> arn;
  EXPECT_TRUE(Allows(policy::EvaluateDescribeKey(State(), owner, east, Name(key), &arn), "KMS-1",
                     ErrorCode::kAuthFailure));
  EXPECT_EQ(arn, key);
  EXPECT_TRUE(Denies(policy::EvaluateDescribeKey(State(), b, east, Name(key), &arn), "KMS-5",
                     ErrorCode::kKmsNotFoundException));
  KeyPolicyStatement allow_b;
  allow_b.accounts = {b};
  allow_b.actions = KmsActions::Of({KmsAction::kDescribeKey});
  const KmsKeyArn shared = NewKey(owner, east, {allow_b});
  EXPECT_TRUE(policy::EvaluateDescribeKey(State(), b, east, Name(shared), &arn).allowed());
}

TEST_F(KeyTagPlanning, ID_14_KeyNamesResolveOnlyInTheCallersAccount) {
  std::optional<KmsKeyArn> arn;
  EXPECT_TRUE(Denies(policy::EvaluateDescribeKey(State(), owner, east, Name("alias/none"), &arn), "ID-14",
                     ErrorCode::kKmsNotFoundException));
  EXPECT_TRUE(Allows(policy::EvaluateDescribeKey(State(), owner, east, Name(AwsManagedKey(owner)), &arn),
                     "KMS-1", ErrorCode::kCustomerKeyHasBeenRevoked));
  EXPECT_TRUE(Denies(policy::EvaluateDescribeKey(State(), b, east, Name(AwsManagedKey(owner)), &arn), "KMS-1",
                     ErrorCode::kKmsNotFoundException));
}

TEST_F(KeyTagPlanning, SHARE_13_OwnerTagsTheImageARecipientKeepsItsOwnTags) {
  const ImageId id = SeedImage(owner);
  testing::Check(Share(as_owner, id, {testing::User(b)}));
  const policy::Planned mine = Tag(as_owner, {id}, {{"team", "a"}});
  EXPECT_TRUE(Allows(mine.decision, "SHARE-13", ErrorCode::kAuthFailure));
  ASSERT_EQ(mine.plan.put_images.size(), 1u);
  EXPECT_EQ(mine.plan.put_images.front()->tags().Find("team").value_or("-"), "a");
  EXPECT_TRUE(mine.plan.extra().set_foreign_tags.empty());
  policy::Planned theirs = Tag(as_b, {id}, {{"mine", "b"}});
  EXPECT_TRUE(Allows(theirs.decision, "SHARE-13", ErrorCode::kAuthFailure));
  EXPECT_TRUE(theirs.plan.put_images.empty());
  ASSERT_EQ(theirs.plan.extra().set_foreign_tags.size(), 1u);
  EXPECT_EQ(theirs.plan.extra().set_foreign_tags.front().account, b);
  Apply(std::move(theirs));
  EXPECT_EQ(cloud->GetTags(b, id.ToString())->Find("mine").value_or("-"), "b");
}

TEST_F(KeyTagPlanning, SHARE_13_AccountThatCannotSeeTheResourceCannotTagIt) {
  const ImageId id = SeedImage(owner);
  const SnapshotId snap = SeedSnapshot(owner);
  EXPECT_TRUE(Denies(Tag(as_c, {id}, {{"mine", "c"}}).decision, "SHARE-13", ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_TRUE(Denies(Tag(as_c, {snap}, {{"mine", "c"}}).decision, "SHARE-13",
                     ErrorCode::kInvalidSnapshotNotFound));
  testing::Check(ShareSnapshot(as_owner, snap, "add", {c.ToString()}));
  EXPECT_TRUE(Allows(Tag(as_c, {snap}, {{"mine", "c"}}).decision, "SHARE-13", ErrorCode::kAuthFailure));
}

TEST_F(KeyTagPlanning, ID_4_TagsNeedTheResourceInTheRegion) {
  const ImageId id = SeedImage(owner);
  const InstanceId instance = testing::Must(Launch(as_owner, id)).front();
  EXPECT_TRUE(Allows(Tag(as_owner, {instance}, {{"k", "v"}}).decision, "SHARE-13", ErrorCode::kAuthFailure));
  EXPECT_TRUE(Denies(Tag(as_b, {instance}, {{"k", "v"}}).decision, "ID-4", ErrorCode::kInvalidInstanceIDNotFound));
  EXPECT_TRUE(Denies(Tag(as_owner_west, {id}, {{"k", "v"}}).decision, "ID-4", ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_TRUE(Denies(Tag(as_owner, {SnapshotId::Long(0xbad, 0)}, {{"k", "v"}}).decision, "ID-4",
                     ErrorCode::kInvalidSnapshotNotFound));
}

TEST_F(KeyTagPlanning, SHARE_13_AResourceHoldsAtMost50UserTags) {
  const ImageId id = SeedImage(owner);
  std::vector<std::pair<std::string, std::string>> fifty;
  for (int i = 0; i < 50; ++i) fifty.emplace_back(absl::StrCat("k", i), "v");
  Apply(Tag(as_owner, {id}, fifty));
  EXPECT_TRUE(Allows(Tag(as_owner, {id}, {{"k0", "again"}}).decision, "SHARE-13", ErrorCode::kAuthFailure));
  const policy::Planned over = Tag(as_owner, {id}, {{"k50", "v"}});
  EXPECT_TRUE(Denies(over.decision, "SHARE-13", ErrorCode::kTagLimitExceeded));
  EXPECT_EQ(over.decision.ToStatus().message(), "a resource can have at most 50 tags; got 51");
}

TEST_F(KeyTagPlanning, SNAP_1_OwnerChangesCreateVolumePermissionsOthersDoNot) {
  const SnapshotId snap = SeedSnapshot(owner);
  const policy::Planned p = testing::Must(
      policy::PlanModifySnapshotPermission(State(), {owner, east, snap, {b}, {}, false, false}));
  EXPECT_TRUE(Allows(p.decision, "SNAP-1", ErrorCode::kAuthFailure));
  ASSERT_EQ(p.plan.put_snapshots.size(), 1u);
  EXPECT_EQ(p.plan.put_snapshots.front()->create_volume_permissions().accounts, std::vector<AccountId>{b});
  const policy::Planned q =
      testing::Must(policy::PlanModifySnapshotPermission(State(), {b, east, snap, {c}, {}, false, false}));
  EXPECT_TRUE(Denies(q.decision, "SNAP-1", ErrorCode::kAuthFailure));
  EXPECT_TRUE(q.plan.put_snapshots.empty());
}

// ---- Settings, Allowed AMIs and the Recycle Bin (KMS-2, KMS-3, SHARE-18, SNAP-3, GOV-7,
// DEREG-9, DEREG-10): the planning functions against a cloud's state ----

using testing::Check;
using testing::Seed;

class PlanSettings : public testing::CloudFixture {
 protected:
  const policy::PlanView& view() const { return internal::CloudAccess::State(*cloud); }

  std::string NewRule(const CallContext& ctx, const char* type, std::optional<int> lock = {}) {
    CreateRuleRequest r;
    r.resource_type = type;
    r.retention_days = 7;
    r.lock_unlock_delay_days = lock;
    return testing::Must(cloud->CreateRecycleBinRule(ctx, r));
  }
  // An image of the owner, deregistered with its snapshot deleted: both in the Recycle Bin.
  ImageId BinnedImage(const Seed& seed = {}) {
    NewRule(as_owner, "EC2_IMAGE");
    NewRule(as_owner, "EBS_SNAPSHOT");
    const ImageId id = SeedImage(owner, seed);
    testing::Must(cloud->DeregisterImage(as_owner, id.ToString(), true));
    return id;
  }
};

TEST_F(PlanSettings, KMS_3_EncryptionByDefaultIsTheCallersWholeSettings) {
  const policy::Planned p = policy::PlanSettingsChange(
      view(), as_owner, {policy::SettingsChange::Kind::kEnableEncryptionByDefault});
  EXPECT_TRUE(Allows(p.decision, "KMS-3", ErrorCode::kInvalidParameterValue));
  ASSERT_TRUE(p.plan.extra().put_settings.has_value());
  EXPECT_EQ(p.plan.extra().put_settings->first, internal::AccountRegion(owner, east));
  EXPECT_TRUE(p.plan.extra().put_settings->second.encryption_by_default);
  EXPECT_EQ(p.plan.extra().put_settings->second.default_kms_key, DefaultKey(owner, east));
}

TEST_F(PlanSettings, SHARE_18_EnablingBlocksTenMinutesLaterDisablingAtOnce) {
  Check(cloud->DisableImageBlockPublicAccess(as_owner));
  const policy::Planned on = policy::PlanSettingsChange(
      view(), as_owner, {policy::SettingsChange::Kind::kEnableImageBlock});
  EXPECT_TRUE(Allows(on.decision, "SHARE-18", ErrorCode::kInvalidParameterValue));
  EXPECT_FALSE(on.plan.extra().put_settings->second.image_block_public_access);
  EXPECT_EQ(on.plan.extra().put_settings->second.image_block_public_access_from, t0 + absl::Minutes(10));
  const policy::Planned off = policy::PlanSettingsChange(
      view(), as_owner, {policy::SettingsChange::Kind::kDisableImageBlock});
  EXPECT_TRUE(Allows(off.decision, "SHARE-18", ErrorCode::kInvalidParameterValue));
  EXPECT_FALSE(off.plan.extra().put_settings->second.image_block_public_access_from.has_value());
}

TEST_F(PlanSettings, SNAP_3_SnapshotBlockPublicAccessIsSet) {
  const policy::Planned p = policy::PlanSettingsChange(
      view(), as_owner,
      {policy::SettingsChange::Kind::kEnableSnapshotBlock,
       RegionSettings::SnapshotBlock::kBlockAllSharing});
  EXPECT_TRUE(Allows(p.decision, "SNAP-3", ErrorCode::kInvalidParameterValue));
  EXPECT_EQ(p.plan.extra().put_settings->second.snapshot_block_public_access,
            RegionSettings::SnapshotBlock::kBlockAllSharing);
}

TEST_F(PlanSettings, KMS_2_DefaultKeyMustResolveAndBeSymmetric) {
  const KmsKeyArn cmk = NewKey(owner, east);
  const policy::Planned ok = policy::PlanModifyDefaultKey(
      view(), as_owner, KmsKeyRef::Parse(cmk.ToString()).value(), cmk.ToString());
  EXPECT_TRUE(Allows(ok.decision, "KMS-2", ErrorCode::kKmsNotFoundException));
  EXPECT_EQ(ok.plan.extra().put_settings->second.default_kms_key, cmk);

  const policy::Planned missing = policy::PlanModifyDefaultKey(
      view(), as_owner, KmsKeyRef::Parse("alias/none").value(), "alias/none");
  EXPECT_TRUE(Denies(missing.decision, "KMS-2", ErrorCode::kKmsNotFoundException));
  EXPECT_THAT(missing.decision.ToStatus(), MessageHas("alias `alias/none` does not exist"));
  EXPECT_FALSE(missing.plan.extra().put_settings.has_value());

  const KmsKeyArn rsa = NewKey(owner, east, {}, false, "RSA_2048");
  const policy::Planned asym = policy::PlanModifyDefaultKey(
      view(), as_owner, KmsKeyRef::Parse(rsa.ToString()).value(), rsa.ToString());
  EXPECT_TRUE(Denies(asym.decision, "KMS-2", ErrorCode::kInvalidParameterValue));
}

TEST_F(PlanSettings, GOV_7_CriteriaOutliveDisablingAndTheDefaultIsNotStored) {
  using Kind = policy::AllowedImagesChange::Kind;
  const policy::Planned empty = policy::PlanAllowedImagesChange(view(), as_owner, {Kind::kDisable});
  EXPECT_TRUE(Allows(empty.decision, "GOV-7", ErrorCode::kInvalidParameterValue));
  ASSERT_TRUE(empty.plan.extra().put_allowed_images.has_value());
  EXPECT_FALSE(empty.plan.extra().put_allowed_images->second.has_value());

  ImageCriterion amazon_only;
  amazon_only.image_providers = {"amazon"};
  Check(cloud->ReplaceImageCriteriaInAllowedImagesSettings(as_owner, {amazon_only}));
  const policy::Planned on = policy::PlanAllowedImagesChange(
      view(), as_owner, {Kind::kEnable, AllowedImagesState::kAuditMode, {}});
  EXPECT_TRUE(Allows(on.decision, "GOV-7", ErrorCode::kInvalidParameterValue));
  ASSERT_TRUE(on.plan.extra().put_allowed_images->second.has_value());
  EXPECT_EQ(on.plan.extra().put_allowed_images->second->state, AllowedImagesState::kAuditMode);
  EXPECT_EQ(on.plan.extra().put_allowed_images->second->criteria.size(), 1u);
}

TEST_F(PlanSettings, DEREG_9_RuleIdComesFromTheIdSequenceAndOnlyACommitDrawsIt) {
  CreateRuleRequest r;
  r.resource_type = "EC2_IMAGE";
  r.retention_days = 7;
  const policy::PlannedRule p =
      policy::PlanCreateRecycleBinRule(view(), as_owner, RecycleBinResourceType::kImage, r);
  EXPECT_TRUE(Allows(p.planned.decision, "DEREG-9", ErrorCode::kInvalidParameterValue));
  EXPECT_EQ(p.id, "DKI0UcdtLvi");  // The first value of seed 1's sequence.
  EXPECT_EQ(testing::Must(cloud->CreateRecycleBinRule(as_owner, r)), p.id);
  EXPECT_EQ(NewRule(as_owner, "EC2_IMAGE"), "BzWB5Zqcxt5");
}

TEST_F(PlanSettings, DEREG_9_OnlyAnUnlockedRuleIsDeletedOrLocked) {
  const std::string unlocked = NewRule(as_owner, "EC2_IMAGE");
  const std::string locked = NewRule(as_owner, "EC2_IMAGE", 7);
  using policy::RuleAction;
  const policy::Planned del = policy::PlanRecycleBinRule(view(), as_owner, unlocked, RuleAction::kDelete);
  EXPECT_TRUE(Allows(del.decision, "DEREG-9", ErrorCode::kInvalidParameterValue));
  EXPECT_EQ(del.plan.extra().put_bin_rules->second.size(), 1u);
  EXPECT_TRUE(Allows(policy::PlanRecycleBinRule(view(), as_owner, unlocked, RuleAction::kLock, 7).decision,
                     "DEREG-9", ErrorCode::kInvalidParameterValue));
  for (const RuleAction action : {RuleAction::kDelete, RuleAction::kLock}) {
    const policy::Planned p = policy::PlanRecycleBinRule(view(), as_owner, locked, action, 7);
    EXPECT_TRUE(Denies(p.decision, "DEREG-9", ErrorCode::kOperationNotPermitted));
    EXPECT_FALSE(p.plan.extra().put_bin_rules.has_value());
  }
}

TEST_F(PlanSettings, DEREG_9_OnlyALockedRuleIsUnlockedAndUnknownRulesAreNotFound) {
  const std::string unlocked = NewRule(as_owner, "EC2_IMAGE");
  const std::string locked = NewRule(as_owner, "EC2_IMAGE", 7);
  using policy::RuleAction;
  const policy::Planned p = policy::PlanRecycleBinRule(view(), as_owner, locked, RuleAction::kUnlock);
  EXPECT_TRUE(Allows(p.decision, "DEREG-9", ErrorCode::kInvalidParameterValue));
  EXPECT_EQ(p.plan.extra().put_bin_rules->second[locked < unlocked ? 0 : 1].unlock_at, t0 + absl::Hours(24 * 7));
  EXPECT_TRUE(Denies(policy::PlanRecycleBinRule(view(), as_owner, unlocked, RuleAction::kUnlock).decision,
                     "DEREG-9", ErrorCode::kOperationNotPermitted));
  const policy::Planned none = policy::PlanRecycleBinRule(view(), as_b, locked, RuleAction::kDelete);
  EXPECT_TRUE(Denies(none.decision, "DEREG-9", ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(none.decision.ToStatus(), MessageHas("does not exist in account `444455556666`"));
}

TEST_F(PlanSettings, DEREG_10_AnImageIsRestoredOnlyAfterItsSnapshots) {
  const ImageId id = BinnedImage();
  const SnapshotId snap = cloud->ListImagesInRecycleBin(as_owner).front().image.snapshot_ids().front();
  const policy::Planned early = policy::PlanRestoreImage(view(), as_owner, id);
  EXPECT_TRUE(Denies(early.decision, "DEREG-10", ErrorCode::kInvalidSnapshotNotFound));
  EXPECT_THAT(early.decision.ToStatus(), MessageHas("is in the recycle bin; restore its snapshots"));
  EXPECT_TRUE(early.plan.put_images.empty());

  const policy::Planned s = policy::PlanRestoreSnapshot(view(), as_owner, snap);
  EXPECT_TRUE(Allows(s.decision, "DEREG-10", ErrorCode::kInvalidSnapshotNotFound));
  EXPECT_EQ(s.plan.extra().leave_bin, std::vector<std::string>{snap.ToString()});
  Check(cloud->RestoreSnapshotFromRecycleBin(as_owner, snap.ToString()));
  const policy::Planned p = policy::PlanRestoreImage(view(), as_owner, id);
  EXPECT_TRUE(Allows(p.decision, "DEREG-10", ErrorCode::kInvalidAMIIDNotFound));
  ASSERT_EQ(p.plan.put_images.size(), 1u);
  EXPECT_EQ(p.plan.put_images.front()->id(), id);
  EXPECT_EQ(p.plan.extra().leave_bin, std::vector<std::string>{id.ToString()});
}

TEST_F(PlanSettings, DEREG_10_OnlyTheCallersBinIsRestoredFrom) {
  const ImageId id = BinnedImage();
  EXPECT_TRUE(Denies(policy::PlanRestoreImage(view(), as_b, id).decision, "DEREG-10",
                     ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_TRUE(Denies(policy::PlanRestoreSnapshot(view(), as_owner, SnapshotId::Long(0xbad)).decision,
                     "DEREG-10", ErrorCode::kInvalidSnapshotNotFound));
}

TEST_F(PlanSettings, REG_6_ARestoredImageNeedsItsNameFree) {
  const ImageId id = BinnedImage({.name = "web"});
  const SnapshotId snap = cloud->ListImagesInRecycleBin(as_owner).front().image.snapshot_ids().front();
  Check(cloud->RestoreSnapshotFromRecycleBin(as_owner, snap.ToString()));
  EXPECT_TRUE(Allows(policy::PlanRestoreImage(view(), as_owner, id).decision, "DEREG-10",
                     ErrorCode::kInvalidAMIIDNotFound));
  SeedImage(owner, {.name = "web"});
  const policy::Planned p = policy::PlanRestoreImage(view(), as_owner, id);
  EXPECT_TRUE(Denies(p.decision, "REG-6", ErrorCode::kInvalidAMINameDuplicate));
  EXPECT_THAT(p.decision.ToStatus(), MessageHas("its name `web` is now used by"));
}


// ---- Seeded images, plan values and tag access over the in-memory view --------------------------

// An image of kOwner in us-east-1 named `name` whose /dev/xvda maps `ebs` (not added to the view).
Image SeededImage(const std::string& name, EbsBlockDevice ebs, ImageId id = ImageId::Long(0xf00)) {
  Image::Builder b;
  b.set_id(id).set_name(name).set_owner(kOwner).set_region(kEast).set_creation_time(kNow)
      .add_block_device_mapping(BlockDeviceMapping{"/dev/xvda", std::move(ebs), ""});
  return b.Build().value();
}

TEST_F(PolicyEngine, REG_6_SeededImageNameMustBeFreeUnlessTheFileCheckedIt) {
  const Snapshot snap = AddSnapshot(kOwner);
  const ImageId held = AddImage(kOwner, snap);
  const Image same_name = SeededImage(ImageOf(held).name(), {.snapshot_id = snap.id()});
  const absl::Status s = policy::CheckSeededImage(view, same_name);
  EXPECT_THAT(s, HasErrorCode(ErrorCode::kInvalidAMINameDuplicate));
  EXPECT_THAT(s, MessageHas(absl::StrCat("is already in use by AMI `", held.ToString(), "` (REG-6)")));
  EXPECT_THAT(policy::CheckSeededImage(view, same_name, /*check_name=*/false), IsOk());
  EXPECT_THAT(policy::CheckSeededImage(view, ImageOf(held)), IsOk());  // Its own name.
  Image::Builder gone = same_name.ToBuilder();
  gone.set_state(ImageState::kDeregistered);
  EXPECT_THAT(policy::CheckSeededImage(view, gone.Build().value()), IsOk());
}

TEST_F(PolicyEngine, ID_4_SeededImageNeedsItsSnapshotsInItsRegion) {
  const Snapshot west = AddSnapshot(kOwner, std::nullopt, {}, kWest);
  const absl::Status elsewhere = policy::CheckSeededImage(view, SeededImage("image-a", {.snapshot_id = west.id()}));
  EXPECT_THAT(elsewhere, HasErrorCode(ErrorCode::kInvalidSnapshotNotFound));
  EXPECT_THAT(elsewhere, MessageHas("which does not exist in us-east-1"));
  EXPECT_THAT(policy::CheckSeededImage(view, SeededImage("image-b", {.snapshot_id = SnapshotId::Long(0xbad)})),
              HasErrorCode(ErrorCode::kInvalidSnapshotNotFound));
  // Mappings of no snapshot (a new empty volume, an instance-store volume) are not checked.
  const Snapshot root = AddSnapshot(kOwner);
  Image::Builder b = SeededImage("image-c", {.snapshot_id = root.id()}).ToBuilder();
  b.add_block_device_mapping({"/dev/sdb", EbsBlockDevice{.volume_size_gib = 20}, ""});
  b.add_block_device_mapping({"/dev/sdc", std::nullopt, "ephemeral0"});
  EXPECT_THAT(policy::CheckSeededImage(view, b.Build().value()), IsOk());
}

TEST_F(PolicyEngine, SeededImageMappingMustAgreeWithTheSnapshotsEncryption) {
  const KmsKeyArn key = AddKey(kOwner);
  const KmsKeyArn other = AddKey(kOwner, {}, kEast, "22222222-2222-2222-2222-222222222222");
  const Snapshot plain = AddSnapshot(kOwner);
  const Snapshot encrypted = AddSnapshot(kOwner, key);
  const absl::Status claims_encrypted = policy::CheckSeededImage(
      view, SeededImage("image-a", {.snapshot_id = plain.id(), .encrypted = true, .kms_key = key}));
  EXPECT_THAT(claims_encrypted, HasErrorCode(ErrorCode::kInvalidParameterCombination));
  EXPECT_THAT(claims_encrypted, MessageHas("as encrypted, but the snapshot is unencrypted"));
  const absl::Status claims_plain =
      policy::CheckSeededImage(view, SeededImage("image-b", {.snapshot_id = encrypted.id()}));
  EXPECT_THAT(claims_plain, HasErrorCode(ErrorCode::kInvalidParameterCombination));
  EXPECT_THAT(claims_plain, MessageHas(absl::StrCat("as unencrypted, but the snapshot is encrypted under `",
                                                    key.ToString(), "`")));
  EXPECT_THAT(policy::CheckSeededImage(
                  view, SeededImage("image-c", {.snapshot_id = encrypted.id(), .encrypted = true, .kms_key = other})),
              HasErrorCode(ErrorCode::kInvalidParameterCombination));
  EXPECT_THAT(policy::CheckSeededImage(view, SeededImage("image-d", {.snapshot_id = encrypted.id(), .encrypted = true})),
              IsOk());
  EXPECT_THAT(policy::CheckSeededImage(
                  view, SeededImage("image-e", {.snapshot_id = encrypted.id(), .encrypted = true, .kms_key = key})),
              IsOk());
}

TEST(PlanValues, PendingWorkTokensAndOrganizationsCompareEveryField) {
  using internal::PendingWork;
  const PendingWork work{PendingWork::Kind::kImage, "ami-1", std::nullopt};
  EXPECT_EQ(work, (PendingWork{PendingWork::Kind::kImage, "ami-1", std::nullopt}));
  EXPECT_FALSE(work == (PendingWork{PendingWork::Kind::kInstance, "ami-1", std::nullopt}));
  EXPECT_FALSE(work == (PendingWork{PendingWork::Kind::kImage, "ami-2", std::nullopt}));
  EXPECT_FALSE(work == (PendingWork{PendingWork::Kind::kImage, "ami-1", StateReason{"c", "m"}}));
  const internal::TokenEntry token{"fp", ImageId::Short(1)};
  EXPECT_EQ(token, (internal::TokenEntry{"fp", ImageId::Short(1)}));
  EXPECT_FALSE(token == (internal::TokenEntry{"other", ImageId::Short(1)}));
  EXPECT_FALSE(token == (internal::TokenEntry{"fp", ImageId::Short(2)}));
  internal::OrganizationInfo org;
  org.management = kMgmt;
  org.root_id = "r-ab12";
  internal::OrganizationInfo same = org;
  EXPECT_EQ(org, same);
  same.management = kB;
  EXPECT_FALSE(org == same);
  same = org;
  same.root_id = "r-cd34";
  EXPECT_FALSE(org == same);
  same = org;
  same.ous.emplace(kParentOu, std::nullopt);
  EXPECT_FALSE(org == same);
}

TEST_F(PolicyEngine, SHARE_13_TagAccessOfRecipientsAndOfInstances) {
  const ImageId shared = AddImage(kOwner, SharedWith({kB}));
  EXPECT_TRUE(Allows(policy::EvaluateTagAccess(view, kB, kEast, shared), "SHARE-13", ErrorCode::kAuthFailure));
  const Snapshot listed = AddSnapshot(kOwner, std::nullopt, {{kB}, false});
  const Snapshot open = AddSnapshot(kOwner, std::nullopt, {{}, true});
  bool owner = true;
  EXPECT_TRUE(Allows(policy::EvaluateTagAccess(view, kB, kEast, listed.id(), &owner), "SHARE-13",
                     ErrorCode::kAuthFailure));
  EXPECT_FALSE(owner);
  EXPECT_TRUE(Allows(policy::EvaluateTagAccess(view, kC, kEast, open.id()), "SHARE-13", ErrorCode::kAuthFailure));
  EXPECT_TRUE(Denies(policy::EvaluateTagAccess(view, kC, kEast, listed.id()), "SHARE-13",
                     ErrorCode::kInvalidSnapshotNotFound));
  const InstanceId instance = AddInstance(kOwner, InstanceState::kRunning);
  EXPECT_TRUE(Allows(policy::EvaluateTagAccess(view, kOwner, kEast, instance), "SHARE-13", ErrorCode::kAuthFailure));
  EXPECT_TRUE(Denies(policy::EvaluateTagAccess(view, kOwner, kWest, instance), "ID-4",
                     ErrorCode::kInvalidInstanceIDNotFound));
}

TEST(LaunchPredicates, KMS_4_DenyConditionOrIamIdentityIsLeftToTheEngine) {
  KeyPolicyStatement s;
  s.accounts = {kB};
  EXPECT_EQ(policy::KeyStatementFormOf({s}), policy::KeyStatementForm::kAccounts);
  KeyPolicyStatement conditional = s;
  conditional.conditions.push_back(PolicyCondition{});
  EXPECT_EQ(policy::KeyStatementFormOf({conditional}), policy::KeyStatementForm::kEngine);
  KeyPolicyStatement iam = s;
  iam.iam_principals.push_back("arn:aws:iam::444455556666:role/build");
  EXPECT_EQ(policy::KeyStatementFormOf({iam}), policy::KeyStatementForm::kEngine);
  KeyPolicyStatement deny = s;
  deny.effect = KeyPolicyStatement::Effect::kDeny;
  EXPECT_EQ(policy::KeyStatementFormOf({deny}), policy::KeyStatementForm::kEngine);
  // A statement the summary cannot hold (NotPrincipal, a service principal, …) too.
  EXPECT_EQ(policy::KeyStatementFormOf({s, /*exact=*/false}), policy::KeyStatementForm::kEngine);
}

// ---- Plans over a cloud's state: completions, set-up, images, instances, lifecycle ---------------

TEST_F(PlanSettings, ASYNC_1_WorkThatNoLongerAppliesOnlyLeavesTheQueue) {
  using internal::PendingWork;
  const ImageId available = SeedImage(owner);
  const KmsKeyArn enabled = NewKey(owner, east);
  const KmsKeyArn unknown = KmsKeyArn::Of(owner, east, KmsKeyId::Parse("1234abcd-12ab-34cd-56ef-999999999999").value());
  for (const PendingWork& work : std::vector<PendingWork>{
           {PendingWork::Kind::kImage, "not-an-id", std::nullopt},
           {PendingWork::Kind::kImage, available.ToString(), std::nullopt},
           {PendingWork::Kind::kImage, ImageId::Long(0xbad).ToString(), std::nullopt},
           {PendingWork::Kind::kInstance, "not-an-id", std::nullopt},
           {PendingWork::Kind::kInstance, InstanceId::Long(0xbad).ToString(), std::nullopt},
           {PendingWork::Kind::kKeyDeletion, "not-an-arn", std::nullopt},
           {PendingWork::Kind::kKeyDeletion, enabled.ToString(), std::nullopt},
           {PendingWork::Kind::kKeyDeletion, unknown.ToString(), std::nullopt},
           {PendingWork::Kind::kBinExpiry, available.ToString(), std::nullopt}}) {
    SCOPED_TRACE(work.id);
    const internal::Plan p = policy::PlanCompletion(view(), work);
    EXPECT_TRUE(p.extra().pop_due_work);
    EXPECT_TRUE(p.put_images.empty());
    EXPECT_TRUE(p.put_instances.empty());
    EXPECT_TRUE(p.extra().delete_keys.empty());
    EXPECT_TRUE(p.extra().expire_bin_entries.empty());
  }
}

TEST_F(PlanSettings, ASYNC_3_RunningInstanceIsNotStartedAgain) {
  const InstanceId instance = testing::Must(Launch(as_owner, SeedImage(owner))).front();
  cloud->AdvanceClock(absl::Minutes(5));
  ASSERT_EQ(cloud->GetInstance(instance)->state(), InstanceState::kRunning);
  const internal::Plan p = policy::PlanCompletion(
      view(), {internal::PendingWork::Kind::kInstance, instance.ToString(), std::nullopt});
  EXPECT_TRUE(p.put_instances.empty());
}

TEST_F(PlanSettings, DEREG_9_BinEntryLeavesOnlyWhenItsRetentionEnds) {
  const ImageId id = BinnedImage();
  const internal::PendingWork expiry{internal::PendingWork::Kind::kBinExpiry, id.ToString(), std::nullopt};
  EXPECT_TRUE(policy::PlanCompletion(view(), expiry).extra().expire_bin_entries.empty());  // 7 days to go.
}

RegisterImageRequest RegisterRequest(const std::string& name, SnapshotId root, uint32_t size_gib = 0) {
  RegisterImageRequest r;
  r.name = name;
  r.block_device_mappings.push_back({"/dev/xvda", root.ToString(), size_gib});
  return r;
}

TEST_F(PlanSettings, ASYNC_1_RegisteredImageBecomesAvailableAndItsCompletedSnapshotIsLeft) {
  const SnapshotId snap = SeedSnapshot(owner);
  const ImageId id = testing::Must(cloud->RegisterImage(as_owner, RegisterRequest("reg", snap, 16)));
  EXPECT_EQ(cloud->GetImage(id)->block_device_mappings().front().ebs->volume_size_gib, 16u);
  const internal::Plan p =
      policy::PlanCompletion(view(), {internal::PendingWork::Kind::kImage, id.ToString(), std::nullopt});
  ASSERT_EQ(p.put_images.size(), 1u);
  EXPECT_EQ(p.put_images.front()->state(), ImageState::kAvailable);
  EXPECT_TRUE(p.put_snapshots.empty());  // Registered from a completed snapshot.
  // DEREG-2: deregistering it while pending leaves the completed snapshot it does not delete.
  const policy::PlannedDeregister d = policy::PlanDeregisterImage(view(), as_owner, id, false);
  EXPECT_TRUE(d.planned.decision.allowed()) << d.planned.decision.Explain();
  EXPECT_TRUE(d.planned.plan.extra().delete_snapshots.empty());
  EXPECT_TRUE(d.results.empty());
}

TEST_F(PlanSettings, DEREG_2_SnapshotMappedTwiceIsDeletedOnce) {
  const Snapshot root = *cloud->GetSnapshot(SeedSnapshot(owner));
  Image::Builder b = NewImage(owner, root);
  b.add_snapshot_mapping("/dev/sdb", root);
  const ImageId id = Import(b);
  const policy::PlannedDeregister d = policy::PlanDeregisterImage(view(), as_owner, id, true);
  EXPECT_TRUE(d.planned.decision.allowed()) << d.planned.decision.Explain();
  ASSERT_EQ(d.planned.plan.extra().delete_snapshots.size(), 1u);
  EXPECT_EQ(d.planned.plan.extra().delete_snapshots.front().snapshot, root.id());
  ASSERT_EQ(d.results.size(), 2u);
  EXPECT_EQ(d.results[0].return_code, "success");
  EXPECT_EQ(d.results[1].return_code, "client-error");  // Already deleted by the first mapping.
  EXPECT_EQ(d.results[1].snapshot_id, root.id());
}

TEST_F(PlanSettings, DEREG_9_InstanceStoreImageIsNotRetained) {
  NewRule(as_owner, "EC2_IMAGE");
  Image::Builder b;
  b.set_id(ImageId::Long(0x5707e)).set_name("store").set_owner(owner).set_region(east)
      .set_creation_time(t0).set_root_device_type(RootDeviceType::kInstanceStore)
      .set_root_device_name("/dev/sda1")
      .set_block_device_mappings({BlockDeviceMapping{"/dev/sda1", std::nullopt, "ephemeral0"}});
  const ImageId store = Import(b);
  const policy::PlannedDeregister d = policy::PlanDeregisterImage(view(), as_owner, store, false);
  EXPECT_TRUE(d.planned.decision.allowed()) << d.planned.decision.Explain();
  EXPECT_TRUE(d.planned.plan.extra().retain_images.empty());
  const policy::PlannedDeregister ebs = policy::PlanDeregisterImage(view(), as_owner, SeedImage(owner), false);
  ASSERT_EQ(ebs.planned.plan.extra().retain_images.size(), 1u);
  EXPECT_EQ(ebs.planned.plan.extra().retain_images.front().days, 7);
}

TEST_F(PlanSettings, COPY_5_MappingsWithoutASnapshotAreCopiedAsTheyAre) {
  const Snapshot root = *cloud->GetSnapshot(SeedSnapshot(owner));
  Image::Builder b = NewImage(owner, root);
  b.add_block_device_mapping({"/dev/sdb", std::nullopt, "ephemeral0"});
  b.add_block_device_mapping({"/dev/sdc", EbsBlockDevice{.volume_size_gib = 20}, ""});
  const ImageId copy = testing::Must(Copy(as_owner, Import(b), "copy"));
  const std::vector<BlockDeviceMapping> mappings = cloud->GetImage(copy)->block_device_mappings();
  ASSERT_EQ(mappings.size(), 3u);
  EXPECT_EQ(mappings[1].virtual_name, "ephemeral0");
  EXPECT_FALSE(mappings[2].ebs->snapshot_id.has_value());
  EXPECT_EQ(mappings[2].ebs->volume_size_gib, 20u);
  EXPECT_NE(mappings[0].ebs->snapshot_id, root.id());
}

TEST_F(PlanSettings, COPY_6_CopyDeniedNowIsNotAlsoFailedLaterForAnUnparsedKey) {
  const ImageId id = SeedImage(owner);
  CopyImageRequest r{id.ToString(), "us-east-1", "copy"};
  r.encrypted = true;
  r.kms_key_id = "not-a-key";
  const absl::StatusOr<ImageId> denied = cloud->CopyImage(as_b, r);
  EXPECT_THAT(denied, HasErrorCode(ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_THAT(denied.status(), Not(MessageHas("not-a-key")));
  EXPECT_EQ(cloud->GetImage(id)->state(), ImageState::kAvailable);
}

TEST_F(PlanSettings, ID_4_InstanceActionsNeedTheCallersInstances) {
  const InstanceId mine = testing::Must(Launch(as_owner, SeedImage(owner))).front();
  for (const InstanceId id : {InstanceId::Long(0xbad), mine}) {
    const CallContext& ctx = id == mine ? as_b : as_owner;
    const policy::Planned p = testing::Must(
        policy::PlanInstanceAction(view(), ctx, {id}, policy::InstanceAction::kTerminate));
    EXPECT_TRUE(Denies(p.decision, "ID-4", ErrorCode::kInvalidInstanceIDNotFound));
    EXPECT_TRUE(p.plan.put_instances.empty());
  }
  const policy::Planned west = testing::Must(
      policy::PlanInstanceAction(view(), as_owner_west, {mine}, policy::InstanceAction::kTerminate));
  EXPECT_TRUE(Denies(west.decision, "ID-4", ErrorCode::kInvalidInstanceIDNotFound));
}

TEST_F(PlanSettings, DEREG_6_DisablingProtectionAfterTheCooldownEndedReturnsDisabled) {
  const ImageId id = SeedImage(owner, {.cooldown_until = t0 - absl::Hours(1)});
  const policy::PlannedLifecycle p = testing::Must(policy::PlanImageLifecycle(
      view(), as_owner, id, {policy::ImageLifecycleChange::Kind::kDisableProtection}));
  EXPECT_TRUE(p.planned.decision.allowed()) << p.planned.decision.Explain();
  EXPECT_EQ(p.result, "disabled");
  const ImageId cooling = SeedImage(owner, {.cooldown_until = t0 + absl::Hours(1)});
  const policy::PlannedLifecycle q = testing::Must(policy::PlanImageLifecycle(
      view(), as_owner, cooling, {policy::ImageLifecycleChange::Kind::kDisableProtection}));
  EXPECT_EQ(q.result, absl::StrCat("disabled-until-", FormatAwsTime(t0 + absl::Hours(1))));
}

TEST(RecycleBinRule, DEREG_9_PendingUnlockEndsWhenItsDelayHasPassed) {
  RetentionRule rule;
  rule.lock_state = RuleLockState::kPendingUnlock;
  rule.unlock_delay_days = 7;
  rule.unlock_at = kNow + absl::Hours(1);
  const RetentionRule pending = policy::CurrentRule(rule, kNow);
  EXPECT_EQ(pending.lock_state, RuleLockState::kPendingUnlock);
  EXPECT_EQ(pending.unlock_at, kNow + absl::Hours(1));
  const RetentionRule unlocked = policy::CurrentRule(rule, kNow + absl::Hours(1));
  EXPECT_EQ(unlocked.lock_state, RuleLockState::kUnlocked);
  EXPECT_FALSE(unlocked.unlock_at.has_value());
  EXPECT_EQ(unlocked.unlock_delay_days, 0);
  rule.lock_state = RuleLockState::kLocked;
  rule.unlock_at.reset();
  EXPECT_EQ(policy::CurrentRule(rule, kNow).lock_state, RuleLockState::kLocked);
}

TEST_F(PlanSettings, DEREG_10_ImageWhoseSnapshotIsNotCompletedStaysInTheBin) {
  NewRule(as_owner, "EC2_IMAGE");
  Snapshot::Builder broken = NewSnapshot(owner, east);
  broken.set_state(SnapshotState::kError);
  const Snapshot snap = Import(broken);
  const ImageId id = Import(NewImage(owner, snap));
  testing::Must(cloud->DeregisterImage(as_owner, id.ToString(), false));
  const policy::Planned p = policy::PlanRestoreImage(view(), as_owner, id);
  EXPECT_TRUE(Denies(p.decision, "DEREG-10", ErrorCode::kInvalidSnapshotNotFound));
  EXPECT_TRUE(p.plan.put_images.empty());
}

TEST_F(PlanSettings, SetUp_StandaloneAccountStartsAnOrganizationAndAnOuNeedsItsParent) {
  const OrganizationId other = OrganizationId::Parse("o-zz99yy88xx").value();
  const internal::Plan p = testing::Must(policy::PlanCreateOrganization(view(), other, c, "r-zz99"));
  ASSERT_EQ(p.extra().put_accounts.size(), 1u);
  EXPECT_EQ(p.extra().put_accounts.front().organization, other);
  CreateOrganizationTree();
  const absl::StatusOr<internal::Plan> orphan = policy::PlanCreateOrganizationalUnit(
      view(), org, OrganizationalUnitId::Parse("ou-ab12-44444444").value(),
      OrganizationalUnitId::Parse("ou-ab12-55555555").value());
  EXPECT_THAT(orphan, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(orphan.status(), MessageHas("or its parent does not exist"));
}


// Bits of no KMS action are never allowed, and never read as an action.
TEST_F(PolicyEngine, KMS_4_ActionBitsOfNoActionAreNeverAllowed) {
  const KmsKeyArn key = AddKey(kOwner, {AllowAccounts({kB}, KmsActions::All())});
  EXPECT_FALSE(policy::EvaluateKeyUse(view, kB, key, KmsActions::FromBits(1 << 15)).allowed());
  EXPECT_TRUE(policy::EvaluateKeyUse(view, kB, key, KmsActions::Of({KmsAction::kDecrypt})).allowed());
}

TEST_F(PolicyEngine, KMS_5_UnknownOrganizationPathsAndIamIdentitiesOfOtherAccounts) {
  KeyPolicyStatement s;
  s.any_principal = true;
  s.conditions.push_back({"StringLike", "aws:PrincipalOrgPaths", {"o-a1b2c3d4e5/*"}});
  s.actions = KmsActions::All();
  // kB is not in the state: its organization path is unknown, so the Allow never applies and
  // the decision names the condition.
  const Decision unknown = policy::EvaluateKeyUse(view, kB, AddKey(kOwner, {s}), policy::ReadKeyActions());
  EXPECT_FALSE(unknown.allowed());
  EXPECT_THAT(unknown.Explain(), HasSubstr("StringLike aws:PrincipalOrgPaths [o-a1b2c3d4e5/*]"));
  // A statement naming one role of kB does not let kB's root user use the key.
  KeyPolicyStatement role;
  role.iam_principals = {"arn:aws:iam::444455556666:role/build"};
  role.actions = KmsActions::All();
  EXPECT_FALSE(policy::EvaluateKeyUse(view, kB, AddKey(kOwner, {role}, kWest),
                                      policy::ReadKeyActions())
                   .allowed());
}

TEST_F(PolicyEngine, ID_4_UnknownInstanceCannotBeTagged) {
  EXPECT_TRUE(Denies(policy::EvaluateTagAccess(view, kOwner, kEast, InstanceId::Long(0xbad)), "ID-4",
                     ErrorCode::kInvalidInstanceIDNotFound));
  const InstanceId theirs = AddInstance(kB, InstanceState::kRunning);
  EXPECT_TRUE(Denies(policy::EvaluateTagAccess(view, kOwner, kEast, theirs), "ID-4",
                     ErrorCode::kInvalidInstanceIDNotFound));
}

TEST_F(PolicyEngine, LAUNCH_9_MissingSnapshotPlansNoVolume) {
  const ImageId id = AddImage(kOwner, [](Image::Builder& b) {
    b.add_block_device_mapping(
        {"/dev/sdb", EbsBlockDevice{.snapshot_id = SnapshotId::Long(0xbad), .volume_size_gib = 0}, ""});
  });
  std::vector<policy::VolumePlan> plan;
  EXPECT_TRUE(Denies(Launch(view, kOwner, id, kEast, std::nullopt, std::nullopt, &plan), "LAUNCH-9",
                     ErrorCode::kCustomerKeyHasBeenRevoked, /*later=*/true));
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].device_name, "/dev/xvda");
  EXPECT_EQ(plan[0].size_gib, 8u);
}

TEST_F(KeyTagPlanning, SHARE_13_SystemTagsDoNotCountTowardsFifty) {
  std::vector<ami::Tag> tags = {testing::Must(ami::Tag::Create("aws:cloudformation:stack-name", "s"))};
  for (int i = 0; i < 49; ++i) tags.push_back(testing::Must(ami::Tag::Create(absl::StrCat("k", i), "v")));
  const Snapshot root = *cloud->GetSnapshot(SeedSnapshot(owner));
  Image::Builder b = NewImage(owner, root);
  b.set_tags(testing::Must(TagSet::Create(tags)));
  const ImageId id = Import(b);
  const policy::Planned p = Tag(as_owner, {id}, {{"k49", "v"}});
  EXPECT_TRUE(Allows(p.decision, "SHARE-13", ErrorCode::kAuthFailure));
  ASSERT_EQ(p.plan.put_images.size(), 1u);
  EXPECT_EQ(p.plan.put_images.front()->tags().size(), 51u);
  EXPECT_TRUE(Denies(Tag(as_owner, {id}, {{"k49", "v"}, {"k50", "v"}}).decision, "SHARE-13",
                     ErrorCode::kTagLimitExceeded));
}

TEST_F(PlanSettings, SetUp_AnOrganizationOrOuIsCreatedOnceAndAMemberJoinsNoOther) {
  CreateOrganizationTree();
  EXPECT_THAT(policy::PlanCreateOrganization(view(), org, c, "r-zz99"),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  const OrganizationId other = OrganizationId::Parse("o-zz99yy88xx").value();
  const absl::StatusOr<internal::Plan> taken = policy::PlanCreateOrganization(view(), other, in_child, "r-zz99");
  EXPECT_THAT(taken, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(taken.status(), MessageHas("already belongs to an organization"));
  const internal::Plan fresh =
      testing::Must(policy::PlanCreateOrganization(view(), other, testing::Account("123412341234"), "r-zz99"));
  EXPECT_EQ(fresh.extra().put_organizations.size(), 1u);
  EXPECT_THAT(policy::PlanCreateOrganizationalUnit(view(), org, child_ou, parent_ou),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  const internal::Plan ou = testing::Must(policy::PlanCreateOrganizationalUnit(
      view(), org, OrganizationalUnitId::Parse("ou-ab12-44444444").value(), std::nullopt));
  ASSERT_EQ(ou.extra().put_organizations.size(), 1u);
}

}  // namespace
}  // namespace ami
