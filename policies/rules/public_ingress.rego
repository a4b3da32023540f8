# NET001: the only doors to the internet are internet-facing load
# balancers on the public ports (443, plus HTTP listeners that only redirect
# to HTTPS) and SSH to the bastion. Judged on effective exposure, so split
# CIDRs, wide port ranges and protocol -1 are seen for what they allow.
package sre.rules.public_ingress

import data.sre.lib

meta := {
	"id": "NET001",
	"title": "Internet ingress only to load balancers on 443",
	"remediation": "Remove the public source from the rule, or put the service behind an internet-facing load balancer listening on 443.",
}

findings contains f if {
	some addr, i
	e := input.targets[addr].public_exposure[i]
	t := input.targets[addr]
	not allowed(t, e)
	f := lib.violation(meta, t.address, sprintf("%s accepts %s from %s via %s", [lib.describe(t), lib.port_text(e), lib.source_text(e), concat(", ", e.via)]))
}

allowed(t, e) if {
	lib.internet_lb(t)
	e.protocol == "tcp"
	e.from_port == e.to_port
	allowed_port(t, e.from_port)
}

# SSH to the bastion is judged by NET002 (admin CIDRs).
allowed(t, e) if {
	lib.is_bastion(t)
	e.protocol == "tcp"
	e.from_port == lib.params.ssh_port
	e.to_port == lib.params.ssh_port
}

allowed_port(_, p) if p in lib.params.public_ports

allowed_port(t, p) if {
	lib.params.allow_http_redirect
	some l in t.listeners
	l.port == p
	l.redirects_to_https
	l.default_actions == ["redirect"]
}

findings contains f if {
	some ["security_groups", addr] in lib.unknown_targets
	t := input.targets[addr]
	f := lib.cannot_prove(meta, t.address, sprintf("the security groups of %s stay unknown until apply", [t.address]))
}

findings contains f if {
	some [k, i] in lib.unknown_rules
	r := input.security_groups[k].ingress[i]
	some u in unknown_parts(r)
	some addr in input.security_groups[k].protects
	t := input.targets[addr]
	f := lib.cannot_prove(meta, t.address, sprintf("%s: %s of rule %s stays unknown until apply", [lib.describe(t), u, r.declared_in]))
}

findings contains f if {
	some i
	input.exposures[i].source_kind == "prefix_list"
	x := input.exposures[i]
	t := input.targets[x.target]
	not lib.internet_lb(t)
	f := lib.cannot_prove(meta, t.address, sprintf("%s: rule %s allows prefix list %s, whose entries are not in the plan", [lib.describe(t), x.declared_in, x.source]))
}

findings contains f if {
	some u in input.unresolved
	r := u.rule
	could_be_public(r)
	f := lib.cannot_prove(meta, u.address, sprintf("%s: %s", [u.address, u.reason]))
}

could_be_public(r) if r.public

could_be_public(r) if "cidrs" in r.unknown

# Unknown sources always matter; unknown ports only when the source is public.
unknown_parts(r) := {u |
	some u in r.unknown
	u in {"cidrs", "prefix_lists"}
} | {u |
	some u in r.unknown
	u in {"protocol", "ports"}
	r.public
}
