// Key policies (ami/kms_key.h KeyPolicy): read once into AWS's policy language, summarized for
// compiled tables, and written as JSON from the structured API.
#include "policy/key_policy.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "nlohmann/json.hpp"
#include "values/choices.h"
#include "values/status_macros.h"
#include "values/text_util.h"

namespace ami {
namespace {

using OrderedJson = nlohmann::ordered_json;

absl::Status Invalid(const std::string& message) {
  return MakeError(choices::kInvalidValue, message);
}

// The principal part of a summary; false when it is not one the fields hold.
bool SummarizePrincipals(const lang::Statement& s, KeyPolicyStatement* k) {
  if (!s.principals.has_value() || s.not_principal) return false;
  const lang::Principals& p = *s.principals;
  if (!p.services.empty() || !p.federated.empty() || !p.canonical_users.empty()) return false;
  k->any_principal = p.any;
  for (const std::string& arn : p.aws) {
    if (absl::StrContains(arn, "*") || absl::StrContains(arn, "?")) return false;
    bool whole = false;
    const absl::StatusOr<AccountId> account = PrincipalAccountOf(arn, &whole);
    if (!account.ok() || !absl::StartsWith(arn, "arn:aws:iam::")) return false;
    if (whole) {
      k->accounts.push_back(*account);
    } else {
      k->iam_principals.push_back(arn);
    }
  }
  return true;
}

// The modelled KMS actions the statement's Action patterns name; false for NotAction.
bool SummarizeActions(const lang::Statement& s, KeyPolicyStatement* k) {
  if (s.not_action) return false;
  uint16_t bits = 0;
  const KmsActions all = KmsActions::All();
  for (const lang::Glob& g : s.actions) {
    if (g.has_variable) return false;
    for (int bit = 0; bit < 16; ++bit) {
      const auto a = static_cast<KmsAction>(1 << bit);
      if (!all.Has(a)) continue;
      const std::string name = absl::AsciiStrToLower(KmsActionName(a));
      if (lang::GlobMatch(g.text, name)) bits |= static_cast<uint16_t>(a);
    }
  }
  k->actions = KmsActions::FromBits(bits);
  return true;
}

// The organization conditions (KMS-7); false for any other condition.
bool SummarizeConditions(const lang::Statement& s, KeyPolicyStatement* k) {
  absl::flat_hash_set<std::string> keys;
  for (const lang::Condition& c : s.conditions) {
    // The same key twice (two spellings of one key name) is ANDed: more than the lists hold.
    if (c.if_exists || c.has_variable || !keys.insert(c.key_lower).second) return false;
    if (c.op == lang::ConditionOp::kStringEquals && c.set == lang::SetQualifier::kNone &&
        c.key_lower == "aws:principalorgid") {
      for (const std::string& v : c.values) {
        const absl::StatusOr<OrganizationId> org = OrganizationId::Parse(v);
        if (!org.ok()) return false;
        k->principal_org_ids.push_back(*org);
      }
    } else if (c.op == lang::ConditionOp::kStringLike &&
               c.set == lang::SetQualifier::kForAnyValue &&
               c.key_lower == "aws:principalorgpaths") {
      k->principal_org_paths.insert(k->principal_org_paths.end(), c.values.begin(),
                                    c.values.end());
    } else {
      return false;
    }
  }
  return true;
}

KeyStatementSummary Summarize(const lang::Statement& s) {
  KeyStatementSummary out;
  KeyPolicyStatement& k = out.statement;
  k.sid = s.sid;
  k.effect = s.effect == lang::Effect::kDeny ? KeyPolicyStatement::Effect::kDeny
                                             : KeyPolicyStatement::Effect::kAllow;
  bool resource_any = !s.not_resource;
  for (const lang::Glob& g : s.resources) resource_any = resource_any && g.text == "*";
  out.exact = resource_any && SummarizePrincipals(s, &k) && SummarizeActions(s, &k) &&
              SummarizeConditions(s, &k);
  return out;
}

// A structured statement's principal and conditions are well formed.
absl::Status CheckStatement(const KeyPolicyStatement& s) {
  const std::string where = absl::StrCat("key policy statement `", text_util::Clip(s.sid), "`");
  if (!s.any_principal && s.accounts.empty() && s.iam_principals.empty()) {
    return Invalid(absl::StrCat(where, " names no principal"));
  }
  for (const std::string& p : s.iam_principals) {
    bool whole = false;
    if (!PrincipalAccountOf(p, &whole).ok() || whole || !absl::StartsWith(p, "arn:")) {
      return Invalid(absl::StrCat(where, ": `", text_util::Clip(p),
                                  "` is not the arn of an iam user or role"));
    }
  }
  for (const PolicyCondition& c : s.conditions) {
    if (c.op.empty() || c.key.empty() || c.values.empty()) {
      return Invalid(absl::StrCat(where, ": a condition needs an operator, a key and values"));
    }
  }
  return absl::OkStatus();
}

// Adds `values` under Condition.<op>.<key>; a second condition of the same operator and key is
// refused, since one JSON object cannot hold it twice (and merging would OR what was ANDed).
absl::Status AddCondition(const std::string& where, const std::string& op,
                          const std::string& key, const std::vector<std::string>& values,
                          OrderedJson* condition) {
  OrderedJson& by_op = (*condition)[op];
  if (by_op.contains(key)) {
    return Invalid(absl::StrCat(where, ": condition ", text_util::Clip(op), " ",
                                text_util::Clip(key), " given twice"));
  }
  by_op[key] = values;
  return absl::OkStatus();
}

// The statement as a key policy writes it.
absl::StatusOr<OrderedJson> Render(const KeyPolicyStatement& s) {
  const std::string where = absl::StrCat("key policy statement `", text_util::Clip(s.sid), "`");
  OrderedJson j = OrderedJson::object();
  if (!s.sid.empty()) j["Sid"] = s.sid;
  j["Effect"] = s.effect == KeyPolicyStatement::Effect::kDeny ? "Deny" : "Allow";
  if (s.any_principal) {
    j["Principal"] = "*";
  } else {
    std::vector<std::string> aws;
    for (const AccountId& a : s.accounts) {
      aws.push_back(absl::StrCat("arn:aws:iam::", a.ToString(), ":root"));
    }
    aws.insert(aws.end(), s.iam_principals.begin(), s.iam_principals.end());
    j["Principal"] = {{"AWS", aws}};
  }
  j["Action"] = s.actions.ToStrings();
  j["Resource"] = "*";
  OrderedJson condition = OrderedJson::object();
  if (!s.principal_org_ids.empty()) {
    std::vector<std::string> ids;
    for (const OrganizationId& o : s.principal_org_ids) ids.push_back(o.ToString());
    AMI_RETURN_IF_ERROR(AddCondition(where, "StringEquals", "aws:PrincipalOrgID", ids, &condition));
  }
  if (!s.principal_org_paths.empty()) {
    AMI_RETURN_IF_ERROR(AddCondition(where, "ForAnyValue:StringLike", "aws:PrincipalOrgPaths",
                                     s.principal_org_paths, &condition));
  }
  for (const PolicyCondition& c : s.conditions) {
    AMI_RETURN_IF_ERROR(AddCondition(where, c.op, c.key, c.values, &condition));
  }
  if (!condition.empty()) j["Condition"] = std::move(condition);
  return j;
}

}  // namespace

KeyPolicy KeyPolicy::Default(AccountId account) {
  const std::string text = absl::StrCat(
      R"({"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":)"
      R"("Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::)",
      account.ToString(), R"(:root"},"Action":"kms:*","Resource":"*"}]})");
  absl::StatusOr<KeyPolicy> policy = Parse(text);
  return *std::move(policy);  // A fixed document of the grammar.
}

