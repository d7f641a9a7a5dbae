// Evaluating AWS Config managed rules (ami/tools/config_rules.h) over one read of the cloud.
//
// Verdicts are made once per image, or per (image, account) where the account sees the image
// differently, and kept with their annotation; the pass over the instances copies them.
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ami/policy.h"
#include "ami/tools/config_rules.h"
#include "cloud/state.h"
#include "policy/common.h"
#include "policy/reasons.h"

namespace ami {

// Fills a ConfigEvaluation: results, and annotations that stay in place.
struct ConfigEvaluationBuilder {
  ConfigEvaluation out;

  absl::string_view Keep(std::string text) {
    out.annotations_.push_back(std::move(text));
    return out.annotations_.back();
  }
  std::vector<ConfigResult>& results() { return out.results_; }
};

namespace {

using internal::CloudState;

// A rule's answer for one resource.
struct Verdict {
  ComplianceType compliance = ComplianceType::kCompliant;
  absl::string_view annotation;
  absl::string_view rule;
};

// Which accounts and Regions are evaluated.
struct Scope {
  bool all_accounts = false;
  AccountId account = AccountId::FromNumber(0);
  std::vector<Region> regions;
  uint64_t region_bits[4] = {0, 0, 0, 0};  // By Region::index().

  Scope(bool all, AccountId a, std::vector<Region> r) : all_accounts(all), account(a), regions(std::move(r)) {
    for (const Region region : regions) region_bits[region.index() / 64] |= uint64_t{1} << (region.index() % 64);
  }
  bool Has(AccountId a, Region r) const {
    return (all_accounts || a == account) && ((region_bits[r.index() / 64] >> (r.index() % 64)) & 1) != 0;
  }
};

// Instance configuration items: every state but terminated (GOV-3).
bool Recorded(InstanceState s) { return s != InstanceState::kTerminated; }

std::string Quoted(const std::vector<std::string>& items) {
  return absl::StrCat("`", absl::StrJoin(items, "`, `"), "`");
}

// ---- approved-amis-by-id (GOV-1, GOV-3) ----------------------------------------------------

class ByIdJudge {
 public:
  ByIdJudge(const ConfigRule& rule, ConfigEvaluationBuilder* b) : b_(b) {
    approved_.insert(rule.ami_ids().begin(), rule.ami_ids().end());
    std::vector<std::string> ids;
    for (const ImageId id : rule.ami_ids()) ids.push_back(id.ToString());
    list_ = Quoted(ids);
  }
  Verdict operator()(const Instance& i) {
    auto [it, added] = memo_.try_emplace(i.image_id());
    if (added) it->second = Decide(i.image_id());
    return it->second;
  }

 private:
  // By id alone, so a deregistered or missing image is matched too (GOV-3).
  Verdict Decide(ImageId id) {
    const std::string text = id.ToString();
    if (approved_.contains(id)) {
      return {ComplianceType::kCompliant,
              b_->Keep(absl::StrCat("image `", text, "` is one of the approved amiIds")), "GOV-1"};
    }
    return {ComplianceType::kNonCompliant,
            b_->Keep(absl::StrCat("image `", text, "` is not among the approved amiIds ", list_)),
            "GOV-1"};
  }
  ConfigEvaluationBuilder* b_;
  absl::flat_hash_set<ImageId> approved_;
  std::string list_;
  absl::flat_hash_map<ImageId, Verdict> memo_;
};

// ---- approved-amis-by-tag (GOV-2, GOV-3) ---------------------------------------------------

class ByTagJudge {
 public:
  // The caller holds s.mu shared.
  ByTagJudge(const CloudState& s, const ConfigRule& rule, ConfigEvaluationBuilder* b)
      ABSL_NO_THREAD_SAFETY_ANALYSIS : s_(s), rule_(rule), b_(b) {
    std::vector<std::string> entries;
    for (const ApprovedTag& t : rule.approved_tags()) {
      entries.push_back(t.value.has_value() ? absl::StrCat(t.key, ":", *t.value) : t.key);
    }
    list_ = Quoted(entries);
    // Images some account other than the owner tagged (SHARE-13).
    for (const auto& [id, by_account] : s.foreign_tags()) {
      if (id.rfind("ami-", 0) != 0) continue;
      if (absl::StatusOr<ImageId> image = ImageId::Parse(id); image.ok()) foreign_.insert(*image);
    }
  }

