package alerting

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sre-provider/terraform-provider-sre/internal/slo"
)

// Warning is a problem that does not stop the plan, such as a default
// window dropped because it could never fire.
type Warning struct {
	Path    slo.Path
	Summary string
	Detail  string
}

// Comparison and missing-data treatment of the alarms.
const (
	compareAtLeast   = "GreaterThanOrEqualToThreshold"
	compareBelow     = "LessThanThreshold"
	missingNotBreach = "notBreaching"
	missingBreach    = "breaching"
	errorRatioID     = "error_ratio"
)

// Build validates the policy and returns its alert set. Errors are
// *slo.FieldError naming the attribute (paths as in the sre_alert_policy
// schema) and the fix; with any error the set is empty.
func Build(p Policy) (Set, []Warning, []error) {
	var errs []error
	var warns []Warning
	if err := ValidateName(p.Name); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, validateSLO(p.SLO)...)
	errs = append(errs, validateRouting(p)...)
	if len(errs) > 0 {
		return Set{}, warns, errs
	}
	qp, err := slo.PlanQueries(p.SLO.SLI)
	if err != nil {
		return Set{}, warns, []error{&slo.FieldError{Path: slo.Root("slo").At("sli"), Err: err}}
	}
	if qp.Slices != nil {
		return Set{}, warns, []error{&slo.FieldError{Path: slo.Root("slo").At("sli").At("latency").At("percentile"),
			Err: errors.New("burn-rate alerts on a time-based latency SLI are not supported: CloudWatch cannot count bad 5-minute slices over windows longer than a day in one alarm; use a request-based latency SLI (omit percentile)")}}
	}
	if n := qp.Metrics(); n > MaxMetricsPerAlarm {
		errs = append(errs, &slo.FieldError{Path: slo.Root("slo").At("sli"),
			Err: fmt.Errorf("every window alarm reads the SLI's %d metrics but CloudWatch allows %d metrics per alarm; combine fewer metrics in the SLI", n, MaxMetricsPerAlarm)})
	}
	if n := len(qp.Queries) - qp.Metrics() + 1; n > MaxExpressionsPerAlarm {
		errs = append(errs, &slo.FieldError{Path: slo.Root("slo").At("sli"),
			Err: fmt.Errorf("every window alarm needs %d expressions (the SLI's and the error ratio) but CloudWatch allows %d per alarm", n, MaxExpressionsPerAlarm)})
	}

	windows, ws, werrs := selectWindows(p)
	warns = append(warns, ws...)
	errs = append(errs, werrs...)
	if len(windows) == 0 && p.NoData == nil && len(werrs) == 0 {
		errs = append(errs, &slo.FieldError{Path: slo.Root("default_windows"),
			Err: errors.New("the policy has no window that can fire and no no_data alarm, so it would create no alarms; keep a default window or add one under windows")})
	}
	for _, sev := range Severities {
		n := 0
		for _, w := range windows {
			if w.Severity == sev {
				n += 2
			}
		}
		if n > MaxAlarmsPerComposite {
			errs = append(errs, &slo.FieldError{Path: slo.Root("windows"),
				Err: fmt.Errorf("the %s composite would combine %d alarms (two per window); CloudWatch allows %d in a composite rule: use at most %d %s windows", sev, n, MaxAlarmsPerComposite, MaxAlarmsPerComposite/2, sev)})
		}
	}
	if len(errs) > 0 {
		return Set{}, warns, errs
	}

	var set Set
	for _, w := range windows {
		f := w
		for _, part := range []struct {
			name   string
			length time.Duration
			min    float64
			alarm  *string
		}{{PartLong, w.Long, w.MinEventsLong, &f.LongAlarm}, {PartShort, w.Short, w.MinEventsShort, &f.ShortAlarm}} {
			name := WindowAlarmName(p.Name, w.Name, part.name)
			*part.alarm = name
			own := map[string]string{TagRole: part.name, TagWindow: w.Name, TagSeverity: string(w.Severity), TagBudgetShare: w.BudgetShare.String()}
			if p.MinEventsPerHour > 0 {
				own[TagMinEventsPerHour] = trim(p.MinEventsPerHour)
			}
			set.MetricAlarms = append(set.MetricAlarms, MetricAlarm{
				Name: name,
				Description: fmt.Sprintf("Burn-rate alert %s (%s window %s) of SLO %s: error ratio at or above %s, burn rate %s, which spends %s of the error budget in %s. Managed by Terraform (sre_alert_policy %s).",
					w.Name, part.name, slo.FormatWindow(part.length), p.SLO.Name, trim(w.ErrorRatio), trim(w.BurnRate), percent(w.BudgetShare.Ratio()), slo.FormatWindow(w.Long), p.Name),
				Queries:           errorRatioQueries(qp, part.length, part.min),
				Comparison:        compareAtLeast,
				Threshold:         w.ErrorRatio,
				EvaluationPeriods: 1,
				DatapointsToAlarm: 1,
				TreatMissingData:  missingNotBreach,
				Tags:              alarmTags(p, own),
			})
		}
		set.Windows = append(set.Windows, f)
	}
	for _, sev := range Severities {
		var terms, children []string
		for _, w := range set.Windows {
			if w.Severity != sev {
				continue
			}
			terms = append(terms, fmt.Sprintf("(ALARM(%q) AND ALARM(%q))", w.LongAlarm, w.ShortAlarm))
			children = append(children, w.LongAlarm, w.ShortAlarm)
		}
		if len(terms) == 0 {
			continue
		}
		c := CompositeAlarm{
			Name:     CompositeName(p.Name, sev),
			Severity: sev,
			Description: fmt.Sprintf("%s for SLO %s (%s%% over %s): fires when the long and the short window of any %s window burn the error budget too fast. Managed by Terraform (sre_alert_policy %s).",
				strings.ToUpper(string(sev[:1]))+string(sev[1:]), p.SLO.Name, p.SLO.Objective, p.SLO.Period, sev, p.Name),
			Rule:     strings.Join(terms, " OR "),
			Actions:  p.Routes[sev],
			Children: children,
			Tags:     alarmTags(p, map[string]string{TagRole: string(sev)}),
		}
		if page, ok := set.Composite(slo.SeverityPage); ok && sev == slo.SeverityTicket {
			c.Suppressor, c.Suppression = page.Name, p.Suppression
		}
		set.Composites = append(set.Composites, c)
	}
	if nd := p.NoData; nd != nil {
		set.MetricAlarms = append(set.MetricAlarms, noDataAlarm(p, qp, *nd))
	}
	return set, warns, nil
}

