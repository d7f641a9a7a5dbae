// Tests for what the AWS CLI prints in practice: a byte-order mark, AWS CLI v1's epoch-second
// timestamps, overlapping files (MC-73), --query'd bare lists, the imported clock (MC-74), JSON
// paths in decode errors, file errors from errno, and libami's JSON read back by the importer.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ami/ami.h"
#include "ami/io/aws_import.h"
#include "ami/io/proto.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ami/v1/aws_cli.pb.h"
#include "io/file_util.h"
#include "io/json_check.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::ami::testing::MessageHas;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSelf[] = "111122223333";
constexpr char kBom[] = "\xEF\xBB\xBF";
constexpr char kKeyArn[] =
    "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

absl::Time Utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone());
}

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(AMI_SOURCE_DIR) + "/tests/fixtures/aws/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

AwsCliFile Inline(std::string name, std::string json, absl::string_view region = "us-east-1") {
  AwsCliFile f;
  f.name = std::move(name);
  f.json = std::move(json);
  f.account = *AccountId::Parse(kSelf);
  f.region = *Region::Parse(region);
  return f;
}

template <typename T>
std::string Msg(const absl::StatusOr<T>& result) {
  return std::string(result.status().message());
}

// One snapshot and one image of it, as list elements; `image_extra` and `snapshot_extra` are
// spliced into the objects.
std::string SnapshotRecord(absl::string_view extra = "") {
  return absl::StrCat(R"({"SnapshotId": "snap-0a1b2c3d4e5f60718", "VolumeSize": 8,
      "StartTime": "2024-01-01T00:00:00.000Z")", extra, "}");
}
std::string ImageRecord(absl::string_view extra = "") {
  return absl::StrCat(R"({"ImageId": "ami-0a1b2c3d4e5f60718", "Name": "web",
      "RootDeviceName": "/dev/xvda", "CreationDate": "2024-01-01T00:05:00.000Z",
      "BlockDeviceMappings": [{"DeviceName": "/dev/xvda",
        "Ebs": {"SnapshotId": "snap-0a1b2c3d4e5f60718", "VolumeSize": 8}}])",
                      extra, "}");
}
std::string InstanceRecord(absl::string_view launch = R"("2024-01-02T00:00:00.000Z")",
                           absl::string_view id = "i-0a1b2c3d4e5f60718") {
  return absl::StrCat(R"({"InstanceId": ")", id, R"(", "ImageId": "ami-0a1b2c3d4e5f60718",
      "InstanceType": "t3.micro", "State": {"Code": 16, "Name": "running"},
      "Placement": {"AvailabilityZone": "us-east-1a"}, "LaunchTime": )",
                      launch, "}");
}
std::string KeyDocument(absl::string_view extra = "") {
  return absl::StrCat(R"({"KeyMetadata": {"Arn": ")", kKeyArn,
                      R"(", "KeyManager": "CUSTOMER", "KeyState": "Enabled",
      "CreationDate": "2023-06-01T00:00:00.000Z")",
                      extra, "}}");
}

std::vector<AwsCliFile> Basic() {
  return {Inline("snapshots.json", absl::StrCat(R"({"Snapshots": [)", SnapshotRecord(), "]}")),
          Inline("images.json", absl::StrCat(R"({"Images": [)", ImageRecord(), "]}"))};
}

// ---- A byte-order mark ----------------------------------------------------------------------

TEST(AwsImportRobust, ByteOrderMarkIsSkipped) {
  std::vector<AwsCliFile> files = Basic();
  for (AwsCliFile& f : files) f.json = kBom + f.json;
  const auto cloud = ImportAwsCli(files);
  ASSERT_THAT(cloud, IsOk());
  EXPECT_TRUE((*cloud)->StateEquals(**ImportAwsCli(Basic())));
  EXPECT_EQ(DetectAwsCliKind(kBom + ReadFixture("describe-images.json")).value_or(""),
            "describe-images");
}

TEST(AwsImportRobust, ByteOrderMarkOnlyAtTheStart) {
  std::vector<AwsCliFile> files = Basic();
  files[1].json = " " + std::string(kBom) + files[1].json;
  EXPECT_THAT(ImportAwsCli(files), HasErrorCode(ErrorCode::kSerializationException));
}

TEST(AwsImportRobust, ReadAwsCliJsonKeepsTheMarkForTheImport) {
  const std::string path = ::testing::TempDir() + "/bom-images.json";
  std::ofstream(path) << kBom << R"({"Images": []})";
  const auto json = ReadAwsCliJson(path);
  ASSERT_THAT(json, IsOk());
  EXPECT_THAT(ImportAwsCli({Inline(path, *json)}), IsOk());
}

// ---- AWS CLI v1 timestamps ------------------------------------------------------------------

struct EpochCase {
  const char* json;
  absl::Time want;
};

