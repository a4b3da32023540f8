package slo

import (
	"testing"
	"time"
)

func TestEvaluateStatus(t *testing.T) {
	o := MustObjective("99.9")
	tests := map[string]struct {
		in         StatusInput
		hasData    bool
		attainment float64
		remaining  float64
		remainEv   float64
		release    bool
		burn       map[string]float64
	}{
		"500 bad of 1,000,000 leaves half the budget": {
			in:      StatusInput{Objective: o, Period: Counts{Good: 999_500, Total: 1_000_000}, Windows: map[time.Duration]Counts{time.Hour: {Good: 9_856, Total: 10_000}}},
			hasData: true, attainment: 99.95, remaining: 0.5, remainEv: 500, release: true,
			burn: map[string]float64{"1h": 14.4},
		},
		"1,500 bad of 1,000,000 overspends the budget": {
			in:      StatusInput{Objective: o, Period: Counts{Good: 998_500, Total: 1_000_000}},
			hasData: true, attainment: 99.85, remaining: -0.5, remainEv: -500, release: false,
		},
		"exactly spent budget blocks releases": {
			in:      StatusInput{Objective: o, Period: Counts{Good: 999_000, Total: 1_000_000}},
			hasData: true, attainment: 99.9, remaining: 0, remainEv: 0, release: false,
		},
		"no traffic leaves the budget untouched": {
			in:        StatusInput{Objective: o, Windows: map[time.Duration]Counts{5 * time.Minute: {}}},
			remaining: 1, release: true, burn: map[string]float64{"5m": 0},
		},
		"a time-based budget is sized by the slices in the period": {
			in:      StatusInput{Objective: o, Period: Counts{Good: 99, Total: 100}, BudgetBase: 8064},
			hasData: true, attainment: 99, remaining: 1 - 1/8.064, remainEv: 7.064, release: true,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			st := EvaluateStatus(tc.in)
			if st.HasData != tc.hasData || !near(st.AttainmentPercent, tc.attainment) || !near(st.BudgetRemainingFraction, tc.remaining) ||
				!near(st.BudgetRemainingEvents, tc.remainEv) || st.ReleaseAllowed != tc.release {
				t.Fatalf("EvaluateStatus = %+v", st)
			}
			for k, v := range tc.burn {
				if !near(st.BurnRates[k], v) {
					t.Errorf("burn rate %s = %v, want %v", k, st.BurnRates[k], v)
				}
			}
		})
	}
}
