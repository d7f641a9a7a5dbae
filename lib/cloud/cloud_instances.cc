// RunInstances, Stop/Start/TerminateInstances and CreateImage (LAUNCH-*, CREATE-*, REG-5, REG-7).
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "ami/cloud.h"
#include "ami/errors.h"
#include "ami/policy.h"
#include "cloud/ops_common.h"
#include "cloud/state.h"
#include "values/choices.h"
#include "values/status_macros.h"

namespace ami {

using internal::CloudState;
using internal::PendingWork;

absl::StatusOr<std::vector<InstanceId>> Cloud::RunInstances(const CallContext& ctx,
                                                            const RunInstancesRequest& request) {
  if (request.image_id.empty()) {
    return MakeError(ErrorCode::kMissingParameter, "RunInstances needs an image id (LAUNCH-1)");
  }
  AMI_ASSIGN_OR_RETURN(const ImageId image_id, ImageId::Parse(request.image_id));
  AMI_RETURN_IF_ERROR(ValidateInstanceType(request.instance_type));
  if (request.count < 1 || request.count > 1000) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat("instance count ", request.count, " is outside 1 to 1000"));
  }
  AvailabilityZone zone = ctx.region.zones().front();
  if (!request.availability_zone.empty()) {
    AMI_ASSIGN_OR_RETURN(zone, AvailabilityZone::Parse(request.availability_zone));
    if (zone.region() != ctx.region) {
      return MakeError(choices::kInvalidValue,
                       absl::StrCat("availability zone `", zone.ToString(), "` is not in ",
                                    ctx.region.code(), " (REG-5)"));
    }
  }
  policy::LaunchQuestion q{ctx.account, ctx.region, image_id, request.encrypted, std::nullopt};
  if (!request.kms_key_id.empty()) {
    AMI_ASSIGN_OR_RETURN(KmsKeyRef ref, KmsKeyRef::Parse(request.kms_key_id));
    q.kms_key = std::move(ref);
  }
  AMI_ASSIGN_OR_RETURN(const TagSet tags, internal::UserTags(request.tags));
  internal::WriterLock lock(state_->mu);
  CloudState& s = *state_;
  std::vector<policy::VolumePlan> plan;
  const Decision d = policy::EvaluateLaunch(s, q, &plan);
  AMI_RETURN_IF_ERROR(internal::Gate(d, ctx, /*allow_later=*/true));
  const Image& image = *s.FindImage(image_id);
  // Build every instance first, then commit them all: a rejected call changes nothing.
  const uint64_t saved = s.next_id;
  std::vector<Instance> launched_instances;
  for (int n = 0; n < request.count; ++n) {
    Instance::Builder b;
    b.set_id(s.NewInstanceId())
        .set_owner(ctx.account)
        .set_availability_zone(zone)
        .set_image_id(image_id)
        .set_state(InstanceState::kPending)
        .set_instance_type(request.instance_type)
        .set_root_device_type(image.root_device_type())
        .set_root_device_name(image.root_device_name())
        .set_architecture(image.architecture())
        .set_product_codes(image.product_codes())
        .set_platform_details(image.platform_details())
        .set_imds_v2_required(image.imds_v2_required())
        .set_launch_time(s.now)
        .set_tags(tags);
    // An instance that will fail (LAUNCH-9) never gets its volumes.
    for (const policy::VolumePlan& v : d.allowed() ? plan : std::vector<policy::VolumePlan>()) {
      b.add_volume(AttachedVolume{v.device_name, s.NewVolumeId(), v.size_gib,
                                  v.delete_on_termination, v.key, v.snapshot});
    }
    absl::StatusOr<Instance> instance = b.Build();
    if (!instance.ok()) {
      s.next_id = saved;
      return instance.status();
    }
    launched_instances.push_back(*std::move(instance));
  }
  std::vector<InstanceId> ids;
  for (Instance& instance : launched_instances) {
    ids.push_back(instance.id());
    PendingWork work{PendingWork::Kind::kInstance, instance.id().ToString(), std::nullopt};
    if (!d.allowed()) {
      work.failure = internal::FailureReason(choices::kLaunchFailureCode, d);
      work.failure->message = absl::StrCat("Client.InternalError: Client error on launch: ",
                                           work.failure->message);
    }
    s.PutInstance(std::move(instance));
    s.Schedule(s.options.instance_pending, std::move(work));
  }
  Image::Builder launched = image.ToBuilder();
  launched.set_last_launched_time(s.now);
  s.PutImage(std::make_shared<const Image>(*launched.Build()));
  return ids;
}

