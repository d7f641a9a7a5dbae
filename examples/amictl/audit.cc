// amictl audit: the security reviewer's list.
#include <cstdio>
#include <string>

#include "ami/io/state_file.h"
#include "ami/tools/audit.h"
#include "cli.h"

namespace amictl {
namespace {

constexpr char kHelp[] =
    "usage: amictl audit --state STATE [--fail-on-findings] [--json]\n"
    "\n"
    "Lists public images and snapshots, images and snapshots shared outside their owner's\n"
    "organization, encrypted images that cannot be shared because they use the AWS managed key,\n"
    "shared encrypted images whose recipients cannot use the key, and crash-consistent images.\n"
    "Exit 0; with --fail-on-findings, 1 when there is any finding.\n";

}  // namespace

int AuditCommand(const Args& args) {
  if (args.help) {
    std::fputs(kHelp, stdout);
    return kOk;
  }
  const auto state = args.Get("--state");
  if (!state) {
    std::fputs(kHelp, stderr);
    return kUsage;
  }
  auto cloud = ami::LoadStateFromFile(*state);
  if (!cloud.ok()) return Fail(args, cloud.status());
  const std::vector<ami::Finding> findings = ami::Audit(**cloud);
  if (args.json) {
    std::printf("{\"Findings\": [");
    for (size_t i = 0; i < findings.size(); ++i) {
      const ami::Finding& f = findings[i];
      std::printf("%s\n  {\"Kind\": %s, \"Resource\": %s, \"Region\": %s, \"Owner\": %s, \"Rule\": %s, "
                  "\"Detail\": %s}",
                  i ? "," : "", Quote(std::string(ami::ToString(f.kind))).c_str(), Quote(f.resource).c_str(),
                  Quote(f.region.ToString()).c_str(), Quote(f.owner.ToString()).c_str(),
                  Quote(f.rule).c_str(), Quote(f.detail).c_str());
    }
    std::printf("%s]}\n", findings.empty() ? "" : "\n");
  } else {
    for (const ami::Finding& f : findings) {
      std::printf("%-36s %-24s %-14s %s  %s: %s\n", std::string(ami::ToString(f.kind)).c_str(),
                  f.resource.c_str(), f.region.ToString().c_str(), f.owner.ToString().c_str(),
                  f.rule.c_str(), f.detail.c_str());
    }
    std::printf("%zu finding(s)\n", findings.size());
  }
  return args.Has("--fail-on-findings") && !findings.empty() ? kFailed : kOk;
}

}  // namespace amictl
