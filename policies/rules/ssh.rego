# NET002: SSH (port 22, any range covering it, or all ports) reaches the
# bastion only from the admin CIDRs, and every other host only from the
# bastion's security group.
package sre.rules.ssh

import data.sre.lib

meta := {
	"id": "NET002",
	"title": "SSH only through the bastion",
	"remediation": "Allow SSH on the bastion from the admin CIDRs only; on other hosts allow it only from the bastion's security group.",
}

port := lib.params.ssh_port

admin := net.cidr_merge(lib.params.admin_cidrs)

# Each rule that reaches SSH is judged once; only rules with a problem fan
# out to the targets their group protects, so a large fleet that is
# reachable only from the bastion costs one check per rule.
# ssh_rules holds [group key, rule index] of every rule that reaches SSH.
ssh_rules := lib.port_rules(port)

# The checker judges the sources of the SSH-reaching rules in Go
# (input.index.ssh_sources) with the SSH port and admin CIDRs it records,
# and words the findings as the rules below do; when its parameters are
# the ones in force, the rule takes them as they are.
precomputed if {
	input.index.ssh_port == port
	ss := input.index.ssh_sources
	ss.exact
	ss.admin_cidrs == lib.params.admin_cidrs
}

# What lib.violation returns, as an object literal whose constant parts are
# looked up once, before the loop (a call per finding costs twice the
# allocations, a lookup of meta per finding a third more time).
findings contains {
	"id": id, "title": title, "severity": "error", "kind": "violation",
	"address": addr, "message": message, "remediation": remediation,
} if {
	precomputed
	id := meta.id
	title := meta.title
	remediation := meta.remediation
	some [addr, message] in input.index.ssh_sources.violations
}

findings contains f if {
	not precomputed
	some [k, i] in ssh_rules
	r := input.security_groups[k].ingress[i]
	some problem in server_problems(r)
	some addr in input.security_groups[k].protects
	t := input.targets[addr]
	not t.role == "bastion"
	f := lib.violation(meta, t.address, sprintf("%s accepts SSH (%s) %s", [lib.describe_target(addr), lib.port_text(r), problem]))
}

findings contains f if {
	not precomputed
	some [k, i] in ssh_rules
	input.security_groups[k].bastion
	r := input.security_groups[k].ingress[i]
	some problem in bastion_problems(r)
	some addr in input.security_groups[k].protects
	t := input.targets[addr]
	t.role == "bastion"
	f := lib.violation(meta, t.address, sprintf("%s accepts SSH (%s) %s", [lib.describe_target(addr), lib.port_text(r), problem]))
}

# Other hosts: the only allowed source is a group that protects a bastion.
server_problems(r) := (({sprintf("from %s via %s; only the bastion's security group may reach SSH", [c, r.declared_in]) |
	some c in array.concat(r.cidr_ipv4, r.cidr_ipv6)
} | {sprintf("from security group %s, which does not protect the bastion, via %s", [s, r.declared_in]) |
	some s in r.source_security_groups
	not input.security_groups[s].bastion
}) | {sprintf("from its own security group %s via %s; only the bastion's security group may reach SSH", [r.security_group, r.declared_in]) |
	r.self
	not input.security_groups[r.security_group].bastion
}) | prefix_list_problems(r)

# Bastion: every CIDR source must lie inside the admin CIDRs.
bastion_problems(r) := ({sprintf("from %s, outside the admin CIDRs, via %s", [c, r.declared_in]) |
	some c in array.concat(r.cidr_ipv4, r.cidr_ipv6)
	not admin_cidr(c)
} | {sprintf("from security group %s; the bastion takes SSH only from the admin CIDRs (via %s)", [s, r.declared_in]) |
	some s in r.source_security_groups
}) | prefix_list_problems(r)

prefix_list_problems(r) := {sprintf("from prefix list %s via %s", [pl, r.declared_in]) | some pl in r.prefix_lists}

admin_cidr(c) if {
	some a in admin
	net.cidr_contains(a, c)
}

# Cannot prove: the rule's ports are unknown, or it covers SSH and its
# sources are unknown, or the target's groups are unknown.
findings contains f if {
	some [k, i] in lib.unknown_rules
	r := input.security_groups[k].ingress[i]
	some u in unknown_parts(r)
	some addr in input.security_groups[k].protects
	t := input.targets[addr]
	f := lib.cannot_prove(meta, t.address, sprintf("%s: %s of rule %s stays unknown until apply, so SSH exposure cannot be ruled out", [lib.describe_target(addr), u, r.declared_in]))
}

findings contains f if {
	some ["security_groups", addr] in lib.unknown_targets
	t := input.targets[addr]
	f := lib.cannot_prove(meta, t.address, sprintf("the security groups of %s stay unknown until apply", [t.address]))
}

findings contains f if {
	some u in input.unresolved
	r := u.rule
	may_cover_ssh(r)
	f := lib.cannot_prove(meta, u.address, sprintf("%s: %s", [u.address, u.reason]))
}

unknown_parts(r) := {u |
	some u in r.unknown
	u in {"protocol", "ports"}
} | {u |
	some u in r.unknown
	u in {"cidrs", "source_security_groups", "self"}
	lib.covers_port(r, port)
}

may_cover_ssh(r) if lib.covers_port(r, port)

may_cover_ssh(r) if "ports" in r.unknown

may_cover_ssh(r) if "protocol" in r.unknown
