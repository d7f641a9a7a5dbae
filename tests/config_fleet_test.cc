// ConfigFleetTable (ami/tools/config_fleet.h): its verdicts are EvaluateConfigRuleForAllAccounts'
// — compliance, deciding rule and annotation — for every instance of hand-made worlds (owner
// and consumer tags, missing and deregistered images, Allowed AMIs on, off and in audit mode,
// stopped, pending and terminated instances, two Regions) and of generated fleets.
#include "ami/tools/config_fleet.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ami/ami.h"
#include "ami/tools/config_rules.h"
#include "ami/tools/fleet.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cloud_fixture.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::ami::testing::Must;
using ::ami::testing::User;

ConfigRule Rule(absl::string_view identifier, absl::string_view parameters = "") {
  return Must(ConfigRule::Create(identifier, parameters));
}

// Every result of the table equals the engine's, and there are as many.
void ExpectSameAsEngine(const Cloud& cloud, const ConfigFleetTable& table, const ConfigRule& rule,
                        const std::vector<Region>& regions) {
  const ConfigEvaluation engine = EvaluateConfigRuleForAllAccounts(cloud, rule, regions);
  const FleetEvaluation fleet = Must(table.Evaluate(rule, regions));
  ASSERT_EQ(fleet.size(), engine.results().size()) << ManagedRuleName(rule.kind());
  for (const ComplianceType c :
       {ComplianceType::kCompliant, ComplianceType::kNonCompliant, ComplianceType::kNotApplicable}) {
    EXPECT_EQ(fleet.Count(c), engine.Count(c));
  }
  for (const ConfigResult& r : engine.results()) {
    const std::optional<FleetResult> f = fleet.Find(r.instance);
    ASSERT_TRUE(f.has_value()) << r.ResourceId();
    EXPECT_EQ(f->compliance, r.compliance) << r.ResourceId() << ": " << r.annotation;
    EXPECT_EQ(f->rule, r.rule) << r.ResourceId();
    EXPECT_EQ(f->account, r.account);
    EXPECT_EQ(f->region, r.region);
    EXPECT_EQ(fleet.Annotation(*f), r.annotation) << r.ResourceId();
  }
  size_t visited = 0;
  fleet.ForEach([&](const FleetResult&) { ++visited; });
  EXPECT_EQ(visited, fleet.size());
}

class ConfigFleetTest : public testing::CloudFixture {
 protected:
  InstanceId LaunchOne(const CallContext& ctx, ImageId image) {
    return Must(Launch(ctx, image)).front();
  }
  void Tag(const CallContext& ctx, ImageId image, std::string key, std::string value) {
    ASSERT_THAT(cloud->CreateTags(ctx, {image.ToString()}, {{std::move(key), std::move(value)}}),
                IsOk());
  }
  // A world with every case the rules tell apart.
  void MakeWorld() {
    const ImageId golden = SeedImage(owner);
    Tag(as_owner, golden, "golden", "true");
    ASSERT_THAT(Share(as_owner, golden, {User(b), User(c)}), IsOk());
    Tag(as_b, golden, "golden", "true");  // b tags the shared image itself (GOV-3).
    Tag(as_c, golden, "team", "x");       // c tags it, but not with an approved tag.
    const ImageId plain = SeedImage(owner);
    const ImageId from_amazon = SeedImage(amazon, {.alias = OwnerAlias::kAmazon, .is_public = true});
    const ImageId west_image = SeedImage(owner, {.region = west});
    LaunchOne(as_owner, golden);
    LaunchOne(as_owner, plain);
    LaunchOne(as_b, golden);
    LaunchOne(as_c, golden);
    LaunchOne(as_b, from_amazon);
    LaunchOne(as_owner_west, west_image);
    cloud->AdvanceClock(absl::Minutes(10));
    const InstanceId stopped = LaunchOne(as_owner, plain);
    cloud->AdvanceClock(absl::Minutes(10));
    ASSERT_THAT(cloud->StopInstances(as_owner, {stopped.ToString()}), IsOk());
    const InstanceId gone = LaunchOne(as_b, from_amazon);
    ASSERT_THAT(cloud->TerminateInstances(as_b, {gone.ToString()}), IsOk());
    LaunchOne(as_c, from_amazon);  // Pending: outside InstanceStateNameList's default.
    // An instance of an image deregistered since.
    const ImageId old = SeedImage(owner);
    Tag(as_owner, old, "golden", "true");
    LaunchOne(as_owner, old);
    ASSERT_THAT(cloud->DeregisterImage(as_owner, old.ToString()), IsOk());
    // Allowed AMIs: on for b (amazon only), audit mode for c.
    ASSERT_THAT(cloud->ReplaceImageCriteriaInAllowedImagesSettings(
                    as_b, {ImageCriterion{.image_providers = {"amazon"}}}),
                IsOk());
    ASSERT_THAT(cloud->EnableAllowedImagesSettings(as_b, AllowedImagesState::kEnabled), IsOk());
    ASSERT_THAT(cloud->ReplaceImageCriteriaInAllowedImagesSettings(
                    as_c, {ImageCriterion{.image_providers = {"amazon"}}}),
                IsOk());
    ASSERT_THAT(cloud->EnableAllowedImagesSettings(as_c, AllowedImagesState::kAuditMode), IsOk());
    approved_ = golden;
  }
  ImageId approved_ = ImageId::Short(0);
};

