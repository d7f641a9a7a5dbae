// The Cloud's typed parameters (Input<T>, InputList<T>): a value and its request text give the
// same answer and the same state; malformed text is the AWS error the type's parser returns, with
// the message the operation always gave.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ami/ami.h"
#include "ami/cloud.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cloud_fixture.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::ami::testing::Must;
using ::testing::ElementsAre;

// ---- Input<T> and InputList<T> as values ---------------------------------------------------------

TEST(Input, ValueIsReturnedWithoutText) {
  const ImageId id = ImageId::Short(0x12345678);
  const Input<ImageId> input(id);
  EXPECT_FALSE(input.is_text());
  EXPECT_EQ(input.Decode().value(), id);
  EXPECT_EQ(input.ToString(), "ami-12345678");
}

TEST(Input, TextIsDecodedByTheTypesParser) {
  const Input<ImageId> input("ami-12345678");
  EXPECT_TRUE(input.is_text());
  EXPECT_EQ(input.Decode().value(), ImageId::Short(0x12345678));
  const Input<ImageId> bad(std::string("ami-xyz"));
  EXPECT_EQ(bad.Decode().status(), ImageId::Parse("ami-xyz").status());
  EXPECT_THAT(bad.Decode(), HasErrorCode(ErrorCode::kInvalidAMIIDMalformed));
  EXPECT_EQ(bad.ToString(), "ami-xyz");
}

TEST(Input, EnumTextIsReadByParseEnum) {
  const Input<AllowedImagesState> value(AllowedImagesState::kAuditMode);
  EXPECT_EQ(value.ToString(), "audit-mode");
  EXPECT_EQ(Input<AllowedImagesState>(absl::string_view("audit-mode")).Decode().value(),
            AllowedImagesState::kAuditMode);
  EXPECT_EQ(Input<AllowedImagesState>("on").Decode().status(),
            ParseEnum<AllowedImagesState>("on").status());
}

TEST(Input, ResourceIdFromAnyOfItsKinds) {
  const SnapshotId snap = SnapshotId::Short(0xabcdef01);
  const Input<ResourceId> input(snap);
  EXPECT_EQ(input.Decode().value(), ResourceId(snap));
  EXPECT_EQ(input.ToString(), "snap-abcdef01");
  EXPECT_EQ(Input<ResourceId>("i-12345678").Decode().value(),
            ResourceId(InstanceId::Short(0x12345678)));
  EXPECT_THAT(ResourceId::Parse("vol-12345678"), HasErrorCode(ErrorCode::kInvalidID));
  EXPECT_THAT(ResourceId::Parse("ami-xyz"), HasErrorCode(ErrorCode::kInvalidID));
}

TEST(InputList, FromTextsValuesAndBracedLists) {
  const InstanceId a = InstanceId::Short(1), b = InstanceId::Short(2);
  const std::vector<InstanceId> expected = {a, b};
  EXPECT_EQ(InputList<InstanceId>(std::vector<InstanceId>{a, b}).Decode().value(), expected);
  EXPECT_EQ(InputList<InstanceId>(std::vector<std::string>{"i-00000001", "i-00000002"})
                .Decode()
                .value(),
            expected);
  const InputList<InstanceId> mixed = {a, "i-00000002"};
  EXPECT_EQ(mixed.Decode().value(), expected);
  const InputList<InstanceId> bad = {a, "i-0123"};
  EXPECT_THAT(bad.Decode(), HasErrorCode(ErrorCode::kInvalidInstanceIDMalformed));
  EXPECT_TRUE(InputList<InstanceId>().empty());
}

// ---- The Cloud's operations, given values and given text -----------------------------------------

class TypedApi : public testing::CloudFixture {
 protected:
  void SetUp() override { CreateOrganizationTree(); }
};

