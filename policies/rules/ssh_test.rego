package sre.rules.ssh_test

import data.sre.lib
import data.sre.rules.ssh

rule(from, to, cidrs, sgs) := {
	"declared_in": "aws_security_group_rule.r", "security_group": "sg", "protocol": "tcp",
	"from_port": from, "to_port": to, "cidr_ipv4": cidrs, "cidr_ipv6": [], "prefix_lists": [],
	"source_security_groups": sgs, "self": false,
}

model(role, r) := {
	"targets": {"t": {"address": "t", "kind": "instance", "role": role, "security_groups": ["sg"]}},
	"security_groups": {
		"sg": {"bastion": role == "bastion", "ingress": [r], "protects": ["t"]},
		"bastion-sg": {"bastion": true, "ingress": []},
		"other-sg": {"bastion": false, "ingress": []},
	},
	"unresolved": [],
}

test_server_ssh_from_bastion_group_passes if {
	count(ssh.findings) == 0 with input as model("server", rule(22, 22, [], ["bastion-sg"]))
}

test_server_ssh_from_other_group_fails if {
	count(ssh.findings) == 1 with input as model("server", rule(22, 22, [], ["other-sg"]))
}

test_server_ssh_from_private_cidr_fails if {
	count(ssh.findings) == 1 with input as model("server", rule(22, 22, ["10.0.0.0/8"], []))
}

test_wide_range_covering_ssh_fails if {
	count(ssh.findings) == 1 with input as model("server", rule(1, 1024, ["10.0.0.0/8"], []))
}

test_range_not_covering_ssh_passes if {
	count(ssh.findings) == 0 with input as model("server", rule(23, 1024, ["10.0.0.0/8"], []))
}

test_bastion_from_admin_cidr_passes if {
	count(ssh.findings) == 0 with input as model("bastion", rule(22, 22, ["203.0.113.64/26"], []))
		with data.sre.params.admin_cidrs as ["203.0.113.0/24"]
}

test_bastion_from_adjacent_admin_cidrs_passes if {
	count(ssh.findings) == 0 with input as model("bastion", rule(22, 22, ["203.0.112.0/23"], []))
		with data.sre.params.admin_cidrs as ["203.0.112.0/24", "203.0.113.0/24"]
}

test_bastion_from_world_fails if {
	fs := ssh.findings with input as model("bastion", rule(22, 22, ["0.0.0.0/0"], []))
		with data.sre.params.admin_cidrs as ["203.0.113.0/24"]
	some f in fs
	contains(f.message, "outside the admin CIDRs")
}

test_unknown_ports_cannot_be_proved if {
	r := object.union(rule(0, 0, [], ["other-sg"]), {"unknown": ["ports"]})
	fs := ssh.findings with input as model("server", r)
	[f.kind | some f in fs] == ["cannot_prove"]
}

ssh_index(exact, violations) := {"ssh_port": 22, "ssh_rules": [], "ssh_sources": {
	"admin_cidrs": [], "exact": exact, "rules": [],
	"violations": violations,
}}

# The index words the findings; with matching parameters the rule takes
# them as they are, and judges the model itself otherwise.
test_precomputed_violations_used_when_parameters_match if {
	sgs := {"g": {"protects": ["t"], "bastion": false, "ingress": []}}
	t := {"address": "t", "role": "server"}
	vs := [
		["t", "t accepts SSH (tcp/22) from 10.0.0.0/8 via r; only the bastion's security group may reach SSH"],
		["b", "b accepts SSH (tcp/22) from security group sg-1; the bastion takes SSH only from the admin CIDRs (via r)"],
	]
	fs := ssh.findings with input as {"targets": {"t": t}, "security_groups": sgs, "unresolved": [], "index": ssh_index(true, vs)}
	fs == {lib.violation(ssh.meta, addr, message) | some [addr, message] in vs}
	count(ssh.findings) == 0 with input as {"targets": {"t": t}, "security_groups": sgs, "unresolved": [], "index": ssh_index(false, vs)}
}
