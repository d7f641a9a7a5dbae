// AWS CLI JSON import of one file, of the kind it says it is. Properties: detection and import
// agree on what is JSON; an import is deterministic (the same file imports to equal clouds);
// the imported cloud survives a state-file round trip.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "ami/io/aws_import.h"
#include "ami/cloud.h"
#include "ami/io/state_file.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ami::AwsCliFile file;
  file.name = "fuzz.json";
  file.json.assign(reinterpret_cast<const char*>(data), size);
  file.account = *ami::AccountId::Parse("111122223333");
  (void)ami::DetectAwsCliKind(file.json);
  const auto first = ami::ImportAwsCli({file}, ami::Cloud::Options());
  if (!first.ok()) return 0;
  const auto second = ami::ImportAwsCli({file}, ami::Cloud::Options());
  AMI_FUZZ_CHECK(second.ok() && (*second)->StateEquals(**first));
  std::stringstream state;
  AMI_FUZZ_CHECK(ami::SaveState(**first, state).ok());
  const auto loaded = ami::LoadState(state);
  AMI_FUZZ_CHECK(loaded.ok() && (*loaded)->StateEquals(**first));
  return 0;
}
