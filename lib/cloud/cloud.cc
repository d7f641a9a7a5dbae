// The Cloud facade: creation, forks, the clock, accounts, settings, reads and preflight.
#include <algorithm>
#include <type_traits>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ami/cloud.h"
#include "ami/errors.h"
#include "ami/policy.h"
#include "cloud/state.h"
#include "values/choices.h"
#include "values/status_macros.h"

namespace ami {

using internal::CloudState;
using internal::PendingWork;

Cloud::Cloud(std::unique_ptr<CloudState> state) : state_(std::move(state)) {}
Cloud::~Cloud() = default;

std::unique_ptr<Cloud> Cloud::Create(Options options) {
  auto state = std::make_unique<CloudState>();
  internal::StateLoader(*state).SetClock(options, options.start_time, /*next_id=*/0);
  return std::unique_ptr<Cloud>(new Cloud(std::move(state)));
}

std::unique_ptr<Cloud> Cloud::Fork() const {
  internal::ReaderLock lock(state_->mu);
  return std::unique_ptr<Cloud>(new Cloud(state_->Clone()));
}

absl::Time Cloud::Now() const {
  internal::ReaderLock lock(state_->mu);
  return state_->Now();
}

namespace {

// Moves the clock to `t` (if later) and completes the work due by then.
void AdvanceTo(CloudState& s, absl::Time t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
  s.Commit(policy::PlanAdvanceClock(s, t - s.Now()));
  while (const PendingWork* work = s.DueWork()) s.Commit(policy::PlanCompletion(s, *work));
}

}  // namespace

// Firings run in time order, each with the clock at its time and the work due before it done;
// the cost is in proportion to the firings, not to the time simulated.
void Cloud::AdvanceClock(absl::Duration by) {
  CloudState& s = *state_;
  internal::WriterLock lock(s.mu);
  const absl::Time end = by > absl::ZeroDuration() ? s.Now() + by : s.Now();
  for (const internal::Trigger* next = s.automation().Next(); next != nullptr && next->at <= end;
       next = s.automation().Next()) {
    const internal::Trigger due = s.mutable_automation().PopNext();
    AdvanceTo(s, due.at);
    internal::RunTrigger(s, due);
  }
  AdvanceTo(s, end);
}

// ---- Accounts and organizations ----

absl::Status Cloud::CreateOrganization(const OrganizationId& org, AccountId management,
                                       const Input<OrganizationRootId>& root_id) {
  AMI_ASSIGN_OR_RETURN(const OrganizationRootId root, root_id.Decode());
  internal::WriterLock lock(state_->mu);
  AMI_ASSIGN_OR_RETURN(internal::Plan plan, policy::PlanCreateOrganization(*state_, org, management,
                                                                           root.ToString()));
  state_->Commit(std::move(plan));
  return absl::OkStatus();
}

absl::Status Cloud::CreateOrganizationalUnit(const OrganizationId& org,
                                             const OrganizationalUnitId& ou,
                                             std::optional<OrganizationalUnitId> parent) {
  internal::WriterLock lock(state_->mu);
  AMI_ASSIGN_OR_RETURN(internal::Plan plan,
                       policy::PlanCreateOrganizationalUnit(*state_, org, ou, std::move(parent)));
  state_->Commit(std::move(plan));
  return absl::OkStatus();
}

absl::Status Cloud::AddAccount(AccountId account, std::optional<OrganizationId> org,
                               std::optional<OrganizationalUnitId> ou) {
  internal::WriterLock lock(state_->mu);
  AMI_ASSIGN_OR_RETURN(internal::Plan plan,
                       policy::PlanAddAccount(*state_, account, std::move(org), std::move(ou)));
  state_->Commit(std::move(plan));
  return absl::OkStatus();
}

// ---- Reads ----

RegionSettings Cloud::GetSettings(AccountId account, Region region) const {
  internal::ReaderLock lock(state_->mu);
  return state_->Settings(account, region);
}

std::optional<Image> Cloud::GetImage(ImageId id) const {
  internal::ReaderLock lock(state_->mu);
  const Image* image = state_->FindImage(id);
  return image == nullptr ? std::nullopt : std::optional<Image>(*image);
}

std::optional<Snapshot> Cloud::GetSnapshot(SnapshotId id) const {
  internal::ReaderLock lock(state_->mu);
  const Snapshot* s = state_->FindSnapshot(id);
  return s == nullptr ? std::nullopt : std::optional<Snapshot>(*s);
}

std::optional<Instance> Cloud::GetInstance(InstanceId id) const {
  internal::ReaderLock lock(state_->mu);
  const Instance* i = state_->FindInstance(id);
  return i == nullptr ? std::nullopt : std::optional<Instance>(*i);
}

std::optional<KmsKey> Cloud::GetKey(const KmsKeyArn& arn) const {
  internal::ReaderLock lock(state_->mu);
  auto it = state_->keys().find(arn);
  return it == state_->keys().end() ? std::nullopt : std::optional<KmsKey>(*it->second);
}

namespace {

template <typename Map, typename Less>
auto SortedValues(const Map& map, Less less) {
  std::vector<std::remove_const_t<typename Map::mapped_type::element_type>> out;
  out.reserve(map.size());
  for (const auto& [id, value] : map) out.push_back(*value);
  std::sort(out.begin(), out.end(), less);
  return out;
}

template <typename Id, typename T, typename Less>
std::vector<T> SortedValues(const internal::ValueTable<Id, T>& table, Less less) {
  std::vector<T> out;
  out.reserve(table.size());
  for (const auto& value : table) out.push_back(*value);
  std::sort(out.begin(), out.end(), less);
  return out;
}

}  // namespace

bool Cloud::IsAwsManagedKey(const KmsKeyArn& arn) const {
  internal::ReaderLock lock(state_->mu);
  return state_->FindKey(arn).aws_managed;
}

std::vector<AccountId> Cloud::ListAccounts() const {
  internal::ReaderLock lock(state_->mu);
  std::vector<AccountId> out;
  for (const auto& [id, info] : state_->accounts()) out.push_back(id);
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<OrganizationId> Cloud::AccountOrganization(AccountId account) const {
  internal::ReaderLock lock(state_->mu);
  const AccountInfo* info = state_->FindAccount(account);
  return info == nullptr ? std::nullopt : info->organization;
}

std::vector<Image> Cloud::ListImages() const {
  internal::ReaderLock lock(state_->mu);
  return SortedValues(state_->images(), [](const Image& a, const Image& b) { return a.id() < b.id(); });
}

std::vector<Snapshot> Cloud::ListSnapshots() const {
  internal::ReaderLock lock(state_->mu);
  return SortedValues(state_->snapshots(),
                      [](const Snapshot& a, const Snapshot& b) { return a.id() < b.id(); });
}

std::vector<Instance> Cloud::ListInstances() const {
  internal::ReaderLock lock(state_->mu);
  return SortedValues(state_->instances(),
                      [](const Instance& a, const Instance& b) { return a.id() < b.id(); });
}

std::vector<KmsKey> Cloud::ListKeys() const {
  internal::ReaderLock lock(state_->mu);
  return SortedValues(state_->keys(), [](const KmsKey& a, const KmsKey& b) { return a.arn() < b.arn(); });
}

// The analysis cannot follow locks chosen by address; both are held, shared, around SameAs.
bool Cloud::StateEquals(const Cloud& other) const ABSL_NO_THREAD_SAFETY_ANALYSIS {
  if (this == &other) return true;
  // Lock in address order so that two comparisons in opposite directions cannot deadlock.
  const bool first = state_.get() < other.state_.get();
  internal::ReaderLock lock_a(first ? state_->mu : other.state_->mu);
  internal::ReaderLock lock_b(first ? other.state_->mu : state_->mu);
  return state_->SameAs(*other.state_);
}

Decision Cloud::Evaluate(absl::FunctionRef<Decision(const StateView&)> evaluate) const {
  internal::ReaderLock lock(state_->mu);
  return evaluate(*state_);
}

}  // namespace ami
