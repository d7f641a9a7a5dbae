// The Condition element: compiling an operator and key, evaluating it in three-valued logic, and
// the policy variables and dates it reads (condition.h).
#include "policy/lang/condition.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/container/inlined_vector.h"
#include "absl/types/span.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "ami/errors.h"
#include "values/choices.h"

namespace ami::lang {
namespace {

// ---- Three-valued logic -------------------------------------------------------------------------

Truth Or(Truth a, Truth b) {
  if (a == Truth::kTrue || b == Truth::kTrue) return Truth::kTrue;
  if (a == Truth::kUnknown || b == Truth::kUnknown) return Truth::kUnknown;
  return Truth::kFalse;
}

Truth And(Truth a, Truth b) {
  if (a == Truth::kFalse || b == Truth::kFalse) return Truth::kFalse;
  if (a == Truth::kUnknown || b == Truth::kUnknown) return Truth::kUnknown;
  return Truth::kTrue;
}

Truth Not(Truth a) {
  if (a == Truth::kUnknown) return a;
  return a == Truth::kTrue ? Truth::kFalse : Truth::kTrue;
}

Truth Of(bool b) { return b ? Truth::kTrue : Truth::kFalse; }

// ---- Operators ----------------------------------------------------------------------------------

enum class Family : uint8_t { kString, kNumeric, kDate, kBool, kBinary, kIp, kArn, kNull };

Family FamilyOf(ConditionOp op) {
  switch (op) {
    case ConditionOp::kStringEquals:
    case ConditionOp::kStringNotEquals:
    case ConditionOp::kStringEqualsIgnoreCase:
    case ConditionOp::kStringNotEqualsIgnoreCase:
    case ConditionOp::kStringLike:
    case ConditionOp::kStringNotLike:
      return Family::kString;
    case ConditionOp::kNumericEquals:
    case ConditionOp::kNumericNotEquals:
    case ConditionOp::kNumericLessThan:
    case ConditionOp::kNumericLessThanEquals:
    case ConditionOp::kNumericGreaterThan:
    case ConditionOp::kNumericGreaterThanEquals:
      return Family::kNumeric;
    case ConditionOp::kDateEquals:
    case ConditionOp::kDateNotEquals:
    case ConditionOp::kDateLessThan:
    case ConditionOp::kDateLessThanEquals:
    case ConditionOp::kDateGreaterThan:
    case ConditionOp::kDateGreaterThanEquals:
      return Family::kDate;
    case ConditionOp::kBool: return Family::kBool;
    case ConditionOp::kBinaryEquals: return Family::kBinary;
    case ConditionOp::kIpAddress:
    case ConditionOp::kNotIpAddress:
      return Family::kIp;
    case ConditionOp::kArnEquals:
    case ConditionOp::kArnLike:
    case ConditionOp::kArnNotEquals:
    case ConditionOp::kArnNotLike:
      return Family::kArn;
    case ConditionOp::kNull: return Family::kNull;
  }
  return Family::kNull;
}

absl::Status Malformed(absl::string_view op, absl::string_view key, absl::string_view what) {
  return MakeError(choices::kMalformedPolicy,
                   absl::StrCat("condition `", op, "` on `", key, "`: ", what));
}

// Reads "[ForAnyValue:|ForAllValues:]<Operator>[IfExists]", names case-sensitive as AWS writes
// them, into `c`.
absl::Status ReadOperator(absl::string_view text, absl::string_view key, Condition* c) {
  absl::string_view rest = text;
  if (absl::ConsumePrefix(&rest, "ForAnyValue:")) {
    c->set = SetQualifier::kForAnyValue;
  } else if (absl::ConsumePrefix(&rest, "ForAllValues:")) {
    c->set = SetQualifier::kForAllValues;
  }
  c->if_exists = absl::ConsumeSuffix(&rest, "IfExists");
  // The enum's values run from kStringEquals to kNull without gaps.
  for (int i = 0; i <= static_cast<int>(ConditionOp::kNull); ++i) {
    const auto op = static_cast<ConditionOp>(i);
    if (ConditionOpName(op) != rest) continue;
    c->op = op;
    if (op == ConditionOp::kNull && c->if_exists) {
      return Malformed(text, key, "Null takes no IfExists");
    }
    if (op == ConditionOp::kNull && c->set != SetQualifier::kNone) {
      return Malformed(text, key, "Null takes no ForAnyValue or ForAllValues");
    }
    return absl::OkStatus();
  }
  return Malformed(text, key, "unknown condition operator");
}

// ---- Values -------------------------------------------------------------------------------------

// An integer or decimal: [+-]digits[.digits] or [+-].digits; no exponent, no inf or nan.
std::optional<double> ReadNumber(absl::string_view s) {
  absl::string_view body = s;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) body.remove_prefix(1);
  size_t int_digits = 0, frac_digits = 0, i = 0;
  while (i < body.size() && absl::ascii_isdigit(static_cast<unsigned char>(body[i]))) ++i;
  int_digits = i;
  if (i < body.size() && body[i] == '.') {
    size_t start = ++i;
    while (i < body.size() && absl::ascii_isdigit(static_cast<unsigned char>(body[i]))) ++i;
    frac_digits = i - start;
    if (frac_digits == 0) return std::nullopt;
  }
  if (i != body.size() || int_digits + frac_digits == 0) return std::nullopt;
  double d = 0;
  if (!absl::SimpleAtod(s, &d) || !std::isfinite(d)) return std::nullopt;
  return d;
}

// "true" or "false", in any case.
std::optional<bool> ReadBool(absl::string_view s) {
  if (absl::EqualsIgnoreCase(s, "true")) return true;
  if (absl::EqualsIgnoreCase(s, "false")) return false;
  return std::nullopt;
}

bool IsBase64(absl::string_view s) {
  if (s.empty() || s.size() % 4 != 0) return false;
  size_t pad = 0;
  while (pad < 2 && s[s.size() - 1 - pad] == '=') ++pad;
  for (size_t i = 0; i < s.size() - pad; ++i) {
    char c = s[i];
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/') return false;
  }
  return true;
}

// An IP address (no prefix), as a request value must be.
std::optional<Cidr> ReadAddress(absl::string_view s) {
  if (s.find('/') != absl::string_view::npos) return std::nullopt;
  return ParseCidr(s);
}

// An ARN's six colon-separated parts, the last keeping its colons; fewer when it has fewer.
// `literal` (one flag per character, or empty) is split alongside into `literal_parts`.
std::vector<std::string> SplitArn(absl::string_view s, const std::vector<bool>* literal = nullptr,
                                  std::vector<std::vector<bool>>* literal_parts = nullptr) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t colon = parts.size() < 5 ? s.find(':', start) : absl::string_view::npos;
    size_t end = colon == absl::string_view::npos ? s.size() : colon;
    parts.emplace_back(s.substr(start, end - start));
    if (literal != nullptr && literal_parts != nullptr) {
      literal_parts->emplace_back(literal->begin() + start, literal->begin() + end);
    }
    if (colon == absl::string_view::npos) return parts;
    start = colon + 1;
  }
}

