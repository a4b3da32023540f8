package awsemu

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// minuteTraffic is what a service publishes in one minute of the test:
// request and good counts, a latency sample, or nothing (ok false).
type minuteTraffic func(minute int) (total, good float64, ok bool)

func steady(total, good float64) minuteTraffic {
	return func(int) (float64, float64, bool) { return total, good, true }
}

// burst serves errorRatio errors in minutes [from, to), clean traffic
// otherwise.
func burst(from, to int, errorRatio float64) minuteTraffic {
	return func(m int) (float64, float64, bool) {
		if m >= from && m < to {
			return 100, 100 * (1 - errorRatio), true
		}
		return 100, 100, true
	}
}

// until stops traffic from minute stop on.
func until(stop int, tr minuteTraffic) minuteTraffic {
	return func(m int) (float64, float64, bool) {
		if m >= stop {
			return 0, 0, false
		}
		return tr(m)
	}
}

// burnAlarm is one burn-rate window as the product creates it: an error ratio
// over a period equal to the window, guarded by a minimum of 60 requests.
func burnAlarm(name string, period int32, threshold float64) *cloudwatch.PutMetricAlarmInput {
	stat := func(id, metric string) cwtypes.MetricDataQuery {
		return cwtypes.MetricDataQuery{Id: aws.String(id), ReturnData: aws.Bool(false), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String("App"), MetricName: aws.String(metric), Dimensions: dims("Service", "login")},
			Period: aws.Int32(period), Stat: aws.String("Sum")}}
	}
	return &cloudwatch.PutMetricAlarmInput{
		AlarmName:          aws.String(name),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
		EvaluationPeriods:  aws.Int32(1),
		DatapointsToAlarm:  aws.Int32(1),
		Threshold:          aws.Float64(threshold),
		TreatMissingData:   aws.String("notBreaching"),
		EvaluationWindow:   &cwtypes.EvaluationWindowMemberSlidingWindow{},
		Metrics: []cwtypes.MetricDataQuery{
			stat("t", "Requests"), stat("g", "Good"),
			{Id: aws.String("r"), Expression: aws.String("IF(t >= 60, 1 - FILL(g, 0) / t, 0)"), ReturnData: aws.Bool(true)},
		},
	}
}

// noDataAlarm fires when the request series has been empty for n minutes.
func noDataAlarm(name string, n int32, missing string) *cloudwatch.PutMetricAlarmInput {
	return &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String(name), Namespace: aws.String("App"), MetricName: aws.String("Requests"),
		Dimensions: dims("Service", "login"), Statistic: cwtypes.StatisticSum, Period: aws.Int32(60),
		EvaluationPeriods: aws.Int32(n), DatapointsToAlarm: aws.Int32(n), Threshold: aws.Float64(1),
		ComparisonOperator: cwtypes.ComparisonOperatorLessThanThreshold, TreatMissingData: aws.String(missing),
	}
}

// alarmSim drives an emulator minute by minute: each minute the traffic is
// published half way through, then the clock reaches the next minute, where
// alarms are evaluated.
type alarmSim struct {
	t      *testing.T
	s      *Server
	clock  *ManualClock
	cw     *cloudwatch.Client
	start  time.Time
	seen   map[string]string // alarm → last observed state@time
	events []string
}

func newAlarmSim(t *testing.T) *alarmSim {
	s, clock, cw := newMetricsTestClient(t)
	return &alarmSim{t: t, s: s, clock: clock, cw: cw, start: clock.Now(), seen: map[string]string{}}
}

func (a *alarmSim) putMetricAlarm(in *cloudwatch.PutMetricAlarmInput) {
	a.t.Helper()
	if _, err := a.cw.PutMetricAlarm(context.Background(), in); err != nil {
		a.t.Fatalf("PutMetricAlarm %s: %v", aws.ToString(in.AlarmName), err)
	}
}

