// Library-internal construction of KMS key ids from their bits, for ids libami derives itself
// (the AWS managed aws/ebs keys) without a round trip through text.
#ifndef AMI_LIB_KMS_ID_ACCESS_H_
#define AMI_LIB_KMS_ID_ACCESS_H_

#include <cstdint>

#include "ami/kms_id.h"

namespace ami::internal {

struct KmsKeyIdAccess {
  // The UUID key id whose 128 bits are high:low. Fails (aborts) only past
  // kMaxDistinctKmsKeyIds distinct ids, which the 16 M pool bound keeps out of reach of derived
  // keys.
  static KmsKeyId FromUuidBits(uint64_t high, uint64_t low);
  // True when `id` is the UUID key id high:low; no interning, no lock.
  static bool HasUuidBits(KmsKeyId id, uint64_t high, uint64_t low);
};

}  // namespace ami::internal

#endif  // AMI_LIB_KMS_ID_ACCESS_H_