// ---- Policy variables ---------------------------------------------------------------------------

// One `${...}`: a key with an optional default, or one of `${*}`, `${?}`, `${$}`.
struct Variable {
  std::string key_lower;  // empty for the three literals
  std::string text;       // the literal's character
  std::optional<std::string> default_value;
};

// Reads the text between `${` and `}`: "aws:username" or "aws:PrincipalTag/team, 'default'".
std::optional<Variable> ReadVariable(absl::string_view inner) {
  Variable v;
  if (inner == "*" || inner == "?" || inner == "$") {
    v.text = std::string(inner);
    return v;
  }
  size_t comma = inner.find(',');
  absl::string_view key = absl::StripAsciiWhitespace(inner.substr(0, comma));
  if (key.empty() || key.size() > kMaxConditionKeyBytes) return std::nullopt;
  for (char ch : key) {
    bool bad = ch == '$' || ch == '{' || ch == '\'';
    if (bad || absl::ascii_isspace(static_cast<unsigned char>(ch))) return std::nullopt;
  }
  v.key_lower = absl::AsciiStrToLower(key);
  if (comma != absl::string_view::npos) {
    absl::string_view d = absl::StripAsciiWhitespace(inner.substr(comma + 1));
    if (d.size() < 2 || d.front() != '\'' || d.back() != '\'') return std::nullopt;
    d = d.substr(1, d.size() - 2);
    if (d.find('\'') != absl::string_view::npos) return std::nullopt;
    v.default_value = std::string(d);
  }
  return v;
}

