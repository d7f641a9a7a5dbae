// The policy language's Condition element (lib/policy/lang/condition.h) and its parts: every
// operator where it holds and where it does not, missing and unknown keys, the set qualifiers,
// policy variables, compile errors, globs, CIDRs and dates.
#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ami/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "policy/lang/condition.h"
#include "policy/lang/context.h"
#include "policy/lang/document.h"
#include "tests/test_util.h"

namespace ami::lang {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::ami::testing::MessageHas;

constexpr Truth kT = Truth::kTrue;
constexpr Truth kF = Truth::kFalse;
constexpr Truth kU = Truth::kUnknown;

Condition Compile(absl::string_view op, absl::string_view key, std::vector<std::string> values,
                  bool variables = true) {
  absl::StatusOr<Condition> c = CompileCondition(op, key, std::move(values), variables);
  EXPECT_THAT(c, IsOk()) << op << " " << key;
  return c.ok() ? *std::move(c) : Condition{};
}

// `op` on `key` with `values`, against `ctx`.
Truth Eval(absl::string_view op, absl::string_view key, std::vector<std::string> values,
           const RequestContext& ctx, bool variables = true) {
  return EvaluateCondition(Compile(op, key, std::move(values), variables), ctx);
}

// A context where `key` holds `value`.
RequestContext With(absl::string_view key, std::string value) {
  RequestContext ctx;
  ctx.Set(key, std::move(value));
  return ctx;
}

absl::Status CompileError(absl::string_view op, absl::string_view key,
                          std::vector<std::string> values, bool variables = true) {
  return CompileCondition(op, key, std::move(values), variables).status();
}

// ---- Every operator: one request where it holds, one where it does not ------------------------

TEST(ConditionOps, StringEquals_HoldsAndFails) {
  RequestContext ctx = With("aws:PrincipalOrgID", "o-1");
  EXPECT_EQ(Eval("StringEquals", "aws:PrincipalOrgID", {"o-2", "o-1"}, ctx), kT);
  EXPECT_EQ(Eval("StringEquals", "aws:PrincipalOrgID", {"O-1"}, ctx), kF);  // case-sensitive
  EXPECT_EQ(Eval("StringEquals", "aws:PrincipalOrgID", {"o-*"}, ctx), kF);  // no wildcards
}

TEST(ConditionOps, StringNotEquals_HoldsAndFails) {
  RequestContext ctx = With("aws:PrincipalOrgID", "o-1");
  EXPECT_EQ(Eval("StringNotEquals", "aws:PrincipalOrgID", {"o-2"}, ctx), kT);
  EXPECT_EQ(Eval("StringNotEquals", "aws:PrincipalOrgID", {"o-1"}, ctx), kF);
}

TEST(ConditionOps, StringEqualsIgnoreCase_HoldsAndFails) {
  RequestContext ctx = With("aws:PrincipalTag/team", "Blue");
  EXPECT_EQ(Eval("StringEqualsIgnoreCase", "aws:PrincipalTag/team", {"bLUE"}, ctx), kT);
  EXPECT_EQ(Eval("StringEqualsIgnoreCase", "aws:PrincipalTag/team", {"Blu"}, ctx), kF);
}

TEST(ConditionOps, StringNotEqualsIgnoreCase_HoldsAndFails) {
  RequestContext ctx = With("aws:PrincipalTag/team", "Blue");
  EXPECT_EQ(Eval("StringNotEqualsIgnoreCase", "aws:PrincipalTag/team", {"red"}, ctx), kT);
  EXPECT_EQ(Eval("StringNotEqualsIgnoreCase", "aws:PrincipalTag/team", {"BLUE"}, ctx), kF);
}

TEST(ConditionOps, StringLike_HoldsAndFails) {
  RequestContext ctx = With("ec2:InstanceType", "t3.micro");
  EXPECT_EQ(Eval("StringLike", "ec2:InstanceType", {"t3.*"}, ctx), kT);
  EXPECT_EQ(Eval("StringLike", "ec2:InstanceType", {"t?.micro"}, ctx), kT);
  EXPECT_EQ(Eval("StringLike", "ec2:InstanceType", {"t3"}, ctx), kF);  // wildcards needed
  EXPECT_EQ(Eval("StringLike", "ec2:InstanceType", {"T3.*"}, ctx), kF);  // case-sensitive
}

TEST(ConditionOps, StringNotLike_HoldsAndFails) {
  RequestContext ctx = With("ec2:InstanceType", "t3.micro");
  EXPECT_EQ(Eval("StringNotLike", "ec2:InstanceType", {"m5.*"}, ctx), kT);
  EXPECT_EQ(Eval("StringNotLike", "ec2:InstanceType", {"*.micro"}, ctx), kF);
}

TEST(ConditionOps, NumericEquals_HoldsAndFails) {
  RequestContext ctx = With("aws:MultiFactorAuthAge", "5");
  EXPECT_EQ(Eval("NumericEquals", "aws:MultiFactorAuthAge", {"5.0"}, ctx), kT);
  EXPECT_EQ(Eval("NumericEquals", "aws:MultiFactorAuthAge", {"6"}, ctx), kF);
}

TEST(ConditionOps, NumericNotEquals_HoldsAndFails) {
  RequestContext ctx = With("aws:MultiFactorAuthAge", "5");
  EXPECT_EQ(Eval("NumericNotEquals", "aws:MultiFactorAuthAge", {"6"}, ctx), kT);
  EXPECT_EQ(Eval("NumericNotEquals", "aws:MultiFactorAuthAge", {"5"}, ctx), kF);
}

TEST(ConditionOps, NumericLessThan_HoldsAndFails) {
  RequestContext ctx = With("aws:MultiFactorAuthAge", "5");
  EXPECT_EQ(Eval("NumericLessThan", "aws:MultiFactorAuthAge", {"6"}, ctx), kT);
  EXPECT_EQ(Eval("NumericLessThan", "aws:MultiFactorAuthAge", {"5"}, ctx), kF);
}

TEST(ConditionOps, NumericLessThanEquals_HoldsAndFails) {
  RequestContext ctx = With("aws:MultiFactorAuthAge", "5");
  EXPECT_EQ(Eval("NumericLessThanEquals", "aws:MultiFactorAuthAge", {"5"}, ctx), kT);
  EXPECT_EQ(Eval("NumericLessThanEquals", "aws:MultiFactorAuthAge", {"4.9"}, ctx), kF);
}

TEST(ConditionOps, NumericGreaterThan_HoldsAndFails) {
  RequestContext ctx = With("aws:MultiFactorAuthAge", "5");
  EXPECT_EQ(Eval("NumericGreaterThan", "aws:MultiFactorAuthAge", {"-4"}, ctx), kT);
  EXPECT_EQ(Eval("NumericGreaterThan", "aws:MultiFactorAuthAge", {"5"}, ctx), kF);
}

TEST(ConditionOps, NumericGreaterThanEquals_HoldsAndFails) {
  RequestContext ctx = With("aws:MultiFactorAuthAge", "5");
  EXPECT_EQ(Eval("NumericGreaterThanEquals", "aws:MultiFactorAuthAge", {"5"}, ctx), kT);
  EXPECT_EQ(Eval("NumericGreaterThanEquals", "aws:MultiFactorAuthAge", {"5.1"}, ctx), kF);
}

// A request value the operator cannot read decides nothing: unknown, for the positive and the
// negated operator alike (a guess could allow).
TEST(ConditionOps, Numeric_RequestValueNotANumberIsUnknown) {
  RequestContext ctx = With("aws:MultiFactorAuthAge", "five");
  EXPECT_EQ(Eval("NumericEquals", "aws:MultiFactorAuthAge", {"5"}, ctx), kU);
  EXPECT_EQ(Eval("NumericLessThan", "aws:MultiFactorAuthAge", {"5"}, ctx), kU);
  EXPECT_EQ(Eval("NumericNotEquals", "aws:MultiFactorAuthAge", {"5"}, ctx), kU);
}

// 2026-06-01T00:00:00Z is 1780272000 seconds after the epoch.
constexpr absl::string_view kJune1 = "2026-06-01T00:00:00Z";

TEST(ConditionOps, DateEquals_HoldsAndFails) {
  RequestContext ctx = With("aws:CurrentTime", std::string(kJune1));
  EXPECT_EQ(Eval("DateEquals", "aws:CurrentTime", {"2026-06-01"}, ctx), kT);
  EXPECT_EQ(Eval("DateEquals", "aws:CurrentTime", {"1780272000"}, ctx), kT);
  EXPECT_EQ(Eval("DateEquals", "aws:CurrentTime", {"2026-06-01T02:00:00+02:00"}, ctx), kT);
  EXPECT_EQ(Eval("DateEquals", "aws:CurrentTime", {"2026-06-01T00:00:00.001Z"}, ctx), kF);
}

TEST(ConditionOps, DateNotEquals_HoldsAndFails) {
  RequestContext ctx = With("aws:CurrentTime", std::string(kJune1));
  EXPECT_EQ(Eval("DateNotEquals", "aws:CurrentTime", {"2026-06-02"}, ctx), kT);
  EXPECT_EQ(Eval("DateNotEquals", "aws:CurrentTime", {"1780272000"}, ctx), kF);
}

TEST(ConditionOps, DateLessThan_HoldsAndFails) {
  RequestContext ctx = With("aws:CurrentTime", std::string(kJune1));
  EXPECT_EQ(Eval("DateLessThan", "aws:CurrentTime", {"2026-06-01T00:00:01Z"}, ctx), kT);
  EXPECT_EQ(Eval("DateLessThan", "aws:CurrentTime", {"2026-06-01"}, ctx), kF);
}

TEST(ConditionOps, DateLessThanEquals_HoldsAndFails) {
  RequestContext ctx = With("aws:CurrentTime", std::string(kJune1));
  EXPECT_EQ(Eval("DateLessThanEquals", "aws:CurrentTime", {"2026-06-01"}, ctx), kT);
  EXPECT_EQ(Eval("DateLessThanEquals", "aws:CurrentTime", {"2026-05-31T23:59:59Z"}, ctx), kF);
}

TEST(ConditionOps, DateGreaterThan_HoldsAndFails) {
  RequestContext ctx = With("aws:CurrentTime", std::string(kJune1));
  EXPECT_EQ(Eval("DateGreaterThan", "aws:CurrentTime", {"2026-05-31T23:59:59Z"}, ctx), kT);
  EXPECT_EQ(Eval("DateGreaterThan", "aws:CurrentTime", {"2026-06-01"}, ctx), kF);
}

TEST(ConditionOps, DateGreaterThanEquals_HoldsAndFails) {
  RequestContext ctx = With("aws:CurrentTime", std::string(kJune1));
  EXPECT_EQ(Eval("DateGreaterThanEquals", "aws:CurrentTime", {"2026-06-01"}, ctx), kT);
  EXPECT_EQ(Eval("DateGreaterThanEquals", "aws:CurrentTime", {"2026-06-01T00:00:01Z"}, ctx), kF);
}

TEST(ConditionOps, Bool_HoldsAndFails) {
  RequestContext ctx = With("aws:SecureTransport", "true");
  EXPECT_EQ(Eval("Bool", "aws:SecureTransport", {"true"}, ctx), kT);
  EXPECT_EQ(Eval("Bool", "aws:SecureTransport", {"TRUE"}, ctx), kT);  // case-insensitive
  EXPECT_EQ(Eval("Bool", "aws:SecureTransport", {"false"}, ctx), kF);
  EXPECT_EQ(Eval("Bool", "aws:SecureTransport", {"true"}, With("aws:SecureTransport", "yes")), kU);
}

TEST(ConditionOps, BinaryEquals_HoldsAndFails) {
  RequestContext ctx = With("key", "QmluYXJ5");
  EXPECT_EQ(Eval("BinaryEquals", "key", {"QmluYXJ5"}, ctx), kT);
  EXPECT_EQ(Eval("BinaryEquals", "key", {"QmluYXJ6"}, ctx), kF);
}

TEST(ConditionOps, IpAddress_HoldsAndFails) {
  RequestContext ctx = With("aws:SourceIp", "203.0.113.7");
  EXPECT_EQ(Eval("IpAddress", "aws:SourceIp", {"198.51.100.0/24", "203.0.113.0/24"}, ctx), kT);
  EXPECT_EQ(Eval("IpAddress", "aws:SourceIp", {"198.51.100.0/24"}, ctx), kF);
}

TEST(ConditionOps, NotIpAddress_HoldsAndFails) {
  RequestContext ctx = With("aws:SourceIp", "2001:db8::7");
  EXPECT_EQ(Eval("NotIpAddress", "aws:SourceIp", {"2001:db9::/32"}, ctx), kT);
  EXPECT_EQ(Eval("NotIpAddress", "aws:SourceIp", {"2001:DB8::/32"}, ctx), kF);
}

TEST(ConditionOps, IpAddress_RequestValueMustBeAnAddress) {
  EXPECT_EQ(Eval("IpAddress", "aws:SourceIp", {"10.0.0.0/8"}, With("aws:SourceIp", "10.0.0.0/8")),
            kU);
  EXPECT_EQ(Eval("IpAddress", "aws:SourceIp", {"0.0.0.0/0"}, With("aws:SourceIp", "ec2.aws")),
            kU);
  // Nor does NotIpAddress hold for a value that is no address: unknown never allows.
  EXPECT_EQ(Eval("NotIpAddress", "aws:SourceIp", {"0.0.0.0/0"}, With("aws:SourceIp", "ec2.aws")),
            kU);
}

constexpr absl::string_view kRole = "arn:aws:iam::111122223333:role/admin";

TEST(ConditionOps, ArnEquals_HoldsAndFails) {
  RequestContext ctx = With("aws:PrincipalArn", std::string(kRole));
  EXPECT_EQ(Eval("ArnEquals", "aws:PrincipalArn", {std::string(kRole)}, ctx), kT);
  // ArnEquals takes wildcards as ArnLike does.
  EXPECT_EQ(Eval("ArnEquals", "aws:PrincipalArn", {"arn:aws:iam::*:role/*"}, ctx), kT);
  EXPECT_EQ(Eval("ArnEquals", "aws:PrincipalArn", {"arn:aws:iam::444455556666:role/*"}, ctx), kF);
}

TEST(ConditionOps, ArnLike_HoldsAndFails) {
  RequestContext ctx = With("aws:SourceArn", "arn:aws:s3:::bucket/key:with:colons");
  EXPECT_EQ(Eval("ArnLike", "aws:SourceArn", {"arn:aws:s3:::bucket/*"}, ctx), kT);
  EXPECT_EQ(Eval("ArnLike", "aws:SourceArn", {"arn:aws:s3:::other/*"}, ctx), kF);
  // Segment-wise: the IAM User Guide's example where StringLike matches and ArnLike does not.
  RequestContext doc = With("aws:SourceArn",
      "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt");
  std::string pattern = "arn:aws:someservice:*:111122223333:finance/*";
  EXPECT_EQ(Eval("StringLike", "aws:SourceArn", {pattern}, doc), kT);
  EXPECT_EQ(Eval("ArnLike", "aws:SourceArn", {pattern}, doc), kF);
}

TEST(ConditionOps, ArnNotEquals_HoldsAndFails) {
  RequestContext ctx = With("aws:PrincipalArn", std::string(kRole));
  EXPECT_EQ(Eval("ArnNotEquals", "aws:PrincipalArn", {"arn:aws:iam::*:user/*"}, ctx), kT);
  EXPECT_EQ(Eval("ArnNotEquals", "aws:PrincipalArn", {std::string(kRole)}, ctx), kF);
}

TEST(ConditionOps, ArnNotLike_HoldsAndFails) {
  RequestContext ctx = With("aws:PrincipalArn", std::string(kRole));
  EXPECT_EQ(Eval("ArnNotLike", "aws:PrincipalArn", {"arn:aws:iam::111122223333:user/*"}, ctx), kT);
  EXPECT_EQ(Eval("ArnNotLike", "aws:PrincipalArn", {"arn:aws:iam::111122223333:role/a*"}, ctx),
            kF);
}

TEST(ConditionOps, Arn_FewerThanSixPartsMatchesNoArn) {
  RequestContext ctx = With("aws:PrincipalArn", std::string(kRole));
  EXPECT_EQ(Eval("ArnLike", "aws:PrincipalArn", {"*"}, ctx), kF);
  EXPECT_EQ(Eval("ArnLike", "aws:PrincipalArn", {"arn:aws:iam::*:*"}, ctx), kT);
  EXPECT_EQ(Eval("ArnLike", "aws:PrincipalArn", {"arn:*"}, With("aws:PrincipalArn", "arn:x")), kT);
}

TEST(ConditionOps, Null_HoldsAndFails) {
  RequestContext absent;
  absent.SetAbsent("aws:TokenIssueTime");
  EXPECT_EQ(Eval("Null", "aws:TokenIssueTime", {"true"}, absent), kT);
  EXPECT_EQ(Eval("Null", "aws:TokenIssueTime", {"false"}, absent), kF);
  RequestContext present = With("aws:TokenIssueTime", std::string(kJune1));
  EXPECT_EQ(Eval("Null", "aws:TokenIssueTime", {"false"}, present), kT);
  EXPECT_EQ(Eval("Null", "aws:TokenIssueTime", {"true"}, present), kF);
}

// ---- Missing keys ------------------------------------------------------------------------------

// One valid value per operator.
struct Sample {
  const char* op;
  const char* value;
};
constexpr Sample kSamples[] = {
    {"StringEquals", "a"},          {"StringNotEquals", "a"},
    {"StringEqualsIgnoreCase", "a"}, {"StringNotEqualsIgnoreCase", "a"},
    {"StringLike", "a*"},           {"StringNotLike", "a*"},
    {"NumericEquals", "1"},         {"NumericNotEquals", "1"},
    {"NumericLessThan", "1"},       {"NumericLessThanEquals", "1"},
    {"NumericGreaterThan", "1"},    {"NumericGreaterThanEquals", "1"},
    {"DateEquals", "2026-01-01"},   {"DateNotEquals", "2026-01-01"},
    {"DateLessThan", "2026-01-01"}, {"DateLessThanEquals", "2026-01-01"},
    {"DateGreaterThan", "2026-01-01"}, {"DateGreaterThanEquals", "2026-01-01"},
    {"Bool", "true"},               {"BinaryEquals", "QQ=="},
    {"IpAddress", "10.0.0.0/8"},    {"NotIpAddress", "10.0.0.0/8"},
    {"ArnEquals", "arn:aws:iam::*:*"}, {"ArnLike", "arn:aws:iam::*:*"},
    {"ArnNotEquals", "arn:aws:iam::*:*"}, {"ArnNotLike", "arn:aws:iam::*:*"},
};

TEST(MissingKey, PositiveOperatorsAreFalseNegatedTrue) {
  RequestContext ctx;
  ctx.SetAbsent("k");
  int negated = 0;
  for (const Sample& s : kSamples) {
    Condition c = Compile(s.op, "k", {s.value});
    EXPECT_EQ(EvaluateCondition(c, ctx), IsNegated(c.op) ? kT : kF) << s.op;
    negated += IsNegated(c.op) ? 1 : 0;
  }
  EXPECT_EQ(negated, 8);
}

TEST(MissingKey, IfExistsIsTrue) {
  RequestContext ctx;
  ctx.SetAbsent("k");
  for (const Sample& s : kSamples) {
    EXPECT_EQ(Eval(absl::StrCat(s.op, "IfExists"), "k", {s.value}, ctx), kT) << s.op;
  }
}

TEST(MissingKey, IfExistsOnAPresentKeyEvaluatesTheOperator) {
  RequestContext ctx = With("ec2:InstanceType", "m5.large");
  EXPECT_EQ(Eval("StringLikeIfExists", "ec2:InstanceType", {"t3.*"}, ctx), kF);
  EXPECT_EQ(Eval("StringLikeIfExists", "ec2:InstanceType", {"m5.*"}, ctx), kT);
  EXPECT_EQ(Eval("StringNotEqualsIfExists", "ec2:InstanceType", {"m5.large"}, ctx), kF);
}

TEST(MissingKey, NullTrueHoldsNullFalseFails) {
  RequestContext ctx;
  ctx.SetAbsent("aws:RequestTag/team");
  EXPECT_EQ(Eval("Null", "aws:RequestTag/team", {"true"}, ctx), kT);
  EXPECT_EQ(Eval("Null", "aws:RequestTag/team", {"false"}, ctx), kF);
}

TEST(MissingKey, CompletePrefixMakesUnsetKeysAbsent) {
  RequestContext ctx;
  ctx.Set("aws:ResourceTag/Team", "blue");
  ctx.SetComplete("AWS:ResourceTag/");
  EXPECT_EQ(Eval("StringEquals", "aws:ResourceTag/owner", {"x"}, ctx), kF);
  EXPECT_EQ(Eval("StringNotEquals", "aws:ResourceTag/owner", {"x"}, ctx), kT);
  EXPECT_EQ(Eval("StringEquals", "aws:resourcetag/TEAM", {"blue"}, ctx), kT);
  EXPECT_EQ(Eval("StringEquals", "aws:RequestTag/owner", {"x"}, ctx), kU);
}

TEST(MissingKey, EmptyValueListIsAbsent) {
  RequestContext ctx;
  ctx.SetMany("aws:TagKeys", {});
  EXPECT_EQ(Eval("StringEquals", "aws:TagKeys", {"a"}, ctx), kF);
  EXPECT_EQ(Eval("StringNotEquals", "aws:TagKeys", {"a"}, ctx), kT);
  EXPECT_EQ(Eval("StringEqualsIfExists", "aws:TagKeys", {"a"}, ctx), kT);
  EXPECT_EQ(Eval("Null", "aws:TagKeys", {"true"}, ctx), kT);
}

// ---- Unknown keys ------------------------------------------------------------------------------

TEST(UnknownKey, EveryFamilyIsUnknown) {
  RequestContext ctx;  // nothing set: every key unknown
  for (const Sample& s : kSamples) {
    EXPECT_EQ(Eval(s.op, "aws:SourceIp", {s.value}, ctx), kU) << s.op;
    EXPECT_EQ(Eval(absl::StrCat(s.op, "IfExists"), "aws:SourceIp", {s.value}, ctx), kU) << s.op;
    EXPECT_EQ(Eval(absl::StrCat("ForAnyValue:", s.op), "aws:SourceIp", {s.value}, ctx), kU);
    EXPECT_EQ(Eval(absl::StrCat("ForAllValues:", s.op), "aws:SourceIp", {s.value}, ctx), kU);
  }
  EXPECT_EQ(Eval("Null", "aws:SourceIp", {"true"}, ctx), kU);
  EXPECT_EQ(Eval("Null", "aws:SourceIp", {"false"}, ctx), kU);
}

TEST(UnknownKey, KeyNamesAreCaseInsensitive) {
  RequestContext ctx = With("AWS:SourceIP", "10.1.2.3");
  EXPECT_EQ(Eval("IpAddress", "aws:sourceip", {"10.0.0.0/8"}, ctx), kT);
  RequestContext tags = With("aws:ResourceTag/TagKey1", "v");
  EXPECT_EQ(Eval("StringEquals", "aws:ResourceTag/tagkey1", {"v"}, tags), kT);
}

// ---- Set qualifiers ----------------------------------------------------------------------------

RequestContext TagKeys(std::vector<std::string> keys) {
  RequestContext ctx;
  ctx.SetMany("aws:TagKeys", std::move(keys));
  return ctx;
}

TEST(SetQualifiers, ForAnyValue_SomeValueMatches) {
  RequestContext ctx = TagKeys({"team", "owner"});
  EXPECT_EQ(Eval("ForAnyValue:StringEquals", "aws:TagKeys", {"owner"}, ctx), kT);
  EXPECT_EQ(Eval("ForAnyValue:StringEquals", "aws:TagKeys", {"cost"}, ctx), kF);
  EXPECT_EQ(Eval("ForAnyValue:StringNotEquals", "aws:TagKeys", {"team"}, ctx), kT);
  EXPECT_EQ(Eval("ForAnyValue:StringNotEquals", "aws:TagKeys", {"team", "owner"}, ctx), kF);
}

TEST(SetQualifiers, ForAllValues_EveryValueMatches) {
  RequestContext ctx = TagKeys({"team", "owner"});
  EXPECT_EQ(Eval("ForAllValues:StringEquals", "aws:TagKeys", {"team", "owner", "cost"}, ctx), kT);
  EXPECT_EQ(Eval("ForAllValues:StringEquals", "aws:TagKeys", {"team"}, ctx), kF);
  EXPECT_EQ(Eval("ForAllValues:StringNotEquals", "aws:TagKeys", {"cost"}, ctx), kT);
  EXPECT_EQ(Eval("ForAllValues:StringNotEquals", "aws:TagKeys", {"team"}, ctx), kF);
}

TEST(SetQualifiers, EmptyOrAbsent_ForAnyValueFalse_ForAllValuesTrue) {
  RequestContext absent;
  absent.SetAbsent("aws:TagKeys");
  for (const RequestContext& ctx : {absent, TagKeys({})}) {
    EXPECT_EQ(Eval("ForAnyValue:StringEquals", "aws:TagKeys", {"team"}, ctx), kF);
    EXPECT_EQ(Eval("ForAnyValue:StringNotEquals", "aws:TagKeys", {"team"}, ctx), kF);
    EXPECT_EQ(Eval("ForAllValues:StringEquals", "aws:TagKeys", {"team"}, ctx), kT);
    EXPECT_EQ(Eval("ForAllValues:StringNotEquals", "aws:TagKeys", {"team"}, ctx), kT);
    EXPECT_EQ(Eval("ForAnyValue:StringEqualsIfExists", "aws:TagKeys", {"team"}, ctx), kT);
  }
}

TEST(SetQualifiers, ThreeValued_TrueOrUnknownIsTrue_TrueAndUnknownUnknown) {
  RequestContext ctx = TagKeys({"team", "owner"});  // aws:username unknown
  EXPECT_EQ(Eval("ForAnyValue:StringEquals", "aws:TagKeys", {"${aws:username}", "team"}, ctx), kT);
  EXPECT_EQ(Eval("ForAnyValue:StringEquals", "aws:TagKeys", {"${aws:username}", "x"}, ctx), kU);
  EXPECT_EQ(Eval("ForAllValues:StringEquals", "aws:TagKeys", {"${aws:username}", "team"}, ctx),
            kU);
  EXPECT_EQ(Eval("ForAllValues:StringEquals", "aws:TagKeys", {"team", "owner"}, ctx), kT);
}

TEST(SetQualifiers, NoQualifierWithSeveralValuesIsUnknownUnlessTheyAgree) {
  RequestContext ctx = TagKeys({"team", "owner"});
  EXPECT_EQ(Eval("StringEquals", "aws:TagKeys", {"team"}, ctx), kU);
  EXPECT_EQ(Eval("StringEquals", "aws:TagKeys", {"team", "owner"}, ctx), kT);
  EXPECT_EQ(Eval("StringEquals", "aws:TagKeys", {"cost"}, ctx), kF);
}

// ---- Negated operators with several values: NOR ------------------------------------------------

TEST(NegatedOperators, SeveralValuesAreNor) {
  RequestContext ctx = With("aws:PrincipalOrgID", "o-2");
  EXPECT_EQ(Eval("StringNotEquals", "aws:PrincipalOrgID", {"o-1", "o-2"}, ctx), kF);
  EXPECT_EQ(Eval("StringNotEquals", "aws:PrincipalOrgID", {"o-1", "o-3"}, ctx), kT);
  RequestContext ip = With("aws:SourceIp", "192.0.2.1");
  EXPECT_EQ(Eval("NotIpAddress", "aws:SourceIp", {"10.0.0.0/8", "192.0.2.0/24"}, ip), kF);
  EXPECT_EQ(Eval("NotIpAddress", "aws:SourceIp", {"10.0.0.0/8", "172.16.0.0/12"}, ip), kT);
  RequestContext arn = With("aws:PrincipalArn", std::string(kRole));
  EXPECT_EQ(Eval("ArnNotLike", "aws:PrincipalArn", {"arn:aws:iam::*:user/*", "arn:*:iam::*:role/*"},
                 arn),
            kF);
  EXPECT_EQ(Eval("NumericNotEquals", "k", {"1", "2"}, With("k", "2")), kF);
  EXPECT_EQ(Eval("DateNotEquals", "k", {"2026-01-01", "2026-06-01"}, With("k", "1780272000")), kF);
}

// ---- Policy variables --------------------------------------------------------------------------

TEST(Variables, PresentKeyIsSubstituted) {
  RequestContext ctx = With("aws:username", "alice");
  ctx.Set("s3:prefix", "home/alice");
  EXPECT_EQ(Eval("StringEquals", "s3:prefix", {"home/${aws:username}"}, ctx), kT);
  EXPECT_EQ(Eval("StringEquals", "s3:prefix", {"home/${AWS:UserName}"}, ctx), kT);
  ctx.Set("aws:username", "bob");
  EXPECT_EQ(Eval("StringEquals", "s3:prefix", {"home/${aws:username}"}, ctx), kF);
}

TEST(Variables, AbsentKeyHasNoValue_PositiveFailsNegatedHolds) {
  RequestContext ctx = With("s3:prefix", "home/");
  ctx.SetAbsent("aws:PrincipalTag/team");
  EXPECT_EQ(Eval("StringEquals", "s3:prefix", {"home/${aws:PrincipalTag/team}"}, ctx), kF);
  EXPECT_EQ(Eval("StringLike", "s3:prefix", {"home/${aws:PrincipalTag/team}*"}, ctx), kF);
  EXPECT_EQ(Eval("StringNotEquals", "s3:prefix", {"home/${aws:PrincipalTag/team}"}, ctx), kT);
}

TEST(Variables, MultiValuedKeyHasNoValue) {
  RequestContext ctx = With("s3:prefix", "a");
  ctx.SetMany("aws:TagKeys", {"a", "b"});
  EXPECT_EQ(Eval("StringEquals", "s3:prefix", {"${aws:TagKeys}"}, ctx), kF);
  ctx.SetMany("aws:TagKeys", {"a"});
  EXPECT_EQ(Eval("StringEquals", "s3:prefix", {"${aws:TagKeys}"}, ctx), kT);
}

TEST(Variables, DefaultReplacesAnAbsentKey) {
  RequestContext ctx = With("aws:ResourceTag/team", "company-wide");
  ctx.SetAbsent("aws:PrincipalTag/team");
  EXPECT_EQ(Eval("StringEquals", "aws:ResourceTag/team",
                 {"${aws:PrincipalTag/team, 'company-wide'}"}, ctx),
            kT);
  ctx.Set("aws:PrincipalTag/team", "blue");
  EXPECT_EQ(Eval("StringEquals", "aws:ResourceTag/team",
                 {"${aws:PrincipalTag/team, 'company-wide'}"}, ctx),
            kF);
}

TEST(Variables, UnknownKeyIsUnknown) {
  RequestContext ctx = With("s3:prefix", "home/alice");  // aws:username unknown
  EXPECT_EQ(Eval("StringEquals", "s3:prefix", {"home/${aws:username}"}, ctx), kU);
  EXPECT_EQ(Eval("StringNotEquals", "s3:prefix", {"home/${aws:username}"}, ctx), kU);
  EXPECT_EQ(Eval("StringEquals", "s3:prefix", {"home/${aws:username, 'x'}"}, ctx), kU);
  // A literal value that matches decides, whatever the unknown variable holds.
  EXPECT_EQ(Eval("StringEquals", "s3:prefix", {"${aws:username}", "home/alice"}, ctx), kT);
}

TEST(Variables, AbsentWinsOverUnknownInOneValue) {
  RequestContext ctx;
  ctx.SetAbsent("aws:PrincipalTag/team");
  Substitution s = SubstituteVariables("${aws:username}/${aws:PrincipalTag/team}", ctx);
  EXPECT_EQ(s.state, Substitution::State::kNoValue);
  EXPECT_EQ(SubstituteVariables("${aws:username}", ctx).state, Substitution::State::kUnknown);
}

TEST(Variables, SpecialCharacters) {
  RequestContext ctx;
  Substitution s = SubstituteVariables("a${*}b${?}c${$}d", ctx);
  EXPECT_EQ(s.state, Substitution::State::kValue);
  EXPECT_EQ(s.text, "a*b?c$d");
  ctx.Set("s3:prefix", "axxbycd");
  EXPECT_EQ(Eval("StringLike", "s3:prefix", {"a${*}b${?}cd"}, ctx), kT);
  EXPECT_EQ(Eval("StringEquals", "s3:prefix", {"a${*}b${?}cd"}, ctx), kF);
  EXPECT_EQ(Eval("StringEquals", "s3:prefix", {"a${*}"}, With("s3:prefix", "a*")), kT);
}

TEST(Variables, WildcardInASubstitutedValueIsLiteral) {
  RequestContext ctx = With("aws:PrincipalTag/p", "a*");
  ctx.Set("s3:prefix", "abc");
  EXPECT_EQ(Eval("StringLike", "s3:prefix", {"${aws:PrincipalTag/p}"}, ctx), kF);
  ctx.Set("s3:prefix", "a*");
  EXPECT_EQ(Eval("StringLike", "s3:prefix", {"${aws:PrincipalTag/p}"}, ctx), kT);
  ctx.Set("s3:prefix", "a*/x");
  EXPECT_EQ(Eval("StringLike", "s3:prefix", {"${aws:PrincipalTag/p}/*"}, ctx), kT);
}

TEST(Variables, ArnOperatorsSubstituteThenSplit) {
  RequestContext ctx = With("aws:PrincipalArn", std::string(kRole));
  ctx.Set("aws:PrincipalAccount", "111122223333");
  EXPECT_EQ(Eval("ArnLike", "aws:PrincipalArn", {"arn:aws:iam::${aws:PrincipalAccount}:role/*"},
                 ctx),
            kT);
  ctx.Set("aws:PrincipalAccount", "444455556666");
  EXPECT_EQ(Eval("ArnLike", "aws:PrincipalArn", {"arn:aws:iam::${aws:PrincipalAccount}:role/*"},
                 ctx),
            kF);
  ctx.Set("aws:SourceArn", std::string(kRole));
  EXPECT_EQ(Eval("ArnEquals", "aws:PrincipalArn", {"${aws:SourceArn}"}, ctx), kT);
}

TEST(Variables, Version2008IsLiteral) {
  RequestContext ctx = With("aws:username", "alice");
  ctx.Set("s3:prefix", "alice");
  Condition c = Compile("StringEquals", "s3:prefix", {"${aws:username}"}, /*variables=*/false);
  EXPECT_FALSE(c.has_variable);
  EXPECT_EQ(EvaluateCondition(c, ctx), kF);
  ctx.Set("s3:prefix", "${aws:username}");
  EXPECT_EQ(EvaluateCondition(c, ctx), kT);
  // A malformed variable is literal text there too, not an error.
  EXPECT_THAT(CompileError("StringEquals", "s3:prefix", {"${aws:username"}, false), IsOk());
}

TEST(Variables, OnlyStringAndArnOperatorsTakeThem) {
  EXPECT_TRUE(Compile("StringLike", "k", {"${aws:username}"}).has_variable);
  EXPECT_TRUE(Compile("ArnLike", "k", {"arn:aws:iam::${aws:PrincipalAccount}:*"}).has_variable);
  EXPECT_FALSE(Compile("StringLike", "k", {"plain"}).has_variable);
  EXPECT_FALSE(Compile("BinaryEquals", "k", {"QQ=="}).has_variable);
  EXPECT_THAT(CompileError("NumericEquals", "k", {"${aws:n}"}),
              HasErrorCode(ErrorCode::kMalformedPolicyDocument));
  EXPECT_THAT(CompileError("IpAddress", "k", {"${aws:SourceIp}"}),
              HasErrorCode(ErrorCode::kMalformedPolicyDocument));
}

TEST(Variables, MalformedVariableIsRejected) {
  EXPECT_THAT(CompileError("StringEquals", "s3:prefix", {"home/${aws:username"}),
              HasErrorCode(ErrorCode::kMalformedPolicyDocument));
  EXPECT_THAT(CompileError("StringEquals", "s3:prefix", {"${}"}),
              HasErrorCode(ErrorCode::kMalformedPolicyDocument));
  EXPECT_THAT(CompileError("StringEquals", "s3:prefix", {"${a, default}"}),
              HasErrorCode(ErrorCode::kMalformedPolicyDocument));
  // SubstituteVariables keeps what it cannot read.
  EXPECT_EQ(SubstituteVariables("x${a", RequestContext()).text, "x${a");
}

// ---- Compile errors ----------------------------------------------------------------------------

TEST(CompileErrors, BadNumber) {
  for (const char* v : {"abc", "1e3", "nan", "inf", "", "1.", "0x10", "1 "}) {
    EXPECT_THAT(CompileError("NumericLessThan", "aws:MultiFactorAuthAge", {v}),
                HasErrorCode(ErrorCode::kMalformedPolicyDocument))
        << v;
  }
  EXPECT_THAT(CompileError("NumericLessThan", "aws:MultiFactorAuthAge", {"abc"}),
              MessageHas("`NumericLessThan` on `aws:MultiFactorAuthAge`"));
  EXPECT_THAT(CompileError("NumericLessThan", "k", {"-1.5", "+2", ".5"}), IsOk());
}

TEST(CompileErrors, BadDate) {
  for (const char* v : {"yesterday", "2026-13-01", "2026-02-30", "2026-1-1",
                        "2026-01-01T12:00:00", "2026-01-01 12:00:00Z", "-5", "1e9"}) {
    EXPECT_THAT(CompileError("DateLessThan", "aws:CurrentTime", {v}),
                HasErrorCode(ErrorCode::kMalformedPolicyDocument))
        << v;
  }
  EXPECT_THAT(CompileError("DateLessThan", "aws:CurrentTime", {"x"}),
              MessageHas("`DateLessThan` on `aws:CurrentTime`"));
}

TEST(CompileErrors, BadCidr) {
  for (const char* v : {"10.0.0.0/33", "256.0.0.1", "10.0.0", "10.0.0.01", "1::2::3",
                        "2001:db8::/129", "10.0.0.0/", "10.0.0.0/8/8", "fe80::1%eth0", ""}) {
    EXPECT_THAT(CompileError("IpAddress", "aws:SourceIp", {v}),
                HasErrorCode(ErrorCode::kMalformedPolicyDocument))
        << v;
  }
  EXPECT_THAT(CompileError("NotIpAddress", "aws:SourceIp", {"x"}),
              MessageHas("`NotIpAddress` on `aws:SourceIp`"));
}

TEST(CompileErrors, BadBool) {
  EXPECT_THAT(CompileError("Bool", "aws:SecureTransport", {"yes"}),
              HasErrorCode(ErrorCode::kMalformedPolicyDocument));
  EXPECT_THAT(CompileError("Null", "aws:SecureTransport", {"1"}),
              HasErrorCode(ErrorCode::kMalformedPolicyDocument));
  EXPECT_THAT(CompileError("Bool", "aws:SecureTransport", {"yes"}),
              MessageHas("`Bool` on `aws:SecureTransport`"));
}

TEST(CompileErrors, BadBase64) {
  for (const char* v : {"QQ", "Q===", "QQ=A", "Q!==", ""}) {
    EXPECT_THAT(CompileError("BinaryEquals", "k", {v}),
                HasErrorCode(ErrorCode::kMalformedPolicyDocument))
        << v;
  }
}

TEST(CompileErrors, UnknownOperator) {
  for (const char* op : {"StringEqual", "stringequals", "ForSomeValues:StringEquals",
                         "ForAnyValue:", "IfExists", "StringEqualsIfExistsIfExists"}) {
    EXPECT_THAT(CompileError(op, "k", {"a"}), HasErrorCode(ErrorCode::kMalformedPolicyDocument))
        << op;
  }
  EXPECT_THAT(CompileError("StringEqual", "aws:username", {"a"}),
              MessageHas("`StringEqual` on `aws:username`"));
}

TEST(CompileErrors, IfExistsOnNull) {
  EXPECT_THAT(CompileError("NullIfExists", "k", {"true"}),
              HasErrorCode(ErrorCode::kMalformedPolicyDocument));
}

TEST(CompileErrors, QualifierOnNull) {
  EXPECT_THAT(CompileError("ForAnyValue:Null", "k", {"true"}),
              HasErrorCode(ErrorCode::kMalformedPolicyDocument));
  EXPECT_THAT(CompileError("ForAllValues:Null", "k", {"true"}),
              HasErrorCode(ErrorCode::kMalformedPolicyDocument));
}

TEST(CompileErrors, TooManyValues) {
  std::vector<std::string> values(kMaxConditionValues, "a");
  EXPECT_THAT(CompileError("StringEquals", "k", values), IsOk());
  values.push_back("a");
  EXPECT_THAT(CompileError("StringEquals", "k", values),
              HasErrorCode(ErrorCode::kMalformedPolicyDocument));
}

TEST(CompileErrors, NoValueEmptyKeyLongKey) {
  EXPECT_THAT(CompileError("StringEquals", "k", {}),
              HasErrorCode(ErrorCode::kMalformedPolicyDocument));
  EXPECT_THAT(CompileError("StringEquals", "", {"a"}),
              HasErrorCode(ErrorCode::kMalformedPolicyDocument));
  std::string key = "aws:ResourceTag/" + std::string(kMaxConditionKeyBytes - 16, 'k');
  EXPECT_THAT(CompileError("StringEquals", key, {"a"}), IsOk());
  EXPECT_THAT(CompileError("StringEquals", key + "k", {"a"}),
              HasErrorCode(ErrorCode::kMalformedPolicyDocument));
}

TEST(CompileErrors, CompiledFields) {
  Condition c = Compile("ForAllValues:StringNotLikeIfExists", "AWS:TagKeys", {"a*"});
  EXPECT_EQ(c.op, ConditionOp::kStringNotLike);
  EXPECT_EQ(c.set, SetQualifier::kForAllValues);
  EXPECT_TRUE(c.if_exists);
  EXPECT_EQ(c.key, "AWS:TagKeys");
  EXPECT_EQ(c.key_lower, "aws:tagkeys");
  EXPECT_EQ(ConditionText(c), "ForAllValues:StringNotLikeIfExists AWS:TagKeys [a*]");
  Condition arn = Compile("ArnLike", "k", {"arn:aws:s3:::b/k:x:y"});
  ASSERT_EQ(arn.arn_parts.size(), 1u);
  EXPECT_EQ(arn.arn_parts[0],
            (std::vector<std::string>{"arn", "aws", "s3", "", "", "b/k:x:y"}));
  EXPECT_EQ(Compile("NumericEquals", "k", {"1.5"}).numbers, std::vector<double>{1.5});
  EXPECT_EQ(Compile("Bool", "k", {"False"}).booleans, std::vector<bool>{false});
}

// ---- Globs -------------------------------------------------------------------------------------

TEST(GlobMatch, StarAndQuestionMark) {
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("a*c", "ac"));
  EXPECT_TRUE(GlobMatch("a*c", "abbbc"));
  EXPECT_FALSE(GlobMatch("a*c", "abbbd"));
  EXPECT_TRUE(GlobMatch("a?c", "abc"));
  EXPECT_FALSE(GlobMatch("a?c", "ac"));
  EXPECT_FALSE(GlobMatch("abc", "ABC"));
  EXPECT_TRUE(GlobMatch("*b*b*", "abxbx"));
  EXPECT_FALSE(GlobMatch("", "a"));
}

