package slo

import (
	"fmt"
	"slices"
	"time"
)

// Severity of a burn-rate alert.
type Severity string

// Severities of the default windows.
const (
	SeverityPage   Severity = "page"
	SeverityTicket Severity = "ticket"
)

// BurnWindow is one multiwindow burn-rate alerting rule: alert when the burn
// rate over both LongWindow and ShortWindow exceeds the threshold that spends
// BudgetShare of the error budget within LongWindow.
type BurnWindow struct {
	// Name identifies the window in attributes, e.g. "page_fast".
	Name        string
	Severity    Severity
	BudgetShare Share
	LongWindow  time.Duration
	ShortWindow time.Duration
}

// DefaultBurnWindows returns the default multiwindow multi-burn-rate alerting
// windows. This is the one place they are defined; the provider's computed
// burn_rate_thresholds and live burn rates, and later alert policies, use it.
//
//	name         severity  budget share  long window  short window  30d   28d
//	page_fast    page      2 %           1h           5m            14.4  13.44
//	page_slow    page      5 %           6h           30m           6     5.6
//	ticket_fast  ticket    10 %          1d           2h            3     2.8
//	ticket_slow  ticket    10 %          3d           6h            1     0.933…
//
// The thresholds are never hard-coded: they follow from BurnRateThreshold for
// the SLO's own period. A fresh slice is returned on each call.
func DefaultBurnWindows() []BurnWindow {
	return []BurnWindow{
		{Name: "page_fast", Severity: SeverityPage, BudgetShare: Share{ppm: 20_000}, LongWindow: time.Hour, ShortWindow: 5 * time.Minute},
		{Name: "page_slow", Severity: SeverityPage, BudgetShare: Share{ppm: 50_000}, LongWindow: 6 * time.Hour, ShortWindow: 30 * time.Minute},
		{Name: "ticket_fast", Severity: SeverityTicket, BudgetShare: Share{ppm: 100_000}, LongWindow: Day, ShortWindow: 2 * time.Hour},
		{Name: "ticket_slow", Severity: SeverityTicket, BudgetShare: Share{ppm: 100_000}, LongWindow: 3 * Day, ShortWindow: 6 * time.Hour},
	}
}

// StatusWindows returns the distinct window lengths live status reports burn
// rates for (every long and short window of the defaults), shortest first.
func StatusWindows() []time.Duration {
	seen := map[time.Duration]bool{}
	var out []time.Duration
	for _, w := range DefaultBurnWindows() {
		for _, d := range []time.Duration{w.ShortWindow, w.LongWindow} {
			if !seen[d] {
				seen[d] = true
				out = append(out, d)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Thresholds computes the burn-rate threshold of every default window for the
// objective and period, keyed by window name. Windows whose long window is
// longer than the period (for example ticket_slow with a 1d period) do not
// apply and are left out. A window whose threshold can never fire is an
// error naming that window.
func Thresholds(o Objective, p Period) (map[string]float64, error) {
	out := map[string]float64{}
	for _, w := range DefaultBurnWindows() {
		if w.LongWindow > p.PlanDuration() {
			continue
		}
		t, err := BurnRateThreshold(o, p, w.BudgetShare, w.LongWindow)
		if err != nil {
			return nil, fmt.Errorf("default burn-rate window %s: %w", w.Name, err)
		}
		out[w.Name] = t
	}
	return out, nil
}
