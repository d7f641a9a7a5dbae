// Data Lifecycle Manager's API on a cloud: AMI policies made, changed, read and deleted
// (BACKUP-5 … 10). The checks are the policy engine's; firings are in dlm_run.cc.
#include <string>
#include <utility>

#include "absl/strings/str_format.h"
#include "ami/automation/automation.h"
#include "ami/errors.h"
#include "automation/dlm_run.h"
#include "cloud/ops_common.h"
#include "cloud/state.h"
#include "policy/automation_dlm.h"
#include "values/status_macros.h"

namespace ami {

using internal::CloudAccess;
using internal::CloudState;
using internal::DlmPolicyState;

namespace {

// policy- and 17 hex digits, from the cloud's seed and the policy's number.
std::string PolicyId(uint64_t seed, uint64_t n) {
  uint64_t z = seed * 0x9E3779B97F4A7C15ULL + n;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return absl::StrFormat("policy-%01x%016x", n & 0xf, z);
}

absl::Status NotFound(const std::string& id) {
  return MakeError(ErrorCode::kResourceNotFoundException,
                   absl::StrCat("lifecycle policy `", id, "` does not exist in this account and Region"));
}

// The caller's policy `id`, or nullptr.
DlmPolicyState* FindPolicy(CloudState& s, const CallContext& ctx, const std::string& id)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
  auto& policies = s.mutable_automation().dlm.policies;
  auto it = policies.find(id);
  if (it == policies.end() || it->second.policy.account != ctx.account ||
      it->second.policy.region != ctx.region) {
    return nullptr;
  }
  return &it->second;
}

}  // namespace

absl::StatusOr<std::string> Automation::CreateLifecyclePolicy(
    const CallContext& ctx, const LifecyclePolicyRequest& request) {
  CloudState& s = CloudAccess::State(*cloud_);
  internal::WriterLock lock(s.mu);
  AMI_RETURN_IF_ERROR(internal::Gate(policy::EvaluateLifecyclePolicy(s, ctx, request), ctx));
  internal::AutomationState& a = s.mutable_automation();
  std::string id;
  do {
    id = PolicyId(s.options.seed, a.dlm.next_number++);
  } while (a.dlm.policies.count(id) != 0);
  DlmPolicyState ps;
  ps.policy = LifecyclePolicy{id, ctx.account, ctx.region, request, request.state, "",
                              s.Now(), s.Now()};
  ps.order = a.NextOrder();
  ps.made.resize(internal::DlmSchedules(request).size());
  ps.copies.resize(ps.made.size());
  if (request.state == "ENABLED") internal::EnqueueDlmCreates(a, ps, s.Now());
  a.dlm.policies.emplace(id, std::move(ps));
  return id;
}

absl::Status Automation::UpdateLifecyclePolicyState(const CallContext& ctx,
                                                    const std::string& policy_id,
                                                    const std::string& state) {
  CloudState& s = CloudAccess::State(*cloud_);
  internal::WriterLock lock(s.mu);
  DlmPolicyState* ps = FindPolicy(s, ctx, policy_id);
  if (ps == nullptr) return NotFound(policy_id);
  if (state != "ENABLED" && state != "DISABLED") {
    return MakeError(ErrorCode::kInvalidRequestException,
                     absl::StrCat("State `", state, "` is not ENABLED or DISABLED"));
  }
  AMI_RETURN_IF_ERROR(internal::DryRunCheck(ctx));
  internal::AutomationState& a = s.mutable_automation();
  a.Dequeue(internal::Service::kDlm, policy_id);
  ps->policy.details.state = state;
  ps->policy.state = state;
  ps->policy.status_message.clear();
  ps->policy.date_modified = s.Now();
  if (state == "ENABLED") internal::EnqueueDlmCreates(a, *ps, s.Now());
  return absl::OkStatus();
}

absl::Status Automation::DeleteLifecyclePolicy(const CallContext& ctx,
                                               const std::string& policy_id) {
  CloudState& s = CloudAccess::State(*cloud_);
  internal::WriterLock lock(s.mu);
  if (FindPolicy(s, ctx, policy_id) == nullptr) return NotFound(policy_id);
  AMI_RETURN_IF_ERROR(internal::DryRunCheck(ctx));
  // The AMIs it made stay, unmanaged.
  s.mutable_automation().Dequeue(internal::Service::kDlm, policy_id);
  s.mutable_automation().dlm.policies.erase(policy_id);
  return absl::OkStatus();
}

absl::StatusOr<LifecyclePolicy> Automation::GetLifecyclePolicy(const CallContext& ctx,
                                                               const std::string& policy_id) const {
  CloudState& s = CloudAccess::State(*cloud_);
  internal::ReaderLock lock(s.mu);
  const auto& policies = s.automation().dlm.policies;
  auto it = policies.find(policy_id);
  if (it == policies.end() || it->second.policy.account != ctx.account ||
      it->second.policy.region != ctx.region) {
    return NotFound(policy_id);
  }
  return it->second.policy;
}

std::vector<LifecyclePolicy> Automation::GetLifecyclePolicies(const CallContext& ctx) const {
  CloudState& s = CloudAccess::State(*cloud_);
  internal::ReaderLock lock(s.mu);
  std::vector<LifecyclePolicy> out;
  for (const auto& [id, ps] : s.automation().dlm.policies) {
    if (ps.policy.account == ctx.account && ps.policy.region == ctx.region) out.push_back(ps.policy);
  }
  return out;
}

std::vector<AutomationRecord> Automation::History(const CallContext& ctx) const {
  CloudState& s = CloudAccess::State(*cloud_);
  internal::ReaderLock lock(s.mu);
  const std::deque<AutomationRecord>* log = s.automation().HistoryOf(ctx.account, ctx.region);
  if (log == nullptr) return {};
  return std::vector<AutomationRecord>(log->begin(), log->end());
}

}  // namespace ami
