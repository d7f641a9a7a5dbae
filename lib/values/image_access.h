// Library-internal derivations of an Image that change only fields whose invariants are checked
// here, without the copy into a Builder and the whole validation of Build(): the hot paths of
// ModifyImageAttribute and DescribeImages.
#ifndef AMI_LIB_IMAGE_ACCESS_H_
#define AMI_LIB_IMAGE_ACCESS_H_

#include <cstddef>
#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ami/attributes.h"
#include "ami/image.h"

namespace ami::internal {

struct ImageAccess {
  // `image` with other launch permissions and deprecation time. Fails as Build() would when a
  // disabled image would get permissions, the owner would be listed, or the time is infinite.
  // Shared, as the state stores it.
  static absl::StatusOr<std::shared_ptr<const Image>> WithLaunchPermissions(
      const Image& image, LaunchPermissions permissions, std::optional<absl::Time> deprecation_time);
  // What an account other than the owner sees (DESC-10): its own `tags`, the public flag but no
  // other launch permission, no deregistration protection or last launch time.
  static Image ViewForOthers(const Image& image, const TagSet& tags);
  // Prefetches the image's own fields, then (once they have arrived) what they point to: its
  // launch permissions and shared body. Hints only; for walks over many images.
  static void PrefetchFields(const Image& image) {
    const char* p = reinterpret_cast<const char*>(&image);
    for (size_t line = 0; line < sizeof(Image); line += 64) __builtin_prefetch(p + line);
  }
  static void PrefetchReferences(const Image& image) {
    __builtin_prefetch(image.launch_permissions_.accounts().data());
    // The body's reference count precedes it (make_shared), and views copy the body.
    __builtin_prefetch(reinterpret_cast<const char*>(image.body_.get()) - 16);
  }
  // `image` with `permissions` and `tags` in place of its own, field by field (its own are not
  // copied first); every other field, and the body, as in `image`.
  static Image CopyWith(const Image& image, LaunchPermissions permissions, const TagSet& tags);
  // The invariants launch permissions take part in, as Build() checks them.
  static absl::Status CheckLaunchPermissions(const Image& image);
};

}  // namespace ami::internal

#endif  // AMI_LIB_IMAGE_ACCESS_H_
