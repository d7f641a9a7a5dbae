// AWS Backup at work (BACKUP-1 … 3): a plan's rules fire on their schedules and back up the
// instances their selections assign; a job completes when its AMI is available, making a
// recovery point and the copies its rule asks for; a recovery point is deleted when its
// lifecycle ends. Every EC2 call is the cloud's own operation, made as the job's role.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ami/automation/schedule.h"
#include "ami/errors.h"
#include "automation/automation_state.h"
#include "automation/backup_internal.h"
#include "cloud/service_calls.h"
#include "cloud/state.h"
#include "policy/automation_backup.h"

namespace ami::internal {

namespace {

constexpr absl::string_view kOnDemandSource = "backup:on-demand";

std::string SourceOf(const BackupJob& job) {
  return job.backup_plan_id.empty() ? std::string(kOnDemandSource)
                                    : absl::StrCat("backup:", job.backup_plan_id, "/", job.rule_name);
}

bool Finished(const std::string& state) { return state != "CREATED" && state != "RUNNING"; }

void Fail(BackupJobState& job, std::string message) {
  job.job.state = "FAILED";
  job.job.status_message = std::move(message);
}

// Keeps at most kMaxBackupJobsKept jobs of (account, Region), dropping the oldest finished ones.
void PruneJobs(BackupState& b, AccountId account, Region region) {
  if (b.jobs.size() <= static_cast<size_t>(policy::kMaxBackupJobsKept)) return;
  size_t count = 0;
  for (const auto& [id, job] : b.jobs) {
    count += job.job.account == account && job.job.region == region;
  }
  for (auto it = b.jobs.begin();
       it != b.jobs.end() && count > static_cast<size_t>(policy::kMaxBackupJobsKept);) {
    const BackupJob& j = it->second.job;
    if (j.account == account && j.region == region && Finished(j.state)) {
      it = b.jobs.erase(it);
      --count;
    } else {
      ++it;
    }
  }
}

BackupJobState& NewJob(CloudState& s, BackupJob job) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
  AutomationState& a = s.mutable_automation();
  job.backup_job_id = BackupUuid(a.backup.next_number++);
  job.state = "CREATED";
  job.creation_date = s.Now();
  BackupJobState state;
  state.order = a.NextOrder();
  const std::string id = job.backup_job_id;
  state.job = std::move(job);
  return a.backup.jobs.emplace(id, std::move(state)).first->second;
}

void EnqueueDone(CloudState& s, const BackupJobState& job, absl::Time at)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
  s.mutable_automation().Enqueue({at, job.order, 0, Service::kBackup, job.job.backup_job_id,
                                  static_cast<int>(BackupTriggerKind::kJobDone)});
}

absl::StatusOr<TagSet> SourceTag(const std::string& resource_arn) {
  absl::StatusOr<Tag> tag = Tag::Create(kBackupSourceTag, resource_arn);
  if (!tag.ok()) return tag.status();
  return TagSet::Create({*tag});
}

// Shares the AMI and its snapshots with `account`, as the job's role (a copy into another
// account reads them). The first refusal is returned.
absl::Status ShareWith(CloudState& s, const CallContext& ctx, const Image& image,
                       AccountId account, const std::string& source)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
  ModifyImageAttributeRequest share;
  share.image_id = image.id().ToString();
  share.add.push_back({account.ToString(), "", "", ""});
  absl::Status st = ServiceModifyImageAttribute(s, ctx, share);
  RecordBackup(s, ctx.account, ctx.region, source, "ModifyImageAttribute", share.image_id, "", st);
  if (!st.ok()) return st;
  for (const SnapshotId snap : image.snapshot_ids()) {
    ModifySnapshotAttributeRequest r{snap.ToString(), "add", {account.ToString()}, {}};
    st = ServiceModifySnapshotAttribute(s, ctx, r);
    RecordBackup(s, ctx.account, ctx.region, source, "ModifySnapshotAttribute", r.snapshot_id, "",
                 st);
    if (!st.ok()) return st;
  }
  return absl::OkStatus();
}

