// Uses every installed header and library, the proto and tools components included: parses
// ids, builds an image, prints its JSON, checks an error code, reads the modelling choices
// and describes a rule id.
// Exits non-zero when anything is off.
#include <cstdio>
#include <string>

#include "ami/ami.h"
#include "ami/arns.h"
#include "ami/attributes.h"
#include "ami/io/aws_import.h"
#include "ami/cloud.h"
#include "ami/errors.h"
#include "ami/ids.h"
#include "ami/image.h"
#include "ami/instance.h"
#include "ami/kms_key.h"
#include "ami/policy.h"
#include "ami/io/proto.h"
#include "ami/requests.h"
#include "ami/rules.h"
#include "ami/snapshot.h"
#include "ami/io/state_file.h"
#include "ami/state_view.h"
#include "ami/tools/audit.h"
#include "ami/tools/config_rules.h"
#include "ami/tools/fleet.h"
#include "ami/tools/launch_table.h"
#include "ami/tools/modelling_choices.h"
#include "ami/tools/scenario.h"

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
  if (ami::ModellingChoices().empty()) return 6;
  const auto rule = ami::DescribeRule("SHARE-16");
  if (!rule || rule->doc_url.rfind("https://docs.aws.amazon.com/", 0) != 0) return 8;
  const auto rules = ami::ParseDescribeConfigRules(
      R"({"ConfigRules":[{"Source":{"Owner":"AWS","SourceIdentifier":"APPROVED_AMIS_BY_ID"},)"
      R"("InputParameters":"{\"amiIds\":\"ami-0123456789abcdef0\"}"}]})");
  if (!rules.ok() || rules->size() != 1 || rules->front().ami_ids().front() != *id) return 7;
  std::printf("consumer ok: %s\n", image->id().ToString().c_str());
  return 0;
}
