// The automation's state-file records (lib/io/automation_state_proto.h): a cloud's automation
// split into records of a bounded size, and the loader that adds them together and checks them.
#include "io/automation_state_proto.h"

#include <deque>
#include <limits>
#include <tuple>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "io/automation_proto.h"
#include "values/choices.h"
#include "values/status_macros.h"
#include "values/text_util.h"

namespace ami::internal {
namespace {

absl::Status Bad(absl::string_view message) { return MakeError(choices::kInvalidValue, message); }
absl::Status Inconsistent(absl::string_view message) {
  return MakeError(choices::kInconsistentValues, message);
}

const char* ServiceName(Service s) {
  switch (s) {
    case Service::kDlm: return "dlm";
    case Service::kBackup: return "backup";
    case Service::kEvents: return "events";
  }
  return "dlm";
}

absl::StatusOr<Service> ServiceFrom(const std::string& name) {
  for (Service s : {Service::kDlm, Service::kBackup, Service::kEvents}) {
    if (name == ServiceName(s)) return s;
  }
  return Bad(absl::StrCat("unknown automation service `", text_util::Clip(name), "`"));
}

// Fills records and hands each on once it reaches the size aimed at.
class Parts {
 public:
  Parts(const std::function<void(v1::AutomationStateRecord&)>& emit, size_t part_bytes)
      : emit_(emit), part_bytes_(part_bytes) {}
  v1::AutomationStateRecord& record() { return r_; }
  void Added(size_t bytes) {
    bytes_ += bytes;
    if (bytes_ >= part_bytes_) Flush();
  }
  void Flush() {
    if (bytes_ == 0) return;
    emit_(r_);
    r_.Clear();
    bytes_ = 0;
  }

