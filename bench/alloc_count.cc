// The counting global operator new / delete of ami_bench (alloc_count.h).
#include "alloc_count.h"

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>

namespace ami::bench {
namespace {

std::atomic<int64_t> live_bytes{0};

void* Allocate(std::size_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  live_bytes.fetch_add(static_cast<int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  return p;
}

void* AllocateAligned(std::size_t size, std::align_val_t align) {
  void* p = nullptr;
  const std::size_t a = std::max(sizeof(void*), static_cast<std::size_t>(align));
  if (posix_memalign(&p, a, size == 0 ? 1 : size) != 0) throw std::bad_alloc();
  live_bytes.fetch_add(static_cast<int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  return p;
}

void Release(void* p) {
  if (p == nullptr) return;
  live_bytes.fetch_sub(static_cast<int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  std::free(p);
}

}  // namespace

int64_t LiveHeapBytes() { return live_bytes.load(std::memory_order_relaxed); }

}  // namespace ami::bench

void* operator new(std::size_t size) { return ami::bench::Allocate(size); }
void* operator new[](std::size_t size) { return ami::bench::Allocate(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return ami::bench::Allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return ami::bench::Allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t size, std::align_val_t align) {
  return ami::bench::AllocateAligned(size, align);
}
void* operator new[](std::size_t size, std::align_val_t align) {
  return ami::bench::AllocateAligned(size, align);
}
void operator delete(void* p) noexcept { ami::bench::Release(p); }
void operator delete[](void* p) noexcept { ami::bench::Release(p); }
void operator delete(void* p, std::size_t) noexcept { ami::bench::Release(p); }
void operator delete[](void* p, std::size_t) noexcept { ami::bench::Release(p); }
void operator delete(void* p, std::align_val_t) noexcept { ami::bench::Release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { ami::bench::Release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { ami::bench::Release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  ami::bench::Release(p);
}
