// Scenario files: parse, and run what parses (bounded: at most 64 steps, clock advances of at
// most a year). Properties: a run is deterministic (two runs format the same report), and a
// passing run has every step's expectation met.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ami/tools/scenario.h"
#include "ami/v1/scenario.pb.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto scenario = ami::ParseScenario(text, "fuzz.textproto");
  if (!scenario.ok() || scenario->steps_size() > 64) return 0;
  const auto first = ami::RunScenario(*scenario);
  const auto second = ami::RunScenario(*scenario);
  AMI_FUZZ_CHECK(first.ok() == second.ok());
  if (!first.ok()) return 0;
  AMI_FUZZ_CHECK(ami::FormatScenarioResult(*first) == ami::FormatScenarioResult(*second));
  if (first->passed) {
    for (const ami::ScenarioStepResult& step : first->steps) AMI_FUZZ_CHECK(step.expectation_met);
  }
  return 0;
}
