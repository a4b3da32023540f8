package sre.rules.image_rollout_test

import data.sre.rules.image_rollout

fleet(over) := object.union(
	{"address": "aws_autoscaling_group.web", "type": "aws_autoscaling_group", "role": "server", "launch_template": "aws_launch_template.web", "version_kind": "number", "image_change": false, "instance_refresh": false, "rollouts": []},
	over,
)

model(f, rollouts) := {"fleets": {"web": f}, "sre": {"slos": {}, "alert_policies": {}, "asg_rollouts": rollouts}}

test_image_change_without_rollout if {
	fs := image_rollout.findings with input as model(fleet({"image_change": true}), {})
	[[f.id, f.kind] | some f in fs] == [["REL002", "violation"]]
}

test_image_change_through_rollout if {
	r := {"r": {"address": "sre_asg_rollout.web", "autoscaling_groups": ["aws_autoscaling_group.web"]}}
	count(image_rollout.findings) == 0 with input as model(fleet({"image_change": true, "rollouts": ["sre_asg_rollout.web"]}), r)
}

test_unknown_rollout_group_cannot_prove if {
	r := {"r": {"address": "sre_asg_rollout.web", "autoscaling_groups": [], "unknown": ["autoscaling_groups"]}}
	fs := image_rollout.findings with input as model(fleet({"image_change": true}), r)
	[f.kind | some f in fs] == ["cannot_prove"]
}

test_no_image_change if {
	count(image_rollout.findings) == 0 with input as model(fleet({}), {})
}

test_instance_refresh_on_latest if {
	fs := image_rollout.findings with input as model(fleet({"instance_refresh": true, "version_kind": "latest"}), {})
	count(fs) == 1
}

test_instance_refresh_on_numbered_version if {
	count(image_rollout.findings) == 0 with input as model(fleet({"instance_refresh": true}), {})
}
