// Plans of the image attribute operations: launch permissions (with SHARE-21's deprecation
// clamp), description and IMDS support, reset, and a recipient's cancellation (SHARE-2 … 8,
// SHARE-21, CREATE-18).
#include <algorithm>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "values/image_access.h"
#include "policy/common.h"
#include "policy/planning.h"
#include "values/status_macros.h"

namespace ami::policy {
namespace {

// IAM-3: the denial of `action` on the image `id` in `ctx`'s Region, if IAM denies it.
std::optional<Decision> ImageIamDenial(const PlanView& view, const CallContext& ctx,
                                       absl::string_view action, ImageId id) {
  return IamDenial(view, ctx, action, [&] {
    return std::vector<IamResource>{ImageIamResource(view, ctx, id, ctx.region)};
  });
}

// Puts `image` in `out`'s plan.
void PutImage(Image image, Planned* out) {
  out->plan.put_images.push_back(std::make_shared<const Image>(std::move(image)));
}

}  // namespace

absl::StatusOr<Planned> PlanModifyLaunchPermission(const PlanView& view, const CallContext& ctx,
                                                   const ShareQuestion& q) {
  Planned out;
  // IAM-6: ec2:Attribute names the attribute the call modifies.
  if (std::optional<Decision> denied = IamDenial(view, ctx, "ec2:ModifyImageAttribute", [&] {
        return LaunchPermissionIamResources(view, ctx, q.image);
      })) {
    out.decision = *std::move(denied);
    return out;
  }
  LaunchPermissions next;
  out.decision = EvaluateModifyLaunchPermission(view, q, &next);
  if (!out.decision.allowed()) return out;
  const Image& current = *view.FindImage(q.image);
  std::optional<absl::Time> deprecation = current.deprecation_time();
  if (next.is_public() && !current.is_public()) {
    // SHARE-21: a public image is deprecated two years after its creation at the latest.
    const absl::Time latest = AddYears(current.creation_time(), 2);
    if (!deprecation.has_value() || *deprecation > latest) deprecation = latest;
  }
  AMI_ASSIGN_OR_RETURN(
      std::shared_ptr<const Image> image,
      internal::ImageAccess::WithLaunchPermissions(current, std::move(next), deprecation));
  out.plan.put_images.push_back(std::move(image));
  return out;
}

absl::StatusOr<Planned> PlanModifyImageDetails(const PlanView& view, const CallContext& ctx,
                                               ImageId id, const ModifyImageAttributeRequest& r) {
  Planned out;
  if (std::optional<Decision> denied = IamDenial(view, ctx, "ec2:ModifyImageAttribute", [&] {
        IamResource image = ImageIamResource(view, ctx, id, ctx.region);
        image.keys.push_back({"ec2:Attribute", r.description ? "description" : "imdsSupport"});
        if (r.description) image.keys.push_back({"ec2:Attribute/Description", *r.description});
        return std::vector<IamResource>{std::move(image)};
      })) {
    out.decision = *std::move(denied);
    return out;
  }
  out.decision =
      EvaluateImageOwnerAction(view, ctx.account, ctx.region, id, ImageAction::kModifyAttribute);
  if (!out.decision.allowed()) return out;
  Image::Builder b = view.FindImage(id)->ToBuilder();
  if (r.description.has_value()) b.set_description(*r.description);
  if (r.imds_support.has_value()) b.set_imds_v2_required(true);  // CREATE-18: only v2.0.
  AMI_ASSIGN_OR_RETURN(Image image, b.Build());
  PutImage(std::move(image), &out);
  return out;
}

absl::StatusOr<Planned> PlanResetLaunchPermission(const PlanView& view, const CallContext& ctx,
                                                  ImageId id) {
  Planned out;
  if (std::optional<Decision> denied = ImageIamDenial(view, ctx, "ec2:ResetImageAttribute", id)) {
    out.decision = *std::move(denied);
    return out;
  }
  out.decision =
      EvaluateImageOwnerAction(view, ctx.account, ctx.region, id, ImageAction::kResetAttribute);
  if (!out.decision.allowed()) return out;
  Image::Builder b = view.FindImage(id)->ToBuilder();
  b.set_launch_permissions({});
  AMI_ASSIGN_OR_RETURN(Image image, b.Build());
  PutImage(std::move(image), &out);
  return out;
}

absl::StatusOr<Planned> PlanCancelLaunchPermission(const PlanView& view, const CallContext& ctx,
                                                   ImageId id) {
  Planned out;
  if (std::optional<Decision> denied =
          ImageIamDenial(view, ctx, "ec2:CancelImageLaunchPermission", id)) {
    out.decision = *std::move(denied);
    return out;
  }
  out.decision = EvaluateCancelLaunchPermission(view, ctx.account, ctx.region, id);
  if (!out.decision.allowed()) return out;
  const Image& image = *view.FindImage(id);
  const LaunchPermissions& lp = image.launch_permissions();
  std::vector<AccountId> accounts = lp.accounts();
  accounts.erase(std::remove(accounts.begin(), accounts.end(), ctx.account), accounts.end());
  AMI_ASSIGN_OR_RETURN(LaunchPermissions kept,
                       LaunchPermissions::Create(std::move(accounts), lp.is_public(),
                                                 lp.organizations(), lp.organizational_units()));
  Image::Builder b = image.ToBuilder();
  b.set_launch_permissions(std::move(kept));
  AMI_ASSIGN_OR_RETURN(Image changed, b.Build());
  PutImage(std::move(changed), &out);
  return out;
}

Decision EvaluateDescribeImageAttribute(const PlanView& view, const CallContext& ctx,
                                        ImageId id) {
  // A Describe action: no resource-level permissions, so the resource is "*".
  if (std::optional<Decision> denied = IamDenial(view, ctx, "ec2:DescribeImageAttribute", [] {
        return std::vector<IamResource>{IamResource{"*"}};
      })) {
    return *std::move(denied);
  }
  return EvaluateImageOwnerAction(view, ctx.account, ctx.region, id,
                                  ImageAction::kDescribeAttribute);
}

}  // namespace ami::policy
