// Every documented input bound (README "Limits", ami/errors.h): input at the bound is accepted
// (or fails for another reason than size), one past it is a clear error with its code — never an
// out-of-memory.
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "ami/ami.h"
#include "ami/io/aws_import.h"
#include "ami/cloud.h"
#include "ami/errors.h"
#include "ami/io/proto.h"
#include "ami/requests.h"
#include "ami/io/state_file.h"
#include "ami/tools/scenario.h"
#include "ami/v1/aws_cli.pb.h"
#include "ami/v1/scenario.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/file_util.h"
#include "io/json_check.h"
#include "tests/test_util.h"
#include "values/text_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::ami::testing::MessageHas;
using ::testing::Not;

TEST(Limits, JsonValueLargerThanTheLimitIsRefusedBeforeDecoding) {
  std::string json = "{\"ImageId\": \"ami-12345678\", \"Description\": \"";
  json.append(kMaxJsonValueBytes, 'x');
  json += "\"}";
  EXPECT_THAT(FromJson<Image>(json), HasErrorCode(ErrorCode::kResourceLimitExceeded));
  EXPECT_THAT(FromJson<Image>(json), MessageHas("limit"));
  // At the limit the text is decoded (and here fails for its content, not its size).
  const absl::Status small = FromJson<Image>("{\"ImageId\": \"ami-bad\"}").status();
  EXPECT_FALSE(small.ok());
  EXPECT_NE(GetErrorCode(small), ErrorCode::kResourceLimitExceeded);
}

TEST(Limits, AwsCliFileLargerThanTheLimitIsRefused) {
  AwsCliFile file;
  file.name = "huge.json";
  file.json.assign(kMaxAwsCliFileBytes + 1, ' ');
  EXPECT_THAT(ImportAwsCli({file}, Cloud::Options()),
              HasErrorCode(ErrorCode::kResourceLimitExceeded));
  file.json = "{\"Images\": []}";
  EXPECT_THAT(ImportAwsCli({file}, Cloud::Options()), IsOk());
}

TEST(Limits, ScenarioTextLargerThanTheLimitIsRefused) {
  std::string text = "name: \"big\" description: \"";
  text.append(kMaxScenarioBytes, 'x');
  text += "\"";
  EXPECT_THAT(ParseScenario(text, "big.textproto"), HasErrorCode(ErrorCode::kResourceLimitExceeded));
}

TEST(Limits, ScenarioWithTooManyStepsIsRefused) {
  std::string text = "name: \"many\"\n";
  for (int i = 0; i <= kMaxScenarioSteps; ++i) text += "steps {}\n";
  EXPECT_THAT(ParseScenario(text, "many.textproto"), HasErrorCode(ErrorCode::kResourceLimitExceeded));
  v1::Scenario scenario;
  for (int i = 0; i <= kMaxScenarioSteps; ++i) scenario.add_steps();
  EXPECT_THAT(RunScenario(scenario), HasErrorCode(ErrorCode::kResourceLimitExceeded));
  scenario.mutable_steps()->RemoveLast();
  EXPECT_EQ(scenario.steps_size(), kMaxScenarioSteps);
  EXPECT_THAT(ParseScenario("name: \"few\" steps {}", "few.textproto"), IsOk());
}

TEST(Limits, StateRecordClaimingMoreThanTheLimitIsRefusedWithoutAllocating) {
  // A record size varint of kMaxStateRecordBytes + 1, then nothing.
  uint64_t size = kMaxStateRecordBytes + 1;
  std::string bytes;
  while (size >= 0x80) {
    bytes.push_back(static_cast<char>((size & 0x7F) | 0x80));
    size >>= 7;
  }
  bytes.push_back(static_cast<char>(size));
  std::istringstream in(bytes);
  EXPECT_THAT(LoadState(in), HasErrorCode(ErrorCode::kSerializationException));
}

