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

// One string of a policy element, and its path.
struct Item {
  std::string path;
  std::string text;
};

// The strings of an element that is a string or a list of strings.
absl::StatusOr<std::vector<Item>> Strings(const std::string& path, const pb::Value& value) {
  if (value.kind_case() == pb::Value::kStringValue) {
    return std::vector<Item>{{path, value.string_value()}};
  }
  if (value.kind_case() != pb::Value::kListValue) {
    return At(path, Invalid("expected a string or a list of strings"));
  }
  std::vector<Item> items;
  for (int i = 0; i < value.list_value().values_size(); ++i) {
    const pb::Value& v = value.list_value().values(i);
    const std::string item_path = absl::StrCat(path, "[", i, "]");
    if (v.kind_case() != pb::Value::kStringValue) {
      return At(item_path, Invalid("expected a string"));
    }
    items.push_back({item_path, v.string_value()});
  }
  return items;
}

// The action as KmsActions::Parse takes it: IAM's bare "*" is "kms:*" in a key policy.
std::vector<std::string> ExpandAction(const std::string& action) {
  if (action == "*") return {"kms:*"};
  return {action};
}

absl::Status EffectOf(const std::string& path, const Fields& fields, KeyPolicyStatement* s) {
  const pb::Value* effect = Find(fields, "Effect");
  if (effect == nullptr) {
    return At(path + ".Effect", MakeError(choices::kMissingValue, "a statement needs an effect"));
  }
  if (effect->string_value() == "Allow" || effect->string_value() == "Deny") {
    s->effect = effect->string_value() == "Allow" ? KeyPolicyStatement::Effect::kAllow
                                                  : KeyPolicyStatement::Effect::kDeny;
    return absl::OkStatus();
  }
  return At(path + ".Effect", Invalid(absl::StrCat("invalid effect `",
                                                   text_util::Clip(effect->string_value()),
                                                   "`: expected Allow or Deny")));
}

