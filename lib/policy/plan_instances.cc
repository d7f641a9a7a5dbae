// Plans of RunInstances, Stop/Start/TerminateInstances and CreateImage (LAUNCH-*, CREATE-*,
// REG-5, REG-7).
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
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

// One instance RunInstances launches from `image`; volumes only when the launch will succeed.
absl::StatusOr<Instance> LaunchedInstance(const RunInstancesCall& c, const Image& image,
                                          const std::vector<VolumePlan>& volumes,
                                          internal::IdSequence& ids, absl::Time now) {
  Instance::Builder b;
  b.set_id(ids.NewInstanceId()).set_owner(c.ctx.account).set_availability_zone(c.zone)
      .set_image_id(image.id()).set_state(InstanceState::kPending)
      .set_instance_type(c.instance_type).set_root_device_type(image.root_device_type())
      .set_root_device_name(image.root_device_name()).set_architecture(image.architecture())
      .set_product_codes(image.product_codes()).set_platform(image.platform())
      .set_platform_details(image.platform_details())
      .set_imds_v2_required(image.imds_v2_required()).set_launch_time(now).set_tags(c.tags);
  for (const VolumePlan& v : volumes) {
    b.add_volume(AttachedVolume{v.device_name, ids.NewVolumeId(), v.size_gib,
                                v.delete_on_termination, v.key, v.snapshot});
  }
  return b.Build();
}

}  // namespace

absl::StatusOr<Planned> PlanRunInstances(const PlanView& view, const RunInstancesCall& c) {
  Planned out;
  if (std::optional<Decision> denied = IamDenial(
          view, c.ctx, "ec2:RunInstances",
          [&] { return LaunchIamResources(view, c.ctx, c.question.image, &c.instance_type); },
          &c.tags)) {
    out.decision = *std::move(denied);
    return out;
  }
  if (std::optional<Decision> denied =
          TagOnCreateDenial(view, c.ctx, "RunInstances", "instance", c.tags)) {
    out.decision = *std::move(denied);
    return out;
  }
  std::vector<VolumePlan> volumes;
  const std::optional<KeyCaller> who = IamKeyCaller(view, c.ctx);
  out.decision = EvaluateLaunchAs(view, c.question, who ? &*who : nullptr, &volumes);
  const Decision& d = out.decision;
  if (!d.allowed() && !d.denied_later()) return out;
  if (!d.allowed()) volumes.clear();  // An instance that will fail never gets its volumes (LAUNCH-9).
  const Image& image = *view.FindImage(c.question.image);
  internal::IdSequence ids = view.Ids();
  Plan& plan = out.plan;
  for (int n = 0; n < c.count; ++n) {
    AMI_ASSIGN_OR_RETURN(Instance instance, LaunchedInstance(c, image, volumes, ids, view.Now()));
    PendingWork work{PendingWork::Kind::kInstance, instance.id().ToString(), std::nullopt};
    if (!d.allowed()) {
      work.failure = FailureReason(choices::kLaunchFailureCode, d);
      work.failure->message =
          absl::StrCat("Client.InternalError: Client error on launch: ", work.failure->message);
    }
    plan.put_instances.push_back(std::move(instance));
    plan.schedule.push_back({view.InstancePending(), std::move(work)});
  }
  Image::Builder launched = image.ToBuilder();
  launched.set_last_launched_time(view.Now());
  AMI_ASSIGN_OR_RETURN(Image updated, launched.Build());
  plan.put_images.push_back(std::make_shared<const Image>(std::move(updated)));
  plan.ids = ids;
  return out;
}

