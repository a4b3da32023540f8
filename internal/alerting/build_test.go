package alerting

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sre-provider/terraform-provider-sre/internal/slo"
)

const page = "arn:aws:sns:us-east-1:123456789012:page"
const ticket = "arn:aws:sns:us-east-1:123456789012:ticket"

func spec(objective, period string) slo.Spec {
	m := func(name string) slo.Metric {
		return slo.Metric{Namespace: "App", MetricName: name, Dimensions: map[string]string{"Service": "checkout"}, Statistic: "Sum"}
	}
	p, err := slo.ParsePeriod(period)
	if err != nil {
		panic(err)
	}
	return slo.Spec{Name: "checkout", Objective: slo.MustObjective(objective), Period: p, SLI: slo.SLI{Ratio: &slo.RatioSLI{
		Bad: &slo.Query{Metrics: []slo.Metric{m("Errors")}}, Total: &slo.Query{Metrics: []slo.Metric{m("Requests")}},
	}}}
}

func policy(objective, period string) Policy {
	return Policy{Name: "checkout", SLO: spec(objective, period), Suppression: DefaultSuppression,
		Routes: map[slo.Severity]Route{slo.SeverityPage: {Alarm: []string{page}}, slo.SeverityTicket: {Alarm: []string{ticket}, OK: []string{ticket}}}}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

func TestBuildDefaultWindowFigures(t *testing.T) {
	type fig struct {
		burn, ratio float64
		detect      time.Duration
		spent       float64
	}
	tests := map[string]struct {
		objective, period string
		want              map[string]fig
	}{
		"99.9 % over 30 days gives the workbook's 14.4, 6, 3 and 1": {"99.9", "30d", map[string]fig{
			// detection = share × allowed bad time (43m12s)
			"page_fast":   {14.4, 0.0144, 51840 * time.Millisecond, 0.02},
			"page_slow":   {6, 0.006, 129600 * time.Millisecond, 0.05},
			"ticket_fast": {3, 0.003, 259200 * time.Millisecond, 0.1},
			"ticket_slow": {1, 0.001, 259200 * time.Millisecond, 0.1},
		}},
		"99.9 % over 28 days scales every threshold by 28/30": {"99.9", "28d", map[string]fig{
			"page_fast":   {13.44, 0.01344, 48384 * time.Millisecond, 0.02},
			"page_slow":   {5.6, 0.0056, 120960 * time.Millisecond, 0.05},
			"ticket_fast": {2.8, 0.0028, 241920 * time.Millisecond, 0.1},
			"ticket_slow": {2.8 / 3, 0.0028 / 3, 241920 * time.Millisecond, 0.1},
		}},
		"calendar months use 30 days at plan time": {"99.5", "calendar_month", map[string]fig{
			"page_fast": {14.4, 0.072, 259200 * time.Millisecond, 0.02},
		}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			set, warns, errs := Build(policy(tc.objective, tc.period))
			if len(errs) > 0 || len(warns) > 0 {
				t.Fatalf("errors %v, warnings %v", errs, warns)
			}
			got := map[string]WindowFigures{}
			for _, w := range set.Windows {
				got[w.Name] = w
			}
			for wn, want := range tc.want {
				w := got[wn]
				if !near(w.BurnRate, want.burn) || !near(w.ErrorRatio, want.ratio) || w.DetectionTime != want.detect || !near(w.BudgetSpent, want.spent) {
					t.Errorf("%s: burn %v ratio %v detection %v spent %v; want %+v", wn, w.BurnRate, w.ErrorRatio, w.DetectionTime, w.BudgetSpent, want)
				}
			}
		})
	}
}