func (a *alarmSim) putCompositeAlarm(in *cloudwatch.PutCompositeAlarmInput) {
	a.t.Helper()
	if _, err := a.cw.PutCompositeAlarm(context.Background(), in); err != nil {
		a.t.Fatalf("PutCompositeAlarm %s: %v", aws.ToString(in.AlarmName), err)
	}
}

// at renders an instant as minutes and seconds since the start.
func (a *alarmSim) at(t time.Time) string {
	d := t.Sub(a.start)
	if d%time.Minute == 0 {
		return fmt.Sprintf("+%dm", d/time.Minute)
	}
	return fmt.Sprintf("+%dm%ds", d/time.Minute, (d%time.Minute)/time.Second)
}

func (a *alarmSim) publish(minute int, tr minuteTraffic) {
	a.t.Helper()
	total, good, ok := tr(minute)
	if !ok {
		return
	}
	ts := a.clock.Now()
	_, err := a.cw.PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{
		Namespace: aws.String("App"),
		MetricData: []cwtypes.MetricDatum{
			{MetricName: aws.String("Requests"), Dimensions: dims("Service", "login"), Timestamp: aws.Time(ts), Value: aws.Float64(total)},
			{MetricName: aws.String("Good"), Dimensions: dims("Service", "login"), Timestamp: aws.Time(ts), Value: aws.Float64(good)},
		},
	})
	if err != nil {
		a.t.Fatalf("PutMetricData: %v", err)
	}
}

// run publishes minutes [from, to) and records every state change of the
// alarms it describes after each minute.
func (a *alarmSim) run(from, to int, tr minuteTraffic) {
	a.t.Helper()
	for m := from; m < to; m++ {
		a.clock.Set(a.start.Add(time.Duration(m)*time.Minute + 30*time.Second))
		a.publish(m, tr)
		a.clock.Set(a.start.Add(time.Duration(m+1) * time.Minute))
		a.observe()
	}
}

// observe records state changes seen through DescribeAlarms.
func (a *alarmSim) observe() {
	a.t.Helper()
	out, err := a.cw.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{
		AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm}})
	if err != nil {
		a.t.Fatal(err)
	}
	note := func(name string, st cwtypes.StateValue, ts *time.Time) {
		ev := fmt.Sprintf("%s %s@%s", name, st, a.at(aws.ToTime(ts)))
		if a.seen[name] != ev {
			a.seen[name] = ev
			if st != cwtypes.StateValueInsufficientData || a.seen[name+"#"] != "" {
				a.events = append(a.events, ev)
			}
			a.seen[name+"#"] = "seen"
		}
	}
	for _, m := range out.MetricAlarms {
		note(*m.AlarmName, m.StateValue, m.StateUpdatedTimestamp)
	}
	for _, c := range out.CompositeAlarms {
		note(*c.AlarmName, c.StateValue, c.StateUpdatedTimestamp)
	}
}

func (a *alarmSim) want(want ...string) {
	a.t.Helper()
	if got := strings.Join(a.events, ", "); got != strings.Join(want, ", ") {
		a.t.Fatalf("transitions:\n got  %s\n want %s", got, strings.Join(want, ", "))
	}
}

