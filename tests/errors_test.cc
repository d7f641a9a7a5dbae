#include "ami/errors.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;

TEST(Errors, EveryCodeHasAnAwsNameThatReadsBack) {
  for (int i = 0; i < static_cast<int>(ErrorCode::kDoNotUseSentinel); ++i) {
    const auto code = static_cast<ErrorCode>(i);
    const absl::string_view name = ErrorCodeName(code);
    EXPECT_NE(name, "Unknown") << i;
    EXPECT_EQ(ErrorCodeFromName(name), code) << name;
  }
}

TEST(Errors, AwsSpellings) {
  EXPECT_EQ(ErrorCodeName(ErrorCode::kInvalidAMIIDMalformed), "InvalidAMIID.Malformed");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kInvalidAMIIDNotFound), "InvalidAMIID.NotFound");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kInvalidSnapshotNotFound), "InvalidSnapshot.NotFound");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kInvalidSnapshotInUse), "InvalidSnapshot.InUse");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kInvalidZoneNotFound), "InvalidZone.NotFound");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kAuthFailure), "AuthFailure");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kKmsNotFoundException), "NotFoundException");
}

TEST(Errors, UnknownNameHasNoCode) {
  EXPECT_FALSE(ErrorCodeFromName("NoSuchCode").has_value());
  EXPECT_FALSE(ErrorCodeFromName("").has_value());
}

TEST(Errors, CanonicalCodes) {
  EXPECT_EQ(CanonicalCode(ErrorCode::kInvalidAMIIDMalformed), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CanonicalCode(ErrorCode::kInvalidAMIIDNotFound), absl::StatusCode::kNotFound);
  EXPECT_EQ(CanonicalCode(ErrorCode::kAuthFailure), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(CanonicalCode(ErrorCode::kUnauthorizedOperation), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(CanonicalCode(ErrorCode::kInvalidAMINameDuplicate), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(CanonicalCode(ErrorCode::kInvalidSnapshotInUse), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CanonicalCode(ErrorCode::kResourceLimitExceeded), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(CanonicalCode(ErrorCode::kSerializationException), absl::StatusCode::kDataLoss);
}

TEST(Errors, MakeErrorCarriesCodeAndMessage) {
  const absl::Status s = MakeError(ErrorCode::kInvalidAMIIDUnavailable, "image `ami-12345678` is gone");
  EXPECT_THAT(s, HasErrorCode(ErrorCode::kInvalidAMIIDUnavailable));
  EXPECT_EQ(s.message(), "image `ami-12345678` is gone");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
}

TEST(Errors, StatusWithoutPayloadHasNoCode) {
  EXPECT_FALSE(GetErrorCode(absl::OkStatus()).has_value());
  EXPECT_FALSE(GetErrorCode(absl::InvalidArgumentError("plain")).has_value());
  absl::Status forged = absl::InvalidArgumentError("forged");
  forged.SetPayload(kErrorCodePayloadUrl, absl::Cord("NotACode"));
  EXPECT_FALSE(GetErrorCode(forged).has_value());
}

}  // namespace
}  // namespace ami
