package awsemu

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Alarm definitions are parsed once, at PutMetricAlarm and PutCompositeAlarm,
// into the typed form the simulation evaluates. The request document is kept
// alongside so DescribeAlarms echoes exactly what the client sent.

// alarmActions are the action ARNs an alarm invokes on entering each state.
type alarmActions struct {
	enabled                 bool
	alarm, ok, insufficient []string
}

func decodeAlarmActions(in Doc) alarmActions {
	enabled, set := dbool(in, "ActionsEnabled")
	return alarmActions{
		enabled:      enabled || !set, // ActionsEnabled defaults to true
		alarm:        dstrs(in, "AlarmActions"),
		ok:           dstrs(in, "OKActions"),
		insufficient: dstrs(in, "InsufficientDataActions"),
	}
}

// forState lists the actions for a transition into state.
func (a alarmActions) forState(state string) []string {
	switch state {
	case stateAlarm:
		return a.alarm
	case stateOK:
		return a.ok
	}
	return a.insufficient
}

// Alarm states.
const (
	stateOK           = "OK"
	stateAlarm        = "ALARM"
	stateInsufficient = "INSUFFICIENT_DATA"
)

// metricAlarmDef is a metric alarm: N datapoints of one series (a metric's
// statistic, or the metric math expression that returns data), each compared
// with a threshold.
type metricAlarmDef struct {
	period    int64  // seconds covered by one datapoint
	evals     int    // EvaluationPeriods: N
	toAlarm   int    // DatapointsToAlarm: M
	op        string // ComparisonOperator
	threshold float64
	missing   string // TreatMissingData: missing, notBreaching, breaching, ignore
	// wallClock is the time zone of a WallClockWindow, nil for the default
	// SlidingWindow.
	wallClock *time.Location
	queries   map[string]*metricQuery
	result    string // id of the query whose datapoints are compared
	statistic string // single-metric alarms: the statistic, for state reasons
	// unsupported says why the emulator cannot evaluate the alarm (anomaly
	// detection bands); such alarms stay in INSUFFICIENT_DATA.
	unsupported string
	actions     alarmActions
}

// compositeAlarmDef is a composite alarm: a rule over other alarms' states.
type compositeAlarmDef struct {
	rule       *ruleExpr
	refs       []string // alarms named in the rule, sorted, unique
	suppressor string   // ActionsSuppressor as an alarm name
	wait       time.Duration
	extension  time.Duration
	actions    alarmActions
}

var comparisonOperators = map[string]bool{
	"GreaterThanOrEqualToThreshold": true, "GreaterThanThreshold": true,
	"LessThanThreshold": true, "LessThanOrEqualToThreshold": true,
	"LessThanLowerOrGreaterThanUpperThreshold": true, "LessThanLowerThreshold": true,
	"GreaterThanUpperThreshold": true,
}

// bandOperators compare with an anomaly detection band, which the emulator
// does not model.
var bandOperators = map[string]bool{
	"LessThanLowerOrGreaterThanUpperThreshold": true, "LessThanLowerThreshold": true, "GreaterThanUpperThreshold": true,
}

var statistics = map[string]bool{"SampleCount": true, "Average": true, "Sum": true, "Minimum": true, "Maximum": true}

var metricQueryID = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)

// validPeriod: high-resolution 10/20/30 s, otherwise whole minutes.
func validPeriod(p int64) bool {
	return p == 10 || p == 20 || p == 30 || (p >= 60 && p%60 == 0)
}

// wallClockPeriods are the periods a WallClockWindow accepts (API reference,
// WallClockWindow): 1 minute, 5 minutes, 1 hour, 1 day, 1 week.
var wallClockPeriods = map[int64]bool{60: true, 300: true, 3600: true, 86400: true, 604800: true}

