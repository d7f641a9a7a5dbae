// One linear pass over JSON text before protobuf decodes it. Internal to libami.
//
// protobuf's JSON parser takes time that grows with the square of the nesting depth, reads
// "yes" as true, and builds a message for every object of a known field however small its text.
// CheckJson() refuses, before protobuf sees the text: nesting deeper than kMaxJsonDepth and text
// whose decoded message would take more than kMaxJsonDecodeFactor times its size (plus
// kJsonDecodeAllowanceBytes) — ResourceLimitExceeded; NUL characters, invalid UTF-8 and text
// that is not JSON — SerializationException; a bool field that holds anything but true, false,
// "true" or "false" — InvalidParameterValue naming its path. Thread-safe: a pure function.
#ifndef AMI_LIB_JSON_CHECK_H_
#define AMI_LIB_JSON_CHECK_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace ami::json_check {

struct JsonCheckOptions {
  // What the text is, for messages: "cannot decode <what>: …".
  std::string what = "json";
  // The message the text decodes into, whose bool fields are checked and whose size is
  // estimated; nullptr for text decoded without a schema (a google.protobuf.Struct).
  const google::protobuf::Descriptor* message = nullptr;
  // Keep the keys of the top-level object (JsonShape::keys).
  bool keep_top_level_keys = false;
};

// What the pass found.
struct JsonShape {
  // The text is one JSON object.
  bool is_object = false;
  // The top-level object's keys, in text order (JsonCheckOptions::keep_top_level_keys).
  std::vector<std::string> keys;
  // The bytes the decoded message is estimated to take: each message object of a known field
  // at its default instance's size, each string at its std::string, each repeated element at
  // its slot. Text under unknown keys, which protobuf skips, counts nothing.
  size_t decoded_bytes = 0;
};

// Checks `text` as the header says.
absl::StatusOr<JsonShape> CheckJson(absl::string_view text, const JsonCheckOptions& options);

// The most bytes a decoded message of `text_bytes` bytes of JSON may take.
size_t JsonDecodeBudget(size_t text_bytes);

}  // namespace ami::json_check

#endif  // AMI_LIB_JSON_CHECK_H_
