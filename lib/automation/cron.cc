// Parsing the six fields of an AWS cron expression (EventBridge, EventBridge Scheduler, DLM and
// Image Builder share the grammar).
#include "automation/cron.h"

#include <bitset>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "ami/errors.h"
#include "values/status_macros.h"
#include "values/text_util.h"

namespace ami::internal {
namespace {

constexpr const char* kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr const char* kDayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

// One field's name, range, names (value = index + min) and whether it takes `/` steps.
struct FieldSpec {
  absl::string_view name;
  int min;
  int max;
  const char* const* names;
  bool steps;
};

constexpr FieldSpec kMinutes{"minutes", 0, 59, nullptr, true};
constexpr FieldSpec kHours{"hours", 0, 23, nullptr, true};
constexpr FieldSpec kDayOfMonth{"day-of-month", 1, 31, nullptr, true};
constexpr FieldSpec kMonth{"month", 1, 12, kMonthNames, true};
constexpr FieldSpec kDayOfWeek{"day-of-week", 1, 7, kDayNames, false};
constexpr FieldSpec kYear{"year", kCronFirstYear, kCronLastYear, nullptr, true};

// Bit v - spec.min is value v.
using ValueSet = std::bitset<256>;

absl::Status Bad(absl::string_view expression, absl::string_view problem) {
  return MakeError(ErrorCode::kInvalidParameterValue,
                   absl::StrCat("cron expression `", expression, "`: ", problem));
}

std::string RangeText(const FieldSpec& spec) {
  std::string text = absl::StrCat(spec.min, "-", spec.max);
  if (spec.names != nullptr) {
    absl::StrAppend(&text, " or ", spec.names[0], "-", spec.names[spec.max - spec.min]);
  }
  return text;
}

// A number or (for month and day-of-week) a case-insensitive name, within the field's range.
absl::StatusOr<int> ParseValue(const FieldSpec& spec, absl::string_view token,
                               absl::string_view expression) {
  int value = -1;
  if (text_util::AllDigits(token) && token.size() <= 4) {
    if (!absl::SimpleAtoi(token, &value)) value = -1;
  } else if (spec.names != nullptr && token.size() == 3) {
    const std::string upper = absl::AsciiStrToUpper(token);
    for (int i = 0; i <= spec.max - spec.min; ++i) {
      if (upper == spec.names[i]) value = spec.min + i;
    }
    if (value < 0) {
      return Bad(expression, absl::StrCat("the ", spec.name, " value `", token, "` is not one of ",
                                          RangeText(spec)));
    }
  } else {
    return Bad(expression, absl::StrCat("the ", spec.name, " value `", token,
                                        "` is not a number in ", RangeText(spec)));
  }
  if (value < spec.min || value > spec.max) {
    return Bad(expression, absl::StrCat("the ", spec.name, " value `", token, "` is outside ",
                                        RangeText(spec)));
  }
  return value;
}

// One list item: `*`, `a`, `a-b`, each optionally followed by `/n`.
absl::Status ParseItem(const FieldSpec& spec, absl::string_view item, absl::string_view expression,
                       ValueSet* set) {
  const size_t slash = item.find('/');
  absl::string_view base = item.substr(0, slash);
  int step = 1;
  if (slash != absl::string_view::npos) {
    if (!spec.steps) {
      return Bad(expression,
                 absl::StrCat("the ", spec.name, " field takes no `/` steps (`", item, "`)"));
    }
    const absl::string_view step_text = item.substr(slash + 1);
    const int span = spec.max - spec.min + 1;
    if (!text_util::AllDigits(step_text) || step_text.size() > 4 ||
        !absl::SimpleAtoi(step_text, &step) || step < 1 || step > span) {
      return Bad(expression, absl::StrCat("the ", spec.name, " step in `", item,
                                          "` is not a number in 1-", span));
    }
  }
  if (base.empty()) {
    return Bad(expression, absl::StrCat("the ", spec.name, " item `", item, "` has no value"));
  }
  int first = spec.min;
  int last = spec.max;
  if (base != "*") {
    const size_t dash = base.find('-');
    AMI_ASSIGN_OR_RETURN(first, ParseValue(spec, base.substr(0, dash), expression));
    if (dash != absl::string_view::npos) {
      AMI_ASSIGN_OR_RETURN(last, ParseValue(spec, base.substr(dash + 1), expression));
      if (last < first) {
        return Bad(expression,
                   absl::StrCat("the ", spec.name, " range `", base, "` runs backwards"));
      }
    } else if (slash == absl::string_view::npos) {
      last = first;
    }
  }
  for (int v = first; v <= last; v += step) set->set(v - spec.min);
  return absl::OkStatus();
}

// A comma-separated list of items.
absl::StatusOr<ValueSet> ParseList(const FieldSpec& spec, absl::string_view field,
                                   absl::string_view expression) {
  if (field == "?") {
    return Bad(expression, absl::StrCat("the ", spec.name,
                                        " field cannot be `?`; only the "
                                        "day-of-month and day-of-week fields can"));
  }
  ValueSet set;
  for (absl::string_view item : absl::StrSplit(field, ',')) {
    if (item.empty()) {
      return Bad(expression,
                 absl::StrCat("the ", spec.name, " field `", field, "` has an empty item"));
    }
    AMI_RETURN_IF_ERROR(ParseItem(spec, item, expression, &set));
  }
  return set;
}

// `L`, `W` and `#` stand alone in their field.
absl::Status CheckAlone(const FieldSpec& spec, absl::string_view field,
                        absl::string_view expression) {
  if (absl::StrContains(field, ',') || absl::StrContains(field, '/')) {
    return Bad(expression, absl::StrCat("the ", spec.name, " field `", field,
                                        "` combines `L`, `W` or `#` with other values; they "
                                        "stand alone"));
  }
  return absl::OkStatus();
}

// Day-of-month when it is not `?`: a list, `L` or `nW`.
absl::Status ParseDayOfMonth(absl::string_view field, absl::string_view expression,
                             CronFields* cron) {
  const bool special = absl::StrContains(field, 'L') || absl::StrContains(field, 'W') ||
                       absl::StrContains(field, 'l') || absl::StrContains(field, 'w');
  if (!special) {
    AMI_ASSIGN_OR_RETURN(const ValueSet set, ParseList(kDayOfMonth, field, expression));
    for (int d = 1; d <= 31; ++d) {
      if (set.test(d - 1)) cron->days |= uint32_t{1} << d;
    }
    cron->day_rule = CronDayRule::kDaysOfMonth;
    return absl::OkStatus();
  }
  AMI_RETURN_IF_ERROR(CheckAlone(kDayOfMonth, field, expression));
  const std::string upper = absl::AsciiStrToUpper(field);
  if (upper == "L") {
    cron->day_rule = CronDayRule::kLastDay;
    return absl::OkStatus();
  }
  const absl::string_view day = absl::string_view(upper).substr(0, upper.size() - 1);
  if (upper.back() != 'W' || !text_util::AllDigits(day)) {
    return Bad(expression, absl::StrCat("the day-of-month value `", field,
                                        "` is not a day 1-31, a list or range of days, `L` "
                                        "or `nW`"));
  }
  AMI_ASSIGN_OR_RETURN(cron->day_arg, ParseValue(kDayOfMonth, day, expression));
  cron->day_rule = CronDayRule::kNearestWeekday;
  return absl::OkStatus();
}

// The kWeekdays masks for the weekdays in `set` (bit w - 1 is weekday w).
void FillWeekdayMasks(const ValueSet& set, CronFields* cron) {
  for (int first = 1; first <= 7; ++first) {
    uint32_t mask = 0;
    for (int d = 1; d <= 31; ++d) {
      const int weekday = (first - 1 + d - 1) % 7 + 1;
      if (set.test(weekday - 1)) mask |= uint32_t{1} << d;
    }
    cron->weekday_masks[first - 1] = mask;
  }
}

// Day-of-week when it is not `?`: a list, `L`, `nL` or `n#k`.
absl::Status ParseDayOfWeek(absl::string_view field, absl::string_view expression,
                            CronFields* cron) {
  const std::string upper = absl::AsciiStrToUpper(field);
  const size_t hash = upper.find('#');
  const bool last = upper.size() > 1 && upper.back() == 'L';
  if (hash == std::string::npos && !last) {
    ValueSet set;
    if (upper == "L") {
      set.set(6);  // The last day of the week: Saturday.
    } else {
      AMI_ASSIGN_OR_RETURN(set, ParseList(kDayOfWeek, field, expression));
    }
    FillWeekdayMasks(set, cron);
    cron->day_rule = CronDayRule::kWeekdays;
    return absl::OkStatus();
  }
  AMI_RETURN_IF_ERROR(CheckAlone(kDayOfWeek, field, expression));
  if (hash == std::string::npos) {
    const absl::string_view day = absl::string_view(field).substr(0, field.size() - 1);
    AMI_ASSIGN_OR_RETURN(cron->day_arg, ParseValue(kDayOfWeek, day, expression));
    cron->day_rule = CronDayRule::kLastWeekday;
    return absl::OkStatus();
  }
  AMI_ASSIGN_OR_RETURN(cron->day_arg, ParseValue(kDayOfWeek, field.substr(0, hash), expression));
  const absl::string_view nth = field.substr(hash + 1);
  if (!text_util::AllDigits(nth) || nth.size() != 1 || nth[0] < '1' || nth[0] > '5') {
    return Bad(expression, absl::StrCat("the day-of-week value `", field, "` asks for occurrence `",
                                        nth, "`; `#` takes 1-5"));
  }
  cron->nth = nth[0] - '0';
  cron->day_rule = CronDayRule::kNthWeekday;
  return absl::OkStatus();
}

// Exactly one of the day fields is `?`; the other sets the day rule.
absl::Status ParseDays(absl::string_view day_of_month, absl::string_view day_of_week,
                       absl::string_view expression, CronFields* cron) {
  const bool dom_any = day_of_month == "?";
  const bool dow_any = day_of_week == "?";
  if (dom_any && dow_any) {
    return Bad(expression,
               "the day-of-month and day-of-week fields are both `?`; exactly one "
               "of them must be");
  }
  if (!dom_any && !dow_any) {
    return Bad(expression,
               "the day-of-month and day-of-week fields are both set; one of them "
               "must be `?`");
  }
  return dom_any ? ParseDayOfWeek(day_of_week, expression, cron)
                 : ParseDayOfMonth(day_of_month, expression, cron);
}

}  // namespace

absl::StatusOr<CronFields> ParseCronFields(absl::string_view fields, absl::string_view expression,
                                           std::string* normalized) {
  const std::vector<absl::string_view> parts =
      absl::StrSplit(fields, absl::ByAnyChar(" \t"), absl::SkipEmpty());
  if (parts.size() != 6) {
    return Bad(expression, absl::StrCat("has ", parts.size(),
                                        " fields; it needs 6: minutes, "
                                        "hours, day-of-month, month, day-of-week and year"));
  }
  CronFields cron;
  AMI_ASSIGN_OR_RETURN(const ValueSet minutes, ParseList(kMinutes, parts[0], expression));
  AMI_ASSIGN_OR_RETURN(const ValueSet hours, ParseList(kHours, parts[1], expression));
  AMI_RETURN_IF_ERROR(ParseDays(parts[2], parts[4], expression, &cron));
  AMI_ASSIGN_OR_RETURN(const ValueSet months, ParseList(kMonth, parts[3], expression));
  AMI_ASSIGN_OR_RETURN(const ValueSet years, ParseList(kYear, parts[5], expression));
  for (int m = 0; m <= 59; ++m) {
    if (minutes.test(m)) cron.minutes |= uint64_t{1} << m;
  }
  for (int h = 0; h <= 23; ++h) {
    if (hours.test(h)) cron.hours |= uint32_t{1} << h;
  }
  for (int m = 1; m <= 12; ++m) {
    if (months.test(m - 1)) cron.months |= static_cast<uint16_t>(1u << m);
  }
  for (int y = 0; y < kCronYears; ++y) cron.years[y] = years.test(y);
  *normalized = absl::StrJoin(parts, " ");
  return cron;
}

}  // namespace ami::internal
