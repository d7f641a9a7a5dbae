// LaunchTable (ami/tools/launch_table.h) against the policy engine: on generated fleets, after changes
// of every kind the table covers or hands to the engine, every (account, image, Region)
// question gets the engine's effect and deciding reason.
#include "ami/tools/launch_table.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ami/cloud.h"
#include "ami/policy.h"
#include "ami/tools/fleet.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "policy/reasons.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::IsOk;

LaunchTable::Verdict EngineVerdict(const Cloud& cloud, AccountId caller, Region region,
                                   ImageId image) {
  return LaunchTable::VerdictOf(cloud.Evaluate(
      policy::EvaluateLaunch, {caller, region, image, std::nullopt, std::nullopt}));
}

class LaunchTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FleetSpec spec;
    spec.accounts = 120;
    spec.organizations = 3;
    spec.ous_per_organization = 6;
    spec.images = 1200;
    spec.instances = 0;
    spec.shared_with_accounts = 0.3;
    spec.shared_with_organization = 0.15;
    spec.shared_with_ou = 0.15;
    spec.public_images = 0.1;
    spec.encrypted_customer_key = 0.4;
    spec.encrypted_aws_managed = 0.1;
    auto made = GenerateFleet(spec);
    ASSERT_THAT(made, IsOk());
    fleet = std::move(*made);
  }

  // Compares the table with the engine for every image, in its Region and another, for a
  // sample of callers: owners, grantees, organization members, an account the cloud does not
  // know; and for an image id that does not exist.
  std::map<const ReasonTemplate*, int> CompareAll(const LaunchTable& table) {
    std::map<const ReasonTemplate*, int> seen;
    std::vector<AccountId> callers;
    for (size_t a = 0; a < fleet.accounts.size(); a += 4) callers.push_back(fleet.accounts[a]);
    callers.push_back(AccountId::FromNumber(999999999999ULL));
    const Cloud& cloud = *fleet.cloud;
    auto compare = [&](AccountId caller, Region region, ImageId image) {
      const LaunchTable::Verdict want = EngineVerdict(cloud, caller, region, image);
      const LaunchTable::Verdict got = table.Check(caller, region, image);
      const std::string what = absl::StrCat(caller.ToString(), " ", image.ToString(), " ",
                                            region.code());
      EXPECT_EQ(got.allowed, want.allowed) << what;
      EXPECT_EQ(got.later, want.later) << what;
      ASSERT_NE(got.why, nullptr) << what;
      EXPECT_EQ(got.why, want.why) << what << ": " << got.why->text << " vs " << want.why->text;
      const Decision decided = table.Decide(caller, region, image);
      EXPECT_EQ(decided.allowed(), want.allowed) << what;
      ASSERT_FALSE(decided.reasons().empty());
      EXPECT_FALSE(decided.Explain().empty());
      ++seen[got.why];
    };
    for (const FleetImage& image : fleet.images) {
      const Region other = fleet.regions[0] == image.region ? fleet.regions[1] : fleet.regions[0];
      compare(image.owner, image.region, image.id);
      compare(image.owner, other, image.id);
      for (const AccountId g : image.grantees) compare(g, image.region, image.id);
      for (const AccountId c : callers) compare(c, image.region, image.id);
    }
    compare(fleet.accounts[0], fleet.regions[0], ImageId::Long(0x123456789));
    return seen;
  }

  CallContext As(AccountId account, Region region) { return {account, region, false}; }

  Fleet fleet;
};

