#include "io/json_check.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "ami/errors.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "values/choices.h"
#include "values/status_macros.h"
#include "values/text_util.h"

namespace ami::json_check {
namespace {

namespace pb = google::protobuf;

// A std::string, and a repeated field's slot for one element.
constexpr size_t kStringBytes = sizeof(std::string);
constexpr size_t kSlotBytes = sizeof(void*);

// A recursive-descent reader of RFC 8259 JSON that builds nothing; recursion is bounded by
// kMaxJsonDepth, checked on the way down.
class Scanner {
 public:
  Scanner(absl::string_view text, const JsonCheckOptions& options)
      : text_(text), options_(options) {}

  absl::StatusOr<JsonShape> Run();

 private:
  // A value of `field` (nullptr: no schema); `element`: one element of a repeated field. A
  // repeated field's list is entered with `element` false, and its elements are read with true.
  absl::Status Value(const pb::FieldDescriptor* field, bool element);
  // An object; `keep_keys` keeps its keys in shape_.keys.
  absl::Status Object(const pb::Descriptor* message, bool keep_keys);
  // The top-level array, with the range of each element (keep_top_level_keys).
  absl::Status TopArray();
  // A value of the wrong JSON type for `field`, which starts at pos_.
  absl::Status CheckType(const pb::FieldDescriptor* field);
  // A value of the wrong type at pos_, expected to be `expected`; a syntax error in it first.
  absl::Status Mismatch(absl::string_view expected);
  // A number, or a string holding one, for an integer field.
  absl::Status Integer(const pb::FieldDescriptor* field);
  // A timestamp field's value: a string, or a number of epoch seconds (rewritten as a string).
  absl::Status Time(size_t slot);
  // The list of a repeated field; Array() reads it, or any other array when `field` is nullptr.
  absl::Status List(const pb::FieldDescriptor* field);
  absl::Status Array(const pb::FieldDescriptor* field);
  // A bool field's value: true, false, "true" or "false".
  absl::Status Bool();
  // A string; its decoded text goes to `out` unless nullptr.
  absl::Status String(std::string* out);
  absl::Status Escape(std::string* out);
  absl::Status Number();
  absl::Status Word(absl::string_view word);
  absl::Status Enter();
  void SkipSpace();
  bool At(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  // A JSON number starts at pos_.
  bool AtNumber() const {
    return At('-') ||
           (pos_ < text_.size() && absl::ascii_isdigit(static_cast<unsigned char>(text_[pos_])));
  }
  absl::Status Expect(char c, absl::string_view expected);
  // The byte at pos_ is not what `expected` says: NUL, invalid UTF-8 or a syntax error.
  absl::Status Unexpected(absl::string_view expected) const;
  absl::Status Undecodable(absl::string_view what) const;
  std::string Path() const;
  size_t MessageBytes(const pb::Descriptor* message);
  // The field of `message` that protobuf's JSON parser reads `key` into (by JSON or proto name).
  const pb::FieldDescriptor* Field(const pb::Descriptor* message, const std::string& key);

  absl::string_view text_;
  const JsonCheckOptions& options_;
  size_t pos_ = 0;
  int depth_ = 0;
  JsonShape shape_;
  // The schema fields entered and, for repeated ones, the element index (-1 for none).
  std::vector<std::pair<const pb::FieldDescriptor*, int64_t>> path_;
  absl::flat_hash_map<const pb::Descriptor*, size_t> message_bytes_;
  absl::flat_hash_map<const pb::Descriptor*,
                      absl::flat_hash_map<std::string, const pb::FieldDescriptor*>>
      fields_;
  std::string key_;
};

// google.protobuf.Struct, Value and ListValue take any JSON: they are read without a schema.
bool IsWellKnown(const pb::Descriptor* message) {
  return message != nullptr && absl::StartsWith(message->full_name(), "google.protobuf.");
}

absl::StatusOr<JsonShape> Scanner::Run() {
  SkipSpace();
  const pb::Descriptor* message = IsWellKnown(options_.message) ? nullptr : options_.message;
  if (At('{')) {
    AMI_RETURN_IF_ERROR(Enter());
    shape_.is_object = true;
    if (message != nullptr) shape_.decoded_bytes += MessageBytes(message);
    AMI_RETURN_IF_ERROR(Object(message, options_.keep_top_level_keys));
  } else if (message != nullptr) {
    AMI_RETURN_IF_ERROR(Value(nullptr, false));  // A syntax error is reported first.
    return Undecodable("expected a json object");
  } else if (At('[') && options_.keep_top_level_keys) {
    AMI_RETURN_IF_ERROR(TopArray());
  } else {
    AMI_RETURN_IF_ERROR(Value(nullptr, false));
  }
  SkipSpace();
  if (pos_ != text_.size()) return Unexpected("the end of the text");
  return std::move(shape_);
}

absl::Status Scanner::Enter() {
  if (++depth_ > static_cast<int>(kMaxJsonDepth)) {
    return MakeError(choices::kInputTooLarge,
                     absl::StrCat("cannot decode ", options_.what, ": json nested more than ",
                                  kMaxJsonDepth, " deep, at byte ", pos_));
  }
  return absl::OkStatus();
}

absl::Status Scanner::Value(const pb::FieldDescriptor* field, bool element) {
  SkipSpace();
  if (pos_ >= text_.size()) return Unexpected("a value");
  const char c = text_[pos_];
  if (c == 'n') return Word("null");
  if (field != nullptr && field->is_map()) field = nullptr;  // An object of any keys.
  if (field != nullptr && field->is_repeated() && !element) {
    if (c == '[') return List(field);
    return Mismatch("a list");
  }
  const size_t slot = element ? kSlotBytes : 0;
  if (field != nullptr && field->type() == pb::FieldDescriptor::TYPE_BOOL) return Bool();
  if (field != nullptr && IsTimeField(field)) return Time(slot);
  if (field != nullptr) AMI_RETURN_IF_ERROR(CheckType(field));
  if (field != nullptr && field->cpp_type() >= pb::FieldDescriptor::CPPTYPE_INT32 &&
      field->cpp_type() <= pb::FieldDescriptor::CPPTYPE_UINT64) {
    shape_.decoded_bytes += slot;
    return Integer(field);
  }
  switch (c) {
    case '{': {
      AMI_RETURN_IF_ERROR(Enter());
      const pb::Descriptor* message = field != nullptr ? field->message_type() : nullptr;
      if (message != nullptr) shape_.decoded_bytes += slot + MessageBytes(message);
      if (IsWellKnown(message)) message = nullptr;
      AMI_RETURN_IF_ERROR(Object(message, false));
      --depth_;
      return absl::OkStatus();
    }
    case '[': {
      AMI_RETURN_IF_ERROR(Enter());
      AMI_RETURN_IF_ERROR(Array(nullptr));
      --depth_;
      return absl::OkStatus();
    }
    case '"': {
      const size_t start = pos_;
      AMI_RETURN_IF_ERROR(String(nullptr));
      if (field != nullptr && field->type() == pb::FieldDescriptor::TYPE_STRING) {
        const size_t length = pos_ - start - 2;
        shape_.decoded_bytes += slot + kStringBytes + (length > 15 ? length + 1 : 0);
      }
      return absl::OkStatus();
    }
    case 't': return Word("true");
    case 'f': return Word("false");
    default:
      shape_.decoded_bytes += field != nullptr ? slot : 0;
      return Number();
  }
}

absl::Status Scanner::Object(const pb::Descriptor* message, bool keep_keys) {
  ++pos_;  // '{'
  SkipSpace();
  if (At('}')) {
    ++pos_;
    return absl::OkStatus();
  }
  while (true) {
    SkipSpace();
    if (!At('"')) return Unexpected("a key");
    const bool keep = message != nullptr || keep_keys;
    key_.clear();
    AMI_RETURN_IF_ERROR(String(keep ? &key_ : nullptr));
    if (keep_keys) shape_.keys.push_back(key_);
    const pb::FieldDescriptor* field = message != nullptr ? Field(message, key_) : nullptr;
    SkipSpace();
    AMI_RETURN_IF_ERROR(Expect(':', "`:` after a key"));
    if (field != nullptr) path_.emplace_back(field, -1);
    AMI_RETURN_IF_ERROR(Value(field, false));
    if (field != nullptr) path_.pop_back();
    SkipSpace();
    if (At('}')) {
      ++pos_;
      return absl::OkStatus();
    }
    AMI_RETURN_IF_ERROR(Expect(',', "`,` or `}` in an object"));
  }
}

absl::Status Scanner::TopArray() {
  AMI_RETURN_IF_ERROR(Enter());
  shape_.is_array = true;
  ++pos_;  // '['
  SkipSpace();
  if (At(']')) {
    ++pos_;
    return absl::OkStatus();
  }
  while (true) {
    SkipSpace();
    const size_t start = pos_;
    if (At('{') && shape_.elements.empty()) {
      AMI_RETURN_IF_ERROR(Enter());
      AMI_RETURN_IF_ERROR(Object(nullptr, true));
      --depth_;
    } else {
      AMI_RETURN_IF_ERROR(Value(nullptr, false));
    }
    shape_.elements.emplace_back(start, pos_);
    SkipSpace();
    if (At(']')) break;
    AMI_RETURN_IF_ERROR(Expect(',', "`,` or `]` in an array"));
  }
  ++pos_;
  --depth_;
  return absl::OkStatus();
}

// What the value at `pos` is, for messages: "an object", "a list", or its text.
std::string Found(absl::string_view text, size_t pos) {
  switch (text[pos]) {
    case '{': return "an object";
    case '[': return "a list";
    default: {
      size_t end = pos;
      while (end < text.size() && end - pos < 40 && text[end] != ',' && text[end] != '}' &&
             text[end] != ']' && text[end] != '\n') {
        ++end;
      }
      return absl::StrCat("`", text_util::Clip(text.substr(pos, end - pos)), "`");
    }
  }
}

absl::Status Scanner::Mismatch(absl::string_view expected) {
  const std::string message = absl::StrCat(Path(), ": expected ", expected, ", not ",
                                           Found(text_, pos_));
  // Text that is not JSON at all is reported as such first.
  const std::vector<std::pair<const pb::FieldDescriptor*, int64_t>> path = path_;
  path_.clear();
  AMI_RETURN_IF_ERROR(Value(nullptr, false));
  path_ = path;
  return Undecodable(message);
}

absl::Status Scanner::CheckType(const pb::FieldDescriptor* field) {
  const char c = text_[pos_];
  switch (field->type()) {
    case pb::FieldDescriptor::TYPE_MESSAGE:
    case pb::FieldDescriptor::TYPE_GROUP:
      if (c == '{' || IsWellKnown(field->message_type())) return absl::OkStatus();
      return Mismatch("an object");
    case pb::FieldDescriptor::TYPE_STRING:
    case pb::FieldDescriptor::TYPE_BYTES:
      return c == '"' ? absl::OkStatus() : Mismatch("a string");
    default:
      return absl::OkStatus();
  }
}

// The range of values of an integer field.
std::pair<double, double> RangeOf(const pb::FieldDescriptor* field) {
  switch (field->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_INT32:
      return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
    case pb::FieldDescriptor::CPPTYPE_UINT32:
      return {0, std::numeric_limits<uint32_t>::max()};
    case pb::FieldDescriptor::CPPTYPE_UINT64:
      return {0, 9007199254740992.0};  // 2^53: exact in a double
    default:
      return {-9007199254740992.0, 9007199254740992.0};
  }
}

absl::Status Scanner::Integer(const pb::FieldDescriptor* field) {
  const size_t start = pos_;
  absl::string_view number;
  if (At('"')) {
    std::string text;
    AMI_RETURN_IF_ERROR(String(&text));
    number = text_.substr(start + 1, pos_ - start - 2);
    if (number.size() != text.size()) number = {};  // Escapes: not a number protobuf reads.
  } else if (AtNumber()) {
    AMI_RETURN_IF_ERROR(Number());
    number = text_.substr(start, pos_ - start);
  } else {
    return Mismatch("a whole number");
  }
  const auto [low, high] = RangeOf(field);
  double value = 0;
  if (!number.empty() && number.front() != '+' && absl::SimpleAtod(number, &value) &&
      std::isfinite(value) && value == std::floor(value) && value >= low && value <= high) {
    return absl::OkStatus();
  }
  pos_ = start;
  return Mismatch(absl::StrFormat("a whole number from %.0f to %.0f", low, high));
}

absl::Status Scanner::Time(size_t slot) {
  const size_t start = pos_;
  if (At('"')) {
    AMI_RETURN_IF_ERROR(String(nullptr));
    const size_t length = pos_ - start - 2;
    shape_.decoded_bytes += slot + kStringBytes + (length > 15 ? length + 1 : 0);
    return absl::OkStatus();
  }
  // Python's json module, which AWS CLI v1 uses, prints NaN and Infinity as bare words.
  for (absl::string_view word : {"NaN", "Infinity", "-Infinity"}) {
    if (text_.substr(pos_, word.size()) != word) continue;
    pos_ += word.size();
    break;
  }
  if (pos_ == start) {
    if (!AtNumber()) return Mismatch("a time (iso 8601 text or epoch seconds)");
    AMI_RETURN_IF_ERROR(Number());
  }
  const absl::string_view number = text_.substr(start, pos_ - start);
  double seconds = 0;
  if (!absl::SimpleAtod(number, &seconds) || !std::isfinite(seconds) || seconds < 0 ||
      seconds > static_cast<double>(kMaxEpochSeconds) || number.front() == '-') {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat(Path(), ": invalid time `", text_util::Clip(number),
                                  "`: expected iso 8601 text or epoch seconds from 0 to ",
                                  kMaxEpochSeconds));
  }
  const absl::Time t = absl::FromUnixMicros(static_cast<int64_t>(std::llround(seconds * 1e6)));
  shape_.replacements.push_back({start, pos_, absl::StrCat("\"", FormatAwsTime(t), "\"")});
  shape_.decoded_bytes += slot + kStringBytes + 32;
  return absl::OkStatus();
}

absl::Status Scanner::List(const pb::FieldDescriptor* field) {
  AMI_RETURN_IF_ERROR(Enter());
  AMI_RETURN_IF_ERROR(Array(field));
  --depth_;
  return absl::OkStatus();
}

absl::Status Scanner::Array(const pb::FieldDescriptor* field) {
  ++pos_;  // '['
  SkipSpace();
  if (At(']')) {
    ++pos_;
    return absl::OkStatus();
  }
  for (int64_t index = 0;; ++index) {
    if (field != nullptr) path_.back().second = index;
    AMI_RETURN_IF_ERROR(Value(field, true));
    SkipSpace();
    if (At(']')) break;
    AMI_RETURN_IF_ERROR(Expect(',', "`,` or `]` in an array"));
  }
  ++pos_;
  return absl::OkStatus();
}

absl::Status Scanner::Bool() {
  const size_t start = pos_;
  if (At('t')) return Word("true");
  if (At('f')) return Word("false");
  if (At('"')) {
    std::string text;
    AMI_RETURN_IF_ERROR(String(&text));
    if (text == "true" || text == "false") return absl::OkStatus();
  } else {
    AMI_RETURN_IF_ERROR(Value(nullptr, false));
  }
  return MakeError(choices::kInvalidValue,
                   absl::StrCat(Path(), ": expected true or false, not `",
                                text_util::Clip(text_.substr(start, pos_ - start)), "`"));
}

absl::Status Scanner::String(std::string* out) {
  ++pos_;  // '"'
  while (true) {
    if (pos_ >= text_.size()) return Undecodable("a string is not closed");
    const unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (c == '"') {
      ++pos_;
      return absl::OkStatus();
    }
    if (c == '\\') {
      AMI_RETURN_IF_ERROR(Escape(out));
      continue;
    }
    if (c < 0x20) return Unexpected("a character of a string");
    const size_t n = c < 0x80 ? 1 : text_util::Utf8CharLength(text_.substr(pos_));
    if (n == 0) return Unexpected("a character of a string");
    if (out != nullptr) out->append(text_.data() + pos_, n);
    pos_ += n;
  }
}

// Reads four hex digits at pos_ into `unit`.
bool Hex4(absl::string_view text, size_t pos, uint32_t* unit) {
  if (pos + 4 > text.size()) return false;
  *unit = 0;
  for (size_t i = pos; i < pos + 4; ++i) {
    const char c = text[i];
    const int d = c >= '0' && c <= '9' ? c - '0'
                  : c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0) return false;
    *unit = *unit * 16 + static_cast<uint32_t>(d);
  }
  return true;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

absl::Status Scanner::Escape(std::string* out) {
  ++pos_;  // '\'
  if (pos_ >= text_.size()) return Undecodable("a string is not closed");
  constexpr absl::string_view kSimple = "\"\\/bfnrt", kMeaning = "\"\\/\b\f\n\r\t";
  const size_t simple = kSimple.find(text_[pos_]);
  if (simple != absl::string_view::npos) {
    if (out != nullptr) out->push_back(kMeaning[simple]);
    ++pos_;
    return absl::OkStatus();
  }
  uint32_t cp = 0, low = 0;
  if (text_[pos_] != 'u' || !Hex4(text_, pos_ + 1, &cp)) return Unexpected("an escape");
  pos_ += 5;
  if (cp >= 0xD800 && cp <= 0xDBFF && text_.substr(pos_, 2) == "\\u" &&
      Hex4(text_, pos_ + 2, &low) && low >= 0xDC00 && low <= 0xDFFF) {
    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    pos_ += 6;
  } else if (cp >= 0xD800 && cp <= 0xDFFF) {
    return Undecodable(absl::StrCat("an unpaired surrogate \\u", absl::Hex(cp), " is not utf-8"));
  }
  if (cp == 0) return Undecodable(absl::StrCat("a nul character at byte ", pos_ - 6));
  if (out != nullptr) AppendUtf8(cp, out);
  return absl::OkStatus();
}

absl::Status Scanner::Number() {
  const size_t start = pos_;
  if (options_.allow_non_finite) {
    for (absl::string_view word : {"NaN", "Infinity", "-Infinity"}) {
      if (text_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        return absl::OkStatus();
      }
    }
  }
  auto digits = [this] {
    const size_t from = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    return pos_ > from;
  };
  if (At('-')) ++pos_;
  if (At('0')) {
    ++pos_;
  } else if (!digits()) {
    pos_ = start;
    return Unexpected("a value");
  }
  if (At('.')) {
    ++pos_;
    if (!digits()) return Unexpected("a digit");
  }
  if (At('e') || At('E')) {
    ++pos_;
    if (At('+') || At('-')) ++pos_;
    if (!digits()) return Unexpected("a digit");
  }
  return absl::OkStatus();
}

absl::Status Scanner::Word(absl::string_view word) {
  if (text_.substr(pos_, word.size()) != word) return Unexpected("a value");
  pos_ += word.size();
  return absl::OkStatus();
}

void Scanner::SkipSpace() {
  while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                 text_[pos_] == '\r' || text_[pos_] == '\t')) {
    ++pos_;
  }
}

