// The audit (ami/tools/audit.h): its scope (audited accounts, Regions, rules), severities,
// instance findings judged on the cloud's clock (DEREG-7), AWS Config NON_COMPLIANT results as
// findings (GOV-1 … 6), totals, the HTML page, and a realistic import of 60,000 public images of
// other companies whose default audit says nothing about them.
#include "ami/tools/audit.h"

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "ami/ami.h"
#include "ami/io/aws_import.h"
#include "ami/tools/config_rules.h"
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
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// "kind resource" for each finding, in report order.
std::vector<std::string> Summary(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const Finding& f : findings) out.push_back(absl::StrCat(ToString(f.kind), " ", f.resource));
  return out;
}

class AuditTest : public testing::CloudFixture {
 protected:
  AuditReport Run(AuditOptions options = {}) { return Must(Audit(*cloud, options)); }
  ConfigRule ApprovedIds(const std::vector<ImageId>& ids, std::string name = "") {
    std::string list;
    for (const ImageId id : ids) absl::StrAppend(&list, list.empty() ? "" : ",", id.ToString());
    return Must(ConfigRule::Create("APPROVED_AMIS_BY_ID",
                                   absl::StrCat("{\"amiIds\":\"", list, "\"}"), name));
  }
  InstanceId LaunchOne(const CallContext& ctx, ImageId image,
                       std::vector<std::pair<std::string, std::string>> tags = {}) {
    RunInstancesRequest r;
    r.image_id = image.ToString();
    r.tags = std::move(tags);
    return Must(cloud->RunInstances(ctx, r)).front();
  }
};

// ---- Scope -----------------------------------------------------------------------------------

TEST_F(AuditTest, DefaultScopeIsTheAccountsTheStateHolds) {
  ASSERT_THAT(cloud->AddAccount(owner), IsOk());
  const ImageId mine = SeedImage(owner, {.is_public = true});
  SeedImage(amazon, {.alias = OwnerAlias::kAmazon, .is_public = true});
  const AuditReport r = Run();
  EXPECT_THAT(r.owners, ElementsAre(owner));
  EXPECT_THAT(Summary(r.findings), ElementsAre(absl::StrCat("public-image ", mine.ToString())));
  EXPECT_EQ(r.by_account.size(), 1u);
  EXPECT_EQ(r.by_account.at(owner), 1u);
}

TEST_F(AuditTest, OwnersNameTheAccountsAudited) {
  SeedImage(owner, {.is_public = true});
  const ImageId theirs = SeedImage(amazon, {.alias = OwnerAlias::kAmazon, .is_public = true});
  const AuditReport r = Run({.owners = {amazon}});
  EXPECT_THAT(Summary(r.findings), ElementsAre(absl::StrCat("public-image ", theirs.ToString())));
  EXPECT_THAT(r.owners, ElementsAre(amazon));
}

TEST_F(AuditTest, MC_77_WithoutAccountsTheOwnersOfInstancesAndKeysAreAudited) {
  const ImageId theirs = SeedImage(
      amazon, {.alias = OwnerAlias::kAmazon, .is_public = true, .snapshot_public = true});
  EXPECT_THAT(AuditedAccounts(*cloud), ElementsAre(amazon));  // Nothing else to go by.
  LaunchOne(as_b, theirs);
  EXPECT_THAT(AuditedAccounts(*cloud), ElementsAre(b));
  CustomerKey(as_c);
  EXPECT_THAT(AuditedAccounts(*cloud), ElementsAre(b, c));
  EXPECT_THAT(Run().findings, IsEmpty());
}

TEST_F(AuditTest, MC_77_WithoutInstancesOrKeysOwnersOfPrivateResourcesAreAudited) {
  SeedImage(amazon, {.alias = OwnerAlias::kAmazon, .is_public = true, .snapshot_public = true});
  SeedImage(owner);
  EXPECT_THAT(AuditedAccounts(*cloud), ElementsAre(owner));
}