func decodeMetricAlarm(in Doc) (*metricAlarmDef, error) {
	evals, ok := dint(in, "EvaluationPeriods")
	if !ok {
		return nil, cwMissing("EvaluationPeriods")
	}
	if evals < 1 {
		return nil, cwInvalidValue("EvaluationPeriods must be at least 1")
	}
	def := &metricAlarmDef{evals: int(evals), toAlarm: int(evals), missing: "missing", actions: decodeAlarmActions(in)}
	if dp, ok := dint(in, "DatapointsToAlarm"); ok {
		if dp < 1 || dp > evals {
			return nil, cwInvalidValue("DatapointsToAlarm must be between 1 and EvaluationPeriods (%d)", evals)
		}
		def.toAlarm = int(dp)
	}
	def.op = dstr(in, "ComparisonOperator")
	if def.op == "" {
		return nil, cwMissing("ComparisonOperator")
	}
	if !comparisonOperators[def.op] {
		return nil, errValidation("1 validation error detected: Value '%s' at 'comparisonOperator' failed to satisfy enum value set", def.op)
	}
	if bandOperators[def.op] {
		def.unsupported = "the emulator does not model anomaly detection bands"
	}
	if tmd := dstr(in, "TreatMissingData"); tmd != "" {
		switch tmd {
		case "breaching", "notBreaching", "ignore", "missing":
			def.missing = tmd
		default:
			return nil, errValidation("TreatMissingData must be one of breaching, notBreaching, ignore, missing; got %q", tmd)
		}
	}
	threshold, hasThreshold := dfloat(in, "Threshold")
	if !hasThreshold && dstr(in, "ThresholdMetricId") == "" {
		return nil, errValidation("Threshold or ThresholdMetricId is required")
	}
	def.threshold = threshold

	metrics := ddocs(in, "Metrics")
	single := dstr(in, "MetricName") != "" || dstr(in, "Namespace") != ""
	switch {
	case single && len(metrics) > 0:
		return nil, cwCombination("MetricName/Namespace and Metrics cannot be used together")
	case !single && len(metrics) == 0:
		return nil, errValidation("Either MetricName and Namespace, or Metrics, must be specified")
	case single:
		if err := def.decodeSingleMetric(in); err != nil {
			return nil, err
		}
	default:
		if err := checkAlarmMetrics(metrics, evals); err != nil {
			return nil, err
		}
		if err := def.decodeMetricMath(metrics); err != nil {
			return nil, err
		}
	}
	if err := def.decodeEvaluationWindow(ddoc(in, "EvaluationWindow"), in["EvaluationWindow"] != nil); err != nil {
		return nil, err
	}
	return def, nil
}

func (def *metricAlarmDef) decodeSingleMetric(in Doc) error {
	if dstr(in, "MetricName") == "" || dstr(in, "Namespace") == "" {
		return errValidation("MetricName and Namespace must both be specified")
	}
	period, ok := dint(in, "Period")
	if !ok {
		return cwMissing("Period")
	}
	if err := checkAlarmPeriod(period, int64(def.evals), ""); err != nil {
		return err
	}
	st, ext := dstr(in, "Statistic"), dstr(in, "ExtendedStatistic")
	if (st == "") == (ext == "") {
		return cwCombination("Exactly one of Statistic and ExtendedStatistic must be specified")
	}
	if st != "" && !statistics[st] {
		return errValidation("Statistic %q is not one of SampleCount, Average, Sum, Minimum, Maximum", st)
	}
	stat := st + ext
	metric := Doc{"Namespace": dstr(in, "Namespace"), "MetricName": dstr(in, "MetricName"), "Dimensions": in["Dimensions"]}
	q, err := decodeMetricQuery(Doc{"Id": "m1", "MetricStat": Doc{"Metric": metric, "Period": period, "Stat": stat}}, 0)
	if err != nil {
		return errValidation("%s", strings.TrimPrefix(asAPIError(err).Message, "MetricDataQueries.member.1."))
	}
	def.period, def.statistic, def.result = period, stat, q.id
	def.queries = map[string]*metricQuery{q.id: q}
	return nil
}

// decodeMetricMath builds the queries of a Metrics list. The alarm's period
// is that of the query returning data: its own Period, else the longest
// MetricStat period it can draw on.
func (def *metricAlarmDef) decodeMetricMath(metrics []Doc) error {
	def.queries = map[string]*metricQuery{}
	var statPeriod int64
	for i, m := range metrics {
		q, err := decodeMetricQuery(m, i)
		if err != nil {
			return errValidation("Metrics: %s", asAPIError(err).Message)
		}
		def.queries[q.id] = q
		statPeriod = max(statPeriod, q.period)
		if q.returnData {
			def.result = q.id
			if p, ok := dint(m, "Period"); ok {
				def.period = p
			}
		}
	}
	if def.period == 0 {
		def.period = statPeriod
	}
	return nil
}

func (def *metricAlarmDef) decodeEvaluationWindow(ew Doc, given bool) error {
	if !given {
		return nil
	}
	_, sliding := ew["SlidingWindow"]
	wall, isWall := ew["WallClockWindow"]
	if len(ew) != 1 || (!sliding && !isWall) {
		return errValidation("EvaluationWindow must set exactly one of SlidingWindow and WallClockWindow")
	}
	if sliding {
		return nil
	}
	if !wallClockPeriods[def.period] {
		return errValidation("A WallClockWindow needs a period of 60, 300, 3600, 86400 or 604800 seconds; the alarm's period is %d", def.period)
	}
	wd, _ := wall.(Doc)
	loc, err := parseTimezone(dstr(wd, "Timezone"))
	if err != nil {
		return errValidation("WallClockWindow.Timezone: %v", err)
	}
	def.wallClock = loc
	return nil
}

