# NET003: nothing but the bastion gets a public IP, whether from
# associate_public_ip_address, a launch template's network interfaces, the
# subnet's map_public_ip_on_launch, publicly_accessible or an Elastic IP.
package sre.rules.public_ip

import data.sre.lib

meta := {
	"id": "NET003",
	"title": "No public IPs except the bastion",
	"remediation": "Launch it in a private subnet without associate_public_ip_address or an Elastic IP; expose services through the load balancer.",
}

findings contains f if {
	some addr in lib.public_ip_targets
	t := input.targets[addr]
	not lib.is_bastion(t)
	t.kind != "load_balancer"
	f := lib.violation(meta, t.address, sprintf("%s gets a public IP via %s", [lib.describe(t), concat(", ", t.public_ip_via)]))
}

findings contains f if {
	some ["public_ip", addr] in lib.unknown_targets
	t := input.targets[addr]
	not lib.is_bastion(t)
	not t.public_ip
	f := lib.cannot_prove(meta, t.address, sprintf("whether %s gets a public IP stays unknown until apply (%s)", [lib.describe(t), concat("; ", object.get(t, "notes", []))]))
}

findings contains f if {
	some u in input.unresolved
	u.attribute in {"instance", "instance_id"}
	f := lib.cannot_prove(meta, u.address, sprintf("%s: %s", [u.address, u.reason]))
}
