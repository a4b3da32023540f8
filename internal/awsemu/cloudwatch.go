package awsemu

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// CloudWatch alarm limits the emulator enforces, as AWS documents them.
const (
	maxMetricsPerAlarm     = 10
	maxAlarmsInComposite   = 100
	maxAlarmRuleLength     = 10240
	maxDescribeAlarmsBatch = 100
)

type alarmKind int

const (
	metricAlarmKind alarmKind = iota
	compositeAlarmKind
)

// alarm is a metric or composite alarm: its parsed definition, the request
// document DescribeAlarms echoes exactly as the client sent it, and its state.
type alarm struct {
	kind          alarmKind
	name          string
	arn           string
	config        Doc
	metric        *metricAlarmDef    // metric alarms
	composite     *compositeAlarmDef // composite alarms
	state         string
	stateReason   string
	reasonData    string // StateReasonData JSON
	stateUpdated  time.Time
	configUpdated time.Time
	supp          suppression // composites with an actions suppressor
}

func (a *alarm) actions() alarmActions {
	if a.metric != nil {
		return a.metric.actions
	}
	return a.composite.actions
}

type dashboard struct {
	name     string
	body     string
	modified time.Time
}

type cloudWatchState struct {
	alarms     map[string]*alarm
	dashboards map[string]*dashboard
	tags       map[string]map[string]string // ARN → tags
	metrics    *metricStore
	index      *alarmIndex
	invoked    []ActionRecord // actions alarms invoked
	suppressed []ActionRecord // composite actions a suppressor held back
	history    []historyItem  // in time order; kept after an alarm is deleted
	highRes    bool           // some metric alarm has a period under a minute
}

func (s *Server) initCloudWatch() {
	s.rs.cw = cloudWatchState{
		alarms:     map[string]*alarm{},
		dashboards: map[string]*dashboard{},
		tags:       map[string]map[string]string{},
		index:      newAlarmIndex(),
	}
}

// cloudWatchOps is keyed by operation name; metric data operations register
// themselves from their own file.
var cloudWatchOps = map[string]func(*Server, any) (any, error){
	"PutMetricAlarm":       cborOp((*Server).cwPutMetricAlarm),
	"PutCompositeAlarm":    cborOp((*Server).cwPutCompositeAlarm),
	"DescribeAlarms":       cborOp((*Server).cwDescribeAlarms),
	"DeleteAlarms":         cborOp((*Server).cwDeleteAlarms),
	"SetAlarmState":        cborOp((*Server).cwSetAlarmState),
	"DescribeAlarmHistory": cborOp((*Server).cwDescribeAlarmHistory),
	"PutDashboard":         cborOp((*Server).cwPutDashboard),
	"GetDashboard":         cborOp((*Server).cwGetDashboard),
	"ListDashboards":       cborOp((*Server).cwListDashboards),
	"DeleteDashboards":     cborOp((*Server).cwDeleteDashboards),
	"TagResource":          cborOp((*Server).cwTagResource),
	"UntagResource":        cborOp((*Server).cwUntagResource),
	"ListTagsForResource":  cborOp((*Server).cwListTagsForResource),
}

func cwNotFound(format string, args ...any) *APIError {
	return &APIError{Code: "ResourceNotFound", QueryCode: "ResourceNotFound", Status: http.StatusNotFound, Message: fmt.Sprintf(format, args...)}
}