// Principal "*", or {"AWS": …}: accounts (ids or :root ARNs) and IAM identities (other IAM
// ARNs). Other principal kinds (Service, Federated, CanonicalUser) never name the account that
// makes a call, so they add no principal.
absl::Status PrincipalOf(const std::string& path, const Fields& fields, KeyPolicyStatement* s) {
  const std::string principal_path = path + ".Principal";
  const pb::Value* principal = Find(fields, "Principal");
  if (principal == nullptr) {
    return At(principal_path, MakeError(choices::kMissingValue, "a statement needs a principal"));
  }
  if (principal->kind_case() == pb::Value::kStringValue && principal->string_value() == "*") {
    s->any_principal = true;
    return absl::OkStatus();
  }
  if (principal->kind_case() != pb::Value::kStructValue) {
    return At(principal_path, Invalid("a principal is `*` or an object such as {\"AWS\": …}"));
  }
  const pb::Value* aws = Find(principal->struct_value().fields(), "AWS");
  if (aws == nullptr) return absl::OkStatus();
  AMI_ASSIGN_OR_RETURN(const std::vector<Item> items, Strings(principal_path + ".AWS", *aws));
  for (const Item& item : items) {
    if (item.text == "*") {
      s->any_principal = true;
      continue;
    }
    bool whole_account = true;
    AMI_ASSIGN_OR_RETURN(const AccountId account,
                         At(item.path, PrincipalAccountOf(item.text, &whole_account)));
    if (whole_account) {
      s->accounts.push_back(account);
    } else {
      s->iam_principals.push_back(item.text);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<KmsActions> ActionsOf(const std::string& path, const Fields& fields) {
  const pb::Value* action = Find(fields, "Action");
  if (action == nullptr) {
    return At(path + ".Action", MakeError(choices::kMissingValue, "a statement needs actions"));
  }
  AMI_ASSIGN_OR_RETURN(const std::vector<Item> items, Strings(path + ".Action", *action));
  KmsActions actions;
  for (const Item& item : items) {
    AMI_ASSIGN_OR_RETURN(const KmsActions named,
                         At(item.path, KmsActions::Parse(ExpandAction(item.text))));
    actions = actions.Union(named);
  }
  return actions;
}

// The text of a condition value: JSON strings as they are, booleans and numbers as JSON prints
// them ("Bool": {"kms:GrantIsForAWSResource": true} is "true").
absl::StatusOr<std::string> ConditionText(const std::string& path, const pb::Value& v) {
  switch (v.kind_case()) {
    case pb::Value::kStringValue:
      return v.string_value();
    case pb::Value::kBoolValue:
      return std::string(v.bool_value() ? "true" : "false");
    case pb::Value::kNumberValue:
      return absl::StrCat(v.number_value());
    default:
      return At(path, Invalid("a condition value is a string, a boolean or a number"));
  }
}

// The values of one condition key: one value or a list of them.
absl::StatusOr<std::vector<std::string>> ConditionValues(const std::string& path,
                                                         const pb::Value& value) {
  std::vector<std::string> out;
  if (value.kind_case() != pb::Value::kListValue) {
    AMI_ASSIGN_OR_RETURN(std::string text, ConditionText(path, value));
    out.push_back(std::move(text));
    return out;
  }
  for (int i = 0; i < value.list_value().values_size(); ++i) {
    AMI_ASSIGN_OR_RETURN(std::string text, ConditionText(absl::StrCat(path, "[", i, "]"),
                                                         value.list_value().values(i)));
    out.push_back(std::move(text));
  }
  if (out.empty()) return At(path, Invalid("a condition key needs at least one value"));
  return out;
}

// True when a StringLike value has no wildcard, so that it means what StringEquals would.
bool Literal(const std::string& v) { return v.find_first_of("*?") == std::string::npos; }

// Adds one condition: the organization forms KMS-7 documents into their own fields when they
// mean exactly what those fields mean, every other one as written. Nothing is dropped.
absl::Status AddCondition(const std::string& path, const std::string& op, const std::string& key,
                          std::vector<std::string> values, KeyPolicyStatement* s) {
  const std::string lower = absl::AsciiStrToLower(key);
  const bool literal = std::all_of(values.begin(), values.end(), Literal);
  if (lower == "aws:principalorgid" && s->principal_org_ids.empty() &&
      (op == "StringEquals" || (op == "StringLike" && literal))) {
    std::vector<OrganizationId> orgs;
    for (size_t i = 0; i < values.size(); ++i) {
      AMI_ASSIGN_OR_RETURN(OrganizationId org, At(absl::StrCat(path, "[", i, "]"),
                                                  OrganizationId::Parse(values[i])));
      orgs.push_back(std::move(org));
    }
    s->principal_org_ids = std::move(orgs);
    return absl::OkStatus();
  }
  if ((op == "ForAnyValue:StringLike" || op == "StringLike") &&
      lower == "aws:principalorgpaths" && s->principal_org_paths.empty()) {
    s->principal_org_paths = std::move(values);
    return absl::OkStatus();
  }
  s->conditions.push_back({op, key, std::move(values)});
  return absl::OkStatus();
}

// The statement's Condition block: every operator, every key, in a fixed order.
absl::Status ConditionsOf(const std::string& path, const Fields& fields, KeyPolicyStatement* s) {
  const pb::Value* condition = Find(fields, "Condition");
  if (condition == nullptr) return absl::OkStatus();
  const std::string condition_path = path + ".Condition";
  if (condition->kind_case() != pb::Value::kStructValue) {
    return At(condition_path, Invalid("a condition block is a json object"));
  }
  for (const std::string& op : SortedKeys(condition->struct_value().fields())) {
    const pb::Value& block = *Find(condition->struct_value().fields(), op);
    const std::string op_path = absl::StrCat(condition_path, ".", op);
    if (block.kind_case() != pb::Value::kStructValue) {
      return At(op_path, Invalid("a condition operator maps keys to values"));
    }
    for (const std::string& key : SortedKeys(block.struct_value().fields())) {
      const std::string key_path = absl::StrCat(op_path, ".", key);
      AMI_ASSIGN_OR_RETURN(std::vector<std::string> values,
                           ConditionValues(key_path, *Find(block.struct_value().fields(), key)));
      AMI_RETURN_IF_ERROR(AddCondition(key_path, op, key, std::move(values), s));
    }
  }
  return absl::OkStatus();
}

// One statement; nullopt when it names no principal libami models.
absl::StatusOr<std::optional<KeyPolicyStatement>> StatementOf(const std::string& path,
                                                              const pb::Value& value) {
  if (value.kind_case() != pb::Value::kStructValue) {
    return At(path, Invalid("a statement is a json object"));
  }
  const Fields& fields = value.struct_value().fields();
  for (const char* refused : {"NotPrincipal", "NotAction"}) {
    if (Find(fields, refused) != nullptr) {
      return At(absl::StrCat(path, ".", refused),
                Invalid("is not modelled: name the principals and actions instead"));
    }
  }
  KeyPolicyStatement s;
  if (const pb::Value* sid = Find(fields, "Sid")) s.sid = sid->string_value();
  AMI_RETURN_IF_ERROR(EffectOf(path, fields, &s));
  AMI_RETURN_IF_ERROR(PrincipalOf(path, fields, &s));
  AMI_ASSIGN_OR_RETURN(s.actions, ActionsOf(path, fields));
  AMI_RETURN_IF_ERROR(ConditionsOf(path, fields, &s));
  if (!s.any_principal && s.accounts.empty() && s.iam_principals.empty()) {
    return std::optional<KeyPolicyStatement>();
  }
  return std::optional<KeyPolicyStatement>(std::move(s));
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
    return policy->kind_case() == pb::Value::kStructValue ? Kind::kScpContent : Kind::kKeyPolicy;
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

}  // namespace

const KindInfo& InfoOf(Kind kind) { return kKinds[static_cast<int>(kind)]; }

absl::StatusOr<Kind> Detect(absl::string_view json) {
  json_check::JsonCheckOptions check;
  check.what = "the json document";
  check.keep_top_level_keys = true;
  AMI_ASSIGN_OR_RETURN(json_check::JsonShape shape, json_check::CheckJson(json, check));
  if (!shape.is_object) {
    return MakeError(choices::kUndecodableInput, "cannot decode the json document: not an object");
  }
  const auto has = [&shape](absl::string_view key) {
    return std::find(shape.keys.begin(), shape.keys.end(), key) != shape.keys.end();
  };
  if (has("UserDetailList") || has("GroupDetailList") || has("RoleDetailList") ||
      (has("Policies") && (has("IsTruncated") || has("Marker")))) {
    return Kind::kAuthorizationDetails;
  }
  if (has("Policies") || has("Policy")) return SharedKeyKind(json, has("Policies"));
  for (const KindInfo& k : kKinds) {
    if (has(k.key)) return k.kind;
  }
  std::vector<std::string> keys;
  for (const std::string& key : shape.keys) keys.push_back(text_util::Clip(key));
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  if (keys.size() > 8) keys.resize(8);
  const std::string listed =
      keys.empty() ? "none" : absl::StrCat("`", absl::StrJoin(keys, "`, `"), "`");
  return Invalid(absl::StrCat("not a known aws cli output: top-level keys ", listed));
}

// ---- Key policy documents ---------------------------------------------------------------------

absl::StatusOr<std::vector<KeyPolicyStatement>> PolicyDocument(const std::string& text) {
  if (text.size() > kMaxKeyPolicyBytes) {
    return MakeError(choices::kInputTooLarge,
                     absl::StrCat("the policy document has ", text.size(),
                                  " bytes, more than the limit of ", kMaxKeyPolicyBytes));
  }
  pb::Struct doc;
  AMI_RETURN_IF_ERROR(DecodeJson(text, "the policy document", &doc));
  const pb::Value* statement = Find(doc.fields(), "Statement");
  if (statement == nullptr) {
    return At("Statement", MakeError(choices::kMissingValue, "a key policy needs statements"));
  }
  std::vector<std::pair<std::string, const pb::Value*>> items;
  if (statement->kind_case() == pb::Value::kListValue) {
    for (int i = 0; i < statement->list_value().values_size(); ++i) {
      items.emplace_back(absl::StrCat("Statement[", i, "]"), &statement->list_value().values(i));
    }
  } else {
    items.emplace_back("Statement", statement);
  }
  std::vector<KeyPolicyStatement> out;
  for (const auto& [path, value] : items) {
    AMI_ASSIGN_OR_RETURN(std::optional<KeyPolicyStatement> s, StatementOf(path, *value));
    if (s.has_value()) out.push_back(std::move(*s));
  }
  return out;
}

}  // namespace ami::aws_import_internal
