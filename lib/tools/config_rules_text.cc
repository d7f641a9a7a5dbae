#include "tools/config_rules_text.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ami::config_text {
namespace {

std::string Quoted(const std::vector<std::string>& items) {
  return absl::StrCat("`", absl::StrJoin(items, "`, `"), "`");
}

}  // namespace

absl::flat_hash_set<ImageId> ApprovedIds(const ConfigRule& rule) {
  return absl::flat_hash_set<ImageId>(rule.ami_ids().begin(), rule.ami_ids().end());
}

std::string ApprovedIdsText(const ConfigRule& rule) {
  std::vector<std::string> ids;
  for (const ImageId id : rule.ami_ids()) ids.push_back(id.ToString());
  return Quoted(ids);
}

std::vector<policy::ApprovedTagEntry> TagEntries(const ConfigRule& rule) {
  std::vector<policy::ApprovedTagEntry> out;
  for (const ApprovedTag& t : rule.approved_tags()) out.push_back({t.key, t.value});
  return out;
}

std::string TagEntriesText(const ConfigRule& rule) {
  std::vector<std::string> entries;
  for (const ApprovedTag& t : rule.approved_tags()) {
    entries.push_back(t.value.has_value() ? absl::StrCat(t.key, ":", *t.value) : t.key);
  }
  return Quoted(entries);
}

uint32_t StateBits(const ConfigRule& rule) {
  uint32_t bits = 0;
  for (const InstanceState st : rule.instance_states()) bits |= 1u << static_cast<unsigned>(st);
  return bits;
}

std::string OutOfScopeText(const ConfigRule& rule, InstanceState state) {
  const std::string names =
      absl::StrJoin(rule.instance_states(), ", ", [](std::string* out, InstanceState st) {
        absl::StrAppend(out, ToString(st));
      });
  return absl::StrCat("the instance is ", ToString(state), ", a state InstanceStateNameList (",
                      names, ") leaves out");
}

}  // namespace ami::config_text
