// Fleet benchmarks on generated fleets (ami/tools/fleet.h): 10k accounts, 100k images and 1M instances
// unless a size is named. The baselines (a bare hash lookup, a bare pass over the instances) are
// measured in the same run, so the ratios to them hold on any machine. Memory is counted by the
// allocator (alloc_count.h), not estimated.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "alloc_count.h"
#include "ami/cloud.h"
#include "ami/image.h"
#include "ami/policy.h"
#include "ami/io/state_file.h"
#include "ami/tools/config_fleet.h"
#include "ami/tools/config_rules.h"
#include "ami/tools/fleet.h"
#include "ami/tools/launch_table.h"
#include "benchmark/benchmark.h"

namespace {

using ami::AccountId;
using ami::Fleet;
using ami::FleetEncryption;
using ami::FleetImage;
using ami::FleetShare;
using ami::FleetSpec;

constexpr int kMainImages = 100000;
constexpr int kMainInstances = 1000000;
constexpr size_t kPicks = 1 << 16;  // Precomputed random picks, walked in a loop.

// Short benchmarks run five times and report the median (and mean, spread), so that one burst of
// noise from a shared machine does not decide a ratio.
void Steady(benchmark::internal::Benchmark* b) { b->Repetitions(5)->ReportAggregatesOnly(true); }

FleetSpec Spec(int images, int instances) {
  FleetSpec spec;
  spec.images = images;
  spec.instances = instances;
  return spec;
}

// Fleets by image count, made on first use and kept: 100k images come with 1M instances (the
// main fleet), other sizes with ten instances per image up to 1M.
Fleet& FleetOf(int images) {
  static auto* fleets = new std::map<int, std::unique_ptr<Fleet>>();
  auto& slot = (*fleets)[images];
  if (slot == nullptr) {
    const int instances = images == kMainImages ? kMainInstances : std::min(images * 10, 1000000);
    auto made = ami::GenerateFleet(Spec(images, instances));
    if (!made.ok()) {
      fprintf(stderr, "fleet generation failed: %s\n", made.status().ToString().c_str());
      std::abort();
    }
    slot = std::make_unique<Fleet>(std::move(*made));
  }
  return *slot;
}
Fleet& MainFleet() { return FleetOf(kMainImages); }

// A fork of a fleet's cloud for benchmarks that leave changes behind (copies, new shares), so
// the fleets themselves stay as generated for the others.
ami::Cloud& ScratchOf(int images) {
  static auto* forks = new std::map<int, std::unique_ptr<ami::Cloud>>();
  auto& slot = (*forks)[images];
  if (slot == nullptr) slot = FleetOf(images).cloud->Fork();
  return *slot;
}

// A SplitMix64 stream for the picks.
struct Picker {
  uint64_t state;
  uint64_t Below(uint64_t n) {
    uint64_t x = (state += 0x9e3779b97f4a7c15ULL);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return (x ^ (x >> 31)) % n;
  }
};

// Images shared with accounts, with the given encryption and no marketplace code (which other
// accounts cannot copy).
std::vector<const FleetImage*> AccountShared(const Fleet& fleet, FleetEncryption encryption) {
  std::vector<const FleetImage*> images;
  for (const FleetImage& image : fleet.images) {
    if (image.share == FleetShare::kAccounts && image.encryption == encryption && !image.marketplace) {
      images.push_back(&image);
    }
  }
  return images;
}

// The fleet's Region after `region`, for cross-Region copies.
ami::Region NextRegion(const Fleet& fleet, ami::Region region) {
  const size_t at = static_cast<size_t>(
      std::find(fleet.regions.begin(), fleet.regions.end(), region) - fleet.regions.begin());
  return fleet.regions[(at + 1) % fleet.regions.size()];
}

// Asks the questions in turn through `evaluate` under one read lock of the cloud, counting the
// decisions that allow.
template <typename Question, typename Evaluate>
void RunDecisions(benchmark::State& state, const ami::Cloud& cloud,
                  const std::vector<Question>& questions, Evaluate evaluate) {
  size_t allowed = 0;
  cloud.Evaluate([&](const ami::StateView& view) {
    size_t i = 0;
    for (auto _ : state) {
      const ami::Decision d = evaluate(view, questions[i++ & (kPicks - 1)]);
      allowed += d.allowed();
      benchmark::DoNotOptimize(d);
    }
    return ami::Decision();
  });
  state.SetItemsProcessed(state.iterations());
  state.counters["allowed"] = static_cast<double>(allowed) / static_cast<double>(state.iterations());
}

// ---- Limit references ----

void BM_BaselineHashLookup(benchmark::State& state) {
  const Fleet& fleet = MainFleet();
  absl::flat_hash_map<ami::ImageId, const FleetImage*> map;
  map.reserve(fleet.images.size());
  for (const FleetImage& image : fleet.images) map.emplace(image.id, &image);
  Picker pick{7};
  std::vector<ami::ImageId> ids;
  for (size_t i = 0; i < kPicks; ++i) ids.push_back(fleet.images[pick.Below(fleet.images.size())].id);
  size_t i = 0;
  for (auto _ : state) {
    auto it = map.find(ids[i++ & (kPicks - 1)]);
    benchmark::DoNotOptimize(it);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BaselineHashLookup)->Apply(Steady);

void BM_BaselineScan(benchmark::State& state) {
  const Fleet& fleet = MainFleet();
  absl::flat_hash_map<ami::ImageId, uint32_t> index;
  for (size_t i = 0; i < fleet.images.size(); ++i) index.emplace(fleet.images[i].id, i);
  // Each instance's image as an index, and one "approved" bit per image.
  std::vector<uint32_t> instance_image;
  for (const ami::InstanceId id : fleet.instances) {
    instance_image.push_back(index.at(fleet.cloud->GetInstance(id)->image_id()));
  }
  std::vector<uint64_t> approved((fleet.images.size() + 63) / 64);
  for (size_t i = 0; i < fleet.images.size(); i += 3) approved[i / 64] |= uint64_t{1} << (i % 64);
  for (auto _ : state) {
    size_t unapproved = 0;
    for (const uint32_t image : instance_image) {
      unapproved += ((approved[image / 64] >> (image % 64)) & 1) ^ 1;
    }
    benchmark::DoNotOptimize(unapproved);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(instance_image.size()));
}
BENCHMARK(BM_BaselineScan)->Unit(benchmark::kMicrosecond)->Apply(Steady);

// ---- Decisions ----

// Random (account, image) launch questions over the fleet's mix: the owner, an account grantee,
// an organization member, or any account (mostly denied unless the image is public).
std::vector<ami::policy::LaunchQuestion> LaunchQuestions(const Fleet& fleet) {
  Picker pick{11};
  std::vector<ami::policy::LaunchQuestion> questions;
  std::vector<std::vector<int>> members(static_cast<size_t>(fleet.organizations));
  for (size_t a = 0; a < fleet.accounts.size(); ++a) {
    if (fleet.organization_of[a] >= 0) members[fleet.organization_of[a]].push_back(static_cast<int>(a));
  }
  absl::flat_hash_map<AccountId, int> account_index;
  for (size_t a = 0; a < fleet.accounts.size(); ++a) account_index[fleet.accounts[a]] = static_cast<int>(a);
  for (size_t i = 0; i < kPicks; ++i) {
    const FleetImage& image = fleet.images[pick.Below(fleet.images.size())];
    AccountId caller = image.owner;
    const int org = fleet.organization_of[account_index[image.owner]];
    switch (pick.Below(4)) {
      case 0:
        break;
      case 1:
        if (!image.grantees.empty()) caller = image.grantees[pick.Below(image.grantees.size())];
        break;
      case 2:
        if (org >= 0) caller = fleet.accounts[members[org][pick.Below(members[org].size())]];
        break;
      default:
        caller = fleet.accounts[pick.Below(fleet.accounts.size())];
    }
    questions.push_back({caller, image.region, image.id, std::nullopt, std::nullopt});
  }
  return questions;
}

// The main fleet's launch table, built on first use.
const ami::LaunchTable& MainLaunchTable() {
  static const ami::LaunchTable* table = ami::LaunchTable::Build(*MainFleet().cloud).release();
  return *table;
}

// The preflight decision through the compiled launch table (ami/tools/launch_table.h): the verdict
// alone, or the decision with its explanation rendered.
void RunLaunch(benchmark::State& state, bool explain) {
  struct Question {
    AccountId caller;
    ami::Region region;
    ami::ImageId image;
  };
  std::vector<Question> questions;
  for (const ami::policy::LaunchQuestion& q : LaunchQuestions(MainFleet())) {
    questions.push_back({q.caller, q.region, q.image});
  }
  const ami::LaunchTable& table = MainLaunchTable();
  size_t allowed = 0, text = 0, i = 0;
  for (auto _ : state) {
    const Question& q = questions[i++ & (kPicks - 1)];
    if (explain) {
      const ami::Decision d = table.Decide(q.caller, q.region, q.image);
      allowed += d.allowed();
      const std::string why = d.Explain();
      text += why.size();
      benchmark::DoNotOptimize(why);
    } else {
      const ami::LaunchTable::Verdict v = table.Check(q.caller, q.region, q.image);
      allowed += v.allowed;
      benchmark::DoNotOptimize(v);
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["allowed"] = static_cast<double>(allowed) / static_cast<double>(state.iterations());
  if (explain) {
    state.counters["explain_bytes"] = static_cast<double>(text) / static_cast<double>(state.iterations());
  }
}
void BM_LaunchDecision(benchmark::State& state) { RunLaunch(state, false); }
void BM_LaunchDecisionExplained(benchmark::State& state) { RunLaunch(state, true); }
BENCHMARK(BM_LaunchDecision)->Apply(Steady);
BENCHMARK(BM_LaunchDecisionExplained)->Apply(Steady);

// The same questions through the policy engine on the live cloud (policy::EvaluateLaunch under
// one read lock): the whole Decision with every permit, not rendered.
void BM_LaunchDecisionEngine(benchmark::State& state) {
  const Fleet& fleet = MainFleet();
  RunDecisions(state, *fleet.cloud, LaunchQuestions(fleet),
               [](const ami::StateView& view, const ami::policy::LaunchQuestion& q) {
                 return ami::policy::EvaluateLaunch(view, q);
               });
}
BENCHMARK(BM_LaunchDecisionEngine)->Apply(Steady);

// ---- AWS Config rules ----

// The main fleet's rule of `kind`: 21 approved ids (the most the rule's older documentation
// allowed), or two approved tag entries.
ami::ConfigRule FleetRule(const Fleet& fleet, ami::ConfigRuleKind kind) {
  std::string parameters;
  if (kind == ami::ConfigRuleKind::kApprovedAmisById) {
    std::string ids;
    for (size_t i = 0; i < 21; ++i) {
      absl::StrAppend(&ids, i == 0 ? "" : ",", fleet.images[i * (fleet.images.size() / 21)].id.ToString());
    }
    parameters = absl::StrCat("{\"amiIds\":\"", ids, "\"}");
  } else {
    parameters = R"({"amisByTagKeyAndValue":"env:prod,approved"})";
  }
  auto rule = ami::ConfigRule::Create(ami::SourceIdentifier(kind), parameters);
  if (!rule.ok()) std::abort();
  return *std::move(rule);
}

// One managed rule over every account's instances in the main fleet's Regions, as an aggregator
// evaluates it, through the fleet table (ami/tools/config_fleet.h, built once, outside the
// timing): a decision per class of instances, then one pass over the 1M instances writing a
// byte each. Compare with BM_BaselineScan, a bare pass over the same instances with one bit per
// image, and with BM_FleetAuditEngine.
void BM_FleetAudit(benchmark::State& state, ami::ConfigRuleKind kind) {
  const Fleet& fleet = MainFleet();
  const ami::ConfigRule rule = FleetRule(fleet, kind);
  static const auto* table = new std::shared_ptr<const ami::ConfigFleetTable>(
      *ami::ConfigFleetTable::Build(*fleet.cloud));
  size_t results = 0, compliant = 0;
  for (auto _ : state) {
    const auto e = (*table)->Evaluate(rule, fleet.regions);
    if (!e.ok()) std::abort();
    results = e->size();
    compliant = e->Count(ami::ComplianceType::kCompliant);
    benchmark::DoNotOptimize(e);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(fleet.instances.size()));
  state.counters["results"] = static_cast<double>(results);
  state.counters["compliant"] = static_cast<double>(compliant) / static_cast<double>(std::max<size_t>(results, 1));
}
BENCHMARK_CAPTURE(BM_FleetAudit, ApprovedAmisByTag, ami::ConfigRuleKind::kApprovedAmisByTag)
    ->Unit(benchmark::kMicrosecond)->Apply(Steady);
BENCHMARK_CAPTURE(BM_FleetAudit, ApprovedAmisById, ami::ConfigRuleKind::kApprovedAmisById)
    ->Unit(benchmark::kMicrosecond)->Apply(Steady);

// The same rules through EvaluateConfigRuleForAllAccounts (ami/tools/config_rules.h): the
// policy engine per image, every result with its annotation, reading the cloud's own tables.
void BM_FleetAuditEngine(benchmark::State& state, ami::ConfigRuleKind kind) {
  const Fleet& fleet = MainFleet();
  const ami::ConfigRule rule = FleetRule(fleet, kind);
  for (auto _ : state) {
    const ami::ConfigEvaluation e = ami::EvaluateConfigRuleForAllAccounts(*fleet.cloud, rule, fleet.regions);
    state.PauseTiming();  // Freeing the results is not the evaluation.
    benchmark::DoNotOptimize(e);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(fleet.instances.size()));
}
BENCHMARK_CAPTURE(BM_FleetAuditEngine, ApprovedAmisByTag, ami::ConfigRuleKind::kApprovedAmisByTag)
    ->Unit(benchmark::kMillisecond)->Repetitions(3)->ReportAggregatesOnly(true);
BENCHMARK_CAPTURE(BM_FleetAuditEngine, ApprovedAmisById, ami::ConfigRuleKind::kApprovedAmisById)
    ->Unit(benchmark::kMillisecond)->Repetitions(3)->ReportAggregatesOnly(true);

// Times `make()`, but not the destruction of what it made.
template <typename Make>
void TimeMaking(benchmark::State& state, Make make) {
  for (auto _ : state) {
    auto made = make();
    benchmark::DoNotOptimize(made);
    state.PauseTiming();
    made.reset();
    state.ResumeTiming();
  }
}

// Compiling the main fleet into a launch table (a fork of the cloud, then the tables).
void BM_LaunchTableBuild(benchmark::State& state) {
  TimeMaking(state, [] { return ami::LaunchTable::Build(*MainFleet().cloud); });
}
BENCHMARK(BM_LaunchTableBuild)->Unit(benchmark::kMillisecond)->Iterations(2);

// Copies of images shared with the caller's account and encrypted with the owner's customer
// managed key, into another Region, re-encrypted with the caller's default key.
void BM_CopyDecision(benchmark::State& state) {
  const Fleet& fleet = MainFleet();
  const ami::KmsKeyRef ebs_default = *ami::KmsKeyRef::Parse("alias/aws/ebs");
  Picker pick{13};
  const std::vector<const FleetImage*> candidates =
      AccountShared(fleet, FleetEncryption::kCustomerKey);
  std::vector<ami::policy::CopyQuestion> questions;
  for (size_t i = 0; i < kPicks; ++i) {
    const FleetImage& image = *candidates[pick.Below(candidates.size())];
    ami::policy::CopyQuestion q;
    q.caller = image.grantees[pick.Below(image.grantees.size())];
    q.source_region = image.region;
    q.destination = NextRegion(fleet, image.region);
    q.source_image = image.id;
    q.name = absl::StrCat("copy-", i);
    q.encrypted = true;
    q.kms_key = ebs_default;
    questions.push_back(std::move(q));
  }
  RunDecisions(state, *fleet.cloud, questions,
               [](const ami::StateView& view, const ami::policy::CopyQuestion& q) {
                 return ami::policy::EvaluateCopy(view, q);
               });
}
BENCHMARK(BM_CopyDecision)->Apply(Steady);

// ---- Operations through the cloud ----

// Each iteration adds one account launch permission to a random image (as its owner) and
// removes it again: two operations, the fleet unchanged after each iteration.
void BM_ModifyLaunchPermission(benchmark::State& state) {
  Fleet& fleet = FleetOf(static_cast<int>(state.range(0)));
  Picker pick{17};
  struct Op {
    ami::CallContext ctx;
    ami::ModifyImageAttributeRequest add, remove;
  };
  std::vector<Op> ops;
  for (size_t i = 0; i < 4096; ++i) {
    const FleetImage& image = fleet.images[pick.Below(fleet.images.size())];
    if (image.encryption == FleetEncryption::kAwsManagedKey) continue;  // Not shareable.
    AccountId grantee = fleet.accounts[pick.Below(fleet.accounts.size())];
    if (grantee == image.owner ||
        std::find(image.grantees.begin(), image.grantees.end(), grantee) != image.grantees.end()) {
      continue;
    }
    Op op{{image.owner, image.region, false}, {image.id.ToString()}, {image.id.ToString()}};
    op.add.add.push_back({grantee.ToString(), "", "", ""});
    op.remove.remove.push_back({grantee.ToString(), "", "", ""});
    ops.push_back(std::move(op));
  }
  size_t i = 0;
  absl::Status failed;
  for (auto _ : state) {
    const Op& op = ops[i++ % ops.size()];
    failed.Update(fleet.cloud->ModifyImageAttribute(op.ctx, op.add));
    failed.Update(fleet.cloud->ModifyImageAttribute(op.ctx, op.remove));
  }
  if (!failed.ok()) state.SkipWithError(failed.ToString().c_str());
  state.SetItemsProcessed(state.iterations() * 2);
  state.counters["images"] = static_cast<double>(fleet.images.size());
}
BENCHMARK(BM_ModifyLaunchPermission)->Arg(10000)->Arg(100000)->Arg(1000000)->Apply(Steady);

// Cross-Region copies by a grantee of an unencrypted image shared with it; each copy is a new
// pending image with new snapshots in the destination Region.
void BM_CopyImage(benchmark::State& state) {
  const Fleet& fleet = FleetOf(static_cast<int>(state.range(0)));
  ami::Cloud& cloud = ScratchOf(static_cast<int>(state.range(0)));
  Picker pick{19};
  static int copies = 0;
  const std::vector<const FleetImage*> candidates = AccountShared(fleet, FleetEncryption::kNone);
  absl::Status failed;
  for (auto _ : state) {
    state.PauseTiming();
    const FleetImage& image = *candidates[pick.Below(candidates.size())];
    const ami::Region destination = NextRegion(fleet, image.region);
    const ami::CallContext ctx{image.grantees[pick.Below(image.grantees.size())], destination, false};
    ami::CopyImageRequest request;
    request.source_image_id = image.id.ToString();
    request.source_region = image.region.ToString();
    request.name = absl::StrCat("bench-copy-", ++copies);
    state.ResumeTiming();
    failed.Update(cloud.CopyImage(ctx, request).status());
  }
  if (!failed.ok()) state.SkipWithError(failed.ToString().c_str());
  state.SetItemsProcessed(state.iterations());
  state.counters["images"] = static_cast<double>(fleet.images.size());
}
BENCHMARK(BM_CopyImage)->Arg(100000)->Arg(1000000);

// DescribeImages with ExecutableUsers=self for a standalone account that 1% of the images are
// shared with (set up through the cloud, untimed); every page of 1,000 is read.
void BM_DescribeExecutableBy(benchmark::State& state) {
  const Fleet& fleet = FleetOf(static_cast<int>(state.range(0)));
  ami::Cloud& cloud = ScratchOf(static_cast<int>(state.range(0)));
  const AccountId reader = AccountId::FromNumber(999999999999ULL);
  static std::map<int, bool> shared;
  const size_t want = fleet.images.size() / 100;
  if (!shared[static_cast<int>(state.range(0))]) {
    shared[static_cast<int>(state.range(0))] = true;
    Picker pick{23};
    for (size_t n = 0; n < want;) {
      const FleetImage& image = fleet.images[pick.Below(fleet.images.size())];
      if (image.encryption == FleetEncryption::kAwsManagedKey) continue;  // Not shareable.
      ami::ModifyImageAttributeRequest r{image.id.ToString()};
      r.add.push_back({reader.ToString(), "", "", ""});
      const ami::Image before = *cloud.GetImage(image.id);
      if (before.launch_permissions().HasAccount(reader)) continue;
      const absl::Status shared_status =
          cloud.ModifyImageAttribute({image.owner, image.region, false}, r);
      if (!shared_status.ok()) {
        state.SkipWithError(shared_status.ToString().c_str());
        return;
      }
      ++n;
    }
  }
  size_t returned = 0;
  for (auto _ : state) {
    returned = 0;
    for (const ami::Region region : fleet.regions) {
      ami::DescribeImagesRequest request;
      request.executable_users = {"self"};
      request.max_results = 1000;
      do {
        auto page = cloud.DescribeImages({reader, region, false}, request);
        if (!page.ok()) {
          state.SkipWithError(std::string(page.status().message()).c_str());
          return;
        }
        returned += page->images.size();
        request.next_token = page->next_token;
      } while (!request.next_token.empty());
    }
  }
  if (returned != want) state.SkipWithError("the query returned the wrong number of images");
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(returned));
  state.counters["returned"] = static_cast<double>(returned);
  state.counters["per_image"] = benchmark::Counter(
      static_cast<double>(state.iterations() * returned),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_DescribeExecutableBy)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond)->Apply(Steady);

// ---- The whole fleet ----

// Stream buffers over memory, so the file benchmarks measure libami and not a growing
// std::ostringstream or the copy std::istringstream makes of its input.
class AppendBuf : public std::streambuf {
 public:
  explicit AppendBuf(std::string* out) : out_(out) {}

 protected:
  int_type overflow(int_type c) override {
    if (c != traits_type::eof()) out_->push_back(static_cast<char>(c));
    return c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    out_->append(s, static_cast<size_t>(n));
    return n;
  }

 private:
  std::string* out_;
};

class ReadBuf : public std::streambuf {
 public:
  explicit ReadBuf(const std::string& in) {
    char* p = const_cast<char*>(in.data());
    setg(p, p, p + in.size());
  }
};

const std::string& SavedMainFleet() {
  static const std::string* saved = [] {
    auto* out = new std::string();
    AppendBuf buf(out);
    std::ostream stream(&buf);
    if (!ami::SaveState(*MainFleet().cloud, stream).ok()) std::abort();
    return out;
  }();
  return *saved;
}

void BM_FleetSave(benchmark::State& state) {
  const ami::Cloud& cloud = *MainFleet().cloud;
  std::string file;
  file.reserve(SavedMainFleet().size());
  size_t bytes = 0;
  for (auto _ : state) {
    file.clear();  // Keeps the capacity: the file is written into memory already paged in.
    AppendBuf buf(&file);
    std::ostream out(&buf);
    if (!ami::SaveState(cloud, out).ok()) {
      state.SkipWithError("save failed");
      return;
    }
    bytes += file.size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["file_bytes"] = static_cast<double>(bytes / state.iterations());
}
BENCHMARK(BM_FleetSave)->Unit(benchmark::kMillisecond)->Iterations(2);

// Loads the saved main fleet; with `progress`, a progress callback (amictl's, minus the drawing)
// is called at the default interval, so the pair measures what the hook costs.
void RunLoad(benchmark::State& state, bool progress) {
  const std::string& bytes = SavedMainFleet();
  bool equal = true;
  uint64_t calls = 0;
  ami::LoadStateOptions options;
  if (progress) options.progress = [&calls](const ami::LoadProgress& p) { calls += p.records > 0; };
  for (auto _ : state) {
    ReadBuf buf(bytes);
    std::istream in(&buf);
    auto loaded = ami::LoadState(in, options);
    if (!loaded.ok()) {
      state.SkipWithError(std::string(loaded.status().message()).c_str());
      return;
    }
    state.PauseTiming();
    equal = equal && (*loaded)->StateEquals(*MainFleet().cloud);  // Checked untimed.
    loaded->reset();
    state.ResumeTiming();
  }
  if (!equal) state.SkipWithError("the loaded fleet differs from the saved one");
  state.SetBytesProcessed(static_cast<int64_t>(bytes.size() * state.iterations()));
  state.counters["file_bytes"] = static_cast<double>(bytes.size());
  state.counters["progress_calls"] = static_cast<double>(calls / state.iterations());
}
void BM_FleetLoad(benchmark::State& state) { RunLoad(state, false); }
void BM_FleetLoadWithProgress(benchmark::State& state) { RunLoad(state, true); }
BENCHMARK(BM_FleetLoad)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_FleetLoadWithProgress)->Unit(benchmark::kMillisecond)->Iterations(2);

void BM_Fork(benchmark::State& state) {
  TimeMaking(state, [] { return MainFleet().cloud->Fork(); });
}
BENCHMARK(BM_Fork)->Unit(benchmark::kMillisecond)->Iterations(3);

// Heap bytes the cloud holds per image (with its snapshots, keys, tags and indexes) and per
// instance: the main fleet generated without instances, then with them; only the cloud is kept.
void BM_FleetMemory(benchmark::State& state) {
  int64_t per_image = 0, per_instance = 0;
  for (auto _ : state) {
    auto cloud_bytes = [](int instances) {
      const int64_t before = ami::bench::LiveHeapBytes();
      std::unique_ptr<ami::Cloud> cloud;
      {
        auto fleet = ami::GenerateFleet(Spec(kMainImages, instances));
        if (!fleet.ok()) std::abort();
        cloud = std::move(fleet->cloud);
      }
      return ami::bench::LiveHeapBytes() - before;
    };
    const int64_t images_only = cloud_bytes(0);
    const int64_t whole = cloud_bytes(kMainInstances);
    per_image = images_only / kMainImages;
    per_instance = (whole - images_only) / kMainInstances;
  }
  state.counters["bytes_per_image"] = static_cast<double>(per_image);
  state.counters["bytes_per_instance"] = static_cast<double>(per_instance);
}
BENCHMARK(BM_FleetMemory)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
