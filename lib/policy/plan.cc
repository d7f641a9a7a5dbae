#include "policy/plan.h"

namespace ami::internal {

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t IdSequence::NextRandom() { return Mix(seed_ * 0x100000001b3ULL + ++next_); }

}  // namespace ami::internal
