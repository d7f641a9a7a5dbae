// AWS Config managed rules (ami/tools/config_rules.h), rule by rule: approved-amis-by-id (GOV-1),
// approved-amis-by-tag (GOV-2, GOV-3), Regional evaluation (GOV-4),
// ec2-instance-launched-with-allowed-ami (GOV-5, GOV-7 … 9), ebs-snapshot-public-restorable-check
// and ec2-ebs-encryption-by-default (GOV-6); parameters and limits; describe-config-rules output.
// Each rule has a compliant and a non-compliant case.
#include "ami/tools/config_rules.h"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ami/ami.h"
#include "ami/cloud.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cloud_fixture.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::ami::testing::MessageHas;
using ::ami::testing::Must;
using ::ami::testing::User;
using ::testing::HasSubstr;
using ::testing::SizeIs;

class ConfigRulesTest : public testing::CloudFixture {
 protected:
  ConfigRule Rule(absl::string_view identifier, absl::string_view parameters = "") {
    return Must(ConfigRule::Create(identifier, parameters));
  }
  ConfigRule ByTag(absl::string_view entries) {
    return Rule("APPROVED_AMIS_BY_TAG",
                absl::StrCat("{\"amisByTagKeyAndValue\":\"", entries, "\"}"));
  }
  InstanceId LaunchOne(const CallContext& ctx, ImageId image) {
    return Must(Launch(ctx, image)).front();
  }
  void Tag(const CallContext& ctx, ImageId image, std::string key, std::string value) {
    ASSERT_THAT(cloud->CreateTags(ctx, {image.ToString()}, {{std::move(key), std::move(value)}}),
                IsOk());
  }
  // Launched instances become running once their pending time has passed.
  void Settle() { cloud->AdvanceClock(absl::Minutes(10)); }
  // The result for `id`; fails the test when there is none.
  static const ConfigResult& Of(const ConfigEvaluation& e, const std::string& id) {
    const ConfigResult* r = e.Find(id);
    if (r == nullptr) throw std::runtime_error("no result for " + id);
    return *r;
  }
  static const ConfigResult& Of(ConfigEvaluation&& e, const std::string& id) = delete;
  // The compliance of `id` in an evaluation that need not outlive the call.
  static ComplianceType ComplianceOf(const ConfigEvaluation& e, const std::string& id) {
    return Of(e, id).compliance;
  }
};

// ---- approved-amis-by-id (GOV-1) ------------------------------------------------------------

TEST_F(ConfigRulesTest, GOV_1_InstanceOfAnApprovedIdIsCompliantOthersAreNot) {
  const ImageId approved = SeedImage(owner);
  const ImageId other = SeedImage(owner);
  const InstanceId good = LaunchOne(as_owner, approved);
  const InstanceId bad = LaunchOne(as_owner, other);
  const ConfigRule rule = Rule("APPROVED_AMIS_BY_ID",
                               absl::StrCat("{\"amiIds\":\"", approved.ToString(), ", ami-0123456789abcdef0\"}"));
  const ConfigEvaluation e = EvaluateConfigRule(*cloud, rule, owner, east);
  ASSERT_THAT(e.results(), SizeIs(2));
  const ConfigResult& g = Of(e, good.ToString());
  EXPECT_EQ(g.compliance, ComplianceType::kCompliant);
  EXPECT_EQ(g.resource_type, ConfigResourceType::kInstance);
  EXPECT_EQ(g.rule, "GOV-1");
  const ConfigResult& n = Of(e, bad.ToString());
  EXPECT_EQ(n.compliance, ComplianceType::kNonCompliant);
  EXPECT_THAT(std::string(n.annotation), HasSubstr(other.ToString()));
  EXPECT_THAT(std::string(n.annotation), HasSubstr(approved.ToString()));
  EXPECT_EQ(ToString(n.compliance), "NON_COMPLIANT");
  EXPECT_EQ(ToString(n.resource_type), "AWS::EC2::Instance");
}

TEST_F(ConfigRulesTest, GOV_3_DeregisteredImageIsStillMatchedById) {
  const ImageId image = SeedImage(owner);
  const InstanceId i = LaunchOne(as_owner, image);
  ASSERT_THAT(cloud->DeregisterImage(as_owner, image.ToString()), IsOk());
  const ConfigRule rule = Rule("APPROVED_AMIS_BY_ID",
                               absl::StrCat("{\"amiIds\":\"", image.ToString(), "\"}"));
  EXPECT_EQ(ComplianceOf(EvaluateConfigRule(*cloud, rule, owner, east), i.ToString()),
            ComplianceType::kCompliant);
}

