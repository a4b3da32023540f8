# REL002: a fleet's image changes roll through sre_asg_rollout (canary,
# gates, exact retirement, rollback), not through an unsupervised instance
# refresh or a launch template edit that only new instances pick up.
package sre.rules.image_rollout

import data.sre.lib

meta := {
	"id": "REL002",
	"title": "Image changes roll through sre_asg_rollout",
	"severity": lib.params.rel_severity,
	"remediation": "Roll the new image with an sre_asg_rollout on the group (autoscaling_group_name = aws_autoscaling_group.<name>.name, image_id = the new AMI) and let the launch template ignore_changes = [image_id]; drop instance_refresh on $Latest.",
}

findings contains f if {
	some fl in input.fleets
	fl.type == "aws_autoscaling_group"
	fl.image_change
	count(fl.rollouts) == 0
	not rollout_unknown
	f := lib.violation(meta, fl.address, sprintf("the image of %s's launch template %s changes in this plan, and no sre_asg_rollout rolls %s: running instances keep the old image, new ones get the new one unchecked", [fl.address, fl.launch_template, fl.address]))
}

findings contains f if {
	some fl in input.fleets
	fl.type == "aws_autoscaling_group"
	fl.image_change
	count(fl.rollouts) == 0
	rollout_unknown
	f := lib.cannot_prove_capped(meta, fl.address, sprintf("the image of %s's launch template changes, and the group of some sre_asg_rollout stays unknown", [fl.address]))
}

findings contains f if {
	some fl in input.fleets
	fl.instance_refresh
	fl.version_kind == "latest"
	f := lib.violation(meta, fl.address, sprintf("%s has an instance_refresh on launch template version $Latest: every template change replaces the fleet without a canary or gates", [fl.address]))
}

rollout_unknown if {
	some r in input.sre.asg_rollouts
	"autoscaling_groups" in object.get(r, "unknown", [])
}