TEST(Limits, SHARE_9_LaunchPermissionsPerImage) {
  std::vector<AccountId> accounts;
  for (size_t i = 0; i < kMaxLaunchPermissionEntities; ++i) {
    accounts.push_back(AccountId::FromNumber(100000000000 + i));
  }
  EXPECT_THAT(LaunchPermissions::Create(accounts, false, {}, {}), IsOk());
  accounts.push_back(AccountId::FromNumber(999999999999));
  EXPECT_THAT(LaunchPermissions::Create(accounts, false, {}, {}),
              HasErrorCode(ErrorCode::kResourceLimitExceeded));
}

TEST(Limits, UserTagsPerResource) {
  std::vector<Tag> tags;
  for (size_t i = 0; i < kMaxUserTagsPerResource; ++i) {
    tags.push_back(Tag::Create(absl::StrCat("k", i), "v").value());
  }
  EXPECT_THAT(TagSet::Create(tags), IsOk());
  tags.push_back(Tag::Create("one-more", "v").value());
  EXPECT_THAT(TagSet::Create(tags), HasErrorCode(ErrorCode::kTagLimitExceeded));
}

TEST(Limits, DescribeRequestBounds) {
  auto cloud = Cloud::Create();
  const CallContext ctx{AccountId::FromNumber(111122223333), Region::All().front()};
  DescribeImagesRequest ids;
  for (size_t i = 0; i <= kMaxDescribeIds; ++i) {
    ids.image_ids.push_back(ImageId::Long(0x100 + i).ToString());
  }
  EXPECT_THAT(cloud->DescribeImages(ctx, ids), HasErrorCode(ErrorCode::kInvalidParameterValue));
  DescribeImagesRequest filters;
  filters.filters.assign(kMaxFilters + 1, Filter{"name", {"x"}});
  EXPECT_THAT(cloud->DescribeImages(ctx, filters), HasErrorCode(ErrorCode::kInvalidParameterValue));
  filters.filters.assign(kMaxFilters, Filter{"name", {"x"}});
  EXPECT_THAT(cloud->DescribeImages(ctx, filters), IsOk());
  DescribeImagesRequest values;
  values.filters = {Filter{"name", std::vector<std::string>(kMaxFilterValues + 1, "x")}};
  EXPECT_THAT(cloud->DescribeImages(ctx, values), HasErrorCode(ErrorCode::kInvalidParameterValue));
  values.filters = {Filter{"name", std::vector<std::string>(kMaxFilterValues, "x")}};
  EXPECT_THAT(cloud->DescribeImages(ctx, values), IsOk());
  DescribeImagesRequest page;
  page.max_results = kMaxDescribeResults + 1;
  EXPECT_THAT(cloud->DescribeImages(ctx, page), HasErrorCode(ErrorCode::kInvalidParameterValue));
  page.max_results = kMaxDescribeResults;
  EXPECT_THAT(cloud->DescribeImages(ctx, page), IsOk());
}

TEST(Limits, GOV_8_AllowedImagesCriteriaCount) {
  std::vector<ImageCriterion> criteria(kMaxImageCriteria, ImageCriterion{{"amazon"}});
  EXPECT_THAT(ValidateImageCriteria(criteria), IsOk());
  criteria.push_back(ImageCriterion{{"amazon"}});
  EXPECT_THAT(ValidateImageCriteria(criteria), HasErrorCode(ErrorCode::kInvalidParameterValue));
}


// ---- JSON nesting depth (kMaxJsonDepth) -----------------------------------------------------

// An image's JSON with `depth` levels of nesting: the object itself, then arrays under an
// unknown key, which protobuf would skip.
std::string ImageNestedTo(size_t depth) {
  return absl::StrCat(R"({"ImageId": "ami-12345678", "Extra": )", std::string(depth - 1, '['),
                      std::string(depth - 1, ']'), "}");
}

// A describe-key output and a get-key-policy output whose document is padded to `size` bytes.
std::vector<AwsCliFile> KeyWithPolicyOf(size_t size);

