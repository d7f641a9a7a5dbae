// The automation in state files: a Data Lifecycle Manager policy with every field, the AMIs it
// manages, firings and history round trip; records split by size load back whole; files written
// without automation load with none; hostile automation records are refused with a code.
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "ami/ami.h"
#include "ami/io/state_file.h"
#include "ami/v1/state.pb.h"
#include "cloud/state.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/automation_proto.h"
#include "io/automation_state_proto.h"
#include "io/state_checksum.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::ami::testing::MessageHas;
using internal::AutomationState;
using internal::DlmPolicyState;
using internal::Service;
using internal::Trigger;

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // the clock of Cloud::Create()

ImageId Ami(int n) { return *ImageId::Parse(absl::StrCat("ami-0123456789abcde", n < 10 ? "0" : "", n)); }
InstanceId Inst(int n) { return *InstanceId::Parse(absl::StrCat("i-0123456789abcde", n < 10 ? "0" : "", n)); }

// A policy with every field of the definition set to something other than its default.
LifecyclePolicy FullPolicy() {
  LifecyclePolicy p;
  p.policy_id = "policy-0123456789abcdef0";
  p.account = *AccountId::Parse("111122223333");
  p.region = *Region::Parse("us-east-1");
  LifecyclePolicyRequest& d = p.details;
  d.description = "nightly amis";
  d.execution_role_arn = "arn:aws:iam::111122223333:role/AWSDataLifecycleManagerDefaultRoleForAMIManagement";
  d.state = "DISABLED";
  d.target_tags = {{"backup", "nightly"}, {"team", "web"}};
  DlmSchedule s;
  s.name = "daily";
  s.copy_tags = true;
  s.tags_to_add = {{"made-by", "dlm"}};
  s.create_rule = {"", 24, "HOURS", {"03:00"}};
  s.retain_rule = {7, 0, ""};
  s.deprecate_rule = {0, 2, "WEEKS"};
  DlmCrossRegionCopyRule c;
  c.target_region = "eu-west-1";
  c.encrypted = true;
  c.cmk_arn = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  c.copy_tags = true;
  c.retain_rule = {0, 1, "MONTHS"};
  c.deprecate_rule = {0, 3, "DAYS"};
  s.cross_region_copy_rules = {c};
  DlmSchedule weekly;
  weekly.name = "weekly";
  weekly.create_rule.cron_expression = "cron(0 5 ? * SUN *)";
  weekly.retain_rule = {0, 1, "YEARS"};
  d.schedules = {s, weekly};
  d.no_reboot = false;
  d.tags = {{"owner", "ops"}};
  d.create_interval_days = 3;
  d.retain_interval_days = 9;
  d.copy_tags = true;
  d.extend_deletion = true;
  d.cross_region_copy_targets = {"eu-west-1", "us-west-2"};
  p.state = "ERROR";
  p.status_message = "key not usable in `eu-west-1`";
  p.date_created = kT0 - absl::Hours(50);
  p.date_modified = kT0 - absl::Milliseconds(1500);
  return p;
}

DlmPolicyState FullPolicyState(uint64_t order) {
  DlmPolicyState ps;
  ps.policy = FullPolicy();
  ps.order = order;
  ps.made.resize(2);
  ps.copies.resize(2);
  ps.copies[0].resize(1);
  ps.made[0][Inst(1)] = {{Ami(1), kT0 - absl::Hours(48)}, {Ami(2), kT0 - absl::Hours(24)}};
  ps.made[0][Inst(2)] = {};
  ps.made[1][Inst(1)] = {{Ami(3), kT0 - absl::Hours(30)}};
  ps.copies[0][0][Inst(1)] = {{Ami(4), kT0 - absl::Hours(47)}};
  return ps;
}

// An automation with a policy, firings and the history of two accounts and Regions.
AutomationState FullAutomation() {
  AutomationState a;
  const uint64_t order = a.NextOrder();
  a.NextOrder();
  a.dlm.policies.emplace(FullPolicy().policy_id, FullPolicyState(order));
  a.dlm.next_number = 2;
  a.Enqueue({kT0 + absl::Hours(3), order, 0, Service::kDlm, FullPolicy().policy_id, 0});
  a.Enqueue({kT0 + absl::Hours(5), order, 1, Service::kDlm, FullPolicy().policy_id, 1});
  const AccountId acct = *AccountId::Parse("111122223333");
  a.Record(acct, *Region::Parse("us-east-1"),
           {kT0 - absl::Hours(24), "dlm:policy-0123456789abcdef0/daily", "CreateImage",
            Inst(1).ToString(), Ami(2).ToString(), "OK", ""});
  a.Record(acct, *Region::Parse("eu-west-1"),
           {kT0 - absl::Hours(23), "dlm:policy-0123456789abcdef0/daily", "CopyImage",
            Ami(2).ToString(), "", "InvalidParameterValue", "key not usable"});
  return a;
}

