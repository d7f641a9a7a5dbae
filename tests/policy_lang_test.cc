// The policy language (lib/policy/lang): documents read and compiled once, and AWS's evaluation
// logic — explicit deny, service control policies at every level, permissions boundaries,
// identity against resource policies, key policies that delegate to IAM, grants, cross-account
// requests — with residual conditions when a fact is unknown (IAM-1, IAM-2, IAM-7, KMS-4 … 7).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ami/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "policy/lang/context.h"
#include "policy/lang/document.h"
#include "policy/lang/evaluate.h"
#include "policy/lang/json.h"
#include "tests/test_util.h"

namespace ami::lang {
namespace {

using ::ami::testing::HasErrorCode;
using ::testing::HasSubstr;

constexpr char kA[] = "111122223333";
constexpr char kB[] = "444455556666";
constexpr char kImage[] = "arn:aws:ec2:us-east-1::image/ami-0123456789abcdef0";

PolicyDocument Doc(absl::string_view json, PolicyKind kind = PolicyKind::kIdentity) {
  absl::StatusOr<PolicyDocument> d = ParsePolicy(json, kind);
  if (!d.ok()) ADD_FAILURE() << d.status() << "\n" << json;
  return d.ok() ? *std::move(d) : PolicyDocument{};
}

std::string Allow(absl::string_view action, absl::string_view resource = "*",
                  absl::string_view extra = "") {
  return absl::StrCat(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":")",
                      action, R"(","Resource":")", resource, "\"", extra, "}]}");
}
std::string Deny(absl::string_view action, absl::string_view resource = "*",
                 absl::string_view extra = "") {
  return absl::StrCat(R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":")",
                      action, R"(","Resource":")", resource, "\"", extra, "}]}");
}

// A role of account `account` calling `action` on `resource`.
RequestContext RoleCall(absl::string_view account, absl::string_view action,
                        absl::string_view resource = kImage) {
  RequestContext ctx;
  ctx.principal_account = std::string(account);
  ctx.principal_arn = absl::StrCat("arn:aws:iam::", account, ":role/dev");
  ctx.action = std::string(action);
  ctx.resource = std::string(resource);
  ctx.SetComplete("aws:ResourceTag/");
  ctx.SetComplete("ec2:ResourceTag/");
  return ctx;
}

RequestContext RootCall(absl::string_view account, absl::string_view action,
                        absl::string_view resource = kImage) {
  RequestContext ctx = RoleCall(account, action, resource);
  ctx.principal_arn = absl::StrCat("arn:aws:iam::", account, ":root");
  return ctx;
}

// ---- Documents ---------------------------------------------------------------------------------

TEST(PolicyDocument, ReadsEveryElement) {
  const PolicyDocument d = Doc(R"({"Version":"2012-10-17","Id":"key-default-1","Statement":[
    {"Sid":"Enable IAM User Permissions","Effect":"Allow",
     "Principal":{"AWS":["111122223333","arn:aws:iam::444455556666:role/r"],"Service":"ec2.amazonaws.com"},
     "Action":["kms:*","KMS:Decrypt"],"Resource":"*",
     "Condition":{"StringEquals":{"kms:CallerAccount":111122223333}}}]})",
                               PolicyKind::kKeyPolicy);
  ASSERT_EQ(d.statements.size(), 1u);
  const Statement& s = d.statements[0];
  EXPECT_EQ(s.sid, "Enable IAM User Permissions");
  ASSERT_TRUE(s.principals.has_value());
  EXPECT_THAT(s.principals->aws, ::testing::ElementsAre("arn:aws:iam::111122223333:root",
                                                       "arn:aws:iam::444455556666:role/r"));
  EXPECT_THAT(s.principals->services, ::testing::ElementsAre("ec2.amazonaws.com"));
  ASSERT_EQ(s.actions.size(), 2u);
  EXPECT_EQ(s.actions[1].text, "kms:decrypt");
  ASSERT_EQ(s.conditions.size(), 1u);
  EXPECT_EQ(s.conditions[0].values, std::vector<std::string>{"111122223333"});
  EXPECT_EQ(d.id, "key-default-1");
}

