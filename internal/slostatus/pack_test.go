package slostatus

import (
	"testing"
	"time"

	"github.com/sre-provider/terraform-provider-sre/internal/slo"
)

func TestPackRespectsLimits(t *testing.T) {
	var units []unit
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	start := now.Add(-3 * slo.Day)
	for i := 0; i < 300; i++ {
		units = append(units, unit{slo: i, start: start, end: now, queries: []query{{local: "a", points: 864}, {local: "b", points: 864}}})
	}
	calls := pack(units)
	total := 0
	for _, c := range calls {
		q, p := 0, 0
		for _, u := range c.units {
			q += len(u.queries)
			p += u.points()
		}
		if q > MaxQueriesPerCall || p > MaxDatapointsPerCall {
			t.Fatalf("call with %d queries and %d datapoints exceeds the limits", q, p)
		}
		total += len(c.units)
	}
	// 1,728 datapoints per SLO: 58 SLOs fit in 100,800.
	if total != 300 || len(calls) != 6 {
		t.Fatalf("packed %d units into %d calls, want 300 into 6", total, len(calls))
	}
}
