// Randomized properties of the policy evaluator: a change that can only take permission away
// never turns a deny into an allow — adding a Deny statement, removing an Allow statement,
// narrowing an Allow's action or resource list, or forgetting a context value (unknown never
// allows). Policies are generated as JSON text from a small vocabulary with a fixed seed.
#include <cstddef>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "policy/lang/context.h"
#include "policy/lang/document.h"
#include "policy/lang/evaluate.h"

namespace ami::lang {
namespace {

constexpr char kAccount[] = "111122223333";
constexpr char kResource[] = "arn:aws:ec2:us-east-1::image/ami-0123456789abcdef0";

// A statement as parts, so that the properties can change one part.
struct GenStatement {
  bool allow = true;
  std::vector<std::string> actions;
  std::vector<std::string> resources;
  std::vector<std::string> conditions;  // `"Op":{"key":"value"}` members

  std::string Json() const {
    auto quoted = [](const std::vector<std::string>& v) {
      std::vector<std::string> q;
      for (const std::string& s : v) q.push_back(absl::StrCat("\"", s, "\""));
      return absl::StrCat("[", absl::StrJoin(q, ","), "]");
    };
    std::string out = absl::StrCat(R"({"Effect":")", allow ? "Allow" : "Deny",
                                   R"(","Action":)", quoted(actions),
                                   R"(,"Resource":)", quoted(resources));
    if (!conditions.empty()) {
      absl::StrAppend(&out, R"(,"Condition":{)", absl::StrJoin(conditions, ","), "}");
    }
    return out + "}";
  }
};

std::string PolicyJson(const std::vector<GenStatement>& statements) {
  std::vector<std::string> parts;
  for (const GenStatement& s : statements) parts.push_back(s.Json());
  return absl::StrCat(R"({"Version":"2012-10-17","Statement":[)", absl::StrJoin(parts, ","), "]}");
}

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  GenStatement Statement() {
    static const char* kActions[] = {"ec2:RunInstances", "ec2:*", "ec2:Run*", "*",
                                     "ec2:CreateImage", "ec2:Describe*"};
    static const char* kResources[] = {"*", "arn:aws:ec2:*::image/*",
                                       "arn:aws:ec2:us-east-1::image/ami-0123456789abcdef0",
                                       "arn:aws:ec2:eu-west-1::image/*",
                                       "arn:aws:ec2:*::image/ami-${aws:PrincipalTag/image}"};
    static const char* kConditions[] = {
        R"("StringEquals":{"ec2:ResourceTag/approved":"true"})",
        R"("StringNotEquals":{"ec2:ResourceTag/approved":"true"})",
        R"("StringEqualsIfExists":{"aws:RequestTag/team":"${aws:PrincipalTag/team}"})",
        R"("IpAddress":{"aws:SourceIp":"10.0.0.0/8"})",
        R"("NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"})",
        R"("Bool":{"aws:MultiFactorAuthPresent":"true"})",
        R"("StringLike":{"aws:PrincipalTag/team":"plat*"})",
        R"("Null":{"ec2:ResourceTag/approved":"true"})",
        R"("ForAnyValue:StringEquals":{"aws:TagKeys":["team","cost"]})",
        R"("ForAllValues:StringEquals":{"aws:TagKeys":["team","cost"]})",
        R"("DateGreaterThan":{"aws:CurrentTime":"2026-06-01T00:00:00Z"})",
        R"("NumericLessThan":{"ec2:VolumeSize":"100"})"};
    GenStatement s;
    s.allow = Pick(3) != 0;
    const size_t actions = 1 + Pick(2);
    for (size_t i = 0; i < actions; ++i) s.actions.push_back(kActions[Pick(std::size(kActions))]);
    const size_t resources = 1 + Pick(2);
    for (size_t i = 0; i < resources; ++i) {
      s.resources.push_back(kResources[Pick(std::size(kResources))]);
    }
    const size_t conditions = Pick(3);
    std::vector<size_t> used;
    for (size_t i = 0; i < conditions; ++i) {
      const size_t c = Pick(std::size(kConditions));
      // One operator per statement at most once (the JSON object keys must be unique).
      bool dup = false;
      for (size_t u : used) dup = dup || u == c;
      if (dup) continue;
      used.push_back(c);
      s.conditions.push_back(kConditions[c]);
    }
    // Operators differ in the vocabulary above except for keys repeated across operators,
    // which is allowed: each operator is its own JSON member.
    return s;
  }

  std::vector<GenStatement> Policy() {
    std::vector<GenStatement> p;
    const size_t n = 1 + Pick(4);
    for (size_t i = 0; i < n; ++i) p.push_back(Statement());
    return p;
  }

  RequestContext Context() {
    RequestContext ctx;
    ctx.principal_account = kAccount;
    ctx.principal_arn = "arn:aws:iam::111122223333:role/dev";
    static const char* kActions[] = {"ec2:RunInstances", "ec2:CreateImage", "ec2:DescribeImages"};
    ctx.action = kActions[Pick(3)];
    ctx.resource = kResource;
    if (Pick(2)) ctx.Set("ec2:ResourceTag/approved", Pick(2) ? "true" : "false");
    ctx.SetComplete("ec2:ResourceTag/");
    if (Pick(2)) ctx.Set("aws:SourceIp", Pick(2) ? "10.1.2.3" : "192.0.2.1");
    if (Pick(2)) ctx.Set("aws:MultiFactorAuthPresent", Pick(2) ? "true" : "false");
    if (Pick(2)) ctx.Set("aws:PrincipalTag/team", Pick(2) ? "platform" : "web");
    if (Pick(2)) ctx.Set("aws:PrincipalTag/image", "0123456789abcdef0");
    ctx.SetComplete("aws:PrincipalTag/");
    if (Pick(2)) ctx.Set("aws:RequestTag/team", "platform");
    ctx.SetComplete("aws:RequestTag/");
    if (Pick(2)) {
      ctx.SetMany("aws:TagKeys", Pick(2) ? std::vector<std::string>{"team"}
                                         : std::vector<std::string>{"team", "owner"});
    } else {
      ctx.SetAbsent("aws:TagKeys");
    }
    ctx.Set("aws:CurrentTime", Pick(2) ? "2026-01-01T00:00:00Z" : "2026-12-01T00:00:00Z");
    if (Pick(2)) ctx.Set("ec2:VolumeSize", Pick(2) ? "8" : "500");
    return ctx;
  }

 private:
  std::mt19937 rng_;
};

