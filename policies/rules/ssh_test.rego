package sre.rules.ssh_test

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
	"exposures": doors(r),
}

# The exposure rows the model lists for rule r of group sg protecting t.
doors(r) := array.concat(
	array.concat(
		[door(r, "cidr", c) | some c in array.concat(r.cidr_ipv4, r.cidr_ipv6)],
		[door(r, "security_group", g) | some g in r.source_security_groups],
	),
	[door(r, "self", "sg") | r.self],
)

door(r, kind, source) := {
	"target": "t", "security_group": "sg", "protocol": r.protocol, "from_port": r.from_port, "to_port": r.to_port,
	"source_kind": kind, "source": source, "world": source == "0.0.0.0/0", "public": false, "declared_in": r.declared_in,
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

messages(m) := ms if {
	ms := {f.message | some f in ssh.findings} with input as m
}

test_server_ssh_from_own_group_fails if {
	r := object.union(rule(22, 22, [], []), {"self": true})
	messages(model("server", r)) == {"t accepts SSH (tcp/22) from its own security group sg via aws_security_group_rule.r; only the bastion's security group may reach SSH"}
}

test_server_ssh_message_names_source_and_rule if {
	messages(model("server", rule(20, 30, ["10.0.0.0/8"], ["other-sg"]))) == {
		"t accepts SSH (tcp/20-30) from 10.0.0.0/8 via aws_security_group_rule.r; only the bastion's security group may reach SSH",
		"t accepts SSH (tcp/20-30) from security group other-sg, which does not protect the bastion, via aws_security_group_rule.r",
	}
}

test_bastion_ssh_from_a_group_fails if {
	messages(model("bastion", rule(22, 22, [], ["bastion-sg"]))) == {"t accepts SSH (tcp/22) from security group bastion-sg; the bastion takes SSH only from the admin CIDRs (via aws_security_group_rule.r)"}
}

test_prefix_list_door_fails_on_server_and_bastion if {
	pl := object.union(door(rule(22, 22, [], []), "prefix_list", "pl-1"), {"source_kind": "prefix_list"})
	every role in ["server", "bastion"] {
		m := object.union(model(role, rule(22, 22, [], [])), {"exposures": [pl]})
		messages(m) == {"t accepts SSH (tcp/22) from prefix list pl-1 via aws_security_group_rule.r"}
	}
}

test_door_not_reaching_ssh_passes if {
	count(ssh.findings) == 0 with input as model("server", object.union(rule(22, 22, ["10.0.0.0/8"], []), {"protocol": "udp"}))
}

# A group that protects the bastion and a server: SSH from it (its own
# group named as a source) is allowed on the server, not on the bastion.
test_group_shared_by_bastion_and_server if {
	r := rule(22, 22, [], ["shared"])
	d := object.union(door(r, "security_group", "shared"), {"security_group": "shared"})
	m := {
		"targets": {
			"b": {"address": "b", "kind": "instance", "role": "bastion", "security_groups": ["shared"]},
			"s": {"address": "s", "kind": "instance", "role": "server", "security_groups": ["shared"]},
		},
		"security_groups": {"shared": {"bastion": true, "ingress": [r], "protects": ["b", "s"]}},
		"unresolved": [],
		"exposures": [object.union(d, {"target": "b"}), object.union(d, {"target": "s"})],
	}
	messages(m) == {"b accepts SSH (tcp/22) from security group shared; the bastion takes SSH only from the admin CIDRs (via aws_security_group_rule.r)"}
}
