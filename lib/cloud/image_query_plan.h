// The planning half of a DescribeImages query (lib/cloud/cloud_describe.cc): the request parsed
// (owners, executable users, image ids, compiled filters) and the candidate source chosen, from
// the page token or as the smallest one the constraints allow. Internal to libami; a query is
// made and used by one call, under the state's reader lock.
#ifndef AMI_LIB_CLOUD_IMAGE_QUERY_PLAN_H_
#define AMI_LIB_CLOUD_IMAGE_QUERY_PLAN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ami/cloud.h"
#include "ami/requests.h"
#include "cloud/describe_query.h"
#include "cloud/image_index.h"
#include "cloud/state.h"

namespace ami::internal {

class ImageQueryPlan {
 public:
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

  // A request filter, its patterns compiled.
  struct CompiledFilter {
    F kind;
    std::string tag_key;  // For tag:<key>.
    std::vector<FilterPattern> patterns;
    bool all_exact = true;
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

  // Which source of candidates a query walks; the number is part of its page tokens.
  enum Plan : int {
    kPlanVisible = 0, kPlanOwners, kPlanUsers, kPlanTag, kPlanTagKey, kPlanIds, kPlanPublic,
    kPlanName, kPlanOwnerFilter
  };
  // A token's plan number: the plan + kPlanSlots × (index of the filter it walks + 1).
  static constexpr int kPlanSlots = 16;

  ImageQueryPlan(const CloudState& s, const CallContext& ctx, const DescribeImagesRequest& r)
      : s_(s), ctx_(ctx), r_(r), info_(s.FindAccount(ctx.account)),
        allowed_settings_(s.AllowedImages(ctx.account, ctx.region)) {}

 protected:
  absl::Status Parse();
  // The candidate sets of each plan this request can use, and the smallest one.
  void ChoosePlan();
  std::vector<const ImageIndex::IdSet*> PlanSets(int plan);
  std::vector<std::string> NamePrefixes() const;
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

}  // namespace ami::internal

#endif  // AMI_LIB_CLOUD_IMAGE_QUERY_PLAN_H_