absl::Status Scanner::Expect(char c, absl::string_view expected) {
  if (!At(c)) return Unexpected(expected);
  ++pos_;
  return absl::OkStatus();
}

absl::Status Scanner::Unexpected(absl::string_view expected) const {
  if (pos_ >= text_.size()) return Undecodable(absl::StrCat("the text ends where ", expected, " should be"));
  const unsigned char c = static_cast<unsigned char>(text_[pos_]);
  if (c == 0) return Undecodable(absl::StrCat("a nul byte at byte ", pos_));
  if (c >= 0x80 && text_util::Utf8CharLength(text_.substr(pos_)) == 0) {
    return Undecodable(absl::StrFormat("invalid utf-8 (byte 0x%02x) at byte %d", c, pos_));
  }
  return Undecodable(absl::StrCat("expected ", expected, " at byte ", pos_, ", found `",
                                  text_util::Clip(text_.substr(pos_, 16)), "`"));
}

absl::Status Scanner::Undecodable(absl::string_view what) const {
  return MakeError(choices::kUndecodableInput,
                   absl::StrCat("cannot decode ", options_.what, ": ", what));
}

std::string Scanner::Path() const {
  std::string out;
  for (const auto& [field, index] : path_) {
    absl::StrAppend(&out, out.empty() ? "" : ".", field->json_name());
    if (index >= 0) absl::StrAppend(&out, "[", index, "]");
  }
  return out;
}

