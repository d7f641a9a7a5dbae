// Policy evaluation in the order AWS documents it; see evaluate.h.
#include "policy/lang/evaluate.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ami::lang {
namespace {

// How a statement's Principal names the caller.
enum class PrincipalMatch : uint8_t {
  kNo,
  // The caller itself: its ARN, its role (for a role session), a service principal, or "*".
  kDirect,
  // The caller's account (arn:aws:iam::<account>:root) while the caller is one of its users or
  // roles: the account delegates to its identity policies.
  kAccount,
};

std::string AccountRoot(absl::string_view account) {
  return absl::StrCat("arn:aws:iam::", account, ":root");
}

// arn:aws:sts::<a>:assumed-role/<role>/<session> names the role arn:aws:iam::<a>:role/<role>
// (with any path).
bool NamesSessionRole(absl::string_view listed, absl::string_view caller) {
  const std::vector<absl::string_view> c = absl::StrSplit(caller, ':');
  if (c.size() != 6 || c[2] != "sts" || !absl::StartsWith(c[5], "assumed-role/")) return false;
  const std::vector<absl::string_view> parts = absl::StrSplit(c[5], '/');
  if (parts.size() != 3) return false;
  const std::vector<absl::string_view> l = absl::StrSplit(listed, ':');
  if (l.size() != 6 || l[2] != "iam" || l[4] != c[4] || !absl::StartsWith(l[5], "role/")) {
    return false;
  }
  return l[5] == absl::StrCat("role/", parts[1]) || absl::EndsWith(l[5], absl::StrCat("/", parts[1]));
}

PrincipalMatch MatchListed(const Principals& p, const RequestContext& ctx) {
  if (p.any) return PrincipalMatch::kDirect;
  if (!ctx.service_principal.empty()) {
    for (const std::string& s : p.services) {
      if (s == ctx.service_principal) return PrincipalMatch::kDirect;
    }
    return PrincipalMatch::kNo;
  }
  const std::string root = AccountRoot(ctx.principal_account);
  PrincipalMatch best = PrincipalMatch::kNo;
  for (const std::string& a : p.aws) {
    if (a == ctx.principal_arn || NamesSessionRole(a, ctx.principal_arn)) {
      return PrincipalMatch::kDirect;
    }
    if (a == root) best = PrincipalMatch::kAccount;
  }
  return best;
}

// NotPrincipal excludes a caller only when it lists the caller and, for a user or role, its
// account too: AWS evaluates the account as a principal of the request as well.
PrincipalMatch MatchPrincipal(const Statement& s, const RequestContext& ctx) {
  if (!s.principals) return PrincipalMatch::kDirect;
  const PrincipalMatch listed = MatchListed(*s.principals, ctx);
  if (!s.not_principal) return listed;
  const bool is_root = ctx.principal_arn == AccountRoot(ctx.principal_account);
  const bool excluded = listed == PrincipalMatch::kDirect && !s.principals->any &&
                        (is_root || !ctx.service_principal.empty() ||
                         absl::c_linear_search(s.principals->aws,
                                               AccountRoot(ctx.principal_account)));
  return excluded ? PrincipalMatch::kNo : PrincipalMatch::kDirect;
}

bool ActionMatches(const Statement& s, absl::string_view action_lower) {
  bool any = false;
  for (const Glob& g : s.actions) {
    if (g.has_wildcard ? GlobMatch(g.text, action_lower) : g.text == action_lower) {
      any = true;
      break;
    }
  }
  return any != s.not_action;
}

// What one evaluation reads of the request, prepared once: the action in lower case and the
// resource's ARN split into its parts.
struct Prepared {
  std::string action;
  ArnParts resource;
};

// What a statement could not decide: the conditions as text, and the condition keys the
// context does not know that they read.
struct Undecided {
  std::vector<std::string> text;
  std::vector<std::string> keys;
};

void Append(Undecided from, Undecided* to) {
  for (std::string& t : from.text) to->text.push_back(std::move(t));
  for (std::string& k : from.keys) to->keys.push_back(std::move(k));
}

// Adds the keys of the policy variables in `text` (`${key}`, `${key, 'default'}`) that `ctx`
// does not know.
void AddUnknownVariables(absl::string_view text, const RequestContext& ctx,
                         std::vector<std::string>* keys) {
  size_t at = 0;
  while ((at = text.find("${", at)) != absl::string_view::npos) {
    const size_t end = text.find_first_of(",}", at + 2);
    if (end == absl::string_view::npos) return;
    const absl::string_view name = absl::StripAsciiWhitespace(text.substr(at + 2, end - at - 2));
    at = end;
    if (name.empty() || name == "*" || name == "?" || name == "$") continue;
    if (ctx.Lookup(absl::AsciiStrToLower(name)).state == KeyLookup::State::kUnknown) {
      keys->push_back(std::string(name));
    }
  }
}

// The keys that leave the condition `c` undecided for `ctx`: its own, or a variable's.
void AddUnknownKeys(const Condition& c, const RequestContext& ctx, std::vector<std::string>* keys) {
  if (ctx.Lookup(c.key_lower).state == KeyLookup::State::kUnknown) keys->push_back(c.key);
  if (!c.has_variable) return;
  for (const std::string& v : c.values) AddUnknownVariables(v, ctx, keys);
}

Truth ResourceMatches(const Statement& s, const PolicyDocument& doc, const RequestContext& ctx,
                      const Prepared& request, Undecided* unknown) {
  Truth any = Truth::kFalse;
  for (const Glob& g : s.resources) {
    if (g.text == "*" || (g.arn && ArnPartsMatch(*g.arn, request.resource))) {
      any = Truth::kTrue;
      break;
    }
    if (g.arn) continue;
    std::string text = g.text;
    if (g.has_variable && doc.variables_enabled()) {
      Substitution sub = SubstituteVariables(g.text, ctx);
      if (sub.state == Substitution::State::kNoValue) continue;
      if (sub.state == Substitution::State::kUnknown) {
        any = Truth::kUnknown;
        unknown->text.push_back(absl::StrCat("Resource ", g.text));
        AddUnknownVariables(g.text, ctx, &unknown->keys);
        continue;
      }
      text = std::move(sub.text);
    }
    if (ArnPartsMatch(SplitArnParts(text, true), request.resource)) {
      any = Truth::kTrue;
      break;
    }
  }
  if (!s.not_resource || any == Truth::kUnknown) return any;
  return any == Truth::kTrue ? Truth::kFalse : Truth::kTrue;
}

Truth ConditionsHold(const Statement& s, const RequestContext& ctx, Undecided* unknown) {
  Truth all = Truth::kTrue;
  Undecided undecided;
  for (const Condition& c : s.conditions) {
    const Truth t = EvaluateCondition(c, ctx);
    if (t == Truth::kFalse) return Truth::kFalse;
    if (t == Truth::kUnknown) {
      all = Truth::kUnknown;
      undecided.text.push_back(ConditionText(c));
      AddUnknownKeys(c, ctx, &undecided.keys);
    }
  }
  Append(std::move(undecided), unknown);
  return all;
}

// Whether one statement applies to the request, and how the principal matched; kUnknown adds
// the conditions it could not decide to `unknown`.
Truth Applies(const Statement& s, const PolicyDocument& doc, const RequestContext& ctx,
              const Prepared& request, Undecided* unknown, PrincipalMatch* how) {
  *how = MatchPrincipal(s, ctx);
  if (*how == PrincipalMatch::kNo || !ActionMatches(s, request.action)) return Truth::kFalse;
  Undecided undecided;
  const Truth resource = ResourceMatches(s, doc, ctx, request, &undecided);
  if (resource == Truth::kFalse) return Truth::kFalse;
  const Truth conditions = ConditionsHold(s, ctx, &undecided);
  if (conditions == Truth::kFalse) return Truth::kFalse;
  if (resource == Truth::kTrue && conditions == Truth::kTrue) return Truth::kTrue;
  Append(std::move(undecided), unknown);
  return Truth::kUnknown;
}

// What one policy says about the request.
struct Verdict {
  std::optional<StatementRef> deny;
  // An Allow naming the caller itself (or any caller), and, in a key policy, one naming only
  // the caller's account.
  std::optional<StatementRef> allow;
  std::optional<StatementRef> account_allow;
  std::vector<std::string> maybe_deny;
  std::vector<std::string> maybe_allow;
  // The unknown keys those read.
  std::vector<std::string> maybe_deny_keys;
  std::vector<std::string> maybe_allow_keys;
};

Verdict Judge(const NamedPolicy& p, const RequestContext& ctx, const Prepared& request) {
  Verdict v;
  const PolicyDocument& doc = *p.document;
  for (const Statement& s : doc.statements) {
    Undecided unknown;
    PrincipalMatch how = PrincipalMatch::kNo;
    const Truth t = Applies(s, doc, ctx, request, &unknown, &how);
    if (t == Truth::kFalse) continue;
    StatementRef ref{p.name, doc.kind, s.Name()};
    if (t == Truth::kUnknown) {
      const bool deny = s.effect == Effect::kDeny;
      (deny ? v.maybe_deny : v.maybe_allow)
          .push_back(absl::StrCat(p.name, " ", ref.statement, ": ",
                                  absl::StrJoin(unknown.text, " and ")));
      std::vector<std::string>& keys = deny ? v.maybe_deny_keys : v.maybe_allow_keys;
      keys.insert(keys.end(), unknown.keys.begin(), unknown.keys.end());
      continue;
    }
    if (s.effect == Effect::kDeny) {
      if (!v.deny) v.deny = std::move(ref);
    } else if (how == PrincipalMatch::kAccount) {
      if (!v.account_allow) v.account_allow = std::move(ref);
    } else if (!v.allow) {
      v.allow = std::move(ref);
    }
  }
  return v;
}

// Every policy's verdict, in the order explanations prefer: SCPs, boundary, identity, resource.
struct Verdicts {
  std::vector<std::vector<Verdict>> scp_levels;
  std::optional<Verdict> boundary;
  std::vector<Verdict> identity;
  std::optional<Verdict> resource;

