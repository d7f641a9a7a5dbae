// A randomized test: 8,000 operations by several accounts, in two organizations and three
// Regions, 2,000 from each of four seeds. After every rejected operation the state must be exactly
// as before — by StateEquals() against a Fork() made before it, and, not resting on either, by
// everything callers can read (tests/observation.h: the saved state file's bytes, and every
// account's DescribeImages and DescribeSnapshots pages, settings and Recycle Bin in every Region)
// compared with what they read before it. After every operation the invariants must hold:
//   - every registered image's snapshots exist, in its Region;
//   - a copy's owner is the account that copied it;
//   - no image is public while encrypted;
//   - DescribeImages and DescribeSnapshots, served from indexes, give every account exactly what
//     a scan of all images and snapshots says it may see (checked every 25 steps).
#include <cstdint>
#include <cstdio>
#include <memory>
#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ami/ami.h"
#include "ami/cloud.h"
#include "ami/policy.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/observation.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::IsOk;

class World {
 public:
  explicit World(uint64_t seed) : rng_(seed) {
    Cloud::Options options;
    options.seed = seed;
    cloud_ = Cloud::Create(options);
    for (const char* r : {"us-east-1", "eu-west-1", "ap-southeast-2"}) regions_.push_back(*Region::Parse(r));
    for (const char* a : {"111111111111", "222222222222", "333333333333", "444444444444", "555555555555"}) {
      accounts_.push_back(*AccountId::Parse(a));
    }
    org1_ = *OrganizationId::Parse("o-aaaaaaaaaa");
    org2_ = *OrganizationId::Parse("o-bbbbbbbbbb");
    ou_ = *OrganizationalUnitId::Parse("ou-aaaa-11111111");
    EXPECT_THAT(cloud_->CreateOrganization(org1_, accounts_[0], "r-aaaa"), IsOk());
    EXPECT_THAT(cloud_->CreateOrganizationalUnit(org1_, ou_), IsOk());
    EXPECT_THAT(cloud_->AddAccount(accounts_[1], org1_, ou_), IsOk());
    EXPECT_THAT(cloud_->CreateOrganization(org2_, accounts_[2], "r-bbbb"), IsOk());
    SeedBaseImages();
  }

  Cloud& cloud() { return *cloud_; }
  const Cloud& cloud() const { return *cloud_; }

  // Runs one random operation; returns its status.
  absl::Status Step() {
    CallContext ctx{Pick(accounts_), Pick(regions_), Chance(0.05)};
    ctx_ = &ctx;
    last_copy_.reset();
    switch (rng_() % 30) {
      case 0: case 1: return Run(ctx);
      case 2: return cloud_->StopInstances(ctx, {InstanceText()});
      case 3: return cloud_->StartInstances(ctx, {InstanceText()});
      case 4: return cloud_->TerminateInstances(ctx, {InstanceText()});
      case 5: case 6: return CreateImage(ctx);
      case 7: return Register(ctx);
      case 8: case 9: return Copy(ctx);
      case 10: case 11: return Share(ctx);
      case 12: return cloud_->ResetImageAttribute(ctx, ImageText(), "launchPermission");
      case 13: return cloud_->CancelImageLaunchPermission(ctx, ImageText());
      case 14: return ShareSnapshot(ctx);
      case 15: return cloud_->DeregisterImage(ctx, ImageText(), Chance(0.5)).status();
      case 16: return cloud_->DeleteSnapshot(ctx, SnapshotText());
      case 17: return cloud_->CreateTags(ctx, {Chance(0.5) ? ImageText() : SnapshotText()}, {{"k", "v"}});
      case 18: return Keys(ctx);
      case 19: return Settings(ctx);
      case 20: cloud_->AdvanceClock(absl::Minutes(rng_() % 20)); return absl::OkStatus();
      case 21: return cloud_->DeleteTags(ctx, {ImageText()}, {"k"});
      case 22: return Lifecycle(ctx);
      case 23: return Allowed(ctx);
      case 24: return RecycleBin(ctx);
      case 25: return cloud_->CreateTags(ctx, {Chance(0.5) ? ImageText() : SnapshotText()},
                                         {{"k", Chance(0.5) ? "v" : "w"}, {"team", "blue"}});
      case 26: cloud_->AdvanceClock(absl::Hours(24) * (rng_() % 40)); return absl::OkStatus();
      default: return cloud_->DeleteTags(ctx, {ImageText()}, {"team"});
    }
  }

  // The image a successful CopyImage just made, and its caller.
  std::optional<std::pair<ImageId, AccountId>> last_copy() const { return last_copy_; }

