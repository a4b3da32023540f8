package slo

import (
	"strings"
	"testing"
	"time"
)

func TestParsePeriod(t *testing.T) {
	tests := map[string]struct {
		in      string
		plan    time.Duration
		wantErr string
	}{
		"28 rolling days":                      {in: "28d", plan: 28 * Day},
		"30 rolling days":                      {in: "30d", plan: 30 * Day},
		"one day is the shortest period":       {in: "1d", plan: Day},
		"90 days is the longest period":        {in: "90d", plan: 90 * Day},
		"calendar month plans with 30 days":    {in: "calendar_month", plan: 30 * Day},
		"zero days is rejected":                {in: "0d", wantErr: "1 to 90 days"},
		"91 days is rejected":                  {in: "91d", wantErr: "1 to 90 days"},
		"a unit other than days is rejected":   {in: "4w", wantErr: "rolling days"},
		"a bare number is rejected":            {in: "28", wantErr: "rolling days"},
		"a leading zero is rejected":           {in: "028d", wantErr: "rolling days"},
		"a negative number is rejected":        {in: "-1d", wantErr: "rolling days"},
		"upper-case keyword is rejected":       {in: "CALENDAR_MONTH", wantErr: "rolling days"},
		"an empty period is rejected":          {in: "", wantErr: "rolling days"},
		"a suffix alone is rejected":           {in: "d", wantErr: "rolling days"},
		"a very long number is rejected":       {in: "100000d", wantErr: "rolling days"},
		"a fractional day count is rejected":   {in: "1.5d", wantErr: "rolling days"},
		"spaces around the period is rejected": {in: " 7d", wantErr: "rolling days"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			p, err := ParsePeriod(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "period") {
					t.Fatalf("ParsePeriod(%q) error = %v, want containing %q and naming the period", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePeriod(%q): %v", tc.in, err)
			}
			if p.PlanDuration() != tc.plan || p.String() != tc.in || !p.Valid() {
				t.Errorf("ParsePeriod(%q) = %v (%v), want %v", tc.in, p, p.PlanDuration(), tc.plan)
			}
		})
	}
}

func TestPeriodLiveWindow(t *testing.T) {
	now := time.Date(2024, 2, 10, 12, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		p         Period
		now       time.Time
		start     time.Time
		length    time.Duration
		calendarM bool
	}{
		"rolling 28 days ends now":                 {p: RollingDays(28), now: now, start: now.Add(-28 * Day), length: 28 * Day},
		"calendar month starts on the first":       {p: MonthPeriod(), now: now, start: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), length: 29 * Day, calendarM: true},
		"a 31-day month has a 31-day budget":       {p: MonthPeriod(), now: time.Date(2024, 1, 31, 23, 0, 0, 0, time.UTC), start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), length: 31 * Day, calendarM: true},
		"a non-UTC instant is evaluated in UTC":    {p: MonthPeriod(), now: time.Date(2024, 3, 1, 1, 0, 0, 0, time.FixedZone("x", 2*3600)), start: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), length: 29 * Day, calendarM: true},
		"rolling one day is the previous 24 hours": {p: RollingDays(1), now: now, start: now.Add(-Day), length: Day},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			start, length := tc.p.LiveWindow(tc.now)
			if !start.Equal(tc.start) || length != tc.length || tc.p.IsCalendarMonth() != tc.calendarM {
				t.Errorf("LiveWindow = %v, %v; want %v, %v", start, length, tc.start, tc.length)
			}
		})
	}
}

func TestParseWindow(t *testing.T) {
	tests := map[string]struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		"five minutes":                 {in: "5m", want: 5 * time.Minute},
		"one hour":                     {in: "1h", want: time.Hour},
		"three days":                   {in: "3d", want: 3 * Day},
		"ninety days is the maximum":   {in: "90d", want: 90 * Day},
		"zero is rejected":             {in: "0h", wantErr: "longer than zero"},
		"seconds are rejected":         {in: "30s", wantErr: "whole number"},
		"a Go compound is rejected":    {in: "1h30m", wantErr: "whole number"},
		"a missing number is rejected": {in: "h", wantErr: "whole number"},
		"more than 90 days rejected":   {in: "91d", wantErr: "at most 90 days"},
		"a leading zero is rejected":   {in: "01h", wantErr: "whole number"},
		"a sign is rejected":           {in: "+1h", wantErr: "whole number"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := ParseWindow(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "window") {
					t.Fatalf("ParseWindow(%q) error = %v, want containing %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseWindow(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			if FormatWindow(got) != tc.in {
				t.Errorf("FormatWindow(%v) = %q, want %q", got, FormatWindow(got), tc.in)
			}
		})
	}
}
