// amictl explain: a preflight decision with its reasons.
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "ami/policy.h"
#include "ami/io/state_file.h"
#include "cli.h"

namespace amictl {
namespace {

constexpr char kHelp[] =
    "usage: amictl explain --state STATE --as ACCOUNT --region REGION QUESTION\n"
    "\n"
    "questions:\n"
    "  launch IMAGE [--encrypted] [--kms-key KEY]     may ACCOUNT launch IMAGE in REGION?\n"
    "  copy IMAGE --source-region R [--name NAME] [--encrypted] [--kms-key KEY]\n"
    "                                                 may ACCOUNT copy IMAGE from R into REGION?\n"
    "  share IMAGE --with ACCOUNT|ORG_ARN|OU_ARN      may ACCOUNT share IMAGE so?\n"
    "  make-public IMAGE                              may ACCOUNT make IMAGE public?\n"
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

absl::StatusOr<ami::Decision> Ask(const ami::Cloud& cloud, const Args& args, ami::AccountId caller,
                                  ami::Region region, const std::string& verb, ami::ImageId image) {
  std::optional<ami::KmsKeyRef> key;
  if (auto k = args.Get("--kms-key")) {
    auto ref = ami::KmsKeyRef::Parse(*k);
    if (!ref.ok()) return ref.status();
    key = *ref;
  }
  const std::optional<bool> encrypted = args.Has("--encrypted") ? std::optional<bool>(true) : std::nullopt;
  if (verb == "launch") {
    return cloud.Evaluate(ami::policy::EvaluateLaunch, {caller, region, image, encrypted, key});
  }
  if (verb == "copy") {
    auto source = args.Get("--source-region");
    if (!source) return BadUsage("copy needs --source-region");
    auto source_region = ami::Region::Parse(*source);
    if (!source_region.ok()) return source_region.status();
    const std::string name = args.Get("--name").value_or("copy-of-" + image.ToString());
    return cloud.Evaluate(ami::policy::EvaluateCopy,
                          {caller, region, *source_region, image, name, encrypted, key});
  }
  if (verb == "share") {
    auto with = args.Get("--with");
    if (!with) return BadUsage("share needs --with ACCOUNT|ORG_ARN|OU_ARN|all");
    ami::policy::ShareQuestion q{caller, region, image, {}};
    if (absl::Status s = AddRecipient(*with, &q.change); !s.ok()) return s;
    return cloud.Evaluate(ami::policy::EvaluateModifyLaunchPermission, q);
  }
  if (verb == "make-public") {
    return cloud.Evaluate(
        [&](const ami::StateView& v) { return ami::policy::EvaluateMakePublic(v, caller, region, image); });
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
  const std::string question = absl::StrCat(words[0], " ", words[1], " as ", *as, " in ", *region_text);
  if (args.json) {
    PrintJson(question, *d);
  } else {
    std::printf("%s: %s\n", question.c_str(), d->Explain().c_str());
  }
  return d->allowed() ? kOk : kFailed;
}

}  // namespace amictl