// The same image operation, given an ImageId and given its text: the same clouds after.
TEST_F(TypedApi, ImageIdAsValueOrTextChangesTheSame) {
  const ImageId id = SeedImage(owner);
  auto by_text = cloud->Fork();
  ASSERT_THAT(cloud->DisableImage(as_owner, id), IsOk());
  ASSERT_THAT(by_text->DisableImage(as_owner, id.ToString()), IsOk());
  EXPECT_TRUE(cloud->StateEquals(*by_text));
  ASSERT_THAT(cloud->EnableImage(as_owner, id), IsOk());
  ASSERT_THAT(by_text->EnableImage(as_owner, id.ToString().c_str()), IsOk());
  EXPECT_TRUE(cloud->StateEquals(*by_text));
  EXPECT_EQ(Must(cloud->EnableImageDeregistrationProtection(as_owner, id)),
            Must(by_text->EnableImageDeregistrationProtection(as_owner, id.ToString())));
  EXPECT_TRUE(cloud->StateEquals(*by_text));
}

// Cloud::Evaluate(function, question[, plan]) asks the engine the one question, as the callback
// form does, and fills a plan the caller owns: a public image it may copy and one it may not see.
TEST_F(TypedApi, EvaluateAsksOneQuestionAndFillsItsPlan) {
  const ImageId shared = SeedImage(owner, {.is_public = true, .snapshot_public = true});
  const ImageId hidden = SeedImage(owner);
  const policy::CopyQuestion allowed_copy{.caller = b, .destination = east, .source_region = east,
                                          .source_image = shared, .name = "copy"};
  policy::CopyPlan plan;
  const Decision copy = cloud->Evaluate(policy::EvaluateCopy, allowed_copy, &plan);
  EXPECT_TRUE(copy.allowed()) << copy.Explain();
  EXPECT_EQ(plan.owner, b);
  ASSERT_EQ(plan.snapshots.size(), 1u);
  EXPECT_EQ(plan.snapshots[0].source, RootSnapshot(shared));

  const policy::LaunchQuestion launch_hidden{b, east, hidden, std::nullopt, std::nullopt};
  const Decision by_function = cloud->Evaluate(policy::EvaluateLaunch, launch_hidden);
  const Decision by_callback = cloud->Evaluate(
      [&](const StateView& view) { return policy::EvaluateLaunch(view, launch_hidden); });
  EXPECT_FALSE(by_function.allowed());
  EXPECT_EQ(by_function.Explain(), by_callback.Explain());
}

// ID-3: a malformed id is still its `*.Malformed` code, with the parser's message, and changes
// nothing.
TEST_F(TypedApi, MalformedTextIsTheParsersError) {
  auto before = cloud->Fork();
  const absl::Status status = cloud->DisableImage(as_owner, "ami-12345");
  EXPECT_THAT(status, HasErrorCode(ErrorCode::kInvalidAMIIDMalformed));
  EXPECT_EQ(status, ImageId::Parse("ami-12345").status());
  EXPECT_THAT(cloud->DeleteSnapshot(as_owner, "snap-zz"),
              HasErrorCode(ErrorCode::kInvalidSnapshotIDMalformed));
  EXPECT_THAT(cloud->ReplicateKey(as_owner, "alias/x", "mars-1"),
              HasErrorCode(ErrorCode::kInvalidRegion));
  EXPECT_TRUE(cloud->StateEquals(*before));
}

