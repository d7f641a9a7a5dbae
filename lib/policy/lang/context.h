// The request context a policy is evaluated against. Internal to libami.
//
// A context names the principal, the action and the resource, and holds the condition keys'
// values. Every key is in one of three states: present (one or more values), known to be absent
// (the operation does not carry it, or carries a complete set — every tag of the resource — and
// this one is not among them), or unknown: a fact the model does not hold offline (aws:SourceIp,
// aws:MultiFactorAuthPresent, any key nobody set). Unknown never allows: a condition on an
// unknown key neither lets an Allow apply nor keeps a Deny from applying, and is reported as a
// residual condition. A caller may supply values for such keys to get a definite answer.
// Thread-safe: a value.
#ifndef AMI_LIB_POLICY_LANG_CONTEXT_H_
#define AMI_LIB_POLICY_LANG_CONTEXT_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"

namespace ami::lang {

// What a condition key holds in a context.
struct KeyLookup {
  enum class State : uint8_t { kPresent, kAbsent, kUnknown };
  State state = State::kUnknown;
  const std::vector<std::string>* values = nullptr;  // when present
};

class RequestContext {
 public:
  // The calling principal's ARN (arn:aws:iam::<account>:root for the account itself,
  // …:user/…, …:role/…, arn:aws:sts::…:assumed-role/…), its account (12 digits), and for a
  // service acting on its own behalf, its service principal ("ec2.amazonaws.com").
  std::string principal_arn;
  std::string principal_account;
  std::string service_principal;
  // The action, for example "ec2:RunInstances", and the resource's ARN ("*" for none).
  std::string action;
  std::string resource;

  // Sets a key (case-insensitive name) to one or several values; replaces any earlier value.
  void Set(absl::string_view key, std::string value);
  void SetMany(absl::string_view key, std::vector<std::string> values);
  // Declares a key absent: the request does not carry it.
  void SetAbsent(absl::string_view key);
  // Declares that every key under `prefix` ("aws:ResourceTag/") that is not set is absent.
  void SetComplete(absl::string_view prefix);
  // Makes the key unknown again, whatever was set or declared for it.
  void Forget(absl::string_view key);

  // The key's state; `key_lower` is the lower-cased key name.
  KeyLookup Lookup(absl::string_view key_lower) const;

  // Keys set, for messages and tests.
  size_t size() const { return values_.size(); }

 private:
  absl::flat_hash_map<std::string, std::vector<std::string>> values_;
  absl::flat_hash_set<std::string> absent_;
  std::vector<std::string> complete_prefixes_;
  absl::flat_hash_set<std::string> forgotten_;
};

}  // namespace ami::lang

#endif  // AMI_LIB_POLICY_LANG_CONTEXT_H_
