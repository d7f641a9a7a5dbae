// What an account learns of an image it cannot see (COPY-6, DESC-4, LAUNCH-4, SHARE-4, MC-60);
// request values checked before DryRun; the platform and Name on CreateImage and CopyImage.
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ami/cloud.h"
#include "ami/policy.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;

AccountId Account(const char* text) { return AccountId::Parse(text).value(); }

class Visibility : public ::testing::Test {
 protected:
  // A completed 8 GiB snapshot and an available image of `owner` mapping it.
  ImageId SeedImage(AccountId image_owner, const std::string& platform = "") {
    const SnapshotId snap_id = SnapshotId::Long(0x5eed00000 + ++seeded_);
    const Snapshot snap = Snapshot::Builder().set_id(snap_id).set_owner(image_owner)
                              .set_region(east).set_volume_size_gib(8)
                              .set_start_time(cloud->Now()).Build().value();
    EXPECT_THAT(cloud->ImportSnapshot(snap), IsOk());
    const ImageId id = ImageId::Long(0xa11e00000 + ++seeded_);
    Image::Builder b;
    b.set_id(id).set_name("image-" + std::to_string(seeded_)).set_owner(image_owner)
        .set_region(east).set_state(ImageState::kAvailable).set_creation_time(cloud->Now())
        .add_snapshot_mapping("/dev/xvda", snap).set_platform(platform);
    if (platform == "windows") b.set_platform_details("Windows");
    EXPECT_THAT(cloud->ImportImage(b.Build().value()), IsOk());
    return id;
  }
  absl::Status ShareWith(ImageId id, AccountId who) {
    ModifyImageAttributeRequest r{id.ToString()};
    r.add = {{who.ToString(), "", "", ""}};
    return cloud->ModifyImageAttribute(as_owner, r);
  }
  absl::StatusOr<ImageId> Copy(const CallContext& ctx, ImageId id, std::string name) {
    return cloud->CopyImage(ctx, {id.ToString(), "us-east-1", std::move(name)});
  }
  Decision PreflightCopy(AccountId caller, ImageId id) const {
    return cloud->Evaluate([&](const StateView& v) {
      return policy::EvaluateCopy(v, {caller, east, east, id, "copy", std::nullopt, std::nullopt});
    });
  }

  std::unique_ptr<Cloud> cloud = Cloud::Create();
  const Region east = Region::Parse("us-east-1").value();
  const AccountId owner = Account("111122223333");
  const AccountId b = Account("444455556666");
  const AccountId c = Account("777788889999");
  const CallContext as_owner{owner, east};
  const CallContext as_b{b, east};
  const CallContext as_c{c, east};
  int seeded_ = 0;
};

