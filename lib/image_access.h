// Library-internal derivations of an Image that change only fields whose invariants are checked
// here, without the copy into a Builder and the whole validation of Build(): the hot paths of
// ModifyImageAttribute and DescribeImages.
#ifndef AMI_LIB_IMAGE_ACCESS_H_
#define AMI_LIB_IMAGE_ACCESS_H_

#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ami/image.h"
#include "ami/tags.h"

namespace ami::internal {

struct ImageAccess {
  // `image` with other launch permissions and deprecation time. Fails as Build() would when a
  // disabled image would get permissions, the owner would be listed, or the time is infinite.
  static absl::StatusOr<Image> WithLaunchPermissions(const Image& image, LaunchPermissions permissions,
                                                     std::optional<absl::Time> deprecation_time);
  // What an account other than the owner sees (DESC-10): its own `tags`, the public flag but no
  // other launch permission, no deregistration protection or last launch time.
  static Image ViewForOthers(const Image& image, const TagSet& tags);
  // The invariants launch permissions take part in, as Build() checks them.
  static absl::Status CheckLaunchPermissions(const Image& image);
};

}  // namespace ami::internal

#endif  // AMI_LIB_IMAGE_ACCESS_H_
