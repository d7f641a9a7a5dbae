// amictl instance-images: DescribeInstanceImageMetadata (GOV-9) — the image each instance of an
// account was launched from, and whether it meets the account's Allowed AMIs criteria.
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ami/errors.h"
#include "ami/io/state_file.h"
#include "cli.h"
#include "nlohmann/json.hpp"
#include "progress.h"

namespace amictl {
namespace {

using nlohmann::ordered_json;

constexpr char kHelp[] =
    "usage: amictl instance-images --state STATE --as ACCOUNT --region REGION\n"
    "                              [--instance-id ID]... [--filter NAME=VALUE[,VALUE...]]...\n"
    "\n"
    "DescribeInstanceImageMetadata: the account's instances in the Region with the image each\n"
    "was launched from (even if deprecated, deregistered or no longer shared), its owner,\n"
    "alias, creation date, deprecation time, and whether it meets the account's Allowed AMIs\n"
    "criteria (ImageAllowed). Filters: availability-zone, image-allowed, instance-id,\n"
    "instance-state-name, instance-type, launch-time, owner-alias, owner-id, tag:KEY, tag-key.\n"
    "--json prints the shape of `aws ec2 describe-instance-image-metadata`. Exit 0; 2 for bad\n"
    "input (InvalidInstanceID.NotFound for an instance that is not the account's).\n";

// EC2's numeric instance state codes.
int StateCode(ami::InstanceState s) {
  switch (s) {
    case ami::InstanceState::kPending: return 0;
    case ami::InstanceState::kRunning: return 16;
    case ami::InstanceState::kShuttingDown: return 32;
    case ami::InstanceState::kTerminated: return 48;
    case ami::InstanceState::kStopping: return 64;
    case ami::InstanceState::kStopped: return 80;
  }
  return -1;
}

ordered_json ImageJson(const ami::ImageMetadata& m) {
  ordered_json j;
  j["ImageId"] = m.image_id.ToString();
  if (!m.known) return j;  // The state does not hold the image: only its id is known.
  j["Name"] = m.name;
  j["OwnerId"] = m.owner.ToString();
  j["State"] = std::string(ami::ToString(m.state));
  if (m.owner_alias != ami::OwnerAlias::kNone) j["ImageOwnerAlias"] = std::string(ami::ToString(m.owner_alias));
  j["CreationDate"] = ami::FormatAwsTime(m.creation_date);
  if (m.deprecation_time.has_value()) j["DeprecationTime"] = ami::FormatAwsTime(*m.deprecation_time);
  if (m.image_allowed.has_value()) j["ImageAllowed"] = *m.image_allowed;
  j["IsPublic"] = m.is_public;
  return j;
}

ordered_json InstanceJson(const ami::InstanceImageMetadata& m) {
  const ami::Instance& i = m.instance;
  ordered_json j;
  j["InstanceId"] = i.id().ToString();
  j["InstanceType"] = i.instance_type();
  j["LaunchTime"] = ami::FormatAwsTime(i.launch_time());
  j["AvailabilityZone"] = i.availability_zone().ToString();
  j["State"] = {{"Code", StateCode(i.state())}, {"Name", std::string(ami::ToString(i.state()))}};
  j["OwnerId"] = i.owner().ToString();
  ordered_json tags = ordered_json::array();
  for (const ami::Tag& t : i.tags()) tags.push_back({{"Key", t.key()}, {"Value", t.value()}});
  j["Tags"] = std::move(tags);
  j["ImageMetadata"] = ImageJson(m.image);
  return j;
}

// The request from --instance-id and --filter NAME=VALUE[,VALUE...] options.
absl::StatusOr<ami::DescribeInstanceImageMetadataRequest> RequestOf(const Args& args) {
  ami::DescribeInstanceImageMetadataRequest r;
  for (const Args::Item& item : args.items) {
    if (item.option == "--instance-id") r.instance_ids.push_back(item.value);
    if (item.option != "--filter") continue;
    const std::pair<std::string, std::string> kv = absl::StrSplit(item.value, absl::MaxSplits('=', 1));
    if (kv.first.empty() || item.value.find('=') == std::string::npos) {
      return ami::MakeError(ami::ErrorCode::kInvalidParameterValue,
                            absl::StrCat("a filter is NAME=VALUE[,VALUE...], not `", item.value, "`"));
    }
    r.filters.push_back({kv.first, absl::StrSplit(kv.second, ',')});
  }
  return r;
}

}  // namespace

int InstanceImages(const Args& args) {
  if (args.help) {
    std::fputs(kHelp, stdout);
    return kOk;
  }
  const auto state = args.Get("--state"), as = args.Get("--as"), region = args.Get("--region");
  if (!state || !as || !region) {
    std::fputs(kHelp, stderr);
    return kUsage;
  }
  auto account = ami::AccountId::Parse(*as);
  if (!account.ok()) return Fail(args, account.status());
  auto where = ami::Region::Parse(*region);
  if (!where.ok()) return Fail(args, where.status());
  auto request = RequestOf(args);
  if (!request.ok()) return Fail(args, request.status());
  auto cloud = LoadStateShowingProgress(*state);
  if (!cloud.ok()) return Fail(args, cloud.status());
  auto result = (*cloud)->DescribeInstanceImageMetadata({*account, *where}, *request);
  if (!result.ok()) return Fail(args, result.status());
  if (args.json) {
    ordered_json out;
    out["InstanceImageMetadata"] = ordered_json::array();
    for (const auto& m : result->instances) out["InstanceImageMetadata"].push_back(InstanceJson(m));
    std::printf("%s\n", out.dump(2).c_str());
    return kOk;
  }
  for (const auto& m : result->instances) {
    const ami::ImageMetadata& img = m.image;
    const std::string allowed =
        img.image_allowed.has_value() ? (*img.image_allowed ? "allowed" : "not-allowed") : "unknown";
    std::printf("%-20s %-10s %-22s %-13s %s\n", m.instance.id().ToString().c_str(),
                std::string(ami::ToString(m.instance.state())).c_str(), img.image_id.ToString().c_str(),
                img.known ? img.owner.ToString().c_str() : "-", allowed.c_str());
  }
  std::printf("%zu instance(s)\n", result->instances.size());
  return kOk;
}

}  // namespace amictl