// ---- approved-amis-by-tag (GOV-2, GOV-3) ------------------------------------------------------

TEST_F(ConfigRulesTest, GOV_2_AnyEntryApprovesKeyAloneOrKeyAndValue) {
  const ImageId golden = SeedImage(owner);
  const ImageId approved = SeedImage(owner);
  const ImageId wrong_value = SeedImage(owner);
  const ImageId untagged = SeedImage(owner);
  Tag(as_owner, golden, "golden", "true");
  Tag(as_owner, approved, "approved", "anything");
  Tag(as_owner, wrong_value, "golden", "false");
  const InstanceId i1 = LaunchOne(as_owner, golden);
  const InstanceId i2 = LaunchOne(as_owner, approved);
  const InstanceId i3 = LaunchOne(as_owner, wrong_value);
  const InstanceId i4 = LaunchOne(as_owner, untagged);
  const ConfigEvaluation e = EvaluateConfigRule(*cloud, ByTag("golden:true,approved"), owner, east);
  ASSERT_THAT(e.results(), SizeIs(4));
  EXPECT_EQ(Of(e, i1.ToString()).compliance, ComplianceType::kCompliant);
  EXPECT_THAT(std::string(Of(e, i1.ToString()).annotation), HasSubstr("golden=true"));
  EXPECT_EQ(Of(e, i2.ToString()).compliance, ComplianceType::kCompliant);
  EXPECT_EQ(Of(e, i3.ToString()).compliance, ComplianceType::kNonCompliant);
  const ConfigResult& n = Of(e, i4.ToString());
  EXPECT_EQ(n.compliance, ComplianceType::kNonCompliant);
  EXPECT_EQ(n.rule, "GOV-2");
  EXPECT_THAT(std::string(n.annotation), HasSubstr(untagged.ToString()));
  EXPECT_THAT(std::string(n.annotation), HasSubstr("golden:true"));
  EXPECT_EQ(e.Count(ComplianceType::kCompliant), 2u);
}

TEST_F(ConfigRulesTest, GOV_3_SharedImageTaggedByItsOwnerOnlyIsNonCompliantForTheConsumer) {
  const ImageId image = SeedImage(owner);
  Tag(as_owner, image, "golden", "true");
  ASSERT_THAT(Share(as_owner, image, {User(b)}), IsOk());
  const InstanceId mine = LaunchOne(as_owner, image);
  const InstanceId theirs = LaunchOne(as_b, image);
  const ConfigRule rule = ByTag("golden:true");
  EXPECT_EQ(ComplianceOf(EvaluateConfigRule(*cloud, rule, owner, east), mine.ToString()),
            ComplianceType::kCompliant);
  const ConfigEvaluation e = EvaluateConfigRule(*cloud, rule, b, east);
  ASSERT_THAT(e.results(), SizeIs(1));
  const ConfigResult& r = Of(e, theirs.ToString());
  EXPECT_EQ(r.compliance, ComplianceType::kNonCompliant);
  EXPECT_EQ(r.rule, "GOV-3");
  EXPECT_THAT(std::string(r.annotation), HasSubstr(owner.ToString()));
  EXPECT_THAT(std::string(r.annotation), HasSubstr("golden:true"));
}

TEST_F(ConfigRulesTest, GOV_3_SharedImageTaggedByTheConsumerIsCompliant) {
  const ImageId image = SeedImage(owner);
  ASSERT_THAT(Share(as_owner, image, {User(b), User(c)}), IsOk());
  Tag(as_b, image, "golden", "true");
  const InstanceId by_b = LaunchOne(as_b, image);
  const InstanceId by_c = LaunchOne(as_c, image);
  const ConfigRule rule = ByTag("golden:true");
  const ConfigEvaluation e = EvaluateConfigRule(*cloud, rule, b, east);
  const ConfigResult& r = Of(e, by_b.ToString());
  EXPECT_EQ(r.compliance, ComplianceType::kCompliant);
  EXPECT_THAT(std::string(r.annotation), HasSubstr(b.ToString()));
  // The owner has not tagged it, and c's view holds b's tags no more than the owner's.
  EXPECT_EQ(ComplianceOf(EvaluateConfigRule(*cloud, rule, c, east), by_c.ToString()),
            ComplianceType::kNonCompliant);
  // All accounts at once give the same verdicts.
  const ConfigEvaluation all = EvaluateConfigRuleForAllAccounts(*cloud, rule, {east});
  EXPECT_EQ(Of(all, by_b.ToString()).compliance, ComplianceType::kCompliant);
  EXPECT_EQ(Of(all, by_c.ToString()).compliance, ComplianceType::kNonCompliant);
}