absl::StatusOr<KeyPolicy> KeyPolicy::Parse(absl::string_view document) {
  if (document.size() > kMaxKeyPolicyBytes) {
    return MakeError(choices::kInputTooLarge,
                     absl::StrCat("the policy document has ", document.size(),
                                  " bytes, more than the limit of ", kMaxKeyPolicyBytes));
  }
  AMI_ASSIGN_OR_RETURN(lang::PolicyDocument doc,
                       lang::ParsePolicy(document, lang::PolicyKind::kKeyPolicy));
  auto compiled = std::make_shared<Compiled>();
  compiled->summary.reserve(doc.statements.size());
  for (const lang::Statement& s : doc.statements) compiled->summary.push_back(Summarize(s));
  compiled->document = std::move(doc);
  KeyPolicy policy;
  policy.document_ = std::string(document);
  policy.compiled_ = std::move(compiled);
  return policy;
}

absl::StatusOr<KeyPolicy> KeyPolicy::FromStatements(
    AccountId account, const std::vector<KeyPolicyStatement>& statements) {
  return Default(account).With(statements);
}

absl::StatusOr<KeyPolicy> KeyPolicy::With(
    const std::vector<KeyPolicyStatement>& statements) const {
  if (statements.empty()) return *this;
  // The document was read within the language's bounds, so nlohmann's tree of it is small.
  OrderedJson doc = OrderedJson::parse(document_, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return Invalid("key policy: cannot add statements to it");
  OrderedJson& list = doc["Statement"];
  if (list.is_object()) list = OrderedJson::array({list});
  if (!list.is_array()) list = OrderedJson::array();
  for (const KeyPolicyStatement& s : statements) {
    AMI_RETURN_IF_ERROR(CheckStatement(s));
    if (s.actions.empty()) continue;  // Allows or denies nothing.
    AMI_ASSIGN_OR_RETURN(OrderedJson j, Render(s));
    list.push_back(std::move(j));
  }
  return Parse(doc.dump(-1, ' ', false, OrderedJson::error_handler_t::replace));
}

size_t KeyPolicy::statement_count() const {
  return compiled_ == nullptr ? 0 : compiled_->document.statements.size();
}

}  // namespace ami
