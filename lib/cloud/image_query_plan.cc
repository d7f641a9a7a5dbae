// DescribeImages planning (lib/cloud/image_query_plan.h): the request parsed and the candidate
// source chosen.
#include "cloud/image_query_plan.h"

#include <algorithm>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "values/choices.h"
#include "values/status_macros.h"

namespace ami::internal {
namespace {

using F = ImageQueryPlan::F;
using CompiledFilter = ImageQueryPlan::CompiledFilter;

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

absl::StatusOr<std::vector<CompiledFilter>> CompileFilters(const std::vector<Filter>& filters) {
  std::vector<CompiledFilter> out;
  for (const Filter& f : filters) {
    CompiledFilter c;
    AMI_ASSIGN_OR_RETURN(std::tie(c.kind, c.tag_key),
                         internal::FilterKind(f, kFilterNames, F::kTag,
                                              ": see the DescribeImages filters (DESC-6)"));
    internal::CompilePatterns(f.values, &c.patterns, &c.all_exact);
    out.push_back(std::move(c));
  }
  return out;
}

const char* Bool(bool b) { return b ? "true" : "false"; }

absl::Status MalformedUser(absl::string_view what, absl::string_view value) {
  return MakeError(choices::kMalformedAccountId,
                   absl::StrCat("invalid ", what, " `", value.substr(0, 64), "` (DESC-2, DESC-3)"));
}

}  // namespace

absl::Status ImageQueryPlan::Parse() {
  AMI_RETURN_IF_ERROR(CheckDescribeBounds(r_.max_results, r_.image_ids.size(), r_.filters));
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

std::vector<const ImageIndex::IdSet*> ImageQueryPlan::PlanSets(int plan) {
  s_.mu.AssertReaderHeld();  // The caller holds the state's lock.
  const ImageIndex& x = s_.image_index();
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

std::vector<std::string> ImageQueryPlan::NamePrefixes() const {
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

void ImageQueryPlan::ChoosePlan() {
  s_.mu.AssertReaderHeld();  // The caller holds the state's lock.
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
  const ImageIndex& x = s_.image_index();
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

uint64_t ImageQueryPlan::RequestFingerprint() const {
  return internal::RequestFingerprint(
      {ctx_.account.ToString(), std::string(ctx_.region.code()), Bool(r_.include_deprecated),
       Bool(r_.include_disabled)},
      {&r_.owners, &r_.executable_users}, r_.filters);
}

}  // namespace ami::internal
