# Entry point: collects the findings of every package under sre.rules,
# including packages added with --policy, and exposes them the way
# conftest expects (deny/warn) as well.
package sre.checker

findings contains f if {
	some name
	some f in data.sre.rules[name].findings
}

rules contains m if {
	some name
	m := data.sre.rules[name].meta
}

report := {"findings": findings, "rules": rules}

deny contains msg if {
	some f in findings
	f.severity == "error"
	msg := sprintf("%s %s: %s", [f.id, f.address, f.message])
}

warn contains msg if {
	some f in findings
	f.severity == "warning"
	msg := sprintf("%s %s: %s", [f.id, f.address, f.message])
}
