// How libami reports and bounds what it reads: the AWS error codes carried inside an
// absl::Status, the largest inputs read, times as the AWS APIs print them, and Input<T>, a
// parameter given as a value or as its request text. Thread-safe: constants, pure functions and
// values.
#ifndef AMI_ERRORS_H_
#define AMI_ERRORS_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

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
  // A policy document (identity policy, service control policy, key policy) that does not parse
  // or breaks the policy grammar.
  kMalformedPolicyDocument,
  // IAM's code for a user or role it does not hold (the policy simulator).
  kNoSuchEntity,
  // The AWS KMS and Recycle Bin APIs' code for a call IAM or a key policy does not authorize
  // (EC2's is UnauthorizedOperation).
  kAccessDeniedException,
  // The codes of Data Lifecycle Manager, AWS Backup, EventBridge and EventBridge Scheduler.
  kInvalidRequestException,
  kResourceNotFoundException,
  kLimitExceededException,
  kInvalidParameterValueException,
  kMissingParameterValueException,
  kAlreadyExistsException,
  kValidationException,

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

// Parameters given as a value or as its request text (the Cloud's ids, ARNs and enum words).
//
// Input<T> is a T given directly, or the text an EC2 or KMS request carries for it, decoded when
// the operation runs: a malformed text is the AWS error that T's parser returns, exactly as if
// the operation had read the text itself. The parser is T::Parse for ids and ARNs (ImageId,
// KmsKeyRef, Region, …) and ParseEnum<T> (ami/attributes.h) for enums. Given a T, no string is
// made and nothing is parsed. InputList<T> is a list of them. Thread-safe: values; const methods
// may be called concurrently.

template <typename E>
absl::StatusOr<E> ParseEnum(absl::string_view text);

namespace internal {
// T's text form: ToString(value) for an enum, value.ToString() otherwise.
template <typename T>
std::string InputText(const T& value) {
  if constexpr (std::is_enum_v<T>) {
    return std::string(ToString(value));
  } else {
    return std::string(value.ToString());
  }
}
}  // namespace internal

template <typename T>
class Input {
 public:
  Input(T value) : v_(std::move(value)) {}  // NOLINT: implicit, as are the others.
  // A value that converts to T (an ImageId for a ResourceId).
  template <typename U, std::enable_if_t<!std::is_same_v<std::decay_t<U>, T> &&
                                             std::is_convertible_v<U&&, T> &&
                                             !std::is_convertible_v<U&&, absl::string_view>,
                                         int> = 0>
  Input(U&& value) : v_(T(std::forward<U>(value))) {}  // NOLINT
  Input(const char* text) : v_(std::string(text)) {}  // NOLINT
  Input(const std::string& text) : v_(text) {}  // NOLINT
  Input(std::string&& text) : v_(std::move(text)) {}  // NOLINT
  Input(absl::string_view text) : v_(std::string(text)) {}  // NOLINT

  // The value, or the text decoded; a malformed text is its AWS error.
  absl::StatusOr<T> Decode() const {
    if (const T* value = std::get_if<T>(&v_)) return *value;
    const std::string& text = std::get<std::string>(v_);
    if constexpr (std::is_enum_v<T>) {
      return ParseEnum<T>(text);
    } else {
      return T::Parse(text);
    }
  }
  // The text as given, or the value's text form.
  std::string ToString() const {
    if (const std::string* text = std::get_if<std::string>(&v_)) return *text;
    return internal::InputText(std::get<T>(v_));
  }
  // True when given as text.
  bool is_text() const { return std::holds_alternative<std::string>(v_); }

 private:
  std::variant<T, std::string> v_;
};

// A list of Input<T>: from braced values or texts, a std::vector<std::string> or a std::vector<T>.
template <typename T>
class InputList {
 public:
  InputList() = default;
  InputList(std::initializer_list<Input<T>> items) : items_(items) {}
  InputList(const std::vector<std::string>& texts)  // NOLINT: implicit, as is the next.
      : items_(texts.begin(), texts.end()) {}
  InputList(const std::vector<T>& values) : items_(values.begin(), values.end()) {}

  // Every item decoded, in order; the first malformed one is its AWS error.
  absl::StatusOr<std::vector<T>> Decode() const {
    std::vector<T> out;
    out.reserve(items_.size());
    for (const Input<T>& item : items_) {
      absl::StatusOr<T> value = item.Decode();
      if (!value.ok()) return std::move(value).status();
      out.push_back(*std::move(value));
    }
    return out;
  }
  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }
  const std::vector<Input<T>>& items() const { return items_; }

 private:
  std::vector<Input<T>> items_;
};

}  // namespace ami

#endif  // AMI_ERRORS_H_
