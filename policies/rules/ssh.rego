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

# ssh_doors lists the doors (input.exposures rows) that reach SSH over
# TCP, port ranges and protocol -1 included (lib.covers_port, inlined:
# this runs once per row of the plan), except the doors whose source is a
# group that protects a bastion (its own group included; no CIDR or prefix
# list is a group's key): most doors of a plan, allowed on every other host
# and judged for bastions below, from the groups' rules. The first test is
# part of the walk over the rows, and the bastion test, which leaves out
# most of the rest, is a lookup with a default rather than a negation.
ssh_doors := doors if {
	p := port
	doors := [x |
		some i
		input.exposures[i].from_port <= p
		x := input.exposures[i]
		object.get(input.security_groups, [x.source, "bastion"], false) == false
		x.to_port >= p
		x.protocol in {"tcp", "all"}
	]
}

# The bastion takes SSH from no security group, its own included: the
# doors from groups that protect a bastion, found through the rules of the
# bastion's groups (the rows ssh_doors leaves out).
findings contains f if {
	some k
	input.security_groups[k].bastion
	some r in input.security_groups[k].ingress
	some g in r.source_security_groups
	input.security_groups[g].bastion
	lib.covers_port(r, port)
	some addr in input.security_groups[k].protects
	t := input.targets[addr]
	t.role == "bastion"
	f := lib.violation(meta, t.address, sprintf("%s accepts SSH (%s) %s", [lib.describe(t), lib.port_text(r), bastion_problem_sg(g, r.declared_in)]))
}

# Each door is judged by its source and by the target it opens.
findings contains f if {
	some x in ssh_doors
	t := input.targets[x.target]
	problem := door_problem(t.role, x)
	f := lib.violation(meta, t.address, sprintf("%s accepts SSH (%s) %s", [lib.describe(t), lib.port_text(x), problem]))
}

door_problem(role, x) := server_problem(x) if role != "bastion"

door_problem("bastion", x) := bastion_problem(x)

# Other hosts: the only allowed source is a group that protects a bastion.
# The source kinds exclude each other, so the definitions are chained with
# else: the first that matches words the problem, and the rest are not
# evaluated for the door (a body that fails passes to the next).
server_problem(x) := sprintf("from %s via %s; only the bastion's security group may reach SSH", [x.source, x.declared_in]) if x.source_kind == "cidr"

else := sprintf("from security group %s, which does not protect the bastion, via %s", [x.source, x.declared_in]) if {
	x.source_kind == "security_group"
	not input.security_groups[x.source].bastion
}

else := sprintf("from its own security group %s via %s; only the bastion's security group may reach SSH", [x.source, x.declared_in]) if {
	x.source_kind == "self"
	not input.security_groups[x.source].bastion
}

else := prefix_list_problem(x) if x.source_kind == "prefix_list"

# Bastion: every CIDR source must lie inside the admin CIDRs.
bastion_problem(x) := sprintf("from %s, outside the admin CIDRs, via %s", [x.source, x.declared_in]) if {
	x.source_kind == "cidr"
	not admin_cidr(x.source)
}

else := prefix_list_problem(x) if {
	x.source_kind == "prefix_list"
}

else := bastion_problem_sg(x.source, x.declared_in) if {
	x.source_kind == "security_group"
}

bastion_problem_sg(group, declared_in) := sprintf("from security group %s; the bastion takes SSH only from the admin CIDRs (via %s)", [group, declared_in])

prefix_list_problem(x) := sprintf("from prefix list %s via %s", [x.source, x.declared_in])

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
	f := lib.cannot_prove(meta, t.address, sprintf("%s: %s of rule %s stays unknown until apply, so SSH exposure cannot be ruled out", [lib.describe(t), u, r.declared_in]))
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
