package alerting

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/sre-provider/terraform-provider-sre/internal/slo"
)

// Set is the alert set of one policy: what to create, and the figures a
// reviewer reads at plan time.
type Set struct {
	// Windows in force, with their figures, in the order they alert:
	// defaults first (in slo.DefaultBurnWindows order), then custom ones by
	// name.
	Windows []WindowFigures
	// MetricAlarms are created before the composites that reference them.
	MetricAlarms []MetricAlarm
	// Composites are in creation order: the page composite first.
	Composites []CompositeAlarm
}

// WindowFigures are the plan-time figures of one window.
type WindowFigures struct {
	Window
	// Default is true for a default window.
	Default bool
	// BurnRate is the burn-rate threshold: budget_share × period / long.
	BurnRate float64
	// ErrorRatio is the alarm threshold, BurnRate × (1 − SLO).
	ErrorRatio float64
	// DetectionTime is how long a total outage (every event bad) takes to
	// cross the threshold over both windows, before CloudWatch's next
	// evaluation (at most a minute later).
	DetectionTime time.Duration
	// BudgetSpent is the share of the error budget spent by then.
	BudgetSpent float64
	// MinEvents is the low-traffic guard of the long and short window.
	MinEventsLong, MinEventsShort float64
	LongAlarm, ShortAlarm         string
}

// MetricAlarm is one CloudWatch metric alarm on metric math.
type MetricAlarm struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Queries are the alarm's Metrics; exactly one returns data.
	Queries []Query `json:"queries"`
	// Comparison is a CloudWatch ComparisonOperator.
	Comparison        string  `json:"comparison"`
	Threshold         float64 `json:"threshold"`
	EvaluationPeriods int     `json:"evaluation_periods"`
	DatapointsToAlarm int     `json:"datapoints_to_alarm"`
	TreatMissingData  string  `json:"treat_missing_data"`
	// WallClock is true for a WallClockWindow evaluation window, which a
	// policy never writes: its alarms slide (SlidingWindow).
	WallClock bool `json:"wall_clock"`
	// Actions are set only on alarms that notify on their own (no-data);
	// window alarms notify through their severity's composite.
	Actions Route `json:"actions"`
	// Tags are not part of the fingerprint.
	Tags map[string]string `json:"-"`
}

// Query is one entry of an alarm's Metrics: exactly one of Metric and
// Expression.
type Query struct {
	ID         string      `json:"id"`
	Metric     *slo.Metric `json:"metric,omitempty"` // Statistic set, ID empty
	Period     int         `json:"period,omitempty"` // seconds, with Metric
	Expression string      `json:"expression,omitempty"`
	Label      string      `json:"label,omitempty"`
	ReturnData bool        `json:"return_data"`
}

// CompositeAlarm is one severity's composite alarm.
type CompositeAlarm struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Rule        string `json:"rule"`
	Actions     Route  `json:"actions"`
	// Suppressor is the name of the alarm whose ALARM state suppresses this
	// one's actions; empty for none.
	Suppressor  string      `json:"suppressor,omitempty"`
	Suppression Suppression `json:"suppression"`
	// Severity and Children follow from the name and the rule.
	Severity slo.Severity      `json:"-"`
	Children []string          `json:"-"`
	Tags     map[string]string `json:"-"`
}

// Fingerprint identifies an alarm's configuration, tags excepted: equal
// configurations have equal fingerprints, so a fingerprint read back from
// CloudWatch that differs from the planned one is drift. Empty and absent
// lists and maps are the same.
func (a MetricAlarm) Fingerprint() string {
	a.Actions = a.Actions.canonical()
	qs := make([]Query, len(a.Queries))
	for i, q := range a.Queries {
		if q.Metric != nil && len(q.Metric.Dimensions) == 0 {
			m := *q.Metric
			m.Dimensions = nil
			q.Metric = &m
		}
		qs[i] = q
	}
	a.Queries = qs
	return fingerprint("metric", a)
}

// Fingerprint identifies a composite's configuration, tags excepted.
func (a CompositeAlarm) Fingerprint() string {
	a.Actions = a.Actions.canonical()
	return fingerprint("composite", a)
}

func (r Route) canonical() Route {
	nilIfEmpty := func(l []string) []string {
		if len(l) == 0 {
			return nil
		}
		return l
	}
	return Route{Alarm: nilIfEmpty(r.Alarm), OK: nilIfEmpty(r.OK), InsufficientData: nilIfEmpty(r.InsufficientData)}
}

func fingerprint(kind string, v any) string {
	b, _ := json.Marshal(v) // plain structs of strings and numbers
	sum := sha256.Sum256(append([]byte(kind+"\n"), b...))
	return hex.EncodeToString(sum[:6])
}

// Fingerprints maps every alarm name of the set to its fingerprint.
func (s Set) Fingerprints() map[string]string {
	out := make(map[string]string, len(s.MetricAlarms)+len(s.Composites))
	for _, a := range s.MetricAlarms {
		out[a.Name] = a.Fingerprint()
	}
	for _, c := range s.Composites {
		out[c.Name] = c.Fingerprint()
	}
	return out
}

// Composite returns the set's composite of a severity.
func (s Set) Composite(sev slo.Severity) (CompositeAlarm, bool) {
	for _, c := range s.Composites {
		if c.Severity == sev {
			return c, true
		}
	}
	return CompositeAlarm{}, false
}