// The bare top-level arrays of `depth` levels.
std::string ArraysNestedTo(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(Limits, JsonNestedToTheDepthLimitIsDecoded) {
  const absl::Status at_limit = FromJson<Image>(ImageNestedTo(kMaxJsonDepth)).status();
  EXPECT_NE(GetErrorCode(at_limit), ErrorCode::kResourceLimitExceeded) << at_limit;
  EXPECT_THAT(DetectAwsCliKind(absl::StrCat(R"({"Images": [], "Extra": )",
                                            ArraysNestedTo(kMaxJsonDepth - 1), "}")),
              IsOk());
}

TEST(Limits, JsonNestedPastTheDepthLimitIsRefused) {
  EXPECT_THAT(FromJson<Image>(ImageNestedTo(kMaxJsonDepth + 1)),
              HasErrorCode(ErrorCode::kResourceLimitExceeded));
  EXPECT_THAT(FromJson<Image>(ImageNestedTo(kMaxJsonDepth + 1)), MessageHas("nested more than 64"));
  const std::string too_deep =
      absl::StrCat(R"({"Images": [], "Extra": )", ArraysNestedTo(kMaxJsonDepth), "}");
  EXPECT_THAT(DetectAwsCliKind(too_deep), HasErrorCode(ErrorCode::kResourceLimitExceeded));
  AwsCliFile file;
  file.name = "deep.json";
  file.json = too_deep;
  EXPECT_THAT(ImportAwsCli({file}), HasErrorCode(ErrorCode::kResourceLimitExceeded));
}

TEST(Limits, JsonNestedPastTheDepthLimitInAKeyPolicyIsRefused) {
  std::vector<AwsCliFile> files = KeyWithPolicyOf(200);
  files[1].json = absl::StrCat(R"({"Policy": "{\"Statement\": [], \"Extra\": )",
                               ArraysNestedTo(kMaxJsonDepth), R"(}", "PolicyName": "default"})");
  // The policy language's own bound (16 levels, far above any policy AWS accepts).
  EXPECT_THAT(ImportAwsCli(files), HasErrorCode(ErrorCode::kMalformedPolicyDocument));
  EXPECT_THAT(ImportAwsCli(files), MessageHas("policy.json: Policy: policy document: nested deeper"));
}

TEST(Limits, HundredThousandNestedArraysAreRefused) {
  // 200 KB of text; protobuf alone takes minutes over it.
  const std::string deep = ArraysNestedTo(100000);
  EXPECT_THAT(DetectAwsCliKind(absl::StrCat(R"({"Images": [], "Extra": )", deep, "}")),
              HasErrorCode(ErrorCode::kResourceLimitExceeded));
  EXPECT_THAT(FromJson<Image>(absl::StrCat(R"({"Extra": )", deep, "}")),
              HasErrorCode(ErrorCode::kResourceLimitExceeded));
}

// ---- Memory of decoding (kMaxJsonDecodeFactor) ------------------------------------------------

TEST(Limits, JsonThatWouldDecodeToManyTimesItsSizeIsRefused) {
  // 1 MiB of empty images: each `{},` is three bytes of text and a whole message decoded.
  std::string json = R"({"Images": [)";
  for (size_t i = 0; i < (size_t{1} << 20) / 3; ++i) json += "{},";
  json += "{}]}";
  AwsCliFile file;
  file.name = "empty-images.json";
  file.json = std::move(json);
  EXPECT_THAT(ImportAwsCli({file}), HasErrorCode(ErrorCode::kResourceLimitExceeded));
  EXPECT_THAT(ImportAwsCli({file}), MessageHas("empty-images.json: cannot decode"));
}

TEST(Limits, JsonUnderAnUnknownKeyCostsNothingToDecode) {
  // 4 MiB of numbers that no field takes: read past, not built.
  std::string json = R"({"Images": [], "Unknown": [)";
  for (size_t i = 0; i < (size_t{4} << 20) / 2; ++i) json += "0,";
  json += "0]}";
  AwsCliFile file;
  file.name = "unknown.json";
  file.json = std::move(json);
  EXPECT_THAT(ImportAwsCli({file}), IsOk());
}

// ---- Strict JSON: booleans, NUL, UTF-8 ---------------------------------------------------------

// A describe-images output of one image with `extra` fields.
AwsCliFile ImagesFile(absl::string_view extra) {
  AwsCliFile file;
  file.name = "images.json";
  file.account = AccountId::FromNumber(111122223333);
  file.json = absl::StrCat(R"({"Images": [{"ImageId": "ami-0123456789abcdef0", "Name": "my-image",
    "OwnerId": "111122223333", "RootDeviceName": "/dev/xvda",
    "BlockDeviceMappings": [{"DeviceName": "/dev/xvda",
                             "Ebs": {"SnapshotId": "snap-0123456789abcdef0"}}])",
                           extra, "}]}");
  return file;
}

