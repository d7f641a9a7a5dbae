// A deterministic fleet generator: a Cloud filled with accounts in organizations and OUs,
// customer managed and AWS managed keys, snapshots, images of 1–4 volumes shared in a chosen mix
// (accounts, organizations, OUs, public; encrypted shares with keys whose policies let the
// grantees use them), tags, product codes and instances running the images. The same spec and
// seed always give the same cloud. For benchmarks, tests and what-if studies on realistic fleets.
// Thread-safe: GenerateFleet() holds no state; each call builds a Cloud of its own.
#ifndef AMI_TOOLS_FLEET_H_
#define AMI_TOOLS_FLEET_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ami/cloud.h"
#include "ami/ids.h"

namespace ami {

// The largest fleet GenerateFleet makes.
inline constexpr int kMaxFleetAccounts = 10000000;
inline constexpr int kMaxFleetImages = 10000000;
inline constexpr int kMaxFleetInstances = 100000000;

// What to generate. Fractions are of the images; the share fractions together are at most 1
// (the rest are private). Validated by GenerateFleet.
struct FleetSpec {
  uint64_t seed = 1;
  int accounts = 10000;
  // Organizations among the accounts: each has a management account, an OU tree of
  // `ous_per_organization` OUs (half under the root, half nested one level) and members spread
  // over the root and the OUs. `organization_members` of the accounts are members; the rest
  // are standalone.
  int organizations = 20;
  int ous_per_organization = 8;
  double organization_members = 0.8;
  // Regions used; the first is the main one.
  std::vector<std::string> regions = {"us-east-1", "us-west-2", "eu-west-1"};
  int images = 100000;
  int instances = 1000000;
  // Volumes (one snapshot each) per image, uniformly in [min, max]; 1 ≤ min ≤ max ≤ 4.
  int min_volumes = 1;
  int max_volumes = 4;
  // The share mix. Account shares name `accounts_per_share` accounts, which may also read the
  // image's snapshots (createVolumePermission), as the console does.
  double shared_with_accounts = 0.25;
  int accounts_per_share = 3;
  double shared_with_organization = 0.10;
  double shared_with_ou = 0.10;
  double public_images = 0.05;
  // Images encrypted with their owner's customer managed key in the Region: of any shared or
  // private image (never public ones, SHARE-3). The key's policy lets every grantee (account,
  // organization, OU path) use it (KMS-6).
  double encrypted_customer_key = 0.20;
  // Private images encrypted with the owner's AWS managed aws/ebs key (never shareable, KMS-1).
  double encrypted_aws_managed = 0.05;
  // Images with a marketplace product code.
  double product_codes = 0.02;
  // Owner tags per image and per instance (keys from a small vocabulary; 0–50).
  int tags_per_image = 2;
  int tags_per_instance = 2;
};

// How an image of the fleet is shared.
enum class FleetShare : uint8_t { kPrivate, kAccounts, kOrganization, kOu, kPublic };
// How an image of the fleet is encrypted.
enum class FleetEncryption : uint8_t { kNone, kCustomerKey, kAwsManagedKey };

// One generated image and how it was made.
struct FleetImage {
  ImageId id;
  AccountId owner;
  Region region;
  FleetShare share = FleetShare::kPrivate;
  FleetEncryption encryption = FleetEncryption::kNone;
  // True when it carries a marketplace product code (other accounts cannot copy it, COPY-12).
  bool marketplace = false;
  // For kAccounts: the accounts it is shared with.
  std::vector<AccountId> grantees;
};

// The generated cloud and what is in it, in generation order.
struct Fleet {
  std::unique_ptr<Cloud> cloud;
  std::vector<AccountId> accounts;
  std::vector<Region> regions;
  std::vector<FleetImage> images;
  std::vector<InstanceId> instances;
  // Per account (index into `accounts`): its organization's index, or -1 when standalone.
  std::vector<int> organization_of;
  int organizations = 0;
  int snapshots = 0;
  int customer_keys = 0;
};

// Generates the fleet. A bad spec (counts negative or past the maxima above, fractions outside
// [0, 1] or summing past 1, volumes outside 1–4, a Region twice) is `InvalidParameterValue`; an
// unknown Region is `InvalidRegion`.
absl::StatusOr<Fleet> GenerateFleet(const FleetSpec& spec);

}  // namespace ami

#endif  // AMI_TOOLS_FLEET_H_
