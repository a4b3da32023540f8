# NET005: internet-facing load balancers terminate TLS on 443. An HTTP
# listener whose only action redirects to HTTPS is allowed when
# params.allow_http_redirect is true.
package sre.rules.lb_listener

import data.sre.lib

# The precomputed findings below repeat these texts; the tests check they
# agree.
meta := {
	"id": "NET005",
	"title": "Internet-facing listeners are HTTPS/TLS on 443",
	"remediation": "Listen with protocol HTTPS (or TLS for network load balancers) on port 443, with a certificate; turn plain HTTP into a redirect to HTTPS.",
}

# The checker judges the listeners in Go (input.index.lb_listeners) with the
# allow_http_redirect it records; when that is the one in force, the rule
# only words what it found.
precomputed if input.index.lb_listeners.allow_http_redirect == lib.params.allow_http_redirect

# lib.violation(meta, listener, message) as an object literal with meta's
# texts written out (the tests check they agree; see public_ingress).
findings contains {
	"id": "NET005", "title": "Internet-facing listeners are HTTPS/TLS on 443", "severity": "error", "kind": "violation",
	"address": listener, "message": concat("", ["internet-facing ", lb, " listens with ", protocol, " on port ", port, " (listener ", listener, ")"]),
	"remediation": "Listen with protocol HTTPS (or TLS for network load balancers) on port 443, with a certificate; turn plain HTTP into a redirect to HTTPS.",
} if {
	precomputed
	some [listener, lb, protocol, port] in input.index.lb_listeners.violations
}

findings contains f if {
	precomputed
	some [listener, u, lb] in input.index.lb_listeners.unknown
	f := lib.cannot_prove(meta, listener, concat("", ["the ", u, " of listener ", listener, " on internet-facing ", lb, " stays unknown until apply"]))
}

findings contains f if {
	not precomputed
	some addr in lib.load_balancers
	t := input.targets[addr]
	lib.internet_lb(t)
	some l in t.listeners
	count(object.get(l, "unknown", [])) == 0
	not compliant(l)
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
	not precomputed
	some addr in lib.load_balancers
	t := input.targets[addr]
	lib.internet_lb(t)
	some l in t.listeners
	some u in object.get(l, "unknown", [])
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
