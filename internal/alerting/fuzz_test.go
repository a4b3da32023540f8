package alerting

import (
	"errors"
	"testing"
	"time"

	"github.com/sre-provider/terraform-provider-sre/internal/slo"
)

// FuzzBuild feeds policies as configuration could write them: whatever the
// input, Build must not panic, every error must name an attribute, and
// every alarm it returns must respect CloudWatch's limits.
func FuzzBuild(f *testing.F) {
	f.Add("99.9", "30d", "page", "0.02", int64(60), int64(5), 0.0, int64(0))
	f.Add("90", "1d", "ticket", "0.5", int64(4320), int64(60), 30.0, int64(15))
	f.Add("99.99", "calendar_month", "page", "1", int64(1), int64(1), -1.0, int64(2000))
	f.Fuzz(func(t *testing.T, objective, period, severity, share string, longMin, shortMin int64, minEvents float64, noDataMin int64) {
		o, err := slo.ParseObjective(objective)
		if err != nil {
			return
		}
		per, err := slo.ParsePeriod(period)
		if err != nil {
			return
		}
		sh, err := slo.ParseShare(share)
		if err != nil {
			return
		}
		p := policy("99.9", "30d")
		p.SLO.Objective, p.SLO.Period = o, per
		p.MinEventsPerHour = minEvents
		p.Custom = []Window{{Name: "fuzz", Severity: slo.Severity(severity), BudgetShare: sh,
			Long: time.Duration(longMin%20000) * time.Minute, Short: time.Duration(shortMin%20000) * time.Minute}}
		if noDataMin != 0 {
			p.NoData = &NoData{After: time.Duration(noDataMin%20000) * time.Minute, Severity: slo.SeverityTicket}
		}
		set, _, errs := Build(p)
		for _, err := range errs {
			var fe *slo.FieldError
			if !errors.As(err, &fe) || len(fe.Path) == 0 {
				t.Fatalf("error %v does not name an attribute", err)
			}
		}
		for _, a := range set.MetricAlarms {
			metrics := 0
			for _, q := range a.Queries {
				if q.Metric != nil {
					metrics++
				}
			}
			if metrics > MaxMetricsPerAlarm || len(a.Queries)-metrics > MaxExpressionsPerAlarm || len(a.Name) > MaxAlarmNameLength {
				t.Fatalf("alarm %s breaks a CloudWatch limit", a.Name)
			}
			for _, q := range a.Queries {
				limit := 86400
				if q.Period >= 3600 {
					limit = 7 * 86400
				}
				if q.Metric != nil && (q.Period%60 != 0 || q.Period*a.EvaluationPeriods > limit) {
					t.Fatalf("alarm %s: period %d × %d evaluation periods", a.Name, q.Period, a.EvaluationPeriods)
				}
			}
			if a.Threshold > 1 {
				t.Fatalf("alarm %s: error-ratio threshold %v can never be reached", a.Name, a.Threshold)
			}
		}
	})
}
