// DescribeImages (DESC-1 … 10, 12): requests answered from the image indexes. The query picks
// the smallest candidate source its constraints allow (named ids, owners, executable users, a
// tag, an owner or id filter, the public set, a name prefix, or what the caller can see), walks
// it in a fixed order from the page cursor, and keeps the images that pass every constraint.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ami/cloud.h"
#include "ami/errors.h"
#include "ami/policy.h"
#include "cloud/describe_query.h"
#include "cloud/state.h"
#include "policy/reasons.h"
#include "values/choices.h"
#include "values/image_access.h"
#include "values/status_macros.h"

namespace ami {

using internal::CloudState;
using internal::IdStream;
using internal::ImageIndex;
using internal::NameStream;

namespace {

// Every image filter of DESC-6.
enum class F : uint8_t {
  kArchitecture, kBdmDeleteOnTermination, kBdmDeviceName, kBdmSnapshotId, kBdmVolumeSize,
  kBdmVolumeType, kBdmEncrypted, kCreationDate, kDescription, kEnaSupport, kFreeTierEligible,
  kHypervisor, kImageAllowed, kImageId, kImageType, kIsPublic, kKernelId, kManifestLocation,
  kName, kOwnerAlias, kOwnerId, kPlatform, kProductCode, kProductCodeType, kRamdiskId,
  kRootDeviceName, kRootDeviceType, kSourceImageId, kSourceImageRegion, kSourceInstanceId,
  kState, kStateReasonCode, kStateReasonMessage, kSriovNetSupport, kTag, kTagKey,
  kVirtualizationType,
};

constexpr std::pair<absl::string_view, F> kFilterNames[] = {
    {"architecture", F::kArchitecture},
    {"block-device-mapping.delete-on-termination", F::kBdmDeleteOnTermination},
    {"block-device-mapping.device-name", F::kBdmDeviceName},
    {"block-device-mapping.snapshot-id", F::kBdmSnapshotId},
    {"block-device-mapping.volume-size", F::kBdmVolumeSize},
    {"block-device-mapping.volume-type", F::kBdmVolumeType},
    {"block-device-mapping.encrypted", F::kBdmEncrypted},
    {"creation-date", F::kCreationDate},
    {"description", F::kDescription},
    {"ena-support", F::kEnaSupport},
    {"free-tier-eligible", F::kFreeTierEligible},
    {"hypervisor", F::kHypervisor},
    {"image-allowed", F::kImageAllowed},
    {"image-id", F::kImageId},
    {"image-type", F::kImageType},
    {"is-public", F::kIsPublic},
    {"kernel-id", F::kKernelId},
    {"manifest-location", F::kManifestLocation},
    {"name", F::kName},
    {"owner-alias", F::kOwnerAlias},
    {"owner-id", F::kOwnerId},
    {"platform", F::kPlatform},
    {"product-code", F::kProductCode},
    {"product-code.type", F::kProductCodeType},
    {"ramdisk-id", F::kRamdiskId},
    {"root-device-name", F::kRootDeviceName},
    {"root-device-type", F::kRootDeviceType},
    {"source-image-id", F::kSourceImageId},
    {"source-image-region", F::kSourceImageRegion},
    {"source-instance-id", F::kSourceInstanceId},
    {"state", F::kState},
    {"state-reason-code", F::kStateReasonCode},
    {"state-reason-message", F::kStateReasonMessage},
    {"sriov-net-support", F::kSriovNetSupport},
    {"tag-key", F::kTagKey},
    {"virtualization-type", F::kVirtualizationType},
};

struct CompiledFilter {
  F kind;
  std::string tag_key;  // For tag:<key>.
  std::vector<FilterPattern> patterns;
  bool all_exact = true;
};

absl::StatusOr<std::vector<CompiledFilter>> CompileFilters(const std::vector<Filter>& filters) {
  std::vector<CompiledFilter> out;
  for (const Filter& f : filters) {
    CompiledFilter c;
    bool known = false;
    if (absl::StartsWith(f.name, "tag:") && f.name.size() > 4) {
      c.kind = F::kTag;
      c.tag_key = f.name.substr(4);
      known = true;
    } else {
      for (const auto& [name, kind] : kFilterNames) {
        if (name == f.name) {
          c.kind = kind;
          known = true;
          break;
        }
      }
    }
    if (!known) {
      return MakeError(choices::kUnknownFilter,
                       absl::StrCat("the filter `", f.name.substr(0, 128),
                                    "` is invalid: see the DescribeImages filters (DESC-6)"));
    }
    internal::CompilePatterns(f.values, &c.patterns, &c.all_exact);
    out.push_back(std::move(c));
  }
  return out;
}

const char* Bool(bool b) { return b ? "true" : "false"; }

// What one image offers a filter: each value it has for the filter's name.
template <typename Sink>
void FilterValues(const CompiledFilter& f, const Image& image, const TagSet& tags,
                  const std::optional<bool>& allowed, const StateView& view, Sink&& emit) {
  auto ebs = [&](auto&& each) {
    for (const BlockDeviceMapping& m : image.block_device_mappings()) {
      if (m.ebs.has_value()) each(m, *m.ebs);
    }
  };
  switch (f.kind) {
    case F::kArchitecture: return emit(ToString(image.architecture()));
    case F::kBdmDeleteOnTermination:
      return ebs([&](const BlockDeviceMapping&, const EbsBlockDevice& e) { emit(Bool(e.delete_on_termination)); });
    case F::kBdmDeviceName:
      for (const BlockDeviceMapping& m : image.block_device_mappings()) emit(m.device_name);
      return;
    case F::kBdmSnapshotId:
      return ebs([&](const BlockDeviceMapping&, const EbsBlockDevice& e) {
        if (e.snapshot_id.has_value()) emit(e.snapshot_id->ToString());
      });
    case F::kBdmVolumeSize:
      return ebs([&](const BlockDeviceMapping&, const EbsBlockDevice& e) {
        uint32_t size = e.volume_size_gib;
        if (size == 0 && e.snapshot_id.has_value()) {
          if (const Snapshot* s = view.FindSnapshot(*e.snapshot_id)) size = s->volume_size_gib();
        }
        emit(absl::StrCat(size));
      });
    case F::kBdmVolumeType:
      return ebs([&](const BlockDeviceMapping&, const EbsBlockDevice& e) { emit(ToString(e.volume_type)); });
    case F::kBdmEncrypted:
      return ebs([&](const BlockDeviceMapping&, const EbsBlockDevice& e) { emit(Bool(e.encrypted)); });
    case F::kCreationDate: return emit(FormatAwsTime(image.creation_time()));
    case F::kDescription: return emit(image.description());
    case F::kEnaSupport: return emit(Bool(image.ena_support()));
    case F::kFreeTierEligible: return emit("false");
    case F::kHypervisor: return emit("xen");
    case F::kImageAllowed:
      if (allowed.has_value()) emit(Bool(*allowed));
      return;
    case F::kImageId: return emit(image.id().ToString());
    case F::kImageType: return emit("machine");
    case F::kIsPublic: return emit(Bool(image.is_public()));
    case F::kKernelId:
    case F::kRamdiskId:
    case F::kSriovNetSupport:
      return;
    case F::kManifestLocation:
      return emit(absl::StrCat(image.owner_alias() != OwnerAlias::kNone
                                   ? std::string(ToString(image.owner_alias()))
                                   : image.owner().ToString(),
                               "/", image.name()));
    case F::kName: return emit(image.name());
    case F::kOwnerAlias:
      if (image.owner_alias() != OwnerAlias::kNone) emit(ToString(image.owner_alias()));
      return;
    case F::kOwnerId: return emit(image.owner().ToString());
    case F::kPlatform:
      if (!image.platform().empty()) emit(image.platform());
      return;
    case F::kProductCode:
      for (const ProductCode& p : image.product_codes()) emit(p.code);
      return;
    case F::kProductCodeType:
      for (const ProductCode& p : image.product_codes()) emit(ToString(p.type));
      return;
    case F::kRootDeviceName: return emit(image.root_device_name());
    case F::kRootDeviceType: return emit(ToString(image.root_device_type()));
    case F::kSourceImageId:
      if (image.source_image().has_value()) emit(image.source_image()->ToString());
      return;
    case F::kSourceImageRegion:
      if (image.source_image_region().has_value()) emit(image.source_image_region()->code());
      return;
    case F::kSourceInstanceId:
      if (image.source_instance().has_value()) emit(image.source_instance()->ToString());
      return;
    case F::kState: return emit(ToString(image.state()));
    case F::kStateReasonCode:
      if (!image.state_reason().code.empty()) emit(image.state_reason().code);
      return;
    case F::kStateReasonMessage:
      if (!image.state_reason().message.empty()) emit(image.state_reason().message);
      return;
    case F::kTag:
      if (auto v = tags.Find(f.tag_key)) emit(*v);
      return;
    case F::kTagKey:
      for (const Tag& t : tags) emit(t.key());
      return;
    case F::kVirtualizationType: return emit(ToString(image.virtualization_type()));
  }
}

bool FilterMatches(const CompiledFilter& f, const Image& image, const TagSet& tags,
                   const std::optional<bool>& allowed, const StateView& view) {
  bool hit = false;
  FilterValues(f, image, tags, allowed, view, [&](absl::string_view value) {
    if (hit) return;
    for (const FilterPattern& p : f.patterns) {
      if (p.Matches(value)) {
        hit = true;
        return;
      }
    }
  });
  return hit;
}

// Looks up the images a query walks a few ids ahead of the one it examines, so that at a
// million images the cache misses of several images overlap instead of following one another:
// the hash slot is prefetched kAhead ids ahead, the image's first lines kAhead / 2 ahead, and
// its launch permissions and shared body a quarter ahead.
template <typename NextId>
class ImageLookahead {
 public:
  ImageLookahead(const CloudState& s, NextId next) : s_(s), next_(std::move(next)) {}

