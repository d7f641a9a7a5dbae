// Reading a state file's records into a new cloud's state: the record-by-record builder that
// LoadState (lib/state_file_read.cc) drives. Internal to libami.
#ifndef AMI_LIB_STATE_BUILDER_H_
#define AMI_LIB_STATE_BUILDER_H_

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "ami/io/state_file.h"
#include "ami/v1/state.pb.h"
#include "cloud/state.h"
#include "io/automation_state_proto.h"
#include "values/status_macros.h"

namespace ami::internal {

// The header's format field.
inline constexpr char kStateFileFormat[] = "libami-state";

// A state file that cannot be decoded: `message` after "state file: ".
absl::Status CorruptStateFile(const std::string& message);

// Builds the new cloud's state record by record. Not thread-safe: one loader uses it.
class StateBuilder {
 public:
  StateBuilder() : s_(std::make_unique<CloudState>()), load_(*s_) {}

  absl::Status Header(const v1::StateHeader& h) {
    if (h.format() != kStateFileFormat) {
      return CorruptStateFile("not a libami state file (bad header)");
    }
    if (h.version() < kOldestStateFileVersion || h.version() > kStateFileVersion) {
      return CorruptStateFile(absl::StrCat("unsupported version ", h.version(),
                                           "; this build reads versions ",
                                           kOldestStateFileVersion, " to ", kStateFileVersion));
    }
    snapshots_.Expect(h.snapshots());
    images_.Expect(h.images());
    instances_.Expect(h.instances());
    Cloud::Options options;
    options.seed = h.seed();
    AMI_ASSIGN_OR_RETURN(options.start_time, ParseAwsTime(h.start_time()));
    AMI_ASSIGN_OR_RETURN(const absl::Time now, ParseAwsTime(h.now()));
    options.image_pending = absl::Milliseconds(h.image_pending_ms());
    options.instance_pending = absl::Milliseconds(h.instance_pending_ms());
    load_.SetClock(options, now, h.next_id());
    return absl::OkStatus();
  }

  absl::Status Add(const v1::StateRecord& r);
  absl::Status CheckReferences() const;
  // The state built; the builder is not used after.
  std::unique_ptr<CloudState> Release() { return std::move(s_); }

 private:
  absl::Status Organization(const v1::OrganizationRecord& o);
  absl::Status Account(const v1::AccountRecord& a);
  absl::Status Settings(const v1::SettingsRecord& t);
  absl::Status Bookkeeping(const v1::StateRecord& r);
  absl::Status Alias(const v1::AliasRecord& a);
  absl::Status ForeignTags(const v1::ForeignTagsRecord& f);
  absl::Status Pending(const v1::PendingRecord& p);
  absl::Status AllowedImages(const v1::AllowedImagesRecord& a);
  absl::Status Rule(const v1::RetentionRuleRecord& r);
  absl::Status Bin(const v1::BinRecord& b);
  absl::Status Principal(const v1::PrincipalRecord& p);
  absl::Status Scp(const v1::ServiceControlPolicyRecord& p);
  absl::Status FullAccessDetached(const v1::FullAccessDetachedRecord& d);
  absl::Status AddAutomation(const v1::AutomationStateRecord& a);

  // What the header says of one table's size: a hint, acted on only once an eighth of it has
  // arrived, so that a file claiming more than it holds makes the loader allocate in proportion
  // to what it does hold (and never past kMaxSizingHint entries).
  class SizingHint {
   public:
    void Expect(uint64_t n) { hint_ = static_cast<size_t>(std::min<uint64_t>(n, kMaxSizingHint)); }
    // Counts one more entry of a table that holds `held`, and calls `reserve(hint)` at an
    // eighth of the hint.
    template <typename Reserve>
    void Arrived(size_t held, Reserve reserve) {
      if (++seen_ == std::max<size_t>(1, hint_ / 8) && hint_ > held) reserve(hint_);
    }

   private:
    size_t hint_ = 0, seen_ = 0;
  };

  // Read for checks; written only through `load_`.
  std::unique_ptr<CloudState> s_;
  StateLoader load_;
  SizingHint snapshots_, images_, instances_;
  // Made by the first automation record.
  std::optional<AutomationLoader> automation_;
};

}  // namespace ami::internal

#endif  // AMI_LIB_STATE_BUILDER_H_
