// Policy text to a bounded JSON tree, with nlohmann::json's SAX parser (its own stack, so deep
// nesting cannot overflow ours; the handler stops it at the depth bound).
#include "policy/lang/json.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "values/choices.h"
#include "nlohmann/json.hpp"

namespace ami::lang {
namespace {

using nlohmann::json;

// Builds the tree; returning false stops the parser.
class TreeBuilder {
 public:
  explicit TreeBuilder(const JsonLimits& limits) : limits_(limits) {}

  bool null() { return Add(Json{}); }
  bool boolean(bool v) {
    Json j;
    j.kind = Json::Kind::kBool;
    j.boolean = v;
    return Add(std::move(j));
  }
  bool number_integer(json::number_integer_t v) { return Number(std::to_string(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return Number(std::to_string(v)); }
  bool number_float(json::number_float_t, const std::string& text) { return Number(text); }
  bool string(std::string& v) {
    Json j;
    j.kind = Json::Kind::kString;
    j.text = std::move(v);
    return Add(std::move(j));
  }
  bool binary(json::binary_t&) { return Fail("binary values are not JSON"); }
  bool start_object(size_t) { return Open(Json::Kind::kObject); }
  bool key(std::string& k) {
    Json& object = stack_.back();
    for (const std::string& key : object.keys) {
      if (key == k) return Fail(absl::StrCat("duplicate key \"", k, "\""));
    }
    pending_key_ = std::move(k);
    return true;
  }
  bool end_object() { return Close(); }
  bool start_array(size_t) { return Open(Json::Kind::kArray); }
  bool end_array() { return Close(); }
  bool parse_error(size_t position, const std::string&, const json::exception&) {
    return Fail(absl::StrCat("not JSON at byte ", position));
  }

  const std::string& error() const { return error_; }
  Json TakeRoot() { return std::move(root_); }

 private:
  bool Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }
  bool Number(std::string text) {
    Json j;
    j.kind = Json::Kind::kNumber;
    j.text = std::move(text);
    return Add(std::move(j));
  }
  bool Count() {
    if (++nodes_ > limits_.max_nodes) {
      return Fail(absl::StrCat("more than ", limits_.max_nodes, " values"));
    }
    return true;
  }
  // Places a finished value in its parent (or as the root).
  bool Add(Json value) {
    if (!Count()) return false;
    if (stack_.empty()) {
      root_ = std::move(value);
    } else if (stack_.back().kind == Json::Kind::kObject) {
      stack_.back().keys.push_back(std::move(pending_key_));
      stack_.back().items.push_back(std::move(value));
    } else {
      stack_.back().items.push_back(std::move(value));
    }
    return true;
  }
  bool Open(Json::Kind kind) {
    if (stack_.size() >= limits_.max_depth) {
      return Fail(absl::StrCat("nested deeper than ", limits_.max_depth, " levels"));
    }
    if (!Count()) return false;
    Json j;
    j.kind = kind;
    stack_.push_back(std::move(j));
    keys_.push_back(std::move(pending_key_));
    return true;
  }
  bool Close() {
    Json done = std::move(stack_.back());
    stack_.pop_back();
    pending_key_ = std::move(keys_.back());
    keys_.pop_back();
    --nodes_;  // Add counts it again
    return Add(std::move(done));
  }

  const JsonLimits& limits_;
  std::vector<Json> stack_;
  std::vector<std::string> keys_;
  std::string pending_key_;
  Json root_;
  size_t nodes_ = 0;
  std::string error_;
};

}  // namespace

const Json* Json::Find(absl::string_view key) const {
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys[i] == key) return &items[i];
  }
  return nullptr;
}

absl::StatusOr<Json> ParseJson(absl::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return MakeError(choices::kMalformedPolicy,
                     absl::StrCat("policy document of ", text.size(), " bytes: at most ",
                                  limits.max_bytes));
  }
  TreeBuilder builder(limits);
  const bool ok = json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json,
                                  /*strict=*/true, /*ignore_comments=*/false);
  if (!ok || !builder.error().empty()) {
    return MakeError(choices::kMalformedPolicy,
                     absl::StrCat("policy document: ",
                                  builder.error().empty() ? "not JSON" : builder.error()));
  }
  return builder.TakeRoot();
}

std::string JsonKindName(Json::Kind kind) {
  switch (kind) {
    case Json::Kind::kNull:
      return "null";
    case Json::Kind::kBool:
      return "a boolean";
    case Json::Kind::kNumber:
      return "a number";
    case Json::Kind::kString:
      return "a string";
    case Json::Kind::kArray:
      return "an array";
    case Json::Kind::kObject:
      return "an object";
  }
  return "a value";
}

}  // namespace ami::lang
