#!/usr/bin/env bash
# sre-check.sh: the pre-commit hook `sre-check`. It plans every Terraform root
# module touched by the staged files, writes the plan as JSON and runs
# `terraform-provider-sre check` on it, with findings on the .tf lines.
#
# Usage: sre-check.sh [CHECKER_FLAGS...] [FILES...]
#   FILES are the staged files pre-commit passes (*.tf, *.tf.json); every
#   other argument goes to the checker, e.g. --data policy/data.yaml
#   --waivers policy/waivers.yaml --policy policy/custom --changed-only
#   (relative paths are taken from where the hook runs, the repository root).
#
# Environment:
#   SRE_CHECK_ROOTS      root modules to plan, space-separated, instead of the
#                        ones found from FILES (for each file, the nearest
#                        directory at or above it with a .terraform.lock.hcl
#                        or .terraform; files under none are skipped)
#   SRE_CHECK_PLAN_ARGS  extra `terraform plan` arguments, e.g.
#                        "-var-file=dev.tfvars -refresh=false"
#   TERRAFORM            the terraform binary (default: terraform)
#   SRE_CHECK            the checker binary (default: terraform-provider-sre)
#
# Exit status, as the checker's: 0 no violations, 1 violations, 2 bad input,
# usage, or a directory that could not be planned. With several roots the
# worst status wins.
set -euo pipefail

terraform=${TERRAFORM:-terraform}
checker=${SRE_CHECK:-terraform-provider-sre}

die() {
  echo "sre-check: $*" >&2
  exit 2
}

command -v "$terraform" >/dev/null 2>&1 ||
  die "terraform not found (set TERRAFORM to its path)"
command -v "$checker" >/dev/null 2>&1 ||
  die "$checker not found: install it with 'go install github.com/sre-provider/terraform-provider-sre@latest' (or set SRE_CHECK)"

# Split the arguments: staged Terraform files, and flags for the checker.
# Flag values that are existing files become absolute, since the checker
# runs from another directory.
files=()
flags=()
for arg in "$@"; do
  case $arg in
    *.tf | *.tf.json) files+=("$arg") ;;
    *)
      if [ -e "$arg" ]; then
        arg=$(cd "$(dirname "$arg")" && pwd)/$(basename "$arg")
      fi
      flags+=("$arg")
      ;;
  esac
done

# root_of prints the root module a directory belongs to: the nearest
# directory at or above it (within the repository) that holds a
# .terraform.lock.hcl or a .terraform directory, i.e. one that was
# initialised. A staged file in a child module is checked through its root.
top=$(git rev-parse --show-toplevel 2>/dev/null || pwd)
root_of() {
  local d
  d=$(cd "$1" && pwd)
  while :; do
    if [ -e "$d/.terraform.lock.hcl" ] || [ -d "$d/.terraform" ]; then
      echo "$d"
      return 0
    fi
    [ "$d" = "$top" ] || [ "$d" = / ] && return 1
    d=$(dirname "$d")
  done
}

# The root modules to plan.
roots=()
if [ -n "${SRE_CHECK_ROOTS:-}" ]; then
  read -r -a roots <<<"$SRE_CHECK_ROOTS"
else
  while IFS= read -r dir; do
    if root=$(root_of "$dir"); then
      roots+=("$root")
    else
      echo "sre-check: $dir: no initialised root module at or above it (no .terraform.lock.hcl); skipped. Run terraform init in the root module, or set SRE_CHECK_ROOTS" >&2
    fi
  done < <(for f in "${files[@]+"${files[@]}"}"; do dirname "$f"; done | sort -u)
  if [ ${#roots[@]} -gt 0 ]; then
    mapfile -t roots < <(printf '%s\n' "${roots[@]}" | sort -u)
  fi
fi
if [ ${#roots[@]} -eq 0 ]; then
  echo "sre-check: no Terraform root module to check"
  exit 0
fi

plan_args=()
if [ -n "${SRE_CHECK_PLAN_ARGS:-}" ]; then
  read -r -a plan_args <<<"$SRE_CHECK_PLAN_ARGS"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1

status=0
worst() { [ "$1" -gt "$status" ] && status=$1 || true; }

for dir in "${roots[@]}"; do
  [ -d "$dir" ] || { echo "sre-check: $dir: not a directory" >&2; worst 2; continue; }
  if [ ! -d "$dir/.terraform" ]; then
    echo "sre-check: $dir: not initialised; running terraform init" >&2
    if ! "$terraform" -chdir="$dir" init -input=false >"$work/init.log" 2>&1; then
      cat "$work/init.log" >&2
      echo "sre-check: $dir: terraform init failed; nothing was checked there" >&2
      worst 2
      continue
    fi
  fi

  echo "sre-check: planning $dir"
  plan=$work/tfplan
  json=$work/plan.json
  if ! "$terraform" -chdir="$dir" plan -input=false -lock=false -out="$plan" \
    "${plan_args[@]+"${plan_args[@]}"}" >"$work/plan.log" 2>&1; then
    cat "$work/plan.log" >&2
    echo "sre-check: $dir: terraform plan failed; nothing was checked there" >&2
    worst 2
    continue
  fi
  if ! "$terraform" -chdir="$dir" show -json "$plan" >"$json" 2>"$work/show.log"; then
    cat "$work/show.log" >&2
    echo "sre-check: $dir: terraform show -json failed" >&2
    worst 2
    continue
  fi

  # The checker's own exit status is what this hook reports.
  code=0
  (cd "$dir" && "$checker" check --config . "${flags[@]+"${flags[@]}"}" "$json") || code=$?
  case $code in
    0) echo "sre-check: $dir: no violations" ;;
    1) echo "sre-check: $dir: violations of the network policy (above); fix them or add a waiver with an expiry" >&2 ;;
    *) echo "sre-check: $dir: the checker could not read its input (exit $code)" >&2 ;;
  esac
  worst "$code"
done

exit "$status"
