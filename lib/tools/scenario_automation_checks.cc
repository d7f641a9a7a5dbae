// Scenario checks of what automation did in the step's account and Region: the AMIs a Data
// Lifecycle Manager policy manages, its state, backup jobs by state, recovery points by vault,
// and the history's records by source, call and error code.
#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ami/automation/automation.h"
#include "tools/scenario_automation.h"
#include "values/status_macros.h"

namespace ami::scenario_internal {
namespace {

absl::Status OneOf(absl::string_view field, const std::string& text,
                   std::initializer_list<absl::string_view> values) {
  if (text.empty() || std::find(values.begin(), values.end(), text) != values.end()) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat("expect.", field, " `", text, "` is not a valid value"));
}

absl::Status Count(absl::string_view field, int count) {
  if (count >= 0) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("expect.", field, " count `", count, "` is not a count"));
}

void CompareCount(const std::string& what, size_t got, int want, std::vector<std::string>* out) {
  if (got != static_cast<size_t>(want)) out->push_back(absl::StrCat(what, " is ", got, ", expected ", want));
}

bool HasChecks(const v1::Expect& e) {
  return !e.lifecycle_policy_images().empty() || !e.lifecycle_policies().empty() ||
         !e.backup_jobs().empty() || !e.recovery_points().empty() || !e.history().empty();
}

absl::Status CheckPolicyImages(const Cloud& cloud, const CallContext& ctx, const v1::Expect& e,
                               Resolver resolve, std::vector<std::string>* out) {
  if (e.lifecycle_policy_images().empty()) return absl::OkStatus();
  const std::vector<Image> images = cloud.ListImages();
  for (const v1::LifecyclePolicyImagesCheck& c : e.lifecycle_policy_images()) {
    AMI_RETURN_IF_ERROR(Count("lifecycle_policy_images", c.count()));
    AMI_ASSIGN_OR_RETURN(const std::string id, resolve(c.policy_id()));
    std::optional<Region> region;
    if (!c.region().empty()) {
      const absl::StatusOr<Region> r = Region::Parse(c.region());
      if (!r.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("expect.lifecycle_policy_images region `", c.region(), "` is not a region"));
      }
      region = *r;
    }
    size_t got = 0;
    for (const Image& image : images) {
      const auto tag = image.tags().Find("aws:dlm:lifecycle-policy-id");
      if (tag.has_value() && *tag == id && image.owner() == ctx.account &&
          image.state() != ImageState::kDeregistered && (!region || image.region() == *region)) {
        ++got;
      }
    }
    CompareCount(absl::StrCat("lifecycle_policy_images of `", id, "`", region ? " in " : "",
                              c.region()),
                 got, c.count(), out);
  }
  return absl::OkStatus();
}

