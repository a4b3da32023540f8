package sre.rules.ip_allowlist_test

import data.sre.rules.ip_allowlist

nacl(cidr, world) := {
	"address": "aws_network_acl_rule.r", "network_acl": "aws_network_acl.a", "egress": false,
	"rule_number": 100, "action": "allow", "cidr": cidr, "world": world,
}

test_open_nacl_passes if {
	count(ip_allowlist.findings) == 0 with input as {"network_acl_rules": [nacl("0.0.0.0/0", true)], "ip_filters": []}
}

test_nacl_allowlist_fails if {
	fs := ip_allowlist.findings with input as {"network_acl_rules": [nacl("198.51.100.0/24", false)], "ip_filters": []}
	[f.id | some f in fs] == ["NET004"]
}

test_listener_source_ip_fails if {
	f := {"address": "aws_lb_listener_rule.x", "kind": "lb_listener_rule_source_ip", "cidrs": ["198.51.100.0/24"]}
	count(ip_allowlist.findings) == 1 with input as {"network_acl_rules": [], "ip_filters": [f]}
}
