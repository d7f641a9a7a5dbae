// Discovery benchmarks at 100k and 1M images (BM_DescribeImagesByOwner, BM_DescribeImagesByTag,
// BM_DescribeImagesFilterName): each query returns about the same number of images at both
// sizes, so items/s (returned images per second) must not fall as the fleet grows — the query
// walks an index, not the fleet.
#include <map>
#include <optional>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ami/ami.h"
#include "ami/cloud.h"
#include "benchmark/benchmark.h"

namespace {

constexpr int kPerOwner = 1000;

ami::AccountId Owner(int k) { return ami::AccountId::FromNumber(300000000000ULL + k); }

// `images` public images in us-east-1, 1,000 per owner (image i belongs to owner i / 1000),
// named n%07d, each owner's images tagged team=blue or team=green alternately; the owners'
// images share one snapshot per owner.
std::unique_ptr<ami::Cloud> DiscoveryFleet(int images) {
  auto cloud = ami::Cloud::Create();
  const ami::Region region = *ami::Region::Parse("us-east-1");
  const ami::TagSet blue = *ami::TagSet::Create({*ami::Tag::Create("team", "blue")});
  const ami::TagSet green = *ami::TagSet::Create({*ami::Tag::Create("team", "green")});
  const ami::LaunchPermissions everyone = *ami::LaunchPermissions::Create({}, true, {}, {});
  std::optional<ami::Snapshot> snap;
  for (int i = 0; i < images; ++i) {
    const ami::AccountId owner = Owner(i / kPerOwner);
    if (i % kPerOwner == 0) {
      snap = *ami::Snapshot::Builder()
                  .set_id(ami::SnapshotId::Long(0x40000000ULL + static_cast<uint64_t>(i)))
                  .set_owner(owner)
                  .set_region(region)
                  .Build();
      (void)cloud->ImportSnapshot(*snap);
    }
    (void)cloud->ImportImage(*ami::Image::Builder()
                                  .set_id(ami::ImageId::Long(0x50000000ULL + static_cast<uint64_t>(i)))
                                  .set_name(absl::StrFormat("n%07d", i))
                                  .set_owner(owner)
                                  .set_region(region)
                                  .add_snapshot_mapping("/dev/xvda", *snap)
                                  .set_launch_permissions(everyone)
                                  .set_tags(i % 2 == 0 ? blue : green)
                                  .Build());
  }
  return cloud;
}

const ami::Cloud& Fleet(int images) {
  static auto* fleets = new std::map<int, std::unique_ptr<ami::Cloud>>();
  auto& slot = (*fleets)[images];
  if (slot == nullptr) slot = DiscoveryFleet(images);
  return *slot;
}

void Run(benchmark::State& state, const ami::CallContext& ctx,
         const ami::DescribeImagesRequest& request) {
  const ami::Cloud& cloud = Fleet(static_cast<int>(state.range(0)));
  size_t returned = 0;
  for (auto _ : state) {
    auto result = cloud.DescribeImages(ctx, request);
    if (!result.ok()) {
      state.SkipWithError(std::string(result.status().message()).c_str());
      return;
    }
    returned = result->images.size();
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * returned));
  state.counters["returned"] = static_cast<double>(returned);
  state.counters["images"] = static_cast<double>(state.range(0));
}

const ami::Region kEast = *ami::Region::Parse("us-east-1");

// Another account lists one owner's 1,000 images.
void BM_DescribeImagesByOwner(benchmark::State& state) {
  ami::DescribeImagesRequest r;
  r.owners = {Owner(7).ToString()};
  Run(state, {Owner(1), kEast}, r);
}

// An owner lists its own images tagged team=blue (500 of its 1,000); every owner uses the tag.
void BM_DescribeImagesByTag(benchmark::State& state) {
  ami::DescribeImagesRequest r;
  r.filters = {{"tag:team", {"blue"}}};
  Run(state, {Owner(3), kEast}, r);
}

// Images whose name starts with n0001 (1,000 of them) among all public images.
void BM_DescribeImagesFilterName(benchmark::State& state) {
  ami::DescribeImagesRequest r;
  r.filters = {{"name", {"n0001*"}}};
  Run(state, {Owner(5), kEast}, r);
}

BENCHMARK(BM_DescribeImagesByOwner)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_DescribeImagesByTag)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_DescribeImagesFilterName)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMicrosecond);

}  // namespace