 private:
  template <typename T>
  const T& Pick(const std::vector<T>& v) { return v[rng_() % v.size()]; }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

  // Mostly calls as the resource's owner, in its Region, so that many calls can succeed.
  void MaybeAsOwner(AccountId owner, Region region) {
    if (Chance(0.7)) {
      ctx_->account = owner;
      ctx_->region = region;
    }
  }

  // Ids of existing resources, sometimes malformed or unknown ones.
  std::string ImageText() {
    if (Chance(0.03)) return "ami-bad";
    const std::vector<Image> images = cloud_->ListImages();
    if (images.empty() || Chance(0.03)) return "ami-0123456789abcdef0";
    const Image& image = Pick(images);
    MaybeAsOwner(image.owner(), image.region());
    return image.id().ToString();
  }
  std::string SnapshotText() {
    const std::vector<Snapshot> snaps = cloud_->ListSnapshots();
    if (snaps.empty() || Chance(0.03)) return "snap-0123456789abcdef0";
    const Snapshot& snap = Pick(snaps);
    MaybeAsOwner(snap.owner(), snap.region());
    return snap.id().ToString();
  }
  std::string InstanceText() {
    const std::vector<Instance> instances = cloud_->ListInstances();
    if (instances.empty() || Chance(0.03)) return "i-bad";
    const Instance& instance = Pick(instances);
    MaybeAsOwner(instance.owner(), instance.region());
    return instance.id().ToString();
  }
  std::string KeyText(const CallContext& ctx) {
    const std::vector<KmsKey> keys = cloud_->ListKeys();
    if (keys.empty() || Chance(0.1)) return Chance(0.5) ? "alias/aws/ebs" : "alias/none";
    const KmsKey& k = Pick(keys);
    return Chance(0.7) || k.account() != ctx.account ? k.arn().ToString() : k.id().ToString();
  }

  absl::Status Lifecycle(CallContext& ctx) {
    const std::string image = ImageText();
    switch (rng_() % 7) {
      case 0: return cloud_->EnableImageDeprecation(ctx, image, cloud_->Now() + absl::Hours(rng_() % 100));
      case 1: return cloud_->DisableImageDeprecation(ctx, image);
      case 2: return cloud_->DisableImage(ctx, image);
      case 3: return cloud_->EnableImage(ctx, image);
      case 4: return cloud_->EnableImageDeregistrationProtection(ctx, image, Chance(0.5)).status();
      case 5: return cloud_->DisableImageDeregistrationProtection(ctx, image).status();
      default: return cloud_->EnableImageBlockPublicAccess(ctx);
    }
  }

  absl::Status Allowed(CallContext& ctx) {
    switch (rng_() % 3) {
      case 0: return cloud_->EnableAllowedImagesSettings(ctx, Chance(0.5) ? "enabled" : "audit-mode");
      case 1: return cloud_->DisableAllowedImagesSettings(ctx);
      default: {
        ImageCriterion c;
        c.image_providers = {Pick(accounts_).ToString()};
        if (Chance(0.5)) c.image_names = {"*copy*"};
        return cloud_->ReplaceImageCriteriaInAllowedImagesSettings(ctx, {c});
      }
    }
  }

  absl::Status RecycleBin(CallContext& ctx) {
    switch (rng_() % 4) {
      case 0: {
        CreateRuleRequest r;
        r.resource_type = Chance(0.5) ? "EC2_IMAGE" : "EBS_SNAPSHOT";
        r.retention_days = 1 + static_cast<int>(rng_() % 10);
        if (Chance(0.5)) r.resource_tags = {{"k", ""}};
        return cloud_->CreateRecycleBinRule(ctx, r).status();
      }
      case 1: {
        const std::vector<RecycleBinImage> bin = cloud_->ListImagesInRecycleBin(ctx);
        if (bin.empty()) return cloud_->RestoreImageFromRecycleBin(ctx, "ami-0123456789abcdef0");
        return cloud_->RestoreImageFromRecycleBin(ctx, Pick(bin).image.id().ToString());
      }
      case 2: {
        const std::vector<RecycleBinSnapshot> bin = cloud_->ListSnapshotsInRecycleBin(ctx);
        if (bin.empty()) return cloud_->RestoreSnapshotFromRecycleBin(ctx, "snap-0123456789abcdef0");
        return cloud_->RestoreSnapshotFromRecycleBin(ctx, Pick(bin).snapshot.id().ToString());
      }
      default: {
        const std::vector<RetentionRule> rules = cloud_->ListRecycleBinRules(ctx.account, ctx.region);
        if (rules.empty()) return cloud_->DeleteRecycleBinRule(ctx, "abcdefghijk");
        return cloud_->DeleteRecycleBinRule(ctx, Pick(rules).id);
      }
    }
  }

