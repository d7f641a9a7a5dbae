// amictl explain --batch: JSON lines of questions in, JSON lines of decisions out, in order.
#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ami/errors.h"
#include "cli.h"
#include "explain.h"

namespace amictl {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// The deepest nesting a question line may have: an object holding the context object.
constexpr int kMaxQuestionDepth = 2;

// Reads one line of `in` into `line` without its end ("\n" or "\r\n"), keeping at most
// kMaxBatchLineBytes of it; `too_long` says more was skipped. False at the end of the input.
bool ReadLine(std::FILE* in, std::string* line, bool* too_long) {
  line->clear();
  *too_long = false;
  bool any = false;
  for (int c = std::getc(in); c != EOF; c = std::getc(in)) {
    any = true;
    if (c == '\n') break;
    if (line->size() < kMaxBatchLineBytes) {
      line->push_back(static_cast<char>(c));
    } else {
      *too_long = true;
    }
  }
  if (!*too_long && !line->empty() && line->back() == '\r') line->pop_back();
  return any;
}

// The deepest nesting of objects and arrays in `text`, brackets inside strings not counted.
int Depth(std::string_view text) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return deepest;
}

absl::Status Invalid(ami::ErrorCode code, const std::string& message) {
  return ami::MakeError(code, message);
}

absl::Status SetContext(const json& value, Question* q) {
  if (!value.is_object()) {
    return Invalid(ami::ErrorCode::kInvalidParameterValue,
                   "`context` must be an object of strings");
  }
  for (const auto& [key, v] : value.items()) {
    if (!v.is_string() || key.empty()) {
      return Invalid(ami::ErrorCode::kInvalidParameterValue,
                     absl::StrCat("`context` key `", key, "` must have a string value"));
    }
    q->context.push_back({key, v.get<std::string>()});
  }
  return absl::OkStatus();
}

absl::Status MustBeString(const std::string& key) {
  return Invalid(ami::ErrorCode::kInvalidParameterValue,
                 absl::StrCat("`", key, "` must be a string"));
}

// Sets the question's field `key` from `value`.
absl::Status SetField(const std::string& key, const json& value, Question* q) {
  static const std::pair<const char*, std::string Question::*> kRequired[] = {
      {"as", &Question::as},
      {"region", &Question::region},
      {"action", &Question::action},
      {"image", &Question::image}};
  static const std::pair<const char*, std::optional<std::string> Question::*> kOptional[] = {
      {"source_region", &Question::source_region},
      {"name", &Question::name},
      {"with", &Question::with},
      {"kms_key", &Question::kms_key},
      {"principal", &Question::principal}};
  if (key == "context") return SetContext(value, q);
  if (key == "encrypted") {
    if (!value.is_boolean())
      return Invalid(ami::ErrorCode::kInvalidParameterValue, "`encrypted` must be true or false");
    q->encrypted = value.get<bool>();
    return absl::OkStatus();
  }
  for (const auto& [name, member] : kRequired) {
    if (key != name) continue;
    if (!value.is_string()) return MustBeString(key);
    q->*member = value.get<std::string>();
    return absl::OkStatus();
  }
  for (const auto& [name, member] : kOptional) {
    if (key != name) continue;
    if (!value.is_string()) return MustBeString(key);
    q->*member = value.get<std::string>();
    return absl::OkStatus();
  }
  std::vector<std::string> names = {"context", "encrypted"};
  for (const auto& field : kRequired) names.push_back(field.first);
  for (const auto& field : kOptional) names.push_back(field.first);
  const auto near = Closest(key, names);
  return Invalid(ami::ErrorCode::kInvalidParameter,
                 near ? absl::StrFormat("unknown field `%s`; did you mean `%s`?", key, *near)
                      : absl::StrFormat("unknown field `%s`", key));
}

// The question on one line.
absl::StatusOr<Question> QuestionOfLine(const std::string& line) {
  if (Depth(line) > kMaxQuestionDepth) {
    return Invalid(ami::ErrorCode::kSerializationException,
                   absl::StrCat("nested deeper than ", kMaxQuestionDepth, " levels"));
  }
  json j;
  try {
    j = json::parse(line);
  } catch (const json::parse_error& e) {
    return Invalid(ami::ErrorCode::kSerializationException,
                   absl::StrCat("not JSON: error at byte ", e.byte));
  }
  if (!j.is_object()) return Invalid(ami::ErrorCode::kSerializationException, "not a JSON object");
  Question q;
  for (const auto& [key, value] : j.items()) {
    if (absl::Status s = SetField(key, value, &q); !s.ok()) return s;
  }
  for (const char* name : {"as", "region", "action", "image"}) {
    if (j.find(name) == j.end()) {
      return Invalid(ami::ErrorCode::kMissingParameter, absl::StrCat("missing `", name, "`"));
    }
  }
  return q;
}

// Prints one line's answer; returns its exit status.
int Answer(const ami::Cloud& cloud, size_t number, const absl::StatusOr<Question>& q,
           bool json_out) {
  absl::StatusOr<ami::Decision> d =
      q.ok() ? Decide(cloud, *q) : absl::StatusOr<ami::Decision>(q.status());
  if (!d.ok()) {
    const auto code = ami::GetErrorCode(d.status());
    const std::string name = code ? std::string(ami::ErrorCodeName(*code)) : "Error";
    if (json_out) {
      ordered_json out = {
          {"Line", number},
          {"Error", {{"Code", name}, {"Message", std::string(d.status().message())}}}};
      std::printf("%s\n", DumpJson(out).c_str());
    } else {
      std::printf("line %zu: error: %s: %s\n", number, name.c_str(),
                  std::string(d.status().message()).c_str());
    }
    return kUsage;
  }
  if (json_out) {
    ordered_json out = {{"Line", number}};
    out.update(DecisionJson(Describe(*q), *d));
    std::printf("%s\n", DumpJson(out).c_str());
  } else {
    std::printf("line %zu: %s: %s\n", number, Describe(*q).c_str(), d->Explain().c_str());
  }
  return d->allowed() ? kOk : kFailed;
}

}  // namespace

std::string DumpJson(const ordered_json& j, int indent) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

int ExplainBatch(const ami::Cloud& cloud, std::FILE* in, bool json_out) {
  bool denied = false, failed = false;
  std::string line;
  bool too_long = false;
  for (size_t number = 1; ReadLine(in, &line, &too_long); ++number) {
    if (!too_long && line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const absl::StatusOr<Question> q =
        too_long ? absl::StatusOr<Question>(Invalid(
                       ami::ErrorCode::kResourceLimitExceeded,
                       absl::StrCat("the line is longer than ", kMaxBatchLineBytes, " bytes")))
                 : QuestionOfLine(line);
    const int status = Answer(cloud, number, q, json_out);
    std::fflush(stdout);
    failed |= status == kUsage;
    denied |= status == kFailed;
  }
  return failed ? kUsage : denied ? kFailed : kOk;
}

}  // namespace amictl
