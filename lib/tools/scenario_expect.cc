// Scenario expectations: the step's error, and the state of the resource it names or returned,
// compared with `expect` (lib/scenario_runner.h).
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ami/cloud.h"
#include "ami/errors.h"
#include "tools/scenario_automation.h"
#include "tools/scenario_facts.h"
#include "tools/scenario_lifecycle.h"
#include "tools/scenario_runner.h"
#include "values/status_macros.h"

namespace ami::scenario_internal {

using Op = v1::Step::OperationCase;

// The most returned ids a returned_contains mismatch lists; beyond, it gives their number.
constexpr size_t kShownReturnedIds = 8;

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

absl::Status Runner::CheckResolvedFacts(const v1::Expect& e, const Facts& f,
                                        std::vector<std::string>* out) const {
  if (!e.image().empty()) {
    AMI_ASSIGN_OR_RETURN(const std::string want, Resolve(e.image()));
    AMI_RETURN_IF_ERROR(Compare("image", f, f.image, want, out));
  }
  if (e.has_snapshot_ids()) {
    AMI_ASSIGN_OR_RETURN(const std::vector<std::string> want, ResolveAll(e.snapshot_ids().ids()));
    std::optional<std::string> actual;
    if (f.snapshot_ids.has_value()) actual = absl::StrJoin(*f.snapshot_ids, ",");
    AMI_RETURN_IF_ERROR(Compare("snapshot_ids", f, actual, absl::StrJoin(want, ","), out));
  }
  return absl::OkStatus();
}

absl::Status Runner::CheckVolumes(const v1::Expect& e, const Facts& f,
                                  std::vector<std::string>* out) const {
  if (e.volumes().empty()) return absl::OkStatus();
  if (!f.volumes.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat("expect.volumes does not apply to a ", f.kind));
  }
  // Each volume as text, with the parts its expectation names: "/dev/xvda encrypted=true kms_key=…".
  std::vector<std::string> want, got;
  for (int i = 0; i < e.volumes_size() || i < static_cast<int>(f.volumes->size()); ++i) {
    const v1::VolumeCheck* check = i < e.volumes_size() ? &e.volumes(i) : nullptr;
    const AttachedVolume* volume = i < static_cast<int>(f.volumes->size()) ? &(*f.volumes)[i] : nullptr;
    std::string w = check != nullptr ? check->device_name() : "";
    std::string g = volume != nullptr ? volume->device_name : "";
    if (check != nullptr && check->has_encrypted()) {
      absl::StrAppend(&w, " encrypted=", check->encrypted() ? "true" : "false");
      if (volume != nullptr) absl::StrAppend(&g, " encrypted=", volume->encrypted() ? "true" : "false");
    }
    if (check != nullptr && !check->kms_key().empty()) {
      AMI_ASSIGN_OR_RETURN(const std::optional<KmsKeyArn> key, ExpectedKey(check->kms_key(), f));
      absl::StrAppend(&w, " kms_key=", KeyText(key));
      if (volume != nullptr) absl::StrAppend(&g, " kms_key=", KeyText(volume->kms_key));
    }
    if (check != nullptr) want.push_back(std::move(w));
    if (volume != nullptr) got.push_back(std::move(g));
  }
  return Compare("volumes", f, absl::StrJoin(got, ", "), absl::StrJoin(want, ", "), out);
}

absl::Status Runner::CheckReturned(const v1::Step& step, const Outcome& o,
                                   std::vector<std::string>* out) const {
  const v1::Expect& e = step.expect();
  AMI_ASSIGN_OR_RETURN(const std::vector<std::string> contains, ResolveAll(e.returned_contains().ids()));
  // The ids returned, as a mismatch shows them: all of a few, else their number.
  const std::string returned = o.returned.empty() ? "none"
                               : o.returned.size() <= kShownReturnedIds
                                   ? absl::StrJoin(Sorted(o.returned), ",")
                                   : absl::StrCat(o.returned.size(), " other ids");
  for (const std::string& id : contains) {
    if (std::find(o.returned.begin(), o.returned.end(), id) == o.returned.end()) {
      out->push_back(absl::StrCat("expected `", id, "` among the returned ids, got ", returned));
    }
  }
  AMI_ASSIGN_OR_RETURN(const std::vector<std::string> excludes, ResolveAll(e.returned_excludes().ids()));
  for (const std::string& id : excludes) {
    if (std::find(o.returned.begin(), o.returned.end(), id) != o.returned.end()) {
      out->push_back(absl::StrCat("expected `", id, "` not to be returned, got it"));
    }
  }
  if (e.has_returned_count() && e.returned_count() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("expect.returned_count `", e.returned_count(), "` is not a count"));
  }
  if (e.has_returned_count() && static_cast<size_t>(e.returned_count()) != o.returned.size()) {
    out->push_back(absl::StrCat("expected ", e.returned_count(), " returned ids, got ", o.returned.size()));
  }
  if (e.has_deleted_snapshots()) {
    if (step.operation_case() != Op::kDeregisterImage) {
      return absl::InvalidArgumentError("expect.deleted_snapshots needs a deregister_image step");
    }
    std::vector<std::string> want, got;
    for (const v1::DeletedSnapshot& d : e.deleted_snapshots().snapshots()) {
      AMI_ASSIGN_OR_RETURN(const std::string id, Resolve(d.snapshot_id()));
      want.push_back(absl::StrCat(id, ":", d.return_code()));
    }
    for (const DeleteSnapshotResult& d : o.deleted_snapshots) {
      got.push_back(absl::StrCat(d.snapshot_id.ToString(), ":", d.return_code));
    }
    const std::string w = absl::StrJoin(Sorted(want), ","), g = absl::StrJoin(Sorted(got), ",");
    if (w != g) out->push_back(absl::StrCat("deleted_snapshots is \"", g, "\", expected \"", w, "\""));
  }
  if (e.has_unchanged() && o.unchanged.has_value() && e.unchanged() != *o.unchanged) {
    out->push_back(e.unchanged() ? "expected the step to change nothing, got a changed cloud"
                                 : "expected the step to change the cloud, got no change");
  }
  return absl::OkStatus();
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
  AMI_RETURN_IF_ERROR(CheckListFacts(e, f, &out));
  AMI_RETURN_IF_ERROR(CheckResolvedFacts(e, f, &out));
  AMI_RETURN_IF_ERROR(CheckVolumes(e, f, &out));
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
  AMI_RETURN_IF_ERROR(scenario_internal::CheckAutomation(
      *cloud_, step, [this](const std::string& text) { return Resolve(text); }, &mismatches));
  AMI_RETURN_IF_ERROR(CheckReturned(step, outcome, &mismatches));
  const v1::Expect state_only = [&e] {
    v1::Expect copy = e;
    copy.clear_error();
    copy.clear_message_contains();
    copy.clear_residual();
    copy.clear_resource();
    scenario_internal::ClearAccountAndReturnedChecks(&copy);
    scenario_internal::ClearAutomationChecks(&copy);
    copy.clear_returned_contains();
    copy.clear_returned_excludes();
    copy.clear_returned_count();
    copy.clear_deleted_snapshots();
    copy.clear_unchanged();
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
