// The libami core API in one include: ids, Regions, KMS identifiers and keys, tags, snapshots,
// images, instances and the AWS error codes.
#ifndef AMI_AMI_H_
#define AMI_AMI_H_

#include "ami/attributes.h"
#include "ami/errors.h"
#include "ami/ids.h"
#include "ami/image.h"
#include "ami/instance.h"
#include "ami/kms_id.h"
#include "ami/kms_key.h"
#include "ami/organization.h"
#include "ami/region.h"
#include "ami/snapshot.h"
#include "ami/tags.h"

#endif  // AMI_AMI_H_