TEST_F(LaunchTableTest, AgreesWithTheEngineOnAGeneratedFleet) {
  const auto table = LaunchTable::Build(*fleet.cloud);
  EXPECT_EQ(table->images(), fleet.images.size());
  EXPECT_EQ(table->engine_images(), 0u);  // All available, all snapshots present.
  const std::map<const ReasonTemplate*, int> seen = CompareAll(*table);
  // Every outcome the tables decide themselves was met.
  for (const ReasonTemplate* t :
       {&reasons::kOwnerMayLaunch, &reasons::kSharedWithAccount, &reasons::kSharedWithOrganization,
        &reasons::kSharedWithOu, &reasons::kPublicImage, &reasons::kNoLaunchPermission,
        &reasons::kImageNotFound, &reasons::kImageInOtherRegion}) {
    EXPECT_GT(seen.count(t), 0u) << t->text;
  }
}

TEST_F(LaunchTableTest, AgreesWithTheEngineAfterKeyAndSettingChanges) {
  Cloud& cloud = *fleet.cloud;
  const std::vector<KmsKey> keys = cloud.ListKeys();
  ASSERT_GT(keys.size(), 20u);
  int disabled = 0, denied = 0, granted = 0, rootless = 0, anyone_reads = 0, listed_members = 0;
  for (size_t k = 0; k < keys.size(); ++k) {
    const KmsKey& key = keys[k];
    const CallContext owner = As(key.account(), key.arn().region());
    const std::string id = key.arn().ToString();
    switch (k % 6) {
      case 0:  // Disabled: nobody can use it (KMS-11 at launch: LAUNCH-9, later).
        ASSERT_THAT(cloud.DisableKey(owner, id), IsOk());
        ++disabled;
        break;
      case 1: {  // A Deny statement: left to the engine.
        KeyPolicyStatement deny;
        deny.sid = "DenyOne";
        deny.effect = KeyPolicyStatement::Effect::kDeny;
        deny.accounts = {fleet.accounts[k % fleet.accounts.size()]};
        deny.actions = KmsActions::All();
        ASSERT_THAT(cloud.PutKeyPolicy(owner, id, *key.policy().With({deny})), IsOk());
        ++denied;
        break;
      }
      case 2: {  // Only the owner's statement: grantees lose access, a grant gives it back.
        ASSERT_THAT(cloud.PutKeyPolicy(owner, id, std::vector<KeyPolicyStatement>{}), IsOk());
        const AccountId grantee = fleet.accounts[(k * 7) % fleet.accounts.size()];
        if (grantee != key.account()) {
          ASSERT_THAT(cloud.CreateGrant(owner, id, grantee, policy::ReadKeyActions()), IsOk());
          ++granted;
        }
        ++rootless;
        break;
      }
      case 3: {  // Anyone may read it, without conditions: grantees may launch, not write.
        std::vector<KeyPolicyStatement> policy;  // After the default statement.
        KeyPolicyStatement anyone;
        anyone.sid = "AnyoneReads";
        anyone.any_principal = true;
        anyone.actions = policy::ReadKeyActions();
        policy.push_back(anyone);
        ASSERT_THAT(cloud.PutKeyPolicy(owner, id, policy), IsOk());
        ++anyone_reads;
        break;
      }
      case 4: {  // Listed accounts, and only while in the owner's organization.
        const std::optional<OrganizationId> organization = cloud.AccountOrganization(key.account());
        if (!organization.has_value()) break;
        std::vector<KeyPolicyStatement> policy;  // After the default statement.
        KeyPolicyStatement members;
        members.sid = "ListedMembers";
        for (size_t a = k % 3; a < fleet.accounts.size(); a += 3) members.accounts.push_back(fleet.accounts[a]);
        members.principal_org_ids = {*organization};
        members.actions = KmsActions::All();
        policy.push_back(members);
        ASSERT_THAT(cloud.PutKeyPolicy(owner, id, policy), IsOk());
        ++listed_members;
        break;
      }
      default:
        break;
    }
  }
  EXPECT_GT(anyone_reads, 0);
  EXPECT_GT(listed_members, 0);
  // Settings the tables leave to the engine.
  ASSERT_THAT(cloud.EnableEbsEncryptionByDefault(As(fleet.accounts[8], fleet.regions[0])), IsOk());
  ASSERT_THAT(cloud.EnableAllowedImagesSettings(As(fleet.accounts[12], fleet.regions[0]), "enabled"),
              IsOk());
  ASSERT_THAT(cloud.EnableAllowedImagesSettings(As(fleet.accounts[16], fleet.regions[1]), "audit-mode"),
              IsOk());
  EXPECT_GT(disabled + denied + granted + rootless, 0);

  const auto table = LaunchTable::Build(cloud);
  EXPECT_GT(table->engine_images(), 0u);
  const std::map<const ReasonTemplate*, int> seen = CompareAll(*table);
  EXPECT_GT(seen.count(&reasons::kLaunchKeyUnusable), 0u);
  EXPECT_GT(seen.count(&reasons::kLaunchNotAllowed), 0u);
}