 public:
  const std::vector<AccountId>& accounts() const { return accounts_; }
  const std::vector<Region>& regions() const { return regions_; }

 private:
  void SeedBaseImages() {
    int n = 0;
    for (const Region region : regions_) {
      for (const AccountId owner : {accounts_[0], accounts_[3]}) {
        const Snapshot s = *Snapshot::Builder()
                                .set_id(SnapshotId::Long(0x5eed0000 + ++n))
                                .set_owner(owner)
                                .set_region(region)
                                .Build();
        EXPECT_THAT(cloud_->ImportSnapshot(s), IsOk());
        const Image image = *Image::Builder()
                                 .set_id(ImageId::Long(0x5eed0000 + n))
                                 .set_name(absl::StrCat("base-", n))
                                 .set_owner(owner)
                                 .set_region(region)
                                 .add_snapshot_mapping("/dev/xvda", s)
                                 .set_launch_permissions(*LaunchPermissions::Create({}, n % 2 == 0, {}, {}))
                                 .Build();
        EXPECT_THAT(cloud_->ImportImage(image), IsOk());
      }
    }
  }

  absl::Status Run(const CallContext& ctx) {
    RunInstancesRequest r{ImageText()};
    if (Chance(0.3)) r.encrypted = true;
    if (Chance(0.2)) r.kms_key_id = KeyText(ctx);
    return cloud_->RunInstances(ctx, r).status();
  }

  absl::Status CreateImage(const CallContext& ctx) {
    CreateImageRequest r{InstanceText(), absl::StrCat("img-", rng_() % 8)};
    r.no_reboot = Chance(0.5);
    return cloud_->CreateImage(ctx, r).status();
  }

  absl::Status Register(const CallContext& ctx) {
    RegisterImageRequest r{absl::StrCat("reg-", rng_() % 8)};
    r.block_device_mappings.push_back({"/dev/xvda", SnapshotText()});
    return cloud_->RegisterImage(ctx, r).status();
  }

  absl::Status Copy(CallContext& ctx) {
    const std::string source = ImageText();
    ctx.region = Pick(regions_);
    const std::optional<Image> image = ImageId::Parse(source).ok() ? cloud_->GetImage(*ImageId::Parse(source))
                                                                   : std::nullopt;
    CopyImageRequest r{source, std::string(image ? image->region().code() : Pick(regions_).code()),
                       absl::StrCat("copy-", rng_() % 8)};
    if (Chance(0.4)) r.encrypted = Chance(0.8);
    if (Chance(0.3)) r.kms_key_id = KeyText(ctx);
    if (Chance(0.2)) r.client_token = absl::StrCat("token-", rng_() % 4);
    absl::StatusOr<ImageId> id = cloud_->CopyImage(ctx, r);
    if (id.ok()) last_copy_ = std::make_pair(*id, ctx.account);
    return id.status();
  }

  absl::Status Share(const CallContext& ctx) {
    ModifyImageAttributeRequest r{ImageText()};
    auto& list = Chance(0.7) ? r.add : r.remove;
    switch (rng_() % 4) {
      case 0: list.push_back({Pick(accounts_).ToString()}); break;
      case 1: list.push_back({"", "all"}); break;
      case 2: list.push_back({"", "", absl::StrCat("arn:aws:organizations::", accounts_[0].ToString(),
                                                   ":organization/", org1_.ToString())}); break;
      default: list.push_back({"", "", "", absl::StrCat("arn:aws:organizations::", accounts_[0].ToString(),
                                                        ":ou/", org1_.ToString(), "/", ou_.ToString())});
    }
    return cloud_->ModifyImageAttribute(ctx, r);
  }

  absl::Status ShareSnapshot(const CallContext& ctx) {
    ModifySnapshotAttributeRequest r{SnapshotText(), Chance(0.7) ? "add" : "remove"};
    if (Chance(0.8)) {
      r.user_ids.push_back(Pick(accounts_).ToString());
    } else {
      r.group_names.push_back("all");
    }
    return cloud_->ModifySnapshotAttribute(ctx, r);
  }

