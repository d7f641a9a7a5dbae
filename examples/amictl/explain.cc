// amictl explain: a preflight decision with its reasons, for one question or a batch.
#include "explain.h"

#include <cstdio>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "ami/iam/iam.h"
#include "ami/io/state_file.h"
#include "ami/policy.h"
#include "cli.h"
#include "progress.h"

namespace amictl {
namespace {

constexpr char kHelp[] =
    "usage: amictl explain --state STATE --as ACCOUNT --region REGION\n"
    "                      [--principal ARN] [--context KEY=VALUE]... QUESTION\n"
    "       amictl explain --state STATE --batch FILE|-\n"
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
    "1 for DENY (also when AWS would report the failure only later), 2 for bad input.\n"
    "\n"
    "--batch loads STATE once, then reads one JSON question a line from FILE (- for standard\n"
    "input), such as {\"as\": \"111122223333\", \"region\": \"us-east-1\", \"action\": \"copy\",\n"
    "\"image\": \"ami-…\", \"source_region\": \"eu-west-1\", \"encrypted\": true, "
    "\"kms_key\": \"alias/k\",\n"
    "\"principal\": \"arn:…\", \"context\": {\"aws:SourceIp\": \"203.0.113.7\"}} (also name, with), and\n"
    "prints one JSON decision a line, in order, each with its \"Line\". A line that is not a\n"
    "question (not JSON, an unknown field, a bad id, longer than 65536 bytes) prints\n"
    "{\"Line\": N, \"Error\": {\"Code\", \"Message\"}} and the rest still run; blank lines are\n"
    "skipped. Exit 2 if any line was an error, else 1 if any was denied, else 0.\n";

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

absl::Status BadUsage(const std::string& message) {
  return ami::MakeError(ami::ErrorCode::kMissingParameter, message);
}

// A question with its ids parsed and its options checked.
struct Parsed {
  ami::AccountId caller = ami::AccountId::FromNumber(0);
  ami::Region region = ami::Region::First();
  ami::ImageId image = ami::ImageId::Short(0);
  std::string action;
  std::optional<bool> encrypted;
  std::optional<ami::KmsKeyRef> key;
  std::optional<ami::iam::Identity> who;
  ami::Region source_region = ami::Region::First();  // copy
  std::string name;                                  // copy
  ami::policy::LaunchPermissionChange change;        // share, make-public
};

// The action's own options: copy's source Region and name, share's recipient.
absl::Status ParseActionOptions(const Question& q, Parsed* p) {
  if (p->action == "copy") {
    if (!q.source_region) return BadUsage("copy needs --source-region");
    auto source = ami::Region::Parse(*q.source_region);
    if (!source.ok()) return source.status();
    p->source_region = *source;
    p->name = q.name.value_or("copy-of-" + p->image.ToString());
  } else if (p->action == "share") {
    if (!q.with) return BadUsage("share needs --with ACCOUNT|ORG_ARN|OU_ARN|all");
    return AddRecipient(*q.with, &p->change);
  } else if (p->action == "make-public") {
    p->change.add_public = true;
  } else if (p->action != "launch") {
    return BadUsage(absl::StrCat("unknown question `", p->action,
                                 "`: use launch, copy, share or make-public"));
  }
  return absl::OkStatus();
}

absl::StatusOr<Parsed> Parse(const Question& q) {
  Parsed p;
  p.action = q.action;
  auto caller = ami::AccountId::Parse(q.as);
  if (!caller.ok()) return caller.status();
  p.caller = *caller;
  auto region = ami::Region::Parse(q.region);
  if (!region.ok()) return region.status();
  p.region = *region;
  auto image = ami::ImageId::Parse(q.image);
  if (!image.ok()) return image.status();
  p.image = *image;
  if (q.kms_key) {
    auto key = ami::KmsKeyRef::Parse(*q.kms_key);
    if (!key.ok()) return key.status();
    p.key = *key;
  }
  if (q.encrypted) p.encrypted = true;
  if (q.principal || !q.context.empty()) {
    p.who.emplace();
    p.who->principal = q.principal.value_or("");
    for (const auto& [key, value] : q.context) p.who->context.push_back({key, value});
  }
  if (absl::Status s = ParseActionOptions(q, &p); !s.ok()) return s;
  return p;
}

ami::Decision AskParsed(const ami::Cloud& cloud, const Parsed& p) {
  if (p.action == "launch") {
    return AskAs(cloud, p.who, &Launch,
                 ami::policy::LaunchQuestion{p.caller, p.region, p.image, p.encrypted, p.key});
  }
  if (p.action == "copy") {
    return AskAs(cloud, p.who, &Copy,
                 ami::policy::CopyQuestion{p.caller, p.region, p.source_region, p.image, p.name,
                                           p.encrypted, p.key});
  }
  const ami::policy::ShareQuestion q{p.caller, p.region, p.image, p.change};
  return p.action == "share" ? AskAs(cloud, p.who, &Share, q) : AskAs(cloud, p.who, &MakePublic, q);
}

nlohmann::ordered_json ReasonsJson(const ami::Reasons& reasons) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const ami::Reason& r : reasons) {
    out.push_back({{"Rule", std::string(r.rule())},
                   {"Code", std::string(ami::ErrorCodeName(r.code()))},
                   {"Message", r.Message()},
                   {"Later", r.async}});
  }
  return out;
}