TEST_F(LaunchTableTest, AgreesWithTheEngineAfterImageChanges) {
  Cloud& cloud = *fleet.cloud;
  int changed = 0;
  for (size_t i = 0; i < fleet.images.size(); i += 11) {
    const FleetImage& image = fleet.images[i];
    const CallContext owner = As(image.owner, image.region);
    const std::string id = image.id.ToString();
    switch ((i / 11) % 4) {
      case 0:
        if (cloud.DisableImage(owner, id).ok()) ++changed;
        break;
      case 1:
        if (cloud.DeregisterImage(owner, id).ok()) ++changed;
        break;
      case 2:
        if (cloud.EnableImageDeprecation(owner, id, cloud.Now() + absl::Minutes(1)).ok()) ++changed;
        break;
      default: {
        ModifyImageAttributeRequest r{id};
        r.add.push_back({fleet.accounts[(i * 13) % fleet.accounts.size()].ToString(), "", "", ""});
        if (cloud.ModifyImageAttribute(owner, r).ok()) ++changed;
      }
    }
  }
  cloud.AdvanceClock(absl::Minutes(5));  // Deprecations take effect: still launchable.
  EXPECT_GT(changed, 60);
  const auto table = LaunchTable::Build(cloud);
  EXPECT_GT(table->engine_images(), 0u);
  const std::map<const ReasonTemplate*, int> seen = CompareAll(*table);
  EXPECT_GT(seen.count(&reasons::kImageDisabled) +
                seen.count(&reasons::kImageDeregistered),
            0u);
}

// The table answers for the moment it was built; a new one sees the change.
TEST_F(LaunchTableTest, SeesTheCloudAsItWasBuilt) {
  const FleetImage* shared = nullptr;
  for (const FleetImage& image : fleet.images) {
    if (image.share == FleetShare::kAccounts && image.encryption == FleetEncryption::kNone) {
      shared = &image;
      break;
    }
  }
  ASSERT_NE(shared, nullptr);
  const AccountId grantee = shared->grantees.front();
  const auto before = LaunchTable::Build(*fleet.cloud);
  EXPECT_TRUE(before->Check(grantee, shared->region, shared->id).allowed);
  ModifyImageAttributeRequest r{shared->id.ToString()};
  r.remove.push_back({grantee.ToString(), "", "", ""});
  ASSERT_THAT(fleet.cloud->ModifyImageAttribute(As(shared->owner, shared->region), r), IsOk());
  EXPECT_TRUE(before->Check(grantee, shared->region, shared->id).allowed);
  const auto after = LaunchTable::Build(*fleet.cloud);
  const LaunchTable::Verdict v = after->Check(grantee, shared->region, shared->id);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.why, &reasons::kNoLaunchPermission);
  const Decision d = after->Decide(grantee, shared->region, shared->id);
  EXPECT_THAT(d.Explain(), ::testing::HasSubstr(grantee.ToString()));
  EXPECT_EQ(GetErrorCode(d.ToStatus()), ErrorCode::kAuthFailure);
}

}  // namespace
}  // namespace ami
