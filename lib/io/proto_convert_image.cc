// Conversions between images and instances and their ami.v1 messages (ami/io/proto.h).
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ami/errors.h"
#include "ami/io/proto.h"
#include "values/choices.h"
#include "io/proto_convert_util.h"
#include "values/status_macros.h"
#include "values/text_util.h"

namespace ami {

using proto_internal::SetId;
using proto_internal::At;
using proto_internal::InElement;
using proto_internal::Optional;
using proto_internal::EnumOr;
using proto_internal::TimeOr;
using proto_internal::OptionalTime;
using proto_internal::OptionalTimeText;
using proto_internal::TimeText;
using proto_internal::SizeField;
using proto_internal::Mismatch;
using proto_internal::TagsToProto;
using proto_internal::TagsFromProto;
using proto_internal::CodesToProto;
using proto_internal::CodesFromProto;
using proto_internal::ReasonFromProto;
using proto_internal::ReasonToProto;
using proto_internal::EncryptionFromProto;

// ---- Image ------------------------------------------------------------------------------------

namespace {

std::string ProtectionText(const Image& image) {
  if (image.protection_cooldown_until().has_value()) {
    return absl::StrCat("disabled-until-", FormatAwsTime(*image.protection_cooldown_until()));
  }
  return std::string(ToString(image.deregistration_protection()));
}

absl::Status ProtectionFromProto(const std::string& text, Image::Builder* b) {
  constexpr absl::string_view kUntil = "disabled-until-";
  if (absl::StartsWith(text, kUntil)) {
    AMI_ASSIGN_OR_RETURN(const absl::Time until,
                         At("DeregistrationProtection", ParseAwsTime(text.substr(kUntil.size()))));
    b->set_deregistration_protection(DeregistrationProtection::kDisabled);
    b->set_protection_cooldown_until(until);
    return absl::OkStatus();
  }
  AMI_ASSIGN_OR_RETURN(const DeregistrationProtection p,
                       EnumOr("DeregistrationProtection", text, DeregistrationProtection::kDisabled));
  b->set_deregistration_protection(p);
  return absl::OkStatus();
}

// Paths in failures are within the mapping ("Ebs.SnapshotId"); see InElement.
absl::StatusOr<BlockDeviceMapping> MappingFromProto(const v1::BlockDeviceMapping& p) {
  BlockDeviceMapping m;
  m.device_name = p.device_name();
  m.virtual_name = p.virtual_name();
  if (!p.has_ebs()) return m;
  const v1::EbsBlockDevice& e = p.ebs();
  constexpr absl::string_view ebs_path = "Ebs.";
  EbsBlockDevice ebs;
  AMI_ASSIGN_OR_RETURN(ebs.snapshot_id, Optional<SnapshotId>("Ebs.SnapshotId", e.snapshot_id()));
  AMI_ASSIGN_OR_RETURN(ebs.volume_size_gib, SizeField("Ebs.VolumeSize", e.volume_size()));
  AMI_ASSIGN_OR_RETURN(ebs.volume_type, EnumOr("Ebs.VolumeType", e.volume_type(), VolumeType::kGp3));
  ebs.delete_on_termination = !e.has_delete_on_termination() || e.delete_on_termination();
  // Image mappings may say Encrypted=true without naming the key (describe-images does).
  if (e.kms_key_id().empty()) {
    ebs.encrypted = e.encrypted();
  } else {
    AMI_ASSIGN_OR_RETURN(ebs.kms_key, EncryptionFromProto(ebs_path, e.has_encrypted(),
                                                          e.encrypted(), e.kms_key_id()));
    ebs.encrypted = true;
  }
  m.ebs = ebs;
  return m;
}

void MappingToProto(const BlockDeviceMapping& m, v1::BlockDeviceMapping* p) {
  p->set_device_name(m.device_name);
  p->set_virtual_name(m.virtual_name);
  if (!m.ebs.has_value()) return;
  v1::EbsBlockDevice* e = p->mutable_ebs();
  if (m.ebs->snapshot_id.has_value()) SetId(e->mutable_snapshot_id(), *m.ebs->snapshot_id);
  e->set_volume_size(m.ebs->volume_size_gib);
  e->set_volume_type(std::string(ToString(m.ebs->volume_type)));
  e->set_delete_on_termination(m.ebs->delete_on_termination);
  e->set_encrypted(m.ebs->encrypted);
  if (m.ebs->kms_key.has_value()) e->set_kms_key_id(m.ebs->kms_key->ToString());
}

absl::StatusOr<LaunchPermissions> PermissionsFromProto(const v1::Image& p) {
  std::vector<AccountId> accounts;
  std::vector<OrganizationArn> orgs;
  std::vector<OrganizationalUnitArn> ous;
  bool is_public = p.public_();
  for (int i = 0; i < p.launch_permissions_size(); ++i) {
    // Made only for a failure: reading an entry allocates nothing.
    auto path = [i](absl::string_view field) { return absl::StrCat("LaunchPermissions[", i, "]", field); };
    const v1::LaunchPermission& e = p.launch_permissions(i);
    const int set = !e.user_id().empty() + !e.group().empty() + !e.organization_arn().empty() +
                    !e.organizational_unit_arn().empty();
    if (set != 1) return Mismatch(path(""), "each entry has exactly one of UserId, Group, OrganizationArn and OrganizationalUnitArn");
    if (!e.user_id().empty()) {
      absl::StatusOr<AccountId> a = AccountId::Parse(e.user_id());
      if (!a.ok()) {
        return At(path(".UserId"),
                  MakeError(choices::kBadLaunchPermissionItem, a.status().message()));
      }
      accounts.push_back(*a);
    } else if (!e.group().empty()) {
      if (e.group() != "all") {
        return At(path(".Group"),
                  MakeError(choices::kBadLaunchPermissionItem,
                            absl::StrCat("invalid group `", text_util::Clip(e.group()),
                                         "`: the only group is all")));
      }
      is_public = true;
    } else if (!e.organization_arn().empty()) {
      absl::StatusOr<OrganizationArn> o = OrganizationArn::Parse(e.organization_arn());
      if (!o.ok()) return At(path(".OrganizationArn"), o.status());
      orgs.push_back(*std::move(o));
    } else {
      absl::StatusOr<OrganizationalUnitArn> o =
          OrganizationalUnitArn::Parse(e.organizational_unit_arn());
      if (!o.ok()) return At(path(".OrganizationalUnitArn"), o.status());
      ous.push_back(*std::move(o));
    }
  }
  if (p.has_public_() && !p.public_() && is_public) {
    return Mismatch("Public", "Public is false but the launch permissions include group all");
  }
  return At("LaunchPermissions", LaunchPermissions::Create(std::move(accounts), is_public,
                                                           std::move(orgs), std::move(ous)));
}

// The machine fields: image type, root device, architecture, virtualization, boot mode, ENA
// and IMDS support.
absl::Status MachineFromProto(const v1::Image& p, Image::Builder* b) {
  if (!p.image_type().empty() && p.image_type() != "machine") {
    return At("ImageType", MakeError(choices::kInvalidValue,
                                     "only machine images are modelled"));
  }
  AMI_ASSIGN_OR_RETURN(const RootDeviceType root_type,
                       EnumOr("RootDeviceType", p.root_device_type(), RootDeviceType::kEbs));
  AMI_ASSIGN_OR_RETURN(const Architecture arch, EnumOr("Architecture", p.architecture(), Architecture::kX86_64));
  AMI_ASSIGN_OR_RETURN(const VirtualizationType virt,
                       EnumOr("VirtualizationType", p.virtualization_type(), VirtualizationType::kHvm));
  AMI_ASSIGN_OR_RETURN(const BootMode boot, EnumOr("BootMode", p.boot_mode(), BootMode::kUnspecified));
  b->set_root_device_type(root_type).set_architecture(arch).set_virtualization_type(virt).set_boot_mode(boot);
  if (!p.root_device_name().empty()) b->set_root_device_name(p.root_device_name());
  b->set_ena_support(p.ena_support());
  if (!p.imds_support().empty() && p.imds_support() != "v2.0") {
    return At("ImdsSupport", MakeError(choices::kInvalidValue,
                                       absl::StrCat("invalid imds support `",
                                                    text_util::Clip(p.imds_support()),
                                                    "`: the only value is v2.0")));
  }
  b->set_imds_v2_required(p.imds_support() == "v2.0");
  return absl::OkStatus();
}

// Where the image was made from: an instance, or an image and its Region.
absl::Status SourceFromProto(const v1::Image& p, Image::Builder* b) {
  AMI_ASSIGN_OR_RETURN(const std::optional<InstanceId> source_instance,
                       Optional<InstanceId>("SourceInstanceId", p.source_instance_id()));
  AMI_ASSIGN_OR_RETURN(const std::optional<ImageId> source_image,
                       Optional<ImageId>("SourceImageId", p.source_image_id()));
  AMI_ASSIGN_OR_RETURN(const std::optional<Region> source_region,
                       Optional<Region>("SourceImageRegion", p.source_image_region()));
  b->set_source_instance(source_instance).set_source_image(source_image, source_region);
  return absl::OkStatus();
}

}  // namespace

void ToProto(const Image& im, v1::Image* out) {
  out->Clear();
  v1::Image& p = *out;
  SetId(p.mutable_image_id(), im.id());
  p.set_name(im.name());
  p.set_description(im.description());
  p.set_owner_id(im.owner().ToString());
  p.set_image_owner_alias(std::string(ToString(im.owner_alias())));
  p.set_region(im.region().ToString());
  p.set_state(std::string(ToString(im.state())));
  if (!im.state_reason().empty()) ReasonToProto(im.state_reason(), p.mutable_state_reason());
  p.set_creation_date(TimeText(im.creation_time()));
  p.set_image_type("machine");
  p.set_root_device_type(std::string(ToString(im.root_device_type())));
  p.set_root_device_name(im.root_device_name());
  p.set_architecture(std::string(ToString(im.architecture())));
  p.set_virtualization_type(std::string(ToString(im.virtualization_type())));
  p.set_hypervisor("xen");
  p.set_boot_mode(std::string(ToString(im.boot_mode())));
  p.set_ena_support(im.ena_support());
  if (im.imds_v2_required()) p.set_imds_support("v2.0");
  for (const BlockDeviceMapping& m : im.block_device_mappings()) {
    MappingToProto(m, p.add_block_device_mappings());
  }
  CodesToProto(im.product_codes(), p.mutable_product_codes());
  p.set_platform(im.platform());
  p.set_platform_details(im.platform_details());
  p.set_usage_operation(im.usage_operation());
  p.set_public_(im.is_public());
  const LaunchPermissions& lp = im.launch_permissions();
  for (const AccountId a : lp.accounts()) p.add_launch_permissions()->set_user_id(a.ToString());
  if (lp.is_public()) p.add_launch_permissions()->set_group("all");
  for (const auto& o : lp.organizations()) p.add_launch_permissions()->set_organization_arn(o.ToString());
  for (const auto& o : lp.organizational_units()) {
    p.add_launch_permissions()->set_organizational_unit_arn(o.ToString());
  }
  p.set_deprecation_time(OptionalTimeText(im.deprecation_time()));
  p.set_deregistration_protection(ProtectionText(im));
  if (im.source_instance().has_value()) SetId(p.mutable_source_instance_id(), *im.source_instance());
  if (im.source_image().has_value()) SetId(p.mutable_source_image_id(), *im.source_image());
  if (im.source_image_region().has_value()) p.set_source_image_region(im.source_image_region()->ToString());
  p.set_last_launched_time(OptionalTimeText(im.last_launched_time()));
  TagsToProto(im.tags(), p.mutable_tags());
  p.set_consistency(std::string(ToString(im.consistency())));
}

v1::Image ToProto(const Image& im) {
  v1::Image p;
  ToProto(im, &p);
  return p;
}

absl::StatusOr<Image> FromProto(const v1::Image& p) {
  Image::Builder b;
  AMI_ASSIGN_OR_RETURN(const ImageId id, At("ImageId", ImageId::Parse(p.image_id())));
  AMI_ASSIGN_OR_RETURN(const AccountId owner, At("OwnerId", AccountId::Parse(p.owner_id())));
  AMI_ASSIGN_OR_RETURN(const Region region, At("Region", Region::Parse(p.region())));
  b.set_id(id).set_owner(owner).set_region(region).set_name(p.name()).set_description(p.description());
  AMI_ASSIGN_OR_RETURN(const OwnerAlias alias, EnumOr("ImageOwnerAlias", p.image_owner_alias(), OwnerAlias::kNone));
  AMI_ASSIGN_OR_RETURN(const ImageState state, EnumOr("State", p.state(), ImageState::kAvailable));
  AMI_ASSIGN_OR_RETURN(const absl::Time created, TimeOr("CreationDate", p.creation_date(), absl::UnixEpoch()));
  b.set_owner_alias(alias).set_state(state).set_creation_time(created);
  if (p.has_state_reason()) b.set_state_reason(ReasonFromProto(p.state_reason()));
  AMI_RETURN_IF_ERROR(MachineFromProto(p, &b));
  for (int i = 0; i < p.block_device_mappings_size(); ++i) {
    AMI_ASSIGN_OR_RETURN(BlockDeviceMapping m, InElement("BlockDeviceMappings", i,
                                                         MappingFromProto(p.block_device_mappings(i))));
    b.add_block_device_mapping(std::move(m));
  }
  AMI_ASSIGN_OR_RETURN(std::vector<ProductCode> codes, CodesFromProto(p.product_codes()));
  b.set_product_codes(std::move(codes)).set_platform(p.platform());
  if (!p.platform_details().empty()) b.set_platform_details(p.platform_details());
  if (!p.usage_operation().empty()) b.set_usage_operation(p.usage_operation());
  AMI_ASSIGN_OR_RETURN(LaunchPermissions perms, PermissionsFromProto(p));
  b.set_launch_permissions(std::move(perms));
  AMI_ASSIGN_OR_RETURN(const std::optional<absl::Time> deprecation,
                       OptionalTime("DeprecationTime", p.deprecation_time()));
  b.set_deprecation_time(deprecation);
  AMI_RETURN_IF_ERROR(ProtectionFromProto(p.deregistration_protection(), &b));
  AMI_RETURN_IF_ERROR(SourceFromProto(p, &b));
  AMI_ASSIGN_OR_RETURN(const std::optional<absl::Time> last_launched,
                       OptionalTime("LastLaunchedTime", p.last_launched_time()));
  b.set_last_launched_time(last_launched);
  AMI_ASSIGN_OR_RETURN(const ImageConsistency consistency,
                       EnumOr("Consistency", p.consistency(), ImageConsistency::kUnknown));
  b.set_consistency(consistency);
  AMI_ASSIGN_OR_RETURN(TagSet tags, TagsFromProto(p.tags()));
  b.set_tags(std::move(tags));
  return std::move(b).Build();
}

// ---- Instance ---------------------------------------------------------------------------------

namespace {

constexpr int kInstanceStateCodes[] = {0, 16, 32, 48, 64, 80};

// Paths in failures are within the mapping ("Ebs.VolumeId"); see InElement.
absl::StatusOr<AttachedVolume> VolumeFromProto(const v1::InstanceBlockDeviceMapping& p) {
  AttachedVolume v;
  v.device_name = p.device_name();
  const v1::InstanceEbs& e = p.ebs();
  AMI_ASSIGN_OR_RETURN(v.volume_id, At("Ebs.VolumeId", VolumeId::Parse(e.volume_id())));
  v.delete_on_termination = !e.has_delete_on_termination() || e.delete_on_termination();
  AMI_ASSIGN_OR_RETURN(v.volume_size_gib, SizeField("Ebs.VolumeSize", e.volume_size()));
  AMI_ASSIGN_OR_RETURN(v.kms_key, EncryptionFromProto("Ebs.", e.has_encrypted(), e.encrypted(),
                                                      e.kms_key_id()));
  AMI_ASSIGN_OR_RETURN(v.snapshot_id, Optional<SnapshotId>("Ebs.SnapshotId", e.snapshot_id()));
  return v;
}

}  // namespace

void ToProto(const Instance& in, v1::Instance* out) {
  out->Clear();
  v1::Instance& p = *out;
  SetId(p.mutable_instance_id(), in.id());
  p.set_owner_id(in.owner().ToString());
  SetId(p.mutable_image_id(), in.image_id());
  p.mutable_state()->set_code(kInstanceStateCodes[static_cast<int>(in.state())]);
  p.mutable_state()->set_name(std::string(ToString(in.state())));
  if (!in.state_reason().empty()) ReasonToProto(in.state_reason(), p.mutable_state_reason());
  p.set_instance_type(in.instance_type());
  p.mutable_placement()->set_availability_zone(in.availability_zone().ToString());
  p.set_root_device_type(std::string(ToString(in.root_device_type())));
  p.set_root_device_name(in.root_device_name());
  p.set_architecture(std::string(ToString(in.architecture())));
  for (const AttachedVolume& v : in.volumes()) {
    v1::InstanceBlockDeviceMapping* m = p.add_block_device_mappings();
    m->set_device_name(v.device_name);
    v1::InstanceEbs* e = m->mutable_ebs();
    SetId(e->mutable_volume_id(), v.volume_id);
    e->set_delete_on_termination(v.delete_on_termination);
    e->set_volume_size(v.volume_size_gib);
    e->set_encrypted(v.encrypted());
    if (v.kms_key.has_value()) e->set_kms_key_id(v.kms_key->ToString());
    if (v.snapshot_id.has_value()) SetId(e->mutable_snapshot_id(), *v.snapshot_id);
  }
  CodesToProto(in.product_codes(), p.mutable_product_codes());
  p.set_platform_details(in.platform_details());
  p.set_platform(in.platform());
  p.mutable_metadata_options()->set_http_tokens(in.imds_v2_required() ? "required" : "optional");
  p.set_launch_time(TimeText(in.launch_time()));
  TagsToProto(in.tags(), p.mutable_tags());
  p.set_reboot_count(in.reboot_count());
  if (in.last_reboot_time().has_value()) p.set_last_reboot_time(FormatAwsTime(*in.last_reboot_time()));
}

v1::Instance ToProto(const Instance& in) {
  v1::Instance p;
  ToProto(in, &p);
  return p;
}

absl::StatusOr<Instance> FromProto(const v1::Instance& p) {
  Instance::Builder b;
  AMI_ASSIGN_OR_RETURN(const InstanceId id, At("InstanceId", InstanceId::Parse(p.instance_id())));
  AMI_ASSIGN_OR_RETURN(const AccountId owner, At("OwnerId", AccountId::Parse(p.owner_id())));
  AMI_ASSIGN_OR_RETURN(const ImageId image, At("ImageId", ImageId::Parse(p.image_id())));
  AMI_ASSIGN_OR_RETURN(const AvailabilityZone zone,
                       At("Placement.AvailabilityZone", AvailabilityZone::Parse(p.placement().availability_zone())));
  b.set_id(id).set_owner(owner).set_image_id(image).set_availability_zone(zone);
  AMI_ASSIGN_OR_RETURN(const InstanceState state,
                       EnumOr("State.Name", p.state().name(), InstanceState::kRunning));
  if (p.state().code() != 0 &&
      (p.state().code() & 0xFF) != kInstanceStateCodes[static_cast<int>(state)]) {
    return Mismatch("State.Code", "the state code does not match the state name");
  }
  b.set_state(state);
  if (p.has_state_reason()) b.set_state_reason(ReasonFromProto(p.state_reason()));
  if (!p.instance_type().empty()) b.set_instance_type(p.instance_type());
  AMI_ASSIGN_OR_RETURN(const RootDeviceType root_type,
                       EnumOr("RootDeviceType", p.root_device_type(), RootDeviceType::kEbs));
  AMI_ASSIGN_OR_RETURN(const Architecture arch, EnumOr("Architecture", p.architecture(), Architecture::kX86_64));
  b.set_root_device_type(root_type).set_architecture(arch);
  if (!p.root_device_name().empty()) b.set_root_device_name(p.root_device_name());
  for (int i = 0; i < p.block_device_mappings_size(); ++i) {
    AMI_ASSIGN_OR_RETURN(AttachedVolume v, InElement("BlockDeviceMappings", i,
                                                     VolumeFromProto(p.block_device_mappings(i))));
    b.add_volume(std::move(v));
  }
  AMI_ASSIGN_OR_RETURN(std::vector<ProductCode> codes, CodesFromProto(p.product_codes()));
  b.set_product_codes(std::move(codes));
  if (!p.platform_details().empty()) b.set_platform_details(p.platform_details());
  b.set_platform(p.platform());
  const std::string& tokens = p.metadata_options().http_tokens();
  if (!tokens.empty() && tokens != "required" && tokens != "optional") {
    return At("MetadataOptions.HttpTokens",
              MakeError(choices::kInvalidValue,
                        absl::StrCat("invalid http tokens `", text_util::Clip(tokens),
                                     "`: expected required or optional")));
  }
  b.set_imds_v2_required(tokens == "required");
  AMI_ASSIGN_OR_RETURN(const absl::Time launched, TimeOr("LaunchTime", p.launch_time(), absl::UnixEpoch()));
  b.set_launch_time(launched);
  AMI_ASSIGN_OR_RETURN(TagSet tags, TagsFromProto(p.tags()));
  b.set_tags(std::move(tags));
  std::optional<absl::Time> rebooted;
  if (!p.last_reboot_time().empty()) {
    AMI_ASSIGN_OR_RETURN(rebooted, TimeOr("LastRebootTime", p.last_reboot_time(), absl::UnixEpoch()));
  }
  b.set_reboots(p.reboot_count(), rebooted);
  return std::move(b).Build();
}

}  // namespace ami
