// Plans of the tag operations and of snapshot create-volume permissions: who tags what, whose
// tags a change lands in, and the tag limit (ID-4, SHARE-13, SNAP-1 … 3).
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "policy/common.h"
#include "policy/planning.h"
#include "policy/reasons.h"
#include "values/status_macros.h"

namespace ami::policy {
namespace {

Decision ImageTagAccess(const StateView& view, AccountId account, Region region, ImageId id,
                        bool* owner) {
  const ReasonArgs a{.image = id, .account = account, .region = region};
  const Image* image = view.FindImage(id);
  if (image == nullptr || image->region() != region || image->state() == ImageState::kDeregistered) {
    return Decision::Deny(R(reasons::kTagImageNotFound, a));
  }
  *owner = image->owner() == account;
  if (!*owner && !EvaluateLaunchPermission(view, *image, account).allowed()) {
    return Decision::Deny(R(reasons::kTagImageNotVisible, a));
  }
  return Decision::Allow(R(*owner ? reasons::kTagsOfOwner : reasons::kTagsOfRecipient,
                           {.account = account, .owner = image->owner(), .text = id.ToString()}));
}

Decision SnapshotTagAccess(const StateView& view, AccountId account, Region region, SnapshotId id,
                           bool* owner) {
  const ReasonArgs a{.snapshot = id, .account = account, .region = region};
  const Snapshot* snap = view.FindSnapshot(id);
  if (snap == nullptr || snap->region() != region) {
    return Decision::Deny(R(reasons::kTagSnapshotNotFound, a));
  }
  *owner = snap->owner() == account;
  const std::vector<AccountId>& listed = snap->create_volume_permissions().accounts;
  if (!*owner && !std::binary_search(listed.begin(), listed.end(), account) && !snap->is_public()) {
    return Decision::Deny(R(reasons::kTagSnapshotNotVisible, a));
  }
  return Decision::Allow(R(*owner ? reasons::kTagsOfOwner : reasons::kTagsOfRecipient,
                           {.account = account, .owner = snap->owner(), .text = id.ToString()}));
}

Decision InstanceTagAccess(const StateView& view, AccountId account, Region region, InstanceId id,
                           bool* owner) {
  const Instance* instance = view.FindInstance(id);
  if (instance == nullptr || instance->region() != region || instance->owner() != account) {
    return Decision::Deny(
        R(reasons::kTagInstanceNotFound, {.instance = id, .account = account, .region = region}));
  }
  *owner = true;
  return Decision::Allow(R(reasons::kTagsOfOwner, {.account = account, .text = id.ToString()}));
}

// The user tags `current` would have with `added` put over it.
size_t UserTagsAfter(const TagSet& current, const TagSet& added) {
  size_t n = added.size();
  for (const Tag& tag : current) {
    if (!tag.is_system() && !added.Find(tag.key()).has_value()) ++n;
  }
  return n;
}

// Puts `tags` on the resource `owner` owns into `plan`.
absl::Status PutOwnerTags(const PlanView& view, const TagResource& resource, TagSet tags,
                          internal::Plan* plan) {
  if (const auto* id = std::get_if<ImageId>(&resource)) {
    Image::Builder b = view.FindImage(*id)->ToBuilder();
    AMI_ASSIGN_OR_RETURN(Image image, b.set_tags(std::move(tags)).Build());
    plan->put_images.push_back(std::make_shared<const Image>(std::move(image)));
  } else if (const auto* sid = std::get_if<SnapshotId>(&resource)) {
    Snapshot::Builder b = view.FindSnapshot(*sid)->ToBuilder();
    AMI_ASSIGN_OR_RETURN(Snapshot snapshot, b.set_tags(std::move(tags)).Build());
    plan->put_snapshots.push_back(std::make_shared<const Snapshot>(std::move(snapshot)));
  } else {
    Instance::Builder b = view.FindInstance(std::get<InstanceId>(resource))->ToBuilder();
    AMI_ASSIGN_OR_RETURN(Instance instance, std::move(b.set_tags(std::move(tags))).Build());
    plan->put_instances.push_back(std::move(instance));
  }
  return absl::OkStatus();
}

std::string TextOf(const TagResource& resource) {
  return std::visit([](const auto& id) { return id.ToString(); }, resource);
}

// `resource` as IAM sees it in `ctx`'s Region, with the tags the caller sees on it.
IamResource TagIamResource(const PlanView& view, const CallContext& ctx,
                           const TagResource& resource) {
  if (const auto* id = std::get_if<ImageId>(&resource)) {
    return ImageIamResource(view, ctx, *id, ctx.region);
  }
  if (const auto* id = std::get_if<SnapshotId>(&resource)) {
    return SnapshotIamResource(view, ctx, *id);
  }
  return InstanceIamResource(view, ctx, std::get<InstanceId>(resource));
}

// IAM-3: the denial of CreateTags or DeleteTags on the resources `change` names, if any.
std::optional<Decision> TagChangeIamDenial(const PlanView& view, const CallContext& ctx,
                                           const TagChange& change) {
  const auto resources = [&] {
    std::vector<IamResource> out;
    for (const TagResource& r : change.resources) out.push_back(TagIamResource(view, ctx, r));
    return out;
  };
  if (!change.remove) return IamDenial(view, ctx, "ec2:CreateTags", resources, &change.add);
  // DeleteTags without keys deletes every user tag: aws:TagKeys is then left unknown.
  return IamDenial(view, ctx, "ec2:DeleteTags", resources, nullptr,
                   change.remove_keys.empty() ? nullptr : &change.remove_keys);
}

}  // namespace

Decision EvaluateTagAccess(const StateView& view, AccountId account, Region region,
                           const TagResource& resource, bool* owner) {
  bool ignored = false;
  if (owner == nullptr) owner = &ignored;
  if (const auto* id = std::get_if<ImageId>(&resource)) {
    return ImageTagAccess(view, account, region, *id, owner);
  }
  if (const auto* id = std::get_if<SnapshotId>(&resource)) {
    return SnapshotTagAccess(view, account, region, *id, owner);
  }
  return InstanceTagAccess(view, account, region, std::get<InstanceId>(resource), owner);
}

TagSet ViewerTags(const PlanView& view, const TagResource& resource, bool owner,
                  AccountId account) {
  if (!owner) {
    const TagSet* mine = view.ForeignTags(TextOf(resource), account);
    return mine == nullptr ? TagSet() : *mine;
  }
  if (const auto* id = std::get_if<ImageId>(&resource)) return view.FindImage(*id)->tags();
  if (const auto* id = std::get_if<SnapshotId>(&resource)) return view.FindSnapshot(*id)->tags();
  return view.FindInstance(std::get<InstanceId>(resource))->tags();
}

absl::StatusOr<Planned> PlanChangeTags(const PlanView& view, const CallContext& ctx,
                                       const TagChange& change) {
  Planned out;
  if (std::optional<Decision> denied = TagChangeIamDenial(view, ctx, change)) {
    out.decision = *std::move(denied);
    return out;
  }
  for (const TagResource& resource : change.resources) {
    bool owner = false;
    Decision d = EvaluateTagAccess(view, ctx.account, ctx.region, resource, &owner);
    if (!d.allowed()) return Planned{std::move(d), {}};
    const TagSet current = ViewerTags(view, resource, owner, ctx.account);
    TagSet next;
    if (change.remove) {
      next = current.Without(change.remove_keys);
    } else if (const size_t n = UserTagsAfter(current, change.add); n > kMaxUserTagsPerResource) {
      return Planned{Decision::Deny(R(reasons::kTooManyTags, {.number = static_cast<int64_t>(n)})), {}};
    } else {
      AMI_ASSIGN_OR_RETURN(next, current.With(change.add));
    }
    out.decision.Merge(std::move(d));
    if (owner) {
      AMI_RETURN_IF_ERROR(PutOwnerTags(view, resource, std::move(next), &out.plan));
    } else {
      out.plan.mutable_extra().set_foreign_tags.push_back({TextOf(resource), ctx.region, ctx.account, std::move(next)});
    }
  }
  return out;
}

absl::StatusOr<Planned> PlanModifySnapshotPermission(const PlanView& view,
                                                     const SnapshotShareQuestion& q) {
  Planned out;
  CreateVolumePermissions next;
  out.decision = EvaluateModifySnapshotPermission(view, q, &next);
  if (!out.decision.allowed()) return out;
  Snapshot::Builder b = view.FindSnapshot(q.snapshot)->ToBuilder();
  b.set_create_volume_permissions(std::move(next));
  AMI_ASSIGN_OR_RETURN(Snapshot snapshot, b.Build());
  out.plan.put_snapshots.push_back(std::make_shared<const Snapshot>(std::move(snapshot)));
  return out;
}

absl::StatusOr<Planned> PlanModifySnapshotPermission(const PlanView& view, const CallContext& ctx,
                                                     const SnapshotShareQuestion& q) {
  if (std::optional<Decision> denied = IamDenial(view, ctx, "ec2:ModifySnapshotAttribute", [&] {
        IamResource snapshot = SnapshotIamResource(view, ctx, q.snapshot);
        snapshot.keys.push_back({"ec2:Attribute", "createVolumePermission"});
        return std::vector<IamResource>{std::move(snapshot)};
      })) {
    return Planned{*std::move(denied), {}};
  }
  return PlanModifySnapshotPermission(view, q);
}

}  // namespace ami::policy
