// Importing AWS CLI JSON output into a new Cloud (ami/aws_import.h).
//
// Each file is recognised by its top-level keys and decoded into its aws_cli.proto message; the
// values inside go through FromProto() (ami/proto.h) and into the Cloud's Import* and settings
// methods, in the order the header documents. Errors are prefixed with the file name and the
// JSON path of the value that failed.
#include "ami/aws_import.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ami/errors.h"
#include "ami/proto.h"
#include "ami/v1/aws_cli.pb.h"
#include "cloud/state.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "io/file_util.h"
#include "io/json_check.h"
#include "values/choices.h"
#include "values/status_macros.h"
#include "values/text_util.h"

namespace ami {
namespace {

namespace pb = google::protobuf;

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

// `status` located at `path`: a message that starts with a path continues it
// ("Images[3]" + "ImageId: …" is "Images[3].ImageId: …"); any other is put after it.
absl::Status At(absl::string_view path, const absl::Status& status) {
  if (status.ok()) return status;
  const absl::string_view message = status.message();
  const size_t colon = message.find(": ");
  const bool nested = colon != absl::string_view::npos && IsPath(message.substr(0, colon));
  return Prefixed(absl::StrCat(path, nested ? "." : ": "), status);
}

template <typename T>
absl::StatusOr<T> At(absl::string_view path, absl::StatusOr<T> result) {
  if (!result.ok()) return At(path, result.status());
  return result;
}

// `status` in `file`: "<name>: …".
absl::Status InFile(const AwsCliFile& file, const absl::Status& status) {
  return Prefixed(absl::StrCat(file.name, ": "), status);
}

template <typename T>
absl::StatusOr<T> InFile(const AwsCliFile& file, absl::StatusOr<T> result) {
  if (!result.ok()) return InFile(file, result.status());
  return result;
}

absl::Status Invalid(absl::string_view message) {
  return MakeError(choices::kInvalidValue, message);
}

// A value message read from a file, and where it sits there ("Images[3]").
template <typename P>
struct Located {
  const AwsCliFile* file;
  std::string path;
  P proto;
  // For an image whose NoDevice mappings were dropped: the file's index of each mapping kept.
  std::vector<int> kept_mappings = {};
};

// A message that starts with `BlockDeviceMappings[n]` renumbered to the file's index `kept[n]`.
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

template <typename P>
absl::Status Locate(const Located<P>& at, const absl::Status& status) {
  return InFile(*at.file, At(at.path, Renumbered(status, at.kept_mappings)));
}

template <typename P, typename T>
absl::StatusOr<T> Locate(const Located<P>& at, absl::StatusOr<T> result) {
  if (!result.ok()) return Locate(at, result.status());
  return result;
}

// ---- JSON and kinds ---------------------------------------------------------------------------

// Decodes JSON text into `out`, ignoring unknown fields, once json_check::CheckJson() has passed
// it (a google.protobuf.Struct is checked without a schema); `SerializationException` when it
// cannot be decoded.
template <typename M>
absl::Status DecodeJson(absl::string_view json, absl::string_view what, M* out) {
  json_check::JsonCheckOptions check;
  check.what = std::string(what);
  if constexpr (!std::is_same_v<M, pb::Struct>) check.message = M::descriptor();
  AMI_RETURN_IF_ERROR(json_check::CheckJson(json, check).status());
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto status =
      pb::util::JsonStringToMessage(pb::StringPiece(json.data(), json.size()), out, options);
  if (status.ok()) return absl::OkStatus();
  return MakeError(choices::kUndecodableInput,
                   absl::StrCat("cannot decode ", what, ": ",
                                text_util::Clip(std::string(status.message()))));
}

enum class Kind : uint8_t {
  kImages, kSnapshots, kInstances, kImageAttribute, kSnapshotAttribute, kKey, kKeyPolicy,
  kEbsEncryption, kImageBlockPublicAccess, kAliases
};

struct KindInfo {
  Kind kind;
  absl::string_view name;
  // The top-level key that only this output has.
  absl::string_view key;
};

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
};

const KindInfo& InfoOf(Kind kind) { return kKinds[static_cast<int>(kind)]; }

// The kind of output by its top-level keys, read by json_check::CheckJson() without building
// anything for the values.
absl::StatusOr<Kind> Detect(absl::string_view json) {
  json_check::JsonCheckOptions check;
  check.what = "the json document";
  check.keep_top_level_keys = true;
  AMI_ASSIGN_OR_RETURN(json_check::JsonShape shape, json_check::CheckJson(json, check));
  if (!shape.is_object) {
    return MakeError(choices::kUndecodableInput, "cannot decode the json document: not an object");
  }
  for (const KindInfo& k : kKinds) {
    if (std::find(shape.keys.begin(), shape.keys.end(), k.key) != shape.keys.end()) return k.kind;
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

// The statements of an IAM policy document, reduced as the header says.
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

// ---- The import -------------------------------------------------------------------------------

// An attribute output's image or snapshot that no describe-* output holds.
absl::Status NotDescribed(ErrorCode code, absl::string_view what, const std::string& id,
                          Kind output) {
  return MakeError(code, absl::StrCat(what, " `", id, "` is in no ", InfoOf(output).name,
                                      " output"));
}

// A call made as `account` in `region`.
CallContext ContextOf(AccountId account, Region region) {
  CallContext ctx;
  ctx.account = account;
  ctx.region = region;
  return ctx;
}

template <typename M>
using FromFile = std::pair<const AwsCliFile*, M>;

// Reads the files, then imports what they hold into a new cloud in the documented order.
class Importer {
 public:
  explicit Importer(const Cloud::Options& options) : cloud_(Cloud::Create(options)) {}

  absl::Status Read(const AwsCliFile& file);
  absl::Status ImportAll() {
    AMI_RETURN_IF_ERROR(ImportKeys());
    AMI_RETURN_IF_ERROR(ImportAliases());
    AMI_RETURN_IF_ERROR(ImportKeyPolicies());
    AMI_RETURN_IF_ERROR(ImportSnapshots());
    AMI_RETURN_IF_ERROR(ImportImages());
    AMI_RETURN_IF_ERROR(ImportInstances());
    return ImportSettings();
  }
  std::unique_ptr<Cloud> TakeCloud() { return std::move(cloud_); }

 private:
  template <typename M>
  absl::StatusOr<M> Decode(const AwsCliFile& file, Kind kind) const {
    M message;
    AMI_RETURN_IF_ERROR(InFile(file, DecodeJson(file.json,
                                                absl::StrCat(InfoOf(kind).name, " output"),
                                                &message)));
    return message;
  }
  template <typename M>
  absl::Status Keep(const AwsCliFile& file, Kind kind, std::vector<FromFile<M>>* out) const {
    AMI_ASSIGN_OR_RETURN(M message, Decode<M>(file, kind));
    out->emplace_back(&file, std::move(message));
    return absl::OkStatus();
  }
  absl::Status ReadImages(const AwsCliFile& file);
  absl::Status ReadSnapshots(const AwsCliFile& file);
  absl::Status ReadInstances(const AwsCliFile& file);

  absl::Status ImportKeys();
  absl::Status ImportAliases();
  absl::Status ImportAlias(const AwsCliFile& file, const v1::ListAliasesOutput::Alias& alias,
                           const std::string& path);
  absl::Status ImportKeyPolicies();
  absl::StatusOr<std::optional<std::string>> PolicyKey(const AwsCliFile& file) const;
  absl::Status ImportSnapshots();
  absl::Status MergeSnapshotAttribute(const FromFile<v1::DescribeSnapshotAttributeOutput>& in,
                                      const absl::flat_hash_map<SnapshotId, size_t>& index);
  absl::Status ImportImages();
  absl::Status MergeImageAttribute(const FromFile<v1::DescribeImageAttributeOutput>& in,
                                   const absl::flat_hash_map<ImageId, size_t>& index);
  absl::Status ImportPlaceholders(const Image& image);
  absl::StatusOr<Snapshot> Placeholder(const Image& image, const EbsBlockDevice& ebs) const;
  absl::Status ImportInstances();
  absl::Status ImportSettings();

  std::unique_ptr<Cloud> cloud_;
  std::vector<Located<v1::Image>> images_;
  std::vector<Located<v1::Snapshot>> snapshots_;
  std::vector<Located<v1::Instance>> instances_;
  std::vector<FromFile<v1::DescribeImageAttributeOutput>> image_attributes_;
  std::vector<FromFile<v1::DescribeSnapshotAttributeOutput>> snapshot_attributes_;
  std::vector<FromFile<v1::DescribeKeyOutput>> keys_;
  std::vector<FromFile<v1::GetKeyPolicyOutput>> policies_;
  std::vector<FromFile<v1::GetEbsEncryptionByDefaultOutput>> ebs_encryption_;
  std::vector<FromFile<v1::GetImageBlockPublicAccessStateOutput>> block_public_access_;
  std::vector<FromFile<v1::ListAliasesOutput>> aliases_;
  // Customer managed keys imported, and AWS managed keys imported (whose policies are fixed by
  // AWS, KMS-1: their get-key-policy output is not read).
  std::vector<KmsKey> imported_keys_;
  std::vector<KmsKey> skipped_keys_;
};

absl::Status Importer::Read(const AwsCliFile& file) {
  AMI_ASSIGN_OR_RETURN(const Kind kind, InFile(file, Detect(file.json)));
  switch (kind) {
    case Kind::kImages: return ReadImages(file);
    case Kind::kSnapshots: return ReadSnapshots(file);
    case Kind::kInstances: return ReadInstances(file);
    case Kind::kImageAttribute: return Keep(file, kind, &image_attributes_);
    case Kind::kSnapshotAttribute: return Keep(file, kind, &snapshot_attributes_);
    case Kind::kKey: return Keep(file, kind, &keys_);
    case Kind::kKeyPolicy: return Keep(file, kind, &policies_);
    case Kind::kEbsEncryption: return Keep(file, kind, &ebs_encryption_);
    case Kind::kImageBlockPublicAccess: return Keep(file, kind, &block_public_access_);
    case Kind::kAliases: return Keep(file, kind, &aliases_);
  }
  return absl::OkStatus();
}

// Drops the mappings with neither Ebs nor VirtualName: describe-images prints NoDevice
// mappings so, and they only suppress a device. Returns the file's index of each mapping kept,
// or nothing when none was dropped.
std::vector<int> DropNoDeviceMappings(v1::Image* image) {
  pb::RepeatedPtrField<v1::BlockDeviceMapping> kept_mappings;
  std::vector<int> kept;
  for (int i = 0; i < image->block_device_mappings_size(); ++i) {
    const v1::BlockDeviceMapping& m = image->block_device_mappings(i);
    if (!m.has_ebs() && m.virtual_name().empty()) continue;
    kept.push_back(i);
    *kept_mappings.Add() = m;
  }
  if (static_cast<int>(kept.size()) == image->block_device_mappings_size()) return {};
  image->mutable_block_device_mappings()->Swap(&kept_mappings);
  return kept;
}

absl::Status Importer::ReadImages(const AwsCliFile& file) {
  AMI_ASSIGN_OR_RETURN(v1::DescribeImagesOutput out,
                       Decode<v1::DescribeImagesOutput>(file, Kind::kImages));
  for (int i = 0; i < out.images_size(); ++i) {
    v1::Image& p = *out.mutable_images(i);
    if (p.region().empty()) p.set_region(file.region.ToString());
    if (p.owner_id().empty()) p.set_owner_id(file.account.ToString());
    std::vector<int> kept = DropNoDeviceMappings(&p);
    images_.push_back({&file, absl::StrCat("Images[", i, "]"), std::move(p), std::move(kept)});
  }
  return absl::OkStatus();
}

absl::Status Importer::ReadSnapshots(const AwsCliFile& file) {
  AMI_ASSIGN_OR_RETURN(v1::DescribeSnapshotsOutput out,
                       Decode<v1::DescribeSnapshotsOutput>(file, Kind::kSnapshots));
  for (int i = 0; i < out.snapshots_size(); ++i) {
    v1::Snapshot& p = *out.mutable_snapshots(i);
    if (p.region().empty()) p.set_region(file.region.ToString());
    if (p.owner_id().empty()) p.set_owner_id(file.account.ToString());
    snapshots_.push_back({&file, absl::StrCat("Snapshots[", i, "]"), std::move(p)});
  }
  return absl::OkStatus();
}

absl::Status Importer::ReadInstances(const AwsCliFile& file) {
  AMI_ASSIGN_OR_RETURN(v1::DescribeInstancesOutput out,
                       Decode<v1::DescribeInstancesOutput>(file, Kind::kInstances));
  for (int r = 0; r < out.reservations_size(); ++r) {
    v1::DescribeInstancesOutput::Reservation& res = *out.mutable_reservations(r);
    const std::string path = absl::StrCat("Reservations[", r, "]");
    std::string owner = file.account.ToString();
    if (!res.owner_id().empty()) {
      AMI_RETURN_IF_ERROR(
          InFile(file, At(path + ".OwnerId", AccountId::Parse(res.owner_id()).status())));
      owner = res.owner_id();
    }
    for (int i = 0; i < res.instances_size(); ++i) {
      v1::Instance& p = *res.mutable_instances(i);
      if (p.owner_id().empty()) p.set_owner_id(owner);
      instances_.push_back({&file, absl::StrCat(path, ".Instances[", i, "]"), std::move(p)});
    }
  }
  return absl::OkStatus();
}

// ---- Keys ----

// The description AWS gives the aws/ebs key it creates in each account and Region (KMS-2), now
// and formerly: with no list-aliases output, it names the account's aws/ebs key.
bool IsEbsDefaultDescription(const std::string& description) {
  return description == "Default key that protects my EBS volumes when no other key is defined" ||
         description ==
             "Default master key that protects my EBS volumes when no other key is defined";
}

absl::Status Importer::ImportKeys() {
  for (const auto& [file, out] : keys_) {
    AMI_ASSIGN_OR_RETURN(KmsKey key,
                         InFile(*file, At("KeyMetadata", FromProto(out.key_metadata()))));
    AMI_RETURN_IF_ERROR(InFile(*file, cloud_->ImportKey(key)));
    if (key.is_aws_managed() && IsEbsDefaultDescription(key.description())) {
      AMI_RETURN_IF_ERROR(InFile(*file, cloud_->ImportAlias(key.account(), key.region(),
                                                            "alias/aws/ebs", key.arn())));
    }
    (key.is_aws_managed() ? skipped_keys_ : imported_keys_).push_back(std::move(key));
  }
  return absl::OkStatus();
}

absl::Status Importer::ImportAlias(const AwsCliFile& file,
                                   const v1::ListAliasesOutput::Alias& alias,
                                   const std::string& path) {
  if (alias.target_key_id().empty()) return absl::OkStatus();  // Names no key yet.
  AMI_ASSIGN_OR_RETURN(const KmsKeyId id,
                       At(path + ".TargetKeyId", KmsKeyId::Parse(alias.target_key_id())));
  const KmsKeyArn arn = KmsKeyArn::Of(file.account, file.region, id);
  const std::string& name = alias.alias_name();
  const bool aws = absl::StartsWith(name, "alias/aws/");
  if (aws && name != "alias/aws/ebs") return absl::OkStatus();  // Other services' keys.
  if (!cloud_->GetKey(arn).has_value()) {
    return At(path + ".TargetKeyId",
              MakeError(ErrorCode::kKmsNotFoundException,
                        absl::StrCat("alias `", text_util::Clip(name), "` names kms key `",
                                     arn.ToString(), "`, which no describe-key output holds")));
  }
  return At(path, cloud_->ImportAlias(file.account, file.region, name, arn));
}

absl::Status Importer::ImportAliases() {
  for (const auto& [file, out] : aliases_) {
    for (int i = 0; i < out.aliases_size(); ++i) {
      AMI_RETURN_IF_ERROR(
          InFile(*file, ImportAlias(*file, out.aliases(i), absl::StrCat("Aliases[", i, "]"))));
    }
  }
  return absl::OkStatus();
}

// The key a get-key-policy output belongs to; nullopt for a skipped AWS managed key.
absl::StatusOr<std::optional<std::string>> Importer::PolicyKey(const AwsCliFile& file) const {
  auto names = [&file](const KmsKey& k) {
    return file.key_id == k.arn().ToString() || file.key_id == k.id().ToString();
  };
  auto here = [&file](const KmsKey& k) {
    return k.account() == file.account && k.region() == file.region;
  };
  if (!file.key_id.empty()) {
    if (std::any_of(skipped_keys_.begin(), skipped_keys_.end(), names)) return std::nullopt;
    return std::optional<std::string>(file.key_id);
  }
  std::vector<const KmsKey*> candidates;
  for (const KmsKey& k : imported_keys_) {
    if (here(k)) candidates.push_back(&k);
  }
  if (candidates.size() == 1) return std::optional<std::string>(candidates[0]->arn().ToString());
  if (candidates.empty() && std::count_if(skipped_keys_.begin(), skipped_keys_.end(), here) == 1) {
    return std::nullopt;
  }
  return MakeError(choices::kMissingValue,
                   absl::StrCat("the policy names no key and ", candidates.size(),
                                " kms keys of account `", file.account.ToString(), "` in ",
                                file.region.code(), " are imported: name the key"));
}

absl::Status Importer::ImportKeyPolicies() {
  for (const auto& [file, out] : policies_) {
    AMI_ASSIGN_OR_RETURN(std::vector<KeyPolicyStatement> statements,
                         InFile(*file, At("Policy", PolicyDocument(out.policy()))));
    AMI_ASSIGN_OR_RETURN(const std::optional<std::string> key, InFile(*file, PolicyKey(*file)));
    if (!key.has_value()) continue;
    const CallContext ctx = ContextOf(file->account, file->region);
    AMI_RETURN_IF_ERROR(InFile(*file, cloud_->PutKeyPolicy(ctx, *key, std::move(statements))));
  }
  return absl::OkStatus();
}

// ---- Snapshots ----

absl::Status Importer::MergeSnapshotAttribute(
    const FromFile<v1::DescribeSnapshotAttributeOutput>& in,
    const absl::flat_hash_map<SnapshotId, size_t>& index) {
  const AwsCliFile& file = *in.first;
  AMI_ASSIGN_OR_RETURN(const SnapshotId id,
                       InFile(file, At("SnapshotId", SnapshotId::Parse(in.second.snapshot_id()))));
  const auto it = index.find(id);
  if (it == index.end()) {
    return InFile(file, At("SnapshotId",
                           NotDescribed(ErrorCode::kInvalidSnapshotNotFound, "snapshot",
                                        id.ToString(), Kind::kSnapshots)));
  }
  v1::Snapshot& target = snapshots_[it->second].proto;
  v1::Snapshot alone = target;  // The attribute checked on its own, so its paths are exact.
  *alone.mutable_create_volume_permissions() = in.second.create_volume_permissions();
  AMI_RETURN_IF_ERROR(InFile(file, FromProto(alone).status()));
  target.mutable_create_volume_permissions()->MergeFrom(in.second.create_volume_permissions());
  return absl::OkStatus();
}

absl::Status Importer::ImportSnapshots() {
  absl::flat_hash_map<SnapshotId, size_t> index;
  for (size_t i = 0; i < snapshots_.size(); ++i) {
    AMI_ASSIGN_OR_RETURN(const Snapshot s, Locate(snapshots_[i], FromProto(snapshots_[i].proto)));
    index.emplace(s.id(), i);  // A second one with the same id fails to import below.
  }
  for (const auto& attribute : snapshot_attributes_) {
    AMI_RETURN_IF_ERROR(MergeSnapshotAttribute(attribute, index));
  }
  for (const Located<v1::Snapshot>& at : snapshots_) {
    AMI_ASSIGN_OR_RETURN(const Snapshot s, Locate(at, FromProto(at.proto)));
    AMI_RETURN_IF_ERROR(Locate(at, cloud_->ImportSnapshot(s)));
  }
  return absl::OkStatus();
}

// ---- Images ----

absl::Status Importer::MergeImageAttribute(const FromFile<v1::DescribeImageAttributeOutput>& in,
                                           const absl::flat_hash_map<ImageId, size_t>& index) {
  const AwsCliFile& file = *in.first;
  AMI_ASSIGN_OR_RETURN(const ImageId id,
                       InFile(file, At("ImageId", ImageId::Parse(in.second.image_id()))));
  const auto it = index.find(id);
  if (it == index.end()) {
    return InFile(file, At("ImageId", NotDescribed(ErrorCode::kInvalidAMIIDNotFound, "image",
                                                   id.ToString(), Kind::kImages)));
  }
  v1::Image& target = images_[it->second].proto;
  v1::Image alone = target;  // The attribute checked on its own, so its paths are exact.
  *alone.mutable_launch_permissions() = in.second.launch_permissions();
  AMI_RETURN_IF_ERROR(InFile(file, FromProto(alone).status()));
  target.mutable_launch_permissions()->MergeFrom(in.second.launch_permissions());
  return absl::OkStatus();
}

absl::StatusOr<Snapshot> Importer::Placeholder(const Image& image,
                                               const EbsBlockDevice& ebs) const {
  std::optional<KmsKeyArn> key = ebs.kms_key;
  if (ebs.encrypted && !key.has_value()) {
    AMI_ASSIGN_OR_RETURN(const KmsKey aws_ebs,
                         cloud_->DescribeKey(ContextOf(image.owner(), image.region()),
                                             "alias/aws/ebs"));
    key = aws_ebs.arn();
  }
  CreateVolumePermissions permissions;
  permissions.is_public = image.is_public();
  return Snapshot::Builder()
      .set_id(*ebs.snapshot_id)
      .set_owner(image.owner())
      .set_region(image.region())
      .set_volume_size_gib(ebs.volume_size_gib == 0 ? 8 : ebs.volume_size_gib)
      .set_kms_key(key)
      .set_start_time(image.creation_time())
      .set_description(absl::StrCat("placeholder for a snapshot of ", image.id().ToString(),
                                    " that was not described"))
      .set_create_volume_permissions(std::move(permissions))
      .Build();
}

// MC-36: placeholders for the snapshots of another account's image that no file describes.
absl::Status Importer::ImportPlaceholders(const Image& image) {
  if (image.state() == ImageState::kDeregistered) return absl::OkStatus();
  for (const BlockDeviceMapping& m : image.block_device_mappings()) {
    if (!m.ebs.has_value() || !m.ebs->snapshot_id.has_value()) continue;
    if (cloud_->GetSnapshot(*m.ebs->snapshot_id).has_value()) continue;
    AMI_ASSIGN_OR_RETURN(const Snapshot placeholder, Placeholder(image, *m.ebs));
    AMI_RETURN_IF_ERROR(cloud_->ImportSnapshot(placeholder));
  }
  return absl::OkStatus();
}

absl::Status Importer::ImportImages() {
  absl::flat_hash_map<ImageId, size_t> index;
  for (size_t i = 0; i < images_.size(); ++i) {
    AMI_ASSIGN_OR_RETURN(const Image image, Locate(images_[i], FromProto(images_[i].proto)));
    index.emplace(image.id(), i);  // A second one with the same id fails to import below.
  }
  for (const auto& attribute : image_attributes_) {
    AMI_RETURN_IF_ERROR(MergeImageAttribute(attribute, index));
  }
  for (const Located<v1::Image>& at : images_) {
    AMI_ASSIGN_OR_RETURN(const Image image, Locate(at, FromProto(at.proto)));
    if (image.owner() != at.file->account) {
      AMI_RETURN_IF_ERROR(Locate(at, ImportPlaceholders(image)));
    }
    AMI_RETURN_IF_ERROR(Locate(at, cloud_->ImportImage(image)));
  }
  return absl::OkStatus();
}

// ---- Instances and settings ----

absl::Status Importer::ImportInstances() {
  for (const Located<v1::Instance>& at : instances_) {
    AMI_ASSIGN_OR_RETURN(const Instance instance, Locate(at, FromProto(at.proto)));
    AMI_RETURN_IF_ERROR(Locate(at, cloud_->ImportInstance(instance)));
  }
  return absl::OkStatus();
}

absl::Status Importer::ImportSettings() {
  for (const auto& [file, out] : ebs_encryption_) {
    if (!out.has_ebs_encryption_by_default()) {
      return InFile(*file, At("EbsEncryptionByDefault",
                              MakeError(choices::kMissingValue, "expected true or false")));
    }
    const CallContext ctx = ContextOf(file->account, file->region);
    AMI_RETURN_IF_ERROR(InFile(*file, out.ebs_encryption_by_default()
                                          ? cloud_->EnableEbsEncryptionByDefault(ctx)
                                          : cloud_->DisableEbsEncryptionByDefault(ctx)));
  }
  for (const auto& [file, out] : block_public_access_) {
    const std::string& state = out.image_block_public_access_state();
    const CallContext ctx = ContextOf(file->account, file->region);
    if (state == "block-new-sharing") {
      // An observed state is in force already: no 10-minute wait (SHARE-18).
      internal::CloudState& s = internal::CloudAccess::State(*cloud_);
      internal::WriterLock lock(s.mu);
      RegionSettings& settings = s.MutableSettings(ctx.account, ctx.region);
      settings.image_block_public_access = true;
      settings.image_block_public_access_chosen = true;
      settings.image_block_public_access_from.reset();
    } else if (state == "unblocked") {
      AMI_RETURN_IF_ERROR(InFile(*file, cloud_->DisableImageBlockPublicAccess(ctx)));
    } else {
      return InFile(*file, At("ImageBlockPublicAccessState",
                              Invalid(absl::StrCat("invalid state `", text_util::Clip(state),
                                                   "`: expected block-new-sharing or unblocked"))));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Cloud>> ImportAwsCli(const std::vector<AwsCliFile>& files,
                                                    Cloud::Options options) {
  Importer importer(options);
  for (const AwsCliFile& file : files) {
    if (file.json.size() > kMaxAwsCliFileBytes) {
      return MakeError(choices::kInputTooLarge,
                       absl::StrCat(file.name, ": ", file.json.size(),
                                    " bytes, more than the limit of ", kMaxAwsCliFileBytes));
    }
    AMI_RETURN_IF_ERROR(importer.Read(file));
  }
  AMI_RETURN_IF_ERROR(importer.ImportAll());
  return importer.TakeCloud();
}

absl::StatusOr<std::string> ReadAwsCliJson(const std::string& path) {
  return file_util::ReadBounded(path, kMaxAwsCliFileBytes);
}

absl::StatusOr<std::string> DetectAwsCliKind(absl::string_view json) {
  AMI_ASSIGN_OR_RETURN(const Kind kind, Detect(json));
  return std::string(InfoOf(kind).name);
}

}  // namespace ami