 private:
  const std::function<void(v1::AutomationStateRecord&)>& emit_;
  const size_t part_bytes_;
  v1::AutomationStateRecord r_;
  size_t bytes_ = 0;
};

void WriteDlm(const DlmState& dlm, Parts& parts) {
  for (const auto& [id, policy] : dlm.policies) {
    v1::DlmPolicyRecord* p = parts.record().mutable_dlm()->add_policies();
    DlmPolicyToProto(id, policy, p);
    parts.Added(p->ByteSizeLong());
    DlmSeriesToProto(id, policy, kMaxDlmSeriesPart, [&parts](v1::DlmSeriesRecord& r) {
      v1::DlmSeriesRecord* s = parts.record().mutable_dlm()->add_series();
      s->Swap(&r);
      parts.Added(s->ByteSizeLong() + 1);
    });
  }
}

void WriteQueueAndHistory(const AutomationState& state, Parts& parts) {
  for (const Trigger& t : state.queue()) {
    v1::AutomationTriggerRecord* r = parts.record().add_queue();
    r->set_at(FormatAwsTime(t.at));
    r->set_order(t.order);
    r->set_index(t.index);
    r->set_service(ServiceName(t.service));
    r->set_id(t.id);
    r->set_kind(t.kind);
    parts.Added(r->ByteSizeLong());
  }
  for (const auto& [key, records] : state.history()) {
    v1::AutomationHistoryRecord* h = nullptr;
    for (const AutomationRecord& e : records) {
      if (h == nullptr || h->entries_size() == kMaxHistoryPart) {
        h = parts.record().add_history();
        h->set_account_id(key.first.ToString());
        h->set_region(key.second.ToString());
      }
      v1::AutomationHistoryEntry* out = h->add_entries();
      out->set_time(FormatAwsTime(e.time));
      out->set_source(e.source);
      out->set_action(e.action);
      out->set_resource(e.resource);
      out->set_result(e.result);
      out->set_error_code(e.error_code);
      out->set_message(e.message);
      // May hand the record on: the next entry then starts a new part.
      parts.Added(out->ByteSizeLong() + 32);
      if (parts.record().history_size() == 0) h = nullptr;
    }
  }
}

void WriteAll(const AutomationState& state,
              const std::function<void(v1::AutomationStateRecord&)>& emit, size_t part_bytes) {
  Parts parts(emit, part_bytes);
  v1::AutomationStateRecord& first = parts.record();
  first.set_next_order(state.next_order());
  BackupToProto(state.backup, first.mutable_backup());
  EventsToProto(state.events, first.mutable_events());
  first.mutable_dlm()->set_next_number(state.dlm.next_number);
  parts.Added(first.ByteSizeLong() + 1);
  WriteDlm(state.dlm, parts);
  WriteQueueAndHistory(state, parts);
  parts.Flush();
}

absl::StatusOr<Trigger> TriggerFrom(const v1::AutomationTriggerRecord& in) {
  Trigger t;
  AMI_ASSIGN_OR_RETURN(t.at, ParseAwsTime(in.at()));
  t.order = in.order();
  if (in.index() < 0 || in.kind() < 0) return Bad("a firing has a negative index or kind");
  t.index = in.index();
  t.kind = in.kind();
  AMI_ASSIGN_OR_RETURN(t.service, ServiceFrom(in.service()));
  if (in.id().empty()) return Bad("a firing names no definition");
  AMI_RETURN_IF_ERROR(CheckText("a firing's definition", in.id(), kMaxAutomationNameBytes));
  t.id = in.id();
  return t;
}

absl::StatusOr<AutomationRecord> EntryFrom(const v1::AutomationHistoryEntry& in) {
  AutomationRecord out;
  AMI_ASSIGN_OR_RETURN(out.time, ParseAwsTime(in.time()));
  for (const auto& [what, from, to] :
       {std::tuple{"a record's source", &in.source(), &out.source},
        std::tuple{"a record's action", &in.action(), &out.action},
        std::tuple{"a record's resource", &in.resource(), &out.resource},
        std::tuple{"a record's result", &in.result(), &out.result},
        std::tuple{"a record's error code", &in.error_code(), &out.error_code},
        std::tuple{"a record's message", &in.message(), &out.message}}) {
    AMI_RETURN_IF_ERROR(CheckText(what, *from, kMaxAutomationTextBytes));
    *to = *from;
  }
  return out;
}

// Whether `t` names a definition its service holds.
bool DefinitionExists(const AutomationState& a, const Trigger& t) {
  switch (t.service) {
    case Service::kDlm: {
      const auto it = a.dlm.policies.find(t.id);
      return it != a.dlm.policies.end() && it->second.order == t.order;
    }
    case Service::kBackup:
      switch (static_cast<BackupTriggerKind>(t.kind)) {
        case BackupTriggerKind::kRule: {
          const auto it = a.backup.plans.find(t.id);
          return it != a.backup.plans.end() && it->second.order == t.order;
        }
        case BackupTriggerKind::kJobDone: {
          const auto it = a.backup.jobs.find(t.id);
          return it != a.backup.jobs.end() && it->second.order == t.order;
        }
        case BackupTriggerKind::kExpire: {
          const auto it = a.backup.recovery_points.find(t.id);
          return it != a.backup.recovery_points.end() && it->second.order == t.order;
        }
      }
      return false;
    case Service::kEvents: {
      const auto it = a.events.schedules.find(t.id);
      return it != a.events.schedules.end() && it->second.order == t.order;
    }
  }
  return false;
}

}  // namespace

void AutomationToRecords(const AutomationState& state,
                         const std::function<void(v1::AutomationStateRecord&)>& emit,
                         size_t part_bytes) {
  if (state == AutomationState()) return;
  WriteAll(state, emit, part_bytes);
}

void AutomationToProto(const AutomationState& state, v1::AutomationStateRecord* out) {
  WriteAll(state, [out](v1::AutomationStateRecord& r) { out->Swap(&r); },
           std::numeric_limits<size_t>::max());
}

absl::Status AutomationLoader::Add(const v1::AutomationStateRecord& in) {
  if (!first_seen_) {
    if (in.next_order() == 0) return Bad("the first automation record has no next_order");
    out_->set_next_order(in.next_order());
    AMI_RETURN_IF_ERROR(BackupFromProto(in.backup(), &out_->backup));
    AMI_RETURN_IF_ERROR(EventsFromProto(in.events(), &out_->events));
    if (in.dlm().next_number() == 0) return Bad("the first automation record has no dlm next_number");
    first_seen_ = true;
  } else if (in.next_order() != 0 || in.has_backup() || in.has_events() ||
             in.dlm().next_number() != 0) {
    return Inconsistent(
        "only the first automation record carries next_order, next_number, backup and events");
  }
  AMI_RETURN_IF_ERROR(DlmFromProto(in.dlm(), &out_->dlm));
  AMI_RETURN_IF_ERROR(AddTriggers(in));
  for (const v1::AutomationHistoryRecord& h : in.history()) AMI_RETURN_IF_ERROR(AddHistory(h));
  return absl::OkStatus();
}

absl::Status AutomationLoader::AddTriggers(const v1::AutomationStateRecord& in) {
  for (const v1::AutomationTriggerRecord& r : in.queue()) {
    AMI_ASSIGN_OR_RETURN(Trigger t, TriggerFrom(r));
    if (t.at < now_) {
      return Inconsistent(absl::StrCat("a firing of `", t.id, "` is due at ", FormatAwsTime(t.at),
                                       ", before the clock (", FormatAwsTime(now_), ")"));
    }
    if (out_->queue().count(t) > 0) {
      return Inconsistent(absl::StrCat("a firing of `", t.id, "` is repeated"));
    }
    out_->Enqueue(std::move(t));
  }
  return absl::OkStatus();
}

absl::Status AutomationLoader::AddHistory(const v1::AutomationHistoryRecord& in) {
  AMI_ASSIGN_OR_RETURN(const AccountId account, AccountId::Parse(in.account_id()));
  AMI_ASSIGN_OR_RETURN(const Region region, Region::Parse(in.region()));
  const std::deque<AutomationRecord>* held = out_->HistoryOf(account, region);
  const size_t before = held == nullptr ? 0 : held->size();
  if (in.entries_size() > kMaxHistoryPart ||
      before + in.entries_size() > static_cast<size_t>(Automation::kMaxHistory)) {
    return Bad(absl::StrCat("the history of account `", in.account_id(), "` in ", in.region(),
                            " holds more than ", Automation::kMaxHistory, " records (or more than ",
                            kMaxHistoryPart, " in one part)"));
  }
  for (const v1::AutomationHistoryEntry& e : in.entries()) {
    AMI_ASSIGN_OR_RETURN(AutomationRecord record, EntryFrom(e));
    out_->Record(account, region, std::move(record));
  }
  return absl::OkStatus();
}

absl::Status AutomationLoader::Finish() const {
  if (!first_seen_) return Bad("the automation has no first record");
  const uint64_t next = out_->next_order();
  for (const auto& [id, p] : out_->dlm.policies) {
    if (p.order >= next) {
      return Inconsistent(absl::StrCat("policy `", id, "` has order ", p.order,
                                       ", not before next_order ", next));
    }
  }
  for (const Trigger& t : out_->queue()) {
    if (t.order == 0 || t.order >= next || !DefinitionExists(*out_, t)) {
      return Inconsistent(absl::StrCat("a firing names ", ServiceName(t.service), " definition `",
                                       text_util::Clip(t.id), "` with order ", t.order,
                                       ", which the automation does not hold"));
    }
  }
  return absl::OkStatus();
}

absl::Status AutomationFromProto(const v1::AutomationStateRecord& in, absl::Time now,
                                 AutomationState* out) {
  AutomationLoader loader(out, now);
  AMI_RETURN_IF_ERROR(loader.Add(in));
  return loader.Finish();
}

}  // namespace ami::internal
