// Reading AWS CLI JSON output (lib/aws_import_json.h): error locations, output kinds and key
// policy documents.
#include "io/aws_import_json.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ami/errors.h"
#include "ami/io/proto.h"
#include "values/choices.h"
#include "google/protobuf/struct.pb.h"
#include "io/json_check.h"
#include "values/status_macros.h"
#include "values/text_util.h"

namespace ami::aws_import_internal {
namespace {

namespace pb = google::protobuf;

// True when `text` is a JSON field path such as `Images[3].ImageId`, not the start of a sentence.
bool IsPath(absl::string_view text) {
  if (text.empty() || !absl::ascii_isupper(static_cast<unsigned char>(text[0]))) return false;
  for (const char c : text) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '[' && c != ']' &&
        c != ':') {
      return false;
    }
  }
  return true;
}

constexpr KindInfo kKinds[] = {
    {Kind::kImages, "describe-images", "Images"},
    {Kind::kSnapshots, "describe-snapshots", "Snapshots"},
    {Kind::kInstances, "describe-instances", "Reservations"},
    {Kind::kImageAttribute, "describe-image-attribute", "LaunchPermissions"},
    {Kind::kSnapshotAttribute, "describe-snapshot-attribute", "CreateVolumePermissions"},
    {Kind::kKey, "describe-key", "KeyMetadata"},
    {Kind::kKeyPolicy, "get-key-policy", "Policy"},
    {Kind::kEbsEncryption, "get-ebs-encryption-by-default", "EbsEncryptionByDefault"},
    {Kind::kImageBlockPublicAccess, "get-image-block-public-access-state",
     "ImageBlockPublicAccessState"},
    {Kind::kAliases, "list-aliases", "Aliases"},
    {Kind::kGrants, "list-grants", "Grants"},
    {Kind::kEbsDefaultKey, "get-ebs-default-kms-key-id", "KmsKeyId"},
    {Kind::kAuthorizationDetails, "get-account-authorization-details", "UserDetailList"},
    {Kind::kOrganization, "describe-organization", "Organization"},
    {Kind::kRoots, "list-roots", "Roots"},
    {Kind::kOrganizationalUnits, "list-organizational-units-for-parent", "OrganizationalUnits"},
    {Kind::kAccounts, "list-accounts", "Accounts"},
    {Kind::kParents, "list-parents", "Parents"},
    {Kind::kScpList, "list-policies", "Policies"},
    {Kind::kScpContent, "describe-policy", "Policy"},
    {Kind::kScpTargets, "list-targets-for-policy", "Targets"},
    {Kind::kDlmPolicy, "get-lifecycle-policy", "Policy"},
    {Kind::kBackupVaults, "list-backup-vaults", "BackupVaultList"},
    {Kind::kBackupPlan, "get-backup-plan", "BackupPlan"},
    {Kind::kBackupSelection, "get-backup-selection", "BackupSelection"},
    {Kind::kEventRule, "describe-rule", ""},
    {Kind::kRuleTargets, "list-targets-by-rule", "Targets"},
    {Kind::kSchedule, "get-schedule", ""},
    {Kind::kEmptyList, "empty-list", ""},
};

using Fields = pb::Map<std::string, pb::Value>;

const pb::Value* Find(const Fields& fields, const std::string& key) {
  const auto it = fields.find(key);
  return it == fields.end() ? nullptr : &it->second;
}

