// amictl's progress line: long work shown on one line of stderr, only on a terminal.
#ifndef AMI_EXAMPLES_AMICTL_PROGRESS_H_
#define AMI_EXAMPLES_AMICTL_PROGRESS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "ami/cloud.h"

namespace amictl {

// Loads the state file at `path`. When stderr is a terminal (isatty) and the load has taken
// longer than AMICTL_PROGRESS_DELAY seconds (default 1; 0 shows every load), draws the records
// and bytes read so far and the rate on one line of stderr, rewritten in place at most ten times
// a second, and ends it with the totals. When stderr is not a terminal it writes nothing.
absl::StatusOr<std::unique_ptr<ami::Cloud>> LoadStateShowingProgress(const std::string& path);

}  // namespace amictl

#endif  // AMI_EXAMPLES_AMICTL_PROGRESS_H_
