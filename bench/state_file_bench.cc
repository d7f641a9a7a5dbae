// State-file benchmarks: saving and loading a fleet of 100k images and 1M instances
// (BM_StateFileSave / BM_StateFileLoad), reporting bytes/s and items/s.
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "ami/ami.h"
#include "ami/cloud.h"
#include "ami/state_file.h"
#include "benchmark/benchmark.h"

namespace {

// 1,000 accounts; each image has one snapshot; instances spread over the images.
std::unique_ptr<ami::Cloud> Fleet(int images, int instances) {
  auto cloud = ami::Cloud::Create();
  const ami::Region region = *ami::Region::Parse("us-east-1");
  const ami::AvailabilityZone zone = region.zones().front();
  for (int i = 0; i < images; ++i) {
    const ami::AccountId owner = ami::AccountId::FromNumber(100000000000ULL + static_cast<uint64_t>(i % 1000));
    const ami::Snapshot snap = *ami::Snapshot::Builder()
                                    .set_id(ami::SnapshotId::Long(0x10000000ULL + static_cast<uint64_t>(i)))
                                    .set_owner(owner)
                                    .set_region(region)
                                    .Build();
    (void)cloud->ImportSnapshot(snap);
    (void)cloud->ImportImage(*ami::Image::Builder()
                                  .set_id(ami::ImageId::Long(0x10000000ULL + static_cast<uint64_t>(i)))
                                  .set_name(absl::StrCat("image-", i))
                                  .set_owner(owner)
                                  .set_region(region)
                                  .add_snapshot_mapping("/dev/xvda", snap)
                                  .Build());
  }
  for (int i = 0; i < instances; ++i) {
    ami::AttachedVolume volume;
    volume.device_name = "/dev/xvda";
    volume.volume_id = ami::VolumeId::Long(0x20000000ULL + static_cast<uint64_t>(i));
    volume.volume_size_gib = 8;
    (void)cloud->ImportInstance(
        *ami::Instance::Builder()
             .set_id(ami::InstanceId::Long(0x30000000ULL + static_cast<uint64_t>(i)))
             .set_owner(ami::AccountId::FromNumber(100000000000ULL + static_cast<uint64_t>(i % 1000)))
             .set_availability_zone(zone)
             .set_image_id(ami::ImageId::Long(0x10000000ULL + static_cast<uint64_t>(i % images)))
             .add_volume(volume)
             .Build());
  }
  return cloud;
}

const ami::Cloud& SharedFleet() {
  static const ami::Cloud* fleet = Fleet(100000, 1000000).release();
  return *fleet;
}

void BM_StateFileSave(benchmark::State& state) {
  const ami::Cloud& cloud = SharedFleet();
  size_t bytes = 0;
  for (auto _ : state) {
    std::ostringstream out;
    (void)ami::SaveState(cloud, out);
    bytes += out.str().size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.SetItemsProcessed(state.iterations() * 1100000);
}
BENCHMARK(BM_StateFileSave)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_StateFileLoad(benchmark::State& state) {
  std::ostringstream out;
  (void)ami::SaveState(SharedFleet(), out);
  const std::string bytes = out.str();
  bool equal = true;
  for (auto _ : state) {
    std::istringstream in(bytes);
    auto loaded = ami::LoadState(in);
    if (!loaded.ok()) {
      state.SkipWithError(std::string(loaded.status().message()).c_str());
      return;
    }
    state.PauseTiming();
    equal = equal && (*loaded)->StateEquals(SharedFleet());  // Loads back equal, checked untimed.
    state.ResumeTiming();
  }
  if (!equal) state.SkipWithError("the loaded fleet differs from the saved one");
  state.SetBytesProcessed(static_cast<int64_t>(bytes.size() * state.iterations()));
  state.SetItemsProcessed(state.iterations() * 1100000);
}
BENCHMARK(BM_StateFileLoad)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