TEST_F(AuditTest, RegionsNarrowTheAudit) {
  const ImageId east_image = SeedImage(owner, {.is_public = true});
  const ImageId west_image = SeedImage(owner, {.is_public = true, .region = west});
  EXPECT_THAT(Summary(Run({.owners = {owner}, .regions = {west}}).findings),
              ElementsAre(absl::StrCat("public-image ", west_image.ToString())));
  const AuditReport all = Run({.owners = {owner}});
  EXPECT_THAT(Summary(all.findings),
              ElementsAre(absl::StrCat("public-image ", east_image.ToString()),
                          absl::StrCat("public-image ", west_image.ToString())));
  EXPECT_EQ(all.by_region.at(east), 1u);
  EXPECT_EQ(all.by_region.at(west), 1u);
}

TEST_F(AuditTest, RulesKeepFindingsByKindOrRuleId) {
  const ImageId image = SeedImage(owner, {.is_public = true, .snapshot_public = true});
  const SnapshotId snap = RootSnapshot(image);
  EXPECT_THAT(Summary(Run({.owners = {owner}, .rules = {"public-snapshot"}}).findings),
              ElementsAre(absl::StrCat("public-snapshot ", snap.ToString())));
  EXPECT_THAT(Summary(Run({.owners = {owner}, .rules = {"ATTR-1"}}).findings),
              ElementsAre(absl::StrCat("public-image ", image.ToString())));
  EXPECT_THAT(Run({.owners = {owner}, .rules = {"SHARE-7"}}).findings, IsEmpty());
  const AuditReport both = Run({.owners = {owner}, .rules = {"ATTR-1", "SNAP-1"}});
  EXPECT_EQ(both.findings.size(), 2u);
  EXPECT_EQ(both.by_rule.at("ATTR-1"), 1u);
  EXPECT_EQ(both.by_rule.at("SNAP-1"), 1u);
}

