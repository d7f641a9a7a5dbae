// DescribeInstanceImageMetadata (GOV-9): the caller's instances in the Region and the image each
// was launched from, from the index of instances by owner and Region. Whether an image meets
// the caller's Allowed AMIs criteria is the policy engine's answer.
#include <algorithm>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ami/cloud.h"
#include "ami/errors.h"
#include "cloud/describe_query.h"
#include "cloud/state.h"
#include "policy/governance.h"
#include "policy/iam.h"
#include "values/choices.h"
#include "values/status_macros.h"

namespace ami {
namespace {

using internal::CloudState;

enum class MF : uint8_t {
  kZone, kImageAllowed, kInstanceId, kState, kType, kLaunchTime, kOwnerAlias, kOwnerId, kTag,
  kTagKey,
};

constexpr std::pair<absl::string_view, MF> kMetadataFilters[] = {
    {"availability-zone", MF::kZone},     {"image-allowed", MF::kImageAllowed},
    {"instance-id", MF::kInstanceId},     {"instance-state-name", MF::kState},
    {"instance-type", MF::kType},         {"launch-time", MF::kLaunchTime},
    {"owner-alias", MF::kOwnerAlias},     {"owner-id", MF::kOwnerId},
    {"tag-key", MF::kTagKey},
};

struct MetadataFilter {
  MF kind = MF::kZone;
  std::string tag_key;
  std::vector<FilterPattern> patterns;
};

// Calls `emit` with each value the filter reads from the instance and its image.
template <typename Emit>
void Values(const MetadataFilter& f, const InstanceImageMetadata& m, Emit&& emit) {
  const Instance& i = m.instance;
  switch (f.kind) {
    case MF::kZone: return emit(i.availability_zone().ToString());
    case MF::kImageAllowed:
      // An image the cloud does not hold is not shown to be allowed (unknown never allows).
      return emit(m.image.image_allowed.value_or(false) ? "true" : "false");
    case MF::kInstanceId: return emit(i.id().ToString());
    case MF::kState: return emit(std::string(ToString(i.state())));
    case MF::kType: return emit(i.instance_type());
    case MF::kLaunchTime: return emit(FormatAwsTime(i.launch_time()));
    case MF::kOwnerAlias:
      if (m.image.known && m.image.owner_alias != OwnerAlias::kNone) {
        emit(std::string(ToString(m.image.owner_alias)));
      }
      return;
    case MF::kOwnerId: return emit(i.owner().ToString());
    case MF::kTag:
      if (auto v = i.tags().Find(f.tag_key)) emit(std::string(*v));
      return;
    case MF::kTagKey:
      for (const Tag& t : i.tags()) emit(std::string(t.key()));
      return;
  }
}

class MetadataQuery {
 public:
  MetadataQuery(const CloudState& s, const CallContext& ctx,
                const DescribeInstanceImageMetadataRequest& r)
      : s_(s), ctx_(ctx), r_(r) {}

  absl::StatusOr<DescribeInstanceImageMetadataResult> Run() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    AMI_RETURN_IF_ERROR(Parse());
    AMI_RETURN_IF_ERROR(internal::DryRunCheck(ctx_));
    std::vector<InstanceId> ids;
    if (!r_.instance_ids.empty()) {
      AMI_ASSIGN_OR_RETURN(ids, NamedInstances());
    } else if (const std::vector<InstanceId>* mine = s_.InstancesOf(ctx_.account, ctx_.region)) {
      ids = *mine;
    }
    std::sort(ids.begin(), ids.end());
    DescribeInstanceImageMetadataResult result;
    for (const InstanceId id : ids) {
      const Instance& instance = *s_.FindInstance(id);
      InstanceImageMetadata m{instance, Metadata(instance.image_id())};
      if (Passes(m)) result.instances.push_back(std::move(m));
    }
    return result;
  }

 private:
  absl::Status Parse() {
    AMI_RETURN_IF_ERROR(internal::CheckDescribeBounds(0, r_.instance_ids.size(), r_.filters));
    for (const Filter& f : r_.filters) {
      MetadataFilter c;
      AMI_ASSIGN_OR_RETURN(std::tie(c.kind, c.tag_key),
                           internal::FilterKind(f, kMetadataFilters, MF::kTag,
                                                " for DescribeInstanceImageMetadata"));
      for (const std::string& v : f.values) c.patterns.push_back(FilterPattern::Compile(v));
      filters_.push_back(std::move(c));
    }
    return absl::OkStatus();
  }

  // Each named instance must exist and be the caller's in the Region.
  absl::StatusOr<std::vector<InstanceId>> NamedInstances() const ABSL_NO_THREAD_SAFETY_ANALYSIS {
    std::vector<InstanceId> ids;
    for (const std::string& text : r_.instance_ids) {
      AMI_ASSIGN_OR_RETURN(const InstanceId id, InstanceId::Parse(text));
      const Instance* i = s_.FindInstance(id);
      if (i == nullptr || i->owner() != ctx_.account || i->region() != ctx_.region) {
        return MakeError(ErrorCode::kInvalidInstanceIDNotFound,
                         absl::StrCat("the instance id `", id.ToString(), "` does not exist"));
      }
      ids.push_back(id);
    }
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
  }

  // The image's metadata, made once per image of the answer.
  const ImageMetadata& Metadata(ImageId id) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    auto [it, added] = images_.try_emplace(id);
    if (!added) return it->second;
    ImageMetadata& m = it->second;
    m.image_id = id;
    const Image* image = s_.FindImage(id);
    if (image == nullptr) return m;
    m.known = true;
    m.name = image->name();
    m.owner = image->owner();
    m.owner_alias = image->owner_alias();
    m.state = image->state();
    m.creation_date = image->creation_time();
    m.deprecation_time = image->deprecation_time();
    m.is_public = image->is_public();
    m.image_allowed =
        policy::EvaluateImageMeetsAllowedAmis(s_, image, id, ctx_.account, ctx_.region).allowed();
    return m;
  }

  // Filters are ANDed, a filter's values ORed (DESC-5).
  bool Passes(const InstanceImageMetadata& m) const {
    for (const MetadataFilter& f : filters_) {
      bool any = false;
      Values(f, m, [&](const std::string& v) {
        for (const FilterPattern& p : f.patterns) any = any || p.Matches(v);
      });
      if (!any) return false;
    }
    return true;
  }

  const CloudState& s_;
  const CallContext& ctx_;
  const DescribeInstanceImageMetadataRequest& r_;
  std::vector<MetadataFilter> filters_;
  absl::flat_hash_map<ImageId, ImageMetadata> images_;
};

}  // namespace

absl::StatusOr<DescribeInstanceImageMetadataResult> Cloud::DescribeInstanceImageMetadata(
    const CallContext& ctx, const DescribeInstanceImageMetadataRequest& request) const {
  internal::ReaderLock lock(state_->mu);
  AMI_RETURN_IF_ERROR(
      policy::IamAuthorizeWithoutResource(*state_, ctx, "ec2:DescribeInstanceImageMetadata"));
  MetadataQuery query(*state_, ctx, request);
  return query.Run();
}

}  // namespace ami