AwsCliFile SnapshotsFile() {
  AwsCliFile file;
  file.name = "snapshots.json";
  file.account = AccountId::FromNumber(111122223333);
  file.json = R"({"Snapshots": [{"SnapshotId": "snap-0123456789abcdef0", "VolumeSize": 8}]})";
  return file;
}

TEST(HostileInput, BooleanAsAWordOtherThanTrueOrFalseIsRefused) {
  for (const char* value : {R"("yes")", R"("1")", "1", R"("True")", R"("")", "{}"}) {
    const auto cloud = ImportAwsCli({SnapshotsFile(), ImagesFile(absl::StrCat(", \"Public\": ", value))});
    EXPECT_THAT(cloud, HasErrorCode(ErrorCode::kInvalidParameterValue)) << value;
    EXPECT_THAT(cloud, MessageHas("images.json: Images[0].Public: expected true or false")) << value;
  }
  EXPECT_THAT(FromJson<Snapshot>(R"({"SnapshotId": "snap-0123456789abcdef0", "OwnerId": "111122223333",
                                     "Region": "us-east-1", "Encrypted": "no"})"),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(HostileInput, BooleanAsJsonBooleanOrTheStringsTrueAndFalseIsRead) {
  for (const char* value : {"true", R"("true")"}) {
    const auto cloud = ImportAwsCli({SnapshotsFile(), ImagesFile(absl::StrCat(", \"Public\": ", value))});
    ASSERT_THAT(cloud, IsOk()) << value;
    EXPECT_TRUE((*cloud)->GetImage(*ImageId::Parse("ami-0123456789abcdef0"))->is_public());
  }
  for (const char* value : {"false", R"("false")", "null"}) {
    const auto cloud = ImportAwsCli({SnapshotsFile(), ImagesFile(absl::StrCat(", \"Public\": ", value))});
    ASSERT_THAT(cloud, IsOk()) << value;
    EXPECT_FALSE((*cloud)->GetImage(*ImageId::Parse("ami-0123456789abcdef0"))->is_public());
  }
}

TEST(HostileInput, NulInJsonIsSerializationException) {
  const std::string raw = std::string(R"({"ImageId": "ami-0123456789abcdef0", "Description": "a)") +
                          std::string(1, '\0') + "b\"}";
  EXPECT_THAT(FromJson<Image>(raw), HasErrorCode(ErrorCode::kSerializationException));
  EXPECT_THAT(FromJson<Image>(raw), MessageHas("nul"));
  const std::string escaped = R"({"ImageId": "ami-0123456789abcdef0", "Description": "a\u0000b"})";
  EXPECT_THAT(FromJson<Image>(escaped), HasErrorCode(ErrorCode::kSerializationException));
  EXPECT_THAT(ImportAwsCli({SnapshotsFile(), ImagesFile(R"(, "Description": "a\u0000b")")}),
              HasErrorCode(ErrorCode::kSerializationException));
  std::string outside = R"({"Images": []})";
  outside.push_back('\0');
  EXPECT_THAT(DetectAwsCliKind(outside), HasErrorCode(ErrorCode::kSerializationException));
}

// True when every byte of `status`'s message is valid UTF-8 and printable.
bool PrintableUtf8(const absl::Status& status) {
  const std::string message(status.message());
  if (text_util::Utf8Length(message) < 0) return false;
  for (const char c : message) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return true;
}