// Checks that every `${` opens a well-formed variable.
bool WellFormedVariables(absl::string_view text) {
  size_t pos = 0;
  while ((pos = text.find("${", pos)) != absl::string_view::npos) {
    size_t close = text.find('}', pos + 2);
    if (close == absl::string_view::npos) return false;
    if (!ReadVariable(text.substr(pos + 2, close - pos - 2))) return false;
    pos = close + 1;
  }
  return true;
}

void Append(Substitution* out, absl::string_view text, bool literal) {
  out->text.append(text.data(), text.size());
  out->literal.insert(out->literal.end(), text.size(), literal);
}

// The variable's replacement into `out`; false when it has none. Sets `*unknown` for a key the
// context does not know.
bool Replace(const Variable& v, const RequestContext& ctx, Substitution* out, bool* unknown) {
  if (v.key_lower.empty()) {
    Append(out, v.text, v.text == "$");
    return true;
  }
  KeyLookup k = ctx.Lookup(v.key_lower);
  if (k.state == KeyLookup::State::kUnknown) {
    *unknown = true;
    return true;
  }
  if (k.state == KeyLookup::State::kPresent && k.values->size() == 1) {
    Append(out, k.values->front(), true);
    return true;
  }
  if (!v.default_value) return false;
  Append(out, *v.default_value, true);
  return true;
}

// ---- Values -------------------------------------------------------------------------------------

