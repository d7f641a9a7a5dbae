// AWS Backup's ARNs, ids, call contexts, records and state equality.
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "ami/errors.h"
#include "automation/backup_internal.h"
#include "automation/backup_state.h"

namespace ami::internal {

std::string BackupVaultArn(AccountId account, Region region, absl::string_view name) {
  return absl::StrCat("arn:aws:backup:", region.ToString(), ":", account.ToString(),
                      ":backup-vault:", name);
}

std::string BackupInstanceArn(AccountId account, Region region, InstanceId id) {
  return absl::StrCat("arn:aws:ec2:", region.ToString(), ":", account.ToString(), ":instance/",
                      id.ToString());
}

std::string RecoveryPointArn(Region region, ImageId image) {
  return absl::StrCat("arn:aws:ec2:", region.ToString(), "::image/", image.ToString());
}

std::string BackupUuid(uint64_t n) {
  return absl::StrFormat("%08x-0000-4000-8000-%012x", static_cast<uint32_t>(n >> 48),
                         n & 0xffffffffffffULL);
}

std::optional<VaultKey> ParseBackupVaultArn(absl::string_view arn) {
  constexpr absl::string_view kPrefix = "arn:aws:backup:";
  if (!absl::StartsWith(arn, kPrefix)) return std::nullopt;
  const std::vector<absl::string_view> parts = absl::StrSplit(arn.substr(kPrefix.size()), ':');
  if (parts.size() != 4 || parts[2] != "backup-vault" || parts[3].empty()) return std::nullopt;
  absl::StatusOr<Region> region = Region::Parse(parts[0]);
  absl::StatusOr<AccountId> account = AccountId::Parse(parts[1]);
  if (!region.ok() || !account.ok()) return std::nullopt;
  return VaultKey{*account, *region, std::string(parts[3])};
}

CallContext BackupCallContext(AccountId account, Region region, const std::string& role,
                              bool as_backup) {
  CallContext ctx;
  ctx.account = account;
  ctx.region = region;
  ctx.principal = role;
  if (as_backup) {
    ctx.context.emplace_back(std::string(kCalledViaKey), std::string(kBackupServicePrincipal));
  }
  return ctx;
}

std::string BackupStatusMessage(const absl::Status& status) {
  const std::optional<ErrorCode> code = GetErrorCode(status);
  const absl::string_view name =
      code.has_value() ? ErrorCodeName(*code) : absl::StatusCodeToString(status.code());
  return absl::StrCat(name, ": ", status.message());
}

void RecordBackup(CloudState& s, AccountId account, Region region, const std::string& source,
                  absl::string_view action, const std::string& resource,
                  const std::string& result, const absl::Status& status) {
  AutomationRecord r;
  r.time = s.Now();
  r.source = source;
  r.action = std::string(action);
  r.resource = resource;
  r.result = result;
  if (status.ok()) {
    r.error_code = "OK";
  } else {
    const std::optional<ErrorCode> code = GetErrorCode(status);
    r.error_code = code.has_value() ? std::string(ErrorCodeName(*code))
                                    : absl::StatusCodeToString(status.code());
    r.message = std::string(status.message());
  }
  s.mutable_automation().Record(account, region, std::move(r));
}

bool operator==(const BackupJobState& a, const BackupJobState& b) {
  return std::tie(a.job, a.image, a.role_arn, a.order, a.lifecycle, a.copy_actions,
                  a.destination_vault_arn, a.deadline) ==
         std::tie(b.job, b.image, b.role_arn, b.order, b.lifecycle, b.copy_actions,
                  b.destination_vault_arn, b.deadline);
}

bool operator==(const RecoveryPointState& a, const RecoveryPointState& b) {
  return std::tie(a.point, a.role_arn, a.order) == std::tie(b.point, b.role_arn, b.order);
}

bool operator==(const BackupState& a, const BackupState& b) {
  return std::tie(a.vaults, a.plans, a.jobs, a.recovery_points, a.next_number) ==
         std::tie(b.vaults, b.plans, b.jobs, b.recovery_points, b.next_number);
}

}  // namespace ami::internal