// A cloud of one account whose automation is `a`.
std::unique_ptr<Cloud> CloudWith(AutomationState a) {
  auto cloud = Cloud::Create();
  EXPECT_THAT(cloud->AddAccount(*AccountId::Parse("111122223333")), IsOk());
  internal::CloudState& s = internal::CloudAccess::State(*cloud);
  internal::WriterLock lock(s.mu);
  s.mutable_automation() = std::move(a);
  return cloud;
}

std::string Save(const Cloud& cloud) {
  std::ostringstream out;
  EXPECT_THAT(SaveState(cloud, out), IsOk());
  return out.str();
}

absl::StatusOr<std::unique_ptr<Cloud>> Load(const std::string& bytes) {
  std::istringstream in(bytes);
  return LoadState(in);
}

AutomationState AutomationOf(const Cloud& cloud) {
  internal::CloudState& s = internal::CloudAccess::State(cloud);
  internal::ReaderLock lock(s.mu);
  return s.automation();
}

std::vector<v1::StateRecord> Records(const std::string& bytes) {
  std::vector<v1::StateRecord> out;
  size_t pos = 0;
  while (pos < bytes.size()) {
    uint64_t size = 0;
    for (int shift = 0;; shift += 7) {
      const unsigned char c = static_cast<unsigned char>(bytes[pos++]);
      size |= static_cast<uint64_t>(c & 0x7F) << shift;
      if ((c & 0x80) == 0) break;
    }
    out.emplace_back();
    EXPECT_TRUE(out.back().ParseFromString(bytes.substr(pos, size)));
    pos += size;
  }
  return out;
}

// The records with a new trailer (count and checksum right).
std::string Write(const std::vector<v1::StateRecord>& records) {
  std::string out;
  internal::StateChecksum checksum(kStateFileVersion);
  uint64_t count = 0;
  auto append = [&](const v1::StateRecord& r) {
    const std::string body = r.SerializeAsString();
    std::string size;
    for (uint64_t v = body.size();; v >>= 7) {
      size.push_back(static_cast<char>((v & 0x7F) | (v >= 0x80 ? 0x80 : 0)));
      if (v < 0x80) break;
    }
    checksum.Add(size.data(), size.size(), body.data(), body.size());
    ++count;
    out += size + body;
  };
  for (const v1::StateRecord& r : records) {
    if (!r.has_trailer()) append(r);
  }
  v1::StateRecord trailer;
  trailer.mutable_trailer()->set_records(count);
  trailer.mutable_trailer()->set_checksum(checksum.value());
  const std::string body = trailer.SerializeAsString();
  return out + static_cast<char>(body.size()) + body;
}

int CountAutomationRecords(const std::string& bytes) {
  int n = 0;
  for (const v1::StateRecord& r : Records(bytes)) n += r.has_automation() ? 1 : 0;
  return n;
}

// ---- Round trips ----

TEST(AutomationStateFile, RoundTripKeepsPolicyFiringsAndHistory) {
  const std::unique_ptr<Cloud> cloud = CloudWith(FullAutomation());
  const std::string bytes = Save(*cloud);
  EXPECT_EQ(CountAutomationRecords(bytes), 1);
  const absl::StatusOr<std::unique_ptr<Cloud>> loaded = Load(bytes);
  ASSERT_THAT(loaded, IsOk());
  EXPECT_TRUE((*loaded)->StateEquals(*cloud));
  EXPECT_TRUE(AutomationOf(**loaded) == FullAutomation());
  EXPECT_EQ(Save(**loaded), bytes);
}

// StateEquals sees the automation: a cloud whose policy differs in one field is not equal.
TEST(AutomationStateFile, StateEqualsComparesTheAutomation) {
  AutomationState changed = FullAutomation();
  changed.dlm.policies.begin()->second.policy.details.copy_tags = false;
  EXPECT_FALSE(CloudWith(changed)->StateEquals(*CloudWith(FullAutomation())));
}