// selectWindows returns the windows in force with their figures: the chosen
// defaults that can fire (the others are dropped with a warning), then the
// custom windows by name (which must all be valid).
func selectWindows(p Policy) ([]WindowFigures, []Warning, []error) {
	var errs []error
	var warns []Warning
	defaults := slo.DefaultBurnWindows()
	chosen := map[string]bool{}
	if p.DefaultWindows == nil {
		for _, w := range defaults {
			chosen[w.Name] = true
		}
	}
	for _, name := range p.DefaultWindows {
		known := false
		for _, w := range defaults {
			known = known || w.Name == name
		}
		if !known {
			errs = append(errs, &slo.FieldError{Path: slo.Root("default_windows"),
				Err: fmt.Errorf("%q is not a default window; the defaults are page_fast, page_slow, ticket_fast and ticket_slow (define other windows under windows)", name)})
		}
		chosen[name] = true
	}
	var out []WindowFigures
	for _, d := range defaults {
		if !chosen[d.Name] {
			continue
		}
		w := Window{Name: d.Name, Severity: d.Severity, BudgetShare: d.BudgetShare, Long: d.LongWindow, Short: d.ShortWindow}
		f, err := figures(p, w)
		if err != nil {
			warns = append(warns, Warning{Path: slo.Root("default_windows"), Summary: "Default Window Left Out",
				Detail: fmt.Sprintf("The default window %s is left out for SLO %s (%s%% over %s): %s. To silence this, list the default windows to keep in default_windows.",
					d.Name, p.SLO.Name, p.SLO.Objective, p.SLO.Period, err)})
			continue
		}
		f.Default = true
		out = append(out, f)
	}
	custom := append([]Window(nil), p.Custom...)
	sort.Slice(custom, func(i, j int) bool { return custom[i].Name < custom[j].Name })
	for _, w := range custom {
		at := slo.Root("windows").Key(w.Name)
		switch {
		case !windowNameRE.MatchString(w.Name) || len(w.Name) > MaxWindowNameLength:
			errs = append(errs, &slo.FieldError{Path: at, Err: fmt.Errorf("window name %q must start with a lowercase letter and contain only lowercase letters, digits and '_' (at most %d characters)", w.Name, MaxWindowNameLength)})
			continue
		case chosen[w.Name]:
			errs = append(errs, &slo.FieldError{Path: at, Err: fmt.Errorf("window %s is also a default window in force; give the custom window another name or remove %s from default_windows", w.Name, w.Name)})
			continue
		case !ValidSeverity(w.Severity):
			errs = append(errs, &slo.FieldError{Path: at.At("severity"), Err: fmt.Errorf("window %s: severity %q must be page or ticket", w.Name, w.Severity)})
			continue
		}
		if err := checkWindowLengths(w); err != nil {
			errs = append(errs, &slo.FieldError{Path: at, Err: err})
			continue
		}
		f, err := figures(p, w)
		if err != nil {
			errs = append(errs, &slo.FieldError{Path: at, Err: fmt.Errorf("window %s: %w", w.Name, err)})
			continue
		}
		out = append(out, f)
	}
	return out, warns, errs
}

