// Live heap bytes as the allocator counts them: ami_bench replaces the global operator new and
// delete so that every allocation (libami, Abseil, protobuf, the standard library) is counted at
// its usable size.
#ifndef AMI_BENCH_ALLOC_COUNT_H_
#define AMI_BENCH_ALLOC_COUNT_H_

#include <cstdint>

namespace ami::bench {

// Bytes allocated with operator new and not yet deleted.
int64_t LiveHeapBytes();

}  // namespace ami::bench

#endif  // AMI_BENCH_ALLOC_COUNT_H_
