#include "io/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "values/choices.h"
#include "values/text_util.h"

namespace ami::file_util {
namespace {

// Closes a file descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

absl::Status CannotUse(absl::string_view what, const std::string& path, int error) {
  return MakeError(choices::kInvalidValue, absl::StrCat("cannot ", what, " `", text_util::Clip(path),
                                                        "`: ", ErrnoText(error)));
}

// A file that cannot be opened to be read (or is a folder), and why.
absl::Status CannotOpen(const std::string& path, int error) {
  return CannotUse("open", path, error);
}

// `size`: the file's size, or 0 for a stream that went past the limit.
absl::Status TooLarge(const std::string& path, uint64_t size, uint64_t max_bytes) {
  const std::string what = size == 0 ? "more bytes" : absl::StrCat(size, " bytes, more");
  return MakeError(choices::kInputTooLarge, absl::StrCat("`", text_util::Clip(path), "`: ", what,
                                                         " than the limit of ", max_bytes));
}

absl::Status CheckStat(const std::string& path, const struct stat& st, uint64_t max_bytes) {
  if (S_ISDIR(st.st_mode)) return CannotOpen(path, EISDIR);
  if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > max_bytes) {
    return TooLarge(path, static_cast<uint64_t>(st.st_size), max_bytes);
  }
  return absl::OkStatus();
}

// The folder that holds `path`.
std::string FolderOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// A new, empty file beside `path` (made with the usual permissions, so the umask applies).
absl::StatusOr<std::string> NewTemporary(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  for (int attempt = 0; attempt < 100; ++attempt) {
    const std::string temp = absl::StrCat(path, ".tmp-", getpid(), "-", counter++);
    const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      close(fd);
      return temp;
    }
    if (errno != EEXIST) return CannotUse("write", path, errno);
  }
  return CannotUse("write", path, EEXIST);
}

// Flushes `path`'s data (a file or a folder) to the disk.
absl::Status Sync(const std::string& path, bool folder) {
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | (folder ? O_DIRECTORY : 0)));
  if (fd.get() < 0 || fsync(fd.get()) != 0) return CannotUse("sync", path, errno);
  return absl::OkStatus();
}

absl::Status FillAndReplace(const std::string& temp, const std::string& path,
                            const std::function<absl::Status(std::ostream&)>& write) {
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) return CannotUse("write", path, errno);
    if (absl::Status s = write(out); !s.ok()) return s;
    out.close();
    if (!out) return CannotUse("write", path, errno);
  }
  if (absl::Status s = Sync(temp, false); !s.ok()) return s;
  if (rename(temp.c_str(), path.c_str()) != 0) return CannotUse("replace", path, errno);
  return Sync(FolderOf(path), true);
}

}  // namespace

std::string ErrnoText(int error) {
  std::string text = std::strerror(error);
  if (!text.empty()) text[0] = absl::ascii_tolower(static_cast<unsigned char>(text[0]));
  return text;
}

absl::Status CheckSize(const std::string& path, uint64_t max_bytes) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return CannotOpen(path, errno);
  return CheckStat(path, st, max_bytes);
}

absl::StatusOr<std::string> ReadBounded(const std::string& path, uint64_t max_bytes) {
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return CannotOpen(path, errno);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return CannotUse("read", path, errno);
  if (absl::Status s = CheckStat(path, st, max_bytes); !s.ok()) return s;
  std::string text;
  if (S_ISREG(st.st_mode)) text.reserve(static_cast<size_t>(st.st_size));
  char buffer[1 << 16];
  while (true) {
    const ssize_t n = read(fd.get(), buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return CannotUse("read", path, errno);
    if (n == 0) return text;
    if (text.size() + static_cast<size_t>(n) > max_bytes) {
      return TooLarge(path, 0, max_bytes);
    }
    text.append(buffer, static_cast<size_t>(n));
  }
}

absl::Status WriteAtomically(const std::string& path,
                             const std::function<absl::Status(std::ostream&)>& write) {
  absl::StatusOr<std::string> temp = NewTemporary(path);
  if (!temp.ok()) return temp.status();
  absl::Status done = FillAndReplace(*temp, path, write);
  if (!done.ok()) unlink(temp->c_str());
  return done;
}

}  // namespace ami::file_util
