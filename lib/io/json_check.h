// One linear pass over JSON text before protobuf decodes it. Internal to libami.
//
// protobuf's JSON parser takes time that grows with the square of the nesting depth, reads
// "yes" as true, builds a message for every object of a known field however small its text, and
// names fields by their protobuf names in its errors. CheckJson() refuses, before protobuf sees
// the text: nesting deeper than kMaxJsonDepth and text whose decoded message would take more than
// kMaxJsonDecodeFactor times its size (plus kJsonDecodeAllowanceBytes) — ResourceLimitExceeded;
// NUL characters, invalid UTF-8 and text that is not JSON — SerializationException; a value of
// the wrong JSON type for its field (a bool field that holds anything but true, false, "true" or
// "false", a string field a number, a list field an object, an integer field a fraction or a
// number out of its range, …) — InvalidParameterValue naming its path by the JSON names
// (`KeyMetadata.CreationDate`). A timestamp field (IsTimeField) may hold a JSON number of epoch
// seconds, as AWS CLI v1 prints them: CheckJson() turns it into ISO 8601 text (JsonShape::
// replacements, applied by Rewrite()); a negative one, one after 9999-12-31T23:59:59Z and NaN or
// Infinity are InvalidParameterValue naming the path. Thread-safe: pure functions.
#ifndef AMI_LIB_JSON_CHECK_H_
#define AMI_LIB_JSON_CHECK_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace ami::json_check {

struct JsonCheckOptions {
  // What the text is, for messages: "cannot decode <what>: …".
  std::string what = "json";
  // The message the text decodes into, whose bool fields are checked and whose size is
  // estimated; nullptr for text decoded without a schema (a google.protobuf.Struct).
  const google::protobuf::Descriptor* message = nullptr;
  // Keep the keys of the top-level object (JsonShape::keys), or for a top-level array the
  // byte range of each element and the keys of its first object element.
  bool keep_top_level_keys = false;
  // Read NaN, Infinity and -Infinity as numbers, as Python's json module prints them, so that a
  // later pass with the schema can name the field that holds one.
  bool allow_non_finite = false;
};

// Text of the checked document to be replaced before protobuf decodes it.
struct JsonReplacement {
  size_t begin = 0;  // byte offset of the first byte replaced
  size_t end = 0;    // one past the last byte replaced
  std::string text;
};

// What the pass found.
struct JsonShape {
  // The text is one JSON object.
  bool is_object = false;
  // The text is one JSON array.
  bool is_array = false;
  // The top-level object's keys, in text order, or those of a top-level array's first object
  // element (JsonCheckOptions::keep_top_level_keys).
  std::vector<std::string> keys;
  // A top-level array's elements: the byte range [first, second) of each, in order
  // (JsonCheckOptions::keep_top_level_keys).
  std::vector<std::pair<size_t, size_t>> elements;
  // Epoch-second numbers in timestamp fields, as ISO 8601 strings, in text order.
  std::vector<JsonReplacement> replacements;
  // The bytes the decoded message is estimated to take: each message object of a known field
  // at its default instance's size, each string at its std::string, each repeated element at
  // its slot. Text under unknown keys, which protobuf skips, counts nothing.
  size_t decoded_bytes = 0;
};

// Checks `text` as the header says.
absl::StatusOr<JsonShape> CheckJson(absl::string_view text, const JsonCheckOptions& options);

// The most bytes a decoded message of `text_bytes` bytes of JSON may take.
size_t JsonDecodeBudget(size_t text_bytes);

// True for the string fields that hold a timestamp: CreationDate and DeletionDate of a KMS key,
// StartTime of a snapshot, CreationDate, DeprecationTime and LastLaunchedTime of an image and
// LaunchTime and LastRebootTime of an instance.
bool IsTimeField(const google::protobuf::FieldDescriptor* field);

// The latest time epoch seconds may name: 9999-12-31T23:59:59Z.
inline constexpr int64_t kMaxEpochSeconds = 253402300799;

// `text` with `shape.replacements` applied.
std::string Rewrite(absl::string_view text, const JsonShape& shape);

// CheckJson() with `options` (whose `message` is out's type, or nullptr for a
// google.protobuf.Struct), then protobuf's JSON parser, ignoring unknown fields, on the text with
// the replacements applied. A failure of the parser is SerializationException "cannot decode
// <what>: <JSON path>: …".
absl::Status DecodeChecked(absl::string_view text, const JsonCheckOptions& options,
                           google::protobuf::Message* out);

// A protobuf JSON parser message that starts with a field path in protobuf names
// ("(images[0].block_device_mappings[0].ebs): …") with the path in the JSON names of `message`
// ("Images[0].BlockDeviceMappings[0].Ebs: …"); any other message as it is.
std::string WithJsonPath(const google::protobuf::Descriptor* message, absl::string_view text);

}  // namespace ami::json_check

#endif  // AMI_LIB_JSON_CHECK_H_
