// AWS's policy language, compiled: identity policies, permissions boundaries, service control
// policies and key policies share one grammar and one evaluator (lib/policy/lang/evaluate.h).
// Internal to libami.
//
// ParsePolicy() reads a document once — Version, Id, Statement (one object or an array), and in
// each statement Sid, Effect, Principal / NotPrincipal, Action / NotAction, Resource /
// NotResource and Condition — and compiles it: lower-cased action patterns, ARN patterns split
// into their six parts, condition operators as enums with their values read (numbers, dates,
// CIDRs, booleans). Nothing is parsed on the decision path. A document that breaks the grammar
// is `MalformedPolicyDocument` naming the statement and element. Thread-safe: values and pure
// functions.
#ifndef AMI_LIB_POLICY_LANG_DOCUMENT_H_
#define AMI_LIB_POLICY_LANG_DOCUMENT_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ami::lang {

// Which kind of policy a document is: decides which elements it may (and must) hold.
enum class PolicyKind : uint8_t {
  // Attached to a user, group or role (inline or managed): no Principal.
  kIdentity,
  // A permissions boundary: as an identity policy.
  kBoundary,
  // A service control policy: no Principal; Version 2012-10-17.
  kServiceControl,
  // A KMS key policy: Principal or NotPrincipal in every statement.
  kKeyPolicy,
};

absl::string_view PolicyKindName(PolicyKind kind);

// An ARN split into its six colon-separated parts (the sixth keeps any further colons), each
// matched on its own: a wildcard does not reach across the first five colons.
struct ArnParts {
  enum class Kind : uint8_t { kLiteral, kAny, kGlob };
  std::array<std::string, 6> parts;
  std::array<Kind, 6> kinds{};
  uint8_t count = 0;
};
// Splits `arn` (a pattern when `pattern`: `*` alone in a part matches any part).
ArnParts SplitArnParts(absl::string_view arn, bool pattern);
// True when the ARN `value` (split without pattern) matches `pattern`.
bool ArnPartsMatch(const ArnParts& pattern, const ArnParts& value);

// A glob of `*` (any run, possibly empty) and `?` (one character). Policy variables are kept as
// written and substituted at evaluation.
struct Glob {
  std::string text;
  bool has_wildcard = false;
  bool has_variable = false;
  // For a Resource without variables other than "*": its parts, split once.
  std::optional<ArnParts> arn;
};

// True when `value` matches `pattern` (no variables), case-sensitively. Iterative: O(|pattern| ×
// |value|) at worst, whatever the pattern.
bool GlobMatch(absl::string_view pattern, absl::string_view value);

// Principal or NotPrincipal.
struct Principals {
  // "*" or {"AWS": "*"}.
  bool any = false;
  // AWS principals as ARNs; a bare 12-digit account is kept as arn:aws:iam::<account>:root.
  std::vector<std::string> aws;
  std::vector<std::string> services;
  std::vector<std::string> federated;
  std::vector<std::string> canonical_users;
};

enum class Effect : uint8_t { kAllow, kDeny };

// The operator families of the Condition element.
enum class ConditionOp : uint8_t {
  kStringEquals,
  kStringNotEquals,
  kStringEqualsIgnoreCase,
  kStringNotEqualsIgnoreCase,
  kStringLike,
  kStringNotLike,
  kNumericEquals,
  kNumericNotEquals,
  kNumericLessThan,
  kNumericLessThanEquals,
  kNumericGreaterThan,
  kNumericGreaterThanEquals,
  kDateEquals,
  kDateNotEquals,
  kDateLessThan,
  kDateLessThanEquals,
  kDateGreaterThan,
  kDateGreaterThanEquals,
  kBool,
  kBinaryEquals,
  kIpAddress,
  kNotIpAddress,
  kArnEquals,
  kArnLike,
  kArnNotEquals,
  kArnNotLike,
  // Last: CompileCondition reads the names over the range kStringEquals … kNull.
  kNull,
};

// The operator's name as policies write it, for example "StringNotEqualsIgnoreCase".
absl::string_view ConditionOpName(ConditionOp op);
// True for the operators that match when the value does not (StringNotEquals, NotIpAddress, …).
bool IsNegated(ConditionOp op);

enum class SetQualifier : uint8_t { kNone, kForAnyValue, kForAllValues };

// An IPv4 or IPv6 network: 16 bytes (IPv4 mapped into ::ffff:0:0/96) and a prefix length.
struct Cidr {
  std::array<uint8_t, 16> bytes{};
  int prefix = 128;
};
// Reads "10.0.0.0/8", "203.0.113.7" (/32), "2001:db8::/32" or an IPv6 address (/128).
std::optional<Cidr> ParseCidr(absl::string_view text);
bool CidrContains(const Cidr& network, const Cidr& address);

// One key of one operator: `"StringEquals": {"aws:PrincipalOrgID": ["o-1", "o-2"]}` gives one
// Condition with two values.
struct Condition {
  ConditionOp op = ConditionOp::kStringEquals;
  SetQualifier set = SetQualifier::kNone;
  bool if_exists = false;
  // The key as written, and lower-cased for lookups (key names are case-insensitive).
  std::string key;
  std::string key_lower;
  // The values as written (booleans and numbers as their JSON text).
  std::vector<std::string> values;
  // Read once, by operator family.
  std::vector<double> numbers;
  std::vector<absl::Time> dates;
  std::vector<bool> booleans;
  std::vector<Cidr> networks;
  // ARN values split into their six colon-separated parts (the last keeps its colons).
  std::vector<std::vector<std::string>> arn_parts;
  // True when a value holds a policy variable (${...}); only in Version 2012-10-17 documents.
  bool has_variable = false;
};

// "StringEquals aws:PrincipalOrgID [o-1, o-2]": a condition as policies write it.
std::string ConditionText(const Condition& c);

struct Statement {
  // Its Sid, and its position in the document (0-based; Name() counts from 1).
  std::string sid;
  size_t index = 0;
  Effect effect = Effect::kAllow;
  // Principal or NotPrincipal; unset in identity policies and SCPs.
  std::optional<Principals> principals;
  bool not_principal = false;
  // Action or NotAction, lower-cased ("ec2:runinstances", "kms:reencrypt*").
  std::vector<Glob> actions;
  bool not_action = false;
  // Resource or NotResource. Unset (no element) in key policies that omit it.
  std::vector<Glob> resources;
  bool not_resource = false;
  bool has_resource = false;
  std::vector<Condition> conditions;

  // "statement 2 (Sid DenyUntagged)" or "statement 2": index + 1, as people count.
  std::string Name() const;
};

struct PolicyDocument {
  PolicyKind kind = PolicyKind::kIdentity;
  // "2012-10-17", "2008-10-17" or empty. Policy variables are substituted only in 2012-10-17
  // documents; elsewhere `${…}` is literal text.
  std::string version;
  std::string id;
  std::vector<Statement> statements;

  bool variables_enabled() const { return version == "2012-10-17"; }
};

// Bounds of a document: its text, its statements and the values of one condition key — above
// every size AWS accepts (6,144 characters for a managed policy, 32,768 bytes for a key policy).
inline constexpr size_t kMaxPolicyBytes = 131072;
inline constexpr size_t kMaxPolicyStatements = 1000;
inline constexpr size_t kMaxConditionValues = 1000;

// Reads and compiles `json` as a policy of `kind`.
absl::StatusOr<PolicyDocument> ParsePolicy(absl::string_view json, PolicyKind kind);

}  // namespace ami::lang

#endif  // AMI_LIB_POLICY_LANG_DOCUMENT_H_