namespace {

// May `action` apply to `instance` in its state? Forbids into `d` when not.
void CheckInstanceAction(const Instance& i, InstanceAction action, Decision* d) {
  const InstanceState st = i.state();
  const ReasonArgs args{.instance = i.id(), .region = i.region(),
                        .text = std::string(ToString(st))};
  switch (action) {
    case InstanceAction::kStop:
      if (i.root_device_type() == RootDeviceType::kInstanceStore) {
        d->AddForbid(R(reasons::kInstanceStoreStop, args));
      } else if (st != InstanceState::kRunning && st != InstanceState::kStopping &&
                 st != InstanceState::kStopped) {
        d->AddForbid(R(reasons::kCannotStop, args));
      }
      return;
    case InstanceAction::kStart:
      if (st != InstanceState::kStopped && st != InstanceState::kRunning &&
          st != InstanceState::kPending) {
        d->AddForbid(R(reasons::kCannotStart, args));
      }
      return;
    case InstanceAction::kTerminate:
      return;
  }
}

// The instance after `action`; `started` when it was stopped and now starts.
Instance AfterAction(const Instance& i, InstanceAction action, bool* started) {
  Instance::Builder b = i.ToBuilder();
  *started = false;
  if (action == InstanceAction::kStop) {
    b.set_state(InstanceState::kStopped);
  } else if (action == InstanceAction::kStart) {
    if (i.state() == InstanceState::kStopped) {
      b.set_state(InstanceState::kPending);
      *started = true;
    }
  } else {
    std::vector<AttachedVolume> kept;
    for (const AttachedVolume& v : i.volumes()) {
      if (!v.delete_on_termination) kept.push_back(v);
    }
    b.set_state(InstanceState::kTerminated).set_volumes(std::move(kept));
  }
  return *std::move(b).Build();
}

}  // namespace

absl::StatusOr<Planned> PlanInstanceAction(const PlanView& view, const CallContext& ctx,
                                           const std::vector<InstanceId>& ids,
                                           InstanceAction action) {
  Planned out;
  const char* const name = action == InstanceAction::kStop    ? "ec2:StopInstances"
                           : action == InstanceAction::kStart ? "ec2:StartInstances"
                                                              : "ec2:TerminateInstances";
  if (std::optional<Decision> denied = IamDenial(view, ctx, name, [&] {
        std::vector<IamResource> resources;
        for (const InstanceId id : ids) resources.push_back(InstanceIamResource(view, ctx, id));
        return resources;
      })) {
    out.decision = *std::move(denied);
    return out;
  }
  std::vector<const Instance*> instances;
  for (const InstanceId id : ids) {
    const Instance* instance = view.FindInstance(id);
    if (instance == nullptr || instance->owner() != ctx.account || instance->region() != ctx.region) {
      out.decision.AddForbid(R(reasons::kInstanceNotFound, {.instance = id, .region = ctx.region}));
      return out;
    }
    instances.push_back(instance);
  }
  for (const Instance* instance : instances) {
    CheckInstanceAction(*instance, action, &out.decision);
    if (!out.decision.reasons().empty()) return out;  // Only forbids are added here.
  }
  out.decision.AddPermit(R(reasons::kInstanceOwner, {.account = ctx.account, .region = ctx.region}));
  for (const Instance* instance : instances) {
    bool started = false;
    out.plan.put_instances.push_back(AfterAction(*instance, action, &started));
    if (started) {
      out.plan.schedule.push_back({view.InstancePending(),
                                   {PendingWork::Kind::kInstance, instance->id().ToString(), std::nullopt}});
    }
  }
  return out;
}