  absl::Status Keys(const CallContext& ctx) {
    switch (rng_() % 5) {
      case 0: {
        KeyPolicyStatement s;
        s.accounts = {Pick(accounts_)};
        s.actions = KmsActions::All();
        return cloud_->CreateKey(ctx, {"k", Chance(0.2), "SYMMETRIC_DEFAULT", {s}}).status();
      }
      case 1: return cloud_->CreateGrant(ctx, KeyText(ctx), Pick(accounts_), KmsActions::All()).status();
      case 2: return cloud_->DisableKey(ctx, KeyText(ctx));
      case 3: return cloud_->EnableKey(ctx, KeyText(ctx));
      default: return cloud_->ModifyEbsDefaultKmsKeyId(ctx, KeyText(ctx));
    }
  }

  absl::Status Settings(const CallContext& ctx) {
    switch (rng_() % 4) {
      case 0: return cloud_->EnableEbsEncryptionByDefault(ctx);
      case 1: return cloud_->DisableEbsEncryptionByDefault(ctx);
      case 2: return cloud_->DisableImageBlockPublicAccess(ctx);
      default: return cloud_->EnableSnapshotBlockPublicAccess(ctx, Chance(0.5) ? "block-new-sharing" : "nope");
    }
  }

  std::mt19937_64 rng_;
  std::unique_ptr<Cloud> cloud_;
  std::vector<Region> regions_;
  std::vector<AccountId> accounts_;
  OrganizationId org1_ = *OrganizationId::Parse("o-0000000000");
  OrganizationId org2_ = *OrganizationId::Parse("o-0000000000");
  OrganizationalUnitId ou_ = *OrganizationalUnitId::Parse("ou-0000-00000000");
  std::optional<std::pair<ImageId, AccountId>> last_copy_;
  CallContext* ctx_ = nullptr;
};

// The invariants of the header comment, as one message per violation.
std::vector<std::string> Violations(const Cloud& cloud) {
  std::vector<std::string> out;
  for (const Image& image : cloud.ListImages()) {
    if (image.state() == ImageState::kDeregistered) continue;
    for (const SnapshotId id : image.snapshot_ids()) {
      const std::optional<Snapshot> s = cloud.GetSnapshot(id);
      if (!s.has_value() || s->region() != image.region()) {
        out.push_back(absl::StrCat(image.id().ToString(), " lost snapshot ", id.ToString()));
      }
    }
    if (image.is_public() && image.encrypted()) {
      out.push_back(absl::StrCat(image.id().ToString(), " is public and encrypted"));
    }
  }
  return out;
}

// What `viewer` may see in `region`, by scanning every image (DESC-1, 7, 8, 9) — the oracle the
// indexed DescribeImages must agree with. With `tag`, only images on which the viewer sees
// tag team=blue.
std::set<std::string> ScanImages(const Cloud& cloud, AccountId viewer, Region region, bool tag) {
  std::set<std::string> out;
  const AllowedImagesSettings allowed = cloud.GetAllowedImagesSettings(viewer, region);
  for (const Image& image : cloud.ListImages()) {
    if (image.region() != region || image.state() == ImageState::kDeregistered) continue;
    const bool owner = image.owner() == viewer;
    if (!owner && !cloud.Evaluate([&](const StateView& v) {
                      return policy::EvaluateLaunchPermission(v, image, viewer);
                    }).allowed()) {
      continue;
    }
    if (image.state() == ImageState::kDisabled) continue;
    if (!owner && image.deprecation_time() && *image.deprecation_time() <= cloud.Now()) continue;
    if (allowed.state == AllowedImagesState::kEnabled && !owner &&
        MatchImageCriteria(allowed.criteria, image, cloud.Now()) < 0) {
      continue;
    }
    if (tag) {
      const absl::StatusOr<TagSet> tags = cloud.GetTags(viewer, image.id().ToString());
      if (!tags.ok() || tags->Find("team") != "blue") continue;
    }
    out.insert(image.id().ToString());
  }
  return out;
}

std::set<std::string> ScanSnapshots(const Cloud& cloud, AccountId viewer, Region region) {
  std::set<std::string> out;
  for (const Snapshot& s : cloud.ListSnapshots()) {
    if (s.region() != region) continue;
    const auto& users = s.create_volume_permissions().accounts;
    const bool blocked = cloud.GetSettings(s.owner(), region).snapshot_block_public_access ==
                         RegionSettings::SnapshotBlock::kBlockAllSharing;
    if (s.owner() == viewer || std::binary_search(users.begin(), users.end(), viewer) ||
        (s.is_public() && !blocked)) {
      out.insert(s.id().ToString());
    }
  }
  return out;
}

