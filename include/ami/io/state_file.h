// State files: a whole Cloud — accounts, organizations, settings, keys, aliases, snapshots,
// images, instances, tags, tokens, pending work, automation and the clock — saved as a versioned stream of
// length-delimited protobuf records (proto/ami/v1/state.proto) ending with a record count and a
// checksum (each record's XXH64, chained). Records are streamed one at a time, so a fleet of
// millions never becomes one message.
//
// Records come in this order, each kind sorted by its key: header, organizations, accounts,
// settings, Allowed AMIs settings, Recycle Bin rules, KMS keys, aliases, snapshots, images,
// instances, foreign tags, client tokens, CreateImage-in-progress, Recycle Bin entries, pending
// work, automation (none when the cloud has none; proto/ami/v1/automation.proto), trailer. Loading is all or nothing: a truncated, corrupt, wrong-version or inconsistent
// file (an image naming a missing snapshot, a record of a kind out of this order) is refused with
// an error naming the record, and no cloud is made. SaveStateToFile never leaves a half-written
// file: it writes a new file beside the target, syncs it and renames it over the target.
// Thread-safe: SaveState reads the cloud under its read lock; LoadState builds a new cloud.
#ifndef AMI_IO_STATE_FILE_H_
#define AMI_IO_STATE_FILE_H_

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "ami/cloud.h"

namespace ami {

// The state file version this build writes, and the oldest it still reads (version 1 differs
// only in its checksum).
inline constexpr uint32_t kStateFileVersion = 2;
inline constexpr uint32_t kOldestStateFileVersion = 1;
// The most entries a file's header may have the loader size a table for in advance (larger
// tables grow as their records arrive). The header's counts are hints, acted on once an eighth
// of a table's records have arrived.
inline constexpr uint64_t kMaxSizingHint = 4ull << 20;
// The largest state file LoadStateFromFile reads (the largest fleet the generator makes, 100
// million instances, saves to about 50 GB).
inline constexpr uint64_t kMaxStateFileBytes = 64ull << 30;
// The largest record accepted when loading (a larger size is treated as corruption).
inline constexpr uint64_t kMaxStateRecordBytes = 64ull << 20;

// Writes the cloud's whole state to `out`.
absl::Status SaveState(const Cloud& cloud, std::ostream& out);
// Writes the cloud's whole state to the file at `path`, replacing it all or nothing (see above).
absl::Status SaveStateToFile(const Cloud& cloud, const std::string& path);

// How far a load has got, as LoadStateOptions::progress is told.
struct LoadProgress {
  uint64_t records = 0;  // records read so far, the header included
  uint64_t bytes = 0;    // bytes of the file consumed so far
  bool done = false;     // true on the last call, made once the stream has ended
};

// Options of a load.
struct LoadStateOptions {
  // Called on the loading thread as records are read: after every `progress_every` records, and
  // once more (`done`) when the stream has ended, so at most records / progress_every + 1 times;
  // a load refused before the end of the stream makes no `done` call. Empty (the default) means
  // no calls.
  std::function<void(const LoadProgress&)> progress;
  // Records between two progress calls; 0 counts as 1.
  uint64_t progress_every = 1 << 16;
};

// Reads a state file into a new cloud. Structural damage (truncation, bad sizes, checksum,
// version, records out of place) is `SerializationException`; records that decode but are
// invalid or inconsistent fail with the code of the check, the message naming the record.
absl::StatusOr<std::unique_ptr<Cloud>> LoadState(std::istream& in,
                                                  const LoadStateOptions& options = {});
// A file larger than kMaxStateFileBytes is `ResourceLimitExceeded` by its size, before it is read.
absl::StatusOr<std::unique_ptr<Cloud>> LoadStateFromFile(const std::string& path,
                                                         const LoadStateOptions& options = {});

}  // namespace ami

#endif  // AMI_IO_STATE_FILE_H_
