#!/usr/bin/env bash
# All benchmarks in one run: SLO refresh cost, then the plan checker against
# conftest and opa eval. Results are described in docs/benchmarks.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

echo "== SLO refresh: AWS API calls per SLO when refreshing 200 SLOs"
go test -run '^$' -bench 'BenchmarkRefresh200SLOs' -benchtime 5x ./internal/provider
go test -run '^$' -bench 'BenchmarkBatcher200SLOs' -benchtime 5x ./internal/slostatus

echo
echo "== Plan checker vs conftest and opa eval"
bash scripts/bench-check.sh
