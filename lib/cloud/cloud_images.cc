// RegisterImage, CopyImage, DeregisterImage and DeleteSnapshot (CREATE-17, COPY-*, DEREG-1 … 3,
// SNAP-4, REG-3, REG-4, REG-6).
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ami/cloud.h"
#include "ami/errors.h"
#include "ami/policy.h"
#include "cloud/ops_common.h"
#include "cloud/state.h"
#include "policy/common.h"
#include "values/choices.h"
#include "values/status_macros.h"

namespace ami {

using internal::CloudState;
using internal::PendingWork;

namespace {

// The snapshot a RegisterImage mapping names: in the Region, and readable by the caller.
absl::StatusOr<const Snapshot*> RegistrableSnapshot(const CloudState& s, const CallContext& ctx,
                                                    const RegisterImageMapping& m) {
  if (m.encrypted.has_value()) {
    return MakeError(choices::kInconsistentValues,
                     absl::StrCat("mapping `", m.device_name,
                                  "` is created from a snapshot: omit Encrypted (CREATE-7)"));
  }
  AMI_ASSIGN_OR_RETURN(const SnapshotId id, SnapshotId::Parse(m.snapshot_id));
  const Snapshot* snap = s.FindSnapshot(id);
  if (snap == nullptr || snap->region() != ctx.region ||
      !policy::SnapshotReadableBy(s, *snap, ctx.account)) {
    return MakeError(ErrorCode::kInvalidSnapshotNotFound,
                     absl::StrCat("snapshot `", m.snapshot_id, "` does not exist in ",
                                  ctx.region.code(), " or is not shared with account `",
                                  ctx.account.ToString(), "`"));
  }
  return snap;
}

}  // namespace

absl::StatusOr<ImageId> Cloud::RegisterImage(const CallContext& ctx,
                                             const RegisterImageRequest& request) {
  AMI_RETURN_IF_ERROR(ValidateImageName(request.name));
  AMI_ASSIGN_OR_RETURN(const internal::SpecifiedTags tags,
                       internal::ParseTagSpecifications(request.tag_specifications));
  if (!request.imds_support.empty() && request.imds_support != "v2.0") {
    return MakeError(choices::kInvalidValue, absl::StrCat("invalid imds support `",
                                                          request.imds_support, "`: only v2.0"));
  }
  internal::WriterLock lock(state_->mu);
  CloudState& s = *state_;
  if (const auto used = s.FindImageByName(ctx.account, ctx.region, request.name)) {
    return MakeError(ErrorCode::kInvalidAMINameDuplicate,
                     absl::StrCat("AMI name `", request.name, "` is already in use by AMI `",
                                  used->ToString(), "` (REG-6)"));
  }
  const uint64_t saved = s.next_id;
  Image::Builder b;
  b.set_id(s.NewImageId()).set_name(request.name).set_description(request.description)
      .set_owner(ctx.account).set_region(ctx.region).set_state(ImageState::kPending)
      .set_creation_time(s.now).set_root_device_name(request.root_device_name)
      .set_architecture(request.architecture.value_or(Architecture::kI386))
      .set_virtualization_type(request.virtualization_type.value_or(VirtualizationType::kParavirtual))
      .set_boot_mode(request.boot_mode).set_ena_support(request.ena_support)
      .set_imds_v2_required(request.imds_support == "v2.0")
      .set_consistency(ImageConsistency::kUnknown).set_tags(tags.image);
  for (const RegisterImageMapping& m : request.block_device_mappings) {
    absl::StatusOr<const Snapshot*> snap = RegistrableSnapshot(s, ctx, m);
    if (!snap.ok()) {
      s.next_id = saved;
      return snap.status();
    }
    BlockDeviceMapping mapping = BlockDeviceMapping::FromSnapshot(m.device_name, **snap);
    if (m.volume_size_gib != 0) mapping.ebs->volume_size_gib = m.volume_size_gib;
    mapping.ebs->volume_type = m.volume_type;
    mapping.ebs->delete_on_termination = m.delete_on_termination;
    b.add_block_device_mapping(std::move(mapping));
  }
  absl::StatusOr<Image> image = b.Build();
  if (!image.ok() || ctx.dry_run) {
    s.next_id = saved;
    AMI_RETURN_IF_ERROR(image.status());
    AMI_RETURN_IF_ERROR(internal::DryRunCheck(ctx));
  }
  const ImageId id = image->id();
  s.PutImage(std::make_shared<const Image>(*std::move(image)));
  s.Schedule(s.options.image_pending, {PendingWork::Kind::kImage, id.ToString(), std::nullopt});
  return id;
}

namespace {

// Everything that makes two CopyImage requests the same request (COPY-17).
std::string Fingerprint(const CopyImageRequest& r) {
  std::string tags;
  for (const TagSpecification& spec : r.tag_specifications) {
    absl::StrAppend(&tags, spec.resource_type, "{");
    for (const auto& [k, v] : spec.tags) absl::StrAppend(&tags, k.size(), ":", k, "=", v.size(), ":", v, ";");
    absl::StrAppend(&tags, "}");
  }
  return absl::StrCat(r.source_image_id, "|", r.source_region, "|", r.name.size(), ":", r.name,
                      "|", r.description.size(), ":", r.description, "|",
                      r.encrypted.has_value() ? (*r.encrypted ? "1" : "0") : "-", "|",
                      r.kms_key_id, "|", r.copy_image_tags, "|", tags);
}

// The copy's tags: the source's own user tags when asked and the caller owns the source (COPY-4),
// then the request's image tags.
absl::StatusOr<TagSet> CopyTags(const Image& source, const CopyImageRequest& r, AccountId caller,
                                const TagSet& specified) {
  TagSet base;
  if (r.copy_image_tags && source.owner() == caller) base = source.tags().UserTags();
  return base.With(specified);
}

}  // namespace

absl::StatusOr<ImageId> Cloud::CopyImage(const CallContext& ctx, const CopyImageRequest& request) {
  AMI_ASSIGN_OR_RETURN(const Region source_region, Region::Parse(request.source_region));
  AMI_ASSIGN_OR_RETURN(const ImageId source_id, ImageId::Parse(request.source_image_id));
  AMI_ASSIGN_OR_RETURN(const internal::SpecifiedTags tags,
                       internal::ParseTagSpecifications(request.tag_specifications));
  if (!request.kms_key_id.empty() && !request.encrypted.value_or(false)) {
    return MakeError(choices::kKeyWithoutEncrypted,
                     absl::StrCat("a kms key `", request.kms_key_id,
                                  "` was given without Encrypted=true (KMS-12)"));
  }
  policy::CopyQuestion q{ctx.account, ctx.region, source_region, source_id, request.name,
                         request.encrypted, std::nullopt};
  std::string unparsed_key;
  if (!request.kms_key_id.empty()) {
    absl::StatusOr<KmsKeyRef> ref = KmsKeyRef::Parse(request.kms_key_id);
    if (ref.ok()) {
      q.kms_key = *ref;
    } else {
      unparsed_key = request.kms_key_id;  // KMS-11: a bad key id fails the copy later.
    }
  }
  internal::WriterLock lock(state_->mu);
  CloudState& s = *state_;
  const auto token_slot = std::make_tuple(ctx.account, ctx.region, request.client_token);
  const std::string fingerprint = Fingerprint(request);
  if (!request.client_token.empty()) {
    if (auto it = s.client_tokens.find(token_slot); it != s.client_tokens.end()) {
      if (it->second.fingerprint != fingerprint) {
        return MakeError(ErrorCode::kIdempotentParameterMismatch,
                         absl::StrCat("client token `", request.client_token,
                                      "` was used with different parameters (COPY-17)"));
      }
      AMI_RETURN_IF_ERROR(internal::DryRunCheck(ctx));
      return it->second.image;
    }
  }
  policy::CopyPlan plan;
  Decision d = policy::EvaluateCopy(s, q, &plan);
  if (!unparsed_key.empty() && (d.allowed() || d.denied_later())) {
    // Evaluate as if unencrypted-to-default, then fail later for the unusable key.
    ReasonArgs args{.account = ctx.account, .region = ctx.region, .text = absl::StrCat("`", unparsed_key, "`")};
    static constexpr ReasonTemplate kBadKey{
        "KMS-11", ErrorCode::kCustomerKeyHasBeenRevoked,
        "the copy would fail after the call: kms key {text} is not a valid key identifier"};
    d.AddForbid(Reason{&kBadKey, std::move(args), /*async=*/true});
  }
  AMI_RETURN_IF_ERROR(internal::Gate(d, ctx, /*allow_later=*/true));
  const Image& source = *s.FindImage(source_id);
  AMI_ASSIGN_OR_RETURN(const TagSet image_tags, CopyTags(source, request, ctx.account, tags.image));
  const uint64_t saved = s.next_id;
  const ImageId id = s.NewImageId();
  Image::Builder b = source.ToBuilder();
  b.set_id(id).set_name(request.name).set_description(request.description).set_owner(ctx.account)
      .set_owner_alias(OwnerAlias::kNone).set_region(ctx.region).set_state(ImageState::kPending)
      .set_state_reason({}).set_creation_time(s.now).set_launch_permissions({})
      .set_deprecation_time(std::nullopt)
      .set_deregistration_protection(DeregistrationProtection::kDisabled)
      .set_protection_cooldown_until(std::nullopt).set_last_launched_time(std::nullopt)
      .set_source_image(source_id, source_region).set_source_instance(std::nullopt)
      .set_tags(image_tags);
  std::vector<BlockDeviceMapping> mappings;
  std::vector<std::shared_ptr<const Snapshot>> snapshots;
  size_t next_plan = 0;
  for (BlockDeviceMapping m : source.block_device_mappings()) {
    if (m.ebs.has_value() && m.ebs->snapshot_id.has_value()) {
      const policy::CopyPlan::SnapshotCopy& p = plan.snapshots[next_plan++];
      const Snapshot& from = *s.FindSnapshot(p.source);
      absl::StatusOr<Snapshot> copy =
          Snapshot::Builder().set_id(s.NewSnapshotId()).set_owner(ctx.account).set_region(ctx.region)
              .set_volume_size_gib(from.volume_size_gib()).set_kms_key(p.key)
              .set_state(SnapshotState::kPending).set_start_time(s.now)
              .set_description(absl::StrCat("Copied for DestinationAmi ", id.ToString(), " from SourceAmi ",
                                            source_id.ToString(), " for SourceSnapshot ",
                                            from.id().ToString()))
              .set_product_codes(from.product_codes()).set_source_snapshot(from.id())
              .set_tags(tags.snapshot).Build();
      if (!copy.ok()) {
        s.next_id = saved;
        return copy.status();
      }
      m.ebs->snapshot_id = copy->id();
      m.ebs->encrypted = p.key.has_value();
      m.ebs->kms_key = p.key;
      snapshots.push_back(std::make_shared<const Snapshot>(*std::move(copy)));
    }
    mappings.push_back(std::move(m));
  }
  b.set_block_device_mappings(std::move(mappings));
  absl::StatusOr<Image> image = b.Build();
  if (!image.ok()) {
    s.next_id = saved;
    return image.status();
  }
  for (auto& snap : snapshots) s.PutSnapshot(std::move(snap));
  s.PutImage(std::make_shared<const Image>(*std::move(image)));
  PendingWork work{PendingWork::Kind::kImage, id.ToString(), std::nullopt};
  if (!d.allowed()) work.failure = internal::FailureReason(choices::kCopyFailureCode, d);
  s.Schedule(s.options.image_pending, std::move(work));
  if (!request.client_token.empty()) s.client_tokens[token_slot] = {fingerprint, id};
  return id;
}

absl::StatusOr<std::vector<DeleteSnapshotResult>> Cloud::DeregisterImage(
    const CallContext& ctx, const std::string& image_id, bool delete_associated_snapshots) {
  AMI_ASSIGN_OR_RETURN(const ImageId id, ImageId::Parse(image_id));
  internal::WriterLock lock(state_->mu);
  CloudState& s = *state_;
  const Decision d =
      policy::EvaluateImageOwnerAction(s, ctx.account, ctx.region, id, policy::ImageAction::kDeregister);
  AMI_RETURN_IF_ERROR(internal::Gate(d, ctx));
  const Image& image = *s.FindImage(id);
  const std::vector<SnapshotId> snapshot_ids = image.snapshot_ids();
  const bool was_pending = image.state() == ImageState::kPending;
  const Region region = image.region();  // `image` dies with PutImage below.
  // DEREG-9, DEREG-10: a retained image enters the Recycle Bin as it was, shares included.
  if (image.state() == ImageState::kAvailable || image.state() == ImageState::kDisabled) {
    internal::RetainImage(s, s.images.find(id)->second);
  }
  Image::Builder b = image.ToBuilder();
  b.set_state(ImageState::kDeregistered).set_launch_permissions({});
  s.PutImage(std::make_shared<const Image>(*b.Build()));
  s.ReleaseCreateImage(*s.FindImage(id));
  s.DropForeignTags(image_id, region);
  std::vector<DeleteSnapshotResult> results;
  for (const SnapshotId sid : snapshot_ids) {
    const Snapshot* snap = s.FindSnapshot(sid);
    // COPY-1: deregistering a pending image stops its copy, whose snapshots go with it.
    const bool delete_it = delete_associated_snapshots || (was_pending && snap != nullptr &&
                                                           snap->state() == SnapshotState::kPending);
    if (!delete_it) continue;
    if (snap == nullptr) {
      results.push_back({sid, "client-error"});
    } else if (snap->owner() != ctx.account) {
      results.push_back({sid, "missing-permissions"});
    } else if (s.ImagesUsingSnapshot(sid) > 0) {
      results.push_back({sid, "skipped"});  // DEREG-2: still used by another image.
    } else {
      internal::DeleteOrRetainSnapshot(s, sid);
      results.push_back({sid, "success"});
    }
  }
  if (!delete_associated_snapshots) results.clear();
  return results;
}

absl::Status Cloud::DeleteSnapshot(const CallContext& ctx, const std::string& snapshot_id) {
  AMI_ASSIGN_OR_RETURN(const SnapshotId id, SnapshotId::Parse(snapshot_id));
  internal::WriterLock lock(state_->mu);
  CloudState& s = *state_;
  AMI_RETURN_IF_ERROR(internal::Gate(policy::EvaluateDeleteSnapshot(s, ctx.account, ctx.region, id), ctx));
  internal::DeleteOrRetainSnapshot(s, id);
  return absl::OkStatus();
}

}  // namespace ami
