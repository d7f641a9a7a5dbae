// The property check the fuzz targets share: a failed property prints what broke and aborts,
// so libFuzzer keeps the input as a crash.
#ifndef AMI_TESTS_FUZZ_FUZZ_CHECK_H_
#define AMI_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define AMI_FUZZ_CHECK(cond)                                                       \
  do {                                                                             \
    if (!(cond)) {                                                                 \
      std::fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                \
    }                                                                              \
  } while (0)

#endif  // AMI_TESTS_FUZZ_FUZZ_CHECK_H_