TEST_F(AuditTest, AnUnknownRuleIsInvalidParameterValue) {
  const auto r = Audit(*cloud, {.rules = {"public-images"}});
  EXPECT_THAT(r, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(r, MessageHas("unknown rule `public-images`"));
  EXPECT_THAT(Audit(*cloud, {.rules = {"share-7"}}), HasErrorCode(ErrorCode::kInvalidParameterValue));
}

// ---- Severity --------------------------------------------------------------------------------

TEST_F(AuditTest, SeverityByKindMostSevereFirst) {
  const KmsKeyArn aws = AwsManagedKey(owner);
  SeedImage(owner, {.key = aws});
  const ImageId image = SeedImage(owner, {.is_public = true, .snapshot_public = true});
  const AuditReport r = Run({.owners = {owner}});
  std::vector<std::string> got;
  for (const Finding& f : r.findings) got.push_back(absl::StrCat(ToString(f.severity), " ", ToString(f.kind)));
  EXPECT_THAT(got, ElementsAre("critical public-snapshot", "high public-image",
                               "medium unshareable-aws-managed-key"));
  EXPECT_EQ(r.findings[1].resource, image.ToString());
  EXPECT_EQ(r.findings[1].resource_type, "AWS::EC2::Image");
  EXPECT_EQ(r.findings[0].resource_type, "AWS::EC2::Snapshot");
  EXPECT_EQ(r.by_severity[static_cast<size_t>(Severity::kCritical)], 1u);
  EXPECT_EQ(r.CountAtLeast(Severity::kCritical), 1u);
  EXPECT_EQ(r.CountAtLeast(Severity::kHigh), 2u);
  EXPECT_EQ(r.CountAtLeast(Severity::kInfo), 3u);
}

TEST(Severity, ParsesItsWordsInAnyCaseOnly) {
  EXPECT_EQ(ParseSeverity("critical").value(), Severity::kCritical);
  EXPECT_EQ(ParseSeverity("HIGH").value(), Severity::kHigh);
  EXPECT_EQ(ParseSeverity("info").value(), Severity::kInfo);
  EXPECT_THAT(ParseSeverity("severe"), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_TRUE(AtLeast(Severity::kCritical, Severity::kHigh));
  EXPECT_TRUE(AtLeast(Severity::kHigh, Severity::kHigh));
  EXPECT_FALSE(AtLeast(Severity::kLow, Severity::kMedium));
}

// ---- Instances and the clock -------------------------------------------------------------------

TEST_F(AuditTest, DEREG_7_AnInstanceOfAnAuditedAccountRunningADeprecatedImageAsOfTheClock) {
  const ImageId theirs = SeedImage(amazon, {.alias = OwnerAlias::kAmazon,
                                            .deprecated = t0 + absl::Hours(24 * 30),
                                            .is_public = true});
  const InstanceId mine = LaunchOne(as_owner, theirs, {{"Name", "web-1"}});
  LaunchOne(as_b, theirs);  // Not audited.
  EXPECT_THAT(Run({.owners = {owner}}).findings, IsEmpty());
  cloud->AdvanceClock(absl::Hours(24 * 31));
  const AuditReport r = Run({.owners = {owner}});
  ASSERT_EQ(r.findings.size(), 1u);
  const Finding& f = r.findings[0];
  EXPECT_EQ(f.kind, FindingKind::kInstanceRunsDeprecatedImage);
  EXPECT_EQ(f.severity, Severity::kLow);
  EXPECT_EQ(f.resource, mine.ToString());
  EXPECT_EQ(f.resource_type, "AWS::EC2::Instance");
  EXPECT_EQ(f.name, "web-1");
  EXPECT_EQ(f.owner, owner);
  EXPECT_EQ(f.rule, "DEREG-7");
  EXPECT_THAT(f.detail, AllOf(HasSubstr(theirs.ToString()), HasSubstr("2026-01-31T00:00:00")));
  EXPECT_EQ(r.now, t0 + absl::Hours(24 * 31));
}

TEST_F(AuditTest, ATerminatedInstanceIsNotAudited) {
  const ImageId image = SeedImage(owner, {.deprecated = t0 + absl::Hours(1)});
  const InstanceId id = LaunchOne(as_owner, image);
  ASSERT_THAT(cloud->TerminateInstances(as_owner, {id.ToString()}), IsOk());
  cloud->AdvanceClock(absl::Hours(2));
  EXPECT_THAT(Run({.owners = {owner}, .rules = {"instance-runs-deprecated-image"}}).findings, IsEmpty());
}

// ---- AWS Config rules ------------------------------------------------------------------------

TEST_F(AuditTest, GOV_1_NonCompliantInstancesOfAuditedAccountsAreHighFindings) {
  const ImageId golden = SeedImage(owner);
  const ImageId theirs = SeedImage(amazon, {.alias = OwnerAlias::kAmazon, .is_public = true});
  const InstanceId good = LaunchOne(as_owner, golden);
  const InstanceId bad = LaunchOne(as_owner, theirs);
  LaunchOne(as_b, theirs);  // Another account's instance: not in scope.
  const AuditReport r =
      Run({.owners = {owner}, .config_rules = {ApprovedIds({golden}, "golden-only")}});
  ASSERT_EQ(r.findings.size(), 1u);
  const Finding& f = r.findings[0];
  EXPECT_EQ(f.kind, FindingKind::kConfigNonCompliant);
  EXPECT_EQ(f.severity, Severity::kHigh);
  EXPECT_EQ(f.resource, bad.ToString());
  EXPECT_EQ(f.rule, "GOV-1");
  EXPECT_EQ(f.config_rule, "golden-only");
  EXPECT_THAT(f.detail, HasSubstr(theirs.ToString()));
  // Every result in scope, compliant ones too, sorted by resource id.
  ASSERT_EQ(r.config_results.size(), 2u);
  for (const ConfigRuleResult& c : r.config_results) {
    EXPECT_EQ(c.config_rule, "golden-only");
    EXPECT_EQ(c.resource_type, "AWS::EC2::Instance");
    EXPECT_EQ(c.account, owner);
    EXPECT_EQ(c.compliance, c.resource == good.ToString() ? ComplianceType::kCompliant
                                                           : ComplianceType::kNonCompliant);
  }
  EXPECT_LT(r.config_results[0].resource, r.config_results[1].resource);
}

TEST_F(AuditTest, GOV_4_ARuleFromDescribeConfigRulesAuditsOnlyItsOwnRegion) {
  const ImageId east_image = SeedImage(owner);
  const ImageId west_image = SeedImage(owner, {.region = west});
  const InstanceId in_east = LaunchOne(as_owner, east_image);
  const InstanceId in_west = LaunchOne(as_owner_west, west_image);
  const std::vector<ConfigRule> rules = Must(ParseDescribeConfigRules(absl::StrCat(
      R"({"ConfigRules":[{"ConfigRuleName":"ids","ConfigRuleArn":"arn:aws:config:us-east-1:)",
      owner.ToString(), R"(:config-rule/config-rule-1","Source":{"Owner":"AWS",
      "SourceIdentifier":"APPROVED_AMIS_BY_ID"},"InputParameters":"{\"amiIds\":\"ami-0123456789abcdef0\"}"}]})")));
  const AuditReport r = Run({.owners = {owner}, .config_rules = rules});
  // The us-east-1 rule judges the us-east-1 instance; the eu-west-1 one has no rule there.
  ASSERT_EQ(r.config_results.size(), 1u);
  EXPECT_EQ(r.config_results[0].resource, in_east.ToString());
  EXPECT_THAT(Summary(r.findings), Not(::testing::Contains(HasSubstr(in_west.ToString()))));
  // Without an ARN (ConfigRule::Create) the rule is asked everywhere.
  EXPECT_EQ(Run({.owners = {owner}, .config_rules = {ApprovedIds({east_image})}}).config_results.size(), 2u);
}

