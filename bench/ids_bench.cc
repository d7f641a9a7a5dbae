// Benchmarks of the id and value layer: parsing, printing and hashing ids, and the binary and
// JSON codecs of one image. Run with scripts/bench or build/release/bin/ami_bench.
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "ami/ami.h"
#include "ami/io/proto.h"
#include "benchmark/benchmark.h"

namespace {

std::vector<std::string> ImageIdTexts(int n) {
  std::vector<std::string> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) {
    out.push_back(ami::ImageId::Long(0x9e3779b97f4a7c15ULL * static_cast<uint64_t>(i + 1), i & 0xF).ToString());
  }
  return out;
}

void BM_ParseImageId(benchmark::State& state) {
  const std::vector<std::string> texts = ImageIdTexts(1024);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ami::ImageId::Parse(texts[i++ & 1023]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseImageId);

void BM_ImageIdToString(benchmark::State& state) {
  const ami::ImageId id = ami::ImageId::Long(0x0123456789abcdefULL, 0xa);
  for (auto _ : state) benchmark::DoNotOptimize(id.ToString());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ImageIdToString);

void BM_ImageIdSetLookup(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  absl::flat_hash_set<ami::ImageId> set;
  std::vector<ami::ImageId> ids;
  for (const std::string& t : ImageIdTexts(n)) {
    ids.push_back(*ami::ImageId::Parse(t));
    set.insert(ids.back());
  }
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(set.contains(ids[(i++ * 7919) % ids.size()]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ImageIdSetLookup)->Arg(1 << 10)->Arg(1 << 17);

ami::Image SampleImage() {
  const auto owner = *ami::AccountId::Parse("111122223333");
  const auto region = *ami::Region::Parse("us-east-1");
  ami::BlockDeviceMapping root;
  root.device_name = "/dev/xvda";
  root.ebs = ami::EbsBlockDevice{*ami::SnapshotId::Parse("snap-0123456789abcdef0"), 8};
  return *ami::Image::Builder()
              .set_id(*ami::ImageId::Parse("ami-0123456789abcdef0"))
              .set_name("bench-image")
              .set_owner(owner)
              .set_region(region)
              .add_block_device_mapping(root)
              .set_launch_permissions(
                  *ami::LaunchPermissions::Create({*ami::AccountId::Parse("444455556666")}, false, {}, {}))
              .Build();
}

void BM_ImageBinaryRoundTrip(benchmark::State& state) {
  const ami::Image image = SampleImage();
  size_t bytes = 0;
  for (auto _ : state) {
    const std::string wire = ami::ToBinary(image);
    bytes += wire.size();
    benchmark::DoNotOptimize(ami::FromBinary<ami::Image>(wire));
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ImageBinaryRoundTrip);

void BM_ImageJsonRoundTrip(benchmark::State& state) {
  const ami::Image image = SampleImage();
  for (auto _ : state) benchmark::DoNotOptimize(ami::FromJson<ami::Image>(ami::ToJson(image)));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ImageJsonRoundTrip);

}  // namespace

BENCHMARK_MAIN();
