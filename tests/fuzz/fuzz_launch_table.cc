// Small fleets generated from fuzzed specs (ami/tools/fleet.h). Properties:
//   - the LaunchTable gives every (caller, Region, image) question the policy engine's effect,
//     deferral and deciding reason (owners, grantees, organization members, an unknown account,
//     the image's Region and another);
//   - removing an account from an image's launch permissions, or making a public image private,
//     never turns a denied launch into an allowed one.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "ami/cloud.h"
#include "ami/policy.h"
#include "ami/tools/fleet.h"
#include "ami/tools/launch_table.h"
#include "tests/fuzz/fuzz_check.h"

namespace ami {
namespace {

bool EngineAllows(const Cloud& cloud, AccountId caller, Region region, ImageId image) {
  return cloud
      .Evaluate([&](const StateView& view) {
        return policy::EvaluateLaunch(view, {caller, region, image, std::nullopt, std::nullopt});
      })
      .allowed();
}

FleetSpec SpecOf(FuzzedDataProvider& in) {
  FleetSpec spec;
  spec.seed = in.ConsumeIntegral<uint64_t>();
  spec.accounts = in.ConsumeIntegralInRange(2, 24);
  spec.organizations = in.ConsumeIntegralInRange(0, 3);
  spec.ous_per_organization = in.ConsumeIntegralInRange(0, 4);
  spec.organization_members = in.ConsumeProbability<double>();
  spec.images = in.ConsumeIntegralInRange(1, 40);
  spec.instances = 0;
  spec.max_volumes = in.ConsumeIntegralInRange(1, 4);
  spec.min_volumes = in.ConsumeIntegralInRange(1, spec.max_volumes);
  spec.shared_with_accounts = in.ConsumeProbability<double>() / 4;
  spec.accounts_per_share = in.ConsumeIntegralInRange(1, 4);
  spec.shared_with_organization = in.ConsumeProbability<double>() / 4;
  spec.shared_with_ou = in.ConsumeProbability<double>() / 4;
  spec.public_images = in.ConsumeProbability<double>() / 4;
  spec.encrypted_customer_key = in.ConsumeProbability<double>() / 2;
  spec.encrypted_aws_managed = in.ConsumeProbability<double>() / 2;
  spec.product_codes = in.ConsumeProbability<double>() / 4;
  spec.tags_per_image = 0;
  spec.tags_per_instance = 0;
  return spec;
}

// The callers asked about an image: its owner, grantees, every fourth account, a stranger.
std::vector<AccountId> Callers(const Fleet& fleet, const FleetImage& image) {
  std::vector<AccountId> out = {image.owner, AccountId::FromNumber(999999999999ULL)};
  out.insert(out.end(), image.grantees.begin(), image.grantees.end());
  for (size_t a = 0; a < fleet.accounts.size(); a += 4) out.push_back(fleet.accounts[a]);
  return out;
}

void CheckTableAgrees(const Fleet& fleet) {
  const std::unique_ptr<LaunchTable> table = LaunchTable::Build(*fleet.cloud);
  for (const FleetImage& image : fleet.images) {
    const Region other = fleet.regions[0] == image.region ? fleet.regions[1] : fleet.regions[0];
    for (const AccountId caller : Callers(fleet, image)) {
      for (const Region region : {image.region, other}) {
        const LaunchTable::Verdict want = LaunchTable::VerdictOf(
            fleet.cloud->Evaluate([&](const StateView& view) {
              return policy::EvaluateLaunch(view, {caller, region, image.id, std::nullopt,
                                                   std::nullopt});
            }));
        const LaunchTable::Verdict got = table->Check(caller, region, image.id);
        AMI_FUZZ_CHECK(got.allowed == want.allowed);
        AMI_FUZZ_CHECK(got.later == want.later);
        AMI_FUZZ_CHECK(got.why == want.why);
        AMI_FUZZ_CHECK(table->Decide(caller, region, image.id).allowed() == want.allowed);
      }
    }
  }
}

// Narrows one image's launch permissions and checks that no denied caller became allowed.
void CheckNarrowingNeverAllows(Fleet& fleet, FuzzedDataProvider& in) {
  const FleetImage& image =
      fleet.images[in.ConsumeIntegralInRange<size_t>(0, fleet.images.size() - 1)];
  const std::vector<AccountId> callers = Callers(fleet, image);
  std::vector<bool> before;
  for (const AccountId c : callers) before.push_back(EngineAllows(*fleet.cloud, c, image.region, image.id));
  ModifyImageAttributeRequest r;
  r.image_id = image.id.ToString();
  if (!image.grantees.empty()) {
    r.remove.push_back({.user_id = image.grantees[in.ConsumeIntegralInRange<size_t>(
                            0, image.grantees.size() - 1)].ToString()});
  }
  if (image.share == FleetShare::kPublic || r.remove.empty()) r.remove.push_back({.group = "all"});
  CallContext ctx;
  ctx.account = image.owner;
  ctx.region = image.region;
  (void)fleet.cloud->ModifyImageAttribute(ctx, r);  // Removing what is not there may be refused.
  for (size_t i = 0; i < callers.size(); ++i) {
    AMI_FUZZ_CHECK(before[i] || !EngineAllows(*fleet.cloud, callers[i], image.region, image.id));
  }
}

}  // namespace
}  // namespace ami

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  absl::StatusOr<ami::Fleet> fleet = ami::GenerateFleet(ami::SpecOf(in));
  if (!fleet.ok()) return 0;
  ami::CheckTableAgrees(*fleet);
  ami::CheckNarrowingNeverAllows(*fleet, in);
  ami::CheckTableAgrees(*fleet);
  return 0;
}