TEST_F(ConfigRulesTest, GOV_3_StoppedInstancesAreEvaluatedTerminatedOnesAreNot) {
  const ImageId image = SeedImage(owner);
  Tag(as_owner, image, "golden", "true");
  const InstanceId stopped = LaunchOne(as_owner, image);
  const InstanceId terminated = LaunchOne(as_owner, image);
  Settle();
  ASSERT_THAT(cloud->StopInstances(as_owner, {stopped.ToString()}), IsOk());
  ASSERT_THAT(cloud->TerminateInstances(as_owner, {terminated.ToString()}), IsOk());
  Settle();
  ASSERT_EQ(cloud->GetInstance(stopped)->state(), InstanceState::kStopped);
  ASSERT_EQ(cloud->GetInstance(terminated)->state(), InstanceState::kTerminated);
  const ConfigEvaluation e = EvaluateConfigRule(*cloud, ByTag("golden"), owner, east);
  ASSERT_THAT(e.results(), SizeIs(1));
  EXPECT_EQ(Of(e, stopped.ToString()).compliance, ComplianceType::kCompliant);
  EXPECT_EQ(e.Find(terminated.ToString()), nullptr);
}

TEST_F(ConfigRulesTest, GOV_3_DeregisteredImageIsNonCompliantByTagAndSaysSo) {
  const ImageId image = SeedImage(owner);
  Tag(as_owner, image, "golden", "true");
  const InstanceId i = LaunchOne(as_owner, image);
  ASSERT_THAT(cloud->DeregisterImage(as_owner, image.ToString()), IsOk());
  const ConfigEvaluation e = EvaluateConfigRule(*cloud, ByTag("golden"), owner, east);
  const ConfigResult& r = Of(e, i.ToString());
  EXPECT_EQ(r.compliance, ComplianceType::kNonCompliant);
  EXPECT_THAT(std::string(r.annotation), HasSubstr("deregistered"));
  EXPECT_THAT(std::string(r.annotation), HasSubstr(image.ToString()));
}

// ---- Regional (GOV-4) -----------------------------------------------------------------------

TEST_F(ConfigRulesTest, GOV_4_OnlyTheRegionsInstancesAreEvaluated) {
  const ImageId in_east = SeedImage(owner);
  const ImageId in_west = SeedImage(owner, {.region = west});
  const InstanceId e1 = LaunchOne(as_owner, in_east);
  const InstanceId w1 = LaunchOne(as_owner_west, in_west);
  LaunchOne(as_b, SeedImage(b));  // Another account's instance in the Region.
  const ConfigRule rule = Rule("APPROVED_AMIS_BY_ID",
                               absl::StrCat("{\"amiIds\":\"", in_east.ToString(), "\"}"));
  const ConfigEvaluation east_results = EvaluateConfigRule(*cloud, rule, owner, east);
  ASSERT_THAT(east_results.results(), SizeIs(1));
  EXPECT_EQ(Of(east_results, e1.ToString()).compliance, ComplianceType::kCompliant);
  const ConfigEvaluation west_results = EvaluateConfigRule(*cloud, rule, owner, west);
  ASSERT_THAT(west_results.results(), SizeIs(1));
  // The list names the us-east-1 id: the west instance is not approved there.
  EXPECT_EQ(Of(west_results, w1.ToString()).compliance, ComplianceType::kNonCompliant);
  EXPECT_EQ(Of(west_results, w1.ToString()).region, west);
  EXPECT_THAT(EvaluateConfigRuleForAllAccounts(*cloud, rule, {east}).results(), SizeIs(2));
  EXPECT_THAT(EvaluateConfigRuleForAllAccounts(*cloud, rule, {east, west}).results(), SizeIs(3));
}

// ---- ec2-instance-launched-with-allowed-ami (GOV-5, GOV-7 … 9) -------------------------------