TEST_F(AuditTest, GOV_6_APublicSnapshotRuleResultIsCritical) {
  const SnapshotId snap = SeedSnapshot(owner, std::nullopt, /*is_public=*/true);
  const ConfigRule rule = Must(ConfigRule::Create("EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK", ""));
  const AuditReport r = Run({.owners = {owner}, .rules = {"config-noncompliant"},
                             .config_rules = {rule}});
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].resource, snap.ToString());
  EXPECT_EQ(r.findings[0].severity, Severity::kCritical);
  EXPECT_EQ(r.findings[0].rule, "GOV-6");
}

TEST_F(AuditTest, RulesKeepConfigFindingsByTheirConfigRuleName) {
  const ImageId image = SeedImage(owner);
  LaunchOne(as_owner, image);
  const ConfigRule a = ApprovedIds({SeedImage(owner)}, "rule-a");
  const ConfigRule b_rule = ApprovedIds({SeedImage(owner)}, "rule-b");
  const AuditReport r = Run({.owners = {owner}, .rules = {"rule-b"}, .config_rules = {a, b_rule}});
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].config_rule, "rule-b");
  ASSERT_EQ(r.config_results.size(), 1u);
  EXPECT_EQ(r.config_results[0].config_rule, "rule-b");
}

TEST_F(AuditTest, TheOneArgumentAuditIsTheDefaultReportsFindings) {
  SeedImage(owner, {.is_public = true, .snapshot_public = true});
  EXPECT_EQ(Summary(Audit(*cloud)), Summary(Run().findings));
  EXPECT_EQ(Audit(*cloud).size(), 2u);
}

// ---- HTML ------------------------------------------------------------------------------------

TEST(HtmlEscape, EscapesEveryCharacterThatCouldOpenMarkup) {
  EXPECT_EQ(HtmlEscape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
  EXPECT_EQ(HtmlEscape("plain"), "plain");
}

TEST_F(AuditTest, HtmlPageEscapesTextFromTheStateAndIsDeterministic) {
  const ImageId image = SeedImage(owner, {.deprecated = t0 + absl::Hours(1)});
  LaunchOne(as_owner, image, {{"Name", "<script>alert(1)</script>"}});
  cloud->AdvanceClock(absl::Hours(2));
  const AuditReport r = Run({.owners = {owner}});
  const std::string html = FormatAuditHtml(r, "fleet<b>.amistate");
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, HasSubstr("<title>Audit of fleet&lt;b&gt;.amistate at 2026-01-01T02:00:00.000Z"));
  EXPECT_THAT(html, HasSubstr("<td class=\"sev low\">low</td>"));
  EXPECT_THAT(html, HasSubstr("<div class=\"bar\" style=\"width:100%\"></div>"));
  EXPECT_THAT(html, HasSubstr("DEREG-7"));
  EXPECT_THAT(html, Not(HasSubstr("http")));  // Nothing is loaded.
  EXPECT_EQ(html, FormatAuditHtml(Run({.owners = {owner}}), "fleet<b>.amistate"));
}

