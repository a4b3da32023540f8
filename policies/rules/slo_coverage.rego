# REL001: a fleet behind an internet-facing load balancer has an sre_slo
# that measures it and an sre_alert_policy on that SLO.
#
# An SLO covers a fleet when its configuration refers to the fleet, one of
# its target groups or one of the load balancers forwarding to them
# (input.sre.slos[_].references, resolved from the plan's configuration,
# so it holds while ARNs are still unknown); an alert policy covers the
# fleet when its slo is one of those SLOs.
package sre.rules.slo_coverage

import data.sre.lib

meta := {
	"id": "REL001",
	"title": "Internet-facing fleets have an SLO and an alert policy",
	"severity": lib.params.rel_severity,
	"remediation": "Add an sre_slo whose SLI refers to the fleet's load balancer or target group (for example dimensions = { LoadBalancer = aws_lb.web.arn_suffix }) and an sre_alert_policy with slo = that sre_slo.",
}

served(fl) if {
	fl.internet_facing
	fl.role != "bastion"
}

measured(fl) := ({x | some x in fl.target_groups} | {x | some x in fl.load_balancers}) | {fl.address}

covering_slos(fl) := {s.address |
	some s in input.sre.slos
	some r in s.references
	r in measured(fl)
}

alerted(slos) if {
	some p in input.sre.alert_policies
	some s in p.slos
	s in slos
}

slo_refs_unknown if {
	some s in input.sre.slos
	"references" in object.get(s, "unknown", [])
}

policy_slos_unknown if {
	some p in input.sre.alert_policies
	"slos" in object.get(p, "unknown", [])
}

findings contains f if {
	some fl in input.fleets
	served(fl)
	count(covering_slos(fl)) == 0
	not slo_refs_unknown
	f := lib.violation(meta, fl.address, sprintf("%s serves internet traffic through %s, and no sre_slo in the plan measures it", [fl.address, concat(", ", fl.load_balancers)]))
}

findings contains f if {
	some fl in input.fleets
	served(fl)
	count(covering_slos(fl)) == 0
	slo_refs_unknown
	f := lib.cannot_prove_capped(meta, fl.address, sprintf("no sre_slo refers to %s or its load balancers, and some sre_slo refers to values (locals, data sources) the plan does not resolve", [fl.address]))
}

findings contains f if {
	some fl in input.fleets
	served(fl)
	slos := covering_slos(fl)
	count(slos) > 0
	not alerted(slos)
	not policy_slos_unknown
	f := lib.violation(meta, fl.address, sprintf("%s is measured by %s, but no sre_alert_policy in the plan alerts on it", [fl.address, concat(", ", sort(slos))]))
}

findings contains f if {
	some fl in input.fleets
	served(fl)
	slos := covering_slos(fl)
	count(slos) > 0
	not alerted(slos)
	policy_slos_unknown
	f := lib.cannot_prove_capped(meta, fl.address, sprintf("no sre_alert_policy is known to alert on %s, and the slo of some sre_alert_policy does not resolve", [concat(", ", sort(slos))]))
}
