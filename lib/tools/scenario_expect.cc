// Scenario expectations: the step's error, and the state of the resource it names or returned,
// compared with `expect` (lib/scenario_runner.h).
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ami/cloud.h"
#include "ami/errors.h"
#include "tools/scenario_facts.h"
#include "tools/scenario_lifecycle.h"
#include "tools/scenario_runner.h"
#include "values/status_macros.h"

namespace ami::scenario_internal {

using Op = v1::Step::OperationCase;

// ---- Expectations ---------------------------------------------------------------------------

absl::StatusOr<std::string> Runner::CheckError(const v1::Expect& e, const Outcome& o) const {
  if (e.error().empty()) {
    if (!e.message_contains().empty() || e.residual_size() > 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "expect.", e.residual_size() > 0 ? "residual" : "message_contains", " needs expect.error"));
    }
    if (o.status.ok()) return std::string();
    return absl::StrCat("expected success, got ", OutcomeText(o));
  }
  const std::optional<ErrorCode> want = ErrorCodeFromName(e.error());
  if (!want.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat("expect.error `", e.error(), "` is not an error code"));
  }
  if (o.status.ok() || GetErrorCode(o.status) != *want) {
    return absl::StrCat("expected ", e.error(), ", got ", OutcomeText(o));
  }
  if (!absl::StrContains(o.status.message(), e.message_contains())) {
    return absl::StrCat("expected the message to contain \"", e.message_contains(), "\", got ",
                        OutcomeText(o));
  }
  for (const std::string& key : e.residual()) {
    if (!NamesResidualKey(o.status.message(), key)) {
      return absl::StrCat("expected a residual condition on ", key, ", got ", OutcomeText(o));
    }
  }
  return std::string();
}

absl::StatusOr<std::optional<KmsKeyArn>> Runner::ExpectedKey(const std::string& text,
                                                             const Facts& facts) const {
  if (text == "none") return std::optional<KmsKeyArn>();
  AMI_ASSIGN_OR_RETURN(const std::string resolved, Resolve(text));
  if (absl::StartsWith(resolved, "alias/")) {
    const CallContext owner{*facts.owner_id, *facts.region, false};
    const absl::StatusOr<KmsKey> key = cloud_->DescribeKey(owner, resolved);
    if (!key.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("expect.kms_key `", text, "`: ", key.status().message()));
    }
    return std::optional<KmsKeyArn>(key->arn());
  }
  absl::StatusOr<KmsKeyArn> arn = KmsKeyArn::Parse(resolved);
  if (!arn.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("expect.kms_key `", text,
                                                   "` is not a key arn, alias, label or none"));
  }
  return std::optional<KmsKeyArn>(*arn);
}

absl::Status Runner::CheckKeys(const v1::Expect& e, const std::string& resource, const Facts& f,
                               std::vector<std::string>* out) const {
  if (e.kms_key().empty()) return absl::OkStatus();
  if (!f.keys.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat("expect.kms_key does not apply to a ", f.kind));
  }
  AMI_ASSIGN_OR_RETURN(const std::optional<KmsKeyArn> want, ExpectedKey(e.kms_key(), f));
  if (f.keys->empty()) out->push_back(absl::StrCat(f.kind, " `", resource, "` has no ebs volumes"));
  for (const std::optional<KmsKeyArn>& key : *f.keys) {
    if (key != want) {
      out->push_back(absl::StrCat("kms_key is ", KeyText(key), ", expected ", KeyText(want)));
      break;
    }
  }
  return absl::OkStatus();
}

