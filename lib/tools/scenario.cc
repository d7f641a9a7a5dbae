// Scenario files: parsing (text-format protobuf with line and column in errors), running each step
// on a fresh Cloud, checking expectations, and the report.
//
// A step runs in four stages: move the clock (`advance`), run the operation (ids resolved from
// "$label"s; malformed ids and enums become the operation's outcome, as in the real API), save
// the returned ids under `save_as`, then compare the outcome and the resource's state with
// `expect`. Problems of the scenario itself are absl::InvalidArgumentError naming the step.
#include "ami/tools/scenario.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "ami/errors.h"
#include "ami/cloud.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "values/choices.h"
#include "cloud/state.h"
#include "io/file_util.h"
#include "tools/scenario_automation.h"
#include "tools/scenario_lifecycle.h"
#include "tools/scenario_runner.h"
#include "values/status_macros.h"
#include "values/text_util.h"

namespace ami {
namespace scenario_internal {

using google::protobuf::RepeatedPtrField;
using Op = v1::Step::OperationCase;

namespace {

bool NeedsContext(Op op) {
  switch (op) {
    case Op::kAddAccount:
    case Op::kCreateOrganization:
    case Op::kCreateOrganizationalUnit:
    case Op::kImportSnapshot:
    case Op::kImportImage:
    case Op::kImportKey:
    case Op::kImportInstance:
    case Op::kAdvanceClock:
    case Op::kCheck:
    case Op::kPutPrincipal:
    case Op::kPutServiceControlPolicy:
    case Op::kAttachServiceControlPolicy:
    case Op::kDetachServiceControlPolicy:
    case Op::OPERATION_NOT_SET:
      return false;
    default:
      return true;
  }
}

// The images, snapshots, instances and KMS keys that `cloud` holds.
size_t Resources(const Cloud& cloud) {
  const internal::CloudState& s = internal::CloudAccess::State(cloud);
  internal::ReaderLock lock(s.mu);
  return s.images().size() + s.snapshots().size() + s.instances().size() + s.keys().size();
}

// `status` located at the step: an InvalidArgument problem of the scenario, or the code and
// payload of a limit or value the step broke.
absl::Status InStep(int index, const v1::Step& step, const absl::Status& status) {
  absl::Status out(
      GetErrorCode(status).has_value() ? status.code() : absl::StatusCode::kInvalidArgument,
      absl::StrCat("step ", index, step.name().empty() ? "" : absl::StrCat(" \"", step.name(), "\""),
                   ": ", status.message()));
  status.ForEachPayload(
      [&out](absl::string_view url, const absl::Cord& payload) { out.SetPayload(url, payload); });
  return out;
}

}  // namespace

// ---- What an operation did -----------------------------------------------------------------

std::string OutcomeText(const Outcome& o) {
  if (o.status.ok()) {
    std::string text = "ok";
    if (!o.returned.empty()) absl::StrAppend(&text, " ", absl::StrJoin(o.returned, " "));
    if (!o.detail.empty()) absl::StrAppend(&text, " ", o.detail);
    return text;
  }
  const std::optional<ErrorCode> code = GetErrorCode(o.status);
  const std::string name = code.has_value() ? std::string(ErrorCodeName(*code))
                                            : absl::StatusCodeToString(o.status.code());
  return absl::StrCat(name, ": ", o.status.message());
}

absl::StatusOr<absl::Duration> StepDuration(absl::string_view what, const std::string& text) {
  absl::Duration d;
  if (!absl::ParseDuration(text, &d)) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat(what, " `", text_util::Clip(text),
                                  "` is not a duration such as 15m, 2h or 30s"));
  }
  if (d < absl::ZeroDuration() || d > kMaxScenarioClockAdvance) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat(what, " `", text_util::Clip(text), "` is outside 0s to ",
                                  absl::FormatDuration(kMaxScenarioClockAdvance), " (100 years)"));
  }
  return d;
}

