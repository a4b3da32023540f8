package slo

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// FuzzParseObjective checks that parsing never panics, that accepted values
// are in (0, 100) and that rendering round-trips exactly.
func FuzzParseObjective(f *testing.F) {
	for _, s := range []string{"99.9", "99.95", "99.9999", "100", "0", "-1", "1e2", ".5", "99.", "0.0001", "99.99990", "٩٩"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseObjective(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "objective ") {
				t.Fatalf("error %q does not name the objective", err)
			}
			return
		}
		if !o.Valid() || o.Percent() <= 0 || o.Percent() >= 100 {
			t.Fatalf("accepted %q as %v", s, o)
		}
		back, err := ParseObjective(o.String())
		if err != nil || back != o {
			t.Fatalf("round trip of %q: %q -> %v, %v", s, o.String(), back, err)
		}
		if f, err := ObjectiveFromFloat(o.Percent()); err != nil || f != o {
			t.Fatalf("float round trip of %q: %v, %v", s, f, err)
		}
		if MaxBurnRate(o) < 1 || math.IsInf(MaxBurnRate(o), 0) {
			t.Fatalf("MaxBurnRate(%v) = %v", o, MaxBurnRate(o))
		}
	})
}

// FuzzParsePeriod checks periods and windows: no panic, accepted values in
// range and round-tripping.
func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"28d", "30d", "1d", "90d", "91d", "0d", "calendar_month", "4w", "1h", "5m", "3d", "010d", "99999999999d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if p, err := ParsePeriod(s); err == nil {
			if !p.Valid() || p.String() != s || p.PlanDuration() < Day || p.PlanDuration() > 90*Day {
				t.Fatalf("accepted period %q as %v (%v)", s, p, p.PlanDuration())
			}
		} else if !strings.HasPrefix(err.Error(), "period ") {
			t.Fatalf("error %q does not name the period", err)
		}
		if w, err := ParseWindow(s); err == nil {
			if w <= 0 || w > 90*Day || w%time.Minute != 0 || FormatWindow(w) == "" {
				t.Fatalf("accepted window %q as %v", s, w)
			}
			if back, err := ParseWindow(FormatWindow(w)); err != nil || back != w {
				t.Fatalf("window round trip of %q: %v, %v", s, back, err)
			}
		} else if !strings.HasPrefix(err.Error(), "window ") {
			t.Fatalf("error %q does not name the window", err)
		}
	})
}

// FuzzValidate drives the whole validation surface with arbitrary input and
// checks that every accepted SLO yields finite, consistent budget figures and
// that every rejection is a *FieldError naming an attribute.
func FuzzValidate(f *testing.F) {
	f.Add("checkout", "99.9", "28d", "FILL(a, 0) + b", "Sum", "App", "Requests", 300.0, 99.0, 0.02, "1h")
	f.Add("x", "50", "calendar_month", "", "SampleCount", "AWS/ELB", "Count", 0.0, -1.0, 1.0, "3d")
	f.Add("bad name", "100", "91d", "a +", "Average", "", "", math.NaN(), 100.0, 0.0, "0m")
	f.Fuzz(func(t *testing.T, name, objective, period, expr, stat, ns, metricName string, threshold, percentile, share float64, window string) {
		o, oErr := ParseObjective(objective)
		p, pErr := ParsePeriod(period)
		good := &Query{Metrics: []Metric{{ID: "a", Namespace: ns, MetricName: metricName, Statistic: stat}}}
		if expr != "" {
			good.Expression = expr
			good.Metrics = append(good.Metrics, Metric{ID: "b", Namespace: ns, MetricName: metricName, Statistic: stat})
		}
		specs := []Spec{
			{Name: name, Objective: o, Period: p, SLI: SLI{Ratio: &RatioSLI{Good: good, Total: &Query{Metrics: []Metric{{Namespace: ns, MetricName: metricName, Statistic: stat}}}}}},
			{Name: name, Objective: o, Period: p, SLI: SLI{Latency: &LatencySLI{Metric: Metric{Namespace: ns, MetricName: metricName}, Threshold: threshold, Percentile: &percentile}}},
		}
		for _, s := range specs {
			errs := s.Validate()
			for _, err := range errs {
				var fe *FieldError
				if !errors.As(err, &fe) || len(fe.Path) == 0 {
					t.Fatalf("validation error %v is not a FieldError naming an attribute", err)
				}
			}
			if len(errs) > 0 {
				continue
			}
			if oErr != nil || pErr != nil {
				t.Fatalf("spec valid although objective/period failed to parse: %v %v", oErr, pErr)
			}
			b, err := ComputeBudget(s.Objective, s.Period)
			if err != nil {
				t.Fatalf("ComputeBudget failed for a valid spec: %v", err)
			}
			if b.AllowedDowntime <= 0 && s.Objective.BudgetPPM()*int64(s.Period.PlanDuration()/time.Millisecond) >= 1_000_000_000 {
				t.Fatalf("allowed downtime %v for %v over %v", b.AllowedDowntime, s.Objective, s.Period)
			}
			for k, v := range b.BurnRateThresholds {
				if math.IsNaN(v) || v <= 0 || v > b.MaxBurnRate {
					t.Fatalf("threshold %s = %v outside (0, %v]", k, v, b.MaxBurnRate)
				}
			}
		}
		if oErr == nil && pErr == nil {
			sh, sErr := ShareFromFloat(share)
			w, wErr := ParseWindow(window)
			if sErr == nil && wErr == nil {
				th, err := BurnRateThreshold(o, p, sh, w)
				if err == nil && (th <= 0 || th > MaxBurnRate(o)*(1+1e-12)) {
					t.Fatalf("BurnRateThreshold(%v, %v, %v, %v) = %v beyond max %v", o, p, sh, w, th, MaxBurnRate(o))
				}
				if err != nil && !strings.HasPrefix(err.Error(), "window ") {
					t.Fatalf("threshold error %q does not name the window", err)
				}
			}
		}
	})
}
