// LaunchTable (ami/launch_table.h): the launch decision of policy/launch.cc, compiled.
//
// The rules are the policy engine's predicates (policy/launch_predicates.h): the table interns
// organizations and OUs, keeps the organization ARNs policy::OrganizationArnUsable accepts,
// buckets key-policy statements by policy::KeyStatementFormOf, and asks
// policy::MatchLaunchPermission and the statement matchers of its compiled rows. What the tables
// do not cover goes to policy::EvaluateLaunch on the copy; launch_table_test compares the two on
// generated fleets after every kind of change.
#include "ami/tools/launch_table.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "ami/policy.h"
#include "absl/types/span.h"
#include "cloud/state.h"
#include "policy/common.h"
#include "policy/iam.h"
#include "policy/launch_predicates.h"
#include "policy/reasons.h"
#include "tools/launch_iam.h"
#include "values/text_util.h"

namespace ami {
namespace {

constexpr uint32_t kNoOrganization = 0xFFFFFFFF;

// What a launch needs of a snapshot's key, and of the volume's (LAUNCH-9).
const KmsActions kReadActions = policy::ReadKeyActions();
const KmsActions kWriteActions = policy::WriteKeyActions();

// Account numbers have 12 decimal digits: they fit in 40 bits, leaving 16 for KMS action bits.
constexpr int kActionBits = 16;
static_assert(sizeof(KmsActions) == 2);

// One bit of a 64-bit signature per account: a grantee list whose signature lacks the caller's
// bit does not hold it, without reading the list.
uint64_t SignatureBit(uint64_t account) {
  return uint64_t{1} << ((account * 0x9E3779B97F4A7C15ULL) >> 58);
}

// An account's organization and OU path, 16 bytes (the hot part; Tables::members holds the
// rest).
struct AccountRow {
  uint32_t organization = kNoOrganization;
  uint32_t ous_offset = 0;  // Into Tables::account_ous: the OUs from the root down.
  uint32_t ous = 0;
  uint32_t index = 0;  // Into Tables::members.
};

// What the general key-policy statements read of an account: its facts in the frozen state and
// its aws:PrincipalOrgPaths value (KMS-7).
struct MemberRow {
  const AccountInfo* info = nullptr;
  std::string org_path;
};

// A key: the actions its Allow statements and grants give, compiled by who they name.
struct KeyRow {
  enum class Kind : uint8_t { kMissing, kAwsManaged, kCustomer };
  Kind kind = Kind::kMissing;
  bool usable = false;  // policy::KeyUsable.
  // A statement of form kEngine (denies, conditions, IAM identities): left to the engine.
  bool has_deny = false;
  uint16_t everyone = 0;  // Statements of form kAnyone.
  uint64_t account = 0;   // The key's account.
  uint32_t account_count = 0;
  uint32_t organization_count = 0;
  uint32_t other_count = 0;
  // Into Tables::key_accounts ((account << 16) | actions, sorted: kAccounts statements and
  // grants), Tables::key_organizations ((organization << 16) | actions: kOrganizations) and
  // Tables::key_statements (kGeneral).
  uint32_t account_offset = 0;
  uint32_t organization_offset = 0;
  uint32_t other_offset = 0;
};

// An encrypted volume's key and the owner of its snapshot: what decides whether the caller may
// read the snapshot and write the volume (LAUNCH-9, LAUNCH-10). An image keeps one per distinct
// pair, in the order of the first volume of each.
struct KeyUseRow {
  uint64_t snapshot_owner;
  uint32_t key;
};

// The first volume with that pair, for the explanation.
struct VolumeRow {
  SnapshotId snapshot;
  KmsKeyArn arn;
};

struct OuRow {
  uint32_t organization;
  uint32_t ou;
};

// 48 bytes, stored in the id map's slot (64 bytes with the id): most questions read the slot and
// at most one more line.
struct ImageRow {
  uint64_t owner = 0;
  uint64_t grantee_signature = 0;
  // Offsets into account_pool (sorted grantees), organization_pool, ou_pool, and key_uses
  // (with volumes in the same positions).
  uint32_t grantee_offset = 0;
  uint32_t organization_offset = 0;
  uint32_t ou_offset = 0;
  uint32_t key_use_offset = 0;
  // The first organization and key use, inline.
  uint32_t organization0 = kNoOrganization;
  uint32_t key0 = 0;
  uint16_t grantees = 0;  // Counts; longer lists go to the engine.
  uint8_t region = 0;     // Region::index().
  uint8_t organizations = 0;
  uint8_t ous = 0;
  uint8_t key_uses = 0;
  uint8_t is_public : 1 = 0;
  uint8_t engine : 1 = 0;  // Answered by the policy engine.
  uint8_t key0_owner_is_image_owner : 1 = 0;
  // Answered by the engine only because a key's policy has statements the key tables do not
  // cover: a launch as an IAM principal, whose keys launch_iam::Memo decides, is covered.
  uint8_t engine_keys_only : 1 = 0;
};
static_assert(sizeof(ImageRow) <= 48);

// An image's id and row: one cache line, aligned to one, so that a question's first miss brings
// the whole row.
struct alignas(64) ImageEntry {
  ImageId id;
  ImageRow row;
};
static_assert(sizeof(ImageEntry) == 64);

// Hashing and equality of entries by their id, looked up by id alone.
struct EntryHash {
  using is_transparent = void;
  size_t operator()(ImageId id) const { return absl::Hash<ImageId>()(id); }
  size_t operator()(const ImageEntry& e) const { return (*this)(e.id); }
};
struct EntryEq {
  using is_transparent = void;
  static ImageId Id(ImageId id) { return id; }
  static ImageId Id(const ImageEntry& e) { return e.id; }
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const { return Id(a) == Id(b); }
};

// The member facts MatchLaunchPermission reads, with organizations and OUs interned.
using InternedMember = policy::MemberFacts<uint32_t, uint32_t>;

}  // namespace

struct LaunchTable::Tables {
  std::unique_ptr<Cloud> frozen;
  const internal::CloudState* state = nullptr;  // The frozen cloud's.
  std::unique_ptr<launch_iam::Memo> iam;
  absl::flat_hash_set<ImageEntry, EntryHash, EntryEq> rows;
  std::vector<Region> regions;  // By Region::index().
  absl::flat_hash_map<uint64_t, AccountRow> accounts;
  std::vector<MemberRow> members;
  // (account, Region index) whose settings or Allowed AMIs the tables do not cover.
  absl::flat_hash_set<std::pair<uint64_t, uint8_t>> engine_callers;
  std::vector<KeyRow> keys;
  std::vector<uint64_t> key_accounts;
  std::vector<uint64_t> key_organizations;
  std::vector<const KeyPolicyStatement*> key_statements;  // Into the frozen state.
  std::vector<uint64_t> account_pool;
  std::vector<uint32_t> organization_pool;
  std::vector<OrganizationArn> organization_arns;
  std::vector<OuRow> ou_pool;
  std::vector<OrganizationalUnitArn> ou_arns;
  std::vector<KeyUseRow> key_uses;
  std::vector<VolumeRow> volumes;
  std::vector<uint32_t> account_ous;
  size_t engine_images = 0;

