package slo

import (
	"errors"
	"time"
)

// Spec is an SLO definition after parsing.
type Spec struct {
	Name      string
	Objective Objective
	Period    Period
	SLI       SLI
}

// Budget holds the plan-time figures of an SLO.
type Budget struct {
	ErrorBudgetRatio   float64
	AllowedBadFraction float64
	AllowedDowntime    time.Duration
	MaxBurnRate        float64
	// BurnRateThresholds is keyed by default window name.
	BurnRateThresholds map[string]float64
}

// Validate checks name, objective, period, default burn-rate windows and the
// SLI and returns every problem found, each a *FieldError.
func (s Spec) Validate() []error {
	var errs []error
	if err := ValidateName(s.Name); err != nil {
		errs = append(errs, err)
	}
	if !s.Objective.Valid() {
		errs = append(errs, fieldErr(Root("objective"), "must be a percentage greater than 0 and less than 100"))
	}
	if !s.Period.Valid() {
		errs = append(errs, fieldErr(Root("period"), "must be rolling days such as \"28d\" (1 to 90) or %q", CalendarMonth))
	}
	if s.Objective.Valid() && s.Period.Valid() {
		if _, err := Thresholds(s.Objective, s.Period); err != nil {
			errs = append(errs, &FieldError{Path: Root("objective"), Err: err})
		}
	}
	return append(errs, ValidateSLI(s.SLI)...)
}

// ComputeBudget returns the plan-time figures for an objective and period.
func ComputeBudget(o Objective, p Period) (Budget, error) {
	if !o.Valid() || !p.Valid() {
		return Budget{}, errors.New("objective and period must be valid")
	}
	th, err := Thresholds(o, p)
	if err != nil {
		return Budget{}, err
	}
	r := ErrorBudgetRatio(o)
	return Budget{
		ErrorBudgetRatio:   r,
		AllowedBadFraction: r,
		AllowedDowntime:    AllowedBadTime(o, p),
		MaxBurnRate:        MaxBurnRate(o),
		BurnRateThresholds: th,
	}, nil
}
