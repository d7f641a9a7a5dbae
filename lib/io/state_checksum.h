// The checksum a state file's trailer carries over every record before it, by format version.
// Internal to libami (the state-file reader and writer, and tests that write files by hand).
#ifndef AMI_LIB_STATE_CHECKSUM_H_
#define AMI_LIB_STATE_CHECKSUM_H_

#include <cstddef>
#include <cstdint>

namespace ami::internal {

// XXH64 of `n` bytes with `seed`, as its specification defines it.
uint64_t Xxh64(const char* data, size_t n, uint64_t seed);

// The running checksum of a state file's records, each given with the varint of its size:
// - version 1: FNV-1a 64 over every byte, sizes included (a byte at a time);
// - version 2: each record's XXH64 seeded with its size (eight bytes at a time in four
//   independent lanes; records can be hashed apart), chained in file order by Chain().
class StateChecksum {
 public:
  explicit StateChecksum(uint32_t version) : version_(version) {}

  void Add(const char* size_varint, size_t varint_bytes, const char* record, size_t record_bytes);
  uint64_t value() const { return value_; }
  // Version 2: the checksum after a record whose XXH64 is `record_hash`.
  static uint64_t Chain(uint64_t checksum, uint64_t record_hash);

 private:
  static constexpr uint64_t kFnvOffset = 14695981039346656037ull;
  uint32_t version_;
  uint64_t value_ = kFnvOffset;
};

}  // namespace ami::internal

#endif  // AMI_LIB_STATE_CHECKSUM_H_
