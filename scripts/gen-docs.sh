#!/usr/bin/env bash
# Generate docs/ with tfplugindocs from the provider schema as Terraform sees
# it. The schema comes from our own Terraform binary through a dev override,
# so no registry is contacted.
set -euo pipefail
terraform=${1:?usage: gen-docs.sh TERRAFORM TFPLUGINDOCS}
tfplugindocs=${2:?usage: gen-docs.sh TERRAFORM TFPLUGINDOCS}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/plugins/terraform-provider-sre" "$root"
cat >"$work/cli.tfrc" <<TFRC
provider_installation {
  dev_overrides {
    "sre-provider/sre" = "$work/plugins"
  }
  direct {}
}
TFRC
mkdir -p "$work/cfg"
cat >"$work/cfg/main.tf" <<'TF'
terraform {
  required_providers {
    sre = { source = "sre-provider/sre" }
  }
}
TF
(cd "$work/cfg" && TF_CLI_CONFIG_FILE="$work/cli.tfrc" "$terraform" providers schema -json 2>/dev/null) >"$work/schema.json"

# tfplugindocs looks schemas up by short name.
sed -i 's#"registry.terraform.io/sre-provider/sre"#"sre"#' "$work/schema.json"

cd "$root"
"$tfplugindocs" generate --provider-name sre --rendered-provider-name "SRE" --providers-schema "$work/schema.json" >/dev/null
echo "docs generated in docs/"