func TestAlarms_MetricAlarmEvaluation(t *testing.T) {
	wallClock := func(in *cloudwatch.PutMetricAlarmInput) *cloudwatch.PutMetricAlarmInput {
		in.EvaluationWindow = &cwtypes.EvaluationWindowMemberWallClockWindow{}
		return in
	}
	for _, tc := range []struct {
		name    string
		alarms  []*cloudwatch.PutMetricAlarmInput
		minutes int
		traffic minuteTraffic
		want    []string
	}{
		{
			name:    "an error ratio over the 5-minute window crossing the threshold fires, and clears once the window has slid past the errors",
			alarms:  []*cloudwatch.PutMetricAlarmInput{burnAlarm("short", 300, 0.0144)},
			minutes: 25, traffic: burst(10, 15, 0.10),
			want: []string{"short OK@+1m", "short ALARM@+11m", "short OK@+20m"},
		},
		{
			name:    "an error ratio under the threshold never fires",
			alarms:  []*cloudwatch.PutMetricAlarmInput{burnAlarm("short", 300, 0.0144)},
			minutes: 20, traffic: burst(5, 10, 0.01),
			want: []string{"short OK@+1m"},
		},
		{
			name:    "below the minimum of 60 requests in the window errors do not count",
			alarms:  []*cloudwatch.PutMetricAlarmInput{burnAlarm("short", 300, 0.0144)},
			minutes: 10, traffic: steady(10, 5),
			want: []string{"short OK@+1m"},
		},
		{
			name: "a breaching no-data alarm fires after N missing minutes; notBreaching stays OK, missing has insufficient data, ignore keeps its state",
			alarms: []*cloudwatch.PutMetricAlarmInput{noDataAlarm("nodata-breaching", 3, "breaching"), noDataAlarm("nodata-notbreaching", 3, "notBreaching"),
				noDataAlarm("nodata-missing", 3, "missing"), noDataAlarm("nodata-ignore", 3, "ignore")},
			minutes: 20, traffic: until(10, steady(100, 100)),
			want: []string{"nodata-breaching OK@+1m", "nodata-ignore OK@+1m", "nodata-missing OK@+1m", "nodata-notbreaching OK@+1m",
				"nodata-breaching ALARM@+13m", "nodata-missing INSUFFICIENT_DATA@+13m"},
		},
		{
			name: "M of N: 3 breaching datapoints out of 5 fire, the window sliding past one clears",
			alarms: []*cloudwatch.PutMetricAlarmInput{{
				AlarmName: aws.String("errors-3-of-5"), Namespace: aws.String("App"), MetricName: aws.String("Requests"),
				Dimensions: dims("Service", "login"), Statistic: cwtypes.StatisticSum, Period: aws.Int32(60),
				EvaluationPeriods: aws.Int32(5), DatapointsToAlarm: aws.Int32(3), Threshold: aws.Float64(150),
				ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold, TreatMissingData: aws.String("notBreaching"),
			}},
			minutes: 12,
			traffic: func(m int) (float64, float64, bool) {
				if m == 2 || m == 4 || m == 6 {
					return 200, 200, true
				}
				return 100, 100, true
			},
			want: []string{"errors-3-of-5 OK@+1m", "errors-3-of-5 ALARM@+7m", "errors-3-of-5 OK@+8m"},
		},
		{
			name: "a sliding 1-hour window fires as soon as the errors arrive, a wall clock window only when the hour is complete",
			alarms: []*cloudwatch.PutMetricAlarmInput{burnAlarm("sliding", 3600, 0.0144),
				wallClock(burnAlarm("wall", 3600, 0.0144))},
			minutes: 75, traffic: burst(10, 11, 1),
			want: []string{"sliding OK@+1m", "wall OK@+1m", "sliding ALARM@+11m", "wall ALARM@+60m", "sliding OK@+71m"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim := newAlarmSim(t)
			for _, in := range tc.alarms {
				sim.putMetricAlarm(in)
			}
			sim.run(0, tc.minutes, tc.traffic)
			sim.want(tc.want...)
		})
	}
}

func pageComposite(name string, windows ...string) *cloudwatch.PutCompositeAlarmInput {
	var terms []string
	for _, w := range windows {
		terms = append(terms, fmt.Sprintf("ALARM(%q)", w))
	}
	return &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String(name), AlarmRule: aws.String(strings.Join(terms, " AND "))}
}

