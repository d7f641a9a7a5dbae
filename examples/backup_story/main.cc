// ami_backup_story: one fleet, three ways to back it up with AMIs, side by side for 30 simulated
// days (rulebook §12).
//
//   - AWS Backup, daily, recovery points kept 7 days: it never reboots, so every AMI is only
//     crash-consistent (BACKUP-1).
//   - An EventBridge nightly schedule whose target calls CreateImage with a reboot, and deletes
//     its AMIs after 7 days: file-system-consistent AMIs, at the cost of a reboot a night
//     (BACKUP-4).
//   - A Data Lifecycle Manager policy every 12 hours keeping 14 AMIs (the newest 7 not
//     deprecated), NoReboot by default (BACKUP-5), and a weekly schedule copying to another
//     Region under a customer managed key, copies kept 4 weeks (BACKUP-9).
//
// Prints what exists at the end: AMIs per strategy, their consistency and deprecation, the
// snapshots behind them, the reboots each strategy cost; then the audit's view. Exits non-zero
// when any figure is not the one the rules give.
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ami/ami.h"
#include "ami/automation/automation.h"
#include "ami/iam/iam.h"
#include "ami/tools/audit.h"
#include "examples/common/steps.h"

namespace {

using namespace ami;

using examples::failures;
using examples::Must;
using examples::MustOk;
using examples::Step;

constexpr char kAccount[] = "111122223333";
constexpr char kAllowAll[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})";
const char* const kStrategies[] = {"aws-backup", "nightly-reboot", "dlm"};

CallContext Ctx(const char* region = "us-east-1") {
  CallContext ctx;
  ctx.account = Must(AccountId::Parse(kAccount), "account");
  ctx.region = Must(Region::Parse(region), "region");
  return ctx;
}

// The account's base image (seeded as an import would) and two instances per strategy, each
// tagged strategy=<name>.
std::map<InstanceId, std::string> Fleet(Cloud& cloud) {
  const CallContext ctx = Ctx();
  MustOk(cloud.AddAccount(ctx.account), "account");
  const Snapshot root = Must(Snapshot::Builder()
                                 .set_id(Must(SnapshotId::Parse("snap-0b0b0b0b0b0b0b0b0"), "snap"))
                                 .set_owner(ctx.account)
                                 .set_region(ctx.region)
                                 .set_volume_size_gib(8)
                                 .set_start_time(cloud.Now())
                                 .Build(),
                             "root snapshot");
  const Image base = Must(Image::Builder()
                              .set_id(Must(ImageId::Parse("ami-0b0b0b0b0b0b0b0b0"), "ami"))
                              .set_name("golden-2026-01")
                              .set_owner(ctx.account)
                              .set_region(ctx.region)
                              .set_creation_time(cloud.Now())
                              .add_snapshot_mapping("/dev/xvda", root)
                              .Build(),
                          "base image");
  MustOk(cloud.ImportSnapshot(root), "import snapshot");
  MustOk(cloud.ImportImage(base), "import image");
  std::map<InstanceId, std::string> fleet;
  for (const char* strategy : kStrategies) {
    RunInstancesRequest launch;
    launch.image_id = base.id().ToString();
    launch.count = 2;
    launch.tags = {{"strategy", strategy}};
    for (InstanceId id : Must(cloud.RunInstances(ctx, launch), "launch")) fleet[id] = strategy;
  }
  cloud.AdvanceClock(absl::Minutes(5));
  return fleet;
}

void SetUpAwsBackup(Automation& a) {
  const CallContext ctx = Ctx();
  const std::string role = Must(a.CreateBackupDefaultServiceRole(ctx), "backup role");
  MustOk(a.CreateBackupVault(ctx, "Default"), "vault");
  BackupRule daily;
  daily.rule_name = "daily";
  daily.target_backup_vault_name = "Default";
  daily.schedule_expression = "cron(0 5 * * ? *)";
  daily.lifecycle.delete_after_days = 7;
  const std::string plan = Must(a.CreateBackupPlan(ctx, {"daily-7", {daily}}), "backup plan");
  BackupSelectionRequest selection;
  selection.selection_name = "tagged";
  selection.iam_role_arn = role;
  selection.list_of_tags = {{"STRINGEQUALS", "strategy", "aws-backup"}};
  Must(a.CreateBackupSelection(ctx, plan, selection), "backup selection");
}

