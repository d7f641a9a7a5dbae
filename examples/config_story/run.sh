#!/usr/bin/env bash
# "Use AWS Config to find the instances running non-approved AMIs", end to end with amictl.
#
# An organization of two accounts: the platform account builds a golden AMI, tags it
# approved=true and shares it with the organization; the application account runs instances in
# us-east-1 and eu-west-1 from its own AMIs (one approved, one hand-built) and from the golden
# one. We import what `aws` printed in each account (aws/), evaluate the approved-amis-by-tag and
# approved-amis-by-id rules deployed in each Region, show the non-compliant instances and why,
# list each instance's image with DescribeInstanceImageMetadata, and write the HTML report.
#
# The lesson of GOV-3: the golden AMI is approved by its owner's tag, but the application
# account cannot see its owner's tags, so approved-amis-by-tag finds the instances running it
# NON_COMPLIANT unless the application account tags the shared AMI itself.
#
# Usage: run.sh AMICTL WORK_DIR
set -euo pipefail
amictl="$1"; work="$2"
aws="$(cd "$(dirname "$0")" && pwd)/aws"
rm -rf "$work"; mkdir -p "$work"
state="$work/org.amistate"
platform=111122223333; app=444455556666

echo "== import both accounts (the organization, images, snapshots, instances, sharing)"
"$amictl" import --out "$state" \
  --account $platform --region us-east-1 \
    "$aws/describe-organization.json" "$aws/list-roots.json" \
    --parent r-a1b2 "$aws/list-accounts-for-parent.json" \
    "$aws/platform-us-east-1-images.json" "$aws/platform-us-east-1-snapshots.json" \
    "$aws/platform-golden-launch-permission.json" \
  --account $app --region us-east-1 \
    "$aws/app-us-east-1-images.json" "$aws/app-us-east-1-snapshots.json" \
    "$aws/app-us-east-1-instances.json" \
  --region eu-west-1 \
    "$aws/app-eu-west-1-images.json" "$aws/app-eu-west-1-snapshots.json" \
    "$aws/app-eu-west-1-instances.json"

echo; echo "== the application account's instances and their images (DescribeInstanceImageMetadata)"
for region in us-east-1 eu-west-1; do
  "$amictl" instance-images --state "$state" --as $app --region $region
done

rules=(--rules "$aws/describe-config-rules-us-east-1.json" --rules "$aws/describe-config-rules-eu-west-1.json")
echo; echo "== AWS Config: approved-amis-by-tag and approved-amis-by-id in each Region"
"$amictl" audit --state "$state" --owner $app --rule GOV-1 --rule GOV-2 --rule GOV-3 "${rules[@]}" || true
"$amictl" audit --state "$state" --owner $app "${rules[@]}" --json >"$work/audit.json"
"$amictl" audit --state "$state" --owner $app "${rules[@]}" --html "$work/audit.html" >/dev/null
echo; echo "== the report: $work/audit.html"

# What the story must show.
python3 - "$work/audit.json" "$work/audit.html" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
html = open(sys.argv[2]).read()
results = {}
for r in report["EvaluationResults"]:
    q = r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]
    results[(q["ConfigRuleName"], q["ResourceId"])] = r
def check(rule, instance, want, words=()):
    r = results.get((rule, instance))
    assert r is not None, f"no {rule} result for {instance}"
    assert r["ComplianceType"] == want, f"{rule} {instance}: {r['ComplianceType']}, expected {want}"
    for w in words:
        assert w in r.get("Annotation", ""), f"{rule} {instance}: {w!r} not in {r.get('Annotation')!r}"
# Its own approved AMI, in both Regions.
check("approved-amis-by-tag", "i-0a1a1a1a1a1a1a1a1", "COMPLIANT")
check("approved-amis-by-id", "i-0a1a1a1a1a1a1a1a1", "COMPLIANT")
check("approved-amis-by-tag", "i-0e1e1e1e1e1e1e1e1", "COMPLIANT")
check("approved-amis-by-id", "i-0e1e1e1e1e1e1e1e1", "COMPLIANT")
# The hand-built AMI: non-compliant under both rules; the stopped instance is evaluated too.
for i in ("i-0b1b1b1b1b1b1b1b1", "i-0d1d1d1d1d1d1d1d1"):
    check("approved-amis-by-tag", i, "NON_COMPLIANT", ["ami-0d0d0d0d0d0d0d0d0"])
    check("approved-amis-by-id", i, "NON_COMPLIANT", ["ami-0d0d0d0d0d0d0d0d0"])
# The shared golden AMI: approved by id, but its owner's approved tag is invisible (GOV-3).
check("approved-amis-by-id", "i-0c1c1c1c1c1c1c1c1", "COMPLIANT")
check("approved-amis-by-tag", "i-0c1c1c1c1c1c1c1c1", "NON_COMPLIANT",
      ["ami-0a0a0a0a0a0a0a0a0", "111122223333", "not visible to other accounts"])
# Rules are Regional (GOV-4): each instance is judged by its own Region's rules only.
assert len(results) == 10, f"{len(results)} results, expected 10"
assert "not visible to other accounts" in html and "i-0c1c1c1c1c1c1c1c1" in html
print("story checks passed")
PY
