// How libami reports and bounds what it reads: the AWS error codes carried inside an
// absl::Status, the largest inputs read, and times as the AWS APIs print them.
// Thread-safe: constants and pure functions.
#ifndef AMI_ERRORS_H_
#define AMI_ERRORS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

// The AWS error codes that libami reports, and how they travel inside an absl::Status.
//
// Every failing libami call returns an absl::Status whose canonical code follows
// absl/status/status.h and whose payload names the AWS error code (for example
// `InvalidAMIID.Malformed`). Read it back with GetErrorCode(). Thread-safe: pure functions.
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

// The largest inputs libami reads, so that hostile or broken input meets a clear error instead
// of exhausting memory. Exceeding one of these is `ResourceLimitExceeded` naming the limit, except
// kMaxScenarioClockAdvance, a value out of range (`InvalidParameterValue`). Bounds that belong to
// a value live with it and are listed in README.md ("Limits"): kMaxStateFileBytes,
// kMaxStateRecordBytes and kMaxSizingHint (state_file.h), kMaxLaunchPermissionEntities (image.h),
// kMaxUserTagsPerResource (attributes.h), the DescribeImages bounds (requests.h), the Allowed
// AMIs and Recycle Bin bounds (state_view.h).

// One value's JSON text (FromJson).
inline constexpr size_t kMaxJsonValueBytes = size_t{16} << 20;
// The deepest nesting of JSON arrays and objects read (AWS CLI output nests under 10 deep).
inline constexpr size_t kMaxJsonDepth = 64;
// Decoded JSON may take at most this many times its text's size in memory, plus the allowance
// below (AWS CLI output decodes to less than its size; `{}` repeated would not).
inline constexpr size_t kMaxJsonDecodeFactor = 8;
inline constexpr size_t kJsonDecodeAllowanceBytes = size_t{1} << 20;
// One AWS CLI output file given to ImportAwsCli.
inline constexpr size_t kMaxAwsCliFileBytes = size_t{256} << 20;
// One key policy document (get-key-policy's Policy): AWS KMS's own limit, 32 KiB.
inline constexpr size_t kMaxKeyPolicyBytes = 32768;
// One scenario file's text, and its steps.
inline constexpr size_t kMaxScenarioBytes = size_t{16} << 20;
inline constexpr int kMaxScenarioSteps = 100000;
// The images, snapshots, instances and KMS keys one scenario may create or import.
inline constexpr size_t kMaxScenarioCreatedResources = 100000;
// The most one step may move a scenario's clock (`advance`, `advance_clock`): 100 years.
inline constexpr absl::Duration kMaxScenarioClockAdvance = absl::Hours(24 * 36525);

// Times as the AWS APIs print them. Thread-safe: pure functions.

// ISO 8601 in UTC with milliseconds ("2024-05-01T12:00:00.000Z"), or more digits when the time
// has them.
std::string FormatAwsTime(absl::Time t);
// Reads an RFC 3339 time ("…Z" or "…+00:00", any fraction); `InvalidParameterValue` otherwise.
absl::StatusOr<absl::Time> ParseAwsTime(absl::string_view text);

}  // namespace ami

#endif  // AMI_ERRORS_H_
