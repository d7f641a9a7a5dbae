// KMS key ids are values and nothing else (ID-12, ID-15): parsing any number of distinct key ids,
// key ARNs and key references allocates nothing, and dropping them — accepted or rejected —
// leaves nothing behind. A binary of its own, because it counts every operator new.
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ami/arns.h"
#include "ami/errors.h"
#include "ami/ids.h"
#include "gtest/gtest.h"

namespace {

std::atomic<int64_t> allocations{0};
std::atomic<int64_t> live_blocks{0};

}  // namespace

void* operator new(std::size_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  allocations.fetch_add(1, std::memory_order_relaxed);
  live_blocks.fetch_add(1, std::memory_order_relaxed);
  return p;
}
void operator delete(void* p) noexcept {
  if (p == nullptr) return;
  live_blocks.fetch_sub(1, std::memory_order_relaxed);
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }

namespace ami {
namespace {

// Key ARN text in a fixed buffer, so that making it allocates nothing: the ARN prefix, then a
// UUID or an `mrk-` id of random digits.
class KeyText {
 public:
  static constexpr absl::string_view kPrefix = "arn:aws:kms:eu-west-3:123456789012:key/";

  explicit KeyText(uint64_t seed) : random_(seed) {
    for (size_t i = 0; i < kPrefix.size(); ++i) buffer_[i] = kPrefix[i];
  }

  // Draws a new id; `multi_region` chooses its form.
  void Next(bool multi_region) {
    char* out = buffer_ + kPrefix.size();
    size_ = kPrefix.size() + 36;  // Both forms have 36 characters.
    if (multi_region) {
      out[0] = 'm', out[1] = 'r', out[2] = 'k', out[3] = '-';
      for (int i = 4; i < 36; ++i) out[i] = Digit();
      return;
    }
    for (int i = 0; i < 36; ++i) out[i] = (i == 8 || i == 13 || i == 18 || i == 23) ? '-' : Digit();
  }
  absl::string_view arn() const { return absl::string_view(buffer_, size_); }
  absl::string_view key_id() const { return arn().substr(kPrefix.size()); }

 private:
  char Digit() { return "0123456789abcdef"[random_() % 16]; }
  std::mt19937_64 random_;
  char buffer_[128] = {};
  size_t size_ = 0;
};

TEST(KmsKeyIdHeap, ID_12_ParsingDistinctIdsAllocatesNothing) {
  KeyText text(21);
  int parsed = 0;
  const int64_t before = allocations.load();
  for (int i = 0; i < 200000; ++i) {
    text.Next(i % 2 == 0);
    const absl::StatusOr<KmsKeyId> id = KmsKeyId::Parse(text.key_id());
    const absl::StatusOr<KmsKeyRef> ref = KmsKeyRef::Parse(text.key_id());
    parsed += id.ok() && ref.ok() && ref->key_id() == *id;
  }
  const int64_t made = allocations.load() - before;
  EXPECT_EQ(parsed, 200000);
  EXPECT_EQ(made, 0);
}

// Key ARNs hold their key id, account and Region inline: once parsed (the Region check may use
// the heap while it runs), nothing of the call remains on the heap.
TEST(KmsKeyIdHeap, ID_12_ParsingDistinctArnsKeepsNothing) {
  KeyText text(23);
  int parsed = 0;
  const int64_t before = live_blocks.load();
  for (int i = 0; i < 200000; ++i) {
    text.Next(i % 2 == 0);
    const absl::StatusOr<KmsKeyArn> arn = KmsKeyArn::Parse(text.arn());
    const absl::StatusOr<KmsKeyRef> ref = KmsKeyRef::Parse(text.arn());
    parsed += arn.ok() && ref.ok() && ref->key_arn() == *arn;
  }
  const int64_t left = live_blocks.load() - before;
  EXPECT_EQ(parsed, 200000);
  EXPECT_EQ(left, 0);
}

// A call refuses a key after parsing its id (another account's key, a dry run): whatever the id
// was, once the values are gone nothing of them remains; nor of ids refused as malformed.
TEST(KmsKeyIdHeap, ID_12_DroppedAndRejectedIdsLeaveNothingBehind) {
  KeyText text(22);
  int rejected = 0;
  const int64_t before = live_blocks.load();
  for (int i = 0; i < 20000; ++i) {
    text.Next(i % 2 == 1);
    const std::string good(text.key_id());
    std::string bad = good;
    bad[bad.size() - 1] = 'G';
    rejected += !KmsKeyId::Parse(bad).ok() && !KmsKeyRef::Parse(bad).ok() &&
                !KmsKeyArn::Parse(absl::StrCat(KeyText::kPrefix, bad)).ok() &&
                KmsKeyRef::Parse(good).ok();
  }
  const int64_t left = live_blocks.load() - before;
  EXPECT_EQ(rejected, 20000);
  EXPECT_EQ(left, 0);
}

// An operation's typed parameter given as a value holds no text and parses nothing: making and
// decoding Input<T> from an id, key reference or Region allocates nothing.
TEST(KmsKeyIdHeap, InputGivenAValueAllocatesNothing) {
  KeyText text(24);
  text.Next(false);
  const KmsKeyRef ref = KmsKeyRef::Parse(text.arn()).value();
  const Region region = Region::Parse("eu-west-3").value();
  int decoded = 0;
  const int64_t before = allocations.load();
  for (uint32_t i = 0; i < 100000; ++i) {
    const Input<ImageId> image(ImageId::Long(i, 1));
    const Input<KmsKeyRef> key(ref);
    const Input<Region> where(region);
    decoded += image.Decode().ok() && key.Decode().ok() && where.Decode().ok() &&
               !image.is_text();
  }
  const int64_t made = allocations.load() - before;
  EXPECT_EQ(decoded, 100000);
  EXPECT_EQ(made, 0);
}

}  // namespace
}  // namespace ami
