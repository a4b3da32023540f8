# NET004: IP restriction lives in security groups only. Network ACL
# entries that filter by address, listener rules with source-ip conditions
# and WAF IP sets are flagged.
package sre.rules.ip_allowlist

import data.sre.lib

meta := {
	"id": "NET004",
	"title": "IP allow-listing only in security groups",
	"remediation": "Keep network ACLs open (0.0.0.0/0 and ::/0) and move the address restriction into the security group of the resource.",
}

findings contains f if {
	some r in input.network_acl_rules
	r.cidr != ""
	not r.world
	f := lib.violation(meta, r.address, sprintf("network ACL %s %s rule %d %ss %s; filter by address in security groups instead", [r.network_acl, direction(r), r.rule_number, r.action, r.cidr]))
}

findings contains f if {
	some r in input.network_acl_rules
	"cidr" in object.get(r, "unknown", [])
	f := lib.cannot_prove(meta, r.address, sprintf("the CIDR of network ACL %s %s rule %d stays unknown until apply", [r.network_acl, direction(r), r.rule_number]))
}

findings contains f if {
	some x in input.ip_filters
	f := lib.violation(meta, x.address, sprintf("%s filters by IP address (%s: %s); filter by address in security groups instead", [x.address, x.kind, concat(", ", x.cidrs)]))
}

direction(r) := "egress" if r.egress

else := "ingress"
