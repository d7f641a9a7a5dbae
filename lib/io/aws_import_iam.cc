// Reading get-account-authorization-details output (lib/io/aws_import_iam.h).
#include "io/aws_import_iam.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "ami/errors.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "io/aws_import_json.h"
#include "values/choices.h"
#include "values/status_macros.h"
#include "values/text_util.h"

namespace ami::aws_import_internal {
namespace {

namespace pb = google::protobuf;

constexpr absl::string_view kAwsManagedPrefix = "arn:aws:iam::aws:policy/";

const pb::Value* Field(const pb::Struct& s, const std::string& key) {
  const auto it = s.fields().find(key);
  return it == s.fields().end() ? nullptr : &it->second;
}

// A string field; empty when it is absent or not a string.
std::string Str(const pb::Struct& s, const std::string& key) {
  const pb::Value* v = Field(s, key);
  return v != nullptr && v->kind_case() == pb::Value::kStringValue ? v->string_value() : "";
}

// The objects of a list field at `path`; none when it is absent.
absl::StatusOr<std::vector<const pb::Struct*>> Objects(const pb::Struct& s, const std::string& key,
                                                       const std::string& path) {
  std::vector<const pb::Struct*> out;
  const pb::Value* v = Field(s, key);
  if (v == nullptr || v->kind_case() == pb::Value::kNullValue) return out;
  if (v->kind_case() != pb::Value::kListValue) return At(path, Invalid("expected a list"));
  for (int i = 0; i < v->list_value().values_size(); ++i) {
    const pb::Value& item = v->list_value().values(i);
    if (item.kind_case() != pb::Value::kStructValue) {
      return At(absl::StrCat(path, "[", i, "]"), Invalid("expected a json object"));
    }
    out.push_back(&item.struct_value());
  }
  return out;
}

int HexDigit(char c) {
  if (absl::ascii_isdigit(static_cast<unsigned char>(c))) return c - '0';
  const char lower = absl::ascii_tolower(static_cast<unsigned char>(c));
  return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
}

// Percent-decoding, as IAM encodes documents on the wire ("+" stays "+").
absl::StatusOr<std::string> UrlDecoded(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    const int hi = i + 2 < text.size() ? HexDigit(text[i + 1]) : -1;
    const int lo = i + 2 < text.size() ? HexDigit(text[i + 2]) : -1;
    if (hi < 0 || lo < 0) return Invalid("a url-encoded policy document has a bad % escape");
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

// The account field of an IAM ARN (arn:aws:iam::<account>:…); empty when it is no ARN.
std::string ArnAccount(const std::string& arn) {
  const std::vector<std::string> parts = absl::StrSplit(arn, absl::MaxSplits(':', 5));
  return parts.size() == 6 && parts[0] == "arn" ? parts[4] : "";
}

// A principal or group ARN must be of the account the file was taken as.
absl::Status CheckArnAccount(const AwsCliFile& file, const std::string& path,
                             const std::string& arn) {
  if (arn.empty() || ArnAccount(arn) == file.account.ToString()) return absl::OkStatus();
  return At(path + ".Arn",
            Invalid(absl::StrCat("`", text_util::Clip(arn), "` is not of account `",
                                 file.account.ToString(),
                                 "`, which the file was taken as: give the file its account")));
}

// A listing the CLI stopped early: a Deny in what is missing would be lost.
absl::Status CheckComplete(const pb::Struct& doc) {
  const pb::Value* truncated = Field(doc, "IsTruncated");
  const bool more = (truncated != nullptr && truncated->kind_case() == pb::Value::kBoolValue &&
                     truncated->bool_value()) ||
                    !Str(doc, "Marker").empty() || !Str(doc, "NextToken").empty();
  if (!more) return absl::OkStatus();
  return MakeError(choices::kMissingValue,
                   "the listing is truncated (IsTruncated, Marker or NextToken): a policy it "
                   "leaves out could deny, so it is refused; run the command without "
                   "--max-items or --no-paginate");
}

// The default version's document of a ManagedPolicyDetail.
absl::StatusOr<std::string> DefaultDocument(const pb::Struct& policy, const std::string& path) {
  const std::string default_id = Str(policy, "DefaultVersionId");
  AMI_ASSIGN_OR_RETURN(const std::vector<const pb::Struct*> versions,
                       Objects(policy, "PolicyVersionList", path + ".PolicyVersionList"));
  const std::string arn = text_util::Clip(Str(policy, "Arn"));
  // The default version: flagged IsDefaultVersion and named by DefaultVersionId when both are
  // given; two candidates, or signals that disagree, are refused rather than one guessed.
  std::optional<size_t> chosen;
  for (size_t i = 0; i < versions.size(); ++i) {
    const pb::Value* is_default = Field(*versions[i], "IsDefaultVersion");
    const bool flagged = is_default != nullptr && is_default->bool_value();
    const bool named = !default_id.empty() && Str(*versions[i], "VersionId") == default_id;
    if ((is_default != nullptr && !default_id.empty() && flagged != named) ||
        ((flagged || named) && chosen.has_value())) {
      return At(path + ".PolicyVersionList",
                Invalid(absl::StrCat("managed policy `", arn,
                                     "`: its default version is ambiguous (DefaultVersionId and "
                                     "IsDefaultVersion disagree, or two versions are default)")));
    }
    if (flagged || named) chosen = i;
  }
  if (!chosen.has_value()) {
    return At(path + ".PolicyVersionList",
              MakeError(choices::kMissingValue,
                        absl::StrCat("managed policy `", arn, "` has no default version listed")));
  }
  const std::string at = absl::StrCat(path, ".PolicyVersionList[", *chosen, "].Document");
  const pb::Value* document = Field(*versions[*chosen], "Document");
  if (document == nullptr) return At(at, MakeError(choices::kMissingValue, "no document"));
  return PolicyDocumentText(at, *document);
}

}  // namespace

absl::StatusOr<std::string> PolicyDocumentText(const std::string& path, const pb::Value& value) {
  if (value.kind_case() == pb::Value::kStructValue) {
    std::string out;
    const auto status = pb::util::MessageToJsonString(value.struct_value(), &out);
    if (!status.ok()) return At(path, Invalid("cannot print the policy document"));
    return out;
  }
  if (value.kind_case() != pb::Value::kStringValue) {
    return At(path, Invalid("a policy document is a json object or a string"));
  }
  const std::string& text = value.string_value();
  if (absl::StartsWith(absl::StripLeadingAsciiWhitespace(text), "{")) return text;
  AMI_ASSIGN_OR_RETURN(std::string decoded, At(path, UrlDecoded(text)));
  if (!absl::StartsWith(absl::StripLeadingAsciiWhitespace(decoded), "{")) {
    return At(path, Invalid("a policy document is json, or url-encoded json"));
  }
  return decoded;
}

absl::Status AuthorizationDetails::Add(const AwsCliFile& file) {
  auto f = std::make_unique<File>(File{&file, {}});
  AMI_RETURN_IF_ERROR(InFile(file, DecodeJson(file.json, "get-account-authorization-details output",
                                              &f->doc)));
  AMI_RETURN_IF_ERROR(InFile(file, CheckComplete(f->doc)));
  AMI_RETURN_IF_ERROR(InFile(file, IndexPolicies(*f)));
  AMI_RETURN_IF_ERROR(InFile(file, IndexGroups(*f)));
  files_.push_back(std::move(f));
  return absl::OkStatus();
}

absl::Status AuthorizationDetails::IndexPolicies(const File& f) {
  AMI_ASSIGN_OR_RETURN(const std::vector<const pb::Struct*> policies,
                       Objects(f.doc, "Policies", "Policies"));
  for (size_t i = 0; i < policies.size(); ++i) {
    const std::string path = absl::StrCat("Policies[", i, "]");
    const std::string arn = Str(*policies[i], "Arn");
    if (!absl::StartsWith(arn, kAwsManagedPrefix)) {
      AMI_RETURN_IF_ERROR(CheckArnAccount(*f.file, path, arn));
    }
    AMI_ASSIGN_OR_RETURN(std::string document, DefaultDocument(*policies[i], path));
    const auto [it, added] = policies_.emplace(arn, document);
    if (!added && it->second != document) {
      return At(path, Invalid(absl::StrCat("managed policy `", text_util::Clip(arn),
                                           "` has another default document in another file")));
    }
  }
  return absl::OkStatus();
}

absl::Status AuthorizationDetails::IndexGroups(const File& f) {
  AMI_ASSIGN_OR_RETURN(const std::vector<const pb::Struct*> groups,
                       Objects(f.doc, "GroupDetailList", "GroupDetailList"));
  for (size_t i = 0; i < groups.size(); ++i) {
    const std::string path = absl::StrCat("GroupDetailList[", i, "]");
    AMI_RETURN_IF_ERROR(CheckArnAccount(*f.file, path, Str(*groups[i], "Arn")));
    const std::string key = absl::StrCat(f.file->account.ToString(), "/",
                                         Str(*groups[i], "GroupName"));
    const auto [it, added] = groups_.emplace(key, Group{&f, path, groups[i]});
    if (!added && !pb::util::MessageDifferencer::Equals(*it->second.detail, *groups[i])) {
      return At(path, Invalid(absl::StrCat("group `", text_util::Clip(key),
                                           "` is listed twice, differently")));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<iam::PolicySpec> AuthorizationDetails::Managed(const AwsCliFile& file,
                                                              const std::string& arn,
                                                              const std::string& path) const {
  const auto it = policies_.find(arn);
  if (it != policies_.end()) return iam::PolicySpec{arn, it->second};
  const bool aws = absl::StartsWith(arn, kAwsManagedPrefix);
  return At(path, MakeError(choices::kMissingValue,
                            absl::StrCat("managed policy `", text_util::Clip(arn),
                                         "` is in no Policies list, so what it allows or denies "
                                         "is unknown: run get-account-authorization-details "
                                         "without --filter, or include ",
                                         aws ? "AWSManagedPolicy" : "LocalManagedPolicy",
                                         " (account ", file.account.ToString(), ")")));
}

absl::Status AuthorizationDetails::AddPolicies(const File& f, const std::string& path,
                                               const pb::Struct& detail, const char* inline_list,
                                               const std::string& prefix,
                                               std::vector<iam::PolicySpec>* out) const {
  const std::string list_path = absl::StrCat(path, ".", inline_list);
  AMI_ASSIGN_OR_RETURN(const std::vector<const pb::Struct*> inlines,
                       Objects(detail, inline_list, list_path));
  for (size_t i = 0; i < inlines.size(); ++i) {
    const std::string at = absl::StrCat(list_path, "[", i, "].PolicyDocument");
    const pb::Value* document = Field(*inlines[i], "PolicyDocument");
    if (document == nullptr) return At(at, MakeError(choices::kMissingValue, "no document"));
    AMI_ASSIGN_OR_RETURN(std::string text, PolicyDocumentText(at, *document));
    out->push_back({absl::StrCat(prefix, Str(*inlines[i], "PolicyName")), std::move(text)});
  }
  const std::string attached_path = path + ".AttachedManagedPolicies";
  AMI_ASSIGN_OR_RETURN(const std::vector<const pb::Struct*> attached,
                       Objects(detail, "AttachedManagedPolicies", attached_path));
  for (size_t i = 0; i < attached.size(); ++i) {
    AMI_ASSIGN_OR_RETURN(iam::PolicySpec spec,
                         Managed(*f.file, Str(*attached[i], "PolicyArn"),
                                 absl::StrCat(attached_path, "[", i, "].PolicyArn")));
    out->push_back(std::move(spec));
  }
  return absl::OkStatus();
}

absl::Status AuthorizationDetails::AddGroups(const File& f, const std::string& path,
                                             const pb::Struct& user,
                                             std::vector<iam::PolicySpec>* out) const {
  const pb::Value* list = Field(user, "GroupList");
  if (list == nullptr || list->kind_case() == pb::Value::kNullValue) return absl::OkStatus();
  // A group's policies may deny: a list of another shape is refused, never skipped.
  if (list->kind_case() != pb::Value::kListValue) {
    return At(path + ".GroupList", Invalid("expected a list of group names"));
  }
  for (int i = 0; i < list->list_value().values_size(); ++i) {
    if (list->list_value().values(i).kind_case() != pb::Value::kStringValue) {
      return At(absl::StrCat(path, ".GroupList[", i, "]"), Invalid("expected a group name"));
    }
    const std::string name = list->list_value().values(i).string_value();
    const auto it = groups_.find(absl::StrCat(f.file->account.ToString(), "/", name));
    if (it == groups_.end()) {
      return At(absl::StrCat(path, ".GroupList[", i, "]"),
                MakeError(choices::kMissingValue,
                          absl::StrCat("group `", text_util::Clip(name),
                                       "` is in no GroupDetailList, so its policies are "
                                       "unknown: run get-account-authorization-details without "
                                       "--filter, or include Group")));
    }
    const Group& g = it->second;
    AMI_RETURN_IF_ERROR(InFile(*g.from->file,
                               AddPolicies(*g.from, g.path, *g.detail, "GroupPolicyList",
                                           absl::StrCat("group/", name, ":"), out)));
  }
  return absl::OkStatus();
}

absl::StatusOr<ImportedPrincipal> AuthorizationDetails::Principal(const File& f,
                                                                  const std::string& path,
                                                                  const pb::Struct& d,
                                                                  bool is_role) const {
  ImportedPrincipal p{f.file, path, {}};
  p.spec.type = is_role ? iam::PrincipalSpec::Type::kRole : iam::PrincipalSpec::Type::kUser;
  p.spec.name = Str(d, is_role ? "RoleName" : "UserName");
  if (!Str(d, "Path").empty()) p.spec.path = Str(d, "Path");
  AMI_RETURN_IF_ERROR(CheckArnAccount(*f.file, path, Str(d, "Arn")));
  AMI_RETURN_IF_ERROR(AddPolicies(f, path, d, is_role ? "RolePolicyList" : "UserPolicyList",
                                  "inline:", &p.spec.policies));
  if (!is_role) AMI_RETURN_IF_ERROR(AddGroups(f, path, d, &p.spec.policies));
  const pb::Value* b = Field(d, "PermissionsBoundary");
  if (b != nullptr && b->kind_case() != pb::Value::kNullValue &&
      b->kind_case() != pb::Value::kStructValue) {
    return At(path + ".PermissionsBoundary", Invalid("expected an object"));
  }
  if (b != nullptr && b->kind_case() == pb::Value::kStructValue) {
    AMI_ASSIGN_OR_RETURN(p.spec.boundary,
                         Managed(*f.file, Str(b->struct_value(), "PermissionsBoundaryArn"),
                                 path + ".PermissionsBoundary.PermissionsBoundaryArn"));
  }
  AMI_ASSIGN_OR_RETURN(const std::vector<const pb::Struct*> tags,
                       Objects(d, "Tags", path + ".Tags"));
  for (const pb::Struct* t : tags) p.spec.tags.emplace_back(Str(*t, "Key"), Str(*t, "Value"));
  return p;
}

absl::StatusOr<std::vector<ImportedPrincipal>> AuthorizationDetails::Principals() const {
  std::vector<ImportedPrincipal> out;
  for (const auto& f : files_) {
    for (const auto& [list, is_role] : {std::pair{"UserDetailList", false},
                                        std::pair{"RoleDetailList", true}}) {
      AMI_ASSIGN_OR_RETURN(const std::vector<const pb::Struct*> details,
                           InFile(*f->file, Objects(f->doc, list, list)));
      for (size_t i = 0; i < details.size(); ++i) {
        AMI_ASSIGN_OR_RETURN(ImportedPrincipal p,
                             InFile(*f->file, Principal(*f, absl::StrCat(list, "[", i, "]"),
                                                        *details[i], is_role)));
        out.push_back(std::move(p));
      }
    }
  }
  return out;
}

}  // namespace ami::aws_import_internal
