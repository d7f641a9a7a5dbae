#include "ami/errors.h"

#include <array>
#include <string>

#include "absl/strings/cord.h"

namespace ami {
namespace {

struct CodeInfo {
  ErrorCode code;
  absl::string_view name;
  absl::StatusCode canonical;
};

using SC = absl::StatusCode;
using EC = ErrorCode;

// One row per code, in enum order. The canonical codes follow absl/status/status.h:
// malformed input is kInvalidArgument, a missing resource kNotFound, an operation the
// resource's state forbids kFailedPrecondition, a missing permission kPermissionDenied.
constexpr std::array<CodeInfo, static_cast<size_t>(EC::kDoNotUseSentinel)> kCodes = {{
    {EC::kAuthFailure, "AuthFailure", SC::kPermissionDenied},
    {EC::kUnauthorizedOperation, "UnauthorizedOperation", SC::kPermissionDenied},
    {EC::kDryRunOperation, "DryRunOperation", SC::kFailedPrecondition},
    {EC::kOptInRequired, "OptInRequired", SC::kPermissionDenied},
    {EC::kInvalidAMIIDMalformed, "InvalidAMIID.Malformed", SC::kInvalidArgument},
    {EC::kInvalidAMIIDNotFound, "InvalidAMIID.NotFound", SC::kNotFound},
    {EC::kInvalidAMIIDUnavailable, "InvalidAMIID.Unavailable", SC::kFailedPrecondition},
    {EC::kInvalidAMINameDuplicate, "InvalidAMIName.Duplicate", SC::kAlreadyExists},
    {EC::kInvalidAMINameMalformed, "InvalidAMIName.Malformed", SC::kInvalidArgument},
    {EC::kInvalidAMIAttributeItemValue, "InvalidAMIAttributeItemValue", SC::kInvalidArgument},
    {EC::kInvalidSnapshotIDMalformed, "InvalidSnapshotID.Malformed", SC::kInvalidArgument},
    {EC::kInvalidSnapshotNotFound, "InvalidSnapshot.NotFound", SC::kNotFound},
    {EC::kInvalidSnapshotInUse, "InvalidSnapshot.InUse", SC::kFailedPrecondition},
    {EC::kInvalidInstanceIDMalformed, "InvalidInstanceID.Malformed", SC::kInvalidArgument},
    {EC::kInvalidInstanceIDNotFound, "InvalidInstanceID.NotFound", SC::kNotFound},
    {EC::kInvalidVolumeIDMalformed, "InvalidVolumeID.Malformed", SC::kInvalidArgument},
    {EC::kInvalidVolumeNotFound, "InvalidVolume.NotFound", SC::kNotFound},
    {EC::kInvalidID, "InvalidID", SC::kInvalidArgument},
    {EC::kInvalidUserIDMalformed, "InvalidUserID.Malformed", SC::kInvalidArgument},
    {EC::kInvalidRegion, "InvalidRegion", SC::kInvalidArgument},
    {EC::kInvalidZoneNotFound, "InvalidZone.NotFound", SC::kNotFound},
    {EC::kIncorrectInstanceState, "IncorrectInstanceState", SC::kFailedPrecondition},
    {EC::kConcurrentCreateImageNoRebootLimitExceeded,
     "ConcurrentCreateImageNoRebootLimitExceeded", SC::kResourceExhausted},
    {EC::kUnsupportedOperation, "UnsupportedOperation", SC::kFailedPrecondition},
    {EC::kOperationNotPermitted, "OperationNotPermitted", SC::kFailedPrecondition},
    {EC::kInvalidRequest, "InvalidRequest", SC::kInvalidArgument},
    {EC::kIdempotentParameterMismatch, "IdempotentParameterMismatch", SC::kInvalidArgument},
    {EC::kEncryptedVolumesNotSupported, "EncryptedVolumesNotSupported", SC::kFailedPrecondition},
    {EC::kCustomerKeyHasBeenRevoked, "CustomerKeyHasBeenRevoked", SC::kFailedPrecondition},
    {EC::kResourceLimitExceeded, "ResourceLimitExceeded", SC::kResourceExhausted},
    {EC::kTagLimitExceeded, "TagLimitExceeded", SC::kResourceExhausted},
    {EC::kInvalidParameter, "InvalidParameter", SC::kInvalidArgument},
    {EC::kInvalidParameterValue, "InvalidParameterValue", SC::kInvalidArgument},
    {EC::kInvalidParameterCombination, "InvalidParameterCombination", SC::kInvalidArgument},
    {EC::kMissingParameter, "MissingParameter", SC::kInvalidArgument},
    {EC::kKmsNotFoundException, "NotFoundException", SC::kNotFound},
    {EC::kKmsInvalidArnException, "InvalidArnException", SC::kInvalidArgument},
    {EC::kKmsInvalidAliasNameException, "InvalidAliasNameException", SC::kInvalidArgument},
    {EC::kKmsDisabledException, "DisabledException", SC::kFailedPrecondition},
    {EC::kKmsInvalidStateException, "KMSInvalidStateException", SC::kFailedPrecondition},
    {EC::kSerializationException, "SerializationException", SC::kDataLoss},
    {EC::kMalformedPolicyDocument, "MalformedPolicyDocument", SC::kInvalidArgument},
    {EC::kNoSuchEntity, "NoSuchEntity", SC::kNotFound},
    {EC::kAccessDeniedException, "AccessDeniedException", SC::kPermissionDenied},
    {EC::kInvalidRequestException, "InvalidRequestException", SC::kInvalidArgument},
    {EC::kResourceNotFoundException, "ResourceNotFoundException", SC::kNotFound},
    {EC::kLimitExceededException, "LimitExceededException", SC::kResourceExhausted},
    {EC::kInvalidParameterValueException, "InvalidParameterValueException",
     SC::kInvalidArgument},
    {EC::kMissingParameterValueException, "MissingParameterValueException",
     SC::kInvalidArgument},
    {EC::kAlreadyExistsException, "AlreadyExistsException", SC::kAlreadyExists},
    {EC::kValidationException, "ValidationException", SC::kInvalidArgument},
}};

constexpr bool RowsInEnumOrder() {
  for (size_t i = 0; i < kCodes.size(); ++i) {
    if (static_cast<size_t>(kCodes[i].code) != i) return false;
  }
  return true;
}
static_assert(RowsInEnumOrder(), "kCodes must list every ErrorCode in enum order");

const CodeInfo* Find(ErrorCode code) {
  const auto index = static_cast<size_t>(code);
  return index < kCodes.size() ? &kCodes[index] : nullptr;
}

}  // namespace

absl::string_view ErrorCodeName(ErrorCode code) {
  const CodeInfo* info = Find(code);
  return info == nullptr ? absl::string_view("Unknown") : info->name;
}

std::optional<ErrorCode> ErrorCodeFromName(absl::string_view name) {
  for (const CodeInfo& info : kCodes) {
    if (info.name == name) return info.code;
  }
  return std::nullopt;
}

absl::StatusCode CanonicalCode(ErrorCode code) {
  const CodeInfo* info = Find(code);
  return info == nullptr ? absl::StatusCode::kUnknown : info->canonical;
}

absl::Status MakeError(ErrorCode code, absl::string_view message) {
  absl::Status status(CanonicalCode(code), message);
  status.SetPayload(kErrorCodePayloadUrl, absl::Cord(ErrorCodeName(code)));
  return status;
}

std::optional<ErrorCode> GetErrorCode(const absl::Status& status) {
  if (status.ok()) return std::nullopt;
  auto payload = status.GetPayload(kErrorCodePayloadUrl);
  if (!payload.has_value()) return std::nullopt;
  return ErrorCodeFromName(std::string(*payload));
}

}  // namespace ami