func TestAlarms_CompositeLongAndShort(t *testing.T) {
	for _, tc := range []struct {
		name    string
		traffic minuteTraffic
		want    []string
	}{
		{
			name:    "a sustained burst fires both windows and the composite, which clears with the short window",
			traffic: burst(10, 15, 0.10),
			want: []string{"long OK@+1m", "short OK@+1m", "page OK@+1m",
				"short ALARM@+11m", "long ALARM@+12m", "page ALARM@+12m",
				"short OK@+20m", "page OK@+20m", "long OK@+35m"},
		},
		{
			name:    "a one-minute blip fires only the short window, so the composite stays OK",
			traffic: burst(10, 11, 0.10),
			want:    []string{"long OK@+1m", "short OK@+1m", "page OK@+1m", "short ALARM@+11m", "short OK@+16m"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim := newAlarmSim(t)
			sim.putMetricAlarm(burnAlarm("long", 3600, 0.0144))
			sim.putMetricAlarm(burnAlarm("short", 300, 0.0144))
			sim.putCompositeAlarm(pageComposite("page", "long", "short"))
			sim.run(0, 40, tc.traffic)
			sim.want(tc.want...)
		})
	}
}

const (
	pageTopic   = "arn:aws:sns:us-east-1:123456789012:page"
	ticketTopic = "arn:aws:sns:us-east-1:123456789012:ticket"
	okTopic     = "arn:aws:sns:us-east-1:123456789012:ok"
)

// heldAlarm is a metric alarm on a series nobody publishes, ignoring missing
// data: it keeps whatever state SetAlarmState gives it, so a test controls
// its children's transitions to the second.
func heldAlarm(name string) *cloudwatch.PutMetricAlarmInput {
	in := noDataAlarm(name, 1, "ignore")
	in.MetricName = aws.String("Unpublished")
	return in
}

func (a *alarmSim) setState(name string, st cwtypes.StateValue, reason string) {
	a.t.Helper()
	_, err := a.cw.SetAlarmState(context.Background(), &cloudwatch.SetAlarmStateInput{
		AlarmName: aws.String(name), StateValue: st, StateReason: aws.String(reason)})
	if err != nil {
		a.t.Fatalf("SetAlarmState %s: %v", name, err)
	}
}

// actions renders the invoked actions as "alarm OLD->NEW topic@time".
func (a *alarmSim) actions(recs []ActionRecord) []string {
	var out []string
	for _, r := range recs {
		topic := r.ARN[strings.LastIndex(r.ARN, ":")+1:]
		out = append(out, fmt.Sprintf("%s %s->%s %s@%s", r.Alarm, r.OldState, r.NewState, topic, a.at(r.At)))
	}
	return out
}

func wantList(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Fatalf("%s:\n got  %s\n want %s", what, strings.Join(got, ", "), strings.Join(want, ", "))
	}
}

func TestAlarms_Actions(t *testing.T) {
	withActions := func(in *cloudwatch.PutMetricAlarmInput, enabled bool) *cloudwatch.PutMetricAlarmInput {
		in.AlarmActions, in.OKActions, in.ActionsEnabled = []string{pageTopic}, []string{okTopic}, aws.Bool(enabled)
		return in
	}
	for _, tc := range []struct {
		name      string
		alarm     *cloudwatch.PutMetricAlarmInput
		composite *cloudwatch.PutCompositeAlarmInput
		want      []string
	}{
		{
			name:  "each transition invokes the actions of the state entered",
			alarm: withActions(burnAlarm("short", 300, 0.0144), true),
			want:  []string{"short INSUFFICIENT_DATA->OK ok@+1m", "short OK->ALARM page@+11m", "short ALARM->OK ok@+20m"},
		},
		{
			name:  "ActionsEnabled false invokes nothing",
			alarm: withActions(burnAlarm("short", 300, 0.0144), false),
		},
		{
			name:      "a composite invokes its own actions when its rule turns true",
			alarm:     burnAlarm("short", 300, 0.0144),
			composite: &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("page"), AlarmRule: aws.String(`ALARM(short)`), AlarmActions: []string{pageTopic}},
			want:      []string{"page OK->ALARM page@+11m"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim := newAlarmSim(t)
			sim.putMetricAlarm(tc.alarm)
			if tc.composite != nil {
				sim.putCompositeAlarm(tc.composite)
			}
			sim.run(0, 25, burst(10, 15, 0.10))
			wantList(t, "actions", sim.actions(sim.s.ActionsInvoked()), tc.want)
		})
	}
}

