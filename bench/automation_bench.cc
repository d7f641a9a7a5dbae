// Benchmarks of automation over time: a year of a daily Data Lifecycle Manager policy with count
// retention 7 over 10,000 instances (3.65M image creations and about as many deregistrations,
// each through the cloud's own operations), and an idle year (no firing: the clock alone).
// Run with build/release/bin/ami_bench --benchmark_filter=Year.
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "ami/ami.h"
#include "ami/automation/automation.h"
#include "ami/iam/iam.h"
#include "benchmark/benchmark.h"

namespace {

constexpr char kAllowAll[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})";

ami::CallContext Ctx() {
  ami::CallContext ctx;
  ctx.account = *ami::AccountId::Parse("111122223333");
  ctx.region = *ami::Region::Parse("us-east-1");
  return ctx;
}

// A cloud with `n` running instances tagged backup=yes and a daily policy retaining 7 AMIs.
std::unique_ptr<ami::Cloud> YearWorld(int n, std::string* policy_id) {
  std::unique_ptr<ami::Cloud> cloud = ami::Cloud::Create();
  const ami::CallContext ctx = Ctx();
  (void)cloud->AddAccount(ctx.account);
  ami::RegisterImageRequest reg;
  reg.name = "base";
  ami::RegisterImageMapping root;
  root.device_name = "/dev/xvda";
  root.volume_size_gib = 8;
  // A base image registered from an empty volume snapshot is not needed: launch from a
  // registered image of an imported snapshot.
  ami::Snapshot snapshot = *ami::Snapshot::Builder()
                                .set_id(ami::SnapshotId::Long(0x5eed00001ULL))
                                .set_owner(ctx.account)
                                .set_region(ctx.region)
                                .set_volume_size_gib(8)
                                .set_start_time(cloud->Now())
                                .Build();
  (void)cloud->ImportSnapshot(snapshot);
  ami::Image image = *ami::Image::Builder()
                          .set_id(ami::ImageId::Long(0x5eed00001ULL))
                          .set_name("base")
                          .set_owner(ctx.account)
                          .set_region(ctx.region)
                          .set_creation_time(cloud->Now())
                          .add_snapshot_mapping("/dev/xvda", snapshot)
                          .Build();
  (void)cloud->ImportImage(image);
  ami::iam::PrincipalSpec role;
  role.name = "dlm";
  role.policies = {{"all", kAllowAll}};
  const std::string role_arn = *ami::iam::PutPrincipal(*cloud, ctx.account, role);
  ami::RunInstancesRequest launch;
  launch.image_id = image.id().ToString();
  launch.tags = {{"backup", "yes"}};
  for (int done = 0; done < n; done += 1000) {
    launch.count = std::min(1000, n - done);
    (void)cloud->RunInstances(ctx, launch);
  }
  cloud->AdvanceClock(absl::Minutes(2));
  ami::LifecyclePolicyRequest policy;
  policy.description = "daily";
  policy.execution_role_arn = role_arn;
  policy.target_tags = {{"backup", "yes"}};
  ami::DlmSchedule daily;
  daily.name = "daily";
  daily.create_rule.cron_expression = "cron(0 3 * * ? *)";
  daily.retain_rule.count = 7;
  policy.schedules = {daily};
  *policy_id = *ami::Automation(*cloud).CreateLifecyclePolicy(ctx, policy);
  return cloud;
}

void BM_ScheduleYear(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  size_t images = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::string id;
    std::unique_ptr<ami::Cloud> cloud = YearWorld(n, &id);
    state.ResumeTiming();
    cloud->AdvanceClock(absl::Hours(24 * 365));
    state.PauseTiming();
    images = cloud->ListImages().size();
    cloud.reset();
    state.ResumeTiming();
  }
  state.counters["creations"] = 365.0 * n;
  state.counters["images_at_end"] = static_cast<double>(images);
  state.counters["creations_per_s"] =
      benchmark::Counter(365.0 * n * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ScheduleYear)->Arg(10000)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

// The clock alone over a year with a disabled policy: no firing, nothing to do.
void BM_IdleYear(benchmark::State& state) {
  std::string id;
  std::unique_ptr<ami::Cloud> cloud = YearWorld(10, &id);
  ami::Automation(*cloud).UpdateLifecyclePolicyState(Ctx(), id, "DISABLED").IgnoreError();
  for (auto _ : state) cloud->AdvanceClock(absl::Hours(24 * 365));
}
BENCHMARK(BM_IdleYear)->Unit(benchmark::kMicrosecond);

}  // namespace
