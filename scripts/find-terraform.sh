#!/usr/bin/env bash
# Prints the path of a `terraform` on the PATH whose version is 1.8 or later
# (provider functions need 1.8), or nothing: the GNUmakefile then builds
# v1.8.5 into ./bin. TERRAFORM set in the environment wins over both.
set -uo pipefail
tf=$(command -v terraform 2>/dev/null) || exit 0
v=$("$tf" version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([0-9][0-9.]*\).*/\1/p' | head -n 1)
[ -n "$v" ] || exit 0
major=${v%%.*} rest=${v#*.}
minor=${rest%%.*}
if [ "$major" -gt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -ge 8 ]; }; then
  echo "$tf"
fi