TEST(GlobMatch, PathologicalPatternFinishesFast) {
  std::string value(10000, 'a');
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(GlobMatch("a*a*a*a*a*a*a*b", value));
  EXPECT_TRUE(GlobMatch("a*a*a*a*a*a*a*a", value));
  EXPECT_FALSE(GlobMatch("*a*a*a*a*a*a*a*?b", value));
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::milliseconds(500));
}

TEST(GlobMatch, LiteralFlagsMakeWildcardsMatchThemselves) {
  std::vector<bool> literal = {false, true, false};
  EXPECT_TRUE(GlobMatch("a*c", literal, "a*c"));
  EXPECT_FALSE(GlobMatch("a*c", literal, "abc"));
  EXPECT_TRUE(GlobMatch("a*c", std::vector<bool>{}, "abc"));
}

// ---- CIDRs -------------------------------------------------------------------------------------

Cidr MustCidr(absl::string_view text) {
  std::optional<Cidr> c = ParseCidr(text);
  EXPECT_TRUE(c.has_value()) << text;
  return c.value_or(Cidr{});
}

bool Contains(absl::string_view network, absl::string_view address) {
  return CidrContains(MustCidr(network), MustCidr(address));
}

TEST(Cidr, Ipv4PrefixesAndDefaults) {
  EXPECT_EQ(MustCidr("203.0.113.7").prefix, 128);  // /32, stored +96
  EXPECT_EQ(MustCidr("10.0.0.0/8").prefix, 104);
  EXPECT_EQ(MustCidr("2001:db8::/32").prefix, 32);
  EXPECT_EQ(MustCidr("2001:db8::1").prefix, 128);
  EXPECT_TRUE(Contains("0.0.0.0/0", "255.255.255.255"));
  EXPECT_TRUE(Contains("0.0.0.0/0", "0.0.0.0"));
  EXPECT_FALSE(Contains("0.0.0.0/0", "2001:db8::1"));  // IPv4 /0 is ::ffff:0:0/96
  EXPECT_TRUE(Contains("203.0.113.7/32", "203.0.113.7"));
  EXPECT_FALSE(Contains("203.0.113.7/32", "203.0.113.6"));
  EXPECT_TRUE(Contains("203.0.113.7", "203.0.113.7"));
  EXPECT_TRUE(Contains("10.0.0.0/9", "10.127.255.255"));
  EXPECT_FALSE(Contains("10.0.0.0/9", "10.128.0.0"));
  EXPECT_TRUE(Contains("10.0.0.1/8", "10.200.0.0"));  // host bits ignored
}

