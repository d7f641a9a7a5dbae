// Every id, ARN, name and time parser: the first byte picks the parser, the rest is the text.
// Property: what parses prints back, and the printed form parses to the same value and prints
// the same again.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "ami/ami.h"
#include "ami/errors.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

template <typename T>
void RoundTrip(absl::string_view text) {
  const absl::StatusOr<T> first = T::Parse(text);
  if (!first.ok()) return;
  const std::string printed = first->ToString();
  const absl::StatusOr<T> second = T::Parse(printed);
  AMI_FUZZ_CHECK(second.ok());
  AMI_FUZZ_CHECK(second->ToString() == printed);
}

template <typename T>
void RoundTripEqual(absl::string_view text) {
  RoundTrip<T>(text);
  const absl::StatusOr<T> first = T::Parse(text);
  if (first.ok()) AMI_FUZZ_CHECK(*T::Parse(first->ToString()) == *first);
}

template <typename E>
void RoundTripEnum(absl::string_view text) {
  const absl::StatusOr<E> v = ami::ParseEnum<E>(text);
  if (!v.ok()) return;
  AMI_FUZZ_CHECK(ami::ToString(*v) == text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const absl::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 20) {
    case 0: RoundTripEqual<ami::AccountId>(text); break;
    case 1: RoundTripEqual<ami::ImageId>(text); break;
    case 2: RoundTripEqual<ami::SnapshotId>(text); break;
    case 3: RoundTripEqual<ami::InstanceId>(text); break;
    case 4: RoundTripEqual<ami::VolumeId>(text); break;
    case 5: RoundTripEqual<ami::Region>(text); break;
    case 6: RoundTripEqual<ami::AvailabilityZone>(text); break;
    case 7: RoundTripEqual<ami::AvailabilityZoneId>(text); break;
    case 8: RoundTripEqual<ami::KmsKeyId>(text); break;
    case 9: RoundTripEqual<ami::KmsKeyArn>(text); break;
    case 10: RoundTripEqual<ami::KmsKeyRef>(text); break;
    case 11: RoundTripEqual<ami::OrganizationId>(text); break;
    case 12: RoundTripEqual<ami::OrganizationalUnitId>(text); break;
    case 13: RoundTripEqual<ami::OrganizationArn>(text); break;
    case 14: RoundTripEqual<ami::OrganizationalUnitArn>(text); break;
    case 15: {
      const absl::StatusOr<absl::Time> t = ami::ParseAwsTime(text);
      if (t.ok()) {
        const absl::StatusOr<absl::Time> again = ami::ParseAwsTime(ami::FormatAwsTime(*t));
        AMI_FUZZ_CHECK(again.ok() && *again == *t);
      }
      break;
    }
    case 16:
      RoundTripEnum<ami::ImageState>(text);
      RoundTripEnum<ami::VolumeType>(text);
      RoundTripEnum<ami::Architecture>(text);
      RoundTripEnum<ami::KeyState>(text);
      RoundTripEnum<ami::AllowedImagesState>(text);
      break;
    case 17:
      (void)ami::ValidateImageName(text);
      (void)ami::ValidateInstanceType(text);
      (void)ami::ValidateNewAliasName(text);
      break;
    case 18: {
      const absl::Status s = ami::ValidateProductCode({std::string(text)});
      AMI_FUZZ_CHECK(s.ok() == (!text.empty() && text.size() <= 25 &&
                                text.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                                       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") ==
                                    absl::string_view::npos));
      break;
    }
    default: {
      // KMS actions, one per line.
      std::vector<std::string> actions;
      size_t start = 0;
      for (size_t i = 0; i <= text.size(); ++i) {
        if (i == text.size() || text[i] == '\n') {
          actions.emplace_back(text.substr(start, i - start));
          start = i + 1;
        }
      }
      const absl::StatusOr<ami::KmsActions> parsed = ami::KmsActions::Parse(actions);
      if (parsed.ok()) {
        const absl::StatusOr<ami::KmsActions> again = ami::KmsActions::Parse(parsed->ToStrings());
        AMI_FUZZ_CHECK(again.ok() && *again == *parsed);
      }
      break;
    }
  }
  return 0;
}
