package awsemu

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
)

// Metric alarm evaluation on the emulator clock. The rules follow the
// CloudWatch User Guide pages "Alarm evaluation" (AlarmThatSendsEmail.html:
// Period, Evaluation Periods, Datapoints to Alarm), "Configuring how
// CloudWatch alarms treat missing data" (alarms-and-missing-data.html) and
// "Alarm evaluation window" (alarm-evaluation-window.html).

// Evaluation cadence. CloudWatch evaluates an alarm with a period of a minute
// or more every minute (a one-hour sliding window covers 13:07–14:07, then
// 13:08–14:08); high-resolution alarms more often. Simplified: the emulator
// evaluates exactly on the minute boundary (high-resolution 10/20/30 s
// alarms every 10 s) and sees a sample as soon as it is stored, where
// CloudWatch evaluates some seconds into the minute after an ingestion delay.
const (
	evalEvery        = time.Minute
	evalEveryHighRes = 10 * time.Second
)

// nextAlarmEvaluation is the next evaluation tick after `after`.
func (s *Server) nextAlarmEvaluation(after time.Time) (time.Time, bool) {
	if len(s.rs.cw.index.metrics) == 0 {
		return time.Time{}, false
	}
	every := evalEvery
	if s.rs.cw.index.highRes > 0 {
		every = evalEveryHighRes
	}
	return after.Truncate(every).Add(every), true
}

// evaluateMetricAlarms evaluates every metric alarm due at the tick t.
func (s *Server) evaluateMetricAlarms(t time.Time) {
	onMinute := t.Truncate(evalEvery).Equal(t)
	for _, a := range s.rs.cw.index.metrics {
		if a.metric.period >= 60 && !onMinute {
			continue
		}
		if ev, ok := s.evaluateMetricAlarm(a.metric, t); ok && ev.value != a.state {
			s.transition(a, ev.state(a.state), t)
		}
	}
}

// alarmState is a state an alarm moves to, with the reason CloudWatch reports.
type alarmState struct {
	value, reason, reasonData string
}

// datapoint is one period's value of the alarm's series.
type datapoint struct {
	at      time.Time
	value   float64
	present bool
}

// window is the range of periods an evaluation at t looks at: the N periods
// ending at t for a sliding window; for a wall clock window the N complete
// periods ending at the last boundary of the period in the window's time zone
// (the top of the minute, five minutes or hour, midnight, Monday 00:00), so a
// datapoint counts only once its period has ended.
func (def *metricAlarmDef) window(t time.Time) (start, end time.Time) {
	end = t
	if def.wallClock != nil {
		end = alignDown(t, def.period, def.wallClock)
	}
	return end.Add(-time.Duration(int64(def.evals)*def.period) * time.Second), end
}

// alignDown is the last wall clock boundary of period at or before t.
// Simplified: the periods before it are taken as exactly period long, so a
// daylight saving change inside a multi-day window shifts the older
// boundaries by the change.
func alignDown(t time.Time, period int64, loc *time.Location) time.Time {
	l := t.In(loc)
	y, mo, d := l.Date()
	switch period {
	case 60, 300:
		m := l.Minute() - l.Minute()%int(period/60)
		return time.Date(y, mo, d, l.Hour(), m, 0, 0, loc)
	case 3600:
		return time.Date(y, mo, d, l.Hour(), 0, 0, 0, loc)
	case 86400:
		return time.Date(y, mo, d, 0, 0, 0, 0, loc)
	}
	back := (int(l.Weekday()) + 6) % 7 // days since Monday (ISO 8601 week)
	return time.Date(y, mo, d-back, 0, 0, 0, 0, loc)
}

// datapoints evaluates the alarm's series over its window at t, reusing the
// GetMetricData evaluation. Only samples timestamped at or before t count.
func (s *Server) datapoints(def *metricAlarmDef, t time.Time) ([]datapoint, error) {
	start, end := def.window(t)
	ev := &mathEval{server: s, start: start, end: end, now: t, queries: def.queries, results: map[string]mvalue{}, visiting: map[string]bool{}}
	v, err := ev.value(def.result)
	if err != nil {
		return nil, fmt.Errorf("%s", asAPIError(err).Message)
	}
	if v.series == nil {
		return nil, fmt.Errorf("the expression %s returns a single value, not a time series", def.result)
	}
	if v.series.period != def.period {
		return nil, fmt.Errorf("the expression %s has period %d, the alarm %d", def.result, v.series.period, def.period)
	}
	pts := make([]datapoint, def.evals)
	for k := range pts {
		pts[k].at = start.Add(time.Duration(int64(k)*def.period) * time.Second)
		if k < len(v.series.vals) && v.series.ok[k] && !math.IsNaN(v.series.vals[k]) {
			pts[k].value, pts[k].present = v.series.vals[k], true
		}
	}
	return pts, nil
}

// evaluateMetricAlarm computes the state the alarm's datapoints at t call
// for; ok is false when the alarm keeps its current state.
//
// M of N (alarm evaluation): the alarm goes to ALARM when at least
// DatapointsToAlarm of the EvaluationPeriods datapoints breach, to OK
// otherwise. Missing datapoints (alarms-and-missing-data): notBreaching
// counts them as within the threshold, breaching as breaching; missing and
// ignore leave them out, and when every datapoint is missing missing goes to
// INSUFFICIENT_DATA while ignore keeps the current state.
// Simplified: CloudWatch looks further back than N periods (the "evaluation
// range") for real datapoints before applying the treatment, and may wait
// for late data; the emulator evaluates exactly the N periods of the window.
func (s *Server) evaluateMetricAlarm(def *metricAlarmDef, t time.Time) (evaluation, bool) {
	if def.unsupported != "" {
		return evaluation{}, false
	}
	ev := evaluation{def: def, at: t}
	pts, err := s.datapoints(def, t)
	if err != nil {
		ev.value, ev.err = stateInsufficient, err
		return ev, true
	}
	ev.pts = pts
	present, breaching := 0, 0
	for _, p := range pts {
		if p.present {
			present++
			if def.breaches(p.value) {
				breaching++
			}
		}
	}
	missing := def.evals - present
	if present == 0 {
		switch def.missing {
		case "ignore":
			return evaluation{}, false
		case "missing":
			ev.value = stateInsufficient
			return ev, true
		}
	}
	if def.missing == "breaching" {
		breaching += missing
	}
	ev.value = stateOK
	if breaching >= def.toAlarm {
		ev.value = stateAlarm
	}
	return ev, true
}

