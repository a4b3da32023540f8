package sre.rules.lb_listener_test

import data.sre.rules.lb_listener

model(internet_facing, l) := {
	"targets": {"lb": {
		"address": "aws_lb.web", "kind": "load_balancer", "internet_facing": internet_facing, "listeners": [l],
	}},
	"unresolved": [],
}

listener(port, proto, actions, redirect) := {
	"address": "aws_lb_listener.l", "port": port, "protocol": proto,
	"default_actions": actions, "redirects_to_https": redirect,
}

test_https_443_passes if {
	count(lb_listener.findings) == 0 with input as model(true, listener(443, "HTTPS", ["forward"], false))
}

test_http_redirect_passes if {
	count(lb_listener.findings) == 0 with input as model(true, listener(80, "HTTP", ["redirect"], true))
}

test_plain_http_fails if {
	count(lb_listener.findings) == 1 with input as model(true, listener(80, "HTTP", ["forward"], false))
}

test_https_on_other_port_fails if {
	count(lb_listener.findings) == 1 with input as model(true, listener(8443, "HTTPS", ["forward"], false))
}

test_internal_lb_not_checked if {
	count(lb_listener.findings) == 0 with input as model(false, listener(80, "HTTP", ["forward"], false))
}

test_unknown_protocol_cannot_be_proved if {
	l := object.union(listener(443, "", ["forward"], false), {"unknown": ["protocol"]})
	fs := lb_listener.findings with input as model(true, l)
	[f.kind | some f in fs] == ["cannot_prove"]
}

test_plain_http_message_names_listener_and_lb if {
	fs := lb_listener.findings with input as model(true, listener(80, "HTTP", ["forward"], false))
	[f.message | some f in fs] == ["internet-facing aws_lb.web listens with HTTP on port 80 (listener aws_lb_listener.l)"]
}

test_http_redirect_fails_when_not_allowed if {
	count(lb_listener.findings) == 1 with input as model(true, listener(80, "HTTP", ["redirect"], true))
		with data.sre.params.allow_http_redirect as false
}