// ---- The run --------------------------------------------------------------------------------

Runner::Runner(std::unique_ptr<Cloud> cloud)
    : cloud_(std::move(cloud)), resources_at_start_(Resources(*cloud_)) {}

absl::Status Runner::CheckCreated(const v1::Step& step) const {
  const size_t held = Resources(*cloud_);
  size_t created = held > resources_at_start_ ? held - resources_at_start_ : 0;
  if (step.operation_case() == Op::kRunInstances) {
    const int count = step.run_instances().has_count() ? step.run_instances().count() : 1;
    created += static_cast<size_t>(std::max(count, 0));
  }
  if (created <= kMaxScenarioCreatedResources) return absl::OkStatus();
  return MakeError(choices::kInputTooLarge,
                   absl::StrCat("the scenario would hold ", created,
                                " images, snapshots, instances and kms keys of its own, more than "
                                "the limit of ", kMaxScenarioCreatedResources));
}

absl::StatusOr<std::string> Runner::Resolve(const std::string& text) const {
  if (text.empty() || text[0] != '$') return text;
  const absl::string_view ref(text);
  const size_t end = std::min(ref.find_first_of(".[", 1), ref.size());
  const std::string label(ref.substr(1, end - 1));
  absl::string_view rest = ref.substr(end);
  auto it = labels_.find(label);
  if (it == labels_.end()) {
    auto failed = unsaved_.find(label);
    return absl::InvalidArgumentError(
        failed == unsaved_.end()
            ? absl::StrCat("unknown label `$", label, "`")
            : absl::StrCat("label `$", label, "` was not saved: step ", failed->second, " failed"));
  }
  size_t n = 0;
  if (absl::ConsumePrefix(&rest, "[")) {
    const size_t close = rest.find(']');
    if (close == absl::string_view::npos || !absl::SimpleAtoi(rest.substr(0, close), &n)) {
      return absl::InvalidArgumentError(absl::StrCat("malformed reference `", text, "`"));
    }
    rest.remove_prefix(close + 1);
  }
  if (n >= it->second.size()) {
    return absl::InvalidArgumentError(absl::StrCat("reference `", text, "`: label `$", label,
                                                   "` holds ", it->second.size(), " id(s)"));
  }
  if (rest.empty()) return it->second[n];
  return SnapshotOf(text, it->second[n], rest);
}

// ".snapshot" or ".snapshot[N]": the snapshot of the image's first (N-th) EBS mapping.
absl::StatusOr<std::string> Runner::SnapshotOf(const std::string& ref, const std::string& image,
                                               absl::string_view rest) const {
  size_t n = 0;
  const bool ok = absl::ConsumePrefix(&rest, ".snapshot") &&
                  (rest.empty() || (absl::ConsumePrefix(&rest, "[") && absl::ConsumeSuffix(&rest, "]") &&
                                    absl::SimpleAtoi(rest, &n)));
  if (!ok) return absl::InvalidArgumentError(absl::StrCat("malformed reference `", ref, "`"));
  const absl::StatusOr<ImageId> id = ImageId::Parse(image);
  const std::optional<Image> found = id.ok() ? cloud_->GetImage(*id) : std::nullopt;
  if (!found.has_value() || n >= found->snapshot_ids().size()) {
    return absl::InvalidArgumentError(absl::StrCat("reference `", ref, "`: `", image,
                                                   "` is not an image with that many snapshots"));
  }
  return found->snapshot_ids()[n].ToString();
}

absl::StatusOr<std::vector<std::string>> Runner::ResolveAll(
    const RepeatedPtrField<std::string>& ids) const {
  std::vector<std::string> out;
  for (const std::string& id : ids) {
    AMI_ASSIGN_OR_RETURN(std::string resolved, Resolve(id));
    out.push_back(std::move(resolved));
  }
  return out;
}