func TestBuildAlarmShapes(t *testing.T) {
	p := policy("99.9", "30d")
	p.MinEventsPerHour = 120
	p.NoData = &NoData{After: 10 * time.Minute, Severity: slo.SeverityTicket}
	p.Tags = map[string]string{"team": "payments"}
	set, _, errs := Build(p)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(set.MetricAlarms) != 9 || len(set.Composites) != 2 {
		t.Fatalf("%d metric alarms and %d composites, want 9 and 2", len(set.MetricAlarms), len(set.Composites))
	}
	long := set.MetricAlarms[0]
	if long.Name != "checkout-page_fast-long" || long.Threshold != 0.0144 || long.Comparison != "GreaterThanOrEqualToThreshold" ||
		long.EvaluationPeriods != 1 || long.DatapointsToAlarm != 1 || long.TreatMissingData != "notBreaching" {
		t.Fatalf("page_fast long alarm = %+v", long)
	}
	wantQueries := []Query{
		{ID: "t", Metric: &slo.Metric{Namespace: "App", MetricName: "Requests", Dimensions: map[string]string{"Service": "checkout"}, Statistic: "Sum"}, Period: 3600},
		{ID: "b", Metric: &slo.Metric{Namespace: "App", MetricName: "Errors", Dimensions: map[string]string{"Service": "checkout"}, Statistic: "Sum"}, Period: 3600},
		{ID: "error_ratio", Expression: "IF(t >= 120, FILL(b, 0) / t, 0)", Label: "error ratio over 1h", ReturnData: true},
	}
	if !reflect.DeepEqual(long.Queries, wantQueries) {
		t.Fatalf("queries = %+v", long.Queries)
	}
	if short := set.MetricAlarms[1]; short.Name != "checkout-page_fast-short" || short.Queries[0].Period != 300 || short.Queries[2].Expression != "IF(t >= 10, FILL(b, 0) / t, 0)" {
		t.Fatalf("page_fast short alarm = %+v", short)
	}
	if long.Tags["team"] != "payments" || long.Tags[TagPolicy] != "checkout" || long.Tags[TagWindow] != "page_fast" || long.Tags[TagBudgetShare] != "0.02" {
		t.Fatalf("tags = %v", long.Tags)
	}
	pg, tk := set.Composites[0], set.Composites[1]
	if pg.Name != "checkout-page" || pg.Rule != `(ALARM("checkout-page_fast-long") AND ALARM("checkout-page_fast-short")) OR (ALARM("checkout-page_slow-long") AND ALARM("checkout-page_slow-short"))` ||
		!reflect.DeepEqual(pg.Actions.Alarm, []string{page}) || pg.Suppressor != "" {
		t.Fatalf("page composite = %+v", pg)
	}
	if tk.Name != "checkout-ticket" || tk.Suppressor != "checkout-page" || tk.Suppression != DefaultSuppression || !reflect.DeepEqual(tk.Actions.OK, []string{ticket}) {
		t.Fatalf("ticket composite = %+v", tk)
	}
	nd := set.MetricAlarms[8]
	if nd.Name != "checkout-no-data" || nd.EvaluationPeriods != 10 || nd.DatapointsToAlarm != 10 || nd.TreatMissingData != "breaching" ||
		len(nd.Queries) != 1 || nd.Queries[0].Period != 60 || !nd.Queries[0].ReturnData || !reflect.DeepEqual(nd.Actions.Alarm, []string{ticket}) {
		t.Fatalf("no-data alarm = %+v", nd)
	}
}

func TestBuildGoodSeriesAndExpressionTotals(t *testing.T) {
	p := policy("99", "7d")
	m := func(name string) slo.Metric { return slo.Metric{Namespace: "App", MetricName: name, Statistic: "Sum"} }
	p.SLO.SLI = slo.SLI{Ratio: &slo.RatioSLI{Good: &slo.Query{Metrics: []slo.Metric{m("Good")}},
		Total: &slo.Query{Expression: "a + c", Metrics: []slo.Metric{{ID: "a", Namespace: "App", MetricName: "A", Statistic: "Sum"}, {ID: "c", Namespace: "App", MetricName: "C", Statistic: "Sum"}}}}}
	p.NoData = &NoData{After: 2 * slo.Day, Severity: slo.SeverityPage}
	set, _, errs := Build(p)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if q := set.MetricAlarms[0].Queries; q[len(q)-1].Expression != "1 - FILL(g, 0) / t" || q[2].Expression != "FILL(t_a, 0) + FILL(t_c, 0)" {
		t.Fatalf("queries = %+v", q)
	}
	nd := set.MetricAlarms[len(set.MetricAlarms)-1]
	if nd.EvaluationPeriods != 48 || nd.Queries[0].Period != 3600 || nd.Queries[2].Expression != "(t_a) + (t_c)" || !nd.Queries[2].ReturnData {
		t.Fatalf("no-data alarm over an expression total = %+v", nd)
	}
}

