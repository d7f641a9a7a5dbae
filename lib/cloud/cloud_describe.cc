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
#include "cloud/image_query_plan.h"
#include "cloud/state.h"
#include "policy/iam.h"
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

using F = internal::ImageQueryPlan::F;
using CompiledFilter = internal::ImageQueryPlan::CompiledFilter;

const char* Bool(bool b) { return b ? "true" : "false"; }

// The block device mapping values an image offers a filter (block-device-mapping.*).
template <typename Sink>
void MappingValues(const CompiledFilter& f, const Image& image, const StateView& view,
                   Sink&& emit) {
  auto ebs = [&](auto&& each) {
    for (const BlockDeviceMapping& m : image.block_device_mappings()) {
      if (m.ebs.has_value()) each(m, *m.ebs);
    }
  };
  switch (f.kind) {
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
    default:
      return;
  }
}

// The owner, product, source and state values an image offers a filter.
template <typename Sink>
void OriginValues(const CompiledFilter& f, const Image& image, Sink&& emit) {
  switch (f.kind) {
    case F::kManifestLocation:
      return emit(absl::StrCat(image.owner_alias() != OwnerAlias::kNone
                                   ? std::string(ToString(image.owner_alias()))
                                   : image.owner().ToString(),
                               "/", image.name()));
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
    default:
      return;
  }
}

