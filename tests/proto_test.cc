// Tests for the protobuf and JSON forms: ToProto/FromProto, ToBinary/FromBinary, ToJson/FromJson,
// FormatAwsTime/ParseAwsTime.
#include "ami/io/proto.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ami/ami.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::ami::testing::MessageHas;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kOwner[] = "111122223333";
constexpr char kMrk[] = "mrk-1234abcd12ab34cd56ef1234567890ab";

AccountId Account(absl::string_view text) { return *AccountId::Parse(text); }
Region RegionOf(absl::string_view code) { return *Region::Parse(code); }
KmsKeyArn KeyIn(absl::string_view region, absl::string_view id = kMrk) {
  return KmsKeyArn::Of(Account(kOwner), RegionOf(region), *KmsKeyId::Parse(id));
}
absl::Time Jan15() {
  return absl::FromCivil(absl::CivilSecond(2024, 1, 15, 10, 20, 30), absl::UTCTimeZone());
}
TagSet Tags() {
  return *TagSet::Create({*Tag::Create("Name", "web \xc3\xa9"), *Tag::Create("empty", "")});
}
OrganizationArn Org() {
  return *OrganizationArn::Parse("arn:aws:organizations::123456789012:organization/o-a1b2c3d4e5");
}
OrganizationalUnitArn Ou() {
  return *OrganizationalUnitArn::Parse(
      "arn:aws:organizations::123456789012:ou/o-a1b2c3d4e5/ou-ab12-11111111");
}

template <typename T>
absl::StatusOr<T> Full();

template <>
absl::StatusOr<KmsKey> Full<KmsKey>() {
  KeyPolicyStatement allow;
  allow.sid = "AllowUse";
  allow.accounts = {Account("444455556666"), Account("012345678901")};
  allow.actions = EbsRequiredKmsActions();
  KeyPolicyStatement deny;
  deny.sid = "DenyOutsideTheOrganization";
  deny.effect = KeyPolicyStatement::Effect::kDeny;
  deny.any_principal = true;
  deny.principal_org_ids = {*OrganizationId::Parse("o-a1b2c3d4e5")};
  deny.principal_org_paths = {"o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"};
  deny.actions = KmsActions::Of({KmsAction::kEncrypt, KmsAction::kRetireGrant});
  return KmsKey::Builder()
      .set_arn(KeyIn("eu-west-1"))
      .set_multi_region_role(MultiRegionRole::kPrimary)
      .set_state(KeyState::kPendingDeletion)
      .set_deletion_time(Jan15() + absl::Hours(24 * 7))
      .set_key_spec("RSA_2048")
      .set_description("signing key")
      .set_creation_time(Jan15())
      .set_policy({allow, deny})
      .add_grant({"grant-0123", Account("444455556666"), KmsActions::All()})
      .set_tags(Tags())
      .Build();
}

template <>
absl::StatusOr<Snapshot> Full<Snapshot>() {
  return Snapshot::Builder()
      .set_id(*SnapshotId::Parse("snap-0123456789abcdef0"))
      .set_owner(Account(kOwner))
      .set_region(RegionOf("eu-west-1"))
      .set_volume_size_gib(100)
      .set_kms_key(KeyIn("eu-west-1"))
      .set_state(SnapshotState::kError)
      .set_state_message("kms key is disabled")
      .set_description("Created by CreateImage(i-0123456789abcdef0)")
      .set_start_time(Jan15() + absl::Milliseconds(125))
      .set_create_volume_permissions({{Account("444455556666"), Account("012345678901")}, true})
      .set_product_codes({{"abcdefghijklmnopqrstuvwxy", ProductCodeType::kDevpay}})
      .set_volume_id(*VolumeId::Parse("vol-0123456789abcdef0"))
      .set_source_snapshot(*SnapshotId::Parse("snap-1a2b3c4d"))
      .set_tags(Tags())
      .Build();
}

