package alerting

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/sre-provider/terraform-provider-sre/internal/slo"
)

// Changes is what an apply does to bring CloudWatch to an alert set, in the
// order it must happen: metric alarms are written before the composites
// that name them, so no window is ever without its alarm; composites are
// deleted before the alarms they name, dependents first.
type Changes struct {
	PutMetric        []MetricAlarm
	PutComposite     []CompositeAlarm
	DeleteComposites []string
	DeleteMetric     []string
}

// Empty reports whether there is nothing to do.
func (c Changes) Empty() bool {
	return len(c.PutMetric)+len(c.PutComposite)+len(c.DeleteComposites)+len(c.DeleteMetric) == 0
}

// PlanChanges compares the desired set of policy with the fingerprints of
// the alarms as last read (name → fingerprint; nil for a new policy) and
// returns the writes and deletes that remain. Alarms whose fingerprint
// already matches are left alone: an update changes alarms in place.
func PlanChanges(policy string, desired Set, current map[string]string) Changes {
	var c Changes
	for _, a := range desired.MetricAlarms {
		if current[a.Name] != a.Fingerprint() {
			c.PutMetric = append(c.PutMetric, a)
		}
	}
	for _, a := range desired.Composites {
		if current[a.Name] != a.Fingerprint() {
			c.PutComposite = append(c.PutComposite, a)
		}
	}
	want := desired.Fingerprints()
	composite := map[string]bool{}
	for i := len(Severities) - 1; i >= 0; i-- { // ticket names page as suppressor: delete it first
		n := CompositeName(policy, Severities[i])
		composite[n] = true
		if _, ok := current[n]; ok && want[n] == "" {
			c.DeleteComposites = append(c.DeleteComposites, n)
		}
	}
	for n := range current {
		if _, ok := want[n]; !ok && !composite[n] {
			c.DeleteMetric = append(c.DeleteMetric, n)
		}
	}
	sort.Strings(c.DeleteMetric)
	return c
}

// Recovered is a policy's configuration read back from its alarms, for
// import.
type Recovered struct {
	SLOName          string
	DefaultWindows   []string
	Custom           []Window
	Routes           map[slo.Severity]Route
	Suppression      Suppression
	MinEventsPerHour float64
	NoData           *NoData
	// Tags are the user's tags: every tag but the policy's own sre:* ones.
	Tags map[string]string
}

// Recover rebuilds a policy's configuration from its alarms as read from
// CloudWatch, with their tags. It is the inverse of Build for every
// attribute but the SLO, of which only the name is recorded (the SLO's
// definition lives on its dashboard).
func Recover(policy string, metric []MetricAlarm, composites []CompositeAlarm) (Recovered, error) {
	r := Recovered{Routes: map[slo.Severity]Route{}, Tags: map[string]string{}, DefaultWindows: []string{}}
	type pair struct {
		w           Window
		long, short bool
	}
	windows := map[string]*pair{}
	for _, a := range metric {
		if a.Tags[TagPolicy] != policy {
			continue
		}
		absorbTags(&r, a.Tags)
		role := a.Tags[TagRole]
		if role == RoleNoData {
			n := a.EvaluationPeriods
			period := time.Minute
			if len(a.Queries) > 0 {
				for _, q := range a.Queries {
					if q.Metric != nil {
						period = time.Duration(q.Period) * time.Second
						break
					}
				}
			}
			r.NoData = &NoData{After: time.Duration(n) * period, Severity: slo.Severity(a.Tags[TagSeverity])}
			if len(a.Actions.Alarm)+len(a.Actions.OK)+len(a.Actions.InsufficientData) > 0 {
				r.Routes[r.NoData.Severity] = a.Actions
			}
			continue
		}
		if role != PartLong && role != PartShort {
			continue
		}
		name := a.Tags[TagWindow]
		p := windows[name]
		if p == nil {
			share, err := slo.ParseShare(a.Tags[TagBudgetShare])
			if err != nil {
				return Recovered{}, fmt.Errorf("alarm %s: tag %s: %w", a.Name, TagBudgetShare, err)
			}
			p = &pair{w: Window{Name: name, Severity: slo.Severity(a.Tags[TagSeverity]), BudgetShare: share}}
			windows[name] = p
		}
		length := alarmPeriod(a)
		if role == PartLong {
			p.w.Long, p.long = length, true
		} else {
			p.w.Short, p.short = length, true
		}
		if v := a.Tags[TagMinEventsPerHour]; v != "" {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return Recovered{}, fmt.Errorf("alarm %s: tag %s: %w", a.Name, TagMinEventsPerHour, err)
			}
			r.MinEventsPerHour = f
		}
	}
	for _, c := range composites {
		if c.Tags[TagPolicy] != policy {
			continue
		}
		absorbTags(&r, c.Tags)
		r.Routes[c.Severity] = c.Actions
		if c.Suppressor != "" {
			r.Suppression = c.Suppression
		}
	}
	if r.SLOName == "" {
		return Recovered{}, fmt.Errorf("no alarm of policy %s carries the %s tag, so the policy cannot be imported; only policies created by sre_alert_policy can", policy, TagSLO)
	}
	defaults := map[string]slo.BurnWindow{}
	for _, d := range slo.DefaultBurnWindows() {
		defaults[d.Name] = d
	}
	names := make([]string, 0, len(windows))
	for n := range windows {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := windows[n]
		if !p.long || !p.short {
			return Recovered{}, fmt.Errorf("window %s of policy %s has only one of its long and short alarms; apply the configuration to recreate it, then import", n, policy)
		}
		if d, ok := defaults[n]; ok && d.Severity == p.w.Severity && d.BudgetShare == p.w.BudgetShare && d.LongWindow == p.w.Long && d.ShortWindow == p.w.Short {
			r.DefaultWindows = append(r.DefaultWindows, n)
			continue
		}
		r.Custom = append(r.Custom, p.w)
	}
	return r, nil
}

func absorbTags(r *Recovered, tags map[string]string) {
	if s := tags[TagSLO]; s != "" {
		r.SLOName = s
	}
	for k, v := range tags {
		if len(k) < 4 || k[:4] != "sre:" {
			r.Tags[k] = v
		}
	}
}

// alarmPeriod is the period of an alarm's metrics: the window it covers.
func alarmPeriod(a MetricAlarm) time.Duration {
	for _, q := range a.Queries {
		if q.Metric != nil {
			return time.Duration(q.Period) * time.Second
		}
	}
	return 0
}
