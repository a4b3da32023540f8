package awsemu

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"
)

// Alarm history as DescribeAlarmHistory returns it (API reference). History
// outlives the alarm: CloudWatch retains the history of an alarm even after
// the alarm is deleted, for 30 days.
const historyRetention = 30 * 24 * time.Hour

type historyItem struct {
	alarm   string
	kind    alarmKind
	at      time.Time
	typ     string // ConfigurationUpdate, StateUpdate or Action
	summary string
	data    string // HistoryData JSON
}

var historyItemTypes = map[string]bool{
	"ConfigurationUpdate": true, "StateUpdate": true, "Action": true,
	"AlarmContributorStateUpdate": true, "AlarmContributorAction": true,
}

func (s *Server) record(a *alarm, at time.Time, typ, summary string, data any) {
	b, _ := json.Marshal(data)
	s.rs.cw.history = append(s.rs.cw.history, historyItem{alarm: a.name, kind: a.kind, at: at, typ: typ, summary: summary, data: string(b)})
}

// recordConfiguration notes a created, updated or deleted alarm; the data
// carries the configuration in the lower camel case AWS's history uses.
func (s *Server) recordConfiguration(a *alarm, at time.Time, change string) {
	verb := map[string]string{"Create": "created", "Update": "updated", "Delete": "deleted"}[change]
	s.record(a, at, "ConfigurationUpdate", fmt.Sprintf("Alarm %q %s", a.name, verb), map[string]any{
		"version": "1.0", "type": change, lowerFirst(verb) + "Alarm": lowerCamelKeys(a.config),
	})
}

func (s *Server) recordStateUpdate(a *alarm, old alarmState, at time.Time) {
	state := func(st alarmState) map[string]any {
		m := map[string]any{"stateValue": st.value, "stateReason": st.reason}
		var data any
		if st.reasonData != "" && json.Unmarshal([]byte(st.reasonData), &data) == nil {
			m["stateReasonData"] = data
		}
		return m
	}
	cur := alarmState{value: a.state, reason: a.stateReason, reasonData: a.reasonData}
	s.record(a, at, "StateUpdate", fmt.Sprintf("Alarm updated from %s to %s", old.value, a.state), map[string]any{
		"version": "1.0", "oldState": state(old), "newState": state(cur),
	})
}

func (s *Server) recordAction(a *alarm, arn string, at time.Time) {
	s.record(a, at, "Action", "Successfully executed action "+arn, map[string]any{
		"actionState": "Succeeded", "notificationResource": arn, "stateUpdateTimestamp": at.UnixMilli(),
	})
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

func lowerCamelKeys(v any) any {
	switch t := v.(type) {
	case Doc:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[lowerFirst(k)] = lowerCamelKeys(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = lowerCamelKeys(e)
		}
		return out
	}
	return v
}

// historyQuery is a decoded DescribeAlarmHistory request.
type historyQuery struct {
	name             string
	metric, compound bool // alarm types wanted
	itemType         string
	start, end       time.Time
	maxRecords       int
	offset           int
	ascending        bool
}

func decodeHistoryQuery(in Doc) (historyQuery, error) {
	q := historyQuery{name: dstr(in, "AlarmName"), metric: true, itemType: dstr(in, "HistoryItemType"), maxRecords: 100}
	// Without AlarmTypes only metric alarms' history is returned.
	var err error
	if q.metric, q.compound, err = decodeAlarmTypes(in, true, false); err != nil {
		return q, err
	}
	if q.itemType != "" && !historyItemTypes[q.itemType] {
		return q, errValidation("1 validation error detected: Value '%s' at 'historyItemType' failed to satisfy enum value set", q.itemType)
	}
	q.start, _ = dtime(in, "StartDate")
	q.end, _ = dtime(in, "EndDate")
	if q.maxRecords, q.offset, err = decodePaging(in, q.maxRecords); err != nil {
		return q, err
	}
	switch scan := dstr(in, "ScanBy"); scan {
	case "", "TimestampDescending":
	case "TimestampAscending":
		q.ascending = true
	default:
		return q, errValidation("ScanBy must be TimestampDescending or TimestampAscending")
	}
	return q, nil
}

func (q historyQuery) matches(h historyItem) bool {
	return (q.name == "" || h.alarm == q.name) &&
		((h.kind == metricAlarmKind && q.metric) || (h.kind == compositeAlarmKind && q.compound)) &&
		(q.itemType == "" || h.typ == q.itemType) &&
		(q.start.IsZero() || !h.at.Before(q.start)) &&
		(q.end.IsZero() || !h.at.After(q.end))
}

// alarmHistory returns one page of matching items and the offset of the
// next page (0 when this is the last).
func (s *Server) alarmHistory(q historyQuery) ([]historyItem, int) {
	cutoff := s.clock.Now().Add(-historyRetention)
	var all []historyItem
	for _, h := range s.rs.cw.history {
		if h.at.After(cutoff) && q.matches(h) {
			all = append(all, h)
		}
	}
	if !q.ascending {
		for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
			all[i], all[j] = all[j], all[i]
		}
	}
	if q.offset >= len(all) {
		return nil, 0
	}
	end := min(q.offset+q.maxRecords, len(all))
	next := 0
	if end < len(all) {
		next = end
	}
	return all[q.offset:end], next
}

func (s *Server) cwDescribeAlarmHistory(in Doc) (Doc, error) {
	q, err := decodeHistoryQuery(in)
	if err != nil {
		return nil, err
	}
	items, next := s.alarmHistory(q)
	out := make([]any, 0, len(items))
	for _, h := range items {
		kind := "MetricAlarm"
		if h.kind == compositeAlarmKind {
			kind = "CompositeAlarm"
		}
		out = append(out, Doc{"AlarmName": h.alarm, "AlarmType": kind, "Timestamp": h.at,
			"HistoryItemType": h.typ, "HistorySummary": h.summary, "HistoryData": h.data})
	}
	resp := Doc{"AlarmHistoryItems": out}
	if next > 0 {
		resp["NextToken"] = strconv.Itoa(next)
	}
	return resp, nil
}
