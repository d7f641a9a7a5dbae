// State-file loading. Properties: a file that loads saves back; that save loads to a cloud
// equal to the first, and saves again to the same bytes.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "ami/cloud.h"
#include "ami/io/state_file.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  const absl::StatusOr<std::unique_ptr<ami::Cloud>> cloud = ami::LoadState(in);
  if (!cloud.ok()) return 0;
  std::ostringstream first;
  AMI_FUZZ_CHECK(ami::SaveState(**cloud, first).ok());
  std::istringstream again(first.str());
  const absl::StatusOr<std::unique_ptr<ami::Cloud>> reloaded = ami::LoadState(again);
  AMI_FUZZ_CHECK(reloaded.ok());
  AMI_FUZZ_CHECK((*reloaded)->StateEquals(**cloud));
  std::ostringstream second;
  AMI_FUZZ_CHECK(ami::SaveState(**reloaded, second).ok());
  AMI_FUZZ_CHECK(second.str() == first.str());
  return 0;
}
