// Concurrent readers and one writer on one Cloud: reader threads evaluate launch and copy
// decisions, describe images and snapshots and read values, while a writer shares and unshares,
// tags, deprecates, disables and enables, copies, launches and moves the clock. Run under the
// `tsan` preset (ThreadSanitizer) it must report nothing; under any build, every answer a reader
// gets must be consistent with itself.
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ami/cloud.h"
#include "ami/policy_engine.h"
#include "gtest/gtest.h"

namespace ami {
namespace {

constexpr int kImages = 40;
constexpr int kWriterSteps = 3000;
constexpr int kReaderPasses = 400;

class Shared {
 public:
  Shared() {
    owner_ = AccountId::Parse("111122223333").value();
    reader_ = AccountId::Parse("444455556666").value();
    east_ = Region::Parse("us-east-1").value();
    for (int i = 0; i < kImages; ++i) {
      const SnapshotId sid = SnapshotId::Long(0x7000 + i);
      const Snapshot snap =
          Snapshot::Builder().set_id(sid).set_owner(owner_).set_region(east_).Build().value();
      EXPECT_TRUE(cloud_->ImportSnapshot(snap).ok());
      const ImageId id = ImageId::Long(0x9000 + i);
      EXPECT_TRUE(cloud_->ImportImage(Image::Builder()
                                          .set_id(id)
                                          .set_name(absl::StrCat("base-", i))
                                          .set_owner(owner_)
                                          .set_region(east_)
                                          .add_snapshot_mapping("/dev/xvda", snap)
                                          .Build()
                                          .value())
                      .ok());
      images_.push_back(id);
    }
  }

  // One writer step, chosen by `step`.
  void Write(int step) {
    const CallContext as_owner{owner_, east_};
    const std::string id = images_[step % kImages].ToString();
    ModifyImageAttributeRequest share{id};
    switch (step % 8) {
      case 0:
        share.add = {{.user_id = reader_.ToString()}};
        (void)cloud_->ModifyImageAttribute(as_owner, share);
        break;
      case 1:
        share.remove = {{.user_id = reader_.ToString()}};
        (void)cloud_->ModifyImageAttribute(as_owner, share);
        break;
      case 2:
        (void)cloud_->CreateTags(as_owner, {id}, {{"step", absl::StrCat(step)}});
        break;
      case 3:
        (void)cloud_->EnableImageDeprecation(as_owner, id, cloud_->Now() + absl::Hours(1));
        break;
      case 4:
        (void)cloud_->DisableImage(as_owner, id);
        break;
      case 5:
        (void)cloud_->EnableImage(as_owner, id);
        break;
      case 6: {
        CopyImageRequest copy;
        copy.source_image_id = id;
        copy.source_region = "us-east-1";
        copy.name = absl::StrCat("copy-", step);
        (void)cloud_->CopyImage(as_owner, copy);
        break;
      }
      default:
        cloud_->AdvanceClock(absl::Minutes(11));
        break;
    }
  }

  // One reader pass; returns the number of inconsistent answers.
  int Read(int pass) {
    int bad = 0;
    const ImageId id = images_[pass % kImages];
    const Decision launch = cloud_->Evaluate([&](const StateView& v) {
      return policy::EvaluateLaunch(v, {reader_, east_, id, std::nullopt, std::nullopt});
    });
    // A decision explains itself whatever it says.
    if (launch.Explain().empty() || launch.reasons().empty()) ++bad;
    const Decision copy = cloud_->Evaluate([&](const StateView& v) {
      return policy::EvaluateCopy(v, {reader_, east_, east_, id, "mine", std::nullopt, std::nullopt});
    });
    if (copy.reasons().empty()) ++bad;
    DescribeImagesRequest r;
    r.executable_users = {"self"};
    const absl::StatusOr<DescribeImagesResult> shared = cloud_->DescribeImages({reader_, east_}, r);
    if (!shared.ok()) return bad + 1;
    for (const DescribedImage& d : shared->images) {
      // Everything listed was shared with the reader when the list was made.
      if (d.image.owner() != owner_ || !d.image.tags().empty()) ++bad;
    }
    const absl::StatusOr<DescribeImagesResult> own =
        cloud_->DescribeImages({owner_, east_}, {.owners = {"self"}, .max_results = 5});
    if (!own.ok() || own->images.size() > 5) ++bad;
    const absl::StatusOr<DescribeSnapshotsResult> snaps = cloud_->DescribeSnapshots({owner_, east_}, {});
    if (!snaps.ok()) ++bad;
    const std::optional<Image> image = cloud_->GetImage(id);
    if (!image.has_value() || image->id() != id) ++bad;
    return bad;
  }

 private:
  std::unique_ptr<Cloud> cloud_ = Cloud::Create();
  AccountId owner_ = AccountId::FromNumber(0);
  AccountId reader_ = AccountId::FromNumber(0);
  Region east_ = Region::All().front();
  std::vector<ImageId> images_;
};

TEST(Concurrency, ReadersAndOneWriterStayConsistent) {
  Shared shared;
  std::atomic<int> bad{0}, passes{0}, writes{0};
  std::vector<std::thread> readers;
  // Fixed amounts of work on both sides, so the test ends whatever the lock's fairness.
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      for (int pass = t; pass < t + kReaderPasses; ++pass) {
        bad += shared.Read(pass);
        ++passes;
      }
    });
  }
  std::thread writer([&] {
    for (int step = 0; step < kWriterSteps; ++step) {
      shared.Write(step);
      ++writes;
    }
  });
  writer.join();
  for (std::thread& r : readers) r.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(passes.load(), 3 * kReaderPasses);
  EXPECT_EQ(writes.load(), kWriterSteps);
}

}  // namespace
}  // namespace ami