TEST(AutomationStateFile, EveryPolicyFieldRoundTripsThroughItsRecord) {
  internal::DlmState dlm;
  dlm.policies.emplace(FullPolicy().policy_id, FullPolicyState(1));
  dlm.next_number = 7;
  v1::DlmStateRecord r;
  internal::DlmToProto(dlm, &r);
  internal::DlmState back;
  ASSERT_THAT(internal::DlmFromProto(r, &back), IsOk());
  EXPECT_TRUE(back == dlm);
  // Unset NoReboot stays unset.
  dlm.policies.begin()->second.policy.details.no_reboot.reset();
  r.Clear();
  internal::DlmToProto(dlm, &r);
  internal::DlmState unset;
  ASSERT_THAT(internal::DlmFromProto(r, &unset), IsOk());
  EXPECT_FALSE(unset.policies.begin()->second.policy.details.no_reboot.has_value());
}

// A long history and a long series are written in parts that load back whole.
TEST(AutomationStateFile, LargeAutomationIsSplitIntoRecordsThatLoadWhole) {
  AutomationState a = FullAutomation();
  const AccountId acct = *AccountId::Parse("111122223333");
  for (int i = 0; i < 2500; ++i) {
    a.Record(acct, *Region::Parse("us-east-1"),
             {kT0 - absl::Seconds(i), "events:nightly", "CreateImage", Inst(1).ToString(), "",
              "OK", std::string(100, 'x')});
  }
  internal::DlmSeries& series = a.dlm.policies.begin()->second.made[1][Inst(3)];
  for (int i = 0; i < internal::kMaxDlmSeriesPart + 5; ++i) series.push_back({Ami(9), kT0});
  std::vector<v1::AutomationStateRecord> parts;
  internal::AutomationToRecords(a, [&](v1::AutomationStateRecord& r) { parts.push_back(r); },
                                64 << 10);
  EXPECT_GT(parts.size(), 4u);
  // Each record stops at the first item past the aim; the largest item is a series part of
  // kMaxDlmSeriesPart images (about 50 bytes each).
  for (const auto& p : parts) EXPECT_LE(p.ByteSizeLong(), (64u << 10) + 60 * internal::kMaxDlmSeriesPart);
  AutomationState back;
  internal::AutomationLoader loader(&back, kT0);
  for (const auto& p : parts) ASSERT_THAT(loader.Add(p), IsOk());
  ASSERT_THAT(loader.Finish(), IsOk());
  EXPECT_TRUE(back == a);
  // Through a state file, with the default part size.
  const std::unique_ptr<Cloud> cloud = CloudWith(a);
  const absl::StatusOr<std::unique_ptr<Cloud>> loaded = Load(Save(*cloud));
  ASSERT_THAT(loaded, IsOk());
  EXPECT_TRUE((*loaded)->StateEquals(*cloud));
}

// A cloud without automation writes no automation record: its file is as before.
TEST(AutomationStateFile, NoAutomationWritesNoRecord) {
  const std::unique_ptr<Cloud> cloud = CloudWith(AutomationState());
  EXPECT_EQ(CountAutomationRecords(Save(*cloud)), 0);
}

