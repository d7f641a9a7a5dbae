// The libami core API in one include: the AWS error codes and input limits, ids, Regions, KMS and
// organization identifiers, attributes and tags, KMS keys, snapshots, images, instances, the
// policy engine and its StateView, the Cloud with its requests and results, and schedule
// expressions.
// Thread-safe: values are immutable; a Cloud may be used from many threads (ami/cloud.h).
#ifndef AMI_AMI_H_
#define AMI_AMI_H_

#include "ami/arns.h"
#include "ami/attributes.h"
#include "ami/cloud.h"
#include "ami/errors.h"
#include "ami/iam/iam.h"
#include "ami/ids.h"
#include "ami/image.h"
#include "ami/instance.h"
#include "ami/kms_key.h"
#include "ami/policy.h"
#include "ami/requests.h"
#include "ami/automation/schedule.h"
#include "ami/snapshot.h"
#include "ami/state_view.h"

#endif  // AMI_AMI_H_