  // The next image of the walk (null for an id with no image), or false at the end.
  bool Next(const Image** out) {
    while (!done_ && count_ < kAhead) {
      ImageId id = ImageId::Short(0);
      if (!next_(&id)) {
        done_ = true;
        break;
      }
      s_.images.prefetch(id);
      Slot& slot = ring_[(head_ + count_) % kAhead];
      slot.id = id;
      slot.image = nullptr;
      slot.stage = 0;
      ++count_;
    }
    if (count_ == 0) return false;
    Advance(kAhead / 2, 1);
    Advance(kAhead / 4, 2);
    Slot& slot = ring_[head_];
    Advance(0, 2);
    *out = slot.image;
    head_ = (head_ + 1) % kAhead;
    --count_;
    return true;
  }

 private:
  static constexpr size_t kAhead = 32;
  struct Slot {
    ImageId id = ImageId::Short(0);
    const Image* image = nullptr;
    int stage = 0;  // 1: looked up, its lines prefetched; 2: its permissions and body too.
  };

  // Brings the slot `ahead` positions after the head to `stage`.
  void Advance(size_t ahead, int stage) {
    if (ahead >= count_) return;
    Slot& slot = ring_[(head_ + ahead) % kAhead];
    if (slot.stage < 1) {
      slot.image = s_.FindImage(slot.id);
      if (slot.image != nullptr) internal::ImageAccess::PrefetchFields(*slot.image);
      slot.stage = 1;
    }
    if (stage >= 2 && slot.stage < 2) {
      if (slot.image != nullptr) internal::ImageAccess::PrefetchReferences(*slot.image);
      slot.stage = 2;
    }
  }