std::string Runner::KeyTarget(const std::string& key) const {
  const absl::StatusOr<KmsKey> described = cloud_->DescribeKey(ctx_, key);
  return described.ok() ? described->arn().ToString() : key;
}

absl::StatusOr<Outcome> Runner::Execute(const v1::Step& step) {
  if (step.operation_case() == Op::OPERATION_NOT_SET) {
    return absl::InvalidArgumentError("the step has no operation");
  }
  if (!step.advance().empty()) {
    AMI_ASSIGN_OR_RETURN(const absl::Duration by, StepDuration("advance", step.advance()));
    cloud_->AdvanceClock(by);
  }
  // expect.unchanged compares the whole cloud with a copy taken before the operation (after the
  // step's clock move).
  const std::unique_ptr<Cloud> before = step.expect().has_unchanged() ? cloud_->Fork() : nullptr;
  absl::StatusOr<Outcome> outcome = Operate(step);
  if (outcome.ok() && before != nullptr) outcome->unchanged = cloud_->StateEquals(*before);
  return outcome;
}

absl::StatusOr<Outcome> Runner::Operate(const v1::Step& step) {
  const Op op = step.operation_case();
  if (!NeedsContext(op)) {
    if (step.dry_run()) {
      return absl::InvalidArgumentError("dry_run applies only to operations made as an account");
    }
    if (!step.principal().empty() || step.context_size() > 0) {
      return absl::InvalidArgumentError(
          "principal and context apply only to operations made as an account");
    }
    return Setup(step);
  }
  if (step.account().empty() || step.region().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(OperationName(step),
                                                   " is made as an account in a region: set both"));
  }
  AMI_OUTCOME_OR(ctx_.account, AccountId::Parse(step.account()));
  AMI_OUTCOME_OR(ctx_.region, Region::Parse(step.region()));
  ctx_.dry_run = step.dry_run();
  AMI_ASSIGN_OR_RETURN(ctx_.principal, Resolve(step.principal()));
  ctx_.context.clear();
  for (const v1::ContextValue& v : step.context()) ctx_.context.push_back({v.key(), v.value()});
  // The operation's field numbers group the families (settings 20-29, KMS 30-39, instances
  // 40-49, images 50-52, sharing and tags 53-69, lifecycle, governance, Recycle Bin and
  // discovery 70-109, automation 120-139; see scenario.proto).
  if (scenario_internal::IsLifecycleOperation(op)) {
    return scenario_internal::RunLifecycleStep(
        *cloud_, ctx_, step, [this](const std::string& text) { return Resolve(text); });
  }
  if (scenario_internal::IsAutomationOperation(op)) {
    return scenario_internal::RunAutomationStep(
        *cloud_, ctx_, step, [this](const std::string& text) { return Resolve(text); });
  }
  if (op >= Op::kEnableEbsEncryptionByDefault && op <= Op::kDisableSnapshotBlockPublicAccess) {
    return Settings(step);
  }
  if (op >= Op::kCreateKey && op <= Op::kDescribeKey) return Kms(step);
  if (op >= Op::kRunInstances && op <= Op::kTerminateInstances) return Instances(step);
  if (op >= Op::kCreateImage && op <= Op::kCopyImage) return Images(step);
  return Sharing(step);
}

absl::Status Runner::Save(int index, const v1::Step& step, const Outcome& outcome) {
  const std::string& label = step.save_as();
  if (label.empty()) return absl::OkStatus();
  if (label.find_first_of("$.[] ") != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("save_as `", label, "`: a label is a plain name"));
  }
  if (labels_.contains(label)) {
    return absl::InvalidArgumentError(absl::StrCat("label `$", label, "` is already defined"));
  }
  if (!outcome.status.ok()) {
    unsaved_[label] = index;
    return absl::OkStatus();
  }
  if (outcome.returned.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(OperationName(step), " returns no id to save as `",
                                                   label, "`"));
  }
  labels_[label] = outcome.returned;
  return absl::OkStatus();
}

