// State files: writing and reading a Cloud as length-delimited StateRecord messages.
#include "ami/state_file.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <istream>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "ami/proto.h"
#include "ami/v1/state.pb.h"
#include "cloud/state.h"
#include "google/protobuf/arena.h"
#include "io/file_util.h"
#include "io/state_checksum.h"
#include "values/choices.h"
#include "values/status_macros.h"
#include "values/text_util.h"

namespace ami {

using internal::CloudAccess;
using internal::CloudState;
using internal::PendingWork;

namespace {

constexpr char kFormat[] = "libami-state";

absl::Status Corrupt(const std::string& message) {
  return MakeError(choices::kUndecodableInput, absl::StrCat("state file: ", message));
}

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

void WriteAccountsAndSettings(const CloudState& s, RecordWriter& w) {
  v1::StateRecord r;
  for (const OrganizationId& id : SortedKeys(s.organizations)) {
    const internal::OrganizationInfo& org = s.organizations.at(id);
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
  for (const AccountId id : SortedKeys(s.accounts)) {
    const AccountInfo& info = s.accounts.at(id);
    r.Clear();
    v1::AccountRecord* a = r.mutable_account();
    a->set_account_id(id.ToString());
    if (info.organization) a->set_organization_id(info.organization->ToString());
    a->set_root_id(info.root_id);
    for (const OrganizationalUnitId& ou : info.ou_path) a->add_ou_path(ou.ToString());
    w.Write(r);
  }
  for (const internal::AccountRegion& key : SortedKeys(s.settings)) {
    const RegionSettings& set = s.settings.at(key);
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
  for (const internal::AccountRegion& key : SortedKeys(s.allowed_images)) {
    const AllowedImagesSettings& set = s.allowed_images.at(key);
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
  for (const internal::AccountRegion& key : SortedKeys(s.bin_rules)) {
    for (const RetentionRule& rule : s.bin_rules.at(key)) {
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
  WriteTable<v1::KmsKey>(s.keys, r, w, &v1::StateRecord::set_allocated_key,
                         &v1::StateRecord::release_key);
  for (const auto& key : SortedKeys(s.aliases)) {
    r.Clear();
    v1::AliasRecord* a = r.mutable_alias();
    a->set_account_id(std::get<0>(key).ToString());
    a->set_region(std::get<1>(key).ToString());
    a->set_alias(std::get<2>(key));
    a->set_key_arn(s.aliases.at(key).ToString());
    w.Write(r);
  }
  r.Clear();
  WriteTable<v1::Snapshot>(s.snapshots, r, w, &v1::StateRecord::set_allocated_snapshot,
                           &v1::StateRecord::release_snapshot);
  WriteTable<v1::Image>(s.images, r, w, &v1::StateRecord::set_allocated_image,
                        &v1::StateRecord::release_image);
  WriteTable<v1::Instance>(s.instances, r, w, &v1::StateRecord::set_allocated_instance,
                           &v1::StateRecord::release_instance);
}

void WriteBookkeeping(const CloudState& s, RecordWriter& w) {
  v1::StateRecord r;
  for (const std::string& resource : SortedKeys(s.foreign_tags)) {
    for (const auto& [account, tags] : s.foreign_tags.at(resource)) {
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
  for (const auto& key : SortedKeys(s.client_tokens)) {
    const internal::TokenEntry& e = s.client_tokens.at(key);
    r.Clear();
    v1::ClientTokenRecord* c = r.mutable_client_token();
    c->set_account_id(std::get<0>(key).ToString());
    c->set_region(std::get<1>(key).ToString());
    c->set_token(std::get<2>(key));
    c->set_fingerprint(e.fingerprint);
    c->set_image_id(e.image.ToString());
    w.Write(r);
  }
  for (const InstanceId id : SortedKeys(s.creating_from)) {
    r.Clear();
    r.mutable_creating()->set_instance_id(id.ToString());
    r.mutable_creating()->set_image_id(s.creating_from.at(id).ToString());
    w.Write(r);
  }
  for (const SnapshotId id : SortedKeys(s.bin_snapshots)) {
    const auto& entry = s.bin_snapshots.at(id);
    r.Clear();
    v1::BinRecord* b = r.mutable_bin();
    *b->mutable_snapshot() = ToProto(*entry.resource);
    b->set_enter_time(FormatAwsTime(entry.enter_time));
    b->set_exit_time(FormatAwsTime(entry.exit_time));
    w.Write(r);
  }
  for (const ImageId id : SortedKeys(s.bin_images)) {
    const auto& entry = s.bin_images.at(id);
    r.Clear();
    v1::BinRecord* b = r.mutable_bin();
    *b->mutable_image() = ToProto(*entry.resource);
    b->set_enter_time(FormatAwsTime(entry.enter_time));
    b->set_exit_time(FormatAwsTime(entry.exit_time));
    w.Write(r);
  }
  // The pending multimap is ordered by time and, within a time, by scheduling order.
  for (const auto& [at, work] : s.pending) {
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

}  // namespace

absl::Status SaveState(const Cloud& cloud, std::ostream& out) {
  const CloudState& s = CloudAccess::State(cloud);
  internal::ReaderLock lock(s.mu);
  RecordWriter w(out);
  v1::StateRecord header;
  v1::StateHeader* h = header.mutable_header();
  h->set_format(kFormat);
  h->set_version(kStateFileVersion);
  h->set_seed(s.options.seed);
  h->set_start_time(FormatAwsTime(s.options.start_time));
  h->set_now(FormatAwsTime(s.now));
  h->set_next_id(s.next_id);
  h->set_image_pending_ms(absl::ToInt64Milliseconds(s.options.image_pending));
  h->set_instance_pending_ms(absl::ToInt64Milliseconds(s.options.instance_pending));
  h->set_snapshots(s.snapshots.size());
  h->set_images(s.images.size());
  h->set_instances(s.instances.size());
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

// ---- Reading ----

namespace {

// Reads length-delimited records from a stream through a buffer.
class RecordReader {
 public:
  explicit RecordReader(std::istream& in) : in_(in) {}

  // Reads the next record; false at a clean end of the stream. The record before it is added to
  // the checksum now, so that the header (record 1) can name the checksum's version first.
  absl::StatusOr<bool> Next() {
    if (index_ > 0) checksum_.Add(varint_, varint_bytes_, record_.data(), record_.size());
    uint64_t size = 0;
    int shift = 0;
    varint_bytes_ = 0;
    while (true) {
      int c = Get();
      if (c < 0) {
        if (varint_bytes_ == 0) return false;
        return Corrupt(absl::StrCat("truncated inside the size of record ", index_ + 1));
      }
      varint_[varint_bytes_++] = static_cast<char>(c);
      size |= static_cast<uint64_t>(c & 0x7F) << shift;
      if ((c & 0x80) == 0) break;
      shift += 7;
      if (varint_bytes_ == sizeof(varint_)) return Corrupt(absl::StrCat("bad size of record ", index_ + 1));
    }
    if (size > kMaxStateRecordBytes) {
      return Corrupt(absl::StrCat("record ", index_ + 1, " claims ", size,
                                  " bytes, more than the limit of ", kMaxStateRecordBytes));
    }
    record_.resize(size);
    if (!Read(record_.data(), size)) {
      return Corrupt(absl::StrCat("truncated inside record ", index_ + 1));
    }
    ++index_;
    return true;
  }

  // The bytes of the record last read.
  const std::string& record() const { return record_; }
  // Sets the checksum's version; before the second record is read.
  void set_version(uint32_t version) { checksum_ = internal::StateChecksum(version); }
  // 1-based index of the record last read.
  uint64_t index() const { return index_; }
  // The checksum of every record before the one last read.
  uint64_t checksum_before() const { return checksum_.value(); }

 private:
  int Get() {
    if (pos_ == end_ && !Fill()) return -1;
    return static_cast<unsigned char>(buffer_[pos_++]);
  }
  bool Read(char* out, uint64_t n) {
    while (n > 0) {
      if (pos_ == end_ && !Fill()) return false;
      const size_t take = std::min<uint64_t>(n, end_ - pos_);
      std::memcpy(out, buffer_.data() + pos_, take);
      pos_ += take;
      out += take;
      n -= take;
    }
    return true;
  }
  bool Fill() {
    if (buffer_.empty()) buffer_.resize(1 << 20);
    in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    pos_ = 0;
    end_ = static_cast<size_t>(in_.gcount());
    return end_ > 0;
  }

  std::istream& in_;
  std::string buffer_;
  size_t pos_ = 0, end_ = 0;
  uint64_t index_ = 0;
  std::string record_;
  char varint_[10];
  size_t varint_bytes_ = 0;
  internal::StateChecksum checksum_{kStateFileVersion};
};

// Builds the new cloud's state record by record.
class StateBuilder {
 public:
  StateBuilder() : s_(std::make_unique<CloudState>()) {}

  absl::Status Header(const v1::StateHeader& h) {
    if (h.format() != kFormat) return Corrupt("not a libami state file (bad header)");
    if (h.version() < kOldestStateFileVersion || h.version() > kStateFileVersion) {
      return Corrupt(absl::StrCat("unsupported version ", h.version(), "; this build reads versions ",
                                  kOldestStateFileVersion, " to ", kStateFileVersion));
    }
    snapshots_.Expect(h.snapshots());
    images_.Expect(h.images());
    instances_.Expect(h.instances());
    s_->options.seed = h.seed();
    AMI_ASSIGN_OR_RETURN(s_->options.start_time, ParseAwsTime(h.start_time()));
    AMI_ASSIGN_OR_RETURN(s_->now, ParseAwsTime(h.now()));
    s_->next_id = h.next_id();
    s_->options.image_pending = absl::Milliseconds(h.image_pending_ms());
    s_->options.instance_pending = absl::Milliseconds(h.instance_pending_ms());
    return absl::OkStatus();
  }

  absl::Status Add(const v1::StateRecord& r);
  absl::Status CheckReferences() const;
  std::unique_ptr<CloudState> Release() { return std::move(s_); }

 private:
  absl::Status Organization(const v1::OrganizationRecord& o);
  absl::Status Account(const v1::AccountRecord& a);
  absl::Status Settings(const v1::SettingsRecord& t);
  absl::Status Bookkeeping(const v1::StateRecord& r);
  absl::Status AllowedImages(const v1::AllowedImagesRecord& a);
  absl::Status Rule(const v1::RetentionRuleRecord& r);
  absl::Status Bin(const v1::BinRecord& b);

  // What the header says of one table's size: a hint, acted on only once an eighth of it has
  // arrived, so that a file claiming more than it holds makes the loader allocate in proportion
  // to what it does hold (and never past kMaxSizingHint entries).
  class SizingHint {
   public:
    void Expect(uint64_t n) { hint_ = static_cast<size_t>(std::min<uint64_t>(n, kMaxSizingHint)); }
    // Counts one more entry of `table`, and sizes the table for the hint at an eighth of it.
    template <typename Table>
    void Arrived(Table& table) {
      if (++seen_ == std::max<size_t>(1, hint_ / 8) && hint_ > table.size()) table.reserve(hint_);
    }

   private:
    size_t hint_ = 0, seen_ = 0;
  };

  std::unique_ptr<CloudState> s_;
  SizingHint snapshots_, images_, instances_;
};

absl::Status Duplicate(absl::string_view what, const std::string& id) {
  return MakeError(choices::kInconsistentValues, absl::StrCat("duplicate ", what, " `", id, "`"));
}

absl::Status StateBuilder::Organization(const v1::OrganizationRecord& o) {
  AMI_ASSIGN_OR_RETURN(const OrganizationId id, OrganizationId::Parse(o.organization_id()));
  internal::OrganizationInfo info;
  AMI_ASSIGN_OR_RETURN(info.management, AccountId::Parse(o.management_account()));
  info.root_id = o.root_id();
  for (const v1::OrganizationalUnitEdge& e : o.ous()) {
    AMI_ASSIGN_OR_RETURN(const OrganizationalUnitId ou, OrganizationalUnitId::Parse(e.ou_id()));
    std::optional<OrganizationalUnitId> parent;
    if (!e.parent_ou_id().empty()) {
      AMI_ASSIGN_OR_RETURN(parent, OrganizationalUnitId::Parse(e.parent_ou_id()));
    }
    info.ous.emplace(ou, parent);
  }
  if (!s_->organizations.emplace(id, std::move(info)).second) return Duplicate("organization", id.ToString());
  return absl::OkStatus();
}

absl::Status StateBuilder::Account(const v1::AccountRecord& a) {
  AccountInfo info;
  AMI_ASSIGN_OR_RETURN(info.id, AccountId::Parse(a.account_id()));
  if (!a.organization_id().empty()) {
    AMI_ASSIGN_OR_RETURN(info.organization, OrganizationId::Parse(a.organization_id()));
    if (!s_->organizations.contains(*info.organization)) {
      return MakeError(choices::kInconsistentValues,
                       absl::StrCat("account `", a.account_id(), "` names unknown organization `",
                                    a.organization_id(), "`"));
    }
  }
  info.root_id = a.root_id();
  for (const std::string& ou : a.ou_path()) {
    AMI_ASSIGN_OR_RETURN(OrganizationalUnitId id, OrganizationalUnitId::Parse(ou));
    info.ou_path.push_back(std::move(id));
  }
  const AccountId id = info.id;
  if (!s_->accounts.emplace(id, std::move(info)).second) return Duplicate("account", id.ToString());
  return absl::OkStatus();
}

absl::Status StateBuilder::Settings(const v1::SettingsRecord& t) {
  AMI_ASSIGN_OR_RETURN(const AccountId account, AccountId::Parse(t.account_id()));
  AMI_ASSIGN_OR_RETURN(const Region region, Region::Parse(t.region()));
  RegionSettings set;
  set.encryption_by_default = t.encryption_by_default();
  if (!t.default_kms_key().empty()) {
    AMI_ASSIGN_OR_RETURN(set.default_kms_key, KmsKeyArn::Parse(t.default_kms_key()));
  } else {
    set.default_kms_key = s_->AwsManagedEbsKey(account, region);
  }
  set.image_block_public_access = t.image_block_public_access();
  set.image_block_public_access_chosen = t.image_block_public_access_chosen();
  if (!t.image_block_public_access_from().empty()) {
    AMI_ASSIGN_OR_RETURN(set.image_block_public_access_from,
                         ParseAwsTime(t.image_block_public_access_from()));
  }
  const std::string& block = t.snapshot_block_public_access();
  if (block == "unblocked" || block.empty()) {
    set.snapshot_block_public_access = RegionSettings::SnapshotBlock::kUnblocked;
  } else if (block == "block-new-sharing") {
    set.snapshot_block_public_access = RegionSettings::SnapshotBlock::kBlockNewSharing;
  } else if (block == "block-all-sharing") {
    set.snapshot_block_public_access = RegionSettings::SnapshotBlock::kBlockAllSharing;
  } else {
    return MakeError(choices::kInvalidValue, absl::StrCat("unknown snapshot block state `", block, "`"));
  }
  if (!s_->settings.emplace(internal::AccountRegion{account, region}, set).second) {
    return Duplicate("settings of", absl::StrCat(t.account_id(), " in ", t.region()));
  }
  return absl::OkStatus();
}

absl::Status StateBuilder::Bookkeeping(const v1::StateRecord& r) {
  switch (r.record_case()) {
    case v1::StateRecord::kAlias: {
      const v1::AliasRecord& a = r.alias();
      AMI_ASSIGN_OR_RETURN(const AccountId account, AccountId::Parse(a.account_id()));
      AMI_ASSIGN_OR_RETURN(const Region region, Region::Parse(a.region()));
      AMI_ASSIGN_OR_RETURN(const KmsKeyArn arn, KmsKeyArn::Parse(a.key_arn()));
      if (a.alias() == internal::kAwsEbsAlias) {
        // An imported AWS managed EBS key: held before its alias, in the alias's account and Region.
        const KeyFacts facts = s_->FindKey(arn);
        if (facts.key == nullptr || !facts.key->is_aws_managed() || arn.account() != account ||
            arn.region() != region) {
          return MakeError(choices::kInconsistentValues,
                           absl::StrCat("alias/aws/ebs of account `", account.ToString(), "` in ",
                                        region.code(), " names `", arn.ToString(),
                                        "`, which is not an aws managed key of the file"));
        }
      } else {
        AMI_RETURN_IF_ERROR(ValidateNewAliasName(a.alias()));
      }
      s_->aliases.insert_or_assign(std::make_tuple(account, region, a.alias()), arn);
      return absl::OkStatus();
    }
    case v1::StateRecord::kForeignTags: {
      const v1::ForeignTagsRecord& f = r.foreign_tags();
      AMI_ASSIGN_OR_RETURN(const AccountId account, AccountId::Parse(f.account_id()));
      std::vector<Tag> tags;
      for (const v1::Tag& t : f.tags()) {
        AMI_ASSIGN_OR_RETURN(Tag tag, Tag::Create(t.key(), t.value()));
        tags.push_back(std::move(tag));
      }
      AMI_ASSIGN_OR_RETURN(TagSet set, TagSet::Create(std::move(tags)));
      std::optional<Region> region;
      if (auto id = ImageId::Parse(f.resource_id()); id.ok() && s_->FindImage(*id) != nullptr) {
        region = s_->FindImage(*id)->region();
      } else if (auto sid = SnapshotId::Parse(f.resource_id());
                 sid.ok() && s_->FindSnapshot(*sid) != nullptr) {
        region = s_->FindSnapshot(*sid)->region();
      }
      if (!region.has_value() || set.empty()) {
        return MakeError(choices::kInvalidValue,
                         absl::StrCat("foreign tags name `", text_util::Clip(f.resource_id()),
                                      "`, which is no image or snapshot, or carry no tag"));
      }
      s_->SetForeignTags(f.resource_id(), *region, account, std::move(set));
      return absl::OkStatus();
    }
    case v1::StateRecord::kClientToken: {
      const v1::ClientTokenRecord& c = r.client_token();
      AMI_ASSIGN_OR_RETURN(const AccountId account, AccountId::Parse(c.account_id()));
      AMI_ASSIGN_OR_RETURN(const Region region, Region::Parse(c.region()));
      AMI_ASSIGN_OR_RETURN(const ImageId image, ImageId::Parse(c.image_id()));
      s_->client_tokens[std::make_tuple(account, region, c.token())] = {c.fingerprint(), image};
      return absl::OkStatus();
    }
    case v1::StateRecord::kCreating: {
      AMI_ASSIGN_OR_RETURN(const InstanceId instance, InstanceId::Parse(r.creating().instance_id()));
      AMI_ASSIGN_OR_RETURN(const ImageId image, ImageId::Parse(r.creating().image_id()));
      s_->creating_from.insert_or_assign(instance, image);
      return absl::OkStatus();
    }
    case v1::StateRecord::kPending: {
      const v1::PendingRecord& p = r.pending();
      PendingWork work;
      if (p.kind() == "image") {
        work.kind = PendingWork::Kind::kImage;
        AMI_RETURN_IF_ERROR(ImageId::Parse(p.id()).status());
      } else if (p.kind() == "instance") {
        work.kind = PendingWork::Kind::kInstance;
        AMI_RETURN_IF_ERROR(InstanceId::Parse(p.id()).status());
      } else if (p.kind() == "key-deletion") {
        work.kind = PendingWork::Kind::kKeyDeletion;
        AMI_RETURN_IF_ERROR(KmsKeyArn::Parse(p.id()).status());
      } else if (p.kind() == "bin-expiry") {
        work.kind = PendingWork::Kind::kBinExpiry;
        if (!ImageId::Parse(p.id()).ok()) AMI_RETURN_IF_ERROR(SnapshotId::Parse(p.id()).status());
      } else {
        return MakeError(choices::kInvalidValue, absl::StrCat("unknown pending work `", p.kind(), "`"));
      }
      work.id = p.id();
      if (p.fails()) work.failure = StateReason{p.failure().code(), p.failure().message()};
      AMI_ASSIGN_OR_RETURN(const absl::Time at, ParseAwsTime(p.at()));
      s_->pending.emplace(at, std::move(work));
      return absl::OkStatus();
    }
    case v1::StateRecord::kAllowedImages:
      return AllowedImages(r.allowed_images());
    case v1::StateRecord::kRetentionRule:
      return Rule(r.retention_rule());
    case v1::StateRecord::kBin:
      return Bin(r.bin());
    default:
      return Corrupt("a record of unknown kind");
  }
}

absl::Status StateBuilder::AllowedImages(const v1::AllowedImagesRecord& a) {
  AMI_ASSIGN_OR_RETURN(const AccountId account, AccountId::Parse(a.account_id()));
  AMI_ASSIGN_OR_RETURN(const Region region, Region::Parse(a.region()));
  AllowedImagesSettings set;
  AMI_ASSIGN_OR_RETURN(set.state, ParseEnum<AllowedImagesState>(a.state()));
  for (const v1::ImageCriterionRecord& in : a.criteria()) {
    ImageCriterion c;
    c.image_providers.assign(in.image_providers().begin(), in.image_providers().end());
    c.image_names.assign(in.image_names().begin(), in.image_names().end());
    c.marketplace_product_codes.assign(in.marketplace_product_codes().begin(),
                                       in.marketplace_product_codes().end());
    if (in.has_maximum_days_since_created()) {
      c.maximum_days_since_created = in.maximum_days_since_created();
    }
    if (in.has_maximum_days_since_deprecated()) {
      c.maximum_days_since_deprecated = in.maximum_days_since_deprecated();
    }
    set.criteria.push_back(std::move(c));
    if (set.criteria.size() > kMaxImageCriteria) break;
  }
  AMI_RETURN_IF_ERROR(ValidateImageCriteria(set.criteria));
  if (set.state == AllowedImagesState::kDisabled && set.criteria.empty()) {
    return MakeError(choices::kInvalidValue, "an allowed images record holds only defaults");
  }
  if (!s_->allowed_images.emplace(internal::AccountRegion{account, region}, std::move(set)).second) {
    return Duplicate("allowed images settings of", absl::StrCat(a.account_id(), " in ", a.region()));
  }
  return absl::OkStatus();
}

absl::Status StateBuilder::Rule(const v1::RetentionRuleRecord& in) {
  AMI_ASSIGN_OR_RETURN(const AccountId account, AccountId::Parse(in.account_id()));
  AMI_ASSIGN_OR_RETURN(const Region region, Region::Parse(in.region()));
  RetentionRule rule;
  rule.id = in.id();
  rule.description = in.description();
  AMI_ASSIGN_OR_RETURN(rule.resource_type, ParseEnum<RecycleBinResourceType>(in.resource_type()));
  rule.retention_days = in.retention_days();
  for (const auto& [field, list] : {std::pair{&in.resource_tags(), &rule.resource_tags},
                                    std::pair{&in.exclude_resource_tags(), &rule.exclude_resource_tags}}) {
    if (field->size() > static_cast<int>(kMaxRuleResourceTags)) {
      return MakeError(choices::kInvalidValue, "a rule has too many resource tags");
    }
    for (const v1::ResourceTagRecord& t : *field) {
      AMI_RETURN_IF_ERROR(Tag::Create(t.key(), t.value()).status());
      list->push_back({t.key(), t.value()});
    }
  }
  AMI_ASSIGN_OR_RETURN(rule.lock_state, ParseEnum<RuleLockState>(in.lock_state()));
  rule.unlock_delay_days = in.unlock_delay_days();
  if (!in.unlock_at().empty()) {
    AMI_ASSIGN_OR_RETURN(rule.unlock_at, ParseAwsTime(in.unlock_at()));
  }
  const bool locked = rule.lock_state != RuleLockState::kUnlocked;
  if (rule.id.size() != 11 || rule.description.size() > 255 ||
      rule.retention_days < kMinRetentionDays || rule.retention_days > kMaxRetentionDays ||
      (locked && (rule.unlock_delay_days < kMinUnlockDelayDays ||
                  rule.unlock_delay_days > kMaxUnlockDelayDays)) ||
      (!locked && rule.unlock_delay_days != 0) ||
      (rule.lock_state == RuleLockState::kPendingUnlock) != rule.unlock_at.has_value() ||
      (!rule.resource_tags.empty() && !rule.exclude_resource_tags.empty())) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat("recycle bin rule `", text_util::Clip(rule.id), "` is inconsistent"));
  }
  std::vector<RetentionRule>& rules = s_->bin_rules[internal::AccountRegion{account, region}];
  if (!rules.empty() && !(rules.back().id < rule.id)) {
    return MakeError(choices::kInvalidValue, absl::StrCat("recycle bin rule `", rule.id,
                                                          "` is out of order or repeated"));
  }
  rules.push_back(std::move(rule));
  return absl::OkStatus();
}

absl::Status StateBuilder::Bin(const v1::BinRecord& in) {
  AMI_ASSIGN_OR_RETURN(const absl::Time enter, ParseAwsTime(in.enter_time()));
  AMI_ASSIGN_OR_RETURN(const absl::Time exit, ParseAwsTime(in.exit_time()));
  if (exit < enter) return MakeError(choices::kInvalidValue, "a recycle bin entry leaves before it enters");
  if (in.has_image()) {
    AMI_ASSIGN_OR_RETURN(Image image, FromProto(in.image()));
    const ImageId id = image.id();
    const internal::BinEntry<Image> entry{std::make_shared<const Image>(std::move(image)), enter, exit};
    if (!s_->bin_images.emplace(id, entry).second) return Duplicate("recycle bin image", id.ToString());
    return absl::OkStatus();
  }
  if (in.has_snapshot()) {
    AMI_ASSIGN_OR_RETURN(Snapshot snap, FromProto(in.snapshot()));
    const SnapshotId id = snap.id();
    if (s_->snapshots.contains(id)) return Duplicate("snapshot (also in the recycle bin)", id.ToString());
    const internal::BinEntry<Snapshot> entry{std::make_shared<const Snapshot>(std::move(snap)), enter, exit};
    if (!s_->bin_snapshots.emplace(id, entry).second) return Duplicate("recycle bin snapshot", id.ToString());
    return absl::OkStatus();
  }
  return MakeError(choices::kInvalidValue, "a recycle bin entry holds no resource");
}

absl::Status StateBuilder::Add(const v1::StateRecord& r) {
  switch (r.record_case()) {
    case v1::StateRecord::kOrganization:
      return Organization(r.organization());
    case v1::StateRecord::kAccount:
      return Account(r.account());
    case v1::StateRecord::kSettings:
      return Settings(r.settings());
    case v1::StateRecord::kKey: {
      AMI_ASSIGN_OR_RETURN(KmsKey key, FromProto(r.key()));
      const KmsKeyArn arn = key.arn();
      if (!s_->keys.emplace(arn, std::make_shared<const KmsKey>(std::move(key))).second) {
        return Duplicate("kms key", arn.ToString());
      }
      return absl::OkStatus();
    }
    case v1::StateRecord::kSnapshot: {
      AMI_ASSIGN_OR_RETURN(Snapshot snap, FromProto(r.snapshot()));
      if (s_->snapshots.contains(snap.id())) return Duplicate("snapshot", snap.id().ToString());
      snapshots_.Arrived(s_->snapshots);
      s_->sharing.Share(snap);
      s_->PutSnapshot(std::make_shared<const Snapshot>(std::move(snap)));
      return absl::OkStatus();
    }
    case v1::StateRecord::kImage: {
      AMI_ASSIGN_OR_RETURN(Image image, FromProto(r.image()));
      if (s_->images.contains(image.id())) return Duplicate("image", image.id().ToString());
      if (internal::IsRegistered(image.state()) &&
          s_->FindImageByName(image.owner(), image.region(), image.name()).has_value()) {
        return MakeError(ErrorCode::kInvalidAMINameDuplicate,
                         absl::StrCat("AMI name `", image.name(), "` is used twice by account `",
                                      image.owner().ToString(), "` in ", image.region().code()));
      }
      images_.Arrived(s_->images);
      s_->sharing.Share(image);
      s_->PutImage(std::make_shared<const Image>(std::move(image)));
      return absl::OkStatus();
    }
    case v1::StateRecord::kInstance: {
      AMI_ASSIGN_OR_RETURN(Instance instance, FromProto(r.instance()));
      if (s_->instances.contains(instance.id())) return Duplicate("instance", instance.id().ToString());
      instances_.Arrived(s_->instances);
      s_->PutInstance(std::move(instance));
      return absl::OkStatus();
    }
    case v1::StateRecord::kHeader:
      return Corrupt("a second header");
    default:
      return Bookkeeping(r);
  }
}

absl::Status StateBuilder::CheckReferences() const {
  for (const auto& [id, image] : s_->images) {
    const absl::Status status = s_->CheckImageSnapshots(*image);
    if (!status.ok()) return internal::PrefixStatus("state file: ", status);
  }
  for (const auto& [id, account] : s_->accounts) {
    for (const OrganizationalUnitId& ou : account.ou_path) {
      if (!account.organization || !s_->organizations.at(*account.organization).ous.contains(ou)) {
        return MakeError(choices::kInconsistentValues,
                         absl::StrCat("state file: account `", id.ToString(), "` names unknown OU `",
                                      ou.ToString(), "`"));
      }
    }
  }
  return absl::OkStatus();
}

const char* RecordName(const v1::StateRecord& r) {
  switch (r.record_case()) {
    case v1::StateRecord::kHeader: return "header";
    case v1::StateRecord::kOrganization: return "organization";
    case v1::StateRecord::kAccount: return "account";
    case v1::StateRecord::kSettings: return "settings";
    case v1::StateRecord::kKey: return "kms key";
    case v1::StateRecord::kAlias: return "alias";
    case v1::StateRecord::kSnapshot: return "snapshot";
    case v1::StateRecord::kImage: return "image";
    case v1::StateRecord::kInstance: return "instance";
    case v1::StateRecord::kForeignTags: return "tags";
    case v1::StateRecord::kClientToken: return "client token";
    case v1::StateRecord::kCreating: return "create-image";
    case v1::StateRecord::kPending: return "pending work";
    case v1::StateRecord::kTrailer: return "trailer";
    case v1::StateRecord::kAllowedImages: return "allowed images";
    case v1::StateRecord::kRetentionRule: return "recycle bin rule";
    case v1::StateRecord::kBin: return "recycle bin entry";
    default: return "unknown";
  }
}

// A record kind's place in the file (ami/state_file.h): each kind comes after those of a lower
// rank.
int Rank(v1::StateRecord::RecordCase kind) {
  using R = v1::StateRecord;
  static constexpr R::RecordCase kOrder[] = {
      R::kHeader,   R::kOrganization, R::kAccount,  R::kSettings,    R::kAllowedImages,
      R::kRetentionRule, R::kKey,     R::kAlias,    R::kSnapshot,    R::kImage,
      R::kInstance, R::kForeignTags,  R::kClientToken, R::kCreating, R::kBin,
      R::kPending,  R::kTrailer};
  for (int i = 0; i < static_cast<int>(std::size(kOrder)); ++i) {
    if (kOrder[i] == kind) return i;
  }
  return -1;
}

// `status` with "state file: record N (kind): " before its message; code and payload kept.
absl::Status InRecord(uint64_t index, const v1::StateRecord& r, const absl::Status& status) {
  absl::Status out(status.code(),
                   absl::StrCat("state file: record ", index, " (", RecordName(r), "): ", status.message()));
  status.ForEachPayload([&out](absl::string_view url, const absl::Cord& p) { out.SetPayload(url, p); });
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Cloud>> LoadState(std::istream& in) {
  RecordReader reader(in);
  StateBuilder builder;
  // Each record is parsed into an arena that is reset after it: no per-field allocations.
  google::protobuf::ArenaOptions arena_options;
  arena_options.start_block_size = 16 << 10;
  arena_options.max_block_size = 1 << 20;
  google::protobuf::Arena arena(arena_options);
  bool trailer_seen = false;
  // The rank and name of the last record's kind, so that one out of order is refused.
  int last_rank = 0;
  const char* last_kind = "header";
  while (true) {
    AMI_ASSIGN_OR_RETURN(const bool more, reader.Next());
    if (!more) break;
    const std::string& bytes = reader.record();
    if (trailer_seen) return Corrupt(absl::StrCat("data after the trailer, at record ", reader.index()));
    arena.Reset();
    v1::StateRecord& record = *google::protobuf::Arena::CreateMessage<v1::StateRecord>(&arena);
    if (!record.ParseFromString(bytes)) {
      return Corrupt(absl::StrCat("record ", reader.index(), " is not a valid StateRecord"));
    }
    if (reader.index() == 1) {
      if (record.record_case() != v1::StateRecord::kHeader) return Corrupt("the first record is not a header");
      absl::Status h = builder.Header(record.header());
      if (!h.ok()) return InRecord(1, record, h);
      reader.set_version(record.header().version());
      continue;
    }
    if (record.record_case() == v1::StateRecord::kTrailer) {
      if (record.trailer().records() != reader.index() - 1 ||
          record.trailer().checksum() != reader.checksum_before()) {
        return Corrupt(absl::StrCat("the trailer does not match the ", reader.index() - 1,
                                    " records before it (count or checksum): the file is damaged"));
      }
      trailer_seen = true;
      continue;
    }
    const int rank = Rank(record.record_case());
    if (rank >= 0 && rank < last_rank) {
      return Corrupt(absl::StrCat("record ", reader.index(), " (", RecordName(record),
                                  ") is out of order: it comes after the ", last_kind,
                                  " records"));
    }
    if (rank >= 0) {
      last_rank = rank;
      last_kind = RecordName(record);
    }
    absl::Status added = builder.Add(record);
    if (!added.ok()) return InRecord(reader.index(), record, added);
  }
  if (reader.index() == 0) return Corrupt("the file is empty");
  if (!trailer_seen) return Corrupt(absl::StrCat("truncated after record ", reader.index(), ": no trailer"));
  AMI_RETURN_IF_ERROR(builder.CheckReferences());
  return CloudAccess::Wrap(builder.Release());
}

absl::StatusOr<std::unique_ptr<Cloud>> LoadStateFromFile(const std::string& path) {
  AMI_RETURN_IF_ERROR(file_util::CheckSize(path, kMaxStateFileBytes));
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(choices::kInvalidValue, absl::StrCat("cannot open `", path, "`"));
  return LoadState(in);
}

}  // namespace ami