size_t Scanner::MessageBytes(const pb::Descriptor* message) {
  auto [it, inserted] = message_bytes_.try_emplace(message, 0);
  if (inserted) {
    const pb::Message* prototype =
        pb::MessageFactory::generated_factory()->GetPrototype(message);
    it->second = prototype != nullptr ? prototype->SpaceUsedLong() : 0;
  }
  return it->second;
}

const pb::FieldDescriptor* Scanner::Field(const pb::Descriptor* message, const std::string& key) {
  auto [it, inserted] = fields_.try_emplace(message);
  if (inserted) {
    for (int i = 0; i < message->field_count(); ++i) {
      const pb::FieldDescriptor* field = message->field(i);
      it->second.emplace(field->json_name(), field);
      it->second.emplace(field->name(), field);
    }
  }
  const auto found = it->second.find(key);
  return found == it->second.end() ? nullptr : found->second;
}

}  // namespace

bool IsTimeField(const pb::FieldDescriptor* field) {
  // Looked up once: the check runs for every field of every record.
  static const auto* const kTimeFields = [] {
    auto* fields = new absl::flat_hash_set<const pb::FieldDescriptor*>();
    for (const char* name : {"ami.v1.KmsKey.creation_date", "ami.v1.KmsKey.deletion_date",
                             "ami.v1.Snapshot.start_time", "ami.v1.Image.creation_date",
                             "ami.v1.Image.deprecation_time", "ami.v1.Image.last_launched_time",
                             "ami.v1.Instance.launch_time", "ami.v1.Instance.last_reboot_time"}) {
      const pb::FieldDescriptor* f = pb::DescriptorPool::generated_pool()->FindFieldByName(name);
      if (f != nullptr) fields->insert(f);
    }
    return fields;
  }();
  return kTimeFields->contains(field);
}

