# NET005: internet-facing load balancers terminate TLS on 443. An HTTP
# listener whose only action redirects to HTTPS is allowed when
# params.allow_http_redirect is true.
package sre.rules.lb_listener

import data.sre.lib

meta := {
	"id": "NET005",
	"title": "Internet-facing listeners are HTTPS/TLS on 443",
	"remediation": "Listen with protocol HTTPS (or TLS for network load balancers) on port 443, with a certificate; turn plain HTTP into a redirect to HTTPS.",
}

# Listeners are found by one reference with variables, which OPA walks in
# Go: only load balancers have them.
findings contains f if {
	some addr, j
	l := input.targets[addr].listeners[j]
	not l.unknown
	not compliant(l)
	t := input.targets[addr]
	lib.internet_lb(t)
	f := lib.violation(meta, l.address, sprintf("internet-facing %s listens with %s on port %d (listener %s)", [t.address, l.protocol, l.port, l.address]))
}

compliant(l) if {
	l.protocol in {"HTTPS", "TLS"}
	l.port == 443
}

compliant(l) if {
	lib.params.allow_http_redirect
	l.protocol == "HTTP"
	l.redirects_to_https
	l.default_actions == ["redirect"]
}

findings contains f if {
	some addr, j, k
	u := input.targets[addr].listeners[j].unknown[k]
	t := input.targets[addr]
	lib.internet_lb(t)
	l := t.listeners[j]
	f := lib.cannot_prove(meta, l.address, sprintf("the %s of listener %s on internet-facing %s stays unknown until apply", [u, l.address, t.address]))
}

findings contains f if {
	some ["internet_facing", addr] in lib.unknown_targets
	t := input.targets[addr]
	t.kind == "load_balancer"
	f := lib.cannot_prove(meta, t.address, sprintf("whether %s is internet-facing stays unknown until apply", [t.address]))
}

findings contains f if {
	some u in input.unresolved
	u.attribute == "load_balancer_arn"
	f := lib.cannot_prove(meta, u.address, sprintf("%s: %s", [u.address, u.reason]))
}