  template <typename F>
  void ForEach(F f) const {
    for (const auto& level : scp_levels) {
      for (const Verdict& v : level) f(v);
    }
    if (boundary) f(*boundary);
    for (const Verdict& v : identity) f(v);
    if (resource) f(*resource);
  }
};

Verdicts JudgeAll(const PolicyInputs& in, const RequestContext& ctx, const Prepared& action) {
  Verdicts all;
  for (const auto& level : in.scp_levels) {
    all.scp_levels.emplace_back();
    for (const NamedPolicy& p : level) all.scp_levels.back().push_back(Judge(p, ctx, action));
  }
  if (in.boundary && !in.principal_is_root) all.boundary = Judge(*in.boundary, ctx, action);
  if (!in.principal_is_root) {
    for (const NamedPolicy& p : in.identity) all.identity.push_back(Judge(p, ctx, action));
  }
  if (in.resource_policy) all.resource = Judge(*in.resource_policy, ctx, action);
  return all;
}

// The principal's side: an identity policy allows (or the caller is the root user) and the
// boundary does not hold it back.
// A service principal has no identity policies: its side is the resource policy alone.
std::optional<PolicyKind> PrincipalSideMissing(const PolicyInputs& in, const RequestContext& ctx,
                                               const Verdicts& all,
                                               std::optional<StatementRef>* by) {
  if (in.principal_is_root || !ctx.service_principal.empty()) return std::nullopt;
  for (const Verdict& v : all.identity) {
    if (v.allow && !*by) *by = v.allow;
  }
  if (!*by) return PolicyKind::kIdentity;
  if (all.boundary && !all.boundary->allow) return PolicyKind::kBoundary;
  return std::nullopt;
}

// Steps 3 and 4 of evaluate.h: who allows, or which kind of policy did not.
std::optional<PolicyKind> Missing(const PolicyInputs& in, const RequestContext& ctx,
                                  const Verdicts& all, std::optional<StatementRef>* by) {
  std::optional<StatementRef> identity_by;
  const std::optional<PolicyKind> principal_side = PrincipalSideMissing(in, ctx, all, &identity_by);
  const bool same_account =
      in.resource_account.empty() || in.resource_account == ctx.principal_account;
  if (in.resource_policy_required && !in.grants.empty()) {
    // Grants name accounts: as a key policy naming the account, the grant delegates to IAM, so
    // a user or role of the account needs its identity policy (and boundary) too.
    if (principal_side) return principal_side;
    *by = StatementRef{in.grants.front(), PolicyKind::kKeyPolicy, "grant"};
    return std::nullopt;
  }
  if (!in.resource_policy) {
    if (in.resource_policy_required) return PolicyKind::kKeyPolicy;
    *by = identity_by;
    return principal_side;
  }
  const Verdict& r = *all.resource;
  if (r.allow && same_account) {
    *by = r.allow;
    // A user named by its ARN is not held back by its boundary; a role is.
    const bool user = absl::StrContains(ctx.principal_arn, ":user/");
    return (all.boundary && !all.boundary->allow && !user) ? std::optional(PolicyKind::kBoundary)
                                                           : std::nullopt;
  }
  if (r.allow || r.account_allow) {
    *by = identity_by ? identity_by : (r.allow ? r.allow : r.account_allow);
    if (in.principal_is_root) *by = r.allow ? r.allow : r.account_allow;
    return principal_side;
  }
  if (!in.resource_policy_required && same_account && !principal_side) {
    *by = identity_by;
    return std::nullopt;
  }
  return PolicyKind::kKeyPolicy;
}

// Adds `keys` to `out`, each key once (names are case-insensitive).
void AddMissingKeys(const std::vector<std::string>& keys, std::vector<std::string>* out) {
  for (const std::string& k : keys) {
    const bool seen = std::any_of(out->begin(), out->end(),
                                  [&k](const std::string& o) { return absl::EqualsIgnoreCase(o, k); });
    if (!seen) out->push_back(k);
  }
}

std::string KindPhrase(PolicyKind kind) {
  switch (kind) {
    case PolicyKind::kServiceControl:
      return "service control policy";
    case PolicyKind::kBoundary:
      return "permissions boundary";
    case PolicyKind::kKeyPolicy:
      return "resource-based policy";
    case PolicyKind::kIdentity:
      break;
  }
  return "identity-based policy";
}

}  // namespace

