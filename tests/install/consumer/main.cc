// Uses the installed headers and libraries: parses ids, builds an image, prints its JSON and
// checks an error code. Exits non-zero when anything is off.
#include <cstdio>
#include <string>

#include "ami/ami.h"
#include "ami/proto.h"

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
  const std::string json = ami::ToJson(*image);
  if (json.find("\"ImageId\": \"ami-0123456789abcdef0\"") == std::string::npos) return 3;
  const auto back = ami::FromJson<ami::Image>(json);
  if (!back.ok() || !(*back == *image)) return 4;
  const auto bad = ami::ImageId::Parse("ami-nope");
  if (ami::GetErrorCode(bad.status()) != ami::ErrorCode::kInvalidAMIIDMalformed) return 5;
  std::printf("consumer ok: %s\n", image->id().ToString().c_str());
  return 0;
}