// What one image offers a filter: each value it has for the filter's name.
template <typename Sink>
void FilterValues(const CompiledFilter& f, const Image& image, const TagSet& tags,
                  const std::optional<bool>& allowed, const StateView& view, Sink&& emit) {
  switch (f.kind) {
    case F::kBdmDeleteOnTermination:
    case F::kBdmDeviceName:
    case F::kBdmSnapshotId:
    case F::kBdmVolumeSize:
    case F::kBdmVolumeType:
    case F::kBdmEncrypted:
      return MappingValues(f, image, view, emit);
    case F::kManifestLocation:
    case F::kOwnerAlias:
    case F::kOwnerId:
    case F::kPlatform:
    case F::kProductCode:
    case F::kProductCodeType:
    case F::kSourceImageId:
    case F::kSourceImageRegion:
    case F::kSourceInstanceId:
    case F::kState:
    case F::kStateReasonCode:
    case F::kStateReasonMessage:
      return OriginValues(f, image, emit);
    case F::kArchitecture: return emit(ToString(image.architecture()));
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
    case F::kName: return emit(image.name());
    case F::kRootDeviceName: return emit(image.root_device_name());
    case F::kRootDeviceType: return emit(ToString(image.root_device_type()));
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
    s_.mu.AssertReaderHeld();  // The caller holds the state's lock.
    while (!done_ && count_ < kAhead) {
      ImageId id = ImageId::Short(0);
      if (!next_(&id)) {
        done_ = true;
        break;
      }
      s_.images().prefetch(id);
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
    s_.mu.AssertReaderHeld();  // The caller holds the state's lock.
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

class ImageQuery : public internal::ImageQueryPlan {
 public:
  using ImageQueryPlan::ImageQueryPlan;

  absl::StatusOr<DescribeImagesResult> Run();

 private:
  // DESC-4: the named images, each of which must exist and be visible.
  absl::StatusOr<DescribeImagesResult> ByIds() const;
  // Sets the plan from the page token, or chooses one; `after` is the id the page starts after.
  absl::Status StartPage(uint64_t fingerprint, std::optional<internal::PageToken>* token,
                         std::optional<ImageId>* after);
  // The candidate sets of the plan (or of the filter it walks).
  std::vector<const ImageIndex::IdSet*> CandidateSets();
  // Walks the candidates from `after`, in name or id order, while `take` returns true.
  template <typename Take>
  void WalkNames(const std::string& after_name, const std::optional<ImageId>& after, Take& take);
  template <typename Take>
  void WalkSets(const std::optional<ImageId>& after, Take& take);
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
};

const TagSet& ImageQuery::ViewerTags(const Image& image) const {
  s_.mu.AssertReaderHeld();  // The caller holds the state's lock.
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
  s_.mu.AssertReaderHeld();  // The caller holds the state's lock.
  if (!internal::IsRegistered(image.state()) || image.region() != ctx_.region) return false;
  const bool owner = image.owner() == ctx_.account;
  const ReasonTemplate* permit = owner ? nullptr : LaunchPermit(image);
  if (!owner && permit == nullptr) return false;
  if (image.state() == ImageState::kDisabled && !(owner && r_.include_disabled)) return false;
  if (!owner && !by_id && !r_.include_deprecated && image.deprecation_time().has_value() &&
      *image.deprecation_time() <= s_.Now()) {
    return false;  // DESC-7.
  }
  std::optional<bool> allowed;
  if (allowed_settings_ != nullptr) {
    allowed = owner || MatchImageCriteria(allowed_settings_->criteria, image, s_.Now()) >= 0;
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

absl::StatusOr<DescribeImagesResult> ImageQuery::ByIds() const {
  s_.mu.AssertReaderHeld();  // The caller holds the state's lock.
  DescribeImagesResult result;
  // DESC-4: every named image must exist and be visible; deregistered ones are left out.
  for (const ImageId id : ids_) {
    const Image* image = s_.FindImage(id);
    const bool exists = image != nullptr && image->region() == ctx_.region;
    const bool allowed = !exists || allowed_settings_ == nullptr ||
                         allowed_settings_->state != AllowedImagesState::kEnabled ||
                         image->owner() == ctx_.account ||
                         MatchImageCriteria(allowed_settings_->criteria, *image, s_.Now()) >= 0;
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

absl::Status ImageQuery::StartPage(uint64_t fingerprint,
                                   std::optional<internal::PageToken>* token,
                                   std::optional<ImageId>* after) {
  if (r_.next_token.empty()) {
    ChoosePlan();
    return absl::OkStatus();
  }
  AMI_ASSIGN_OR_RETURN(*token, internal::DecodeToken(r_.next_token, fingerprint));
  // The plan, and which filter it walks (its index + 1, 0 for none), as the first page chose.
  plan_ = (*token)->plan % kPlanSlots;
  const int filter = (*token)->plan / kPlanSlots - 1;
  if ((*token)->plan < 0 || plan_ > kPlanOwnerFilter || filter >= static_cast<int>(filters_.size())) {
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
  if (!(*token)->id.empty()) {
    absl::StatusOr<ImageId> id = ImageId::Parse((*token)->id);
    if (!id.ok()) return MakeError(choices::kBadNextToken, "invalid NextToken: not a token");
    *after = *id;
  }
  return absl::OkStatus();
}

std::vector<const ImageIndex::IdSet*> ImageQuery::CandidateSets() {
  s_.mu.AssertReaderHeld();  // The caller holds the state's lock.
  std::vector<const ImageIndex::IdSet*> sets;
  if (plan_filter_ == nullptr && plan_ != kPlanVisible && plan_ != kPlanOwners &&
      plan_ != kPlanUsers && plan_ != kPlanPublic) {
    plan_ = kPlanVisible;  // A token's plan this request cannot walk.
  }
  if (plan_ == kPlanIds || plan_ == kPlanTag || plan_ == kPlanTagKey || plan_ == kPlanOwnerFilter) {
    const ImageIndex& x = s_.image_index();
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
  return sets;
}

template <typename Take>
void ImageQuery::WalkNames(const std::string& after_name, const std::optional<ImageId>& after,
                           Take& take) {
  s_.mu.AssertReaderHeld();  // The caller holds the state's lock.
  std::optional<NameStream<ImageId>::Key> after_key;
  if (after.has_value()) after_key = NameStream<ImageId>::Key{after_name, *after};
  NameStream<ImageId> stream(s_.image_index().Names(ctx_.region), NamePrefixes(), after_key,
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
}

template <typename Take>
void ImageQuery::WalkSets(const std::optional<ImageId>& after, Take& take) {
  const std::vector<const ImageIndex::IdSet*> sets = CandidateSets();
  IdStream<ImageId> stream(sets, after);
  ImageLookahead images(s_, [&stream](ImageId* id) { return stream.Next(id); });
  const Image* image;
  while (images.Next(&image) && take(image)) {
  }
}

absl::StatusOr<DescribeImagesResult> ImageQuery::Run() {
  AMI_RETURN_IF_ERROR(Parse());
  // DryRun: a well-formed request answers DryRunOperation instead of its results.
  AMI_RETURN_IF_ERROR(internal::DryRunCheck(ctx_));
  if (!ids_.empty()) return ByIds();
  const uint64_t fingerprint = RequestFingerprint();
  std::optional<internal::PageToken> token;
  std::optional<ImageId> after;
  AMI_RETURN_IF_ERROR(StartPage(fingerprint, &token, &after));
  DescribeImagesResult result;
  const size_t limit = r_.max_results == 0 ? SIZE_MAX : static_cast<size_t>(r_.max_results);
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
    WalkNames(after.has_value() ? token->name : std::string(), after, take);
  } else {
    WalkSets(after, take);
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
  AMI_RETURN_IF_ERROR(policy::IamAuthorizeWithoutResource(*state_, ctx, "ec2:DescribeImages"));
  ImageQuery query(*state_, ctx, request);
  return query.Run();
}

}  // namespace ami
