# NET006: immutable fleet hygiene. Autoscaling groups pin a numbered
# launch template version, so a rollout is an explicit change rather than
# whatever the template's latest version happens to be.
package sre.rules.launch_template_version

import data.sre.lib

meta := {
	"id": "NET006",
	"title": "Autoscaling groups use numbered launch template versions",
	"remediation": "Set launch_template.version to a number or to aws_launch_template.<name>.latest_version, never $Latest or $Default.",
}

findings contains f if {
	some a in input.autoscaling_groups
	a.version_kind in {"latest", "default", "other"}
	f := lib.violation(meta, a.address, sprintf("%s launches %s at version %s; pin a numbered version", [a.address, template(a), version_text(a)]))
}

findings contains f if {
	some a in input.autoscaling_groups
	a.version_kind == "none"
	f := lib.violation(meta, a.address, sprintf("%s uses no launch template", [a.address]))
}

findings contains f if {
	some a in input.autoscaling_groups
	some u in object.get(a, "unknown", [])
	u in {"launch_template_version", "launch_template"}
	f := lib.cannot_prove(meta, a.address, sprintf("the %s of %s stays unknown until apply", [u, a.address]))
}

template(a) := a.launch_template if a.launch_template != ""

else := "its launch template"

version_text(a) := a.launch_template_version if a.launch_template_version != ""

else := "unset (the template's $Default)"
