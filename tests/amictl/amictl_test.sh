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

state="$work/fleet.amistate"
self=111122223333; partner=444455556666

# --help everywhere.
check "help" 0 "commands:" -- "$amictl" --help
check "no command" 2 "usage: amictl" -- "$amictl"
check "unknown command" 2 "unknown command" -- "$amictl" frobnicate
for c in import explain simulate run audit; do
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

# audit
check "audit" 0 "public-image .*ami-0d3e4f5a6b7c8d9e0" -- "$amictl" audit --state "$state"
check "audit lists aws managed key" 0 "unshareable-aws-managed-key" -- "$amictl" audit --state "$state"
check "audit lists unusable key" 0 "recipient-cannot-use-key" -- "$amictl" audit --state "$state"
check "audit --json" 0 '"Kind": "image-shared-outside-organization"' -- "$amictl" audit --json --state "$state"
check "audit --fail-on-findings" 1 "finding" -- "$amictl" audit --fail-on-findings --state "$state"
check "audit corrupt state" 2 "SerializationException" -- "$amictl" audit --state "$fixtures/describe-images.json"

echo "$((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
