// Concurrent readers and one writer on one Cloud. The writer shares and unshares, tags,
// deprecates, copies, disables and enables images and moves the clock, asserting the outcome of
// every call (success, or the rejection it expects), and logs the state each step commits before
// it makes the call. Readers check every answer against that log: what a read shows must be the
// state after some step between the last one committed before the read and the last one begun
// after it; a read through several facts (a decision and the image it was made on, a whole
// DescribeImages page) must show them all at one step; and no read may show an earlier step than
// a read the same thread made before it, so nothing the writer did (a copy, a tick of the clock)
// is ever seen to be undone. Run under the `tsan` preset (ThreadSanitizer) it must also report
// no data race.
#include <algorithm>
#include <array>
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ami/automation/automation.h"
#include "ami/cloud.h"
#include "ami/errors.h"
#include "ami/iam/iam.h"
#include "ami/policy.h"
#include "ami/tools/config_fleet.h"
#include "ami/tools/config_rules.h"
#include "ami/tools/launch_table.h"
#include "gtest/gtest.h"

namespace ami {
namespace {

constexpr int kImages = 16;
constexpr int kWriterSteps = 3000;
constexpr int kReaders = 3;
// Each reader makes at least this many passes, and goes on until the writer is done.
constexpr int kMinReaderPasses = 200;

const AccountId kOwner = AccountId::FromNumber(111122223333);
const AccountId kReader = AccountId::FromNumber(444455556666);

// What the writer has committed about one base image, as its owner sees it.
struct ImageFacts {
  bool shared = false;  // The launch permission names the reader.
  bool disabled = false;
  int tag = -1;  // The value of its "step" tag; -1 when it has none.
  std::optional<absl::Time> deprecation;

  friend bool operator==(const ImageFacts&, const ImageFacts&) = default;
};

// The facts an image value shows.
ImageFacts FactsOf(const Image& image) {
  ImageFacts f;
  f.shared = image.launch_permissions().HasAccount(kReader);
  f.disabled = image.state() == ImageState::kDisabled;
  const std::optional<absl::string_view> tag = image.tags().Find("step");
  if (tag.has_value() && !absl::SimpleAtoi(*tag, &f.tag)) f.tag = -2;
  f.deprecation = image.deprecation_time();
  return f;
}

// What the writer has committed after some number of steps.
struct Facts {
  std::array<ImageFacts, kImages> images;
  int copies = 0;  // Copies of base images, each an image and a snapshot of the owner's.
  absl::Time now;
};

// The log of committed states: entry k is the state after k writer steps. The writer fills entry
// k + 1 before it begins step k and publishes it with `begun`; `committed` counts the steps whose
// call has returned.
class Ledger {
 public:
  explicit Ledger(absl::Time start) : log_(kWriterSteps + 1) { log_[0].now = start; }

  const Facts& At(int k) const { return log_[k]; }
  void Begin(int step, const Facts& next) {
    log_[step + 1] = next;
    begun_.store(step + 1, std::memory_order_release);
  }
  void Commit(int step) { committed_.store(step + 1, std::memory_order_release); }
  int begun() const { return begun_.load(std::memory_order_acquire); }
  int committed() const { return committed_.load(std::memory_order_acquire); }

 private:
  std::vector<Facts> log_;
  std::atomic<int> begun_{0};
  std::atomic<int> committed_{0};
};

// The writer's steps cycle through these, all images taking the same kind of step in a round.
enum class Op {
  kShare,
  kTag,
  kDeprecate,
  kCopy,
  kUnshareAsReader,  // Rejected: only the owner may change the launch permission.
  kUnshare,
  kReshare,
  kDisable,  // Also drops the shares (DEREG-8).
  kDisableAgain,  // Rejected: the image is not available.
  kEnable,
  kTick,
};
constexpr int kOps = 11;

Op OpAt(int step) { return static_cast<Op>((step / kImages) % kOps); }
ImageId BaseImage(int i) { return ImageId::Long(0x9000 + i); }
int BaseIndex(ImageId id) {
  for (int i = 0; i < kImages; ++i) {
    if (BaseImage(i) == id) return i;
  }
  return -1;
}

class Writer {
 public:
  Writer(Cloud& cloud, Ledger& ledger) : cloud_(cloud), ledger_(ledger) {}

