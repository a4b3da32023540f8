package slo

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

const delta = 1e-9

func nan() float64 { return math.NaN() }

func near(a, b float64) bool { return math.Abs(a-b) <= delta*math.Max(1, math.Abs(b)) }

func TestErrorBudgetMath(t *testing.T) {
	tests := map[string]struct {
		objective   string
		period      string
		events      float64
		ratio       float64
		badEvents   float64
		badTime     time.Duration
		maxBurnRate float64
	}{
		"99.9% over 28 days with 1,000,000 requests allows 1,000 bad requests and 40.32 minutes": {
			objective: "99.9", period: "28d", events: 1_000_000, ratio: 0.001, badEvents: 1000,
			badTime: time.Duration(40.32 * float64(time.Minute)), maxBurnRate: 1000,
		},
		"99.9% over 30 days allows 43.2 minutes": {
			objective: "99.9", period: "30d", events: 1_000_000, ratio: 0.001, badEvents: 1000,
			badTime: 43*time.Minute + 12*time.Second, maxBurnRate: 1000,
		},
		"99.95% over 30 days allows 21.6 minutes and 500 per million": {
			objective: "99.95", period: "30d", events: 1_000_000, ratio: 0.0005, badEvents: 500,
			badTime: 21*time.Minute + 36*time.Second, maxBurnRate: 2000,
		},
		"99% over a calendar month plans with 30 days": {
			objective: "99", period: "calendar_month", events: 12_345, ratio: 0.01, badEvents: 123.45,
			badTime: 7*time.Hour + 12*time.Minute, maxBurnRate: 100,
		},
		"99.9999% over 1 day allows 86.4 milliseconds": {
			objective: "99.9999", period: "1d", events: 0, ratio: 0.000001, badEvents: 0,
			badTime: 86400 * time.Microsecond, maxBurnRate: 1_000_000,
		},
		"50% over 90 days allows 45 days": {
			objective: "50", period: "90d", events: 3, ratio: 0.5, badEvents: 1.5,
			badTime: 45 * Day, maxBurnRate: 2,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			o, p := MustObjective(tc.objective), mustPeriod(t, tc.period)
			if got := ErrorBudgetRatio(o); !near(got, tc.ratio) {
				t.Errorf("ErrorBudgetRatio = %v, want %v", got, tc.ratio)
			}
			got, err := AllowedBadEvents(o, tc.events)
			if err != nil || !near(got, tc.badEvents) {
				t.Errorf("AllowedBadEvents = %v, %v; want %v", got, err, tc.badEvents)
			}
			if got := AllowedBadTime(o, p); got != tc.badTime {
				t.Errorf("AllowedBadTime = %v, want %v", got, tc.badTime)
			}
			if got := MaxBurnRate(o); !near(got, tc.maxBurnRate) {
				t.Errorf("MaxBurnRate = %v, want %v", got, tc.maxBurnRate)
			}
		})
	}
}

func TestAllowedBadEventsRejectsBadVolumes(t *testing.T) {
	for name, events := range map[string]float64{
		"negative volume": -1, "NaN volume": nan(), "infinite volume": math.Inf(1),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := AllowedBadEvents(MustObjective("99.9"), events); err == nil || !strings.Contains(err.Error(), "events") {
				t.Fatalf("AllowedBadEvents(%v) error = %v, want an error naming events", events, err)
			}
		})
	}
}

