// Evaluating AWS Config managed rules (ami/tools/config_rules.h) over one read of the cloud.
//
// Verdicts are made once per image, or per (image, account) where the account sees the image
// differently, and kept with their annotation; the pass over the instances copies them.
#include <algorithm>
#include <cstdint>
#include <string>
#include <tuple>
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
#include "policy/governance.h"
#include "tools/config_rules_text.h"

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

// A verdict from the policy engine's decision: allow = COMPLIANT, deny = NON_COMPLIANT; the
// first reason is the annotation.
Verdict FromDecision(const Decision& d, ConfigEvaluationBuilder* b) {
  const Reason& why = d.reasons().front();
  return {d.allowed() ? ComplianceType::kCompliant : ComplianceType::kNonCompliant,
          b->Keep(why.Message()), why.rule()};
}

// ---- approved-amis-by-id (GOV-1, GOV-3) ----------------------------------------------------

class ByIdJudge {
 public:
  ByIdJudge(const ConfigRule& rule, ConfigEvaluationBuilder* b)
      : b_(b), approved_(config_text::ApprovedIds(rule)), list_(config_text::ApprovedIdsText(rule)) {}
  Verdict operator()(const Instance& i) {
    auto [it, added] = memo_.try_emplace(i.image_id());
    if (added) it->second = FromDecision(policy::EvaluateApprovedAmiById(i.image_id(), approved_, list_), b_);
    return it->second;
  }

 private:
  ConfigEvaluationBuilder* b_;
  absl::flat_hash_set<ImageId> approved_;
  std::string list_;
  absl::flat_hash_map<ImageId, Verdict> memo_;
};

// ---- approved-amis-by-tag (GOV-2, GOV-3) ---------------------------------------------------

// The engine answers per (image, viewer); the memo keeps one answer for the owner and one for
// every other account that put no tag of its own on the image (the engine's answer names the
// viewer only when it tagged the image), so the fleet costs one decision per image and class.
class ByTagJudge {
 public:
  // The caller holds s.mu shared.
  ByTagJudge(const CloudState& s, const ConfigRule& rule, ConfigEvaluationBuilder* b)
      ABSL_NO_THREAD_SAFETY_ANALYSIS
      : s_(s), b_(b), entries_(config_text::TagEntries(rule)), list_(config_text::TagEntriesText(rule)) {
    // Images some account other than the owner tagged (SHARE-13).
    for (const auto& [id, by_account] : s.foreign_tags()) {
      if (id.rfind("ami-", 0) != 0) continue;
      if (absl::StatusOr<ImageId> image = ImageId::Parse(id); image.ok()) foreign_.insert(*image);
    }
  }

  Verdict operator()(const Instance& i) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    const Image* image = s_.FindImage(i.image_id());
    const bool owner = image == nullptr || image->owner() == i.owner();
    // An account that tagged the image is its own class; the others share one.
    const bool own_class = !owner && foreign_.contains(i.image_id()) &&
                           s_.ForeignTags(i.image_id().ToString(), i.owner()) != nullptr;
    const Key key{i.image_id(), owner ? Class::kOwner : own_class ? Class::kTagger : Class::kOther,
                  own_class ? i.owner() : AccountId::FromNumber(0)};
    auto [it, added] = memo_.try_emplace(key);
    if (added) {
      it->second = FromDecision(
          policy::EvaluateApprovedAmiByTag(s_, i.image_id(), i.owner(), entries_, list_), b_);
    }
    return it->second;
  }

 private:
  enum class Class : uint8_t { kOwner, kOther, kTagger };
  using Key = std::tuple<ImageId, Class, AccountId>;

  const CloudState& s_;
  ConfigEvaluationBuilder* b_;
  std::vector<policy::ApprovedTagEntry> entries_;
  std::string list_;
  absl::flat_hash_set<ImageId> foreign_;
  absl::flat_hash_map<Key, Verdict> memo_;
};
// ---- ec2-instance-launched-with-allowed-ami (GOV-5, GOV-7 … 9) ------------------------------