  Verdict operator()(const Instance& i) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    auto [it, added] = memo_.try_emplace(i.image_id());
    if (added) it->second = DecideImage(i.image_id());
    const Entry& e = it->second;
    if (e.missing || i.owner() == e.owner) return e.as_owner;
    if (!e.foreign) return e.as_other;
    auto [f, fadded] = foreign_memo_.try_emplace(std::make_pair(i.image_id(), i.owner()));
    if (fadded) f->second = DecideForeign(i.image_id(), i.owner());
    return f->second;
  }

 private:
  struct Entry {
    AccountId owner = AccountId::FromNumber(0);
    bool missing = false;
    bool foreign = false;
    Verdict as_owner;  // Also the verdict of a missing image.
    Verdict as_other;  // Another account that put no tag of its own on it.
  };

  // The first entry the tags meet, or -1 (entries are ORed, GOV-2).
  int Match(const TagSet& tags) const {
    const std::vector<ApprovedTag>& entries = rule_.approved_tags();
    for (size_t k = 0; k < entries.size(); ++k) {
      const std::optional<absl::string_view> v = tags.Find(entries[k].key);
      if (v.has_value() && (!entries[k].value.has_value() || *v == *entries[k].value)) {
        return static_cast<int>(k);
      }
    }
    return -1;
  }

  Verdict ByTags(ImageId id, const TagSet& tags, absl::string_view seen_by) {
    const int k = Match(tags);
    const std::string text = id.ToString();
    if (k >= 0) {
      const ApprovedTag& t = rule_.approved_tags()[static_cast<size_t>(k)];
      return {ComplianceType::kCompliant,
              b_->Keep(absl::StrCat("image `", text, "` has tag `", t.key,
                                    t.value.has_value() ? absl::StrCat("=", *t.value) : "",
                                    "` as ", seen_by, " sees it, which amisByTagKeyAndValue approves")),
              "GOV-2"};
    }
    return {ComplianceType::kNonCompliant,
            b_->Keep(absl::StrCat("image `", text, "` has none of the approved tags ", list_,
                                  " as ", seen_by, " sees it")),
            "GOV-2"};
  }

  Entry DecideImage(ImageId id) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    Entry e;
    const Image* image = s_.FindImage(id);
    const std::string text = id.ToString();
    if (image == nullptr || image->state() == ImageState::kDeregistered) {
      e.missing = true;
      e.as_owner = {ComplianceType::kNonCompliant,
                    b_->Keep(absl::StrCat("image `", text, "` is ",
                                          image == nullptr ? "not found" : "deregistered",
                                          ": its tags cannot be read, so none of ", list_,
                                          " is present")),
                    "GOV-3"};
      return e;
    }
    e.owner = image->owner();
    e.foreign = foreign_.contains(id);
    e.as_owner = ByTags(id, image->tags(), "its owner");
    const int owner_match = Match(image->tags());
    e.as_other = {ComplianceType::kNonCompliant,
                  b_->Keep(absl::StrCat(
                      "image `", text, "` is owned by account `", e.owner.ToString(), "`",
                      owner_match >= 0 ? ", whose approved tags are not visible to other accounts" : "",
                      "; the instance's account has put none of the approved tags ", list_,
                      " on it")),
                  "GOV-3"};
    return e;
  }

  // The tags `viewer` put on another account's image (GOV-3, SHARE-13).
  Verdict DecideForeign(ImageId id, AccountId viewer) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    const TagSet* mine = s_.ForeignTags(id.ToString(), viewer);
    if (mine == nullptr) return memo_.at(id).as_other;
    Verdict v = ByTags(id, *mine, absl::StrCat("account `", viewer.ToString(), "`"));
    v.rule = "GOV-3";
    return v;
  }

  const CloudState& s_;
  const ConfigRule& rule_;
  ConfigEvaluationBuilder* b_;
  std::string list_;
  absl::flat_hash_set<ImageId> foreign_;
  absl::flat_hash_map<ImageId, Entry> memo_;
  absl::flat_hash_map<std::pair<ImageId, AccountId>, Verdict> foreign_memo_;
};

