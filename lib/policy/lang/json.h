// A bounded JSON reader for policy documents. Internal to libami.
//
// Policies arrive as text (IAM, Organizations and KMS all take the document as a JSON string),
// often from files the user did not write. ParseJson() reads one JSON value with
// nlohmann::json's SAX parser, which keeps its own stack, into a small tree, and refuses:
// text over `max_bytes`, nesting deeper than `max_depth`, more than `max_nodes` values,
// duplicate object keys (the policy grammar forbids them) — each `MalformedPolicyDocument`
// with the reason. Thread-safe: a pure function.
#ifndef AMI_LIB_POLICY_LANG_JSON_H_
#define AMI_LIB_POLICY_LANG_JSON_H_

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ami::lang {

// One JSON value. Numbers keep their text ("123", "1.5e3"); strings are decoded UTF-8.
struct Json {
  enum class Kind : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  // The string's value, or the number as written.
  std::string text;
  // An array's values; an object's member values, in document order.
  std::vector<Json> items;
  // An object's member names, one per value in `items`; unique.
  std::vector<std::string> keys;

  // The member named `key` exactly, or nullptr.
  const Json* Find(absl::string_view key) const;
};

struct JsonLimits {
  size_t max_bytes = 131072;
  size_t max_depth = 16;
  size_t max_nodes = 20000;
};

// Reads `text` as one JSON value within `limits`.
absl::StatusOr<Json> ParseJson(absl::string_view text, const JsonLimits& limits = {});

// "a string", "an array", …: what a value is, for messages.
std::string JsonKindName(Json::Kind kind);

}  // namespace ami::lang

#endif  // AMI_LIB_POLICY_LANG_JSON_H_
