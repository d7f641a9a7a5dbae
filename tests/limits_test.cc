// Every documented input bound (README "Limits", ami/limits.h): input at the bound is accepted
// (or fails for another reason than size), one past it is a clear error with its code — never an
// out-of-memory.
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ami/ami.h"
#include "ami/aws_import.h"
#include "ami/cloud.h"
#include "ami/describe.h"
#include "ami/limits.h"
#include "ami/proto.h"
#include "ami/scenario.h"
#include "ami/state_file.h"
#include "ami/v1/scenario.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::ami::testing::MessageHas;

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

}  // namespace
}  // namespace ami
