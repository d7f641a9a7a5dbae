// ConfigFleetTable: the AWS Config instance rules (approved-amis-by-id, approved-amis-by-tag,
// ec2-instance-launched-with-allowed-ami) compiled for a whole fleet — the aggregator's view
// of millions of instances, evaluated in one sequential pass.
//
// Build() takes a consistent copy of the cloud (a Fork) and lays its instances out as columns
// (image, owner, Region, state, whether the instance runs its own account's image, whether its
// account tagged another account's image) with each image's owner tags interned. Evaluate()
// then decides each distinct tag set, image or (image, account) once and writes one byte per
// instance. Its verdicts are those of EvaluateConfigRuleForAllAccounts on the same state
// (ami/tools/config_rules.h): the same compliance and the same deciding rule, and Annotation()
// asks the policy engine for the same sentence. Later changes to the cloud are not seen: build
// a new table.
//
// Thread-safe: a built table and its evaluations are immutable; any thread may use them.
#ifndef AMI_TOOLS_CONFIG_FLEET_H_
#define AMI_TOOLS_CONFIG_FLEET_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ami/cloud.h"
#include "ami/ids.h"
#include "ami/tools/config_rules.h"

namespace ami {

class ConfigFleetTable;
class FleetPass;

// One instance's result in a FleetEvaluation.
struct FleetResult {
  InstanceId instance = InstanceId::Short(0);
  AccountId account = AccountId::FromNumber(0);
  Region region = Region::First();
  ComplianceType compliance = ComplianceType::kCompliant;
  // The rulebook id that decided it (GOV-n); static text.
  absl::string_view rule;
  // The instance's place in the table (for Annotation()).
  uint32_t row = 0;
};

// The results of one instance rule over the fleet: one per recorded instance (every state but
// terminated, GOV-3) in the Regions asked. Movable, not copyable; it keeps its table alive.
class FleetEvaluation {
 public:
  FleetEvaluation(FleetEvaluation&&) = default;
  FleetEvaluation& operator=(FleetEvaluation&&) = default;
  FleetEvaluation(const FleetEvaluation&) = delete;
  FleetEvaluation& operator=(const FleetEvaluation&) = delete;
  ~FleetEvaluation();

  size_t size() const { return size_; }
  size_t Count(ComplianceType type) const { return counts_[static_cast<size_t>(type)]; }
  // Calls `fn` with each result, in the table's order (by account, Region and instance id).
  void ForEach(absl::FunctionRef<void(const FleetResult&)> fn) const;
  // The result for an instance; nullopt when it has none (unknown, terminated, out of scope).
  std::optional<FleetResult> Find(InstanceId instance) const;
  // The sentence the policy engine gives for `result` — the annotation
  // EvaluateConfigRuleForAllAccounts gives — made when asked.
  std::string Annotation(const FleetResult& result) const;

 private:
  friend class ConfigFleetTable;
  friend class FleetPass;
  FleetEvaluation() = default;
  FleetResult At(uint32_t row) const;

  std::shared_ptr<const ConfigFleetTable> table_;
  std::unique_ptr<const ConfigRule> rule_;
  // Per table row: an index into kinds_, or kNone.
  static constexpr uint8_t kNone = 0xFF;
  std::unique_ptr<uint8_t[]> codes_;
  size_t rows_ = 0;
  struct Kind {
    ComplianceType compliance;
    absl::string_view rule;
  };
  std::vector<Kind> kinds_;
  size_t size_ = 0;
  size_t counts_[3] = {0, 0, 0};
};

class ConfigFleetTable : public std::enable_shared_from_this<ConfigFleetTable> {
 public:
  // The most instances a table holds (rows are 32-bit).
  static constexpr size_t kMaxRows = size_t{1} << 31;

  // Compiles the cloud as it is now. A cloud with more than kMaxRows instances is
  // `ResourceLimitExceeded`.
  static absl::StatusOr<std::shared_ptr<const ConfigFleetTable>> Build(const Cloud& cloud);
  ~ConfigFleetTable();

  // Evaluates an instance rule over every account's instances in `regions`. A rule of another
  // resource type (snapshots, accounts) is `InvalidParameterValue`: ask
  // EvaluateConfigRuleForAllAccounts.
  absl::StatusOr<FleetEvaluation> Evaluate(const ConfigRule& rule,
                                           const std::vector<Region>& regions) const;

  size_t instances() const;

 private:
  friend class FleetEvaluation;
  friend class FleetPass;
  struct Tables;
  explicit ConfigFleetTable(std::unique_ptr<Tables> t);
  std::unique_ptr<Tables> t_;
};

}  // namespace ami

#endif  // AMI_TOOLS_CONFIG_FLEET_H_