template <>
absl::StatusOr<Image> Full<Image>() {
  BlockDeviceMapping root = BlockDeviceMapping::FromSnapshot("/dev/sda1", *Full<Snapshot>());
  root.ebs->volume_type = VolumeType::kIo2;
  root.ebs->delete_on_termination = false;
  BlockDeviceMapping data{
      "/dev/sdc",
      EbsBlockDevice{std::nullopt, 500, VolumeType::kSt1, false, true, KeyIn("eu-west-1")}, ""};
  BlockDeviceMapping ephemeral{"/dev/sdb", std::nullopt, "ephemeral0"};
  absl::StatusOr<LaunchPermissions> perms = LaunchPermissions::Create(
      {Account("444455556666"), Account("012345678901")}, true, {Org()}, {Ou()});
  if (!perms.ok()) return perms.status();
  return Image::Builder()
      .set_id(*ImageId::Parse("ami-0123456789abcdef0"))
      .set_name("web-server 2024.01 (x86) [prod]")
      .set_description("web server")
      .set_owner(Account(kOwner))
      .set_owner_alias(OwnerAlias::kAmazon)
      .set_region(RegionOf("eu-west-1"))
      .set_state(ImageState::kFailed)
      .set_state_reason({"Client.InvalidKMSKey.InvalidState", "the key is pending deletion"})
      .set_creation_time(Jan15())
      .set_root_device_name("/dev/sda1")
      .set_architecture(Architecture::kI386)
      .set_virtualization_type(VirtualizationType::kParavirtual)
      .set_boot_mode(BootMode::kLegacyBios)
      .set_ena_support(false)
      .set_imds_v2_required(true)
      .set_block_device_mappings({root, ephemeral, data})
      .set_product_codes({{"abc123", ProductCodeType::kMarketplace}})
      .set_platform("windows")
      .set_platform_details("Windows")
      .set_usage_operation("RunInstances:0002")
      .set_launch_permissions(*perms)
      .set_deprecation_time(Jan15() + absl::Hours(24 * 365))
      .set_protection_cooldown_until(Jan15() + absl::Hours(24))
      .set_source_instance(*InstanceId::Parse("i-0123456789abcdef0"))
      .set_source_image(*ImageId::Parse("ami-11111111"), RegionOf("us-west-2"))
      .set_consistency(ImageConsistency::kCrashConsistent)
      .set_last_launched_time(Jan15() + absl::Hours(2))
      .set_tags(Tags())
      .Build();
}

template <>
absl::StatusOr<Instance> Full<Instance>() {
  AttachedVolume root{"/dev/sda1",        *VolumeId::Parse("vol-0123456789abcdef0"),   100, false,
                      KeyIn("eu-west-1"), *SnapshotId::Parse("snap-0123456789abcdef0")};
  AttachedVolume data{"/dev/sdf", VolumeId::Short(0x1a2b3c4d), 0, true, std::nullopt, std::nullopt};
  return Instance::Builder()
      .set_id(*InstanceId::Parse("i-0123456789abcdef0"))
      .set_owner(Account(kOwner))
      .set_availability_zone(*AvailabilityZone::Parse("eu-west-1b"))
      .set_image_id(*ImageId::Parse("ami-0123456789abcdef0"))
      .set_state(InstanceState::kStopped)
      .set_state_reason({"Client.UserInitiatedShutdown", "User initiated shutdown"})
      .set_instance_type("m7g.large")
      .set_root_device_type(RootDeviceType::kInstanceStore)
      .set_root_device_name("/dev/sda1")
      .set_architecture(Architecture::kArm64)
      .set_volumes({root, data})
      .set_product_codes({{"abc123", ProductCodeType::kMarketplace}})
      .set_platform_details("Red Hat Enterprise Linux")
      .set_imds_v2_required(true)
      .set_launch_time(Jan15() + absl::Microseconds(250))
      .set_tags(Tags())
      .Build();
}

template <typename T>
class ProtoRoundTrip : public ::testing::Test {};
using ValueTypes = ::testing::Types<KmsKey, Snapshot, Image, Instance>;
TYPED_TEST_SUITE(ProtoRoundTrip, ValueTypes);

