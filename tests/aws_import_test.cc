// Tests for ImportAwsCli and DetectAwsCliKind: the fixtures under tests/fixtures/aws/ are shaped
// like real AWS CLI output (extra fields included); malformed ones and small inline documents
// cover each rejection and the placeholder snapshots of other accounts' images (MC-36).
#include "ami/io/aws_import.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ami/ami.h"
#include "ami/policy.h"
#include "policy/key_policy.h"
#include "policy/lang/document.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::ami::testing::MessageHas;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr char kSelf[] = "111122223333";
constexpr char kPartner[] = "444455556666";
constexpr char kAmazon[] = "137112412989";
constexpr char kMarketplace[] = "679593333241";
constexpr char kKeyArn[] =
    "arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab";
constexpr char kAwsManagedArn[] =
    "arn:aws:kms:us-east-1:111122223333:key/0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0";

AccountId Account(absl::string_view text) { return *AccountId::Parse(text); }
Region RegionOf(absl::string_view code) { return *Region::Parse(code); }
ImageId Ami(absl::string_view text) { return *ImageId::Parse(text); }
SnapshotId Snap(absl::string_view text) { return *SnapshotId::Parse(text); }
InstanceId Inst(absl::string_view text) { return *InstanceId::Parse(text); }
absl::Time Utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone());
}

// The message of a failed import, as std::string for the gMock string matchers.
template <typename T>
std::string Msg(const absl::StatusOr<T>& result) {
  return std::string(result.status().message());
}

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(AMI_SOURCE_DIR) + "/tests/fixtures/aws/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A file with inline JSON, taken as account 111122223333 in us-east-1.
AwsCliFile Inline(std::string name, std::string json, absl::string_view account = kSelf,
                  absl::string_view region = "us-east-1") {
  AwsCliFile f;
  f.name = std::move(name);
  f.json = std::move(json);
  f.account = Account(account);
  f.region = RegionOf(region);
  return f;
}

AwsCliFile Fixture(const std::string& name, absl::string_view account = kSelf,
                   absl::string_view region = "us-east-1") {
  return Inline(name, ReadFixture(name), account, region);
}

// Every well-formed fixture.
std::vector<AwsCliFile> AllFixtures() {
  return {Fixture("describe-key.json"),
          Fixture("describe-key-aws-managed.json"),
          Fixture("get-key-policy.json"),
          Fixture("describe-snapshots.json"),
          Fixture("describe-snapshot-attribute.json"),
          Fixture("describe-images.json"),
          Fixture("describe-image-attribute.json"),
          Fixture("describe-instances.json"),
          Fixture("get-ebs-encryption-by-default.json"),
          Fixture("get-image-block-public-access-state.json")};
}

std::unique_ptr<Cloud> ImportAll() {
  absl::StatusOr<std::unique_ptr<Cloud>> cloud = ImportAwsCli(AllFixtures());
  EXPECT_THAT(cloud, IsOk());
  return cloud.ok() ? std::move(*cloud) : Cloud::Create();
}

// A describe-images document with one EBS image; `extra` is spliced into the image object.
std::string OneImage(absl::string_view id, absl::string_view owner, absl::string_view snapshot,
                     absl::string_view extra = "") {
  return absl::StrCat(R"({"Images": [{"ImageId": ")", id, R"(", "OwnerId": ")", owner,
                      R"(", "Name": "image-)", id, R"(", "RootDeviceName": "/dev/xvda",
      "BlockDeviceMappings": [{"DeviceName": "/dev/xvda",
        "Ebs": {"SnapshotId": ")", snapshot, R"(", "VolumeSize": 12}}])", extra, "}]}");
}

// ---- DetectAwsCliKind ----------------------------------------------------------------------

struct KindCase {
  const char* fixture;
  const char* kind;
};

class DetectKindTest : public ::testing::TestWithParam<KindCase> {};

TEST_P(DetectKindTest, RecognisesEachOutputByItsTopLevelKeys) {
  EXPECT_EQ(DetectAwsCliKind(ReadFixture(GetParam().fixture)).value_or("error"), GetParam().kind);
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, DetectKindTest,
    ::testing::Values(
        KindCase{"describe-images.json", "describe-images"},
        KindCase{"describe-snapshots.json", "describe-snapshots"},
        KindCase{"describe-instances.json", "describe-instances"},
        KindCase{"describe-image-attribute.json", "describe-image-attribute"},
        KindCase{"describe-snapshot-attribute.json", "describe-snapshot-attribute"},
        KindCase{"describe-key.json", "describe-key"},
        KindCase{"get-key-policy.json", "get-key-policy"},
        KindCase{"get-ebs-encryption-by-default.json", "get-ebs-encryption-by-default"},
        KindCase{"get-image-block-public-access-state.json",
                 "get-image-block-public-access-state"}));

TEST(DetectAwsCliKind, EmptyListsAreStillRecognised) {
  EXPECT_EQ(DetectAwsCliKind(R"({"Images": []})").value_or(""), "describe-images");
  EXPECT_EQ(DetectAwsCliKind(R"({"Reservations": []})").value_or(""), "describe-instances");
}

