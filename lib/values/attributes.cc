#include "ami/attributes.h"

#include <array>

#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "values/choices.h"
#include "values/text_util.h"

namespace ami {
namespace {

// The AWS spellings of an enum's values, in enum order, and what the enum is called in errors.
template <typename E>
struct Names;

#define AMI_ENUM_NAMES(E, what, ...)                                    \
  template <>                                                           \
  struct Names<E> {                                                     \
    static constexpr absl::string_view kWhat = what;                    \
    static constexpr std::array kValues = {__VA_ARGS__};                \
  }

using SV = absl::string_view;
AMI_ENUM_NAMES(ImageState, "image state", SV("pending"), SV("available"), SV("invalid"),
               SV("deregistered"), SV("transient"), SV("failed"), SV("error"), SV("disabled"));
AMI_ENUM_NAMES(SnapshotState, "snapshot state", SV("pending"), SV("completed"), SV("error"),
               SV("recoverable"), SV("recovering"));
AMI_ENUM_NAMES(InstanceState, "instance state", SV("pending"), SV("running"),
               SV("shutting-down"), SV("terminated"), SV("stopping"), SV("stopped"));
AMI_ENUM_NAMES(RootDeviceType, "root device type", SV("ebs"), SV("instance-store"));
AMI_ENUM_NAMES(Architecture, "architecture", SV("i386"), SV("x86_64"), SV("arm64"),
               SV("x86_64_mac"), SV("arm64_mac"));
AMI_ENUM_NAMES(VirtualizationType, "virtualization type", SV("hvm"), SV("paravirtual"));
AMI_ENUM_NAMES(BootMode, "boot mode", SV(""), SV("legacy-bios"), SV("uefi"),
               SV("uefi-preferred"));
AMI_ENUM_NAMES(VolumeType, "volume type", SV("standard"), SV("gp2"), SV("gp3"), SV("io1"),
               SV("io2"), SV("st1"), SV("sc1"));
AMI_ENUM_NAMES(ProductCodeType, "product code type", SV("marketplace"), SV("devpay"));
AMI_ENUM_NAMES(OwnerAlias, "owner alias", SV(""), SV("amazon"), SV("aws-marketplace"),
               SV("aws-backup-vault"));
AMI_ENUM_NAMES(DeregistrationProtection, "deregistration protection", SV("disabled"),
               SV("enabled"), SV("enabled-with-cooldown"));
AMI_ENUM_NAMES(ImageConsistency, "image consistency", SV("unknown"),
               SV("file-system-consistent"), SV("crash-consistent"));
AMI_ENUM_NAMES(KeyManager, "key manager", SV("CUSTOMER"), SV("AWS"));
AMI_ENUM_NAMES(KeyState, "key state", SV("Enabled"), SV("Disabled"), SV("PendingDeletion"),
               SV("PendingImport"), SV("PendingReplicaDeletion"), SV("Unavailable"),
               SV("Creating"), SV("Updating"));
AMI_ENUM_NAMES(MultiRegionRole, "multi-region role", SV(""), SV("PRIMARY"), SV("REPLICA"));
AMI_ENUM_NAMES(AllowedImagesState, "allowed images state", SV("disabled"), SV("enabled"),
               SV("audit-mode"));
AMI_ENUM_NAMES(SnapshotBlockPublicAccessState, "snapshot block public access state",
               SV("unblocked"), SV("block-new-sharing"), SV("block-all-sharing"));
AMI_ENUM_NAMES(ImageAttributeName, "image attribute", SV("description"), SV("launchPermission"),
               SV("imdsSupport"), SV("productCodes"), SV("deregistrationProtection"),
               SV("lastLaunchedTime"), SV("bootMode"), SV("kernel"), SV("ramdisk"),
               SV("sriovNetSupport"), SV("tpmSupport"), SV("uefiData"), SV("blockDeviceMapping"));
AMI_ENUM_NAMES(RecycleBinResourceType, "recycle bin resource type", SV("EC2_IMAGE"),
               SV("EBS_SNAPSHOT"));
AMI_ENUM_NAMES(RuleLockState, "rule lock state", SV("unlocked"), SV("locked"),
               SV("pending_unlock"));
#undef AMI_ENUM_NAMES

template <typename E>
absl::string_view NameOf(E v) {
  const auto i = static_cast<size_t>(v);
  return i < Names<E>::kValues.size() ? Names<E>::kValues[i] : absl::string_view("?");
}

// The error for text that names no value of E.
template <typename E>
absl::Status UnknownText(absl::string_view text) {
  std::string expected;
  for (const absl::string_view v : Names<E>::kValues) {
    if (!v.empty()) absl::StrAppend(&expected, expected.empty() ? "" : ", ", v);
  }
  return MakeError(choices::kInvalidValue,
                   absl::StrCat("invalid ", Names<E>::kWhat, " `", text_util::Clip(text),
                                "`: expected one of ", expected));
}

// DescribeImageAttribute's words (DESC-11).
template <>
absl::Status UnknownText<ImageAttributeName>(absl::string_view text) {
  return MakeError(choices::kInvalidValue,
                   absl::StrCat("unknown or unsupported ", Names<ImageAttributeName>::kWhat, " `",
                                text_util::Clip(text), "`"));
}

}  // namespace

template <typename E>
absl::StatusOr<E> ParseEnum(absl::string_view text) {
  const auto& values = Names<E>::kValues;
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] == text) return static_cast<E>(i);
  }
  return UnknownText<E>(text);
}

#define AMI_ENUM_FUNCTIONS(E)                                     \
  absl::string_view ToString(E v) { return NameOf(v); }           \
  template absl::StatusOr<E> ParseEnum<E>(absl::string_view text)

AMI_ENUM_FUNCTIONS(ImageState);
AMI_ENUM_FUNCTIONS(SnapshotState);
AMI_ENUM_FUNCTIONS(InstanceState);
AMI_ENUM_FUNCTIONS(RootDeviceType);
AMI_ENUM_FUNCTIONS(Architecture);
AMI_ENUM_FUNCTIONS(VirtualizationType);
AMI_ENUM_FUNCTIONS(BootMode);
AMI_ENUM_FUNCTIONS(VolumeType);
AMI_ENUM_FUNCTIONS(ProductCodeType);
AMI_ENUM_FUNCTIONS(OwnerAlias);
AMI_ENUM_FUNCTIONS(DeregistrationProtection);
AMI_ENUM_FUNCTIONS(ImageConsistency);
AMI_ENUM_FUNCTIONS(KeyManager);
AMI_ENUM_FUNCTIONS(KeyState);
AMI_ENUM_FUNCTIONS(MultiRegionRole);
AMI_ENUM_FUNCTIONS(AllowedImagesState);
AMI_ENUM_FUNCTIONS(SnapshotBlockPublicAccessState);
AMI_ENUM_FUNCTIONS(ImageAttributeName);
AMI_ENUM_FUNCTIONS(RecycleBinResourceType);
AMI_ENUM_FUNCTIONS(RuleLockState);
#undef AMI_ENUM_FUNCTIONS

absl::Status ValidateProductCode(const ProductCode& code) {
  bool ok = !code.code.empty() && code.code.size() <= 25;
  for (const char c : code.code) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
  }
  if (!ok) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat("invalid product code `", text_util::Clip(code.code),
                                  "`: expected 1 to 25 letters and digits"));
  }
  return absl::OkStatus();
}

}  // namespace ami