TEST(HostileInput, InvalidUtf8InJsonIsSerializationExceptionAndNotEchoed) {
  for (const std::string& bad : {std::string("\xff"), std::string("\xc3"), std::string("\xed\xa0\x80"),
                                std::string("\xc0\xaf")}) {
    const std::string json = R"({"ImageId": "ami-0123456789abcdef0", "Name": "x)" + bad + R"("})";
    const absl::Status status = FromJson<Image>(json).status();
    EXPECT_THAT(status, HasErrorCode(ErrorCode::kSerializationException));
    EXPECT_THAT(status, MessageHas("utf-8"));
    EXPECT_TRUE(PrintableUtf8(status)) << status;
    const absl::Status imported =
        ImportAwsCli({SnapshotsFile(), ImagesFile(R"(, "Description": ")" + bad + "\"")}).status();
    EXPECT_THAT(imported, HasErrorCode(ErrorCode::kSerializationException));
    EXPECT_TRUE(PrintableUtf8(imported)) << imported;
  }
  const std::string lone_surrogate = R"({"ImageId": "ami-0123456789abcdef0", "Name": "\ud800"})";
  EXPECT_THAT(FromJson<Image>(lone_surrogate), HasErrorCode(ErrorCode::kSerializationException));
}

TEST(HostileInput, ErrorMessagesNeverEchoInvalidUtf8) {
  for (const std::string& bad : {std::string("ami-\xff\xfe"), std::string("ami-") + std::string(75, 'a') + "\xc3\xa9z"}) {
    const absl::Status status = ImageId::Parse(bad).status();
    ASSERT_FALSE(status.ok());
    EXPECT_TRUE(PrintableUtf8(status)) << status;
  }
}

TEST(HostileInput, NulOrInvalidUtf8InAScenarioIsSerializationException) {
  for (const std::string& bad : {std::string(1, '\0'), std::string("\xff")}) {
    const std::string text = "name: \"x" + bad + "\" steps { check {} }";
    const absl::Status status = ParseScenario(text, "bad.textproto").status();
    EXPECT_THAT(status, HasErrorCode(ErrorCode::kSerializationException));
    EXPECT_TRUE(PrintableUtf8(status)) << status;
  }
}

// ---- What a scenario creates (kMaxScenarioCreatedResources) -----------------------------------

// A scenario that imports an image, then launches 1,000 instances of it in each of `steps` steps.
v1::Scenario Launches(int steps) {
  absl::StatusOr<v1::Scenario> scenario = ParseScenario(R"pb(
    steps { account: "111122223333" add_account {} }
    steps { import_snapshot { snapshot_id: "snap-0a0b0c0d0e0f01234" owner_id: "111122223333"
                              region: "us-east-1" volume_size: 8 } }
    steps { import_image { image_id: "ami-0fedcba9876543210" name: "base" owner_id: "111122223333"
                           region: "us-east-1" root_device_name: "/dev/xvda"
                           block_device_mappings { device_name: "/dev/xvda"
                                                   ebs { snapshot_id: "snap-0a0b0c0d0e0f01234" } } } }
  )pb", "launches.textproto");
  EXPECT_THAT(scenario, IsOk());
  v1::Step launch;
  launch.set_account("111122223333");
  launch.set_region("us-east-1");
  launch.mutable_run_instances()->set_image_id("ami-0fedcba9876543210");
  launch.mutable_run_instances()->set_count(1000);
  for (int i = 0; i < steps; ++i) *scenario->add_steps() = launch;
  return *scenario;
}

TEST(Limits, ScenarioCreatingUpToTheLimitRuns) {
  // Two imported resources, then launches up to the limit.
  const int steps = static_cast<int>((kMaxScenarioCreatedResources - 2) / 1000);
  const absl::StatusOr<ScenarioResult> result = RunScenario(Launches(steps));
  ASSERT_THAT(result, IsOk());
  EXPECT_TRUE(result->passed) << result->first_mismatch;
}