  class Compiler;

  // What the engine's outcome would be, as the steps below find it.
  enum class Outcome : uint8_t {
    kNotFound, kOtherRegion, kEngine, kNoPermission, kKeyUnusable, kAllowed
  };
  struct Answer {
    Outcome outcome;
    const ImageRow* row = nullptr;
    const ReasonTemplate* permit = nullptr;
    const OrganizationArn* organization = nullptr;
    const OrganizationalUnitArn* ou = nullptr;
    const VolumeRow* volume = nullptr;
  };

  // An image row's launch permissions as policy::MatchLaunchPermission reads them: organization
  // and OU entries interned, those OrganizationArnUsable rejects dropped when compiled.
  struct RowPermissions {
    const Tables& t;
    const ImageRow& row;
    bool IsOwner(AccountId a) const { return row.owner == a.number(); }
    bool Lists(AccountId a) const {
      const auto begin = t.account_pool.begin() + row.grantee_offset;
      return (row.grantee_signature & SignatureBit(a.number())) != 0 &&
             std::binary_search(begin, begin + row.grantees, a.number());
    }
    bool is_public() const { return row.is_public; }
    size_t organizations() const { return row.organizations; }
    uint32_t organization(size_t i) const {
      return i == 0 ? row.organization0 : t.organization_pool[row.organization_offset + i];
    }
    static bool organization_usable(size_t) { return true; }
    size_t ous() const { return row.ous; }
    uint32_t ou_organization(size_t i) const { return t.ou_pool[row.ou_offset + i].organization; }
    uint32_t ou(size_t i) const { return t.ou_pool[row.ou_offset + i].ou; }
    static bool ou_usable(size_t) { return true; }
  };