TEST(PolicyDocument, StatementMayBeOneObject) {
  const PolicyDocument d =
      Doc(R"({"Statement":{"Effect":"Deny","NotAction":"ec2:Describe*","NotResource":"*"}})");
  ASSERT_EQ(d.statements.size(), 1u);
  EXPECT_TRUE(d.statements[0].not_action);
  EXPECT_TRUE(d.statements[0].not_resource);
  EXPECT_FALSE(d.variables_enabled());
}

TEST(PolicyDocument, GrammarErrorsAreMalformedPolicyDocument) {
  const std::pair<PolicyKind, const char*> bad[] = {
      {PolicyKind::kIdentity, "not json"},
      {PolicyKind::kIdentity, "[]"},
      {PolicyKind::kIdentity, R"({"Version":"2012-10-17"})"},
      {PolicyKind::kIdentity, R"({"Version":"2013-01-01","Statement":[]})"},
      {PolicyKind::kIdentity, R"({"Statement":[]})"},
      {PolicyKind::kIdentity, R"({"Statement":[{"Effect":"allow","Action":"*","Resource":"*"}]})"},
      {PolicyKind::kIdentity, R"({"Statement":[{"Effect":"Allow","Resource":"*"}]})"},
      {PolicyKind::kIdentity,
       R"({"Statement":[{"Effect":"Allow","Action":"*","NotAction":"x:y","Resource":"*"}]})"},
      {PolicyKind::kIdentity, R"({"Statement":[{"Effect":"Allow","Action":"*"}]})"},
      {PolicyKind::kIdentity, R"({"Statement":[{"Effect":"Allow","Action":"run","Resource":"*"}]})"},
      {PolicyKind::kIdentity,
       R"({"Statement":[{"Effect":"Allow","Action":"*","Resource":"ami-1"}]})"},
      {PolicyKind::kIdentity,
       R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]})"},
      {PolicyKind::kIdentity,
       R"({"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Extra":1}]})"},
      {PolicyKind::kIdentity,
       R"({"Statement":[{"Effect":"Allow","Effect":"Deny","Action":"*","Resource":"*"}]})"},
      {PolicyKind::kKeyPolicy, R"({"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})"},
      {PolicyKind::kKeyPolicy,
       R"({"Statement":[{"Effect":"Allow","Principal":"me","Action":"*","Resource":"*"}]})"},
      {PolicyKind::kKeyPolicy,
       R"({"Statement":[{"Effect":"Allow","Principal":{"Group":"x"},"Action":"*","Resource":"*"}]})"},
      {PolicyKind::kServiceControl,
       R"({"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})"},
      {PolicyKind::kIdentity,
       R"({"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":"x"}]})"},
  };
  for (const auto& [kind, text] : bad) {
    EXPECT_THAT(ParsePolicy(text, kind).status(),
                HasErrorCode(ErrorCode::kMalformedPolicyDocument))
        << text;
  }
}