TEST(Limits, ScenarioCreatingPastTheLimitIsRefusedNamingTheStep) {
  const int steps = static_cast<int>((kMaxScenarioCreatedResources - 2) / 1000) + 1;
  const absl::StatusOr<ScenarioResult> result = RunScenario(Launches(steps));
  EXPECT_THAT(result, HasErrorCode(ErrorCode::kResourceLimitExceeded));
  EXPECT_THAT(result, MessageHas(absl::StrCat("step ", steps + 3, ": ")));
}

// ---- Clock moves (kMaxScenarioClockAdvance) ----------------------------------------------------

absl::Status AdvanceBy(const std::string& duration, bool as_step_field) {
  const std::string step = as_step_field
                               ? absl::StrCat("steps { advance: \"", duration, "\" check {} }")
                               : absl::StrCat("steps { advance_clock { by: \"", duration, "\" } }");
  absl::StatusOr<v1::Scenario> scenario = ParseScenario(step, "clock.textproto");
  if (!scenario.ok()) return scenario.status();
  return RunScenario(*scenario).status();
}

TEST(Limits, ScenarioClockMovesUpToTheLimit) {
  const std::string limit = absl::FormatDuration(kMaxScenarioClockAdvance);
  EXPECT_THAT(AdvanceBy(limit, false), IsOk());
  EXPECT_THAT(AdvanceBy(limit, true), IsOk());
  EXPECT_THAT(AdvanceBy("0s", false), IsOk());
}

TEST(Limits, ScenarioClockMovesThatAreInfiniteNegativeOrTooLargeAreRefused) {
  const std::string past = absl::FormatDuration(kMaxScenarioClockAdvance + absl::Seconds(1));
  for (const std::string& d : {std::string("inf"), std::string("-inf"), std::string("-1s"), past}) {
    for (const bool as_step_field : {false, true}) {
      const absl::Status status = AdvanceBy(d, as_step_field);
      EXPECT_THAT(status, HasErrorCode(ErrorCode::kInvalidParameterValue)) << d;
      EXPECT_THAT(status, MessageHas("step 1: ")) << d;
    }
  }
}

// ---- State files: size, record order, atomic saves ----------------------------------------------

std::string TempPath(const std::string& name) {
  return (std::filesystem::path(::testing::TempDir()) / name).string();
}

// A sparse file of `size` bytes: no disk and no memory, but stat() sees its size.
void MakeSparseFile(const std::string& path, uint64_t size) {
  std::filesystem::remove(path);
  std::ofstream(path).put('x');
  std::filesystem::resize_file(path, size);
}

TEST(Limits, StateFileLargerThanTheLimitIsRefusedBeforeReading) {
  const std::string path = TempPath("huge.amistate");
  MakeSparseFile(path, kMaxStateFileBytes + 1);
  EXPECT_THAT(LoadStateFromFile(path), HasErrorCode(ErrorCode::kResourceLimitExceeded));
  EXPECT_THAT(LoadStateFromFile(path), MessageHas("more than the limit"));
  std::filesystem::remove(path);
}

// The names in a folder, sorted.
std::vector<std::string> Listing(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string Contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A cloud whose state file is larger than `bytes`.
std::unique_ptr<Cloud> CloudOfStateLargerThan(size_t bytes) {
  auto cloud = Cloud::Create();
  for (uint64_t i = 0; i * 100 < bytes; ++i) {
    const Snapshot snap = *Snapshot::Builder()
                               .set_id(SnapshotId::Long(0x1000 + i))
                               .set_owner(AccountId::FromNumber(111122223333))
                               .set_region(Region::All().front())
                               .set_volume_size_gib(8)
                               .Build();
    EXPECT_THAT(cloud->ImportSnapshot(snap), IsOk());
  }
  return cloud;
}

TEST(HostileInput, SaveThatFailsMidWriteKeepsThePreviousFile) {
  const std::string dir = TempPath("atomic-save");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/fleet.amistate";
  ASSERT_THAT(SaveStateToFile(*Cloud::Create(), path), IsOk());
  const std::string before = Contents(path);
  // Writes past 64 KiB fail (EFBIG), as a full disk or a killed save would leave them.
  std::signal(SIGXFSZ, SIG_IGN);
  rlimit old_limit;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  rlimit small = old_limit;
  small.rlim_cur = 64 << 10;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  const absl::Status failed = SaveStateToFile(*CloudOfStateLargerThan(256 << 10), path);
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &old_limit), 0);
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(Contents(path), before);
  EXPECT_THAT(LoadStateFromFile(path), IsOk());
  EXPECT_EQ(Listing(dir), std::vector<std::string>{"fleet.amistate"});
}