TEST(DetectAwsCliKind, UnknownShapeIsInvalidParameterValue) {
  const auto kind = DetectAwsCliKind(R"({"Volumes": [], "NextToken": "x"})");
  EXPECT_THAT(kind, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(kind, MessageHas("`NextToken`, `Volumes`"));
  EXPECT_THAT(DetectAwsCliKind("{}"), HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(DetectAwsCliKind, UndecodableJsonIsSerializationException) {
  EXPECT_THAT(DetectAwsCliKind(ReadFixture("malformed-syntax.json")),
              HasErrorCode(ErrorCode::kSerializationException));
  EXPECT_THAT(DetectAwsCliKind("[1, 2"), HasErrorCode(ErrorCode::kSerializationException));
  EXPECT_THAT(DetectAwsCliKind("7"), HasErrorCode(ErrorCode::kSerializationException));
  EXPECT_THAT(DetectAwsCliKind(""), HasErrorCode(ErrorCode::kSerializationException));
}

// ---- The full import ------------------------------------------------------------------------

TEST(ImportAwsCli, ImportsEveryFixture) {
  const std::unique_ptr<Cloud> cloud = ImportAll();
  EXPECT_EQ(cloud->ListImages().size(), 8u);
  // Five described snapshots and three placeholders for other accounts' images.
  EXPECT_EQ(cloud->ListSnapshots().size(), 8u);
  EXPECT_EQ(cloud->ListInstances().size(), 3u);
  // The customer managed key, and the AWS managed key as what it is (KMS-1).
  ASSERT_EQ(cloud->ListKeys().size(), 2u);
  EXPECT_EQ(cloud->ListKeys()[0].arn().ToString(), kAwsManagedArn);
  EXPECT_TRUE(cloud->ListKeys()[0].is_aws_managed());
  EXPECT_EQ(cloud->ListKeys()[1].arn().ToString(), kKeyArn);
  EXPECT_FALSE(cloud->ListKeys()[1].is_aws_managed());
}

TEST(ImportAwsCli, HonoursTheCloudOptions) {
  Cloud::Options options;
  options.seed = 7;
  options.start_time = Utc(2024, 7, 1);
  // The start time is for inputs that observed no time (MC-74).
  const auto cloud = ImportAwsCli({Inline("ebs.json", R"({"EbsEncryptionByDefault": true})")},
                                  options);
  ASSERT_THAT(cloud, IsOk());
  EXPECT_EQ((*cloud)->Now(), Utc(2024, 7, 1));
  const auto later = ImportAwsCli(AllFixtures(), options, Utc(2030, 1, 1));
  ASSERT_THAT(later, IsOk());
  EXPECT_EQ((*later)->Now(), Utc(2030, 1, 1));
}

TEST(ImportAwsCli, LegacyEightDigitImage) {
  const auto image = ImportAll()->GetImage(Ami("ami-1a2b3c4d"));
  ASSERT_TRUE(image.has_value());
  EXPECT_EQ(image->id().ToString(), "ami-1a2b3c4d");
  EXPECT_EQ(image->owner(), Account(kSelf));
  EXPECT_EQ(image->region(), RegionOf("us-east-1"));
  EXPECT_EQ(image->name(), "legacy-web-2014");
  EXPECT_EQ(image->creation_time(), Utc(2014, 3, 12, 18, 24, 5));
  EXPECT_EQ(image->root_device_name(), "/dev/sda1");
  ASSERT_EQ(image->block_device_mappings().size(), 1u);
  EXPECT_EQ(image->block_device_mappings()[0].ebs->volume_type, VolumeType::kStandard);
  EXPECT_THAT(image->snapshot_ids(), ElementsAre(Snap("snap-1a2b3c4d")));
  EXPECT_EQ(image->tags().Find("Name").value_or(""), "legacy-web");
  EXPECT_FALSE(image->is_public());
}

TEST(ImportAwsCli, InstanceStoreImage) {
  const auto image = ImportAll()->GetImage(Ami("ami-0b1c2d3e4f5a6b7c8"));
  ASSERT_TRUE(image.has_value());
  EXPECT_EQ(image->root_device_type(), RootDeviceType::kInstanceStore);
  EXPECT_EQ(image->virtualization_type(), VirtualizationType::kParavirtual);
  EXPECT_EQ(image->architecture(), Architecture::kI386);
  ASSERT_EQ(image->block_device_mappings().size(), 1u);
  const BlockDeviceMapping& m = image->block_device_mappings()[0];
  EXPECT_EQ(m.device_name, "/dev/sdb");
  EXPECT_EQ(m.virtual_name, "ephemeral0");
  EXPECT_FALSE(m.ebs.has_value());
  EXPECT_THAT(image->snapshot_ids(), IsEmpty());
}

TEST(ImportAwsCli, MarketplaceImage) {
  const auto image = ImportAll()->GetImage(Ami("ami-0c2d3e4f5a6b7c8d9"));
  ASSERT_TRUE(image.has_value());
  EXPECT_EQ(image->owner(), Account(kMarketplace));
  EXPECT_EQ(image->owner_alias(), OwnerAlias::kAwsMarketplace);
  EXPECT_TRUE(image->is_public());
  EXPECT_TRUE(image->has_marketplace_code());
  EXPECT_THAT(image->product_codes(),
              ElementsAre(ProductCode{"cvfkxbhnwb4q8mqzmdpnhn4ls", ProductCodeType::kMarketplace}));
}

TEST(ImportAwsCli, PublicAmazonImage) {
  const auto image = ImportAll()->GetImage(Ami("ami-0d3e4f5a6b7c8d9e0"));
  ASSERT_TRUE(image.has_value());
  EXPECT_EQ(image->owner(), Account(kAmazon));
  EXPECT_EQ(image->owner_alias(), OwnerAlias::kAmazon);
  EXPECT_TRUE(image->is_public());
  EXPECT_TRUE(image->launch_permissions().accounts().empty());
  EXPECT_EQ(image->boot_mode(), BootMode::kUefiPreferred);
  EXPECT_TRUE(image->imds_v2_required());
  EXPECT_TRUE(image->ena_support());
  EXPECT_EQ(image->deprecation_time(), Utc(2026, 5, 28, 19, 38));
}

TEST(ImportAwsCli, WindowsImage) {
  const auto image = ImportAll()->GetImage(Ami("ami-0e4f5a6b7c8d9e0f1"));
  ASSERT_TRUE(image.has_value());
  EXPECT_EQ(image->platform(), "windows");
  EXPECT_EQ(image->platform_details(), "Windows");
  EXPECT_EQ(image->usage_operation(), "RunInstances:0002");
  EXPECT_EQ(image->boot_mode(), BootMode::kUefi);
  ASSERT_EQ(image->block_device_mappings().size(), 2u);
  EXPECT_EQ(image->block_device_mappings()[1].virtual_name, "ephemeral0");
}

TEST(ImportAwsCli, EncryptedImageWithItsLaunchPermissionAttribute) {
  const std::unique_ptr<Cloud> cloud = ImportAll();
  const auto image = cloud->GetImage(Ami("ami-0123456789abcdef0"));
  ASSERT_TRUE(image.has_value());
  EXPECT_TRUE(image->encrypted());
  EXPECT_FALSE(image->is_public());
  const LaunchPermissions& lp = image->launch_permissions();
  EXPECT_THAT(lp.accounts(), ElementsAre(Account(kPartner)));
  ASSERT_EQ(lp.organizations().size(), 1u);
  EXPECT_EQ(lp.organizations()[0].ToString(),
            "arn:aws:organizations::111122223333:organization/o-a1b2c3d4e5");
  ASSERT_EQ(lp.organizational_units().size(), 1u);
  EXPECT_EQ(lp.organizational_units()[0].ToString(),
            "arn:aws:organizations::111122223333:ou/o-a1b2c3d4e5/ou-ab12-11111111");
  EXPECT_EQ(image->deregistration_protection(), DeregistrationProtection::kEnabled);
  EXPECT_EQ(image->source_instance(), Inst("i-0f1e2d3c4b5a69788"));
  EXPECT_EQ(image->tags().Find("aws:ec2launchtemplate:id").value_or(""), "lt-0abcdef1234567890");
  // The mapping says only Encrypted=true; the key is the described snapshot's.
  const auto snapshot = cloud->GetSnapshot(Snap("snap-0dd44ee55ff667788"));
  ASSERT_TRUE(snapshot.has_value());
  ASSERT_TRUE(snapshot->kms_key().has_value());
  EXPECT_EQ(snapshot->kms_key()->ToString(), kKeyArn);
}

TEST(ImportAwsCli, DeprecatedImage) {
  const auto image = ImportAll()->GetImage(Ami("ami-0f5a6b7c8d9e0f1a2"));
  ASSERT_TRUE(image.has_value());
  EXPECT_EQ(image->deprecation_time(), Utc(2024, 1, 1));
  EXPECT_EQ(image->architecture(), Architecture::kArm64);
  EXPECT_EQ(image->state(), ImageState::kAvailable);
}

TEST(ImportAwsCli, SnapshotsWithTheirCreateVolumePermissionAttribute) {
  const std::unique_ptr<Cloud> cloud = ImportAll();
  const auto backup = cloud->GetSnapshot(Snap("snap-0f1e2d3c4b5a69788"));
  ASSERT_TRUE(backup.has_value());
  EXPECT_THAT(backup->create_volume_permissions().accounts, ElementsAre(Account(kPartner)));
  EXPECT_FALSE(backup->is_public());
  EXPECT_EQ(backup->volume_size_gib(), 100u);
  EXPECT_EQ(backup->tags().Find("backup").value_or(""), "nightly");
  const auto legacy = cloud->GetSnapshot(Snap("snap-1a2b3c4d"));
  ASSERT_TRUE(legacy.has_value());
  EXPECT_EQ(legacy->owner(), Account(kSelf));
  EXPECT_EQ(legacy->region(), RegionOf("us-east-1"));
  EXPECT_EQ(legacy->volume_id()->ToString(), "vol-1a2b3c4d");
  EXPECT_EQ(legacy->start_time(), Utc(2014, 3, 12, 18, 20, 11));
  EXPECT_FALSE(legacy->encrypted());
  const auto copied = cloud->GetSnapshot(Snap("snap-0cc33dd44ee55ff66"));
  ASSERT_TRUE(copied.has_value());
  EXPECT_EQ(copied->volume_id()->ToString(), "vol-ffffffff");
  EXPECT_EQ(copied->start_time(), Utc(2024, 5, 14, 8, 13, 2) + absl::Milliseconds(512));
}

TEST(ImportAwsCli, InstancesFromTwoReservations) {
  const std::unique_ptr<Cloud> cloud = ImportAll();
  const auto web = cloud->GetInstance(Inst("i-0a1b2c3d4e5f60718"));
  ASSERT_TRUE(web.has_value());
  EXPECT_EQ(web->owner(), Account(kSelf));
  EXPECT_EQ(web->image_id(), Ami("ami-0123456789abcdef0"));
  EXPECT_EQ(web->state(), InstanceState::kRunning);
  EXPECT_EQ(web->instance_type(), "m5.large");
  EXPECT_EQ(web->availability_zone().ToString(), "us-east-1a");
  EXPECT_TRUE(web->imds_v2_required());
  EXPECT_EQ(web->launch_time(), Utc(2024, 6, 2, 9, 15, 42));
  ASSERT_EQ(web->volumes().size(), 1u);
  EXPECT_EQ(web->volumes()[0].volume_id.ToString(), "vol-0b1c2d3e4f5a6b7c8");
  EXPECT_EQ(web->tags().Find("Name").value_or(""), "web-1");

  const auto legacy = cloud->GetInstance(Inst("i-1a2b3c4d"));
  ASSERT_TRUE(legacy.has_value());
  EXPECT_EQ(legacy->state(), InstanceState::kStopped);
  EXPECT_EQ(legacy->state_reason().code, "Client.UserInitiatedShutdown");
  EXPECT_FALSE(legacy->imds_v2_required());
  ASSERT_EQ(legacy->volumes().size(), 1u);
  EXPECT_FALSE(legacy->volumes()[0].delete_on_termination);

  const auto vendor = cloud->GetInstance(Inst("i-0c2d3e4f5a6b7c8d9"));
  ASSERT_TRUE(vendor.has_value());
  EXPECT_EQ(vendor->availability_zone().ToString(), "us-east-1b");
  EXPECT_THAT(vendor->product_codes(),
              ElementsAre(ProductCode{"cvfkxbhnwb4q8mqzmdpnhn4ls", ProductCodeType::kMarketplace}));
}

TEST(ImportAwsCli, MultiRegionCustomerKey) {
  const auto key = ImportAll()->GetKey(*KmsKeyArn::Parse(kKeyArn));
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->manager(), KeyManager::kCustomer);
  EXPECT_EQ(key->multi_region_role(), MultiRegionRole::kPrimary);
  EXPECT_EQ(key->state(), KeyState::kEnabled);
  EXPECT_EQ(key->description(), "AMI encryption key");
  EXPECT_EQ(key->creation_time(), Utc(2023, 5, 4, 21, 57, 13) + absl::Milliseconds(471));
}

// The key policy's statements as the compiled summary reads them, and whether each is exact.
std::vector<KeyPolicyStatement> Summary(const KmsKey& key) {
  std::vector<KeyPolicyStatement> out;
  for (const KeyStatementSummary& s : key.policy().compiled().summary) out.push_back(s.statement);
  return out;
}
bool Exact(const KmsKey& key, size_t i) { return key.policy().compiled().summary.at(i).exact; }

TEST(ImportAwsCli, KeyPolicyStatementsAndOrganizationConditions) {
  const auto key = ImportAll()->GetKey(*KmsKeyArn::Parse(kKeyArn));
  ASSERT_TRUE(key.has_value());
  // Every statement is kept as written, the service principal's too.
  ASSERT_EQ(key->policy().statement_count(), 7u);
  const std::vector<KeyPolicyStatement> p = Summary(*key);
  using E = KeyPolicyStatement::Effect;

  EXPECT_EQ(p[0].sid, "Enable IAM User Permissions");
  EXPECT_EQ(p[0].effect, E::kAllow);
  EXPECT_THAT(p[0].accounts, ElementsAre(Account(kSelf)));
  EXPECT_EQ(p[0].actions, KmsActions::All());

  // A role ARN names one identity of its account, not the account; Create*, Describe*, List*
  // and Revoke* cover modelled actions, the other administrative permissions none.
  EXPECT_THAT(p[1].accounts, IsEmpty());
  EXPECT_THAT(p[1].iam_principals, ElementsAre("arn:aws:iam::111122223333:role/KeyAdmin"));
  EXPECT_EQ(p[1].actions, KmsActions::Of({KmsAction::kCreateGrant, KmsAction::kDescribeKey,
                                          KmsAction::kListGrants, KmsAction::kRevokeGrant}));

  EXPECT_TRUE(p[2].any_principal);
  EXPECT_THAT(p[2].principal_org_ids, ElementsAre(*OrganizationId::Parse("o-a1b2c3d4e5")));
  EXPECT_THAT(p[2].principal_org_paths, IsEmpty());
  EXPECT_TRUE(p[2].actions.HasAll(EbsRequiredKmsActions()));
  EXPECT_TRUE(p[2].actions.Has(KmsAction::kReEncryptTo));
  EXPECT_FALSE(p[2].actions.Has(KmsAction::kEncrypt));

  EXPECT_TRUE(p[3].any_principal);  // {"AWS": "*"}
  EXPECT_THAT(p[3].principal_org_ids, IsEmpty());
  EXPECT_THAT(p[3].principal_org_paths, ElementsAre("o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"));
  EXPECT_TRUE(p[3].actions.Has(KmsAction::kGenerateDataKey));
  EXPECT_TRUE(p[3].actions.Has(KmsAction::kGenerateDataKeyWithoutPlaintext));
  for (size_t i : {0, 1, 2, 3, 6}) EXPECT_TRUE(Exact(*key, i)) << i;

  // The Bool condition on kms:GrantIsForAWSResource is kept as written: only the evaluator
  // decides the statement.
  EXPECT_THAT(p[4].accounts, ElementsAre(Account(kPartner), Account("555566667777")));
  EXPECT_FALSE(Exact(*key, 4));
  const lang::Statement& grants = key->policy().compiled().document.statements[4];
  ASSERT_EQ(grants.conditions.size(), 1u);
  EXPECT_EQ(lang::ConditionText(grants.conditions[0]), "Bool kms:GrantIsForAWSResource [true]");

  // The CloudTrail statement names a service principal.
  EXPECT_FALSE(Exact(*key, 5));
  EXPECT_THAT(key->policy().compiled().document.statements[5].principals->services,
              ElementsAre("cloudtrail.amazonaws.com"));

  EXPECT_EQ(p[6].sid, "DenyFormerPartner");
  EXPECT_EQ(p[6].effect, E::kDeny);
  EXPECT_THAT(p[6].accounts, ElementsAre(Account("999988887777")));
}

TEST(ImportAwsCli, AccountSettings) {
  const std::unique_ptr<Cloud> cloud = ImportAll();
  const RegionSettings here = cloud->GetSettings(Account(kSelf), RegionOf("us-east-1"));
  EXPECT_TRUE(here.encryption_by_default);
  EXPECT_FALSE(here.image_block_public_access);
  // Other Regions keep the defaults.
  const RegionSettings elsewhere = cloud->GetSettings(Account(kSelf), RegionOf("eu-west-1"));
  EXPECT_FALSE(elsewhere.encryption_by_default);
  EXPECT_TRUE(elsewhere.image_block_public_access);
}

TEST(ImportAwsCli, SettingsCanAlsoTurnThingsOff) {
  const auto cloud = ImportAwsCli(
      {Inline("ebs.json", R"({"EbsEncryptionByDefault": false})", kSelf, "eu-west-1"),
       Inline("bpa.json", R"({"ImageBlockPublicAccessState": "block-new-sharing",
                              "ManagedBy": "declarative-policy"})", kSelf, "eu-west-1")});
  ASSERT_THAT(cloud, IsOk());
  const RegionSettings s = (*cloud)->GetSettings(Account(kSelf), RegionOf("eu-west-1"));
  EXPECT_FALSE(s.encryption_by_default);
  EXPECT_TRUE(s.image_block_public_access);
}

TEST(ImportAwsCli, UnknownBlockPublicAccessStateIsInvalidParameterValue) {
  const auto cloud = ImportAwsCli(
      {Inline("bpa.json", R"({"ImageBlockPublicAccessState": "block-all-sharing"})")});
  EXPECT_THAT(cloud, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(cloud, MessageHas("bpa.json: ImageBlockPublicAccessState: invalid state"));
}

TEST(ImportAwsCli, TheImportedCloudAnswersPolicyQuestions) {
  const std::unique_ptr<Cloud> cloud = ImportAll();
  policy::LaunchQuestion q;
  q.caller = Account(kSelf);
  q.region = RegionOf("us-east-1");
  q.image = Ami("ami-0d3e4f5a6b7c8d9e0");
  const Decision d =
      cloud->Evaluate([&](const StateView& view) { return policy::EvaluateLaunch(view, q); });
  EXPECT_TRUE(d.allowed()) << d.Explain();
}

// ---- Placeholder snapshots of other accounts' images (MC-36) --------------------------------

TEST(ImportAwsCli, PublicForeignImagesGetPublicPlaceholderSnapshots) {
  const std::unique_ptr<Cloud> cloud = ImportAll();
  const auto amazon = cloud->GetSnapshot(Snap("snap-0bb22cc33dd44ee55"));
  ASSERT_TRUE(amazon.has_value());
  EXPECT_EQ(amazon->owner(), Account(kAmazon));
  EXPECT_EQ(amazon->region(), RegionOf("us-east-1"));
  EXPECT_EQ(amazon->volume_size_gib(), 8u);
  EXPECT_FALSE(amazon->encrypted());
  EXPECT_TRUE(amazon->is_public());
  EXPECT_THAT(amazon->description(), HasSubstr("ami-0d3e4f5a6b7c8d9e0"));
  const auto vendor = cloud->GetSnapshot(Snap("snap-0aa11bb22cc33dd44"));
  ASSERT_TRUE(vendor.has_value());
  EXPECT_EQ(vendor->owner(), Account(kMarketplace));
  EXPECT_EQ(vendor->volume_size_gib(), 20u);
  EXPECT_TRUE(vendor->is_public());
}

TEST(ImportAwsCli, SharedEncryptedForeignImageGetsAPrivatePlaceholder) {
  const std::unique_ptr<Cloud> cloud = ImportAll();
  const auto snapshot = cloud->GetSnapshot(Snap("snap-0ff6677889900aabb"));
  ASSERT_TRUE(snapshot.has_value());
  EXPECT_EQ(snapshot->owner(), Account(kPartner));
  EXPECT_EQ(snapshot->volume_size_gib(), 16u);
  EXPECT_FALSE(snapshot->is_public());
  EXPECT_TRUE(snapshot->create_volume_permissions().accounts.empty());
  // describe-images names no key: the placeholder uses the owner's aws/ebs key.
  CallContext partner;
  partner.account = Account(kPartner);
  partner.region = RegionOf("us-east-1");
  const auto aws_ebs = cloud->DescribeKey(partner, "alias/aws/ebs");
  ASSERT_THAT(aws_ebs, IsOk());
  EXPECT_EQ(snapshot->kms_key(), aws_ebs->arn());
}

TEST(ImportAwsCli, PlaceholdersKeepAMappingKeyWhenTheOutputNamesOne) {
  const std::string key =
      "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  const auto cloud = ImportAwsCli({Inline(
      "shared.json",
      absl::StrCat(R"({"Images": [{"ImageId": "ami-0aaaabbbbccccdddd", "OwnerId": "444455556666",
        "Name": "shared", "RootDeviceName": "/dev/xvda",
        "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {
          "SnapshotId": "snap-0aaaabbbbccccdddd", "Encrypted": true, "KmsKeyId": ")",
                   key, R"("}}]}]})"))});
  ASSERT_THAT(cloud, IsOk());
  const auto snapshot = (*cloud)->GetSnapshot(Snap("snap-0aaaabbbbccccdddd"));
  ASSERT_TRUE(snapshot.has_value());
  EXPECT_EQ(snapshot->kms_key()->ToString(), key);
  EXPECT_EQ(snapshot->volume_size_gib(), 8u);  // No size in the mapping: the default.
}

