#include "values/text_util.h"

#include "absl/strings/str_format.h"

namespace ami::text_util {

std::string Clip(absl::string_view text) {
  constexpr size_t kMax = 80;
  std::string out;
  size_t i = 0;
  while (i < text.size() && i < kMax) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const size_t n = c < 0x80 ? 1 : Utf8CharLength(text.substr(i));
    if (c < 0x20 || c == 0x7f || c == '`' || n == 0) {
      absl::StrAppendFormat(&out, "\\x%02x", c);
      ++i;
    } else if (i + n > kMax) {
      break;
    } else {
      out.append(text.data() + i, n);
      i += n;
    }
  }
  if (i < text.size()) out += "...";
  return out;
}

bool Glob(absl::string_view pattern, absl::string_view text) {
  size_t p = 0, t = 0, star = absl::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != absl::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

size_t Utf8CharLength(absl::string_view text) {
  if (text.empty()) return 0;
  const unsigned char c = static_cast<unsigned char>(text[0]);
  size_t extra;
  uint32_t cp;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) {
    extra = 1;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    extra = 2;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    extra = 3;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (text.size() <= extra) return 0;
  for (size_t k = 1; k <= extra; ++k) {
    const unsigned char cc = static_cast<unsigned char>(text[k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return extra + 1;
}

size_t InvalidTextAt(absl::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const size_t n = c == 0 ? 0 : c < 0x80 ? 1 : Utf8CharLength(text.substr(i));
    if (n == 0) return i;
    i += n;
  }
  return absl::string_view::npos;
}

int Utf8Length(absl::string_view text) {
  int count = 0;
  for (size_t i = 0; i < text.size(); ++count) {
    const size_t n = Utf8CharLength(text.substr(i));
    if (n == 0) return -1;
    i += n;
  }
  return count;
}

}  // namespace ami::text_util