  const AccountRow* Account(AccountId account) const {
    auto it = accounts.find(account.number());
    return it == accounts.end() ? nullptr : &it->second;
  }

  InternedMember Member(const AccountRow* info) const {
    if (info == nullptr || info->organization == kNoOrganization) return {};
    return {&info->organization, absl::MakeConstSpan(account_ous.data() + info->ous_offset,
                                                     info->ous)};
  }

  // The actions in a sorted (id << 16) | actions list for `id`.
  static uint16_t ActionsFor(const uint64_t* begin, const uint64_t* end, uint64_t id) {
    const uint64_t* it = std::lower_bound(begin, end, id << kActionBits);
    return it != end && (*it >> kActionBits) == id ? static_cast<uint16_t>(*it) : 0;
  }

  // A kGeneral statement: its principal and organization fields, as the engine matches them.
  bool Matches(const KeyPolicyStatement& s, AccountId principal, const AccountRow* info) const {
    if (!policy::StatementNamesAccount(s, principal)) return false;
    const MemberRow* member = info == nullptr ? nullptr : &members[info->index];
    return policy::OrganizationMatches(s, member == nullptr ? nullptr : member->info,
                                       member == nullptr ? nullptr : &member->org_path) ==
           policy::Truth::kTrue;
  }

  // The actions a key without kEngine statements allows `principal` (EvaluateKeyUse): every
  // action for the key's account, none for a key that cannot be used.
  uint16_t KeyActions(const KeyRow& k, AccountId principal, const AccountRow* info) const {
    constexpr uint16_t kAll = 0xFFFF;
    if (k.kind == KeyRow::Kind::kMissing || (k.kind == KeyRow::Kind::kCustomer && !k.usable)) {
      return 0;
    }
    if (k.kind == KeyRow::Kind::kAwsManaged) {
      return policy::KeyAccountMayUse(AccountId::FromNumber(k.account), principal) ? kAll : 0;
    }
    uint16_t allowed = k.everyone;
    if (k.account_count != 0) {
      const uint64_t* begin = key_accounts.data() + k.account_offset;
      allowed |= ActionsFor(begin, begin + k.account_count, principal.number());
    }
    if (k.organization_count != 0 && info != nullptr && info->organization != kNoOrganization) {
      const uint64_t* begin = key_organizations.data() + k.organization_offset;
      allowed |= ActionsFor(begin, begin + k.organization_count, info->organization);
    }
    for (uint32_t i = 0; i < k.other_count; ++i) {
      const KeyPolicyStatement& s = *key_statements[k.other_offset + i];
      if (Matches(s, principal, info)) allowed |= s.actions.bits();
    }
    return allowed;
  }

  // EvaluateLaunchPermission on the row: fills the permit of `*answer`, false when none.
  template <typename Info>
  bool Permit(const ImageRow& row, AccountId caller, Info account_info, Answer* answer) const {
    const policy::LaunchMatch match = policy::MatchLaunchPermission(
        RowPermissions{*this, row}, caller, [&] { return Member(account_info()); });
    switch (match.grant) {
      case policy::LaunchGrant::kOwner:
        answer->permit = &reasons::kOwnerMayLaunch;
        return true;
      case policy::LaunchGrant::kAccount:
        answer->permit = &reasons::kSharedWithAccount;
        return true;
      case policy::LaunchGrant::kOrganization:
        answer->permit = &reasons::kSharedWithOrganization;
        answer->organization = &organization_arns[row.organization_offset + match.index];
        return true;
      case policy::LaunchGrant::kOu:
        answer->permit = &reasons::kSharedWithOu;
        answer->ou = &ou_arns[row.ou_offset + match.index];
        return true;
      case policy::LaunchGrant::kPublic:
        answer->permit = &reasons::kPublicImage;
        return true;
      case policy::LaunchGrant::kNone:
        break;
    }
    return false;
  }