PolicyResult Evaluate(const PolicyInputs& inputs, const RequestContext& ctx) {
  const Prepared request{absl::AsciiStrToLower(ctx.action), SplitArnParts(ctx.resource, false)};
  const Verdicts all = JudgeAll(inputs, ctx, request);
  PolicyResult result;
  Verdict maybe;
  all.ForEach([&](const Verdict& v) {
    if (v.deny && !result.decided_by) result.decided_by = v.deny;
    maybe.maybe_deny.insert(maybe.maybe_deny.end(), v.maybe_deny.begin(), v.maybe_deny.end());
    maybe.maybe_allow.insert(maybe.maybe_allow.end(), v.maybe_allow.begin(), v.maybe_allow.end());
    AddMissingKeys(v.maybe_deny_keys, &maybe.maybe_deny_keys);
    AddMissingKeys(v.maybe_allow_keys, &maybe.maybe_allow_keys);
  });
  if (result.decided_by) {
    result.outcome = Outcome::kExplicitDeny;
    return result;
  }
  for (const auto& level : all.scp_levels) {
    bool allows = false;
    for (const Verdict& v : level) allows = allows || v.allow.has_value();
    if (!allows) result.missing_allow = PolicyKind::kServiceControl;
  }
  std::optional<StatementRef> by;
  if (!result.missing_allow) result.missing_allow = Missing(inputs, ctx, all, &by);
  for (std::string& d : maybe.maybe_deny) result.residual.push_back(absl::StrCat("denied if ", d));
  result.missing_keys = std::move(maybe.maybe_deny_keys);
  if (!result.missing_allow && maybe.maybe_deny.empty()) {
    result.outcome = Outcome::kAllow;
    result.decided_by = std::move(by);
    return result;
  }
  result.outcome = Outcome::kImplicitDeny;
  if (result.missing_allow) {
    for (std::string& a : maybe.maybe_allow) {
      result.residual.push_back(absl::StrCat("allowed only if ", a));
    }
    AddMissingKeys(maybe.maybe_allow_keys, &result.missing_keys);
  }
  return result;
}

std::string DenialMessage(const PolicyResult& result, const RequestContext& ctx) {
  const std::string head = absl::StrCat("User: ", ctx.principal_arn,
                                        " is not authorized to perform: ", ctx.action,
                                        " on resource: ", ctx.resource);
  if (result.outcome == Outcome::kExplicitDeny && result.decided_by) {
    const std::string kind = KindPhrase(result.decided_by->kind);
    return absl::StrCat(head, " with an explicit deny in ",
                        kind[0] == 'i' ? "an " : "a ", kind);
  }
  if (result.missing_allow) {
    return absl::StrCat(head, " because no ", KindPhrase(*result.missing_allow), " allows the ",
                        ctx.action, " action");
  }
  return absl::StrCat(head, " because a Deny statement may apply: ",
                      absl::StrJoin(result.residual, "; "));
}

}  // namespace ami::lang
