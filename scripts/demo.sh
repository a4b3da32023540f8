#!/usr/bin/env bash
# The main job end to end against the local emulator: start the emulator with
# a week of seeded traffic, apply examples/quickstart with the real Terraform
# CLI and our provider, show the live SLO status, re-plan (must be empty),
# run the plan checker on a network plan, destroy.
set -euo pipefail
terraform=${1:?usage: demo.sh TERRAFORM PROVIDER_BINARY}
provider=${2:?usage: demo.sh TERRAFORM PROVIDER_BINARY}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
emu_pid=""
cleanup() {
  [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "starting the AWS emulator with 7 days of Quickstart/checkout traffic"
go build -o "$work/awsemu" "$root/internal/awsemu/cmd/awsemu"
"$work/awsemu" -addr 127.0.0.1:0 -seed-traffic Quickstart/checkout -seed-error-rate 0.0004 >"$work/emu.log" 2>&1 &
emu_pid=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$work/emu.log" 2>/dev/null && break
  kill -0 "$emu_pid" 2>/dev/null || { cat "$work/emu.log"; exit 1; }
  sleep 0.1
done
endpoint=$(sed -n 's/^awsemu listening on //p' "$work/emu.log")
echo "emulator at $endpoint"

mkdir -p "$work/plugins"
cp "$provider" "$work/plugins/terraform-provider-sre"
cat >"$work/cli.tfrc" <<TFRC
provider_installation {
  dev_overrides {
    "sre-provider/sre" = "$work/plugins"
  }
  direct {}
}
TFRC
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" TF_IN_AUTOMATION=1
export TF_VAR_aws_endpoint="$endpoint"
cp -r "$root/examples/quickstart" "$work/quickstart"
cd "$work/quickstart"

step "terraform apply (SLO, dashboard, error budget, burn-rate alerts, live status)"
"$terraform" apply -auto-approve -input=false -no-color

step "terraform plan after apply: expecting no changes"
set +e
"$terraform" plan -detailed-exitcode -input=false -no-color >"$work/plan.txt" 2>&1
code=$?
set -e
if [ "$code" -ne 0 ]; then
  cat "$work/plan.txt"
  echo "demo: the plan after apply is not empty (exit $code)" >&2
  exit 1
fi
echo "no changes: infrastructure matches the configuration"

step "alert drill: fire the checkout page end to end"
AWS_ACCESS_KEY_ID=AKIDEMULATOR AWS_SECRET_ACCESS_KEY=emulator-secret \
  "$provider" drill -region us-east-1 -endpoint "$endpoint" "$("$terraform" output -raw alert_policy)"

step "plan checker on a 3-tier network plan (compliant, then with SSH open to the internet)"
for case in compliant:0 ssh_from_internet:1; do
  plan=${case%%:*} want=${case##*:}
  set +e
  "$provider" check --no-color --data "$root/examples/policy/data.yaml" "$root/internal/check/testdata/plans/$plan.json"
  got=$?
  set -e
  echo "(exit $got)"
  [ "$got" = "$want" ] || { echo "demo: check on $plan.json exited $got, want $want" >&2; exit 1; }
done

step "terraform destroy"
"$terraform" destroy -auto-approve -input=false -no-color 2>&1 | tail -n 1
echo
echo "demo complete"
