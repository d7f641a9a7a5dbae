// Uses every installed core header, and nothing of protobuf: parses ids, builds an image, asks a
// Cloud and the policy engine, checks an error code and the next firing of a schedule. Exits
// non-zero when anything is off.
#include <cstdio>

#include "ami/ami.h"
#include "ami/arns.h"
#include "ami/attributes.h"
#include "ami/cloud.h"
#include "ami/errors.h"
#include "ami/iam/iam.h"
#include "ami/ids.h"
#include "ami/image.h"
#include "ami/instance.h"
#include "ami/kms_key.h"
#include "ami/policy.h"
#include "ami/requests.h"
#include "ami/automation/schedule.h"
#include "ami/snapshot.h"
#include "ami/state_view.h"

#ifdef GOOGLE_PROTOBUF_VERSION
#error "an installed core header includes protobuf"
#endif

int main() {
  const auto id = ami::ImageId::Parse("ami-0123456789abcdef0");
  const auto owner = ami::AccountId::Parse("012345678901");
  const auto region = ami::Region::Parse("eu-west-1");
  const auto snap = ami::SnapshotId::Parse("snap-0123456789abcdef0");
  if (!id.ok() || !owner.ok() || !region.ok() || !snap.ok()) return 1;
  ami::BlockDeviceMapping root;
  root.device_name = "/dev/xvda";
  root.ebs = ami::EbsBlockDevice{*snap, 8};
  const auto image = ami::Image::Builder()
                         .set_id(*id)
                         .set_name("consumer-image")
                         .set_owner(*owner)
                         .set_region(*region)
                         .add_block_device_mapping(root)
                         .Build();
  if (!image.ok()) return 2;
  const auto bad = ami::ImageId::Parse("ami-nope");
  if (ami::GetErrorCode(bad.status()) != ami::ErrorCode::kInvalidAMIIDMalformed) return 3;
  const auto key = ami::KmsKeyRef::Parse("alias/mine");
  if (!key.ok()) return 4;
  const auto tag = ami::Tag::Create("Name", "consumer");
  if (!tag.ok()) return 5;
  // An empty cloud answers DescribeImages with no image.
  const auto cloud = ami::Cloud::Create();
  const ami::CallContext ctx{*owner, *region, false};
  const auto described = cloud->DescribeImages(ctx, ami::DescribeImagesRequest{});
  if (!described.ok() || !described->images.empty()) return 6;
  // A role whose policy allows only describing may not deregister.
  ami::iam::PrincipalSpec reader;
  reader.name = "reader";
  reader.policies = {{"inline:reader",
                      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
                      R"("Action":"ec2:Describe*","Resource":"*"}]})"}};
  const auto arn = ami::iam::PutPrincipal(*cloud, *owner, reader);
  if (!arn.ok()) return 7;
  ami::CallContext as_reader = ctx;
  as_reader.principal = *arn;
  if (ami::GetErrorCode(cloud->DeregisterImage(as_reader, *id).status()) !=
      ami::ErrorCode::kUnauthorizedOperation) {
    return 8;
  }
  // A daily cron in New York fires at 14:00 UTC in winter, and the time zone database is found.
  const auto daily = ami::ScheduleExpression::Parse("cron(0 9 * * ? *)", "America/New_York");
  if (!daily.ok()) return 9;
  const absl::Time jan1 = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z
  if (daily->NextAfter(jan1, jan1) != jan1 + absl::Hours(14)) return 10;
  std::printf("core consumer ok: %s\n", image->id().ToString().c_str());
  return 0;
}
