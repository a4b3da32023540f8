package sre.rules.launch_template_version_test

import data.sre.rules.launch_template_version

asg(kind, version) := {"autoscaling_groups": {"a": {
	"address": "aws_autoscaling_group.a", "role": "server", "launch_template": "aws_launch_template.t",
	"launch_template_version": version, "version_kind": kind,
}}}

test_numbered_version_passes if {
	count(launch_template_version.findings) == 0 with input as asg("number", "3")
}

test_latest_version_reference_passes if {
	count(launch_template_version.findings) == 0 with input as asg("reference", "aws_launch_template.t.latest_version")
}

test_dollar_latest_fails if {
	fs := launch_template_version.findings with input as asg("latest", "$Latest")
	some f in fs
	contains(f.message, "$Latest")
}

test_unset_version_fails if {
	count(launch_template_version.findings) == 1 with input as asg("default", "")
}

test_unknown_version_cannot_be_proved if {
	m := {"autoscaling_groups": {"a": object.union(asg("unknown", "").autoscaling_groups.a, {"unknown": ["launch_template_version"]})}}
	fs := launch_template_version.findings with input as m
	[f.kind | some f in fs] == ["cannot_prove"]
}
