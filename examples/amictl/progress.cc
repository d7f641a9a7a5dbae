#include "progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "ami/io/state_file.h"

namespace amictl {
namespace {

// Records between two progress calls from the loader: frequent enough for a line that moves,
// rare enough to cost nothing.
constexpr uint64_t kRecordsPerCall = 1 << 14;

std::string Bytes(uint64_t n) {
  if (n < (1 << 20)) return absl::StrFormat("%.1f KiB", n / 1024.0);
  if (n < (1ull << 30)) return absl::StrFormat("%.1f MiB", n / 1048576.0);
  return absl::StrFormat("%.2f GiB", n / 1073741824.0);
}

// The delay before the line appears: AMICTL_PROGRESS_DELAY seconds, 1 when unset or not a number.
absl::Duration Delay() {
  const char* text = std::getenv("AMICTL_PROGRESS_DELAY");
  double seconds = 1;
  if (text == nullptr || !absl::SimpleAtod(text, &seconds) || seconds < 0) seconds = 1;
  return absl::Seconds(seconds);
}

// Draws one load's progress line.
class Line {
 public:
  Line(std::string path, uint64_t total) : path_(std::move(path)), total_(total) {}

  void Update(const ami::LoadProgress& p) {
    const absl::Time now = absl::Now();
    const absl::Duration elapsed = now - start_;
    if (elapsed < delay_ && !(p.done && drawn_)) return;
    if (!p.done && drawn_ && now - last_ < absl::Milliseconds(100)) return;
    last_ = now;
    drawn_ = true;
    const double seconds = std::max(absl::ToDoubleSeconds(elapsed), 1e-6);
    if (p.done) {
      absl::FPrintF(stderr, "\rloaded %s: %d records, %s in %.1f s (%.0f records/s)\033[K\n", path_,
                    p.records, Bytes(p.bytes), seconds, p.records / seconds);
      drawn_ = false;  // the line is finished
    } else {
      const std::string of =
          total_ > 0 ? absl::StrFormat(" of %s (%d%%)", Bytes(total_), p.bytes * 100 / total_) : "";
      absl::FPrintF(stderr, "\rloading %s: %d records, %s%s, %.0f records/s\033[K", path_,
                    p.records, Bytes(p.bytes), of, p.records / seconds);
    }
    std::fflush(stderr);
  }

  // Ends a line left unfinished by a load that was refused, so that the error starts a line.
  ~Line() {
    if (drawn_) std::fputs("\n", stderr);
  }

 private:
  const std::string path_;
  const uint64_t total_;
  const absl::Time start_ = absl::Now();
  const absl::Duration delay_ = Delay();
  absl::Time last_ = absl::InfinitePast();
  bool drawn_ = false;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ami::Cloud>> LoadStateShowingProgress(const std::string& path) {
  if (!isatty(STDERR_FILENO)) return ami::LoadStateFromFile(path);
  std::error_code error;
  const uintmax_t size = std::filesystem::file_size(path, error);
  Line line(path, error ? 0 : static_cast<uint64_t>(size));
  ami::LoadStateOptions options;
  options.progress = [&line](const ami::LoadProgress& p) { line.Update(p); };
  options.progress_every = kRecordsPerCall;
  return ami::LoadStateFromFile(path, options);
}

ImportProgress::ImportProgress() : terminal_(isatty(STDERR_FILENO) != 0), start_(absl::Now()) {}

ImportProgress::~ImportProgress() { Finish(); }

void ImportProgress::Finish() {
  if (drawn_) std::fputs("\n", stderr);
  drawn_ = false;
}

void ImportProgress::FileRead(const std::string& path, uint64_t bytes) {
  ++files_;
  bytes_ += bytes;
  Draw(path, false);
}

void ImportProgress::Importing() { Draw("importing the records", true); }

void ImportProgress::Draw(const std::string& what, bool force) {
  if (!terminal_) return;
  const absl::Time now = absl::Now();
  if (now - start_ < Delay()) return;
  if (!force && drawn_ && now - last_ < absl::Milliseconds(100)) return;
  last_ = now;
  drawn_ = true;
  const double seconds = std::max(absl::ToDoubleSeconds(now - start_), 1e-6);
  absl::FPrintF(stderr, "\rread %d files, %s (%s/s): %s\033[K", files_, Bytes(bytes_),
                Bytes(static_cast<uint64_t>(bytes_ / seconds)), what);
  std::fflush(stderr);
}

}  // namespace amictl
