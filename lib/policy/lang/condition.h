// The Condition element: compiling one operator and key, and evaluating it against a request
// context in three-valued logic. Internal to libami.
//
// Semantics (IAM User Guide, "Condition operators", "Single-valued vs. multivalued context keys",
// "Policy variables"):
// - Values of one key are ORed; for a negated operator (StringNotEquals, NotIpAddress, …) the
//   request value must match none of them.
// - A key absent from the request: positive operators are false, negated ones true; `…IfExists`
//   is true; Null "true" is true and Null "false" false.
// - ForAnyValue: some request value satisfies the operator (false when absent or empty);
//   ForAllValues: every request value does (true when absent or empty).
// - A key the context does not know (RequestContext::Lookup kUnknown) makes the condition
//   unknown, as does a policy variable naming an unknown key.
// - Policy variables `${key}`, `${key, 'default'}`, `${*}`, `${?}`, `${$}`, only in
//   Version 2012-10-17 documents and only in String and Arn operators; a variable whose key is
//   absent has no value: a positive operator does not match it, a negated one does.
// Thread-safe: pure functions.
#ifndef AMI_LIB_POLICY_LANG_CONDITION_H_
#define AMI_LIB_POLICY_LANG_CONDITION_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "policy/lang/context.h"
#include "policy/lang/document.h"

namespace ami::lang {

// Three-valued truth.
enum class Truth : uint8_t { kFalse, kTrue, kUnknown };

// Compiles `"<op>": {"<key>": [values]}`: `op` as written ("ForAnyValue:StringLikeIfExists"),
// values as JSON text (strings decoded; booleans and numbers as written). An unknown operator,
// a qualifier or IfExists on Null, a value the operator cannot read (a number for Numeric*, a
// date for Date*, "true"/"false" for Bool and Null, a CIDR for IpAddress, base64 for
// BinaryEquals) or no value at all is `MalformedPolicyDocument`. `variables` is true for
// 2012-10-17 documents; a variable in an operator that does not take them is literal text.
absl::StatusOr<Condition> CompileCondition(absl::string_view op, absl::string_view key,
                                           std::vector<std::string> values, bool variables);

// Whether `c` holds for `ctx`.
Truth EvaluateCondition(const Condition& c, const RequestContext& ctx);

// The text with its policy variables replaced from `ctx`. kNoValue: some variable names a key
// that is absent, empty or multi-valued and gives no default (a variable of an absent key with no
// value wins over one of an unknown key: the text can match nothing either way). kUnknown: some
// variable names a key the context does not know. Text that is not a well-formed variable
// (`${` without `}`) stays as written.
struct Substitution {
  enum class State : uint8_t { kValue, kNoValue, kUnknown };
  State state = State::kValue;
  std::string text;
  // One flag per character of `text`: true where it came from a variable's value or default, so
  // that a `*` or `?` in a key's value matches only itself in StringLike and ArnLike (while the
  // `*` of `${*}` is a wildcard).
  std::vector<bool> literal;
};
Substitution SubstituteVariables(absl::string_view text, const RequestContext& ctx);

// GlobMatch where `literal` (one flag per pattern character, as Substitution::literal) marks
// the `*` and `?` that match only themselves. A `literal` of another length is ignored.
bool GlobMatch(absl::string_view pattern, const std::vector<bool>& literal,
               absl::string_view value);

// The longest condition key name: a tag key is at most 128 characters, after a prefix such as
// "aws:ResourceTag/" or "kms:EncryptionContext:".
inline constexpr size_t kMaxConditionKeyBytes = 256;

// A time as conditions write it: ISO 8601 ("2026-01-01", "2026-01-01T12:00:00Z",
// "2026-01-01T12:00:00.5+02:00") or seconds since the epoch ("1767225600").
std::optional<absl::Time> ParsePolicyDate(absl::string_view text);

}  // namespace ami::lang

#endif  // AMI_LIB_POLICY_LANG_CONDITION_H_
