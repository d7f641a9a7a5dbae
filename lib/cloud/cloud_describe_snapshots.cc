// DescribeSnapshots: the caller's snapshots, those it may create volumes from, and public ones
// (unless their owner blocks all public sharing, SNAP-3), from the snapshot indexes.
#include <algorithm>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ami/cloud.h"
#include "ami/errors.h"
#include "cloud/describe_query.h"
#include "cloud/state.h"
#include "policy/iam.h"
#include "policy/common.h"
#include "values/choices.h"
#include "values/status_macros.h"

namespace ami {

using internal::CloudState;
using internal::IdStream;
using internal::SnapshotIndex;

namespace {

enum class SF : uint8_t {
  kDescription, kEncrypted, kKmsKeyId, kOwnerAlias, kOwnerId, kProgress, kSnapshotId,
  kStartTime, kStatus, kStorageTier, kTag, kTagKey, kVolumeId, kVolumeSize,
};

constexpr std::pair<absl::string_view, SF> kSnapshotFilters[] = {
    {"description", SF::kDescription}, {"encrypted", SF::kEncrypted},
    {"kms-key-id", SF::kKmsKeyId},     {"owner-alias", SF::kOwnerAlias},
    {"owner-id", SF::kOwnerId},        {"progress", SF::kProgress},
    {"snapshot-id", SF::kSnapshotId},  {"start-time", SF::kStartTime},
    {"status", SF::kStatus},           {"storage-tier", SF::kStorageTier},
    {"tag-key", SF::kTagKey},          {"volume-id", SF::kVolumeId},
    {"volume-size", SF::kVolumeSize},
};

struct SnapshotFilter {
  SF kind;
  std::string tag_key;
  std::vector<FilterPattern> patterns;
  bool all_exact = true;
};

template <typename Sink>
void Values(const SnapshotFilter& f, const Snapshot& s, const TagSet& tags, Sink&& emit) {
  switch (f.kind) {
    case SF::kDescription: return emit(s.description());
    case SF::kEncrypted: return emit(s.encrypted() ? "true" : "false");
    case SF::kKmsKeyId:
      if (s.kms_key().has_value()) emit(s.kms_key()->ToString());
      return;
    case SF::kOwnerAlias: return;
    case SF::kOwnerId: return emit(s.owner().ToString());
    case SF::kProgress: return emit(s.state() == SnapshotState::kCompleted ? "100%" : "0%");
    case SF::kSnapshotId: return emit(s.id().ToString());
    case SF::kStartTime: return emit(FormatAwsTime(s.start_time()));
    case SF::kStatus: return emit(ToString(s.state()));
    case SF::kStorageTier: return emit("standard");
    case SF::kTag:
      if (auto v = tags.Find(f.tag_key)) emit(*v);
      return;
    case SF::kTagKey:
      for (const Tag& t : tags) emit(t.key());
      return;
    case SF::kVolumeId:
      if (s.volume_id().has_value()) emit(s.volume_id()->ToString());
      return;
    case SF::kVolumeSize: return emit(absl::StrCat(s.volume_size_gib()));
  }
}

enum Plan : int { kVisible = 0, kOwners, kRestorable, kTag, kTagKey, kIds };

class SnapshotQuery {
 public:
  SnapshotQuery(const CloudState& s, const CallContext& ctx, const DescribeSnapshotsRequest& r)
      : s_(s), ctx_(ctx), r_(r) {}
  absl::StatusOr<DescribeSnapshotsResult> Run();

 private:
  absl::Status Parse();
  std::vector<const SnapshotIndex::IdSet*> Sets(int plan) const;
  bool Passes(const Snapshot& snap, std::optional<Snapshot>* out) const;
  bool CanSee(const Snapshot& snap) const {
    return snap.owner() == ctx_.account || policy::SnapshotReadableBy(s_, snap, ctx_.account);
  }
  uint64_t RequestFingerprint() const;
  // The named snapshots, each of which must exist and be visible.
  absl::StatusOr<DescribeSnapshotsResult> ByIds() const;
  // Walks the filter of a tag or tag-key plan, if one fits: the first exact one.
  bool PickFilter(int plan);
  // Candidate plans, smallest first.
  void ChoosePlan();
  // A page token keeps the plan of the first page; `after` is the id the page starts after.
  absl::Status ResumePlan(uint64_t fingerprint, std::optional<SnapshotId>* after);