absl::Status CheckPolicies(const Automation& a, const CallContext& ctx, const v1::Expect& e,
                           Resolver resolve, std::vector<std::string>* out) {
  for (const v1::LifecyclePolicyCheck& c : e.lifecycle_policies()) {
    AMI_RETURN_IF_ERROR(OneOf("lifecycle_policies.state", c.state(), {"ENABLED", "DISABLED", "ERROR"}));
    AMI_ASSIGN_OR_RETURN(const std::string id, resolve(c.policy_id()));
    const absl::StatusOr<LifecyclePolicy> p = a.GetLifecyclePolicy(ctx, id);
    if (!p.ok()) {
      out->push_back(absl::StrCat("lifecycle policy `", id, "`: ", p.status().message()));
      continue;
    }
    if (!c.state().empty() && p->state != c.state()) {
      out->push_back(absl::StrCat("lifecycle policy `", id, "` state is \"", p->state, "\", expected \"",
                                  c.state(), "\""));
    }
    if (!absl::StrContains(p->status_message, c.status_message_contains())) {
      out->push_back(absl::StrCat("lifecycle policy `", id, "` status message is \"", p->status_message,
                                  "\", expected it to contain \"", c.status_message_contains(), "\""));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckBackup(const Automation& a, const CallContext& ctx, const v1::Expect& e,
                         std::vector<std::string>* out) {
  const std::vector<BackupJob> jobs = e.backup_jobs().empty() ? std::vector<BackupJob>() : a.ListBackupJobs(ctx);
  for (const v1::BackupJobsCheck& c : e.backup_jobs()) {
    AMI_RETURN_IF_ERROR(OneOf("backup_jobs.state", c.state(),
                              {"CREATED", "RUNNING", "COMPLETED", "FAILED", "EXPIRED"}));
    if (c.state().empty()) return absl::InvalidArgumentError("expect.backup_jobs needs a state");
    AMI_RETURN_IF_ERROR(Count("backup_jobs", c.count()));
    const size_t got = std::count_if(jobs.begin(), jobs.end(),
                                     [&c](const BackupJob& j) { return j.state == c.state(); });
    CompareCount(absl::StrCat("backup jobs ", c.state()), got, c.count(), out);
  }
  for (const v1::RecoveryPointsCheck& c : e.recovery_points()) {
    AMI_RETURN_IF_ERROR(OneOf("recovery_points.status", c.status(), {"COMPLETED", "DELETED", "EXPIRED"}));
    AMI_RETURN_IF_ERROR(Count("recovery_points", c.count()));
    size_t got = 0;
    for (const RecoveryPoint& p : a.ListRecoveryPointsByBackupVault(ctx, c.backup_vault_name())) {
      if (c.status().empty() || p.status == c.status()) ++got;
    }
    CompareCount(absl::StrCat("recovery points of vault `", c.backup_vault_name(), "`",
                              c.status().empty() ? "" : " ", c.status()),
                 got, c.count(), out);
  }
  return absl::OkStatus();
}

absl::Status CheckHistory(const Automation& a, const CallContext& ctx, const v1::Expect& e,
                          Resolver resolve, std::vector<std::string>* out) {
  if (e.history().empty()) return absl::OkStatus();
  const std::vector<AutomationRecord> records = a.History(ctx);
  for (const v1::HistoryCheck& c : e.history()) {
    if (c.service() != "dlm" && c.service() != "backup" && c.service() != "events") {
      return absl::InvalidArgumentError(
          absl::StrCat("expect.history service `", c.service(), "` is not dlm, backup or events"));
    }
    AMI_RETURN_IF_ERROR(Count("history", c.count()));
    AMI_ASSIGN_OR_RETURN(const std::string id, resolve(c.id()));
    const std::string source = absl::StrCat(c.service(), ":", id);
    size_t got = 0;
    for (const AutomationRecord& r : records) {
      const bool from = r.source == source || absl::StartsWith(r.source, source + "/");
      if (from && (c.action().empty() || r.action == c.action()) &&
          (c.error_code().empty() || r.error_code == c.error_code())) {
        ++got;
      }
    }
    CompareCount(absl::StrCat("history of ", source, c.action().empty() ? "" : " ", c.action(),
                              c.error_code().empty() ? "" : " ", c.error_code()),
                 got, c.count(), out);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckAutomation(Cloud& cloud, const v1::Step& step, Resolver resolve,
                             std::vector<std::string>* out) {
  const v1::Expect& e = step.expect();
  if (!HasChecks(e)) return absl::OkStatus();
  const absl::StatusOr<AccountId> account = AccountId::Parse(step.account());
  const absl::StatusOr<Region> region = Region::Parse(step.region());
  if (!account.ok() || !region.ok()) {
    return absl::InvalidArgumentError(
        "the automation checks of expect need the step's account and region, whose state they read");
  }
  const CallContext ctx{*account, *region, false};
  const Automation a(cloud);  // read only
  AMI_RETURN_IF_ERROR(CheckPolicyImages(cloud, ctx, e, resolve, out));
  AMI_RETURN_IF_ERROR(CheckPolicies(a, ctx, e, resolve, out));
  AMI_RETURN_IF_ERROR(CheckBackup(a, ctx, e, out));
  return CheckHistory(a, ctx, e, resolve, out);
}

void ClearAutomationChecks(v1::Expect* e) {
  e->clear_lifecycle_policy_images();
  e->clear_lifecycle_policies();
  e->clear_backup_jobs();
  e->clear_recovery_points();
  e->clear_history();
}

}  // namespace ami::scenario_internal