TEST(ImportAwsCli, DescribedSnapshotsOfForeignImagesAreNotReplaced) {
  const auto cloud = ImportAwsCli(
      {Inline("images.json", OneImage("ami-0aaaabbbbccccdddd", kAmazon, "snap-0aaaabbbbccccdddd",
                                      R"(, "Public": true)")),
       Inline("snapshots.json", R"({"Snapshots": [{"SnapshotId": "snap-0aaaabbbbccccdddd",
          "OwnerId": "137112412989", "VolumeSize": 12, "Description": "described"}]})")});
  ASSERT_THAT(cloud, IsOk());
  const auto snapshot = (*cloud)->GetSnapshot(Snap("snap-0aaaabbbbccccdddd"));
  ASSERT_TRUE(snapshot.has_value());
  EXPECT_EQ(snapshot->description(), "described");
  EXPECT_FALSE(snapshot->is_public());
}

TEST(ImportAwsCli, OwnImagesWithoutDescribedSnapshotsFail) {
  const auto cloud = ImportAwsCli({Fixture("describe-images.json")});
  EXPECT_THAT(cloud, HasErrorCode(ErrorCode::kInvalidSnapshotNotFound));
  EXPECT_THAT(cloud, MessageHas("describe-images.json: Images[0]: image `ami-1a2b3c4d` maps "
                                "snapshot `snap-1a2b3c4d`"));
}

