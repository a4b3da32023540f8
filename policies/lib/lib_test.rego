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
