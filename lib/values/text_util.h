// Small text helpers shared by the parsers. Internal to libami.
#ifndef AMI_LIB_TEXT_UTIL_H_
#define AMI_LIB_TEXT_UTIL_H_

#include <cstdint>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace ami::text_util {

// The value of a lowercase hex digit, or -1.
inline int LowerHexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Writes the low `digits` hex digits of `value`, lowercase, ending just before `end`.
inline void PutHex(char* end, uint64_t value, int digits) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (int i = 0; i < digits; ++i, value >>= 4) *--end = kDigits[value & 0xF];
}

// True when `text` is non-empty and only decimal digits.
inline bool AllDigits(absl::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// True when every character of `text` is in [a-z0-9].
inline bool AllLowerAlnum(absl::string_view text) {
  for (const char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

// `text` shortened for an error message: at most 80 bytes of it, with control bytes, backticks
// and bytes that are not valid UTF-8 escaped (\xNN), and never cut inside a character, so a
// hostile input cannot make a message huge, unprintable or invalid UTF-8.
std::string Clip(absl::string_view text);

// IAM-style wildcard match: `*` matches any run of characters, `?` any one character.
bool Glob(absl::string_view pattern, absl::string_view text);

// The number of Unicode code points in `text`, or -1 when it is not valid UTF-8.
int Utf8Length(absl::string_view text);

// The length in bytes (1-4) of the valid UTF-8 character that `text` starts with; 0 when `text`
// is empty or does not start with one (a stray or truncated byte, an overlong form, a surrogate).
size_t Utf8CharLength(absl::string_view text);

// The offset of the first NUL byte or byte that is not valid UTF-8 in `text`, or npos.
size_t InvalidTextAt(absl::string_view text);

}  // namespace ami::text_util

#endif  // AMI_LIB_TEXT_UTIL_H_