// checkWindowLengths applies CloudWatch's alarm period rules to a window's
// two lengths: each is one alarm period, so a whole number of minutes, and
// period × evaluation periods (1) may not exceed 7 days.
func checkWindowLengths(w Window) error {
	for _, part := range []struct {
		name   string
		length time.Duration
	}{{"long_window", w.Long}, {"short_window", w.Short}} {
		switch {
		case part.length <= 0 || part.length%time.Minute != 0:
			return fmt.Errorf("window %s: %s %s must be a whole number of minutes (it is the alarm's period, which CloudWatch takes as 10, 20, 30 or a multiple of 60 seconds)", w.Name, part.name, part.length)
		case part.length > maxLongPeriod:
			return fmt.Errorf("window %s: %s %s exceeds 7 days, the longest period × evaluation periods CloudWatch allows for an alarm", w.Name, part.name, slo.FormatWindow(part.length))
		}
	}
	if w.Short >= w.Long {
		return fmt.Errorf("window %s: short_window %s must be shorter than long_window %s (the short window makes the alert reset quickly)", w.Name, slo.FormatWindow(w.Short), slo.FormatWindow(w.Long))
	}
	return nil
}

// figures computes a window's thresholds and detection figures; it fails
// when the long window exceeds the period, or when the threshold can never
// be reached by the SLO's objective.
func figures(p Policy, w Window) (WindowFigures, error) {
	if err := checkWindowLengths(w); err != nil {
		return WindowFigures{}, err
	}
	o, per := p.SLO.Objective, p.SLO.Period
	factor, err := slo.BurnRateThreshold(o, per, w.BudgetShare, w.Long)
	if err != nil {
		return WindowFigures{}, err
	}
	f := WindowFigures{Window: w, BurnRate: factor, BudgetSpent: w.BudgetShare.Ratio()}
	// ErrorRatio = share × period / long × (1 − SLO), with one rounding.
	periodMin := int64(per.PlanDuration() / time.Minute)
	longMin := int64(w.Long / time.Minute)
	num := new(big.Int).Mul(big.NewInt(w.BudgetShare.PPM()*periodMin), big.NewInt(o.BudgetPPM()))
	den := new(big.Int).Mul(big.NewInt(longMin*1_000_000), big.NewInt(1_000_000))
	f.ErrorRatio, _ = new(big.Rat).SetFrac(num, den).Float64()
	// A total outage crosses ErrorRatio over a window of length L after
	// ErrorRatio × L; the long window is the later of the two. That is
	// budget_share × the allowed bad time of the period.
	allowed := slo.AllowedBadTime(o, per)
	d := new(big.Int).Mul(big.NewInt(int64(allowed)), big.NewInt(w.BudgetShare.PPM()))
	f.DetectionTime = time.Duration(d.Quo(d, big.NewInt(1_000_000)).Int64())
	if p.MinEventsPerHour > 0 {
		f.MinEventsLong = minEvents(p.MinEventsPerHour, w.Long)
		f.MinEventsShort = minEvents(p.MinEventsPerHour, w.Short)
	}
	return f, nil
}