class AllowedAmiRuleTest : public ConfigRulesTest {
 protected:
  void SetAllowed(const CallContext& ctx, AllowedImagesState state,
                  std::vector<ImageCriterion> criteria) {
    ASSERT_THAT(cloud->ReplaceImageCriteriaInAllowedImagesSettings(ctx, std::move(criteria)),
                IsOk());
    ASSERT_THAT(cloud->EnableAllowedImagesSettings(ctx, state), IsOk());
  }
  ConfigRule AllowedRule() { return Rule("EC2_INSTANCE_LAUNCHED_WITH_ALLOWED_AMI"); }
};

TEST_F(AllowedAmiRuleTest, GOV_5_ImageOutsideTheCriteriaIsNonCompliantInsideIsCompliant) {
  const ImageId from_amazon = SeedImage(amazon, {.alias = OwnerAlias::kAmazon, .is_public = true});
  const ImageId from_c = SeedImage(c, {.is_public = true});
  const InstanceId good = LaunchOne(as_b, from_amazon);
  const InstanceId bad = LaunchOne(as_b, from_c);
  const InstanceId own = LaunchOne(as_b, SeedImage(b));
  Settle();
  SetAllowed(as_b, AllowedImagesState::kEnabled, {ImageCriterion{.image_providers = {"amazon"}}});
  const ConfigEvaluation e = EvaluateConfigRule(*cloud, AllowedRule(), b, east);
  ASSERT_THAT(e.results(), SizeIs(3));
  EXPECT_EQ(Of(e, good.ToString()).compliance, ComplianceType::kCompliant);
  EXPECT_EQ(Of(e, good.ToString()).rule, "GOV-8");
  const ConfigResult& n = Of(e, bad.ToString());
  EXPECT_EQ(n.compliance, ComplianceType::kNonCompliant);
  EXPECT_EQ(n.rule, "GOV-8");
  EXPECT_THAT(std::string(n.annotation), HasSubstr(from_c.ToString()));
  // GOV-9: the account's own images are never restricted.
  EXPECT_EQ(Of(e, own.ToString()).compliance, ComplianceType::kCompliant);
  EXPECT_EQ(Of(e, own.ToString()).rule, "GOV-9");
}

TEST_F(AllowedAmiRuleTest, GOV_5_AuditModeReportsWhatEnabledWouldBlock) {
  const ImageId from_c = SeedImage(c, {.is_public = true});
  const InstanceId i = LaunchOne(as_b, from_c);
  Settle();
  SetAllowed(as_b, AllowedImagesState::kAuditMode, {ImageCriterion{.image_providers = {"amazon"}}});
  const ConfigEvaluation e = EvaluateConfigRule(*cloud, AllowedRule(), b, east);
  const ConfigResult& r = Of(e, i.ToString());
  EXPECT_EQ(r.compliance, ComplianceType::kNonCompliant);
  EXPECT_EQ(r.rule, "GOV-7");
}

TEST_F(AllowedAmiRuleTest, GOV_5_DisabledSettingFailsNoInstance) {
  const ImageId from_c = SeedImage(c, {.is_public = true});
  const InstanceId i = LaunchOne(as_b, from_c);
  Settle();
  const ConfigEvaluation e = EvaluateConfigRule(*cloud, AllowedRule(), b, east);
  const ConfigResult& r = Of(e, i.ToString());
  EXPECT_EQ(r.compliance, ComplianceType::kCompliant);
  EXPECT_EQ(r.rule, "GOV-7");
  EXPECT_THAT(std::string(r.annotation), HasSubstr("disabled"));
}

TEST_F(AllowedAmiRuleTest, GOV_5_StatesOutsideInstanceStateNameListAreNotApplicable) {
  const ImageId from_c = SeedImage(c, {.is_public = true});
  const InstanceId pending = LaunchOne(as_b, from_c);
  SetAllowed(as_b, AllowedImagesState::kEnabled, {ImageCriterion{.image_providers = {"amazon"}}});
  const ConfigEvaluation e = EvaluateConfigRule(*cloud, AllowedRule(), b, east);
  const ConfigResult& r = Of(e, pending.ToString());
  ASSERT_EQ(cloud->GetInstance(pending)->state(), InstanceState::kPending);
  EXPECT_EQ(r.compliance, ComplianceType::kNotApplicable);
  EXPECT_THAT(std::string(r.annotation), HasSubstr("pending"));
  const ConfigRule with_pending =
      Rule("EC2_INSTANCE_LAUNCHED_WITH_ALLOWED_AMI", R"({"InstanceStateNameList":"pending,running"})");
  EXPECT_EQ(ComplianceOf(EvaluateConfigRule(*cloud, with_pending, b, east), pending.ToString()),
            ComplianceType::kNonCompliant);
}

