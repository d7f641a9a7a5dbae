// ConfigFleetTable (ami/tools/config_fleet.h): instance columns compiled from a frozen copy of
// the cloud, and the Config instance rules as one pass writing a byte per instance. Every
// verdict is the policy engine's (lib/policy/governance.h): the tables only remember on what a
// verdict depends — the image, its owner tags, whether the instance's account owns or tagged
// it, whether its Allowed AMIs setting is on — so each is decided once.
#include "ami/tools/config_fleet.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/base/optimization.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "cloud/state.h"
#include "policy/governance.h"
#include "tools/config_rules_text.h"

namespace ami {

using internal::CloudState;

// Row meta bits: Region index (8), instance state (3), flags.
namespace {
constexpr uint16_t kOwnImage = 1u << 11;     // The account owns the instance's image.
constexpr uint16_t kTagger = 1u << 12;       // The account tagged another account's image.
constexpr uint16_t kAllowedOn = 1u << 13;    // Allowed AMIs enabled or in audit mode there.
uint8_t RegionOf(uint16_t meta) { return static_cast<uint8_t>(meta & 0xFF); }
InstanceState StateOf(uint16_t meta) { return static_cast<InstanceState>((meta >> 8) & 7); }
}  // namespace

struct ConfigFleetTable::Tables {
  std::unique_ptr<Cloud> frozen;
  const CloudState* state = nullptr;
  // Images the instances run, held or not.
  std::vector<ImageId> image_ids;
  std::vector<const Image*> images;  // nullptr when the copy does not hold it.
  std::vector<uint32_t> image_tags;  // Index into tag_sets: the owner's tags.
  std::vector<uint8_t> image_readable;  // Held and not deregistered: its tags can be read.
  std::vector<TagSet> tag_sets;  // Copies share the tags.
  // The tag sets holding each key, by value: which sets an approved-tag entry matches.
  absl::flat_hash_map<std::string, absl::flat_hash_map<std::string, std::vector<uint32_t>>>
      sets_by_tag;
  // Rows, by owner, Region and instance id.
  std::vector<InstanceId> ids;
  std::vector<AccountId> owners;
  std::vector<Region> regions;
  std::vector<uint32_t> image;
  std::vector<uint16_t> meta;
  absl::flat_hash_map<InstanceId, uint32_t> row_of;
  absl::flat_hash_map<ImageId, uint32_t> image_index;
  // The tags a row's account put on the (other account's) image it runs.
  absl::flat_hash_map<uint32_t, const TagSet*> tagger_tags;

