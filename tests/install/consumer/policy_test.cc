// The testing kit's example in README.md ("Testing kit"), as written there: built against the
// installed package and run by the install test, so that the example stays true.
#include "ami/ami.h"
#include "ami/cloud.h"
#include "ami/testing/matchers.h"
#include "ami/testing/no_change.h"
#include "gmock/gmock.h"

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsDeniedBy;
using ::ami::testing::IsOk;

TEST(Policy, AnUnsharedImageStaysWithItsOwner) {
  const auto owner = ami::AccountId::Parse("111122223333").value();
  const auto other = ami::AccountId::Parse("444455556666").value();
  const auto region = ami::Region::Parse("us-east-1").value();
  auto cloud = ami::Cloud::Create();
  ASSERT_THAT(cloud->AddAccount(owner), IsOk());
  ASSERT_THAT(cloud->AddAccount(other), IsOk());
  const auto snap = ami::Snapshot::Builder()
                        .set_id(ami::SnapshotId::Parse("snap-0123456789abcdef0").value())
                        .set_owner(owner).set_region(region).set_volume_size_gib(8)
                        .set_start_time(cloud->Now()).Build().value();
  const auto image = ami::Image::Builder()
                         .set_id(ami::ImageId::Parse("ami-0123456789abcdef0").value())
                         .set_name("golden").set_owner(owner).set_region(region)
                         .set_creation_time(cloud->Now())
                         .add_snapshot_mapping("/dev/xvda", snap).Build().value();
  ASSERT_THAT(cloud->ImportSnapshot(snap), IsOk());
  ASSERT_THAT(cloud->ImportImage(image), IsOk());

  EXPECT_THAT(cloud->Evaluate([&](const ami::StateView& view) {
    return ami::policy::EvaluateLaunchPermission(view, image, other);
  }), IsDeniedBy("LAUNCH-4"));

  ami::ModifyImageAttributeRequest share;  // `other` tries to share the owner's image.
  share.image_id = image.id().ToString();
  share.add.push_back({other.ToString()});
  EXPECT_NO_CHANGE(cloud, EXPECT_THAT(cloud->ModifyImageAttribute({other, region}, share),
                                      HasErrorCode(ami::ErrorCode::kAuthFailure)));
}