class EpochSecondsTest : public ::testing::TestWithParam<EpochCase> {};

TEST_P(EpochSecondsTest, AreReadAsTimesWherever) {
  const std::string n = GetParam().json;
  const auto cloud = ImportAwsCli(
      {Inline("snapshots.json",
              absl::StrCat(R"({"Snapshots": [{"SnapshotId": "snap-0a1b2c3d4e5f60718",
                  "VolumeSize": 8, "StartTime": )", n, "}]}")),
       Inline("images.json", absl::StrCat(R"({"Images": [)",
                                          ImageRecord(absl::StrCat(R"(, "DeprecationTime": )", n,
                                                                   R"(, "LastLaunchedTime": )", n)),
                                          "]}")),
       Inline("instances.json",
              absl::StrCat(R"({"Reservations": [{"Instances": [)", InstanceRecord(n), "]}]}")),
       Inline("key.json",
              absl::StrCat(R"({"KeyMetadata": {"Arn": ")", kKeyArn,
                           R"(", "KeyManager": "CUSTOMER", "KeyState": "PendingDeletion",
                             "CreationDate": )", n, R"(, "DeletionDate": )", n, "}}"))});
  ASSERT_THAT(cloud, IsOk());
  const absl::Time want = GetParam().want;
  EXPECT_EQ((*cloud)->ListSnapshots().at(0).start_time(), want);
  const Image image = (*cloud)->ListImages().at(0);
  EXPECT_EQ(image.deprecation_time(), want);
  EXPECT_EQ(image.last_launched_time(), want);
  EXPECT_EQ((*cloud)->ListInstances().at(0).launch_time(), want);
  const KmsKey key = *(*cloud)->GetKey(*KmsKeyArn::Parse(kKeyArn));
  EXPECT_EQ(key.creation_time(), want);
  EXPECT_EQ(key.deletion_time(), want);
}

