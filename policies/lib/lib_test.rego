package sre.lib_test

import data.sre.lib

test_port_text if {
	lib.port_text({"protocol": "tcp", "from_port": 22, "to_port": 22}) == "tcp/22"
	lib.port_text({"protocol": "tcp", "from_port": 1, "to_port": 1024}) == "tcp/1-1024"
	lib.port_text({"protocol": "all", "from_port": 0, "to_port": 65535}) == "all protocols and ports"
	lib.port_text({"protocol": "icmp", "from_port": -1, "to_port": -1}) == "protocol icmp"
}

test_covers_port if {
	lib.covers_port({"protocol": "all", "from_port": 0, "to_port": 65535}, 22)
	lib.covers_port({"protocol": "tcp", "from_port": 20, "to_port": 30}, 22)
	not lib.covers_port({"protocol": "udp", "from_port": 20, "to_port": 30}, 22)
}

test_unknown_severity if {
	lib.unknown_severity == "error"
	lib.unknown_severity == "warning" with data.sre.params.unknown as "warn"
}

test_describe_target_words_a_target_as_describe if {
	targets := {
		"a": {"address": "a", "role": "unattached"},
		"b": {"address": "b", "role": "launch_template", "used_by": ["g1", "g2"]},
		"c": {"address": "c", "role": "server", "used_by": []},
		"d": {"address": "d"},
	}
	lib.describe_target("a") == "a (attached to nothing in this plan)" with input.targets as targets
	lib.describe_target("b") == "b (launch template used by g1, g2)" with input.targets as targets
	lib.describe_target("c") == "c" with input.targets as targets
	lib.describe_target("d") == "d" with input.targets as targets
	not lib.describe_target("e") with input.targets as targets
	every addr, t in targets {
		lib.describe_target(addr) == lib.describe(t) with input.targets as targets
	}
}

test_internet_lb_target if {
	targets := {
		"lb": {"kind": "load_balancer", "internet_facing": true},
		"internal": {"kind": "load_balancer", "internet_facing": false},
		"vm": {"kind": "instance"},
	}
	lib.internet_lb_target("lb") with input.targets as targets
	not lib.internet_lb_target("internal") with input.targets as targets
	not lib.internet_lb_target("vm") with input.targets as targets
	not lib.internet_lb_target("missing") with input.targets as targets
}

test_cannot_prove_capped_warns_for_warning_rules if {
	f := lib.cannot_prove_capped({"id": "X", "title": "t", "remediation": "r", "severity": "warning"}, "a", "m")
	f.severity == "warning"
	f.kind == "cannot_prove"
}

test_cannot_prove_capped_keeps_unknown_severity_for_error_rules if {
	f := lib.cannot_prove_capped({"id": "X", "title": "t", "remediation": "r", "severity": "error"}, "a", "m")
	f.severity == "error"
}