// GOV-7: the Allowed AMIs state as an enum and as its word; `disabled` is refused both ways.
TEST_F(TypedApi, GOV_7_AllowedImagesStateAsEnumOrWord) {
  auto by_text = cloud->Fork();
  ASSERT_THAT(cloud->EnableAllowedImagesSettings(as_owner, AllowedImagesState::kAuditMode), IsOk());
  ASSERT_THAT(by_text->EnableAllowedImagesSettings(as_owner, "audit-mode"), IsOk());
  EXPECT_TRUE(cloud->StateEquals(*by_text));
  EXPECT_EQ(cloud->GetAllowedImagesSettings(owner, east).state, AllowedImagesState::kAuditMode);
  const absl::Status as_enum =
      cloud->EnableAllowedImagesSettings(as_owner, AllowedImagesState::kDisabled);
  EXPECT_THAT(as_enum, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_EQ(as_enum, cloud->EnableAllowedImagesSettings(as_owner, "disabled"));
  EXPECT_EQ(cloud->EnableAllowedImagesSettings(as_owner, "on"),
            ParseEnum<AllowedImagesState>("on").status());
}

// SNAP-3: the state as an enum and as its word; `unblocked` and unknown words are refused with
// the words one may enable.
TEST_F(TypedApi, SNAP_3_SnapshotBlockStateAsEnumOrWord) {
  auto by_text = cloud->Fork();
  using State = SnapshotBlockPublicAccessState;
  ASSERT_THAT(cloud->EnableSnapshotBlockPublicAccess(as_owner, State::kBlockNewSharing), IsOk());
  ASSERT_THAT(by_text->EnableSnapshotBlockPublicAccess(as_owner, "block-new-sharing"), IsOk());
  EXPECT_TRUE(cloud->StateEquals(*by_text));
  EXPECT_EQ(cloud->GetSnapshotBlockPublicAccessState(owner, east), "block-new-sharing");
  const absl::Status unblocked = cloud->EnableSnapshotBlockPublicAccess(as_owner, State::kUnblocked);
  EXPECT_THAT(unblocked, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_EQ(unblocked, cloud->EnableSnapshotBlockPublicAccess(as_owner, "unblocked"));
  EXPECT_EQ(cloud->EnableSnapshotBlockPublicAccess(as_owner, "block-some").message(),
            "invalid snapshot block public access state `block-some`: expected "
            "block-all-sharing or block-new-sharing");
}

// DESC-11, SHARE-2: attribute names as enums and as words.
TEST_F(TypedApi, DESC_11_ImageAttributeAsEnumOrWord) {
  const ImageId id = SeedImage(owner);
  const ImageAttribute as_enum =
      Must(cloud->DescribeImageAttribute(as_owner, id, ImageAttributeName::kBootMode));
  const ImageAttribute as_word = Must(cloud->DescribeImageAttribute(as_owner, id, "bootMode"));
  EXPECT_EQ(as_enum.value, as_word.value);
  EXPECT_EQ(cloud->DescribeImageAttribute(as_owner, id, "color").status().message(),
            "unknown or unsupported image attribute `color`");
  EXPECT_THAT(cloud->DescribeImageAttribute(as_owner, id, ImageAttributeName::kBlockDeviceMapping),
              HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_THAT(cloud->ResetImageAttribute(as_owner, id, ImageAttributeName::kLaunchPermission),
              IsOk());
  EXPECT_EQ(cloud->ResetImageAttribute(as_owner, id, ImageAttributeName::kDescription).message(),
            "attribute `description` cannot be reset; only launchPermission");
  EXPECT_EQ(cloud->ResetImageAttribute(as_owner, id, "color").message(),
            "attribute `color` cannot be reset; only launchPermission");
}

// MC-32: instance id lists given as InstanceIds, as texts, and mixed.
TEST_F(TypedApi, InstanceListsAsValuesOrTexts) {
  const ImageId image = SeedImage(owner);
  const InstanceId a = Must(Launch(as_owner, image)).front();
  const InstanceId b = Must(Launch(as_owner, image)).front();
  cloud->AdvanceClock(absl::Minutes(5));
  auto by_text = cloud->Fork();
  ASSERT_THAT(cloud->StopInstances(as_owner, std::vector<InstanceId>{a, b}), IsOk());
  ASSERT_THAT(by_text->StopInstances(as_owner,
                                     std::vector<std::string>{a.ToString(), b.ToString()}),
              IsOk());
  EXPECT_TRUE(cloud->StateEquals(*by_text));
  ASSERT_THAT(cloud->StartInstances(as_owner, {a, b.ToString()}), IsOk());
  ASSERT_THAT(by_text->StartInstances(as_owner, {a.ToString(), b}), IsOk());
  EXPECT_TRUE(cloud->StateEquals(*by_text));
  EXPECT_EQ(cloud->GetInstance(a)->state(), InstanceState::kPending);
  EXPECT_THAT(cloud->TerminateInstances(as_owner, std::vector<InstanceId>{}),
              HasErrorCode(ErrorCode::kMissingParameter));
  EXPECT_THAT(cloud->TerminateInstances(as_owner, {a, "i-0123"}),
              HasErrorCode(ErrorCode::kInvalidInstanceIDMalformed));
  EXPECT_TRUE(cloud->StateEquals(*by_text));
}

// SHARE-13, ID-3: tag resources as ids of their kind and as texts.
TEST_F(TypedApi, TagResourcesAsValuesOrTexts) {
  const ImageId image = SeedImage(owner);
  const SnapshotId snap = RootSnapshot(image);
  auto by_text = cloud->Fork();
  ASSERT_THAT(cloud->CreateTags(as_owner, {image, snap}, {{"team", "web"}}), IsOk());
  ASSERT_THAT(by_text->CreateTags(as_owner, {image.ToString(), snap.ToString()}, {{"team", "web"}}),
              IsOk());
  EXPECT_TRUE(cloud->StateEquals(*by_text));
  EXPECT_EQ(Must(cloud->GetTags(owner, snap)).Find("team"), "web");
  EXPECT_EQ(Must(cloud->GetTags(owner, image)), Must(by_text->GetTags(owner, image.ToString())));
  ASSERT_THAT(cloud->DeleteTags(as_owner, std::vector<ResourceId>{image}, {"team"}), IsOk());
  EXPECT_TRUE(Must(cloud->GetTags(owner, image)).empty());
  const absl::Status bad = cloud->CreateTags(as_owner, {"vol-12345678"}, {{"a", "b"}});
  EXPECT_THAT(bad, HasErrorCode(ErrorCode::kInvalidID));
  EXPECT_EQ(bad, ResourceId::Parse("vol-12345678").status());
}

// KMS-1, KMS-14: a key as a KmsKeyRef or its text, a Region as a value or its code.
TEST_F(TypedApi, KeysAndRegionsAsValuesOrTexts) {
  const KmsKeyArn primary = NewKey(owner, east, {}, /*multi_region=*/true);
  const KmsKeyRef ref = KmsKeyRef::FromArn(primary);
  EXPECT_EQ(Must(cloud->DescribeKey(as_owner, ref)).arn(),
            Must(cloud->DescribeKey(as_owner, primary.ToString())).arn());
  auto by_text = cloud->Fork();
  const KmsKeyArn replica = Must(cloud->ReplicateKey(as_owner, ref, west));
  EXPECT_EQ(replica, Must(by_text->ReplicateKey(as_owner, primary.ToString(), "eu-west-1")));
  EXPECT_TRUE(cloud->StateEquals(*by_text));
  ASSERT_THAT(cloud->DisableKey(as_owner, ref), IsOk());
  ASSERT_THAT(by_text->DisableKey(as_owner, primary.ToString()), IsOk());
  EXPECT_TRUE(cloud->StateEquals(*by_text));
  EXPECT_EQ(cloud->EnableKey(as_owner, "arn:aws:kms:bad"),
            KmsKeyRef::Parse("arn:aws:kms:bad").status());
}

// The organization root id: typed or text; too short is InvalidParameterValue as before.
TEST_F(TypedApi, OrganizationRootIdAsValueOrText) {
  const OrganizationId other = OrganizationId::Parse("o-zzzzzzzzzz").value();
  const OrganizationId third = OrganizationId::Parse("o-yyyyyyyyyy").value();
  EXPECT_EQ(cloud->CreateOrganization(other, b, "r-1").message(),
            "invalid root id `r-1`: expected r- and 4 to 32 of [a-z0-9]");
  EXPECT_THAT(cloud->CreateOrganization(other, b, OrganizationRootId::Parse("r-cd34").value()),
              IsOk());
  EXPECT_THAT(cloud->CreateOrganization(third, c, "r-ef56"), IsOk());
  EXPECT_EQ(cloud->AccountOrganization(b), other);
  EXPECT_EQ(cloud->AccountOrganization(c), third);
}

}  // namespace
}  // namespace ami