void SetUpNightly(Cloud& cloud, Automation& a) {
  const CallContext ctx = Ctx();
  iam::PrincipalSpec lambda;
  lambda.name = "nightly-ami-lambda";
  lambda.policies = {{"ec2", kAllowAll}};
  EventScheduleRequest nightly;
  nightly.name = "nightly-ami";
  nightly.schedule_expression = "cron(0 3 * * ? *)";
  nightly.role_arn = Must(iam::PutPrincipal(cloud, ctx.account, lambda), "lambda role");
  AutomationAction create;
  create.kind = AutomationAction::Kind::kCreateImage;
  create.instance_tags = {{"strategy", "nightly-reboot"}};
  create.no_reboot = false;
  create.name_prefix = "nightly";
  create.tags_to_add = {{"strategy", "nightly-reboot"}};
  AutomationAction expire;
  expire.kind = AutomationAction::Kind::kDeregisterOlderThan;
  expire.image_tags = {{"strategy", "nightly-reboot"}};
  expire.older_than_days = 7;
  nightly.actions = {create, expire};
  MustOk(a.PutSchedule(ctx, nightly), "nightly schedule");
}

void SetUpDlm(Cloud& cloud, Automation& a) {
  const CallContext ctx = Ctx();
  const CallContext west = Ctx("us-west-2");
  CreateKeyRequest key;
  key.description = "dr-copies";
  const KmsKeyArn west_key = Must(cloud.CreateKey(west, key), "west key");
  iam::PrincipalSpec role;
  role.name = "dlm-ami-role";
  role.policies = {{"ec2-and-kms", kAllowAll}};
  LifecyclePolicyRequest policy;
  policy.description = "every 12 hours and a weekly DR copy";
  policy.execution_role_arn = Must(iam::PutPrincipal(cloud, ctx.account, role), "dlm role");
  policy.target_tags = {{"strategy", "dlm"}};
  DlmSchedule twice_a_day;
  twice_a_day.name = "every-12-hours";
  twice_a_day.create_rule = DlmCreateRule{"", 12, "HOURS", {"00:00"}};
  twice_a_day.retain_rule.count = 14;
  twice_a_day.deprecate_rule.count = 7;
  DlmSchedule weekly;
  weekly.name = "weekly-dr-copy";
  weekly.create_rule.cron_expression = "cron(0 4 ? * SUN *)";
  weekly.retain_rule.count = 4;
  DlmCrossRegionCopyRule copy;
  copy.target_region = "us-west-2";
  copy.encrypted = true;
  copy.cmk_arn = west_key.ToString();
  copy.retain_rule = DlmAgeOrCount{0, 4, "WEEKS"};
  weekly.cross_region_copy_rules = {copy};
  policy.schedules = {twice_a_day, weekly};
  Must(a.CreateLifecyclePolicy(ctx, policy), "dlm policy");
}

struct Tally {
  int amis = 0;
  int crash = 0;
  int consistent = 0;
  int deprecated = 0;
  std::set<SnapshotId> snapshots;
  int reboots = 0;
  int copies = 0;
};

std::map<std::string, Tally> Count(const Cloud& cloud, const std::map<InstanceId, std::string>& fleet) {
  std::map<std::string, Tally> by;
  for (const Image& image : cloud.ListImages()) {
    if (!image.source_instance().has_value() || image.state() == ImageState::kDeregistered) continue;
    auto it = fleet.find(*image.source_instance());
    if (it == fleet.end()) continue;
    Tally& t = by[it->second];
    if (image.region() != Must(Region::Parse("us-east-1"), "region")) continue;
    ++t.amis;
    (image.consistency() == ImageConsistency::kFileSystemConsistent ? t.consistent : t.crash)++;
    if (image.deprecation_time().has_value() && *image.deprecation_time() <= cloud.Now()) {
      ++t.deprecated;
    }
    for (SnapshotId s : image.snapshot_ids()) t.snapshots.insert(s);
  }
  // DLM's copies in the other Region carry its policy tag (a copy's source is an image).
  for (const Image& image : cloud.ListImages()) {
    if (image.region() == Must(Region::Parse("us-west-2"), "region") &&
        image.state() == ImageState::kAvailable &&
        image.tags().Find("aws:dlm:lifecycle-policy-id").has_value()) {
      ++by["dlm"].copies;
    }
  }
  for (const auto& [id, strategy] : fleet) {
    by[strategy].reboots += static_cast<int>(cloud.GetInstance(id)->reboot_count());
  }
  return by;
}

