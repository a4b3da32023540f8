package sre.rules.public_ingress_test

import data.sre.rules.public_ingress

exposure(proto, from, to, cidrs) := {
	"protocol": proto, "from_port": from, "to_port": to,
	"cidr_ipv4": cidrs, "cidr_ipv6": [],
	"world": cidrs == ["0.0.0.0/0"], "via": ["aws_security_group_rule.r"],
}

target(kind, role, exposures) := {
	"address": "t", "kind": kind, "role": role, "internet_facing": kind == "load_balancer",
	"security_groups": [], "public_exposure": exposures, "listeners": [],
}

ids(fs) := {f.id | some f in fs}

test_lb_on_443_from_world_passes if {
	t := target("load_balancer", "load_balancer", [exposure("tcp", 443, 443, ["0.0.0.0/0"])])
	count(public_ingress.findings) == 0 with input as {"targets": {"t": t}, "security_groups": {}, "unresolved": []}
}

test_server_open_to_world_fails if {
	t := target("instance", "server", [exposure("tcp", 8080, 8080, ["0.0.0.0/0"])])
	fs := public_ingress.findings with input as {"targets": {"t": t}, "security_groups": {}, "unresolved": []}
	ids(fs) == {"NET001"}
	some f in fs
	contains(f.message, "tcp/8080 from the whole internet")
}

test_lb_wide_range_fails if {
	t := target("load_balancer", "load_balancer", [exposure("tcp", 440, 450, ["0.0.0.0/0"])])
	count(public_ingress.findings) == 1 with input as {"targets": {"t": t}, "security_groups": {}, "unresolved": []}
}

test_internal_lb_fails if {
	t := object.union(target("load_balancer", "load_balancer", [exposure("tcp", 443, 443, ["0.0.0.0/0"])]), {"internet_facing": false})
	count(public_ingress.findings) == 1 with input as {"targets": {"t": t}, "security_groups": {}, "unresolved": []}
}

test_http_redirect_listener_is_exception if {
	l := {"address": "l", "port": 80, "protocol": "HTTP", "default_actions": ["redirect"], "redirects_to_https": true}
	t := object.union(target("load_balancer", "load_balancer", [exposure("tcp", 80, 80, ["0.0.0.0/0"])]), {"listeners": [l]})
	count(public_ingress.findings) == 0 with input as {"targets": {"t": t}, "security_groups": {}, "unresolved": []}
	count(public_ingress.findings) == 1 with input as {"targets": {"t": t}, "security_groups": {}, "unresolved": []}
		with data.sre.params.allow_http_redirect as false
}

test_bastion_ssh_left_to_ssh_rule if {
	t := target("instance", "bastion", [exposure("tcp", 22, 22, ["0.0.0.0/0"])])
	count(public_ingress.findings) == 0 with input as {"targets": {"t": t}, "security_groups": {}, "unresolved": []}
}

test_protocol_all_fails_even_on_lb if {
	t := target("load_balancer", "load_balancer", [exposure("all", 0, 65535, ["0.0.0.0/0"])])
	count(public_ingress.findings) == 1 with input as {"targets": {"t": t}, "security_groups": {}, "unresolved": []}
}

test_unknown_cidrs_cannot_be_proved if {
	rule := {"declared_in": "r", "protocol": "tcp", "from_port": 80, "to_port": 80, "cidr_ipv4": [], "cidr_ipv6": [], "prefix_lists": [], "public": false, "unknown": ["cidrs"]}
	t := object.union(target("instance", "server", []), {"security_groups": ["sg"]})
	fs := public_ingress.findings with input as {"targets": {"t": t}, "security_groups": {"sg": {"ingress": [rule], "protects": ["t"]}}, "unresolved": []}
	some f in fs
	f.kind == "cannot_prove"
	f.severity == "error"
}

test_unknown_is_a_warning_when_configured if {
	t := object.union(target("instance", "server", []), {"unknown": ["security_groups"]})
	fs := public_ingress.findings with input as {"targets": {"t": t}, "security_groups": {}, "unresolved": []}
		with data.sre.params.unknown as "warn"
	[f.severity | some f in fs] == ["warning"]
}

test_message_names_port_sources_and_rules if {
	t := object.union(target("launch_template", "server", [exposure("tcp", 8080, 8080, ["0.0.0.0/0"])]), {"used_by": ["a"]})
	fs := public_ingress.findings with input as {"targets": {"t": t}, "security_groups": {}, "unresolved": []}
	[f.message | some f in fs] == ["t (launch template used by a) accepts tcp/8080 from the whole internet (0.0.0.0/0) via aws_security_group_rule.r"]
}

test_prefix_list_door_cannot_be_proved_except_on_internet_lb if {
	door := {
		"target": "t", "security_group": "sg", "protocol": "tcp", "from_port": 443, "to_port": 443,
		"source_kind": "prefix_list", "source": "pl-1", "world": false, "public": false, "declared_in": "r",
	}
	server := {"targets": {"t": target("instance", "server", [])}, "security_groups": {}, "unresolved": [], "exposures": [door]}
	[f.message | some f in public_ingress.findings] == ["cannot prove compliance: t: rule r allows prefix list pl-1, whose entries are not in the plan"] with input as server
	lb := object.union(server, {"targets": {"t": target("load_balancer", "load_balancer", [])}})
	count(public_ingress.findings) == 0 with input as lb
}