namespace {

// The caller's instances named in `ids`, all checked before any changes (atomicity).
absl::StatusOr<std::vector<const Instance*>> OwnInstances(const CloudState& s, const CallContext& ctx,
                                                          const std::vector<std::string>& ids) {
  std::vector<const Instance*> out;
  for (const std::string& text : ids) {
    AMI_ASSIGN_OR_RETURN(const InstanceId id, InstanceId::Parse(text));
    const Instance* instance = s.FindInstance(id);
    if (instance == nullptr || instance->owner() != ctx.account || instance->region() != ctx.region) {
      return MakeError(ErrorCode::kInvalidInstanceIDNotFound,
                       absl::StrCat("instance `", text, "` does not exist in ", ctx.region.code()));
    }
    out.push_back(instance);
  }
  if (out.empty()) return MakeError(ErrorCode::kMissingParameter, "no instance ids were given");
  return out;
}

absl::Status WrongState(const Instance& instance, absl::string_view action) {
  return MakeError(ErrorCode::kIncorrectInstanceState,
                   absl::StrCat("instance `", instance.id().ToString(), "` is ",
                                ToString(instance.state()), " and cannot be ", action));
}

// Applies `next` to each instance after all were checked by `check`.
template <typename Check, typename Next>
absl::Status Transition(CloudState& s, const CallContext& ctx, const std::vector<std::string>& ids,
                        Check check, Next next) {
  AMI_ASSIGN_OR_RETURN(const std::vector<const Instance*> instances, OwnInstances(s, ctx, ids));
  for (const Instance* instance : instances) AMI_RETURN_IF_ERROR(check(*instance));
  AMI_RETURN_IF_ERROR(internal::DryRunCheck(ctx));
  std::vector<Instance> updated;
  for (const Instance* instance : instances) {
    Instance::Builder b = instance->ToBuilder();
    next(*instance, b);
    updated.push_back(*std::move(b).Build());
  }
  for (Instance& instance : updated) s.PutInstance(std::move(instance));
  return absl::OkStatus();
}

}  // namespace

absl::Status Cloud::StopInstances(const CallContext& ctx, const std::vector<std::string>& ids) {
  internal::WriterLock lock(state_->mu);
  return Transition(
      *state_, ctx, ids,
      [](const Instance& i) -> absl::Status {
        if (i.root_device_type() == RootDeviceType::kInstanceStore) {
          return MakeError(ErrorCode::kUnsupportedOperation,
                           absl::StrCat("instance `", i.id().ToString(),
                                        "` is instance-store backed and cannot be stopped"));
        }
        const InstanceState st = i.state();
        if (st == InstanceState::kRunning || st == InstanceState::kStopping ||
            st == InstanceState::kStopped) {
          return absl::OkStatus();
        }
        return WrongState(i, "stopped");
      },
      [](const Instance&, Instance::Builder& b) { b.set_state(InstanceState::kStopped); });
}

