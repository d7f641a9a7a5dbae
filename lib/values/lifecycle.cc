#include "ami/state_view.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "values/choices.h"
#include "values/text_util.h"

namespace ami {
namespace {

absl::Status Invalid(absl::string_view what) {
  return MakeError(choices::kInvalidValue, absl::StrCat("invalid image criteria (GOV-8): ", what));
}

bool IsAccountNumber(absl::string_view text) {
  return text.size() == 12 && text_util::AllDigits(text);
}

bool ProviderMatches(absl::string_view provider, const Image& image) {
  if (provider == "amazon") return image.owner_alias() == OwnerAlias::kAmazon;
  if (provider == "aws-marketplace") return image.owner_alias() == OwnerAlias::kAwsMarketplace;
  if (provider == "aws-backup-vault") return image.owner_alias() == OwnerAlias::kAwsBackupVault;
  return provider == image.owner().ToString();
}

bool CriterionMatches(const ImageCriterion& c, const Image& image, absl::Time now) {
  if (!c.image_providers.empty()) {
    bool any = false;
    for (const std::string& p : c.image_providers) any = any || ProviderMatches(p, image);
    if (!any) return false;
  }
  if (!c.image_names.empty()) {
    bool any = false;
    for (const std::string& n : c.image_names) any = any || text_util::Glob(n, image.name());
    if (!any) return false;
  }
  if (!c.marketplace_product_codes.empty()) {
    bool any = false;
    for (const std::string& code : c.marketplace_product_codes) {
      for (const ProductCode& pc : image.product_codes()) any = any || pc.code == code;
    }
    if (!any) return false;
  }
  if (c.maximum_days_since_created.has_value() &&
      now - image.creation_time() > absl::Hours(24) * *c.maximum_days_since_created) {
    return false;
  }
  if (c.maximum_days_since_deprecated.has_value() && image.deprecation_time().has_value() &&
      *image.deprecation_time() <= now &&
      now - *image.deprecation_time() >= absl::Hours(24) * *c.maximum_days_since_deprecated) {
    return false;
  }
  return true;
}

}  // namespace

absl::Status ValidateImageCriteria(const std::vector<ImageCriterion>& criteria) {
  if (criteria.size() > kMaxImageCriteria) {
    return Invalid(absl::StrCat(criteria.size(), " criteria, more than ", kMaxImageCriteria));
  }
  for (const ImageCriterion& c : criteria) {
    if (c.image_providers.empty() && c.image_names.empty() &&
        c.marketplace_product_codes.empty() && !c.maximum_days_since_created.has_value() &&
        !c.maximum_days_since_deprecated.has_value()) {
      return Invalid("a criterion sets no parameter");
    }
    if (c.image_providers.size() > kMaxImageProviders) {
      return Invalid(absl::StrCat(c.image_providers.size(), " image providers, more than ",
                                  kMaxImageProviders));
    }
    for (const std::string& p : c.image_providers) {
      if (p == "none") {
        if (c.image_providers.size() != 1) return Invalid("provider none must stand alone");
        continue;
      }
      if (p != "amazon" && p != "aws-marketplace" && p != "aws-backup-vault" &&
          !IsAccountNumber(p)) {
        return Invalid(absl::StrCat(
            "image provider `", text_util::Clip(p),
            "`: expected amazon, aws-marketplace, aws-backup-vault, none or a 12-digit account id"));
      }
    }
    if (c.image_names.size() > kMaxImageNames) {
      return Invalid(absl::StrCat(c.image_names.size(), " image names, more than ", kMaxImageNames));
    }
    for (const std::string& n : c.image_names) {
      const int length = text_util::Utf8Length(n);
      const size_t min = n.find('?') != std::string::npos ? 3 : 1;
      if (length < static_cast<int>(min) || length > 128) {
        return Invalid(absl::StrCat("image name `", text_util::Clip(n), "`: expected ", min,
                                    " to 128 characters"));
      }
    }
    if (c.marketplace_product_codes.size() > kMaxMarketplaceProductCodes) {
      return Invalid(absl::StrCat(c.marketplace_product_codes.size(),
                                  " marketplace product codes, more than ",
                                  kMaxMarketplaceProductCodes));
    }
    for (const std::string& code : c.marketplace_product_codes) {
      if (!ValidateProductCode({code, ProductCodeType::kMarketplace}).ok()) {
        return Invalid(absl::StrCat("marketplace product code `", text_util::Clip(code),
                                    "`: expected 1 to 25 letters and digits"));
      }
    }
    for (const auto& days : {c.maximum_days_since_created, c.maximum_days_since_deprecated}) {
      if (days.has_value() && (*days < 0 || *days > 36500)) {
        return Invalid(absl::StrCat("day count ", *days, ": expected 0 to 36500"));
      }
    }
  }
  return absl::OkStatus();
}

int MatchImageCriteria(const std::vector<ImageCriterion>& criteria, const Image& image,
                       absl::Time now) {
  for (size_t i = 0; i < criteria.size(); ++i) {
    if (CriterionMatches(criteria[i], image, now)) return static_cast<int>(i);
  }
  return -1;
}

bool RuleRetains(const RetentionRule& rule, const TagSet& tags) {
  auto matches = [&tags](const ResourceTag& t) {
    const std::optional<absl::string_view> v = tags.Find(t.key);
    return v.has_value() && (t.value.empty() || *v == t.value);
  };
  if (!rule.resource_tags.empty()) {
    for (const ResourceTag& t : rule.resource_tags) {
      if (matches(t)) return true;
    }
    return false;
  }
  for (const ResourceTag& t : rule.exclude_resource_tags) {
    if (matches(t)) return false;
  }
  return true;
}

}  // namespace ami
