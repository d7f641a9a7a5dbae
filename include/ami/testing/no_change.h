// The testing kit (ami::testing): EXPECT_NO_CHANGE, which checks that a statement leaves a
// Cloud's state as it was, for example that a denied call changed nothing:
//
//   EXPECT_NO_CHANGE(*cloud, EXPECT_THAT(cloud->ModifyImageAttribute(ctx, r), Not(IsOk())));
//
// Thread-safety: as the Cloud's (ami/cloud.h); another thread changing the cloud meanwhile makes
// the check fail.
#ifndef AMI_TESTING_NO_CHANGE_H_
#define AMI_TESTING_NO_CHANGE_H_

#include <memory>

#include "ami/cloud.h"
#include "gtest/gtest.h"

namespace ami::testing::internal {

// The cloud a macro argument names: a Cloud, or a pointer (raw or smart) to one.
inline const Cloud& CloudOf(const Cloud& cloud) { return cloud; }
template <typename Ptr>
const Cloud& CloudOf(const Ptr& cloud) {
  return *cloud;
}

}  // namespace ami::testing::internal

// Runs `statement` (the arguments after `cloud`, commas allowed) and adds a nonfatal failure when
// the state of `cloud` changed: its state is forked before and compared with Cloud::StateEquals
// after, so moving the clock, creating or changing anything, and using up an id all count.
// `cloud` is a Cloud or a pointer to one, evaluated twice.
#define EXPECT_NO_CHANGE(cloud, ...)                                                  \
  do {                                                                                \
    const std::unique_ptr<::ami::Cloud> ami_testing_before_ =                         \
        ::ami::testing::internal::CloudOf(cloud).Fork();                              \
    __VA_ARGS__;                                                                      \
    if (!::ami::testing::internal::CloudOf(cloud).StateEquals(*ami_testing_before_)) { \
      ADD_FAILURE() << "the state of `" #cloud "` changed while running `" #__VA_ARGS__ "`"; \
    }                                                                                 \
  } while (false)

#endif  // AMI_TESTING_NO_CHANGE_H_
