// Protobuf value decoding: the first byte picks the value type and the encoding (binary or
// JSON). Property: a value that decodes encodes back, and that encoding decodes to an equal
// value.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "ami/ami.h"
#include "ami/io/proto.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

template <typename T>
void Binary(absl::string_view bytes) {
  const absl::StatusOr<T> value = ami::FromBinary<T>(bytes);
  if (!value.ok()) return;
  const absl::StatusOr<T> again = ami::FromBinary<T>(ami::ToBinary(*value));
  AMI_FUZZ_CHECK(again.ok());
  AMI_FUZZ_CHECK(*again == *value);
}

template <typename T>
void Json(absl::string_view text) {
  const absl::StatusOr<T> value = ami::FromJson<T>(text);
  if (!value.ok()) return;
  const std::string json = ami::ToJson(*value);
  const absl::StatusOr<T> again = ami::FromJson<T>(json);
  AMI_FUZZ_CHECK(again.ok());
  AMI_FUZZ_CHECK(*again == *value);
  AMI_FUZZ_CHECK(ami::ToJson(*again) == json);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const absl::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 8) {
    case 0: Binary<ami::Image>(rest); break;
    case 1: Binary<ami::Snapshot>(rest); break;
    case 2: Binary<ami::Instance>(rest); break;
    case 3: Binary<ami::KmsKey>(rest); break;
    case 4: Json<ami::Image>(rest); break;
    case 5: Json<ami::Snapshot>(rest); break;
    case 6: Json<ami::Instance>(rest); break;
    default: Json<ami::KmsKey>(rest); break;
  }
  return 0;
}