TYPED_TEST(ProtoRoundTrip, FullValueRoundTripsThroughBinary) {
  absl::StatusOr<TypeParam> value = Full<TypeParam>();
  ASSERT_THAT(value, IsOk());
  absl::StatusOr<TypeParam> back = FromBinary<TypeParam>(ToBinary(*value));
  ASSERT_THAT(back, IsOk());
  EXPECT_TRUE(*back == *value);
}

TYPED_TEST(ProtoRoundTrip, FullValueRoundTripsThroughJson) {
  absl::StatusOr<TypeParam> value = Full<TypeParam>();
  ASSERT_THAT(value, IsOk());
  const std::string json = ToJson(*value);
  absl::StatusOr<TypeParam> back = FromJson<TypeParam>(json);
  ASSERT_THAT(back, IsOk()) << json;
  EXPECT_TRUE(*back == *value) << json;
}

TYPED_TEST(ProtoRoundTrip, UnknownJsonFieldsAreIgnored) {
  absl::StatusOr<TypeParam> value = Full<TypeParam>();
  ASSERT_THAT(value, IsOk());
  std::string json = ToJson(*value);
  ASSERT_EQ(json.front(), '{');
  json.insert(1, R"("FutureField": {"Nested": [1, "x", null]}, "Another": 3,)");
  absl::StatusOr<TypeParam> back = FromJson<TypeParam>(json);
  ASSERT_THAT(back, IsOk());
  EXPECT_TRUE(*back == *value);
}

TYPED_TEST(ProtoRoundTrip, MalformedBytesAreSerializationException) {
  EXPECT_THAT(FromBinary<TypeParam>("\xff\xff\xff"),
              HasErrorCode(ErrorCode::kSerializationException));
}

TYPED_TEST(ProtoRoundTrip, MalformedJsonIsSerializationException) {
  for (const char* text : {"{", "not json", "[1, 2]", R"({"Tags": 7})", R"({"Tags": [}])"}) {
    EXPECT_THAT(FromJson<TypeParam>(text), HasErrorCode(ErrorCode::kSerializationException))
        << text;
  }
}

// Text that the JSON form of the Full<T>() value must contain: AWS field names and values.
template <typename T>
std::vector<std::string> ExpectedJsonText();
// clang-format off
template <>
std::vector<std::string> ExpectedJsonText<KmsKey>() {
  return {"\"KeyId\"", "\"Arn\"", "\"AWSAccountId\"", "\"KeyState\": \"PendingDeletion\"",
          "\"MultiRegionKeyType\": \"PRIMARY\"", "\"DeletionDate\"", "\"PolicyDocument\"", "\"Grants\"",
          "\"Tags\"", "\"Key\"", "\"Value\""};
}
template <>
std::vector<std::string> ExpectedJsonText<Snapshot>() {
  return {"\"SnapshotId\"", "\"OwnerId\"", "\"KmsKeyId\"", "\"Encrypted\": true",
          "\"CreateVolumePermissions\"", "\"Tags\"", "\"Key\"", "\"Value\"",
          "\"StartTime\": \"2024-01-15T10:20:30.125Z\""};
}
template <>
std::vector<std::string> ExpectedJsonText<Image>() {
  return {"\"ImageId\"", "\"OwnerId\"", "\"BlockDeviceMappings\"", "\"Ebs\"", "\"SnapshotId\"",
          "\"KmsKeyId\"", "\"Tags\"", "\"Key\"", "\"Value\"", "\"LaunchPermissions\"",
          "\"UserId\"", "\"Group\": \"all\"", "\"OrganizationArn\"", "\"OrganizationalUnitArn\"",
          "\"DeregistrationProtection\": \"disabled-until-2024-01-16T10:20:30.000Z\"",
          "\"Consistency\": \"crash-consistent\""};
}
template <>
std::vector<std::string> ExpectedJsonText<Instance>() {
  return {"\"InstanceId\"", "\"ImageId\"", "\"AvailabilityZone\": \"eu-west-1b\"",
          "\"BlockDeviceMappings\"", "\"Ebs\"", "\"VolumeId\"", "\"Code\": 80",
          "\"HttpTokens\": \"required\""};
}
// clang-format on