// Hostile text: bounded depth, size and count; each refused with a reason, none crashes.
TEST(PolicyDocument, HostileTextIsRefusedWithinBounds) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_THAT(ParseJson(deep).status(), HasErrorCode(ErrorCode::kMalformedPolicyDocument));
  // Each bound: at it, accepted; past it, refused.
  EXPECT_TRUE(ParseJson(std::string(16, '[') + std::string(16, ']')).ok());
  EXPECT_THAT(ParseJson(std::string(17, '[') + std::string(17, ']')).status().message(),
              HasSubstr("nested deeper than 16"));
  const std::string small = Allow("ec2:RunInstances");
  std::string at_size = small + std::string(kMaxPolicyBytes - small.size(), ' ');
  EXPECT_TRUE(ParsePolicy(at_size, PolicyKind::kIdentity).ok());
  at_size.push_back(' ');
  EXPECT_THAT(ParsePolicy(at_size, PolicyKind::kIdentity).status().message(),
              HasSubstr("at most 131072"));
  auto array_of = [](int n) {
    std::string a = "[";
    for (int i = 0; i < n; ++i) absl::StrAppend(&a, i == 0 ? "" : ",", "1");
    return a + "]";
  };
  EXPECT_TRUE(ParseJson(array_of(19999)).ok());  // 19,999 numbers and the array
  EXPECT_THAT(ParseJson(array_of(20000)).status().message(),
              HasSubstr("more than 20000 values"));
  auto statements = [](size_t n) {
    std::string s = R"({"Statement":[)";
    for (size_t i = 0; i < n; ++i) {
      absl::StrAppend(&s, i == 0 ? "" : ",", R"({"Effect":"Allow","Action":"*","Resource":"*"})");
    }
    return s + "]}";
  };
  EXPECT_TRUE(ParsePolicy(statements(kMaxPolicyStatements), PolicyKind::kIdentity).ok());
  EXPECT_THAT(ParsePolicy(statements(kMaxPolicyStatements + 1), PolicyKind::kIdentity).status(),
              HasErrorCode(ErrorCode::kMalformedPolicyDocument));
  EXPECT_THAT(ParseJson(R"({"a":1,"a":2})").status().message(), HasSubstr("duplicate key"));
  EXPECT_THAT(ParseJson("{\"a\":\"\xff\"}").status(),
              HasErrorCode(ErrorCode::kMalformedPolicyDocument));
  EXPECT_THAT(ParseJson("{\"a\":1} trailing").status(),
              HasErrorCode(ErrorCode::kMalformedPolicyDocument));
}

// ---- Identity policies (IAM-1) -------------------------------------------------------------------

TEST(PolicyEvaluation, IAM_1_IdentityAllowAllows) {
  const PolicyDocument allow = Doc(Allow("ec2:RunInstances"));
  PolicyInputs in;
  in.identity = {{"arn:aws:iam::111122223333:policy/Run", &allow}};
  const PolicyResult r = Evaluate(in, RoleCall(kA, "ec2:runinstances"));
  EXPECT_TRUE(r.allowed());
  ASSERT_TRUE(r.decided_by.has_value());
  EXPECT_EQ(r.decided_by->policy, "arn:aws:iam::111122223333:policy/Run");
  EXPECT_EQ(r.decided_by->statement, "statement 1");
}

TEST(PolicyEvaluation, IAM_1_NoAllowIsImplicitDeny) {
  const PolicyDocument other = Doc(Allow("ec2:Describe*"));
  PolicyInputs in;
  in.identity = {{"p", &other}};
  const RequestContext ctx = RoleCall(kA, "ec2:RunInstances");
  const PolicyResult r = Evaluate(in, ctx);
  EXPECT_EQ(r.outcome, Outcome::kImplicitDeny);
  EXPECT_EQ(r.missing_allow, PolicyKind::kIdentity);
  EXPECT_EQ(DenialMessage(r, ctx),
            absl::StrCat("User: arn:aws:iam::111122223333:role/dev is not authorized to perform: "
                         "ec2:RunInstances on resource: ",
                         kImage,
                         " because no identity-based policy allows the ec2:RunInstances action"));
}

TEST(PolicyEvaluation, IAM_1_ExplicitDenyOverridesAllow) {
  const PolicyDocument allow = Doc(Allow("ec2:*"));
  const PolicyDocument deny = Doc(Deny("ec2:RunInstances", "arn:aws:ec2:*::image/*"));
  PolicyInputs in;
  in.identity = {{"allow", &allow}, {"deny", &deny}};
  const RequestContext ctx = RoleCall(kA, "ec2:RunInstances");
  const PolicyResult r = Evaluate(in, ctx);
  EXPECT_EQ(r.outcome, Outcome::kExplicitDeny);
  EXPECT_EQ(r.decided_by->policy, "deny");
  EXPECT_THAT(DenialMessage(r, ctx), HasSubstr("with an explicit deny in an identity-based policy"));
  // The Deny's resource pattern does not reach snapshots: the Allow decides.
  EXPECT_TRUE(Evaluate(in, RoleCall(kA, "ec2:RunInstances",
                                    "arn:aws:ec2:us-east-1::snapshot/snap-1"))
                  .allowed());
}