// Starts the copy of a completed backup job's recovery point into a copy action's vault
// (BACKUP-2, BACKUP-3): shared first when the vault is in another account, copied encrypted
// with the vault's key and owned by the vault's account (COPY-3).
void StartCopyJob(CloudState& s, const BackupJobState& source_job, const RecoveryPoint& point,
                  const BackupCopyAction& action) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
  BackupJob j;
  j.account = source_job.job.account;
  j.region = source_job.job.region;
  j.resource_arn = source_job.job.resource_arn;
  j.backup_plan_id = source_job.job.backup_plan_id;
  j.rule_name = source_job.job.rule_name;
  j.source_recovery_point_arn = point.recovery_point_arn;
  const std::optional<VaultKey> dest = ParseBackupVaultArn(action.destination_backup_vault_arn);
  j.backup_vault_name = dest ? std::get<2>(*dest) : action.destination_backup_vault_arn;
  BackupJobState& job = NewJob(s, std::move(j));
  job.role_arn = source_job.role_arn;
  job.lifecycle = action.lifecycle;
  job.destination_vault_arn = action.destination_backup_vault_arn;
  job.deadline = s.Now() + absl::Minutes(10080);
  const std::string source = SourceOf(job.job);
  const auto& vaults = s.automation().backup.vaults;
  auto vault = dest ? vaults.find(*dest) : vaults.end();
  const Image* image = s.FindImage(point.image_id);
  if (vault == vaults.end()) {
    return Fail(job, absl::StrCat("backup vault `", action.destination_backup_vault_arn,
                                  "` does not exist"));
  }
  if (image == nullptr) {
    return Fail(job, absl::StrCat("image `", point.image_id.ToString(), "` no longer exists"));
  }
  const KmsKeyArn key = KmsKeyArn::Parse(vault->second.encryption_key_arn).value();
  const AccountId to = vault->second.account;
  const Decision d = policy::DecideBackupCopy(*image, to, key);
  if (!d.allowed()) {
    const absl::Status st = d.ToStatus();
    RecordBackup(s, job.job.account, job.job.region, source, "CopyImage", point.image_id.ToString(), "", st);
    return Fail(job, BackupStatusMessage(st));
  }
  const Image source_image = *image;
  const CallContext own = BackupCallContext(job.job.account, job.job.region, job.role_arn, false);
  if (to != source_image.owner()) {
    const absl::Status st = ShareWith(s, own, source_image, to, source);
    if (!st.ok()) return Fail(job, BackupStatusMessage(st));
  }
  // MC-89: into another account the copy is made as that account's root user.
  const CallContext ctx = BackupCallContext(to, vault->second.region,
                                            to == job.job.account ? job.role_arn : "", false);
  CopyImageRequest copy;
  copy.source_image_id = source_image.id().ToString();
  copy.source_region = source_image.region().ToString();
  copy.name = absl::StrCat("AwsBackup_", job.job.backup_job_id);
  copy.description = "This image is a copy made by the AWS Backup service.";
  copy.encrypted = true;
  copy.kms_key_id = key.ToString();
  absl::StatusOr<TagSet> tags = SourceTag(job.job.resource_arn);
  absl::StatusOr<ImageId> made =
      tags.ok() ? ServiceCopyImage(s, ctx, copy, *tags) : absl::StatusOr<ImageId>(tags.status());
  RecordBackup(s, ctx.account, ctx.region, source, "CopyImage", copy.source_image_id,
               made.ok() ? made->ToString() : "", made.status());
  if (!made.ok()) return Fail(job, BackupStatusMessage(made.status()));
  job.image = *made;
  job.job.state = "RUNNING";
  EnqueueDone(s, job, s.Now() + s.options.image_pending);
}

// The recovery point of a job whose AMI is available, with its lifecycle's deletion queued.
RecoveryPoint& MakeRecoveryPoint(CloudState& s, const BackupJobState& job, const Image& image)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
  RecoveryPointState rp;
  RecoveryPoint& p = rp.point;
  p.recovery_point_arn = RecoveryPointArn(image.region(), image.id());
  p.account = image.owner();
  p.region = image.region();
  p.backup_vault_name = job.job.backup_vault_name;
  p.resource_arn = job.job.resource_arn;
  p.image_id = image.id();
  p.status = "COMPLETED";
  p.encrypted = image.encrypted();
  for (const SnapshotId id : image.snapshot_ids()) {
    const Snapshot* snap = s.FindSnapshot(id);
    if (snap != nullptr && snap->kms_key().has_value()) {
      p.encryption_key_arn = snap->kms_key()->ToString();
      break;
    }
  }
  p.creation_date = s.Now();
  p.source_recovery_point_arn = job.job.source_recovery_point_arn;
  // MC-89: a copy in another account is deleted by that account's root user.
  rp.role_arn = p.account == job.job.account ? job.role_arn : "";
  rp.order = job.order;
  if (job.lifecycle.delete_after_days > 0) {
    p.delete_at = s.Now() + absl::Hours(24) * job.lifecycle.delete_after_days;
    s.mutable_automation().Enqueue({*p.delete_at, rp.order, 0, Service::kBackup,
                                    p.recovery_point_arn,
                                    static_cast<int>(BackupTriggerKind::kExpire)});
  }
  auto& points = s.mutable_automation().backup.recovery_points;
  const std::string arn = p.recovery_point_arn;
  return points.insert_or_assign(arn, std::move(rp)).first->second.point;
}