func cwInvalidValue(format string, args ...any) *APIError {
	return &APIError{Code: "InvalidParameterValueException", QueryCode: "InvalidParameterValue", Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

func cwCombination(format string, args ...any) *APIError {
	return &APIError{Code: "InvalidParameterCombinationException", QueryCode: "InvalidParameterCombination", Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

func cwMissing(param string) *APIError {
	return &APIError{Code: "MissingRequiredParameterException", QueryCode: "MissingParameter", Status: http.StatusBadRequest, Message: fmt.Sprintf("The parameter %s is required.", param)}
}

func (s *Server) cwPutMetricAlarm(in Doc) (Doc, error) {
	name, err := alarmNameParam(in)
	if err != nil {
		return nil, err
	}
	def, err := decodeMetricAlarm(in)
	if err != nil {
		return nil, err
	}
	return Doc{}, s.putAlarm(name, withoutKey(in, "Tags"), ddocs(in, "Tags"), def, nil)
}

func (s *Server) cwPutCompositeAlarm(in Doc) (Doc, error) {
	name, err := alarmNameParam(in)
	if err != nil {
		return nil, err
	}
	def, err := decodeCompositeAlarm(in, name, func(n string) bool { return s.rs.cw.alarms[n] != nil })
	if err != nil {
		return nil, err
	}
	if err := s.checkNoCycle(name, def); err != nil {
		return nil, err
	}
	return Doc{}, s.putAlarm(name, withoutKey(in, "Tags"), ddocs(in, "Tags"), nil, def)
}

func alarmNameParam(in Doc) (string, error) {
	name := dstr(in, "AlarmName")
	if name == "" {
		return "", cwMissing("AlarmName")
	}
	if len(name) > 255 {
		return "", errValidation("AlarmName must be at most 255 characters")
	}
	return name, nil
}

// alarmQuery is a decoded DescribeAlarms request.
type alarmQuery struct {
	names                     []string // sorted, unique
	prefix                    string
	wantMetric, wantComposite bool
	stateValue, actionPrefix  string
	start, maxRecords         int
}

func decodeAlarmQuery(in Doc) (alarmQuery, error) {
	q := alarmQuery{names: dstrs(in, "AlarmNames"), prefix: dstr(in, "AlarmNamePrefix"), wantMetric: true,
		stateValue: dstr(in, "StateValue"), actionPrefix: dstr(in, "ActionPrefix"), maxRecords: 50}
	if len(q.names) > maxDescribeAlarmsBatch {
		return q, cwInvalidValue("AlarmNames has %d entries; the maximum is %d", len(q.names), maxDescribeAlarmsBatch)
	}
	slices.Sort(q.names)
	q.names = slices.Compact(q.names)
	if q.prefix != "" && len(q.names) > 0 {
		return q, cwCombination("AlarmNames and AlarmNamePrefix cannot be used together")
	}
	var err error
	if q.wantMetric, q.wantComposite, err = decodeAlarmTypes(in, q.wantMetric, q.wantComposite); err != nil {
		return q, err
	}
	if q.maxRecords, q.start, err = decodePaging(in, q.maxRecords); err != nil {
		return q, err
	}
	return q, nil
}

// describeAlarms lists the alarms a query matches, by name. Named alarms
// are looked up directly, so describing a batch costs nothing per alarm not
// asked for.
func (s *Server) describeAlarms(q alarmQuery) []*alarm {
	var candidates []*alarm
	if len(q.names) > 0 {
		for _, n := range q.names {
			if a := s.rs.cw.alarms[n]; a != nil {
				candidates = append(candidates, a)
			}
		}
	} else {
		candidates = s.rs.cw.index.byName()
	}
	var matched []*alarm
	for _, a := range candidates {
		switch {
		case q.prefix != "" && !strings.HasPrefix(a.name, q.prefix),
			a.kind == metricAlarmKind && !q.wantMetric, a.kind == compositeAlarmKind && !q.wantComposite,
			q.stateValue != "" && a.state != q.stateValue,
			q.actionPrefix != "" && !hasActionPrefix(a.config, q.actionPrefix):
			continue
		}
		matched = append(matched, a)
	}
	return matched
}

func (s *Server) cwDescribeAlarms(in Doc) (Doc, error) {
	q, err := decodeAlarmQuery(in)
	if err != nil {
		return nil, err
	}
	matched := s.describeAlarms(q)
	start, maxRecords := q.start, q.maxRecords
	out := Doc{}
	var metricDocs, compositeDocs []any
	end := start + maxRecords
	for i := start; i < len(matched) && i < end; i++ {
		a := matched[i]
		d := Doc{}
		for k, v := range a.config {
			d[k] = v
		}
		d["AlarmArn"] = a.arn
		d["StateValue"] = a.state
		d["StateReason"] = a.stateReason
		if a.reasonData != "" {
			d["StateReasonData"] = a.reasonData
		}
		d["StateUpdatedTimestamp"] = a.stateUpdated
		d["StateTransitionedTimestamp"] = a.stateUpdated
		d["AlarmConfigurationUpdatedTimestamp"] = a.configUpdated
		if _, ok := d["ActionsEnabled"]; !ok {
			d["ActionsEnabled"] = true
		}
		if by := s.suppressedBy(a, s.clock.Now()); by != "" {
			d["ActionsSuppressedBy"] = by
			d["ActionsSuppressedReason"] = s.suppressedReason(a, by)
		}
		if a.kind == metricAlarmKind {
			metricDocs = append(metricDocs, d)
		} else {
			compositeDocs = append(compositeDocs, d)
		}
	}
	if end < len(matched) {
		out["NextToken"] = strconv.Itoa(end)
	}
	out["MetricAlarms"] = nonNil(metricDocs)
	out["CompositeAlarms"] = nonNil(compositeDocs)
	return out, nil
}

func nonNil(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}

func hasActionPrefix(cfg Doc, prefix string) bool {
	for _, k := range []string{"AlarmActions", "OKActions", "InsufficientDataActions"} {
		for _, a := range dstrs(cfg, k) {
			if strings.HasPrefix(a, prefix) {
				return true
			}
		}
	}
	return false
}

func (s *Server) cwDeleteAlarms(in Doc) (Doc, error) {
	names := dstrs(in, "AlarmNames")
	if len(names) > maxDescribeAlarmsBatch {
		return nil, cwInvalidValue("AlarmNames has %d entries; the maximum is %d", len(names), maxDescribeAlarmsBatch)
	}
	return Doc{}, s.deleteAlarms(names)
}

func (s *Server) cwSetAlarmState(in Doc) (Doc, error) {
	state := dstr(in, "StateValue")
	switch state {
	case stateOK, stateAlarm, stateInsufficient:
	default:
		return nil, errValidation("StateValue must be OK, ALARM or INSUFFICIENT_DATA; got %q", state)
	}
	reason := dstr(in, "StateReason")
	if reason == "" {
		return nil, cwMissing("StateReason")
	}
	return Doc{}, s.setAlarmState(dstr(in, "AlarmName"), alarmState{value: state, reason: reason, reasonData: dstr(in, "StateReasonData")})
}

// AlarmState reports an alarm's current state, for tests.
func (s *Server) AlarmState(name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	a, ok := s.rs.cw.alarms[name]
	if !ok {
		return "", false
	}
	return a.state, true
}

// SetAlarmState changes an alarm's state out of band, as a firing alarm would.
func (s *Server) SetAlarmState(name, state string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	return s.setAlarmState(name, alarmState{value: state, reason: "set by test"})
}

func dashboardARN(account, name string) string {
	return fmt.Sprintf("arn:aws:cloudwatch::%s:dashboard/%s", account, name)
}

var dashboardNameRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)

func (s *Server) cwPutDashboard(in Doc) (Doc, error) {
	name := dstr(in, "DashboardName")
	if name == "" {
		return nil, cwMissing("DashboardName")
	}
	if !dashboardNameRe.MatchString(name) {
		return nil, &APIError{Code: "DashboardInvalidInputError", QueryCode: "InvalidParameterInput", Status: http.StatusBadRequest,
			Message: fmt.Sprintf("Dashboard name %q may contain only alphanumerics, dash (-) and underscore (_)", name)}
	}
	body := dstr(in, "DashboardBody")
	var parsed struct {
		Widgets []map[string]any `json:"widgets"`
	}
	if err := json.Unmarshal([]byte(body), &parsed); err != nil || parsed.Widgets == nil {
		msg := "The dashboard body must be a JSON object with a widgets array"
		if err != nil {
			msg += ": " + err.Error()
		}
		return nil, &APIError{Code: "DashboardInvalidInputError", QueryCode: "InvalidParameterInput", Status: http.StatusBadRequest, Message: msg}
	}
	for i, w := range parsed.Widgets {
		if _, ok := w["type"].(string); !ok {
			return nil, &APIError{Code: "DashboardInvalidInputError", QueryCode: "InvalidParameterInput", Status: http.StatusBadRequest,
				Message: fmt.Sprintf("The field widgets[%d].type is required", i)}
		}
	}
	s.rs.cw.dashboards[name] = &dashboard{name: name, body: body, modified: s.clock.Now()}
	return Doc{"DashboardValidationMessages": []any{}}, nil
}

func (s *Server) cwGetDashboard(in Doc) (Doc, error) {
	name := dstr(in, "DashboardName")
	d, ok := s.rs.cw.dashboards[name]
	if !ok {
		return nil, &APIError{Code: "DashboardNotFoundError", QueryCode: "ResourceNotFound", Status: http.StatusNotFound, Message: fmt.Sprintf("Dashboard %s does not exist", name)}
	}
	return Doc{"DashboardName": d.name, "DashboardArn": dashboardARN(s.accountID, d.name), "DashboardBody": d.body}, nil
}

func (s *Server) cwListDashboards(in Doc) (Doc, error) {
	prefix := dstr(in, "DashboardNamePrefix")
	var entries []any
	for _, name := range sortedKeys(s.rs.cw.dashboards) {
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		d := s.rs.cw.dashboards[name]
		entries = append(entries, Doc{"DashboardName": name, "DashboardArn": dashboardARN(s.accountID, name),
			"LastModified": d.modified, "Size": int64(len(d.body))})
	}
	return Doc{"DashboardEntries": nonNil(entries)}, nil
}

func (s *Server) cwDeleteDashboards(in Doc) (Doc, error) {
	names := dstrs(in, "DashboardNames")
	if len(names) == 0 {
		return nil, cwMissing("DashboardNames")
	}
	for _, n := range names {
		if _, ok := s.rs.cw.dashboards[n]; !ok {
			return nil, &APIError{Code: "DashboardNotFoundError", QueryCode: "ResourceNotFound", Status: http.StatusNotFound, Message: fmt.Sprintf("Dashboard %s does not exist; no dashboards were deleted", n)}
		}
	}
	for _, n := range names {
		delete(s.rs.cw.dashboards, n)
	}
	return Doc{}, nil
}

// DashboardBody returns a dashboard's JSON, for tests.
func (s *Server) DashboardBody(name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.rs.cw.dashboards[name]
	if !ok {
		return "", false
	}
	return d.body, true
}

func (s *Server) cwResourceExists(arn string) bool {
	for _, a := range s.rs.cw.alarms {
		if a.arn == arn {
			return true
		}
	}
	for name := range s.rs.cw.dashboards {
		if dashboardARN(s.accountID, name) == arn {
			return true
		}
	}
	return false
}

func (s *Server) setTags(arn string, tags []Doc) {
	if len(tags) == 0 {
		return
	}
	m := s.rs.cw.tags[arn]
	if m == nil {
		m = map[string]string{}
		s.rs.cw.tags[arn] = m
	}
	for _, t := range tags {
		m[dstr(t, "Key")] = dstr(t, "Value")
	}
}

func (s *Server) cwTagResource(in Doc) (Doc, error) {
	arn := dstr(in, "ResourceARN")
	if !s.cwResourceExists(arn) {
		return nil, &APIError{Code: "ResourceNotFoundException", QueryCode: "ResourceNotFoundException", Status: http.StatusNotFound, Message: fmt.Sprintf("resource %s not found", arn)}
	}
	tags := ddocs(in, "Tags")
	for _, t := range tags {
		if k := dstr(t, "Key"); k == "" || len(k) > 128 || strings.HasPrefix(k, "aws:") {
			return nil, cwInvalidValue("tag key %q must be 1-128 characters and must not start with aws:", k)
		}
	}
	s.setTags(arn, tags)
	if len(s.rs.cw.tags[arn]) > 50 {
		return nil, &APIError{Code: "LimitExceededFault", QueryCode: "LimitExceeded", Status: http.StatusBadRequest, Message: "a resource can have at most 50 tags"}
	}
	return Doc{}, nil
}

func (s *Server) cwUntagResource(in Doc) (Doc, error) {
	arn := dstr(in, "ResourceARN")
	if !s.cwResourceExists(arn) {
		return nil, &APIError{Code: "ResourceNotFoundException", QueryCode: "ResourceNotFoundException", Status: http.StatusNotFound, Message: fmt.Sprintf("resource %s not found", arn)}
	}
	for _, k := range dstrs(in, "TagKeys") {
		delete(s.rs.cw.tags[arn], k)
	}
	return Doc{}, nil
}

func (s *Server) cwListTagsForResource(in Doc) (Doc, error) {
	arn := dstr(in, "ResourceARN")
	if !s.cwResourceExists(arn) {
		return nil, &APIError{Code: "ResourceNotFoundException", QueryCode: "ResourceNotFoundException", Status: http.StatusNotFound, Message: fmt.Sprintf("resource %s not found", arn)}
	}
	var tags []any
	m := s.rs.cw.tags[arn]
	keys := sortedKeys(m)
	sort.Strings(keys)
	for _, k := range keys {
		tags = append(tags, Doc{"Key": k, "Value": m[k]})
	}
	return Doc{"Tags": nonNil(tags)}, nil
}

func withoutKey(d Doc, key string) Doc {
	out := Doc{}
	for k, v := range d {
		if k != key {
			out[k] = v
		}
	}
	return out
}

// decodeAlarmTypes reads AlarmTypes; without it the defaults stand.
func decodeAlarmTypes(in Doc, metric, composite bool) (bool, bool, error) {
	types := dstrs(in, "AlarmTypes")
	if len(types) == 0 {
		return metric, composite, nil
	}
	metric, composite = false, false
	for _, t := range types {
		switch t {
		case "MetricAlarm":
			metric = true
		case "CompositeAlarm":
			composite = true
		default:
			return false, false, errValidation("AlarmTypes value %q is not MetricAlarm or CompositeAlarm", t)
		}
	}
	return metric, composite, nil
}

// decodePaging reads MaxRecords (1 to 100, def when absent) and NextToken,
// an offset into the matching records.
func decodePaging(in Doc, def int) (maxRecords, offset int, err error) {
	maxRecords = def
	if mr, ok := dint(in, "MaxRecords"); ok {
		if mr < 1 || mr > 100 {
			return 0, 0, cwInvalidValue("MaxRecords must be between 1 and 100")
		}
		maxRecords = int(mr)
	}
	if tok := dstr(in, "NextToken"); tok != "" {
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 {
			return 0, 0, &APIError{Code: "InvalidNextToken", QueryCode: "InvalidNextToken", Status: http.StatusBadRequest, Message: "The next token is not valid"}
		}
		offset = n
	}
	return maxRecords, offset, nil
}
