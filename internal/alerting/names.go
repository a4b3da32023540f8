package alerting

import "github.com/sre-provider/terraform-provider-sre/internal/slo"

// Every name and tag of a policy's alarms comes from this file.

// Parts of a window.
const (
	PartLong  = "long"
	PartShort = "short"
)

// WindowAlarmName names the long or short alarm of a window, e.g.
// "checkout-page_fast-long".
func WindowAlarmName(policy, window, part string) string {
	return policy + "-" + window + "-" + part
}

// CompositeName names a severity's composite alarm, e.g. "checkout-page".
func CompositeName(policy string, sev slo.Severity) string { return policy + "-" + string(sev) }

// NoDataAlarmName names the no-data alarm, e.g. "checkout-no-data".
func NoDataAlarmName(policy string) string { return policy + "-no-data" }

// Tag keys the policy writes on its alarms, besides the user's tags. They
// record what an import needs to rebuild the configuration.
const (
	TagPolicy           = "sre:policy"
	TagSLO              = "sre:slo"
	TagRole             = "sre:role" // long, short, page, ticket or no-data
	TagWindow           = "sre:window"
	TagSeverity         = "sre:severity"
	TagBudgetShare      = "sre:budget-share"
	TagMinEventsPerHour = "sre:min-events-per-hour"
)

// RoleNoData is the TagRole of the no-data alarm.
const RoleNoData = "no-data"

// alarmTags merges the user's tags with the policy's own; the policy's win.
func alarmTags(p Policy, own map[string]string) map[string]string {
	out := make(map[string]string, len(p.Tags)+len(own)+2)
	for k, v := range p.Tags {
		out[k] = v
	}
	out[TagPolicy] = p.Name
	out[TagSLO] = p.SLO.Name
	for k, v := range own {
		out[k] = v
	}
	return out
}
