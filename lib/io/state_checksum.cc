#include "io/state_checksum.h"

#include <cstring>

namespace ami::internal {
namespace {

constexpr uint64_t kFnvPrime = 1099511628211ull;

constexpr uint64_t kP1 = 0x9E3779B185EBCA87ull;
constexpr uint64_t kP2 = 0xC2B2AE3D27D4EB4Full;
constexpr uint64_t kP3 = 0x165667B19E3779F9ull;
constexpr uint64_t kP4 = 0x85EBCA77C2B2AE63ull;
constexpr uint64_t kP5 = 0x27D4EB2F165667C5ull;

uint64_t Fnv(uint64_t h, const char* data, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= kFnvPrime;
  }
  return h;
}

inline uint64_t Rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

// A little-endian load of a 32- or 64-bit word, whatever the machine's byte order.
template <typename Word>
inline Word Load(const char* p) {
  Word v;
  std::memcpy(&v, p, sizeof(v));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  if constexpr (sizeof(Word) == 8) v = __builtin_bswap64(v);
  if constexpr (sizeof(Word) == 4) v = __builtin_bswap32(v);
#endif
  return v;
}

inline uint64_t Round(uint64_t acc, uint64_t input) { return Rotl(acc + input * kP2, 31) * kP1; }
inline uint64_t MergeRound(uint64_t acc, uint64_t lane) { return (acc ^ Round(0, lane)) * kP1 + kP4; }

}  // namespace

uint64_t StateChecksum::Chain(uint64_t checksum, uint64_t record_hash) {
  return Rotl(checksum ^ record_hash, 27) * kP1 + kP4;
}

uint64_t Xxh64(const char* data, size_t n, uint64_t seed) {
  const char* p = data;
  const char* const end = data + n;
  uint64_t h;
  if (n >= 32) {
    uint64_t v1 = seed + kP1 + kP2, v2 = seed + kP2, v3 = seed, v4 = seed - kP1;
    for (const char* const last = end - 32; p <= last; p += 32) {
      v1 = Round(v1, Load<uint64_t>(p));
      v2 = Round(v2, Load<uint64_t>(p + 8));
      v3 = Round(v3, Load<uint64_t>(p + 16));
      v4 = Round(v4, Load<uint64_t>(p + 24));
    }
    h = Rotl(v1, 1) + Rotl(v2, 7) + Rotl(v3, 12) + Rotl(v4, 18);
    h = MergeRound(h, v1);
    h = MergeRound(h, v2);
    h = MergeRound(h, v3);
    h = MergeRound(h, v4);
  } else {
    h = seed + kP5;
  }
  h += static_cast<uint64_t>(n);
  for (; end - p >= 8; p += 8) h = Rotl(h ^ Round(0, Load<uint64_t>(p)), 27) * kP1 + kP4;
  if (end - p >= 4) {
    h = Rotl(h ^ (static_cast<uint64_t>(Load<uint32_t>(p)) * kP1), 23) * kP2 + kP3;
    p += 4;
  }
  for (; p < end; ++p) h = Rotl(h ^ (static_cast<unsigned char>(*p) * kP5), 11) * kP1;
  h ^= h >> 33;
  h *= kP2;
  h ^= h >> 29;
  h *= kP3;
  h ^= h >> 32;
  return h;
}

void StateChecksum::Add(const char* size_varint, size_t varint_bytes, const char* record,
                        size_t record_bytes) {
  if (version_ == 1) {
    value_ = Fnv(Fnv(value_, size_varint, varint_bytes), record, record_bytes);
  } else {
    value_ = Chain(value_, Xxh64(record, record_bytes, static_cast<uint64_t>(record_bytes)));
  }
}

}  // namespace ami::internal
