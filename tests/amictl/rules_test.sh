#!/usr/bin/env bash
# End-to-end tests of `amictl rules`: the list, one rule, an unknown id, --json, --help and the
# exit statuses. Usage: rules_test.sh AMICTL
set -u
amictl="$1"
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

check "rules --help" 0 "usage: amictl rules" -- "$amictl" rules --help
check "rules lists" 0 "^SHARE-16 +An image encrypted with the AWS managed EBS key" -- "$amictl" rules
check "rules lists choices" 0 "^MC-1 +Resource ids are" -- "$amictl" rules
check "rules one" 0 "^SHARE-16  An image encrypted" -- "$amictl" rules SHARE-16
check "rules one url" 0 "^https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-explicit.html$" -- \
  "$amictl" rules SHARE-16
check "rules config rule url" 0 "config/latest/developerguide/approved-amis-by-id.html" -- "$amictl" rules GOV-1
check "rules choice" 0 "README.md#modelling-choices" -- "$amictl" rules MC-7
check "rules --json one" 0 '^\{"Id": "KMS-5", "Summary": ".+", "DocUrl": "https://docs.aws.amazon.com/' -- \
  "$amictl" rules --json KMS-5
check "rules --json list" 0 '"Id": "REG-1"' -- "$amictl" rules --json
check "rules unknown" 2 'InvalidParameterValue: unknown rule id `share-16`; closest: SHARE-16' -- \
  "$amictl" rules share-16
check "rules unknown --json" 2 '"Closest": \["SHARE-1' -- "$amictl" rules --json SHRE-1
check "rules two ids" 2 "usage: amictl rules" -- "$amictl" rules SHARE-1 SHARE-2
check "rules option" 2 "unknown option .--state." -- "$amictl" rules --state x

# The list: one line per rule, in order (ID-2 before ID-10), every line `ID  summary`.
out=$("$amictl" rules); checks=$((checks + 1))
if ! grep -Eqv '^[A-Z]{2,8}-[0-9]+ +[^ ]' <<<"$out" && [ "$(grep -n '^ID-2 ' <<<"$out" | cut -d: -f1)" -lt \
    "$(grep -n '^ID-10 ' <<<"$out" | cut -d: -f1)" ] && [ "$(wc -l <<<"$out")" -ge 250 ]; then
  echo "ok   rules list shape"
else
  echo "FAIL rules list shape"; failures=$((failures + 1))
fi
# The JSON list holds as many rules as the text list has lines, one object per line.
checks=$((checks + 1))
json=$("$amictl" rules --json)
if [ "$(grep -Ec '^  \{"Id": "[A-Z]{2,8}-[0-9]+", "Summary": ".+", "DocUrl": "[^"]+"\},?$' <<<"$json")" -eq \
    "$(wc -l <<<"$out")" ] && [ "$(head -1 <<<"$json")" = '{"Rules": [' ] && [ "$(tail -1 <<<"$json")" = ']}' ]; then
  echo "ok   rules --json list shape"
else
  echo "FAIL rules --json list shape"; failures=$((failures + 1))
fi

echo "$((checks - failures))/$checks checks passed"
[ "$failures" -eq 0 ]
