#!/usr/bin/env bash
# End-to-end tests of every amictl subcommand: import, explain, run, audit, --help and --json,
# and their exit statuses. Usage: amictl_test.sh AMICTL SOURCE_DIR WORK_DIR
set -u
amictl="$1"; src="$2"; work="$3"
fixtures="$src/tests/fixtures/aws"; scenarios="$src/tests/scenarios"
rm -rf "$work"; mkdir -p "$work"
failures=0; checks=0

# check NAME EXPECTED_STATUS PATTERN -- COMMAND...: runs COMMAND, checks its exit status and
# that its stdout+stderr match the extended regular expression PATTERN.
check() {
  local name="$1" want="$2" pattern="$3"; shift 4
  local out status
  out=$("$@" 2>&1); status=$?
  checks=$((checks + 1))
  if [ "$status" -ne "$want" ]; then
    echo "FAIL $name: exit $status, expected $want"; echo "$out" | head -20; failures=$((failures + 1))
  elif ! grep -Eq -- "$pattern" <<<"$out"; then
    echo "FAIL $name: output does not match /$pattern/"; echo "$out" | head -20; failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

# refute NAME EXPECTED_STATUS PATTERN -- COMMAND...: like check, but the output must NOT match.
refute() {
  local name="$1" want="$2" pattern="$3"; shift 4
  local out status
  out=$("$@" 2>&1); status=$?
  checks=$((checks + 1))
  if [ "$status" -ne "$want" ]; then
    echo "FAIL $name: exit $status, expected $want"; echo "$out" | head -20; failures=$((failures + 1))
  elif grep -Eq -- "$pattern" <<<"$out"; then
    echo "FAIL $name: output matches /$pattern/"; grep -E -- "$pattern" <<<"$out" | head -5; failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

state="$work/fleet.amistate"
self=111122223333; partner=444455556666

# --help everywhere.
check "help" 0 "commands:" -- "$amictl" --help
check "no command" 2 "usage: amictl" -- "$amictl"
check "unknown command" 2 "unknown command" -- "$amictl" frobnicate
for c in import explain simulate run audit inspect instance-images rules test version; do
  check "$c --help" 0 "usage: amictl $c" -- "$amictl" "$c" --help
done

# import
check "import" 0 "imported 9 files: 8 images" -- "$amictl" import --out "$state" \
  --account $self --region us-east-1 \
  "$fixtures/describe-images.json" "$fixtures/describe-snapshots.json" \
  "$fixtures/describe-instances.json" "$fixtures/describe-image-attribute.json" \
  "$fixtures/describe-snapshot-attribute.json" "$fixtures/describe-key.json" \
  "$fixtures/get-key-policy.json" "$fixtures/get-ebs-encryption-by-default.json" \
  "$fixtures/get-image-block-public-access-state.json"
check "import --json" 0 '"Images": 8' -- "$amictl" import --json --out "$work/again.amistate" \
  --account $self --region us-east-1 "$fixtures/describe-images.json" "$fixtures/describe-snapshots.json" \
  "$fixtures/describe-image-attribute.json" "$fixtures/describe-snapshot-attribute.json" "$fixtures/describe-key.json"
check "import malformed json" 2 "SerializationException: .*malformed-syntax.json" -- \
  "$amictl" import --out "$work/bad.amistate" --account $self --region us-east-1 "$fixtures/malformed-syntax.json"
check "import invalid id" 2 "InvalidAMIID.Malformed: .*malformed-image-id.json: Images\[" -- \
  "$amictl" import --out "$work/bad.amistate" --account $self --region us-east-1 "$fixtures/malformed-image-id.json"
check "import missing file" 2 "cannot open \`.*nope.json\`: no such file or directory" -- \
  "$amictl" import --out "$work/bad.amistate" --account $self --region us-east-1 "$work/nope.json"
check "import without --out" 2 "usage: amictl import" -- "$amictl" import "$fixtures/describe-images.json"
check "import without --account" 2 "MissingParameter: --account is required before \`.*describe-images.json\`" -- \
  "$amictl" import --out "$work/bad.amistate" --region us-east-1 "$fixtures/describe-images.json"
check "import without --region" 2 "MissingParameter: --region is required before \`.*describe-images.json\`" -- \
  "$amictl" import --out "$work/bad.amistate" --account $self "$fixtures/describe-images.json"
check "import a directory" 2 "cannot open \`.*\`: is a directory" -- \
  "$amictl" import --out "$work/bad.amistate" --account $self --region us-east-1 "$fixtures"
# PowerShell's byte-order mark, and a --query'd list of images.
printf '\xef\xbb\xbf' > "$work/bom-snapshots.json"; cat "$fixtures/describe-snapshots.json" >> "$work/bom-snapshots.json"
cat > "$work/images-list.json" <<'EOF'
[{"ImageId": "ami-0f1e2d3c4b5a69788", "Name": "listed", "RootDeviceName": "/dev/sda1",
  "CreationDate": 1717200000.5,
  "BlockDeviceMappings": [{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": "snap-1a2b3c4d"}}]}]
EOF
check "import bom and bare list" 0 "imported 2 files: 1 images" -- "$amictl" import --out "$work/list.amistate" \
  --account $self --region us-east-1 "$work/bom-snapshots.json" "$work/images-list.json"
check "import --now" 0 "imported 2 files" -- "$amictl" import --out "$work/now.amistate" --now 2030-01-01T00:00:00Z \
  --account $self --region us-east-1 "$fixtures/describe-snapshots.json" "$fixtures/describe-images.json"
check "import --now before the inputs" 2 "InvalidParameterValue: the clock \`2020-01-01T00:00:00.000Z\` is earlier" -- \
  "$amictl" import --out "$work/bad.amistate" --now 2020-01-01T00:00:00Z --account $self --region us-east-1 \
  "$fixtures/describe-snapshots.json" "$fixtures/describe-images.json"
check "import bad --now" 2 "InvalidParameterValue: invalid time" -- "$amictl" import --out "$work/bad.amistate" \
  --now yesterday --account $self --region us-east-1 "$fixtures/describe-images.json"
org="$fixtures/org"
check "import organization and iam" 0 "imported 9 files" -- "$amictl" import --out "$work/org.amistate" \
  --account 111111111111 --region us-east-1 "$org/describe-organization.json" "$org/list-roots.json" \
  --parent r-ab12 "$org/list-organizational-units-for-parent.json" \
  --parent ou-ab12-22222222 "$org/list-accounts-for-parent.json" \
  "$org/list-policies.json" "$org/describe-policy.json" --policy-id p-denyrun01 "$org/list-targets-for-policy.json" \
  --policy-id p-FullAWSAccess "$org/list-targets-for-full-access.json" \
  --account 222222222222 "$org/get-account-authorization-details.json"
check "import targets without --policy-id" 2 "MissingParameter: .*amictl import --policy-id" -- \
  "$amictl" import --out "$work/bad.amistate" --account 111111111111 --region us-east-1 \
  "$org/list-targets-for-policy.json"
echo '{"Targets": []}' > "$work/rule-targets.json"
check "import --rule names the rule of targets" 2 "MissingParameter: .*belongs to rule \`nightly\`" -- \
  "$amictl" import --out "$work/bad.amistate" --account 111111111111 --region us-east-1 \
  --rule nightly "$work/rule-targets.json"

# explain
check "explain launch owner" 0 "ALLOW" -- "$amictl" explain --state "$state" --as $self --region us-east-1 \
  launch ami-0123456789abcdef0
check "explain launch shared, key not shared" 1 "DENY \(reported later\)" -- "$amictl" explain --state "$state" --as $partner --region us-east-1 \
  launch ami-0123456789abcdef0
check "explain launch stranger" 1 "denied by LAUNCH-4" -- "$amictl" explain --state "$state" --as 999988887777 \
  --region us-east-1 launch ami-0123456789abcdef0
check "explain launch other region" 1 "REG-2" -- "$amictl" explain --state "$state" --as $self --region eu-west-1 \
  launch ami-0123456789abcdef0
check "explain launch --json" 1 '"Effect": "Deny"' -- "$amictl" explain --json --state "$state" --as 999988887777 \
  --region us-east-1 launch ami-0123456789abcdef0
check "explain copy" 0 "COPY-3" -- "$amictl" explain --state "$state" --as $self --region eu-west-1 \
  copy ami-0123456789abcdef0 --source-region us-east-1 --name golden-copy
check "explain copy without source region" 2 "source-region" -- "$amictl" explain --state "$state" --as $self \
  --region eu-west-1 copy ami-0123456789abcdef0
check "explain share" 0 "ALLOW" -- "$amictl" explain --state "$state" --as $self --region us-east-1 \
  share ami-0123456789abcdef0 --with 555566667777
check "explain share not owner" 1 "SHARE-4" -- "$amictl" explain --state "$state" --as $partner --region us-east-1 \
  share ami-0123456789abcdef0 --with 555566667777
check "explain make-public encrypted" 1 "SHARE-14|SHARE-20" -- "$amictl" explain --state "$state" --as $self \
  --region us-east-1 make-public ami-0123456789abcdef0
check "explain bad image id" 2 "InvalidAMIID.Malformed" -- "$amictl" explain --state "$state" --as $self \
  --region us-east-1 launch ami-nope
check "explain bad state" 2 "cannot open" -- "$amictl" explain --state "$work/none.amistate" --as $self \
  --region us-east-1 launch ami-0123456789abcdef0
check "explain unknown question" 2 "unknown question" -- "$amictl" explain --state "$state" --as $self \
  --region us-east-1 fly ami-0123456789abcdef0

# run
check "run passing scenarios" 0 "PASS" -- "$amictl" run "$scenarios/launch.textproto" "$scenarios/copy.textproto"
check "run --json" 0 '"Passed": true' -- "$amictl" run --json "$scenarios/launch.textproto"
check "run failing scenario" 1 "FAIL .*expectation_mismatch.textproto: step 3" -- \
  "$amictl" run "$scenarios/failing/expectation_mismatch.textproto"
check "run malformed scenario" 2 "malformed.textproto:12" -- "$amictl" run "$scenarios/failing/malformed.textproto"
check "run without files" 2 "usage: amictl run" -- "$amictl" run

# IAM: a state saved from the IAM scenario, then explain --principal and simulate.
iam_state="$work/iam.amistate"; w=444455556666
dev="arn:aws:iam::$w:role/developer"; app=ami-0a1b2c3d4e5f60718
app_arn="arn:aws:ec2:us-east-1::image/$app"
check "run --save-state" 0 "PASS iam_guardrails" -- "$amictl" run --save-state "$iam_state" \
  "$scenarios/iam_guardrails.textproto"
check "explain --principal residual" 1 "allowed only if OfficeOnly statement 1.*aws:SourceIp" -- \
  "$amictl" explain --state "$iam_state" --as $w --region us-east-1 --principal "$dev" launch $app
check "explain --principal --context" 0 "ALLOW" -- "$amictl" explain --state "$iam_state" --as $w \
  --region us-east-1 --principal "$dev" --context aws:SourceIp=203.0.113.7 launch $app
check "explain --principal scp" 1 "explicit deny in a service control policy" -- "$amictl" explain \
  --state "$iam_state" --as $w --region us-east-1 --principal "$dev" --context aws:SourceIp=203.0.113.7 \
  share $app --with 111122223333
check "explain --principal unknown" 1 "is not one the cloud holds" -- "$amictl" explain --state "$iam_state" \
  --as $w --region us-east-1 --principal "arn:aws:iam::$w:role/nobody" launch $app
check "explain bad --context" 2 "KEY=VALUE" -- "$amictl" explain --state "$iam_state" --as $w \
  --region us-east-1 --principal "$dev" --context nonsense launch $app
check "simulate --json residual" 1 '"EvalDecision": "implicitDeny"' -- \
  "$amictl" simulate --json --state "$iam_state" --principal "$dev" --action ec2:RunInstances --resource "$app_arn"
check "simulate --json missing context values" 1 '"MissingContextValues": \["aws:SourceIp"\]' -- \
  "$amictl" simulate --json --state "$iam_state" --principal "$dev" --action ec2:RunInstances --resource "$app_arn"
check "simulate --json allowed" 0 '"EvalDecision": "allowed"' -- "$amictl" simulate --json \
  --state "$iam_state" --principal "$dev" --action ec2:RunInstances --resource "$app_arn" \
  --context aws:SourceIp=203.0.113.7
check "simulate --json matched statement" 0 '"SourcePolicyId": "OfficeOnly", "SourcePolicyType": "role"' -- \
  "$amictl" simulate --json --state "$iam_state" --principal "$dev" --action ec2:RunInstances \
  --context aws:SourceIp=203.0.113.7
check "simulate scp" 1 "ec2:ModifyImageAttribute on \\*: explicitDeny by p-nosharing1" -- "$amictl" simulate \
  --state "$iam_state" --principal "$dev" --action ec2:ModifyImageAttribute --context aws:SourceIp=203.0.113.7
check "simulate unknown principal" 2 "NoSuchEntity" -- "$amictl" simulate --state "$iam_state" \
  --principal "arn:aws:iam::$w:role/nobody" --action ec2:RunInstances
check "simulate without action" 2 "usage: amictl simulate" -- "$amictl" simulate --state "$iam_state" \
  --principal "$dev"

# audit: scoped to the accounts the state is about (here, the instances' owner: MC-77).
amazon=137112412989; rules="$fixtures/config/describe-config-rules.json"
check "audit" 0 "accounts 111122223333; Regions all" -- "$amictl" audit --state "$state"
refute "audit leaves out others' public images" 0 "ami-0d3e4f5a6b7c8d9e0|ami-0c2d3e4f5a6b7c8d9|$amazon" -- \
  "$amictl" audit --state "$state"
check "audit --owner ACCOUNT" 0 "high +public-image .*ami-0d3e4f5a6b7c8d9e0" -- "$amictl" audit --state "$state" \
  --owner $amazon
check "audit --owner self" 0 "accounts 111122223333, $amazon;" -- "$amictl" audit --state "$state" \
  --owner self --owner $amazon
check "audit lists aws managed key" 0 "medium +unshareable-aws-managed-key" -- "$amictl" audit --state "$state" \
  --owner $partner
check "audit lists unusable key" 0 "medium +recipient-cannot-use-key" -- "$amictl" audit --state "$state"
check "audit --owner malformed" 2 "InvalidUserID.Malformed|InvalidParameterValue" -- "$amictl" audit \
  --state "$state" --owner 1234
check "audit --region unknown" 2 "InvalidRegion" -- "$amictl" audit --state "$state" --region mars-1
check "audit --region" 0 "^0 finding\(s\)" -- "$amictl" audit --state "$state" --region eu-west-1
check "audit --rule RULE-ID" 0 "^1 finding\(s\): 1 medium" -- "$amictl" audit --state "$state" --rule SHARE-17
check "audit --rule KIND" 0 "^1 finding\(s\): 1 high" -- "$amictl" audit --state "$state" \
  --rule snapshot-shared-outside-organization
check "audit --rule unknown" 2 "InvalidParameterValue: unknown rule \`frobnicate\`" -- "$amictl" audit \
  --state "$state" --rule frobnicate
check "audit --rules" 0 "high +config-noncompliant +i-0c2d3e4f5a6b7c8d9 .*GOV-1 approved-amis-by-id: image \`ami-0c2d3e4f5a6b7c8d9\`" -- \
  "$amictl" audit --state "$state" --rules "$rules"
check "audit --rules --rule CONFIG-RULE" 0 "^2 finding\(s\): 2 high" -- "$amictl" audit --state "$state" \
  --rules "$rules" --rule approved-amis-by-id
check "audit --rules malformed" 2 "InvalidParameterValue: .*describe-images.json: describe-config-rules output has no ConfigRules" -- \
  "$amictl" audit --state "$state" --rules "$fixtures/describe-images.json"
head -c 4194305 /dev/zero | tr '\0' ' ' >"$work/big-rules.json"  # One byte over 4 MiB.
check "audit --rules too large" 2 "ResourceLimitExceeded: .*big-rules.json\` is 4194305 bytes" -- \
  "$amictl" audit --state "$state" --rules "$work/big-rules.json"
check "audit --rules missing file" 2 "InvalidParameterValue: cannot read" -- "$amictl" audit --state "$state" \
  --rules "$work/none.json"
check "audit --json" 0 '"Kind": "image-shared-outside-organization"' -- "$amictl" audit --json --state "$state"
"$amictl" audit --json --state "$state" --rules "$rules" --now 2026-06-01T00:00:00Z >"$work/audit.json"
check "audit --json parses back" 0 "^ok$" -- python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["Now"] == "2026-06-01T00:00:00.000Z", r["Now"]
assert r["Owners"] == ["111122223333"] and r["Regions"] == []
assert r["Totals"]["Findings"] == len(r["Findings"]) == 8, r["Totals"]
assert [t["Name"] for t in r["Totals"]["BySeverity"]] == ["critical", "high", "medium", "low", "info"]
assert {"Name": "GOV-1", "Count": 2} in r["Totals"]["ByRule"]
e = [x for x in r["EvaluationResults"] if x["ComplianceType"] == "NON_COMPLIANT"
     and x["EvaluationResultIdentifier"]["EvaluationResultQualifier"] ==
     {"ConfigRuleName": "approved-amis-by-id", "ResourceType": "AWS::EC2::Instance",
      "ResourceId": "i-0c2d3e4f5a6b7c8d9"}]
assert len(e) == 1 and "ami-0c2d3e4f5a6b7c8d9" in e[0]["Annotation"], e
assert any(x["ComplianceType"] == "COMPLIANT" for x in r["EvaluationResults"])
print("ok")' "$work/audit.json"
check "audit --fail-on-findings" 1 "finding" -- "$amictl" audit --fail-on-findings --state "$state"
check "audit --fail-on-findings, none in scope" 0 "^0 finding" -- "$amictl" audit --fail-on-findings \
  --state "$state" --region eu-west-1
check "audit --fail-on high" 1 "2 high" -- "$amictl" audit --fail-on high --state "$state"
check "audit --fail-on critical" 0 "2 high, 1 medium" -- "$amictl" audit --fail-on CRITICAL --state "$state"
check "audit --fail-on medium, only medium" 1 "1 medium" -- "$amictl" audit --fail-on medium --state "$state" \
  --rule SHARE-17
check "audit --fail-on unknown" 2 "InvalidParameterValue: unknown severity \`severe\`" -- "$amictl" audit \
  --fail-on severe --state "$state"
check "audit --now" 0 "at 2027-03-04T05:06:07.000Z" -- "$amictl" audit --state "$state" --now 2027-03-04T05:06:07Z
check "audit --now before the clock" 2 "InvalidParameterValue: --now \`2024-01-01T00:00:00Z\` is before the state's clock" -- \
  "$amictl" audit --state "$state" --now 2024-01-01T00:00:00Z
check "audit --now malformed" 2 "InvalidParameterValue" -- "$amictl" audit --state "$state" --now yesterday
check "audit --html" 0 "finding" -- "$amictl" audit --state "$state" --html "$work/audit.html"
check "audit --html page" 0 "<td class=\"sev medium\">medium</td><td>ami-0123456789abcdef0" -- cat "$work/audit.html"
check "audit --html unwritable" 2 "cannot write" -- "$amictl" audit --state "$state" --html "$work/nope/audit.html"
check "audit corrupt state" 2 "SerializationException" -- "$amictl" audit --state "$fixtures/describe-images.json"

# Options: each command's table parses, suggests and is listed in its help.
version=$(sed -n 's/^project(ami VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
check "--version" 0 "^amictl $version\$" -- "$amictl" --version
check "version" 0 "^amictl $version\$" -- "$amictl" version
check "version --json" 0 "^\\{\"Version\": \"$version\"\\}\$" -- "$amictl" version --json
check "misspelled command" 2 "unknown command \`expalin\`; did you mean \`explain\`\\?" -- "$amictl" expalin
check "misspelled command inspect" 2 "did you mean \`inspect\`\\?" -- "$amictl" inspct x
check "unknown option" 2 "^amictl: InvalidParameter: unknown option \`--stat\`; did you mean \`--state\`\\?\$" -- \
  "$amictl" explain --stat "$state" --as $self --region us-east-1 launch ami-0123456789abcdef0
check "unknown option --json" 2 '^\{"Error": \{"Code": "InvalidParameter", "Message": "unknown option `--stat`; did you mean `--state`\?"\}\}$' -- \
  "$amictl" audit --json --stat "$state"
check "unknown option audit" 2 "did you mean \`--fail-on-findings\`\\?" -- "$amictl" audit --state "$state" --fail-on-finding
check "unknown option import" 2 "did you mean \`--account\`\\?" -- "$amictl" import --out "$work/x.amistate" --acount $self
check "unknown option simulate" 2 "did you mean \`--resource\`\\?" -- "$amictl" simulate --resourse x
check "unknown option run" 2 "did you mean \`--save-state\`\\?" -- "$amictl" run --save-stat x y
check "unknown option, nothing near" 2 "unknown option \`--zzzzzzzz\` \\(see \`amictl explain --help\`\\)" -- \
  "$amictl" explain --zzzzzzzz
check "unknown single-dash option" 2 "unknown option \`-x\`" -- "$amictl" run -x
check "unknown option --opt=value" 2 "unknown option \`--stat\`; did you mean \`--state\`" -- "$amictl" audit --stat="$state"
check "flag given a value" 2 "option \`--encrypted\` takes no value" -- "$amictl" explain --state "$state" --as $self \
  --region us-east-1 launch ami-0123456789abcdef0 --encrypted=yes
check "option without its value" 2 "option \`--state\` needs a value" -- "$amictl" audit --state
check "--opt=value" 0 "ALLOW" -- "$amictl" explain --state="$state" --as=$self --region=us-east-1 launch ami-0123456789abcdef0
declare -A options=(
  [import]="--out --account --region --key --parent --child --policy-id --rule --now"
  [explain]="--state --as --region --principal --context --encrypted --kms-key --source-region --name --with --batch"
  [simulate]="--state --principal --action --resource --context --region"
  [run]="--save-state"
  [audit]="--state --fail-on-findings --fail-on --owner --region --rule --rules --now --html"
  [inspect]="" [version]="")
for c in "${!options[@]}"; do
  help=$("$amictl" "$c" --help 2>&1); status=$?
  checks=$((checks + 1))
  missing=""
  for o in ${options[$c]} --output --json --help; do
    grep -Eq -- "^  $o( |\$)" <<<"$help" || missing="$missing $o"
  done
  if [ "$status" -ne 0 ] || [ -n "$missing" ]; then
    echo "FAIL $c --help: exit $status, options not listed:$missing"; failures=$((failures + 1))
  else
    echo "ok   $c --help lists every option"
  fi
done
check "-h" 0 "usage: amictl inspect" -- "$amictl" inspect -h
check "help COMMAND" 0 "usage: amictl simulate" -- "$amictl" help simulate
check "help lists inspect and version" 0 "inspect .*version " -- bash -c "\"$amictl\" --help | tr '\n' ' '"

# --output text|json everywhere; --json is its short form.
check "explain --output json" 1 '"Effect": "Deny"' -- "$amictl" explain --output json --state "$state" \
  --as 999988887777 --region us-east-1 launch ami-0123456789abcdef0
check "explain --output text after --json" 1 "^launch .*: DENY" -- "$amictl" explain --json --output text \
  --state "$state" --as 999988887777 --region us-east-1 launch ami-0123456789abcdef0
check "audit --output json" 0 '"Findings"' -- "$amictl" audit --output json --state "$state"
check "run --output json" 0 '"Passed": true' -- "$amictl" run --output=json "$scenarios/launch.textproto"
check "simulate --output json" 1 '"EvaluationResults"' -- "$amictl" simulate --output json --state "$iam_state" \
  --principal "$dev" --action ec2:RunInstances
check "import --output json" 0 '"Images": 8' -- "$amictl" import --output json --out "$work/one.amistate" \
  --account $self --region us-east-1 "$fixtures/describe-images.json" "$fixtures/describe-snapshots.json"
for c in import explain simulate run audit inspect instance-images rules test version; do
  check "$c --output xml" 2 "\`xml\`: use text or json" -- "$amictl" "$c" --output xml
done

# Progress: only on a terminal, and on a terminal only after AMICTL_PROGRESS_DELAY seconds.
# 20,000 snapshots: a line drawn while loading (every 16,384 records), then the totals.
awk 'BEGIN { printf "{\"Snapshots\": ["; for (i = 1; i <= 20000; i++) printf "%s{\"OwnerId\": \"111122223333\", \"SnapshotId\": \"snap-%017x\", \"VolumeId\": \"vol-%017x\", \"VolumeSize\": 8, \"State\": \"completed\", \"StartTime\": \"2024-01-01T00:00:00.000Z\"}", (i > 1 ? ", " : ""), i, i; print "]}" }' \
  >"$work/snapshots.json"
"$amictl" import --out "$work/big.amistate" --account $self --region us-east-1 "$work/snapshots.json" >/dev/null
out=$(AMICTL_PROGRESS_DELAY=0 "$amictl" inspect "$work/big.amistate" 2>&1 >/dev/null)
checks=$((checks + 1))
if [ -n "$out" ]; then echo "FAIL no progress off a terminal: $out"; failures=$((failures + 1)); else echo "ok   no progress off a terminal"; fi
if script -qec true /dev/null >/dev/null 2>&1; then
  check "progress on a terminal" 0 "loaded $state: 25 records, 8\\.5 KiB in [0-9.]+ s \\([0-9]+ records/s\\)" -- \
    env AMICTL_PROGRESS_DELAY=0 script -qec "\"$amictl\" inspect \"$state\" >/dev/null" /dev/null
  check "progress line rewritten in place" 0 \
    $'\rloading [^\r]*big.amistate: 16384 records, [0-9.]+ MiB of [0-9.]+ MiB \\([0-9]+%\\), [0-9]+ records/s\e\\[K\rloaded [^\r]*: 20002 records' -- \
    env AMICTL_PROGRESS_DELAY=0 script -qec "\"$amictl\" inspect \"$work/big.amistate\" >/dev/null" /dev/null
  check "no progress on a terminal for a quick load" 0 "^\\s*\$" -- \
    script -qec "\"$amictl\" inspect \"$state\" >/dev/null" /dev/null
else
  echo "skip progress on a terminal: script(1) cannot open a terminal here"
fi

# explain --batch: one load, one answer a line, in order.
cat >"$work/questions.jsonl" <<EOF
{"as": "$self", "region": "us-east-1", "action": "launch", "image": "ami-0123456789abcdef0"}

{"as": "999988887777", "region": "us-east-1", "action": "launch", "image": "ami-0123456789abcdef0"}
{"as": "$self", "region": "eu-west-1", "action": "copy", "image": "ami-0123456789abcdef0", "source_region": "us-east-1", "name": "golden-copy", "encrypted": true, "kms_key": "alias/aws/ebs"}
{"as": "$self", "region": "us-east-1", "action": "share", "image": "ami-0123456789abcdef0", "with": "555566667777"}
{"as": "$self", "region": "us-east-1", "action": "make-public", "image": "ami-0123456789abcdef0"}
EOF
check "batch all answered in order" 1 \
  '^\{"Line":1,"Question":"launch [^}]*"Effect":"Allow".*\{"Line":3,"Question":"launch ami-0123456789abcdef0 as 999988887777 in us-east-1","Effect":"Deny".*\{"Line":4,"Question":"copy .*"Effect":"Allow".*\{"Line":5,"Question":"share .*"Effect":"Allow".*\{"Line":6,"Question":"make-public .*"Effect":"Deny"' -- \
  bash -c "set -o pipefail; \"$amictl\" explain --state \"$state\" --batch \"$work/questions.jsonl\" | tr '\n' ' '"
check "batch one line per question" 0 "^5\$" -- bash -c "\"$amictl\" explain --state \"$state\" --batch - <\"$work/questions.jsonl\" | wc -l"
check "batch all allowed" 0 '"Effect":"Allow"' -- bash -c "set -o pipefail; head -1 \"$work/questions.jsonl\" | \"$amictl\" explain --state \"$state\" --batch -"
printf '%s\n' "{\"as\": \"$self\", \"region\": \"us-east-1\", \"action\": \"launch\", \"image\": \"ami-0123456789abcdef0\"}" \
  'not json' "{\"as\": \"$self\", \"regoin\": \"us-east-1\"}" "{\"as\": \"$self\", \"region\": \"us-east-1\", \"action\": \"launch\"}" \
  "{\"as\": \"$self\", \"region\": \"us-east-1\", \"action\": \"fly\", \"image\": \"ami-0123456789abcdef0\"}" \
  "{\"as\": \"$self\", \"region\": \"us-east-1\", \"action\": \"launch\", \"image\": \"ami-nope\"}" \
  "{\"as\": 7}" '[[[[1]]]]' "{\"as\": \"$w\", \"region\": \"us-east-1\", \"action\": \"launch\", \"image\": \"$app\", \"principal\": \"$dev\", \"context\": {\"aws:SourceIp\": \"203.0.113.7\"}}" \
  >"$work/bad.jsonl"
head -c 70000 /dev/zero | tr '\0' ' ' >>"$work/bad.jsonl"; echo >>"$work/bad.jsonl"
echo "{\"as\": \"$w\", \"region\": \"us-east-1\", \"action\": \"launch\", \"image\": \"$app\", \"principal\": \"$dev\"}" >>"$work/bad.jsonl"
batch() { "$amictl" explain --state "$iam_state" --batch "$work/bad.jsonl" "$@" | tr '\n' ' '; return "${PIPESTATUS[0]}"; }
check "batch error lines continue, exit 2" 2 \
  '"Line":2,"Error":\{"Code":"SerializationException","Message":"not JSON: error at byte 2"\}.*"Line":3,"Error":\{"Code":"InvalidParameter","Message":"unknown field `regoin`; did you mean `region`\?"\}.*"Line":4,"Error":\{"Code":"MissingParameter","Message":"missing `image`"\}.*"Line":5,"Error":\{"Code":"MissingParameter","Message":"unknown question `fly`.*"Line":6,"Error":\{"Code":"InvalidAMIID.Malformed".*"Line":7,"Error":\{"Code":"InvalidParameterValue","Message":"`as` must be a string"\}.*"Line":8,"Error":\{"Code":"SerializationException","Message":"nested deeper than 2 levels"\}.*"Line":9,"Question":"launch ami-0a1b2c3d4e5f60718 as 444455556666 in us-east-1 by arn:aws:iam::444455556666:role/developer","Effect":"Allow".*"Line":10,"Error":\{"Code":"ResourceLimitExceeded","Message":"the line is longer than 65536 bytes"\}.*"Line":11,.*"Effect":"Deny"' -- batch
q="{\"as\": \"$self\", \"region\": \"us-east-1\", \"action\": \"launch\", \"image\": \"ami-0123456789abcdef0\"}"
{ printf '%s%*s\n' "$q" $((65536 - ${#q})) ''; printf '%s%*s\n' "$q" $((65537 - ${#q})) ''; } >"$work/bound.jsonl"
check "batch line at and past the bound" 2 '^\{"Line":1,"Question":"launch .*"Effect":"Allow".*\{"Line":2,"Error":\{"Code":"ResourceLimitExceeded"' -- \
  bash -c "\"$amictl\" explain --state \"$state\" --batch - <\"$work/bound.jsonl\" | tr '\n' ' '; exit \${PIPESTATUS[0]}"
check "batch --output text" 2 "line 1: launch .*: DENY.*line 2: error: SerializationException: not JSON: error at byte 2" -- batch --output text
check "batch bad file" 2 "cannot open" -- "$amictl" explain --state "$state" --batch "$work/none.jsonl"
check "batch with a question on the command line" 2 "give no \`--as\` on the command line" -- "$amictl" explain \
  --state "$state" --batch - --as $self
check "batch with a question word" 2 "give no \`launch\` on the command line" -- "$amictl" explain \
  --state "$state" --batch - launch

# inspect
check "inspect" 0 "format version 2, 25 records, 8672 bytes" -- "$amictl" inspect "$state"
check "inspect counts" 0 "^111122223333 us-east-1: 5 images, 3 instances, 1 keys, 1 settings, 5 snapshots\$" -- \
  "$amictl" inspect "$state"
check "inspect regions" 0 "^regions: us-east-1\$" -- "$amictl" inspect "$state"
check "inspect organization" 0 "^organization o-exampleorg1: management account 111111111111, 2 accounts, 1 service control policies\$" -- \
  "$amictl" inspect "$work/org.amistate"
check "inspect --json" 0 '"Account": "444455556666",\s*"Region": "global",\s*"Counts": \{\s*"principals": 1' -- \
  bash -c "\"$amictl\" inspect --json \"$iam_state\" | tr '\n' ' '"
check "inspect --json clock" 0 '"FormatVersion": 2,\s*"Clock": "2024-06-10T02:00:00.000Z"' -- bash -c "\"$amictl\" inspect --json \"$state\" | tr '\n' ' '"
check "inspect corrupt state" 2 "SerializationException" -- "$amictl" inspect "$fixtures/describe-images.json"
check "inspect without a state" 2 "usage: amictl inspect" -- "$amictl" inspect

# instance-images: DescribeInstanceImageMetadata (GOV-9)
check "instance-images" 0 "i-0a1b2c3d4e5f60718 .* allowed" -- "$amictl" instance-images --state "$state" \
  --as $self --region us-east-1
check "instance-images --json" 0 '"ImageAllowed": true' -- "$amictl" instance-images --json \
  --state "$state" --as $self --region us-east-1 --instance-id i-0a1b2c3d4e5f60718
check "instance-images filter" 0 "^0 instance\(s\)" -- "$amictl" instance-images --state "$state" \
  --as $self --region us-east-1 --filter image-allowed=false
check "instance-images unknown filter" 2 "InvalidParameterValue: .*zone-id" -- "$amictl" instance-images \
  --state "$state" --as $self --region us-east-1 --filter zone-id=use1-az1
check "instance-images another's instance" 2 "InvalidInstanceID.NotFound" -- "$amictl" instance-images \
  --state "$state" --as $partner --region us-east-1 --instance-id i-0a1b2c3d4e5f60718
check "instance-images bad filter" 2 "NAME=VALUE" -- "$amictl" instance-images --state "$state" \
  --as $self --region us-east-1 --filter image-allowed

# test: every scenario under folders, to the end of each, with JUnit XML and JSON
mkdir -p "$work/suite/nested"
cp "$scenarios/launch.textproto" "$work/suite/"
sed 's/expect { error: "AuthFailure" }/expect { error: "InvalidAMIID.NotFound" }/' \
  "$scenarios/failing/expectation_mismatch.textproto" >"$work/suite/nested/two_mismatches.textproto"
check "test passing folder" 0 "1 of 1 scenario files passed" -- "$amictl" test "$work/suite/launch.textproto"
check "test reports every mismatch with its line" 1 \
  "two_mismatches.textproto:21: step 3 .*two_mismatches.textproto:27: step 4" -- \
  bash -c "set -o pipefail; \"$amictl\" test --junit \"$work/junit.xml\" \"$work/suite\" | tr '\n' ' '"
check "test junit" 0 "tests=2 failures=1 errors=0 failure_elements=2" -- python3 -c '
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
print("tests=%s failures=%s errors=%s failure_elements=%d" % (root.get("tests"), root.get("failures"),
      root.get("errors"), len(root.findall(".//failure"))))' "$work/junit.xml"
check "test --json" 0 "passed=1 failures=2" -- bash -c "\"$amictl\" test --json \"$work/suite\" | python3 -c '
import json, sys
files = json.load(sys.stdin)[\"Files\"]
print(\"passed=%d failures=%d\" % (sum(f[\"Passed\"] for f in files), sum(len(f[\"Failures\"]) for f in files)))'"
check "test malformed file" 2 "ERROR .*malformed.textproto:12:" -- "$amictl" test "$scenarios/failing/malformed.textproto"
check "test missing path" 2 "neither a scenario file nor a folder" -- "$amictl" test "$work/none"

echo "$((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
