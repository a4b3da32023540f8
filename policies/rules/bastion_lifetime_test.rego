package sre.rules.bastion_lifetime_test

import data.sre.rules.bastion_lifetime

asg(role, lifetime) := {"autoscaling_groups": {"a": {
	"address": "aws_autoscaling_group.a", "role": role, "max_instance_lifetime": lifetime,
}}}

test_daily_bastion_passes if {
	count(bastion_lifetime.findings) == 0 with input as asg("bastion", 86400)
}

test_unset_lifetime_fails if {
	count(bastion_lifetime.findings) == 1 with input as asg("bastion", 0)
}

test_weekly_bastion_fails if {
	count(bastion_lifetime.findings) == 1 with input as asg("bastion", 604800)
}

test_app_fleet_not_checked if {
	count(bastion_lifetime.findings) == 0 with input as asg("server", 0)
}

test_unknown_lifetime_cannot_be_proved if {
	m := {"autoscaling_groups": {"a": object.union(asg("bastion", 0).autoscaling_groups.a, {"unknown": ["max_instance_lifetime"]})}}
	fs := bastion_lifetime.findings with input as m
	[f.kind | some f in fs] == ["cannot_prove"]
}
