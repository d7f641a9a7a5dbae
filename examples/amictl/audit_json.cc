#include "audit_json.h"

#include <cstddef>
#include <string>
#include <vector>

#include "ami/errors.h"
#include "ami/v1/audit.pb.h"
#include "google/protobuf/util/json_util.h"

namespace amictl {
namespace {

template <typename Map, typename Name>
void AddTotals(const Map& totals, Name name,
               google::protobuf::RepeatedPtrField<ami::v1::AuditTotal>* out) {
  for (const auto& [key, count] : totals) {
    ami::v1::AuditTotal* t = out->Add();
    t->set_name(name(key));
    t->set_count(static_cast<uint32_t>(count));
  }
}

void ToProto(const ami::Finding& f, ami::v1::AuditFinding* p) {
  p->set_kind(std::string(ami::ToString(f.kind)));
  p->set_severity(std::string(ami::ToString(f.severity)));
  p->set_resource(f.resource);
  p->set_resource_type(f.resource_type);
  p->set_name(f.name);
  p->set_region(f.region.ToString());
  p->set_owner(f.owner.ToString());
  p->set_rule(f.rule);
  p->set_config_rule_name(f.config_rule);
  p->set_detail(f.detail);
}

void ToProto(const ami::ConfigRuleResult& r, ami::v1::EvaluationResult* p) {
  auto* q = p->mutable_evaluation_result_identifier()->mutable_evaluation_result_qualifier();
  q->set_config_rule_name(r.config_rule);
  q->set_resource_type(r.resource_type);
  q->set_resource_id(r.resource);
  p->set_compliance_type(std::string(ami::ToString(r.compliance)));
  p->set_annotation(r.annotation);
  p->set_account_id(r.account.ToString());
  p->set_aws_region(r.region.ToString());
  p->set_rule(r.rule);
}

}  // namespace

std::string AuditReportJson(const ami::AuditReport& report, const std::string& state,
                            const std::vector<std::string>& rules) {
  ami::v1::AuditReport p;
  p.set_state(state);
  p.set_now(ami::FormatAwsTime(report.now));
  for (const ami::AccountId a : report.owners) p.add_owners(a.ToString());
  for (const ami::Region r : report.regions) p.add_regions(r.ToString());
  for (const std::string& r : rules) p.add_rules(r);
  for (const ami::Finding& f : report.findings) ToProto(f, p.add_findings());
  ami::v1::AuditTotals* totals = p.mutable_totals();
  totals->set_findings(static_cast<uint32_t>(report.findings.size()));
  AddTotals(report.by_rule, [](const std::string& r) { return r; }, totals->mutable_by_rule());
  AddTotals(report.by_account, [](ami::AccountId a) { return a.ToString(); },
            totals->mutable_by_account());
  AddTotals(report.by_region, [](ami::Region r) { return r.ToString(); },
            totals->mutable_by_region());
  for (size_t i = 0; i < ami::kSeverityCount; ++i) {
    ami::v1::AuditTotal* t = totals->add_by_severity();
    t->set_name(std::string(ami::ToString(static_cast<ami::Severity>(i))));
    t->set_count(static_cast<uint32_t>(report.by_severity[i]));
  }
  for (const ami::ConfigRuleResult& r : report.config_results) {
    ToProto(r, p.add_evaluation_results());
  }
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  std::string out;
  // Printing a message filled here cannot fail.
  (void)google::protobuf::util::MessageToJsonString(p, &out, options);
  return out;
}

}  // namespace amictl