type stateStep struct {
	at    time.Duration
	alarm string
	state cwtypes.StateValue
}

func TestAlarms_ActionsSuppressor(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []stateStep
		// suppressedBy is the ticket's ActionsSuppressedBy at given instants.
		suppressedBy map[time.Duration]cwtypes.ActionsSuppressedBy
		want         []string
	}{
		{
			name:  "with the page quiet the ticket acts once its wait period is over",
			steps: []stateStep{{time.Minute, "ticket-window", "ALARM"}},
			suppressedBy: map[time.Duration]cwtypes.ActionsSuppressedBy{
				90 * time.Second: cwtypes.ActionsSuppressedByWaitPeriod, 4 * time.Minute: ""},
			want: []string{"ticket OK->ALARM ticket@+3m"},
		},
		{
			name: "while the page is in ALARM the ticket takes no action at all",
			steps: []stateStep{{time.Minute, "page-window", "ALARM"}, {2 * time.Minute, "ticket-window", "ALARM"},
				{10 * time.Minute, "ticket-window", "OK"}, {20 * time.Minute, "page-window", "OK"}},
			suppressedBy: map[time.Duration]cwtypes.ActionsSuppressedBy{
				5 * time.Minute: cwtypes.ActionsSuppressedByAlarm, 22 * time.Minute: cwtypes.ActionsSuppressedByExtensionPeriod, 26 * time.Minute: ""},
			want: []string{"page OK->ALARM page@+1m"},
		},
		{
			name: "a page arriving within the wait period suppresses the ticket, which acts after the extension period if still in ALARM",
			steps: []stateStep{{time.Minute, "ticket-window", "ALARM"}, {2 * time.Minute, "page-window", "ALARM"},
				{30 * time.Minute, "page-window", "OK"}},
			suppressedBy: map[time.Duration]cwtypes.ActionsSuppressedBy{
				90 * time.Second: cwtypes.ActionsSuppressedByWaitPeriod, 150 * time.Second: cwtypes.ActionsSuppressedByAlarm,
				31 * time.Minute: cwtypes.ActionsSuppressedByExtensionPeriod},
			want: []string{"page OK->ALARM page@+2m", "ticket OK->ALARM ticket@+35m"},
		},
		{
			name: "a ticket that clears during the extension period never acts",
			steps: []stateStep{{time.Minute, "page-window", "ALARM"}, {2 * time.Minute, "ticket-window", "ALARM"},
				{10 * time.Minute, "page-window", "OK"}, {12 * time.Minute, "ticket-window", "OK"}},
			want: []string{"page OK->ALARM page@+1m"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim := newAlarmSim(t)
			sim.putMetricAlarm(heldAlarm("page-window"))
			sim.putMetricAlarm(heldAlarm("ticket-window"))
			sim.putCompositeAlarm(&cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("page"),
				AlarmRule: aws.String(`ALARM("page-window")`), AlarmActions: []string{pageTopic}})
			sim.putCompositeAlarm(&cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("ticket"),
				AlarmRule: aws.String(`ALARM("ticket-window") OR ALARM("page-window")`), AlarmActions: []string{ticketTopic},
				ActionsSuppressor: aws.String("page"), ActionsSuppressorWaitPeriod: aws.Int32(120), ActionsSuppressorExtensionPeriod: aws.Int32(300)})
			sim.setState("page-window", "OK", "start")
			sim.setState("ticket-window", "OK", "start")
			var checks []time.Duration
			for at := range tc.suppressedBy {
				checks = append(checks, at)
			}
			for _, st := range tc.steps {
				checks = append(checks, st.at)
			}
			slices.Sort(checks)
			for _, at := range checks {
				sim.clock.Set(sim.start.Add(at))
				for _, st := range tc.steps {
					if st.at == at {
						sim.setState(st.alarm, st.state, "test")
					}
				}
				if want, ok := tc.suppressedBy[at]; ok {
					out, err := sim.cw.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{
						AlarmNames: []string{"ticket"}, AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeCompositeAlarm}})
					if err != nil {
						t.Fatal(err)
					}
					if got := out.CompositeAlarms[0].ActionsSuppressedBy; got != want {
						t.Fatalf("at %s ActionsSuppressedBy = %q, want %q (%s)", sim.at(sim.clock.Now()), got, want,
							aws.ToString(out.CompositeAlarms[0].ActionsSuppressedReason))
					}
				}
			}
			if err := sim.s.Advance(time.Hour); err != nil {
				t.Fatal(err)
			}
			wantList(t, "actions", sim.actions(sim.s.ActionsInvoked()), tc.want)
		})
	}
}

