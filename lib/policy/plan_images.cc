// Plans of RegisterImage, CopyImage, DeregisterImage and DeleteSnapshot (CREATE-17, COPY-*,
// DEREG-1 … 3, DEREG-9, SNAP-4, REG-3, REG-4, REG-6, KMS-11, KMS-12).
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "values/choices.h"
#include "policy/common.h"
#include "policy/lang/request.h"
#include "policy/planning.h"
#include "policy/reasons.h"
#include "values/status_macros.h"

namespace ami::policy {

using internal::PendingWork;
using internal::Plan;

namespace {

// The snapshot a RegisterImage mapping names, when it is in the Region and the caller may read it.
const Snapshot* RegistrableSnapshot(const StateView& view, const CallContext& ctx, SnapshotId id,
                                    Decision* d) {
  const Snapshot* snap = view.FindSnapshot(id);
  if (snap == nullptr || snap->region() != ctx.region ||
      !SnapshotReadableBy(view, *snap, ctx.account)) {
    d->AddForbid(R(reasons::kRegisterSnapshotNotFound,
                   {.snapshot = id, .account = ctx.account, .region = ctx.region}));
    return nullptr;
  }
  return snap;
}

// The new image of RegisterImage before its mappings.
Image::Builder RegisteredImage(const RegisterImageCall& c, ImageId id, absl::Time now) {
  const RegisterImageRequest& r = c.request;
  Image::Builder b;
  b.set_id(id).set_name(r.name).set_description(r.description).set_owner(c.ctx.account)
      .set_region(c.ctx.region).set_state(ImageState::kPending).set_creation_time(now)
      .set_root_device_name(r.root_device_name)
      .set_architecture(r.architecture.value_or(Architecture::kI386))
      .set_virtualization_type(r.virtualization_type.value_or(VirtualizationType::kParavirtual))
      .set_boot_mode(r.boot_mode).set_ena_support(r.ena_support)
      .set_imds_v2_required(r.imds_support == "v2.0")
      .set_consistency(ImageConsistency::kUnknown).set_tags(c.image_tags);
  return b;
}

// REG-6: the caller's name must be free in the Region.
void CheckNameFree(const StateView& view, const CallContext& ctx, const std::string& name,
                   Decision* d) {
  if (const std::optional<ImageId> used = view.FindImageByName(ctx.account, ctx.region, name)) {
    d->AddForbid(R(reasons::kDuplicateName,
                   {.image = *used, .account = ctx.account, .region = ctx.region,
                    .text = absl::StrCat("`", name, "`")}));
  }
}

}  // namespace

absl::StatusOr<Planned> PlanRegisterImage(const PlanView& view, const RegisterImageCall& c) {
  Planned out;
  // The new image and every snapshot the mappings name (IAM-3).
  const auto resources = [&] {
    std::vector<IamResource> out{NewResource(c.ctx, "image")};
    for (const SnapshotId id : c.snapshots) out.push_back(SnapshotIamResource(view, c.ctx, id));
    return out;
  };
  std::optional<Decision> denied =
      IamDenial(view, c.ctx, "ec2:RegisterImage", resources, &c.image_tags);
  if (!denied) denied = TagOnCreateDenial(view, c.ctx, "RegisterImage", "image", c.image_tags);
  if (denied) {
    out.decision = *std::move(denied);
    return out;
  }
  CheckNameFree(view, c.ctx, c.request.name, &out.decision);
  if (!out.decision.reasons().empty()) return out;  // Only forbids were added so far.
  internal::IdSequence ids = view.Ids();
  const ImageId id = ids.NewImageId();
  Image::Builder b = RegisteredImage(c, id, view.Now());
  for (size_t i = 0; i < c.request.block_device_mappings.size(); ++i) {
    const RegisterImageMapping& m = c.request.block_device_mappings[i];
    const Snapshot* snap = RegistrableSnapshot(view, c.ctx, c.snapshots[i], &out.decision);
    if (snap == nullptr) return out;
    BlockDeviceMapping mapping = BlockDeviceMapping::FromSnapshot(m.device_name, *snap);
    if (m.volume_size_gib != 0) mapping.ebs->volume_size_gib = m.volume_size_gib;
    mapping.ebs->volume_type = m.volume_type;
    mapping.ebs->delete_on_termination = m.delete_on_termination;
    b.add_block_device_mapping(std::move(mapping));
  }
  AMI_ASSIGN_OR_RETURN(Image image, b.Build());
  out.decision.AddPermit(R(reasons::kRegisterOwner, {.image = id, .account = c.ctx.account,
                                                      .region = c.ctx.region}));
  out.plan.ids = ids;
  out.plan.put_images.push_back(std::make_shared<const Image>(std::move(image)));
  out.plan.schedule.push_back(
      {view.ImagePending(), {PendingWork::Kind::kImage, id.ToString(), std::nullopt}});
  return out;
}

namespace {

// Everything that makes two CopyImage requests the same request (COPY-17).
std::string Fingerprint(const CopyImageRequest& r) {
  std::string tags;
  for (const TagSpecification& spec : r.tag_specifications) {
    absl::StrAppend(&tags, spec.resource_type, "{");
    for (const auto& [k, v] : spec.tags) {
      absl::StrAppend(&tags, k.size(), ":", k, "=", v.size(), ":", v, ";");
    }
    absl::StrAppend(&tags, "}");
  }
  return absl::StrCat(r.source_image_id, "|", r.source_region, "|", r.name.size(), ":", r.name,
                      "|", r.description.size(), ":", r.description, "|",
                      r.encrypted.has_value() ? (*r.encrypted ? "1" : "0") : "-", "|",
                      r.kms_key_id, "|", r.copy_image_tags, "|", tags);
}

// The copy of one source snapshot, under `key` (COPY-8, COPY-9).
absl::StatusOr<Snapshot> SnapshotCopy(const CopyImageCall& c, const Snapshot& from,
                                      const std::optional<KmsKeyArn>& key, SnapshotId id,
                                      ImageId image, absl::Time now) {
  Snapshot::Builder b;
  b.set_id(id).set_owner(c.ctx.account).set_region(c.ctx.region)
      .set_volume_size_gib(from.volume_size_gib()).set_kms_key(key)
      .set_state(SnapshotState::kPending).set_start_time(now)
      .set_description(absl::StrCat("Copied for DestinationAmi ", image.ToString(),
                                    " from SourceAmi ", c.question.source_image.ToString(),
                                    " for SourceSnapshot ", from.id().ToString()))
      .set_product_codes(from.product_codes()).set_source_snapshot(from.id())
      .set_tags(c.snapshot_tags);
  return std::move(b).Build();
}

// The copy's image before its mappings (COPY-3 … 5), into `b`, which holds the source: what
// is not copied is reset.
absl::Status CopiedImage(const CopyImageCall& c, const Image& source, ImageId id, absl::Time now,
                         Image::Builder& b) {
  TagSet tags;  // COPY-4: the source's own user tags, when asked and the caller owns the source.
  if (c.request.copy_image_tags && source.owner() == c.ctx.account) tags = source.tags().UserTags();
  AMI_ASSIGN_OR_RETURN(tags, tags.With(c.image_tags));
  b.set_id(id).set_name(c.request.name).set_description(c.request.description)
      .set_owner(c.ctx.account).set_owner_alias(OwnerAlias::kNone).set_region(c.ctx.region)
      .set_state(ImageState::kPending).set_state_reason({}).set_creation_time(now)
      .set_launch_permissions({}).set_deprecation_time(std::nullopt)
      .set_deregistration_protection(DeregistrationProtection::kDisabled)
      .set_protection_cooldown_until(std::nullopt).set_last_launched_time(std::nullopt)
      .set_source_image(c.question.source_image, c.question.source_region)
      .set_source_instance(std::nullopt).set_tags(std::move(tags));
  return absl::OkStatus();
}

// The copy's image and snapshots into `out`, drawing ids from `ids`.
absl::Status PlanCopyValues(const PlanView& view, const CopyImageCall& c, const CopyPlan& copy,
                            internal::IdSequence& ids, ImageId id, Plan* out) {
  const Image& source = *view.FindImage(c.question.source_image);
  Image::Builder b = source.ToBuilder();
  AMI_RETURN_IF_ERROR(CopiedImage(c, source, id, view.Now(), b));
  std::vector<BlockDeviceMapping> mappings;
  mappings.reserve(source.block_device_mappings().size());
  size_t next = 0;
  for (BlockDeviceMapping m : source.block_device_mappings()) {
    if (m.ebs.has_value() && m.ebs->snapshot_id.has_value()) {
      const CopyPlan::SnapshotCopy& p = copy.snapshots[next++];
      AMI_ASSIGN_OR_RETURN(Snapshot snap, SnapshotCopy(c, *view.FindSnapshot(p.source), p.key,
                                                       ids.NewSnapshotId(), id, view.Now()));
      m.ebs->snapshot_id = snap.id();
      m.ebs->encrypted = p.key.has_value();
      m.ebs->kms_key = p.key;
      out->put_snapshots.push_back(std::make_shared<const Snapshot>(std::move(snap)));
    }
    mappings.push_back(std::move(m));
  }
  b.set_block_device_mappings(std::move(mappings));
  AMI_ASSIGN_OR_RETURN(Image image, std::move(b).Build());
  out->put_images.push_back(std::make_shared<const Image>(std::move(image)));
  return absl::OkStatus();
}

// COPY-17: the copy a ClientToken made before, or a deny when the request differs.
bool ReplayToken(const PlanView& view, const CopyImageCall& c, const std::string& fingerprint,
                 PlannedCopy* out) {
  if (c.request.client_token.empty()) return false;
  const internal::TokenEntry* used =
      view.FindClientToken({c.ctx.account, c.ctx.region, c.request.client_token});
  if (used == nullptr) return false;
  const ReasonArgs args{.image = used->image, .account = c.ctx.account, .region = c.ctx.region,
                        .text = absl::StrCat("`", c.request.client_token, "`")};
  if (used->fingerprint != fingerprint) {
    out->planned.decision.AddForbid(R(reasons::kTokenMismatch, args));
  } else {
    out->planned.decision.AddPermit(R(reasons::kTokenReplay, args));
    out->existing = used->image;
    out->image = used->image;
  }
  return true;
}

}  // namespace

absl::Status PlanCopyImage(const PlanView& view, const CopyImageCall& c, PlannedCopy* out) {
  if (!c.request.kms_key_id.empty() && !c.request.encrypted.value_or(false)) {
    out->planned.decision.AddForbid(R(reasons::kKeyWithoutEncrypted,
                                     {.account = c.ctx.account, .region = c.ctx.region,
                                      .text = absl::StrCat("`", c.request.kms_key_id, "`")}));
    return absl::OkStatus();
  }
  // Since October 2024 CopyImage authorizes the source image too (IAM-3).
  const auto resources = [&] {
    return CopyIamResources(view, c.ctx, c.question.source_image, c.question.source_region);
  };
  std::optional<Decision> denied =
      IamDenial(view, c.ctx, "ec2:CopyImage", resources, &c.image_tags);
  if (!denied) denied = TagOnCreateDenial(view, c.ctx, "CopyImage", "image", c.image_tags);
  if (!denied) denied = TagOnCreateDenial(view, c.ctx, "CopyImage", "snapshot", c.snapshot_tags);
  if (denied) {
    out->planned.decision = *std::move(denied);
    return absl::OkStatus();
  }
  const std::string fingerprint = Fingerprint(c.request);
  if (ReplayToken(view, c, fingerprint, out)) return absl::OkStatus();
  CopyPlan copy;
  Decision& d = out->planned.decision;
  const std::optional<KeyCaller> who = IamKeyCaller(view, c.ctx);
  d = EvaluateCopyAs(view, c.question, who ? &*who : nullptr, &copy);
  if (!c.unparsed_key.empty() && (d.allowed() || d.denied_later())) {
    // Planned as if unencrypted-to-default; the copy fails later for the unusable key.
    d.AddForbid(R(reasons::kCopyBadKeyId, {.account = c.ctx.account, .region = c.ctx.region,
                                           .text = absl::StrCat("`", c.unparsed_key, "`")},
                  /*async=*/true));
  }
  if (!d.allowed() && !d.denied_later()) return absl::OkStatus();
  internal::IdSequence ids = view.Ids();
  out->image = ids.NewImageId();
  AMI_RETURN_IF_ERROR(PlanCopyValues(view, c, copy, ids, out->image, &out->planned.plan));
  Plan& plan = out->planned.plan;
  plan.ids = ids;
  PendingWork work{PendingWork::Kind::kImage, out->image.ToString(), std::nullopt};
  if (!d.allowed()) work.failure = FailureReason(choices::kCopyFailureCode, d);
  plan.schedule.push_back({view.ImagePending(), std::move(work)});
  if (!c.request.client_token.empty()) {
    plan.client_token = {{c.ctx.account, c.ctx.region, c.request.client_token},
                         {fingerprint, out->image}};
  }
  return absl::OkStatus();
}

namespace {

// What DeregisterImage does to one of the image's snapshots (DEREG-2, COPY-1), into `out`.
void PlanSnapshotRemoval(const PlanView& view, const CallContext& ctx, const Image& image,
                         SnapshotId sid, bool delete_associated, PlannedDeregister* out) {
  const Snapshot* snap = view.FindSnapshot(sid);
  for (const Plan::Deleted& gone : out->planned.plan.extra().delete_snapshots) {
    if (gone.snapshot == sid) snap = nullptr;  // Deleted by an earlier mapping.
  }
  // COPY-1: deregistering a pending image stops its copy, whose snapshots go with it.
  const bool stop_copy = image.state() == ImageState::kPending && snap != nullptr &&
                         snap->state() == SnapshotState::kPending;
  if (!delete_associated && !stop_copy) return;
  const auto& ids = image.snapshot_ids();
  const int own_uses = static_cast<int>(std::count(ids.begin(), ids.end(), sid));
  std::string result;
  if (snap == nullptr) {
    result = "client-error";
  } else if (snap->owner() != ctx.account) {
    result = "missing-permissions";
  } else if (view.ImagesUsingSnapshot(sid) > own_uses) {
    result = "skipped";  // DEREG-2: still used by another image.
  } else {
    result = "success";
    const int days = view.RetentionDays(snap->owner(), snap->region(),
                                        RecycleBinResourceType::kSnapshot, snap->tags());
    out->planned.plan.mutable_extra().delete_snapshots.push_back({sid, days});
  }
  if (delete_associated) out->results.push_back({sid, std::move(result)});
}

}  // namespace

PlannedDeregister PlanDeregisterImage(const PlanView& view, const CallContext& ctx, ImageId id,
                                      bool delete_associated_snapshots, bool by_backup) {
  PlannedDeregister out;
  if (std::optional<Decision> denied = IamDenial(view, ctx, "ec2:DeregisterImage", [&] {
        return std::vector<IamResource>{ImageIamResource(view, ctx, id, ctx.region)};
      })) {
    out.planned.decision = *std::move(denied);
    return out;
  }
  out.planned.decision =
      EvaluateImageOwnerAction(view, ctx.account, ctx.region, id,
                               by_backup ? ImageAction::kDeregisterByBackup : ImageAction::kDeregister);
  if (!out.planned.decision.allowed()) return out;
  const Image& image = *view.FindImage(id);
  Plan& plan = out.planned.plan;
  // DEREG-9, DEREG-10: a retained image enters the Recycle Bin as it was, shares included.
  if ((image.state() == ImageState::kAvailable || image.state() == ImageState::kDisabled) &&
      image.root_device_type() == RootDeviceType::kEbs) {
    const int days = view.RetentionDays(image.owner(), image.region(),
                                        RecycleBinResourceType::kImage, image.tags());
    if (days > 0) plan.mutable_extra().retain_images.push_back({id, days});
  }
  Image::Builder b = image.ToBuilder();
  b.set_state(ImageState::kDeregistered).set_launch_permissions({});
  plan.put_images.push_back(std::make_shared<const Image>(*b.Build()));
  plan.mutable_extra().drop_foreign_tags.push_back({id.ToString(), image.region()});
  for (const SnapshotId sid : image.snapshot_ids()) {
    PlanSnapshotRemoval(view, ctx, image, sid, delete_associated_snapshots, &out);
  }
  return out;
}

Planned PlanDeleteSnapshot(const PlanView& view, const CallContext& ctx, SnapshotId id) {
  Planned out;
  if (std::optional<Decision> denied = IamDenial(view, ctx, "ec2:DeleteSnapshot", [&] {
        return std::vector<IamResource>{SnapshotIamResource(view, ctx, id)};
      })) {
    out.decision = *std::move(denied);
    return out;
  }
  out.decision = EvaluateDeleteSnapshot(view, ctx.account, ctx.region, id);
  if (!out.decision.allowed()) return out;
  const Snapshot& snap = *view.FindSnapshot(id);
  const int days = view.RetentionDays(snap.owner(), snap.region(),
                                      RecycleBinResourceType::kSnapshot, snap.tags());
  out.plan.mutable_extra().delete_snapshots.push_back({id, days});
  return out;
}

}  // namespace ami::policy
