// The IAM part of LaunchTable::CheckAs (ami/tools/launch_table.h): what a launch as an IAM
// principal adds to the account's launch decision — IAM authorization of RunInstances
// (policy::IamDenial) and key use as that principal (policy::EvaluateKeyUseBy) — answered by
// the policy engine once per equivalence class and remembered. Internal to libami.
//
// On a frozen state, IAM's answer for the image resource of a launch depends on the image only
// through the keys policy::LaunchIamResources gives it (lang::AddImageKeys: ec2:ImageID, ec2:Owner,
// ec2:Public, ec2:RootDeviceType, its tags as the caller's account sees them) and its ARN. A
// principal's class of an image keeps the owner, owner alias, public flag and root device type,
// the tags whose keys the principal's policies name in a condition, and the image id whenever a
// policy could tell images apart by id (ec2:ImageID, an image ARN pattern narrower than
// image/*, a policy variable). Images of one class get one answer, so the engine is asked once
// per class. Key use depends on the principal, the key and the Region alone.
// Thread-safe: each principal's memo is guarded by its own mutex; the rest is read-only after
// construction, but for the principals the cloud does not hold, behind one more mutex.
#ifndef AMI_LIB_TOOLS_LAUNCH_IAM_H_
#define AMI_LIB_TOOLS_LAUNCH_IAM_H_

#include <cstddef>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "absl/synchronization/mutex.h"
#include "ami/ids.h"
#include "ami/image.h"
#include "ami/policy.h"
#include "cloud/state.h"

namespace ami::launch_iam {

// Bounds of the memo: past them an answer is computed by the engine each time and not kept.
inline constexpr size_t kMaxPrincipals = 1 << 16;  // Beyond the cloud's own.
inline constexpr size_t kMaxClasses = 1 << 20;

// IAM's answer: allowed, or the reason of its denial.
struct Outcome {
  bool allowed = false;
  const ReasonTemplate* why = nullptr;
};

// A key a launch uses: the snapshot's key (interned as `index` by the launch table), read,
// and the volume written with it when `keeps`, else with the caller's aws/ebs key.
struct KeyNeed {
  uint32_t index = 0;
  const KmsKeyArn* arn = nullptr;
  bool keeps = false;
};

// What a launch as a principal adds: IAM's answer, and whether it may use every key.
struct LaunchAnswer {
  Outcome iam;
  bool keys_usable = false;
};

class Memo {
 public:
  // `state` is a frozen cloud's state: never written while the memo lives. Reads every
  // principal's policies once.
  explicit Memo(const internal::CloudState& state);
  ~Memo();
  Memo(const Memo&) = delete;
  Memo& operator=(const Memo&) = delete;

  // True when IAM takes part in a launch by `principal` of `account`: a principal is named, or
  // service control policies govern the account.
  bool Applies(absl::string_view principal, AccountId account) const;

  // IAM's answer to RunInstances of `image` (in `region`, the Region it is in) by `principal`
  // (empty: the account's root user) of `account`, and whether that principal may use `keys`
  // for the launch (KMS-5).
  LaunchAnswer Launch(absl::string_view principal, AccountId account, Region region,
                      const Image& image, absl::Span<const KeyNeed> keys);

 private:
  struct ClassKey {
    std::optional<ImageId> id;  // When the principal's policies may tell images apart by id.
    uint64_t owner = 0;
    uint8_t region = 0;
    uint8_t alias = 0;
    uint8_t public_image = 0;
    uint8_t root_device = 0;
    absl::InlinedVector<const Tag*, 4> tags;  // Into the frozen state.
  };
  struct ClassHash {
    size_t operator()(const ClassKey& k) const;
  };
  struct ClassEq {
    bool operator()(const ClassKey& a, const ClassKey& b) const;
  };
  // What a principal's policies read of an image: the tag keys their conditions name
  // (lower-cased), and whether they may tell images apart by id.
  struct Profile {
    std::vector<std::string> tag_keys;
    bool by_id = false;
  };
  // One principal (or root user) of one account, and what the engine answered for it.
  struct Entry {
    std::string principal;
    AccountId account = AccountId::FromNumber(0);
    Profile profile;
    mutable absl::Mutex mu;
    absl::flat_hash_map<ClassKey, Outcome, ClassHash, ClassEq> classes ABSL_GUARDED_BY(mu);
    // By (key index << 16) | (Region index << 1) | keeps.
    absl::flat_hash_map<uint64_t, bool> keys ABSL_GUARDED_BY(mu);
  };

  Entry* Known(absl::string_view principal, AccountId account) const;
  Entry* EntryOf(absl::string_view principal, AccountId account);
  std::unique_ptr<Entry> MakeEntry(absl::string_view principal, AccountId account) const;
  ClassKey ClassOf(const Entry& e, AccountId account, Region region, const Image& image) const;
  Outcome AskEngine(const Entry& e, Region region, const Image& image) const;
  bool AskKeys(const Entry& e, Region region, const KeyNeed& need) const;
  // Remembers `o` for `k` (`usable` for `slot`) unless the memo is full.
  void Keep(Entry& e, ClassKey k, Outcome o);
  void Keep(Entry& e, uint64_t slot, bool usable);

  const internal::CloudState& state_;
  absl::flat_hash_set<uint64_t> governed_;  // Accounts service control policies govern.
  // Image tags the accounts that do not own an image put on it (IAM-5), by (image, account).
  absl::flat_hash_map<std::pair<ImageId, uint64_t>, const TagSet*> foreign_;
  // The cloud's users and roles by ARN, and the root users of governed accounts by account:
  // made by the constructor, read without a lock.
  absl::flat_hash_map<std::string, std::unique_ptr<Entry>> principals_;
  absl::flat_hash_map<uint64_t, std::unique_ptr<Entry>> roots_;
  // Other principals asked about (role sessions, principals the cloud does not hold).
  absl::Mutex mu_;
  absl::flat_hash_map<std::pair<uint64_t, std::string>, std::unique_ptr<Entry>> others_
      ABSL_GUARDED_BY(mu_);
  std::atomic<size_t> remembered_{0};
};

}  // namespace ami::launch_iam

#endif  // AMI_LIB_TOOLS_LAUNCH_IAM_H_
