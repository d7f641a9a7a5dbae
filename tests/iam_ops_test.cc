// The operations beyond the launch, copy and share decisions ask IAM too (IAM-1, IAM-3, IAM-6,
// IAM-7, IAM-8): a role allowed by its identity policy succeeds, a role without the permission
// gets UnauthorizedOperation before any resource check, and the refused call changes nothing.
// Tag on create: a call that creates tagged resources also needs ec2:CreateTags (ec2:CreateAction).
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ami/ami.h"
#include "ami/iam/iam.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cloud_fixture.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::ami::testing::Must;
using ::testing::HasSubstr;

constexpr char kAllowEc2[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]})";
constexpr char kDescribeOnly[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]})";

// A policy allowing `actions` on "*", with `condition` (a JSON object, or empty).
std::string Allow(const std::string& actions, const std::string& condition = "") {
  return absl::StrCat(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":)",
                      actions, R"(,"Resource":"*")",
                      condition.empty() ? "" : absl::StrCat(R"(,"Condition":)", condition), "}]}");
}

class IamOpsTest : public testing::CloudFixture {
 protected:
  void SetUp() override { CreateOrganizationTree(); }

  // A role `name` of `account` whose only identity policy is `document`.
  std::string Role(AccountId account, const std::string& name, const std::string& document) {
    iam::PrincipalSpec spec;
    spec.name = name;
    spec.policies = {{"inline:" + name, document}};
    return Must(iam::PutPrincipal(*cloud, account, spec));
  }
  CallContext As(AccountId account, const std::string& principal) const {
    CallContext ctx{account, east};
    ctx.principal = principal;
    return ctx;
  }
  CallContext Root(AccountId account) const { return CallContext{account, east}; }

  // Expects `call` to be refused with UnauthorizedOperation naming `action`, the cloud as it was.
  template <typename Call>
  void ExpectRefused(const std::string& action, Call call) {
    const std::unique_ptr<Cloud> before = cloud->Fork();
    const absl::Status s = call();
    EXPECT_THAT(s, HasErrorCode(ErrorCode::kUnauthorizedOperation)) << action;
    EXPECT_THAT(s.message(), HasSubstr(action));
    EXPECT_TRUE(before->StateEquals(*cloud)) << action << " changed the cloud";
  }

  // A running instance of `account`, launched as its root user with `tags`.
  InstanceId RunningInstance(AccountId account,
                             std::vector<std::pair<std::string, std::string>> tags = {}) {
    RunInstancesRequest r;
    r.image_id = SeedImage(account).ToString();
    r.tags = std::move(tags);
    const InstanceId id = Must(cloud->RunInstances(Root(account), r)).front();
    cloud->AdvanceClock(absl::Minutes(10));
    return id;
  }
  InstanceState StateOf(InstanceId id) const {
    return cloud->GetInstance(id)->state();
  }
  TagSet TagsOf(const std::string& id, AccountId viewer) const {
    return Must(cloud->GetTags(viewer, id));
  }
};

TEST_F(IamOpsTest, IAM_3_RegisterImageAsksForTheNewImageAndEverySnapshotItNames) {
  const SnapshotId snap = SeedSnapshot(owner);
  RegisterImageRequest r;
  r.name = "registered";
  r.block_device_mappings = {{"/dev/xvda", snap.ToString()}};
  const std::string images_only = Role(owner, "images-only", R"({"Version":"2012-10-17",
      "Statement":[{"Effect":"Allow","Action":"ec2:RegisterImage","Resource":"arn:aws:ec2:*::image/*"}]})");
  ExpectRefused("ec2:RegisterImage on resource: arn:aws:ec2:us-east-1::snapshot/" + snap.ToString(),
                [&] { return cloud->RegisterImage(As(owner, images_only), r).status(); });
  const std::string registrar = Role(owner, "registrar", Allow(R"("ec2:RegisterImage")"));
  EXPECT_THAT(cloud->RegisterImage(As(owner, registrar), r), IsOk());
}

TEST_F(IamOpsTest, IAM_3_DeleteSnapshotAsksWithTheSnapshotsTags) {
  const SnapshotId snap = SeedSnapshot(owner);
  const std::string scratch = Role(owner, "scratch", Allow(R"("ec2:DeleteSnapshot")",
      R"({"StringEquals":{"ec2:ResourceTag/scratch":"true"}})"));
  ExpectRefused("ec2:DeleteSnapshot on resource: arn:aws:ec2:us-east-1::snapshot/" + snap.ToString(),
                [&] { return cloud->DeleteSnapshot(As(owner, scratch), snap); });
  ASSERT_THAT(cloud->CreateTags(Root(owner), {snap.ToString()}, {{"scratch", "true"}}), IsOk());
  EXPECT_THAT(cloud->DeleteSnapshot(As(owner, scratch), snap), IsOk());
}

