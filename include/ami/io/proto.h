// Protobuf and JSON forms of the libami values (target ami::proto).
//
// ToProto() writes a value into its ami.v1 message; FromProto() reads one back through the same
// validating builders as the C++ API, so a message can only produce a value the API could.
// Errors name the field path (for example `BlockDeviceMappings[0].Ebs.SnapshotId`) and keep the
// AWS error code of the underlying check. Undecodable bytes or JSON text fail with
// `SerializationException`; decodable but invalid content with the code of the failed check.
// JSON uses the AWS field names (`ImageId`, `OwnerId`, `BlockDeviceMappings`, …) and ignores
// unknown fields. Thread-safe: pure functions.
#ifndef AMI_IO_PROTO_H_
#define AMI_IO_PROTO_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ami/errors.h"
#include "ami/image.h"
#include "ami/instance.h"
#include "ami/kms_key.h"
#include "ami/snapshot.h"
#include "ami/v1/ami.pb.h"

namespace ami {

v1::KmsKey ToProto(const KmsKey& key);
v1::Snapshot ToProto(const Snapshot& snapshot);
v1::Image ToProto(const Image& image);
v1::Instance ToProto(const Instance& instance);
// The same, into `out` (cleared first), reusing its storage: for converting many values.
void ToProto(const KmsKey& key, v1::KmsKey* out);
void ToProto(const Snapshot& snapshot, v1::Snapshot* out);
void ToProto(const Image& image, v1::Image* out);
void ToProto(const Instance& instance, v1::Instance* out);

absl::StatusOr<KmsKey> FromProto(const v1::KmsKey& proto);
absl::StatusOr<Snapshot> FromProto(const v1::Snapshot& proto);
absl::StatusOr<Image> FromProto(const v1::Image& proto);
absl::StatusOr<Instance> FromProto(const v1::Instance& proto);

// Binary protobuf encoding of a KmsKey, Snapshot, Image or Instance.
template <typename T>
std::string ToBinary(const T& value) {
  return ToProto(value).SerializeAsString();
}

// Decodes binary protobuf into T (KmsKey, Snapshot, Image or Instance).
template <typename T>
absl::StatusOr<T> FromBinary(absl::string_view bytes);

// The AWS-shaped JSON form of a KmsKey, Snapshot, Image or Instance, indented. Fields that are
// empty are omitted, and so is a time the value does not hold (an unset creation, start or launch
// time, kept as the Unix epoch): never 1970-01-01 (MC-75). Fields marked "libami" in
// ami/v1/ami.proto (Region, Consistency, a key's Policy and Grants, …) are not in AWS's output.
template <typename T>
std::string ToJson(const T& value);

// Reads the AWS-shaped JSON form into T (KmsKey, Snapshot, Image or Instance). Timestamps may be
// ISO 8601 text or JSON numbers of epoch seconds (AWS CLI v1). A value of the wrong JSON type is
// `SerializationException` naming its path by the JSON names (`Tags[0]: expected an object`).
template <typename T>
absl::StatusOr<T> FromJson(absl::string_view json);

}  // namespace ami

#endif  // AMI_IO_PROTO_H_
