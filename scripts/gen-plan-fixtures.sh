#!/usr/bin/env bash
# Regenerates the plan-checker fixtures: every HCL scenario under
# internal/check/testdata/scenarios is planned with the real Terraform CLI
# against the plan-only test provider (internal/testprovider/aws), and the
# `terraform show -json` output is committed under testdata/plans.
# Tests read only the committed JSON; run this (make fixtures) after
# changing a scenario, the modules or the test provider. SCENARIOS="a b"
# plans only those scenarios.
set -euo pipefail
cd "$(dirname "$0")/.."

TERRAFORM=${TERRAFORM:-$PWD/bin/terraform}
if [[ ! -x $TERRAFORM ]]; then
  TERRAFORM=$(command -v terraform || true)
fi
if [[ -z $TERRAFORM ]]; then
  echo "gen-plan-fixtures: no Terraform CLI; build it into bin/terraform (go install github.com/hashicorp/terraform@v1.8.5) or set TERRAFORM" >&2
  exit 1
fi

src=internal/check/testdata
out=$src/plans
work=$(mktemp -d)
emu_pid=""
trap '[[ -n $emu_pid ]] && kill "$emu_pid" 2>/dev/null; rm -rf "$work"' EXIT

go build -o "$work/providers/terraform-provider-aws" ./internal/testprovider/aws/cmd/terraform-provider-aws
# The sre provider itself, for the REL scenarios. Configuring it calls STS
# (GetCallerIdentity), so it talks to the emulator, found through
# AWS_ENDPOINT_URL so that no address ends up in the plans.
go build -o "$work/providers/terraform-provider-sre" .
go build -o "$work/awsemu" ./internal/awsemu/cmd/awsemu
# start_emulator (re)starts it empty: each scenario applying before/ creates
# the base module's SLO dashboards, whose names must be free.
start_emulator() {
  if [[ -n $emu_pid ]]; then
    kill "$emu_pid" 2>/dev/null || true
    wait "$emu_pid" 2>/dev/null || true
  fi
  rm -f "$work/emu.log"
  "$work/awsemu" -addr 127.0.0.1:0 >"$work/emu.log" 2>&1 &
  emu_pid=$!
  for _ in $(seq 100); do
    grep -q "listening on" "$work/emu.log" 2>/dev/null && break
    kill -0 "$emu_pid" 2>/dev/null || { cat "$work/emu.log" >&2; exit 1; }
    sleep 0.1
  done
  AWS_ENDPOINT_URL=$(sed -n 's/^awsemu listening on //p' "$work/emu.log")
  export AWS_ENDPOINT_URL
}
export AWS_ACCESS_KEY_ID=AKIDEMULATOR AWS_SECRET_ACCESS_KEY=emulator-secret AWS_REGION=us-east-1
start_emulator
go build -o "$work/plannorm" ./scripts/plannorm
cat > "$work/cli.tfrc" <<RC
provider_installation {
  dev_overrides {
    "hashicorp/aws" = "$work/providers"
    "sre-provider/sre" = "$work/providers"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE=$work/cli.tfrc TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
cp -r "$src/modules" "$work/modules"
mkdir -p "$out"

# workspace DIR SCENARIO_FILES...: the common base plus the scenario's files.
workspace() {
  local dir=$1
  shift
  mkdir -p "$dir"
  cp "$src"/scenarios/_common/*.tf "$dir"/
  for f in "$@"; do cp "$f" "$dir"/; done
  (cd "$dir" && "$TERRAFORM" get -no-color >/dev/null)
}

for scenario in "$src"/scenarios/*/; do
  name=$(basename "$scenario")
  [[ $name == _* ]] && continue # _common and the _shared files linked into scenarios
  if [[ -n ${SCENARIOS:-} && " $SCENARIOS " != *" $name "* ]]; then
    continue
  fi
  ws=$work/scenarios/$name
  shopt -s nullglob
  files=("$scenario"*.tf)
  before=("$scenario"before/*.tf)
  shopt -u nullglob
  workspace "$ws" "${files[@]}"
  if ((${#before[@]})); then
    # Apply the "before" configuration to get real prior state.
    workspace "$ws.before" "${before[@]}"
    start_emulator
    (cd "$ws.before" && "$TERRAFORM" apply -no-color -input=false -auto-approve >/dev/null)
    cp "$ws.before/terraform.tfstate" "$ws/terraform.tfstate"
  fi
  (cd "$ws" && "$TERRAFORM" plan -no-color -input=false -out=tfplan >/dev/null)
  (cd "$ws" && "$TERRAFORM" show -no-color -json tfplan) | "$work/plannorm" >"$out/$name.json"
  echo "planned $name"
done