TEST_F(IamOpsTest, IAM_3_ResetImageAttributeAsksForTheImage) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(Root(owner), id, {LaunchPermissionEntry{b.ToString()}}), IsOk());
  const std::string reader = Role(owner, "reader", kDescribeOnly);
  ExpectRefused("ec2:ResetImageAttribute", [&] {
    return cloud->ResetImageAttribute(As(owner, reader), id, "launchPermission");
  });
  EXPECT_FALSE(Perms(id).accounts().empty());
  EXPECT_THAT(cloud->ResetImageAttribute(As(owner, Role(owner, "admin", kAllowEc2)), id,
                                         "launchPermission"),
              IsOk());
  EXPECT_TRUE(Perms(id).accounts().empty());
}

TEST_F(IamOpsTest, IAM_3_CancelImageLaunchPermissionAsksForTheImage) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(Share(Root(owner), id, {LaunchPermissionEntry{b.ToString()}}), IsOk());
  const std::string reader = Role(b, "reader", kDescribeOnly);
  ExpectRefused("ec2:CancelImageLaunchPermission",
                [&] { return cloud->CancelImageLaunchPermission(As(b, reader), id); });
  const std::string leaver = Role(b, "leaver", Allow(R"("ec2:CancelImageLaunchPermission")"));
  EXPECT_THAT(cloud->CancelImageLaunchPermission(As(b, leaver), id), IsOk());
  EXPECT_TRUE(Perms(id).accounts().empty());
}

// A Describe action has no resource-level permissions: its resource is "*".
TEST_F(IamOpsTest, IAM_7_DescribeImageAttributeAsksWithResourceStar) {
  const ImageId id = SeedImage(owner);
  const std::string one_image = Role(owner, "one-image", absl::StrCat(
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeImageAttribute",)",
      R"("Resource":"arn:aws:ec2:us-east-1::image/)", id.ToString(), R"("}]})"));
  ExpectRefused("ec2:DescribeImageAttribute on resource: *", [&] {
    return cloud->DescribeImageAttribute(As(owner, one_image), id, "description").status();
  });
  EXPECT_THAT(cloud->DescribeImageAttribute(As(owner, Role(owner, "reader", kDescribeOnly)), id,
                                            "description"),
              IsOk());
}

TEST_F(IamOpsTest, IAM_6_ModifySnapshotAttributeCarriesTheAttribute) {
  const SnapshotId snap = SeedSnapshot(owner);
  const std::string describer = Role(owner, "describer", Allow(R"("ec2:ModifySnapshotAttribute")",
      R"({"StringEquals":{"ec2:Attribute":"description"}})"));
  ExpectRefused("ec2:ModifySnapshotAttribute", [&] {
    return ShareSnapshot(As(owner, describer), snap, "add", {b.ToString()});
  });
  const std::string sharer = Role(owner, "sharer", Allow(R"("ec2:ModifySnapshotAttribute")",
      R"({"StringEquals":{"ec2:Attribute":"createVolumePermission"}})"));
  EXPECT_THAT(ShareSnapshot(As(owner, sharer), snap, "add", {b.ToString()}), IsOk());
}

TEST_F(IamOpsTest, IAM_3_CreateTagsAsksWithTheRequestAndResourceTags) {
  const ImageId id = SeedImage(owner);
  const std::string web = Role(owner, "web", Allow(R"("ec2:CreateTags")",
      R"({"StringEquals":{"aws:RequestTag/team":"web"},"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}})"));
  ExpectRefused("ec2:CreateTags", [&] {
    return cloud->CreateTags(As(owner, web), {id.ToString()}, {{"team", "web"}, {"env", "prod"}});
  });
  EXPECT_THAT(cloud->CreateTags(As(owner, web), {id.ToString()}, {{"team", "web"}}), IsOk());
  EXPECT_EQ(TagsOf(id.ToString(), owner).Find("team"), std::optional<absl::string_view>("web"));
  // A resource-tag condition: only resources already tagged team=web.
  const std::string keeper = Role(owner, "keeper", Allow(R"("ec2:CreateTags")",
      R"({"StringEquals":{"ec2:ResourceTag/team":"web"}})"));
  const SnapshotId snap = SeedSnapshot(owner);
  ExpectRefused("arn:aws:ec2:us-east-1::snapshot/" + snap.ToString(), [&] {
    return cloud->CreateTags(As(owner, keeper), {id.ToString(), snap.ToString()}, {{"k", "v"}});
  });
  EXPECT_THAT(cloud->CreateTags(As(owner, keeper), {id.ToString()}, {{"k", "v"}}), IsOk());
}