TEST(HostileInput, SaveOverADirectoryFailsAndLeavesNoTemporaryFile) {
  const std::string dir = TempPath("save-over-dir");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/target");
  EXPECT_FALSE(SaveStateToFile(*Cloud::Create(), dir + "/target").ok());
  EXPECT_TRUE(std::filesystem::is_directory(dir + "/target"));
  EXPECT_EQ(Listing(dir), std::vector<std::string>{"target"});
  EXPECT_FALSE(SaveStateToFile(*Cloud::Create(), dir + "/missing/fleet.amistate").ok());
  EXPECT_EQ(Listing(dir), std::vector<std::string>{"target"});
}

TEST(HostileInput, SaveReplacesAnExistingFile) {
  const std::string dir = TempPath("save-replace");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/fleet.amistate";
  ASSERT_THAT(SaveStateToFile(*Cloud::Create(), path), IsOk());
  const auto bigger = CloudOfStateLargerThan(1000);
  ASSERT_THAT(SaveStateToFile(*bigger, path), IsOk());
  const auto loaded = LoadStateFromFile(path);
  ASSERT_THAT(loaded, IsOk());
  EXPECT_TRUE((*loaded)->StateEquals(*bigger));
  EXPECT_EQ(Listing(dir), std::vector<std::string>{"fleet.amistate"});
}

// ---- Files are checked by size before they are read --------------------------------------------