absl::Status CompileValue(absl::string_view op, Condition* c, const std::string& value) {
  switch (FamilyOf(c->op)) {
    case Family::kString:
      return absl::OkStatus();
    case Family::kNumeric: {
      std::optional<double> n = ReadNumber(value);
      if (!n) return Malformed(op, c->key, absl::StrCat("`", value, "` is not a number"));
      c->numbers.push_back(*n);
      return absl::OkStatus();
    }
    case Family::kDate: {
      std::optional<absl::Time> t = ParsePolicyDate(value);
      if (!t) return Malformed(op, c->key, absl::StrCat("`", value, "` is not a date"));
      c->dates.push_back(*t);
      return absl::OkStatus();
    }
    case Family::kBool:
    case Family::kNull: {
      std::optional<bool> b = ReadBool(value);
      if (!b) return Malformed(op, c->key, absl::StrCat("`", value, "` is not true or false"));
      c->booleans.push_back(*b);
      return absl::OkStatus();
    }
    case Family::kBinary:
      if (!IsBase64(value)) {
        return Malformed(op, c->key, absl::StrCat("`", value, "` is not base64"));
      }
      return absl::OkStatus();
    case Family::kIp: {
      std::optional<Cidr> n = ParseCidr(value);
      if (!n) {
        return Malformed(op, c->key, absl::StrCat("`", value, "` is not an IP address or CIDR"));
      }
      c->networks.push_back(*n);
      return absl::OkStatus();
    }
    case Family::kArn:
      c->arn_parts.push_back(SplitArn(value));
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

// ---- Evaluation ---------------------------------------------------------------------------------

// One policy value of a String or Arn operator after its variables are replaced.
struct Resolved {
  Substitution sub;
  std::vector<std::string> arn;
  std::vector<std::vector<bool>> arn_literal;
};

std::vector<Resolved> Resolve(const Condition& c, const RequestContext& ctx) {
  std::vector<Resolved> out;
  if (!c.has_variable) return out;
  out.reserve(c.values.size());
  for (const std::string& value : c.values) {
    Resolved r;
    r.sub = SubstituteVariables(value, ctx);
    if (FamilyOf(c.op) == Family::kArn && r.sub.state == Substitution::State::kValue) {
      r.arn = SplitArn(r.sub.text, &r.sub.literal, &r.arn_literal);
    }
    out.push_back(std::move(r));
  }
  return out;
}

// kTrue when the resolved value can be matched; else what a match against it is.
Truth Usable(const std::vector<Resolved>& resolved, size_t i) {
  if (resolved.empty()) return Truth::kTrue;
  switch (resolved[i].sub.state) {
    case Substitution::State::kValue: return Truth::kTrue;
    case Substitution::State::kNoValue: return Truth::kFalse;
    case Substitution::State::kUnknown: return Truth::kUnknown;
  }
  return Truth::kUnknown;
}

Truth MatchString(const Condition& c, const std::vector<Resolved>& resolved, absl::string_view v) {
  static const std::vector<bool> kNoLiteral;
  Truth any = Truth::kFalse;
  for (size_t i = 0; i < c.values.size() && any != Truth::kTrue; ++i) {
    Truth usable = Usable(resolved, i);
    if (usable != Truth::kTrue) {
      any = Or(any, usable);
      continue;
    }
    const std::string& p = resolved.empty() ? c.values[i] : resolved[i].sub.text;
    const std::vector<bool>& lit = resolved.empty() ? kNoLiteral : resolved[i].sub.literal;
    bool m = false;
    switch (c.op) {
      case ConditionOp::kStringEquals:
      case ConditionOp::kStringNotEquals: m = p == v; break;
      case ConditionOp::kStringEqualsIgnoreCase:
      case ConditionOp::kStringNotEqualsIgnoreCase: m = absl::EqualsIgnoreCase(p, v); break;
      default: m = GlobMatch(p, lit, v); break;
    }
    any = Or(any, Of(m));
  }
  return any;
}

bool MatchArnParts(const std::vector<std::string>& pattern,
                   const std::vector<std::vector<bool>>* literal,
                   const std::vector<std::string>& value) {
  if (pattern.size() != value.size()) return false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    bool m = literal != nullptr ? GlobMatch(pattern[i], (*literal)[i], value[i])
                                : GlobMatch(pattern[i], value[i]);
    if (!m) return false;
  }
  return true;
}

Truth MatchArn(const Condition& c, const std::vector<Resolved>& resolved, absl::string_view v) {
  std::vector<std::string> value = SplitArn(v);
  Truth any = Truth::kFalse;
  for (size_t i = 0; i < c.values.size() && any != Truth::kTrue; ++i) {
    Truth usable = Usable(resolved, i);
    if (usable != Truth::kTrue) {
      any = Or(any, usable);
    } else if (resolved.empty()) {
      any = Or(any, Of(MatchArnParts(c.arn_parts[i], nullptr, value)));
    } else {
      any = Or(any, Of(MatchArnParts(resolved[i].arn, &resolved[i].arn_literal, value)));
    }
  }
  return any;
}

// `request <op> policy` for the ordered families.
template <typename T>
bool Compare(ConditionOp op, const T& request, const T& policy) {
  switch (op) {
    case ConditionOp::kNumericLessThan:
    case ConditionOp::kDateLessThan: return request < policy;
    case ConditionOp::kNumericLessThanEquals:
    case ConditionOp::kDateLessThanEquals: return request <= policy;
    case ConditionOp::kNumericGreaterThan:
    case ConditionOp::kDateGreaterThan: return request > policy;
    case ConditionOp::kNumericGreaterThanEquals:
    case ConditionOp::kDateGreaterThanEquals: return request >= policy;
    default: return request == policy;  // …Equals and …NotEquals
  }
}

// A request value the operator cannot read is unknown: it could come only from a context value
// supplied by hand, and a guess could allow.
template <typename T>
Truth AnyCompare(ConditionOp op, const std::optional<T>& request, const std::vector<T>& policy) {
  if (!request) return Truth::kUnknown;
  for (const T& p : policy) {
    if (Compare(op, *request, p)) return Truth::kTrue;
  }
  return Truth::kFalse;
}

// Whether request value `v` matches some policy value, before negation.
Truth MatchPositive(const Condition& c, const std::vector<Resolved>& resolved,
                    absl::string_view v) {
  switch (FamilyOf(c.op)) {
    case Family::kString: return MatchString(c, resolved, v);
    case Family::kArn: return MatchArn(c, resolved, v);
    case Family::kNumeric: return AnyCompare(c.op, ReadNumber(v), c.numbers);
    case Family::kDate: return AnyCompare(c.op, ParsePolicyDate(v), c.dates);
    case Family::kBool: return AnyCompare(c.op, ReadBool(v), c.booleans);
    case Family::kBinary: {
      for (const std::string& p : c.values) {
        if (p == v) return Truth::kTrue;
      }
      return Truth::kFalse;
    }
    case Family::kIp: {
      std::optional<Cidr> address = ReadAddress(v);
      if (!address) return Truth::kUnknown;
      for (const Cidr& n : c.networks) {
        if (CidrContains(n, *address)) return Truth::kTrue;
      }
      return Truth::kFalse;
    }
    case Family::kNull: return Truth::kUnknown;  // evaluated apart
  }
  return Truth::kUnknown;
}

Truth EvaluateNull(const Condition& c, const KeyLookup& k) {
  bool is_null = k.state == KeyLookup::State::kAbsent || k.values->empty();
  Truth any = Truth::kFalse;
  for (bool b : c.booleans) any = Or(any, Of(b == is_null));
  return any;
}

// Several request values without a set qualifier: the answer when every value gives the same,
// else unknown.
Truth Unanimous(absl::Span<const Truth> each) {
  for (Truth t : each) {
    if (t != each.front()) return Truth::kUnknown;
  }
  return each.front();
}

}  // namespace