  const CloudState& s_;
  NextId next_;
  Slot ring_[kAhead];
  size_t head_ = 0, count_ = 0;
  bool done_ = false;
};

// An entry of Owners.
struct OwnerSpec {
  std::optional<AccountId> account;
  OwnerAlias alias = OwnerAlias::kNone;
};

// An entry of ExecutableUsers: an account (the caller's own meaning `self`), or `all`.
struct UserSpec {
  std::optional<AccountId> account;
};

absl::Status MalformedUser(absl::string_view what, absl::string_view value) {
  return MakeError(choices::kMalformedAccountId,
                   absl::StrCat("invalid ", what, " `", value.substr(0, 64), "` (DESC-2, DESC-3)"));
}

// Which source of candidates a query walks; the number is part of its page tokens.
enum Plan : int {
  kPlanVisible = 0, kPlanOwners, kPlanUsers, kPlanTag, kPlanTagKey, kPlanIds, kPlanPublic,
  kPlanName, kPlanOwnerFilter
};
// A token's plan number: the plan + kPlanSlots × (index of the filter it walks + 1).
constexpr int kPlanSlots = 16;

class ImageQuery {
 public:
  ImageQuery(const CloudState& s, const CallContext& ctx, const DescribeImagesRequest& r)
      : s_(s), ctx_(ctx), r_(r), info_(s.FindAccount(ctx.account)),
        allowed_settings_(s.AllowedImages(ctx.account, ctx.region)) {}

