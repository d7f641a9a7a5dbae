// The seeded fleet generator (ami/tools/fleet.h): same seed, same cloud; the mix it was asked for;
// every generated share usable as generated; bad specs rejected.
#include "ami/tools/fleet.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "ami/cloud.h"
#include "ami/errors.h"
#include "ami/policy.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;

FleetSpec Small() {
  FleetSpec spec;
  spec.accounts = 300;
  spec.organizations = 4;
  spec.images = 3000;
  spec.instances = 6000;
  return spec;
}

TEST(FleetTest, SameSeedGivesTheSameCloud) {
  auto a = GenerateFleet(Small());
  auto b = GenerateFleet(Small());
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_TRUE(a->cloud->StateEquals(*b->cloud));
  ASSERT_EQ(a->images.size(), b->images.size());
  for (size_t i = 0; i < a->images.size(); ++i) EXPECT_EQ(a->images[i].id, b->images[i].id);
  EXPECT_EQ(a->instances, b->instances);
  EXPECT_EQ(a->cloud->ListImages().size(), 3000u);
  EXPECT_EQ(a->cloud->ListInstances().size(), 6000u);
  EXPECT_EQ(a->cloud->ListSnapshots().size(), static_cast<size_t>(a->snapshots));
  EXPECT_EQ(a->cloud->ListAccounts().size(), 300u);
}

TEST(FleetTest, AnotherSeedGivesAnotherCloud) {
  FleetSpec other = Small();
  other.seed = 2;
  auto a = GenerateFleet(Small());
  auto b = GenerateFleet(other);
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_FALSE(a->cloud->StateEquals(*b->cloud));
  std::set<ImageId> ids;
  for (const FleetImage& image : a->images) ids.insert(image.id);
  for (const FleetImage& image : b->images) EXPECT_FALSE(ids.contains(image.id));
}

// Counts the share and encryption kinds from the cloud itself, not from the generator's record.
struct Mix {
  int accounts = 0, organization = 0, ou = 0, is_public = 0, private_ = 0;
  int customer_key = 0, aws_key = 0, marketplace = 0;
  std::map<int, int> volumes;
  int wrong_tag_count = 0;
};

Mix CountMix(const Fleet& fleet, int tags_per_image) {
  Mix mix;
  for (const Image& image : fleet.cloud->ListImages()) {
    const LaunchPermissions& lp = image.launch_permissions();
    if (lp.is_public()) {
      ++mix.is_public;
    } else if (!lp.organizations().empty()) {
      ++mix.organization;
    } else if (!lp.organizational_units().empty()) {
      ++mix.ou;
    } else if (!lp.accounts().empty()) {
      ++mix.accounts;
    } else {
      ++mix.private_;
    }
    const std::vector<SnapshotId> snapshots = image.snapshot_ids();
    ++mix.volumes[static_cast<int>(snapshots.size())];
    const auto key = fleet.cloud->GetSnapshot(snapshots.front())->kms_key();
    if (key.has_value()) {
      (fleet.cloud->IsAwsManagedKey(*key) ? mix.aws_key : mix.customer_key) += 1;
    }
    mix.marketplace += image.has_marketplace_code();
    mix.wrong_tag_count += static_cast<int>(image.tags().size()) != tags_per_image;
  }
  return mix;
}

TEST(FleetTest, ShareAndEncryptionMixIsTheOneAskedFor) {
  FleetSpec spec = Small();
  spec.images = 20000;
  spec.instances = 0;
  spec.shared_with_accounts = 0.30;
  spec.shared_with_organization = 0.15;
  spec.shared_with_ou = 0.10;
  spec.public_images = 0.05;
  spec.encrypted_customer_key = 0.25;
  spec.encrypted_aws_managed = 0.10;
  spec.product_codes = 0.05;
  spec.tags_per_image = 3;
  auto fleet = GenerateFleet(spec);
  ASSERT_THAT(fleet, IsOk());
  const Mix mix = CountMix(*fleet, 3);
  const double n = spec.images;
  // Organization and OU shares by standalone owners (20% of accounts) become account shares.
  EXPECT_NEAR(mix.organization / n, 0.15 * 0.8, 0.015);
  EXPECT_NEAR(mix.ou / n, 0.10 * 0.8, 0.015);
  EXPECT_NEAR(mix.accounts / n, 0.30 + 0.25 * 0.2, 0.015);
  EXPECT_NEAR(mix.is_public / n, 0.05, 0.01);
  EXPECT_NEAR(mix.private_ / n, 0.40, 0.015);
  // Customer keys on any non-public image; AWS managed keys on private images only.
  EXPECT_NEAR(mix.customer_key / n, 0.25 * 0.95, 0.015);
  EXPECT_NEAR(mix.aws_key / n, 0.10 * 0.40, 0.01);
  EXPECT_NEAR(mix.marketplace / n, 0.05, 0.01);
  EXPECT_EQ(mix.wrong_tag_count, 0);
  // 1–4 volumes, each count about a quarter.
  ASSERT_EQ(mix.volumes.size(), 4u);
  for (const auto& [volumes, count] : mix.volumes) {
    EXPECT_GE(volumes, 1);
    EXPECT_LE(volumes, 4);
    EXPECT_NEAR(count / n, 0.25, 0.015);
  }
  // The generator's own record agrees with the cloud.
  int recorded_public = 0;
  for (const FleetImage& image : fleet->images) recorded_public += image.share == FleetShare::kPublic;
  EXPECT_EQ(recorded_public, mix.is_public);
}

