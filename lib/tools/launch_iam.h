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
// Thread-safe: answers are kept in insert-only tables read without locks; the principals the
// cloud does not hold are kept behind a mutex; the rest is read-only after construction.
#ifndef AMI_LIB_TOOLS_LAUNCH_IAM_H_
#define AMI_LIB_TOOLS_LAUNCH_IAM_H_

#include <cstddef>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ami/ids.h"
#include "ami/image.h"
#include "ami/attributes.h"
#include "ami/policy.h"
#include "cloud/state.h"

namespace ami::launch_iam {

// Bounds of the memo: past them an answer is computed by the engine each time and not kept.
// Principals beyond the cloud's own (role sessions, principals it does not hold); slots for
// classes of images (2 MiB of pointers) and for keys.
inline constexpr size_t kMaxPrincipals = 1 << 16;
inline constexpr size_t kClassSlotsLog2 = 18;
inline constexpr size_t kKeySlotsLog2 = 16;

// IAM's answer: allowed, or the reason of its denial.
struct Outcome {
  bool allowed = false;
  const ReasonTemplate* why = nullptr;
};

// A fixed-size, insert-only hash table of nodes owned by the table: lookups take no lock (an
// acquire load per probe), inserts publish with compare-and-swap. A node that finds no free slot
// within kMaxProbes is not kept. `Node` has a `hash` member.
template <typename Node>
class InsertOnlyTable {
 public:
  static constexpr size_t kMaxProbes = 64;
  explicit InsertOnlyTable(size_t slots_log2)
      : mask_((size_t{1} << slots_log2) - 1), slots_(new std::atomic<const Node*>[mask_ + 1]) {
    for (size_t i = 0; i <= mask_; ++i) slots_[i].store(nullptr, std::memory_order_relaxed);
  }
  ~InsertOnlyTable() {
    for (size_t i = 0; i <= mask_; ++i) delete slots_[i].load(std::memory_order_relaxed);
  }
  InsertOnlyTable(const InsertOnlyTable&) = delete;
  InsertOnlyTable& operator=(const InsertOnlyTable&) = delete;

  // The node of `hash` for which `same(node)` holds, or nullptr.
  template <typename Same>
  const Node* Find(size_t hash, Same same) const {
    for (size_t i = 0, at = hash & mask_; i < kMaxProbes; ++i, at = (at + 1) & mask_) {
      const Node* n = slots_[at].load(std::memory_order_acquire);
      if (n == nullptr) return nullptr;
      if (n->hash == hash && same(*n)) return n;
    }
    return nullptr;
  }
  // Keeps `node` unless a node `same` holds for is there already or no slot is free nearby.
  template <typename Same>
  void Insert(std::unique_ptr<Node> node, Same same) {
    for (size_t i = 0, at = node->hash & mask_; i < kMaxProbes; ++i, at = (at + 1) & mask_) {
      const Node* expected = nullptr;
      if (slots_[at].compare_exchange_strong(expected, node.get(), std::memory_order_acq_rel)) {
        node.release();
        return;
      }
      if (expected->hash == node->hash && same(*expected)) return;
    }
  }

 private:
  const size_t mask_;
  std::unique_ptr<std::atomic<const Node*>[]> slots_;
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
  // False when the memo holds no facts of `image` (the engine must answer).
  std::optional<LaunchAnswer> Launch(absl::string_view principal, AccountId account,
                                     Region region, ImageId image,
                                     absl::Span<const KeyNeed> keys);