func TestBurnRate(t *testing.T) {
	tests := map[string]struct {
		objective string
		observed  float64
		want      float64
		wantErr   bool
	}{
		"an error ratio equal to the budget burns at 1":    {objective: "99.9", observed: 0.001, want: 1},
		"1.44% errors against a 0.1% budget burns at 14.4": {objective: "99.9", observed: 0.0144, want: 14.4},
		"no errors burn at 0":                              {objective: "99.9", observed: 0, want: 0},
		"all errors burn at the maximum 1/(1-SLO)":         {objective: "99.5", observed: 1, want: 200},
		"a ratio above one is rejected":                    {objective: "99.9", observed: 1.5, wantErr: true},
		"a negative ratio is rejected":                     {objective: "99.9", observed: -0.1, wantErr: true},
		"a NaN ratio is rejected":                          {objective: "99.9", observed: nan(), wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := BurnRate(MustObjective(tc.objective), tc.observed)
			if tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), "observed error ratio") {
					t.Fatalf("BurnRate error = %v, want one naming the observed error ratio", err)
				}
				return
			}
			if err != nil || !near(got, tc.want) {
				t.Fatalf("BurnRate = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestBurnRateThreshold(t *testing.T) {
	tests := map[string]struct {
		objective string
		period    string
		share     string
		window    string
		want      float64
		wantErr   string
	}{
		"30-day fast page: 2% in 1h is 14.4":        {objective: "99.9", period: "30d", share: "0.02", window: "1h", want: 14.4},
		"30-day slow page: 5% in 6h is 6":           {objective: "99.9", period: "30d", share: "0.05", window: "6h", want: 6},
		"30-day fast ticket: 10% in 1d is 3":        {objective: "99.9", period: "30d", share: "0.1", window: "1d", want: 3},
		"30-day slow ticket: 10% in 3d is 1":        {objective: "99.9", period: "30d", share: "0.1", window: "3d", want: 1},
		"28-day fast page: 2% in 1h is 13.44":       {objective: "99.9", period: "28d", share: "0.02", window: "1h", want: 13.44},
		"28-day slow page: 5% in 6h is 5.6":         {objective: "99.9", period: "28d", share: "0.05", window: "6h", want: 5.6},
		"28-day fast ticket: 10% in 1d is 2.8":      {objective: "99.9", period: "28d", share: "0.1", window: "1d", want: 2.8},
		"28-day slow ticket: 10% in 3d is 0.93…":    {objective: "99.9", period: "28d", share: "0.1", window: "3d", want: 2.8 / 3},
		"calendar month uses 30 days at plan time":  {objective: "99.9", period: "calendar_month", share: "0.02", window: "1h", want: 14.4},
		"the whole budget in the whole period is 1": {objective: "99", period: "7d", share: "1", window: "7d", want: 1},
		"a threshold equal to the maximum is allowed": {
			objective: "90", period: "10d", share: "1", window: "1d", want: 10,
		},
		"a threshold above 1/(1-SLO) can never fire and is rejected": {
			objective: "90", period: "30d", share: "0.02", window: "1h", wantErr: "window 1h: burn-rate threshold 14.4",
		},
		"a window longer than the period is rejected": {
			objective: "99.9", period: "1d", share: "0.1", window: "3d", wantErr: "window 3d: is longer than the period 1d",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			w, err := ParseWindow(tc.window)
			if err != nil {
				t.Fatal(err)
			}
			got, err := BurnRateThreshold(MustObjective(tc.objective), mustPeriod(t, tc.period), MustShare(tc.share), w)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("BurnRateThreshold error = %v, want containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !near(got, tc.want) {
				t.Fatalf("BurnRateThreshold = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestBurnRateThresholdIsExactForPublishedValues(t *testing.T) {
	// One rounding only: the published values come out as the same float64
	// literal, so they print without noise in plans and docs.
	got, err := BurnRateThreshold(MustObjective("99.9"), RollingDays(30), MustShare("0.02"), time.Hour)
	if err != nil || got != 14.4 {
		t.Fatalf("got %v (%v), want exactly 14.4", got, err)
	}
	got, _ = BurnRateThreshold(MustObjective("99.9"), RollingDays(28), MustShare("0.02"), time.Hour)
	if got != 13.44 {
		t.Fatalf("got %v, want exactly 13.44", got)
	}
}

func TestBurnRateThresholdUnreachableIsTyped(t *testing.T) {
	_, err := BurnRateThreshold(MustObjective("95"), RollingDays(30), MustShare("0.5"), time.Hour)
	if !errors.Is(err, ErrThresholdUnreachable) {
		t.Fatalf("error %v does not wrap ErrThresholdUnreachable", err)
	}
	if !strings.Contains(err.Error(), "20") || !strings.Contains(err.Error(), "95%") {
		t.Errorf("error %q should state the maximum burn rate 20 and the objective", err)
	}
}

func TestParseShare(t *testing.T) {
	tests := map[string]struct {
		in      string
		want    float64
		wantErr bool
	}{
		"two percent":                 {in: "0.02", want: 0.02},
		"the whole budget":            {in: "1", want: 1},
		"six decimals":                {in: "0.000001", want: 0.000001},
		"zero is rejected":            {in: "0", wantErr: true},
		"above one is rejected":       {in: "1.5", wantErr: true},
		"seven decimals are rejected": {in: "0.0000001", wantErr: true},
		"a percentage is rejected":    {in: "2%", wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s, err := ParseShare(tc.in)
			if tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), "budget_share") {
					t.Fatalf("ParseShare(%q) error = %v, want one naming budget_share", tc.in, err)
				}
				return
			}
			if err != nil || s.Ratio() != tc.want {
				t.Fatalf("ParseShare(%q) = %v, %v; want %v", tc.in, s.Ratio(), err, tc.want)
			}
		})
	}
	if _, err := ShareFromFloat(addFloats(0.1, 0.2)); err == nil {
		t.Error("ShareFromFloat(0.1+0.2) should reject float noise beyond six decimals")
	}
}

func TestDefaultWindowThresholds(t *testing.T) {
	tests := map[string]struct {
		period string
		want   map[string]float64
	}{
		"30-day period gets 14.4, 6, 3 and 1": {period: "30d", want: map[string]float64{
			"page_fast": 14.4, "page_slow": 6, "ticket_fast": 3, "ticket_slow": 1}},
		"28-day period gets 13.44, 5.6, 2.8 and 0.93": {period: "28d", want: map[string]float64{
			"page_fast": 13.44, "page_slow": 5.6, "ticket_fast": 2.8, "ticket_slow": 2.8 / 3}},
		"a 1-day period drops the 3-day window": {period: "1d", want: map[string]float64{
			"page_fast": 0.48, "page_slow": 0.2, "ticket_fast": 0.1}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := Thresholds(MustObjective("99.9"), mustPeriod(t, tc.period))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("Thresholds = %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if !near(got[k], v) {
					t.Errorf("threshold %s = %v, want %v", k, got[k], v)
				}
			}
		})
	}
	if _, err := Thresholds(MustObjective("93"), RollingDays(30)); err == nil || !strings.Contains(err.Error(), "page_fast") {
		t.Errorf("93%% over 30d: error %v should name the page_fast window whose 14.4 exceeds 1/(1-0.93)", err)
	}
	if w := DefaultBurnWindows(); len(w) != 4 || w[0].ShortWindow != 5*time.Minute {
		t.Errorf("DefaultBurnWindows = %+v", w)
	}
	wins := StatusWindows()
	want := []time.Duration{5 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 6 * time.Hour, Day, 3 * Day}
	if len(wins) != len(want) {
		t.Fatalf("StatusWindows = %v, want %v", wins, want)
	}
	for i := range want {
		if wins[i] != want[i] {
			t.Fatalf("StatusWindows = %v, want %v", wins, want)
		}
	}
}

func TestComputeBudget(t *testing.T) {
	b, err := ComputeBudget(MustObjective("99.9"), RollingDays(28))
	if err != nil {
		t.Fatal(err)
	}
	if b.AllowedDowntime != 2419200*time.Millisecond || b.ErrorBudgetRatio != 0.001 || b.AllowedBadFraction != 0.001 || b.MaxBurnRate != 1000 || b.BurnRateThresholds["page_fast"] != 13.44 {
		t.Errorf("ComputeBudget = %+v", b)
	}
	if _, err := ComputeBudget(Objective{}, RollingDays(28)); err == nil {
		t.Error("ComputeBudget with an invalid objective must fail")
	}
}

func mustPeriod(t *testing.T, s string) Period {
	t.Helper()
	p, err := ParsePeriod(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
