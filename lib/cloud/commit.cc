// The one writer: CloudState::Commit applies a plan to the tables and their indexes.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cloud/state.h"

namespace ami::internal {

const TokenEntry* CloudState::FindClientToken(const TokenKey& key) const {
  auto it = client_tokens_.find(key);
  return it == client_tokens_.end() ? nullptr : &it->second;
}

std::optional<ImageId> CloudState::CreatingImageFrom(InstanceId instance) const {
  auto it = creating_from_.find(instance);
  if (it == creating_from_.end()) return std::nullopt;
  return it->second;
}

int CloudState::RetentionDays(AccountId owner, Region region, RecycleBinResourceType type,
                              const TagSet& tags) const {
  auto it = bin_rules_.find(AccountRegion{owner, region});
  if (it == bin_rules_.end()) return 0;
  int days = 0;
  for (const RetentionRule& r : it->second) {
    if (r.resource_type == type && RuleRetains(r, tags)) days = std::max(days, r.retention_days);
  }
  return days;
}

std::optional<absl::Time> CloudState::BinExit(const std::string& id) const {
  if (auto image = ImageId::Parse(id); image.ok()) {
    auto it = bin_images_.find(*image);
    if (it != bin_images_.end()) return it->second.exit_time;
  } else if (auto snap = SnapshotId::Parse(id); snap.ok()) {
    auto it = bin_snapshots_.find(*snap);
    if (it != bin_snapshots_.end()) return it->second.exit_time;
  }
  return std::nullopt;
}

const OrganizationInfo* CloudState::FindOrganization(const OrganizationId& org) const {
  auto it = organizations_.find(org);
  return it == organizations_.end() ? nullptr : &it->second;
}

const PendingWork* CloudState::DueWork() const {
  if (pending_.empty() || pending_.begin()->first > now_) return nullptr;
  return &pending_.begin()->second;
}

AllowedImagesSettings CloudState::StoredAllowedImages(AccountId account, Region region) const {
  auto it = allowed_images_.find(AccountRegion{account, region});
  return it == allowed_images_.end() ? AllowedImagesSettings() : it->second;
}

std::vector<RetentionRule> CloudState::BinRules(AccountId account, Region region) const {
  auto it = bin_rules_.find(AccountRegion{account, region});
  return it == bin_rules_.end() ? std::vector<RetentionRule>() : it->second;
}

std::shared_ptr<const Image> CloudState::BinnedImage(ImageId id) const {
  auto it = bin_images_.find(id);
  return it == bin_images_.end() ? nullptr : it->second.resource;
}

std::shared_ptr<const Snapshot> CloudState::BinnedSnapshot(SnapshotId id) const {
  auto it = bin_snapshots_.find(id);
  return it == bin_snapshots_.end() ? nullptr : it->second.resource;
}

struct CommitSteps {

// Puts the image, as it is now, in the Recycle Bin for `days` (DEREG-9, DEREG-10).
static void RetainImage(CloudState& s, const Plan::Retained& r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
  const absl::Time exit = s.now_ + absl::Hours(24) * r.days;
  s.bin_images_.insert_or_assign(r.image, BinEntry<Image>{s.images_.at(r.image), s.now_, exit});
  s.Schedule(exit - s.now_, {PendingWork::Kind::kBinExpiry, r.image.ToString(), std::nullopt});
}

// Deletes the snapshot, keeping it in the Recycle Bin for `days` when a rule retains it.
static void DeleteSnapshot(CloudState& s, const Plan::Deleted& d) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
  auto it = s.snapshots_.find(d.snapshot);
  if (it == s.snapshots_.end()) return;
  std::shared_ptr<const Snapshot> snap = it->second;
  s.RemoveSnapshot(d.snapshot);
  if (d.days == 0) return;
  const absl::Time exit = s.now_ + absl::Hours(24) * d.days;
  s.bin_snapshots_.insert_or_assign(d.snapshot, BinEntry<Snapshot>{std::move(snap), s.now_, exit});
  s.Schedule(exit - s.now_, {PendingWork::Kind::kBinExpiry, d.snapshot.ToString(), std::nullopt});
}

static void DeleteKey(CloudState& s, const KmsKeyArn& arn) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
  s.keys_.erase(arn);
  for (auto a = s.aliases_.begin(); a != s.aliases_.end();) {
    if (a->second == arn) {
      s.aliases_.erase(a++);
    } else {
      ++a;
    }
  }
}

static void ExpireBinEntry(CloudState& s, const std::string& id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
  if (auto image = ImageId::Parse(id); image.ok()) {
    s.bin_images_.erase(*image);
  } else if (auto snap = SnapshotId::Parse(id); snap.ok()) {
    s.bin_snapshots_.erase(*snap);
  }
}

