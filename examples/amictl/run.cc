// amictl run: scenario files, one line per step, exit status by expectations.
#include <cstdio>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "ami/io/state_file.h"
#include "ami/tools/scenario.h"
#include "cli.h"

namespace amictl {
namespace {

constexpr char kHelp[] =
    "usage: amictl run [--json] [--save-state STATE] SCENARIO...\n"
    "\n"
    "Runs each scenario file (text-format protobuf, see README.md) on a fresh cloud, printing\n"
    "one line per step (step, caller, region, operation, outcome). Exit 0 only when every\n"
    "expectation of every scenario holds; 1 naming the first mismatch otherwise; 2 when a file\n"
    "cannot be read or parsed. --save-state writes the cloud the last scenario left as a state\n"
    "file, for explain, simulate and audit.\n";

}  // namespace

int Run(const Args& args) {
  if (args.help) {
    std::fputs(kHelp, stdout);
    return kOk;
  }
  const std::vector<std::string> files = args.Positionals();
  if (files.empty()) {
    std::fputs(kHelp, stderr);
    return kUsage;
  }
  int status = kOk;
  if (args.json) std::printf("[");
  for (size_t f = 0; f < files.size(); ++f) {
    auto scenario = ami::ParseScenarioFile(files[f]);
    if (!scenario.ok()) return Fail(args, scenario.status());
    std::unique_ptr<ami::Cloud> cloud;
    auto result = ami::RunScenario(*scenario, &cloud);
    if (!result.ok()) return Fail(args, result.status());
    if (auto out = args.Get("--save-state"); out && f + 1 == files.size()) {
      if (absl::Status saved = ami::SaveStateToFile(*cloud, *out); !saved.ok()) return Fail(args, saved);
    }
    if (args.json) {
      std::printf("%s{\"File\": %s, \"Scenario\": %s, \"Passed\": %s, \"FirstMismatch\": %s, \"Steps\": [",
                  f ? ", " : "", Quote(files[f]).c_str(), Quote(result->name).c_str(),
                  result->passed ? "true" : "false", Quote(result->first_mismatch).c_str());
      for (size_t i = 0; i < result->steps.size(); ++i) {
        const ami::ScenarioStepResult& s = result->steps[i];
        std::printf("%s{\"Step\": %d, \"Name\": %s, \"Caller\": %s, \"Region\": %s, \"Operation\": %s, "
                    "\"Outcome\": %s, \"ExpectationMet\": %s}",
                    i ? ", " : "", s.index, Quote(s.name).c_str(), Quote(s.caller).c_str(),
                    Quote(s.region).c_str(), Quote(s.operation).c_str(), Quote(s.outcome).c_str(),
                    s.expectation_met ? "true" : "false");
      }
      std::printf("]}");
    } else {
      std::printf("== %s\n%s", files[f].c_str(), ami::FormatScenarioResult(*result).c_str());
      if (!result->passed) std::printf("FAIL %s: %s\n", files[f].c_str(), result->first_mismatch.c_str());
    }
    if (!result->passed) status = kFailed;
  }
  if (args.json) std::printf("]\n");
  return status;
}

}  // namespace amictl
