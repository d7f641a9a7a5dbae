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
  size_t h = absl::HashOf(k.owner, k.tags, k.region, k.alias, k.public_image, k.root_device);
  return k.id.has_value() ? absl::HashOf(h, *k.id) : h;
}

size_t Memo::TagListHash::operator()(const std::vector<const Tag*>& tags) const {
  size_t h = tags.size();
  for (const Tag* t : tags) h = absl::HashOf(h, t->key(), t->value());
  return h;
}

bool Memo::TagListEq::operator()(const std::vector<const Tag*>& a,
                                 const std::vector<const Tag*>& b) const {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (*a[i] != *b[i]) return false;
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
    for (const auto& [arn, p] : state_.principals()) known.emplace_back(arn, p->account);
  }
  for (const uint64_t account : governed_) {
    roots_[account] = MakeEntry("", AccountId::FromNumber(account));
  }
  for (const auto& [arn, account] : known) principals_[arn] = MakeEntry(arn, account);
  for (const auto& [unused, e] : roots_) {
    tag_keys_.insert(tag_keys_.end(), e->profile.tag_keys.begin(), e->profile.tag_keys.end());
  }
  for (const auto& [unused, e] : principals_) {
    tag_keys_.insert(tag_keys_.end(), e->profile.tag_keys.begin(), e->profile.tag_keys.end());
  }
  std::sort(tag_keys_.begin(), tag_keys_.end());
  tag_keys_.erase(std::unique(tag_keys_.begin(), tag_keys_.end()), tag_keys_.end());
  if (!roots_.empty() || !principals_.empty()) ReadImages(state_);
}

uint32_t Memo::TagsOf(const TagSet& tags,
                      absl::flat_hash_map<std::vector<const Tag*>, uint32_t, TagListHash,
                                          TagListEq>* interned) const {
  std::vector<const Tag*> named;
  for (const Tag& t : tags) {
    for (const std::string& key : tag_keys_) {
      if (t.key().size() == key.size() && absl::EqualsIgnoreCase(t.key(), key)) {
        named.push_back(&t);
        break;
      }
    }
  }
  if (named.empty()) return 0;
  const uint32_t next = static_cast<uint32_t>(interned->size() + 1);
  return interned->try_emplace(std::move(named), next).first->second;
}

void Memo::ReadImages(const internal::CloudState& state) {
  absl::flat_hash_map<std::vector<const Tag*>, uint32_t, TagListHash, TagListEq> interned;
  internal::ReaderLock lock(state.mu);
  images_.reserve(state.images().size());
  for (const auto& [id, image] : state.images()) {
    ImageFacts& f = images_[id];
    f.owner = image->owner().number();
    f.owner_tags = tag_keys_.empty() ? 0 : TagsOf(image->tags(), &interned);
    f.alias = static_cast<uint8_t>(image->owner_alias());
    f.public_image = image->is_public();
    f.root_device = static_cast<uint8_t>(image->root_device_type());
  }
  if (tag_keys_.empty()) return;
  for (const auto& [resource, by_account] : state.foreign_tags()) {
    const absl::StatusOr<ImageId> id = ImageId::Parse(resource);
    if (!id.ok()) continue;
    for (const auto& [account, tags] : by_account) {
      foreign_[{*id, account.number()}] = TagsOf(tags, &interned);
    }
  }
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
    std::lock_guard<std::mutex> l(mu_);
    auto it = others_.find(key);
    if (it != others_.end()) return it->second.get();
  }
  std::unique_ptr<Entry> made = MakeEntry(principal, account);
  Cover(*made);
  std::lock_guard<std::mutex> l(mu_);
  auto it = others_.find(key);
  if (it != others_.end()) return it->second.get();
  if (others_.size() >= kMaxPrincipals) return nullptr;
  return others_.emplace(std::move(key), std::move(made)).first->second.get();
}

void Memo::Cover(Entry& e) const {
  for (const std::string& key : e.profile.tag_keys) {
    if (!std::binary_search(tag_keys_.begin(), tag_keys_.end(), key)) e.profile.by_id = true;
  }
}

Memo::ClassKey Memo::ClassOf(const Entry& e, AccountId account, Region region, ImageId id,
                             const ImageFacts& facts) const {
  ClassKey k;
  if (e.profile.by_id) k.id = id;
  k.owner = facts.owner;
  k.region = region.index();
  k.alias = facts.alias;
  k.public_image = facts.public_image;
  k.root_device = facts.root_device;
  if (e.profile.tag_keys.empty()) return k;
  if (facts.owner == account.number()) {
    k.tags = facts.owner_tags;
  } else {
    auto it = foreign_.find(std::make_pair(id, account.number()));
    k.tags = it == foreign_.end() ? 0 : it->second;
  }
  return k;
}

Outcome Memo::AskEngine(const Entry& e, Region region, ImageId image) const {
  internal::ReaderLock lock(state_.mu);
  const CallContext ctx{e.account, region, false, e.principal, {}};
  const std::optional<Decision> denied =
      policy::IamDenial(state_, ctx, "ec2:RunInstances", [&] {
        return policy::LaunchIamResources(state_, ctx, image, nullptr);
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

namespace {
uint64_t KeySlot(const KeyNeed& need, Region region) {
  return (uint64_t{need.index} << 16) | (uint64_t{region.index()} << 1) | need.keeps;
}
}  // namespace

Outcome Memo::IamFor(const Entry& e, const ClassKey& k, bool keep, Region region,
                     ImageId image) {
  const size_t hash = absl::HashOf(&e, ClassHash()(k));
  auto same = [&](const ClassNode& n) { return n.entry == &e && n.key == k; };
  if (const ClassNode* n = classes_.Find(hash, same)) return n->outcome;
  const Outcome o = AskEngine(e, region, image);
  if (keep) classes_.Insert(std::make_unique<ClassNode>(ClassNode{hash, &e, k, o}), same);
  return o;
}

bool Memo::KeyFor(const Entry& e, const KeyNeed& need, bool keep, Region region) {
  const uint64_t slot = KeySlot(need, region);
  const size_t hash = absl::HashOf(&e, slot);
  auto same = [&](const KeyNode& n) { return n.entry == &e && n.slot == slot; };
  if (const KeyNode* n = keys_.Find(hash, same)) return n->usable;
  const bool usable = AskKeys(e, region, need);
  if (keep) keys_.Insert(std::make_unique<KeyNode>(KeyNode{hash, &e, slot, usable}), same);
  return usable;
}

std::optional<LaunchAnswer> Memo::Launch(absl::string_view principal, AccountId account,
                                         Region region, ImageId image,
                                         absl::Span<const KeyNeed> keys) {
  auto facts = images_.find(image);
  if (facts == images_.end()) return std::nullopt;
  const Entry* e = EntryOf(principal, account);
  std::unique_ptr<Entry> spare;  // Not kept: the memo holds kMaxPrincipals others already.
  if (e == nullptr) {
    spare = MakeEntry(principal, account);
    Cover(*spare);
    e = spare.get();
  }
  LaunchAnswer answer;
  answer.iam = IamFor(*e, ClassOf(*e, account, region, image, facts->second), !spare, region, image);
  answer.keys_usable = true;
  for (size_t i = 0; i < keys.size() && answer.keys_usable; ++i) {
    answer.keys_usable = KeyFor(*e, keys[i], !spare, region);
  }
  return answer;
}

}  // namespace ami::launch_iam