TEST(ImportAwsCli, AnImageOfTheFilesOwnAccountGetsNoPlaceholder) {
  // The same public image, described by its owner: its snapshot must be described too.
  const auto cloud = ImportAwsCli({Inline(
      "images.json",
      OneImage("ami-0aaaabbbbccccdddd", kAmazon, "snap-0aaaabbbbccccdddd", R"(, "Public": true)"),
      kAmazon)});
  EXPECT_THAT(cloud, HasErrorCode(ErrorCode::kInvalidSnapshotNotFound));
  EXPECT_THAT(cloud, MessageHas("images.json: Images[0]: image `ami-0aaaabbbbccccdddd`"));
}

// ---- What the output lacks is taken from the file -------------------------------------------

TEST(ImportAwsCli, ImagesAndSnapshotsTakeTheFilesRegionUnlessTheyNameOne) {
  const auto cloud = ImportAwsCli(
      {Inline("snapshots.json", R"({"Snapshots": [
          {"SnapshotId": "snap-0aaaabbbbccccdddd", "VolumeSize": 12},
          {"SnapshotId": "snap-0aaaabbbbcccceeee", "VolumeSize": 12, "Region": "us-west-2"}]})",
              kSelf, "eu-west-1"),
       Inline("images.json", OneImage("ami-0aaaabbbbccccdddd", kSelf, "snap-0aaaabbbbccccdddd"),
              kSelf, "eu-west-1")});
  ASSERT_THAT(cloud, IsOk());
  EXPECT_EQ((*cloud)->GetImage(Ami("ami-0aaaabbbbccccdddd"))->region(), RegionOf("eu-west-1"));
  const auto a = (*cloud)->GetSnapshot(Snap("snap-0aaaabbbbccccdddd"));
  EXPECT_EQ(a->region(), RegionOf("eu-west-1"));
  EXPECT_EQ(a->owner(), Account(kSelf));  // No OwnerId: the file's account.
  EXPECT_EQ((*cloud)->GetSnapshot(Snap("snap-0aaaabbbbcccceeee"))->region(),
            RegionOf("us-west-2"));
}