// ---- ec2-instance-launched-with-allowed-ami (GOV-5, GOV-7 … 9) ------------------------------

class AllowedJudge {
 public:
  AllowedJudge(const CloudState& s, const ConfigRule& rule, ConfigEvaluationBuilder* b)
      : s_(s), b_(b) {
    for (const InstanceState st : rule.instance_states()) {
      states_ |= 1u << static_cast<unsigned>(st);
    }
    names_ = absl::StrJoin(rule.instance_states(), ", ", [](std::string* out, InstanceState st) {
      absl::StrAppend(out, ToString(st));
    });
  }

  Verdict operator()(const Instance& i) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    if (((states_ >> static_cast<unsigned>(i.state())) & 1) == 0) return OutOfScope(i.state());
    const AllowedImagesSettings* settings = s_.AllowedImages(i.owner(), i.region());
    if (settings == nullptr) return Disabled(i.owner(), i.region());
    auto [it, added] = memo_.try_emplace(std::make_pair(i.image_id(), i.owner()));
    if (added) it->second = Decide(i.image_id(), i.owner(), i.region());
    return it->second;
  }

 private:
  Verdict OutOfScope(InstanceState st) {
    Verdict& v = out_of_scope_[static_cast<size_t>(st)];
    if (v.annotation.empty()) {
      v = {ComplianceType::kNotApplicable,
           b_->Keep(absl::StrCat("the instance is ", ToString(st),
                                 ", a state InstanceStateNameList (", names_, ") leaves out")),
           "GOV-5"};
    }
    return v;
  }

  // GOV-5: the setting is disabled, so no AMI fails it.
  Verdict Disabled(AccountId account, Region region) {
    auto [it, added] = disabled_.try_emplace(std::make_pair(account, region));
    if (added) {
      const Reason why = policy::R(reasons::kAllowedImagesOff, {.account = account, .region = region});
      it->second = {ComplianceType::kCompliant, b_->Keep(why.Message()), why.rule()};
    }
    return it->second;
  }

  // The policy engine's Allowed AMIs decision; audit mode reports what it would block.
  Verdict Decide(ImageId id, AccountId account, Region region) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    const Image* image = s_.FindImage(id);
    if (image == nullptr) {
      return {ComplianceType::kNonCompliant,
              b_->Keep(absl::StrCat("image `", id.ToString(), "` is not found: it cannot be shown "
                                    "to meet the allowed AMIs criteria of account `",
                                    account.ToString(), "` in ", region.ToString())),
              "GOV-5"};
    }
    const Decision d = policy::EvaluateImageAllowed(s_, *image, account, region);
    const Reason& why = d.reasons().front();
    const bool meets = d.allowed() && why.what != &reasons::kNotAllowedAudit;
    return {meets ? ComplianceType::kCompliant : ComplianceType::kNonCompliant,
            b_->Keep(why.Message()), why.rule()};
  }

  const CloudState& s_;
  ConfigEvaluationBuilder* b_;
  uint32_t states_ = 0;
  std::string names_;
  Verdict out_of_scope_[8];
  absl::flat_hash_map<std::pair<AccountId, Region>, Verdict> disabled_;
  absl::flat_hash_map<std::pair<ImageId, AccountId>, Verdict> memo_;
};

// One pass over the instances in scope.
template <typename Judge>
void PassInstances(const CloudState& s, const Scope& scope, Judge& judge,
                   ConfigEvaluationBuilder* b) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  std::vector<ConfigResult>& out = b->results();
  if (!scope.all_accounts) out.reserve(64);
  else out.reserve(s.instances().size());
  for (const auto& ptr : s.instances()) {
    const Instance& i = *ptr;
    if (!Recorded(i.state()) || !scope.Has(i.owner(), i.region())) continue;
    const Verdict v = judge(i);
    ConfigResult& r = out.emplace_back();
    r.resource_type = ConfigResourceType::kInstance;
    r.compliance = v.compliance;
    r.account = i.owner();
    r.region = i.region();
    r.instance = i.id();
    r.annotation = v.annotation;
    r.rule = v.rule;
  }
}