// minEvents scales the guard's hourly rate to a window, rounded up so that a
// window never alerts on fewer events than the rate promises.
func minEvents(perHour float64, window time.Duration) float64 {
	return math.Ceil(perHour * window.Hours())
}

// errorRatioQueries renders the SLI's query plan over one window: its
// queries hidden, then the error ratio, guarded against low traffic.
func errorRatioQueries(qp slo.QueryPlan, window time.Duration, minEvents float64) []Query {
	var qs []Query
	for _, pq := range qp.Queries {
		q := Query{ID: pq.ID, Expression: pq.Expression}
		if pq.Metric != nil {
			m := *pq.Metric
			q.Metric, q.Period = &m, int(window/time.Second)
		}
		qs = append(qs, q)
	}
	ratio := fmt.Sprintf("FILL(%s, 0) / %s", qp.Bad, qp.Total)
	if qp.Bad == "" {
		ratio = fmt.Sprintf("1 - FILL(%s, 0) / %s", qp.Good, qp.Total)
	}
	if minEvents > 0 {
		ratio = fmt.Sprintf("IF(%s >= %s, %s, 0)", qp.Total, trim(minEvents), ratio)
	}
	return append(qs, Query{ID: errorRatioID, Expression: ratio, Label: "error ratio over " + slo.FormatWindow(window), ReturnData: true})
}

// noDataAlarm watches the total-events series: missing datapoints breach,
// real counts never do. For an expression total the datapoint is missing as
// soon as any of its metrics stops reporting (no FILL).
func noDataAlarm(p Policy, qp slo.QueryPlan, nd NoData) MetricAlarm {
	period := time.Minute
	if nd.After > slo.Day {
		period = time.Hour
	}
	var qs []Query
	for _, pq := range qp.Queries {
		if pq.ID != qp.Total && !strings.HasPrefix(pq.ID, qp.Total+"_") {
			continue
		}
		q := Query{ID: pq.ID}
		if pq.Metric != nil {
			m := *pq.Metric
			q.Metric, q.Period = &m, int(period/time.Second)
		} else {
			q.Expression = strings.NewReplacer("FILL(", "(", ", 0)", ")").Replace(pq.Expression)
		}
		q.ReturnData = pq.ID == qp.Total
		if q.ReturnData {
			q.Label = "total events"
		}
		qs = append(qs, q)
	}
	n := int(nd.After / period)
	return MetricAlarm{
		Name: NoDataAlarmName(p.Name),
		Description: fmt.Sprintf("No data for SLO %s: its total-events series has not reported for %s, so its burn-rate alerts are blind. Managed by Terraform (sre_alert_policy %s).",
			p.SLO.Name, slo.FormatWindow(nd.After), p.Name),
		Queries:           qs,
		Comparison:        compareBelow,
		Threshold:         0,
		EvaluationPeriods: n,
		DatapointsToAlarm: n,
		TreatMissingData:  missingBreach,
		Actions:           p.Routes[nd.Severity],
		Tags:              alarmTags(p, map[string]string{TagRole: RoleNoData, TagSeverity: string(nd.Severity)}),
	}
}