absl::Status Runner::CheckTags(const v1::Step& step, const std::string& resource, const Facts& f,
                               std::vector<std::string>* out) const {
  const v1::Expect& e = step.expect();
  if (!e.has_visible_tags()) return absl::OkStatus();
  if (!f.has_tags) {
    return absl::InvalidArgumentError(absl::StrCat("expect.visible_tags does not apply to a ", f.kind));
  }
  absl::StatusOr<AccountId> viewer = AccountId::Parse(step.account());
  if (!viewer.ok()) {
    return absl::InvalidArgumentError("expect.visible_tags needs the step's account, who sees them");
  }
  std::vector<std::string> want, got;
  for (const v1::Tag& t : e.visible_tags().tags()) want.push_back(absl::StrCat(t.key(), "=", t.value()));
  const absl::StatusOr<TagSet> tags = cloud_->GetTags(*viewer, resource);
  if (!tags.ok()) {
    out->push_back(absl::StrCat("visible_tags: ", tags.status().message()));
    return absl::OkStatus();
  }
  for (const Tag& t : *tags) got.push_back(absl::StrCat(t.key(), "=", t.value()));
  return Compare("visible_tags", f, absl::StrJoin(Sorted(got), ","), absl::StrJoin(Sorted(want), ","), out);
}

absl::StatusOr<std::vector<std::string>> Runner::CheckState(const v1::Step& step,
                                                            const std::string& resource,
                                                            const Outcome& outcome) const {
  const v1::Expect& e = step.expect();
  AMI_RETURN_IF_ERROR(ValidEnum<ImageState>("image_state", e.image_state()));
  AMI_RETURN_IF_ERROR(ValidEnum<InstanceState>("instance_state", e.instance_state()));
  AMI_RETURN_IF_ERROR(ValidEnum<SnapshotState>("snapshot_state", e.snapshot_state()));
  AMI_RETURN_IF_ERROR(ValidEnum<KeyState>("key_state", e.key_state()));
  AMI_RETURN_IF_ERROR(ValidEnum<ImageConsistency>("consistency", e.consistency()));
  if (e.has_attribute_value() && step.operation_case() != Op::kDescribeImageAttribute) {
    return absl::InvalidArgumentError("expect.attribute_value needs a describe_image_attribute step");
  }
  AMI_ASSIGN_OR_RETURN(const Facts f, ReadFacts(*cloud_, resource));
  std::vector<std::string> out;
  if ((e.has_exists() && e.exists() != f.exists) || (!f.exists && HasStateChecks(e))) {
    out.push_back(absl::StrCat(f.kind, " `", resource, "` ", f.exists ? "exists" : "does not exist"));
    return out;
  }
  if (!f.exists) return out;
  AMI_RETURN_IF_ERROR(CheckFacts(e, f, &out));
  AMI_RETURN_IF_ERROR(CheckKeys(e, resource, f, &out));
  AMI_RETURN_IF_ERROR(CheckTags(step, resource, f, &out));
  if (e.has_attribute_value() && outcome.status.ok()) {
    AMI_RETURN_IF_ERROR(Compare("attribute_value", f, outcome.attribute_value, e.attribute_value(), &out));
  }
  return out;
}

absl::StatusOr<std::string> Runner::Check(const v1::Step& step, const Outcome& outcome) const {
  const v1::Expect& e = step.expect();
  AMI_ASSIGN_OR_RETURN(std::string mismatch, CheckError(e, outcome));
  if (!mismatch.empty()) return mismatch;
  std::vector<std::string> mismatches;
  AMI_RETURN_IF_ERROR(scenario_internal::CheckAccountAndReturned(
      *cloud_, step, outcome, [this](const std::string& text) { return Resolve(text); },
      &mismatches));
  const v1::Expect state_only = [&e] {
    v1::Expect copy = e;
    copy.clear_error();
    copy.clear_message_contains();
    copy.clear_residual();
    copy.clear_resource();
    scenario_internal::ClearAccountAndReturnedChecks(&copy);
    return copy;
  }();
  if (state_only.ByteSizeLong() == 0) return absl::StrJoin(mismatches, "; ");
  std::string resource;
  if (!e.resource().empty()) {
    AMI_ASSIGN_OR_RETURN(resource, Resolve(e.resource()));
  } else {
    resource = outcome.returned.empty() ? outcome.target : outcome.returned.front();
  }
  if (resource.empty()) {
    return absl::InvalidArgumentError("the step returned no resource to check: set expect.resource");
  }
  AMI_ASSIGN_OR_RETURN(const std::vector<std::string> state, CheckState(step, resource, outcome));
  mismatches.insert(mismatches.end(), state.begin(), state.end());
  return absl::StrJoin(mismatches, "; ");
}

}  // namespace ami::scenario_internal