  void Compile() ABSL_NO_THREAD_SAFETY_ANALYSIS;
  uint32_t ImageIndex(ImageId id, absl::flat_hash_map<TagSet, uint32_t>& sets)
      ABSL_NO_THREAD_SAFETY_ANALYSIS;
  ImageId ImageOf(uint32_t row) const { return image_ids[image[row]]; }
};

namespace {
const TagSet& NoTags() {
  static const TagSet* none = new TagSet();
  return *none;
}
}  // namespace

uint32_t ConfigFleetTable::Tables::ImageIndex(ImageId id,
                                              absl::flat_hash_map<TagSet, uint32_t>& sets) {
  auto [it, added] = image_index.try_emplace(id, static_cast<uint32_t>(image_ids.size()));
  if (!added) return it->second;
  const Image* held = state->FindImage(id);
  const TagSet& tags = held == nullptr ? NoTags() : held->tags();
  auto [set, new_set] = sets.try_emplace(tags, static_cast<uint32_t>(tag_sets.size()));
  if (new_set) {
    tag_sets.push_back(tags);
    for (const Tag& tag : tags) {
      sets_by_tag[tag.key()][tag.value()].push_back(set->second);
    }
  }
  image_ids.push_back(id);
  images.push_back(held);
  image_tags.push_back(set->second);
  image_readable.push_back(held != nullptr && held->state() != ImageState::kDeregistered);
  return it->second;
}

void ConfigFleetTable::Tables::Compile() {
  std::vector<const Instance*> all;
  all.reserve(state->instances().size());
  for (const auto& ptr : state->instances()) all.push_back(ptr.get());
  std::sort(all.begin(), all.end(), [](const Instance* a, const Instance* b) {
    return std::make_tuple(a->owner(), a->region().index(), a->id()) <
           std::make_tuple(b->owner(), b->region().index(), b->id());
  });
  absl::flat_hash_map<TagSet, uint32_t> sets;
  ids.reserve(all.size());
  owners.reserve(all.size());
  regions.reserve(all.size());
  image.reserve(all.size());
  meta.reserve(all.size());
  row_of.reserve(all.size());
  for (const Instance* i : all) {
    const uint32_t row = static_cast<uint32_t>(ids.size());
    const uint32_t img = ImageIndex(i->image_id(), sets);
    uint16_t m = static_cast<uint16_t>(i->region().index() |
                                       (static_cast<unsigned>(i->state()) << 8));
    if (images[img] != nullptr && images[img]->owner() == i->owner()) m |= kOwnImage;
    if (images[img] != nullptr && images[img]->owner() != i->owner()) {
      if (const TagSet* mine = state->ForeignTags(i->image_id().ToString(), i->owner())) {
        m |= kTagger;
        tagger_tags.emplace(row, mine);
      }
    }
    if (state->AllowedImages(i->owner(), i->region()) != nullptr) m |= kAllowedOn;
    ids.push_back(i->id());
    owners.push_back(i->owner());
    regions.push_back(i->region());
    image.push_back(img);
    meta.push_back(m);
    row_of.emplace(i->id(), row);
  }
}

absl::StatusOr<std::shared_ptr<const ConfigFleetTable>> ConfigFleetTable::Build(
    const Cloud& cloud) {
  auto t = std::make_unique<Tables>();
  t->frozen = cloud.Fork();
  t->state = &internal::CloudAccess::State(*t->frozen);
  if (t->state->instances().size() > kMaxRows) {
    return MakeError(ErrorCode::kResourceLimitExceeded,
                     absl::StrCat("the cloud holds ", t->state->instances().size(),
                                  " instances, more than a fleet table's ", kMaxRows));
  }
  t->Compile();
  return std::shared_ptr<const ConfigFleetTable>(new ConfigFleetTable(std::move(t)));
}

ConfigFleetTable::ConfigFleetTable(std::unique_ptr<Tables> t) : t_(std::move(t)) {}
ConfigFleetTable::~ConfigFleetTable() = default;
size_t ConfigFleetTable::instances() const { return t_->ids.size(); }
FleetEvaluation::~FleetEvaluation() = default;

namespace {

// The distinct (compliance, rule) pairs of one evaluation, found by a short linear search.
struct Kinds {
  std::vector<std::pair<ComplianceType, absl::string_view>> list;
  uint8_t Of(ComplianceType c, absl::string_view rule) {
    for (size_t k = 0; k < list.size(); ++k) {
      if (list[k].first == c && list[k].second == rule) return static_cast<uint8_t>(k);
    }
    list.emplace_back(c, rule);
    return static_cast<uint8_t>(list.size() - 1);
  }
  uint8_t Of(const Decision& d) {
    return Of(d.allowed() ? ComplianceType::kCompliant : ComplianceType::kNonCompliant,
              d.reasons().front().rule());
  }
};

}  // namespace

// One evaluation: each row's class (what its verdict depends on) and, the first time a class is
// met, the policy engine's decision for that row, which gives the class its kind.
class FleetPass {
 public:
  using Tables = ConfigFleetTable::Tables;
  FleetPass(const Tables& t, const ConfigRule& rule, const std::vector<Region>& regions)
      : t_(t), rule_(rule) {
    for (const Region r : regions) region_bits_[r.index() / 64] |= uint64_t{1} << (r.index() % 64);
    class_kind_.fill(kUnknown);
  }

  // Writes each row's kind (or kNone) into `out`, one byte per row; `kinds` and `counts`
  // receive the kinds met and how many results each compliance type has.
  void Run(uint8_t* out, Kinds* kinds, size_t counts[3]);

  // The engine's decision for a row (also what Annotation() renders).
  static Decision Decide(const Tables& t, const ConfigRule& rule, uint32_t row)
      ABSL_NO_THREAD_SAFETY_ANALYSIS;