  const CloudState& s_;
  const CallContext& ctx_;
  const DescribeSnapshotsRequest& r_;
  // Owners and restorable-by users; nullopt stands for `amazon` and `all` respectively.
  std::vector<std::optional<AccountId>> owners_, users_;
  std::vector<SnapshotId> ids_;
  std::vector<SnapshotFilter> filters_;
  int plan_ = kVisible;
  const SnapshotFilter* plan_filter_ = nullptr;
  TagSet empty_;
};

absl::Status SnapshotQuery::Parse() {
  AMI_RETURN_IF_ERROR(
      internal::CheckDescribeBounds(r_.max_results, r_.snapshot_ids.size(), r_.filters));
  auto read = [&](const std::vector<std::string>& in, absl::string_view special,
                  std::vector<std::optional<AccountId>>* out) -> absl::Status {
    for (const std::string& v : in) {
      if (v == "self") {
        out->push_back(ctx_.account);
      } else if (v == special) {
        out->push_back(std::nullopt);
      } else if (auto a = AccountId::Parse(v); a.ok()) {
        out->push_back(*a);
      } else {
        return MakeError(choices::kMalformedAccountId,
                         absl::StrCat("invalid user id `", v.substr(0, 64), "`"));
      }
    }
    return absl::OkStatus();
  };
  AMI_RETURN_IF_ERROR(read(r_.owner_ids, "amazon", &owners_));
  AMI_RETURN_IF_ERROR(read(r_.restorable_by_user_ids, "all", &users_));
  for (const std::string& id : r_.snapshot_ids) {
    AMI_ASSIGN_OR_RETURN(const SnapshotId parsed, SnapshotId::Parse(id));
    ids_.push_back(parsed);
  }
  std::sort(ids_.begin(), ids_.end());
  ids_.erase(std::unique(ids_.begin(), ids_.end()), ids_.end());
  for (const Filter& f : r_.filters) {
    SnapshotFilter c;
    AMI_ASSIGN_OR_RETURN(std::tie(c.kind, c.tag_key),
                         internal::FilterKind(f, kSnapshotFilters, SF::kTag, " for DescribeSnapshots"));
    internal::CompilePatterns(f.values, &c.patterns, &c.all_exact);
    filters_.push_back(std::move(c));
  }
  return absl::OkStatus();
}

bool SnapshotQuery::Passes(const Snapshot& snap, std::optional<Snapshot>* out) const {
  s_.mu.AssertReaderHeld();  // The caller holds the state's lock.
  if (snap.region() != ctx_.region || !CanSee(snap)) return false;
  if (!owners_.empty()) {
    bool any = false;
    for (const auto& o : owners_) any = any || (o.has_value() && *o == snap.owner());
    if (!any) return false;
  }
  if (!users_.empty()) {
    const auto& accounts = snap.create_volume_permissions().accounts;
    bool any = false;
    for (const auto& u : users_) {
      any = any || (u.has_value() ? std::binary_search(accounts.begin(), accounts.end(), *u)
                                  : snap.is_public() && policy::SnapshotReadableBy(
                                                            s_, snap, AccountId::FromNumber(0)));
    }
    if (!any) return false;
  }
  const bool owner = snap.owner() == ctx_.account;
  const TagSet* tags = &snap.tags();
  if (!owner) {
    tags = s_.ForeignTags(snap.id().ToString(), ctx_.account);
    if (tags == nullptr) tags = &empty_;
  }
  for (const SnapshotFilter& f : filters_) {
    bool hit = false;
    Values(f, snap, *tags, [&](absl::string_view v) {
      for (const FilterPattern& p : f.patterns) hit = hit || p.Matches(v);
    });
    if (!hit) return false;
  }
  if (out != nullptr) {
    if (owner) {
      out->emplace(snap);
    } else {
      Snapshot::Builder b = snap.ToBuilder();
      b.set_tags(*tags).set_create_volume_permissions({{}, snap.is_public()});
      out->emplace(*b.Build());
    }
  }
  return true;
}

std::vector<const SnapshotIndex::IdSet*> SnapshotQuery::Sets(int plan) const {
  s_.mu.AssertReaderHeld();  // The caller holds the state's lock.
  const SnapshotIndex& x = s_.snapshot_index();
  const Region region = ctx_.region;
  std::vector<const SnapshotIndex::IdSet*> sets;
  switch (plan) {
    case kVisible:
      sets = {x.ByOwner(ctx_.account, region), x.ByGrantee(ctx_.account, region), x.Public(region)};
      break;
    case kOwners:
      for (const auto& o : owners_) {
        if (o.has_value()) sets.push_back(x.ByOwner(*o, region));
      }
      break;
    case kRestorable:
      for (const auto& u : users_) {
        sets.push_back(u.has_value() ? x.ByGrantee(*u, region) : x.Public(region));
      }
      break;
    case kTag:
    case kTagKey:
      for (const FilterPattern& p : plan_filter_->patterns) {
        sets.push_back(plan == kTag ? x.ByTag(ctx_.account, region, plan_filter_->tag_key,
                                              p.literal_prefix())
                                    : x.ByTagKey(ctx_.account, region, p.literal_prefix()));
      }
      break;
    default:
      break;
  }
  return sets;
}

uint64_t SnapshotQuery::RequestFingerprint() const {
  return internal::RequestFingerprint(
      {"snapshots", ctx_.account.ToString(), std::string(ctx_.region.code())},
      {&r_.owner_ids, &r_.restorable_by_user_ids}, r_.filters);
}

using internal::SizeOf;

absl::StatusOr<DescribeSnapshotsResult> SnapshotQuery::ByIds() const {
  s_.mu.AssertReaderHeld();  // The caller holds the state's lock.
  DescribeSnapshotsResult result;
  for (const SnapshotId id : ids_) {
    const Snapshot* snap = s_.FindSnapshot(id);
    if (snap == nullptr || snap->region() != ctx_.region || !CanSee(*snap)) {
      return MakeError(ErrorCode::kInvalidSnapshotNotFound,
                       absl::StrCat("the snapshot `", id.ToString(), "` does not exist in ",
                                    ctx_.region.code(), " for account `",
                                    ctx_.account.ToString(), "`"));
    }
    std::optional<Snapshot> view;
    if (Passes(*snap, &view)) result.snapshots.push_back(*std::move(view));
  }
  return result;
}

bool SnapshotQuery::PickFilter(int plan) {
  for (const SnapshotFilter& f : filters_) {
    if (f.all_exact && ((plan == kTag && f.kind == SF::kTag) ||
                        (plan == kTagKey && f.kind == SF::kTagKey))) {
      plan_filter_ = &f;
      return true;
    }
  }
  return false;
}

void SnapshotQuery::ChoosePlan() {
  size_t best = SizeOf(Sets(kVisible));
  for (int plan : {kOwners, kRestorable, kTag, kTagKey}) {
    if ((plan == kOwners && owners_.empty()) || (plan == kRestorable && users_.empty())) continue;
    const SnapshotFilter* saved = plan_filter_;
    if ((plan == kTag || plan == kTagKey) && !PickFilter(plan)) continue;
    const size_t size = SizeOf(Sets(plan));
    if (size < best) {
      best = size;
      plan_ = plan;
    } else {
      plan_filter_ = saved;
    }
  }
  if (plan_ != kTag && plan_ != kTagKey) plan_filter_ = nullptr;
  else PickFilter(plan_);
}

absl::Status SnapshotQuery::ResumePlan(uint64_t fingerprint, std::optional<SnapshotId>* after) {
  AMI_ASSIGN_OR_RETURN(const internal::PageToken token,
                       internal::DecodeToken(r_.next_token, fingerprint));
  absl::StatusOr<SnapshotId> id = SnapshotId::Parse(token.id);
  if (!id.ok() || token.plan < kVisible || token.plan > kTagKey ||
      ((token.plan == kTag || token.plan == kTagKey) && !PickFilter(token.plan))) {
    return MakeError(choices::kBadNextToken, "invalid NextToken: not a token");
  }
  plan_ = token.plan;
  *after = *id;
  return absl::OkStatus();
}

absl::StatusOr<DescribeSnapshotsResult> SnapshotQuery::Run() {
  s_.mu.AssertReaderHeld();  // The caller holds the state's lock.
  AMI_RETURN_IF_ERROR(Parse());
  // DryRun: a well-formed request answers DryRunOperation instead of its results.
  AMI_RETURN_IF_ERROR(internal::DryRunCheck(ctx_));
  if (!ids_.empty()) return ByIds();
  const uint64_t fingerprint = RequestFingerprint();
  std::optional<SnapshotId> after;
  if (!r_.next_token.empty()) {
    AMI_RETURN_IF_ERROR(ResumePlan(fingerprint, &after));
  } else {
    ChoosePlan();
  }
  DescribeSnapshotsResult result;
  const size_t limit = r_.max_results == 0 ? SIZE_MAX : static_cast<size_t>(r_.max_results);
  IdStream<SnapshotId> stream(Sets(plan_), after);
  SnapshotId id = SnapshotId::Short(0), last = SnapshotId::Short(0);
  bool more = false;
  while (stream.Next(&id)) {
    const Snapshot* snap = s_.FindSnapshot(id);
    if (snap == nullptr) continue;
    std::optional<Snapshot> view;
    if (!Passes(*snap, result.snapshots.size() < limit ? &view : nullptr)) continue;
    if (result.snapshots.size() == limit) {
      more = true;
      break;
    }
    last = id;
    result.snapshots.push_back(*std::move(view));
  }
  if (more) result.next_token = internal::EncodeToken({plan_, fingerprint, last.ToString(), ""});
  return result;
}

}  // namespace

absl::StatusOr<DescribeSnapshotsResult> Cloud::DescribeSnapshots(
    const CallContext& ctx, const DescribeSnapshotsRequest& request) const {
  internal::ReaderLock lock(state_->mu);
  AMI_RETURN_IF_ERROR(policy::IamAuthorizeWithoutResource(*state_, ctx, "ec2:DescribeSnapshots"));
  SnapshotQuery query(*state_, ctx, request);
  return query.Run();
}

}  // namespace ami