TEST(Cidr, Ipv6PrefixesAndMapping) {
  EXPECT_TRUE(Contains("::/0", "2001:db8::1"));
  EXPECT_TRUE(Contains("::/0", "10.0.0.1"));
  EXPECT_TRUE(Contains("2001:db8::1/128", "2001:0DB8:0:0:0:0:0:1"));
  EXPECT_FALSE(Contains("2001:db8::1/128", "2001:db8::2"));
  EXPECT_TRUE(Contains("::ffff:0:0/96", "192.0.2.1"));
  EXPECT_TRUE(Contains("10.0.0.0/8", "::ffff:10.1.2.3"));
  EXPECT_TRUE(Contains("::ffff:10.0.0.0/104", "10.9.9.9"));
  EXPECT_FALSE(Contains("10.0.0.0/8", "::10.1.2.3"));  // not the mapped form
  EXPECT_TRUE(Contains("2001:db8:1234:5678::/64", "2001:db8:1234:5678:ffff::1"));
  EXPECT_FALSE(Contains("2001:db8:1234:5678::/64", "2001:db8:1234:5679::1"));
  EXPECT_TRUE(Contains("1:2:3:4:5:6:7::/128", "1:2:3:4:5:6:7:0"));
  EXPECT_TRUE(Contains("::1", "0:0:0:0:0:0:0:1"));
  EXPECT_FALSE(Contains("10.0.0.0/8", "10.0.0.0/7"));  // a wider network is not inside
}