// The keys of a JSON object, sorted, so that results do not depend on map order.
std::vector<std::string> SortedKeys(const Fields& fields) {
  std::vector<std::string> keys;
  keys.reserve(fields.size());
  for (const auto& entry : fields) keys.push_back(entry.first);
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace

// ---- Error locations --------------------------------------------------------------------------

// `status` with another message; code and payloads are kept.
absl::Status WithMessage(const absl::Status& status, absl::string_view message) {
  absl::Status out(status.code(), message);
  status.ForEachPayload(
      [&out](absl::string_view url, const absl::Cord& payload) { out.SetPayload(url, payload); });
  return out;
}

// `status` with `prefix` before its message.
absl::Status Prefixed(absl::string_view prefix, const absl::Status& status) {
  if (status.ok()) return status;
  return WithMessage(status, absl::StrCat(prefix, status.message()));
}

// `status` located at `path`: a message that starts with a path continues it
// ("Images[3]" + "ImageId: …" is "Images[3].ImageId: …"); any other is put after it.
absl::Status At(absl::string_view path, const absl::Status& status) {
  if (status.ok()) return status;
  const absl::string_view message = status.message();
  const size_t colon = message.find(": ");
  const bool nested = colon != absl::string_view::npos && IsPath(message.substr(0, colon));
  return Prefixed(absl::StrCat(path, nested ? "." : ": "), status);
}

// `status` in `file`: "<name>: …".
absl::Status InFile(const AwsCliFile& file, const absl::Status& status) {
  return Prefixed(absl::StrCat(file.name, ": "), status);
}

absl::Status Invalid(absl::string_view message) {
  return MakeError(choices::kInvalidValue, message);
}

absl::Status Renumbered(const absl::Status& status, const std::vector<int>& kept) {
  constexpr absl::string_view kPrefix = "BlockDeviceMappings[";
  const absl::string_view message = status.message();
  if (kept.empty() || !absl::StartsWith(message, kPrefix)) return status;
  const size_t close = message.find(']');
  size_t n = 0;
  if (close == absl::string_view::npos ||
      !absl::SimpleAtoi(message.substr(kPrefix.size(), close - kPrefix.size()), &n) ||
      n >= kept.size()) {
    return status;
  }
  return WithMessage(status, absl::StrCat(kPrefix, kept[n], message.substr(close)));
}

// ---- JSON and kinds ---------------------------------------------------------------------------

namespace {

// get-account-authorization-details filtered to managed policies prints only "Policies", as
// list-policies does: its entries have PolicyName or PolicyVersionList, Organizations' have Id.
// get-key-policy's "Policy" is a string, describe-policy's an object.
absl::StatusOr<Kind> SharedKeyKind(absl::string_view json, bool policies) {
  pb::Struct doc;
  AMI_RETURN_IF_ERROR(DecodeJson(json, "the json document", &doc));
  if (!policies) {
    const pb::Value* policy = Find(doc.fields(), "Policy");
    if (policy->kind_case() != pb::Value::kStructValue) return Kind::kKeyPolicy;
    const Fields& fields = policy->struct_value().fields();
    // dlm get-lifecycle-policy: {"Policy": {"PolicyId", "PolicyDetails", …}}.
    const bool dlm = Find(fields, "PolicyId") != nullptr || Find(fields, "PolicyDetails") != nullptr;
    return dlm ? Kind::kDlmPolicy : Kind::kScpContent;
  }
  const pb::Value* list = Find(doc.fields(), "Policies");
  if (list->kind_case() == pb::Value::kListValue && list->list_value().values_size() > 0) {
    const pb::Value& first = list->list_value().values(0);
    if (first.kind_case() == pb::Value::kStructValue &&
        (Find(first.struct_value().fields(), "PolicyName") != nullptr ||
         Find(first.struct_value().fields(), "PolicyVersionList") != nullptr)) {
      return Kind::kAuthorizationDetails;
    }
  }
  return Kind::kScpList;
}

// Organizations' list-targets-for-policy lists {"TargetId", …}, events list-targets-by-rule
// {"Id", "Arn", …}; an empty list is Organizations' (the importer reads it as the rule's when the
// file names a rule).
absl::StatusOr<Kind> TargetsKind(absl::string_view json) {
  pb::Struct doc;
  AMI_RETURN_IF_ERROR(DecodeJson(json, "the json document", &doc));
  const pb::Value* list = Find(doc.fields(), "Targets");
  if (list->kind_case() == pb::Value::kListValue && list->list_value().values_size() > 0) {
    const pb::Value& first = list->list_value().values(0);
    if (first.kind_case() == pb::Value::kStructValue &&
        Find(first.struct_value().fields(), "TargetId") == nullptr &&
        (Find(first.struct_value().fields(), "Id") != nullptr ||
         Find(first.struct_value().fields(), "Arn") != nullptr)) {
      return Kind::kRuleTargets;
    }
  }
  return Kind::kScpTargets;
}

}  // namespace

const KindInfo& InfoOf(Kind kind) { return kKinds[static_cast<int>(kind)]; }

namespace {

// Up to 8 of `keys`, sorted and without repeats, in backticks.
std::string Listed(const std::vector<std::string>& all) {
  std::vector<std::string> keys;
  for (const std::string& key : all) keys.push_back(text_util::Clip(key));
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  if (keys.size() > 8) keys.resize(8);
  return keys.empty() ? "none" : absl::StrCat("`", absl::StrJoin(keys, "`, `"), "`");
}

// A bare list, by its first element's keys.
absl::StatusOr<Detected> DetectList(json_check::JsonShape shape) {
  Detected out{Kind::kEmptyList, true, false, std::move(shape.elements)};
  if (out.elements.empty()) return out;
  const auto has = [&shape](absl::string_view key) {
    return std::find(shape.keys.begin(), shape.keys.end(), key) != shape.keys.end();
  };
  if (has("Instances")) {
    out.kind = Kind::kInstances;
    out.reservations = true;
  } else if (has("InstanceId")) {
    out.kind = Kind::kInstances;
  } else if (has("ImageId")) {
    out.kind = Kind::kImages;
  } else if (has("SnapshotId")) {
    out.kind = Kind::kSnapshots;
  } else {
    return Invalid(absl::StrCat(
        "not a known aws cli output: a list whose first element is no image, snapshot, instance "
        "or reservation (keys ", Listed(shape.keys), ")"));
  }
  return out;
}

}  // namespace

absl::StatusOr<Detected> DetectShape(absl::string_view json) {
  json_check::JsonCheckOptions check;
  check.what = "the json document";
  check.keep_top_level_keys = true;
  check.allow_non_finite = true;
  AMI_ASSIGN_OR_RETURN(json_check::JsonShape shape, json_check::CheckJson(json, check));
  if (shape.is_array) return DetectList(std::move(shape));
  if (!shape.is_object) {
    return MakeError(choices::kUndecodableInput,
                     "cannot decode the json document: not an object or a list");
  }
  const auto has = [&shape](absl::string_view key) {
    return std::find(shape.keys.begin(), shape.keys.end(), key) != shape.keys.end();
  };
  if (has("UserDetailList") || has("GroupDetailList") || has("RoleDetailList") ||
      (has("Policies") && (has("IsTruncated") || has("Marker")))) {
    return Detected{Kind::kAuthorizationDetails};
  }
  if (has("Policies") || has("Policy")) {
    AMI_ASSIGN_OR_RETURN(const Kind kind, SharedKeyKind(json, has("Policies")));
    return Detected{kind};
  }
  // Scheduler's get-schedule has a Target; events describe-rule a Name and a schedule or pattern.
  if (has("Target") && has("ScheduleExpression")) return Detected{Kind::kSchedule};
  if (has("Name") && (has("ScheduleExpression") || has("EventPattern"))) {
    return Detected{Kind::kEventRule};
  }
  if (has("Targets")) {
    AMI_ASSIGN_OR_RETURN(const Kind kind, TargetsKind(json));
    return Detected{kind};
  }
  for (const KindInfo& k : kKinds) {
    if (!k.key.empty() && has(k.key)) return Detected{k.kind};
  }
  return Invalid(absl::StrCat("not a known aws cli output: top-level keys ", Listed(shape.keys)));
}

absl::StatusOr<Kind> Detect(absl::string_view json) {
  AMI_ASSIGN_OR_RETURN(const Detected detected, DetectShape(json));
  return detected.kind;
}

}  // namespace ami::aws_import_internal
