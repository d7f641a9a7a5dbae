#include "ami/instance.h"

#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "values/choices.h"
#include "values/resource_checks.h"
#include "values/status_macros.h"
#include "values/text_util.h"

namespace ami {
namespace {

bool TypePart(absl::string_view part) {
  if (part.empty() || part.size() > 32) return false;
  for (const char c : part) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

absl::Status Invalid(const std::string& message) {
  return MakeError(choices::kInvalidValue, message);
}

}  // namespace

absl::Status ValidateInstanceType(absl::string_view type) {
  const size_t dot = type.find('.');
  if (dot == absl::string_view::npos || !TypePart(type.substr(0, dot)) ||
      !TypePart(type.substr(dot + 1))) {
    return Invalid(absl::StrCat("invalid instance type `", text_util::Clip(type),
                                "`: expected a family and a size, for example t3.micro"));
  }
  return absl::OkStatus();
}

Instance::Instance()
    : id_(InstanceId::Short(0)),
      owner_(AccountId::FromNumber(0)),
      zone_(Region::First().zones().front()),
      image_id_(ImageId::Short(0)),
      body_(internal::BodyRef<Body>::Default()) {}

Instance::Body& Instance::Builder::body() { return instance_.body_.Mutable(); }

bool operator==(const Instance& a, const Instance& b) { return a.Tie() == b.Tie(); }

std::optional<absl::Time> Instance::last_reboot_time() const {
  if (reboot_count_ == 0) return std::nullopt;
  return absl::FromUnixNanos(last_reboot_ns_);
}

namespace {

// The key an unencrypted packed volume holds, so that equal volumes pack equally.
const KmsKeyArn& NoKey() {
  static const KmsKeyArn* const key = new KmsKeyArn(
      KmsKeyArn::Of(AccountId::FromNumber(0), Region::First(),
                    *KmsKeyId::Parse("00000000-0000-0000-0000-000000000000")));
  return *key;
}

}  // namespace

Instance::PackedVolume::PackedVolume(const AttachedVolume& v)
    : volume_low(v.volume_id.low64()),
      key(v.kms_key.value_or(NoKey())),
      size_gib(v.volume_size_gib),
      volume_high(v.volume_id.high4()) {
  if (v.volume_id.is_long()) flags |= kVolumeLong;
  if (v.snapshot_id.has_value()) {
    flags |= kHasSnapshot;
    snapshot_low = v.snapshot_id->low64();
    snapshot_high = v.snapshot_id->high4();
    if (v.snapshot_id->is_long()) flags |= kSnapshotLong;
  }
  if (v.kms_key.has_value()) flags |= kEncrypted;
  if (v.delete_on_termination) flags |= kDeleteOnTermination;
}

AttachedVolume Instance::PackedVolume::Unpack(const std::string& device_name) const {
  AttachedVolume v;
  v.device_name = device_name;
  v.volume_id = volume_id();
  v.volume_size_gib = size_gib;
  v.delete_on_termination = (flags & kDeleteOnTermination) != 0;
  if ((flags & kEncrypted) != 0) v.kms_key = key;
  if ((flags & kHasSnapshot) != 0) {
    v.snapshot_id = (flags & kSnapshotLong) != 0
                        ? SnapshotId::Long(snapshot_low, snapshot_high)
                        : SnapshotId::Short(static_cast<uint32_t>(snapshot_low));
  }
  return v;
}

std::vector<AttachedVolume> Instance::volumes() const {
  std::vector<AttachedVolume> out;
  out.reserve(volumes_.size());
  for (size_t i = 0; i < volumes_.size(); ++i) out.push_back(volumes_[i].Unpack(body_->device_names[i]));
  return out;
}

Instance::Builder Instance::ToBuilder() const {
  Builder b;
  b.instance_ = *this;
  b.last_reboot_ = last_reboot_time();
  b.has_id_ = b.has_owner_ = b.has_zone_ = b.has_image_ = true;
  return b;
}

using B = Instance::Builder;
B& B::set_id(InstanceId id) { instance_.id_ = id; has_id_ = true; return *this; }
B& B::set_owner(AccountId o) { instance_.owner_ = o; has_owner_ = true; return *this; }
B& B::set_availability_zone(AvailabilityZone z) { instance_.zone_ = z; has_zone_ = true; return *this; }
B& B::set_image_id(ImageId i) { instance_.image_id_ = i; has_image_ = true; return *this; }
B& B::set_state(InstanceState s) { instance_.state_ = s; return *this; }
B& B::set_state_reason(StateReason r) { body().state_reason = std::move(r); return *this; }
B& B::set_instance_type(std::string t) { body().instance_type = std::move(t); return *this; }
B& B::set_root_device_type(RootDeviceType t) { body().root_device_type = t; return *this; }
B& B::set_root_device_name(std::string n) { body().root_device_name = std::move(n); return *this; }
B& B::set_architecture(Architecture a) { body().architecture = a; return *this; }
B& B::set_volumes(std::vector<AttachedVolume> v) {
  instance_.volumes_.clear();
  body().device_names.clear();
  for (const AttachedVolume& volume : v) add_volume(volume);
  return *this;
}
B& B::add_volume(AttachedVolume v) {
  instance_.volumes_.emplace_back(v);
  body().device_names.push_back(std::move(v.device_name));
  return *this;
}
B& B::set_product_codes(std::vector<ProductCode> c) { body().product_codes = std::move(c); return *this; }
B& B::set_platform_details(std::string d) { body().platform_details = std::move(d); return *this; }
B& B::set_platform(std::string p) { body().platform = std::move(p); return *this; }
B& B::set_imds_v2_required(bool v) { body().imds_v2 = v; return *this; }
B& B::set_launch_time(absl::Time t) { instance_.launch_time_ = t; return *this; }
B& B::set_tags(TagSet t) { instance_.tags_ = std::move(t); return *this; }
B& B::set_reboots(uint32_t count, std::optional<absl::Time> last) {
  instance_.reboot_count_ = count;
  last_reboot_ = last;
  return *this;
}

namespace {

// CREATE-4: a count and a time together, the time in 64-bit nanoseconds since 1970.
absl::Status CheckReboots(uint32_t count, const std::optional<absl::Time>& last,
                          const std::function<std::string()>& what) {
  if ((count == 0) != !last.has_value()) {
    return Invalid(absl::StrCat(what(), ": a reboot count and a last reboot time come together"));
  }
  if (!last.has_value()) return absl::OkStatus();
  const absl::Time latest = absl::FromUnixNanos(std::numeric_limits<int64_t>::max());
  if (*last < absl::UnixEpoch() || *last > latest) {
    return Invalid(absl::StrCat(what(), ": last reboot time `", FormatAwsTime(*last),
                                "` is outside 1970-01-01 to 2262-04-11"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Instance::Builder::Validate() const {
  if (!has_id_ || !has_owner_ || !has_zone_ || !has_image_) {
    return MakeError(choices::kMissingValue,
                     "an instance needs an id, an owner, an availability zone and an image");
  }
  const Instance& in = instance_;
  // The instance's name for messages is made only when a check fails (validation is on the
  // state-file load path): `check` runs unnamed, and again with the name when it fails.
  const auto what = [&in] { return absl::StrCat("instance `", in.id_.ToString(), "`"); };
  const auto named = [&what](auto check) {
    absl::Status status = check(absl::string_view());
    return status.ok() ? status : check(what());
  };
  AMI_RETURN_IF_ERROR(ValidateInstanceType(in.body_->instance_type));
  AMI_RETURN_IF_ERROR(checks::ProductCodes(in.body_->product_codes));
  AMI_RETURN_IF_ERROR(named([&](absl::string_view w) {
    return checks::FiniteTime(w, "launch time", in.launch_time_);
  }));
  AMI_RETURN_IF_ERROR(CheckReboots(in.reboot_count_, last_reboot_, what));
  // The packed volumes and the body's device names are read in place; a few volumes are
  // compared pairwise, many through sets.
  const std::vector<PackedVolume>& volumes = in.volumes_;
  const std::vector<std::string>& names = in.body_->device_names;
  constexpr size_t kPairwise = 16;
  absl::flat_hash_set<absl::string_view> devices;
  absl::flat_hash_set<VolumeId> volume_ids;
  for (size_t i = 0; i < volumes.size(); ++i) {
    const PackedVolume& v = volumes[i];
    if (names[i].empty()) return Invalid(absl::StrCat(what(), ": a volume needs a device name"));
    bool twice = false;
    if (volumes.size() <= kPairwise) {
      for (size_t j = 0; j < i && !twice; ++j) {
        twice = names[j] == names[i] || volumes[j].volume_id() == v.volume_id();
      }
    } else {
      twice = !devices.insert(names[i]).second || !volume_ids.insert(v.volume_id()).second;
    }
    if (twice) {
      return Invalid(absl::StrCat(what(), ": device `", text_util::Clip(names[i]), "` or volume `",
                                  v.volume_id().ToString(), "` is attached twice"));
    }
    AMI_RETURN_IF_ERROR(named([&](absl::string_view w) {
      return checks::VolumeSize(w, v.size_gib, /*allow_zero=*/true);
    }));
    if ((v.flags & PackedVolume::kEncrypted) != 0) {
      AMI_RETURN_IF_ERROR(named([&](absl::string_view w) {
        return checks::KeyInRegion(w, v.key, in.region());
      }));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Instance> Instance::Builder::Build() const& {
  AMI_RETURN_IF_ERROR(Validate());
  Instance out = instance_;
  out.last_reboot_ns_ = last_reboot_.has_value() ? absl::ToUnixNanos(*last_reboot_) : 0;
  return out;
}

absl::StatusOr<Instance> Instance::Builder::Build() && {
  AMI_RETURN_IF_ERROR(Validate());
  instance_.volumes_.shrink_to_fit();  // Values are kept long: no spare room.
  instance_.last_reboot_ns_ = last_reboot_.has_value() ? absl::ToUnixNanos(*last_reboot_) : 0;
  return std::move(instance_);
}

}  // namespace ami