  // Logs what step `step` will commit, makes the call and checks its outcome.
  void Step(int step) {
    Facts next = ledger_.At(step);
    const std::optional<ErrorCode> rejection = Plan(step, next);
    ledger_.Begin(step, next);
    const absl::Status status = Call(step);
    if (rejection.has_value()) {
      EXPECT_EQ(GetErrorCode(status), rejection) << "step " << step << ": " << status;
    } else {
      EXPECT_TRUE(status.ok()) << "step " << step << ": " << status;
    }
    ledger_.Commit(step);
  }

 private:
  // Whole minutes, as deprecation times are kept, and far enough ahead to stay in the future.
  static absl::Time DeprecationAt(int step) {
    return Cloud::Options().start_time + absl::Hours(24 * 400) + absl::Minutes(step);
  }

  // Applies step `step` to `next`; returns the code it must be rejected with, if it must be.
  static std::optional<ErrorCode> Plan(int step, Facts& next) {
    ImageFacts& image = next.images[step % kImages];
    switch (OpAt(step)) {
      case Op::kShare: case Op::kReshare: image.shared = true; break;
      case Op::kUnshare: image.shared = false; break;
      case Op::kTag: image.tag = step; break;
      case Op::kDeprecate: image.deprecation = DeprecationAt(step); break;
      case Op::kCopy: ++next.copies; break;
      case Op::kUnshareAsReader: return ErrorCode::kAuthFailure;
      case Op::kDisable:
        image.shared = false;
        image.disabled = true;
        break;
      case Op::kDisableAgain: return ErrorCode::kInvalidAMIIDUnavailable;
      case Op::kEnable: image.disabled = false; break;
      case Op::kTick: next.now += absl::Minutes(1); break;
    }
    return std::nullopt;
  }

  absl::Status Call(int step) {
    const CallContext as_owner{kOwner, east_};
    const std::string id = BaseImage(step % kImages).ToString();
    ModifyImageAttributeRequest share{id}, unshare{id};
    share.add = {{.user_id = kReader.ToString()}};
    unshare.remove = {{.user_id = kReader.ToString()}};
    switch (OpAt(step)) {
      case Op::kShare: case Op::kReshare: return cloud_.ModifyImageAttribute(as_owner, share);
      case Op::kUnshare: return cloud_.ModifyImageAttribute(as_owner, unshare);
      case Op::kUnshareAsReader: return cloud_.ModifyImageAttribute({kReader, east_}, unshare);
      case Op::kTag: return cloud_.CreateTags(as_owner, {id}, {{"step", absl::StrCat(step)}});
      case Op::kDeprecate:
        return cloud_.EnableImageDeprecation(as_owner, id, DeprecationAt(step));
      case Op::kCopy:
        return cloud_.CopyImage(as_owner, {id, "us-east-1", absl::StrCat("copy-", step)}).status();
      case Op::kDisable: case Op::kDisableAgain: return cloud_.DisableImage(as_owner, id);
      case Op::kEnable: return cloud_.EnableImage(as_owner, id);
      case Op::kTick: cloud_.AdvanceClock(absl::Minutes(1)); return absl::OkStatus();
    }
    return absl::InternalError("unknown step");
  }

  Cloud& cloud_;
  Ledger& ledger_;
  Region east_ = *Region::Parse("us-east-1");
};

// One reader thread's checks. `floor_` is the earliest step its last read can have shown.
class Reader {
 public:
  Reader(const Cloud& cloud, const Ledger& ledger) : cloud_(cloud), ledger_(ledger) {}

  void Pass(int pass) {
    const int i = pass % kImages;
    DecideInOneView(i);
    ReadImage(i);
    DescribeShared();
    DescribeOwn();
    DescribeOwnPages();
    DescribeSnapshots();
    DescribeLaunchPermission(i);
    ReadClock();
  }

