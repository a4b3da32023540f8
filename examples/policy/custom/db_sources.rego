# An organisation-specific rule, loaded with --policy examples/policy/custom.
# Packages under sre.rules are picked up automatically; each defines meta
# and a findings set. The input is the model printed by --dump-model.
package sre.rules.org_db_sources

import data.sre.lib

meta := {
	"id": "ORG001",
	"title": "Databases only reachable from the app tier",
	"remediation": "Allow the database port only from the application's security group.",
}

findings contains f if {
	some t in input.targets
	t.kind == "db_instance"
	some k in t.security_groups
	some r in input.security_groups[k].ingress
	count(lib.cidrs(r)) > 0
	f := lib.violation(meta, t.address, sprintf("%s accepts %s from CIDR sources via %s", [t.address, lib.port_text(r), r.declared_in]))
}
