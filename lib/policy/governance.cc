// Governance predicates (GOV-1 … 6, GOV-9): lib/policy/governance.h.
#include "policy/governance.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "policy/common.h"
#include "policy/reasons.h"

namespace ami::policy {
namespace {

// `key=value`, or `key` for an entry that takes any value, in backticks.
std::string EntryText(const ApprovedTagEntry& e) {
  return absl::StrCat("`", e.key, e.value.has_value() ? absl::StrCat("=", *e.value) : "", "`");
}

}  // namespace

bool ConfigRecordsInstance(InstanceState state) { return state != InstanceState::kTerminated; }

Decision EvaluateApprovedAmiById(ImageId image, const absl::flat_hash_set<ImageId>& approved,
                                 absl::string_view listed) {
  if (approved.contains(image)) return Decision::Allow(R(reasons::kApprovedById, {.image = image}));
  return Decision::Deny(R(reasons::kNotApprovedById, {.image = image, .text = std::string(listed)}));
}

int MatchApprovedTags(const TagSet& tags, absl::Span<const ApprovedTagEntry> entries) {
  for (size_t k = 0; k < entries.size(); ++k) {
    const std::optional<absl::string_view> v = tags.Find(entries[k].key);
    if (v.has_value() && (!entries[k].value.has_value() || *v == *entries[k].value)) {
      return static_cast<int>(k);
    }
  }
  return -1;
}

Decision EvaluateApprovedAmiByTag(const PlanView& view, ImageId id, AccountId viewer,
                                  absl::Span<const ApprovedTagEntry> entries,
                                  absl::string_view listed) {
  const Image* image = view.FindImage(id);
  if (image == nullptr || image->state() == ImageState::kDeregistered) {
    return Decision::Deny(R(reasons::kImageTagsUnreadable,
                            {.image = id, .text = image == nullptr ? "not found" : "deregistered"}));
  }
  ReasonArgs args{.image = id, .account = viewer, .owner = image->owner()};
  if (image->owner() == viewer) {
    const int k = MatchApprovedTags(image->tags(), entries);
    if (k < 0) {
      args.text = std::string(listed);
      return Decision::Deny(R(reasons::kNotApprovedByOwnerTag, std::move(args)));
    }
    args.text = EntryText(entries[static_cast<size_t>(k)]);
    return Decision::Allow(R(reasons::kApprovedByOwnerTag, std::move(args)));
  }
  // Another account's image: only the tags the viewer put on it count (SHARE-13).
  const TagSet* mine = view.ForeignTags(id.ToString(), viewer);
  if (mine == nullptr) {
    args.text = std::string(listed);
    const bool owner_has = MatchApprovedTags(image->tags(), entries) >= 0;
    return Decision::Deny(R(owner_has ? reasons::kOwnerTagsInvisible
                                      : reasons::kNoApprovedTagOnForeignImage,
                            std::move(args)));
  }
  const int k = MatchApprovedTags(*mine, entries);
  if (k < 0) {
    args.text = std::string(listed);
    return Decision::Deny(R(reasons::kNotApprovedByViewerTag, std::move(args)));
  }
  args.text = EntryText(entries[static_cast<size_t>(k)]);
  return Decision::Allow(R(reasons::kApprovedByViewerTag, std::move(args)));
}

Decision EvaluateImageMeetsAllowedAmis(const StateView& view, const Image* image, ImageId id,
                                       AccountId account, Region region) {
  if (view.AllowedImages(account, region) == nullptr) {
    return Decision::Allow(R(reasons::kAllowedImagesOff, {.account = account, .region = region}));
  }
  if (image == nullptr) {
    return Decision::Deny(
        R(reasons::kImageNotShownAllowed, {.image = id, .account = account, .region = region}));
  }
  Decision d = EvaluateImageAllowed(view, *image, account, region);
  // Audit mode lets the image through but reports it: it does not meet the criteria.
  if (d.allowed() && d.reasons().front().what == &reasons::kNotAllowedAudit) {
    return Decision::Deny(d.reasons().front());
  }
  return d;
}

Decision EvaluateSnapshotNotPublic(const Snapshot& snapshot) {
  if (snapshot.is_public()) {
    return Decision::Deny(R(reasons::kSnapshotPublic, {.snapshot = snapshot.id()}));
  }
  return Decision::Allow(R(reasons::kSnapshotNotPublic, {.snapshot = snapshot.id()}));
}

Decision EvaluateEncryptionByDefaultOn(const StateView& view, AccountId account, Region region) {
  ReasonArgs args{.account = account, .region = region};
  if (view.Settings(account, region).encryption_by_default) {
    return Decision::Allow(R(reasons::kEncryptionByDefaultOn, std::move(args)));
  }
  return Decision::Deny(R(reasons::kEncryptionByDefaultOff, std::move(args)));
}

}  // namespace ami::policy