func TestBuildRejectsInvalidPolicies(t *testing.T) {
	tests := map[string]struct {
		mutate func(*Policy)
		path   string
		msg    string
	}{
		"a custom window that can never fire for the objective": {
			func(p *Policy) {
				p.Custom = []Window{{Name: "burst", Severity: slo.SeverityPage, BudgetShare: slo.MustShare("0.5"), Long: 5 * time.Minute, Short: time.Minute}}
			}, `windows["burst"]`, "exceeds the largest possible burn rate",
		},
		"a custom window longer than the period": {
			func(p *Policy) {
				p.Custom = []Window{{Name: "week", Severity: slo.SeverityTicket, BudgetShare: slo.MustShare("0.5"), Long: 7 * slo.Day, Short: slo.Day}}
				p.SLO.Period = slo.RollingDays(5)
			}, `windows["week"]`, "longer than the period",
		},
		"a window that is not a whole number of minutes": {
			func(p *Policy) {
				p.Custom = []Window{{Name: "odd", Severity: slo.SeverityPage, BudgetShare: slo.MustShare("0.02"), Long: time.Hour, Short: 90 * time.Second}}
			}, `windows["odd"]`, "whole number of minutes",
		},
		"a window longer than the 7 days an alarm may look back": {
			func(p *Policy) {
				p.Custom = []Window{{Name: "long", Severity: slo.SeverityTicket, BudgetShare: slo.MustShare("0.5"), Long: 8 * slo.Day, Short: slo.Day}}
			}, `windows["long"]`, "exceeds 7 days",
		},
		"a short window not shorter than the long one": {
			func(p *Policy) {
				p.Custom = []Window{{Name: "flat", Severity: slo.SeverityPage, BudgetShare: slo.MustShare("0.02"), Long: time.Hour, Short: time.Hour}}
			}, `windows["flat"]`, "must be shorter than long_window",
		},
		"a custom window named like a default in force": {
			func(p *Policy) {
				p.Custom = []Window{{Name: "page_fast", Severity: slo.SeverityPage, BudgetShare: slo.MustShare("0.02"), Long: time.Hour, Short: 5 * time.Minute}}
			}, `windows["page_fast"]`, "also a default window",
		},
		"an unknown default window": {
			func(p *Policy) { p.DefaultWindows = []string{"page_quick"} }, "default_windows", `"page_quick" is not a default window`,
		},
		"an action that is not an ARN": {
			func(p *Policy) { p.Routes[slo.SeverityPage] = Route{Alarm: []string{"pager-duty"}} }, "page.alarm_actions", "is not an ARN",
		},
		"more metrics than an alarm may hold": {
			func(p *Policy) {
				var ms []slo.Metric
				var ids []string
				for i := 0; i < 10; i++ {
					id := "e" + string(rune('a'+i))
					ms = append(ms, slo.Metric{ID: id, Namespace: "App", MetricName: "E", Statistic: "Sum"})
					ids = append(ids, id)
				}
				p.SLO.SLI.Ratio.Bad = &slo.Query{Expression: strings.Join(ids, " + "), Metrics: ms}
			}, "slo.sli", "reads the SLI's 11 metrics",
		},
		"more windows than a composite may combine": {
			func(p *Policy) {
				for i := 0; i < 51; i++ {
					p.Custom = append(p.Custom, Window{Name: "w" + string(rune('a'+i/26)) + string(rune('a'+i%26)), Severity: slo.SeverityTicket, BudgetShare: slo.MustShare("0.5"), Long: 3 * slo.Day, Short: slo.Day})
				}
			}, "windows", "allows 100 in a composite rule",
		},
		"a time-based latency SLI": {
			func(p *Policy) {
				pc := 99.0
				p.SLO.SLI = slo.SLI{Latency: &slo.LatencySLI{Metric: slo.Metric{Namespace: "App", MetricName: "Latency"}, Threshold: 1, Percentile: &pc}}
			}, "slo.sli.latency.percentile", "not supported",
		},
		"an invalid SLI names the attribute under slo": {
			func(p *Policy) { p.SLO.SLI.Ratio.Total = nil }, "slo.sli.ratio.total", "is required",
		},
		"no window and no no-data alarm": {
			func(p *Policy) { p.DefaultWindows = []string{} }, "default_windows", "would create no alarms",
		},
		"a no-data delay beyond a day that is not whole hours": {
			func(p *Policy) {
				p.NoData = &NoData{After: 25*time.Hour + 30*time.Minute, Severity: slo.SeverityTicket}
			}, "no_data.after", "whole hours",
		},
		"a no-data delay beyond 7 days": {
			func(p *Policy) { p.NoData = &NoData{After: 8 * slo.Day, Severity: slo.SeverityTicket} }, "no_data.after", "exceeds 7 days",
		},
		"a negative suppressor wait": {
			func(p *Policy) { p.Suppression.Wait = -time.Second }, "ticket_suppression.wait_period", "zero or more",
		},
		"a policy name with spaces": {
			func(p *Policy) { p.Name = "check out" }, "name", "letters, digits",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			p := policy("99.9", "30d")
			tc.mutate(&p)
			set, _, errs := Build(p)
			if len(errs) == 0 {
				t.Fatalf("Build accepted the policy: %d alarms", len(set.MetricAlarms))
			}
			var fe *slo.FieldError
			if !errors.As(errs[0], &fe) || fe.Path.String() != tc.path || !strings.Contains(fe.Error(), tc.msg) {
				t.Fatalf("first error %v, want %s containing %q (all: %v)", errs[0], tc.path, tc.msg, errs)
			}
			if len(set.MetricAlarms) != 0 {
				t.Fatal("an invalid policy still produced alarms")
			}
		})
	}
}