// Differences between the indexed answers and the scans, as messages.
std::vector<std::string> DiscoveryViolations(const Cloud& cloud, const World& world) {
  std::vector<std::string> out;
  for (const AccountId viewer : world.accounts()) {
    for (const Region region : world.regions()) {
      for (const bool tag : {false, true}) {
        DescribeImagesRequest r;
        if (tag) r.filters = {{"tag:team", {"blue"}}};
        r.max_results = 5;
        std::set<std::string> got;
        for (int page = 0; page < 1000; ++page) {
          const absl::StatusOr<DescribeImagesResult> result = cloud.DescribeImages({viewer, region}, r);
          if (!result.ok()) {
            out.push_back(absl::StrCat("DescribeImages failed: ", result.status().ToString()));
            break;
          }
          for (const DescribedImage& d : result->images) got.insert(d.image.id().ToString());
          if (result->next_token.empty()) break;
          r.next_token = result->next_token;
        }
        if (got != ScanImages(cloud, viewer, region, tag)) {
          out.push_back(absl::StrCat("DescribeImages", tag ? " tag:team=blue" : "", " for ",
                                     viewer.ToString(), " in ", region.code(),
                                     " differs from a scan"));
        }
      }
      const absl::StatusOr<DescribeSnapshotsResult> snaps = cloud.DescribeSnapshots({viewer, region}, {});
      std::set<std::string> got;
      if (snaps.ok()) {
        for (const Snapshot& s : snaps->snapshots) got.insert(s.id().ToString());
      }
      if (got != ScanSnapshots(cloud, viewer, region)) {
        out.push_back(absl::StrCat("DescribeSnapshots for ", viewer.ToString(), " in ",
                                   region.code(), " differs from a scan"));
      }
    }
  }
  return out;
}

// DescribeImages and DescribeSnapshots page size of the observations.
constexpr int kObservedPageSize = 50;

testing::Observation Observe(const World& world) {
  return testing::Observe(world.cloud(), world.accounts(), world.regions(), kObservedPageSize);
}

struct Tally {
  int accepted = 0;
  int rejected = 0;
};

// Runs `steps` random operations from `seed`, checking every one.
void RunSeed(uint64_t seed, int steps, Tally& tally) {
  World world(seed);
  testing::Observation seen = Observe(world);  // What callers read before the next step.
  for (int step = 0; step < steps; ++step) {
    SCOPED_TRACE(absl::StrCat("step ", step));
    const std::unique_ptr<Cloud> before = world.cloud().Fork();
    const absl::Status status = world.Step();
    testing::Observation now = Observe(world);
    if (status.ok()) {
      ++tally.accepted;
    } else {
      ++tally.rejected;
      ASSERT_TRUE(world.cloud().StateEquals(*before))
          << "step " << step << " was rejected (" << status << ") but changed the state";
      const std::vector<std::string> changed = testing::Differences(seen, now);
      ASSERT_TRUE(changed.empty()) << "step " << step << " was rejected (" << status
                                   << ") but changed " << absl::StrJoin(changed, ", ");
      ASSERT_TRUE(GetErrorCode(status).has_value()) << "step " << step << ": no AWS code in " << status;
    }
    seen = std::move(now);
    if (const auto copy = world.last_copy()) {
      ASSERT_EQ(world.cloud().GetImage(copy->first)->owner(), copy->second) << "step " << step;
    }
    const std::vector<std::string> violations = Violations(world.cloud());
    ASSERT_TRUE(violations.empty()) << "step " << step << ": " << violations.front();
    if (step % 25 == 0) {
      const std::vector<std::string> discovery = DiscoveryViolations(world.cloud(), world);
      ASSERT_TRUE(discovery.empty()) << "step " << step << ": " << discovery.front();
    }
  }
  std::printf("seed %llu: images %zu\n", static_cast<unsigned long long>(seed),
              world.cloud().ListImages().size());
  EXPECT_GT(world.cloud().ListImages().size(), 20u);
}

// 8,000 operations in all, from four seeds (the first is the one this test began with).
TEST(RandomOperations, RejectedCallsChangeNothingAndInvariantsHold) {
  Tally tally;
  for (const uint64_t seed : {20261127, 1, 0x5eed5eed, 987654321}) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    RunSeed(seed, 2000, tally);
    if (HasFatalFailure()) return;
  }
  // Both outcomes must be exercised for the test to mean anything.
  std::printf("accepted %d, rejected %d\n", tally.accepted, tally.rejected);
  EXPECT_GT(tally.accepted, 2000);
  EXPECT_GT(tally.rejected, 2000);
}

}  // namespace
}  // namespace ami