// ---- The extra parts, in three groups (plan.h) ----
static void CommitAccountsAndClock(CloudState& s, Plan::Extra& x) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
  if (x.now.has_value()) s.now_ = *x.now;
  if (x.pop_due_work) s.pending_.erase(s.pending_.begin());
  for (auto& [id, org] : x.put_organizations) s.organizations_.insert_or_assign(id, std::move(org));
  for (AccountInfo& account : x.put_accounts) {
    const AccountId id = account.id;
    s.accounts_.insert_or_assign(id, std::move(account));
  }
  for (const Plan::Retained& r : x.retain_images) RetainImage(s, r);
}

static void CommitRemovals(CloudState& s, Plan::Extra& x) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
  for (const Plan::Deleted& d : x.delete_snapshots) DeleteSnapshot(s, d);
  for (const auto& [id, region] : x.drop_foreign_tags) s.DropForeignTags(id, region);
  for (const auto& [instance, image] : x.start_create_image) {
    s.creating_from_.insert_or_assign(instance, image);
  }
  for (const KmsKeyArn& arn : x.delete_keys) DeleteKey(s, arn);
  for (const std::string& id : x.expire_bin_entries) ExpireBinEntry(s, id);
}

static void CommitKeysAndSettings(CloudState& s, Plan::Extra& x) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
  for (auto& key : x.put_keys) {
    const KmsKeyArn arn = key->arn();
    s.keys_.insert_or_assign(arn, std::move(key));
  }
  for (auto& [slot, arn] : x.put_aliases) s.aliases_.insert_or_assign(std::move(slot), arn);
  for (Plan::ForeignTags& t : x.set_foreign_tags) {
    s.SetForeignTags(t.id, t.region, t.account, std::move(t.tags));
  }
  if (x.put_settings.has_value()) {
    s.settings_.insert_or_assign(x.put_settings->first, std::move(x.put_settings->second));
  }
  if (x.put_allowed_images.has_value()) {
    auto& [key, allowed] = *x.put_allowed_images;
    if (allowed.has_value()) {
      s.allowed_images_.insert_or_assign(key, *std::move(allowed));
    } else {
      s.allowed_images_.erase(key);
    }
  }
  if (x.put_bin_rules.has_value()) {
    auto& [key, rules] = *x.put_bin_rules;
    if (rules.empty()) {
      s.bin_rules_.erase(key);
    } else {
      s.bin_rules_.insert_or_assign(key, std::move(rules));
    }
  }
  for (const std::string& id : x.leave_bin) ExpireBinEntry(s, id);
  CommitIam(s, x);
}

static void CommitIam(CloudState& s, Plan::Extra& x) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
  for (auto& p : x.put_principals) {
    if (p->is_role) s.role_names_.insert_or_assign({p->account, p->name}, p->arn);
    const std::string arn = p->arn;
    s.principals_.insert_or_assign(arn, std::move(p));
  }
  for (auto& p : x.put_scps) {
    s.scp_orgs_.insert(p->organization);
    const std::string id = p->id;
    s.scps_.insert_or_assign(id, std::move(p));
  }
  for (const Plan::Extra::ScpAttachment& a : x.scp_attachments) {
    if (a.policy_id == kFullAwsAccessId) {
      if (a.attach) {
        s.full_access_detached_.erase(a.target);
      } else {
        s.full_access_detached_.insert(a.target);
      }
      continue;
    }
    std::vector<std::string>& ids = s.scp_attachments_[a.target];
    ids.erase(std::remove(ids.begin(), ids.end(), a.policy_id), ids.end());
    if (a.attach) ids.push_back(a.policy_id);
    if (ids.empty()) s.scp_attachments_.erase(a.target);
  }
}

};

void CloudState::Commit(Plan&& plan) {
  Plan::Extra* extra = plan.has_extra() ? &plan.mutable_extra() : nullptr;
  if (plan.ids.has_value()) next_id_ = plan.ids->next();
  if (extra != nullptr) CommitSteps::CommitAccountsAndClock(*this, *extra);
  for (auto& snapshot : plan.put_snapshots) PutSnapshot(std::move(snapshot));
  for (auto& image : plan.put_images) {
    // CREATE-15: a NoReboot CreateImage ends when its image is no longer pending.
    const bool release = !creating_from_.empty() && image->source_instance().has_value() &&
                         image->state() != ImageState::kPending;
    const ImageId id = image->id();
    PutImage(std::move(image));
    if (release) ReleaseCreateImage(*images_.at(id));
  }
  for (Instance& instance : plan.put_instances) PutInstance(std::move(instance));
  if (extra != nullptr) CommitSteps::CommitRemovals(*this, *extra);
  for (auto& [after, work] : plan.schedule) Schedule(after, std::move(work));
  if (plan.client_token.has_value()) {
    client_tokens_.insert_or_assign(std::move(plan.client_token->first),
                                   std::move(plan.client_token->second));
  }
  if (extra != nullptr) CommitSteps::CommitKeysAndSettings(*this, *extra);
}

}  // namespace ami::internal