class AllowedJudge {
 public:
  AllowedJudge(const CloudState& s, const ConfigRule& rule, ConfigEvaluationBuilder* b)
      : s_(s), rule_(rule), b_(b), states_(config_text::StateBits(rule)) {}

  Verdict operator()(const Instance& i) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    if (((states_ >> static_cast<unsigned>(i.state())) & 1) == 0) return OutOfScope(i.state());
    auto [it, added] = memo_.try_emplace(std::make_tuple(i.image_id(), i.owner(), i.region()));
    if (added) {
      it->second = FromDecision(policy::EvaluateImageMeetsAllowedAmis(
                                    s_, s_.FindImage(i.image_id()), i.image_id(), i.owner(), i.region()),
                                b_);
    }
    return it->second;
  }

 private:
  // A state the rule's InstanceStateNameList leaves out.
  Verdict OutOfScope(InstanceState st) {
    Verdict& v = out_of_scope_[static_cast<size_t>(st)];
    if (v.annotation.empty()) {
      v = {ComplianceType::kNotApplicable, b_->Keep(config_text::OutOfScopeText(rule_, st)), "GOV-5"};
    }
    return v;
  }

  const CloudState& s_;
  const ConfigRule& rule_;
  ConfigEvaluationBuilder* b_;
  uint32_t states_ = 0;
  Verdict out_of_scope_[8];
  absl::flat_hash_map<std::tuple<ImageId, AccountId, Region>, Verdict> memo_;
};

// Appends the result of one recorded instance in scope.
template <typename Judge>
void Judge1(const Instance& i, Judge& judge, std::vector<ConfigResult>& out) {
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

// One pass over the instances in scope: one account's from the index by owner and Region,
// every account's from the instance table.
template <typename Judge>
void PassInstances(const CloudState& s, const Scope& scope, Judge& judge,
                   ConfigEvaluationBuilder* b) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  std::vector<ConfigResult>& out = b->results();
  if (!scope.all_accounts) {
    for (const Region region : scope.regions) {
      const std::vector<InstanceId>* ids = s.InstancesOf(scope.account, region);
      if (ids == nullptr) continue;
      for (const InstanceId id : *ids) {
        const Instance& i = *s.FindInstance(id);
        if (policy::ConfigRecordsInstance(i.state())) Judge1(i, judge, out);
      }
    }
    return;
  }
  out.reserve(s.instances().size());
  for (const auto& ptr : s.instances()) {
    const Instance& i = *ptr;
    if (!policy::ConfigRecordsInstance(i.state()) || !scope.Has(i.owner(), i.region())) continue;
    Judge1(i, judge, out);
  }
}

// ---- ebs-snapshot-public-restorable-check (GOV-6) ------------------------------------------

void PassSnapshots(const CloudState& s, const Scope& scope, ConfigEvaluationBuilder* b)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  for (const auto& [id, ptr] : s.snapshots()) {
    const Snapshot& snap = *ptr;
    if (!scope.Has(snap.owner(), snap.region())) continue;
    const Verdict v = FromDecision(policy::EvaluateSnapshotNotPublic(snap), b);
    ConfigResult& r = b->results().emplace_back();
    r.resource_type = ConfigResourceType::kSnapshot;
    r.compliance = v.compliance;
    r.account = snap.owner();
    r.region = snap.region();
    r.snapshot = id;
    r.annotation = v.annotation;
    r.rule = v.rule;
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
      const Verdict v = FromDecision(policy::EvaluateEncryptionByDefaultOn(s, a, region), b);
      ConfigResult& r = b->results().emplace_back();
      r.resource_type = ConfigResourceType::kAccount;
      r.compliance = v.compliance;
      r.account = a;
      r.region = region;
      r.annotation = v.annotation;
      r.rule = v.rule;
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
