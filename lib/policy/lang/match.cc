// Globs, CIDRs and the names of the policy language's parts (document.h).
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "policy/lang/condition.h"
#include "policy/lang/document.h"

namespace ami::lang {
namespace {

// True when pattern[i] is a wildcard: `*` or `?` that `literal` (empty, or one flag per pattern
// character) does not mark as literal.
bool IsWild(absl::string_view pattern, const std::vector<bool>* literal, size_t i, char w) {
  return pattern[i] == w && (literal == nullptr || !(*literal)[i]);
}

// One backtracking point (the last `*`): each `*` restarts the scan at most once per value
// position, so the work is O(pattern × value) and never exponential.
bool MatchGlob(absl::string_view pattern, const std::vector<bool>* literal,
               absl::string_view value) {
  size_t p = 0, v = 0;
  size_t star = absl::string_view::npos, star_v = 0;
  while (v < value.size()) {
    if (p < pattern.size() && IsWild(pattern, literal, p, '*')) {
      star = p++;
      star_v = v;
    } else if (p < pattern.size() &&
               (IsWild(pattern, literal, p, '?') || pattern[p] == value[v])) {
      ++p;
      ++v;
    } else if (star != absl::string_view::npos) {
      p = star + 1;
      v = ++star_v;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && IsWild(pattern, literal, p, '*')) ++p;
  return p == pattern.size();
}

// A decimal number of 1..3 digits up to 255, without leading zeros.
std::optional<uint8_t> ParseOctet(absl::string_view s) {
  if (s.empty() || s.size() > 3 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v > 255) return std::nullopt;
  return static_cast<uint8_t>(v);
}

// Dotted-quad IPv4 into out[0..3].
bool ParseIpv4(absl::string_view s, uint8_t* out) {
  for (int i = 0; i < 4; ++i) {
    size_t dot = i < 3 ? s.find('.') : s.size();
    if (dot == absl::string_view::npos) return false;
    std::optional<uint8_t> octet = ParseOctet(s.substr(0, dot));
    if (!octet) return false;
    out[i] = *octet;
    s.remove_prefix(i < 3 ? dot + 1 : dot);
  }
  return s.empty();
}

// 1..4 hex digits.
std::optional<uint16_t> ParseHexGroup(absl::string_view s) {
  if (s.empty() || s.size() > 4) return std::nullopt;
  uint16_t v = 0;
  for (char c : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    int d = absl::ascii_isdigit(static_cast<unsigned char>(c)) ? c - '0'
                                                                : absl::ascii_tolower(c) - 'a' + 10;
    v = static_cast<uint16_t>(v * 16 + d);
  }
  return v;
}

// Colon-separated groups (no `::`) into bytes; the last may be a dotted quad when `allow_v4`.
// Returns the number of bytes written, or -1.
int ParseGroups(absl::string_view s, bool allow_v4, uint8_t* out, int max_bytes) {
  if (s.empty()) return 0;
  int n = 0;
  while (true) {
    size_t colon = s.find(':');
    absl::string_view group = s.substr(0, colon);
    if (colon == absl::string_view::npos && allow_v4 && group.find('.') != group.npos) {
      if (n + 4 > max_bytes || !ParseIpv4(group, out + n)) return -1;
      return n + 4;
    }
    std::optional<uint16_t> g = ParseHexGroup(group);
    if (!g || n + 2 > max_bytes) return -1;
    out[n++] = static_cast<uint8_t>(*g >> 8);
    out[n++] = static_cast<uint8_t>(*g & 0xff);
    if (colon == absl::string_view::npos) return n;
    s.remove_prefix(colon + 1);
  }
}

// An IPv6 address with at most one `::` and optionally a trailing dotted quad.
bool ParseIpv6(absl::string_view s, std::array<uint8_t, 16>* out) {
  out->fill(0);
  size_t gap = s.find("::");
  if (gap == absl::string_view::npos) return ParseGroups(s, true, out->data(), 16) == 16;
  absl::string_view head = s.substr(0, gap), tail = s.substr(gap + 2);
  if (tail.find("::") != tail.npos) return false;
  std::array<uint8_t, 16> back{};
  int h = ParseGroups(head, false, out->data(), 14);
  int t = ParseGroups(tail, true, back.data(), 14);
  if (h < 0 || t < 0 || h + t > 14) return false;
  for (int i = 0; i < t; ++i) (*out)[16 - t + i] = back[i];
  return true;
}

}  // namespace

ArnParts SplitArnParts(absl::string_view arn, bool pattern) {
  ArnParts out;
  while (out.count < 6) {
    const size_t colon = out.count < 5 ? arn.find(':') : absl::string_view::npos;
    const absl::string_view part = arn.substr(0, colon);
    out.parts[out.count] = std::string(part);
    out.kinds[out.count] = !pattern                                    ? ArnParts::Kind::kLiteral
                           : part == "*"                               ? ArnParts::Kind::kAny
                           : part.find_first_of("*?") != part.npos     ? ArnParts::Kind::kGlob
                                                                       : ArnParts::Kind::kLiteral;
    ++out.count;
    if (colon == absl::string_view::npos) break;
    arn.remove_prefix(colon + 1);
  }
  return out;
}

bool ArnPartsMatch(const ArnParts& pattern, const ArnParts& value) {
  if (pattern.count != value.count) return false;
  for (uint8_t i = 0; i < pattern.count; ++i) {
    switch (pattern.kinds[i]) {
      case ArnParts::Kind::kAny:
        break;
      case ArnParts::Kind::kLiteral:
        if (pattern.parts[i] != value.parts[i]) return false;
        break;
      case ArnParts::Kind::kGlob:
        if (!MatchGlob(pattern.parts[i], nullptr, value.parts[i])) return false;
        break;
    }
  }
  return true;
}

bool GlobMatch(absl::string_view pattern, absl::string_view value) {
  return MatchGlob(pattern, nullptr, value);
}

bool GlobMatch(absl::string_view pattern, const std::vector<bool>& literal,
               absl::string_view value) {
  if (literal.size() != pattern.size()) return MatchGlob(pattern, nullptr, value);
  return MatchGlob(pattern, &literal, value);
}

std::optional<Cidr> ParseCidr(absl::string_view text) {
  absl::string_view address = text, prefix;
  bool has_prefix = false;
  if (size_t slash = text.find('/'); slash != absl::string_view::npos) {
    address = text.substr(0, slash);
    prefix = text.substr(slash + 1);
    has_prefix = true;
  }
  Cidr cidr;
  bool v4 = address.find(':') == absl::string_view::npos;
  if (v4) {
    cidr.bytes[10] = cidr.bytes[11] = 0xff;
    if (!ParseIpv4(address, cidr.bytes.data() + 12)) return std::nullopt;
  } else if (!ParseIpv6(address, &cidr.bytes)) {
    return std::nullopt;
  }
  int max = v4 ? 32 : 128;
  int bits = max;
  if (has_prefix) {
    if (prefix.empty() || prefix.size() > 3) return std::nullopt;
    for (char c : prefix) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    }
    if (!absl::SimpleAtoi(prefix, &bits) || bits > max) return std::nullopt;
  }
  cidr.prefix = v4 ? bits + 96 : bits;
  return cidr;
}

bool CidrContains(const Cidr& network, const Cidr& address) {
  if (address.prefix < network.prefix) return false;
  int full = network.prefix / 8, rest = network.prefix % 8;
  for (int i = 0; i < full; ++i) {
    if (network.bytes[i] != address.bytes[i]) return false;
  }
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (network.bytes[full] & mask) == (address.bytes[full] & mask);
}

absl::string_view ConditionOpName(ConditionOp op) {
  switch (op) {
    case ConditionOp::kStringEquals: return "StringEquals";
    case ConditionOp::kStringNotEquals: return "StringNotEquals";
    case ConditionOp::kStringEqualsIgnoreCase: return "StringEqualsIgnoreCase";
    case ConditionOp::kStringNotEqualsIgnoreCase: return "StringNotEqualsIgnoreCase";
    case ConditionOp::kStringLike: return "StringLike";
    case ConditionOp::kStringNotLike: return "StringNotLike";
    case ConditionOp::kNumericEquals: return "NumericEquals";
    case ConditionOp::kNumericNotEquals: return "NumericNotEquals";
    case ConditionOp::kNumericLessThan: return "NumericLessThan";
    case ConditionOp::kNumericLessThanEquals: return "NumericLessThanEquals";
    case ConditionOp::kNumericGreaterThan: return "NumericGreaterThan";
    case ConditionOp::kNumericGreaterThanEquals: return "NumericGreaterThanEquals";
    case ConditionOp::kDateEquals: return "DateEquals";
    case ConditionOp::kDateNotEquals: return "DateNotEquals";
    case ConditionOp::kDateLessThan: return "DateLessThan";
    case ConditionOp::kDateLessThanEquals: return "DateLessThanEquals";
    case ConditionOp::kDateGreaterThan: return "DateGreaterThan";
    case ConditionOp::kDateGreaterThanEquals: return "DateGreaterThanEquals";
    case ConditionOp::kBool: return "Bool";
    case ConditionOp::kBinaryEquals: return "BinaryEquals";
    case ConditionOp::kIpAddress: return "IpAddress";
    case ConditionOp::kNotIpAddress: return "NotIpAddress";
    case ConditionOp::kArnEquals: return "ArnEquals";
    case ConditionOp::kArnLike: return "ArnLike";
    case ConditionOp::kArnNotEquals: return "ArnNotEquals";
    case ConditionOp::kArnNotLike: return "ArnNotLike";
    case ConditionOp::kNull: return "Null";
  }
  return "Unknown";
}

bool IsNegated(ConditionOp op) {
  switch (op) {
    case ConditionOp::kStringNotEquals:
    case ConditionOp::kStringNotEqualsIgnoreCase:
    case ConditionOp::kStringNotLike:
    case ConditionOp::kNumericNotEquals:
    case ConditionOp::kDateNotEquals:
    case ConditionOp::kNotIpAddress:
    case ConditionOp::kArnNotEquals:
    case ConditionOp::kArnNotLike:
      return true;
    default:
      return false;
  }
}

std::string ConditionText(const Condition& c) {
  absl::string_view set = c.set == SetQualifier::kForAnyValue    ? "ForAnyValue:"
                          : c.set == SetQualifier::kForAllValues ? "ForAllValues:"
                                                                 : "";
  return absl::StrCat(set, ConditionOpName(c.op), c.if_exists ? "IfExists" : "", " ", c.key,
                      " [", absl::StrJoin(c.values, ", "), "]");
}

absl::string_view PolicyKindName(PolicyKind kind) {
  switch (kind) {
    case PolicyKind::kIdentity: return "identity policy";
    case PolicyKind::kBoundary: return "permissions boundary";
    case PolicyKind::kServiceControl: return "service control policy";
    case PolicyKind::kKeyPolicy: return "key policy";
  }
  return "policy";
}

std::string Statement::Name() const {
  std::string name = absl::StrCat("statement ", index + 1);
  if (!sid.empty()) absl::StrAppend(&name, " (Sid ", sid, ")");
  return name;
}

}  // namespace ami::lang