TEST(ImportAwsCli, InstancesAreOwnedByTheirReservation) {
  const auto cloud = ImportAwsCli({Inline("instances.json", R"({"Reservations": [
      {"OwnerId": "444455556666", "Instances": [{"InstanceId": "i-0aaaabbbbccccdddd",
        "ImageId": "ami-0aaaabbbbccccdddd", "Placement": {"AvailabilityZone": "us-east-1d"}}]},
      {"Instances": [{"InstanceId": "i-0aaaabbbbcccceeee", "ImageId": "ami-0aaaabbbbccccdddd",
        "Placement": {"AvailabilityZone": "us-east-1d"}}]}]})")});
  ASSERT_THAT(cloud, IsOk());
  EXPECT_EQ((*cloud)->GetInstance(Inst("i-0aaaabbbbccccdddd"))->owner(), Account(kPartner));
  EXPECT_EQ((*cloud)->GetInstance(Inst("i-0aaaabbbbcccceeee"))->owner(), Account(kSelf));
}

TEST(ImportAwsCli, MalformedReservationOwnerIsInvalidUserIdMalformed) {
  const auto cloud = ImportAwsCli({Inline("instances.json", R"({"Reservations": [
      {"OwnerId": "1234", "Instances": []}]})")});
  EXPECT_THAT(cloud, HasErrorCode(ErrorCode::kInvalidUserIDMalformed));
  EXPECT_THAT(cloud, MessageHas("instances.json: Reservations[0].OwnerId: "));
}

TEST(ImportAwsCli, UnknownFieldsAreIgnored) {
  const auto cloud = ImportAwsCli(
      {Inline("snapshots.json", R"({"Snapshots": [{"SnapshotId": "snap-0aaaabbbbccccdddd",
          "VolumeSize": 12,
          "Progress": "100%", "StorageTier": "standard", "OwnerAlias": "self",
          "SseType": "sse-ebs", "FutureField": {"Nested": [1, {"x": null}]}}],
          "NextToken": "abc"})"),
       Inline("images.json",
              OneImage("ami-0aaaabbbbccccdddd", kSelf, "snap-0aaaabbbbccccdddd",
                       R"(, "Hypervisor": "xen", "SriovNetSupport": "simple",
                        "ImageLocation": "x/y", "TpmSupport": "v2.0", "NewThing": [true, 3.5])"))});
  ASSERT_THAT(cloud, IsOk());
  EXPECT_TRUE((*cloud)->GetImage(Ami("ami-0aaaabbbbccccdddd")).has_value());
}

// An image whose first mapping is NoDevice, then the root, then `last`.
std::string WithNoDevice(absl::string_view last) {
  return absl::StrCat(R"({"Images": [{"ImageId": "ami-0aaaabbbbccccdddd", "Name": "no-device",
      "RootDeviceName": "/dev/xvda", "BlockDeviceMappings": [
        {"DeviceName": "/dev/sdb", "NoDevice": ""},
        {"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": "snap-0aaaabbbbccccdddd"}},
        )", last, "]}]}");
}

AwsCliFile SnapshotForNoDevice() {
  return Inline("snapshots.json", R"({"Snapshots": [{"SnapshotId": "snap-0aaaabbbbccccdddd",
      "VolumeSize": 12}]})");
}

TEST(ImportAwsCli, NoDeviceMappingsAreDropped) {
  const auto cloud = ImportAwsCli(
      {SnapshotForNoDevice(),
       Inline("images.json", WithNoDevice(R"({"DeviceName": "/dev/sdc", "NoDevice": ""})"))});
  ASSERT_THAT(cloud, IsOk());
  const auto image = (*cloud)->GetImage(Ami("ami-0aaaabbbbccccdddd"));
  ASSERT_EQ(image->block_device_mappings().size(), 1u);
  EXPECT_EQ(image->block_device_mappings()[0].device_name, "/dev/xvda");
}

