// Benchmarks of schedule expressions: the next firing of a cron (a daily one, the last Friday of
// the month in a Year range, one that never fires), in UTC and in a zone with daylight saving,
// beside a bare absl::TimeZone conversion as the floor. Run with
// build/release/bin/ami_bench --benchmark_filter=Cron.
#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "ami/automation/schedule.h"
#include "benchmark/benchmark.h"

namespace {

// NextAfter over a spread of start times (one every 7 hours 13 minutes from 2026-01-01), so the
// search meets every part of a day and month.
void CronNext(benchmark::State& state, const char* expression, const char* zone) {
  const ami::ScheduleExpression cron = *ami::ScheduleExpression::Parse(expression, zone);
  const absl::Time base = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z
  int64_t i = 0;
  for (auto _ : state) {
    const absl::Time after = base + absl::Minutes(433) * (i++ & 4095);
    benchmark::DoNotOptimize(cron.NextAfter(after, base));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_CronNext(benchmark::State& state) {
  static const char* const kCases[][2] = {
      {"cron(0 10 * * ? *)", ""},
      {"cron(0 10 ? * 6L 2026-2030)", ""},
      {"cron(30 2 * * ? *)", "America/New_York"},
      // Never fires: the whole search up to 2199, the worst case.
      {"cron(0 0 31 2 ? *)", ""},
  };
  const auto& c = kCases[state.range(0)];
  state.SetLabel(std::string(c[0]) + (c[1][0] != '\0' ? std::string(" ") + c[1] : ""));
  CronNext(state, c[0], c[1]);
}
BENCHMARK(BM_CronNext)->DenseRange(0, 3);

// The floor: one civil-time conversion in the zone, which every NextAfter makes at least twice.
void BM_CronNextBaselineZoneLookup(benchmark::State& state) {
  absl::TimeZone zone;
  absl::LoadTimeZone("America/New_York", &zone);
  const absl::Time base = absl::FromUnixSeconds(1767225600);
  int64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(zone.At(base + absl::Minutes(433) * (i++ & 4095)));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CronNextBaselineZoneLookup);

}  // namespace
