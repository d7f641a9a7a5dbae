// The one writer: CloudState::Commit applies a plan to the tables and their indexes.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cloud/state.h"

namespace ami::internal {

const TokenEntry* CloudState::FindClientToken(const TokenKey& key) const {
  auto it = client_tokens.find(key);
  return it == client_tokens.end() ? nullptr : &it->second;
}

std::optional<ImageId> CloudState::CreatingImageFrom(InstanceId instance) const {
  auto it = creating_from.find(instance);
  if (it == creating_from.end()) return std::nullopt;
  return it->second;
}

int CloudState::RetentionDays(AccountId owner, Region region, RecycleBinResourceType type,
                              const TagSet& tags) const {
  auto it = bin_rules.find(AccountRegion{owner, region});
  if (it == bin_rules.end()) return 0;
  int days = 0;
  for (const RetentionRule& r : it->second) {
    if (r.resource_type == type && RuleRetains(r, tags)) days = std::max(days, r.retention_days);
  }
  return days;
}

std::optional<absl::Time> CloudState::BinExit(const std::string& id) const {
  if (auto image = ImageId::Parse(id); image.ok()) {
    auto it = bin_images.find(*image);
    if (it != bin_images.end()) return it->second.exit_time;
  } else if (auto snap = SnapshotId::Parse(id); snap.ok()) {
    auto it = bin_snapshots.find(*snap);
    if (it != bin_snapshots.end()) return it->second.exit_time;
  }
  return std::nullopt;
}

const OrganizationInfo* CloudState::FindOrganization(const OrganizationId& org) const {
  auto it = organizations.find(org);
  return it == organizations.end() ? nullptr : &it->second;
}

const PendingWork* CloudState::DueWork() const {
  if (pending.empty() || pending.begin()->first > now) return nullptr;
  return &pending.begin()->second;
}

AllowedImagesSettings CloudState::StoredAllowedImages(AccountId account, Region region) const {
  auto it = allowed_images.find(AccountRegion{account, region});
  return it == allowed_images.end() ? AllowedImagesSettings() : it->second;
}

std::vector<RetentionRule> CloudState::BinRules(AccountId account, Region region) const {
  auto it = bin_rules.find(AccountRegion{account, region});
  return it == bin_rules.end() ? std::vector<RetentionRule>() : it->second;
}

std::shared_ptr<const Image> CloudState::BinnedImage(ImageId id) const {
  auto it = bin_images.find(id);
  return it == bin_images.end() ? nullptr : it->second.resource;
}

std::shared_ptr<const Snapshot> CloudState::BinnedSnapshot(SnapshotId id) const {
  auto it = bin_snapshots.find(id);
  return it == bin_snapshots.end() ? nullptr : it->second.resource;
}

namespace {

// Puts the image, as it is now, in the Recycle Bin for `days` (DEREG-9, DEREG-10).
void RetainImage(CloudState& s, const Plan::Retained& r) {
  const absl::Time exit = s.now + absl::Hours(24) * r.days;
  s.bin_images.insert_or_assign(r.image, BinEntry<Image>{s.images.at(r.image), s.now, exit});
  s.Schedule(exit - s.now, {PendingWork::Kind::kBinExpiry, r.image.ToString(), std::nullopt});
}

// Deletes the snapshot, keeping it in the Recycle Bin for `days` when a rule retains it.
void DeleteSnapshot(CloudState& s, const Plan::Deleted& d) {
  auto it = s.snapshots.find(d.snapshot);
  if (it == s.snapshots.end()) return;
  std::shared_ptr<const Snapshot> snap = it->second;
  s.RemoveSnapshot(d.snapshot);
  if (d.days == 0) return;
  const absl::Time exit = s.now + absl::Hours(24) * d.days;
  s.bin_snapshots.insert_or_assign(d.snapshot, BinEntry<Snapshot>{std::move(snap), s.now, exit});
  s.Schedule(exit - s.now, {PendingWork::Kind::kBinExpiry, d.snapshot.ToString(), std::nullopt});
}

void DeleteKey(CloudState& s, const KmsKeyArn& arn) {
  s.keys.erase(arn);
  for (auto a = s.aliases.begin(); a != s.aliases.end();) {
    if (a->second == arn) {
      s.aliases.erase(a++);
    } else {
      ++a;
    }
  }
}

void ExpireBinEntry(CloudState& s, const std::string& id) {
  if (auto image = ImageId::Parse(id); image.ok()) {
    s.bin_images.erase(*image);
  } else if (auto snap = SnapshotId::Parse(id); snap.ok()) {
    s.bin_snapshots.erase(*snap);
  }
}

// ---- Settings, Allowed AMIs and the Recycle Bin ----
void CommitSettings(CloudState& s, Plan& plan) {
  if (plan.put_settings.has_value()) {
    s.settings.insert_or_assign(plan.put_settings->first, std::move(plan.put_settings->second));
  }
  if (plan.put_allowed_images.has_value()) {
    auto& [key, allowed] = *plan.put_allowed_images;
    if (allowed.has_value()) {
      s.allowed_images.insert_or_assign(key, *std::move(allowed));
    } else {
      s.allowed_images.erase(key);
    }
  }
  if (plan.put_bin_rules.has_value()) {
    auto& [key, rules] = *plan.put_bin_rules;
    if (rules.empty()) {
      s.bin_rules.erase(key);
    } else {
      s.bin_rules.insert_or_assign(key, std::move(rules));
    }
  }
  for (const std::string& id : plan.leave_bin) ExpireBinEntry(s, id);
}

}  // namespace

void CloudState::Commit(Plan plan) {
  if (plan.now.has_value()) now = *plan.now;
  if (plan.pop_due_work) pending.erase(pending.begin());
  for (auto& [id, org] : plan.put_organizations) organizations.insert_or_assign(id, std::move(org));
  for (AccountInfo& account : plan.put_accounts) {
    const AccountId id = account.id;
    accounts.insert_or_assign(id, std::move(account));
  }
  if (plan.ids.has_value()) next_id = plan.ids->next();
  for (const Plan::Retained& r : plan.retain_images) RetainImage(*this, r);
  for (auto& snapshot : plan.put_snapshots) PutSnapshot(std::move(snapshot));
  for (auto& image : plan.put_images) {
    // CREATE-15: a NoReboot CreateImage ends when its image is no longer pending.
    const bool release = !creating_from.empty() && image->source_instance().has_value() &&
                         image->state() != ImageState::kPending;
    const ImageId id = image->id();
    PutImage(std::move(image));
    if (release) ReleaseCreateImage(*images.at(id));
  }
  for (Instance& instance : plan.put_instances) PutInstance(std::move(instance));
  for (const Plan::Deleted& d : plan.delete_snapshots) DeleteSnapshot(*this, d);
  for (const auto& [id, region] : plan.drop_foreign_tags) DropForeignTags(id, region);
  for (const auto& [instance, image] : plan.start_create_image) {
    creating_from.insert_or_assign(instance, image);
  }
  for (const KmsKeyArn& arn : plan.delete_keys) DeleteKey(*this, arn);
  for (const std::string& id : plan.expire_bin_entries) ExpireBinEntry(*this, id);
  for (auto& [after, work] : plan.schedule) Schedule(after, std::move(work));
  if (plan.client_token.has_value()) {
    client_tokens.insert_or_assign(std::move(plan.client_token->first),
                                   std::move(plan.client_token->second));
  }
  // ---- KMS keys, aliases and the tags accounts put on others' resources ----
  for (auto& key : plan.put_keys) {
    const KmsKeyArn arn = key->arn();
    keys.insert_or_assign(arn, std::move(key));
  }
  for (auto& [slot, arn] : plan.put_aliases) aliases.insert_or_assign(std::move(slot), arn);
  for (Plan::ForeignTags& t : plan.set_foreign_tags) {
    SetForeignTags(t.id, t.region, t.account, std::move(t.tags));
  }
  CommitSettings(*this, plan);
}

}  // namespace ami::internal