TEST_F(IamOpsTest, IAM_3_DeleteTagsAsksWithTheKeysDeleted) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(cloud->CreateTags(Root(owner), {id.ToString()}, {{"scratch", "1"}, {"owner", "a"}}),
              IsOk());
  const std::string cleaner = Role(owner, "cleaner", Allow(R"("ec2:DeleteTags")",
      R"({"ForAllValues:StringEquals":{"aws:TagKeys":["scratch"]}})"));
  ExpectRefused("ec2:DeleteTags", [&] {
    return cloud->DeleteTags(As(owner, cleaner), {id.ToString()}, {"scratch", "owner"});
  });
  EXPECT_THAT(cloud->DeleteTags(As(owner, cleaner), {id.ToString()}, {"scratch"}), IsOk());
  EXPECT_FALSE(TagsOf(id.ToString(), owner).Find("scratch").has_value());
  EXPECT_TRUE(TagsOf(id.ToString(), owner).Find("owner").has_value());
}

TEST_F(IamOpsTest, IAM_3_DeprecationAsksForTheImage) {
  const ImageId id = SeedImage(owner);
  const std::string reader = Role(owner, "reader", kDescribeOnly);
  ExpectRefused("ec2:EnableImageDeprecation", [&] {
    return cloud->EnableImageDeprecation(As(owner, reader), id, t0 + absl::Hours(48));
  });
  const std::string dep = Role(owner, "dep",
      Allow(R"(["ec2:EnableImageDeprecation","ec2:DisableImageDeprecation"])"));
  EXPECT_THAT(cloud->EnableImageDeprecation(As(owner, dep), id, t0 + absl::Hours(48)), IsOk());
  ExpectRefused("ec2:DisableImageDeprecation",
                [&] { return cloud->DisableImageDeprecation(As(owner, reader), id); });
  EXPECT_THAT(cloud->DisableImageDeprecation(As(owner, dep), id), IsOk());
}

TEST_F(IamOpsTest, IAM_3_DisableAndEnableImageAskForTheImage) {
  const ImageId id = SeedImage(owner);
  // A Deny on the image's tag overrides the Allow.
  const std::string guarded = Role(owner, "guarded", R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":"ec2:*","Resource":"*"},
      {"Effect":"Deny","Action":["ec2:DisableImage","ec2:EnableImage"],"Resource":"*",
       "Condition":{"StringEquals":{"ec2:ResourceTag/golden":"true"}}}]})");
  ASSERT_THAT(cloud->CreateTags(Root(owner), {id.ToString()}, {{"golden", "true"}}), IsOk());
  ExpectRefused("ec2:DisableImage", [&] { return cloud->DisableImage(As(owner, guarded), id); });
  ASSERT_THAT(cloud->DeleteTags(Root(owner), {id.ToString()}, {"golden"}), IsOk());
  EXPECT_THAT(cloud->DisableImage(As(owner, guarded), id), IsOk());
  ASSERT_THAT(cloud->CreateTags(Root(owner), {id.ToString()}, {{"golden", "true"}}), IsOk());
  ExpectRefused("ec2:EnableImage", [&] { return cloud->EnableImage(As(owner, guarded), id); });
  ASSERT_THAT(cloud->DeleteTags(Root(owner), {id.ToString()}, {"golden"}), IsOk());
  EXPECT_THAT(cloud->EnableImage(As(owner, guarded), id), IsOk());
}

TEST_F(IamOpsTest, IAM_3_DeregistrationProtectionAsksForTheImage) {
  const ImageId id = SeedImage(owner);
  const std::string reader = Role(owner, "reader", kDescribeOnly);
  ExpectRefused("ec2:EnableImageDeregistrationProtection", [&] {
    return cloud->EnableImageDeregistrationProtection(As(owner, reader), id, false).status();
  });
  const std::string admin = Role(owner, "admin", kAllowEc2);
  EXPECT_THAT(cloud->EnableImageDeregistrationProtection(As(owner, admin), id, false), IsOk());
  ExpectRefused("ec2:DisableImageDeregistrationProtection", [&] {
    return cloud->DisableImageDeregistrationProtection(As(owner, reader), id).status();
  });
  EXPECT_THAT(cloud->DisableImageDeregistrationProtection(As(owner, admin), id), IsOk());
}

