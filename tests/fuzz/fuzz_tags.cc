// Tag validation: the input is split into key/value pairs at NUL bytes (key, value, key, …).
// Properties: a valid set rebuilt from its own tags is equal to itself; With() and Without()
// keep a set valid; every tag of a set has a key of 1-128 characters.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "ami/attributes.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const std::vector<absl::string_view> parts = absl::StrSplit(input, '\0');
  std::vector<ami::Tag> tags;
  for (size_t i = 0; i + 1 < parts.size(); i += 2) {
    absl::StatusOr<ami::Tag> tag = ami::Tag::Create(std::string(parts[i]), std::string(parts[i + 1]));
    if (tag.ok()) tags.push_back(*std::move(tag));
  }
  for (const bool user : {false, true}) {
    const absl::StatusOr<ami::TagSet> set =
        user ? ami::TagSet::CreateUserTags(tags) : ami::TagSet::Create(tags);
    if (!set.ok()) continue;
    const absl::StatusOr<ami::TagSet> again = ami::TagSet::Create(set->tags());
    AMI_FUZZ_CHECK(again.ok() && *again == *set);
    for (const ami::Tag& t : *set) {
      AMI_FUZZ_CHECK(!t.key().empty());
      AMI_FUZZ_CHECK(set->Find(t.key()).has_value() && *set->Find(t.key()) == t.value());
    }
    const absl::StatusOr<ami::TagSet> merged = set->With(*set);
    AMI_FUZZ_CHECK(merged.ok() && *merged == *set);
    std::vector<std::string> keys;
    for (const ami::Tag& t : *set) keys.push_back(t.key());
    AMI_FUZZ_CHECK(set->Without(keys).empty());
  }
  return 0;
}