TYPED_TEST(ProtoRoundTrip, JsonUsesAwsFieldNames) {
  absl::StatusOr<TypeParam> value = Full<TypeParam>();
  ASSERT_THAT(value, IsOk());
  const std::string json = ToJson(*value);
  for (const std::string& text : ExpectedJsonText<TypeParam>()) EXPECT_THAT(json, HasSubstr(text));
  EXPECT_THAT(json, Not(HasSubstr("_id\"")));  // No proto field names such as image_id.
}

TEST(ImageProto, LaunchPermissionsBecomeOneEntryEach) {
  absl::StatusOr<Image> image = Full<Image>();
  ASSERT_THAT(image, IsOk());
  const v1::Image p = ToProto(*image);
  EXPECT_TRUE(p.public_());
  ASSERT_EQ(p.launch_permissions_size(), 5);
  EXPECT_EQ(p.launch_permissions(0).user_id(), "012345678901");
  EXPECT_EQ(p.launch_permissions(2).group(), "all");
  EXPECT_EQ(p.launch_permissions(3).organization_arn(), Org().ToString());
  EXPECT_EQ(p.launch_permissions(4).organizational_unit_arn(), Ou().ToString());
  EXPECT_EQ(p.block_device_mappings(0).ebs().kms_key_id(), KeyIn("eu-west-1").ToString());
}

TEST(ImageJson, CREATE_4_ConsistencyTravelsThroughProtoAndJson) {
  for (const ImageConsistency c :
       {ImageConsistency::kFileSystemConsistent, ImageConsistency::kCrashConsistent}) {
    absl::StatusOr<Image> image = Full<Image>()->ToBuilder().set_consistency(c).Build();
    ASSERT_THAT(image, IsOk());
    EXPECT_EQ(ToProto(*image).consistency(), ToString(c));
    absl::StatusOr<Image> from_json = FromJson<Image>(ToJson(*image));
    ASSERT_THAT(from_json, IsOk());
    EXPECT_EQ(from_json->consistency(), c);
    absl::StatusOr<Image> from_binary = FromBinary<Image>(ToBinary(*image));
    ASSERT_THAT(from_binary, IsOk());
    EXPECT_EQ(from_binary->consistency(), c);
  }
}

// A minimal valid describe-images entry with `extra` fields appended.
std::string ImageJson(absl::string_view extra) {
  return absl::StrCat(R"({"ImageId": "ami-0123456789abcdef0", "Name": "my-image",
    "OwnerId": "111122223333", "Region": "us-east-1", "RootDeviceName": "/dev/xvda",
    "BlockDeviceMappings": [{"DeviceName": "/dev/xvda",
                             "Ebs": {"SnapshotId": "snap-0123456789abcdef0"}}])",
                      extra, "}");
}

TEST(ImageJson, MinimalEntryParses) { EXPECT_THAT(FromJson<Image>(ImageJson("")), IsOk()); }

TEST(ImageJson, ID_3_MalformedImageIdKeepsItsCode) {
  absl::StatusOr<Image> image = FromJson<Image>(R"({"ImageId": "ami-XYZ"})");
  EXPECT_THAT(image, HasErrorCode(ErrorCode::kInvalidAMIIDMalformed));
  EXPECT_THAT(image, MessageHas("ImageId"));
}

TEST(ImageJson, ID_8_UnknownRegionIsInvalidRegion) {
  absl::StatusOr<Image> image = FromJson<Image>(
      R"({"ImageId": "ami-0123456789abcdef0", "OwnerId": "111122223333", "Region": "mars-north-1"})");
  EXPECT_THAT(image, HasErrorCode(ErrorCode::kInvalidRegion));
  EXPECT_THAT(image, MessageHas("Region"));
}