// The question the command line asks: --as, --region, the action and image words, and options.
absl::StatusOr<Question> QuestionOf(const Args& args, const std::vector<std::string>& words) {
  Question q;
  q.as = *args.Get("--as");
  q.region = *args.Get("--region");
  q.action = words[0];
  q.image = words[1];
  q.source_region = args.Get("--source-region");
  q.name = args.Get("--name");
  q.with = args.Get("--with");
  q.kms_key = args.Get("--kms-key");
  q.encrypted = args.Has("--encrypted");
  q.principal = args.Get("--principal");
  for (const Args::Item& item : args.items) {
    if (item.option != "--context") continue;
    const size_t eq = item.value.find('=');
    if (eq == std::string::npos || eq == 0) {
      return BadUsage(absl::StrCat("--context `", item.value, "`: use KEY=VALUE"));
    }
    q.context.push_back({item.value.substr(0, eq), item.value.substr(eq + 1)});
  }
  return q;
}

int Batch(const Args& args, const std::string& state, const std::string& file) {
  for (const Args::Item& item : args.items) {
    if (item.option == "--state" || item.option == "--batch") continue;
    return Fail(args, BadUsage(absl::StrCat(
                          "--batch reads every question from its file: give no `",
                          item.option.empty() ? item.value : item.option, "` on the command line")));
  }
  std::FILE* in = file == "-" ? stdin : std::fopen(file.c_str(), "rb");
  if (in == nullptr) {
    return Fail(args, ami::MakeError(ami::ErrorCode::kInvalidParameterValue,
                                     absl::StrCat("cannot open `", file, "`")));
  }
  auto cloud = LoadStateShowingProgress(state);
  int status = cloud.ok() ? ExplainBatch(**cloud, in, args.json || !args.output_chosen) : kUsage;
  if (in != stdin) std::fclose(in);
  if (!cloud.ok()) return Fail(args, cloud.status());
  return status;
}

}  // namespace

absl::Status CheckQuestion(const Question& q) { return Parse(q).status(); }

absl::StatusOr<ami::Decision> Decide(const ami::Cloud& cloud, const Question& q) {
  absl::StatusOr<Parsed> p = Parse(q);
  if (!p.ok()) return p.status();
  return AskParsed(cloud, *p);
}

std::string Describe(const Question& q) {
  std::string out = absl::StrCat(q.action, " ", q.image, " as ", q.as, " in ", q.region);
  if (q.principal) absl::StrAppend(&out, " by ", *q.principal);
  return out;
}

nlohmann::ordered_json DecisionJson(const std::string& question, const ami::Decision& d) {
  return {{"Question", question},
          {"Effect", d.allowed() ? "Allow" : "Deny"},
          {"ReportedLater", d.denied_later()},
          {"Reasons", ReasonsJson(d.reasons())},
          {"Overridden", ReasonsJson(d.overridden())},
          {"Errors", d.errors()}};
}

int Explain(const Args& args) {
  if (args.help) {
    std::fputs(kHelp, stdout);
    return kOk;
  }
  const auto state = args.Get("--state");
  if (state && args.Get("--batch")) return Batch(args, *state, *args.Get("--batch"));
  const std::vector<std::string> words = args.Positionals();
  if (!state || !args.Has("--as") || !args.Has("--region") || words.size() != 2) {
    std::fputs(kHelp, stderr);
    return kUsage;
  }
  absl::StatusOr<Question> q = QuestionOf(args, words);
  if (!q.ok()) return Fail(args, q.status());
  if (absl::Status s = CheckQuestion(*q); !s.ok()) return Fail(args, s);  // before the load
  auto cloud = LoadStateShowingProgress(*state);
  if (!cloud.ok()) return Fail(args, cloud.status());
  absl::StatusOr<ami::Decision> d = Decide(**cloud, *q);
  if (!d.ok()) return Fail(args, d.status());
  if (args.json) {
    std::printf("%s\n", DumpJson(DecisionJson(Describe(*q), *d), 2).c_str());
  } else {
    std::printf("%s: %s\n", Describe(*q).c_str(), d->Explain().c_str());
  }
  return d->allowed() ? kOk : kFailed;
}

}  // namespace amictl
