#include "ami/image.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "values/choices.h"
#include "values/image_access.h"
#include "values/resource_checks.h"
#include "values/status_macros.h"
#include "values/text_util.h"

namespace ami {
namespace {

bool ImageNameChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '(': case ')': case '[': case ']': case ' ': case '.': case '/': case '-':
    case '\'': case '@': case '_':
      return true;
    default:
      return false;
  }
}

absl::Status Invalid(const std::string& message) {
  return MakeError(choices::kInvalidValue, message);
}

template <typename T>
void SortUnique(std::vector<T>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

absl::Status CheckMapping(absl::string_view what, const BlockDeviceMapping& m, Region region) {
  if (m.device_name.empty()) return Invalid(absl::StrCat(what, ": a mapping needs a device name"));
  if (m.ebs.has_value() == !m.virtual_name.empty()) {
    return MakeError(choices::kInconsistentValues,
                     absl::StrCat(what, ": mapping `", text_util::Clip(m.device_name),
                                  "` must be either an ebs volume or an instance-store volume"));
  }
  if (!m.ebs.has_value()) return absl::OkStatus();
  AMI_RETURN_IF_ERROR(checks::VolumeSize(what, m.ebs->volume_size_gib, /*allow_zero=*/true));
  if (!m.ebs->snapshot_id.has_value() && m.ebs->volume_size_gib == 0) {
    return Invalid(absl::StrCat(what, ": mapping `", text_util::Clip(m.device_name),
                                "` has neither a snapshot nor a volume size"));
  }
  if (m.ebs->kms_key.has_value()) {
    if (!m.ebs->encrypted) {
      return MakeError(choices::kInconsistentValues,
                       absl::StrCat(what, ": mapping `", text_util::Clip(m.device_name),
                                    "` names a kms key but is not encrypted"));
    }
    AMI_RETURN_IF_ERROR(checks::KeyInRegion(what, *m.ebs->kms_key, region));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateImageName(absl::string_view name) {
  bool ok = name.size() >= 3 && name.size() <= 128;
  for (const char c : name) ok = ok && ImageNameChar(c);
  if (!ok) {
    return MakeError(ErrorCode::kInvalidAMINameMalformed,
                     absl::StrCat("invalid ami name `", text_util::Clip(name),
                                  "`: use 3 to 128 letters, digits and ( ) [ ] space . / - ' @ _"));
  }
  return absl::OkStatus();
}

absl::StatusOr<LaunchPermissions> LaunchPermissions::Create(
    std::vector<AccountId> accounts, bool is_public, std::vector<OrganizationArn> organizations,
    std::vector<OrganizationalUnitArn> ous) {
  LaunchPermissions p;
  p.accounts_ = std::move(accounts);
  p.public_ = is_public;
  p.organizations_ = std::move(organizations);
  p.ous_ = std::move(ous);
  SortUnique(&p.accounts_);
  SortUnique(&p.organizations_);
  SortUnique(&p.ous_);
  if (p.entity_count() > kMaxLaunchPermissionEntities) {
    return MakeError(choices::kTooManySharingEntities,
                     absl::StrCat("an image can be shared with at most ",
                                  kMaxLaunchPermissionEntities,
                                  " accounts, organizations and OUs; got ", p.entity_count()));
  }
  return p;
}

bool LaunchPermissions::HasAccount(AccountId account) const {
  return std::binary_search(accounts_.begin(), accounts_.end(), account);
}

BlockDeviceMapping BlockDeviceMapping::FromSnapshot(std::string device_name,
                                                    const Snapshot& snapshot) {
  BlockDeviceMapping m;
  m.device_name = std::move(device_name);
  EbsBlockDevice ebs;
  ebs.snapshot_id = snapshot.id();
  ebs.volume_size_gib = snapshot.volume_size_gib();
  ebs.encrypted = snapshot.encrypted();
  ebs.kms_key = snapshot.kms_key();
  m.ebs = ebs;
  return m;
}

Image::Image()
    : id_(ImageId::Short(0)),
      owner_(AccountId::FromNumber(0)),
      region_(Region::First()),
      body_(BodyRef::Default()) {}

Image::Body& Image::Builder::body() { return image_.body_.Mutable(); }

std::vector<SnapshotId> Image::snapshot_ids() const {
  std::vector<SnapshotId> out;
  for (const BlockDeviceMapping& m : body_->mappings) {
    if (m.ebs.has_value() && m.ebs->snapshot_id.has_value()) out.push_back(*m.ebs->snapshot_id);
  }
  return out;
}

bool Image::encrypted() const {
  return std::any_of(body_->mappings.begin(), body_->mappings.end(), [](const BlockDeviceMapping& m) {
    return m.ebs.has_value() && m.ebs->encrypted;
  });
}

bool Image::has_marketplace_code() const {
  return std::any_of(body_->product_codes.begin(), body_->product_codes.end(), [](const ProductCode& p) {
    return p.type == ProductCodeType::kMarketplace;
  });
}

bool operator==(const Image& a, const Image& b) { return a.Tie() == b.Tie(); }

Image::Builder Image::ToBuilder() const {
  Builder b;
  b.image_ = *this;
  b.has_id_ = b.has_name_ = b.has_owner_ = b.has_region_ = true;
  return b;
}

using B = Image::Builder;
B& B::set_id(ImageId id) { image_.id_ = id; has_id_ = true; return *this; }
B& B::set_name(std::string n) { body().name = std::move(n); has_name_ = true; return *this; }
B& B::set_description(std::string d) { body().description = std::move(d); return *this; }
B& B::set_owner(AccountId o) { image_.owner_ = o; has_owner_ = true; return *this; }
B& B::set_owner_alias(OwnerAlias a) { image_.owner_alias_ = a; return *this; }
B& B::set_region(Region r) { image_.region_ = r; has_region_ = true; return *this; }
B& B::set_state(ImageState s) { image_.state_ = s; return *this; }
B& B::set_state_reason(StateReason r) { image_.state_reason_ = std::move(r); return *this; }
B& B::set_creation_time(absl::Time t) { body().creation_time = t; return *this; }
B& B::set_root_device_type(RootDeviceType t) { body().root_device_type = t; return *this; }
B& B::set_root_device_name(std::string n) { body().root_device_name = std::move(n); return *this; }
B& B::set_architecture(Architecture a) { body().architecture = a; return *this; }
B& B::set_virtualization_type(VirtualizationType v) { body().virtualization_type = v; return *this; }
B& B::set_boot_mode(BootMode m) { body().boot_mode = m; return *this; }
B& B::set_ena_support(bool e) { body().ena_support = e; return *this; }
B& B::set_imds_v2_required(bool v) { image_.imds_v2_ = v; return *this; }
B& B::set_block_device_mappings(std::vector<BlockDeviceMapping> m) {
  body().mappings = std::move(m);
  snapshot_regions_.clear();
  return *this;
}
B& B::add_block_device_mapping(BlockDeviceMapping m) {
  body().mappings.push_back(std::move(m));
  return *this;
}
B& B::add_snapshot_mapping(std::string device_name, const Snapshot& snapshot) {
  snapshot_regions_.emplace_back(snapshot.id(), snapshot.region());
  return add_block_device_mapping(BlockDeviceMapping::FromSnapshot(std::move(device_name), snapshot));
}
B& B::set_product_codes(std::vector<ProductCode> c) { body().product_codes = std::move(c); return *this; }
B& B::set_platform(std::string p) { body().platform = std::move(p); return *this; }
B& B::set_platform_details(std::string d) { body().platform_details = std::move(d); return *this; }
B& B::set_usage_operation(std::string o) { body().usage_operation = std::move(o); return *this; }
B& B::set_launch_permissions(LaunchPermissions p) {
  image_.launch_permissions_ = std::move(p);
  return *this;
}
B& B::set_deprecation_time(std::optional<absl::Time> t) { image_.deprecation_time_ = t; return *this; }
B& B::set_deregistration_protection(DeregistrationProtection p) {
  image_.protection_ = p;
  return *this;
}
B& B::set_protection_cooldown_until(std::optional<absl::Time> t) {
  image_.cooldown_until_ = t;
  return *this;
}
B& B::set_source_instance(std::optional<InstanceId> i) { body().source_instance = i; return *this; }
B& B::set_source_image(std::optional<ImageId> image, std::optional<Region> region) {
  body().source_image = image;
  body().source_image_region = region;
  return *this;
}
B& B::set_consistency(ImageConsistency c) { body().consistency = c; return *this; }
B& B::set_last_launched_time(std::optional<absl::Time> t) { image_.last_launched_time_ = t; return *this; }
B& B::set_tags(TagSet t) { image_.tags_ = std::move(t); return *this; }

absl::Status Image::Builder::Validate() const {
  if (!has_id_ || !has_name_ || !has_owner_ || !has_region_) {
    return MakeError(choices::kMissingValue,
                     "an image needs an id, a name, an owner and a region");
  }
  const Image& im = image_;
  const std::string what = absl::StrCat("image `", im.id_.ToString(), "`");
  AMI_RETURN_IF_ERROR(ValidateImageName(im.body_->name));
  AMI_RETURN_IF_ERROR(checks::Description(what, im.body_->description));
  AMI_RETURN_IF_ERROR(checks::ProductCodes(im.body_->product_codes));
  AMI_RETURN_IF_ERROR(checks::FiniteTime(what, "creation time", im.body_->creation_time));
  AMI_RETURN_IF_ERROR(checks::FiniteTime(what, "deprecation time", im.deprecation_time_));
  AMI_RETURN_IF_ERROR(checks::FiniteTime(what, "protection cooldown", im.cooldown_until_));
  AMI_RETURN_IF_ERROR(checks::FiniteTime(what, "last launched time", im.last_launched_time_));
  for (const auto& [snapshot, region] : snapshot_regions_) {
    if (region != im.region_) {
      return Invalid(absl::StrCat(what, " in ", im.region_.code(), " maps snapshot `",
                                  snapshot.ToString(), "` of ", region.code(),
                                  "; an image's snapshots are in its region"));
    }
  }
  absl::flat_hash_set<absl::string_view> devices;
  const BlockDeviceMapping* root = nullptr;
  for (const BlockDeviceMapping& m : im.body_->mappings) {
    AMI_RETURN_IF_ERROR(CheckMapping(what, m, im.region_));
    if (!devices.insert(m.device_name).second) {
      return Invalid(absl::StrCat(what, ": device `", text_util::Clip(m.device_name),
                                  "` is mapped twice"));
    }
    if (m.device_name == im.body_->root_device_name) root = &m;
  }
  if (im.body_->root_device_type == RootDeviceType::kEbs &&
      (root == nullptr || !root->ebs.has_value() || !root->ebs->snapshot_id.has_value())) {
    return Invalid(absl::StrCat(what, ": an ebs-backed image maps its root device `",
                                text_util::Clip(im.body_->root_device_name), "` onto a snapshot"));
  }
  if (im.body_->source_image.has_value() != im.body_->source_image_region.has_value()) {
    return MakeError(choices::kInconsistentValues,
                     absl::StrCat(what, ": a source image and its region go together"));
  }
  AMI_RETURN_IF_ERROR(internal::ImageAccess::CheckLaunchPermissions(im));
  if (im.cooldown_until_.has_value() && im.protection_ != DeregistrationProtection::kDisabled) {
    return MakeError(choices::kInconsistentValues,
                     absl::StrCat(what, ": a protection cooldown runs only once protection is disabled"));
  }
  return absl::OkStatus();
}

absl::StatusOr<Image> Image::Builder::Build() const& {
  AMI_RETURN_IF_ERROR(Validate());
  return image_;
}

absl::StatusOr<Image> Image::Builder::Build() && {
  AMI_RETURN_IF_ERROR(Validate());
  return std::move(image_);
}

namespace internal {

absl::Status ImageAccess::CheckLaunchPermissions(const Image& im) {
  if (im.state_ == ImageState::kDisabled && !im.launch_permissions_.empty()) {
    return MakeError(choices::kInconsistentValues,
                     absl::StrCat("image `", im.id_.ToString(), "`: a disabled image has no launch permissions"));
  }
  if (im.launch_permissions_.HasAccount(im.owner_)) {
    return Invalid(absl::StrCat("image `", im.id_.ToString(),
                                "`: the owner cannot be listed in its own launch permissions"));
  }
  return absl::OkStatus();
}

Image ImageAccess::CopyWith(const Image& image, LaunchPermissions permissions, const TagSet& tags) {
  Image copy;
  copy.id_ = image.id_;
  copy.owner_ = image.owner_;
  copy.owner_alias_ = image.owner_alias_;
  copy.region_ = image.region_;
  copy.state_ = image.state_;
  copy.imds_v2_ = image.imds_v2_;
  copy.protection_ = image.protection_;
  copy.state_reason_ = image.state_reason_;
  copy.launch_permissions_ = std::move(permissions);
  copy.deprecation_time_ = image.deprecation_time_;
  copy.cooldown_until_ = image.cooldown_until_;
  copy.last_launched_time_ = image.last_launched_time_;
  copy.tags_ = tags;
  copy.body_ = image.body_;
  return copy;
}

absl::StatusOr<std::shared_ptr<const Image>> ImageAccess::WithLaunchPermissions(
    const Image& image, LaunchPermissions permissions, std::optional<absl::Time> deprecation_time) {
  if (deprecation_time != image.deprecation_time_) {
    AMI_RETURN_IF_ERROR(checks::FiniteTime(absl::StrCat("image `", image.id_.ToString(), "`"),
                                           "deprecation time", deprecation_time));
  }
  auto next = std::make_shared<Image>(CopyWith(image, std::move(permissions), image.tags_));
  next->deprecation_time_ = deprecation_time;
  AMI_RETURN_IF_ERROR(CheckLaunchPermissions(*next));
  return next;
}

Image ImageAccess::ViewForOthers(const Image& image, const TagSet& tags) {
  Image view = CopyWith(image, *LaunchPermissions::Create({}, image.is_public(), {}, {}), tags);
  view.protection_ = DeregistrationProtection::kDisabled;
  view.cooldown_until_ = std::nullopt;
  view.last_launched_time_ = std::nullopt;
  return view;
}

}  // namespace internal
}  // namespace ami