  // LAUNCH-9 and LAUNCH-10 with the default EBS settings: reading each encrypted snapshot's
  // key, and writing the volume with it (policy::VolumeKeepsSnapshotKey) or with the caller's
  // own aws/ebs key, which the caller may always use. The first volume that fails, or nullptr.
  template <typename Info>
  const VolumeRow* UnusableVolume(const ImageRow& row, AccountId caller, Info account_info) const {
    for (uint32_t i = 0; i < row.key_uses; ++i) {
      KeyUseRow use;
      if (i == 0 && row.key0_owner_is_image_owner) {
        use = {row.owner, row.key0};
      } else {
        use = key_uses[row.key_use_offset + i];
      }
      const uint16_t allowed = KeyActions(keys[use.key], caller, account_info());
      const bool keeps =
          policy::VolumeKeepsSnapshotKey(AccountId::FromNumber(use.snapshot_owner), caller);
      const uint16_t needed = keeps ? kReadActions.bits() | kWriteActions.bits()
                                    : kReadActions.bits();
      if ((allowed & needed) != needed) return &volumes[row.key_use_offset + i];
    }
    return nullptr;
  }

  Answer Ask(AccountId caller, Region region, ImageId image) const {
    auto it = rows.find(image);
    if (it == rows.end()) return {Outcome::kNotFound};
    const ImageRow& row = it->row;
    if (row.region != region.index()) return {Outcome::kOtherRegion, &row};
    if (row.engine || (!engine_callers.empty() &&
                       engine_callers.contains(std::make_pair(caller.number(), region.index())))) {
      return {Outcome::kEngine, &row};
    }
    const AccountRow* info = nullptr;
    bool info_known = false;
    auto account_info = [&]() {
      if (!info_known) {
        info = Account(caller);
        info_known = true;
      }
      return info;
    };
    Answer answer{Outcome::kAllowed, &row};
    if (!Permit(row, caller, account_info, &answer)) return {Outcome::kNoPermission, &row};
    if (row.key_uses != 0) {
      answer.volume = UnusableVolume(row, caller, account_info);
      if (answer.volume != nullptr) answer.outcome = Outcome::kKeyUnusable;
    }
    return answer;
  }

  Decision EngineAs(const iam::Identity& who, AccountId caller, Region region,
                    ImageId image) const {
    internal::ReaderLock lock(state->mu);
    return policy::ExplainAs(*state, who, {caller, region, image, std::nullopt, std::nullopt});
  }