 private:
  // Expects what was read since `lo` was taken to be the state after some step from `lo` (or
  // this reader's floor) to the last step begun now.
  template <typename Matches>
  void ExpectCommitted(const char* what, int lo, Matches matches) {
    const int hi = ledger_.begun();
    for (int k = std::max(lo, floor_); k <= hi; ++k) {
      if (matches(ledger_.At(k))) {
        floor_ = k;
        return;
      }
    }
    ADD_FAILURE() << what << " shows no state committed by steps " << std::max(lo, floor_)
                  << " to " << hi;
  }

  // A launch and a copy decision made in one view agree with the image that view shows, before
  // and after them.
  void DecideInOneView(int i) {
    const int lo = ledger_.committed();
    std::optional<ImageFacts> seen, seen_after;
    bool copy_allowed = false;
    const Decision launch = cloud_.Evaluate([&](const StateView& v) {
      if (const Image* image = v.FindImage(BaseImage(i))) seen = FactsOf(*image);
      const Decision d = policy::EvaluateLaunch(v, {kReader, east_, BaseImage(i)});
      const policy::CopyQuestion copy{kReader, east_, east_, BaseImage(i), "mine"};
      copy_allowed = policy::EvaluateCopy(v, copy).allowed();
      if (const Image* image = v.FindImage(BaseImage(i))) seen_after = FactsOf(*image);
      return d;
    });
    ASSERT_TRUE(seen.has_value());
    EXPECT_EQ(seen, seen_after) << "a view changed while it was read";
    const bool usable = seen->shared && !seen->disabled;
    EXPECT_EQ(launch.allowed(), usable) << launch.Explain();
    EXPECT_EQ(copy_allowed, usable);
    ExpectCommitted("the image a decision was made on", lo,
                    [&](const Facts& f) { return f.images[i] == *seen; });
  }

  void ReadImage(int i) {
    const int lo = ledger_.committed();
    const std::optional<Image> image = cloud_.GetImage(BaseImage(i));
    ASSERT_TRUE(image.has_value());
    ExpectCommitted("GetImage", lo, [&](const Facts& f) { return f.images[i] == FactsOf(*image); });
  }

  // The images the reader may launch: exactly the base images shared with it and not disabled,
  // all at one step, none showing the owner's tags.
  void DescribeShared() {
    const int lo = ledger_.committed();
    DescribeImagesRequest r;
    r.executable_users = {"self"};
    const absl::StatusOr<DescribeImagesResult> result = cloud_.DescribeImages({kReader, east_}, r);
    ASSERT_TRUE(result.ok()) << result.status();
    std::array<std::optional<absl::Time>, kImages> deprecation;
    std::array<bool, kImages> listed{};
    for (const DescribedImage& d : result->images) {
      const int i = BaseIndex(d.image.id());
      ASSERT_GE(i, 0) << d.image.id().ToString() << " is not shared with the reader";
      EXPECT_TRUE(d.image.tags().empty()) << d.image.id().ToString();
      listed[i] = true;
      deprecation[i] = d.image.deprecation_time();
    }
    ExpectCommitted("DescribeImages shared with the reader", lo, [&](const Facts& f) {
      for (int i = 0; i < kImages; ++i) {
        const ImageFacts& image = f.images[i];
        if (listed[i] != (image.shared && !image.disabled)) return false;
        if (listed[i] && deprecation[i] != image.deprecation) return false;
      }
      return true;
    });
  }

  // Whether `images` shows the base images as they were at `f`; counts the copies among them.
  static bool SameBaseImages(const std::vector<DescribedImage>& images, const Facts& f,
                             int* copies) {
    *copies = 0;
    for (const DescribedImage& d : images) {
      const int i = BaseIndex(d.image.id());
      if (i < 0) {
        ++*copies;
      } else if (!(FactsOf(d.image) == f.images[i])) {
        return false;
      }
    }
    return true;
  }

  // The owner's images in one answer: every base image and every copy made, at one step.
  void DescribeOwn() {
    const int lo = ledger_.committed();
    const absl::StatusOr<DescribeImagesResult> own =
        cloud_.DescribeImages({kOwner, east_}, {.owners = {"self"}, .include_disabled = true});
    ASSERT_TRUE(own.ok()) << own.status();
    ExpectCommitted("DescribeImages of the owner", lo, [&](const Facts& f) {
      int copies = 0;
      return SameBaseImages(own->images, f, &copies) && copies == f.copies &&
             own->images.size() == static_cast<size_t>(kImages + f.copies);
    });
  }