func TestAlarms_SetAlarmStateDrill(t *testing.T) {
	drilled := func(in *cloudwatch.PutMetricAlarmInput) *cloudwatch.PutMetricAlarmInput {
		in.AlarmActions = []string{pageTopic}
		return in
	}
	for _, tc := range []struct {
		name       string
		alarms     []*cloudwatch.PutMetricAlarmInput
		composite  *cloudwatch.PutCompositeAlarmInput
		drill      []string
		traffic    minuteTraffic
		wantStates []string
		wantPages  []string
	}{
		{
			name:       "a drill on a metric alarm pages once and the alarm returns to its evaluated state at the next evaluation",
			alarms:     []*cloudwatch.PutMetricAlarmInput{drilled(burnAlarm("short", 300, 0.0144))},
			drill:      []string{"short"},
			wantStates: []string{"short OK@+1m", "short ALARM@+5m30s", "short OK@+6m"},
			wantPages:  []string{"short OK->ALARM page@+5m30s"},
		},
		{
			name:      "a drill on the page's windows fires the page composite once; it clears when the windows are evaluated again",
			alarms:    []*cloudwatch.PutMetricAlarmInput{burnAlarm("long", 3600, 0.0144), burnAlarm("short", 300, 0.0144)},
			composite: &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("page"), AlarmRule: aws.String(`ALARM(long) AND ALARM(short)`), AlarmActions: []string{pageTopic}},
			drill:     []string{"long", "short"},
			wantStates: []string{"long OK@+1m", "short OK@+1m", "page OK@+1m", "long ALARM@+5m30s", "short ALARM@+5m30s", "page ALARM@+5m30s",
				"long OK@+6m", "short OK@+6m", "page OK@+6m"},
			wantPages: []string{"page OK->ALARM page@+5m30s"},
		},
		{
			name:       "a drill on a composite keeps it in ALARM until one of its children changes state",
			alarms:     []*cloudwatch.PutMetricAlarmInput{burnAlarm("long", 3600, 0.0144), burnAlarm("short", 300, 0.0144)},
			composite:  &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("page"), AlarmRule: aws.String(`ALARM(long) AND ALARM(short)`), AlarmActions: []string{pageTopic}},
			drill:      []string{"page"},
			traffic:    burst(10, 13, 0.10),
			wantStates: []string{"long OK@+1m", "short OK@+1m", "page OK@+1m", "page ALARM@+5m30s", "short ALARM@+11m", "page OK@+11m", "long ALARM@+12m", "page ALARM@+12m"},
			wantPages:  []string{"page OK->ALARM page@+5m30s", "page OK->ALARM page@+12m"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim := newAlarmSim(t)
			for _, in := range tc.alarms {
				sim.putMetricAlarm(in)
			}
			if tc.composite != nil {
				sim.putCompositeAlarm(tc.composite)
			}
			traffic := tc.traffic
			if traffic == nil {
				traffic = steady(100, 100)
			}
			sim.run(0, 5, traffic)
			sim.clock.Set(sim.start.Add(5*time.Minute + 30*time.Second))
			for _, name := range tc.drill {
				sim.setState(name, "ALARM", "drill: paging test by the on-call")
			}
			sim.observe()
			sim.run(5, 14, traffic)
			sim.want(tc.wantStates...)
			wantList(t, "pages", sim.actions(sim.s.ActionsInvoked()), tc.wantPages)
		})
	}
}