absl::StatusOr<ScenarioStepResult> Runner::RunStep(int index, const v1::Step& step) {
  ScenarioStepResult r{index, step.name(), step.account(), step.region(), OperationName(step),
                       "", false, ""};
  if (absl::Status bound = CheckCreated(step); !bound.ok()) return InStep(index, step, bound);
  absl::StatusOr<Outcome> outcome = Execute(step);
  if (!outcome.ok()) return InStep(index, step, outcome.status());
  if (absl::Status bound = CheckCreated(v1::Step()); !bound.ok()) return InStep(index, step, bound);
  r.outcome = OutcomeText(*outcome);
  if (absl::Status saved = Save(index, step, *outcome); !saved.ok()) return InStep(index, step, saved);
  absl::StatusOr<std::string> mismatch = Check(step, *outcome);
  if (!mismatch.ok()) return InStep(index, step, mismatch.status());
  r.mismatch = *std::move(mismatch);
  r.expectation_met = r.mismatch.empty();
  return r;
}

}  // namespace scenario_internal

namespace {

using scenario_internal::Runner;

// ---- Parsing --------------------------------------------------------------------------------

// Collects protobuf's text-format errors as "file:line:column: message".
class Collector : public google::protobuf::io::ErrorCollector {
 public:
  explicit Collector(absl::string_view file) : file_(file) {}
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    errors_.push_back(line < 0 ? absl::StrCat(file_, ": ", message)
                               : absl::StrCat(file_, ":", line + 1, ":", column + 1, ": ", message));
  }
  std::string Text() const { return absl::StrJoin(errors_, "; "); }

 private:
  std::string file_;
  std::vector<std::string> errors_;
};

std::string StepLabel(const ScenarioStepResult& s) {
  return absl::StrCat("step ", s.index, s.name.empty() ? "" : absl::StrCat(" \"", s.name, "\""));
}

}  // namespace

absl::StatusOr<v1::Scenario> ParseScenario(absl::string_view text, absl::string_view file_name) {
  if (text.size() > kMaxScenarioBytes) {
    return MakeError(choices::kInputTooLarge,
                     absl::StrCat(file_name, ": ", text.size(), " bytes, more than the limit of ",
                                  kMaxScenarioBytes));
  }
  if (const size_t at = text_util::InvalidTextAt(text); at != absl::string_view::npos) {
    return MakeError(choices::kUndecodableInput,
                     absl::StrCat(file_name, ": cannot decode: ",
                                  text[at] == '\0' ? "a nul byte" : "invalid utf-8", " at byte ", at));
  }
  Collector errors(file_name);
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  v1::Scenario scenario;
  if (!parser.ParseFromString(std::string(text), &scenario)) {
    std::string message = errors.Text();
    if (message.empty()) message = absl::StrCat(file_name, ": not a text-format scenario");
    return absl::InvalidArgumentError(message);
  }
  if (scenario.steps_size() > kMaxScenarioSteps) {
    return MakeError(choices::kInputTooLarge,
                     absl::StrCat(file_name, ": ", scenario.steps_size(),
                                  " steps, more than the limit of ", kMaxScenarioSteps));
  }
  return scenario;
}

std::vector<int> ScenarioStepLines(absl::string_view text) {
  if (text.size() > kMaxScenarioBytes) return {};
  google::protobuf::TextFormat::Parser parser;
  google::protobuf::TextFormat::ParseInfoTree tree;
  parser.WriteLocationsTo(&tree);
  Collector quiet("");
  parser.RecordErrorsTo(&quiet);
  v1::Scenario scenario;
  if (!parser.ParseFromString(std::string(text), &scenario)) return {};
  const google::protobuf::FieldDescriptor* steps =
      v1::Scenario::descriptor()->FindFieldByName("steps");
  std::vector<int> lines;
  for (int i = 0; i < scenario.steps_size(); ++i) {
    lines.push_back(tree.GetLocation(steps, i).line + 1);
  }
  return lines;
}