  // The owner's images five at a time: each page shows one step.
  void DescribeOwnPages() {
    DescribeImagesRequest r{.owners = {"self"}, .include_disabled = true, .max_results = 5};
    for (int page = 0; page < 1000; ++page) {
      const int lo = ledger_.committed();
      const absl::StatusOr<DescribeImagesResult> result = cloud_.DescribeImages({kOwner, east_}, r);
      ASSERT_TRUE(result.ok()) << result.status();
      ASSERT_LE(result->images.size(), 5u);
      int copies = 0;
      ExpectCommitted("a page of the owner's images", lo, [&](const Facts& f) {
        return SameBaseImages(result->images, f, &copies) && copies <= f.copies;
      });
      if (result->next_token.empty()) return;
      r.next_token = result->next_token;
    }
    ADD_FAILURE() << "DescribeImages pages do not end";
  }

  void DescribeSnapshots() {
    const int lo = ledger_.committed();
    const absl::StatusOr<DescribeSnapshotsResult> snaps =
        cloud_.DescribeSnapshots({kOwner, east_}, {.owner_ids = {"self"}});
    ASSERT_TRUE(snaps.ok()) << snaps.status();
    ExpectCommitted("DescribeSnapshots of the owner", lo, [&](const Facts& f) {
      return snaps->snapshots.size() == static_cast<size_t>(kImages + f.copies);
    });
  }

  void DescribeLaunchPermission(int i) {
    const int lo = ledger_.committed();
    const absl::StatusOr<ImageAttribute> attribute = cloud_.DescribeImageAttribute(
        {kOwner, east_}, BaseImage(i).ToString(), "launchPermission");
    ASSERT_TRUE(attribute.ok()) << attribute.status();
    ASSERT_TRUE(attribute->launch_permissions.has_value());
    const std::vector<AccountId>& accounts = attribute->launch_permissions->accounts();
    ExpectCommitted("the launch permission", lo, [&](const Facts& f) {
      return accounts == (f.images[i].shared ? std::vector<AccountId>{kReader}
                                             : std::vector<AccountId>{});
    });
  }

  void ReadClock() {
    const int lo = ledger_.committed();
    const absl::Time now = cloud_.Now();
    ExpectCommitted("the clock", lo, [&](const Facts& f) { return f.now == now; });
  }