absl::StatusOr<Condition> CompileCondition(absl::string_view op, absl::string_view key,
                                           std::vector<std::string> values, bool variables) {
  Condition c;
  if (key.empty()) return Malformed(op, key, "the condition key is empty");
  if (key.size() > kMaxConditionKeyBytes) {
    return Malformed(op, key.substr(0, 32), absl::StrCat("the condition key is longer than ",
                                                         kMaxConditionKeyBytes, " characters"));
  }
  c.key = std::string(key);
  c.key_lower = absl::AsciiStrToLower(key);
  if (absl::Status s = ReadOperator(op, key, &c); !s.ok()) return s;
  if (values.empty()) return Malformed(op, key, "no value");
  if (values.size() > kMaxConditionValues) {
    return Malformed(op, key, absl::StrCat("more than ", kMaxConditionValues, " values"));
  }
  Family family = FamilyOf(c.op);
  bool takes_variables = variables && (family == Family::kString || family == Family::kArn);
  for (const std::string& value : values) {
    if (value.size() > kMaxPolicyBytes) return Malformed(op, key, "a value is too long");
    if (absl::Status s = CompileValue(op, &c, value); !s.ok()) return s;
    if (takes_variables && value.find("${") != std::string::npos) {
      if (!WellFormedVariables(value)) {
        return Malformed(op, key, absl::StrCat("`", value, "` holds a malformed policy variable"));
      }
      c.has_variable = true;
    }
  }
  c.values = std::move(values);
  return c;
}

Truth EvaluateCondition(const Condition& c, const RequestContext& ctx) {
  KeyLookup k = ctx.Lookup(c.key_lower);
  if (k.state == KeyLookup::State::kUnknown) return Truth::kUnknown;
  if (c.op == ConditionOp::kNull) return EvaluateNull(c, k);
  if (k.state == KeyLookup::State::kAbsent || k.values->empty()) {
    if (c.if_exists) return Truth::kTrue;
    if (c.set == SetQualifier::kForAnyValue) return Truth::kFalse;
    if (c.set == SetQualifier::kForAllValues) return Truth::kTrue;
    return Of(IsNegated(c.op));
  }
  std::vector<Resolved> resolved = Resolve(c, ctx);
  absl::InlinedVector<Truth, 4> each;
  for (const std::string& v : *k.values) {
    Truth t = MatchPositive(c, resolved, v);
    each.push_back(IsNegated(c.op) ? Not(t) : t);
  }
  switch (c.set) {
    case SetQualifier::kNone: return Unanimous(each);
    case SetQualifier::kForAnyValue: {
      Truth any = Truth::kFalse;
      for (Truth t : each) any = Or(any, t);
      return any;
    }
    case SetQualifier::kForAllValues: {
      Truth all = Truth::kTrue;
      for (Truth t : each) all = And(all, t);
      return all;
    }
  }
  return Truth::kUnknown;
}