void Expect(const char* what, int got, int want) {
  if (got == want) return;
  std::printf("UNEXPECTED %s: %d, expected %d\n", what, got, want);
  ++failures;
}

}  // namespace

int main() {
  std::unique_ptr<Cloud> cloud = Cloud::Create();
  Step("A fleet of six instances, two per strategy (account 111122223333, us-east-1)");
  const std::map<InstanceId, std::string> fleet = Fleet(*cloud);
  Automation automation(*cloud);
  SetUpAwsBackup(automation);
  SetUpNightly(*cloud, automation);
  SetUpDlm(*cloud, automation);

  Step("30 days pass");
  cloud->AdvanceClock(absl::Hours(24 * 30));
  std::printf("clock: %s\n", absl::FormatTime("%Y-%m-%d %H:%M UTC", cloud->Now(), absl::UTCTimeZone()).c_str());

  Step("What exists now");
  const std::map<std::string, Tally> by = Count(*cloud, fleet);
  std::printf("%-16s %5s %6s %11s %11s %10s %8s %13s\n", "strategy", "AMIs", "crash", "file-system",
              "deprecated", "snapshots", "reboots", "copies (west)");
  for (const char* s : kStrategies) {
    const Tally& t = by.count(s) ? by.at(s) : Tally();
    std::printf("%-16s %5d %6d %11d %11d %10zu %8d %13d\n", s, t.amis, t.crash, t.consistent,
                t.deprecated, t.snapshots.size(), t.reboots, t.copies);
  }
  const Tally& backup = by.at("aws-backup");
  const Tally& nightly = by.at("nightly-reboot");
  const Tally& dlm = by.at("dlm");
  // AWS Backup: daily at 05:00, each kept 7 days: days 24 … 30 remain; never a reboot.
  Expect("AWS Backup AMIs", backup.amis, 2 * 7);
  Expect("AWS Backup file-system-consistent AMIs", backup.consistent, 0);
  Expect("AWS Backup reboots", backup.reboots, 0);
  // Nightly with reboot: one reboot per instance per night, every AMI file-system-consistent.
  Expect("nightly reboots", nightly.reboots, 2 * 30);
  // Made at 03:00 each night; each night's firing deletes those older than 7 days: nights 23 … 30.
  Expect("nightly AMIs", nightly.amis, 2 * 8);
  Expect("nightly crash-consistent AMIs", nightly.crash, 0);
  // DLM: 14 of the 12-hourly AMIs and 4 weekly ones per instance; 7 of the 14 deprecated;
  // the 4 weekly copies (January 2026's Sundays) within their 4 weeks; NoReboot by default.
  Expect("DLM AMIs", dlm.amis, 2 * (14 + 4));
  Expect("DLM deprecated AMIs", dlm.deprecated, 2 * 7);
  Expect("DLM copies", dlm.copies, 2 * 4);
  Expect("DLM reboots", dlm.reboots, 0);
  Expect("DLM file-system-consistent AMIs", dlm.consistent, 0);

  Step("The audit: instances whose recent backups are all crash-consistent");
  int flagged = 0;
  for (const Finding& f : Audit(*cloud)) {
    if (f.kind != FindingKind::kInstanceBackupsCrashConsistent) continue;
    std::printf("%s (%s): %s\n", f.resource.c_str(),
                fleet.at(Must(InstanceId::Parse(f.resource), "id")).c_str(), f.detail.c_str());
    ++flagged;
  }
  // AWS Backup's and DLM's instances; not the ones rebooted nightly.
  Expect("instances flagged", flagged, 4);

  Step("Failures recorded by the automation");
  int refused = 0;
  for (const char* region : {"us-east-1", "us-west-2"}) {
    for (const AutomationRecord& r : automation.History(Ctx(region))) {
      if (r.error_code == "OK") continue;
      ++refused;
      std::printf("%s %s %s %s: %s %s\n", absl::FormatTime(r.time).c_str(), r.source.c_str(),
                  r.action.c_str(), r.resource.c_str(), r.error_code.c_str(), r.message.c_str());
    }
  }
  Expect("refused calls", refused, 0);
  std::printf("\n%s\n", failures == 0 ? "every figure is as the rules give" : "SOME FIGURES DIFFER");
  return failures == 0 ? 0 : 1;
}