TEST(PolicyEvaluation, IAM_1_ActionsAreCaseInsensitiveAndWildcarded) {
  const PolicyDocument allow = Doc(Allow("EC2:Run*"));
  PolicyInputs in;
  in.identity = {{"p", &allow}};
  EXPECT_TRUE(Evaluate(in, RoleCall(kA, "ec2:RunInstances")).allowed());
  EXPECT_FALSE(Evaluate(in, RoleCall(kA, "ec2:CreateImage")).allowed());
}

TEST(PolicyEvaluation, IAM_1_NotActionAndNotResource) {
  const PolicyDocument p = Doc(
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"ec2:Deregister*",
          "NotResource":"arn:aws:ec2:*::image/ami-0aaaaaaaaaaaaaaaa"}]})");
  PolicyInputs in;
  in.identity = {{"p", &p}};
  EXPECT_TRUE(Evaluate(in, RoleCall(kA, "ec2:RunInstances")).allowed());
  EXPECT_FALSE(Evaluate(in, RoleCall(kA, "ec2:DeregisterImage")).allowed());
  EXPECT_FALSE(Evaluate(in, RoleCall(kA, "ec2:RunInstances",
                                    "arn:aws:ec2:eu-west-1::image/ami-0aaaaaaaaaaaaaaaa"))
                   .allowed());
}

TEST(PolicyEvaluation, IAM_1_ResourceWildcardsStayWithinArnParts) {
  const PolicyDocument p = Doc(Allow("ec2:RunInstances", "arn:aws:ec2:us-*::image/*"));
  PolicyInputs in;
  in.identity = {{"p", &p}};
  EXPECT_TRUE(Evaluate(in, RoleCall(kA, "ec2:RunInstances")).allowed());
  // `*` in the Region part does not reach across the colons.
  const PolicyDocument q = Doc(Allow("ec2:RunInstances", "arn:aws:ec2:*image/*"));
  in.identity = {{"q", &q}};
  EXPECT_FALSE(Evaluate(in, RoleCall(kA, "ec2:RunInstances")).allowed());
}

TEST(PolicyEvaluation, RootUserNeedsNoIdentityPolicy) {
  PolicyInputs in;
  in.principal_is_root = true;
  EXPECT_TRUE(Evaluate(in, RootCall(kA, "ec2:RunInstances")).allowed());
  in.principal_is_root = false;
  EXPECT_FALSE(Evaluate(in, RoleCall(kA, "ec2:RunInstances")).allowed());
}

// ---- Service control policies (IAM-2) -----------------------------------------------------------

TEST(PolicyEvaluation, IAM_2_ScpMustAllowAtEveryLevel) {
  const PolicyDocument full = Doc(Allow("*"), PolicyKind::kServiceControl);
  const PolicyDocument describe_only = Doc(Allow("ec2:Describe*"), PolicyKind::kServiceControl);
  const PolicyDocument identity = Doc(Allow("ec2:*"));
  PolicyInputs in;
  in.identity = {{"p", &identity}};
  in.scp_levels = {{{"FullAWSAccess on r-ab12", &full}},
                   {{"FullAWSAccess on ou-ab12-11111111", &full}},
                   {{"FullAWSAccess on 111122223333", &full}}};
  EXPECT_TRUE(Evaluate(in, RoleCall(kA, "ec2:RunInstances")).allowed());
  // The OU's only SCP allows describing: the account cannot run instances even though the root
  // and the account allow everything.
  in.scp_levels[1] = {{"DescribeOnly on ou-ab12-11111111", &describe_only}};
  const RequestContext ctx = RoleCall(kA, "ec2:RunInstances");
  const PolicyResult r = Evaluate(in, ctx);
  EXPECT_EQ(r.outcome, Outcome::kImplicitDeny);
  EXPECT_EQ(r.missing_allow, PolicyKind::kServiceControl);
  EXPECT_THAT(DenialMessage(r, ctx), HasSubstr("because no service control policy allows"));
  // Two SCPs on one level: either allowing is enough.
  in.scp_levels[1].push_back({"FullAWSAccess on ou-ab12-11111111", &full});
  EXPECT_TRUE(Evaluate(in, ctx).allowed());
}