TEST(Limits, AwsCliFileLargerThanTheLimitIsRefusedBeforeReading) {
  const std::string path = TempPath("huge-images.json");
  MakeSparseFile(path, kMaxAwsCliFileBytes + 1);
  EXPECT_THAT(ReadAwsCliJson(path), HasErrorCode(ErrorCode::kResourceLimitExceeded));
  EXPECT_THAT(ReadAwsCliJson(path), MessageHas("more than the limit"));
  std::filesystem::remove(path);
  std::ofstream(path) << R"({"Images": []})";
  EXPECT_THAT(ReadAwsCliJson(path), IsOk());
  EXPECT_EQ(*ReadAwsCliJson(path), R"({"Images": []})");
  EXPECT_THAT(ReadAwsCliJson(path + ".missing"), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(ReadAwsCliJson(::testing::TempDir()), HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(Limits, FileAtTheReadLimitIsReadAndOneBytePastIsRefused) {
  const std::string path = TempPath("hundred-bytes.txt");
  std::ofstream(path) << std::string(100, 'x');
  EXPECT_THAT(file_util::ReadBounded(path, 100), IsOk());
  EXPECT_THAT(file_util::ReadBounded(path, 99), HasErrorCode(ErrorCode::kResourceLimitExceeded));
  EXPECT_THAT(file_util::CheckSize(path, 100), IsOk());
  EXPECT_THAT(file_util::CheckSize(path, 99), HasErrorCode(ErrorCode::kResourceLimitExceeded));
}

TEST(Limits, ScenarioFileLargerThanTheLimitIsRefusedBeforeReading) {
  const std::string path = TempPath("huge.textproto");
  MakeSparseFile(path, kMaxScenarioBytes + 1);
  EXPECT_THAT(ParseScenarioFile(path), HasErrorCode(ErrorCode::kResourceLimitExceeded));
  // At the limit: a name, then a comment up to the last byte.
  std::string text = "name: \"at-limit\"\n#";
  text.append(kMaxScenarioBytes - text.size() - 1, 'x');
  text += "\n";
  ASSERT_EQ(text.size(), kMaxScenarioBytes);
  std::ofstream(path) << text;
  const absl::StatusOr<v1::Scenario> scenario = ParseScenarioFile(path);
  ASSERT_THAT(scenario, IsOk());
  EXPECT_EQ(scenario->name(), "at-limit");
  std::filesystem::remove(path);
}

TEST(Limits, StateFileAtTheSizeLimitIsNotRefusedForItsSize) {
  const std::string path = TempPath("at-limit.amistate");
  MakeSparseFile(path, kMaxStateFileBytes);
  // Zeros: refused as corrupt, not for size (and without reading 64 GiB: the first record is
  // not a header).
  EXPECT_THAT(LoadStateFromFile(path), HasErrorCode(ErrorCode::kSerializationException));
  std::filesystem::remove(path);
}

// ---- The memory budget of decoding, at the bound --------------------------------------------------

TEST(Limits, JsonAtTheDecodeBudgetIsDecodedAndOneBytePastIsRefused) {
  // Empty images, then spaces: each byte of text raises the budget by kMaxJsonDecodeFactor.
  std::string body = R"({"Images": [)";
  for (int i = 0; i < 20000; ++i) body += "{},";
  body += "{}]";
  json_check::JsonCheckOptions options;
  options.message = v1::DescribeImagesOutput::descriptor();
  const absl::StatusOr<json_check::JsonShape> roomy =
      json_check::CheckJson(body + std::string(size_t{1} << 22, ' ') + "}", options);
  ASSERT_THAT(roomy, IsOk());
  const size_t decoded = roomy->decoded_bytes;
  ASSERT_GT(decoded, json_check::JsonDecodeBudget(body.size() + 1));
  // The shortest padding whose budget covers what decoding takes.
  const size_t size = (decoded - kJsonDecodeAllowanceBytes + kMaxJsonDecodeFactor - 1) / kMaxJsonDecodeFactor;
  const std::string at_bound = body + std::string(size - body.size() - 1, ' ') + "}";
  ASSERT_EQ(at_bound.size(), size);
  EXPECT_THAT(json_check::CheckJson(at_bound, options), IsOk());
  const std::string past = body + std::string(size - body.size() - 2, ' ') + "}";
  EXPECT_THAT(json_check::CheckJson(past, options), HasErrorCode(ErrorCode::kResourceLimitExceeded));
}

// ---- Key policy documents (kMaxKeyPolicyBytes) ----------------------------------------------------

// A describe-key output and a get-key-policy output whose document is padded to `size` bytes.
std::vector<AwsCliFile> KeyWithPolicyOf(size_t size) {
  constexpr char kArn[] =
      "arn:aws:kms:us-east-1:000000000000:key/00000000-0000-4000-8000-000000000000";
  AwsCliFile key;
  key.name = "key.json";
  key.region = *Region::Parse("us-east-1");
  key.json = absl::StrCat(R"({"KeyMetadata": {"Arn": ")", kArn,
                          R"(", "KeyManager": "CUSTOMER", "KeyState": "Enabled"}})");
  std::string document =
      R"({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "000000000000"}, "Action": "kms:*", "Resource": "*"}]})";
  document.insert(1, std::string(size - document.size(), ' '));
  AwsCliFile policy = key;
  policy.name = "policy.json";
  policy.key_id = kArn;
  policy.json = absl::StrCat(R"({"Policy": ")", absl::CEscape(document), R"(", "PolicyName": "default"})");
  return {key, policy};
}

TEST(Limits, KeyPolicyAtTheSizeLimitIsRead) {
  EXPECT_THAT(ImportAwsCli(KeyWithPolicyOf(kMaxKeyPolicyBytes)), IsOk());
}

TEST(Limits, KeyPolicyLargerThanTheLimitIsRefused) {
  const auto cloud = ImportAwsCli(KeyWithPolicyOf(kMaxKeyPolicyBytes + 1));
  EXPECT_THAT(cloud, HasErrorCode(ErrorCode::kResourceLimitExceeded));
  EXPECT_THAT(cloud, MessageHas("policy.json: Policy: the policy document has"));
}

}  // namespace
}  // namespace ami
