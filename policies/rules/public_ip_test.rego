package sre.rules.public_ip_test

import data.sre.rules.public_ip

model(role, public, unknown) := {
	"targets": {"t": {
		"address": "t", "kind": "instance", "role": role,
		"public_ip": public, "public_ip_via": ["aws_eip.x"], "unknown": unknown, "notes": [],
	}},
	"unresolved": [],
}

test_private_server_passes if {
	count(public_ip.findings) == 0 with input as model("server", false, [])
}

test_server_with_public_ip_fails if {
	fs := public_ip.findings with input as model("server", true, [])
	[f.message | some f in fs] == ["t gets a public IP via aws_eip.x"]
}

test_bastion_with_public_ip_passes if {
	count(public_ip.findings) == 0 with input as model("bastion", true, [])
}

test_unknown_public_ip_cannot_be_proved if {
	fs := public_ip.findings with input as model("server", false, ["public_ip"])
	[f.kind | some f in fs] == ["cannot_prove"]
}
