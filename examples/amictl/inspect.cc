// amictl inspect: what a state file holds — format version, clock, organizations, accounts,
// Regions, and how many of each kind of record per account and Region.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "ami/errors.h"
#include "ami/ids.h"
#include "ami/io/state_file.h"
#include "ami/v1/state.pb.h"
#include "cli.h"
#include "explain.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl.h"
#include "progress.h"

namespace amictl {
namespace {

using nlohmann::ordered_json;
namespace v1 = ami::v1;

constexpr char kHelp[] =
    "usage: amictl inspect [--output text|json] STATE\n"
    "\n"
    "Loads STATE (refusing a damaged file as every command does), then lists what it holds: its\n"
    "format version, clock and start time, record count and size, organizations (management\n"
    "account, member accounts, service control policies), accounts (those added to the cloud;\n"
    "the owners of resources appear in the counts), Regions, and the count of\n"
    "each kind of record (images, snapshots, instances, keys, aliases, principals, settings,\n"
    "recycle bin rules and entries, client tokens, tags) per account and Region, IAM's under\n"
    "Region `global`. Exit 0, or 2 when STATE cannot be loaded.\n";

// The Region IAM principals and other account-wide records are counted under.
constexpr char kGlobal[] = "global";

struct Organization {
  std::string management;
  uint64_t accounts = 0;
  uint64_t policies = 0;
};

// What a pass over the records found.
struct Contents {
  uint32_t version = 0;
  std::string now, start_time;
  uint64_t records = 0, bytes = 0;
  std::map<std::string, Organization> organizations;
  std::map<std::string, std::string> accounts;  // account → its organization ("" for none)
  std::map<std::pair<std::string, std::string>, std::map<std::string, uint64_t>> counts;
  std::map<std::string, uint64_t> totals;
};

std::string RegionOfZone(const std::string& zone) {
  auto parsed = ami::AvailabilityZone::Parse(zone);
  return parsed.ok() ? parsed->region().ToString() : zone;
}

// The Region field of a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID).
std::string RegionOfArn(const std::string& arn) {
  const std::vector<std::string> parts = absl::StrSplit(arn, ':');
  return parts.size() > 3 ? parts[3] : "";
}

void Count(Contents* c, const std::string& kind, const std::string& account,
           const std::string& region) {
  ++c->totals[kind];
  if (!account.empty()) ++c->counts[{account, region.empty() ? kGlobal : region}][kind];
}

// Counts the resource records: those an account owns in a Region.
void CountResource(const v1::StateRecord& r, Contents* c) {
  using R = v1::StateRecord;
  switch (r.record_case()) {
    case R::kSettings:
      return Count(c, "settings", r.settings().account_id(), r.settings().region());
    case R::kAllowedImages:
      return Count(c, "allowed_images_settings", r.allowed_images().account_id(),
                   r.allowed_images().region());
    case R::kRetentionRule:
      return Count(c, "recycle_bin_rules", r.retention_rule().account_id(),
                   r.retention_rule().region());
    case R::kKey: return Count(c, "keys", r.key().aws_account_id(), RegionOfArn(r.key().arn()));
    case R::kAlias: return Count(c, "aliases", r.alias().account_id(), r.alias().region());
    case R::kSnapshot: return Count(c, "snapshots", r.snapshot().owner_id(), r.snapshot().region());
    case R::kImage: return Count(c, "images", r.image().owner_id(), r.image().region());
    case R::kInstance:
      return Count(c, "instances", r.instance().owner_id(),
                   RegionOfZone(r.instance().placement().availability_zone()));
    case R::kBin:
      return r.bin().has_image() ? Count(c, "recycle_bin_entries", r.bin().image().owner_id(),
                                         r.bin().image().region())
                                 : Count(c, "recycle_bin_entries", r.bin().snapshot().owner_id(),
                                         r.bin().snapshot().region());
    case R::kClientToken:
      return Count(c, "client_tokens", r.client_token().account_id(), r.client_token().region());
    case R::kForeignTags: return Count(c, "tags", r.foreign_tags().account_id(), kGlobal);
    case R::kPrincipal: return Count(c, "principals", r.principal().account_id(), kGlobal);
    case R::kCreating: return Count(c, "create_image_in_progress", "", "");
    case R::kPending: return Count(c, "pending_work", "", "");
    case R::kFullAccessDetached: return Count(c, "full_access_detached", "", "");
    default: return;
  }
}

void Add(const v1::StateRecord& r, Contents* c) {
  if (r.has_header()) {
    c->version = r.header().version();
    c->now = r.header().now();
    c->start_time = r.header().start_time();
  } else if (r.has_organization()) {
    c->organizations[r.organization().organization_id()].management =
        r.organization().management_account();
  } else if (r.has_account()) {
    c->accounts[r.account().account_id()] = r.account().organization_id();
    if (!r.account().organization_id().empty())
      ++c->organizations[r.account().organization_id()].accounts;
  } else if (r.has_service_control_policy()) {
    ++c->organizations[r.service_control_policy().organization_id()].policies;
  } else {
    CountResource(r, c);
  }
}

// Reads every record of the state file at `path`, which a load has just accepted.
absl::StatusOr<Contents> Scan(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  google::protobuf::io::IstreamInputStream stream(&in);
  Contents c;
  v1::StateRecord record;
  while (true) {
    // A coded stream per record: one stream's byte count is limited to 2 GiB.
    google::protobuf::io::CodedInputStream coded(&stream);
    uint32_t size = 0;
    if (!coded.ReadVarint32(&size)) break;
    const auto limit =
        coded.PushLimit(static_cast<int>(std::min<uint64_t>(size, ami::kMaxStateRecordBytes)));
    if (size > ami::kMaxStateRecordBytes || !record.ParseFromCodedStream(&coded) ||
        !coded.ConsumedEntireMessage()) {
      return ami::MakeError(ami::ErrorCode::kSerializationException,
                            absl::StrCat("state file: `", path, "` changed while it was read"));
    }
    coded.PopLimit(limit);
    c.bytes += coded.CurrentPosition();
    ++c.records;
    Add(record, &c);
  }
  return c;
}

std::set<std::string> Regions(const Contents& c) {
  std::set<std::string> out;
  for (const auto& [where, kinds] : c.counts) {
    if (where.second != kGlobal) out.insert(where.second);
  }
  return out;
}

ordered_json ToJson(const std::string& path, const Contents& c) {
  ordered_json orgs = ordered_json::array(), accounts = ordered_json::array(),
               counts = ordered_json::array();
  for (const auto& [id, o] : c.organizations) {
    orgs.push_back({{"Id", id},
                    {"ManagementAccount", o.management},
                    {"Accounts", o.accounts},
                    {"ServiceControlPolicies", o.policies}});
  }
  for (const auto& [id, org] : c.accounts) accounts.push_back({{"Id", id}, {"Organization", org}});
  for (const auto& [where, kinds] : c.counts) {
    counts.push_back({{"Account", where.first}, {"Region", where.second}, {"Counts", kinds}});
  }
  return {{"State", path},         {"FormatVersion", c.version},
          {"Clock", c.now},        {"StartTime", c.start_time},
          {"Records", c.records},  {"Bytes", c.bytes},
          {"Organizations", orgs}, {"Accounts", accounts},
          {"Regions", Regions(c)}, {"Totals", c.totals},
          {"Counts", counts}};
}

std::string Kinds(const std::map<std::string, uint64_t>& kinds) {
  std::vector<std::string> parts;
  for (const auto& [kind, n] : kinds) parts.push_back(absl::StrCat(n, " ", kind));
  return parts.empty() ? "nothing" : absl::StrJoin(parts, ", ");
}

void PrintText(const std::string& path, const Contents& c) {
  std::printf("state %s: format version %u, %llu records, %llu bytes\n", path.c_str(), c.version,
              static_cast<unsigned long long>(c.records), static_cast<unsigned long long>(c.bytes));
  std::printf("clock %s (started %s)\n", c.now.c_str(), c.start_time.c_str());
  for (const auto& [id, o] : c.organizations) {
    std::printf(
        "organization %s: management account %s, %llu accounts, %llu service control policies\n",
        id.c_str(), o.management.c_str(), static_cast<unsigned long long>(o.accounts),
        static_cast<unsigned long long>(o.policies));
  }
  std::vector<std::string> accounts;
  for (const auto& [id, org] : c.accounts)
    accounts.push_back(org.empty() ? id : absl::StrCat(id, " (", org, ")"));
  const std::set<std::string> regions = Regions(c);
  std::printf("accounts: %s\n", accounts.empty() ? "none" : absl::StrJoin(accounts, ", ").c_str());
  std::printf("regions: %s\n", regions.empty() ? "none" : absl::StrJoin(regions, ", ").c_str());
  std::printf("total: %s\n", Kinds(c.totals).c_str());
  for (const auto& [where, kinds] : c.counts) {
    std::printf("%s %s: %s\n", where.first.c_str(), where.second.c_str(), Kinds(kinds).c_str());
  }
}

}  // namespace

int Inspect(const Args& args) {
  if (args.help) {
    std::fputs(kHelp, stdout);
    return kOk;
  }
  const std::vector<std::string> words = args.Positionals();
  if (words.size() != 1) {
    std::fputs(kHelp, stderr);
    return kUsage;
  }
  auto cloud = LoadStateShowingProgress(words[0]);
  if (!cloud.ok()) return Fail(args, cloud.status());
  cloud->reset();  // only the check was wanted: the counts come from the records
  absl::StatusOr<Contents> contents = Scan(words[0]);
  if (!contents.ok()) return Fail(args, contents.status());
  if (args.json) {
    std::printf("%s\n", DumpJson(ToJson(words[0], *contents), 2).c_str());
  } else {
    PrintText(words[0], *contents);
  }
  return kOk;
}

}  // namespace amictl