  // Ask() as an IAM principal for whom IAM applies (launch_iam::Memo::Applies): IAM's answer for
  // the image's class, the launch permission, and the keys as that principal; what the tables
  // do not cover, and a key the principal may not use, go to the engine.
  Verdict AskAs(const iam::Identity& who, AccountId caller, Region region, ImageId image) const {
    auto it = rows.find(image);
    if (it == rows.end() || it->row.region != region.index() ||
        (it->row.engine && !it->row.engine_keys_only) ||
        (!engine_callers.empty() &&
         engine_callers.contains(std::make_pair(caller.number(), region.index())))) {
      return VerdictOf(EngineAs(who, caller, region, image));
    }
    const ImageRow& row = it->row;
    absl::InlinedVector<launch_iam::KeyNeed, 4> needs;
    for (uint32_t i = 0; i < row.key_uses; ++i) {
      const KeyUseRow use = i == 0 && row.key0_owner_is_image_owner
                                ? KeyUseRow{row.owner, row.key0}
                                : key_uses[row.key_use_offset + i];
      needs.push_back({use.key, &volumes[row.key_use_offset + i].arn,
                       policy::VolumeKeepsSnapshotKey(AccountId::FromNumber(use.snapshot_owner),
                                                      caller)});
    }
    const std::optional<launch_iam::LaunchAnswer> known =
        iam->Launch(who.principal, caller, region, image, needs);
    if (!known.has_value()) return VerdictOf(EngineAs(who, caller, region, image));
    const launch_iam::LaunchAnswer& as = *known;
    if (!as.iam.allowed) return {false, false, as.iam.why};
    Answer answer{Outcome::kAllowed, &row};
    auto account_info = [&] { return Account(caller); };
    if (!Permit(row, caller, account_info, &answer)) {
      return {false, false, &reasons::kNoLaunchPermission};
    }
    // A key the principal may not use: the engine names the volume and which side refused.
    if (!as.keys_usable) return VerdictOf(EngineAs(who, caller, region, image));
    return {true, false, answer.permit};
  }

  Decision Engine(AccountId caller, Region region, ImageId image) const {
    return frozen->Evaluate([&](const StateView& view) {
      return policy::EvaluateLaunch(view, {caller, region, image, std::nullopt, std::nullopt});
    });
  }
};

// Compiles a frozen cloud state into the tables, one kind of fact at a time.
class LaunchTable::Tables::Compiler {
 public:
  Compiler(const internal::CloudState& s, Tables* t) : s_(s), t_(*t) {}

  // The accounts' organization facts (policy::MemberOf), interned.
  void Accounts() {
    for (const auto& [id, unused] : s_.accounts()) {
      const AccountInfo* info = s_.FindAccount(id);
      const auto member = policy::MemberOf(info);
      AccountRow row;
      row.index = static_cast<uint32_t>(t_.members.size());
      MemberRow m{info, {}};
      if (member.organization != nullptr) {
        row.organization = Organization(*member.organization);
        row.ous_offset = static_cast<uint32_t>(t_.account_ous.size());
        for (const OrganizationalUnitId& ou : member.ou_path) t_.account_ous.push_back(Ou(ou));
        row.ous = static_cast<uint32_t>(member.ou_path.size());
        m.org_path = policy::OrgPath(*info);
      }
      t_.members.push_back(std::move(m));
      t_.accounts.emplace(id.number(), row);
    }
  }

  // Callers whose EBS settings are not the default, or whose Allowed AMIs are in force.
  void EngineCallers() {
    for (const auto& [where, settings] : s_.settings()) {
      if (settings.encryption_by_default ||
          settings.default_kms_key != s_.AwsManagedEbsKey(where.first, where.second)) {
        t_.engine_callers.insert({where.first.number(), where.second.index()});
      }
    }
    for (const auto& [where, allowed] : s_.allowed_images()) {
      if (allowed.state != AllowedImagesState::kDisabled) {
        t_.engine_callers.insert({where.first.number(), where.second.index()});
      }
    }
  }

  void Images() {
    for (const Region region : Region::All()) {
      if (t_.regions.size() <= region.index()) t_.regions.resize(region.index() + 1, region);
      t_.regions[region.index()] = region;
    }
    t_.rows.reserve(s_.images().size());
    for (const auto& [id, image] : s_.images()) {
      const ImageRow row = ImageOf(*image);
      t_.engine_images += row.engine;
      t_.rows.insert(ImageEntry{id, row});
    }
  }

 private:
  uint32_t Organization(const OrganizationId& id) {
    return organizations_.try_emplace(id, static_cast<uint32_t>(organizations_.size()))
        .first->second;
  }
  uint32_t Ou(const OrganizationalUnitId& id) {
    return ous_.try_emplace(id, static_cast<uint32_t>(ous_.size())).first->second;
  }

