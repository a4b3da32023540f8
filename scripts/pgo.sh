#!/usr/bin/env bash
# Regenerates default.pgo, the CPU profile `go build` uses for
# profile-guided optimisation of the binary (Go picks up default.pgo in
# the main package's directory by itself). The profile is of the plan
# checker on generated plans of 10k and 1k resources, the work the
# benchmarks measure; the provider's code paths are not in it and are
# built as without a profile. Rerun after large changes to the checker.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go test -run '^$' -bench 'Check10k' -benchtime 40x -cpuprofile "$work/10k.prof" -o "$work/check.test" ./internal/check >/dev/null
go test -run '^$' -bench 'Check1k' -benchtime 100x -cpuprofile "$work/1k.prof" -o "$work/check.test" ./internal/check >/dev/null
go tool pprof -proto "$work/10k.prof" "$work/1k.prof" >default.pgo
echo "wrote default.pgo ($(stat -c %s default.pgo) bytes)"
