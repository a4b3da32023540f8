package sre.rules.slo_coverage_test

import data.sre.rules.slo_coverage

fleet := {"address": "aws_autoscaling_group.web", "type": "aws_autoscaling_group", "role": "server", "internet_facing": true, "target_groups": ["aws_lb_target_group.web"], "load_balancers": ["aws_lb.web"], "rollouts": []}

model(slos, policies) := {"fleets": {"web": fleet}, "sre": {"slos": slos, "alert_policies": policies, "asg_rollouts": {}}}

slo(refs) := {"s": {"address": "sre_slo.web", "name": "web", "references": refs}}

policy := {"p": {"address": "sre_alert_policy.web", "slos": ["sre_slo.web"]}}

ids(fs) := [[f.id, f.kind, f.address] | some f in fs]

test_covered_by_load_balancer if {
	count(slo_coverage.findings) == 0 with input as model(slo(["aws_lb.web"]), policy)
}

test_covered_by_target_group if {
	count(slo_coverage.findings) == 0 with input as model(slo(["aws_lb_target_group.web"]), policy)
}

test_no_slo if {
	ids(slo_coverage.findings) == [["REL001", "violation", "aws_autoscaling_group.web"]] with input as model({}, {})
}

test_slo_of_other_service if {
	count(slo_coverage.findings) == 1 with input as model(slo(["aws_lb.other"]), policy)
}

test_slo_without_alert_policy if {
	fs := slo_coverage.findings with input as model(slo(["aws_lb.web"]), {})
	ids(fs) == [["REL001", "violation", "aws_autoscaling_group.web"]]
	some f in fs
	contains(f.message, "no sre_alert_policy")
}

test_unknown_slo_references_cannot_prove if {
	s := {"s": {"address": "sre_slo.web", "name": "web", "references": [], "unknown": ["references"]}}
	ids(slo_coverage.findings) == [["REL001", "cannot_prove", "aws_autoscaling_group.web"]] with input as model(s, policy)
}

test_internal_fleet_not_checked if {
	m := {"fleets": {"web": object.union(fleet, {"internet_facing": false})}}
	count(slo_coverage.findings) == 0 with input as m
}

test_severity_is_a_parameter if {
	fs := slo_coverage.findings with input as model({}, {}) with data.sre.params.rel_severity as "error"
	[f.severity | some f in fs] == ["error"]
}