  const Cloud& cloud_;
  const Ledger& ledger_;
  Region east_ = *Region::Parse("us-east-1");
  int floor_ = 0;
};

// A cloud with the owner's base images, none shared, each with one snapshot that the reader may
// use (so that it may copy the images shared with it).
std::unique_ptr<Cloud> BaseCloud() {
  std::unique_ptr<Cloud> cloud = Cloud::Create();
  const Region east = *Region::Parse("us-east-1");
  for (int i = 0; i < kImages; ++i) {
    const Snapshot snap = *Snapshot::Builder()
                               .set_id(SnapshotId::Long(0x7000 + i))
                               .set_owner(kOwner)
                               .set_region(east)
                               .Build();
    EXPECT_TRUE(cloud->ImportSnapshot(snap).ok());
    EXPECT_TRUE(cloud->ModifySnapshotAttribute({kOwner, east}, {snap.id().ToString(), "add",
                                                                {kReader.ToString()}})
                    .ok());
    EXPECT_TRUE(cloud->ImportImage(*Image::Builder()
                                        .set_id(BaseImage(i))
                                        .set_name(absl::StrCat("base-", i))
                                        .set_owner(kOwner)
                                        .set_region(east)
                                        .add_snapshot_mapping("/dev/xvda", snap)
                                        .Build())
                    .ok());
  }
  return cloud;
}

TEST(Concurrency, ReadersSeeOnlyWhatTheWriterCommitted) {
  const std::unique_ptr<Cloud> cloud = BaseCloud();
  Ledger ledger(cloud->Now());
  std::atomic<bool> writer_done{false};
  std::thread writer([&] {
    Writer w(*cloud, ledger);
    for (int step = 0; step < kWriterSteps; ++step) w.Step(step);
    writer_done.store(true);
  });
  std::vector<std::thread> readers;
  for (int t = 0; t < kReaders; ++t) {
    readers.emplace_back([&, t] {
      Reader r(*cloud, ledger);
      for (int pass = t; pass < t + kMinReaderPasses || !writer_done.load(); ++pass) r.Pass(pass);
    });
  }
  writer.join();
  for (std::thread& r : readers) r.join();
  // After the last step, a reader sees exactly the last state logged.
  Reader last(*cloud, ledger);
  last.Pass(0);
}

// A LaunchTable asked as IAM principals from several threads at once, its memo cold: every
// thread's verdicts are those iam::Explain gives one thread, whichever thread asked first.
TEST(Concurrency, LaunchTableCheckAsFromManyThreads) {
  const std::unique_ptr<Cloud> cloud = BaseCloud();
  iam::PrincipalSpec spec;
  spec.name = "dev";
  spec.policies = {{"inline:dev", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Action":"ec2:RunInstances","Resource":"*",
      "Condition":{"StringEqualsIfExists":{"ec2:ResourceTag/team":"a"}}}]})"}};
  const std::string dev = iam::PutPrincipal(*cloud, kOwner, spec).value();
  const Region region = Region::Parse("us-east-1").value();
  std::vector<ImageId> images;
  for (int i = 0; i < kImages; ++i) {
    images.push_back(BaseImage(i));
    ASSERT_TRUE(cloud->CreateTags(CallContext{kOwner, region}, {images.back().ToString()},
                                  {{"team", i % 3 == 0 ? "a" : "b"}})
                    .ok());
  }
  const std::vector<iam::Identity> who = {
      {dev, {}}, {"arn:aws:sts::111122223333:assumed-role/dev/s1", {}}, {"", {}}};
  std::vector<bool> want;
  for (const iam::Identity& w : who) {
    for (const ImageId id : images) {
      want.push_back(iam::Explain(*cloud, w, {kOwner, region, id, std::nullopt, std::nullopt})
                         .allowed());
    }
  }
  const std::unique_ptr<LaunchTable> table = LaunchTable::Build(*cloud);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int pass = 0; pass < 50; ++pass) {
        for (size_t q = 0; q < want.size(); ++q) {
          const size_t at = (q * 7 + static_cast<size_t>(t + pass)) % want.size();
          const LaunchTable::Verdict v = table->CheckAs(
              who[at / images.size()], kOwner, region, images[at % images.size()]);
          if (v.allowed != want[at]) wrong.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_NE(std::count(want.begin(), want.end(), true), 0);
  EXPECT_NE(std::count(want.begin(), want.end(), false), 0);
}

// One fleet table asked by four threads at once, each evaluating and annotating, while the cloud
// it was built from changes: every thread sees the table's moment, the same counts and the same
// sentences.
TEST(Concurrency, ConfigFleetTableFromManyThreads) {
  const std::unique_ptr<Cloud> cloud = BaseCloud();
  const Region region = Region::Parse("us-east-1").value();
  std::vector<ImageId> images;
  for (int i = 0; i < kImages; ++i) {
    images.push_back(BaseImage(i));
    ASSERT_TRUE(cloud->CreateTags(CallContext{kOwner, region}, {images.back().ToString()},
                                  {{"approved", i % 2 == 0 ? "true" : "false"}})
                    .ok());
    RunInstancesRequest r;
    r.image_id = images.back().ToString();
    ASSERT_TRUE(cloud->RunInstances(CallContext{kOwner, region}, r).ok());
  }
  const auto rule =
      ConfigRule::Create("APPROVED_AMIS_BY_TAG", R"({"amisByTagKeyAndValue":"approved:true"})");
  ASSERT_TRUE(rule.ok());
  const auto table = ConfigFleetTable::Build(*cloud);
  ASSERT_TRUE(table.ok());
  const auto first = (*table)->Evaluate(*rule, {region});
  ASSERT_TRUE(first.ok());
  const size_t compliant = first->Count(ComplianceType::kCompliant);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int pass = 0; pass < 20; ++pass) {
        const auto e = (*table)->Evaluate(*rule, {region});
        if (!e.ok() || e->Count(ComplianceType::kCompliant) != compliant) wrong.fetch_add(1);
        e->ForEach([&](const FleetResult& r) {
          if (e->Annotation(r).empty()) wrong.fetch_add(1);
        });
      }
    });
  }
  // The cloud moves on; the table does not.
  for (int i = 0; i < kImages; ++i) {
    ASSERT_TRUE(cloud->CreateTags(CallContext{kOwner, region}, {images[i].ToString()},
                                  {{"approved", "true"}})
                    .ok());
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_NE(compliant, 0u);
  EXPECT_NE(compliant, first->size());
}