func (a *alarmSim) history(in *cloudwatch.DescribeAlarmHistoryInput) []cwtypes.AlarmHistoryItem {
	a.t.Helper()
	var items []cwtypes.AlarmHistoryItem
	p := cloudwatch.NewDescribeAlarmHistoryPaginator(a.cw, in)
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			a.t.Fatal(err)
		}
		items = append(items, out.AlarmHistoryItems...)
	}
	return items
}

func (a *alarmSim) summaries(items []cwtypes.AlarmHistoryItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, fmt.Sprintf("%s %s: %s@%s", aws.ToString(it.AlarmName), it.HistoryItemType, aws.ToString(it.HistorySummary), a.at(aws.ToTime(it.Timestamp))))
	}
	return out
}

func TestAlarms_History(t *testing.T) {
	sim := newAlarmSim(t)
	in := burnAlarm("short", 300, 0.0144)
	in.AlarmActions = []string{pageTopic}
	sim.putMetricAlarm(in)
	sim.putCompositeAlarm(&cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("page"), AlarmRule: aws.String(`ALARM(short)`)})
	sim.run(0, 25, burst(10, 15, 0.10))
	sim.clock.Set(sim.start.Add(30 * time.Minute))
	if _, err := sim.cw.DeleteAlarms(context.Background(), &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"page", "short"}}); err != nil {
		t.Fatal(err)
	}
	both := []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm}
	shortHistory := []string{
		`short ConfigurationUpdate: Alarm "short" created@+0m`,
		"short StateUpdate: Alarm updated from INSUFFICIENT_DATA to OK@+1m",
		"short StateUpdate: Alarm updated from OK to ALARM@+11m",
		"short Action: Successfully executed action " + pageTopic + "@+11m",
		"short StateUpdate: Alarm updated from ALARM to OK@+20m",
		`short ConfigurationUpdate: Alarm "short" deleted@+30m`,
	}
	reversed := slices.Clone(shortHistory)
	slices.Reverse(reversed)
	for _, tc := range []struct {
		name string
		in   cloudwatch.DescribeAlarmHistoryInput
		want []string
	}{
		{"one alarm's history, oldest first, outlives the alarm", cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String("short"), ScanBy: cwtypes.ScanByTimestampAscending}, shortHistory},
		{"newest first by default, two records a page", cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String("short"), MaxRecords: aws.Int32(2)}, reversed},
		{"state updates only, within a time range", cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String("short"), HistoryItemType: cwtypes.HistoryItemTypeStateUpdate,
			StartDate: aws.Time(sim.start.Add(5 * time.Minute)), EndDate: aws.Time(sim.start.Add(20 * time.Minute)), ScanBy: cwtypes.ScanByTimestampAscending},
			[]string{shortHistory[2], shortHistory[4]}},
		{"composite history needs AlarmTypes", cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String("page")}, nil},
		{"a composite's history", cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String("page"), AlarmTypes: both, ScanBy: cwtypes.ScanByTimestampAscending}, []string{
			`page ConfigurationUpdate: Alarm "page" created@+0m`,
			"page StateUpdate: Alarm updated from INSUFFICIENT_DATA to OK@+1m",
			"page StateUpdate: Alarm updated from OK to ALARM@+11m",
			"page StateUpdate: Alarm updated from ALARM to OK@+20m",
			`page ConfigurationUpdate: Alarm "page" deleted@+30m`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			wantList(t, "history", sim.summaries(sim.history(&in)), tc.want)
		})
	}
	in2 := cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String("short"), HistoryItemType: cwtypes.HistoryItemTypeStateUpdate, ScanBy: cwtypes.ScanByTimestampAscending}
	items := sim.history(&in2)
	var data struct {
		OldState, NewState struct {
			StateValue, StateReason string
			StateReasonData         struct{ Period int }
		}
	}
	if err := json.Unmarshal([]byte(aws.ToString(items[1].HistoryData)), &data); err != nil {
		t.Fatal(err)
	}
	if data.OldState.StateValue != "OK" || data.NewState.StateValue != "ALARM" || data.NewState.StateReasonData.Period != 300 ||
		!strings.HasPrefix(data.NewState.StateReason, "Threshold Crossed: 1 out of the last 1 datapoints [") {
		t.Fatalf("history data = %s", aws.ToString(items[1].HistoryData))
	}
}

