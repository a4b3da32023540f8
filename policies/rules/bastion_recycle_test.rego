package sre.rules.bastion_recycle_test

import data.sre.rules.bastion_recycle

target(kind, role, used_by) := {"targets": {"t": {"address": "aws_instance.jump", "kind": kind, "role": role, "used_by": used_by}}}

test_standalone_bastion_instance if {
	fs := bastion_recycle.findings with input as target("instance", "bastion", [])
	[[f.id, f.severity] | some f in fs] == [["REL003", "warning"]]
}

test_app_instance_not_checked if {
	count(bastion_recycle.findings) == 0 with input as target("instance", "server", [])
}

test_bastion_template_in_a_group if {
	count(bastion_recycle.findings) == 0 with input as target("launch_template", "bastion", ["aws_autoscaling_group.bastion"])
}

test_bastion_template_no_group if {
	count(bastion_recycle.findings) == 1 with input as target("launch_template", "bastion", [])
}