  // Appends `entries` ((id, actions) pairs) to `pool` as sorted (id << 16) | actions values,
  // one per id with the union of its actions; returns the count.
  static uint32_t AppendActions(std::vector<std::pair<uint64_t, uint16_t>>& entries,
                                std::vector<uint64_t>& pool) {
    std::sort(entries.begin(), entries.end());
    const size_t start = pool.size();
    for (const auto& [id, actions] : entries) {
      if (pool.size() > start && (pool.back() >> kActionBits) == id) {
        pool.back() |= actions;
      } else {
        pool.push_back((id << kActionBits) | actions);
      }
    }
    return static_cast<uint32_t>(pool.size() - start);
  }

  // A customer managed key's statements, by policy::KeyStatementFormOf, and its grants.
  void CustomerKey(const KmsKey& key, KeyRow* k) {
    k->kind = KeyRow::Kind::kCustomer;
    k->usable = policy::KeyUsable(key);
    k->account = key.account().number();
    std::vector<std::pair<uint64_t, uint16_t>> by_account, by_organization;
    k->other_offset = static_cast<uint32_t>(t_.key_statements.size());
    for (const KeyStatementSummary& summary : key.policy().compiled().summary) {
      const KeyPolicyStatement& st = summary.statement;
      const uint16_t actions = st.actions.bits();
      switch (policy::KeyStatementFormOf(summary)) {
        case policy::KeyStatementForm::kEngine:
          k->has_deny = true;
          break;
        case policy::KeyStatementForm::kAnyone:
          k->everyone |= actions;
          break;
        case policy::KeyStatementForm::kAccounts:
          for (const AccountId a : st.accounts) by_account.emplace_back(a.number(), actions);
          break;
        case policy::KeyStatementForm::kOrganizations:
          for (const OrganizationId& o : st.principal_org_ids) {
            by_organization.emplace_back(Organization(o), actions);
          }
          break;
        case policy::KeyStatementForm::kGeneral:
          t_.key_statements.push_back(&st);
          break;
      }
    }
    k->other_count = static_cast<uint32_t>(t_.key_statements.size() - k->other_offset);
    // policy::GrantedActions, by grantee.
    for (const KmsGrant& g : key.grants()) {
      by_account.emplace_back(g.grantee.number(), g.operations.bits());
    }
    k->account_offset = static_cast<uint32_t>(t_.key_accounts.size());
    k->account_count = AppendActions(by_account, t_.key_accounts);
    k->organization_offset = static_cast<uint32_t>(t_.key_organizations.size());
    k->organization_count = AppendActions(by_organization, t_.key_organizations);
  }

  uint32_t Key(const KmsKeyArn& arn) {
    auto [it, added] = key_index_.try_emplace(arn, static_cast<uint32_t>(t_.keys.size()));
    if (!added) return it->second;
    KeyRow k;
    k.account = arn.account().number();
    const KeyFacts facts = s_.FindKey(arn);
    if (facts.aws_managed) {
      k.kind = KeyRow::Kind::kAwsManaged;
    } else if (facts.key != nullptr) {
      CustomerKey(*facts.key, &k);
    }
    t_.keys.push_back(k);
    return it->second;
  }

  // The launch permissions: grantees sorted, organization and OU ARNs interned when
  // policy::OrganizationArnUsable. False when a list is too long for the row.
  bool Permissions(const LaunchPermissions& lp, ImageRow* row) {
    row->is_public = lp.is_public();
    row->grantee_offset = static_cast<uint32_t>(t_.account_pool.size());
    for (const AccountId a : lp.accounts()) {
      t_.account_pool.push_back(a.number());
      row->grantee_signature |= SignatureBit(a.number());
    }
    std::sort(t_.account_pool.begin() + row->grantee_offset, t_.account_pool.end());
    row->organization_offset = static_cast<uint32_t>(t_.organization_pool.size());
    for (const OrganizationArn& arn : lp.organizations()) {
      if (!policy::OrganizationArnUsable(s_, arn.organization_id(), arn.management_account())) {
        continue;
      }
      t_.organization_pool.push_back(Organization(arn.organization_id()));
      t_.organization_arns.push_back(arn);
    }
    const size_t organizations = t_.organization_pool.size() - row->organization_offset;
    if (organizations > 0) row->organization0 = t_.organization_pool[row->organization_offset];
    row->ou_offset = static_cast<uint32_t>(t_.ou_pool.size());
    for (const OrganizationalUnitArn& arn : lp.organizational_units()) {
      if (!policy::OrganizationArnUsable(s_, arn.organization_id(), arn.management_account())) {
        continue;
      }
      t_.ou_pool.push_back({Organization(arn.organization_id()), Ou(arn.ou_id())});
      t_.ou_arns.push_back(arn);
    }
    const size_t grantees = lp.accounts().size();
    const size_t ous = t_.ou_pool.size() - row->ou_offset;
    row->grantees = static_cast<uint16_t>(std::min<size_t>(grantees, 0xFFFF));
    row->organizations = static_cast<uint8_t>(std::min<size_t>(organizations, 0xFF));
    row->ous = static_cast<uint8_t>(std::min<size_t>(ous, 0xFF));
    return grantees <= 0xFFFF && organizations <= 0xFF && ous <= 0xFF;
  }