absl::Status Cloud::StartInstances(const CallContext& ctx, const std::vector<std::string>& ids) {
  internal::WriterLock lock(state_->mu);
  CloudState& s = *state_;
  std::vector<InstanceId> started;
  AMI_RETURN_IF_ERROR(Transition(
      s, ctx, ids,
      [](const Instance& i) -> absl::Status {
        const InstanceState st = i.state();
        if (st == InstanceState::kStopped || st == InstanceState::kRunning ||
            st == InstanceState::kPending) {
          return absl::OkStatus();
        }
        return WrongState(i, "started");
      },
      [&started](const Instance& i, Instance::Builder& b) {
        if (i.state() == InstanceState::kStopped) {
          b.set_state(InstanceState::kPending);
          started.push_back(i.id());
        }
      }));
  for (const InstanceId id : started) {
    s.Schedule(s.options.instance_pending, {PendingWork::Kind::kInstance, id.ToString(), std::nullopt});
  }
  return absl::OkStatus();
}

absl::Status Cloud::TerminateInstances(const CallContext& ctx, const std::vector<std::string>& ids) {
  internal::WriterLock lock(state_->mu);
  return Transition(
      *state_, ctx, ids, [](const Instance&) { return absl::OkStatus(); },
      [](const Instance& i, Instance::Builder& b) {
        std::vector<AttachedVolume> kept;
        for (const AttachedVolume& v : i.volumes()) {
          if (!v.delete_on_termination) kept.push_back(v);
        }
        b.set_state(InstanceState::kTerminated).set_volumes(std::move(kept));
      });
}

namespace {

// CREATE-6, CREATE-7: what CreateImage's BlockDeviceMappings may change.
absl::StatusOr<absl::flat_hash_map<std::string, CreateImageMapping>> MappingOverrides(
    const Instance& instance, const std::vector<CreateImageMapping>& mappings) {
  absl::flat_hash_map<std::string, CreateImageMapping> out;
  const std::vector<AttachedVolume> volumes = instance.volumes();
  for (const CreateImageMapping& m : mappings) {
    const AttachedVolume* volume = nullptr;
    for (const AttachedVolume& v : volumes) {
      if (v.device_name == m.device_name) volume = &v;
    }
    if (volume == nullptr) {
      if (m.virtual_name.empty() && !m.volume_size_gib.has_value()) {
        return MakeError(choices::kInvalidValue,
                         absl::StrCat("device `", m.device_name, "` is not attached to instance `",
                                      instance.id().ToString(),
                                      "`: a new mapping needs a volume size or a virtual name"));
      }
      out[m.device_name] = m;
      continue;
    }
    if (m.volume_size_gib.has_value() && *m.volume_size_gib != volume->volume_size_gib) {
      return MakeError(choices::kInvalidValue,
                       absl::StrCat("the size of existing volume `", m.device_name,
                                    "` cannot be changed by CreateImage (CREATE-6)"));
    }
    if (m.encrypted.value_or(false) && !volume->encrypted()) {
      return MakeError(choices::kInvalidValue,
                       absl::StrCat("volume `", m.device_name, "` is unencrypted: Encrypted may "
                                    "only be false; copy the image to encrypt it (CREATE-7)"));
    }
    out[m.device_name] = m;
  }
  return out;
}

}  // namespace