TEST_F(IamOpsTest, IAM_8_RestoringFromTheRecycleBinAsksIam) {
  CreateRuleRequest images;
  images.resource_type = "EC2_IMAGE";
  images.retention_days = 7;
  ASSERT_THAT(cloud->CreateRecycleBinRule(Root(owner), images), IsOk());
  CreateRuleRequest snapshots = images;
  snapshots.resource_type = "EBS_SNAPSHOT";
  ASSERT_THAT(cloud->CreateRecycleBinRule(Root(owner), snapshots), IsOk());
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(cloud->DeregisterImage(Root(owner), id), IsOk());
  const SnapshotId snap = SeedSnapshot(owner);
  ASSERT_THAT(cloud->DeleteSnapshot(Root(owner), snap), IsOk());
  const std::string reader = Role(owner, "reader", kDescribeOnly);
  // Listing the bin asks IAM too: a role without the permission sees nothing (MC-69).
  EXPECT_TRUE(cloud->ListImagesInRecycleBin(As(owner, reader)).empty());
  EXPECT_TRUE(cloud->ListSnapshotsInRecycleBin(As(owner, reader)).empty());
  const std::string lister = Role(owner, "lister", Allow(
      R"(["ec2:ListImagesInRecycleBin","ec2:ListSnapshotsInRecycleBin"])"));
  EXPECT_EQ(cloud->ListImagesInRecycleBin(As(owner, lister)).size(), 1u);
  EXPECT_EQ(cloud->ListSnapshotsInRecycleBin(As(owner, lister)).size(), 1u);
  ExpectRefused("ec2:RestoreImageFromRecycleBin on resource: arn:aws:ec2:us-east-1::image/" +
                    id.ToString(),
                [&] { return cloud->RestoreImageFromRecycleBin(As(owner, reader), id); });
  ExpectRefused("ec2:RestoreSnapshotFromRecycleBin",
                [&] { return cloud->RestoreSnapshotFromRecycleBin(As(owner, reader), snap); });
  const std::string restorer = Role(owner, "restorer", Allow(
      R"(["ec2:RestoreImageFromRecycleBin","ec2:RestoreSnapshotFromRecycleBin"])"));
  EXPECT_THAT(cloud->RestoreImageFromRecycleBin(As(owner, restorer), id), IsOk());
  EXPECT_THAT(cloud->RestoreSnapshotFromRecycleBin(As(owner, restorer), snap), IsOk());
}

TEST_F(IamOpsTest, IAM_3_InstanceStateChangesAskWithTheInstancesTags) {
  const InstanceId web = RunningInstance(owner, {{"team", "web"}});
  const InstanceId data = RunningInstance(owner, {{"team", "data"}});
  const std::string operator_role = Role(owner, "operator", Allow(
      R"(["ec2:StopInstances","ec2:StartInstances","ec2:TerminateInstances"])",
      R"({"StringEquals":{"ec2:ResourceTag/team":"web"}})"));
  const CallContext as_operator = As(owner, operator_role);
  ExpectRefused(absl::StrCat("ec2:StopInstances on resource: arn:aws:ec2:us-east-1:",
                             owner.ToString(), ":instance/", data.ToString()),
                [&] { return cloud->StopInstances(as_operator, {web, data}); });
  EXPECT_EQ(StateOf(web), InstanceState::kRunning);
  EXPECT_THAT(cloud->StopInstances(as_operator, {web}), IsOk());
  cloud->AdvanceClock(absl::Minutes(10));
  const std::string reader = Role(owner, "reader", kDescribeOnly);
  ExpectRefused("ec2:StartInstances",
                [&] { return cloud->StartInstances(As(owner, reader), {web}); });
  EXPECT_THAT(cloud->StartInstances(as_operator, {web}), IsOk());
  ExpectRefused("ec2:TerminateInstances",
                [&] { return cloud->TerminateInstances(as_operator, {data}); });
  EXPECT_THAT(cloud->TerminateInstances(as_operator, {web}), IsOk());
}

