# NET007: the bastion's instances are replaced at least daily, so a
# compromised bastion does not persist.
package sre.rules.bastion_lifetime

import data.sre.lib

meta := {
	"id": "NET007",
	"title": "Bastion instances live at most a day",
	"remediation": "Set max_instance_lifetime on the bastion autoscaling group to 86400 seconds or less.",
}

findings contains f if {
	some a in input.autoscaling_groups
	a.role == "bastion"
	not "max_instance_lifetime" in object.get(a, "unknown", [])
	not short_lived(a)
	f := lib.violation(meta, a.address, sprintf("bastion %s has max_instance_lifetime %s; at most %d seconds is allowed", [a.address, lifetime_text(a), lib.params.max_bastion_instance_lifetime]))
}

findings contains f if {
	some a in input.autoscaling_groups
	a.role == "bastion"
	"max_instance_lifetime" in object.get(a, "unknown", [])
	f := lib.cannot_prove(meta, a.address, sprintf("max_instance_lifetime of bastion %s stays unknown until apply", [a.address]))
}

short_lived(a) if {
	a.max_instance_lifetime > 0
	a.max_instance_lifetime <= lib.params.max_bastion_instance_lifetime
}

lifetime_text(a) := "unset" if a.max_instance_lifetime == 0

else := sprintf("%d", [a.max_instance_lifetime])