TEST(ImportAwsCli, PathsAfterADroppedMappingKeepTheFilesIndex) {
  const auto cloud = ImportAwsCli(
      {SnapshotForNoDevice(),
       Inline("images.json",
              WithNoDevice(R"({"DeviceName": "/dev/sdc", "Ebs": {"VolumeType": "gp9"}})"))});
  EXPECT_THAT(cloud, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(Msg(cloud),
              StartsWith("images.json: Images[0].BlockDeviceMappings[2].Ebs.VolumeType: "));
}

// ---- Malformed fixtures ---------------------------------------------------------------------

TEST(ImportAwsCli, MalformedJsonIsSerializationException) {
  const auto cloud = ImportAwsCli({Fixture("malformed-syntax.json")});
  EXPECT_THAT(cloud, HasErrorCode(ErrorCode::kSerializationException));
  EXPECT_THAT(Msg(cloud), StartsWith("malformed-syntax.json: cannot decode "));
}

TEST(ImportAwsCli, MalformedImageIdNamesFileAndPath) {
  const auto cloud = ImportAwsCli({Fixture("describe-snapshots.json"),
                                   Fixture("malformed-image-id.json")});
  EXPECT_THAT(cloud, HasErrorCode(ErrorCode::kInvalidAMIIDMalformed));
  EXPECT_THAT(Msg(cloud),
              StartsWith("malformed-image-id.json: Images[1].ImageId: "));
  EXPECT_THAT(cloud, MessageHas("ami-0123456789ABCDEF2"));
}

TEST(ImportAwsCli, InvalidEnumValueNamesFileAndPath) {
  const auto cloud = ImportAwsCli({Fixture("describe-snapshots.json"),
                                   Fixture("malformed-enum.json")});
  EXPECT_THAT(cloud, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(Msg(cloud),
              StartsWith("malformed-enum.json: Images[0].BlockDeviceMappings[0].Ebs.VolumeType: "));
  EXPECT_THAT(cloud, MessageHas("gp9"));
}

TEST(ImportAwsCli, InvalidMappingSnapshotIdNamesFileAndPath) {
  const auto cloud = ImportAwsCli(
      {Inline("images.json", OneImage("ami-0aaaabbbbccccdddd", kSelf, "snap-xyz"))});
  EXPECT_THAT(cloud, HasErrorCode(ErrorCode::kInvalidSnapshotIDMalformed));
  EXPECT_THAT(Msg(cloud),
              StartsWith("images.json: Images[0].BlockDeviceMappings[0].Ebs.SnapshotId: "));
}

TEST(ImportAwsCli, AttributeOfAnUnknownImageFailsNamingIt) {
  std::vector<AwsCliFile> files = AllFixtures();
  files.push_back(Fixture("unknown-image-attribute.json"));
  const auto cloud = ImportAwsCli(files);
  EXPECT_THAT(cloud, HasErrorCode(ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_THAT(Msg(cloud),
              StartsWith("unknown-image-attribute.json: ImageId: image `ami-0fedcba9876543210`"));
}

TEST(ImportAwsCli, AttributeOfAnUnknownSnapshotFailsNamingIt) {
  const auto cloud = ImportAwsCli({Fixture("describe-snapshot-attribute.json")});
  EXPECT_THAT(cloud, HasErrorCode(ErrorCode::kInvalidSnapshotNotFound));
  EXPECT_THAT(cloud, MessageHas("describe-snapshot-attribute.json: SnapshotId: snapshot "
                                "`snap-0f1e2d3c4b5a69788`"));
}

TEST(ImportAwsCli, InvalidLaunchPermissionIsReportedInTheAttributeFile) {
  std::vector<AwsCliFile> files = AllFixtures();
  files.push_back(Inline("attr.json", R"({"ImageId": "ami-0f5a6b7c8d9e0f1a2",
      "LaunchPermissions": [{"Group": "all"}, {"UserId": "12345"}]})"));
  const auto cloud = ImportAwsCli(files);
  EXPECT_THAT(cloud, HasErrorCode(ErrorCode::kInvalidAMIAttributeItemValue));
  EXPECT_THAT(Msg(cloud), StartsWith("attr.json: LaunchPermissions[1].UserId: "));
}

TEST(ImportAwsCli, InvalidCreateVolumePermissionIsReportedInTheAttributeFile) {
  std::vector<AwsCliFile> files = AllFixtures();
  files.push_back(Inline("attr.json", R"({"SnapshotId": "snap-1a2b3c4d",
      "CreateVolumePermissions": [{"Group": "everyone"}]})"));
  const auto cloud = ImportAwsCli(files);
  EXPECT_THAT(cloud, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(Msg(cloud),
              StartsWith("attr.json: CreateVolumePermissions[0].Group: "));
}

// MC-73: the same output twice imports once; a differing repeat is refused.
TEST(ImportAwsCli, AnImageDescribedTwiceImportsOnce) {
  std::vector<AwsCliFile> files = AllFixtures();
  files.push_back(Fixture("describe-images.json"));
  files.back().name = "again.json";
  const auto cloud = ImportAwsCli(files);
  ASSERT_THAT(cloud, IsOk());
  EXPECT_TRUE((*cloud)->StateEquals(*ImportAll()));
}

TEST(ImportAwsCli, AnImageDescribedTwiceDifferentlyFails) {
  std::vector<AwsCliFile> files = AllFixtures();
  std::string json = ReadFixture("describe-images.json");
  const size_t at = json.find(R"("Name": "legacy-web-2014")");
  ASSERT_NE(at, std::string::npos);
  json.replace(at, 25, R"("Name": "legacy-web-2015")");
  files.push_back(Inline("again.json", json));
  const auto cloud = ImportAwsCli(files);
  EXPECT_THAT(cloud, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(cloud, MessageHas("again.json: Images[0]: image `ami-1a2b3c4d` differs from the one "
                                "in `describe-images.json` at Images[0]"));
}

TEST(ImportAwsCli, UnknownOutputFailsNamingTheFile) {
  const auto cloud = ImportAwsCli({Inline("volumes.json", R"({"Volumes": []})")});
  EXPECT_THAT(cloud, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(Msg(cloud), StartsWith("volumes.json: not a known aws cli output"));
}

// ---- Key policies ---------------------------------------------------------------------------

// A get-key-policy file for the key of describe-key.json, with `statements` as its document's.
AwsCliFile PolicyFile(absl::string_view statements, std::string key_id = "") {
  const std::string document =
      absl::StrCat(R"({"Version": "2012-10-17", "Statement": )", statements, "}");
  std::string escaped;
  for (const char c : document) {
    if (c == '"' || c == '\\') escaped.push_back('\\');
    escaped.push_back(c == '\n' ? ' ' : c);
  }
  AwsCliFile f = Inline("policy.json", absl::StrCat(R"({"Policy": ")", escaped,
                                                    R"(", "PolicyName": "default"})"));
  f.key_id = std::move(key_id);
  return f;
}

absl::StatusOr<std::unique_ptr<Cloud>> ImportPolicy(const AwsCliFile& policy) {
  return ImportAwsCli({Fixture("describe-key.json"), policy});
}

TEST(KeyPolicy, ASingleStatementObjectAndAKeyNamedById) {
  const auto cloud = ImportPolicy(PolicyFile(
      R"({"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "kms:Decrypt", "Resource": "*"})",
      "mrk-1234abcd12ab34cd56ef1234567890ab"));
  ASSERT_THAT(cloud, IsOk());
  const auto key = (*cloud)->GetKey(*KmsKeyArn::Parse(kKeyArn));
  ASSERT_EQ(key->policy().statement_count(), 1u);
  EXPECT_THAT(Summary(*key)[0].accounts, ElementsAre(Account(kPartner)));
  EXPECT_EQ(Summary(*key)[0].actions, KmsActions::Of({KmsAction::kDecrypt}));
}

TEST(KeyPolicy, APolicyOfASkippedAwsManagedKeyIsSkipped) {
  const auto cloud = ImportAwsCli(
      {Fixture("describe-key-aws-managed.json"),
       PolicyFile(R"([{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}])")});
  EXPECT_THAT(cloud, IsOk());
}

TEST(KeyPolicy, APolicyWithoutAKeyIsMissingParameter) {
  const auto cloud = ImportAwsCli(
      {PolicyFile(R"([{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}])")});
  EXPECT_THAT(cloud, HasErrorCode(ErrorCode::kMissingParameter));
  EXPECT_THAT(cloud, MessageHas("policy.json: the policy names no key"));
}

TEST(KeyPolicy, APolicyForAKeyNotImportedIsNotFound) {
  const auto cloud = ImportPolicy(
      PolicyFile(R"([{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}])",
                 "1234abcd-12ab-34cd-56ef-1234567890ab"));
  EXPECT_THAT(cloud, HasErrorCode(ErrorCode::kKmsNotFoundException));
  EXPECT_THAT(cloud, MessageHas("policy.json: "));
}

TEST(KeyPolicy, ActionsOfNoModelledKmsActionAreKeptAndAllowNothing) {
  const auto cloud = ImportPolicy(PolicyFile(
      R"([{"Effect": "Allow", "Principal": "*", "Action": ["kms:Frobnicate", "s3:GetObject"], "Resource": "*"}])"));
  ASSERT_THAT(cloud, IsOk());
  const auto key = (*cloud)->GetKey(*KmsKeyArn::Parse(kKeyArn));
  EXPECT_TRUE(Summary(*key)[0].actions.empty());
}

TEST(KeyPolicy, InvalidEffectIsMalformedPolicyDocument) {
  const auto cloud = ImportPolicy(
      PolicyFile(R"([{"Effect": "Maybe", "Principal": "*", "Action": "kms:*", "Resource": "*"}])"));
  EXPECT_THAT(cloud, HasErrorCode(ErrorCode::kMalformedPolicyDocument));
  EXPECT_THAT(Msg(cloud), StartsWith("policy.json: Policy.Statement[0]: Effect"));
}

TEST(KeyPolicy, AStatementWithoutPrincipalIsMalformedPolicyDocument) {
  const auto cloud =
      ImportPolicy(PolicyFile(R"([{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}])"));
  EXPECT_THAT(cloud, HasErrorCode(ErrorCode::kMalformedPolicyDocument));
  EXPECT_THAT(Msg(cloud), HasSubstr("Principal"));
}

TEST(KeyPolicy, NotPrincipalIsKeptAndDecidedByTheEvaluator) {
  const auto cloud = ImportPolicy(PolicyFile(
      R"([{"Effect": "Deny", "NotPrincipal": {"AWS": "111122223333"}, "Action": "kms:*", "Resource": "*"}])"));
  ASSERT_THAT(cloud, IsOk());
  const auto key = (*cloud)->GetKey(*KmsKeyArn::Parse(kKeyArn));
  EXPECT_FALSE(Exact(*key, 0));
  EXPECT_TRUE(key->policy().compiled().document.statements[0].not_principal);
}

TEST(KeyPolicy, UndecodablePolicyDocumentIsMalformedPolicyDocument) {
  AwsCliFile f = Inline("policy.json", R"({"Policy": "{\"Statement\": [", "PolicyName": "x"})");
  const auto cloud = ImportPolicy(f);
  EXPECT_THAT(cloud, HasErrorCode(ErrorCode::kMalformedPolicyDocument));
  EXPECT_THAT(Msg(cloud), StartsWith("policy.json: Policy: "));
}

TEST(KeyPolicy, ConditionKeysAreCaseInsensitive) {
  const auto cloud = ImportPolicy(PolicyFile(
      R"([{"Effect": "Allow", "Principal": "*", "Action": "KMS:decrypt", "Resource": "*",
           "Condition": {"StringEquals": {"AWS:PrincipalOrgId": "o-a1b2c3d4e5"}}}])"));
  ASSERT_THAT(cloud, IsOk());
  const auto key = (*cloud)->GetKey(*KmsKeyArn::Parse(kKeyArn));
  ASSERT_TRUE(Exact(*key, 0));
  EXPECT_THAT(Summary(*key)[0].principal_org_ids,
              ElementsAre(*OrganizationId::Parse("o-a1b2c3d4e5")));
  EXPECT_EQ(Summary(*key)[0].actions, KmsActions::Of({KmsAction::kDecrypt}));
}

// Two spellings of one key are two conditions, ANDed: not the OR of an organization list.
TEST(KeyPolicy, KMS_7_OneKeyUnderTwoSpellingsIsLeftToTheEvaluator) {
  const auto cloud = ImportPolicy(PolicyFile(
      R"([{"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
           "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-aaaaaaaaaa",
                                          "AWS:PrincipalOrgID": "o-bbbbbbbbbb"}}}])"));
  ASSERT_THAT(cloud, IsOk());
  EXPECT_FALSE(Exact(*(*cloud)->GetKey(*KmsKeyArn::Parse(kKeyArn)), 0));
}