// ---- ebs-snapshot-public-restorable-check, ec2-ebs-encryption-by-default (GOV-6) -------------

TEST_F(ConfigRulesTest, GOV_6_PublicSnapshotIsNonCompliantPrivateIsCompliant) {
  const SnapshotId open = SeedSnapshot(owner, std::nullopt, /*is_public=*/true);
  const SnapshotId closed = SeedSnapshot(owner);
  SeedSnapshot(owner, std::nullopt, true, west);  // Another Region.
  SeedSnapshot(b, std::nullopt, true);            // Another account.
  const ConfigEvaluation e =
      EvaluateConfigRule(*cloud, Rule("EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK", "{}"), owner, east);
  ASSERT_THAT(e.results(), SizeIs(2));
  const ConfigResult& r = Of(e, open.ToString());
  EXPECT_EQ(r.compliance, ComplianceType::kNonCompliant);
  EXPECT_EQ(r.resource_type, ConfigResourceType::kSnapshot);
  EXPECT_EQ(ToString(r.resource_type), "AWS::EC2::Snapshot");
  EXPECT_EQ(r.rule, "GOV-6");
  EXPECT_EQ(Of(e, closed.ToString()).compliance, ComplianceType::kCompliant);
}

TEST_F(ConfigRulesTest, GOV_6_EbsEncryptionByDefaultOneResultForTheAccount) {
  const ConfigRule rule = Rule("EC2_EBS_ENCRYPTION_BY_DEFAULT");
  const ConfigEvaluation off = EvaluateConfigRule(*cloud, rule, owner, east);
  ASSERT_THAT(off.results(), SizeIs(1));
  const ConfigResult& r = Of(off, owner.ToString());
  EXPECT_EQ(r.resource_type, ConfigResourceType::kAccount);
  EXPECT_EQ(ToString(r.resource_type), "AWS::::Account");
  EXPECT_EQ(r.compliance, ComplianceType::kNonCompliant);
  ASSERT_THAT(cloud->EnableEbsEncryptionByDefault(as_owner), IsOk());
  EXPECT_EQ(ComplianceOf(EvaluateConfigRule(*cloud, rule, owner, east), owner.ToString()),
            ComplianceType::kCompliant);
  // Per Region (GOV-4): still off in eu-west-1.
  EXPECT_EQ(ComplianceOf(EvaluateConfigRule(*cloud, rule, owner, west), owner.ToString()),
            ComplianceType::kNonCompliant);
}

// ---- Parameters -------------------------------------------------------------------------------