func TestAlarms_ClockJumpMatchesPolling(t *testing.T) {
	run := func(step time.Duration) (history, actions []string) {
		sim := newAlarmSim(t)
		for _, in := range []*cloudwatch.PutMetricAlarmInput{burnAlarm("long", 3600, 0.0144), burnAlarm("short", 300, 0.0144), noDataAlarm("nodata", 5, "breaching")} {
			in.AlarmActions, in.OKActions = []string{pageTopic}, []string{okTopic}
			sim.putMetricAlarm(in)
		}
		sim.putCompositeAlarm(&cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("page"), AlarmRule: aws.String(`ALARM(long) AND ALARM(short)`),
			AlarmActions: []string{pageTopic}})
		sim.putCompositeAlarm(&cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("ticket"), AlarmRule: aws.String(`ALARM(long) OR ALARM(nodata)`),
			AlarmActions: []string{ticketTopic}, ActionsSuppressor: aws.String("page"), ActionsSuppressorWaitPeriod: aws.Int32(90), ActionsSuppressorExtensionPeriod: aws.Int32(240)})
		// The whole hour of traffic is published up front, timestamped
		// ahead; only samples at or before each evaluation count.
		traffic := until(45, burst(10, 20, 0.10))
		var data []cwtypes.MetricDatum
		for m := 0; m < 60; m++ {
			if total, good, ok := traffic(m); ok {
				ts := aws.Time(sim.start.Add(time.Duration(m)*time.Minute + 30*time.Second))
				data = append(data,
					cwtypes.MetricDatum{MetricName: aws.String("Requests"), Dimensions: dims("Service", "login"), Timestamp: ts, Value: aws.Float64(total)},
					cwtypes.MetricDatum{MetricName: aws.String("Good"), Dimensions: dims("Service", "login"), Timestamp: ts, Value: aws.Float64(good)})
			}
		}
		if _, err := sim.cw.PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{Namespace: aws.String("App"), MetricData: data}); err != nil {
			t.Fatal(err)
		}
		for elapsed := time.Duration(0); elapsed < time.Hour; elapsed += step {
			if err := sim.s.Advance(step); err != nil {
				t.Fatal(err)
			}
			sim.s.AlarmState("page")
		}
		items := sim.history(&cloudwatch.DescribeAlarmHistoryInput{ScanBy: cwtypes.ScanByTimestampAscending,
			AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm}})
		return sim.summaries(items), sim.actions(sim.s.ActionsInvoked())
	}
	jumpHistory, jumpActions := run(time.Hour)
	if len(jumpActions) < 6 {
		t.Fatalf("the scenario invokes too few actions to compare: %v", jumpActions)
	}
	for _, step := range []time.Duration{time.Minute, 7 * time.Second} {
		history, actions := run(step)
		wantList(t, fmt.Sprintf("history polling every %s", step), history, jumpHistory)
		wantList(t, fmt.Sprintf("actions polling every %s", step), actions, jumpActions)
	}
}
