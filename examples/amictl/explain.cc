// amictl explain: a preflight decision with its reasons.
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "ami/iam/iam.h"
#include "ami/policy.h"
#include "ami/io/state_file.h"
#include "cli.h"

namespace amictl {
namespace {

constexpr char kHelp[] =
    "usage: amictl explain --state STATE --as ACCOUNT --region REGION\n"
    "                      [--principal ARN] [--context KEY=VALUE]... QUESTION\n"
    "\n"
    "questions:\n"
    "  launch IMAGE [--encrypted] [--kms-key KEY]     may ACCOUNT launch IMAGE in REGION?\n"
    "  copy IMAGE --source-region R [--name NAME] [--encrypted] [--kms-key KEY]\n"
    "                                                 may ACCOUNT copy IMAGE from R into REGION?\n"
    "  share IMAGE --with ACCOUNT|ORG_ARN|OU_ARN      may ACCOUNT share IMAGE so?\n"
    "  make-public IMAGE                              may ACCOUNT make IMAGE public?\n"
    "\n"
    "--principal asks as an IAM user or role of ACCOUNT (its policies, boundary and the\n"
    "service control policies of ACCOUNT decide first, as the call would); --context gives a\n"
    "condition key's value (aws:SourceIp=203.0.113.7), repeatable. Without them IAM is not\n"
    "asked.\n"
    "\n"
    "Prints ALLOW or DENY and the reasons (rule, message, AWS error code); exit 0 for ALLOW,\n"
    "1 for DENY (also when AWS would report the failure only later), 2 for bad input.\n";

absl::Status BadUsage(const std::string& message) {
  return ami::MakeError(ami::ErrorCode::kMissingParameter, message);
}

void PrintReasons(const char* name, const ami::Reasons& reasons, bool last) {
  std::printf("  \"%s\": [", name);
  for (size_t i = 0; i < reasons.size(); ++i) {
    const ami::Reason& r = reasons[i];
    std::printf("%s{\"Rule\": %s, \"Code\": %s, \"Message\": %s, \"Later\": %s}", i ? ", " : "",
                Quote(std::string(r.rule())).c_str(),
                Quote(std::string(ami::ErrorCodeName(r.code()))).c_str(), Quote(r.Message()).c_str(),
                r.async ? "true" : "false");
  }
  std::printf("]%s\n", last ? "" : ",");
}

void PrintJson(const std::string& question, const ami::Decision& d) {
  std::printf("{\n  \"Question\": %s,\n  \"Effect\": \"%s\",\n  \"ReportedLater\": %s,\n",
              Quote(question).c_str(), d.allowed() ? "Allow" : "Deny", d.denied_later() ? "true" : "false");
  PrintReasons("Reasons", d.reasons(), false);
  PrintReasons("Overridden", d.overridden(), false);
  std::printf("  \"Errors\": [");
  for (size_t i = 0; i < d.errors().size(); ++i) std::printf("%s%s", i ? ", " : "", Quote(d.errors()[i]).c_str());
  std::printf("]\n}\n");
}

// Builds the share question's change from --with.
absl::Status AddRecipient(const std::string& with, ami::policy::LaunchPermissionChange* change) {
  if (with.rfind("arn:aws:organizations::", 0) == 0 && with.find(":ou/") != std::string::npos) {
    auto arn = ami::OrganizationalUnitArn::Parse(with);
    if (!arn.ok()) return arn.status();
    change->add_ous.push_back(*arn);
  } else if (with.rfind("arn:", 0) == 0) {
    auto arn = ami::OrganizationArn::Parse(with);
    if (!arn.ok()) return arn.status();
    change->add_organizations.push_back(*arn);
  } else if (with == "all") {
    change->add_public = true;
  } else {
    auto account = ami::AccountId::Parse(with);
    if (!account.ok()) return account.status();
    change->add_accounts.push_back(*account);
  }
  return absl::OkStatus();
}

// The identity --principal and --context name; nullopt when neither is given.
absl::StatusOr<std::optional<ami::iam::Identity>> IdentityOf(const Args& args) {
  ami::iam::Identity who;
  bool given = false;
  for (const Args::Item& item : args.items) {
    if (item.option == "--principal") {
      who.principal = item.value;
      given = true;
    } else if (item.option == "--context") {
      const size_t eq = item.value.find('=');
      if (eq == std::string::npos || eq == 0) {
        return BadUsage(absl::StrCat("--context `", item.value, "`: use KEY=VALUE"));
      }
      who.context.push_back({item.value.substr(0, eq), item.value.substr(eq + 1)});
      given = true;
    }
  }
  if (!given) return std::optional<ami::iam::Identity>();
  return std::optional<ami::iam::Identity>(std::move(who));
}

// Asks `q` of the policy engine: as `who` when given (IAM first), else as the account (`ask`).
template <typename Q>
ami::Decision AskAs(const ami::Cloud& cloud, const std::optional<ami::iam::Identity>& who,
                    ami::Decision (*ask)(const ami::StateView&, const Q&), const Q& q) {
  if (who) return ami::iam::Explain(cloud, *who, q);
  return cloud.Evaluate(ask, q);
}

ami::Decision Launch(const ami::StateView& v, const ami::policy::LaunchQuestion& q) {
  return ami::policy::EvaluateLaunch(v, q);
}
ami::Decision Copy(const ami::StateView& v, const ami::policy::CopyQuestion& q) {
  return ami::policy::EvaluateCopy(v, q);
}
ami::Decision Share(const ami::StateView& v, const ami::policy::ShareQuestion& q) {
  return ami::policy::EvaluateModifyLaunchPermission(v, q);
}
ami::Decision MakePublic(const ami::StateView& v, const ami::policy::ShareQuestion& q) {
  return ami::policy::EvaluateMakePublic(v, q.caller, q.region, q.image);
}

absl::StatusOr<ami::Decision> AskCopy(const ami::Cloud& cloud, const Args& args,
                                      const std::optional<ami::iam::Identity>& who,
                                      ami::policy::CopyQuestion q) {
  auto source = args.Get("--source-region");
  if (!source) return BadUsage("copy needs --source-region");
  auto source_region = ami::Region::Parse(*source);
  if (!source_region.ok()) return source_region.status();
  q.source_region = *source_region;
  q.name = args.Get("--name").value_or("copy-of-" + q.source_image.ToString());
  return AskAs(cloud, who, &Copy, q);
}

absl::StatusOr<ami::Decision> Ask(const ami::Cloud& cloud, const Args& args, ami::AccountId caller,
                                  ami::Region region, const std::string& verb, ami::ImageId image) {
  std::optional<ami::KmsKeyRef> key;
  if (auto k = args.Get("--kms-key")) {
    auto ref = ami::KmsKeyRef::Parse(*k);
    if (!ref.ok()) return ref.status();
    key = *ref;
  }
  auto who = IdentityOf(args);
  if (!who.ok()) return who.status();
  const std::optional<bool> encrypted = args.Has("--encrypted") ? std::optional<bool>(true) : std::nullopt;
  if (verb == "launch") {
    return AskAs(cloud, *who, &Launch,
                 ami::policy::LaunchQuestion{caller, region, image, encrypted, key});
  }
  if (verb == "copy") {
    return AskCopy(cloud, args, *who, {caller, region, region, image, "", encrypted, key});
  }
  ami::policy::ShareQuestion q{caller, region, image, {}};
  if (verb == "share") {
    auto with = args.Get("--with");
    if (!with) return BadUsage("share needs --with ACCOUNT|ORG_ARN|OU_ARN|all");
    if (absl::Status s = AddRecipient(*with, &q.change); !s.ok()) return s;
    return AskAs(cloud, *who, &Share, q);
  }
  if (verb == "make-public") {
    q.change.add_public = true;
    return AskAs(cloud, *who, &MakePublic, q);
  }
  return BadUsage(absl::StrCat("unknown question `", verb, "`: use launch, copy, share or make-public"));
}

}  // namespace

int Explain(const Args& args) {
  if (args.help) {
    std::fputs(kHelp, stdout);
    return kOk;
  }
  const auto state = args.Get("--state");
  const auto as = args.Get("--as");
  const auto region_text = args.Get("--region");
  const std::vector<std::string> words = args.Positionals();
  if (!state || !as || !region_text || words.size() != 2) {
    std::fputs(kHelp, stderr);
    return kUsage;
  }
  auto caller = ami::AccountId::Parse(*as);
  if (!caller.ok()) return Fail(args, caller.status());
  auto region = ami::Region::Parse(*region_text);
  if (!region.ok()) return Fail(args, region.status());
  auto image = ami::ImageId::Parse(words[1]);
  if (!image.ok()) return Fail(args, image.status());
  auto cloud = ami::LoadStateFromFile(*state);
  if (!cloud.ok()) return Fail(args, cloud.status());
  absl::StatusOr<ami::Decision> d = Ask(**cloud, args, *caller, *region, words[0], *image);
  if (!d.ok()) return Fail(args, d.status());
  std::string question = absl::StrCat(words[0], " ", words[1], " as ", *as, " in ", *region_text);
  if (auto principal = args.Get("--principal")) absl::StrAppend(&question, " by ", *principal);
  if (args.json) {
    PrintJson(question, *d);
  } else {
    std::printf("%s: %s\n", question.c_str(), d->Explain().c_str());
  }
  return d->allowed() ? kOk : kFailed;
}

}  // namespace amictl
