package slo

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"time"
)

// ErrorBudgetRatio is 1 - SLO: the share of events (or time) allowed to be
// bad, e.g. 0.001 for 99.9 %.
func ErrorBudgetRatio(o Objective) float64 {
	return float64(o.BudgetPPM()) / ppmPerUnit
}

// AllowedBadEvents is the number of bad events the error budget allows for a
// given event volume over the period: events × (1 - SLO). The result is not
// rounded; a fractional result means the budget allows less than one more
// event.
func AllowedBadEvents(o Objective, events float64) (float64, error) {
	if math.IsNaN(events) || math.IsInf(events, 0) || events < 0 {
		return 0, fmt.Errorf("events %v: must be a finite number of zero or more", events)
	}
	return events * float64(o.BudgetPPM()) / ppmPerUnit, nil
}

// AllowedBadTime is the time the error budget allows to be bad over the
// plan-time length of the period, e.g. 40m19.2s for 99.9 % over 28 days.
// It is exact to the nanosecond.
func AllowedBadTime(o Objective, p Period) time.Duration {
	return budgetOf(o, p.PlanDuration())
}

// AllowedBadTimeIn is AllowedBadTime for an explicit period length, as used
// by live status of calendar-month SLOs.
func AllowedBadTimeIn(o Objective, length time.Duration) time.Duration {
	return budgetOf(o, length)
}

func budgetOf(o Objective, length time.Duration) time.Duration {
	n := new(big.Int).Mul(big.NewInt(int64(length)), big.NewInt(o.BudgetPPM()))
	n.Quo(n, big.NewInt(ppmPerUnit))
	return time.Duration(n.Int64())
}

// MaxBurnRate is 1/(1 - SLO): the burn rate when every event is bad. No
// alert threshold above it can ever fire.
func MaxBurnRate(o Objective) float64 {
	return ppmPerUnit / float64(o.BudgetPPM())
}

// BurnRate is the observed error ratio divided by the error budget ratio.
// A burn rate of 1 spends exactly the budget over the period.
func BurnRate(o Objective, observedErrorRatio float64) (float64, error) {
	if math.IsNaN(observedErrorRatio) || observedErrorRatio < 0 || observedErrorRatio > 1 {
		return 0, fmt.Errorf("observed error ratio %v: must be between 0 and 1", observedErrorRatio)
	}
	return observedErrorRatio * ppmPerUnit / float64(o.BudgetPPM()), nil
}

// Share is a share of the error budget, held exactly in parts per million.
type Share struct{ ppm int64 }

// ShareDecimals is the number of decimals a budget share may carry.
const ShareDecimals = 6

// ParseShare parses a budget share written as a ratio such as "0.02" (2 %):
// greater than 0, at most 1, at most six decimals.
func ParseShare(s string) (Share, error) {
	v, err := parseDecimal(s, ShareDecimals)
	if err != nil {
		return Share{}, fmt.Errorf("budget_share %q: %w", s, err)
	}
	if v <= 0 || v > ppmPerUnit {
		return Share{}, fmt.Errorf("budget_share %q: must be greater than 0 and at most 1 (0.02 is 2 %% of the budget)", s)
	}
	return Share{ppm: v}, nil
}

// ShareFromFloat converts a float64 budget share via its shortest decimal
// representation.
func ShareFromFloat(f float64) (Share, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Share{}, fmt.Errorf("budget_share %v: must be a finite number", f)
	}
	return ParseShare(strconv.FormatFloat(f, 'f', -1, 64))
}

// MustShare is ParseShare for constants.
func MustShare(s string) Share {
	v, err := ParseShare(s)
	if err != nil {
		panic(err)
	}
	return v
}

// PPM is the share in parts per million.
func (s Share) PPM() int64 { return s.ppm }

// Ratio is the share as a ratio, e.g. 0.02.
func (s Share) Ratio() float64 { return float64(s.ppm) / ppmPerUnit }

// String renders the share without float noise, e.g. "0.02".
func (s Share) String() string { return formatFixed(s.ppm, ShareDecimals) }

// ErrThresholdUnreachable is returned (wrapped) when a burn-rate threshold
// exceeds the largest burn rate the objective allows.
var ErrThresholdUnreachable = errors.New("threshold can never fire")

// BurnRateThreshold is the burn rate at which budgetShare of the error budget
// for period p is consumed within window: (share × period) / window. It is
// computed with one rounding, so 2 % in 1h over 30 days is exactly 14.4.
//
// It fails when the window is not shorter than or equal to the period, and
// when the threshold exceeds MaxBurnRate(o): such an alert could never fire
// (the error names the window so the caller can report it).
func BurnRateThreshold(o Objective, p Period, budgetShare Share, window time.Duration) (float64, error) {
	if window <= 0 || window%time.Minute != 0 {
		return 0, fmt.Errorf("window %s: must be a positive whole number of minutes", window)
	}
	period := p.PlanDuration()
	if window > period {
		return 0, fmt.Errorf("window %s: is longer than the period %s", FormatWindow(window), p)
	}
	if budgetShare.ppm <= 0 || budgetShare.ppm > ppmPerUnit {
		return 0, errors.New("budget_share: must be greater than 0 and at most 1")
	}
	periodMin := int64(period / time.Minute)
	windowMin := int64(window / time.Minute)
	num := budgetShare.ppm * periodMin // ≤ 1e6 × 129600: exact in int64 and float64
	den := windowMin * ppmPerUnit
	threshold := float64(num) / float64(den)

	// threshold > 1/(1-SLO)  ⇔  num × budgetPPM > den × 1e6, compared exactly.
	lhs := new(big.Int).Mul(big.NewInt(num), big.NewInt(o.BudgetPPM()))
	rhs := new(big.Int).Mul(big.NewInt(den), big.NewInt(ppmPerUnit))
	if lhs.Cmp(rhs) > 0 {
		return 0, fmt.Errorf("window %s: burn-rate threshold %s for %s of the budget exceeds the largest possible burn rate %s for objective %s%% (1/(1-SLO)), so the alert %w; use a longer window or a smaller budget share",
			FormatWindow(window), strconv.FormatFloat(threshold, 'f', -1, 64), budgetShare,
			strconv.FormatFloat(MaxBurnRate(o), 'f', -1, 64), o, ErrThresholdUnreachable)
	}
	return threshold, nil
}
