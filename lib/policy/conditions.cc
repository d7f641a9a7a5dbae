// Key-policy conditions (KMS-4, KMS-5, KMS-7): three-valued, so that unknown never allows.
#include "policy/conditions.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "policy/common.h"
#include "values/text_util.h"
#include "policy/launch_predicates.h"

namespace ami::policy {
namespace {

// An operator taken apart: its set qualifier, its comparison, negation and IfExists.
struct Operator {
  enum class Set : uint8_t { kSingle, kAnyValue, kAllValues };
  enum class Compare : uint8_t { kEquals, kEqualsIgnoreCase, kLike, kBool, kNull, kUnknown };
  Set set = Set::kSingle;
  Compare compare = Compare::kUnknown;
  bool negated = false;
  bool if_exists = false;
};

Operator ParseOperator(absl::string_view op) {
  Operator o;
  if (absl::ConsumePrefix(&op, "ForAnyValue:")) {
    o.set = Operator::Set::kAnyValue;
  } else if (absl::ConsumePrefix(&op, "ForAllValues:")) {
    o.set = Operator::Set::kAllValues;
  }
  o.if_exists = absl::ConsumeSuffix(&op, "IfExists");
  struct Named {
    absl::string_view name;
    Operator::Compare compare;
    bool negated;
  };
  static constexpr Named kNames[] = {
      {"StringEquals", Operator::Compare::kEquals, false},
      {"StringNotEquals", Operator::Compare::kEquals, true},
      {"StringEqualsIgnoreCase", Operator::Compare::kEqualsIgnoreCase, false},
      {"StringNotEqualsIgnoreCase", Operator::Compare::kEqualsIgnoreCase, true},
      {"StringLike", Operator::Compare::kLike, false},
      {"StringNotLike", Operator::Compare::kLike, true},
      {"Bool", Operator::Compare::kBool, false},
      {"Null", Operator::Compare::kNull, false},
  };
  for (const Named& n : kNames) {
    if (op == n.name) {
      o.compare = n.compare;
      o.negated = n.negated;
    }
  }
  // Null takes neither a qualifier nor IfExists.
  if (o.compare == Operator::Compare::kNull && (o.if_exists || o.set != Operator::Set::kSingle)) {
    o.compare = Operator::Compare::kUnknown;
  }
  return o;
}

// A condition key's value in a request: unknown, absent (no values), or its values.
struct ContextValue {
  bool known = false;
  std::vector<std::string> values;
};

ContextValue Known(std::vector<std::string> values) { return {true, std::move(values)}; }

// The organization keys: unknown for an account the state does not hold, absent for one in no
// organization.
ContextValue OrganizationValue(const KeyRequest& r, bool paths) {
  if (r.caller_info == nullptr) return {};
  if (!r.caller_info->organization.has_value()) return Known({});
  return Known({paths ? OrgPath(*r.caller_info) : r.caller_info->organization->ToString()});
}

ContextValue Lookup(absl::string_view key, const KeyRequest& r) {
  const std::string k = absl::AsciiStrToLower(key);
  if (k == "kms:calleraccount" || k == "aws:principalaccount") {
    return Known({r.caller.ToString()});
  }
  if (k == "kms:viaservice") {
    return Known({absl::StrCat("ec2.", r.region.code(), ".amazonaws.com")});
  }
  if (k == "kms:grantisforawsresource") {
    // EBS creates its grants for the caller's volumes: true on CreateGrant, absent otherwise.
    if (r.action == KmsAction::kCreateGrant) return Known({"true"});
    return Known({});
  }
  if (k == "aws:principalorgid") return OrganizationValue(r, false);
  if (k == "aws:principalorgpaths") return OrganizationValue(r, true);
  return {};
}

// Whether one request value matches one policy value under the comparison.
bool Matches(Operator::Compare compare, const std::string& policy, const std::string& value) {
  switch (compare) {
    case Operator::Compare::kEquals:
      return policy == value;
    case Operator::Compare::kEqualsIgnoreCase:
    case Operator::Compare::kBool:
      return absl::EqualsIgnoreCase(policy, value);
    case Operator::Compare::kLike:
      return text_util::Glob(policy, value);
    default:  // GCOVR_EXCL_LINE: Null and unknown operators never compare values.
      return false;  // GCOVR_EXCL_LINE
  }
}

// Whether one request value satisfies the condition: it matches one of the policy's values
// (ORed), or for a negated operator matches none.
bool ValueSatisfies(const Operator& o, const std::vector<std::string>& policy,
                    const std::string& value) {
  const bool any = std::any_of(policy.begin(), policy.end(), [&](const std::string& p) {
    return Matches(o.compare, p, value);
  });
  return any != o.negated;
}

Truth Of(bool b) { return b ? Truth::kTrue : Truth::kFalse; }

}  // namespace

Truth EvaluateCondition(const PolicyCondition& c, const KeyRequest& r) {
  const Operator o = ParseOperator(c.op);
  if (o.compare == Operator::Compare::kUnknown) return Truth::kUnknown;
  for (const std::string& v : c.values) {
    if (absl::StrContains(v, "${")) return Truth::kUnknown;  // A policy variable.
  }
  const ContextValue ctx = Lookup(c.key, r);
  if (!ctx.known) return Truth::kUnknown;
  const bool absent = ctx.values.empty();
  if (o.compare == Operator::Compare::kNull) {
    if (c.values.size() != 1) return Truth::kUnknown;
    const bool wants_absent = absl::EqualsIgnoreCase(c.values[0], "true");
    if (!wants_absent && !absl::EqualsIgnoreCase(c.values[0], "false")) return Truth::kUnknown;
    return Of(absent == wants_absent);
  }
  if (absent) {
    if (o.if_exists || o.set == Operator::Set::kAllValues) return Truth::kTrue;
    if (o.set == Operator::Set::kAnyValue) return Truth::kFalse;
    return Of(o.negated);  // A negated operator holds for a missing key.
  }
  const auto satisfies = [&](const std::string& v) { return ValueSatisfies(o, c.values, v); };
  if (o.set == Operator::Set::kAllValues) {
    return Of(std::all_of(ctx.values.begin(), ctx.values.end(), satisfies));
  }
  return Of(std::any_of(ctx.values.begin(), ctx.values.end(), satisfies));
}

namespace {

// Whether the statement names the caller: Unknown when it names only IAM identities of the
// caller's account (the call is made as the account, not as one identity).
Truth PrincipalMatches(const KeyPolicyStatement& s, AccountId caller) {
  if (StatementNamesAccount(s, caller)) return Truth::kTrue;
  for (const std::string& arn : s.iam_principals) {
    const absl::StatusOr<AccountId> account = PrincipalAccountOf(arn);
    if (account.ok() && *account == caller) return Truth::kUnknown;
  }
  return Truth::kFalse;
}

}  // namespace

Truth StatementApplies(const KeyPolicyStatement& s, const KeyRequest& r, std::string* unknown) {
  Truth result = PrincipalMatches(s, r.caller);
  if (result == Truth::kFalse) return result;
  std::string first_unknown;
  if (result == Truth::kUnknown) {
    first_unknown = absl::StrCat("the caller is ", absl::StrJoin(s.iam_principals, " or "));
  }
  const auto fold = [&](Truth t, auto describe) {
    if (t == Truth::kFalse) result = Truth::kFalse;
    if (t != Truth::kUnknown) return;  // No fold follows a false one: the loop below stops.
    if (first_unknown.empty()) first_unknown = describe();
    result = Truth::kUnknown;
  };
  const auto missing_organization = [&] {
    return absl::StrCat("the organization of account ", r.caller.ToString(),
                        " is not in the state");
  };
  fold(OrganizationMatches(s, r.caller_info), [&] {
    return absl::StrCat("aws:PrincipalOrgID or aws:PrincipalOrgPaths: ", missing_organization());
  });
  for (const PolicyCondition& c : s.conditions) {
    if (result == Truth::kFalse) break;
    fold(EvaluateCondition(c, r), [&] {
      const std::string key = absl::AsciiStrToLower(c.key);
      const bool organization = key == "aws:principalorgid" || key == "aws:principalorgpaths";
      if (!organization || r.caller_info != nullptr) return ConditionText(c);
      return absl::StrCat(ConditionText(c), ": ", missing_organization());
    });
  }
  if (result == Truth::kUnknown && unknown != nullptr) *unknown = std::move(first_unknown);
  return result;
}

std::string ConditionText(const PolicyCondition& c) {
  std::vector<std::string> values;
  for (const std::string& v : c.values) values.push_back(text_util::Clip(v));
  return absl::StrCat(text_util::Clip(c.op), " ", text_util::Clip(c.key), " [",
                      absl::StrJoin(values, ", "), "]");
}

}  // namespace ami::policy