TEST_F(Visibility, COPY_6_CopyOfAnImageTheCallerCannotSeeIsNotFound) {
  const ImageId id = SeedImage(owner);
  auto before = cloud->Fork();
  EXPECT_THAT(Copy(as_c, id, "mine"), HasErrorCode(ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_EQ(PreflightCopy(c, id).reasons().front().code(), ErrorCode::kInvalidAMIIDNotFound);
  EXPECT_TRUE(cloud->StateEquals(*before));
  ASSERT_THAT(ShareWith(id, c), IsOk());
  const SnapshotId snap = *cloud->GetImage(id)->snapshot_ids().begin();
  ASSERT_THAT(cloud->ModifySnapshotAttribute(as_owner, {snap.ToString(), "add", {c.ToString()}, {}}),
              IsOk());
  EXPECT_THAT(Copy(as_c, id, "mine"), IsOk());  // Visible, and readable, once shared.
}

TEST_F(Visibility, DESC_4_DescribeOfAnInvisibleImageIsNotFound) {
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(ShareWith(id, b), IsOk());
  DescribeImagesRequest ids;
  ids.image_ids = {id.ToString()};
  EXPECT_THAT(cloud->DescribeImages(as_c, ids), HasErrorCode(ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_THAT(cloud->DescribeImages(as_b, ids), IsOk());
}

TEST_F(Visibility, SHARE_4_OwnerOperationsAreNotAuthorizedSeenOrNot) {
  // As observed: "Not authorized for image", for a sharee and for an account that cannot see it.
  const ImageId id = SeedImage(owner);
  ASSERT_THAT(ShareWith(id, b), IsOk());
  auto before = cloud->Fork();
  const std::string text = id.ToString();
  ModifyImageAttributeRequest describe{text};
  describe.description = "mine now";
  for (const CallContext& ctx : {as_b, as_c}) {
    EXPECT_THAT(cloud->ModifyImageAttribute(ctx, describe), HasErrorCode(ErrorCode::kAuthFailure));
    EXPECT_THAT(cloud->DescribeImageAttribute(ctx, text, "description"),
                HasErrorCode(ErrorCode::kAuthFailure));
    EXPECT_THAT(cloud->DeregisterImage(ctx, text), HasErrorCode(ErrorCode::kAuthFailure));
  }
  EXPECT_THAT(cloud->ModifyImageAttribute(as_owner, describe), IsOk());
  EXPECT_FALSE(cloud->StateEquals(*before));
}

TEST_F(Visibility, LAUNCH_4_LaunchOfAnInvisibleImageIsNotAuthorized) {
  // RunInstances answers "Not authorized for images" even when DescribeImages shows nothing.
  const ImageId id = SeedImage(owner);
  RunInstancesRequest run;
  run.image_id = id.ToString();
  EXPECT_THAT(cloud->RunInstances(as_c, run), HasErrorCode(ErrorCode::kAuthFailure));
  ASSERT_THAT(ShareWith(id, c), IsOk());
  EXPECT_THAT(cloud->RunInstances(as_c, run), IsOk());
}

TEST_F(Visibility, CREATE_18_DryRunWithAnInvalidValueIsInvalidParameterValue) {
  const ImageId id = SeedImage(owner);
  ModifyImageAttributeRequest r{id.ToString()};
  r.imds_support = "v1.0";
  const CallContext dry{owner, east, /*dry_run=*/true};
  EXPECT_THAT(cloud->ModifyImageAttribute(dry, r), HasErrorCode(ErrorCode::kInvalidParameterValue));
  r.imds_support = "v2.0";
  EXPECT_THAT(cloud->ModifyImageAttribute(dry, r), HasErrorCode(ErrorCode::kDryRunOperation));
  EXPECT_THAT(cloud->ResetImageAttribute(dry, id.ToString(), "description"),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(cloud->ResetImageAttribute(dry, id.ToString(), "launchPermission"),
              HasErrorCode(ErrorCode::kDryRunOperation));
}

TEST_F(Visibility, CREATE_13_ImageOfAWindowsInstanceIsWindows) {
  for (const std::string platform : {"windows", ""}) {
    const ImageId parent = SeedImage(owner, platform);
    RunInstancesRequest run;
    run.image_id = parent.ToString();
    const std::vector<InstanceId> launched = cloud->RunInstances(as_owner, run).value();
    EXPECT_EQ(cloud->GetInstance(launched.front())->platform(), platform);
    cloud->AdvanceClock(absl::Minutes(5));
    CreateImageRequest create;
    create.instance_id = launched.front().ToString();
    create.name = "from-" + launched.front().ToString();
    const ImageId made = cloud->CreateImage(as_owner, create).value();
    EXPECT_EQ(cloud->GetImage(made)->platform(), platform);
  }
}

TEST_F(Visibility, COPY_1_CopyWithoutANameIsMissingParameter) {
  const ImageId id = SeedImage(owner);
  auto before = cloud->Fork();
  EXPECT_THAT(Copy(as_owner, id, ""), HasErrorCode(ErrorCode::kMissingParameter));
  EXPECT_THAT(Copy(as_owner, id, "a"), HasErrorCode(ErrorCode::kInvalidAMINameMalformed));
  EXPECT_TRUE(cloud->StateEquals(*before));
  EXPECT_THAT(Copy(as_owner, id, "named"), IsOk());
}

}  // namespace
}  // namespace ami
