// The AWS error codes that libami reports, and how they travel inside an absl::Status.
//
// Every failing libami call returns an absl::Status whose canonical code follows
// absl/status/status.h and whose payload names the AWS error code (for example
// `InvalidAMIID.Malformed`). Read it back with GetErrorCode(). Thread-safe: pure functions.
#ifndef AMI_ERRORS_H_
#define AMI_ERRORS_H_

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ami {

// An AWS API error code (rulebook §15 and the `*.Malformed` / `*.NotFound` family).
// New codes may be added: do not switch on this enum without a default.
enum class ErrorCode : uint16_t {
  // Authorization.
  kAuthFailure,
  kUnauthorizedOperation,
  kDryRunOperation,
  kOptInRequired,
  // Images.
  kInvalidAMIIDMalformed,
  kInvalidAMIIDNotFound,
  kInvalidAMIIDUnavailable,
  kInvalidAMINameDuplicate,
  kInvalidAMINameMalformed,
  kInvalidAMIAttributeItemValue,
  // Snapshots, instances, volumes, other ids.
  kInvalidSnapshotIDMalformed,
  kInvalidSnapshotNotFound,
  kInvalidSnapshotInUse,
  kInvalidInstanceIDMalformed,
  kInvalidInstanceIDNotFound,
  kInvalidVolumeIDMalformed,
  kInvalidVolumeNotFound,
  kInvalidID,
  kInvalidUserIDMalformed,
  kInvalidRegion,
  kInvalidZoneNotFound,
  kIncorrectInstanceState,
  kConcurrentCreateImageNoRebootLimitExceeded,
  // Operations the resource or account forbids.
  kUnsupportedOperation,
  kOperationNotPermitted,
  kInvalidRequest,
  kIdempotentParameterMismatch,
  kEncryptedVolumesNotSupported,
  kCustomerKeyHasBeenRevoked,
  kResourceLimitExceeded,
  kTagLimitExceeded,
  // Parameters.
  kInvalidParameter,
  kInvalidParameterValue,
  kInvalidParameterCombination,
  kMissingParameter,
  // AWS KMS API errors (KMS key identifiers and key state).
  kKmsNotFoundException,
  kKmsInvalidArnException,
  kKmsInvalidAliasNameException,
  kKmsDisabledException,
  kKmsInvalidStateException,
  // Bytes or text that cannot be decoded at all (protobuf wire format, JSON syntax).
  kSerializationException,

  // Do not use: lets the enum grow without breaking callers.
  kDoNotUseSentinel,
};

// The code as AWS spells it, for example "InvalidAMIID.Malformed".
absl::string_view ErrorCodeName(ErrorCode code);

// The code whose AWS spelling is `name`, if there is one.
std::optional<ErrorCode> ErrorCodeFromName(absl::string_view name);

// The canonical absl::StatusCode that libami uses for `code`.
absl::StatusCode CanonicalCode(ErrorCode code);

// A non-OK status with the canonical code for `code`, the given message and `code` as payload.
absl::Status MakeError(ErrorCode code, absl::string_view message);

// The AWS error code carried by `status`, or nullopt when it is OK or carries none.
std::optional<ErrorCode> GetErrorCode(const absl::Status& status);

// The payload type URL under which the AWS error code is stored.
inline constexpr absl::string_view kErrorCodePayloadUrl = "type.libami.dev/ami.ErrorCode";

}  // namespace ami

#endif  // AMI_ERRORS_H_
