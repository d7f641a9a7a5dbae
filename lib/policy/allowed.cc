// Allowed AMIs (GOV-7 … 9) and how launches and copies ask them (LAUNCH-8, COPY-16).
#include <utility>

#include "ami/policy.h"
#include "ami/state_view.h"
#include "policy/common.h"
#include "policy/reasons.h"

namespace ami::policy {

Decision EvaluateImageAllowed(const StateView& view, const Image& image, AccountId account,
                              Region region) {
  ReasonArgs args{.image = image.id(), .account = account, .owner = image.owner(), .region = region};
  const AllowedImagesSettings* settings = view.AllowedImages(account, region);
  if (settings == nullptr) return Decision::Allow(R(reasons::kAllowedImagesOff, std::move(args)));
  if (image.owner() == account) return Decision::Allow(R(reasons::kAllowedOwnImage, std::move(args)));
  const int match = MatchImageCriteria(settings->criteria, image, view.Now());
  if (match >= 0) {
    args.number = match + 1;
    return Decision::Allow(R(reasons::kAllowedByCriterion, std::move(args)));
  }
  if (settings->state == AllowedImagesState::kAuditMode) {
    return Decision::Allow(R(reasons::kNotAllowedAudit, std::move(args)));
  }
  return Decision::Deny(R(reasons::kNotAllowed, std::move(args)));
}

bool RequireAllowed(const StateView& view, const Image& image, AccountId account, Region region,
                    const ReasonTemplate& why, Decision* d) {
  Decision allowed = EvaluateImageAllowed(view, image, account, region);
  if (allowed.allowed()) return true;
  d->AddForbid(R(why, {.image = image.id(), .account = account, .owner = image.owner(),
                       .region = region}));
  d->Merge(std::move(allowed));
  return false;
}

}  // namespace ami::policy
