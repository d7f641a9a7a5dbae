// State files: writing a Cloud as length-delimited StateRecord messages (ami/io/state_file.h). The
// reading half is lib/state_file_read.cc and lib/state_builder.cc.
#include "ami/io/state_file.h"

#include <algorithm>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "ami/io/proto.h"
#include "ami/v1/state.pb.h"
#include "values/choices.h"
#include "cloud/state.h"
#include "io/automation_state_proto.h"
#include "io/file_util.h"
#include "io/state_builder.h"
#include "io/state_checksum.h"
#include "values/status_macros.h"

namespace ami {

using internal::CloudAccess;
using internal::CloudState;
using internal::PendingWork;

namespace {

// ---- Writing ----

class RecordWriter {
 public:
  explicit RecordWriter(std::ostream& out) : out_(out) {}

  void Write(const v1::StateRecord& record) {
    record.SerializeToString(&buffer_);
    char size[10];
    size_t n = 0;
    for (uint64_t v = buffer_.size(); ; v >>= 7) {
      size[n++] = static_cast<char>((v & 0x7F) | (v >= 0x80 ? 0x80 : 0));
      if (v < 0x80) break;
    }
    checksum_.Add(size, n, buffer_.data(), buffer_.size());
    out_.write(size, static_cast<std::streamsize>(n));
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    ++count_;
  }

  void Finish() {
    v1::StateRecord trailer;
    trailer.mutable_trailer()->set_records(count_);
    trailer.mutable_trailer()->set_checksum(checksum_.value());
    Write(trailer);
  }

