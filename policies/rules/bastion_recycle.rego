# REL003: bastion hosts are recycled at least daily. NET007 checks the
# max_instance_lifetime of bastion autoscaling groups; this rule reports
# the bastions nothing recycles: plain instances and network interfaces
# with the bastion role that no autoscaling group launches.
package sre.rules.bastion_recycle

import data.sre.lib

meta := {
	"id": "REL003",
	"title": "Bastions are recycled daily",
	"severity": lib.params.rel_severity,
	"remediation": sprintf("Run the bastion in an autoscaling group with max_instance_lifetime of at most %d seconds instead of as a standalone instance.", [lib.params.max_bastion_instance_lifetime]),
}

findings contains f if {
	some t in input.targets
	t.role == "bastion"
	t.kind == "instance"
	f := lib.violation(meta, t.address, sprintf("bastion %s is a standalone instance that nothing replaces; a bastion must be recycled at least every %d seconds", [t.address, lib.params.max_bastion_instance_lifetime]))
}

findings contains f if {
	some t in input.targets
	t.role == "bastion"
	t.kind == "launch_template"
	count(object.get(t, "used_by", [])) == 0
	f := lib.violation(meta, t.address, sprintf("bastion launch template %s is launched by no autoscaling group in the plan, so nothing recycles its instances", [t.address]))
}