void RunJobDone(CloudState& s, const Trigger& t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
  BackupState& b = s.mutable_automation().backup;
  auto it = b.jobs.find(t.id);
  if (it == b.jobs.end() || it->second.job.state != "RUNNING" || !it->second.image) return;
  BackupJobState& job = it->second;
  const Image* image = s.FindImage(*job.image);
  if (image == nullptr || !IsRegistered(image->state())) {
    return Fail(job, absl::StrCat("image `", job.image->ToString(), "` no longer exists"));
  }
  if (image->state() == ImageState::kPending) {
    if (s.Now() >= job.deadline) {
      return Fail(job, "the backup did not complete within the completion window");
    }
    return EnqueueDone(s, job, std::min(job.deadline, s.Now() + s.options.image_pending));
  }
  if (image->state() != ImageState::kAvailable) {
    return Fail(job, absl::StrCat("image `", job.image->ToString(), "` is ",
                                  ToString(image->state()), ": ", image->state_reason().message));
  }
  job.job.state = "COMPLETED";
  job.job.completion_date = s.Now();
  const RecoveryPoint point = MakeRecoveryPoint(s, job, *image);
  job.job.recovery_point_arn = point.recovery_point_arn;
  if (!job.destination_vault_arn.empty()) return;  // a copy is not copied again
  const BackupJobState done = job;  // StartCopyJob adds jobs to the map
  for (const BackupCopyAction& action : done.copy_actions) StartCopyJob(s, done, point, action);
}

// The instances a plan's selections assign, each once (the first selection that assigns it
// gives the role), by id. A terminated instance is assigned only when a selection names its ARN.
std::vector<std::pair<InstanceId, const BackupSelectionRequest*>> Assigned(
    const CloudState& s, const BackupPlanInfo& plan) ABSL_SHARED_LOCKS_REQUIRED(s.mu) {
  std::vector<std::pair<InstanceId, const BackupSelectionRequest*>> out;
  const std::vector<InstanceId>* ids = s.InstancesOf(plan.account, plan.region);
  if (ids == nullptr) return out;
  std::vector<InstanceId> sorted = *ids;
  std::sort(sorted.begin(), sorted.end());
  for (const InstanceId id : sorted) {
    const Instance* instance = s.FindInstance(id);
    if (instance == nullptr) continue;
    const std::string arn = BackupInstanceArn(plan.account, plan.region, id);
    for (const auto& [selection_id, selection] : plan.selections) {
      if (!policy::BackupSelects(selection, arn, instance->tags())) continue;
      const bool named = std::find(selection.resources.begin(), selection.resources.end(), arn) !=
                         selection.resources.end();
      if (instance->state() == InstanceState::kTerminated && !named) continue;
      out.emplace_back(id, &selection);
      break;
    }
  }
  return out;
}

void RunRule(CloudState& s, const Trigger& t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
  const auto& plans = s.automation().backup.plans;
  auto it = plans.find(t.id);
  if (it == plans.end() || t.index < 0 ||
      static_cast<size_t>(t.index) >= it->second.info.plan.rules.size()) {
    return;
  }
  const BackupPlanInfo plan = it->second.info;  // jobs change the state's maps
  const BackupRule& rule = plan.plan.rules[t.index];
  for (const auto& [id, selection] : Assigned(s, plan)) {
    BackupJobSpec spec;
    spec.account = plan.account;
    spec.region = plan.region;
    spec.vault_name = rule.target_backup_vault_name;
    spec.resource_arn = BackupInstanceArn(plan.account, plan.region, id);
    spec.role_arn = selection->iam_role_arn;
    spec.plan_id = plan.backup_plan_id;
    spec.rule_name = rule.rule_name;
    spec.lifecycle = rule.lifecycle;
    spec.copy_actions = rule.copy_actions;
    spec.recovery_point_tags = rule.recovery_point_tags;
    spec.completion_window_minutes = rule.completion_window_minutes;
    StartBackupJobLocked(s, spec);
  }
  absl::StatusOr<ScheduleExpression> e =
      ScheduleExpression::Parse(rule.schedule_expression, rule.schedule_expression_timezone);
  if (!e.ok()) return;
  const std::optional<absl::Time> next = e->NextAfter(t.at, plan.creation_date);
  if (next.has_value()) {
    Trigger again = t;
    again.at = *next;
    s.mutable_automation().Enqueue(std::move(again));
  }
}

}  // namespace