TEST(PolicyEvaluation, IAM_2_ScpDenyBindsTheRootUser) {
  const PolicyDocument full = Doc(Allow("*"), PolicyKind::kServiceControl);
  const PolicyDocument deny = Doc(Deny("ec2:RunInstances"), PolicyKind::kServiceControl);
  PolicyInputs in;
  in.principal_is_root = true;
  in.scp_levels = {{{"full", &full}, {"deny", &deny}}};
  const RequestContext ctx = RootCall(kA, "ec2:RunInstances");
  const PolicyResult r = Evaluate(in, ctx);
  EXPECT_EQ(r.outcome, Outcome::kExplicitDeny);
  EXPECT_THAT(DenialMessage(r, ctx), HasSubstr("with an explicit deny in a service control policy"));
  in.scp_levels.clear();  // the management account: no SCP applies
  EXPECT_TRUE(Evaluate(in, ctx).allowed());
}

// ---- Permissions boundaries ---------------------------------------------------------------------

TEST(PolicyEvaluation, BoundaryLimitsTheIdentityPolicy) {
  const PolicyDocument identity = Doc(Allow("ec2:*"));
  const PolicyDocument boundary = Doc(Allow("ec2:Describe*"), PolicyKind::kBoundary);
  PolicyInputs in;
  in.identity = {{"p", &identity}};
  in.boundary = NamedPolicy{"boundary", &boundary};
  const RequestContext ctx = RoleCall(kA, "ec2:RunInstances");
  const PolicyResult r = Evaluate(in, ctx);
  EXPECT_EQ(r.missing_allow, PolicyKind::kBoundary);
  EXPECT_THAT(DenialMessage(r, ctx), HasSubstr("because no permissions boundary allows"));
  EXPECT_TRUE(Evaluate(in, RoleCall(kA, "ec2:DescribeImages", "*")).allowed());
  // A boundary never grants: with no identity policy, nothing is allowed.
  in.identity.clear();
  EXPECT_EQ(Evaluate(in, RoleCall(kA, "ec2:DescribeImages", "*")).missing_allow,
            PolicyKind::kIdentity);
}

// ---- Key policies (KMS-4 … KMS-7) ---------------------------------------------------------------

constexpr char kKey[] = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

std::string DefaultKeyPolicy(absl::string_view account) {
  return absl::StrCat(R"({"Version":"2012-10-17","Id":"key-default-1","Statement":[{
      "Sid":"Enable IAM User Permissions","Effect":"Allow",
      "Principal":{"AWS":"arn:aws:iam::)", account, R"(:root"},"Action":"kms:*","Resource":"*"}]})");
}

PolicyInputs KeyInputs(const PolicyDocument& key_policy) {
  PolicyInputs in;
  in.resource_policy = NamedPolicy{"key policy", &key_policy};
  in.resource_account = kA;
  in.resource_policy_required = true;
  return in;
}

TEST(PolicyEvaluation, KMS_4_DefaultKeyPolicyDelegatesToIam) {
  const PolicyDocument key = Doc(DefaultKeyPolicy(kA), PolicyKind::kKeyPolicy);
  const PolicyDocument identity = Doc(Allow("kms:Decrypt", kKey));
  PolicyInputs in = KeyInputs(key);
  // The account's root user: the key policy names it.
  in.principal_is_root = true;
  EXPECT_TRUE(Evaluate(in, RootCall(kA, "kms:Decrypt", kKey)).allowed());
  // A role: the key policy delegates to its identity policy, which must allow.
  in.principal_is_root = false;
  const RequestContext ctx = RoleCall(kA, "kms:Decrypt", kKey);
  EXPECT_EQ(Evaluate(in, ctx).missing_allow, PolicyKind::kIdentity);
  in.identity = {{"p", &identity}};
  EXPECT_TRUE(Evaluate(in, ctx).allowed());
}

