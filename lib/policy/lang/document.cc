// Policy documents read and compiled once (the grammar of the IAM User Guide's "IAM JSON policy
// elements reference"), for every kind of policy.
#include "policy/lang/document.h"

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "values/choices.h"
#include "policy/lang/condition.h"
#include "policy/lang/json.h"
#include "values/status_macros.h"

namespace ami::lang {
namespace {

absl::Status Malformed(absl::string_view where, absl::string_view what) {
  return MakeError(choices::kMalformedPolicy, absl::StrCat(where, ": ", what));
}

// A string, or an array of strings: Action, Resource, principals, condition values.
absl::StatusOr<std::vector<std::string>> Strings(const Json& j, absl::string_view where,
                                                 bool allow_scalars = false) {
  std::vector<std::string> out;
  auto take = [&](const Json& v) -> absl::Status {
    if (v.kind == Json::Kind::kString ||
        (allow_scalars && (v.kind == Json::Kind::kNumber || v.kind == Json::Kind::kBool))) {
      out.push_back(v.kind == Json::Kind::kBool ? (v.boolean ? "true" : "false") : v.text);
      return absl::OkStatus();
    }
    return Malformed(where, absl::StrCat("expected a string, found ", JsonKindName(v.kind)));
  };
  if (j.kind == Json::Kind::kArray) {
    if (j.items.empty()) return Malformed(where, "empty list");
    for (const Json& v : j.items) AMI_RETURN_IF_ERROR(take(v));
  } else {
    AMI_RETURN_IF_ERROR(take(j));
  }
  return out;
}

bool IsAccountNumber(absl::string_view s) {
  if (s.size() != 12) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

absl::StatusOr<Principals> ReadPrincipals(const Json& j, absl::string_view where) {
  Principals p;
  if (j.kind == Json::Kind::kString) {
    if (j.text != "*") return Malformed(where, "a principal string must be \"*\"");
    p.any = true;
    return p;
  }
  if (j.kind != Json::Kind::kObject || j.keys.empty()) {
    return Malformed(where, "expected \"*\" or an object of AWS, Service, Federated or "
                            "CanonicalUser principals");
  }
  for (size_t m = 0; m < j.keys.size(); ++m) {
    const std::string& type = j.keys[m];
    const Json& value = j.items[m];
    const std::string at = absl::StrCat(where, ".", type);
    AMI_ASSIGN_OR_RETURN(std::vector<std::string> names, Strings(value, at));
    if (type == "AWS") {
      for (std::string& name : names) {
        if (name == "*") {
          p.any = true;
        } else if (IsAccountNumber(name)) {
          p.aws.push_back(absl::StrCat("arn:aws:iam::", name, ":root"));
        } else if (absl::StartsWith(name, "arn:")) {
          p.aws.push_back(std::move(name));
        } else {
          // A unique principal id (AIDA…, AROA…) left by a deleted user or role: kept,
          // matches no caller.
          p.aws.push_back(std::move(name));
        }
      }
    } else if (type == "Service") {
      p.services = std::move(names);
    } else if (type == "Federated") {
      p.federated = std::move(names);
    } else if (type == "CanonicalUser") {
      p.canonical_users = std::move(names);
    } else {
      return Malformed(at, "unknown principal type");
    }
  }
  return p;
}

absl::StatusOr<std::vector<Glob>> ReadActions(const Json& j, absl::string_view where) {
  AMI_ASSIGN_OR_RETURN(std::vector<std::string> names, Strings(j, where));
  std::vector<Glob> out;
  for (std::string& name : names) {
    if (name != "*" && (name.find(':') == std::string::npos || absl::StartsWith(name, ":") ||
                        absl::EndsWith(name, ":"))) {
      return Malformed(where, absl::StrCat("action `", name, "` is not service:action"));
    }
    Glob g;
    g.has_wildcard = name.find_first_of("*?") != std::string::npos;
    g.text = absl::AsciiStrToLower(name);
    out.push_back(std::move(g));
  }
  return out;
}

absl::StatusOr<std::vector<Glob>> ReadResources(const Json& j, absl::string_view where,
                                                bool variables) {
  AMI_ASSIGN_OR_RETURN(std::vector<std::string> names, Strings(j, where));
  std::vector<Glob> out;
  for (std::string& name : names) {
    if (name != "*" && !absl::StartsWith(name, "arn:")) {
      return Malformed(where, absl::StrCat("resource `", name, "` is not an ARN or \"*\""));
    }
    Glob g;
    g.has_wildcard = name.find_first_of("*?") != std::string::npos;
    g.has_variable = variables && name.find("${") != std::string::npos;
    if (!g.has_variable && name != "*") g.arn = SplitArnParts(name, true);
    g.text = std::move(name);
    out.push_back(std::move(g));
  }
  return out;
}

absl::StatusOr<std::vector<Condition>> ReadConditions(const Json& j, absl::string_view where,
                                                      bool variables) {
  if (j.kind != Json::Kind::kObject) {
    return Malformed(where, "expected an object of condition operators");
  }
  std::vector<Condition> out;
  for (size_t m = 0; m < j.keys.size(); ++m) {
    const std::string& op = j.keys[m];
    const Json& keys = j.items[m];
    const std::string at = absl::StrCat(where, ".", op);
    if (keys.kind != Json::Kind::kObject || keys.keys.empty()) {
      return Malformed(at, "expected an object of condition keys");
    }
    for (size_t k = 0; k < keys.keys.size(); ++k) {
      const std::string& key = keys.keys[k];
      const Json& values = keys.items[k];
      const std::string key_at = absl::StrCat(at, ".", key);
      AMI_ASSIGN_OR_RETURN(std::vector<std::string> v, Strings(values, key_at, true));
      absl::StatusOr<Condition> c = CompileCondition(op, key, std::move(v), variables);
      if (!c.ok()) return Malformed(key_at, c.status().message());
      out.push_back(*std::move(c));
    }
  }
  return out;
}

// Principal or NotPrincipal, which only key policies hold, and hold always.
absl::Status ReadPrincipalElement(const Json& j, PolicyKind kind, absl::string_view where,
                                  Statement* s) {
  const Json* principal = j.Find("Principal");
  const Json* not_principal = j.Find("NotPrincipal");
  if (kind != PolicyKind::kKeyPolicy) {
    if (principal != nullptr || not_principal != nullptr) {
      return Malformed(where, absl::StrCat("a ", PolicyKindName(kind),
                                           " cannot name a Principal or NotPrincipal"));
    }
    return absl::OkStatus();
  }
  if ((principal == nullptr) == (not_principal == nullptr)) {
    return Malformed(where, "a key policy statement needs one of Principal or NotPrincipal");
  }
  s->not_principal = not_principal != nullptr;
  AMI_ASSIGN_OR_RETURN(Principals p, ReadPrincipals(s->not_principal ? *not_principal : *principal,
                                                    absl::StrCat(where, s->not_principal
                                                                            ? ".NotPrincipal"
                                                                            : ".Principal")));
  s->principals = std::move(p);
  return absl::OkStatus();
}

// Exactly one of `name` and `not_name`: the element, and whether it is the Not form.
absl::StatusOr<std::pair<const Json*, bool>> OneOf(const Json& j, absl::string_view name,
                                                   absl::string_view not_name,
                                                   absl::string_view where) {
  const Json* a = j.Find(name);
  const Json* b = j.Find(not_name);
  if ((a == nullptr) == (b == nullptr)) {
    return Malformed(where, absl::StrCat("needs exactly one of ", name, " and ", not_name));
  }
  return std::make_pair(a != nullptr ? a : b, b != nullptr);
}

absl::StatusOr<Statement> ReadStatement(const Json& j, size_t index, PolicyKind kind,
                                        bool variables) {
  const std::string where = absl::StrCat("Statement[", index, "]");
  if (j.kind != Json::Kind::kObject) return Malformed(where, "expected an object");
  static constexpr absl::string_view kElements[] = {
      "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
      "Resource", "NotResource", "Condition"};
  for (const std::string& name : j.keys) {
    bool known = false;
    for (absl::string_view e : kElements) known = known || name == e;
    if (!known) return Malformed(where, absl::StrCat("unknown element `", name, "`"));
  }
  Statement s;
  s.index = index;
  if (const Json* sid = j.Find("Sid")) {
    if (sid->kind != Json::Kind::kString) return Malformed(where, "Sid must be a string");
    s.sid = sid->text;
  }
  const Json* effect = j.Find("Effect");
  if (effect == nullptr || effect->kind != Json::Kind::kString ||
      (effect->text != "Allow" && effect->text != "Deny")) {
    return Malformed(where, "Effect must be \"Allow\" or \"Deny\"");
  }
  s.effect = effect->text == "Allow" ? Effect::kAllow : Effect::kDeny;
  AMI_RETURN_IF_ERROR(ReadPrincipalElement(j, kind, where, &s));
  AMI_ASSIGN_OR_RETURN(auto action, OneOf(j, "Action", "NotAction", where));
  s.not_action = action.second;
  AMI_ASSIGN_OR_RETURN(s.actions, ReadActions(*action.first, where));
  AMI_ASSIGN_OR_RETURN(auto resource, OneOf(j, "Resource", "NotResource", where));
  s.has_resource = true;
  s.not_resource = resource.second;
  AMI_ASSIGN_OR_RETURN(s.resources, ReadResources(*resource.first, where, variables));
  if (const Json* condition = j.Find("Condition")) {
    AMI_ASSIGN_OR_RETURN(s.conditions,
                         ReadConditions(*condition, absl::StrCat(where, ".Condition"), variables));
  }
  return s;
}

}  // namespace

absl::StatusOr<PolicyDocument> ParsePolicy(absl::string_view json, PolicyKind kind) {
  AMI_ASSIGN_OR_RETURN(const Json root, ParseJson(json, {.max_bytes = kMaxPolicyBytes}));
  if (root.kind != Json::Kind::kObject) return Malformed("policy", "expected a JSON object");
  for (const std::string& name : root.keys) {
    if (name != "Version" && name != "Id" && name != "Statement") {
      return Malformed("policy", absl::StrCat("unknown element `", name, "`"));
    }
  }
  PolicyDocument doc;
  doc.kind = kind;
  if (const Json* version = root.Find("Version")) {
    if (version->kind != Json::Kind::kString ||
        (version->text != "2012-10-17" && version->text != "2008-10-17")) {
      return Malformed("Version", "must be \"2012-10-17\" or \"2008-10-17\"");
    }
    doc.version = version->text;
  }
  if (kind == PolicyKind::kServiceControl && doc.version != "2012-10-17") {
    return Malformed("Version", "a service control policy must be Version \"2012-10-17\"");
  }
  if (const Json* id = root.Find("Id")) {
    if (id->kind != Json::Kind::kString) return Malformed("Id", "must be a string");
    doc.id = id->text;
  }
  const Json* statements = root.Find("Statement");
  if (statements == nullptr) return Malformed("policy", "no Statement");
  const bool one = statements->kind == Json::Kind::kObject;
  if (!one && statements->kind != Json::Kind::kArray) {
    return Malformed("Statement", "expected an object or an array of objects");
  }
  const size_t count = one ? 1 : statements->items.size();
  if (count == 0) return Malformed("Statement", "no statements");
  if (count > kMaxPolicyStatements) {
    return Malformed("Statement", absl::StrCat("more than ", kMaxPolicyStatements, " statements"));
  }
  for (size_t i = 0; i < count; ++i) {
    const Json& s = one ? *statements : statements->items[i];
    AMI_ASSIGN_OR_RETURN(Statement compiled, ReadStatement(s, i, kind, doc.variables_enabled()));
    doc.statements.push_back(std::move(compiled));
  }
  return doc;
}

}  // namespace ami::lang