absl::StatusOr<ImageId> Cloud::CreateImage(const CallContext& ctx, const CreateImageRequest& request) {
  AMI_ASSIGN_OR_RETURN(const InstanceId instance_id, InstanceId::Parse(request.instance_id));
  AMI_ASSIGN_OR_RETURN(const internal::SpecifiedTags tags,
                       internal::ParseTagSpecifications(request.tag_specifications));
  internal::WriterLock lock(state_->mu);
  CloudState& s = *state_;
  ImageConsistency consistency = ImageConsistency::kUnknown;
  const Decision d = policy::EvaluateCreateImage(
      s, {ctx.account, ctx.region, instance_id, request.name, request.no_reboot}, &consistency);
  if (!d.allowed()) return d.ToStatus();
  const Instance& instance = *s.FindInstance(instance_id);
  if (request.no_reboot && s.creating_from.contains(instance_id)) {
    return MakeError(ErrorCode::kConcurrentCreateImageNoRebootLimitExceeded,
                     absl::StrCat("a NoReboot CreateImage of instance `", request.instance_id,
                                  "` is still in progress (CREATE-15)"));
  }
  AMI_ASSIGN_OR_RETURN(const auto overrides, MappingOverrides(instance, request.block_device_mappings));
  const uint64_t saved = s.next_id;
  const ImageId image_id = s.NewImageId();
  const std::string description =
      absl::StrCat("Created by CreateImage(", request.instance_id, ") for ", image_id.ToString());
  Image::Builder ib;
  ib.set_id(image_id).set_name(request.name).set_description(request.description)
      .set_owner(ctx.account).set_region(ctx.region).set_state(ImageState::kPending)
      .set_creation_time(s.now).set_root_device_type(RootDeviceType::kEbs)
      .set_root_device_name(instance.root_device_name()).set_architecture(instance.architecture())
      .set_product_codes(instance.product_codes()).set_platform_details(instance.platform_details())
      .set_imds_v2_required(instance.imds_v2_required()).set_source_instance(instance_id)
      .set_consistency(consistency).set_tags(tags.image);
  std::vector<std::shared_ptr<const Snapshot>> snapshots;
  const std::vector<AttachedVolume> volumes = instance.volumes();
  for (const AttachedVolume& v : volumes) {
    absl::StatusOr<Snapshot> snap = Snapshot::Builder()
                                        .set_id(s.NewSnapshotId())
                                        .set_owner(ctx.account)
                                        .set_region(ctx.region)
                                        .set_volume_size_gib(v.volume_size_gib == 0 ? 8 : v.volume_size_gib)
                                        .set_kms_key(v.kms_key)
                                        .set_state(SnapshotState::kPending)
                                        .set_description(description)
                                        .set_start_time(s.now)
                                        .set_volume_id(v.volume_id)
                                        .set_product_codes(instance.product_codes())
                                        .set_tags(tags.snapshot)
                                        .Build();
    if (!snap.ok()) {
      s.next_id = saved;
      return snap.status();
    }
    BlockDeviceMapping m = BlockDeviceMapping::FromSnapshot(v.device_name, *snap);
    m.ebs->delete_on_termination = v.delete_on_termination;
    if (auto it = overrides.find(v.device_name); it != overrides.end()) {
      m.ebs->delete_on_termination = it->second.delete_on_termination.value_or(v.delete_on_termination);
    }
    ib.add_block_device_mapping(std::move(m));
    snapshots.push_back(std::make_shared<const Snapshot>(*std::move(snap)));
  }
  // CREATE-5: new empty EBS volumes and instance-store volumes (not captured, only mapped).
  for (const CreateImageMapping& m : request.block_device_mappings) {
    bool attached = false;
    for (const AttachedVolume& v : volumes) attached |= v.device_name == m.device_name;
    if (attached) continue;
    BlockDeviceMapping added;
    added.device_name = m.device_name;
    if (!m.virtual_name.empty()) {
      added.virtual_name = m.virtual_name;
    } else {
      EbsBlockDevice ebs;
      ebs.volume_size_gib = *m.volume_size_gib;
      ebs.encrypted = m.encrypted.value_or(false);
      ebs.delete_on_termination = m.delete_on_termination.value_or(true);
      added.ebs = ebs;
    }
    ib.add_block_device_mapping(std::move(added));
  }
  absl::StatusOr<Image> image = ib.Build();
  if (!image.ok() || ctx.dry_run) {
    s.next_id = saved;
    AMI_RETURN_IF_ERROR(image.status());
    AMI_RETURN_IF_ERROR(internal::DryRunCheck(ctx));
  }
  for (auto& snap : snapshots) s.PutSnapshot(std::move(snap));
  s.PutImage(std::make_shared<const Image>(*std::move(image)));
  if (request.no_reboot) s.creating_from.insert_or_assign(instance_id, image_id);
  s.Schedule(s.options.image_pending, {PendingWork::Kind::kImage, image_id.ToString(), std::nullopt});
  return image_id;
}

}  // namespace ami
