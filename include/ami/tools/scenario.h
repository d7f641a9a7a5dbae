// Scenario files: stories told to a fresh ami::Cloud in text-format protobuf
// (proto/ami/v1/scenario.proto) — set up accounts, organizations, keys and resources, call
// operations as an account in a Region, move the clock, and check what each step should do.
//
// ParseScenario() reads a file; RunScenario() runs it and reports each step; FormatScenarioResult()
// prints the report. A scenario that cannot run (a step without an operation, an unknown "$label",
// an unknown expected error code, a check that does not apply to its resource) is an
// absl::Status; an operation that fails is a step's outcome, compared with its expectation.
// Thread-safe: pure functions; each run uses its own Cloud.
#ifndef AMI_TOOLS_SCENARIO_H_
#define AMI_TOOLS_SCENARIO_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ami/cloud.h"
#include "ami/v1/scenario.pb.h"

namespace ami {

// What one step did.
struct ScenarioStepResult {
  // 1-based position of the step in the scenario.
  int index = 0;
  // The step's name ("" when it has none).
  std::string name;
  // The calling account and the Region of the call ("" when the step names none).
  std::string caller;
  std::string region;
  // The operation's field name, for example "copy_image".
  std::string operation;
  // "ok" followed by what the step returned (ids, an attribute value), or the AWS error code,
  // ": " and the error message.
  std::string outcome;
  // True when every part of the step's expectation held.
  bool expectation_met = false;
  // Why the expectation did not hold; empty when it did.
  std::string mismatch;
};

// How RunScenario runs.
struct ScenarioRunOptions {
  // True: stop at the first step whose expectation fails. False: run every step, so that one
  // report shows every mismatch (the cloud goes on from what each step did).
  bool stop_at_first_mismatch = true;
};

// What a scenario run did: the steps run (up to and including the first whose expectation
// failed, unless the run went on).
struct ScenarioResult {
  // The scenario's name.
  std::string name;
  std::vector<ScenarioStepResult> steps;
  // True when every step met its expectation.
  bool passed = false;
  // The first failing step, named ("step 4 \"B launches\": …"); empty when passed.
  std::string first_mismatch;
};

// Parses a scenario (text-format protobuf); errors name the file and, where protobuf tells it,
// the line and column ("scenarios/x.textproto:12:5: …"); every id and enum is validated when the
// step runs.
// Text with a NUL byte or invalid UTF-8 is `SerializationException`.
absl::StatusOr<ami::v1::Scenario> ParseScenario(absl::string_view text, absl::string_view file_name);

// The 1-based line on which each step of `text` begins, in step order, for reports; empty when
// the text does not parse.
std::vector<int> ScenarioStepLines(absl::string_view text);

// Reads and parses the scenario file at `path`. A file larger than kMaxScenarioBytes
// (ami/errors.h) is `ResourceLimitExceeded` by its size, before it is read; one that cannot be
// read `InvalidParameterValue`.
absl::StatusOr<ami::v1::Scenario> ParseScenarioFile(const std::string& path);

// Runs every step on a fresh Cloud made with the scenario's seed and start time, checking each
// expectation; stops at the first step whose expectation fails (passed=false, first_mismatch
// names the step). A step without an expectation expects success. Returns a Status only for a
// scenario that cannot run (malformed step, unknown "$label"), naming the step: a clock move
// that is negative, infinite or over kMaxScenarioClockAdvance is `InvalidParameterValue`; a
// scenario that would hold more than kMaxScenarioCreatedResources images, snapshots, instances
// and KMS keys of its own is `ResourceLimitExceeded` (ami/errors.h).
absl::StatusOr<ScenarioResult> RunScenario(const ami::v1::Scenario& scenario);
// As above; `*cloud` receives the cloud as the run left it (after the last step run), for
// example to save it as a state file.
absl::StatusOr<ScenarioResult> RunScenario(const ami::v1::Scenario& scenario,
                                           std::unique_ptr<Cloud>* cloud);
// As above, run as `options` say; `cloud` may be nullptr.
absl::StatusOr<ScenarioResult> RunScenario(const ami::v1::Scenario& scenario,
                                           const ScenarioRunOptions& options,
                                           std::unique_ptr<Cloud>* cloud);

// One line per step: "step N  CALLER  REGION  OPERATION  OUTCOME", then PASS or FAIL with the
// first mismatch.
std::string FormatScenarioResult(const ScenarioResult& result);

}  // namespace ami

#endif  // AMI_TOOLS_SCENARIO_H_