  // The distinct (snapshot owner, key) pairs of the image's encrypted volumes. False when the
  // engine must answer: a missing snapshot, a volume encrypted without an encrypted snapshot,
  // too many pairs for the row, or (`*keys_covered` false) a key with kEngine statements.
  bool Volumes(const Image& image, ImageRow* row, bool* keys_covered) {
    bool covered = true;
    row->key_use_offset = static_cast<uint32_t>(t_.key_uses.size());
    for (const BlockDeviceMapping& m : image.block_device_mappings()) {
      if (!m.ebs.has_value()) continue;
      const Snapshot* snapshot =
          m.ebs->snapshot_id.has_value() ? s_.FindSnapshot(*m.ebs->snapshot_id) : nullptr;
      if (snapshot == nullptr || !snapshot->kms_key().has_value()) {
        covered = covered && !m.ebs->encrypted &&
                  (snapshot != nullptr || !m.ebs->snapshot_id.has_value());
        continue;
      }
      const uint32_t key = Key(*snapshot->kms_key());
      *keys_covered = *keys_covered && !t_.keys[key].has_deny;
      const KeyUseRow use{snapshot->owner().number(), key};
      const bool seen = std::any_of(
          t_.key_uses.begin() + row->key_use_offset, t_.key_uses.end(), [&](const KeyUseRow& u) {
            return u.key == use.key && u.snapshot_owner == use.snapshot_owner;
          });
      if (seen) continue;
      t_.key_uses.push_back(use);
      t_.volumes.push_back({snapshot->id(), *snapshot->kms_key()});
    }
    const size_t key_uses = t_.key_uses.size() - row->key_use_offset;
    if (key_uses > 0) {
      row->key0 = t_.key_uses[row->key_use_offset].key;
      row->key0_owner_is_image_owner = t_.key_uses[row->key_use_offset].snapshot_owner == row->owner;
    }
    row->key_uses = static_cast<uint8_t>(std::min<size_t>(key_uses, 0xFF));
    return covered && key_uses <= 0xFF;
  }

  ImageRow ImageOf(const Image& image) {
    ImageRow row;
    row.owner = image.owner().number();
    row.region = image.region().index();
    const bool permissions = Permissions(image.launch_permissions(), &row);
    bool keys_covered = true;
    const bool volumes = Volumes(image, &row, &keys_covered);
    const bool engine = image.state() != ImageState::kAvailable || !permissions || !volumes;
    row.engine = engine || !keys_covered;
    row.engine_keys_only = !engine && !keys_covered;
    return row;
  }

