// Library-internal construction of KMS key ids from their bits, for ids libami derives itself
// (new keys, the AWS managed aws/ebs keys) without a round trip through text.
#ifndef AMI_LIB_KMS_ID_ACCESS_H_
#define AMI_LIB_KMS_ID_ACCESS_H_

#include <cstdint>

#include "ami/arns.h"

namespace ami::internal {

struct KmsKeyIdAccess {
  // The key id whose 32 hex digits are high:low: `mrk-` + hex when `multi_region`, else a UUID.
  static KmsKeyId FromBits(uint64_t high, uint64_t low, bool multi_region);
  // True when `id` is the UUID key id high:low.
  static bool HasUuidBits(KmsKeyId id, uint64_t high, uint64_t low);
};

}  // namespace ami::internal

#endif  // AMI_LIB_KMS_ID_ACCESS_H_