func TestBuildDropsDefaultWindowsThatCannotFire(t *testing.T) {
	tests := map[string]struct {
		objective, period string
		kept              []string
		dropped           string
	}{
		"a 90 % objective cannot burn 14.4 times, so page_fast is left out": {"90", "30d", []string{"page_slow", "ticket_fast", "ticket_slow"}, "page_fast"},
		"a one-day period leaves out the 3-day ticket window":               {"99.9", "1d", []string{"page_fast", "page_slow", "ticket_fast"}, "ticket_slow"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			set, warns, errs := Build(policy(tc.objective, tc.period))
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			var kept []string
			for _, w := range set.Windows {
				kept = append(kept, w.Name)
			}
			if !reflect.DeepEqual(kept, tc.kept) {
				t.Fatalf("windows %v, want %v", kept, tc.kept)
			}
			if len(warns) != 1 || !strings.Contains(warns[0].Detail, "default window "+tc.dropped+" is left out") {
				t.Fatalf("warnings = %+v", warns)
			}
		})
	}
}

func TestBuildCustomAndDisabledWindows(t *testing.T) {
	p := policy("99.9", "30d")
	p.DefaultWindows = []string{"page_fast"}
	p.Custom = []Window{{Name: "login_burst", Severity: slo.SeverityPage, BudgetShare: slo.MustShare("0.01"), Long: 30 * time.Minute, Short: 5 * time.Minute}}
	set, _, errs := Build(p)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(set.Windows) != 2 || set.Windows[0].Name != "page_fast" || !set.Windows[0].Default || set.Windows[1].Name != "login_burst" || set.Windows[1].Default {
		t.Fatalf("windows = %+v", set.Windows)
	}
	// 1 % in 30 minutes over 30 days is a burn rate of 14.4 as well.
	if !near(set.Windows[1].BurnRate, 14.4) {
		t.Fatalf("login_burst burn rate = %v", set.Windows[1].BurnRate)
	}
	if _, ok := set.Composite(slo.SeverityTicket); ok || len(set.Composites) != 1 {
		t.Fatalf("a policy without ticket windows has a ticket composite: %+v", set.Composites)
	}
}