TEST(PolicyEvaluation, KMS_4_IdentityPolicyAloneDoesNotOpenAKey) {
  const PolicyDocument key = Doc(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Principal":{"AWS":"arn:aws:iam::111122223333:role/admin"},"Action":"kms:*","Resource":"*"}]})",
                                 PolicyKind::kKeyPolicy);
  const PolicyDocument identity = Doc(Allow("kms:*"));
  PolicyInputs in = KeyInputs(key);
  in.identity = {{"p", &identity}};
  const RequestContext ctx = RoleCall(kA, "kms:Decrypt", kKey);
  const PolicyResult r = Evaluate(in, ctx);
  EXPECT_EQ(r.missing_allow, PolicyKind::kKeyPolicy);
  EXPECT_THAT(DenialMessage(r, ctx), HasSubstr("because no resource-based policy allows"));
  // The role the key policy names needs no identity policy in the key's account.
  RequestContext admin = ctx;
  admin.principal_arn = "arn:aws:iam::111122223333:role/admin";
  in.identity.clear();
  EXPECT_TRUE(Evaluate(in, admin).allowed());
  // Nor does a session of that role.
  admin.principal_arn = "arn:aws:sts::111122223333:assumed-role/admin/alice";
  EXPECT_TRUE(Evaluate(in, admin).allowed());
}

TEST(PolicyEvaluation, KMS_5_CrossAccountNeedsBothSides) {
  const PolicyDocument key = Doc(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
      {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},
       "Action":["kms:Decrypt","kms:DescribeKey","kms:CreateGrant"],"Resource":"*"}]})",
                                 PolicyKind::kKeyPolicy);
  const PolicyDocument identity = Doc(Allow("kms:Decrypt", kKey));
  PolicyInputs in = KeyInputs(key);
  const RequestContext ctx = RoleCall(kB, "kms:Decrypt", kKey);
  EXPECT_EQ(Evaluate(in, ctx).missing_allow, PolicyKind::kIdentity);
  in.identity = {{"p", &identity}};
  EXPECT_TRUE(Evaluate(in, ctx).allowed());
  // The key policy does not give account B kms:Encrypt: its identity policy cannot.
  const PolicyDocument all = Doc(Allow("kms:*"));
  in.identity = {{"all", &all}};
  EXPECT_EQ(Evaluate(in, RoleCall(kB, "kms:Encrypt", kKey)).missing_allow,
            PolicyKind::kKeyPolicy);
  // Account B's root user needs no identity policy on its side.
  in.identity.clear();
  in.principal_is_root = true;
  EXPECT_TRUE(Evaluate(in, RootCall(kB, "kms:Decrypt", kKey)).allowed());
}

TEST(PolicyEvaluation, KMS_6_GrantAllowsWithoutThePolicy) {
  const PolicyDocument key = Doc(DefaultKeyPolicy(kA), PolicyKind::kKeyPolicy);
  PolicyInputs in = KeyInputs(key);
  const RequestContext ctx = RoleCall(kB, "kms:Decrypt", kKey);
  EXPECT_FALSE(Evaluate(in, ctx).allowed());
  in.grants = {"grant 0123abcd"};
  // A grant to the account delegates to IAM, as a key policy naming the account does: the role
  // needs its identity policy too.
  EXPECT_EQ(Evaluate(in, ctx).missing_allow, PolicyKind::kIdentity);
  const PolicyDocument allow = Doc(Allow("kms:*"));
  in.identity = {{"allow", &allow}};
  const PolicyResult r = Evaluate(in, ctx);
  EXPECT_TRUE(r.allowed());
  EXPECT_EQ(r.decided_by->policy, "grant 0123abcd");
  // A grant never outweighs an explicit deny.
  const PolicyDocument deny = Doc(Deny("kms:*"));
  in.identity = {{"deny", &deny}};
  EXPECT_EQ(Evaluate(in, ctx).outcome, Outcome::kExplicitDeny);
}