TEST(ImageJson, ID_7_BadLaunchPermissionUserIdIsInvalidAttributeItemValue) {
  absl::StatusOr<Image> image =
      FromJson<Image>(ImageJson(R"(, "LaunchPermissions": [{"UserId": "1111-2222-3333"}])"));
  EXPECT_THAT(image, HasErrorCode(ErrorCode::kInvalidAMIAttributeItemValue));
  EXPECT_THAT(image, MessageHas("LaunchPermissions[0].UserId"));
}

TEST(ImageJson, ID_3_BadSnapshotIdNamesTheFieldPath) {
  absl::StatusOr<Image> image = FromJson<Image>(R"({"ImageId": "ami-0123456789abcdef0",
      "Name": "my-image", "OwnerId": "111122223333", "Region": "us-east-1",
      "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": "snap-XYZ"}}]})");
  EXPECT_THAT(image, HasErrorCode(ErrorCode::kInvalidSnapshotIDMalformed));
  EXPECT_THAT(image, MessageHas("BlockDeviceMappings[0].Ebs.SnapshotId"));
}

TEST(ImageJson, ID_17_BadNameFailsInTheBuilder) {
  EXPECT_THAT(FromJson<Image>(ImageJson(R"(, "Name": "ab")")),
              HasErrorCode(ErrorCode::kInvalidAMINameMalformed));
}

TEST(ImageJson, ATTR_1_PublicFalseWithGroupAllIsInvalidCombination) {
  EXPECT_THAT(
      FromJson<Image>(ImageJson(R"(, "Public": false, "LaunchPermissions": [{"Group": "all"}])")),
      HasErrorCode(ErrorCode::kInvalidParameterCombination));
}

