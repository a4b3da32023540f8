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

test_describe if {
	lib.describe({"address": "a", "role": "unattached"}) == "a (attached to nothing in this plan)"
	lib.describe({"address": "b", "role": "server", "used_by": ["g1", "g2"]}) == "b (launch template used by g1, g2)"
	lib.describe({"address": "c", "role": "server", "used_by": []}) == "c"
	lib.describe({"address": "d"}) == "d"
}

test_sets_from_the_model if {
	m := {
		"targets": {
			"lb": {"kind": "load_balancer", "public_ip": false, "public_exposure": [{"protocol": "tcp"}], "unknown": ["internet_facing"]},
			"vm": {"kind": "instance", "public_ip": true, "public_exposure": [{"protocol": "tcp"}, {"protocol": "udp"}]},
			"db": {"kind": "db_instance", "public_ip": false, "public_exposure": []},
		},
		"security_groups": {"sg": {"ingress": [{"unknown": ["cidrs"]}, {}]}},
		"exposures": [
			{"protocol": "tcp", "from_port": 20, "to_port": 30, "source": "a"},
			{"protocol": "udp", "from_port": 22, "to_port": 22, "source": "b"},
			{"protocol": "all", "from_port": 0, "to_port": 65535, "source": "c"},
		],
	}
	lib.load_balancers == {"lb"} with input as m
	lib.public_ip_targets == {"vm"} with input as m
	lib.public_exposures == {["lb", 0], ["vm", 0], ["vm", 1]} with input as m
	lib.unknown_targets == {["internet_facing", "lb"]} with input as m
	lib.unknown_rules == {["sg", 0]} with input as m
	[x.source | some x in lib.port_doors(22)] == ["a", "c"] with input as m
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
