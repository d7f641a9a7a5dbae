// The scenario runner: runs a scenario's steps on one Cloud, saving labels and checking
// expectations. Internal to libami: lib/scenario.cc holds the run, lib/scenario_ops.cc the
// operations and lib/scenario_expect.cc the expectations. Thread-compatible: a runner owns its
// Cloud and is used by one thread.
#ifndef AMI_LIB_SCENARIO_RUNNER_H_
#define AMI_LIB_SCENARIO_RUNNER_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ami/cloud.h"
#include "ami/tools/scenario.h"
#include "ami/v1/scenario.pb.h"
#include "tools/scenario_facts.h"
#include "tools/scenario_lifecycle.h"

namespace ami::scenario_internal {

// What an operation did, as the report shows it: "ok" and the ids and detail, or the error.
std::string OutcomeText(const Outcome& o);

// True when `message` (an UnauthorizedOperation's) names `key` in a residual condition: after
// "allowed only if" or "denied if"; key names are case-insensitive.
bool NamesResidualKey(absl::string_view message, absl::string_view key);

// A clock move: a duration from zero to kMaxScenarioClockAdvance, else InvalidParameterValue.
absl::StatusOr<absl::Duration> StepDuration(absl::string_view what, const std::string& text);

class Runner {
 public:
  explicit Runner(std::unique_ptr<Cloud> cloud);

  // The cloud, as the steps left it; the runner is done.
  std::unique_ptr<Cloud> Release() { return std::move(cloud_); }

  // Runs one step; InvalidArgument for a step that cannot run.
  absl::StatusOr<ScenarioStepResult> RunStep(int index, const v1::Step& step);

 private:
  absl::StatusOr<std::string> Resolve(const std::string& text) const;
  absl::StatusOr<std::vector<std::string>> ResolveAll(const google::protobuf::RepeatedPtrField<std::string>& ids) const;
  absl::StatusOr<std::string> SnapshotOf(const std::string& label, const std::string& image,
                                         absl::string_view rest) const;
  absl::Status Save(int index, const v1::Step& step, const Outcome& outcome);
  // ResourceLimitExceeded when the scenario holds more than kMaxScenarioCreatedResources of its
  // own, or would once `step` has launched its instances.
  absl::Status CheckCreated(const v1::Step& step) const;

  // Moves the clock by the step's `advance`, then runs its operation (Operate), recording for
  // expect.unchanged whether the operation changed the cloud.
  absl::StatusOr<Outcome> Execute(const v1::Step& step);
  absl::StatusOr<Outcome> Operate(const v1::Step& step);
  absl::StatusOr<Outcome> Setup(const v1::Step& step);
  absl::StatusOr<Outcome> OrganizationOp(const v1::Step& step);
  absl::StatusOr<Outcome> ImportOp(const v1::Step& step);
  // put_principal and the service control policy steps (lib/tools/scenario_iam.cc).
  absl::StatusOr<Outcome> IamOp(const v1::Step& step);
  absl::StatusOr<Outcome> Settings(const v1::Step& step);
  absl::StatusOr<Outcome> Kms(const v1::Step& step);
  absl::StatusOr<Outcome> KeyOp(const v1::Step& step);
  absl::StatusOr<Outcome> KeyStateOp(const v1::Step& step);
  absl::StatusOr<Outcome> Instances(const v1::Step& step);
  absl::StatusOr<Outcome> Images(const v1::Step& step);
  absl::StatusOr<Outcome> Sharing(const v1::Step& step);
  absl::StatusOr<Outcome> CreateImageOp(const v1::CreateImage& r);
  absl::StatusOr<Outcome> RegisterImageOp(const v1::RegisterImage& r);
  absl::StatusOr<Outcome> CopyImageOp(const v1::CopyImage& r);
  absl::StatusOr<Outcome> ModifyImageOp(const v1::ModifyImageAttribute& r);
  absl::StatusOr<Outcome> DescribeAttributeOp(const v1::ImageAttributeName& r);
  absl::StatusOr<Outcome> DeregisterOp(const v1::DeregisterImage& r);
  // The key ARN that `key` names for the caller, else `key` itself.
  std::string KeyTarget(const std::string& key) const;

  absl::StatusOr<std::string> Check(const v1::Step& step, const Outcome& outcome) const;
  absl::StatusOr<std::string> CheckError(const v1::Expect& e, const Outcome& outcome) const;
  absl::StatusOr<std::vector<std::string>> CheckState(const v1::Step& step,
                                                      const std::string& resource,
                                                      const Outcome& outcome) const;
  absl::StatusOr<std::optional<KmsKeyArn>> ExpectedKey(const std::string& text,
                                                       const Facts& facts) const;
  absl::Status CheckKeys(const v1::Expect& e, const std::string& resource, const Facts& f,
                         std::vector<std::string>* out) const;
  // image and snapshot_ids, whose "$label"s resolve.
  absl::Status CheckResolvedFacts(const v1::Expect& e, const Facts& f,
                                  std::vector<std::string>* out) const;
  absl::Status CheckVolumes(const v1::Expect& e, const Facts& f, std::vector<std::string>* out) const;
  // returned_contains, returned_excludes, returned_count, deleted_snapshots and unchanged.
  absl::Status CheckReturned(const v1::Step& step, const Outcome& outcome,
                             std::vector<std::string>* out) const;
  absl::Status CheckTags(const v1::Step& step, const std::string& resource, const Facts& f,
                         std::vector<std::string>* out) const;

  std::unique_ptr<Cloud> cloud_;
  CallContext ctx_;
  absl::flat_hash_map<std::string, std::vector<std::string>> labels_;
  // Labels whose step failed, so saved nothing: label → step index.
  absl::flat_hash_map<std::string, int> unsaved_;
  // What the cloud held before the first step (AWS managed keys).
  size_t resources_at_start_;
};

}  // namespace ami::scenario_internal

#endif  // AMI_LIB_SCENARIO_RUNNER_H_
