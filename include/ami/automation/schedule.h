// Schedule expressions of EventBridge, EventBridge Scheduler, AWS Backup, Data Lifecycle
// Manager and EC2 Image Builder: six-field cron(), rate(), at(), and DLM's interval schedules.
// The class is ScheduleExpression of ami/schedule.h.
//
// Thread-safety: an immutable value; safe to share between threads.
#ifndef AMI_AUTOMATION_SCHEDULE_H_
#define AMI_AUTOMATION_SCHEDULE_H_

#include "ami/schedule.h"

#endif  // AMI_AUTOMATION_SCHEDULE_H_