TEST(FleetTest, ExtremeMixes) {
  FleetSpec spec = Small();
  spec.instances = 0;
  spec.public_images = 1.0;
  spec.shared_with_accounts = spec.shared_with_organization = spec.shared_with_ou = 0;
  spec.encrypted_customer_key = 1.0;
  spec.encrypted_aws_managed = 0;
  spec.min_volumes = spec.max_volumes = 2;
  spec.tags_per_image = 0;
  auto all_public = GenerateFleet(spec);
  ASSERT_THAT(all_public, IsOk());
  Mix mix = CountMix(*all_public, 0);
  EXPECT_EQ(mix.is_public, spec.images);
  EXPECT_EQ(mix.customer_key + mix.aws_key, 0);  // Public images are never encrypted.
  EXPECT_EQ(mix.volumes, (std::map<int, int>{{2, spec.images}}));

  spec.public_images = 0;
  spec.shared_with_accounts = 1.0;
  auto all_shared = GenerateFleet(spec);
  ASSERT_THAT(all_shared, IsOk());
  mix = CountMix(*all_shared, 0);
  EXPECT_EQ(mix.accounts, spec.images);
  EXPECT_EQ(mix.customer_key, spec.images);
  EXPECT_EQ(all_shared->customer_keys > 0, true);
}

// Every share works as generated: grantees (with the encrypted ones' keys), organization members
// and accounts under the OU may launch; an outsider may launch only public images; every
// instance's owner may launch its image.
TEST(FleetTest, GeneratedSharesAndInstancesAreUsable) {
  auto fleet = GenerateFleet(Small());
  ASSERT_THAT(fleet, IsOk());
  const AccountId outsider = AccountId::FromNumber(999999999999ULL);
  absl::flat_hash_map<AccountId, int> index;
  for (size_t a = 0; a < fleet->accounts.size(); ++a) index[fleet->accounts[a]] = static_cast<int>(a);
  int checked_encrypted_grantees = 0, checked_members = 0;
  fleet->cloud->Evaluate([&](const StateView& view) {
    for (const FleetImage& made : fleet->images) {
      auto launch = [&](AccountId who) {
        return policy::EvaluateLaunch(view, {who, made.region, made.id, std::nullopt, std::nullopt});
      };
      EXPECT_TRUE(launch(made.owner).allowed()) << made.id.ToString();
      EXPECT_EQ(launch(outsider).allowed(), made.share == FleetShare::kPublic) << made.id.ToString();
      for (const AccountId grantee : made.grantees) {
        const Decision d = launch(grantee);
        EXPECT_TRUE(d.allowed()) << d.Explain();
        checked_encrypted_grantees += made.encryption == FleetEncryption::kCustomerKey;
      }
      if (made.share == FleetShare::kOrganization) {
        const int org = fleet->organization_of[index[made.owner]];
        for (size_t a = 0; a < fleet->accounts.size(); a += 7) {
          if (fleet->organization_of[a] != org) continue;
          const Decision d = launch(fleet->accounts[a]);
          EXPECT_TRUE(d.allowed()) << d.Explain();
          ++checked_members;
        }
      }
      if (made.share == FleetShare::kOu) {
        // Members under the OU (directly or nested) may launch it, keys included.
        const Image& image = *view.FindImage(made.id);
        const OrganizationalUnitId ou = image.launch_permissions().organizational_units()[0].ou_id();
        for (const AccountId account : fleet->accounts) {
          const AccountInfo* info = view.FindAccount(account);
          if (info == nullptr ||
              std::find(info->ou_path.begin(), info->ou_path.end(), ou) == info->ou_path.end()) {
            continue;
          }
          const Decision d = launch(account);
          EXPECT_TRUE(d.allowed()) << d.Explain();
          ++checked_members;
        }
      }
    }
    for (const InstanceId id : fleet->instances) {
      const Instance* instance = view.FindInstance(id);
      const Image* image = view.FindImage(instance->image_id());
      EXPECT_TRUE(policy::EvaluateLaunchPermission(view, *image, instance->owner()).allowed());
      EXPECT_EQ(instance->region(), image->region());
      EXPECT_EQ(instance->volumes().size(), image->block_device_mappings().size());
    }
    return Decision();
  });
  EXPECT_GT(checked_encrypted_grantees, 50);
  EXPECT_GT(checked_members, 50);
}

TEST(FleetTest, BadSpecsAreRejected) {
  const auto rejected = [](auto change) {
    FleetSpec spec = Small();
    change(spec);
    return GenerateFleet(spec).status();
  };
  EXPECT_THAT(rejected([](FleetSpec& s) { s.public_images = 0.9; }),
              HasErrorCode(ErrorCode::kInvalidParameterValue));  // Shares sum past 1.
  EXPECT_THAT(rejected([](FleetSpec& s) { s.min_volumes = 0; }),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(rejected([](FleetSpec& s) { s.max_volumes = 5; }),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(rejected([](FleetSpec& s) { s.images = -1; }),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(rejected([](FleetSpec& s) { s.encrypted_customer_key = 1.5; }),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(rejected([](FleetSpec& s) { s.tags_per_image = 51; }),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(rejected([](FleetSpec& s) { s.regions = {"us-east-1", "us-east-1"}; }),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(rejected([](FleetSpec& s) { s.regions = {"mars-north-1"}; }),
              HasErrorCode(ErrorCode::kInvalidRegion));
  EXPECT_THAT(rejected([](FleetSpec& s) { s.accounts = kMaxFleetAccounts + 1; }),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(rejected([](FleetSpec& s) { s.instances = kMaxFleetInstances + 1; }),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(rejected([](FleetSpec& s) { s.accounts = 0; }),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(rejected([](FleetSpec& s) { s.images = 0; }),
              HasErrorCode(ErrorCode::kInvalidParameterValue));  // Instances need images.
  EXPECT_THAT(rejected([](FleetSpec&) {}), IsOk());
}

}  // namespace
}  // namespace ami