TEST_F(AuditTest, HtmlPageSaysWhenThereIsNothingToReport) {
  const std::string html = FormatAuditHtml(Run({.owners = {owner}}), "empty.amistate");
  EXPECT_THAT(html, HasSubstr("No findings."));
  EXPECT_THAT(html, HasSubstr("<span id=\"total\">0</span>"));
}

// ---- A realistic import ------------------------------------------------------------------------

constexpr char kSelf[] = "111122223333";
constexpr const char* kVendors[] = {"137112412989", "099720109477", "801119661308"};
constexpr int kVendorImages = 20000;  // Per vendor: 60,000 in all.

std::string Hex17(uint64_t n) { return absl::StrFormat("%017x", n); }

// describe-images output: `count` images of `owner`, ids from `first`, public or not.
std::string DescribeImages(absl::string_view owner, uint64_t first, int count, bool is_public) {
  std::string out = "{\"Images\": [";
  for (int i = 0; i < count; ++i) {
    const std::string n = Hex17(first + i);
    absl::StrAppend(&out, i ? ",\n" : "", "{\"ImageId\": \"ami-", n, "\", \"OwnerId\": \"", owner,
                    "\", \"Name\": \"image-", n, "\", \"Public\": ", is_public ? "true" : "false",
                    ", \"State\": \"available\", \"CreationDate\": \"2025-06-01T00:00:00.000Z\", "
                    "\"RootDeviceName\": \"/dev/xvda\", \"BlockDeviceMappings\": [{\"DeviceName\": "
                    "\"/dev/xvda\", \"Ebs\": {\"SnapshotId\": \"snap-", n,
                    "\", \"VolumeSize\": 8}}]}");
  }
  return out + "]}";
}

// describe-snapshots output for the audited account's own images.
std::string DescribeSnapshots(uint64_t first, int count) {
  std::string out = "{\"Snapshots\": [";
  for (int i = 0; i < count; ++i) {
    absl::StrAppend(&out, i ? ",\n" : "", "{\"SnapshotId\": \"snap-", Hex17(first + i),
                    "\", \"OwnerId\": \"", kSelf, "\", \"VolumeSize\": 8, \"State\": \"completed\", "
                    "\"StartTime\": \"2025-06-01T00:00:00.000Z\"}");
  }
  return out + "]}";
}

// describe-instances output: one instance per image id, all the audited account's.
std::string DescribeInstances(const std::vector<uint64_t>& images) {
  std::string out = absl::StrCat("{\"Reservations\": [{\"OwnerId\": \"", kSelf, "\", \"Instances\": [");
  for (size_t i = 0; i < images.size(); ++i) {
    absl::StrAppend(&out, i ? ",\n" : "", "{\"InstanceId\": \"i-", Hex17(0xf00000 + i),
                    "\", \"ImageId\": \"ami-", Hex17(images[i]),
                    "\", \"State\": {\"Name\": \"running\"}, \"Placement\": "
                    "{\"AvailabilityZone\": \"us-east-1a\"}}");
  }
  return out + "]}]}";
}

AwsCliFile File(std::string name, std::string json) {
  AwsCliFile f;
  f.name = std::move(name);
  f.json = std::move(json);
  f.account = *AccountId::Parse(kSelf);
  f.region = *Region::Parse("us-east-1");
  return f;
}

TEST(AuditImport, DEREG_11_AnInstanceRunningAnImageTheStateDoesNotHoldIsInfo) {
  // describe-instances alone: the image the instance runs is in no describe-images output.
  const auto cloud = ImportAwsCli({File("instances.json", DescribeInstances({0x123}))});
  ASSERT_THAT(cloud, IsOk());
  const AuditReport r = Must(Audit(**cloud, AuditOptions()));
  ASSERT_EQ(r.findings.size(), 1u);
  const Finding& f = r.findings[0];
  EXPECT_EQ(f.kind, FindingKind::kInstanceImageUnknown);
  EXPECT_EQ(f.resource, "i-" + Hex17(0xf00000));
  EXPECT_EQ(f.severity, Severity::kInfo);
  EXPECT_EQ(f.rule, "DEREG-11");
  EXPECT_THAT(f.detail, HasSubstr("ami-" + Hex17(0x123)));
  EXPECT_EQ(r.CountAtLeast(Severity::kLow), 0u);
  EXPECT_EQ(r.CountAtLeast(Severity::kInfo), 1u);
}