  absl::StatusOr<DescribeImagesResult> Run();

 private:
  absl::Status Parse();
  // The candidate sets of each plan this request can use, and the smallest one.
  void ChoosePlan();
  std::vector<const ImageIndex::IdSet*> PlanSets(int plan);
  std::vector<std::string> NamePrefixes() const;
  // Whether `image` passes every constraint; fills `out` with the caller's view when it does.
  bool Passes(const Image& image, bool by_id, std::optional<DescribedImage>* out) const;
  // For a caller other than the owner: its first launch permit for `image` (account,
  // organization, OU or public), or null when it has none and cannot see the image.
  const ReasonTemplate* LaunchPermit(const Image& image) const;
  bool CanSee(const Image& image) const;
  // `permit` is LaunchPermit(image) for a caller other than the owner.
  bool ExecutableBy(const Image& image, const ReasonTemplate* permit) const;
  DescribedImage View(const Image& image, const TagSet& tags, std::optional<bool> allowed) const;
  const TagSet& ViewerTags(const Image& image) const;
  uint64_t RequestFingerprint() const;

  const CloudState& s_;
  const CallContext& ctx_;
  const DescribeImagesRequest& r_;
  const AccountInfo* info_;
  const AllowedImagesSettings* allowed_settings_;
  std::vector<OwnerSpec> owners_;
  std::vector<UserSpec> users_;
  std::vector<ImageId> ids_;
  std::vector<CompiledFilter> filters_;
  int plan_ = kPlanVisible;
  // The filter a tag, owner or id plan walks.
  const CompiledFilter* plan_filter_ = nullptr;
  absl::btree_set<ImageId> id_filter_set_;
  TagSet empty_tags_;
};

absl::Status ImageQuery::Parse() {
  AMI_RETURN_IF_ERROR(internal::CheckDescribeBounds(r_.max_results, r_.image_ids.size(), r_.filters));
  for (const std::string& o : r_.owners) {
    OwnerSpec spec;
    if (o == "self") {
      spec.account = ctx_.account;
    } else if (o == "amazon" || o == "aws-marketplace" || o == "aws-backup-vault") {
      spec.alias = *ParseEnum<OwnerAlias>(o);
    } else if (auto a = AccountId::Parse(o); a.ok()) {
      spec.account = *a;
    } else {
      return MalformedUser("owner", o);
    }
    owners_.push_back(spec);
  }
  for (const std::string& u : r_.executable_users) {
    UserSpec spec;
    if (u == "self") {
      spec.account = ctx_.account;
    } else if (u != "all") {
      absl::StatusOr<AccountId> a = AccountId::Parse(u);
      if (!a.ok()) return MalformedUser("executable user", u);
      spec.account = *a;
    }
    users_.push_back(spec);
  }
  for (const std::string& id : r_.image_ids) {
    AMI_ASSIGN_OR_RETURN(const ImageId parsed, ImageId::Parse(id));
    ids_.push_back(parsed);
  }
  std::sort(ids_.begin(), ids_.end());
  ids_.erase(std::unique(ids_.begin(), ids_.end()), ids_.end());
  AMI_ASSIGN_OR_RETURN(filters_, CompileFilters(r_.filters));
  return absl::OkStatus();
}

const TagSet& ImageQuery::ViewerTags(const Image& image) const {
  if (image.owner() == ctx_.account) return image.tags();
  const TagSet* mine = s_.ForeignTags(image.id().ToString(), ctx_.account);
  return mine == nullptr ? empty_tags_ : *mine;
}

const ReasonTemplate* ImageQuery::LaunchPermit(const Image& image) const {
  const Decision d = policy::EvaluateLaunchPermission(s_, image, ctx_.account);
  return d.allowed() ? d.reasons().front().what : nullptr;
}

bool ImageQuery::CanSee(const Image& image) const {
  return image.owner() == ctx_.account || LaunchPermit(image) != nullptr;
}

bool ImageQuery::ExecutableBy(const Image& image, const ReasonTemplate* permit) const {
  for (const UserSpec& u : users_) {
    if (!u.account.has_value()) {
      if (image.is_public()) return true;
    } else if (*u.account == ctx_.account) {
      // DESC-3: shared with the caller's account, organization or OUs (not public, not owned).
      if (image.owner() == ctx_.account) continue;
      if (permit != nullptr && permit != &reasons::kPublicImage) return true;
    } else if (image.launch_permissions().HasAccount(*u.account)) {
      return true;
    }
  }
  return false;
}

bool ImageQuery::Passes(const Image& image, bool by_id, std::optional<DescribedImage>* out) const {
  if (!internal::IsRegistered(image.state()) || image.region() != ctx_.region) return false;
  const bool owner = image.owner() == ctx_.account;
  const ReasonTemplate* permit = owner ? nullptr : LaunchPermit(image);
  if (!owner && permit == nullptr) return false;
  if (image.state() == ImageState::kDisabled && !(owner && r_.include_disabled)) return false;
  if (!owner && !by_id && !r_.include_deprecated && image.deprecation_time().has_value() &&
      *image.deprecation_time() <= s_.now) {
    return false;  // DESC-7.
  }
  std::optional<bool> allowed;
  if (allowed_settings_ != nullptr) {
    allowed = owner || MatchImageCriteria(allowed_settings_->criteria, image, s_.now) >= 0;
    if (!*allowed && allowed_settings_->state == AllowedImagesState::kEnabled) return false;
  }
  if (!owners_.empty()) {
    bool any = false;
    for (const OwnerSpec& o : owners_) {
      any = any || (o.account.has_value() ? *o.account == image.owner()
                                          : o.alias == image.owner_alias());
    }
    if (!any) return false;
  }
  if (!users_.empty() && !ExecutableBy(image, permit)) return false;
  const TagSet& tags = ViewerTags(image);
  for (const CompiledFilter& f : filters_) {
    if (!FilterMatches(f, image, tags, allowed, s_)) return false;
  }
  if (out != nullptr) *out = View(image, tags, allowed);
  return true;
}

DescribedImage ImageQuery::View(const Image& image, const TagSet& tags,
                                std::optional<bool> allowed) const {
  if (image.owner() == ctx_.account) return {image, allowed};
  // DESC-10: the caller's own tags; nothing of the owner's sharing but the public flag.
  return {internal::ImageAccess::ViewForOthers(image, tags), allowed};
}

std::vector<const ImageIndex::IdSet*> ImageQuery::PlanSets(int plan) {
  const ImageIndex& x = s_.image_index;
  const Region region = ctx_.region;
  std::vector<const ImageIndex::IdSet*> sets;
  auto shared_with_caller = [&] {
    sets.push_back(x.ByGrantee(ctx_.account, region));
    if (info_ != nullptr && info_->organization.has_value()) {
      sets.push_back(x.ByOrganization(*info_->organization, region));
      for (const OrganizationalUnitId& ou : info_->ou_path) sets.push_back(x.ByOu(ou, region));
    }
  };
  switch (plan) {
    case kPlanVisible:
      sets.push_back(x.ByOwner(ctx_.account, region));
      shared_with_caller();
      sets.push_back(x.Public(region));
      break;
    case kPlanOwners:
      for (const OwnerSpec& o : owners_) {
        sets.push_back(o.account.has_value() ? x.ByOwner(*o.account, region)
                                             : x.ByAlias(o.alias, region));
      }
      break;
    case kPlanUsers:
      for (const UserSpec& u : users_) {
        if (!u.account.has_value()) {
          sets.push_back(x.Public(region));
        } else if (*u.account == ctx_.account) {
          shared_with_caller();
        } else {
          sets.push_back(x.ByGrantee(*u.account, region));
        }
      }
      break;
    case kPlanPublic:
      sets.push_back(x.Public(region));
      break;
    default:
      break;
  }
  return sets;
}

std::vector<std::string> ImageQuery::NamePrefixes() const {
  for (const CompiledFilter& f : filters_) {
    if (f.kind != F::kName) continue;
    std::vector<std::string> prefixes;
    bool usable = true;
    for (const FilterPattern& p : f.patterns) {
      usable = usable && !p.literal_prefix().empty();
      prefixes.push_back(p.literal_prefix());
    }
    if (usable) return prefixes;
  }
  return {};
}

using internal::SizeOf;

void ImageQuery::ChoosePlan() {
  size_t best = SizeOf(PlanSets(kPlanVisible));
  plan_ = kPlanVisible;
  auto consider = [&](int plan, size_t size, const CompiledFilter* f) {
    if (size < best) {
      best = size;
      plan_ = plan;
      plan_filter_ = f;
    }
  };
  if (!owners_.empty()) consider(kPlanOwners, SizeOf(PlanSets(kPlanOwners)), nullptr);
  if (!users_.empty()) consider(kPlanUsers, SizeOf(PlanSets(kPlanUsers)), nullptr);
  const ImageIndex& x = s_.image_index;
  for (const CompiledFilter& f : filters_) {
    if (!f.all_exact) continue;
    std::vector<const ImageIndex::IdSet*> sets;
    int plan = -1;
    for (const FilterPattern& p : f.patterns) {
      const std::string& v = p.literal_prefix();
      switch (f.kind) {
        case F::kTag:
          plan = kPlanTag;
          sets.push_back(x.ByTag(ctx_.account, ctx_.region, f.tag_key, v));
          break;
        case F::kTagKey:
          plan = kPlanTagKey;
          sets.push_back(x.ByTagKey(ctx_.account, ctx_.region, v));
          break;
        case F::kOwnerId:
          if (auto a = AccountId::Parse(v); a.ok()) sets.push_back(x.ByOwner(*a, ctx_.region));
          plan = kPlanOwnerFilter;
          break;
        case F::kIsPublic:
          // Only is-public=true narrows to the public set.
          plan = v == "true" && plan != -2 ? kPlanPublic : -2;
          if (sets.empty()) sets.push_back(x.Public(ctx_.region));
          break;
        case F::kImageId:
          plan = kPlanIds;
          break;
        default:
          break;
      }
    }
    if (plan == kPlanIds) {
      size_t n = f.patterns.size();
      consider(plan, n, &f);
    } else if (plan >= 0) {
      consider(plan, SizeOf(sets), &f);
    }
  }
  const std::vector<std::string> prefixes = NamePrefixes();
  if (!prefixes.empty()) {
    consider(kPlanName,
             NameStream<ImageId>::Count(x.Names(ctx_.region), prefixes, best, ImageId::Short(0)),
             nullptr);
  }
}

uint64_t ImageQuery::RequestFingerprint() const {
  return internal::RequestFingerprint(
      {ctx_.account.ToString(), std::string(ctx_.region.code()), Bool(r_.include_deprecated),
       Bool(r_.include_disabled)},
      {&r_.owners, &r_.executable_users}, r_.filters);
}

absl::StatusOr<DescribeImagesResult> ImageQuery::Run() {
  AMI_RETURN_IF_ERROR(Parse());
  // DryRun: a well-formed request answers DryRunOperation instead of its results.
  AMI_RETURN_IF_ERROR(internal::DryRunCheck(ctx_));
  DescribeImagesResult result;
  if (!ids_.empty()) {
    // DESC-4: every named image must exist and be visible; deregistered ones are left out.
    for (const ImageId id : ids_) {
      const Image* image = s_.FindImage(id);
      const bool exists = image != nullptr && image->region() == ctx_.region;
      const bool allowed = !exists || allowed_settings_ == nullptr ||
                           allowed_settings_->state != AllowedImagesState::kEnabled ||
                           image->owner() == ctx_.account ||
                           MatchImageCriteria(allowed_settings_->criteria, *image, s_.now) >= 0;
      if (!exists || (internal::IsRegistered(image->state()) && (!CanSee(*image) || !allowed))) {
        return MakeError(ErrorCode::kInvalidAMIIDNotFound,
                         absl::StrCat("the image id `", id.ToString(), "` does not exist in ",
                                      ctx_.region.code(), " for account `",
                                      ctx_.account.ToString(), "`"));
      }
      std::optional<DescribedImage> view;
      if (Passes(*image, /*by_id=*/true, &view)) result.images.push_back(*std::move(view));
    }
    return result;
  }
  const uint64_t fingerprint = RequestFingerprint();
  std::optional<internal::PageToken> token;
  if (!r_.next_token.empty()) {
    AMI_ASSIGN_OR_RETURN(token, internal::DecodeToken(r_.next_token, fingerprint));
    // The plan, and which filter it walks (its index + 1, 0 for none), as the first page chose.
    plan_ = token->plan % kPlanSlots;
    const int filter = token->plan / kPlanSlots - 1;
    if (token->plan < 0 || plan_ > kPlanOwnerFilter || filter >= static_cast<int>(filters_.size())) {
      return MakeError(choices::kBadNextToken, "invalid NextToken: not a token");
    }
    if (filter >= 0) {
      const CompiledFilter& f = filters_[filter];
      const bool fits = (plan_ == kPlanTag && f.kind == F::kTag) ||
                        (plan_ == kPlanTagKey && f.kind == F::kTagKey) ||
                        (plan_ == kPlanIds && f.kind == F::kImageId) ||
                        (plan_ == kPlanOwnerFilter && f.kind == F::kOwnerId) ||
                        (plan_ == kPlanPublic && f.kind == F::kIsPublic);
      if (!fits || !f.all_exact) return MakeError(choices::kBadNextToken, "invalid NextToken: not a token");
      plan_filter_ = &f;
    }
  } else {
    ChoosePlan();
  }
  const size_t limit = r_.max_results == 0 ? SIZE_MAX : static_cast<size_t>(r_.max_results);
  std::optional<ImageId> after;
  if (token.has_value() && !token->id.empty()) {
    absl::StatusOr<ImageId> id = ImageId::Parse(token->id);
    if (!id.ok()) return MakeError(choices::kBadNextToken, "invalid NextToken: not a token");
    after = *id;
  }
  bool more = false;
  ImageId last = ImageId::Short(0);
  std::string last_name;
  auto take = [&](const Image* image) {
    if (image == nullptr) return true;
    std::optional<DescribedImage> view;
    if (!Passes(*image, /*by_id=*/false, result.images.size() < limit ? &view : nullptr)) return true;
    if (result.images.size() == limit) {
      more = true;
      return false;
    }
    last = image->id();
    last_name = image->name();
    result.images.push_back(*std::move(view));
    return true;
  };
  if (plan_ == kPlanName) {
    std::optional<NameStream<ImageId>::Key> after_key;
    if (after.has_value()) after_key = NameStream<ImageId>::Key{token->name, *after};
    NameStream<ImageId> stream(s_.image_index.Names(ctx_.region), NamePrefixes(), after_key,
                               ImageId::Short(0));
    ImageLookahead images(s_, [&stream](ImageId* id) {
      const NameStream<ImageId>::Key* key;
      if (!stream.Next(&key)) return false;
      *id = key->second;
      return true;
    });
    const Image* image;
    while (images.Next(&image) && take(image)) {
    }
  } else {
    std::vector<const ImageIndex::IdSet*> sets;
    if (plan_filter_ == nullptr && plan_ != kPlanVisible && plan_ != kPlanOwners &&
        plan_ != kPlanUsers && plan_ != kPlanPublic) {
      plan_ = kPlanVisible;  // A token's plan this request cannot walk.
    }
    if (plan_ == kPlanIds || plan_ == kPlanTag || plan_ == kPlanTagKey || plan_ == kPlanOwnerFilter) {
      const ImageIndex& x = s_.image_index;
      for (const FilterPattern& p : plan_filter_->patterns) {
        const std::string& v = p.literal_prefix();
        if (plan_ == kPlanIds) {
          if (auto id = ImageId::Parse(v); id.ok()) id_filter_set_.insert(*id);
        } else if (plan_ == kPlanTag) {
          sets.push_back(x.ByTag(ctx_.account, ctx_.region, plan_filter_->tag_key, v));
        } else if (plan_ == kPlanTagKey) {
          sets.push_back(x.ByTagKey(ctx_.account, ctx_.region, v));
        } else if (auto a = AccountId::Parse(v); a.ok()) {
          sets.push_back(x.ByOwner(*a, ctx_.region));
        }
      }
      if (plan_ == kPlanIds) sets.push_back(&id_filter_set_);
    } else {
      sets = PlanSets(plan_);
    }
    IdStream<ImageId> stream(sets, after);
    ImageLookahead images(s_, [&stream](ImageId* id) { return stream.Next(id); });
    const Image* image;
    while (images.Next(&image) && take(image)) {
    }
  }
  if (more) {
    const int filter = plan_filter_ == nullptr ? 0 : static_cast<int>(plan_filter_ - filters_.data()) + 1;
    result.next_token = internal::EncodeToken({plan_ + kPlanSlots * filter, fingerprint,
                                               last.ToString(),
                                               plan_ == kPlanName ? last_name : std::string()});
  } else if (r_.max_results == 0) {
    std::sort(result.images.begin(), result.images.end(),
              [](const DescribedImage& a, const DescribedImage& b) {
                return a.image.id() < b.image.id();
              });
  }
  return result;
}

}  // namespace

absl::StatusOr<DescribeImagesResult> Cloud::DescribeImages(
    const CallContext& ctx, const DescribeImagesRequest& request) const {
  internal::ReaderLock lock(state_->mu);
  ImageQuery query(*state_, ctx, request);
  return query.Run();
}

}  // namespace ami
