# Helpers shared by the rules: parameters, finding constructors and the
# wording of ports and sources in messages.
package sre.lib

params := data.sre.params

# A value that stays unknown until apply fails the check or only warns,
# per params.unknown ("fail" or "warn").
unknown_severity := "warning" if params.unknown == "warn"

else := "error"

violation(meta, address, message) := {
	"id": meta.id,
	"title": meta.title,
	"severity": object.get(meta, "severity", "error"),
	"kind": "violation",
	"address": address,
	"message": message,
	"remediation": meta.remediation,
}

cannot_prove(meta, address, message) := {
	"id": meta.id,
	"title": meta.title,
	"severity": unknown_severity,
	"kind": "cannot_prove",
	"address": address,
	"message": sprintf("cannot prove compliance: %s", [message]),
	"remediation": "Make the value known at plan time (reference the resource directly instead of a data source or local), or waive the finding.",
}

# cannot_prove_capped is cannot_prove for a rule whose violations are only
# warnings (meta.severity "warning"): what it cannot prove warns too, rather
# than failing the check harder than a proven violation would.
cannot_prove_capped(meta, address, message) := object.union(cannot_prove(meta, address, message), {"severity": "warning"}) if {
	object.get(meta, "severity", "error") == "warning"
}

else := cannot_prove(meta, address, message)

# covers_port holds when a rule or exposure reaches port p over TCP.
covers_port(r, p) if {
	r.protocol in {"tcp", "all"}
	r.from_port <= p
	r.to_port >= p
}

port_text(e) := "all protocols and ports" if e.protocol == "all"

else := sprintf("protocol %s", [e.protocol]) if not e.protocol in {"tcp", "udp"}

else := sprintf("%s/%d", [e.protocol, e.from_port]) if e.from_port == e.to_port

else := sprintf("%s/%d-%d", [e.protocol, e.from_port, e.to_port])

source_text(e) := sprintf("the whole internet (%s)", [concat(", ", cidrs(e))]) if e.world

else := concat(", ", cidrs(e))

# cidrs lists the IPv4 then IPv6 CIDRs of a rule or exposure. The model
# leaves out empty lists and false flags (since model_version 3), so read them
# with a default.
cidrs(x) := array.concat(object.get(x, "cidr_ipv4", []), object.get(x, "cidr_ipv6", []))

# Targets the policy treats as internet doors.
internet_lb(t) if {
	t.kind == "load_balancer"
	t.internet_facing
}

is_bastion(t) if t.role == "bastion"

describe(t) := sprintf("%s (attached to nothing in this plan)", [t.address]) if t.role == "unattached"

else := sprintf("%s (launch template used by %s)", [t.address, concat(", ", t.used_by)]) if count(object.get(t, "used_by", [])) > 0

else := t.address

# Sets shared by the rules, computed once per evaluation from the model:
# they hold keys, so a rule iterates a short list of what concerns it. Each
# is one reference with variables (input.targets[addr]...), which OPA
# walks in Go; `some k, v in ...` with a body per member costs up to three
# times as much on a model of thousands of targets and rules.

# unknown_targets contains [attribute, address] for every target attribute
# that stays unknown until apply.
unknown_targets contains [u, addr] if {
	some addr, j
	u := input.targets[addr].unknown[j]
}

# unknown_rules contains [group key, rule index] for rules with unknown
# parts.
unknown_rules contains [k, i] if {
	some k, i
	input.security_groups[k].ingress[i].unknown
}

# public_exposures contains [address, exposure index] for effective
# exposure from public addresses (targets[].public_exposure).
public_exposures contains [addr, i] if {
	some addr, i
	input.targets[addr].public_exposure[i]
}

load_balancers contains addr if {
	some addr
	input.targets[addr].kind == "load_balancer"
}

# public_ip_targets contains the address of every target that gets a
# public IP.
public_ip_targets contains addr if {
	some addr
	input.targets[addr].public_ip
}

# port_doors(p) lists the exposure rows (input.exposures) that reach port
# p over TCP (port ranges and protocol -1 included).
port_doors(p) := [x |
	some x in input.exposures
	covers_port(x, p)
]
