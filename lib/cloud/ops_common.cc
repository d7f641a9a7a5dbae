#include "cloud/ops_common.h"

#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "values/choices.h"
#include "values/status_macros.h"

namespace ami::internal {

absl::Status Gate(const Decision& decision, const CallContext& ctx, bool allow_later) {
  if (!decision.allowed() && !(allow_later && decision.denied_later())) return decision.ToStatus();
  return DryRunCheck(ctx);
}

absl::StatusOr<TagSet> UserTags(const std::vector<std::pair<std::string, std::string>>& tags) {
  std::vector<Tag> out;
  out.reserve(tags.size());
  for (const auto& [key, value] : tags) {
    AMI_ASSIGN_OR_RETURN(Tag tag, Tag::Create(key, value));
    out.push_back(std::move(tag));
  }
  return TagSet::CreateUserTags(std::move(out));
}

absl::StatusOr<SpecifiedTags> ParseTagSpecifications(const std::vector<TagSpecification>& specs) {
  SpecifiedTags out;
  for (const TagSpecification& spec : specs) {
    AMI_ASSIGN_OR_RETURN(TagSet tags, UserTags(spec.tags));
    if (spec.resource_type == "image") {
      AMI_ASSIGN_OR_RETURN(out.image, out.image.With(tags));
    } else if (spec.resource_type == "snapshot") {
      AMI_ASSIGN_OR_RETURN(out.snapshot, out.snapshot.With(tags));
    } else {
      return MakeError(choices::kInvalidValue,
                       absl::StrCat("tag specification resource type `", spec.resource_type,
                                    "` is not supported here: use image or snapshot"));
    }
  }
  return out;
}

}  // namespace ami::internal
