// LaunchTable (ami/launch_table.h): the launch decision of policy/launch.cc, compiled.
//
// Every branch here mirrors one of policy::EvaluateLaunch, EvaluateLaunchPermission and
// EvaluateKeyUse for the cases the tables cover; launch_table_test compares the two on
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
#include "absl/strings/str_cat.h"
#include "ami/policy.h"
#include "cloud/state.h"
#include "policy/common.h"
#include "policy/reasons.h"
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

// An account's organization and OU path, 16 bytes (the hot part; org_paths holds the text).
struct AccountRow {
  uint32_t organization = kNoOrganization;
  uint32_t ous_offset = 0;  // Into Tables::account_ous: the OUs from the root down.
  uint32_t ous = 0;
  uint32_t index = 0;  // Into Tables::org_paths.
};

// An Allow statement of a key policy that is neither a bare account list nor "anyone in the
// organization": matched as policy/kms_access.cc does.
struct Statement {
  bool any_principal = false;
  std::vector<uint64_t> accounts;  // Sorted.
  std::vector<uint32_t> organizations;
  std::vector<std::string> org_paths;
  uint16_t actions = 0;
};

// A key: the actions its Allow statements and grants give, compiled by who they name.
struct KeyRow {
  enum class Kind : uint8_t { kMissing, kAwsManaged, kCustomer };
  Kind kind = Kind::kMissing;
  bool usable = false;    // Enabled and symmetric.
  // Deny statements, conditions and IAM identities: left to the engine.
  bool has_deny = false;
  uint16_t everyone = 0;  // Statements for any principal without conditions.
  uint64_t account = 0;
  uint32_t account_count = 0;
  uint32_t organization_count = 0;
  uint32_t other_count = 0;
  // Into Tables::key_accounts ((account << 16) | actions, sorted: account-list statements and
  // grants), Tables::key_organizations ((organization << 16) | actions: "anyone whose
  // aws:PrincipalOrgID is …") and Tables::key_statements (the rest).
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

}  // namespace

struct LaunchTable::Tables {
  std::unique_ptr<Cloud> frozen;
  absl::flat_hash_set<ImageEntry, EntryHash, EntryEq> rows;
  std::vector<Region> regions;  // By Region::index().
  absl::flat_hash_map<uint64_t, AccountRow> accounts;
  // The aws:PrincipalOrgPaths value of each account, o-…/r-…/ou-…/ (KMS-7).
  std::vector<std::string> org_paths;
  // (account, Region index) whose settings or Allowed AMIs the tables do not cover.
  absl::flat_hash_set<std::pair<uint64_t, uint8_t>> engine_callers;
  std::vector<KeyRow> keys;
  std::vector<uint64_t> key_accounts;
  std::vector<uint64_t> key_organizations;
  std::vector<Statement> key_statements;
  std::vector<uint64_t> account_pool;
  std::vector<uint32_t> organization_pool;
  std::vector<OrganizationArn> organization_arns;
  std::vector<OuRow> ou_pool;
  std::vector<OrganizationalUnitArn> ou_arns;
  std::vector<KeyUseRow> key_uses;
  std::vector<VolumeRow> volumes;
  std::vector<uint32_t> account_ous;
  size_t engine_images = 0;

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

  const AccountRow* Account(AccountId account) const {
    auto it = accounts.find(account.number());
    return it == accounts.end() ? nullptr : &it->second;
  }

  // The actions in a sorted (id << 16) | actions list for `id`.
  static uint16_t ActionsFor(const uint64_t* begin, const uint64_t* end, uint64_t id) {
    const uint64_t* it = std::lower_bound(begin, end, id << kActionBits);
    return it != end && (*it >> kActionBits) == id ? static_cast<uint16_t>(*it) : 0;
  }

  // StatementMatches of policy/kms_access.cc.
  bool Matches(const Statement& s, AccountId principal, const AccountRow* info) const {
    if (!s.any_principal &&
        !std::binary_search(s.accounts.begin(), s.accounts.end(), principal.number())) {
      return false;
    }
    const bool in_org = info != nullptr && info->organization != kNoOrganization;
    if (!s.organizations.empty()) {
      if (!in_org) return false;
      if (std::find(s.organizations.begin(), s.organizations.end(), info->organization) ==
          s.organizations.end()) {
        return false;
      }
    }
    if (!s.org_paths.empty()) {
      if (!in_org) return false;
      bool any = false;
      for (const std::string& pattern : s.org_paths) {
        any = any || text_util::Glob(pattern, org_paths[info->index]);
      }
      if (!any) return false;
    }
    return true;
  }