TEST(Cidr, MalformedIsRejected) {
  for (const char* v : {"1.2.3.4.5", "1.2.3", "::1::", "12345::", "1:2:3:4:5:6:7:8:9",
                        "1:2:3:4:5:6:7::8", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:", "g::1",
                        "10.0.0.0/-1", " 10.0.0.1", "::ffff:1.2.3", "1.2.3.4::"}) {
    EXPECT_FALSE(ParseCidr(v).has_value()) << v;
  }
}

// ---- Dates -------------------------------------------------------------------------------------

TEST(PolicyDate, FormsAndOffsets) {
  absl::Time june1 = absl::FromUnixSeconds(1780272000);
  EXPECT_EQ(ParsePolicyDate("2026-06-01"), june1);
  EXPECT_EQ(ParsePolicyDate("2026-06-01T00:00:00Z"), june1);
  EXPECT_EQ(ParsePolicyDate("2026-06-01T00:00Z"), june1);
  EXPECT_EQ(ParsePolicyDate("2026-05-31T20:00:00-04:00"), june1);
  EXPECT_EQ(ParsePolicyDate("2026-06-01T00:00:00.5Z"), june1 + absl::Milliseconds(500));
  EXPECT_EQ(ParsePolicyDate("1780272000"), june1);
  EXPECT_EQ(ParsePolicyDate("2024-02-29"), absl::FromUnixSeconds(1709164800));
  for (const char* v : {"2025-02-29", "2026-06-01T24:00:00Z", "2026-06-01T00:00:00+2:00",
                        "2026-06-01t00:00:00Z", "1234567890123", "2026-06-01T00:00:00.Z", ""}) {
    EXPECT_FALSE(ParsePolicyDate(v).has_value()) << v;
  }
}