 private:
  static constexpr uint8_t kUnknown = 0xFE;
  // Classes: by id 0 (approved) and 1; by tag 2 + a 3-bit code; the allowed-AMIs rule 10 + a
  // state out of its list, 18 for a setting that is off, 19 and up one per (image, account)
  // of the rows whose setting is on.
  enum : uint32_t { kByTag = 2, kOutOfList = 10, kSettingOff = 18, kPairs = 19 };

  bool InScope(uint16_t m) const {
    const uint8_t r = RegionOf(m);
    return ((region_bits_[r / 64] >> (r % 64)) & 1) != 0 &&
           policy::ConfigRecordsInstance(StateOf(m));
  }
  uint32_t ClassOf(uint32_t row, uint16_t m);
  void Prepare();
  // approved-amis-by-tag: 1 when the image's tags cannot be read, else 2 when its owner's
  // tags match, 0 when not.
  uint32_t ImageClass(uint32_t img) const {
    return t_.image_readable[img] ? set_matches_[t_.image_tags[img]] : 1;
  }
  // The pass: `class_of(row, meta)` gives a row's class.
  // `kHasPairs`: classes may be past kPairs (the allowed-AMIs rule).
  template <bool kHasPairs, typename ClassOfRow>
  void Loop(ClassOfRow class_of, uint8_t* out, Kinds* kinds);
  uint8_t KindOf(uint32_t cls, uint32_t row, Kinds* kinds);