TEST(KeyPolicy, EveryConditionIsKeptNotDropped) {
  const auto cloud = ImportPolicy(PolicyFile(
      R"([{"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
           "Condition": {"StringLike": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
                         "StringNotEquals": {"aws:PrincipalOrgID": "o-zzzzzzzzzz"}}}])"));
  ASSERT_THAT(cloud, IsOk());
  const auto key = (*cloud)->GetKey(*KmsKeyArn::Parse(kKeyArn));
  EXPECT_FALSE(Exact(*key, 0));
  const lang::Statement& s = key->policy().compiled().document.statements[0];
  ASSERT_EQ(s.conditions.size(), 2u);
  EXPECT_EQ(lang::ConditionText(s.conditions[1]), "StringNotEquals aws:PrincipalOrgID [o-zzzzzzzzzz]");
}

// ---- Unknown never allows: key policies and keys as AWS prints them -------------------------

// Every fixture but the key policy, and `policy` instead.
std::unique_ptr<Cloud> ImportWithPolicy(const AwsCliFile& policy) {
  std::vector<AwsCliFile> files = AllFixtures();
  files.erase(files.begin() + 2);  // get-key-policy.json
  files.push_back(policy);
  absl::StatusOr<std::unique_ptr<Cloud>> cloud = ImportAwsCli(files);
  EXPECT_THAT(cloud, IsOk());
  return cloud.ok() ? std::move(*cloud) : Cloud::Create();
}

Decision LaunchAs(const Cloud& cloud, absl::string_view caller, absl::string_view image) {
  policy::LaunchQuestion q;
  q.caller = Account(caller);
  q.region = RegionOf("us-east-1");
  q.image = Ami(image);
  return cloud.Evaluate(policy::EvaluateLaunch, q);
}

constexpr char kRootStatement[] =
    R"({"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "kms:*", "Resource": "*"})";

TEST(KeyPolicy, KMS_5_TheEbsStylePolicyLetsOnlyTheCallerAccountItNamesUseTheKey) {
  const auto cloud = ImportWithPolicy(PolicyFile(absl::StrCat("[", kRootStatement, R"(,
      {"Sid": "EbsStyle", "Effect": "Allow", "Principal": {"AWS": "*"},
       "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                  "kms:CreateGrant", "kms:DescribeKey"], "Resource": "*",
       "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333",
                                      "kms:ViaService": "ec2.us-east-1.amazonaws.com"}}}])")));
  // ami-0123456789abcdef0 is encrypted under the key and shared with 444455556666.
  const Decision partner = LaunchAs(*cloud, kPartner, "ami-0123456789abcdef0");
  EXPECT_FALSE(partner.allowed());
  EXPECT_TRUE(partner.denied_later());
  EXPECT_TRUE(LaunchAs(*cloud, kSelf, "ami-0123456789abcdef0").allowed());
}