TEST(AuditImport, SixtyThousandPublicImagesOfOthersAreNotFindingsButRunningAnUnapprovedOneIs) {
  constexpr uint64_t kOwnFirst = 0xa000000;  // 4 own images: one public.
  std::vector<AwsCliFile> files;
  for (int v = 0; v < 3; ++v) {
    files.push_back(File(absl::StrCat("vendor-", v, ".json"),
                         DescribeImages(kVendors[v], 0x1000000 * (v + 1), kVendorImages, true)));
  }
  files.push_back(File("own-images.json", DescribeImages(kSelf, kOwnFirst, 3, false)));
  files.push_back(File("own-public.json", DescribeImages(kSelf, kOwnFirst + 3, 1, true)));
  files.push_back(File("own-snapshots.json", DescribeSnapshots(kOwnFirst, 4)));
  // Instances running the own golden image, another own image, and two vendors' public images.
  const uint64_t golden = kOwnFirst, ubuntu = 0x2000000 + 7, windows = 0x3000000 + 9;
  files.push_back(File("instances.json", DescribeInstances({golden, kOwnFirst + 1, ubuntu, windows})));
  const auto t_import = std::chrono::steady_clock::now();
  const absl::StatusOr<std::unique_ptr<Cloud>> cloud = ImportAwsCli(files);
  ASSERT_THAT(cloud, IsOk());
  ASSERT_EQ((*cloud)->ListImages().size(), 60004u);
  const auto t_audit = std::chrono::steady_clock::now();

  const ConfigRule rule = Must(ConfigRule::Create(
      "APPROVED_AMIS_BY_ID", absl::StrCat("{\"amiIds\":\"ami-", Hex17(golden), "\"}"),
      "approved-amis-by-id"));
  const AuditReport r = Must(Audit(**cloud, {.config_rules = {rule}}));
  const auto t_done = std::chrono::steady_clock::now();
  std::printf("import %.2f s, audit %.2f s\n",
              std::chrono::duration<double>(t_audit - t_import).count(),
              std::chrono::duration<double>(t_done - t_audit).count());

  const AccountId self = *AccountId::Parse(kSelf);
  EXPECT_THAT(r.owners, ElementsAre(self));
  for (const Finding& f : r.findings) EXPECT_EQ(f.owner, self) << f.resource << ": " << f.detail;
  std::vector<std::string> got;
  for (const Finding& f : r.findings) {
    got.push_back(absl::StrCat(ToString(f.severity), " ", ToString(f.kind), " ", f.resource));
  }
  // Three instances run an image that is not the golden one; the own public image is the own
  // account's exposure.
  EXPECT_THAT(got, ElementsAre("high public-image ami-" + Hex17(kOwnFirst + 3),
                               "high config-noncompliant i-" + Hex17(0xf00001),
                               "high config-noncompliant i-" + Hex17(0xf00002),
                               "high config-noncompliant i-" + Hex17(0xf00003)));
  EXPECT_THAT(r.findings[2].detail, HasSubstr("ami-" + Hex17(ubuntu)));
  EXPECT_EQ(r.config_results.size(), 4u);
  EXPECT_EQ(r.CountAtLeast(Severity::kInfo), 4u);
  EXPECT_EQ(r.by_account.size(), 1u);
  // Auditing a vendor by name shows what the default leaves out.
  const AuditReport vendor =
      Must(Audit(**cloud, {.owners = {*AccountId::Parse(kVendors[1])}, .rules = {"public-image"}}));
  EXPECT_EQ(vendor.findings.size(), static_cast<size_t>(kVendorImages));
}

}  // namespace
}  // namespace ami