TEST_F(ConfigFleetTest, GOV_1_TheTableGivesTheEnginesVerdicts) {
  MakeWorld();
  const auto table = Must(ConfigFleetTable::Build(*cloud));
  const ConfigRule rule =
      Rule("APPROVED_AMIS_BY_ID", absl::StrCat(R"({"amiIds":")", approved_.ToString(), "\"}"));
  ExpectSameAsEngine(*cloud, *table, rule, {east});
  ExpectSameAsEngine(*cloud, *table, rule, {east, west});
  EXPECT_GT(Must(table->Evaluate(rule, {east})).Count(ComplianceType::kNonCompliant), 0u);
  EXPECT_GT(Must(table->Evaluate(rule, {east})).Count(ComplianceType::kCompliant), 0u);
}

TEST_F(ConfigFleetTest, GOV_2_GOV_3_TheTableGivesTheEnginesVerdictsForEveryTagView) {
  MakeWorld();
  const auto table = Must(ConfigFleetTable::Build(*cloud));
  ExpectSameAsEngine(*cloud, *table, Rule("APPROVED_AMIS_BY_TAG", R"({"amisByTagKeyAndValue":"golden:true"})"),
                     {east, west});
  ExpectSameAsEngine(*cloud, *table, Rule("APPROVED_AMIS_BY_TAG", R"({"amisByTagKeyAndValue":"team,other:1"})"),
                     {east});
}

TEST_F(ConfigFleetTest, GOV_5_TheTableGivesTheEnginesVerdicts) {
  MakeWorld();
  const auto table = Must(ConfigFleetTable::Build(*cloud));
  ExpectSameAsEngine(*cloud, *table, Rule("EC2_INSTANCE_LAUNCHED_WITH_ALLOWED_AMI"), {east, west});
  ExpectSameAsEngine(*cloud, *table,
                     Rule("EC2_INSTANCE_LAUNCHED_WITH_ALLOWED_AMI",
                          R"({"InstanceStateNameList":"pending,running"})"),
                     {east});
}

TEST_F(ConfigFleetTest, GOV_4_OnlyTheRegionsAskedAndLaterChangesAreNotSeen) {
  MakeWorld();
  const auto table = Must(ConfigFleetTable::Build(*cloud));
  const ConfigRule rule =
      Rule("APPROVED_AMIS_BY_ID", absl::StrCat(R"({"amiIds":")", approved_.ToString(), "\"}"));
  const size_t east_only = Must(table->Evaluate(rule, {east})).size();
  EXPECT_EQ(Must(table->Evaluate(rule, {east, west})).size(), east_only + 1);
  EXPECT_EQ(Must(table->Evaluate(rule, {})).size(), 0u);
  LaunchOne(as_owner, approved_);
  EXPECT_EQ(Must(table->Evaluate(rule, {east})).size(), east_only);
}

TEST_F(ConfigFleetTest, OtherResourceTypesAreRefused) {
  const auto table = Must(ConfigFleetTable::Build(*cloud));
  EXPECT_THAT(table->Evaluate(Rule("EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK"), {east}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(table->Evaluate(Rule("EC2_EBS_ENCRYPTION_BY_DEFAULT"), {east}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(ConfigFleetGeneratedTest, GOV_1_GOV_2_GeneratedFleetMatchesTheEngine) {
  FleetSpec spec;
  spec.accounts = 60;
  spec.organizations = 3;
  spec.images = 400;
  spec.instances = 3000;
  const Fleet fleet = Must(GenerateFleet(spec));
  const auto table = Must(ConfigFleetTable::Build(*fleet.cloud));
  std::string ids;
  for (size_t i = 0; i < fleet.images.size(); i += 7) {
    absl::StrAppend(&ids, ids.empty() ? "" : ",", fleet.images[i].id.ToString());
    if (ids.size() > 900) break;
  }
  ExpectSameAsEngine(*fleet.cloud, *table,
                     Rule("APPROVED_AMIS_BY_ID", absl::StrCat(R"({"amiIds":")", ids, "\"}")),
                     fleet.regions);
  const ConfigRule by_tag =
      Rule("APPROVED_AMIS_BY_TAG", R"({"amisByTagKeyAndValue":"env:prod,approved"})");
  ExpectSameAsEngine(*fleet.cloud, *table, by_tag, fleet.regions);
  // The fleet has both answers, so the comparison above can fail.
  const FleetEvaluation e = Must(table->Evaluate(by_tag, fleet.regions));
  EXPECT_GT(e.Count(ComplianceType::kCompliant), 0u);
  EXPECT_GT(e.Count(ComplianceType::kNonCompliant), 0u);
  ExpectSameAsEngine(*fleet.cloud, *table, Rule("EC2_INSTANCE_LAUNCHED_WITH_ALLOWED_AMI"),
                     fleet.regions);
}

}  // namespace
}  // namespace ami
