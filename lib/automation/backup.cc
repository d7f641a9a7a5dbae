// AWS Backup in a cloud (BACKUP-1 … 3): vaults, plans, selections, on-demand jobs, recovery
// points, decided by the policy engine (lib/policy/automation_backup.h) and committed into the
// automation's state. The firings are in backup_run.cc.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ami/automation/automation.h"
#include "ami/automation/schedule.h"
#include "ami/errors.h"
#include "ami/iam/iam.h"
#include "automation/automation_state.h"
#include "automation/backup_internal.h"
#include "cloud/ops_common.h"
#include "cloud/state.h"
#include "policy/automation_backup.h"
#include "values/status_macros.h"

namespace ami {

using internal::BackupState;
using internal::CloudAccess;
using internal::CloudState;

namespace {

// The key of a new vault: the caller's AWS managed key when none is given, else any form of a
// key of the caller's Region, resolved in the caller's account (aliases) and required to exist.
absl::StatusOr<KmsKeyArn> ResolveVaultKey(const CloudState& s, const CallContext& ctx,
                                          const std::string& text)
    ABSL_SHARED_LOCKS_REQUIRED(s.mu) {
  if (text.empty()) return s.AwsManagedEbsKey(ctx.account, ctx.region);
  const std::string shown = text.substr(0, policy::kMaxBackupArnLength);
  absl::StatusOr<KmsKeyRef> ref = KmsKeyRef::Parse(text);
  if (!ref.ok()) {
    return MakeError(policy::kBackupInvalid,
                     absl::StrCat("encryption key `", shown,
                                  "` is not a key id, key ARN, alias name or alias ARN"));
  }
  std::optional<KmsKeyArn> arn;
  switch (ref->form()) {
    case KmsKeyRef::Form::kKeyArn:
      arn = ref->key_arn();
      break;
    case KmsKeyRef::Form::kKeyId:
      arn = KmsKeyArn::Of(ctx.account, ctx.region, *ref->key_id());
      break;
    case KmsKeyRef::Form::kAliasName:
    case KmsKeyRef::Form::kAliasArn:
      arn = s.FindAlias(ref->account().value_or(ctx.account), ref->region().value_or(ctx.region),
                        ref->alias_name());
      break;
  }
  if (!arn.has_value() || !s.FindKey(*arn).exists()) {
    return MakeError(policy::kBackupInvalid,
                     absl::StrCat("encryption key `", shown, "` does not exist"));
  }
  if (arn->region() != ctx.region) {
    return MakeError(policy::kBackupInvalid,
                     absl::StrCat("encryption key `", shown, "` is in ", arn->region().ToString(),
                                  ", not in the vault's region ", ctx.region.ToString()));
  }
  return *arn;
}

policy::BackupFacts VaultFacts(const BackupState& b, const CallContext& ctx) {
  policy::BackupFacts facts;
  for (const auto& [key, vault] : b.vaults) {
    if (vault.account == ctx.account && vault.region == ctx.region) ++facts.vaults;
  }
  facts.vault_exists = [&b, ctx](absl::string_view name) {
    return b.vaults.count({ctx.account, ctx.region, std::string(name)}) > 0;
  };
  return facts;
}

// The caller's plan `id`, or nullptr.
internal::BackupPlanState* FindPlan(BackupState& b, const CallContext& ctx,
                                    const std::string& id) {
  auto it = b.plans.find(id);
  if (it == b.plans.end() || it->second.info.account != ctx.account ||
      it->second.info.region != ctx.region) {
    return nullptr;
  }
  return &it->second;
}

absl::Status PlanNotFound(const std::string& id) {
  return MakeError(policy::kBackupNotFound,
                   absl::StrCat("backup plan `", id.substr(0, policy::kMaxBackupArnLength),
                                "` does not exist"));
}

// The first firing of each scheduled rule, after the plan's creation (its anchor).
void EnqueueRules(internal::AutomationState& a, const internal::BackupPlanState& plan,
                  absl::Time now) {
  for (size_t i = 0; i < plan.info.plan.rules.size(); ++i) {
    const BackupRule& rule = plan.info.plan.rules[i];
    if (rule.schedule_expression.empty()) continue;
    absl::StatusOr<ScheduleExpression> e =
        ScheduleExpression::Parse(rule.schedule_expression, rule.schedule_expression_timezone);
    if (!e.ok()) continue;  // refused when the plan was made
    const std::optional<absl::Time> at = e->NextAfter(now, plan.info.creation_date);
    if (!at.has_value()) continue;
    a.Enqueue({*at, plan.order, static_cast<int>(i), internal::Service::kBackup,
               plan.info.backup_plan_id, static_cast<int>(internal::BackupTriggerKind::kRule)});
  }
}

}  // namespace

absl::Status Automation::CreateBackupVault(const CallContext& ctx, const std::string& name,
                                           const std::string& encryption_key_arn) {
  CloudState& s = CloudAccess::State(*cloud_);
  internal::WriterLock lock(s.mu);
  BackupState& b = s.mutable_automation().backup;
  policy::BackupFacts facts = VaultFacts(b, ctx);
  facts.name_taken = b.vaults.count({ctx.account, ctx.region, name}) > 0;
  AMI_RETURN_IF_ERROR(internal::Gate(policy::DecideCreateBackupVault(name, facts), ctx));
  AMI_ASSIGN_OR_RETURN(const KmsKeyArn key, ResolveVaultKey(s, ctx, encryption_key_arn));
  BackupVaultInfo vault;
  vault.name = name;
  vault.arn = internal::BackupVaultArn(ctx.account, ctx.region, name);
  vault.account = ctx.account;
  vault.region = ctx.region;
  vault.encryption_key_arn = key.ToString();
  b.vaults.emplace(internal::VaultKey{ctx.account, ctx.region, name}, std::move(vault));
  return absl::OkStatus();
}

absl::StatusOr<std::string> Automation::CreateBackupPlan(const CallContext& ctx,
                                                         const BackupPlanRequest& request) {
  CloudState& s = CloudAccess::State(*cloud_);
  internal::WriterLock lock(s.mu);
  internal::AutomationState& a = s.mutable_automation();
  BackupState& b = a.backup;
  policy::BackupFacts facts = VaultFacts(b, ctx);
  for (const auto& [id, plan] : b.plans) {
    if (plan.info.account != ctx.account || plan.info.region != ctx.region) continue;
    ++facts.plans;
    facts.name_taken = facts.name_taken || plan.info.plan.backup_plan_name == request.backup_plan_name;
  }
  AMI_RETURN_IF_ERROR(internal::Gate(policy::DecideCreateBackupPlan(request, facts), ctx));
  internal::BackupPlanState plan;
  plan.info.backup_plan_id = internal::BackupUuid(b.next_number++);
  plan.info.backup_plan_arn = absl::StrCat("arn:aws:backup:", ctx.region.ToString(), ":",
                                           ctx.account.ToString(), ":backup-plan:",
                                           plan.info.backup_plan_id);
  plan.info.account = ctx.account;
  plan.info.region = ctx.region;
  plan.info.plan = request;
  plan.info.creation_date = s.Now();
  plan.order = a.NextOrder();
  EnqueueRules(a, plan, s.Now());
  const std::string id = plan.info.backup_plan_id;
  b.plans.emplace(id, std::move(plan));
  return id;
}

absl::StatusOr<std::string> Automation::CreateBackupSelection(
    const CallContext& ctx, const std::string& backup_plan_id,
    const BackupSelectionRequest& request) {
  CloudState& s = CloudAccess::State(*cloud_);
  internal::WriterLock lock(s.mu);
  BackupState& b = s.mutable_automation().backup;
  internal::BackupPlanState* plan = FindPlan(b, ctx, backup_plan_id);
  if (plan == nullptr) return PlanNotFound(backup_plan_id);
  policy::BackupFacts facts;
  facts.selections = static_cast<int>(plan->info.selections.size());
  for (const auto& [id, selection] : plan->info.selections) {
    facts.name_taken = facts.name_taken || selection.selection_name == request.selection_name;
  }
  AMI_RETURN_IF_ERROR(internal::Gate(policy::DecideCreateBackupSelection(request, facts), ctx));
  std::string id = internal::BackupUuid(b.next_number++);
  plan->info.selections.emplace_back(id, request);
  return id;
}

absl::Status Automation::DeleteBackupPlan(const CallContext& ctx,
                                          const std::string& backup_plan_id) {
  CloudState& s = CloudAccess::State(*cloud_);
  internal::WriterLock lock(s.mu);
  BackupState& b = s.mutable_automation().backup;
  if (FindPlan(b, ctx, backup_plan_id) == nullptr) return PlanNotFound(backup_plan_id);
  AMI_RETURN_IF_ERROR(internal::Gate(Decision::Allow({}), ctx));
  // Jobs under way and recovery points keep their own firings and lifecycle.
  s.mutable_automation().Dequeue(internal::Service::kBackup, backup_plan_id);
  b.plans.erase(backup_plan_id);
  return absl::OkStatus();
}

absl::StatusOr<std::string> Automation::StartBackupJob(const CallContext& ctx,
                                                       const StartBackupJobRequest& request) {
  CloudState& s = CloudAccess::State(*cloud_);
  internal::WriterLock lock(s.mu);
  const policy::BackupFacts facts = VaultFacts(s.automation().backup, ctx);
  AMI_RETURN_IF_ERROR(internal::Gate(
      policy::DecideStartBackupJob(request, ctx.account, ctx.region, facts), ctx));
  internal::BackupJobSpec spec;
  spec.account = ctx.account;
  spec.region = ctx.region;
  spec.vault_name = request.backup_vault_name;
  spec.resource_arn = request.resource_arn;
  spec.role_arn = request.iam_role_arn;
  spec.lifecycle = request.lifecycle;
  return internal::StartBackupJobLocked(s, spec);
}

absl::Status Automation::DeleteRecoveryPoint(const CallContext& ctx, const std::string& vault_name,
                                             const std::string& recovery_point_arn) {
  CloudState& s = CloudAccess::State(*cloud_);
  internal::WriterLock lock(s.mu);
  const BackupState& b = s.automation().backup;
  auto it = b.recovery_points.find(recovery_point_arn);
  if (it == b.recovery_points.end() || it->second.point.account != ctx.account ||
      it->second.point.region != ctx.region ||
      it->second.point.backup_vault_name != vault_name) {
    return MakeError(policy::kBackupNotFound,
                     absl::StrCat("recovery point `",
                                  recovery_point_arn.substr(0, policy::kMaxBackupArnLength),
                                  "` is not in backup vault `",
                                  vault_name.substr(0, policy::kMaxBackupArnLength), "`"));
  }
  AMI_RETURN_IF_ERROR(internal::Gate(Decision::Allow({}), ctx));
  return internal::DeleteRecoveryPointLocked(s, recovery_point_arn, ctx.principal,
                                             "backup:DeleteRecoveryPoint");
}

std::vector<BackupVaultInfo> Automation::ListBackupVaults(const CallContext& ctx) const {
  const CloudState& s = CloudAccess::State(*cloud_);
  internal::ReaderLock lock(s.mu);
  std::vector<BackupVaultInfo> out;
  for (const auto& [key, vault] : s.automation().backup.vaults) {
    if (vault.account == ctx.account && vault.region == ctx.region) out.push_back(vault);
  }
  return out;
}

std::vector<BackupPlanInfo> Automation::ListBackupPlans(const CallContext& ctx) const {
  const CloudState& s = CloudAccess::State(*cloud_);
  internal::ReaderLock lock(s.mu);
  std::vector<BackupPlanInfo> out;
  for (const auto& [id, plan] : s.automation().backup.plans) {
    if (plan.info.account == ctx.account && plan.info.region == ctx.region) {
      out.push_back(plan.info);
    }
  }
  return out;
}

std::vector<BackupJob> Automation::ListBackupJobs(const CallContext& ctx) const {
  const CloudState& s = CloudAccess::State(*cloud_);
  internal::ReaderLock lock(s.mu);
  std::vector<BackupJob> out;
  for (const auto& [id, job] : s.automation().backup.jobs) {
    if (job.job.account == ctx.account && job.job.region == ctx.region) out.push_back(job.job);
  }
  return out;
}

std::vector<RecoveryPoint> Automation::ListRecoveryPointsByBackupVault(
    const CallContext& ctx, const std::string& vault_name) const {
  const CloudState& s = CloudAccess::State(*cloud_);
  internal::ReaderLock lock(s.mu);
  std::vector<RecoveryPoint> out;
  for (const auto& [arn, point] : s.automation().backup.recovery_points) {
    const RecoveryPoint& p = point.point;
    if (p.account == ctx.account && p.region == ctx.region && p.backup_vault_name == vault_name) {
      out.push_back(p);
    }
  }
  return out;
}

// The EC2 and KMS permissions of the AWS managed policy AWSBackupServiceRolePolicyForBackup
// that backing up EC2 instances uses, as documented at
// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSBackupServiceRolePolicyForBackup.html
// (statements for other services left out). The managed policy allows kms:CreateGrant only
// with kms:GrantIsForAWSResource = true, which holds for every grant EC2 makes for the role's
// calls, so the statement here allows it without the condition.
constexpr absl::string_view kBackupServiceRolePolicy = R"json({
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "EC2Permissions",
      "Effect": "Allow",
      "Action": [
        "ec2:CopyImage", "ec2:CopySnapshot", "ec2:CreateImage", "ec2:CreateSnapshot",
        "ec2:CreateTags", "ec2:DeleteSnapshot", "ec2:DeregisterImage", "ec2:DescribeImages",
        "ec2:DescribeInstances", "ec2:DescribeSnapshots", "ec2:DescribeTags",
        "ec2:DescribeVolumes", "ec2:ModifyImageAttribute", "ec2:ModifySnapshotAttribute"
      ],
      "Resource": "*"
    },
    {
      "Sid": "KMSPermissions",
      "Effect": "Allow",
      "Action": [
        "kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt",
        "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom",
        "kms:ReEncryptTo"
      ],
      "Resource": "*"
    }
  ]
})json";

absl::StatusOr<std::string> Automation::CreateBackupDefaultServiceRole(const CallContext& ctx) {
  iam::PrincipalSpec spec;
  spec.type = iam::PrincipalSpec::Type::kRole;
  spec.name = "AWSBackupDefaultServiceRole";
  spec.path = "/service-role/";
  spec.policies = {{"arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
                    std::string(kBackupServiceRolePolicy)}};
  return iam::PutPrincipal(*cloud_, ctx.account, spec);
}

}  // namespace ami