std::string Rewrite(absl::string_view text, const JsonShape& shape) {
  std::string out;
  out.reserve(text.size() + 32 * shape.replacements.size());
  size_t at = 0;
  for (const JsonReplacement& r : shape.replacements) {
    absl::StrAppend(&out, text.substr(at, r.begin - at), r.text);
    at = r.end;
  }
  absl::StrAppend(&out, text.substr(at));
  return out;
}

absl::Status DecodeChecked(absl::string_view text, const JsonCheckOptions& options,
                           pb::Message* out) {
  AMI_ASSIGN_OR_RETURN(const JsonShape shape, CheckJson(text, options));
  std::string rewritten;
  if (!shape.replacements.empty()) {
    rewritten = Rewrite(text, shape);
    text = rewritten;
  }
  pb::util::JsonParseOptions parse;
  parse.ignore_unknown_fields = true;
  const auto status =
      pb::util::JsonStringToMessage(pb::StringPiece(text.data(), text.size()), out, parse);
  if (status.ok()) return absl::OkStatus();
  return MakeError(choices::kUndecodableInput,
                   absl::StrCat("cannot decode ", options.what, ": ",
                                text_util::Clip(WithJsonPath(out->GetDescriptor(),
                                                             std::string(status.message())))));
}

std::string WithJsonPath(const pb::Descriptor* message, absl::string_view text) {
  const size_t close = text.find("): ");
  if (!absl::StartsWith(text, "(") || close == absl::string_view::npos) return std::string(text);
  std::vector<std::string> parts;
  for (absl::string_view part : absl::StrSplit(text.substr(1, close - 1), '.')) {
    const size_t bracket = part.find('[');
    const absl::string_view name = part.substr(0, bracket);
    const pb::FieldDescriptor* field =
        message == nullptr ? nullptr : message->FindFieldByName(std::string(name));
    if (field == nullptr) return std::string(text);  // Not a path of `message`.
    parts.push_back(absl::StrCat(field->json_name(),
                                 bracket == absl::string_view::npos ? "" : part.substr(bracket)));
    message = field->message_type();
  }
  return absl::StrCat(absl::StrJoin(parts, "."), text.substr(close + 1));
}

size_t JsonDecodeBudget(size_t text_bytes) {
  return kJsonDecodeAllowanceBytes + kMaxJsonDecodeFactor * text_bytes;
}

absl::StatusOr<JsonShape> CheckJson(absl::string_view text, const JsonCheckOptions& options) {
  AMI_ASSIGN_OR_RETURN(JsonShape shape, Scanner(text, options).Run());
  if (shape.decoded_bytes > JsonDecodeBudget(text.size())) {
    return MakeError(choices::kInputTooLarge,
                     absl::StrCat("cannot decode ", options.what, ": its ", text.size(),
                                  " bytes would take about ", shape.decoded_bytes,
                                  " bytes decoded, more than the limit of ",
                                  JsonDecodeBudget(text.size()), " (",
                                  kMaxJsonDecodeFactor, " times its size and ",
                                  kJsonDecodeAllowanceBytes, ")"));
  }
  return shape;
}

}  // namespace ami::json_check
