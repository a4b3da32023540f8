package sre.checker_test

import data.sre.checker

test_findings_collected_from_every_rule_package if {
	m := {
		"targets": {"t": {"address": "t", "kind": "instance", "role": "server", "public_ip": true, "public_ip_via": ["x"], "security_groups": [], "public_exposure": []}},
		"security_groups": {}, "autoscaling_groups": {}, "network_acl_rules": [], "ip_filters": [], "unresolved": [],
	}
	ids := {f.id | some f in checker.findings} with input as m
	ids == {"NET003"}
	checker.deny == {"NET003 t: t gets a public IP via x"} with input as m
}

test_every_rule_has_metadata if {
	count(checker.rules) == 7
}