TEST(PolicyEvaluation, KMS_NotPrincipalDenyExemptsOnlyWhatItNamesWithItsAccount) {
  const PolicyDocument key = Doc(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"},
      {"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:role/admin",
                                             "arn:aws:iam::111122223333:root"]},
       "Action":"kms:*","Resource":"*"}]})",
                                 PolicyKind::kKeyPolicy);
  PolicyInputs in = KeyInputs(key);
  RequestContext admin = RoleCall(kA, "kms:Decrypt", kKey);
  admin.principal_arn = "arn:aws:iam::111122223333:role/admin";
  EXPECT_TRUE(Evaluate(in, admin).allowed());
  EXPECT_EQ(Evaluate(in, RoleCall(kA, "kms:Decrypt", kKey)).outcome, Outcome::kExplicitDeny);
  // Naming the role without its account does not exempt it.
  const PolicyDocument role_only = Doc(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"},
      {"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:role/admin"},
       "Action":"kms:*","Resource":"*"}]})",
                                       PolicyKind::kKeyPolicy);
  PolicyInputs in2 = KeyInputs(role_only);
  EXPECT_EQ(Evaluate(in2, admin).outcome, Outcome::kExplicitDeny);
}

TEST(PolicyEvaluation, KMS_ServicePrincipalMatchesOnlyThatService) {
  const PolicyDocument key = Doc(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Principal":{"Service":"delivery.logs.amazonaws.com"},
       "Action":"kms:GenerateDataKey*","Resource":"*"}]})",
                                 PolicyKind::kKeyPolicy);
  PolicyInputs in = KeyInputs(key);
  RequestContext service = RoleCall(kA, "kms:GenerateDataKey", kKey);
  service.service_principal = "delivery.logs.amazonaws.com";
  service.principal_account.clear();
  service.principal_arn.clear();
  EXPECT_TRUE(Evaluate(in, service).allowed());
  service.service_principal = "logs.amazonaws.com";
  EXPECT_EQ(Evaluate(in, service).missing_allow, PolicyKind::kKeyPolicy);
  EXPECT_EQ(Evaluate(in, RoleCall(kA, "kms:GenerateDataKey", kKey)).missing_allow,
            PolicyKind::kKeyPolicy);
}

// ---- Unknown never allows ------------------------------------------------------------------------

TEST(PolicyEvaluation, UnknownConditionNeverAllowsAndIsReported) {
  const PolicyDocument allow = Doc(Allow(
      "ec2:RunInstances", "*", R"(,"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}})"));
  PolicyInputs in;
  in.identity = {{"p", &allow}};
  RequestContext ctx = RoleCall(kA, "ec2:RunInstances");
  PolicyResult r = Evaluate(in, ctx);
  EXPECT_FALSE(r.allowed());
  ASSERT_EQ(r.residual.size(), 1u);
  EXPECT_THAT(r.residual[0], HasSubstr("allowed only if"));
  EXPECT_THAT(r.residual[0], HasSubstr("aws:SourceIp"));
  // Given the value, the answer is definite.
  ctx.Set("aws:SourceIp", "10.1.2.3");
  EXPECT_TRUE(Evaluate(in, ctx).allowed());
  ctx.Set("aws:SourceIp", "192.0.2.1");
  r = Evaluate(in, ctx);
  EXPECT_FALSE(r.allowed());
  EXPECT_TRUE(r.residual.empty());
}

TEST(PolicyEvaluation, UnknownConditionOnDenyKeepsTheDeny) {
  const PolicyDocument allow = Doc(Allow("ec2:*"));
  const PolicyDocument deny = Doc(Deny(
      "ec2:*", "*", R"(,"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}})"));
  PolicyInputs in;
  in.identity = {{"allow", &allow}, {"deny", &deny}};
  RequestContext ctx = RoleCall(kA, "ec2:RunInstances");
  PolicyResult r = Evaluate(in, ctx);
  EXPECT_FALSE(r.allowed());
  ASSERT_FALSE(r.residual.empty());
  EXPECT_THAT(r.residual[0], HasSubstr("denied if"));
  EXPECT_THAT(DenialMessage(r, ctx), HasSubstr("aws:MultiFactorAuthPresent"));
  ctx.Set("aws:MultiFactorAuthPresent", "true");
  EXPECT_TRUE(Evaluate(in, ctx).allowed());
}

}  // namespace
}  // namespace ami::lang