std::string StartBackupJobLocked(CloudState& s, const BackupJobSpec& spec) {
  BackupJob j;
  j.account = spec.account;
  j.region = spec.region;
  j.backup_vault_name = spec.vault_name;
  j.resource_arn = spec.resource_arn;
  j.backup_plan_id = spec.plan_id;
  j.rule_name = spec.rule_name;
  BackupJobState& job = NewJob(s, std::move(j));
  job.role_arn = spec.role_arn;
  job.lifecycle = spec.lifecycle;
  job.copy_actions = spec.copy_actions;
  job.deadline = s.Now() + absl::Minutes(spec.completion_window_minutes);
  const std::string id = job.job.backup_job_id;
  const std::string source = SourceOf(job.job);
  const size_t slash = spec.resource_arn.rfind('/');
  CreateImageRequest request;
  request.instance_id = slash == std::string::npos ? "" : spec.resource_arn.substr(slash + 1);
  request.name = absl::StrCat("AwsBackup_", request.instance_id.substr(0, 32), "_", id);
  request.description = "This image is created by the AWS Backup service.";
  request.no_reboot = true;  // BACKUP-1: AWS Backup never reboots an instance
  if (!spec.recovery_point_tags.empty()) {
    request.tag_specifications.push_back({"image", spec.recovery_point_tags});
  }
  absl::StatusOr<ImageId> made = absl::InternalError("no source tag");
  if (!s.automation().backup.vaults.count({spec.account, spec.region, spec.vault_name})) {
    made = MakeError(policy::kBackupNotFound,
                     absl::StrCat("backup vault `", spec.vault_name, "` does not exist"));
  } else if (absl::StatusOr<TagSet> tags = SourceTag(spec.resource_arn); !tags.ok()) {
    made = tags.status();
  } else {
    made = ServiceCreateImage(
        s, BackupCallContext(spec.account, spec.region, spec.role_arn, false), request, *tags);
  }
  RecordBackup(s, spec.account, spec.region, source, "CreateImage", request.instance_id,
               made.ok() ? made->ToString() : "", made.status());
  BackupJobState& again = s.mutable_automation().backup.jobs.at(id);
  if (!made.ok()) {
    Fail(again, BackupStatusMessage(made.status()));
  } else {
    again.image = *made;
    again.job.state = "RUNNING";
    EnqueueDone(s, again, s.Now() + s.options.image_pending);
  }
  PruneJobs(s.mutable_automation().backup, spec.account, spec.region);
  return id;
}

absl::Status DeleteRecoveryPointLocked(CloudState& s, const std::string& arn,
                                       const std::string& role, const std::string& source) {
  auto& points = s.mutable_automation().backup.recovery_points;
  auto it = points.find(arn);
  if (it == points.end()) return absl::OkStatus();
  const RecoveryPoint p = it->second.point;
  const Image* image = s.FindImage(p.image_id);
  if (image != nullptr && IsRegistered(image->state())) {
    const CallContext ctx = BackupCallContext(p.account, p.region, role, /*as_backup=*/true);
    const absl::StatusOr<std::vector<DeleteSnapshotResult>> r =
        ServiceDeregisterImage(s, ctx, p.image_id, /*delete_associated_snapshots=*/true,
                               /*by_backup=*/true);
    RecordBackup(s, p.account, p.region, source, "DeregisterImage", p.image_id.ToString(), "",
                 r.status());
    if (!r.ok()) return r.status();
  }
  s.mutable_automation().Dequeue(Service::kBackup, arn);
  s.mutable_automation().backup.recovery_points.erase(arn);
  return absl::OkStatus();
}

void RunBackupTrigger(CloudState& s, const Trigger& t) {
  switch (static_cast<BackupTriggerKind>(t.kind)) {
    case BackupTriggerKind::kRule:
      return RunRule(s, t);
    case BackupTriggerKind::kJobDone:
      return RunJobDone(s, t);
    case BackupTriggerKind::kExpire: {
      auto& points = s.mutable_automation().backup.recovery_points;
      auto it = points.find(t.id);
      if (it == points.end()) return;
      const std::string role = it->second.role_arn;
      const std::string source = absl::StrCat("backup:lifecycle/", it->second.point.backup_vault_name);
      // BACKUP-2: a recovery point whose deletion is refused stays, EXPIRED.
      if (!DeleteRecoveryPointLocked(s, t.id, role, source).ok()) {
        s.mutable_automation().backup.recovery_points.at(t.id).point.status = "EXPIRED";
      }
      return;
    }
  }
}

}  // namespace ami::internal
