// amictl's progress line: long work shown on one line of stderr, only on a terminal.
#ifndef AMI_EXAMPLES_AMICTL_PROGRESS_H_
#define AMI_EXAMPLES_AMICTL_PROGRESS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ami/cloud.h"

namespace amictl {

// Loads the state file at `path`. When stderr is a terminal (isatty) and the load has taken
// longer than AMICTL_PROGRESS_DELAY seconds (default 1; 0 shows every load), draws the records
// and bytes read so far and the rate on one line of stderr, rewritten in place at most ten times
// a second, and ends it with the totals. When stderr is not a terminal it writes nothing.
absl::StatusOr<std::unique_ptr<ami::Cloud>> LoadStateShowingProgress(const std::string& path);

// An import's progress: the files read so far, their size and the rate, then "importing", on one
// line of stderr rewritten in place — only when stderr is a terminal, after the same delay as a
// load. The line ends when the object goes.
class ImportProgress {
 public:
  ImportProgress();
  ~ImportProgress();
  ImportProgress(const ImportProgress&) = delete;
  ImportProgress& operator=(const ImportProgress&) = delete;

  // One more file, of `bytes`, has been read.
  void FileRead(const std::string& path, uint64_t bytes);
  // Every file has been read; the records are being imported.
  void Importing();
  // Ends the line, if one was drawn, so that what is printed next starts a line of its own.
  void Finish();

 private:
  void Draw(const std::string& what, bool force);
  const bool terminal_;
  const absl::Time start_;
  absl::Time last_ = absl::InfinitePast();
  uint64_t files_ = 0;
  uint64_t bytes_ = 0;
  bool drawn_ = false;
};

}  // namespace amictl

#endif  // AMI_EXAMPLES_AMICTL_PROGRESS_H_
