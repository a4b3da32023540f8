#!/usr/bin/env bash
# Checks that `check --format mermaid` writes diagrams Mermaid accepts: the
# checker draws every fixture plan (and scripts/doorsamples a capped drawing
# and odd labels), and Mermaid's own
# parser (mermaid.parse, run under Node with jsdom) reads each one.
#
# Needs node and npm; when they are missing and apt-get can be used (root),
# it installs them. The pinned npm packages (scripts/mermaid-check/
# package-lock.json) go to bin/mermaid-check and are reinstalled only when
# the lock file changes. Extra arguments are Mermaid files to check as well.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "mermaid-check: installing node and npm with apt-get" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "mermaid-check: needs node and npm (apt-get install nodejs npm, or any Node.js 18+)" >&2
    exit 1
  fi
fi

cache=bin/mermaid-check
mkdir -p "$cache"
if ! cmp -s scripts/mermaid-check/package-lock.json "$cache/package-lock.json" || [[ ! -d $cache/node_modules/mermaid ]]; then
  cp scripts/mermaid-check/package.json scripts/mermaid-check/package-lock.json "$cache"/
  (cd "$cache" && npm ci --no-audit --no-fund --silent)
fi
cp scripts/mermaid-check/parse.mjs "$cache"/

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/sre" .
data=internal/check/testdata/data.json
files=()
for p in internal/check/testdata/plans/*.json; do
  name=$(basename "$p" .json)
  # Exit 1 (violations) is expected; 2 is not.
  rc=0
  "$work/sre" check --format mermaid --data "$data" "$p" >"$work/$name.mmd" || rc=$?
  if ((rc > 1)); then
    echo "mermaid-check: check --format mermaid $p exited $rc" >&2
    exit 1
  fi
  files+=("$work/$name.mmd")
done
# Default parameters (no admin networks) colour other edges.
"$work/sre" check --format mermaid internal/check/testdata/plans/evasion_for_each_rules.json >"$work/default-params.mmd" || true
files+=("$work/default-params.mmd")
# Drawings the fixtures do not make: capped, odd characters, self edges.
go run ./scripts/doorsamples "$work"
files+=("$work/capped.mmd" "$work/escaping.mmd")
# The example in the checker's documentation.
awk '/^```mermaid$/{on=1; next} /^```$/{on=0} on' docs/checker.md >"$work/docs-example.mmd"
if [[ ! -s $work/docs-example.mmd ]]; then
  echo "mermaid-check: no mermaid block in docs/checker.md" >&2
  exit 1
fi
files+=("$work/docs-example.mmd" "$@")
node "$cache/parse.mjs" "${files[@]}"
