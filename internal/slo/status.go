package slo

import (
	"math"
	"time"
)

// Counts are good and total events (or, for a time-based SLI, good and
// evaluated slices) over an interval.
type Counts struct {
	Good  float64
	Total float64
}

// Bad is Total - Good, never negative.
func (c Counts) Bad() float64 { return math.Max(0, c.Total-c.Good) }

// StatusInput is what live status is computed from.
type StatusInput struct {
	Objective Objective
	// Period holds the counts over the whole live window of the period.
	Period Counts
	// BudgetBase is the quantity the error budget is a share of: the total
	// events observed for event-based SLIs, or the number of slices in the
	// whole period for time-based ones. Zero means Period.Total.
	BudgetBase float64
	// Windows holds counts over trailing windows for burn rates.
	Windows map[time.Duration]Counts
}

// Status is the live state of an SLO.
type Status struct {
	// HasData is false when no events were observed in the period; the
	// attainment is then undefined and the budget is treated as untouched.
	HasData bool
	// AttainmentPercent is good/total as a percentage.
	AttainmentPercent float64
	// BudgetRemainingFraction is 1 - bad/allowed; negative once overspent.
	BudgetRemainingFraction float64
	// BudgetRemainingEvents is allowed - bad; negative once overspent.
	BudgetRemainingEvents float64
	// BurnRates is keyed by window as FormatWindow renders it ("5m", "1h").
	BurnRates map[string]float64
	// ReleaseAllowed is false when the error budget is spent.
	ReleaseAllowed bool
}

// EvaluateStatus computes attainment, remaining budget and burn rates.
func EvaluateStatus(in StatusInput) Status {
	budget := ErrorBudgetRatio(in.Objective)
	st := Status{BurnRates: map[string]float64{}, BudgetRemainingFraction: 1, ReleaseAllowed: true}
	base := in.BudgetBase
	if base == 0 {
		base = in.Period.Total
	}
	allowed := budget * base
	bad := in.Period.Bad()
	st.BudgetRemainingEvents = allowed - bad
	if in.Period.Total > 0 {
		st.HasData = true
		st.AttainmentPercent = 100 * math.Min(in.Period.Good, in.Period.Total) / in.Period.Total
	}
	if allowed > 0 {
		st.BudgetRemainingFraction = 1 - bad/allowed
	} else if bad > 0 {
		st.BudgetRemainingFraction = -1
	}
	st.ReleaseAllowed = st.BudgetRemainingFraction > 0
	for w, c := range in.Windows {
		rate := 0.0
		if c.Total > 0 {
			rate = c.Bad() / c.Total / budget
		}
		st.BurnRates[FormatWindow(w)] = rate
	}
	return st
}
