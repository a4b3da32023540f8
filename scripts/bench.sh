#!/usr/bin/env bash
# All benchmarks in one run: SLO and alert policy refresh cost, the
# emulator's alarm evaluation, then the plan checker against conftest and
# opa eval. Results are described in docs/benchmarks.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

echo "== SLO refresh: AWS API calls per SLO when refreshing 200 SLOs"
go test -run '^$' -bench 'BenchmarkRefresh200SLOs' -benchtime 5x ./internal/provider
go test -run '^$' -bench 'BenchmarkBatcher200SLOs' -benchtime 5x ./internal/slostatus

echo
echo "== Alert policy refresh: DescribeAlarms calls per policy when refreshing 200 policies"
go test -run '^$' -bench 'BenchmarkRefresh200Policies' -benchtime 5x ./internal/provider

echo
echo "== Emulator: alarm evaluation and DescribeAlarms at 2,000 alarms"
go test -run '^$' -bench . -benchtime 3x -benchmem ./internal/awsemu

echo
echo "== Rollouts: simulated wall time against the unavoidable waits, and API call rates"
go test -run '^$' -bench 'BenchmarkRollout' -benchtime 3x ./internal/rollout
go test -run '^$' -bench 'BenchmarkRolloutOnEmulator' -benchtime 1x ./internal/asgapi

echo
echo "== Plan checker vs conftest and opa eval"
bash scripts/bench-check.sh
