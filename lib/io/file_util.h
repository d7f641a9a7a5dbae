// Whole files read within a bound checked before reading, and written all or nothing. Internal
// to libami.
#ifndef AMI_LIB_FILE_UTIL_H_
#define AMI_LIB_FILE_UTIL_H_

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ami::file_util {

// What errno `error` means, as a lowercase phrase: "no such file or directory",
// "permission denied", "is a directory".
std::string ErrnoText(int error);

// Fails with ResourceLimitExceeded, naming `path`, when the file is larger than `max_bytes` by
// its size (stat); a file that cannot be found or is a folder is InvalidParameterValue, "cannot
// open `<path>`: <ErrnoText>". Other kinds of file (pipes, devices) report no size and pass.
absl::Status CheckSize(const std::string& path, uint64_t max_bytes);

// The contents of the file at `path`: CheckSize() before anything is read, then read with the
// same bound, which also stops a pipe once more than `max_bytes` bytes have arrived. A file that
// cannot be opened is InvalidParameterValue "cannot open `<path>`: <ErrnoText>"; one that fails
// while read "cannot read `<path>`: <ErrnoText>".
absl::StatusOr<std::string> ReadBounded(const std::string& path, uint64_t max_bytes);

// Replaces the file at `path` with what `write` writes, all or nothing: `write` fills a new file
// in the same folder, which is flushed, synced and renamed over `path`, and the folder synced.
// On any failure the new file is removed and `path` is as it was. `write`'s own failure is
// returned as it is; a file that cannot be made or replaced is InvalidParameterValue.
absl::Status WriteAtomically(const std::string& path,
                             const std::function<absl::Status(std::ostream&)>& write);

}  // namespace ami::file_util

#endif  // AMI_LIB_FILE_UTIL_H_