 private:
  std::ostream& out_;
  std::string buffer_;
  internal::StateChecksum checksum_{kStateFileVersion};
  uint64_t count_ = 0;
};

const char* BlockName(RegionSettings::SnapshotBlock b) {
  switch (b) {
    case RegionSettings::SnapshotBlock::kUnblocked: return "unblocked";
    case RegionSettings::SnapshotBlock::kBlockNewSharing: return "block-new-sharing";
    case RegionSettings::SnapshotBlock::kBlockAllSharing: return "block-all-sharing";
  }
  return "unblocked";
}

const char* KindName(PendingWork::Kind k) {
  switch (k) {
    case PendingWork::Kind::kImage: return "image";
    case PendingWork::Kind::kInstance: return "instance";
    case PendingWork::Kind::kKeyDeletion: return "key-deletion";
    case PendingWork::Kind::kBinExpiry: return "bin-expiry";
  }
  return "image";
}

// The keys of a hash map, sorted, so that equal states write equal files.
template <typename Map>
std::vector<typename Map::key_type> SortedKeys(const Map& map) {
  std::vector<typename Map::key_type> keys;
  keys.reserve(map.size());
  for (const auto& entry : map) keys.push_back(entry.first);
  std::sort(keys.begin(), keys.end());
  return keys;
}

// The entries of a hash map, sorted by key: as SortedKeys(), without a second lookup per key.
template <typename Map>
std::vector<const typename Map::value_type*> SortedEntries(const Map& map) {
  std::vector<const typename Map::value_type*> entries;
  entries.reserve(map.size());
  for (const auto& entry : map) entries.push_back(&entry);
  std::sort(entries.begin(), entries.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
  return entries;
}

// The values of a map of shared values, sorted by key.
template <typename Map>
std::vector<const typename Map::mapped_type::element_type*> SortedValues(const Map& map) {
  std::vector<const typename Map::mapped_type::element_type*> values;
  values.reserve(map.size());
  for (const auto* entry : SortedEntries(map)) values.push_back(entry->second.get());
  return values;
}

// The values of a ValueTable, sorted by id (the ids are read once, not at each comparison).
template <typename Id, typename T>
std::vector<const T*> SortedValues(const internal::ValueTable<Id, T>& table) {
  std::vector<std::pair<Id, const T*>> entries;
  entries.reserve(table.size());
  for (const auto& value : table) entries.emplace_back(value->id(), value.get());
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<const T*> values;
  values.reserve(entries.size());
  for (const auto& entry : entries) values.push_back(entry.second);
  return values;
}

void WriteOrganizations(const CloudState& s, RecordWriter& w) {
  v1::StateRecord r;
  for (const OrganizationId& id : SortedKeys(s.organizations())) {
    const internal::OrganizationInfo& org = s.organizations().at(id);
    r.Clear();
    v1::OrganizationRecord* o = r.mutable_organization();
    o->set_organization_id(id.ToString());
    o->set_management_account(org.management.ToString());
    o->set_root_id(org.root_id);
    for (const OrganizationalUnitId& ou : SortedKeys(org.ous)) {
      v1::OrganizationalUnitEdge* e = o->add_ous();
      e->set_ou_id(ou.ToString());
      if (const auto& parent = org.ous.at(ou)) e->set_parent_ou_id(parent->ToString());
    }
    w.Write(r);
  }
}

void WriteAccounts(const CloudState& s, RecordWriter& w) {
  v1::StateRecord r;
  for (const AccountId id : SortedKeys(s.accounts())) {
    const AccountInfo& info = s.accounts().at(id);
    r.Clear();
    v1::AccountRecord* a = r.mutable_account();
    a->set_account_id(id.ToString());
    if (info.organization) a->set_organization_id(info.organization->ToString());
    a->set_root_id(info.root_id);
    for (const OrganizationalUnitId& ou : info.ou_path) a->add_ou_path(ou.ToString());
    w.Write(r);
  }
}

void WriteSettings(const CloudState& s, RecordWriter& w) {
  v1::StateRecord r;
  for (const internal::AccountRegion& key : SortedKeys(s.settings())) {
    const RegionSettings& set = s.settings().at(key);
    r.Clear();
    v1::SettingsRecord* t = r.mutable_settings();
    t->set_account_id(key.first.ToString());
    t->set_region(key.second.ToString());
    t->set_encryption_by_default(set.encryption_by_default);
    if (set.default_kms_key) t->set_default_kms_key(set.default_kms_key->ToString());
    t->set_image_block_public_access(set.image_block_public_access);
    t->set_snapshot_block_public_access(BlockName(set.snapshot_block_public_access));
    t->set_image_block_public_access_chosen(set.image_block_public_access_chosen);
    if (set.image_block_public_access_from) {
      t->set_image_block_public_access_from(FormatAwsTime(*set.image_block_public_access_from));
    }
    w.Write(r);
  }
}

void WriteAllowedImages(const CloudState& s, RecordWriter& w) {
  v1::StateRecord r;
  for (const internal::AccountRegion& key : SortedKeys(s.allowed_images())) {
    const AllowedImagesSettings& set = s.allowed_images().at(key);
    r.Clear();
    v1::AllowedImagesRecord* a = r.mutable_allowed_images();
    a->set_account_id(key.first.ToString());
    a->set_region(key.second.ToString());
    a->set_state(std::string(ToString(set.state)));
    for (const ImageCriterion& c : set.criteria) {
      v1::ImageCriterionRecord* out = a->add_criteria();
      for (const std::string& p : c.image_providers) out->add_image_providers(p);
      for (const std::string& n : c.image_names) out->add_image_names(n);
      for (const std::string& code : c.marketplace_product_codes) {
        out->add_marketplace_product_codes(code);
      }
      out->set_has_maximum_days_since_created(c.maximum_days_since_created.has_value());
      out->set_maximum_days_since_created(c.maximum_days_since_created.value_or(0));
      out->set_has_maximum_days_since_deprecated(c.maximum_days_since_deprecated.has_value());
      out->set_maximum_days_since_deprecated(c.maximum_days_since_deprecated.value_or(0));
    }
    w.Write(r);
  }
}

void WriteRetentionRules(const CloudState& s, RecordWriter& w) {
  v1::StateRecord r;
  for (const internal::AccountRegion& key : SortedKeys(s.bin_rules())) {
    for (const RetentionRule& rule : s.bin_rules().at(key)) {
      r.Clear();
      v1::RetentionRuleRecord* out = r.mutable_retention_rule();
      out->set_account_id(key.first.ToString());
      out->set_region(key.second.ToString());
      out->set_id(rule.id);
      out->set_description(rule.description);
      out->set_resource_type(std::string(ToString(rule.resource_type)));
      out->set_retention_days(rule.retention_days);
      for (const auto& [list, field] :
           {std::pair{&rule.resource_tags, out->mutable_resource_tags()},
            std::pair{&rule.exclude_resource_tags, out->mutable_exclude_resource_tags()}}) {
        for (const ResourceTag& t : *list) {
          v1::ResourceTagRecord* tr = field->Add();
          tr->set_key(t.key);
          tr->set_value(t.value);
        }
      }
      out->set_lock_state(std::string(ToString(rule.lock_state)));
      out->set_unlock_delay_days(rule.unlock_delay_days);
      if (rule.unlock_at) out->set_unlock_at(FormatAwsTime(*rule.unlock_at));
      w.Write(r);
    }
  }
}

void SetDocument(const internal::IamDocument& d, v1::PolicyDocumentRecord* out) {
  out->set_name(d.name);
  out->set_document(d.text);
}

// IAM users and roles, service control policies with their targets, and FullAWSAccess
// detachments, each in key order.
void WriteIam(const CloudState& s, RecordWriter& w) {
  v1::StateRecord r;
  for (const std::string& arn : SortedKeys(s.principals())) {
    const internal::IamPrincipal& p = *s.principals().at(arn);
    r.Clear();
    v1::PrincipalRecord* out = r.mutable_principal();
    out->set_account_id(p.account.ToString());
    out->set_type(p.is_role ? "role" : "user");
    out->set_name(p.name);
    out->set_path(p.path);
    for (const internal::IamDocument& d : p.policies) SetDocument(d, out->add_policies());
    if (p.boundary) SetDocument(*p.boundary, out->mutable_boundary());
    for (const Tag& tag : p.tags) {
      v1::Tag* t = out->add_tags();
      t->set_key(tag.key());
      t->set_value(tag.value());
    }
    w.Write(r);
  }
  absl::flat_hash_map<std::string, std::vector<std::string>> targets;
  for (const auto& [target, ids] : s.scp_attachments()) {
    for (const std::string& id : ids) targets[id].push_back(target);
  }
  for (const std::string& id : SortedKeys(s.scps())) {
    const internal::ServiceControlPolicy& p = *s.scps().at(id);
    r.Clear();
    v1::ServiceControlPolicyRecord* out = r.mutable_service_control_policy();
    out->set_id(p.id);
    out->set_organization_id(p.organization);
    SetDocument(p.document, out->mutable_document());
    std::vector<std::string>& on = targets[id];
    std::sort(on.begin(), on.end());
    for (const std::string& t : on) out->add_targets(t);
    w.Write(r);
  }
  std::vector<std::string> detached(s.full_access_detached().begin(),
                                    s.full_access_detached().end());
  std::sort(detached.begin(), detached.end());
  for (const std::string& target : detached) {
    r.Clear();
    r.mutable_full_access_detached()->set_target(target);
    w.Write(r);
  }
}

void WriteAccountsAndSettings(const CloudState& s, RecordWriter& w) {
  WriteOrganizations(s, w);
  WriteAccounts(s, w);
  WriteIam(s, w);
  WriteSettings(s, w);
  WriteAllowedImages(s, w);
  WriteRetentionRules(s, w);
}

// Writes each value of `table`, in key order, as a record whose `Set` field holds it; one
// message is reused for every record, so that its storage is allocated once.
template <typename Message, typename Table, typename Set, typename Release>
void WriteTable(const Table& table, v1::StateRecord& r, RecordWriter& w, Set set, Release release) {
  Message m;
  for (const auto* value : SortedValues(table)) {
    ToProto(*value, &m);
    (r.*set)(&m);
    w.Write(r);
    (void)(r.*release)();
  }
}

void WriteResources(const CloudState& s, RecordWriter& w) {
  v1::StateRecord r;
  WriteTable<v1::KmsKey>(s.keys(), r, w, &v1::StateRecord::set_allocated_key,
                         &v1::StateRecord::release_key);
  for (const auto& key : SortedKeys(s.aliases())) {
    r.Clear();
    v1::AliasRecord* a = r.mutable_alias();
    a->set_account_id(std::get<0>(key).ToString());
    a->set_region(std::get<1>(key).ToString());
    a->set_alias(std::get<2>(key));
    a->set_key_arn(s.aliases().at(key).ToString());
    w.Write(r);
  }
  r.Clear();
  WriteTable<v1::Snapshot>(s.snapshots(), r, w, &v1::StateRecord::set_allocated_snapshot,
                           &v1::StateRecord::release_snapshot);
  WriteTable<v1::Image>(s.images(), r, w, &v1::StateRecord::set_allocated_image,
                        &v1::StateRecord::release_image);
  WriteTable<v1::Instance>(s.instances(), r, w, &v1::StateRecord::set_allocated_instance,
                           &v1::StateRecord::release_instance);
}

void WriteTagsAndTokens(const CloudState& s, RecordWriter& w) {
  v1::StateRecord r;
  for (const std::string& resource : SortedKeys(s.foreign_tags())) {
    for (const auto& [account, tags] : s.foreign_tags().at(resource)) {
      r.Clear();
      v1::ForeignTagsRecord* f = r.mutable_foreign_tags();
      f->set_resource_id(resource);
      f->set_account_id(account.ToString());
      for (const Tag& tag : tags) {
        v1::Tag* t = f->add_tags();
        t->set_key(tag.key());
        t->set_value(tag.value());
      }
      w.Write(r);
    }
  }
  for (const auto& key : SortedKeys(s.client_tokens())) {
    const internal::TokenEntry& e = s.client_tokens().at(key);
    r.Clear();
    v1::ClientTokenRecord* c = r.mutable_client_token();
    c->set_account_id(std::get<0>(key).ToString());
    c->set_region(std::get<1>(key).ToString());
    c->set_token(std::get<2>(key));
    c->set_fingerprint(e.fingerprint);
    c->set_image_id(e.image.ToString());
    w.Write(r);
  }
  for (const InstanceId id : SortedKeys(s.creating_from())) {
    r.Clear();
    r.mutable_creating()->set_instance_id(id.ToString());
    r.mutable_creating()->set_image_id(s.creating_from().at(id).ToString());
    w.Write(r);
  }
}

void WriteBinAndPending(const CloudState& s, RecordWriter& w) {
  v1::StateRecord r;
  for (const SnapshotId id : SortedKeys(s.bin_snapshots())) {
    const auto& entry = s.bin_snapshots().at(id);
    r.Clear();
    v1::BinRecord* b = r.mutable_bin();
    *b->mutable_snapshot() = ToProto(*entry.resource);
    b->set_enter_time(FormatAwsTime(entry.enter_time));
    b->set_exit_time(FormatAwsTime(entry.exit_time));
    w.Write(r);
  }
  for (const ImageId id : SortedKeys(s.bin_images())) {
    const auto& entry = s.bin_images().at(id);
    r.Clear();
    v1::BinRecord* b = r.mutable_bin();
    *b->mutable_image() = ToProto(*entry.resource);
    b->set_enter_time(FormatAwsTime(entry.enter_time));
    b->set_exit_time(FormatAwsTime(entry.exit_time));
    w.Write(r);
  }
  // The pending multimap is ordered by time and, within a time, by scheduling order.
  for (const auto& [at, work] : s.pending()) {
    r.Clear();
    v1::PendingRecord* p = r.mutable_pending();
    p->set_at(FormatAwsTime(at));
    p->set_kind(KindName(work.kind));
    p->set_id(work.id);
    if (work.failure) {
      p->set_fails(true);
      p->mutable_failure()->set_code(work.failure->code);
      p->mutable_failure()->set_message(work.failure->message);
    }
    w.Write(r);
  }
}

// The automation, in records of a bounded size (lib/io/automation_state_proto.h); none when
// the cloud has no automation, so that such a cloud's file is as before.
void WriteAutomation(const CloudState& s, RecordWriter& w) {
  v1::StateRecord r;
  internal::AutomationToRecords(s.automation(), [&](v1::AutomationStateRecord& part) {
    r.mutable_automation()->Swap(&part);
    w.Write(r);
  });
}

void WriteBookkeeping(const CloudState& s, RecordWriter& w) {
  WriteTagsAndTokens(s, w);
  WriteBinAndPending(s, w);
  WriteAutomation(s, w);
}

}  // namespace

absl::Status SaveState(const Cloud& cloud, std::ostream& out) {
  const CloudState& s = CloudAccess::State(cloud);
  internal::ReaderLock lock(s.mu);
  RecordWriter w(out);
  v1::StateRecord header;
  v1::StateHeader* h = header.mutable_header();
  h->set_format(internal::kStateFileFormat);
  h->set_version(kStateFileVersion);
  h->set_seed(s.options.seed);
  h->set_start_time(FormatAwsTime(s.options.start_time));
  h->set_now(FormatAwsTime(s.Now()));
  h->set_next_id(s.next_id());
  h->set_image_pending_ms(absl::ToInt64Milliseconds(s.options.image_pending));
  h->set_instance_pending_ms(absl::ToInt64Milliseconds(s.options.instance_pending));
  h->set_snapshots(s.snapshots().size());
  h->set_images(s.images().size());
  h->set_instances(s.instances().size());
  w.Write(header);
  WriteAccountsAndSettings(s, w);
  WriteResources(s, w);
  WriteBookkeeping(s, w);
  w.Finish();
  out.flush();
  if (!out) return MakeError(choices::kUndecodableInput, "state file: writing failed");
  return absl::OkStatus();
}

absl::Status SaveStateToFile(const Cloud& cloud, const std::string& path) {
  return file_util::WriteAtomically(path, [&cloud](std::ostream& out) { return SaveState(cloud, out); });
}

}  // namespace ami
