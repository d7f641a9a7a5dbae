// RwLock: the Cloud's reader/writer lock, and WriterLock and ReaderLock, which hold it for a
// scope. Internal to libami.
//
// Why not absl::Mutex: Debian's Abseil is prebuilt without ThreadSanitizer, so the sanitizer
// cannot see an absl::Mutex being taken or released; a ThreadSanitizer build would have to swap
// the lock for another, and the lock that ships would never be race-checked. This lock is the
// same in every build and is a POSIX rwlock, whose every acquire and release ThreadSanitizer
// intercepts, so the `tsan` preset checks exactly what ships. It costs nothing measurable: the
// benchmarks that take it once per call (BM_ModifyLaunchPermission, BM_DescribeImagesBy*) ran
// as fast as with absl::Mutex, within their run-to-run noise.
//
// Like absl::Mutex, it prefers writers (on glibc, the only C library it is built with here that
// lets a rwlock choose), so a stream of readers cannot starve an operation that changes state,
// and it is not reentrant: a thread that holds it must not take it again, even to read.
//
// Annotated for Clang's thread-safety analysis as absl::Mutex is: ABSL_GUARDED_BY(mu),
// ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) and ABSL_SHARED_LOCKS_REQUIRED(mu) work with it.
//
// Thread-safe: that is its purpose. Neither copyable nor movable.
#ifndef AMI_LIB_CLOUD_RW_LOCK_H_
#define AMI_LIB_CLOUD_RW_LOCK_H_

#include <pthread.h>

#include <atomic>

#include <cstdlib>

#include "absl/base/thread_annotations.h"

namespace ami::internal {

class ABSL_LOCKABLE RwLock {
 public:
  RwLock() {
    pthread_rwlockattr_t attr;
    Check(pthread_rwlockattr_init(&attr));
#ifdef __GLIBC__
    Check(pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP));
#endif
    Check(pthread_rwlock_init(&rw_, &attr));
    Check(pthread_rwlockattr_destroy(&attr));
  }
  ~RwLock() { pthread_rwlock_destroy(&rw_); }
  RwLock(const RwLock&) = delete;
  RwLock& operator=(const RwLock&) = delete;

  // Takes the lock alone, waiting for readers and any writer to leave.
  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() {
    Check(pthread_rwlock_wrlock(&rw_));
    Count(+1);
  }
  void Unlock() ABSL_UNLOCK_FUNCTION() {
    Count(-1);
    Check(pthread_rwlock_unlock(&rw_));
  }
  // Takes the lock shared with other readers, waiting while a writer holds or awaits it.
  void ReaderLock() ABSL_SHARED_LOCK_FUNCTION() {
    Check(pthread_rwlock_rdlock(&rw_));
    Count(+1);
  }
  void ReaderUnlock() ABSL_UNLOCK_FUNCTION() {
    Count(-1);
    Check(pthread_rwlock_unlock(&rw_));
  }
  // Tells Clang's thread-safety analysis that the calling code holds the lock, at least shared:
  // for code that reads the state through a reference its caller locked (the describe queries),
  // which the analysis cannot follow. Builds without NDEBUG check that the lock is held at all.
  void AssertReaderHeld() const ABSL_ASSERT_SHARED_LOCK() {
#ifndef NDEBUG
    if (holders_.load(std::memory_order_relaxed) <= 0) std::abort();
#endif
  }

 private:
  // A failing rwlock call (a broken invariant, such as unlocking a lock not held) ends the
  // process: going on would give up the mutual exclusion every caller relies on.
  static void Check(int error) {
    if (error != 0) std::abort();
  }

  // How many hold the lock (readers, or the one writer); kept only where it is checked.
  void Count(int delta) {
#ifndef NDEBUG
    holders_.fetch_add(delta, std::memory_order_relaxed);
#else
    (void)delta;
#endif
  }
  pthread_rwlock_t rw_;
#ifndef NDEBUG
  std::atomic<int> holders_{0};
#endif
};

// Holds `mu` alone for its lifetime.
class ABSL_SCOPED_LOCKABLE WriterLock {
 public:
  explicit WriterLock(RwLock& mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_.Lock(); }
  ~WriterLock() ABSL_UNLOCK_FUNCTION() { mu_.Unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  RwLock& mu_;
};

// Holds `mu` shared for its lifetime.
class ABSL_SCOPED_LOCKABLE ReaderLock {
 public:
  explicit ReaderLock(RwLock& mu) ABSL_SHARED_LOCK_FUNCTION(mu) : mu_(mu) { mu_.ReaderLock(); }
  ~ReaderLock() ABSL_UNLOCK_FUNCTION() { mu_.ReaderUnlock(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  RwLock& mu_;
};

}  // namespace ami::internal

#endif  // AMI_LIB_CLOUD_RW_LOCK_H_