absl::StatusOr<v1::Scenario> ParseScenarioFile(const std::string& path) {
  AMI_ASSIGN_OR_RETURN(const std::string text, file_util::ReadBounded(path, kMaxScenarioBytes));
  return ParseScenario(text, path);
}

namespace {

// Runs the steps, up to the first whose expectation fails when `stop` says so.
absl::StatusOr<ScenarioResult> RunSteps(const v1::Scenario& scenario, Runner& runner, bool stop) {
  ScenarioResult result{scenario.name(), {}, true, ""};
  for (int i = 0; i < scenario.steps_size(); ++i) {
    AMI_ASSIGN_OR_RETURN(ScenarioStepResult step, runner.RunStep(i + 1, scenario.steps(i)));
    result.steps.push_back(std::move(step));
    const ScenarioStepResult& last = result.steps.back();
    if (last.expectation_met) continue;
    if (result.passed) result.first_mismatch = absl::StrCat(StepLabel(last), ": ", last.mismatch);
    result.passed = false;
    if (stop) break;
  }
  return result;
}

}  // namespace

absl::StatusOr<ScenarioResult> RunScenario(const v1::Scenario& scenario) {
  return RunScenario(scenario, nullptr);
}

absl::StatusOr<ScenarioResult> RunScenario(const v1::Scenario& scenario,
                                           std::unique_ptr<Cloud>* cloud) {
  return RunScenario(scenario, ScenarioRunOptions{}, cloud);
}

absl::StatusOr<ScenarioResult> RunScenario(const v1::Scenario& scenario,
                                           const ScenarioRunOptions& run,
                                           std::unique_ptr<Cloud>* cloud) {
  if (scenario.steps_size() > kMaxScenarioSteps) {
    return MakeError(choices::kInputTooLarge,
                     absl::StrCat("scenario `", scenario.name(), "` has ", scenario.steps_size(),
                                  " steps, more than the limit of ", kMaxScenarioSteps));
  }
  Cloud::Options options;
  if (scenario.has_seed()) options.seed = scenario.seed();
  if (!scenario.start_time().empty()) {
    absl::StatusOr<absl::Time> start = ParseAwsTime(scenario.start_time());
    if (!start.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("start_time: ", start.status().message()));
    }
    options.start_time = *start;
  }
  Runner runner(Cloud::Create(options));
  AMI_ASSIGN_OR_RETURN(ScenarioResult result,
                       RunSteps(scenario, runner, run.stop_at_first_mismatch));
  if (cloud != nullptr) *cloud = runner.Release();
  return result;
}

std::string FormatScenarioResult(const ScenarioResult& result) {
  size_t index_width = 0, caller_width = 1, region_width = 1, op_width = 0;
  for (const ScenarioStepResult& s : result.steps) {
    index_width = std::max(index_width, absl::StrCat(s.index).size());
    caller_width = std::max(caller_width, s.caller.size());
    region_width = std::max(region_width, s.region.size());
    op_width = std::max(op_width, s.operation.size());
  }
  auto pad = [](const std::string& text, size_t width) {
    const std::string shown = text.empty() ? "-" : text;
    return shown + std::string(width > shown.size() ? width - shown.size() : 0, ' ');
  };
  std::string out;
  for (const ScenarioStepResult& s : result.steps) {
    absl::StrAppend(&out, "step ", pad(absl::StrCat(s.index), index_width), "  ",
                    pad(s.caller, caller_width), "  ", pad(s.region, region_width), "  ",
                    pad(s.operation, op_width), "  ", s.outcome, "\n");
  }
  if (result.passed) {
    absl::StrAppend(&out, "PASS ", result.name, " (", result.steps.size(), " steps)\n");
  } else {
    absl::StrAppend(&out, "FAIL ", result.name, ": ", result.first_mismatch, "\n");
  }
  return out;
}

}  // namespace ami

