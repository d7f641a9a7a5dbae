#include "tests/observation.h"

#include <sstream>

#include "absl/strings/str_cat.h"
#include "ami/io/state_file.h"
#include "gtest/gtest.h"

namespace ami::testing {
namespace {

// Every page of `request` as `ctx`, appended to `out`.
void DescribeImagePages(const Cloud& cloud, const CallContext& ctx, DescribeImagesRequest request,
                        RegionObservation& out) {
  for (int page = 0; page < 10000; ++page) {
    const absl::StatusOr<DescribeImagesResult> result = cloud.DescribeImages(ctx, request);
    ASSERT_TRUE(result.ok()) << result.status();
    std::vector<std::pair<Image, std::optional<bool>>>& images = out.image_pages.emplace_back();
    for (const DescribedImage& d : result->images) images.emplace_back(d.image, d.image_allowed);
    out.tokens.push_back(result->next_token);
    if (result->next_token.empty()) return;
    request.next_token = result->next_token;
  }
  ADD_FAILURE() << "DescribeImages pages do not end";
}

void DescribeSnapshotPages(const Cloud& cloud, const CallContext& ctx, int page_size,
                           RegionObservation& out) {
  DescribeSnapshotsRequest request;
  request.max_results = page_size;
  for (int page = 0; page < 10000; ++page) {
    const absl::StatusOr<DescribeSnapshotsResult> result = cloud.DescribeSnapshots(ctx, request);
    ASSERT_TRUE(result.ok()) << result.status();
    out.snapshot_pages.push_back(result->snapshots);
    out.tokens.push_back(result->next_token);
    if (result->next_token.empty()) return;
    request.next_token = result->next_token;
  }
  ADD_FAILURE() << "DescribeSnapshots pages do not end";
}

void ObserveDiscovery(const Cloud& cloud, int page_size, RegionObservation& out) {
  const CallContext ctx{out.account, out.region};
  DescribeImagesRequest all;
  all.max_results = page_size;
  DescribeImagesRequest executable = all;
  executable.executable_users = {"self"};
  DescribeImagesRequest tagged = all;
  tagged.filters = {{"tag:team", {"blue"}}};
  for (const DescribeImagesRequest& r : {all, executable, tagged}) {
    DescribeImagePages(cloud, ctx, r, out);
  }
  DescribeSnapshotPages(cloud, ctx, page_size, out);
}

void ObserveSettings(const Cloud& cloud, RegionObservation& out) {
  const CallContext ctx{out.account, out.region};
  out.settings = cloud.GetSettings(out.account, out.region);
  out.image_block_public_access = cloud.GetImageBlockPublicAccessState(out.account, out.region);
  out.snapshot_block_public_access =
      cloud.GetSnapshotBlockPublicAccessState(out.account, out.region);
  out.allowed_images = cloud.GetAllowedImagesSettings(out.account, out.region);
  out.bin_rules = cloud.ListRecycleBinRules(out.account, out.region);
  for (const RecycleBinImage& entry : cloud.ListImagesInRecycleBin(ctx)) {
    out.bin_images.emplace_back(entry.image, entry.exit_time);
  }
  for (const RecycleBinSnapshot& entry : cloud.ListSnapshotsInRecycleBin(ctx)) {
    out.bin_snapshots.emplace_back(entry.snapshot, entry.exit_time);
  }
}

std::string StateFile(const Cloud& cloud) {
  std::ostringstream out;
  EXPECT_TRUE(SaveState(cloud, out).ok());
  return std::move(out).str();
}

// Appends `what` to `out` when `a` and `b` differ.
template <typename T>
void Compare(const T& a, const T& b, std::string what, std::vector<std::string>& out) {
  if (!(a == b)) out.push_back(std::move(what));
}

void CompareRegion(const RegionObservation& a, const RegionObservation& b,
                   std::vector<std::string>& out) {
  const std::string where = absl::StrCat(" of ", a.account.ToString(), " in ", a.region.code());
  Compare(a.image_pages, b.image_pages, "DescribeImages" + where, out);
  Compare(a.snapshot_pages, b.snapshot_pages, "DescribeSnapshots" + where, out);
  Compare(a.tokens, b.tokens, "next tokens" + where, out);
  Compare(a.settings, b.settings, "settings" + where, out);
  Compare(a.image_block_public_access, b.image_block_public_access,
          "image block public access" + where, out);
  Compare(a.snapshot_block_public_access, b.snapshot_block_public_access,
          "snapshot block public access" + where, out);
  Compare(a.allowed_images, b.allowed_images, "Allowed AMIs" + where, out);
  Compare(a.bin_rules, b.bin_rules, "Recycle Bin rules" + where, out);
  Compare(a.bin_images, b.bin_images, "Recycle Bin images" + where, out);
  Compare(a.bin_snapshots, b.bin_snapshots, "Recycle Bin snapshots" + where, out);
}

}  // namespace

Observation Observe(const Cloud& cloud, const std::vector<AccountId>& accounts,
                    const std::vector<Region>& regions, int page_size) {
  Observation o;
  o.state_file = StateFile(cloud);
  o.now = cloud.Now();
  for (const AccountId account : accounts) {
    for (const Region region : regions) {
      RegionObservation& r = o.regions.emplace_back();
      r.account = account;
      r.region = region;
      ObserveDiscovery(cloud, page_size, r);
      ObserveSettings(cloud, r);
    }
  }
  return o;
}

std::vector<std::string> Differences(const Observation& a, const Observation& b) {
  std::vector<std::string> out;
  Compare(a.state_file, b.state_file, "the state file", out);
  Compare(a.now, b.now, "the clock", out);
  if (a.regions.size() != b.regions.size()) {
    out.push_back("the accounts and Regions observed");
    return out;
  }
  for (size_t i = 0; i < a.regions.size(); ++i) CompareRegion(a.regions[i], b.regions[i], out);
  return out;
}

}  // namespace ami::testing
