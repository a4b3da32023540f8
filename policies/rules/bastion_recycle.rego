# REL003: bastion hosts are recycled at least daily. NET007 checks the
# max_instance_lifetime of bastion autoscaling groups; this rule reports
# the bastions nothing recycles: standalone instances with the bastion role.
package sre.rules.bastion_recycle

import data.sre.lib

meta := {
	"id": "REL003",
	"title": "Bastions are recycled daily",
	"severity": lib.params.rel_severity,
	"remediation": sprintf("Run the bastion in an autoscaling group with max_instance_lifetime of at most %d seconds instead of as a standalone instance.", [lib.params.max_bastion_instance_lifetime]),
}

findings contains f if {
	some fl in input.fleets
	fl.role == "bastion"
	fl.type == "aws_instance"
	f := lib.violation(meta, fl.address, sprintf("bastion %s is a standalone instance that nothing replaces; a bastion must be recycled at least every %d seconds", [fl.address, lib.params.max_bastion_instance_lifetime]))
}