// ---- Names -------------------------------------------------------------------------------------

TEST(Names, OperatorsRoundTrip) {
  for (const Sample& s : kSamples) {
    Condition c = Compile(s.op, "k", {s.value});
    EXPECT_EQ(ConditionOpName(c.op), s.op);
  }
  EXPECT_EQ(ConditionOpName(ConditionOp::kNull), "Null");
  EXPECT_TRUE(IsNegated(ConditionOp::kArnNotEquals));
  EXPECT_FALSE(IsNegated(ConditionOp::kArnEquals));
  EXPECT_FALSE(IsNegated(ConditionOp::kNull));
}

TEST(Names, StatementsCountFromOne) {
  Statement s;
  s.index = 1;
  EXPECT_EQ(s.Name(), "statement 2");
  s.sid = "DenyUntagged";
  EXPECT_EQ(s.Name(), "statement 2 (Sid DenyUntagged)");
  EXPECT_EQ(PolicyKindName(PolicyKind::kServiceControl), "service control policy");
  EXPECT_EQ(PolicyKindName(PolicyKind::kKeyPolicy), "key policy");
}

TEST(Names, ConditionTextListsTheValues) {
  Condition c = Compile("StringEquals", "aws:PrincipalOrgID", {"o-1", "o-2"});
  EXPECT_EQ(ConditionText(c), "StringEquals aws:PrincipalOrgID [o-1, o-2]");
}

// ---- The request context -----------------------------------------------------------------------

TEST(RequestContext, SetAbsentAndSetReplaceEachOther) {
  RequestContext ctx;
  ctx.Set("K", "v");
  EXPECT_EQ(ctx.Lookup("k").state, KeyLookup::State::kPresent);
  ctx.SetAbsent("k");
  EXPECT_EQ(ctx.Lookup("k").state, KeyLookup::State::kAbsent);
  ctx.SetMany("k", {"a", "b"});
  KeyLookup k = ctx.Lookup("k");
  ASSERT_EQ(k.state, KeyLookup::State::kPresent);
  EXPECT_EQ(*k.values, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ctx.Lookup("other").state, KeyLookup::State::kUnknown);
  EXPECT_EQ(ctx.size(), 1u);
}

}  // namespace
}  // namespace ami::lang
