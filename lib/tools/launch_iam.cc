// LaunchTable's IAM memo (lib/tools/launch_iam.h): policy::IamDenial and policy::EvaluateKeyUseBy
// asked once per class of images and per key, on the table's frozen state.
#include "tools/launch_iam.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/hash/hash.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "ami/tools/launch_table.h"
#include "policy/iam.h"
#include "policy/key_use.h"
#include "policy/lang/document.h"

namespace ami::launch_iam {
namespace {

constexpr absl::string_view kTagPrefixes[] = {"ec2:resourcetag/", "aws:resourcetag/"};

// True when the resource pattern `g` matches every image of a Region or none, whatever its id.
bool IdIndependent(const lang::Glob& g) {
  if (g.has_variable) return false;
  if (g.text == "*") return true;
  if (!g.arn.has_value() || g.arn->count < 6) return false;
  if (g.arn->kinds[5] == lang::ArnParts::Kind::kAny) return true;
  const std::string& resource = g.arn->parts[5];
  if (resource == "image/*") return true;
  const size_t slash = resource.find('/');
  if (slash == std::string::npos) return false;
  const absl::string_view type = absl::string_view(resource).substr(0, slash);
  return type.find_first_of("*?") == absl::string_view::npos &&
         !absl::EqualsIgnoreCase(type, "image");
}

// What `doc` reads of an image resource, added to `tag_keys` and `by_id`.
void Read(const lang::PolicyDocument* doc, std::vector<std::string>* tag_keys, bool* by_id) {
  if (doc == nullptr) return;
  for (const lang::Statement& s : doc->statements) {
    for (const lang::Condition& c : s.conditions) {
      if (c.has_variable || absl::StrContains(c.key_lower, "${") || c.key_lower == "ec2:imageid") {
        *by_id = true;
      }
      for (const absl::string_view prefix : kTagPrefixes) {
        if (absl::StartsWith(c.key_lower, prefix)) {
          tag_keys->push_back(c.key_lower.substr(prefix.size()));
        }
      }
    }
    for (const lang::Glob& g : s.resources) *by_id = *by_id || !IdIndependent(g);
  }
}

}  // namespace

size_t Memo::ClassHash::operator()(const ClassKey& k) const {
  size_t h = absl::HashOf(k.owner, k.region, k.alias, k.public_image, k.root_device);
  if (k.id.has_value()) h = absl::HashOf(h, *k.id);
  for (const Tag* t : k.tags) h = absl::HashOf(h, t->key(), t->value());
  return h;
}

bool Memo::ClassEq::operator()(const ClassKey& a, const ClassKey& b) const {
  if (a.id != b.id || a.owner != b.owner || a.region != b.region || a.alias != b.alias ||
      a.public_image != b.public_image || a.root_device != b.root_device ||
      a.tags.size() != b.tags.size()) {
    return false;
  }
  for (size_t i = 0; i < a.tags.size(); ++i) {
    if (*a.tags[i] != *b.tags[i]) return false;
  }
  return true;
}

Memo::Memo(const internal::CloudState& state) : state_(state) {
  std::vector<std::pair<std::string, AccountId>> known;
  {
    internal::ReaderLock lock(state_.mu);
    for (const auto& [account, unused] : state_.accounts()) {
      if (state_.GovernedByServiceControlPolicies(account)) governed_.insert(account.number());
    }
    for (const auto& [resource, by_account] : state_.foreign_tags()) {
      const absl::StatusOr<ImageId> id = ImageId::Parse(resource);
      if (!id.ok()) continue;
      for (const auto& [account, tags] : by_account) foreign_[{*id, account.number()}] = &tags;
    }
    for (const auto& [arn, p] : state_.principals()) known.emplace_back(arn, p->account);
  }
  for (const uint64_t account : governed_) {
    roots_[account] = MakeEntry("", AccountId::FromNumber(account));
  }
  for (const auto& [arn, account] : known) principals_[arn] = MakeEntry(arn, account);
}

Memo::~Memo() = default;

bool Memo::Applies(absl::string_view principal, AccountId account) const {
  return !principal.empty() || governed_.contains(account.number());
}

std::unique_ptr<Memo::Entry> Memo::MakeEntry(absl::string_view principal,
                                             AccountId account) const {
  auto e = std::make_unique<Entry>();
  e->principal = std::string(principal);
  e->account = account;
  internal::ReaderLock lock(state_.mu);
  const internal::IamPrincipal* who =
      principal.empty() ? nullptr : state_.FindPrincipal(account, principal);
  if (who != nullptr) {
    for (const internal::IamDocument& d : who->policies) {
      Read(d.document.get(), &e->profile.tag_keys, &e->profile.by_id);
    }
    if (who->boundary) Read(who->boundary->document.get(), &e->profile.tag_keys, &e->profile.by_id);
  }
  for (const policy::ScpLevel& level : state_.ServiceControlPolicies(account)) {
    for (const internal::ServiceControlPolicy* scp : level.policies) {
      Read(scp->document.document.get(), &e->profile.tag_keys, &e->profile.by_id);
    }
  }
  std::vector<std::string>& keys = e->profile.tag_keys;
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return e;
}

Memo::Entry* Memo::Known(absl::string_view principal, AccountId account) const {
  if (principal.empty()) {
    auto it = roots_.find(account.number());
    return it == roots_.end() ? nullptr : it->second.get();
  }
  auto it = principals_.find(principal);
  return it == principals_.end() || it->second->account != account ? nullptr : it->second.get();
}

Memo::Entry* Memo::EntryOf(absl::string_view principal, AccountId account) {
  if (Entry* e = Known(principal, account)) return e;
  std::pair<uint64_t, std::string> key{account.number(), std::string(principal)};
  {
    absl::MutexLock l(&mu_);
    auto it = others_.find(key);
    if (it != others_.end()) return it->second.get();
  }
  std::unique_ptr<Entry> made = MakeEntry(principal, account);
  absl::MutexLock l(&mu_);
  auto it = others_.find(key);
  if (it != others_.end()) return it->second.get();
  if (others_.size() >= kMaxPrincipals) return nullptr;
  return others_.emplace(std::move(key), std::move(made)).first->second.get();
}

Memo::ClassKey Memo::ClassOf(const Entry& e, AccountId account, Region region,
                             const Image& image) const {
  ClassKey k;
  if (e.profile.by_id) k.id = image.id();
  k.owner = image.owner().number();
  k.region = region.index();
  k.alias = static_cast<uint8_t>(image.owner_alias());
  k.public_image = image.is_public();
  k.root_device = static_cast<uint8_t>(image.root_device_type());
  if (e.profile.tag_keys.empty()) return k;
  const TagSet* tags = &image.tags();
  if (image.owner() != account) {
    auto it = foreign_.find(std::make_pair(image.id(), account.number()));
    tags = it == foreign_.end() ? nullptr : it->second;
  }
  if (tags == nullptr) return k;
  for (const Tag& t : *tags) {
    for (const std::string& key : e.profile.tag_keys) {
      if (t.key().size() == key.size() && absl::EqualsIgnoreCase(t.key(), key)) {
        k.tags.push_back(&t);
        break;
      }
    }
  }
  return k;
}

Outcome Memo::AskEngine(const Entry& e, Region region, const Image& image) const {
  internal::ReaderLock lock(state_.mu);
  const CallContext ctx{e.account, region, false, e.principal, {}};
  const std::optional<Decision> denied =
      policy::IamDenial(state_, ctx, "ec2:RunInstances", [&] {
        return policy::LaunchIamResources(state_, ctx, image.id(), nullptr);
      });
  if (!denied.has_value()) return Outcome{true, nullptr};
  return Outcome{false, LaunchTable::VerdictOf(*denied).why};
}

bool Memo::AskKeys(const Entry& e, Region region, const KeyNeed& need) const {
  internal::ReaderLock lock(state_.mu);
  const CallContext ctx{e.account, region, false, e.principal, {}};
  const std::optional<policy::KeyCaller> who = policy::IamKeyCaller(state_, ctx);
  if (!who.has_value()) return false;  // Applies() holds: never reached.
  const KmsKeyArn target = need.keeps ? *need.arn : state_.AwsManagedEbsKey(e.account, region);
  return policy::EvaluateKeyUseBy(state_, *who, *need.arn, policy::ReadKeyActions()).allowed() &&
         policy::EvaluateKeyUseBy(state_, *who, target, policy::WriteKeyActions()).allowed();
}

void Memo::Keep(Entry& e, ClassKey k, Outcome o) {
  if (remembered_.load(std::memory_order_relaxed) >= kMaxClasses) return;
  absl::MutexLock l(&e.mu);
  if (e.classes.try_emplace(std::move(k), o).second) remembered_.fetch_add(1);
}

void Memo::Keep(Entry& e, uint64_t slot, bool usable) {
  if (remembered_.load(std::memory_order_relaxed) >= kMaxClasses) return;
  absl::MutexLock l(&e.mu);
  if (e.keys.try_emplace(slot, usable).second) remembered_.fetch_add(1);
}

namespace {
uint64_t KeySlot(const KeyNeed& need, Region region) {
  return (uint64_t{need.index} << 16) | (uint64_t{region.index()} << 1) | need.keeps;
}
}  // namespace

LaunchAnswer Memo::Launch(absl::string_view principal, AccountId account, Region region,
                          const Image& image, absl::Span<const KeyNeed> keys) {
  Entry* e = EntryOf(principal, account);
  std::unique_ptr<Entry> spare;
  if (e == nullptr) e = (spare = MakeEntry(principal, account)).get();
  ClassKey k = ClassOf(*e, account, region, image);
  LaunchAnswer answer;
  bool iam_known = false;
  // Per key: 0 not remembered, 1 usable, 2 not usable.
  absl::InlinedVector<uint8_t, 4> remembered(keys.size(), 0);
  {
    absl::ReaderMutexLock l(&e->mu);
    auto it = e->classes.find(k);
    if (it != e->classes.end()) answer.iam = it->second, iam_known = true;
    for (size_t i = 0; i < keys.size(); ++i) {
      auto found = e->keys.find(KeySlot(keys[i], region));
      if (found != e->keys.end()) remembered[i] = found->second ? 1 : 2;
    }
  }
  if (!iam_known) {
    answer.iam = AskEngine(*e, region, image);
    if (!spare) Keep(*e, std::move(k), answer.iam);
  }
  answer.keys_usable = true;
  for (size_t i = 0; i < keys.size() && answer.keys_usable; ++i) {
    if (remembered[i] == 0) {
      const bool usable = AskKeys(*e, region, keys[i]);
      if (!spare) Keep(*e, KeySlot(keys[i], region), usable);
      remembered[i] = usable ? 1 : 2;
    }
    answer.keys_usable = remembered[i] == 1;
  }
  return answer;
}

}  // namespace ami::launch_iam