TEST_F(IamOpsTest, IAM_7_DescribeImagesAndSnapshotsAskWithResourceStar) {
  SeedImage(owner);
  const std::string images_arn = Role(owner, "images-arn", R"({"Version":"2012-10-17",
      "Statement":[{"Effect":"Allow","Action":["ec2:DescribeImages","ec2:DescribeSnapshots"],
                    "Resource":"arn:aws:ec2:*::image/*"}]})");
  ExpectRefused("ec2:DescribeImages on resource: *", [&] {
    return cloud->DescribeImages(As(owner, images_arn), DescribeImagesRequest{}).status();
  });
  ExpectRefused("ec2:DescribeSnapshots", [&] {
    return cloud->DescribeSnapshots(As(owner, images_arn), DescribeSnapshotsRequest{}).status();
  });
  const std::string reader = Role(owner, "reader", kDescribeOnly);
  EXPECT_THAT(cloud->DescribeImages(As(owner, reader), DescribeImagesRequest{}), IsOk());
  EXPECT_THAT(cloud->DescribeSnapshots(As(owner, reader), DescribeSnapshotsRequest{}), IsOk());
}

// Tag on create: tags in the creating call need ec2:CreateTags, which ec2:CreateAction can limit
// to that call; without tags nothing more is asked.
TEST_F(IamOpsTest, IAM_3_TagOnCreateNeedsCreateTagsForTheCreatingAction) {
  const ImageId id = SeedImage(owner);
  RunInstancesRequest tagged;
  tagged.image_id = id.ToString();
  tagged.tags = {{"team", "web"}};
  const std::string runner = Role(owner, "runner", Allow(R"("ec2:RunInstances")"));
  ExpectRefused("ec2:CreateTags on resource: arn:aws:ec2:us-east-1:111122223333:instance/*",
                [&] { return cloud->RunInstances(As(owner, runner), tagged).status(); });
  EXPECT_THAT(Launch(As(owner, runner), id), IsOk());
  const std::string tag_on_launch = Role(owner, "tag-on-launch", R"({"Version":"2012-10-17",
      "Statement":[{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"},
                   {"Effect":"Allow","Action":"ec2:CreateTags","Resource":"*",
                    "Condition":{"StringEquals":{"ec2:CreateAction":"RunInstances"}}}]})");
  EXPECT_THAT(cloud->RunInstances(As(owner, tag_on_launch), tagged), IsOk());
  // The same permission does not tag an existing resource.
  ExpectRefused("ec2:CreateTags", [&] {
    return cloud->CreateTags(As(owner, tag_on_launch), {id.ToString()}, {{"team", "web"}});
  });
}

TEST_F(IamOpsTest, IAM_3_TagOnCreateForCreateImageAndCopyImage) {
  const InstanceId instance = RunningInstance(owner);
  CreateImageRequest create{instance.ToString(), "made"};
  create.tag_specifications = {{"image", {{"team", "web"}}}, {"snapshot", {{"team", "web"}}}};
  const std::string wrong_action = Role(owner, "wrong-action", R"({"Version":"2012-10-17",
      "Statement":[{"Effect":"Allow","Action":["ec2:CreateImage","ec2:CopyImage"],"Resource":"*"},
                   {"Effect":"Allow","Action":"ec2:CreateTags","Resource":"*",
                    "Condition":{"StringEquals":{"ec2:CreateAction":"RunInstances"}}}]})");
  ExpectRefused("ec2:CreateTags on resource: arn:aws:ec2:us-east-1::image/*",
                [&] { return cloud->CreateImage(As(owner, wrong_action), create).status(); });
  const std::string builder = Role(owner, "builder", R"({"Version":"2012-10-17",
      "Statement":[{"Effect":"Allow","Action":["ec2:CreateImage","ec2:CopyImage"],"Resource":"*"},
                   {"Effect":"Allow","Action":"ec2:CreateTags","Resource":"*",
                    "Condition":{"StringEquals":{"ec2:CreateAction":["CreateImage","CopyImage"]}}}]})");
  EXPECT_THAT(cloud->CreateImage(As(owner, builder), create), IsOk());
  const ImageId source = SeedImage(owner);
  CopyImageRequest copy{source.ToString(), "us-east-1", "copied"};
  copy.tag_specifications = {{"snapshot", {{"team", "web"}}}};
  ExpectRefused("ec2:CreateTags on resource: arn:aws:ec2:us-east-1::snapshot/*",
                [&] { return cloud->CopyImage(As(owner, wrong_action), copy).status(); });
  EXPECT_THAT(cloud->CopyImage(As(owner, builder), copy), IsOk());
}

}  // namespace
}  // namespace ami