  const internal::CloudState& s_;
  Tables& t_;
  absl::flat_hash_map<OrganizationId, uint32_t> organizations_;
  absl::flat_hash_map<OrganizationalUnitId, uint32_t> ous_;
  absl::flat_hash_map<KmsKeyArn, uint32_t> key_index_;
};

LaunchTable::LaunchTable(std::unique_ptr<Tables> tables) : t_(std::move(tables)) {}

LaunchTable::Verdict LaunchTable::VerdictOf(const Decision& d) {
  Verdict v{d.allowed(), d.denied_later(), nullptr};
  if (d.reasons().empty()) return v;
  v.why = d.reasons().front().what;
  if (!d.allowed()) {
    for (const Reason& r : d.reasons()) {
      if (!r.async) {
        v.why = r.what;
        break;
      }
    }
  }
  return v;
}
LaunchTable::~LaunchTable() = default;

std::unique_ptr<LaunchTable> LaunchTable::Build(const Cloud& cloud) {
  auto t = std::make_unique<Tables>();
  t->frozen = cloud.Fork();
  t->state = &internal::CloudAccess::State(*t->frozen);
  t->iam = std::make_unique<launch_iam::Memo>(*t->state);
  Tables::Compiler compiler(*t->state, t.get());
  compiler.Accounts();
  compiler.EngineCallers();
  compiler.Images();
  return std::unique_ptr<LaunchTable>(new LaunchTable(std::move(t)));
}

LaunchTable::Verdict LaunchTable::Check(AccountId caller, Region region, ImageId image) const {
  const Tables::Answer a = t_->Ask(caller, region, image);
  switch (a.outcome) {
    case Tables::Outcome::kNotFound:
      return {false, false, &reasons::kImageNotFound};
    case Tables::Outcome::kOtherRegion:
      return {false, false, &reasons::kImageInOtherRegion};
    case Tables::Outcome::kEngine:
      return VerdictOf(t_->Engine(caller, region, image));
    case Tables::Outcome::kNoPermission:
      return {false, false, &reasons::kNoLaunchPermission};
    case Tables::Outcome::kKeyUnusable:
      return {false, true, &reasons::kLaunchKeyUnusable};
    case Tables::Outcome::kAllowed:
      break;
  }
  return {true, false, a.permit};
}

LaunchTable::Verdict LaunchTable::CheckAs(const iam::Identity& who, AccountId caller,
                                          Region region, ImageId image) const {
  if (!who.context.empty()) return VerdictOf(t_->EngineAs(who, caller, region, image));
  if (!t_->iam->Applies(who.principal, caller)) return Check(caller, region, image);
  return t_->AskAs(who, caller, region, image);
}

Decision LaunchTable::Decide(AccountId caller, Region region, ImageId image) const {
  // The caller's organization row is read for organization and OU shares and encrypted images;
  // fetching it now overlaps its miss with the image row's (a hint only).
  t_->accounts.prefetch(caller.number());
  const Tables::Answer a = t_->Ask(caller, region, image);
  switch (a.outcome) {
    case Tables::Outcome::kNotFound:
      return Decision::Deny(policy::R(reasons::kImageNotFound, {.image = image, .region = region}));
    case Tables::Outcome::kOtherRegion:
      return Decision::Deny(policy::R(
          reasons::kImageInOtherRegion,
          {.image = image, .region = region, .source_region = t_->regions[a.row->region]}));
    case Tables::Outcome::kEngine:
      return t_->Engine(caller, region, image);
    case Tables::Outcome::kKeyUnusable: {
      ReasonArgs args{.image = image, .snapshot = a.volume->snapshot, .account = caller,
                      .key = a.volume->arn, .region = region};
      return Decision::Deny(policy::R(reasons::kLaunchKeyUnusable, std::move(args), /*async=*/true));
    }
    case Tables::Outcome::kNoPermission:
    case Tables::Outcome::kAllowed:
      break;
  }
  ReasonArgs args{.image = image, .account = caller, .owner = AccountId::FromNumber(a.row->owner)};
  if (a.outcome == Tables::Outcome::kNoPermission) {
    return Decision::Deny(policy::R(reasons::kNoLaunchPermission, std::move(args)));
  }
  if (a.organization != nullptr) args.text = absl::StrCat("`", a.organization->ToString(), "`");
  if (a.ou != nullptr) args.text = absl::StrCat("`", a.ou->ToString(), "`");
  return Decision::Allow(policy::R(*a.permit, std::move(args)));
}

size_t LaunchTable::images() const { return t_->rows.size(); }
size_t LaunchTable::engine_images() const { return t_->engine_images; }

}  // namespace ami
