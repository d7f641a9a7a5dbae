// Small in-tree equivalents of the status macros that Abseil 20220623 does not ship.
// Internal to libami and its tests; not installed.
#ifndef AMI_LIB_STATUS_MACROS_H_
#define AMI_LIB_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

#define AMI_STATUS_CONCAT_INNER_(a, b) a##b
#define AMI_STATUS_CONCAT_(a, b) AMI_STATUS_CONCAT_INNER_(a, b)

// Returns the status of `expr` from the enclosing function when it is not OK.
#define AMI_RETURN_IF_ERROR(expr)                    \
  do {                                               \
    ::absl::Status ami_status_ = (expr);             \
    if (!ami_status_.ok()) return ami_status_;       \
  } while (false)

// Evaluates `rexpr` (a StatusOr); returns its status when not OK, else moves its value into `lhs`.
#define AMI_ASSIGN_OR_RETURN(lhs, rexpr) \
  AMI_ASSIGN_OR_RETURN_IMPL_(AMI_STATUS_CONCAT_(ami_statusor_, __LINE__), lhs, rexpr)

#define AMI_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                               \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

namespace ami::internal {

// `status` with `prefix` before its message; its code and payloads (the AWS error code) kept.
inline absl::Status PrefixStatus(absl::string_view prefix, const absl::Status& status) {
  if (status.ok()) return status;
  absl::Status out(status.code(), absl::StrCat(prefix, status.message()));
  status.ForEachPayload(
      [&out](absl::string_view url, const absl::Cord& payload) { out.SetPayload(url, payload); });
  return out;
}

}  // namespace ami::internal

#endif  // AMI_LIB_STATUS_MACROS_H_