  // The actions a key without Deny statements allows `principal` (EvaluateKeyUse); every action
  // for its owner, none for a key that cannot be used.
  uint16_t KeyActions(const KeyRow& k, AccountId principal, const AccountRow* info) const {
    constexpr uint16_t kAll = 0xFFFF;
    switch (k.kind) {
      case KeyRow::Kind::kMissing:
        return 0;
      case KeyRow::Kind::kAwsManaged:
        return principal.number() == k.account ? kAll : 0;
      case KeyRow::Kind::kCustomer:
        break;
    }
    if (!k.usable) return 0;
    if (principal.number() == k.account) return kAll;
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
      const Statement& s = key_statements[k.other_offset + i];
      if (Matches(s, principal, info)) allowed |= s.actions;
    }
    return allowed;
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
    // EvaluateLaunchPermission: owner, account, organization, OU, public.
    Answer answer{Outcome::kAllowed, &row};
    const AccountRow* info = nullptr;
    bool info_known = false;
    auto account_info = [&]() {
      if (!info_known) {
        info = Account(caller);
        info_known = true;
      }
      return info;
    };
    if (row.owner == caller.number()) {
      answer.permit = &reasons::kOwnerMayLaunch;
    } else if ((row.grantee_signature & SignatureBit(caller.number())) != 0 &&
               std::binary_search(account_pool.begin() + row.grantee_offset,
                                  account_pool.begin() + row.grantee_offset + row.grantees,
                                  caller.number())) {
      answer.permit = &reasons::kSharedWithAccount;
    } else {
      if (row.organizations + row.ous > 0 && account_info() != nullptr &&
          info->organization != kNoOrganization) {
        for (uint32_t i = 0; i < row.organizations; ++i) {
          const uint32_t organization =
              i == 0 ? row.organization0 : organization_pool[row.organization_offset + i];
          if (organization == info->organization) {
            answer.permit = &reasons::kSharedWithOrganization;
            answer.organization = &organization_arns[row.organization_offset + i];
            break;
          }
        }
        for (uint32_t i = 0; i < row.ous && answer.permit == nullptr; ++i) {
          const OuRow& e = ou_pool[row.ou_offset + i];
          if (e.organization != info->organization) continue;
          for (uint32_t j = 0; j < info->ous; ++j) {
            if (account_ous[info->ous_offset + j] == e.ou) {
              answer.permit = &reasons::kSharedWithOu;
              answer.ou = &ou_arns[row.ou_offset + i];
              break;
            }
          }
        }
      }
      if (answer.permit == nullptr && row.is_public) answer.permit = &reasons::kPublicImage;
      if (answer.permit == nullptr) return {Outcome::kNoPermission, &row};
    }
    // LAUNCH-9 and LAUNCH-10 with the default EBS settings: reading each encrypted snapshot's
    // key, and writing the volume with it (the snapshot's owner) or with the caller's own aws/ebs
    // key (anyone else), which the caller may always use.
    for (uint32_t i = 0; i < row.key_uses; ++i) {
      KeyUseRow use;
      if (i == 0 && row.key0_owner_is_image_owner) {
        use = {row.owner, row.key0};
      } else {
        use = key_uses[row.key_use_offset + i];
      }
      const uint16_t allowed = KeyActions(keys[use.key], caller, account_info());
      const uint16_t needed =
          use.snapshot_owner == caller.number() ? kReadActions.bits() | kWriteActions.bits()
                                                : kReadActions.bits();
      if ((allowed & needed) != needed) {
        answer.outcome = Outcome::kKeyUnusable;
        answer.volume = &volumes[row.key_use_offset + i];
        return answer;
      }
    }
    return answer;
  }

  Decision Engine(AccountId caller, Region region, ImageId image) const {
    return frozen->Evaluate([&](const StateView& view) {
      return policy::EvaluateLaunch(view, {caller, region, image, std::nullopt, std::nullopt});
    });
  }
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
  const internal::CloudState& s = internal::CloudAccess::State(*t->frozen);
  absl::flat_hash_map<OrganizationId, uint32_t> organizations;
  absl::flat_hash_map<OrganizationalUnitId, uint32_t> ous;
  auto organization_index = [&](const OrganizationId& id) {
    return organizations.try_emplace(id, static_cast<uint32_t>(organizations.size())).first->second;
  };
  auto ou_index = [&](const OrganizationalUnitId& id) {
    return ous.try_emplace(id, static_cast<uint32_t>(ous.size())).first->second;
  };
  // An ARN's organization matches a member's only when its management account is the
  // organization's, when the cloud knows the organization (SameOrganization in launch.cc).
  auto arn_can_match = [&](const OrganizationId& org, AccountId management) {
    const std::optional<AccountId> known = s.OrganizationManagement(org);
    return !known.has_value() || *known == management;
  };

  for (const auto& [id, info] : s.accounts) {
    AccountRow row;
    row.index = static_cast<uint32_t>(t->org_paths.size());
    if (info.organization.has_value()) {
      row.organization = organization_index(*info.organization);
      row.ous_offset = static_cast<uint32_t>(t->account_ous.size());
      for (const OrganizationalUnitId& ou : info.ou_path) t->account_ous.push_back(ou_index(ou));
      row.ous = static_cast<uint32_t>(info.ou_path.size());
      t->org_paths.push_back(policy::OrgPath(info));
    } else {
      t->org_paths.emplace_back();
    }
    t->accounts.emplace(id.number(), row);
  }
  for (const auto& [where, settings] : s.settings) {
    if (settings.encryption_by_default ||
        settings.default_kms_key != s.AwsManagedEbsKey(where.first, where.second)) {
      t->engine_callers.insert({where.first.number(), where.second.index()});
    }
  }
  for (const auto& [where, allowed] : s.allowed_images) {
    if (allowed.state != AllowedImagesState::kDisabled) {
      t->engine_callers.insert({where.first.number(), where.second.index()});
    }
  }

  // Appends `entries` ((id, actions) pairs) to `pool` as sorted (id << 16) | actions values, one
  // per id with the union of its actions; returns the count.
  auto append_actions = [](std::vector<std::pair<uint64_t, uint16_t>>& entries,
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
  };
  absl::flat_hash_map<KmsKeyArn, uint32_t> key_index;
  auto key_of = [&](const KmsKeyArn& arn) {
    auto [it, added] = key_index.try_emplace(arn, static_cast<uint32_t>(t->keys.size()));
    if (!added) return it->second;
    KeyRow k;
    k.account = arn.account().number();
    const KeyFacts facts = s.FindKey(arn);
    if (facts.aws_managed) {
      k.kind = KeyRow::Kind::kAwsManaged;
    } else if (facts.key != nullptr) {
      const KmsKey& key = *facts.key;
      k.kind = KeyRow::Kind::kCustomer;
      k.usable = key.enabled() && key.symmetric();
      k.account = key.account().number();
      std::vector<std::pair<uint64_t, uint16_t>> by_account, by_organization;
      k.other_offset = static_cast<uint32_t>(t->key_statements.size());
      for (const KeyPolicyStatement& st : key.policy()) {
        const uint16_t actions = st.actions.bits();
        if (st.effect == KeyPolicyStatement::Effect::kDeny || !st.conditions.empty() ||
            !st.iam_principals.empty()) {
          k.has_deny = true;  // The engine decides: denies, conditions, IAM identities.
        } else if (st.principal_org_paths.empty() && st.principal_org_ids.empty()) {
          if (st.any_principal) {
            k.everyone |= actions;
          } else {
            for (const AccountId a : st.accounts) by_account.emplace_back(a.number(), actions);
          }
        } else if (st.any_principal && st.principal_org_paths.empty()) {
          for (const OrganizationId& o : st.principal_org_ids) {
            by_organization.emplace_back(organization_index(o), actions);
          }
        } else {
          Statement c;
          c.any_principal = st.any_principal;
          for (const AccountId a : st.accounts) c.accounts.push_back(a.number());
          std::sort(c.accounts.begin(), c.accounts.end());
          for (const OrganizationId& o : st.principal_org_ids) c.organizations.push_back(organization_index(o));
          c.org_paths = st.principal_org_paths;
          c.actions = actions;
          t->key_statements.push_back(std::move(c));
        }
      }
      k.other_count = static_cast<uint32_t>(t->key_statements.size() - k.other_offset);
      for (const KmsGrant& g : key.grants()) by_account.emplace_back(g.grantee.number(), g.operations.bits());
      k.account_offset = static_cast<uint32_t>(t->key_accounts.size());
      k.account_count = append_actions(by_account, t->key_accounts);
      k.organization_offset = static_cast<uint32_t>(t->key_organizations.size());
      k.organization_count = append_actions(by_organization, t->key_organizations);
    }
    t->keys.push_back(k);
    return it->second;
  };

  for (const Region region : Region::All()) {
    if (t->regions.size() <= region.index()) t->regions.resize(region.index() + 1, region);
    t->regions[region.index()] = region;
  }
  t->rows.reserve(s.images.size());
  for (const auto& [id, image] : s.images) {
    ImageRow row;
    row.owner = image->owner().number();
    row.region = image->region().index();
    const LaunchPermissions& lp = image->launch_permissions();
    row.is_public = lp.is_public();
    bool engine = image->state() != ImageState::kAvailable;
    row.grantee_offset = static_cast<uint32_t>(t->account_pool.size());
    for (const AccountId a : lp.accounts()) {
      t->account_pool.push_back(a.number());
      row.grantee_signature |= SignatureBit(a.number());
    }
    std::sort(t->account_pool.begin() + row.grantee_offset, t->account_pool.end());
    const size_t grantees = lp.accounts().size();
    row.organization_offset = static_cast<uint32_t>(t->organization_pool.size());
    for (const OrganizationArn& arn : lp.organizations()) {
      if (!arn_can_match(arn.organization_id(), arn.management_account())) continue;
      t->organization_pool.push_back(organization_index(arn.organization_id()));
      t->organization_arns.push_back(arn);
    }
    const size_t organizations = t->organization_pool.size() - row.organization_offset;
    if (organizations > 0) row.organization0 = t->organization_pool[row.organization_offset];
    row.ou_offset = static_cast<uint32_t>(t->ou_pool.size());
    for (const OrganizationalUnitArn& arn : lp.organizational_units()) {
      if (!arn_can_match(arn.organization_id(), arn.management_account())) continue;
      t->ou_pool.push_back({organization_index(arn.organization_id()), ou_index(arn.ou_id())});
      t->ou_arns.push_back(arn);
    }
    const size_t ou_count = t->ou_pool.size() - row.ou_offset;
    row.key_use_offset = static_cast<uint32_t>(t->key_uses.size());
    for (const BlockDeviceMapping& m : image->block_device_mappings()) {
      if (!m.ebs.has_value()) continue;
      const Snapshot* snapshot =
          m.ebs->snapshot_id.has_value() ? s.FindSnapshot(*m.ebs->snapshot_id) : nullptr;
      // Missing snapshots, and volumes encrypted without an encrypted snapshot: the engine.
      if (snapshot == nullptr) {
        engine = engine || m.ebs->snapshot_id.has_value() || m.ebs->encrypted;
        continue;
      }
      if (!snapshot->kms_key().has_value()) {
        engine = engine || m.ebs->encrypted;
        continue;
      }
      const uint32_t key = key_of(*snapshot->kms_key());
      engine = engine || t->keys[key].has_deny;
      const KeyUseRow use{snapshot->owner().number(), key};
      const bool seen = std::any_of(
          t->key_uses.begin() + row.key_use_offset, t->key_uses.end(), [&](const KeyUseRow& u) {
            return u.key == use.key && u.snapshot_owner == use.snapshot_owner;
          });
      if (seen) continue;
      t->key_uses.push_back(use);
      t->volumes.push_back({snapshot->id(), *snapshot->kms_key()});
    }
    const size_t key_uses = t->key_uses.size() - row.key_use_offset;
    if (key_uses > 0) {
      row.key0 = t->key_uses[row.key_use_offset].key;
      row.key0_owner_is_image_owner = t->key_uses[row.key_use_offset].snapshot_owner == row.owner;
    }
    engine = engine || grantees > 0xFFFF || organizations > 0xFF || ou_count > 0xFF || key_uses > 0xFF;
    row.grantees = static_cast<uint16_t>(std::min<size_t>(grantees, 0xFFFF));
    row.organizations = static_cast<uint8_t>(std::min<size_t>(organizations, 0xFF));
    row.ous = static_cast<uint8_t>(std::min<size_t>(ou_count, 0xFF));
    row.key_uses = static_cast<uint8_t>(std::min<size_t>(key_uses, 0xFF));
    row.engine = engine;
    t->engine_images += engine;
    t->rows.insert(ImageEntry{id, row});
  }
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