  const Tables& t_;
  const ConfigRule& rule_;
  uint64_t region_bits_[4] = {0, 0, 0, 0};
  // InScope() by the meta's low 11 bits (Region and state).
  std::array<bool, 2048> in_scope_{};
  // approved-amis-by-id: one bit per image. approved-amis-by-tag: per tag set, 2 when an entry
  // matches it; per image, the classes of its instances (views_).
  std::vector<uint64_t> approved_;
  std::vector<uint8_t> set_matches_;
  std::vector<uint16_t> views_;
  std::vector<policy::ApprovedTagEntry> entries_;
  uint32_t states_ = 0;
  absl::flat_hash_map<std::pair<uint32_t, AccountId>, uint32_t> pairs_;
  std::array<uint8_t, kPairs> class_kind_;
  // Per kind, 1 in its compliance type's lane.
  std::array<uint64_t, 256> lane_{};
  size_t counts_[3] = {0, 0, 0};
  std::vector<uint8_t> pair_kind_;
};

void FleetPass::Prepare() {
  const size_t n = t_.image_ids.size();
  switch (rule_.kind()) {
    case ConfigRuleKind::kApprovedAmisById: {
      approved_.assign((n + 63) / 64, 0);
      for (const ImageId id : rule_.ami_ids()) {
        auto it = t_.image_index.find(id);
        if (it != t_.image_index.end()) approved_[it->second / 64] |= uint64_t{1} << (it->second % 64);
      }
      break;
    }
    case ConfigRuleKind::kApprovedAmisByTag: {
      entries_ = config_text::TagEntries(rule_);
      // The sets some entry matches (MatchApprovedTags >= 0), found from the entries' keys.
      set_matches_.assign(t_.tag_sets.size(), 0);
      for (const policy::ApprovedTagEntry& entry : entries_) {
        auto key = t_.sets_by_tag.find(entry.key);
        if (key == t_.sets_by_tag.end()) continue;
        if (entry.value.has_value()) {
          auto value = key->second.find(*entry.value);
          if (value == key->second.end()) continue;
          for (const uint32_t k : value->second) set_matches_[k] = 2;
          continue;
        }
        for (const auto& [value, sets] : key->second) {
          for (const uint32_t k : sets) set_matches_[k] = 2;
        }
      }
      // Per image, the class of its owner's instances (low byte) and of another account's
      // that did not tag it (high byte).
      views_.resize(n);
      for (size_t i = 0; i < n; ++i) {
        const uint32_t c = ImageClass(static_cast<uint32_t>(i));
        const uint32_t other = c == 1 ? kByTag + 1 : kByTag + 4 + (c >> 1);
        views_[i] = static_cast<uint16_t>((kByTag + c) | (other << 8));
      }
      break;
    }
    default:
      states_ = config_text::StateBits(rule_);
  }
}

uint32_t FleetPass::ClassOf(uint32_t row, uint16_t m) {
  const uint32_t img = t_.image[row];
  switch (rule_.kind()) {
    case ConfigRuleKind::kApprovedAmisById:
      return ((approved_[img / 64] >> (img % 64)) & 1) != 0 ? 0 : 1;
    case ConfigRuleKind::kApprovedAmisByTag: {
      const uint32_t c = ImageClass(img);
      if (c == 1 || (m & kOwnImage) != 0) return kByTag + c;  // Unreadable, or the owner's view.
      if ((m & kTagger) == 0) return kByTag + 4 + (c >> 1);   // Another account, no tags of its own.
      const bool match = policy::MatchApprovedTags(*t_.tagger_tags.at(row), entries_) >= 0;
      return kByTag + 6 + (match ? 1 : 0);
    }
    default: {
      const InstanceState st = StateOf(m);
      if (((states_ >> static_cast<unsigned>(st)) & 1) == 0) {
        return kOutOfList + static_cast<uint32_t>(st);
      }
      if ((m & kAllowedOn) == 0) return kSettingOff;
      auto [it, added] = pairs_.try_emplace(std::make_pair(img, t_.owners[row]),
                                            kPairs + static_cast<uint32_t>(pairs_.size()));
      return it->second;
    }
  }
}

uint8_t FleetPass::KindOf(uint32_t cls, uint32_t row, Kinds* kinds) {
  uint8_t* slot;
  if (cls < kPairs) {
    slot = &class_kind_[cls];
  } else {
    if (pair_kind_.size() <= cls - kPairs) pair_kind_.resize(cls - kPairs + 1, kUnknown);
    slot = &pair_kind_[cls - kPairs];
  }
  if (*slot == kUnknown) {
    if (cls >= kOutOfList && cls < kSettingOff) {
      *slot = kinds->Of(ComplianceType::kNotApplicable, "GOV-5");
    } else {
      *slot = kinds->Of(Decide(t_, rule_, row));
    }
    lane_[*slot] = uint64_t{1} << (21 * static_cast<unsigned>(kinds->list[*slot].first));
  }
  return *slot;
}

template <bool kHasPairs, typename ClassOfRow>
void FleetPass::Loop(ClassOfRow class_of, uint8_t* out, Kinds* kinds) {
  const size_t n = t_.ids.size();
  const uint16_t* meta = t_.meta.data();
  // Results per compliance type, counted in three 21-bit lanes of one register and added up
  // every 2^20 rows, so that counting adds no memory traffic.
  constexpr size_t kChunk = size_t{1} << 20;
  for (size_t start = 0; start < n; start += kChunk) {
    const uint32_t end = static_cast<uint32_t>(std::min(n, start + kChunk));
    uint64_t lanes = 0;
    for (uint32_t row = static_cast<uint32_t>(start); row < end; ++row) {
      const uint16_t m = meta[row];
      if (!in_scope_[m & 0x7FF]) {
        out[row] = FleetEvaluation::kNone;
        continue;
      }
      const uint32_t cls = class_of(row, m);
      uint8_t kind = !kHasPairs || cls < kPairs ? class_kind_[cls] : kUnknown;
      if (ABSL_PREDICT_FALSE(kind == kUnknown)) kind = KindOf(cls, row, kinds);
      out[row] = kind;
      lanes += lane_[kind];
    }
    for (size_t c = 0; c < 3; ++c) counts_[c] += (lanes >> (21 * c)) & ((uint64_t{1} << 21) - 1);
  }
}

void FleetPass::Run(uint8_t* out, Kinds* kinds, size_t counts[3]) {
  Prepare();
  for (uint32_t m = 0; m < in_scope_.size(); ++m) in_scope_[m] = InScope(static_cast<uint16_t>(m));
  const uint32_t* image = t_.image.data();
  switch (rule_.kind()) {
    case ConfigRuleKind::kApprovedAmisById: {
      const uint64_t* approved = approved_.data();
      Loop<false>([&](uint32_t row, uint16_t) -> uint32_t {
        const uint32_t img = image[row];
        return static_cast<uint32_t>(((approved[img / 64] >> (img % 64)) & 1) ^ 1);
      }, out, kinds);
      break;
    }
    case ConfigRuleKind::kApprovedAmisByTag: {
      // Owners and other accounts alternate unpredictably: the view is chosen without a branch.
      const uint16_t* view = views_.data();
      Loop<false>([&](uint32_t row, uint16_t m) -> uint32_t {
        if (ABSL_PREDICT_FALSE((m & kTagger) != 0)) return ClassOf(row, m);
        const unsigned shift = (m & kOwnImage) != 0 ? 0 : 8;
        return (view[image[row]] >> shift) & 0xFF;
      }, out, kinds);
      break;
    }
    default:
      Loop<true>([&](uint32_t row, uint16_t m) { return ClassOf(row, m); }, out, kinds);
  }
  for (size_t c = 0; c < 3; ++c) counts[c] += counts_[c];
}

Decision FleetPass::Decide(const Tables& t, const ConfigRule& rule, uint32_t row) {
  const ImageId image = t.ImageOf(row);
  const AccountId account = t.owners[row];
  switch (rule.kind()) {
    case ConfigRuleKind::kApprovedAmisById:
      return policy::EvaluateApprovedAmiById(image, config_text::ApprovedIds(rule),
                                             config_text::ApprovedIdsText(rule));
    case ConfigRuleKind::kApprovedAmisByTag:
      return policy::EvaluateApprovedAmiByTag(*t.state, image, account,
                                              config_text::TagEntries(rule),
                                              config_text::TagEntriesText(rule));
    default: {
      const Region region = t.regions[row];
      return policy::EvaluateImageMeetsAllowedAmis(*t.state, t.images[t.image[row]], image,
                                                   account, region);
    }
  }
}

absl::StatusOr<FleetEvaluation> ConfigFleetTable::Evaluate(
    const ConfigRule& rule, const std::vector<Region>& regions) const {
  if (rule.kind() != ConfigRuleKind::kApprovedAmisById &&
      rule.kind() != ConfigRuleKind::kApprovedAmisByTag &&
      rule.kind() != ConfigRuleKind::kInstanceLaunchedWithAllowedAmi) {
    return MakeError(ErrorCode::kInvalidParameterValue,
                     absl::StrCat("`", ManagedRuleName(rule.kind()),
                                  "` does not evaluate instances: a fleet table evaluates "
                                  "approved-amis-by-id, approved-amis-by-tag and "
                                  "ec2-instance-launched-with-allowed-ami"));
  }
  FleetEvaluation e;
  e.table_ = shared_from_this();
  e.rule_ = std::make_unique<const ConfigRule>(rule);
  Kinds kinds;
  {
    internal::ReaderLock lock(t_->state->mu);
    FleetPass pass(*t_, *e.rule_, regions);
    e.rows_ = t_->ids.size();
    e.codes_.reset(new uint8_t[e.rows_]);
    pass.Run(e.codes_.get(), &kinds, e.counts_);
  }
  for (const auto& [c, r] : kinds.list) e.kinds_.push_back({c, r});
  e.size_ = e.counts_[0] + e.counts_[1] + e.counts_[2];
  return e;
}

FleetResult FleetEvaluation::At(uint32_t row) const {
  const ConfigFleetTable::Tables& t = *table_->t_;
  const Kind& k = kinds_[codes_[row]];
  return {t.ids[row], t.owners[row], t.regions[row], k.compliance,
          k.rule, row};
}

void FleetEvaluation::ForEach(absl::FunctionRef<void(const FleetResult&)> fn) const {
  for (uint32_t row = 0; row < rows_; ++row) {
    if (codes_[row] != kNone) fn(At(row));
  }
}

std::optional<FleetResult> FleetEvaluation::Find(InstanceId instance) const {
  const auto& rows = table_->t_->row_of;
  auto it = rows.find(instance);
  if (it == rows.end() || codes_[it->second] == kNone) return std::nullopt;
  return At(it->second);
}

std::string FleetEvaluation::Annotation(const FleetResult& result) const {
  const ConfigFleetTable::Tables& t = *table_->t_;
  if (result.compliance == ComplianceType::kNotApplicable) {
    return config_text::OutOfScopeText(*rule_, StateOf(t.meta[result.row]));
  }
  internal::ReaderLock lock(t.state->mu);
  return FleetPass::Decide(t, *rule_, result.row).reasons().front().Message();
}

}  // namespace ami