func TestPlanChanges(t *testing.T) {
	full, _, _ := Build(policy("99.9", "30d"))
	current := full.Fingerprints()
	tests := map[string]struct {
		mutate             func(*Policy)
		current            map[string]string
		metric, composites []string
		deleteComposites   []string
		deleteMetric       []string
	}{
		"a new policy writes every alarm, children before composites": {
			current: nil,
			metric:  []string{"checkout-page_fast-long", "checkout-page_fast-short", "checkout-page_slow-long", "checkout-page_slow-short", "checkout-ticket_fast-long", "checkout-ticket_fast-short", "checkout-ticket_slow-long", "checkout-ticket_slow-short"}, composites: []string{"checkout-page", "checkout-ticket"},
		},
		"nothing changed writes nothing": {current: current},
		"a new page route rewrites only the page composite": {
			mutate:  func(p *Policy) { p.Routes[slo.SeverityPage] = Route{Alarm: []string{page, ticket}} },
			current: current, composites: []string{"checkout-page"},
		},
		"dropping the ticket windows deletes the ticket composite before its alarms": {
			mutate:           func(p *Policy) { p.DefaultWindows = []string{"page_fast", "page_slow"} },
			current:          current,
			deleteComposites: []string{"checkout-ticket"},
			deleteMetric:     []string{"checkout-ticket_fast-long", "checkout-ticket_fast-short", "checkout-ticket_slow-long", "checkout-ticket_slow-short"},
		},
		"an alarm edited outside Terraform is written back": {
			current: func() map[string]string {
				c := map[string]string{}
				for k, v := range current {
					c[k] = v
				}
				c["checkout-page_slow-short"] = "edited"
				return c
			}(),
			metric: []string{"checkout-page_slow-short"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			p := policy("99.9", "30d")
			if tc.mutate != nil {
				tc.mutate(&p)
			}
			set, _, errs := Build(p)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			c := PlanChanges("checkout", set, tc.current)
			var metric, composites []string
			for _, a := range c.PutMetric {
				metric = append(metric, a.Name)
			}
			for _, a := range c.PutComposite {
				composites = append(composites, a.Name)
			}
			if !reflect.DeepEqual(metric, tc.metric) || !reflect.DeepEqual(composites, tc.composites) ||
				!reflect.DeepEqual(c.DeleteComposites, tc.deleteComposites) || !reflect.DeepEqual(c.DeleteMetric, tc.deleteMetric) {
				t.Fatalf("changes: put %v %v, delete %v %v", metric, composites, c.DeleteComposites, c.DeleteMetric)
			}
		})
	}
}

func TestRecoverInvertsBuild(t *testing.T) {
	p := policy("99.9", "28d")
	p.DefaultWindows = []string{"page_fast", "ticket_slow"}
	p.Custom = []Window{{Name: "login_burst", Severity: slo.SeverityPage, BudgetShare: slo.MustShare("0.01"), Long: 30 * time.Minute, Short: 5 * time.Minute}}
	p.MinEventsPerHour = 30
	p.NoData = &NoData{After: 15 * time.Minute, Severity: slo.SeverityTicket}
	p.Suppression = Suppression{Wait: time.Minute, Extension: time.Hour}
	p.Tags = map[string]string{"team": "payments"}
	set, _, errs := Build(p)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	r, err := Recover("checkout", set.MetricAlarms, set.Composites)
	if err != nil {
		t.Fatal(err)
	}
	want := Recovered{SLOName: "checkout", DefaultWindows: []string{"page_fast", "ticket_slow"}, Custom: p.Custom, Routes: p.Routes,
		Suppression: p.Suppression, MinEventsPerHour: 30, NoData: p.NoData, Tags: p.Tags}
	if !reflect.DeepEqual(r, want) {
		t.Fatalf("Recover =\n%+v\nwant\n%+v", r, want)
	}
	if _, err := Recover("checkout", nil, nil); err == nil {
		t.Fatal("Recover of no alarms must fail")
	}
}

func TestFingerprintsTellConfigurationsApart(t *testing.T) {
	a, _, _ := Build(policy("99.9", "30d"))
	b, _, _ := Build(policy("99.95", "30d"))
	fa, fb := a.Fingerprints(), b.Fingerprints()
	again, _, _ := Build(policy("99.9", "30d"))
	if !reflect.DeepEqual(fa, again.Fingerprints()) {
		t.Fatal("fingerprints are not deterministic")
	}
	if fa["checkout-page_fast-long"] == fb["checkout-page_fast-long"] {
		t.Fatal("a different threshold has the same fingerprint")
	}
	tagged := policy("99.9", "30d")
	tagged.Tags = map[string]string{"x": "y"}
	c, _, _ := Build(tagged)
	if !reflect.DeepEqual(fa, c.Fingerprints()) {
		t.Fatal("tags changed a fingerprint; they are written with TagResource, not compared")
	}
}
