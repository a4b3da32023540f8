package sre.rules.bastion_recycle_test

import data.sre.rules.bastion_recycle

fleet(type, role) := {"fleets": {"f": {"address": "aws_instance.jump", "type": type, "role": role}}}

test_standalone_bastion_instance if {
	fs := bastion_recycle.findings with input as fleet("aws_instance", "bastion")
	[[f.id, f.severity] | some f in fs] == [["REL003", "warning"]]
}

test_app_instance_not_checked if {
	count(bastion_recycle.findings) == 0 with input as fleet("aws_instance", "server")
}

test_bastion_group_is_net007s if {
	count(bastion_recycle.findings) == 0 with input as fleet("aws_autoscaling_group", "bastion")
}
