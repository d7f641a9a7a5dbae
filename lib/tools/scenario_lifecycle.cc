// Scenario steps for the image lifecycle (deprecation, disable, deregistration protection),
// Allowed AMIs and block public access states, the Recycle Bin and discovery, and the checks of
// an account and Region's state and of what a step returned.
#include "tools/scenario_lifecycle.h"

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ami/errors.h"
#include "tools/scenario_facts.h"

namespace ami::scenario_internal {
namespace {

using google::protobuf::RepeatedPtrField;
using Op = v1::Step::OperationCase;

// The most pages a describe step follows, so that a token that never ends cannot hang a run.
constexpr int kMaxPages = 10000;

absl::StatusOr<std::vector<std::string>> ResolveAll(const RepeatedPtrField<std::string>& ids,
                                                    Resolver resolve) {
  std::vector<std::string> out;
  for (const std::string& id : ids) {
    AMI_ASSIGN_OR_RETURN(std::string resolved, resolve(id));
    out.push_back(std::move(resolved));
  }
  return out;
}

absl::StatusOr<std::vector<Filter>> Filters(const RepeatedPtrField<v1::DescribeFilter>& in,
                                            Resolver resolve) {
  std::vector<Filter> out;
  for (const v1::DescribeFilter& f : in) {
    AMI_ASSIGN_OR_RETURN(std::vector<std::string> values, ResolveAll(f.values(), resolve));
    out.push_back({f.name(), std::move(values)});
  }
  return out;
}

std::vector<ResourceTag> ResourceTags(const RepeatedPtrField<v1::Tag>& tags) {
  std::vector<ResourceTag> out;
  for (const v1::Tag& t : tags) out.push_back({t.key(), t.value()});
  return out;
}

std::vector<ImageCriterion> Criteria(const RepeatedPtrField<v1::ImageCriterion>& in) {
  std::vector<ImageCriterion> out;
  for (const v1::ImageCriterion& c : in) {
    ImageCriterion criterion;
    criterion.image_providers.assign(c.image_providers().begin(), c.image_providers().end());
    criterion.image_names.assign(c.image_names().begin(), c.image_names().end());
    criterion.marketplace_product_codes.assign(c.marketplace_product_codes().begin(),
                                               c.marketplace_product_codes().end());
    if (c.has_maximum_days_since_created()) {
      criterion.maximum_days_since_created = c.maximum_days_since_created();
    }
    if (c.has_maximum_days_since_deprecated()) {
      criterion.maximum_days_since_deprecated = c.maximum_days_since_deprecated();
    }
    out.push_back(std::move(criterion));
  }
  return out;
}

// An operation that returns a state string, shown in the outcome.
Outcome WithState(const absl::StatusOr<std::string>& state, std::string target) {
  Outcome o = Outcome::Done(state.status(), std::move(target));
  if (state.ok()) o.detail = *state;
  return o;
}

// ---- Image lifecycle (70-79) ----------------------------------------------------------------

absl::StatusOr<Outcome> Lifecycle(Cloud& cloud, const CallContext& ctx, const v1::Step& step,
                                  Resolver resolve) {
  switch (step.operation_case()) {
    case Op::kEnableImageDeprecation: {
      const v1::EnableImageDeprecation& r = step.enable_image_deprecation();
      AMI_ASSIGN_OR_RETURN(const std::string id, resolve(r.image_id()));
      AMI_OUTCOME_OR(const absl::Time at, ParseAwsTime(r.deprecate_at()));
      return Outcome::Done(cloud.EnableImageDeprecation(ctx, id, at), id);
    }
    case Op::kEnableImageDeregistrationProtection: {
      const v1::EnableImageDeregistrationProtection& r = step.enable_image_deregistration_protection();
      AMI_ASSIGN_OR_RETURN(const std::string id, resolve(r.image_id()));
      return WithState(cloud.EnableImageDeregistrationProtection(ctx, id, r.with_cooldown()), id);
    }
    default:
      break;
  }
  const Op op = step.operation_case();
  const v1::ImageIdOnly& r = op == Op::kDisableImageDeprecation ? step.disable_image_deprecation()
                             : op == Op::kDisableImage          ? step.disable_image()
                             : op == Op::kEnableImage           ? step.enable_image()
                                                      : step.disable_image_deregistration_protection();
  AMI_ASSIGN_OR_RETURN(const std::string id, resolve(r.image_id()));
  switch (op) {
    case Op::kDisableImageDeprecation:
      return Outcome::Done(cloud.DisableImageDeprecation(ctx, id), id);
    case Op::kDisableImage:
      return Outcome::Done(cloud.DisableImage(ctx, id), id);
    case Op::kEnableImage:
      return Outcome::Done(cloud.EnableImage(ctx, id), id);
    default:
      return WithState(cloud.DisableImageDeregistrationProtection(ctx, id), id);
  }
}

// ---- Allowed AMIs and block public access states (80-89) -----------------------------------

absl::StatusOr<Outcome> Governance(Cloud& cloud, const CallContext& ctx, const v1::Step& step) {
  switch (step.operation_case()) {
    case Op::kEnableAllowedImagesSettings:
      return Outcome::Done(
          cloud.EnableAllowedImagesSettings(ctx, step.enable_allowed_images_settings().state()), "");
    case Op::kDisableAllowedImagesSettings:
      return Outcome::Done(cloud.DisableAllowedImagesSettings(ctx), "");
    case Op::kReplaceImageCriteriaInAllowedImagesSettings:
      return Outcome::Done(
          cloud.ReplaceImageCriteriaInAllowedImagesSettings(
              ctx, Criteria(step.replace_image_criteria_in_allowed_images_settings().image_criteria())),
          "");
    case Op::kGetAllowedImagesSettings: {
      const AllowedImagesSettings settings = cloud.GetAllowedImagesSettings(ctx.account, ctx.region);
      Outcome o = Outcome::Done(absl::OkStatus(), "");
      o.detail = absl::StrCat(ToString(settings.state), " (", settings.criteria.size(), " criteria)");
      return o;
    }
    case Op::kGetImageBlockPublicAccessState:
      return WithState(cloud.GetImageBlockPublicAccessState(ctx.account, ctx.region), "");
    default:
      return WithState(cloud.GetSnapshotBlockPublicAccessState(ctx.account, ctx.region), "");
  }
}

// ---- Recycle Bin (90-99) --------------------------------------------------------------------

Outcome CreateRule(Cloud& cloud, const CallContext& ctx, const v1::CreateRecycleBinRule& r) {
  CreateRuleRequest request;
  request.description = r.description();
  request.resource_type = r.resource_type();
  request.retention_days = r.retention_days();
  request.resource_tags = ResourceTags(r.resource_tags());
  request.exclude_resource_tags = ResourceTags(r.exclude_resource_tags());
  if (r.has_lock_unlock_delay_days()) request.lock_unlock_delay_days = r.lock_unlock_delay_days();
  const absl::StatusOr<std::string> id = cloud.CreateRecycleBinRule(ctx, request);
  Outcome o = Outcome::Done(id.status(), "");
  if (id.ok()) o.returned = {*id};
  return o;
}

// The rules' ids, and their lock states as the detail.
Outcome ListRules(const Cloud& cloud, const CallContext& ctx) {
  Outcome o = Outcome::Done(absl::OkStatus(), "");
  std::vector<std::string> states;
  for (const RetentionRule& rule : cloud.ListRecycleBinRules(ctx.account, ctx.region)) {
    o.returned.push_back(rule.id);
    states.push_back(std::string(ToString(rule.lock_state)));
  }
  if (!states.empty()) o.detail = absl::StrCat("lock states: ", absl::StrJoin(states, ","));
  return o;
}

absl::StatusOr<Outcome> RecycleBin(Cloud& cloud, const CallContext& ctx, const v1::Step& step,
                                   Resolver resolve) {
  switch (step.operation_case()) {
    case Op::kCreateRecycleBinRule:
      return CreateRule(cloud, ctx, step.create_recycle_bin_rule());
    case Op::kDeleteRecycleBinRule: {
      AMI_ASSIGN_OR_RETURN(const std::string id, resolve(step.delete_recycle_bin_rule().rule_id()));
      return Outcome::Done(cloud.DeleteRecycleBinRule(ctx, id), "");
    }
    case Op::kLockRecycleBinRule: {
      const v1::LockRecycleBinRule& r = step.lock_recycle_bin_rule();
      AMI_ASSIGN_OR_RETURN(const std::string id, resolve(r.rule_id()));
      return Outcome::Done(cloud.LockRecycleBinRule(ctx, id, r.unlock_delay_days()), "");
    }
    case Op::kUnlockRecycleBinRule: {
      AMI_ASSIGN_OR_RETURN(const std::string id, resolve(step.unlock_recycle_bin_rule().rule_id()));
      return Outcome::Done(cloud.UnlockRecycleBinRule(ctx, id), "");
    }
    case Op::kListRecycleBinRules:
      return ListRules(cloud, ctx);
    case Op::kListImagesInRecycleBin: {
      Outcome o = Outcome::Done(absl::OkStatus(), "");
      for (const RecycleBinImage& entry : cloud.ListImagesInRecycleBin(ctx)) {
        o.returned.push_back(entry.image.id().ToString());
      }
      return o;
    }
    case Op::kListSnapshotsInRecycleBin: {
      Outcome o = Outcome::Done(absl::OkStatus(), "");
      for (const RecycleBinSnapshot& entry : cloud.ListSnapshotsInRecycleBin(ctx)) {
        o.returned.push_back(entry.snapshot.id().ToString());
      }
      return o;
    }
    case Op::kRestoreImageFromRecycleBin: {
      AMI_ASSIGN_OR_RETURN(const std::string id, resolve(step.restore_image_from_recycle_bin().image_id()));
      return Outcome::Done(cloud.RestoreImageFromRecycleBin(ctx, id), id);
    }
    default: {
      AMI_ASSIGN_OR_RETURN(const std::string id,
                           resolve(step.restore_snapshot_from_recycle_bin().snapshot_id()));
      return Outcome::Done(cloud.RestoreSnapshotFromRecycleBin(ctx, id), id);
    }
  }
}

// ---- Discovery (100-109) --------------------------------------------------------------------

absl::StatusOr<Outcome> DescribeImagesOp(const Cloud& cloud, const CallContext& ctx,
                                         const v1::DescribeImages& r, Resolver resolve) {
  DescribeImagesRequest request;
  AMI_ASSIGN_OR_RETURN(request.owners, ResolveAll(r.owners(), resolve));
  AMI_ASSIGN_OR_RETURN(request.executable_users, ResolveAll(r.executable_users(), resolve));
  AMI_ASSIGN_OR_RETURN(request.image_ids, ResolveAll(r.image_ids(), resolve));
  AMI_ASSIGN_OR_RETURN(request.filters, Filters(r.filters(), resolve));
  request.include_deprecated = r.include_deprecated();
  request.include_disabled = r.include_disabled();
  request.max_results = r.max_results();
  Outcome o = Outcome::Done(absl::OkStatus(), "");
  std::vector<std::string> allowed;
  for (int page = 0; page < kMaxPages; ++page) {
    AMI_OUTCOME_OR(const DescribeImagesResult result, cloud.DescribeImages(ctx, request));
    for (const DescribedImage& d : result.images) {
      const std::string id = d.image.id().ToString();
      o.returned.push_back(id);
      o.image_allowed.emplace_back(id, d.image_allowed);
      if (d.image_allowed.has_value()) allowed.push_back(*d.image_allowed ? "true" : "false");
    }
    if (result.next_token.empty()) break;
    request.next_token = result.next_token;
  }
  if (!allowed.empty()) o.detail = absl::StrCat("image_allowed=", absl::StrJoin(allowed, ","));
  return o;
}

absl::StatusOr<Outcome> DescribeSnapshotsOp(const Cloud& cloud, const CallContext& ctx,
                                            const v1::DescribeSnapshots& r, Resolver resolve) {
  DescribeSnapshotsRequest request;
  AMI_ASSIGN_OR_RETURN(request.owner_ids, ResolveAll(r.owner_ids(), resolve));
  AMI_ASSIGN_OR_RETURN(request.restorable_by_user_ids, ResolveAll(r.restorable_by_user_ids(), resolve));
  AMI_ASSIGN_OR_RETURN(request.snapshot_ids, ResolveAll(r.snapshot_ids(), resolve));
  AMI_ASSIGN_OR_RETURN(request.filters, Filters(r.filters(), resolve));
  request.max_results = r.max_results();
  Outcome o = Outcome::Done(absl::OkStatus(), "");
  for (int page = 0; page < kMaxPages; ++page) {
    AMI_OUTCOME_OR(const DescribeSnapshotsResult result, cloud.DescribeSnapshots(ctx, request));
    for (const Snapshot& s : result.snapshots) o.returned.push_back(s.id().ToString());
    if (result.next_token.empty()) break;
    request.next_token = result.next_token;
  }
  return o;
}

// Reads that take no DryRun.
bool IsRead(Op op) {
  switch (op) {
    case Op::kGetAllowedImagesSettings:
    case Op::kGetImageBlockPublicAccessState:
    case Op::kGetSnapshotBlockPublicAccessState:
    case Op::kListRecycleBinRules:
    case Op::kListImagesInRecycleBin:
    case Op::kListSnapshotsInRecycleBin:
      return true;
    default:
      return false;
  }
}

// ---- Checks ---------------------------------------------------------------------------------

// Compares `got` with `want`, both sets of ids, as sorted lists.
void CompareIds(absl::string_view field, std::vector<std::string> got, std::vector<std::string> want,
                std::vector<std::string>* out) {
  const std::string got_text = absl::StrJoin(Sorted(std::move(got)), ",");
  const std::string want_text = absl::StrJoin(Sorted(std::move(want)), ",");
  if (got_text != want_text) {
    out->push_back(absl::StrCat(field, " is [", got_text, "], expected [", want_text, "]"));
  }
}

void CompareText(absl::string_view field, const std::string& got, const std::string& want,
                 std::vector<std::string>* out) {
  if (!want.empty() && got != want) {
    out->push_back(absl::StrCat(field, " is \"", got, "\", expected \"", want, "\""));
  }
}

absl::Status OneOf(absl::string_view field, const std::string& text,
                   std::initializer_list<absl::string_view> values) {
  if (text.empty() || std::find(values.begin(), values.end(), text) != values.end()) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat("expect.", field, " `", text, "` is not a valid value"));
}

bool HasAccountChecks(const v1::Expect& e) {
  return !e.image_block_public_access_state().empty() ||
         !e.snapshot_block_public_access_state().empty() || !e.allowed_images_state().empty() ||
         e.has_recycle_bin_images() || e.has_recycle_bin_snapshots() || e.has_recycle_bin_rules();
}

absl::Status CheckRules(const Cloud& cloud, const CallContext& ctx, const v1::RuleList& want,
                        Resolver resolve, std::vector<std::string>* out) {
  std::vector<std::string> want_ids, got_ids;
  const std::vector<RetentionRule> rules = cloud.ListRecycleBinRules(ctx.account, ctx.region);
  for (const RetentionRule& r : rules) got_ids.push_back(r.id);
  for (const v1::RuleLockCheck& w : want.rules()) {
    AMI_RETURN_IF_ERROR(ValidEnum<RuleLockState>("recycle_bin_rules.lock_state", w.lock_state()));
    AMI_ASSIGN_OR_RETURN(const std::string id, resolve(w.rule_id()));
    want_ids.push_back(id);
    for (const RetentionRule& r : rules) {
      if (r.id == id) {
        CompareText(absl::StrCat("recycle bin rule `", id, "` lock state"),
                    std::string(ToString(r.lock_state)), w.lock_state(), out);
      }
    }
  }
  CompareIds("recycle_bin_rules", std::move(got_ids), std::move(want_ids), out);
  return absl::OkStatus();
}

absl::Status CheckAccount(const Cloud& cloud, const v1::Step& step, Resolver resolve,
                          std::vector<std::string>* out) {
  const v1::Expect& e = step.expect();
  AMI_RETURN_IF_ERROR(OneOf("image_block_public_access_state", e.image_block_public_access_state(),
                            {"block-new-sharing", "unblocked"}));
  AMI_RETURN_IF_ERROR(OneOf("snapshot_block_public_access_state",
                            e.snapshot_block_public_access_state(),
                            {"block-all-sharing", "block-new-sharing", "unblocked"}));
  AMI_RETURN_IF_ERROR(ValidEnum<AllowedImagesState>("allowed_images_state", e.allowed_images_state()));
  const absl::StatusOr<AccountId> account = AccountId::Parse(step.account());
  const absl::StatusOr<Region> region = Region::Parse(step.region());
  if (!account.ok() || !region.ok()) {
    return absl::InvalidArgumentError(
        "the account checks of expect need the step's account and region, whose state they read");
  }
  const CallContext ctx{*account, *region, false};
  CompareText("image_block_public_access_state", cloud.GetImageBlockPublicAccessState(*account, *region),
              e.image_block_public_access_state(), out);
  CompareText("snapshot_block_public_access_state",
              cloud.GetSnapshotBlockPublicAccessState(*account, *region),
              e.snapshot_block_public_access_state(), out);
  CompareText("allowed_images_state",
              std::string(ToString(cloud.GetAllowedImagesSettings(*account, *region).state)),
              e.allowed_images_state(), out);
  if (e.has_recycle_bin_images()) {
    std::vector<std::string> got;
    for (const RecycleBinImage& i : cloud.ListImagesInRecycleBin(ctx)) got.push_back(i.image.id().ToString());
    AMI_ASSIGN_OR_RETURN(std::vector<std::string> want, ResolveAll(e.recycle_bin_images().ids(), resolve));
    CompareIds("recycle_bin_images", std::move(got), std::move(want), out);
  }
  if (e.has_recycle_bin_snapshots()) {
    std::vector<std::string> got;
    for (const RecycleBinSnapshot& s : cloud.ListSnapshotsInRecycleBin(ctx)) {
      got.push_back(s.snapshot.id().ToString());
    }
    AMI_ASSIGN_OR_RETURN(std::vector<std::string> want,
                         ResolveAll(e.recycle_bin_snapshots().ids(), resolve));
    CompareIds("recycle_bin_snapshots", std::move(got), std::move(want), out);
  }
  if (e.has_recycle_bin_rules()) {
    AMI_RETURN_IF_ERROR(CheckRules(cloud, ctx, e.recycle_bin_rules(), resolve, out));
  }
  return absl::OkStatus();
}

absl::Status CheckImageAllowed(const v1::Step& step, const Outcome& outcome, Resolver resolve,
                               std::vector<std::string>* out) {
  if (step.operation_case() != Op::kDescribeImages) {
    return absl::InvalidArgumentError("expect.image_allowed needs a describe_images step");
  }
  auto text = [](const std::optional<bool>& v) -> std::string {
    return v.has_value() ? (*v ? "true" : "false") : "unset";
  };
  for (const v1::ImageAllowedValue& want : step.expect().image_allowed()) {
    AMI_ASSIGN_OR_RETURN(const std::string id, resolve(want.image_id()));
    const std::optional<bool> expected =
        want.has_allowed() ? std::optional<bool>(want.allowed()) : std::nullopt;
    auto it = std::find_if(outcome.image_allowed.begin(), outcome.image_allowed.end(),
                           [&id](const auto& entry) { return entry.first == id; });
    if (it == outcome.image_allowed.end()) {
      out->push_back(absl::StrCat("image_allowed: `", id, "` was not found"));
    } else if (it->second != expected) {
      out->push_back(absl::StrCat("image_allowed of `", id, "` is ", text(it->second), ", expected ",
                                  text(expected)));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string OperationName(const v1::Step& step) {
  const auto* oneof = v1::Step::descriptor()->FindOneofByName("operation");
  const auto* field = step.GetReflection()->GetOneofFieldDescriptor(step, oneof);
  return field == nullptr ? std::string("(none)") : field->name();
}

bool IsLifecycleOperation(v1::Step::OperationCase op) {
  return op >= Op::kEnableImageDeprecation && op <= Op::kDescribeSnapshots;
}

absl::StatusOr<Outcome> RunLifecycleStep(Cloud& cloud, const CallContext& ctx,
                                         const v1::Step& step, Resolver resolve) {
  const Op op = step.operation_case();
  if (ctx.dry_run && IsRead(op)) {
    return absl::InvalidArgumentError(absl::StrCat("dry_run does not apply to ", OperationName(step)));
  }
  if (op >= Op::kEnableImageDeprecation && op <= Op::kDisableImageDeregistrationProtection) {
    return Lifecycle(cloud, ctx, step, resolve);
  }
  if (op >= Op::kEnableAllowedImagesSettings && op <= Op::kGetSnapshotBlockPublicAccessState) {
    return Governance(cloud, ctx, step);
  }
  if (op >= Op::kCreateRecycleBinRule && op <= Op::kRestoreSnapshotFromRecycleBin) {
    return RecycleBin(cloud, ctx, step, resolve);
  }
  if (op == Op::kDescribeImages) return DescribeImagesOp(cloud, ctx, step.describe_images(), resolve);
  if (op == Op::kDescribeSnapshots) {
    return DescribeSnapshotsOp(cloud, ctx, step.describe_snapshots(), resolve);
  }
  return absl::InvalidArgumentError(absl::StrCat("unsupported operation ", OperationName(step)));
}

absl::Status CheckAccountAndReturned(const Cloud& cloud, const v1::Step& step,
                                     const Outcome& outcome, Resolver resolve,
                                     std::vector<std::string>* out) {
  const v1::Expect& e = step.expect();
  if (HasAccountChecks(e)) AMI_RETURN_IF_ERROR(CheckAccount(cloud, step, resolve, out));
  if (e.has_returned()) {
    AMI_ASSIGN_OR_RETURN(std::vector<std::string> want, ResolveAll(e.returned().ids(), resolve));
    CompareIds("returned", outcome.returned, std::move(want), out);
  }
  if (!e.image_allowed().empty()) AMI_RETURN_IF_ERROR(CheckImageAllowed(step, outcome, resolve, out));
  return absl::OkStatus();
}

void ClearAccountAndReturnedChecks(v1::Expect* e) {
  e->clear_image_block_public_access_state();
  e->clear_snapshot_block_public_access_state();
  e->clear_allowed_images_state();
  e->clear_recycle_bin_images();
  e->clear_recycle_bin_snapshots();
  e->clear_recycle_bin_rules();
  e->clear_returned();
  e->clear_image_allowed();
}

}  // namespace ami::scenario_internal
