package slo

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Day is 24 hours; SLO periods and windows ignore daylight saving time.
const Day = 24 * time.Hour

// Period limits for rolling windows.
const (
	MinRollingDays = 1
	MaxRollingDays = 90
)

// CalendarMonth is the period keyword for calendar-month SLOs.
const CalendarMonth = "calendar_month"

// PlanMonthDays is the month length used for plan-time figures of a
// calendar_month period (see the package documentation).
const PlanMonthDays = 30

// Period is the compliance period of an SLO: rolling days or calendar month.
// The zero value is invalid.
type Period struct {
	days          int // rolling days; 0 for calendar month
	calendarMonth bool
}

// ParsePeriod parses "<N>d" with N from 1 to 90 (rolling days) or
// "calendar_month".
func ParsePeriod(s string) (Period, error) {
	if s == CalendarMonth {
		return Period{calendarMonth: true}, nil
	}
	digits, ok := strings.CutSuffix(s, "d")
	if !ok || digits == "" || len(digits) > 3 || !allDigits(digits) || (len(digits) > 1 && digits[0] == '0') {
		return Period{}, fmt.Errorf("period %q: must be rolling days such as \"28d\" or \"30d\" (%d to %d), or %q",
			s, MinRollingDays, MaxRollingDays, CalendarMonth)
	}
	n, _ := strconv.Atoi(digits) // at most three digits: cannot fail
	if n < MinRollingDays || n > MaxRollingDays {
		return Period{}, fmt.Errorf("period %q: rolling periods must be %d to %d days", s, MinRollingDays, MaxRollingDays)
	}
	return Period{days: n}, nil
}

// RollingDays returns a rolling period of n days; it panics outside 1..90.
func RollingDays(n int) Period {
	p, err := ParsePeriod(strconv.Itoa(n) + "d")
	if err != nil {
		panic(err)
	}
	return p
}

// MonthPeriod returns the calendar_month period.
func MonthPeriod() Period { return Period{calendarMonth: true} }

// Valid reports whether p was produced by a successful parse.
func (p Period) Valid() bool {
	return p.calendarMonth || (p.days >= MinRollingDays && p.days <= MaxRollingDays)
}

// IsCalendarMonth reports whether p is the calendar-month period.
func (p Period) IsCalendarMonth() bool { return p.calendarMonth }

// String renders the period as it is written in configuration.
func (p Period) String() string {
	if p.calendarMonth {
		return CalendarMonth
	}
	return strconv.Itoa(p.days) + "d"
}

// PlanDuration is the length used for plan-time figures: the rolling days,
// or 30 days for calendar_month.
func (p Period) PlanDuration() time.Duration {
	if p.calendarMonth {
		return PlanMonthDays * Day
	}
	return time.Duration(p.days) * Day
}

// LiveWindow is the interval live status is evaluated over at instant now:
// for a rolling period [now-days, now]; for calendar_month from the start of
// the current UTC month to now. length is the full period length the error
// budget is sized for: the rolling days, or the actual length of the current
// month.
func (p Period) LiveWindow(now time.Time) (start time.Time, length time.Duration) {
	now = now.UTC()
	if !p.calendarMonth {
		d := time.Duration(p.days) * Day
		return now.Add(-d), d
	}
	start = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	return start, start.AddDate(0, 1, 0).Sub(start)
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ParseWindow parses an alerting window such as "5m", "1h" or "3d": a positive
// whole number followed by m (minutes), h (hours) or d (days), at most 90 days.
func ParseWindow(s string) (time.Duration, error) {
	if len(s) < 2 {
		return 0, fmt.Errorf("window %q: must be a whole number of minutes, hours or days such as \"5m\", \"1h\" or \"3d\"", s)
	}
	digits, unit := s[:len(s)-1], s[len(s)-1]
	var u time.Duration
	switch unit {
	case 'm':
		u = time.Minute
	case 'h':
		u = time.Hour
	case 'd':
		u = Day
	}
	if u == 0 || len(digits) > 6 || !allDigits(digits) || (len(digits) > 1 && digits[0] == '0') {
		return 0, fmt.Errorf("window %q: must be a whole number of minutes, hours or days such as \"5m\", \"1h\" or \"3d\"", s)
	}
	n, _ := strconv.Atoi(digits)
	d := time.Duration(n) * u
	if n == 0 {
		return 0, fmt.Errorf("window %q: must be longer than zero", s)
	}
	if d > MaxRollingDays*Day {
		return 0, fmt.Errorf("window %q: must be at most %d days", s, MaxRollingDays)
	}
	return d, nil
}

// FormatWindow renders a window in the largest whole unit: "5m", "1h", "3d".
func FormatWindow(d time.Duration) string {
	switch {
	case d > 0 && d%Day == 0:
		return strconv.FormatInt(int64(d/Day), 10) + "d"
	case d > 0 && d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d > 0 && d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	}
	return d.String()
}
