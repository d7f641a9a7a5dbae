// EventBridge scheduled rules and EventBridge Scheduler schedules: whether a definition may be
// put or deleted (BACKUP-4). Each refusal is a Decision whose reason names the rule and the
// service's error code: ValidationException for a malformed definition, LimitExceededException
// past a bound, ResourceNotFoundException for a schedule that does not exist. Internal to libami.
// Thread-safe: pure functions of their inputs.
#ifndef AMI_LIB_POLICY_AUTOMATION_EVENTS_H_
#define AMI_LIB_POLICY_AUTOMATION_EVENTS_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "ami/automation/automation.h"
#include "ami/errors.h"
#include "ami/ids.h"
#include "ami/policy.h"

namespace ami::reasons {

// The reasons of EventBridge schedule definitions (BACKUP-4; MC-90 for libami's own choices).
inline constexpr ReasonTemplate kEventScheduleWellFormed{
    "BACKUP-4", ErrorCode::kValidationException, "schedule {text} is well formed"};
inline constexpr ReasonTemplate kEventScheduleName{
    "BACKUP-4", ErrorCode::kValidationException,
    "schedule name {text} is not 1 to 64 letters, digits, `.`, `-` or `_`"};
inline constexpr ReasonTemplate kEventScheduleExpression{
    "BACKUP-4", ErrorCode::kValidationException, "the schedule expression of {text}"};
inline constexpr ReasonTemplate kEventAtNeedsScheduler{
    "MC-90", ErrorCode::kValidationException,
    "schedule {text} uses at(), which only an EventBridge Scheduler schedule takes: give it a "
    "time zone (`UTC` for UTC)"};
inline constexpr ReasonTemplate kEventScheduleState{
    "BACKUP-4", ErrorCode::kValidationException, "state {text} is not ENABLED or DISABLED"};
inline constexpr ReasonTemplate kEventScheduleRole{
    "BACKUP-4", ErrorCode::kValidationException,
    "role arn {text} is not of the form arn:aws:iam::<account>:role/<name>"};
inline constexpr ReasonTemplate kEventScheduleNoAction{
    "BACKUP-4", ErrorCode::kValidationException,
    "schedule {text} has no action: give it at least one target"};
inline constexpr ReasonTemplate kEventScheduleTooManyActions{
    "BACKUP-4", ErrorCode::kLimitExceededException,
    "schedule {text} has {number} actions, more than the 5 targets a rule may have"};
inline constexpr ReasonTemplate kEventTooManySchedules{
    "MC-90", ErrorCode::kLimitExceededException,
    "account {account} already has {number} schedules in {region}, the most it may have"};
inline constexpr ReasonTemplate kEventScheduleAction{
    "MC-90", ErrorCode::kValidationException, "schedule action {text}"};
inline constexpr ReasonTemplate kEventScheduleNotFound{
    "BACKUP-4", ErrorCode::kResourceNotFoundException, "schedule {text} does not exist"};
inline constexpr ReasonTemplate kEventScheduleExists{
    "BACKUP-4", ErrorCode::kResourceNotFoundException, "schedule {text} exists"};

}  // namespace ami::reasons

namespace ami::policy {

// ---- Bounds (each refusal past one names it) ----
// Schedule names: 1-64 characters of letters, digits, `.`, `-` and `_` (PutRule's and
// CreateSchedule's Name).
inline constexpr size_t kMaxEventScheduleNameBytes = 64;
// Actions (targets) of one schedule: AWS's five targets per rule (LimitExceededException).
inline constexpr size_t kMaxEventScheduleActions = 5;
// Schedules of one account in one Region: AWS's default of 300 rules per event bus
// (LimitExceededException); replacing a schedule does not count.
inline constexpr size_t kMaxEventSchedulesPerRegion = 300;
// Tags in one tag list of an action (instance_tags, image_tags, tags_to_add): EC2's 50 user tags.
inline constexpr size_t kMaxEventActionTags = 50;
// Instances one CreateImage action names.
inline constexpr size_t kMaxEventActionInstances = 50;
// older_than_days: 1 day to 100 years.
inline constexpr int kMaxEventOlderThanDays = 36525;
// A role ARN: Scheduler's Target.RoleArn, at most 1,600 characters.
inline constexpr size_t kMaxEventRoleArnBytes = 1600;
// name_prefix: an image name is the prefix, the firing time (20 characters), `-` and the
// instance or source image id (at most 21): AMI names are at most 128 characters.
inline constexpr size_t kMaxEventNamePrefixBytes = 128 - 20 - 1 - 21;

// What PutSchedule asks.
struct PutScheduleQuestion {
  AccountId account = AccountId::FromNumber(0);
  Region region = Region::First();
  const EventScheduleRequest* request = nullptr;
  // Schedules the caller already holds in its Region, and whether `request.name` is one of them.
  size_t schedules_in_region = 0;
  bool replaces = false;
};

// May the schedule be put? Checks the name, the expression read in its time zone
// (ScheduleExpression::Parse; at() only for a Scheduler schedule, that is one with a time
// zone), the state word, the role ARN's form, every action and the bounds above.
Decision EvaluatePutSchedule(const PutScheduleQuestion& q);

// May the schedule `name` be deleted? Denied (ResourceNotFoundException) when `exists` is false,
// or (ValidationException) when the name is malformed.
Decision EvaluateDeleteSchedule(absl::string_view name, bool exists);

// True when `name` is 1-64 characters of letters, digits, `.`, `-` and `_`.
bool ValidEventScheduleName(absl::string_view name);

}  // namespace ami::policy

#endif  // AMI_LIB_POLICY_AUTOMATION_EVENTS_H_