TEST(ImageJson, DEREG_6_BadCooldownTimeIsInvalidParameterValue) {
  absl::StatusOr<Image> image =
      FromJson<Image>(ImageJson(R"(, "DeregistrationProtection": "disabled-until-soon")"));
  EXPECT_THAT(image, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(image, MessageHas("DeregistrationProtection"));
}

// Field paths name the element that failed, and only a failure makes one.
TEST(ImageJson, BadTagProductCodeAndKeyNameTheirFieldPaths) {
  absl::StatusOr<Image> tag = FromJson<Image>(ImageJson(
      R"(, "Tags": [{"Key": "team", "Value": "a"}, {"Key": "", "Value": "b"}])"));
  EXPECT_THAT(tag, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(tag, MessageHas("Tags[1]"));
  absl::StatusOr<Image> type = FromJson<Image>(ImageJson(
      R"(, "ProductCodes": [{"ProductCodeId": "abc", "ProductCodeType": "marketplace"},
                            {"ProductCodeId": "def", "ProductCodeType": "bogus"}])"));
  EXPECT_THAT(type, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(type, MessageHas("ProductCodes[1].ProductCodeType"));
  absl::StatusOr<Image> code = FromJson<Image>(ImageJson(
      R"(, "ProductCodes": [{"ProductCodeId": "not-alphanumeric"}])"));
  EXPECT_THAT(code, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(code, MessageHas("ProductCodes[0]: invalid product code"));
  absl::StatusOr<Snapshot> key = FromJson<Snapshot>(R"({"SnapshotId": "snap-0123456789abcdef0",
      "OwnerId": "111122223333", "Region": "us-east-1", "VolumeSize": 8, "Encrypted": true,
      "KmsKeyId": "arn:aws:kms:us-east-1:111122223333:key/not-a-key"})");
  EXPECT_THAT(key, HasErrorCode(ErrorCode::kKmsInvalidArnException));
  EXPECT_THAT(key, MessageHas("KmsKeyId: invalid kms arn"));
  absl::StatusOr<Image> good = FromJson<Image>(ImageJson(
      R"(, "Tags": [{"Key": "team", "Value": "a"}],
           "ProductCodes": [{"ProductCodeId": "abc", "ProductCodeType": "devpay"}, {"ProductCodeId": "def"}])"));
  ASSERT_THAT(good, IsOk());
  ASSERT_EQ(good->product_codes().size(), 2u);
  EXPECT_EQ(good->product_codes()[0].type, ProductCodeType::kDevpay);
  EXPECT_EQ(good->product_codes()[1].type, ProductCodeType::kMarketplace);
}

TEST(ImageBinary, EmptyBytesAreAnImageWithoutId) {
  EXPECT_THAT(FromBinary<Image>(""), HasErrorCode(ErrorCode::kInvalidAMIIDMalformed));
}

TEST(SnapshotJson, EncryptedWithoutKeyIsMissingParameter) {
  absl::StatusOr<Snapshot> s = FromJson<Snapshot>(R"({"SnapshotId": "snap-0123456789abcdef0",
      "OwnerId": "111122223333", "Region": "us-east-1", "VolumeSize": 8, "Encrypted": true})");
  EXPECT_THAT(s, HasErrorCode(ErrorCode::kMissingParameter));
  EXPECT_THAT(s, MessageHas("KmsKeyId"));
}

TEST(InstanceJson, ID_10_UnknownZoneIsInvalidZoneNotFound) {
  absl::StatusOr<Instance> in = FromJson<Instance>(R"({"InstanceId": "i-0123456789abcdef0",
      "OwnerId": "111122223333", "ImageId": "ami-0123456789abcdef0",
      "Placement": {"AvailabilityZone": "us-east-1z"}})");
  EXPECT_THAT(in, HasErrorCode(ErrorCode::kInvalidZoneNotFound));
  EXPECT_THAT(in, MessageHas("Placement.AvailabilityZone"));
}

TEST(KmsKeyJson, UnknownPolicyActionNamesTheFieldPath) {
  absl::StatusOr<KmsKey> key = FromJson<KmsKey>(
      R"({"Arn": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
          "Policy": [{"AnyPrincipal": true, "Action": ["kms:Frobnicate"]}]})");
  EXPECT_THAT(key, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(key, MessageHas("Policy[0].Action"));
}

constexpr char kDescribeImagesEntry[] = R"({
  "Architecture": "x86_64", "CreationDate": "2024-01-15T10:20:30.000Z",
  "ImageId": "ami-0abcdef1234567890", "ImageLocation": "111122223333/web-2024.01",
  "ImageType": "machine", "Public": true, "OwnerId": "111122223333",
  "PlatformDetails": "Linux/UNIX", "UsageOperation": "RunInstances", "State": "available",
  "BlockDeviceMappings": [
    {"DeviceName": "/dev/xvda", "Ebs": {"DeleteOnTermination": true,
     "SnapshotId": "snap-0123456789abcdef0", "VolumeSize": 8, "VolumeType": "gp3",
     "Encrypted": true, "Iops": 3000, "Throughput": 125}},
    {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"}],
  "Description": "web tier", "EnaSupport": true, "Hypervisor": "xen", "Name": "web-2024.01",
  "RootDeviceName": "/dev/xvda", "RootDeviceType": "ebs", "SriovNetSupport": "simple",
  "VirtualizationType": "hvm", "BootMode": "uefi-preferred", "ImdsSupport": "v2.0",
  "DeprecationTime": "2026-01-15T10:20:00.000Z",
  "Tags": [{"Key": "Name", "Value": "web"}], "Region": "us-east-1"
})";

TEST(ImageJson, ParsesADescribeImagesEntry) {
  absl::StatusOr<Image> image = FromJson<Image>(kDescribeImagesEntry);
  ASSERT_THAT(image, IsOk());
  EXPECT_EQ(image->id().ToString(), "ami-0abcdef1234567890");
  EXPECT_EQ(image->owner().ToString(), "111122223333");
  EXPECT_EQ(image->region().code(), "us-east-1");
  EXPECT_EQ(image->name(), "web-2024.01");
  EXPECT_EQ(image->description(), "web tier");
  EXPECT_EQ(image->creation_time(), Jan15());
  EXPECT_EQ(image->state(), ImageState::kAvailable);
  EXPECT_TRUE(image->is_public());
  EXPECT_EQ(image->launch_permissions().entity_count(), 0u);
  EXPECT_EQ(image->boot_mode(), BootMode::kUefiPreferred);
  EXPECT_TRUE(image->ena_support());
  EXPECT_TRUE(image->imds_v2_required());
  EXPECT_EQ(image->deprecation_time(),
            absl::FromCivil(absl::CivilSecond(2026, 1, 15, 10, 20, 0), absl::UTCTimeZone()));
  EXPECT_EQ(image->tags().Find("Name"), "web");
  EXPECT_EQ(image->consistency(), ImageConsistency::kUnknown);
  ASSERT_EQ(image->block_device_mappings().size(), 2u);
  const BlockDeviceMapping& root = image->block_device_mappings()[0];
  ASSERT_TRUE(root.ebs.has_value());
  EXPECT_TRUE(root.ebs->encrypted);
  EXPECT_FALSE(root.ebs->kms_key.has_value());
  EXPECT_EQ(root.ebs->snapshot_id->ToString(), "snap-0123456789abcdef0");
  EXPECT_EQ(root.ebs->volume_size_gib, 8u);
  EXPECT_EQ(root.ebs->volume_type, VolumeType::kGp3);
  EXPECT_TRUE(root.ebs->delete_on_termination);
  EXPECT_EQ(image->block_device_mappings()[1].virtual_name, "ephemeral0");
  EXPECT_TRUE(image->encrypted());
}

TEST(AwsTime, FormatsWithMilliseconds) {
  EXPECT_EQ(FormatAwsTime(Jan15()), "2024-01-15T10:20:30.000Z");
  EXPECT_EQ(FormatAwsTime(Jan15() + absl::Milliseconds(120)), "2024-01-15T10:20:30.120Z");
  EXPECT_EQ(FormatAwsTime(Jan15() + absl::Microseconds(1500)), "2024-01-15T10:20:30.0015Z");
}

TEST(AwsTime, ParsesZuluAndZeroOffset) {
  EXPECT_EQ(ParseAwsTime("2024-01-15T10:20:30.000Z").value_or(absl::InfinitePast()), Jan15());
  EXPECT_EQ(ParseAwsTime("2024-01-15T10:20:30Z").value_or(absl::InfinitePast()), Jan15());
  EXPECT_EQ(ParseAwsTime("2024-01-15T10:20:30+00:00").value_or(absl::InfinitePast()), Jan15());
  EXPECT_EQ(ParseAwsTime("2024-01-15T12:20:30.000+02:00").value_or(absl::InfinitePast()), Jan15());
}

TEST(AwsTime, FormatParsesBack) {
  for (const absl::Time t : {Jan15(), Jan15() + absl::Nanoseconds(1), absl::UnixEpoch(),
                             absl::FromUnixSeconds(-86400) + absl::Milliseconds(7)}) {
    absl::StatusOr<absl::Time> back = ParseAwsTime(FormatAwsTime(t));
    ASSERT_THAT(back, IsOk()) << FormatAwsTime(t);
    EXPECT_EQ(*back, t) << FormatAwsTime(t);
  }
}

TEST(AwsTime, GarbageIsInvalidParameterValue) {
  for (const char* text : {"", "yesterday", "2024-01-15", "2024-01-15T10:20:30",
                           "2024-13-01T00:00:00Z", "2024-01-15T25:00:00Z", "1705314030"}) {
    EXPECT_THAT(ParseAwsTime(text), HasErrorCode(ErrorCode::kInvalidParameterValue)) << text;
  }
}

TEST(AwsTime, OffsetsWithoutColonAndSpacesAreRejected) {
  EXPECT_THAT(ParseAwsTime("2024-01-15T10:20:30.000+0000"), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(ParseAwsTime(" 2024-01-15T10:20:30Z"), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(ParseAwsTime("2024-01-15T10:20:30Z "), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(ParseAwsTime("2024-01-15T10:20:30-05:00"), IsOk());
}

}  // namespace
}  // namespace ami
