# The SSH/443 rules as users of conftest and `opa eval` write them against
# raw `terraform show -json` output: one resource at a time, literal
# 0.0.0.0/0 and ::/0 only. Used by scripts/bench-check.sh as the baseline.
package main

world := {"0.0.0.0/0", "::/0"}

# Ingress rules from inline blocks and both rule resource types.
ingress_rules contains [rc.address, r] if {
	some rc in input.resource_changes
	rc.type == "aws_security_group"
	some r in rc.change.after.ingress
}

ingress_rules contains [rc.address, r] if {
	some rc in input.resource_changes
	rc.type == "aws_security_group_rule"
	rc.change.after.type == "ingress"
	r := rc.change.after
}

ingress_rules contains [rc.address, r] if {
	some rc in input.resource_changes
	rc.type == "aws_vpc_security_group_ingress_rule"
	a := rc.change.after
	r := {
		"from_port": object.get(a, "from_port", 0),
		"to_port": object.get(a, "to_port", 65535),
		"protocol": a.ip_protocol,
		"cidr_blocks": [c | some c in [a.cidr_ipv4, a.cidr_ipv6]; c != null],
	}
}

cidrs(r) := array.concat(list(object.get(r, "cidr_blocks", [])), list(object.get(r, "ipv6_cidr_blocks", [])))

list(x) := x if is_array(x)

else := []

from_world(r) if {
	some c in cidrs(r)
	c in world
}

covers(r, p) if {
	r.protocol in {"-1", "all"}
}

covers(r, p) if {
	r.from_port <= p
	r.to_port >= p
}

deny contains msg if {
	some [addr, r] in ingress_rules
	from_world(r)
	covers(r, 22)
	msg := sprintf("%s allows SSH from the internet", [addr])
}

deny contains msg if {
	some [addr, r] in ingress_rules
	from_world(r)
	not only_443(r)
	msg := sprintf("%s allows ports %v-%v from the internet", [addr, r.from_port, r.to_port])
}

only_443(r) if {
	r.protocol in {"tcp", "6"}
	r.from_port == 443
	r.to_port == 443
}
