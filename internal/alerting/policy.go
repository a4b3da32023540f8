// Package alerting turns an SLO and a burn-rate alert policy into a plain
// description of CloudWatch alarms: per window a long and a short metric
// alarm whose metric math computes the error ratio over a period equal to
// the window, per severity a composite alarm that fires when both windows of
// any pair burn too fast, and optionally a no-data alarm. It computes first
// (Build) and leaves the CloudWatch calls to an adapter (internal/cwapi);
// it imports neither Terraform nor AWS.
//
// The figures follow the SRE workbook's multiwindow, multi-burn-rate
// alerts: a window that may spend budget_share of the error budget within
// its long window fires at burn rate factor = budget_share × period /
// long_window, i.e. at error ratio factor × (1 − SLO). A total outage
// reaches that error ratio after factor × (1 − SLO) × long_window, which is
// budget_share × the period's allowed bad time; by then it has spent exactly
// budget_share of the budget (for any error ratio above the threshold).
package alerting

import (
	"fmt"
	"regexp"
	"time"

	"github.com/sre-provider/terraform-provider-sre/internal/slo"
)

// Policy is one burn-rate alert policy after parsing.
type Policy struct {
	// Name prefixes every alarm of the policy.
	Name string
	SLO  slo.Spec
	// DefaultWindows names the default windows (slo.DefaultBurnWindows) in
	// force; nil means all of them.
	DefaultWindows []string
	// Custom are windows in addition to the defaults.
	Custom []Window
	// Routes maps a severity to where its composite alarm notifies.
	Routes map[slo.Severity]Route
	// Suppression says how the page composite suppresses the ticket's
	// actions (CloudWatch ActionsSuppressor).
	Suppression Suppression
	// MinEventsPerHour is the low-traffic guard: a window whose event count
	// is below this rate scaled to its length counts as not burning. Zero
	// disables it.
	MinEventsPerHour float64
	// NoData, when set, adds an alarm for a total-events series that stops
	// reporting.
	NoData *NoData
	// Tags are applied to every alarm, beside the policy's own sre:* tags.
	Tags map[string]string
}

// Window is one long/short window pair.
type Window struct {
	Name        string
	Severity    slo.Severity
	BudgetShare slo.Share
	Long, Short time.Duration
}

// Route lists the action ARNs for each state a severity's alarm enters.
type Route struct {
	Alarm, OK, InsufficientData []string
}

// Suppression is the ticket composite's ActionsSuppressor timing: Wait is how
// long a ticket that fires first waits for the page to fire too, Extension
// how long it stays quiet after the page returns to OK.
type Suppression struct {
	Wait, Extension time.Duration
}

// DefaultSuppression: the page composite normally fires well before the
// ticket (its thresholds are reached sooner), so two minutes covers the
// difference in evaluation; after a page the fast windows have just burned,
// so tickets stay quiet for a quarter of an hour.
var DefaultSuppression = Suppression{Wait: 2 * time.Minute, Extension: 15 * time.Minute}

// NoData is the alarm for a total-events series that stops reporting.
type NoData struct {
	After    time.Duration
	Severity slo.Severity
}

// Limits CloudWatch enforces and the policy checks at plan time.
const (
	MaxMetricsPerAlarm     = 10 // MetricStat entries of an alarm's Metrics
	MaxExpressionsPerAlarm = 10 // Expression entries
	MaxAlarmsPerComposite  = 100
	MaxAlarmNameLength     = 255
	MaxPolicyNameLength    = 200
	MaxWindowNameLength    = 32
	maxShortPeriod         = slo.Day     // period × evaluation periods when the period is under an hour
	maxLongPeriod          = 7 * slo.Day // … and when it is an hour or more
)

var (
	policyNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	windowNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	actionARNRE  = regexp.MustCompile(`^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:\S+$`)
)

// Severities lists the severities in the order their composites are built:
// page first, because the ticket composite names it as its suppressor.
var Severities = []slo.Severity{slo.SeverityPage, slo.SeverityTicket}

// ValidSeverity reports whether s is page or ticket.
func ValidSeverity(s slo.Severity) bool { return s == slo.SeverityPage || s == slo.SeverityTicket }

// ValidateName checks a policy name.
func ValidateName(name string) error {
	if name == "" || len(name) > MaxPolicyNameLength || !policyNameRE.MatchString(name) {
		return &slo.FieldError{Path: slo.Root("name"), Err: fmt.Errorf("%q must be 1 to %d letters, digits, '-' or '_' (it prefixes the name of every alarm of the policy)", name, MaxPolicyNameLength)}
	}
	return nil
}

// ValidateActionARN checks one action ARN.
func ValidateActionARN(arn string) error {
	if !actionARNRE.MatchString(arn) {
		return fmt.Errorf("%q is not an ARN; use an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:on-call", arn)
	}
	return nil
}