// libami's own RebootCount and LastRebootTime (CREATE-4) read back, the time in either form,
// and observed by the clock (MC-74).
TEST(AwsImportRobust, CREATE_4_RebootFieldsAreReadBackAndTheClockSeesThem) {
  for (const char* when : {R"("2024-01-05T00:00:00.000Z")", "1704412800"}) {
    const auto cloud = ImportAwsCli(
        {Basic()[0], Basic()[1],
         Inline("instances.json",
                absl::StrCat(R"({"Reservations": [{"Instances": [)",
                             InstanceRecord(absl::StrCat(R"("2024-01-02T00:00:00.000Z",
                                 "RebootCount": 2, "LastRebootTime": )", when)),
                             "]}]}"))});
    ASSERT_THAT(cloud, IsOk()) << when;
    const Instance instance = (*cloud)->ListInstances().at(0);
    EXPECT_EQ(instance.reboot_count(), 2u);
    EXPECT_EQ(instance.last_reboot_time(), Utc(2024, 1, 5));
    EXPECT_EQ((*cloud)->Now(), Utc(2024, 1, 5));
  }
  const auto alone = ImportAwsCli(
      {Basic()[0], Basic()[1],
       Inline("instances.json",
              absl::StrCat(R"({"Reservations": [{"Instances": [)",
                           InstanceRecord(R"("2024-01-02T00:00:00.000Z", "RebootCount": 2)"),
                           "]}]}"))});
  EXPECT_THAT(alone, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(Msg(alone), HasSubstr("a reboot count and a last reboot time come together"));
}

INSTANTIATE_TEST_SUITE_P(
    Numbers, EpochSecondsTest,
    ::testing::Values(EpochCase{"1700000000", absl::FromUnixSeconds(1700000000)},
                      EpochCase{"1700000000.123", absl::FromUnixMillis(1700000000123)},
                      EpochCase{"1.7e9", absl::FromUnixSeconds(1700000000)},
                      EpochCase{"1.7E+9", absl::FromUnixSeconds(1700000000)},
                      EpochCase{"\"2023-11-14T22:13:20.000Z\"", absl::FromUnixSeconds(1700000000)}));

class BadEpochTest : public ::testing::TestWithParam<const char*> {};

TEST_P(BadEpochTest, IsRefusedWithItsPath) {
  const auto cloud = ImportAwsCli(
      {Inline("images.json",
              absl::StrCat(R"({"Images": [{"ImageId": "ami-0a1b2c3d4e5f60718", "CreationDate": )",
                           GetParam(), "}]}"))});
  EXPECT_THAT(cloud, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(Msg(cloud), HasSubstr(absl::StrCat("images.json: Images[0].CreationDate: invalid time `",
                                                 GetParam(), "`")));
}

INSTANTIATE_TEST_SUITE_P(Numbers, BadEpochTest,
                         ::testing::Values("-1", "-0", "1e12", "253402300800", "NaN", "Infinity",
                                           "-Infinity"));

TEST(AwsImportRobust, LastEpochSecondIsAccepted) {
  const auto key = FromJson<KmsKey>(
      absl::StrCat(R"({"Arn": ")", kKeyArn, R"(", "CreationDate": 253402300799})"));
  ASSERT_THAT(key, IsOk());
  EXPECT_EQ(key->creation_time(), Utc(9999, 12, 31, 23, 59, 59));
}

TEST(AwsImportRobust, KmsKeyDecodeErrorsNameTheKeyMetadataPath) {
  const auto bad = ImportAwsCli({Inline("key.json", KeyDocument(R"(, "DeletionDate": -3)"))});
  EXPECT_THAT(bad, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(Msg(bad), HasSubstr("key.json: KeyMetadata.DeletionDate: invalid time `-3`"));
  const auto object =
      ImportAwsCli({Inline("key.json", KeyDocument(R"(, "DeletionDate": {"at": 1})"))});
  EXPECT_THAT(object, HasErrorCode(ErrorCode::kSerializationException));
  EXPECT_THAT(Msg(object), HasSubstr("KeyMetadata.DeletionDate: expected a time"));
}

// ---- JSON paths as AWS names fields ---------------------------------------------------------

struct PathCase {
  const char* extra;  // spliced into the image record
  const char* message;
};

class JsonPathTest : public ::testing::TestWithParam<PathCase> {};

TEST_P(JsonPathTest, DecodeErrorsUseAwsFieldNames) {
  const auto cloud = ImportAwsCli(
      {Inline("images.json", absl::StrCat(R"({"Images": [)", ImageRecord(GetParam().extra), "]}"))});
  EXPECT_THAT(cloud, Not(IsOk()));
  EXPECT_THAT(Msg(cloud), HasSubstr(GetParam().message));
  EXPECT_THAT(Msg(cloud), Not(HasSubstr("block_device_mappings")));
  EXPECT_THAT(Msg(cloud), Not(HasSubstr("images[")));
}

INSTANTIATE_TEST_SUITE_P(
    Values, JsonPathTest,
    ::testing::Values(
        PathCase{R"(, "Tags": {"Key": "a"})", "Images[0].Tags: expected a list, not an object"},
        PathCase{R"(, "StateReason": 5)", "Images[0].StateReason: expected an object, not `5`"},
        PathCase{R"(, "Description": 12)", "Images[0].Description: expected a string, not `12`"},
        PathCase{R"(, "ProductCodes": [7])", "Images[0].ProductCodes[0]: expected an object"},
        PathCase{R"(, "BlockDeviceMappings": [{"Ebs": {"VolumeSize": 8.5}}])",
                 "Images[0].BlockDeviceMappings[0].Ebs.VolumeSize: expected a whole number"},
        PathCase{R"(, "BlockDeviceMappings": [{"Ebs": {"VolumeSize": 99999999999}}])",
                 "Images[0].BlockDeviceMappings[0].Ebs.VolumeSize: expected a whole number"},
        PathCase{R"(, "BlockDeviceMappings": [{"Ebs": {"VolumeSize": "eight"}}])",
                 "Images[0].BlockDeviceMappings[0].Ebs.VolumeSize: expected a whole number"}));

TEST(AwsImportRobust, QuotedWholeNumbersStillDecode) {
  const auto cloud = ImportAwsCli(
      {Inline("snapshots.json",
              absl::StrCat(R"({"Snapshots": [)", SnapshotRecord(R"(, "VolumeSize": "8")"), "]}"))});
  // A repeated key: protobuf keeps the last, "8".
  ASSERT_THAT(cloud, IsOk());
  EXPECT_EQ((*cloud)->ListSnapshots().at(0).volume_size_gib(), 8u);
}

TEST(AwsImportRobust, ProtoPathsAreRewrittenToJsonNames) {
  const auto* d = v1::DescribeImagesOutput::descriptor();
  EXPECT_EQ(json_check::WithJsonPath(
                d, "(images[0].block_device_mappings[1].ebs.volume_size): invalid value"),
            "Images[0].BlockDeviceMappings[1].Ebs.VolumeSize: invalid value");
  EXPECT_EQ(json_check::WithJsonPath(d, "(nothing_here): x"), "(nothing_here): x");
  EXPECT_EQ(json_check::WithJsonPath(d, "no path"), "no path");
}

TEST(AwsImportRobust, EveryTimeFieldTakesEpochSeconds) {
  // Each string field named like a time is a timestamp field, so none is missed.
  for (const auto* d : {v1::KmsKey::descriptor(), v1::Snapshot::descriptor(),
                        v1::Image::descriptor(), v1::Instance::descriptor()}) {
    for (int i = 0; i < d->field_count(); ++i) {
      const std::string& name = d->field(i)->json_name();
      const bool named = absl::EndsWith(name, "Date") || absl::EndsWith(name, "Time");
      EXPECT_EQ(json_check::IsTimeField(d->field(i)), named) << d->field(i)->full_name();
    }
  }
}

// ---- Overlapping files (MC-73) ---------------------------------------------------------------

TEST(AwsImportRobust, RepeatedRecordsImportOnce) {
  std::vector<AwsCliFile> files = Basic();
  files.push_back(Inline("key.json", KeyDocument()));
  files.push_back(Inline("instances.json", absl::StrCat(R"({"Reservations": [{"Instances": [)",
                                                        InstanceRecord(), "]}]}")));
  const auto once = ImportAwsCli(files);
  ASSERT_THAT(once, IsOk());
  std::vector<AwsCliFile> twice = files;
  for (const AwsCliFile& f : files) {
    twice.push_back(f);
    twice.back().name = "again-" + f.name;
  }
  // The same snapshot in a --query'd list.
  twice.push_back(Inline("snapshots-list.json", absl::StrCat("[", SnapshotRecord(), "]")));
  const auto cloud = ImportAwsCli(twice);
  ASSERT_THAT(cloud, IsOk());
  EXPECT_TRUE((*cloud)->StateEquals(**once));
  EXPECT_EQ((*cloud)->ListInstances().size(), 1u);
  EXPECT_EQ((*cloud)->ListKeys().size(), 1u);
}

struct ConflictCase {
  const char* what;
  std::string first;
  std::string second;
  const char* message;
};

class ConflictTest : public ::testing::TestWithParam<ConflictCase> {};

TEST_P(ConflictTest, DifferingRepeatsNameBothFilesAndTheId) {
  std::vector<AwsCliFile> files = Basic();
  files.push_back(Inline("a.json", GetParam().first));
  files.push_back(Inline("b.json", GetParam().second));
  const auto cloud = ImportAwsCli(files);
  EXPECT_THAT(cloud, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(Msg(cloud), HasSubstr(GetParam().message)) << GetParam().what;
}

INSTANTIATE_TEST_SUITE_P(
    Records, ConflictTest,
    ::testing::Values(
        ConflictCase{"snapshot", absl::StrCat(R"({"Snapshots": [)", SnapshotRecord(), "]}"),
                     absl::StrCat(R"({"Snapshots": [)",
                                  SnapshotRecord(R"(, "Description": "changed")"), "]}"),
                     "b.json: Snapshots[0]: snapshot `snap-0a1b2c3d4e5f60718` differs from the "
                     "one in `snapshots.json` at Snapshots[0]"},
        ConflictCase{"image", absl::StrCat("[", ImageRecord(), "]"),
                     absl::StrCat("[", ImageRecord(R"(, "Description": "changed")"), "]"),
                     "b.json: [0]: image `ami-0a1b2c3d4e5f60718` differs from the one in "
                     "`images.json` at Images[0]"},
        ConflictCase{"instance",
                     absl::StrCat(R"({"Reservations": [{"Instances": [)", InstanceRecord(),
                                  "]}]}"),
                     absl::StrCat("[", InstanceRecord(R"("2024-01-03T00:00:00.000Z")"), "]"),
                     "b.json: [0]: instance `i-0a1b2c3d4e5f60718` differs from the one in "
                     "`a.json` at Reservations[0].Instances[0]"},
        ConflictCase{"key", KeyDocument(), KeyDocument(R"(, "Description": "changed")"),
                     "b.json: KeyMetadata: kms key `arn:aws:kms:us-east-1:111122223333:key/"
                     "1234abcd-12ab-34cd-56ef-1234567890ab` differs from the one in `a.json`"}));

// ---- Several accounts' views of one image or snapshot (SHARE-13, MC-73) ----------------------

constexpr char kOther[] = "444455556666";
constexpr char kImage[] = "ami-0a1b2c3d4e5f60718";

AwsCliFile AsOther(AwsCliFile f) {
  f.account = *AccountId::Parse(kOther);
  return f;
}
std::string OwnedImage(absl::string_view tags, absl::string_view extra = "") {
  return absl::StrCat(R"({"Images": [)",
                      ImageRecord(absl::StrCat(R"(, "OwnerId": "111122223333", "Tags": )", tags, extra)),
                      "]}");
}
std::string OwnedSnapshot(absl::string_view tags) {
  return absl::StrCat(R"({"Snapshots": [)",
                      SnapshotRecord(absl::StrCat(R"(, "OwnerId": "111122223333", "Tags": )", tags)),
                      "]}");
}
// The owner's describe-image-attribute: the image is shared with the other account.
AwsCliFile SharedWithOther() {
  return Inline("attribute.json", absl::StrCat(R"({"ImageId": ")", kImage,
                                               R"(", "LaunchPermissions": [{"UserId": ")", kOther,
                                               R"("}]})"));
}
std::vector<Tag> TagsOf(const Cloud& cloud, absl::string_view viewer, const std::string& id) {
  const absl::StatusOr<TagSet> tags = cloud.GetTags(*AccountId::Parse(viewer), id);
  if (!tags.ok()) return {Tag::Create("error", std::string(tags.status().message())).value()};
  return tags->tags();
}

TEST(AwsImportRobust, SHARE_13_AnotherAccountsViewGivesItsOwnTagsNotTheOwners) {
  for (const bool other_first : {true, false}) {
    const AwsCliFile owner = Inline("owner.json", OwnedImage(R"([{"Key": "approved", "Value": "true"}])"));
    const AwsCliFile other =
        AsOther(Inline("other.json", OwnedImage(R"([{"Key": "team", "Value": "app"}])")));
    std::vector<AwsCliFile> files = {Basic()[0]};
    if (other_first) files.push_back(other);
    files.push_back(owner);
    if (!other_first) files.push_back(other);
    files.push_back(SharedWithOther());
    const auto cloud = ImportAwsCli(files);
    ASSERT_THAT(cloud, IsOk()) << other_first;
    EXPECT_THAT(TagsOf(**cloud, kSelf, kImage),
                ::testing::ElementsAre(*Tag::Create("approved", "true")));
    EXPECT_THAT(TagsOf(**cloud, kOther, kImage), ::testing::ElementsAre(*Tag::Create("team", "app")));
  }
}

TEST(AwsImportRobust, SHARE_13_AnImageOnlyAnotherAccountDescribedHasNoOwnerTags) {
  const auto cloud = ImportAwsCli(
      {AsOther(Inline("other.json", OwnedImage(R"([{"Key": "approved", "Value": "true"}])"))),
       SharedWithOther()});
  ASSERT_THAT(cloud, IsOk());
  // The other account's tags are its own: the owner's are unknown, so none are assumed.
  EXPECT_TRUE((*cloud)->GetImage(*ImageId::Parse(kImage))->tags().empty());
  EXPECT_THAT(TagsOf(**cloud, kOther, kImage),
              ::testing::ElementsAre(*Tag::Create("approved", "true")));
}

TEST(AwsImportRobust, MC_73_ViewsOfOneImageThatDisagreeBeyondTagsAreRefused) {
  const auto cloud = ImportAwsCli(
      {Basic()[0], Inline("owner.json", OwnedImage("[]")),
       AsOther(Inline("other.json", OwnedImage("[]", R"(, "Description": "changed")")))});
  EXPECT_THAT(cloud, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(Msg(cloud), HasSubstr("other.json: Images[0]: image `ami-0a1b2c3d4e5f60718` differs "
                                    "from the one in `owner.json`"));
}

TEST(AwsImportRobust, SHARE_13_AnotherAccountsViewOfASnapshotGivesItsOwnTags) {
  const auto cloud = ImportAwsCli(
      {AsOther(Inline("other-snapshots.json", OwnedSnapshot(R"([{"Key": "b", "Value": "2"}])"))),
       Inline("snapshots.json", OwnedSnapshot(R"([{"Key": "a", "Value": "1"}])"))});
  ASSERT_THAT(cloud, IsOk());
  EXPECT_THAT((*cloud)->GetSnapshot(*SnapshotId::Parse("snap-0a1b2c3d4e5f60718"))->tags().tags(),
              ::testing::ElementsAre(*Tag::Create("a", "1")));
}

TEST(AwsImportRobust, ImportForeignTagsRefusesTheOwnerAndAResourceNotHeld) {
  const auto cloud = ImportAwsCli(Basic());
  ASSERT_THAT(cloud, IsOk());
  const TagSet tags = *TagSet::Create({*Tag::Create("k", "v")});
  const ImageId image = *ImageId::Parse(kImage);
  EXPECT_THAT((*cloud)->ImportForeignTags(*AccountId::Parse(kSelf), image, tags),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT((*cloud)->ImportForeignTags(*AccountId::Parse(kOther), *ImageId::Parse("ami-0fffffffffffffff0"), tags),
              HasErrorCode(ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_THAT((*cloud)->ImportForeignTags(*AccountId::Parse(kOther), image, tags), IsOk());
}

TEST(AwsImportRobust, TheSameImageInTwoRegionsIsAConflict) {
  std::vector<AwsCliFile> files = Basic();
  files.push_back(Inline("images-west.json", files[1].json, "us-west-2"));
  const auto cloud = ImportAwsCli(files);
  EXPECT_THAT(cloud, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(Msg(cloud), HasSubstr("images-west.json: Images[0]: image `ami-0a1b2c3d4e5f60718` "
                                    "differs from the one in `images.json`"));
}

// ---- --query'd bare lists -------------------------------------------------------------------

TEST(AwsImportRobust, BareListsAreReadByTheirElements) {
  const auto cloud = ImportAwsCli(
      {Inline("snaps.json", absl::StrCat("[", SnapshotRecord(), "]")),
       Inline("images.json", absl::StrCat(" \n[", ImageRecord(), "]\n")),
       Inline("instances.json",
              absl::StrCat("[", InstanceRecord(), ",",
                           InstanceRecord(R"("2024-01-02T00:00:00.000Z")", "i-0b1c2d3e4f5a60718"),
                           "]")),
       Inline("reservations.json",
              absl::StrCat(R"([{"OwnerId": "444455556666", "Instances": [)",
                           InstanceRecord(R"("2024-01-02T00:00:00.000Z")", "i-0c1d2e3f4a5b60718"),
                           "]}]"))});
  ASSERT_THAT(cloud, IsOk());
  EXPECT_EQ((*cloud)->ListSnapshots().size(), 1u);
  EXPECT_EQ((*cloud)->ListImages().size(), 1u);
  ASSERT_EQ((*cloud)->ListInstances().size(), 3u);
  EXPECT_EQ((*cloud)->ListInstances()[0].owner().ToString(), kSelf);
  EXPECT_EQ((*cloud)->ListInstances()[2].owner().ToString(), "444455556666");
}

TEST(AwsImportRobust, DetectNamesTheKindOfABareList) {
  EXPECT_EQ(DetectAwsCliKind(absl::StrCat("[", ImageRecord(), "]")).value_or(""),
            "describe-images");
  EXPECT_EQ(DetectAwsCliKind(absl::StrCat("[", SnapshotRecord(), "]")).value_or(""),
            "describe-snapshots");
  EXPECT_EQ(DetectAwsCliKind(absl::StrCat("[", InstanceRecord(), "]")).value_or(""),
            "describe-instances");
  EXPECT_EQ(DetectAwsCliKind(R"([{"Instances": []}])").value_or(""), "describe-instances");
  EXPECT_EQ(DetectAwsCliKind("[]").value_or(""), "empty-list");
}

TEST(AwsImportRobust, AnEmptyListHoldsNothing) {
  const auto cloud = ImportAwsCli({Inline("none.json", " [ ] ")});
  ASSERT_THAT(cloud, IsOk());
  EXPECT_TRUE((*cloud)->ListImages().empty());
}

TEST(AwsImportRobust, AnUnknownListIsRefusedNamingTheFile) {
  const auto volumes = ImportAwsCli({Inline("volumes.json", R"([{"VolumeId": "vol-1"}])")});
  EXPECT_THAT(volumes, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(Msg(volumes), HasSubstr("volumes.json: not a known aws cli output: a list whose "
                                      "first element is no image, snapshot, instance or "
                                      "reservation (keys `VolumeId`)"));
  const auto numbers = ImportAwsCli({Inline("ids.json", R"(["ami-0a1b2c3d4e5f60718"])")});
  EXPECT_THAT(numbers, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(Msg(numbers), HasSubstr("ids.json: not a known aws cli output"));
}

TEST(AwsImportRobust, ErrorsInABareListStartAtTheElement) {
  const auto bad_id = ImportAwsCli(
      {Inline("images.json", absl::StrCat("[", ImageRecord(), R"(, {"ImageId": "ami-x"}])"))});
  EXPECT_THAT(bad_id, HasErrorCode(ErrorCode::kInvalidAMIIDMalformed));
  EXPECT_THAT(Msg(bad_id), HasSubstr("images.json: [1].ImageId: "));
  const auto not_object =
      ImportAwsCli({Inline("images.json", absl::StrCat("[", ImageRecord(), ", 7]"))});
  EXPECT_THAT(not_object, HasErrorCode(ErrorCode::kSerializationException));
  EXPECT_THAT(Msg(not_object), HasSubstr("images.json: [1]: cannot decode describe-images "
                                         "output: expected a json object"));
}

TEST(AwsImportRobust, AGrantListedTwiceIsKeptOnceAndADifferingOneRefused) {
  const std::string grants = absl::StrCat(R"({"Grants": [{"KeyId": ")", kKeyArn,
                                          R"(", "GrantId": "g1", "GranteePrincipal": "444455556666",
      "Operations": ["Decrypt"]}]})");
  const auto once = ImportAwsCli({Inline("key.json", KeyDocument()), Inline("g.json", grants)});
  ASSERT_THAT(once, IsOk());
  const auto twice = ImportAwsCli({Inline("key.json", KeyDocument()), Inline("g.json", grants),
                                   Inline("g2.json", grants)});
  ASSERT_THAT(twice, IsOk());
  EXPECT_TRUE((*twice)->StateEquals(**once));
  std::string other = grants;
  other.replace(other.find("Decrypt"), 7, "Encrypt");
  const auto differ = ImportAwsCli({Inline("key.json", KeyDocument()), Inline("g.json", grants),
                                    Inline("g2.json", other)});
  EXPECT_THAT(differ, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(Msg(differ), HasSubstr("g2.json: Grants[0]: grant `g1` differs from the one in `g.json`"));
}

TEST(AwsImportRobust, ASettingReadTwiceMustAgree) {
  const auto same = ImportAwsCli({Inline("a.json", R"({"EbsEncryptionByDefault": true})"),
                                  Inline("b.json", R"({"EbsEncryptionByDefault": true})")});
  EXPECT_THAT(same, IsOk());
  const auto differ = ImportAwsCli({Inline("a.json", R"({"EbsEncryptionByDefault": true})"),
                                    Inline("b.json", R"({"EbsEncryptionByDefault": false})")});
  EXPECT_THAT(differ, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(Msg(differ), HasSubstr("b.json: EbsEncryptionByDefault: ebs encryption by default "
                                     "of account `111122223333` in us-east-1 differs from the one "
                                     "in `a.json`"));
  // Another Region is another setting.
  EXPECT_THAT(ImportAwsCli({Inline("a.json", R"({"EbsEncryptionByDefault": true})"),
                            Inline("b.json", R"({"EbsEncryptionByDefault": false})", "eu-west-1")}),
              IsOk());
  const auto access = ImportAwsCli(
      {Inline("a.json", R"({"ImageBlockPublicAccessState": "unblocked"})"),
       Inline("b.json", R"({"ImageBlockPublicAccessState": "block-new-sharing"})")});
  EXPECT_THAT(Msg(access), HasSubstr("b.json: ImageBlockPublicAccessState: image block public "
                                     "access of account `111122223333` in us-east-1 differs"));
}

TEST(AwsImportRobust, AKeyPolicyReadTwiceMustAgree) {
  const std::string policy = R"({"PolicyName": "default", "Policy": "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}, \"Action\": \"kms:*\", \"Resource\": \"*\"}]}"})";
  std::string other = policy;
  other.replace(other.find("kms:*"), 5, "kms:Decrypt");
  const auto same = ImportAwsCli({Inline("key.json", KeyDocument()), Inline("p.json", policy),
                                  Inline("p2.json", policy)});
  EXPECT_THAT(same, IsOk());
  const auto differ = ImportAwsCli({Inline("key.json", KeyDocument()), Inline("p.json", policy),
                                    Inline("p2.json", other)});
  EXPECT_THAT(differ, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(Msg(differ), HasSubstr(absl::StrCat("p2.json: Policy: the policy of kms key `",
                                                  kKeyArn, "` differs from the one in `p.json`")));
}

// ---- The clock (MC-74) ----------------------------------------------------------------------

TEST(AwsImportRobust, TheClockIsTheNewestObservedTime) {
  std::vector<AwsCliFile> files = Basic();
  // A deprecation ahead, a key created earlier: neither moves the clock past the instance.
  files[1].json = absl::StrCat(R"({"Images": [)",
                               ImageRecord(R"(, "DeprecationTime": "2030-01-01T00:00:00.000Z")"),
                               "]}");
  files.push_back(Inline("key.json", KeyDocument()));
  files.push_back(Inline("instances.json", absl::StrCat(R"({"Reservations": [{"Instances": [)",
                                                        InstanceRecord(), "]}]}")));
  const auto cloud = ImportAwsCli(files);
  ASSERT_THAT(cloud, IsOk());
  EXPECT_EQ((*cloud)->Now(), Utc(2024, 1, 2));
  const auto images = ImportAwsCli(Basic());
  ASSERT_THAT(images, IsOk());
  EXPECT_EQ((*images)->Now(), Utc(2024, 1, 1, 0, 5));
}

TEST(AwsImportRobust, DeprecationIsJudgedWhenTheDataWasTaken) {
  std::vector<AwsCliFile> files = Basic();
  files[1].json = absl::StrCat(R"({"Images": [)",
                               ImageRecord(R"(, "DeprecationTime": "2024-06-01T00:00:00.000Z")"),
                               "]}");
  const auto then = ImportAwsCli(files);
  ASSERT_THAT(then, IsOk());
  EXPECT_LT((*then)->Now(), *(*then)->ListImages().at(0).deprecation_time());
  const auto later = ImportAwsCli(files, {}, Utc(2025, 1, 1));
  ASSERT_THAT(later, IsOk());
  EXPECT_EQ((*later)->Now(), Utc(2025, 1, 1));
  EXPECT_GT((*later)->Now(), *(*later)->ListImages().at(0).deprecation_time());
}

TEST(AwsImportRobust, AClockBeforeTheInputsIsRefused) {
  const auto cloud = ImportAwsCli(Basic(), {}, Utc(2024, 1, 1));
  EXPECT_THAT(cloud, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(Msg(cloud), HasSubstr("the clock `2024-01-01T00:00:00.000Z` is earlier than "
                                    "`2024-01-01T00:05:00.000Z`, which images.json: "
                                    "Images[0].CreationDate observed"));
  EXPECT_THAT(ImportAwsCli(Basic(), {}, Utc(2024, 1, 1, 0, 5)), IsOk());
}

// ---- Files that cannot be read --------------------------------------------------------------

TEST(AwsImportRobust, FileErrorsSayWhy) {
  const auto missing = ReadAwsCliJson(::testing::TempDir() + "/no-such.json");
  EXPECT_THAT(missing, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(Msg(missing), HasSubstr("no-such.json`: no such file or directory"));
  EXPECT_THAT(Msg(missing), HasSubstr("cannot open `"));
  const auto folder = ReadAwsCliJson(::testing::TempDir());
  EXPECT_THAT(Msg(folder), HasSubstr("`: is a directory"));
  EXPECT_EQ(file_util::ErrnoText(EACCES), "permission denied");
  const std::string locked = ::testing::TempDir() + "/locked.json";
  std::ofstream(locked) << "{}";
  ASSERT_EQ(chmod(locked.c_str(), 0), 0);
  if (geteuid() != 0) {  // root reads any file
    EXPECT_THAT(Msg(ReadAwsCliJson(locked)), HasSubstr("locked.json`: permission denied"));
  }
}

// ---- libami's own JSON ----------------------------------------------------------------------

TEST(AwsImportRobust, AKeyPrintedByToJsonImportsBack) {
  const auto key = FromJson<KmsKey>(
      absl::StrCat(R"({"Arn": ")", kKeyArn, R"(", "Description": "mine",
          "CreationDate": "2023-06-01T00:00:00.000Z", "Tags": [{"Key": "a", "Value": "b"}]})"));
  ASSERT_THAT(key, IsOk());
  const auto cloud =
      ImportAwsCli({Inline("key.json", absl::StrCat(R"({"KeyMetadata": )", ToJson(*key), "}"))});
  ASSERT_THAT(cloud, IsOk());
  const std::optional<KmsKey> back = (*cloud)->GetKey(key->arn());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(ToJson(*back), ToJson(*key));
}

TEST(AwsImportRobust, FromJsonErrorsUseJsonNames) {
  const auto tags = FromJson<Image>(R"({"Tags": [{"Key": "a", "Value": ["b"]}]})");
  EXPECT_THAT(tags, HasErrorCode(ErrorCode::kSerializationException));
  EXPECT_THAT(Msg(tags), HasSubstr("Tags[0].Value: expected a string, not a list"));
  const auto size = FromJson<Snapshot>(R"({"VolumeSize": true})");
  EXPECT_THAT(Msg(size), HasSubstr("VolumeSize: expected a whole number, not `true`"));
  const auto time = FromJson<Instance>(R"({"LaunchTime": -1})");
  EXPECT_THAT(time, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(Msg(time), HasSubstr("LaunchTime: invalid time `-1`"));
}

TEST(AwsImportRobust, UnsetTimesAreOmitted) {
  const auto key = FromJson<KmsKey>(absl::StrCat(R"({"Arn": ")", kKeyArn, R"("})"));
  ASSERT_THAT(key, IsOk());
  EXPECT_THAT(ToJson(*key), Not(HasSubstr("CreationDate")));
  EXPECT_THAT(ToJson(*key), Not(HasSubstr("1970")));
  const auto snapshot = FromJson<Snapshot>(
      R"({"SnapshotId": "snap-0a1b2c3d4e5f60718", "OwnerId": "111122223333",
          "Region": "us-east-1", "VolumeSize": 8})");
  ASSERT_THAT(snapshot, IsOk());
  EXPECT_THAT(ToJson(*snapshot), Not(HasSubstr("StartTime")));
  const auto image = FromJson<Image>(absl::StrCat(
      R"({"OwnerId": "111122223333", "Region": "us-east-1", )", ImageRecord().substr(1)));
  ASSERT_THAT(image, IsOk());
  EXPECT_THAT(ToJson(*image), HasSubstr(R"("CreationDate": "2024-01-01T00:05:00.000Z")"));
  EXPECT_THAT(ToJson(*image), Not(HasSubstr("DeprecationTime")));
  const Image unset = *image->ToBuilder().set_creation_time(absl::UnixEpoch()).Build();
  EXPECT_THAT(ToJson(unset), Not(HasSubstr("CreationDate")));
  EXPECT_TRUE(*FromJson<Image>(ToJson(unset)) == unset);
}

}  // namespace
}  // namespace ami