Substitution SubstituteVariables(absl::string_view text, const RequestContext& ctx) {
  Substitution out;
  bool unknown = false, no_value = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("${", pos);
    size_t close = open == absl::string_view::npos ? open : text.find('}', open + 2);
    std::optional<Variable> v;
    if (close != absl::string_view::npos) v = ReadVariable(text.substr(open + 2, close - open - 2));
    if (!v) {  // no further variable: the rest is text (a malformed one stays as written)
      size_t end = close == absl::string_view::npos ? text.size() : close + 1;
      Append(&out, text.substr(pos, end - pos), false);
      pos = end;
      continue;
    }
    Append(&out, text.substr(pos, open - pos), false);
    if (!Replace(*v, ctx, &out, &unknown)) no_value = true;
    pos = close + 1;
  }
  if (no_value) {
    out.state = Substitution::State::kNoValue;
  } else if (unknown) {
    out.state = Substitution::State::kUnknown;
  }
  return out;
}

namespace {

// Exactly `n` digits from the front of `s` into `out`.
bool TakeDigits(absl::string_view* s, size_t n, int* out) {
  if (s->size() < n) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = (*s)[i];
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  s->remove_prefix(n);
  *out = v;
  return true;
}

bool TakeChar(absl::string_view* s, char c) {
  if (s->empty() || s->front() != c) return false;
  s->remove_prefix(1);
  return true;
}

// "Z" or "+hh:mm" / "-hh:mm" as seconds east of UTC; the whole of `s`.
std::optional<int> ReadZone(absl::string_view s) {
  if (s == "Z") return 0;
  int sign = s.empty() ? 0 : s.front() == '+' ? 1 : s.front() == '-' ? -1 : 0;
  if (sign == 0) return std::nullopt;
  s.remove_prefix(1);
  int h = 0, m = 0;
  if (!TakeDigits(&s, 2, &h) || !TakeChar(&s, ':') || !TakeDigits(&s, 2, &m) || !s.empty() ||
      h > 23 || m > 59) {
    return std::nullopt;
  }
  return sign * (h * 3600 + m * 60);
}

// "Thh:mm[:ss[.fraction]]<zone>" after a date: the time since midnight UTC (the zone's offset
// taken off).
std::optional<absl::Duration> ReadClock(absl::string_view s) {
  int h = 0, m = 0, sec = 0;
  if (!TakeChar(&s, 'T') || !TakeDigits(&s, 2, &h) || !TakeChar(&s, ':') ||
      !TakeDigits(&s, 2, &m) || h > 23 || m > 59) {
    return std::nullopt;
  }
  absl::Duration fraction;
  if (TakeChar(&s, ':')) {
    if (!TakeDigits(&s, 2, &sec) || sec > 59) return std::nullopt;
    if (TakeChar(&s, '.')) {
      size_t n = 0;
      int64_t nanos = 0;
      while (n < s.size() && absl::ascii_isdigit(static_cast<unsigned char>(s[n]))) {
        if (n < 9) nanos = nanos * 10 + (s[n] - '0');
        ++n;
      }
      if (n == 0) return std::nullopt;
      for (size_t i = n; i < 9; ++i) nanos *= 10;
      fraction = absl::Nanoseconds(nanos);
      s.remove_prefix(n);
    }
  }
  std::optional<int> zone = ReadZone(s);
  if (!zone) return std::nullopt;
  return absl::Hours(h) + absl::Minutes(m) + absl::Seconds(sec) + fraction - absl::Seconds(*zone);
}

}  // namespace

std::optional<absl::Time> ParsePolicyDate(absl::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  bool all_digits = true;
  for (char c : text) all_digits = all_digits && absl::ascii_isdigit(static_cast<unsigned char>(c));
  if (all_digits) {
    int64_t seconds = 0;
    if (text.size() > 12 || !absl::SimpleAtoi(text, &seconds)) return std::nullopt;
    return absl::FromUnixSeconds(seconds);
  }
  absl::string_view s = text;
  int y = 0, mo = 0, d = 0;
  if (!TakeDigits(&s, 4, &y) || !TakeChar(&s, '-') || !TakeDigits(&s, 2, &mo) ||
      !TakeChar(&s, '-') || !TakeDigits(&s, 2, &d)) {
    return std::nullopt;
  }
  absl::CivilDay day(y, mo, d);
  if (day.year() != y || day.month() != mo || day.day() != d) return std::nullopt;
  absl::Time midnight = absl::FromCivil(day, absl::UTCTimeZone());
  if (s.empty()) return midnight;
  std::optional<absl::Duration> clock = ReadClock(s);
  if (!clock) return std::nullopt;
  return midnight + *clock;
}

}  // namespace ami::lang