TEST(KeyPolicy, KMS_5_TheEbsStylePolicyNamingThePartnerLetsItLaunch) {
  const auto cloud = ImportWithPolicy(PolicyFile(absl::StrCat("[", kRootStatement, R"(,
      {"Sid": "EbsStyle", "Effect": "Allow", "Principal": {"AWS": "*"},
       "Action": "kms:*", "Resource": "*",
       "Condition": {"StringEqualsIgnoreCase": {"kms:CallerAccount": "444455556666"},
                     "StringEquals": {"kms:ViaService": "ec2.us-east-1.amazonaws.com"}}}])")));
  const Decision partner = LaunchAs(*cloud, kPartner, "ami-0123456789abcdef0");
  EXPECT_TRUE(partner.allowed()) << partner.Explain();
}

TEST(KeyPolicy, KMS_5_AnAllowUnderSourceIpNeverGrants) {
  const auto cloud = ImportWithPolicy(PolicyFile(absl::StrCat("[", kRootStatement, R"(,
      {"Sid": "FromTheOffice", "Effect": "Allow", "Principal": {"AWS": "444455556666"},
       "Action": "kms:*", "Resource": "*",
       "Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}}])")));
  const Decision partner = LaunchAs(*cloud, kPartner, "ami-0123456789abcdef0");
  EXPECT_FALSE(partner.allowed());
  EXPECT_THAT(partner.Explain(), HasSubstr("IpAddress aws:SourceIp [203.0.113.0/24]"));
}

TEST(KeyPolicy, KMS_4_APerimeterDenyNamesTheFactAnImportLacks) {
  const auto cloud = ImportWithPolicy(PolicyFile(absl::StrCat("[", kRootStatement, R"(,
      {"Sid": "Perimeter", "Effect": "Deny", "Principal": "*", "Action": "kms:*",
       "Resource": "*",
       "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}])")));
  // An import holds no organization membership: the owner's is unknown, so the Deny applies and
  // the explanation says which fact was missing.
  const Decision owner = LaunchAs(*cloud, kSelf, "ami-0123456789abcdef0");
  EXPECT_FALSE(owner.allowed());
  EXPECT_THAT(owner.Explain(), HasSubstr("StringNotEquals aws:PrincipalOrgID [o-a1b2c3d4e5]"));
}

// An account's own image whose root snapshot is encrypted under `key_arn`.
std::vector<AwsCliFile> OwnEncryptedImage(absl::string_view key_arn) {
  return {Inline("snapshots.json", absl::StrCat(R"({"Snapshots": [{
              "SnapshotId": "snap-0aaaabbbbccccdddd", "OwnerId": "111122223333",
              "VolumeSize": 8, "State": "completed", "Encrypted": true,
              "KmsKeyId": ")", key_arn, R"(", "StartTime": "2024-01-01T00:00:00.000Z"}]})")),
          Inline("images.json", R"({"Images": [{"ImageId": "ami-0aaaabbbbccccdddd",
              "OwnerId": "111122223333", "Name": "own", "RootDeviceName": "/dev/xvda",
              "State": "available", "BlockDeviceMappings": [{"DeviceName": "/dev/xvda",
              "Ebs": {"SnapshotId": "snap-0aaaabbbbccccdddd", "VolumeSize": 8,
                      "Encrypted": true}}]}]})")};
}

// May the account share the image of OwnEncryptedImage with the partner?
Decision ShareOwnImageWithPartner(const Cloud& cloud) {
  policy::ShareQuestion q{.caller = Account(kSelf), .region = RegionOf("us-east-1"),
                          .image = Ami("ami-0aaaabbbbccccdddd")};
  q.change.add_accounts = {Account(kPartner)};
  return cloud.Evaluate(policy::EvaluateModifyLaunchPermission, q);
}

TEST(ImportAwsCli, KMS_1_AnAwsManagedKeyIsImportedAsWhatItIs) {
  std::vector<AwsCliFile> files = OwnEncryptedImage(kAwsManagedArn);
  files.push_back(Fixture("describe-key-aws-managed.json"));
  const absl::StatusOr<std::unique_ptr<Cloud>> cloud = ImportAwsCli(files);
  ASSERT_THAT(cloud, IsOk());
  const auto key = (*cloud)->GetKey(*KmsKeyArn::Parse(kAwsManagedArn));
  ASSERT_TRUE(key.has_value());
  EXPECT_TRUE(key->is_aws_managed());
  // It is the account's aws/ebs key: the default EBS key, and what alias/aws/ebs names.
  EXPECT_EQ((*cloud)->GetSettings(Account(kSelf), RegionOf("us-east-1")).default_kms_key,
            key->arn());
  // The owner may launch its image; it cannot share it (SHARE-16).
  EXPECT_TRUE(LaunchAs(**cloud, kSelf, "ami-0aaaabbbbccccdddd").allowed());
  const Decision share = ShareOwnImageWithPartner(**cloud);
  EXPECT_FALSE(share.allowed());
  EXPECT_EQ(share.reasons().front().rule(), "SHARE-16");
}

TEST(ImportAwsCli, KMS_2_ListAliasesNamesTheAwsEbsKey) {
  std::vector<AwsCliFile> files = OwnEncryptedImage(kAwsManagedArn);
  std::string key_json = ReadFixture("describe-key-aws-managed.json");
  key_json.replace(key_json.find("Default key"), 11, "Some key");  // Not recognisable.
  files.push_back(Inline("key.json", key_json));
  files.push_back(Inline("aliases.json", R"({"Aliases": [
      {"AliasName": "alias/aws/ebs", "TargetKeyId": "0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0",
       "AliasArn": "arn:aws:kms:us-east-1:111122223333:alias/aws/ebs"},
      {"AliasName": "alias/aws/s3",
       "AliasArn": "arn:aws:kms:us-east-1:111122223333:alias/aws/s3"}]})"));
  const absl::StatusOr<std::unique_ptr<Cloud>> cloud = ImportAwsCli(files);
  ASSERT_THAT(cloud, IsOk());
  EXPECT_EQ((*cloud)->GetSettings(Account(kSelf), RegionOf("us-east-1")).default_kms_key,
            *KmsKeyArn::Parse(kAwsManagedArn));
}

TEST(ImportAwsCli, KMS_11_AnImageUnderAKeyNoFileDescribesIsNotShareable) {
  const absl::StatusOr<std::unique_ptr<Cloud>> cloud = ImportAwsCli(OwnEncryptedImage(
      "arn:aws:kms:us-east-1:111122223333:key/99999999-4b5a-4978-8796-a5b4c3d2e1f0"));
  ASSERT_THAT(cloud, IsOk());
  const Decision share = ShareOwnImageWithPartner(**cloud);
  EXPECT_FALSE(share.allowed());
  EXPECT_THAT(share.Explain(), HasSubstr("which the state does not hold"));
}

TEST(ImportAwsCli, SHARE_14_AnImageThatDisagreesWithItsSnapshotIsRefused) {
  std::vector<AwsCliFile> files = OwnEncryptedImage(kAwsManagedArn);
  files[1].json.replace(files[1].json.find("\"Encrypted\": true"), 17, "\"Encrypted\": false");
  files.push_back(Fixture("describe-key-aws-managed.json"));
  const absl::StatusOr<std::unique_ptr<Cloud>> cloud = ImportAwsCli(files);
  EXPECT_THAT(cloud, HasErrorCode(ErrorCode::kInvalidParameterCombination));
  EXPECT_THAT(cloud, MessageHas("images.json: Images[0]: "));
  EXPECT_THAT(cloud, MessageHas("the inputs disagree"));
}

}  // namespace
}  // namespace ami
