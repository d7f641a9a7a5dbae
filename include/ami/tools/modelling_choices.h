// The modelling choices libami makes where AWS documentation is silent: behaviour the rulebook
// marks BELIEVED, and every error code libami had to choose. The same list is in README.md.
// Thread-safe: the list is constant.
#ifndef AMI_TOOLS_MODELLING_CHOICES_H_
#define AMI_TOOLS_MODELLING_CHOICES_H_

#include <vector>

#include "absl/strings/string_view.h"

namespace ami {

// One choice: its id ("MC-7"), the rulebook rules it concerns, and what libami does.
struct ModellingChoice {
  absl::string_view id;
  absl::string_view rules;
  absl::string_view choice;
};

// Every modelling choice, in id order.
const std::vector<ModellingChoice>& ModellingChoices();

}  // namespace ami

#endif  // AMI_TOOLS_MODELLING_CHOICES_H_