// Automation fires inside AdvanceClock, under the writer lock, while other threads read the
// cloud and the automation: a reader never sees a policy's retention half applied (at most 3
// registered AMIs per instance, the policy's count), and the history stays within its bound.
TEST(Concurrency, AutomationFiresWhileOthersRead) {
  const std::unique_ptr<Cloud> cloud = Cloud::Create();
  const Region east = *Region::Parse("us-east-1");
  CallContext ctx;
  ctx.account = kOwner;
  ctx.region = east;
  ASSERT_TRUE(cloud->AddAccount(kOwner).ok());
  const Snapshot snap = *Snapshot::Builder()
                             .set_id(SnapshotId::Long(0x5eed0001))
                             .set_owner(kOwner)
                             .set_region(east)
                             .set_volume_size_gib(8)
                             .Build();
  ASSERT_TRUE(cloud->ImportSnapshot(snap).ok());
  const Image base = *Image::Builder()
                          .set_id(ImageId::Long(0x5eed0001))
                          .set_name("base")
                          .set_owner(kOwner)
                          .set_region(east)
                          .add_snapshot_mapping("/dev/xvda", snap)
                          .Build();
  ASSERT_TRUE(cloud->ImportImage(base).ok());
  RunInstancesRequest launch;
  launch.image_id = base.id().ToString();
  launch.count = 8;
  launch.tags = {{"backup", "yes"}};
  ASSERT_TRUE(cloud->RunInstances(ctx, launch).ok());
  cloud->AdvanceClock(absl::Minutes(2));
  iam::PrincipalSpec role;
  role.name = "dlm";
  role.policies = {{"all", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})"}};
  LifecyclePolicyRequest policy;
  policy.description = "daily";
  policy.execution_role_arn = *iam::PutPrincipal(*cloud, kOwner, role);
  policy.target_tags = {{"backup", "yes"}};
  DlmSchedule daily;
  daily.name = "daily";
  daily.create_rule.cron_expression = "cron(0 3 * * ? *)";
  daily.retain_rule.count = 3;
  policy.schedules = {daily};
  ASSERT_TRUE(Automation(*cloud).CreateLifecyclePolicy(ctx, policy).ok());
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int day = 0; day < 20; ++day) cloud->AdvanceClock(absl::Hours(24));
    done.store(true);
  });
  std::vector<std::thread> readers;
  std::atomic<int> violations{0};
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      for (int pass = 0; pass < 3 || !done.load(); ++pass) {
        const Automation a(*cloud);
        if (a.History(ctx).size() > static_cast<size_t>(Automation::kMaxHistory)) ++violations;
        if (a.GetLifecyclePolicies(ctx).size() != 1) ++violations;
        int managed = 0;
        for (const Image& i : cloud->ListImages()) {
          if (i.state() != ImageState::kDeregistered &&
              i.tags().Find("aws:dlm:lifecycle-policy-id").has_value()) {
            ++managed;
          }
        }
        if (managed > 8 * 3) ++violations;
      }
    });
  }
  writer.join();
  for (std::thread& r : readers) r.join();
  EXPECT_EQ(violations.load(), 0);
  int managed = 0;
  for (const Image& i : cloud->ListImages()) {
    if (i.state() != ImageState::kDeregistered &&
        i.tags().Find("aws:dlm:lifecycle-policy-id").has_value()) {
      ++managed;
    }
  }
  EXPECT_EQ(managed, 8 * 3);
}

}  // namespace
}  // namespace ami