 private:
  // What IAM reads of an image, but its tags: its owner, owner alias, visibility and root
  // device type; and the tags its owner put on it, interned (TagsOf).
  struct ImageFacts {
    uint64_t owner = 0;
    uint32_t owner_tags = 0;
    uint8_t alias = 0;
    uint8_t public_image = 0;
    uint8_t root_device = 0;
  };
  struct ClassKey {
    std::optional<ImageId> id;  // When the principal's policies may tell images apart by id.
    uint64_t owner = 0;
    uint32_t tags = 0;  // The interned tags the caller's account sees.
    uint8_t region = 0;
    uint8_t alias = 0;
    uint8_t public_image = 0;
    uint8_t root_device = 0;
    friend bool operator==(const ClassKey& a, const ClassKey& b) {
      return a.id == b.id && a.owner == b.owner && a.tags == b.tags && a.region == b.region &&
             a.alias == b.alias && a.public_image == b.public_image &&
             a.root_device == b.root_device;
    }
  };
  struct TagListHash {
    size_t operator()(const std::vector<const Tag*>& tags) const;
  };
  struct TagListEq {
    bool operator()(const std::vector<const Tag*>& a, const std::vector<const Tag*>& b) const;
  };
  struct ClassHash {
    size_t operator()(const ClassKey& k) const;
  };
  // What a principal's policies read of an image: the tag keys their conditions name
  // (lower-cased), and whether they may tell images apart by id.
  struct Profile {
    std::vector<std::string> tag_keys;
    bool by_id = false;
  };
  // One principal (or root user) of one account.
  struct Entry {
    std::string principal;
    AccountId account = AccountId::FromNumber(0);
    Profile profile;
  };
  // What the engine answered: IAM for a class of images, key use for a key.
  struct ClassNode {
    size_t hash;
    const Entry* entry;
    ClassKey key;
    Outcome outcome;
  };
  struct KeyNode {
    size_t hash;
    const Entry* entry;
    uint64_t slot;
    bool usable;
  };

  Entry* Known(absl::string_view principal, AccountId account) const;
  Entry* EntryOf(absl::string_view principal, AccountId account);
  // A principal made after construction whose conditions name a tag key no principal of the
  // cloud names: its images are told apart by id (their interned tags do not hold that key).
  void Cover(Entry& e) const;
  std::unique_ptr<Entry> MakeEntry(absl::string_view principal, AccountId account) const;
  ClassKey ClassOf(const Entry& e, AccountId account, Region region, ImageId id,
                   const ImageFacts& facts) const;
  // Interns the tags of `tags` whose keys some principal's conditions name (tag_keys_): equal
  // lists get equal ids, the empty list 0.
  uint32_t TagsOf(const TagSet& tags, absl::flat_hash_map<std::vector<const Tag*>, uint32_t,
                                                          TagListHash, TagListEq>* interned) const;
  void ReadImages(const internal::CloudState& state);
  Outcome AskEngine(const Entry& e, Region region, ImageId image) const;
  bool AskKeys(const Entry& e, Region region, const KeyNeed& need) const;
  // IAM's answer for `k`, and whether `e` may use a key (KeySlot), remembered or asked.
  Outcome IamFor(const Entry& e, const ClassKey& k, bool keep, Region region, ImageId image);
  bool KeyFor(const Entry& e, const KeyNeed& need, bool keep, Region region);

  const internal::CloudState& state_;
  absl::flat_hash_set<uint64_t> governed_;  // Accounts service control policies govern.
  // Every tag key (lower-cased) some principal's conditions name.
  std::vector<std::string> tag_keys_;
  absl::flat_hash_map<ImageId, ImageFacts> images_;
  // The interned tags accounts that do not own an image put on it (IAM-5), by (image, account).
  absl::flat_hash_map<std::pair<ImageId, uint64_t>, uint32_t> foreign_;
  // The cloud's users and roles by ARN, and the root users of governed accounts by account:
  // made by the constructor, read without a lock.
  absl::flat_hash_map<std::string, std::unique_ptr<Entry>> principals_;
  absl::flat_hash_map<uint64_t, std::unique_ptr<Entry>> roots_;
  // Other principals asked about (role sessions, principals the cloud does not hold).
  std::mutex mu_;  // Guards others_ (a POSIX mutex, which ThreadSanitizer sees).
  absl::flat_hash_map<std::pair<uint64_t, std::string>, std::unique_ptr<Entry>> others_;
  InsertOnlyTable<ClassNode> classes_{kClassSlotsLog2};
  InsertOnlyTable<KeyNode> keys_{kKeySlotsLog2};
};

}  // namespace ami::launch_iam

#endif  // AMI_LIB_TOOLS_LAUNCH_IAM_H_
