// amictl import: AWS CLI JSON output → a state file.
#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ami/io/aws_import.h"
#include "ami/errors.h"
#include "ami/io/state_file.h"
#include "cli.h"
#include "progress.h"

namespace amictl {
namespace {

constexpr char kHelp[] =
    "usage: amictl import --out STATE [--now TIME] --account ID --region REGION [--key KEY]\n"
    "                     [--parent ID] [--child ID] [--policy-id ID] [--rule NAME] FILE...\n"
    "\n"
    "Reads the JSON that the AWS CLI prints for ec2 describe-images, describe-snapshots,\n"
    "describe-instances, describe-image-attribute --attribute launchPermission,\n"
    "describe-snapshot-attribute --attribute createVolumePermission, kms describe-key,\n"
    "kms get-key-policy, kms list-aliases, kms list-grants, ec2 get-ebs-encryption-by-default,\n"
    "get-ebs-default-kms-key-id and get-image-block-public-access-state,\n"
    "iam get-account-authorization-details, and organizations describe-organization,\n"
    "list-roots, list-organizational-units-for-parent, list-accounts[-for-parent],\n"
    "list-parents, list-policies, describe-policy and list-targets-for-policy, dlm\n"
    "get-lifecycle-policy, backup list-backup-vaults, get-backup-plan and get-backup-selection,\n"
    "events describe-rule and list-targets-by-rule, and scheduler get-schedule, and writes one\n"
    "state file. Automation definitions get the cloud's own ids: each file id is printed with\n"
    "the id it became.\n"
    "--account and --region say where the CLI ran; they apply to the files after them, may\n"
    "be repeated, and are required before the first file. --now (RFC 3339) sets the state's\n"
    "clock, no earlier than the newest time the files observed; by default the clock is that\n"
    "newest time. A file may be a --query'd list (Images[], Snapshots[], Reservations[],\n"
    "Reservations[].Instances[]) and may begin with a byte-order mark.\n"
    "--key names the key of the next get-key-policy file; --parent the --parent-id of the\n"
    "next list-organizational-units-for-parent or list-accounts-for-parent file;\n"
    "--child the --child-id of the next list-parents file; --policy-id that of the next\n"
    "list-targets-for-policy file; --rule the --rule of the next list-targets-by-rule file.\n";

}  // namespace

int Import(const Args& args) {
  if (args.help) {
    std::fputs(kHelp, stdout);
    return kOk;
  }
  const std::optional<std::string> out = args.Get("--out");
  if (!out) {
    std::fputs(kHelp, stderr);
    return kUsage;
  }
  std::optional<absl::Time> now;
  if (const std::optional<std::string> text = args.Get("--now")) {
    absl::StatusOr<absl::Time> t = ami::ParseAwsTime(*text);
    if (!t.ok()) return Fail(args, t.status());
    now = *t;
  }
  std::vector<ami::AwsCliFile> files;
  ImportProgress progress;
  std::optional<std::string> account, region;
  std::string key, parent, child, policy, rule;
  for (const Args::Item& item : args.items) {
    if (item.option == "--account") {
      account = item.value;
    } else if (item.option == "--region") {
      region = item.value;
    } else if (item.option == "--key") {
      key = item.value;
    } else if (item.option == "--parent") {
      parent = item.value;
    } else if (item.option == "--child") {
      child = item.value;
    } else if (item.option == "--policy-id") {
      policy = item.value;
    } else if (item.option == "--rule") {
      rule = item.value;
    } else if (item.option.empty()) {
      // A guessed account or Region would misplace every resource of the file.
      for (const auto& [given, name] : {std::pair{&account, "--account"}, {&region, "--region"}}) {
        if (given->has_value()) continue;
        return Fail(args, ami::MakeError(ami::ErrorCode::kMissingParameter,
                                         absl::StrCat(name, " is required before `", item.value,
                                                      "`: say where the aws cli ran")));
      }
      auto acct = ami::AccountId::Parse(*account);
      if (!acct.ok()) return Fail(args, acct.status());
      auto reg = ami::Region::Parse(*region);
      if (!reg.ok()) return Fail(args, reg.status());
      absl::StatusOr<std::string> json = ami::ReadAwsCliJson(item.value);
      if (!json.ok()) {
        progress.Finish();
        return Fail(args, json.status());
      }
      progress.FileRead(item.value, json->size());
      files.push_back(
          ami::AwsCliFile{item.value, *std::move(json), *acct, *reg, key, parent, child, policy, rule});
      rule.clear();
      key.clear();
      parent.clear();
      child.clear();
      policy.clear();
    }
  }
  if (files.empty()) {
    std::fputs(kHelp, stderr);
    return kUsage;
  }
  progress.Importing();
  std::vector<ami::ImportedAutomationId> renamed;
  absl::StatusOr<std::unique_ptr<ami::Cloud>> cloud = ami::ImportAwsCli(files, {}, now, &renamed);
  progress.Finish();
  if (!cloud.ok()) return Fail(args, cloud.status());
  if (absl::Status s = ami::SaveStateToFile(**cloud, *out); !s.ok()) return Fail(args, s);
  const size_t images = (*cloud)->ListImages().size(), snapshots = (*cloud)->ListSnapshots().size(),
               instances = (*cloud)->ListInstances().size(), keys = (*cloud)->ListKeys().size();
  if (args.json) {
    std::string ids;
    for (const ami::ImportedAutomationId& r : renamed) {
      absl::StrAppend(&ids, ids.empty() ? "" : ", ", "{\"Kind\": ", Quote(r.kind), ", \"FileId\": ",
                      Quote(r.file_id), ", \"Id\": ", Quote(r.cloud_id), "}");
    }
    std::printf("{\"State\": %s, \"Files\": %zu, \"Images\": %zu, \"Snapshots\": %zu, "
                "\"Instances\": %zu, \"Keys\": %zu, \"Automation\": [%s]}\n",
                Quote(*out).c_str(), files.size(), images, snapshots, instances, keys, ids.c_str());
  } else {
    std::printf("imported %zu files: %zu images, %zu snapshots, %zu instances, %zu keys -> %s\n",
                files.size(), images, snapshots, instances, keys, out->c_str());
    for (const ami::ImportedAutomationId& r : renamed) {
      std::printf("%s %s -> %s\n", r.kind.c_str(), r.file_id.c_str(), r.cloud_id.c_str());
    }
  }
  return kOk;
}

}  // namespace amictl