namespace {

// CREATE-6, CREATE-7: what CreateImage's BlockDeviceMappings may change; forbids into `d`.
absl::flat_hash_map<std::string, CreateImageMapping> MappingOverrides(
    const Instance& instance, const std::vector<CreateImageMapping>& mappings, Decision* d) {
  absl::flat_hash_map<std::string, CreateImageMapping> out;
  const std::vector<AttachedVolume> volumes = instance.volumes();
  for (const CreateImageMapping& m : mappings) {
    const AttachedVolume* volume = nullptr;
    for (const AttachedVolume& v : volumes) {
      if (v.device_name == m.device_name) volume = &v;
    }
    ReasonArgs args{.instance = instance.id(), .text = absl::StrCat("`", m.device_name, "`")};
    if (volume == nullptr) {
      if (m.virtual_name.empty() && !m.volume_size_gib.has_value()) {
        d->AddForbid(R(reasons::kNewMappingNeedsSize, std::move(args)));
      }
    } else if (m.volume_size_gib.has_value() && *m.volume_size_gib != volume->volume_size_gib) {
      d->AddForbid(R(reasons::kMappingSizeChange, std::move(args)));
    } else if (m.encrypted.value_or(false) && !volume->encrypted()) {
      d->AddForbid(R(reasons::kMappingEncrypt, std::move(args)));
    }
    out[m.device_name] = m;
  }
  return out;
}

// The new image before its mappings (CREATE-4, CREATE-9; the platform follows the instance).
Image::Builder CreatedImage(const CreateImageCall& c, const Instance& instance, ImageId id,
                            ImageConsistency consistency, absl::Time now) {
  Image::Builder b;
  b.set_id(id).set_name(c.request.name).set_description(c.request.description)
      .set_owner(c.ctx.account).set_region(c.ctx.region).set_state(ImageState::kPending)
      .set_creation_time(now).set_root_device_type(RootDeviceType::kEbs)
      .set_root_device_name(instance.root_device_name()).set_architecture(instance.architecture())
      .set_product_codes(instance.product_codes()).set_platform(instance.platform())
      .set_platform_details(instance.platform_details())
      .set_imds_v2_required(instance.imds_v2_required()).set_source_instance(instance.id())
      .set_consistency(consistency);
  return b;
}

// The call's user tags and service tags apart: the user's carry no aws: key, the service's only
// aws: keys. InvalidParameterValue otherwise.
absl::Status CheckTagOrigins(const CreateImageCall& c) {
  for (const TagSet* user : {&c.image_tags, &c.snapshot_tags}) {
    for (const Tag& tag : *user) {
      if (tag.is_system()) {
        return MakeError(choices::kInvalidTag, absl::StrCat("tag key `", tag.key(),
                                                            "` is reserved: keys starting with "
                                                            "aws: are for aws use"));
      }
    }
  }
  for (const Tag& tag : c.service_tags) {
    if (!tag.is_system()) {
      return MakeError(choices::kInvalidTag,
                       absl::StrCat("service tag key `", tag.key(), "` does not start with aws:"));
    }
  }
  return absl::OkStatus();
}

// CREATE-3: one snapshot per attached EBS volume, tagged `tags`, mapped as it is attached.
absl::Status PlanVolumeSnapshots(const CreateImageCall& c, const Instance& instance, ImageId id,
                                 const absl::flat_hash_map<std::string, CreateImageMapping>& overrides,
                                 const TagSet& tags, internal::IdSequence& ids, absl::Time now,
                                 Image::Builder& ib, Plan* plan) {
  const std::string description =
      absl::StrCat("Created by CreateImage(", c.request.instance_id, ") for ", id.ToString());
  for (const AttachedVolume& v : instance.volumes()) {
    AMI_ASSIGN_OR_RETURN(Snapshot snap,
                         Snapshot::Builder().set_id(ids.NewSnapshotId()).set_owner(c.ctx.account)
                             .set_region(c.ctx.region)
                             .set_volume_size_gib(v.volume_size_gib == 0 ? 8 : v.volume_size_gib)
                             .set_kms_key(v.kms_key).set_state(SnapshotState::kPending)
                             .set_description(description).set_start_time(now)
                             .set_volume_id(v.volume_id).set_product_codes(instance.product_codes())
                             .set_tags(tags).Build());
    BlockDeviceMapping m = BlockDeviceMapping::FromSnapshot(v.device_name, snap);
    m.ebs->delete_on_termination = v.delete_on_termination;
    if (auto it = overrides.find(v.device_name); it != overrides.end()) {
      m.ebs->delete_on_termination = it->second.delete_on_termination.value_or(v.delete_on_termination);
    }
    ib.add_block_device_mapping(std::move(m));
    plan->put_snapshots.push_back(std::make_shared<const Snapshot>(std::move(snap)));
  }
  return absl::OkStatus();
}

// CREATE-5: new empty EBS volumes and instance-store volumes (not captured, only mapped).
void AddNewMappings(const CreateImageCall& c, const Instance& instance, Image::Builder& ib) {
  const std::vector<AttachedVolume> volumes = instance.volumes();
  for (const CreateImageMapping& m : c.request.block_device_mappings) {
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
}

// CREATE-4: the instance after a CreateImage that reboots it (running, NoReboot unset): one more
// reboot, now (the count stops at its largest value). Running again when the call returns.
absl::StatusOr<std::optional<Instance>> Rebooted(const Instance& instance, bool no_reboot,
                                                 absl::Time now) {
  if (no_reboot || instance.state() != InstanceState::kRunning) return std::nullopt;
  const uint32_t count = instance.reboot_count();
  Instance::Builder b = instance.ToBuilder();
  b.set_reboots(count == std::numeric_limits<uint32_t>::max() ? count : count + 1, now);
  AMI_ASSIGN_OR_RETURN(Instance rebooted, std::move(b).Build());
  return std::optional<Instance>(std::move(rebooted));
}

}  // namespace

absl::StatusOr<Planned> PlanCreateImage(const PlanView& view, const CreateImageCall& c) {
  Planned out;
  // The new image carries the request's tags; the instance is the caller's own.
  const auto resources = [&] {
    return std::vector<IamResource>{
        NewResource(c.ctx, "image"),
        IamResource{lang::InstanceArn(c.ctx.region, c.ctx.account, c.instance.ToString())},
        NewResource(c.ctx, "snapshot")};
  };
  std::optional<Decision> denied =
      IamDenial(view, c.ctx, "ec2:CreateImage", resources, &c.image_tags);
  if (!denied) denied = TagOnCreateDenial(view, c.ctx, "CreateImage", "image", c.image_tags);
  if (!denied) denied = TagOnCreateDenial(view, c.ctx, "CreateImage", "snapshot", c.snapshot_tags);
  if (denied) {
    out.decision = *std::move(denied);
    return out;
  }
  ImageConsistency consistency = ImageConsistency::kUnknown;
  out.decision = EvaluateCreateImage(
      view, {c.ctx.account, c.ctx.region, c.instance, c.request.name, c.request.no_reboot},
      &consistency);
  if (!out.decision.allowed()) return out;
  const Instance& instance = *view.FindInstance(c.instance);
  if (c.request.no_reboot && view.CreatingImageFrom(c.instance).has_value()) {
    out.decision.AddForbid(R(reasons::kConcurrentNoReboot,
                             {.image = *view.CreatingImageFrom(c.instance), .instance = c.instance}));
    return out;
  }
  const auto overrides = MappingOverrides(instance, c.request.block_device_mappings, &out.decision);
  if (!out.decision.allowed()) return out;
  AMI_RETURN_IF_ERROR(CheckTagOrigins(c));
  AMI_ASSIGN_OR_RETURN(const TagSet image_tags, c.image_tags.With(c.service_tags));
  AMI_ASSIGN_OR_RETURN(const TagSet snapshot_tags, c.snapshot_tags.With(c.service_tags));
  internal::IdSequence ids = view.Ids();
  const ImageId id = ids.NewImageId();
  Image::Builder ib = CreatedImage(c, instance, id, consistency, view.Now());
  ib.set_tags(image_tags);
  AMI_RETURN_IF_ERROR(PlanVolumeSnapshots(c, instance, id, overrides, snapshot_tags, ids,
                                          view.Now(), ib, &out.plan));
  AddNewMappings(c, instance, ib);
  AMI_ASSIGN_OR_RETURN(Image image, ib.Build());
  AMI_ASSIGN_OR_RETURN(std::optional<Instance> rebooted,
                       Rebooted(instance, c.request.no_reboot, view.Now()));
  if (rebooted.has_value()) out.plan.put_instances.push_back(*std::move(rebooted));
  out.plan.ids = ids;
  out.plan.put_images.push_back(std::make_shared<const Image>(std::move(image)));
  if (c.request.no_reboot) out.plan.mutable_extra().start_create_image.push_back({c.instance, id});
  out.plan.schedule.push_back(
      {view.ImagePending(), {PendingWork::Kind::kImage, id.ToString(), std::nullopt}});
  return out;
}

}  // namespace ami::policy
