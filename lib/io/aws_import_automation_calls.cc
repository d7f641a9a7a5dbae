// ImportAutomation (lib/io/aws_import_automation.h): the definitions an import read, made through
// the Automation facade as the root user of each file's account in its Region. The facade gives
// every definition its own id; the file's ids are reported with the new ones (MC-93).
#include <algorithm>
#include <map>
#include <vector>
#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "ami/automation/automation.h"
#include "io/aws_import_automation.h"
#include "values/status_macros.h"

namespace ami::aws_import_internal {
namespace {

std::vector<const AwsCliFile*> Files(const ImportedAutomation& in) {
  std::vector<const AwsCliFile*> out;
  for (const auto& v : in.vaults) out.push_back(v.file);
  for (const auto& p : in.plans) out.push_back(p.file);
  for (const auto& p : in.policies) out.push_back(p.file);
  for (const auto& s : in.schedules) out.push_back(s.file);
  return out;
}

}  // namespace

absl::Status ImportAutomation(Cloud& cloud, const ImportedAutomation& in,
                              std::vector<ImportedAutomationId>* renamed) {
  // Each file's account is held first (standalone, unless Organizations output placed it).
  for (const AwsCliFile* f : Files(in)) {
    const std::vector<AccountId> held = cloud.ListAccounts();
    if (std::find(held.begin(), held.end(), f->account) == held.end()) {
      AMI_RETURN_IF_ERROR(InFile(*f, cloud.AddAccount(f->account)));
    }
  }
  Automation automation(cloud);
  const auto ctx = [](const AwsCliFile& f) {
    CallContext c;
    c.account = f.account;
    c.region = f.region;
    return c;
  };
  const auto note = [renamed](const char* kind, const std::string& from, const std::string& to) {
    if (renamed != nullptr) renamed->push_back({kind, from, to});
  };
  for (const ImportedBackupVault& v : in.vaults) {
    AMI_RETURN_IF_ERROR(InFile(*v.file, automation.CreateBackupVault(ctx(*v.file), v.name, v.encryption_key_arn)));
  }
  std::map<std::tuple<AccountId, Region, std::string>, std::string> plan_ids;
  for (const ImportedBackupPlan& p : in.plans) {
    AMI_ASSIGN_OR_RETURN(const std::string id, InFile(*p.file, automation.CreateBackupPlan(ctx(*p.file), p.request)));
    plan_ids[{p.file->account, p.file->region, p.file_plan_id}] = id;
    note("backup-plan", p.file_plan_id, id);
  }
  for (const ImportedBackupSelection& s : in.selections) {
    const std::string& plan = plan_ids.at({s.file->account, s.file->region, s.file_plan_id});
    AMI_ASSIGN_OR_RETURN(const std::string id,
                         InFile(*s.file, automation.CreateBackupSelection(ctx(*s.file), plan, s.request)));
    note("backup-selection", s.file_selection_id, id);
  }
  for (const ImportedLifecyclePolicy& p : in.policies) {
    AMI_ASSIGN_OR_RETURN(const std::string id,
                         InFile(*p.file, automation.CreateLifecyclePolicy(ctx(*p.file), p.request)));
    note("lifecycle-policy", p.file_policy_id, id);
  }
  for (const ImportedSchedule& s : in.schedules) {
    AMI_RETURN_IF_ERROR(InFile(*s.file, automation.PutSchedule(ctx(*s.file), s.request)));
  }
  return absl::OkStatus();
}

}  // namespace ami::aws_import_internal