bool Allowed(const std::vector<GenStatement>& identity, const std::vector<GenStatement>& scp,
             const RequestContext& ctx) {
  absl::StatusOr<PolicyDocument> id = ParsePolicy(PolicyJson(identity), PolicyKind::kIdentity);
  absl::StatusOr<PolicyDocument> sc = ParsePolicy(PolicyJson(scp), PolicyKind::kServiceControl);
  EXPECT_TRUE(id.ok()) << id.status();
  EXPECT_TRUE(sc.ok()) << sc.status();
  if (!id.ok() || !sc.ok()) return false;
  PolicyInputs in;
  in.identity = {{"identity", &*id}};
  in.scp_levels = {{{"scp", &*sc}}};
  return Evaluate(in, ctx).allowed();
}

constexpr int kRounds = 400;

TEST(PolicyProperties, AddingADenyNeverAllows) {
  Generator g(1);
  for (int i = 0; i < kRounds; ++i) {
    std::vector<GenStatement> identity = g.Policy();
    const std::vector<GenStatement> scp = g.Policy();
    const RequestContext ctx = g.Context();
    if (Allowed(identity, scp, ctx)) continue;
    GenStatement deny = g.Statement();
    deny.allow = false;
    identity.push_back(deny);
    EXPECT_FALSE(Allowed(identity, scp, ctx)) << PolicyJson(identity);
  }
}

TEST(PolicyProperties, RemovingAnAllowNeverAllows) {
  Generator g(2);
  for (int i = 0; i < kRounds; ++i) {
    std::vector<GenStatement> identity = g.Policy();
    const std::vector<GenStatement> scp = g.Policy();
    const RequestContext ctx = g.Context();
    if (Allowed(identity, scp, ctx) || identity.size() < 2) continue;
    for (size_t k = 0; k < identity.size(); ++k) {
      if (!identity[k].allow) continue;
      std::vector<GenStatement> fewer = identity;
      fewer.erase(fewer.begin() + static_cast<std::ptrdiff_t>(k));
      EXPECT_FALSE(Allowed(fewer, scp, ctx)) << PolicyJson(fewer);
    }
  }
}

TEST(PolicyProperties, NarrowingAnAllowNeverAllows) {
  Generator g(3);
  for (int i = 0; i < kRounds; ++i) {
    std::vector<GenStatement> identity = g.Policy();
    const std::vector<GenStatement> scp = g.Policy();
    const RequestContext ctx = g.Context();
    if (Allowed(identity, scp, ctx)) continue;
    for (size_t k = 0; k < identity.size(); ++k) {
      GenStatement& s = identity[k];
      if (!s.allow) continue;
      std::vector<GenStatement> narrower = identity;
      if (s.actions.size() > 1) narrower[k].actions.pop_back();
      if (s.resources.size() > 1) narrower[k].resources.pop_back();
      narrower[k].conditions.push_back(R"("ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/ops"})");
      EXPECT_FALSE(Allowed(narrower, scp, ctx)) << PolicyJson(narrower);
    }
  }
}

TEST(PolicyProperties, ForgettingAContextValueNeverAllows) {
  Generator g(4);
  static const char* kKeys[] = {"ec2:ResourceTag/approved", "aws:SourceIp",
                                "aws:MultiFactorAuthPresent", "aws:PrincipalTag/team",
                                "aws:TagKeys", "aws:CurrentTime", "ec2:VolumeSize"};
  for (int i = 0; i < kRounds; ++i) {
    const std::vector<GenStatement> identity = g.Policy();
    const std::vector<GenStatement> scp = g.Policy();
    const RequestContext ctx = g.Context();
    if (Allowed(identity, scp, ctx)) continue;
    for (const char* key : kKeys) {
      RequestContext less = ctx;
      less.Forget(key);
      EXPECT_FALSE(Allowed(identity, scp, less)) << PolicyJson(identity) << " without " << key;
    }
  }
}

// The generator reaches both answers often enough for the properties to mean something.
TEST(PolicyProperties, GeneratorReachesAllowAndDeny) {
  Generator g(5);
  int allowed = 0;
  for (int i = 0; i < kRounds; ++i) {
    const std::vector<GenStatement> identity = g.Policy();
    const std::vector<GenStatement> scp = g.Policy();
    allowed += Allowed(identity, scp, g.Context()) ? 1 : 0;
  }
  EXPECT_GT(allowed, kRounds / 20);
  EXPECT_LT(allowed, kRounds - kRounds / 20);
}

}  // namespace
}  // namespace ami::lang