TEST_F(ConfigRulesTest, GOV_1_AmiIdsOver1024CharactersRefused) {
  std::string ids;
  while (ids.size() <= kMaxApprovedAmiIdsChars) absl::StrAppend(&ids, ids.empty() ? "" : ",", "ami-0123456789abcdef0");
  const absl::StatusOr<ConfigRule> r =
      ConfigRule::Create("APPROVED_AMIS_BY_ID", absl::StrCat("{\"amiIds\":\"", ids, "\"}"));
  EXPECT_THAT(r.status(), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(r.status(), MessageHas("1024"));
  // At the limit it is accepted.
  std::string at_limit = "ami-0123456789abcdef0";
  while (at_limit.size() + 22 <= kMaxApprovedAmiIdsChars) absl::StrAppend(&at_limit, ",ami-0123456789abcdef0");
  EXPECT_THAT(ConfigRule::Create("APPROVED_AMIS_BY_ID",
                                 absl::StrCat("{\"amiIds\":\"", at_limit, "\"}")).status(),
              IsOk());
}

TEST_F(ConfigRulesTest, GOV_2_MoreThanTenTagEntriesRefused) {
  EXPECT_THAT(ConfigRule::Create("APPROVED_AMIS_BY_TAG",
                                 R"({"amisByTagKeyAndValue":"a,b,c,d,e,f,g,h,i,j:v"})").status(),
              IsOk());
  const absl::StatusOr<ConfigRule> r = ConfigRule::Create(
      "APPROVED_AMIS_BY_TAG", R"({"amisByTagKeyAndValue":"a,b,c,d,e,f,g,h,i,j,k"})");
  EXPECT_THAT(r.status(), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(r.status(), MessageHas("at most 10"));
  const ConfigRule ok = ByTag("env:prod, team");
  ASSERT_THAT(ok.approved_tags(), SizeIs(2));
  EXPECT_EQ(ok.approved_tags()[0].key, "env");
  EXPECT_EQ(ok.approved_tags()[0].value, "prod");
  EXPECT_EQ(ok.approved_tags()[1].key, "team");
  EXPECT_FALSE(ok.approved_tags()[1].value.has_value());
}

TEST_F(ConfigRulesTest, ParametersRefusedWhenMissingMalformedOrUnknown) {
  EXPECT_THAT(ConfigRule::Create("APPROVED_AMIS_BY_ID", "{}").status(),
              HasErrorCode(ErrorCode::kMissingParameter));
  EXPECT_THAT(ConfigRule::Create("APPROVED_AMIS_BY_ID", R"({"amiIds":"ami-nothex"})").status(),
              MessageHas("ami-nothex"));
  EXPECT_THAT(ConfigRule::Create("APPROVED_AMIS_BY_ID", R"({"amiIds":"ami-0123456789abcdef0","x":"1"})").status(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(ConfigRule::Create("EC2_EBS_ENCRYPTION_BY_DEFAULT", R"({"amiIds":"x"})").status(),
              MessageHas("amiIds"));
  EXPECT_THAT(ConfigRule::Create("EC2_INSTANCE_LAUNCHED_WITH_ALLOWED_AMI",
                                 R"({"InstanceStateNameList":"running,sleeping"})").status(),
              MessageHas("sleeping"));
  EXPECT_THAT(ConfigRule::Create("APPROVED_AMIS_BY_ID", "[1,2]").status(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(ConfigRule::Create("APPROVED_AMIS_BY_ID", "{not json").status(),
              HasErrorCode(ErrorCode::kSerializationException));
  EXPECT_THAT(ConfigRule::Create("REQUIRED_TAGS", "{}").status(), MessageHas("REQUIRED_TAGS"));
  const ConfigRule rule = Rule("EC2_INSTANCE_LAUNCHED_WITH_ALLOWED_AMI");
  EXPECT_THAT(rule.instance_states(), ::testing::ElementsAre(InstanceState::kRunning, InstanceState::kStopped));
  EXPECT_EQ(rule.name(), "ec2-instance-launched-with-allowed-ami");
}

// ---- describe-config-rules --------------------------------------------------------------------

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(AMI_SOURCE_DIR) + "/tests/fixtures/aws/config/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_F(ConfigRulesTest, DescribeConfigRulesOutputParsesIntoRules) {
  const std::vector<ConfigRule> rules = Must(ParseDescribeConfigRules(Fixture("describe-config-rules.json")));
  ASSERT_THAT(rules, SizeIs(5));
  EXPECT_EQ(rules[0].kind(), ConfigRuleKind::kApprovedAmisById);
  EXPECT_THAT(rules[0].ami_ids(), SizeIs(2));
  EXPECT_EQ(rules[1].kind(), ConfigRuleKind::kApprovedAmisByTag);
  EXPECT_EQ(rules[1].name(), "golden-amis-by-tag");
  EXPECT_THAT(rules[1].approved_tags(), SizeIs(2));
  EXPECT_EQ(rules[2].kind(), ConfigRuleKind::kInstanceLaunchedWithAllowedAmi);
  EXPECT_EQ(rules[3].kind(), ConfigRuleKind::kEbsSnapshotPublicRestorableCheck);
  EXPECT_EQ(rules[4].kind(), ConfigRuleKind::kEbsEncryptionByDefault);
  EXPECT_EQ(SourceIdentifier(rules[4].kind()), "EC2_EBS_ENCRYPTION_BY_DEFAULT");
  EXPECT_EQ(ManagedRuleName(rules[2].kind()), "ec2-instance-launched-with-allowed-ami");
}

TEST_F(ConfigRulesTest, GOV_4_ARuleIsDeployedInTheRegionOfItsArn) {
  const std::vector<ConfigRule> rules =
      Must(ParseDescribeConfigRules(Fixture("describe-config-rules.json")));
  EXPECT_EQ(rules[0].region(), std::optional<Region>(east));
  EXPECT_EQ(Rule("APPROVED_AMIS_BY_ID", R"({"amiIds":"ami-0123456789abcdef0"})").region(),
            std::nullopt);
  // A rules file written by hand: no Owner, no ARN — evaluated in every Region asked.
  const std::vector<ConfigRule> by_hand = Must(ParseDescribeConfigRules(R"({"ConfigRules":[
    {"ConfigRuleName":"golden","Source":{"SourceIdentifier":"APPROVED_AMIS_BY_TAG"},
     "InputParameters":"{\"amisByTagKeyAndValue\":\"approved:true\"}"}]})"));
  ASSERT_THAT(by_hand, SizeIs(1));
  EXPECT_EQ(by_hand[0].name(), "golden");
  EXPECT_EQ(by_hand[0].region(), std::nullopt);
  const std::vector<ConfigRule> west_rules = Must(ParseDescribeConfigRules(R"({"ConfigRules":[
    {"ConfigRuleName":"enc","ConfigRuleArn":"arn:aws:config:eu-west-1:111122223333:config-rule/config-rule-1",
     "Source":{"Owner":"AWS","SourceIdentifier":"EC2_EBS_ENCRYPTION_BY_DEFAULT"}}]})"));
  EXPECT_EQ(west_rules[0].region(), std::optional<Region>(west));
  for (const char* arn : {"arn:aws:config:mars-1:111122223333:config-rule/config-rule-1",
                          "arn:aws:s3:::bucket", "config-rule-1"}) {
    EXPECT_THAT(ParseDescribeConfigRules(absl::StrCat(R"({"ConfigRules":[{"ConfigRuleName":"enc",
        "ConfigRuleArn":")", arn, R"(","Source":{"Owner":"AWS","SourceIdentifier":"EC2_EBS_ENCRYPTION_BY_DEFAULT"}}]})"))
                    .status(),
                HasErrorCode(ErrorCode::kInvalidParameterValue))
        << arn;
  }
}

TEST_F(ConfigRulesTest, DescribeConfigRulesRefusesUnknownCustomAndOversizedInput) {
  const absl::StatusOr<std::vector<ConfigRule>> unknown = ParseDescribeConfigRules(R"({"ConfigRules":[
    {"ConfigRuleName":"tags","Source":{"Owner":"AWS","SourceIdentifier":"REQUIRED_TAGS"},"InputParameters":"{}"},
    {"ConfigRuleName":"ok","Source":{"Owner":"AWS","SourceIdentifier":"EC2_EBS_ENCRYPTION_BY_DEFAULT"}},
    {"ConfigRuleName":"mfa","Source":{"Owner":"AWS","SourceIdentifier":"ROOT_ACCOUNT_MFA_ENABLED"}}]})");
  EXPECT_THAT(unknown.status(), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(unknown.status(), MessageHas("REQUIRED_TAGS"));
  EXPECT_THAT(unknown.status(), MessageHas("ROOT_ACCOUNT_MFA_ENABLED"));
  EXPECT_THAT(ParseDescribeConfigRules(R"({"ConfigRules":[{"ConfigRuleName":"mine",
      "Source":{"Owner":"CUSTOM_LAMBDA","SourceIdentifier":"arn:aws:lambda:us-east-1:111122223333:function:f"}}]})")
                  .status(),
              MessageHas("custom rule"));
  EXPECT_THAT(ParseDescribeConfigRules(R"({"ConfigRules":[{"ConfigRuleName":"ids",
      "Source":{"Owner":"AWS","SourceIdentifier":"APPROVED_AMIS_BY_ID"},"InputParameters":"{}"}]})")
                  .status(),
              MessageHas("ids"));
  EXPECT_THAT(ParseDescribeConfigRules(std::string(kMaxDescribeConfigRulesBytes + 1, ' ')).status(),
              HasErrorCode(ErrorCode::kResourceLimitExceeded));
  EXPECT_THAT(ParseDescribeConfigRules(std::string(100, '[') + std::string(100, ']')).status(),
              HasErrorCode(ErrorCode::kSerializationException));
  EXPECT_THAT(ParseDescribeConfigRules(R"({"Rules":[]})").status(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(Must(ParseDescribeConfigRules(R"({"ConfigRules":[]})")), SizeIs(0));
}

}  // namespace
}  // namespace ami