var utcOffsetRe = regexp.MustCompile(`^(?:UTC)?([+-])(\d{1,2})(?::?(\d{2}))?$`)

// parseTimezone accepts what the WallClockWindow API reference lists: an IANA
// name, a UTC offset (+05:30) or an offset-prefixed identifier (UTC+05:30),
// offsets in multiples of 5 minutes; empty means UTC.
func parseTimezone(tz string) (*time.Location, error) {
	if tz == "" || tz == "UTC" {
		return time.UTC, nil
	}
	if m := utcOffsetRe.FindStringSubmatch(tz); m != nil {
		h, _ := strconv.Atoi(m[2])
		mins := 0
		if m[3] != "" {
			mins, _ = strconv.Atoi(m[3])
		}
		if h > 14 || mins > 59 || mins%5 != 0 {
			return nil, fmt.Errorf("offset %q must be at most 14 hours and a multiple of 5 minutes", tz)
		}
		off := h*3600 + mins*60
		if m[1] == "-" {
			off = -off
		}
		return time.FixedZone(tz, off), nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q", tz)
	}
	return loc, nil
}

// decodeCompositeAlarm parses a composite alarm; exists reports whether an
// alarm name is known, for the rule's references and the suppressor.
func decodeCompositeAlarm(in Doc, name string, exists func(string) bool) (*compositeAlarmDef, error) {
	rule := dstr(in, "AlarmRule")
	if rule == "" {
		return nil, cwMissing("AlarmRule")
	}
	if len(rule) > maxAlarmRuleLength {
		return nil, errValidation("AlarmRule is %d characters; the maximum is %d", len(rule), maxAlarmRuleLength)
	}
	expr, err := parseAlarmRule(rule)
	if err != nil {
		return nil, errValidation("AlarmRule %q is not valid: %v", rule, err)
	}
	expr.resolveARNs()
	uniq := map[string]bool{}
	var missing []string
	for _, r := range expr.refs(nil) {
		if uniq[r] {
			continue
		}
		uniq[r] = true
		if r == name {
			return nil, errValidation("AlarmRule of %q refers to itself", name)
		}
		if !exists(r) {
			missing = append(missing, r)
		}
	}
	if len(uniq) > maxAlarmsInComposite {
		return nil, errValidation("AlarmRule refers to %d alarms; the maximum is %d", len(uniq), maxAlarmsInComposite)
	}
	if len(missing) > 0 {
		return nil, errValidation("Could not save the composite alarm as alarms %v in the alarm rule do not exist", missing)
	}
	def := &compositeAlarmDef{rule: expr, refs: sortedKeys(uniq), actions: decodeAlarmActions(in)}
	if err := def.decodeSuppressor(in, exists); err != nil {
		return nil, err
	}
	return def, nil
}

// decodeSuppressor follows PutCompositeAlarm: ActionsSuppressorWaitPeriod and
// ActionsSuppressorExtensionPeriod are required when ActionsSuppressor is
// given; the emulator also rejects them without a suppressor.
func (def *compositeAlarmDef) decodeSuppressor(in Doc, exists func(string) bool) error {
	sup := alarmNameOf(dstr(in, "ActionsSuppressor"))
	wait, hasWait := dint(in, "ActionsSuppressorWaitPeriod")
	ext, hasExt := dint(in, "ActionsSuppressorExtensionPeriod")
	if sup == "" {
		if hasWait || hasExt {
			return errValidation("ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod can only be set together with ActionsSuppressor")
		}
		return nil
	}
	if !exists(sup) {
		return errValidation("ActionsSuppressor alarm %q does not exist", sup)
	}
	if !hasWait || !hasExt {
		return errValidation("ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod are required when ActionsSuppressor is specified")
	}
	if wait < 0 || ext < 0 {
		return errValidation("ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod must not be negative")
	}
	def.suppressor, def.wait, def.extension = sup, seconds(int(wait)), seconds(int(ext))
	return nil
}

// alarmNameOf turns an alarm ARN (arn:aws:cloudwatch:region:account:alarm:name)
// into the alarm's name; plain names pass through.
func alarmNameOf(ref string) string {
	if !strings.HasPrefix(ref, "arn:") {
		return ref
	}
	parts := strings.SplitN(ref, ":", 7)
	if len(parts) == 7 && parts[2] == "cloudwatch" && parts[5] == "alarm" {
		return parts[6]
	}
	return ref
}