// ---- ebs-snapshot-public-restorable-check (GOV-6) ------------------------------------------

void PassSnapshots(const CloudState& s, const Scope& scope, ConfigEvaluationBuilder* b)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  static constexpr absl::string_view kPublic =
      "the snapshot is public: createVolumePermission group all lets anyone restore it";
  static constexpr absl::string_view kPrivate =
      "the snapshot is not public: only its owner and the accounts it names may restore it";
  for (const auto& [id, ptr] : s.snapshots()) {
    const Snapshot& snap = *ptr;
    if (!scope.Has(snap.owner(), snap.region())) continue;
    ConfigResult& r = b->results().emplace_back();
    r.resource_type = ConfigResourceType::kSnapshot;
    r.compliance = snap.is_public() ? ComplianceType::kNonCompliant : ComplianceType::kCompliant;
    r.account = snap.owner();
    r.region = snap.region();
    r.snapshot = id;
    r.annotation = snap.is_public() ? kPublic : kPrivate;
    r.rule = "GOV-6";
  }
}

// ---- ec2-ebs-encryption-by-default (GOV-6, KMS-3) ------------------------------------------

void PassAccounts(const CloudState& s, const Scope& scope, ConfigEvaluationBuilder* b)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  std::vector<AccountId> accounts;
  if (scope.all_accounts) {
    for (const auto& [id, info] : s.accounts()) accounts.push_back(id);
    std::sort(accounts.begin(), accounts.end());
  } else {
    accounts.push_back(scope.account);
  }
  for (const AccountId a : accounts) {
    for (const Region region : scope.regions) {
      auto it = s.settings().find(std::make_pair(a, region));
      const bool on = it != s.settings().end() && it->second.encryption_by_default;
      ConfigResult& r = b->results().emplace_back();
      r.resource_type = ConfigResourceType::kAccount;
      r.compliance = on ? ComplianceType::kCompliant : ComplianceType::kNonCompliant;
      r.account = a;
      r.region = region;
      r.annotation = on ? "EBS encryption by default is enabled in the Region: new volumes are "
                          "encrypted"
                        : "EBS encryption by default is disabled in the Region: new volumes may "
                          "be unencrypted";
      r.rule = "GOV-6";
    }
  }
}

ConfigEvaluation Evaluate(const Cloud& cloud, const ConfigRule& rule, const Scope& scope) {
  ConfigEvaluationBuilder b;
  const CloudState& s = internal::CloudAccess::State(cloud);
  internal::ReaderLock lock(s.mu);
  switch (rule.kind()) {
    case ConfigRuleKind::kApprovedAmisById: {
      ByIdJudge judge(rule, &b);
      PassInstances(s, scope, judge, &b);
      break;
    }
    case ConfigRuleKind::kApprovedAmisByTag: {
      ByTagJudge judge(s, rule, &b);
      PassInstances(s, scope, judge, &b);
      break;
    }
    case ConfigRuleKind::kInstanceLaunchedWithAllowedAmi: {
      AllowedJudge judge(s, rule, &b);
      PassInstances(s, scope, judge, &b);
      break;
    }
    case ConfigRuleKind::kEbsSnapshotPublicRestorableCheck:
      PassSnapshots(s, scope, &b);
      break;
    case ConfigRuleKind::kEbsEncryptionByDefault:
      PassAccounts(s, scope, &b);
      break;
  }
  return std::move(b.out);
}

}  // namespace

ConfigEvaluation EvaluateConfigRule(const Cloud& cloud, const ConfigRule& rule, AccountId account,
                                    Region region) {
  return Evaluate(cloud, rule, Scope(false, account, {region}));
}

ConfigEvaluation EvaluateConfigRuleForAllAccounts(const Cloud& cloud, const ConfigRule& rule,
                                                  const std::vector<Region>& regions) {
  return Evaluate(cloud, rule, Scope(true, AccountId::FromNumber(0), regions));
}

}  // namespace ami
