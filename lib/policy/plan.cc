#include "policy/plan.h"

#include "absl/strings/str_format.h"
#include "values/kms_id_access.h"

namespace ami::internal {

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t IdSequence::NextRandom() { return Mix(seed_ * 0x100000001b3ULL + ++next_); }

KmsKeyId IdSequence::NewKeyId(bool multi_region) {
  const uint64_t high = NextRandom();
  const uint64_t low = NextRandom();
  return KmsKeyIdAccess::FromBits(high, low, multi_region);
}

std::string IdSequence::NewGrantId() {
  const uint64_t first = NextRandom();
  const uint64_t second = NextRandom();
  return absl::StrFormat("%016x%016x", second, first);
}

const Plan::Extra& Plan::NoExtra() {
  static const Extra* const kNone = new Extra();
  return *kNone;
}

}  // namespace ami::internal