func validateSLO(s slo.Spec) []error {
	var errs []error
	prefix := func(err error) error {
		var fe *slo.FieldError
		if errors.As(err, &fe) {
			return &slo.FieldError{Path: append(slo.Root("slo"), fe.Path...), Err: fe.Err}
		}
		return &slo.FieldError{Path: slo.Root("slo"), Err: err}
	}
	if err := slo.ValidateName(s.Name); err != nil {
		errs = append(errs, prefix(err))
	}
	if !s.Objective.Valid() {
		errs = append(errs, &slo.FieldError{Path: slo.Root("slo").At("objective"), Err: errors.New("must be a percentage greater than 0 and less than 100")})
	}
	if !s.Period.Valid() {
		errs = append(errs, &slo.FieldError{Path: slo.Root("slo").At("period"), Err: fmt.Errorf("must be rolling days such as \"28d\" (1 to 90) or %q", slo.CalendarMonth)})
	}
	for _, err := range slo.ValidateSLI(s.SLI) {
		errs = append(errs, prefix(err))
	}
	return errs
}

func validateRouting(p Policy) []error {
	var errs []error
	for _, sev := range Severities {
		r := p.Routes[sev]
		for _, list := range []struct {
			attr string
			arns []string
		}{{"alarm_actions", r.Alarm}, {"ok_actions", r.OK}, {"insufficient_data_actions", r.InsufficientData}} {
			for _, arn := range list.arns {
				if err := ValidateActionARN(arn); err != nil {
					errs = append(errs, &slo.FieldError{Path: slo.Root(string(sev)).At(list.attr), Err: err})
				}
			}
		}
	}
	for sev := range p.Routes {
		if !ValidSeverity(sev) {
			errs = append(errs, &slo.FieldError{Path: slo.Root(string(sev)), Err: fmt.Errorf("severity %q must be page or ticket", sev)})
		}
	}
	su := p.Suppression
	for _, d := range []struct {
		attr string
		v    time.Duration
	}{{"wait_period", su.Wait}, {"extension_period", su.Extension}} {
		if d.v < 0 || d.v%time.Second != 0 {
			errs = append(errs, &slo.FieldError{Path: slo.Root("ticket_suppression").At(d.attr), Err: fmt.Errorf("%s must be a whole number of seconds, zero or more", d.v)})
		}
	}
	if math.IsNaN(p.MinEventsPerHour) || math.IsInf(p.MinEventsPerHour, 0) || p.MinEventsPerHour < 0 {
		errs = append(errs, &slo.FieldError{Path: slo.Root("low_traffic").At("min_events_per_hour"), Err: fmt.Errorf("%v must be a finite number, zero or more", p.MinEventsPerHour)})
	}
	if nd := p.NoData; nd != nil {
		at := slo.Root("no_data")
		switch {
		case nd.After < time.Minute || nd.After%time.Minute != 0:
			errs = append(errs, &slo.FieldError{Path: at.At("after"), Err: fmt.Errorf("%s must be a whole number of minutes, at least 1m", nd.After)})
		case nd.After > slo.Day && nd.After%time.Hour != 0:
			errs = append(errs, &slo.FieldError{Path: at.At("after"), Err: fmt.Errorf("%s: beyond a day the no-data alarm counts hourly periods, so use whole hours", slo.FormatWindow(nd.After))})
		case nd.After > maxLongPeriod:
			errs = append(errs, &slo.FieldError{Path: at.At("after"), Err: fmt.Errorf("%s exceeds 7 days, the longest period × evaluation periods CloudWatch allows for an alarm", slo.FormatWindow(nd.After))})
		}
		if !ValidSeverity(nd.Severity) {
			errs = append(errs, &slo.FieldError{Path: at.At("severity"), Err: fmt.Errorf("%q must be page or ticket", nd.Severity)})
		}
	}
	return errs
}

func trim(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func percent(r float64) string { return trim(math.Round(r*1e8)/1e6) + "%" }