// evaluation is the outcome of evaluating a metric alarm at an instant.
type evaluation struct {
	def   *metricAlarmDef
	at    time.Time
	pts   []datapoint
	err   error
	value string // the state the datapoints call for
}

// state words a transition from the state from the way CloudWatch's state
// reasons and StateReasonData read; only transitions need the words.
func (ev evaluation) state(from string) alarmState {
	def := ev.def
	switch {
	case ev.err != nil:
		return alarmState{value: ev.value, reason: "Unchecked: the emulator cannot evaluate the alarm: " + ev.err.Error()}
	case ev.value == stateInsufficient:
		return alarmState{value: ev.value, reason: fmt.Sprintf("Insufficient Data: %s %s unknown.", plural(def.evals, "datapoint"), wasWere(def.evals)),
			reasonData: def.reasonData(ev.pts, ev.at)}
	}
	return alarmState{value: ev.value, reason: def.reason(ev.pts, from, ev.value), reasonData: def.reasonData(ev.pts, ev.at)}
}

func (def *metricAlarmDef) breaches(v float64) bool {
	switch def.op {
	case "GreaterThanOrEqualToThreshold":
		return v >= def.threshold
	case "GreaterThanThreshold":
		return v > def.threshold
	case "LessThanThreshold":
		return v < def.threshold
	case "LessThanOrEqualToThreshold":
		return v <= def.threshold
	}
	return false
}

var opPhrases = map[string]string{
	"GreaterThanOrEqualToThreshold": "greater than or equal to", "GreaterThanThreshold": "greater than",
	"LessThanThreshold": "less than", "LessThanOrEqualToThreshold": "less than or equal to",
}

// reason words a transition the way CloudWatch's state reasons read.
func (def *metricAlarmDef) reason(pts []datapoint, from, to string) string {
	present, breaching := 0, 0
	for _, p := range pts {
		if p.present {
			present++
			if def.breaches(p.value) {
				breaching++
			}
		}
	}
	missing := def.evals - present
	if present == 0 {
		treated := "NonBreaching"
		if def.missing == "breaching" {
			treated = "Breaching"
		}
		return fmt.Sprintf("Threshold Crossed: no datapoints were received for %s and %s %s treated as [%s].",
			plural(def.evals, "period"), plural(missing, "missing datapoint"), wasWere(missing), treated)
	}
	var shown []string
	for i := len(pts) - 1; i >= 0; i-- { // newest first
		p := pts[i]
		if p.present && (to != stateAlarm || def.breaches(p.value)) {
			shown = append(shown, fmt.Sprintf("%s (%s)", formatValue(p.value), p.at.UTC().Format("02/01/06 15:04:05")))
		}
	}
	verb := "was"
	if len(shown) != 1 {
		verb = "were"
	}
	phrase := opPhrases[def.op]
	if to != stateAlarm {
		phrase = "not " + phrase
	}
	count := present - breaching
	if to == stateAlarm {
		count = breaching
	}
	need := def.toAlarm
	if to != stateAlarm {
		need = def.evals - def.toAlarm + 1
	}
	return fmt.Sprintf("Threshold Crossed: %d out of the last %d datapoints [%s] %s %s the threshold (%s) (minimum %s for %s -> %s transition).",
		count, def.evals, strings.Join(shown, ", "), verb, phrase, formatValue(def.threshold), plural(need, "datapoint"), from, to)
}

func formatValue(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprint(v)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func wasWere(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

// reasonData is the StateReasonData JSON of an evaluation.
func (def *metricAlarmDef) reasonData(pts []datapoint, t time.Time) string {
	type point struct {
		Timestamp string  `json:"timestamp"`
		Value     float64 `json:"value"`
	}
	d := struct {
		Version             string    `json:"version"`
		QueryDate           string    `json:"queryDate"`
		StartDate           string    `json:"startDate"`
		Statistic           string    `json:"statistic,omitempty"`
		Period              int64     `json:"period"`
		RecentDatapoints    []float64 `json:"recentDatapoints"`
		Threshold           float64   `json:"threshold"`
		EvaluatedDatapoints []point   `json:"evaluatedDatapoints"`
	}{Version: "1.0", QueryDate: jsonTime(t), Statistic: def.statistic, Period: def.period, Threshold: def.threshold,
		RecentDatapoints: []float64{}, EvaluatedDatapoints: []point{}}
	if len(pts) > 0 {
		d.StartDate = jsonTime(pts[0].at)
	}
	for _, p := range pts {
		if p.present {
			d.RecentDatapoints = append(d.RecentDatapoints, p.value)
		}
	}
	for i := len(pts) - 1; i >= 0; i-- {
		if pts[i].present {
			d.EvaluatedDatapoints = append(d.EvaluatedDatapoints, point{jsonTime(pts[i].at), pts[i].value})
		}
	}
	b, _ := json.Marshal(d)
	return string(b)
}

func jsonTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000+0000") }
