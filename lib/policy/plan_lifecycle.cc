// Plans of the image lifecycle operations: deprecation, disable/enable and deregistration
// protection (DEREG-6 … 8, SHARE-21, MC-51).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "values/choices.h"
#include "policy/common.h"
#include "policy/planning.h"
#include "policy/reasons.h"
#include "values/status_macros.h"

namespace ami::policy {
namespace {

absl::Time RoundToMinute(absl::Time t) {
  return absl::FromUnixSeconds((absl::ToUnixSeconds(t) + 30) / 60 * 60);
}

// DEREG-7, SHARE-21: forbids a deprecation time the image cannot take into `d`.
void CheckDeprecationTime(const StateView& view, const Image& image, absl::Time asked,
                          const ReasonArgs& base, Decision* d) {
  const absl::Time at = RoundToMinute(asked);
  ReasonArgs a = base;
  if (asked < view.Now()) {
    a.text = absl::StrCat(FormatAwsTime(asked), " is in the past (now ", FormatAwsTime(view.Now()), ")");
    d->AddForbid(R(reasons::kBadDeprecationTime, std::move(a)));
  } else if (at > AddYears(view.Now(), 10)) {
    a.text = absl::StrCat(FormatAwsTime(at), " is more than 10 years ahead");
    d->AddForbid(R(reasons::kBadDeprecationTime, std::move(a)));
  } else if (image.is_public() && at > AddYears(image.creation_time(), 2)) {
    a.text = FormatAwsTime(AddYears(image.creation_time(), 2));
    d->AddForbid(R(reasons::kPublicDeprecationTooLate, std::move(a)));
  }
}

// The forbids of `change` on `image` (its owner's, visible) into `d`.
void CheckChange(const StateView& view, const Image& image, const ImageLifecycleChange& change,
                 const ReasonArgs& base, Decision* d) {
  ReasonArgs a = base;
  a.text = std::string(ToString(image.state()));
  switch (change.kind) {
    case ImageLifecycleChange::Kind::kEnableDeprecation:
      CheckDeprecationTime(view, image, change.deprecate_at, base, d);
      return;
    case ImageLifecycleChange::Kind::kDisableDeprecation:
      if (image.is_public()) d->AddForbid(R(reasons::kPublicDeprecationLocked, base));
      return;
    case ImageLifecycleChange::Kind::kDisable:
      if (image.state() != ImageState::kAvailable) d->AddForbid(R(reasons::kDisableNeedsAvailable, a));
      return;
    case ImageLifecycleChange::Kind::kEnable:
      if (image.state() != ImageState::kDisabled) d->AddForbid(R(reasons::kEnableNeedsDisabled, a));
      return;
    case ImageLifecycleChange::Kind::kEnableProtection:
    case ImageLifecycleChange::Kind::kDisableProtection:
      return;
  }
}

// The image after `change`, and the protection state the call returns.
Image::Builder Changed(const StateView& view, const Image& image, const ImageLifecycleChange& change,
                       std::string* result) {
  Image::Builder b = image.ToBuilder();
  using Kind = ImageLifecycleChange::Kind;
  switch (change.kind) {
    case Kind::kEnableDeprecation:
      b.set_deprecation_time(RoundToMinute(change.deprecate_at));
      break;
    case Kind::kDisableDeprecation:
      b.set_deprecation_time(std::nullopt);
      break;
    case Kind::kDisable:
      b.set_state(ImageState::kDisabled).set_launch_permissions({});  // DEREG-8: shares go.
      break;
    case Kind::kEnable:
      b.set_state(ImageState::kAvailable);
      break;
    case Kind::kEnableProtection: {
      const DeregistrationProtection p = change.with_cooldown
                                             ? DeregistrationProtection::kEnabledWithCooldown
                                             : DeregistrationProtection::kEnabled;
      // MC-51: protection is in force again, so a cooldown in progress ends.
      b.set_deregistration_protection(p).set_protection_cooldown_until(std::nullopt);
      *result = std::string(ToString(p));
      break;
    }
    case Kind::kDisableProtection: {
      *result = "disabled";
      const auto& until = image.protection_cooldown_until();
      if (image.deregistration_protection() == DeregistrationProtection::kEnabledWithCooldown) {
        const absl::Time end = view.Now() + absl::Hours(24);  // DEREG-6: 24 more hours.
        b.set_protection_cooldown_until(end);
        *result = absl::StrCat("disabled-until-", FormatAwsTime(end));
      } else if (until.has_value() && *until > view.Now()) {
        *result = absl::StrCat("disabled-until-", FormatAwsTime(*until));
      }
      b.set_deregistration_protection(DeregistrationProtection::kDisabled);
      break;
    }
  }
  return b;
}

// The IAM action of `kind`.
const char* IamAction(ImageLifecycleChange::Kind kind) {
  using Kind = ImageLifecycleChange::Kind;
  switch (kind) {
    case Kind::kEnableDeprecation:
      return "ec2:EnableImageDeprecation";
    case Kind::kDisableDeprecation:
      return "ec2:DisableImageDeprecation";
    case Kind::kDisable:
      return "ec2:DisableImage";
    case Kind::kEnable:
      return "ec2:EnableImage";
    case Kind::kEnableProtection:
      return "ec2:EnableImageDeregistrationProtection";
    case Kind::kDisableProtection:
      break;
  }
  return "ec2:DisableImageDeregistrationProtection";
}

}  // namespace

absl::StatusOr<PlannedLifecycle> PlanImageLifecycle(const PlanView& view, const CallContext& ctx,
                                                    ImageId id, const ImageLifecycleChange& change) {
  PlannedLifecycle out;
  Decision& d = out.planned.decision;
  // IAM-3: the image is the resource of each of these actions.
  if (std::optional<Decision> denied = IamDenial(view, ctx, IamAction(change.kind), [&] {
        return std::vector<IamResource>{ImageIamResource(view, ctx, id, ctx.region)};
      })) {
    d = *std::move(denied);
    return out;
  }
  d = EvaluateImageOwnerAction(view, ctx.account, ctx.region, id, ImageAction::kModifyAttribute);
  if (!d.allowed()) return out;
  const Image& image = *view.FindImage(id);
  const ReasonArgs base{.image = id, .account = ctx.account, .owner = image.owner(),
                        .region = ctx.region};
  CheckChange(view, image, change, base, &d);
  if (!d.allowed()) return out;
  AMI_ASSIGN_OR_RETURN(Image changed, Changed(view, image, change, &out.result).Build());
  out.planned.plan.put_images.push_back(std::make_shared<const Image>(std::move(changed)));
  return out;
}

}  // namespace ami::policy
