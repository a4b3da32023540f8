#!/usr/bin/env bash
# The main job end to end on the local AWS emulator, with the real Terraform
# CLI and the locally built provider, in five steps:
#   1. an SLO and its burn-rate alert policy, their figures read from the plan;
#   2. a golden-AMI rollout of the seeded fleet with its progress, then a
#      broken image whose canary fails and is rolled back;
#   3. an outage in the emulator's traffic: the page fires, the error budget
#      is spent, and the budget gate refuses the next rollout until overridden;
#   4. the plan checker on a compliant and a violating plan of one network;
#   5. destroy; the emulator stops.
# The emulator runs on a manual clock that the provider advances while it
# waits (SRE_EMULATOR_CLOCK), so an hour of rollout takes seconds.
set -euo pipefail
terraform=${1:?usage: demo.sh TERRAFORM PROVIDER_BINARY}
provider=${2:?usage: demo.sh TERRAFORM PROVIDER_BINARY}
provider=$(cd "$(dirname "$provider")" && pwd)/$(basename "$provider")
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
emu_pid="" tail_pid=""
cleanup() {
  [ -n "$tail_pid" ] && kill "$tail_pid" 2>/dev/null
  [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null
  [ -n "${DEMO_KEEP:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "demo: failed at line $LINENO" >&2' ERR

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m' off=$'\033[0m'; else bold="" off=""; fi
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$off"; }
say() { printf '    %s\n' "$*"; }
fail() {
  echo "demo: $*" >&2
  exit 1
}
started=$SECONDS

step "0. the emulator: a VPC's checkout fleet of 4 on the old image behind a target group, a bastion, SNS topics, 7 days of traffic"
go build -o "$work/awsemu" "$root/internal/awsemu/cmd/awsemu"
"$work/awsemu" -addr 127.0.0.1:0 -clock manual -seed-fleet checkout -seed-out "$work/seed.env" \
  -seed-traffic Quickstart/checkout -traffic Quickstart/checkout -seed-error-rate 0.0004 >"$work/emu.log" 2>&1 &
emu_pid=$!
for _ in $(seq 1 300); do
  grep -q "listening on" "$work/emu.log" 2>/dev/null && break
  kill -0 "$emu_pid" 2>/dev/null || { cat "$work/emu.log"; fail "the emulator did not start"; }
  sleep 0.1
done
grep -q "listening on" "$work/emu.log" || fail "the emulator did not start within 30 s"
sed -n '/^credentials:/q;s/^/    /p' "$work/emu.log"
# shellcheck source=/dev/null
. "$work/seed.env"
say "emulator at $ENDPOINT (manual clock: time moves only when someone waits)"

emu() { curl -fsS -X "$1" "$ENDPOINT/_awsemu/$2"; }
advance() { emu POST "clock?advance=$1" >/dev/null; }
emu_now() { emu GET clock | cut -c12-19; }

# Terraform installs the provider from a local mirror, as from a registry:
# a real `terraform init`, no development-override warnings.
version=0.1.0
platform=$(go env GOOS)_$(go env GOARCH)
mirror=$work/mirror
mkdir -p "$mirror/registry.terraform.io/sre-provider/sre/$version/$platform" \
  "$mirror/registry.terraform.io/hashicorp/aws/$version/$platform"
cp "$provider" "$mirror/registry.terraform.io/sre-provider/sre/$version/$platform/terraform-provider-sre_v$version"
go build -o "$mirror/registry.terraform.io/hashicorp/aws/$version/$platform/terraform-provider-aws_v$version" \
  "$root/internal/testprovider/aws/cmd/terraform-provider-aws"
cat >"$work/cli.tfrc" <<TFRC
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["sre-provider/sre", "hashicorp/aws"]
  }
}
TFRC
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
export TF_VAR_aws_endpoint="$ENDPOINT" SRE_EMULATOR_CLOCK="$ENDPOINT"
export TF_LOG_PROVIDER=INFO TF_LOG_PATH="$work/tf.log"
export AWS_ACCESS_KEY_ID=AKIDEMULATOR AWS_SECRET_ACCESS_KEY=emulator-secret
tf() {
  local cmd=$1
  shift
  "$terraform" "$cmd" -input=false -no-color "$@"
}

# plan_figures prints what a reviewer reads in the plan: its summary line
# and the outputs known at plan time.
plan_figures() {
  grep -E '^Plan:|^No changes' "$1" | sed 's/^/    /'
  sed -n '/^Changes to Outputs:/,/^$/p' "$1" | grep -v '(known after apply)' | sed '/= {$/{N;/= {\n *}$/d}' | sed 's/^/    /'
}

# progress turns the provider's "rollout progress" log entries into lines
# as they are written, while the apply runs.
progress() {
  : >"$TF_LOG_PATH"
  tail -n 0 -F "$TF_LOG_PATH" 2>/dev/null | awk '
    function field(k,   v) {
      if (!match($0, " " k "=(\"[^\"]*\"|[^ ]*)")) return ""
      v = substr($0, RSTART + length(k) + 2, RLENGTH - length(k) - 2)
      gsub(/^"|"$/, "", v)
      return v
    }
    /rollout progress/ && field("phase") != "none" {
      line = sprintf("phase %s: old %s, new %s (in service %s, healthy %s)", field("phase"), field("old"), field("new"), field("in_service"), field("healthy"))
      if (line != last) { printf "    +%-7s rollout %s: %s\n", field("elapsed"), field("group"), line; fflush(); last = line }
    }' &
  tail_pid=$!
}
progress_done() {
  sleep 0.3
  kill "$tail_pid" 2>/dev/null || true
  wait "$tail_pid" 2>/dev/null || true
  tail_pid=""
}
fleet() { "$provider" rollout status -endpoint "$ENDPOINT" -region us-east-1 -instances "$GROUP" | sed 's/^[0-9:]*  //; s/^/    /'; }

cp -r "$root/examples/quickstart" "$work/quickstart"
cd "$work/quickstart"

step "1. an SLO and its burn-rate alert policy: budget, thresholds and detection times, read from the plan"
tf init >"$work/init.log" 2>&1 || { cat "$work/init.log"; fail "terraform init failed"; }
say "terraform init: $(grep -o 'Installed sre-provider/sre v[0-9.]*' "$work/init.log") from the local mirror"
tf plan -out=tfplan >"$work/plan.txt" 2>&1 || { cat "$work/plan.txt"; fail "terraform plan failed"; }
plan_figures "$work/plan.txt"
tf apply tfplan >"$work/apply.txt" 2>&1 || { cat "$work/apply.txt"; fail "terraform apply failed"; }
grep -E 'Creation complete|Apply complete' "$work/apply.txt" | sed 's/^/    /'
tf plan -detailed-exitcode >"$work/replan.txt" 2>&1 || { cat "$work/replan.txt"; fail "the plan after apply is not empty"; }
say "re-plan: no changes"

step "2a. golden-AMI rollout of $GROUP: $OLD_IMAGE_ID -> $NEW_IMAGE_ID (canary, gates on the page alarm and target health, surge, retire)"
fleet
tf plan -var "image_id=$NEW_IMAGE_ID" -out=tfplan >"$work/rollout-plan.txt" 2>&1 || { cat "$work/rollout-plan.txt"; fail "terraform plan failed"; }
plan_figures "$work/rollout-plan.txt" | grep -E 'Plan:|rollout'
say "the plan's preview of the rollout:"
sed -n '/+ preview *= {/,/^ *}/p' "$work/rollout-plan.txt" | grep -v '(known after apply)' | sed 's/^      //; s/^/      /'
progress
tf apply tfplan >"$work/apply.txt" 2>&1 || { progress_done; cat "$work/apply.txt"; fail "the rollout failed"; }
progress_done
grep -E 'sre_asg_rollout.*complete|Apply complete' "$work/apply.txt" | sed 's/^/    /'
advance 2m
say "fleet once the old instances have drained, at $(emu_now) emulated:"
fleet
fleet >"$work/fleet-good.txt"

step "2b. a broken build, $BROKEN_IMAGE_ID: its canary fails the health gate and the rollout puts version 2 back"
progress
if tf apply -auto-approve -var "image_id=$BROKEN_IMAGE_ID" >"$work/apply.txt" 2>&1; then
  progress_done
  fail "the broken image rolled out"
fi
progress_done
sed -n '/^Error:/,$p' "$work/apply.txt" | sed 's/^/    /'
advance 2m
say "fleet once the canary has drained:"
fleet >"$work/fleet-after.txt"
sed 's/^/    /' "$work/fleet-after.txt" | sed 's/^    //'
diff -u "$work/fleet-good.txt" "$work/fleet-after.txt" >/dev/null &&
  say "the same 4 instances, on the same version, as before the broken rollout" ||
  fail "the fleet changed after the rollback"

step "3. an outage: every checkout request fails"
# budget_remaining prints the SLO's remaining error budget (a fraction),
# refreshed from CloudWatch at the emulator's now.
budget_remaining() {
  tf apply -refresh-only -auto-approve >"$work/refresh.txt" 2>&1 || { cat "$work/refresh.txt"; fail "refresh failed"; }
  "$terraform" output -json live_status | grep -o '"budget_remaining_fraction":[-0-9.e]*' | cut -d: -f2
}
pct() { awk -v x="$1" 'BEGIN { printf "%.1f %%", x * 100 }'; }
before=$(budget_remaining)
say "$(emu_now) emulated: error budget remaining $(pct "$before"); the error rate goes to 100 %"
emu POST "traffic?error_rate=1" >/dev/null
paged=""
for minute in $(seq 1 15); do
  advance 1m
  paged=$(emu GET actions | grep " invoked .* $PAGE_TOPIC_ARN\$" | head -n 1 || true)
  [ -n "$paged" ] && break
done
[ -n "$paged" ] || fail "no page within 15 minutes of a total outage"
plan_said=$("$terraform" output -json alerts | grep -o '"page_fast":"[^"]*' | sed 's/.*fires it after \([^ ]*\) (\([^)]*\) of the budget).*/after \1, having spent \2/')
say "$(echo "$paged" | cut -c12-19) emulated: PAGE $(echo "$paged" | awk '{print $3 " -> " $4}'), $minute min after the outage began"
say "  (the plan said a total outage pages $plan_said of the budget; alarms evaluate once a minute)"
# Live status is read in 5-minute buckets: read it at the next boundary.
now_s=$(date -u -d "$(emu GET clock)" +%s)
advance "$((300 - now_s % 300 + 1))s"
minute=$((minute + (300 - now_s % 300 + 1) / 60))
at_bucket=$(budget_remaining)
say "$(emu_now) emulated: live status shows $(pct "$(awk -v a="$before" -v b="$at_bucket" 'BEGIN { print a - b }')") of the budget spent by the outage so far"
emu GET actions | grep -m 1 " suppressed " | awk '{print "    ticket " $3 ": fired too, its action suppressed while the page is in alarm"}' || true
[ "$minute" -lt 10 ] && advance "$((10 - minute))m"
emu POST "traffic?error_rate=0.0004" >/dev/null
say "$(emu_now) emulated: fixed after 10 minutes; 40 minutes later the page is quiet again"
advance 40m
after=$(budget_remaining)
"$terraform" output -json live_status | tr -d '{}"' | tr ',' '\n' | awk -F: '
  $1 == "attainment_percent" { printf "    live status: attainment %.3f %%", $2 }
  $1 == "budget_remaining_fraction" { printf ", error budget remaining %.1f %%", $2 * 100 }
  $1 == "release_allowed" { printf ", release allowed: %s\n", $2 }'
say "next release, $NEXT_IMAGE_ID:"
if tf apply -auto-approve -var "image_id=$NEXT_IMAGE_ID" >"$work/apply.txt" 2>&1; then
  fail "the rollout started although the error budget is spent"
fi
sed -n '/^Error:/,$p' "$work/apply.txt" | sed 's/^/    /'
say "an emergency fix may override the gate (budget_override = true):"
progress
tf apply -auto-approve -var "image_id=$NEXT_IMAGE_ID" -var budget_override=true >"$work/apply.txt" 2>&1 ||
  { progress_done; cat "$work/apply.txt"; fail "the overridden rollout failed"; }
progress_done
grep -E 'Modifications complete|Apply complete' "$work/apply.txt" | sed 's/^/    /'

step "4. the plan checker on the same network twice: as written, then with SSH opened to the internet"
cp -r "$root/examples/policy/network" "$work/network"
cd "$work/network"
tf init >"$work/init.log" 2>&1 || { cat "$work/init.log"; fail "terraform init failed"; }
for case in compliant:false:0 violating:true:1; do
  IFS=: read -r name open want <<<"$case"
  tf plan -var "open_ssh_to_internet=$open" -out=tfplan >"$work/plan.txt" 2>&1 || { cat "$work/plan.txt"; fail "plan failed"; }
  "$terraform" show -json tfplan >"$name.json"
  say "$name plan ($(grep -E '^Plan:' "$work/plan.txt")):"
  got=0
  "$provider" check --no-color --config . --data "$root/examples/policy/data.yaml" "$name.json" >"$work/check.txt" 2>&1 || got=$?
  sed 's/^/      /' "$work/check.txt"
  [ "$got" = "$want" ] || fail "check on the $name plan exited $got, want $want"
done
say "the doors of the violating plan, as Mermaid (GitHub renders it in a pull-request comment):"
"$provider" check --format mermaid --data "$root/examples/policy/data.yaml" violating.json >"$work/doors.mmd" || [ $? = 1 ]
sed 's/^/      /' "$work/doors.mmd"

step "5. terraform destroy"
cd "$work/quickstart"
tf destroy -auto-approve -var "image_id=$NEXT_IMAGE_ID" -var budget_override=true >"$work/destroy.txt" 2>&1 ||
  { cat "$work/destroy.txt"; fail "destroy failed"; }
grep -E 'Destroy complete' "$work/destroy.txt" | sed 's/^/    /'
kill "$emu_pid" && wait "$emu_pid" 2>/dev/null || true
emu_pid=""
say "emulator stopped"
echo
echo "demo complete in $((SECONDS - started)) s"
