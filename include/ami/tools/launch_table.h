// LaunchTable: "can account A launch image I in Region R?" compiled for bulk preflight — a
// compliance scan or a pre-flight checker asking millions of questions of one moment of a cloud.
//
// Build() takes a consistent copy of the cloud (a Fork) and compiles every image's launch
// permissions, the accounts' organization paths and the KMS key policies its volumes need into
// compact tables, so that Check() answers with a few lookups and no allocation. Its verdict is
// the one policy::EvaluateLaunch gives on the same state (LAUNCH-1 … 10, SHARE-1, SHARE-7,
// KMS-1 … 7, REG-1), for a RunInstances without encryption parameters: the same effect, the
// same deciding reason. Questions the tables do not cover (Allowed AMIs in force for the caller,
// non-default EBS encryption settings, images that are not available, missing snapshots,
// key policies with Deny statements) are answered by the policy engine on the copy.
// Later changes to the cloud are not seen: build a new table.
// Thread-safe: const methods may be called from any thread.
#ifndef AMI_TOOLS_LAUNCH_TABLE_H_
#define AMI_TOOLS_LAUNCH_TABLE_H_

#include <cstddef>
#include <memory>

#include "ami/cloud.h"
#include "ami/iam/simulation.h"
#include "ami/ids.h"
#include "ami/policy.h"

namespace ami {

class LaunchTable {
 public:
  // A launch decision without its explanation.
  struct Verdict {
    bool allowed = false;
    // True when AWS would accept the launch and fail the instance later (LAUNCH-9).
    bool later = false;
    // The deciding reason: for an allow its permit, for a deny the reason ToStatus() reports.
    const ReasonTemplate* why = nullptr;
  };

  // Compiles the cloud as it is now.
  static std::unique_ptr<LaunchTable> Build(const Cloud& cloud);
  // The verdict of a policy-engine Decision: its effect, whether it is denied only later, and
  // its first permit (allow) or the reason ToStatus() reports (deny).
  static Verdict VerdictOf(const Decision& decision);
  ~LaunchTable();
  LaunchTable(const LaunchTable&) = delete;
  LaunchTable& operator=(const LaunchTable&) = delete;

  // May `caller` launch `image` in `region`?
  Verdict Check(AccountId caller, Region region, ImageId image) const;
  // May the IAM identity `who` of `caller` launch `image` in `region` — the verdict of
  // iam::Explain on the same state: IAM authorization of RunInstances (IAM-1 … IAM-7: identity
  // policies, boundary, service control policies), then the launch rules above with the keys
  // used as that principal (KMS-5). An empty principal is the account's root user, as Check()
  // unless service control policies govern the account. IAM's answer is computed once per
  // class of images that the principal's policies cannot tell apart (the tags their
  // conditions name, owner, visibility, and the id when a policy names images by id) and kept
  // (up to 2^18 classes; past that the engine answers each time); supplied context values,
  // and what the tables do not cover, go to the engine.
  Verdict CheckAs(const iam::Identity& who, AccountId caller, Region region, ImageId image) const;
  // The same question as a Decision with its deciding reason, ready to Explain(); questions the
  // tables do not cover get the policy engine's whole Decision.
  Decision Decide(AccountId caller, Region region, ImageId image) const;

  // Images compiled, and how many of them the policy engine answers for.
  size_t images() const;
  size_t engine_images() const;

 private:
  struct Tables;
  explicit LaunchTable(std::unique_ptr<Tables> tables);
  std::unique_ptr<Tables> t_;
};

}  // namespace ami

#endif  // AMI_TOOLS_LAUNCH_TABLE_H_