// A file written before automation existed loads with none.
TEST(AutomationStateFile, OldFileLoadsWithEmptyAutomation) {
  std::ifstream in(std::string(AMI_SOURCE_DIR) + "/tests/fixtures/state/v1-shared.amistate",
                   std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  const absl::StatusOr<std::unique_ptr<Cloud>> loaded = Load(bytes.str());
  ASSERT_THAT(loaded, IsOk());
  EXPECT_TRUE(AutomationOf(**loaded) == AutomationState());
}

// ---- Hostile records, through the state file ----

// The saved file of FullAutomation() with its automation record changed by `edit`.
std::string Edited(const std::function<void(v1::AutomationStateRecord&)>& edit) {
  std::vector<v1::StateRecord> records = Records(Save(*CloudWith(FullAutomation())));
  for (v1::StateRecord& r : records) {
    if (r.has_automation()) edit(*r.mutable_automation());
  }
  return Write(records);
}

v1::DlmPolicyRecord& Policy(v1::AutomationStateRecord& r) { return *r.mutable_dlm()->mutable_policies(0); }

TEST(AutomationStateFile, UneditedRecordsLoad) {
  EXPECT_THAT(Load(Edited([](v1::AutomationStateRecord&) {})), IsOk());
}

TEST(AutomationStateFile, FiringOfAMissingDefinitionIsRefused) {
  EXPECT_THAT(Load(Edited([](auto& r) { r.mutable_queue(0)->set_id("policy-00000000000000999"); })),
              HasErrorCode(ErrorCode::kInvalidParameterCombination));
  EXPECT_THAT(Load(Edited([](auto& r) { r.mutable_queue(0)->set_service("backup"); })),
              MessageHas("backup definition `policy-0123456789abcdef0`"));
  EXPECT_THAT(Load(Edited([](auto& r) { r.mutable_queue(0)->set_order(2); })),
              HasErrorCode(ErrorCode::kInvalidParameterCombination));
  EXPECT_THAT(Load(Edited([](auto& r) { r.mutable_queue(0)->set_service("ec2"); })),
              MessageHas("unknown automation service `ec2`"));
}

TEST(AutomationStateFile, FiringBeforeTheClockOrRepeatedIsRefused) {
  EXPECT_THAT(Load(Edited([](auto& r) { r.mutable_queue(0)->set_at("2025-12-31T00:00:00Z"); })),
              MessageHas("before the clock"));
  EXPECT_THAT(Load(Edited([](auto& r) { *r.add_queue() = r.queue(0); })), MessageHas("repeated"));
  EXPECT_THAT(Load(Edited([](auto& r) { r.mutable_queue(0)->set_at("tomorrow"); })),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(Load(Edited([](auto& r) { r.mutable_queue(0)->set_index(-1); })),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(AutomationStateFile, BadPolicyIdsAccountsRegionsAndTimesAreRefused) {
  for (const char* id : {"", "policy-", "pol-123", "policy-12/4"}) {
    EXPECT_THAT(Load(Edited([id](auto& r) { Policy(r).set_policy_id(id); })),
                MessageHas("is not a policy id")) << id;
  }
  EXPECT_THAT(Load(Edited([](auto& r) { Policy(r).set_account_id("12"); })),
              HasErrorCode(ErrorCode::kInvalidUserIDMalformed));
  EXPECT_THAT(Load(Edited([](auto& r) { Policy(r).set_region("mars-1"); })),
              MessageHas("record"));
  EXPECT_THAT(Load(Edited([](auto& r) {
                Policy(r).mutable_details()->mutable_schedules(0)->mutable_cross_region_copy_rules(0)->set_target_region("xx");
              })),
              MessageHas("is not a known region"));
  EXPECT_THAT(Load(Edited([](auto& r) { Policy(r).set_date_created("soon"); })),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(Load(Edited([](auto& r) { Policy(r).set_order(0); })), MessageHas("has no order"));
  EXPECT_THAT(Load(Edited([](auto& r) { Policy(r).set_order(99); })),
              MessageHas("not before next_order"));
}

TEST(AutomationStateFile, UnknownWordsAreRefused) {
  EXPECT_THAT(Load(Edited([](auto& r) { Policy(r).set_state("PAUSED"); })),
              MessageHas("`PAUSED` is not a known value"));
  EXPECT_THAT(Load(Edited([](auto& r) { Policy(r).mutable_details()->set_policy_type("EBS_SNAPSHOT_MANAGEMENT"); })),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(Load(Edited([](auto& r) {
                Policy(r).mutable_details()->mutable_schedules(0)->mutable_retain_rule()->set_interval_unit("FORTNIGHTS");
              })),
              MessageHas("`FORTNIGHTS`"));
  EXPECT_THAT(Load(Edited([](auto& r) { Policy(r).mutable_details()->set_default_policy("VOLUME"); })),
              MessageHas("`VOLUME`"));
  EXPECT_THAT(Load(Edited([](auto& r) { Policy(r).mutable_details()->set_no_reboot(true);
                                        Policy(r).mutable_details()->set_has_no_reboot(false); })),
              MessageHas("no_reboot"));
}

TEST(AutomationStateFile, SizesPastTheirBoundsAreRefused) {
  const std::string long_text(internal::kMaxAutomationTextBytes + 1, 'd');
  EXPECT_THAT(Load(Edited([&](auto& r) { Policy(r).mutable_details()->set_description(long_text); })),
              MessageHas("more than the limit of 4096"));
  EXPECT_THAT(Load(Edited([&](auto& r) {
                r.mutable_dlm()->mutable_policies(0)->mutable_details()->set_description(
                    std::string(internal::kMaxAutomationTextBytes, 'd'));
              })),
              IsOk());
  EXPECT_THAT(Load(Edited([](auto& r) {
                auto* d = Policy(r).mutable_details();
                while (d->schedules_size() <= internal::kMaxDlmSchedules) *d->add_schedules() = d->schedules(1);
              })),
              MessageHas("more than the limit of 4"));
  EXPECT_THAT(Load(Edited([](auto& r) {
                auto* t = Policy(r).mutable_details()->mutable_target_tags();
                while (t->size() <= internal::kMaxDlmTags) *t->Add() = t->Get(0);
              })),
              MessageHas("more than the limit of 50"));
  EXPECT_THAT(Load(Edited([](auto& r) {
                r.mutable_history(0)->mutable_entries(0)->set_message(std::string(5000, 'm'));
              })),
              MessageHas("a record's message"));
  EXPECT_THAT(Load(Edited([](auto& r) {
                r.mutable_queue(0)->set_id(std::string(internal::kMaxAutomationNameBytes + 1, 'p'));
              })),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(AutomationStateFile, HistoryPastItsBoundIsRefused) {
  EXPECT_THAT(Load(Edited([](auto& r) {
                auto* h = r.mutable_history(0);
                while (h->entries_size() <= internal::kMaxHistoryPart) *h->add_entries() = h->entries(0);
              })),
              MessageHas("in one part"));
  EXPECT_THAT(Load(Edited([](auto& r) {
                v1::AutomationHistoryRecord part = r.history(0);
                while (part.entries_size() < internal::kMaxHistoryPart) *part.add_entries() = part.entries(0);
                for (int i = 0; i <= Automation::kMaxHistory / internal::kMaxHistoryPart; ++i) *r.add_history() = part;
              })),
              MessageHas("holds more than 10000 records"));
  EXPECT_THAT(Load(Edited([](auto& r) { r.mutable_history(0)->set_account_id("x"); })),
              HasErrorCode(ErrorCode::kInvalidUserIDMalformed));
}

TEST(AutomationStateFile, SeriesMustNameAPolicyAndItsSchedule) {
  EXPECT_THAT(Load(Edited([](auto& r) { r.mutable_dlm()->mutable_series(0)->set_policy_id("policy-9"); })),
              MessageHas("which no record before it holds"));
  EXPECT_THAT(Load(Edited([](auto& r) { r.mutable_dlm()->mutable_series(0)->set_schedule(2); })),
              MessageHas("which the policy does not have"));
  EXPECT_THAT(Load(Edited([](auto& r) { r.mutable_dlm()->mutable_series(0)->set_copy_rule(2); })),
              MessageHas("which the policy does not have"));
  EXPECT_THAT(Load(Edited([](auto& r) { r.mutable_dlm()->mutable_series(0)->add_created("2026-01-01T00:00:00Z"); })),
              MessageHas("times"));
  EXPECT_THAT(Load(Edited([](auto& r) { r.mutable_dlm()->mutable_series(0)->set_image_ids(0, "ami-x"); })),
              HasErrorCode(ErrorCode::kInvalidAMIIDMalformed));
  EXPECT_THAT(Load(Edited([](auto& r) { r.mutable_dlm()->mutable_series(0)->set_instance_id("vm-1"); })),
              HasErrorCode(ErrorCode::kInvalidInstanceIDMalformed));
  EXPECT_THAT(Load(Edited([](auto& r) { *r.mutable_dlm()->add_policies() = r.dlm().policies(0); })),
              MessageHas("duplicate policy"));
}

TEST(AutomationStateFile, OnlyTheFirstRecordCarriesTheCounters) {
  EXPECT_THAT(Load(Edited([](auto& r) { r.set_next_order(0); })), MessageHas("no next_order"));
  EXPECT_THAT(Load(Edited([](auto& r) { r.mutable_dlm()->set_next_number(0); })),
              MessageHas("no dlm next_number"));
  std::vector<v1::StateRecord> records = Records(Save(*CloudWith(FullAutomation())));
  v1::StateRecord again;
  again.mutable_automation()->set_next_order(5);
  records.insert(records.end() - 1, again);
  EXPECT_THAT(Load(Write(records)), MessageHas("only the first automation record"));
}

// Automation records come after the pending work, like every kind in its place.
TEST(AutomationStateFile, AutomationRecordOutOfOrderIsRefused) {
  std::vector<v1::StateRecord> records = Records(Save(*CloudWith(FullAutomation())));
  v1::StateRecord pending;
  pending.mutable_pending()->set_at("2026-01-02T00:00:00Z");
  pending.mutable_pending()->set_kind("image");
  pending.mutable_pending()->set_id(Ami(1).ToString());
  records.insert(records.end() - 1, pending);
  EXPECT_THAT(Load(Write(records)), MessageHas("out of order"));
}

}  // namespace
}  // namespace ami