func checkAlarmPeriod(period, evals int64, id string) error {
	where := ""
	if id != "" {
		where = fmt.Sprintf(" (metric %s)", id)
	}
	if !validPeriod(period) {
		return errValidation("Period%s must be 10, 20, 30 or a multiple of 60 seconds; got %d", where, period)
	}
	limit := int64(86400)
	if period >= 3600 {
		limit = 7 * 86400
	}
	if period*evals > limit {
		return errValidation("The evaluation period%s (Period %d × EvaluationPeriods %d = %d s) exceeds the maximum of %d s", where, period, evals, period*evals, limit)
	}
	return nil
}

func checkAlarmMetrics(metrics []Doc, evals int64) error {
	// MetricDataQuery (API reference): an alarm's Metrics hold up to 20
	// entries, at most 10 with MetricStat and at most 10 with Expression.
	stats, exprs := 0, 0
	for _, m := range metrics {
		if ddoc(m, "MetricStat") != nil {
			stats++
		} else {
			exprs++
		}
	}
	if stats > maxMetricsPerAlarm || exprs > maxMetricsPerAlarm {
		return errValidation("The alarm has %d metrics and %d expressions; the maximum is %d of each", stats, exprs, maxMetricsPerAlarm)
	}
	ids := map[string]bool{}
	returning := 0
	for _, m := range metrics {
		id := dstr(m, "Id")
		if !metricQueryID.MatchString(id) {
			return errValidation("Metric id %q must start with a lowercase letter and contain only letters, digits and underscores", id)
		}
		if ids[id] {
			return errValidation("Metric id %q is used more than once", id)
		}
		ids[id] = true
		rd, set := dbool(m, "ReturnData")
		if !set || rd {
			returning++
		}
		expr, stat := dstr(m, "Expression"), ddoc(m, "MetricStat")
		if (expr == "") == (stat == nil) {
			return errValidation("Metric %s must have exactly one of Expression and MetricStat", id)
		}
		if stat != nil {
			metric := ddoc(stat, "Metric")
			if dstr(metric, "MetricName") == "" || dstr(metric, "Namespace") == "" {
				return errValidation("Metric %s: MetricStat.Metric needs MetricName and Namespace", id)
			}
			if dstr(stat, "Stat") == "" {
				return errValidation("Metric %s: MetricStat.Stat is required", id)
			}
			period, ok := dint(stat, "Period")
			if !ok {
				return errValidation("Metric %s: MetricStat.Period is required", id)
			}
			if err := checkAlarmPeriod(period, evals, id); err != nil {
				return err
			}
		} else if period, ok := dint(m, "Period"); ok {
			if err := checkAlarmPeriod(period, evals, id); err != nil {
				return err
			}
		}
	}
	if returning != 1 {
		return errValidation("Exactly one element of the Metrics list must have ReturnData set to true; %d do", returning)
	}
	for _, m := range metrics {
		for _, ref := range exprRefs(dstr(m, "Expression")) {
			if !ids[ref] && !metricFunctions[strings.ToUpper(ref)] {
				return errValidation("Metric %s: expression refers to unknown id %q", dstr(m, "Id"), ref)
			}
		}
	}
	return nil
}

// metricFunctions are metric math names that are not query ids.
var metricFunctions = map[string]bool{
	"FILL": true, "SUM": true, "AVG": true, "MIN": true, "MAX": true, "IF": true, "AND": true, "OR": true,
	"ABS": true, "CEIL": true, "FLOOR": true, "METRICS": true, "RATE": true, "DIFF": true, "REPEAT": true,
	"LINEAR": true, "SEARCH": true, "STDDEV": true, "PERIOD": true, "RUNNING_SUM": true, "TIME_SERIES": true,
	"SLICE": true, "SORT": true, "DESC": true, "ASC": true, "ANOMALY_DETECTION_BAND": true, "LOG": true, "LOG10": true,
	"DATAPOINT_COUNT": true, "FIRST": true, "LAST": true, "INSIGHT_RULE_METRIC": true, "AVG_OF": true, "DIFF_TIME": true,
	"MINUTE": true, "HOUR": true, "DAY": true, "DATE": true, "MONTH": true, "YEAR": true, "EPOCH": true, "REMOVE_EMPTY": true,
}

var identRe = regexp.MustCompile(`"[^"]*"|'[^']*'|[A-Za-z_][A-Za-z0-9_]*`)

// exprRefs lists identifiers in a metric math expression, skipping strings.
func exprRefs(expr string) []string {
	var out []string
	for _, tok := range identRe.FindAllString(expr, -1) {
		if tok[0] == '"' || tok[0] == '\'' {
			continue
		}
		out = append(out, tok)
	}
	return out
}
