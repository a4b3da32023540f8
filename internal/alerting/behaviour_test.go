package alerting_test

// Behaviour of the alert set on the emulator clock: the alarms Build
// describes are written through cwapi to internal/awsemu, which evaluates
// them from PutMetricData traffic as CloudWatch does, and records which
// action ARNs were invoked when. Time moves by advancing the emulator's
// clock, never by sleeping.

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/sre-provider/terraform-provider-sre/internal/alerting"
	"github.com/sre-provider/terraform-provider-sre/internal/awsemu"
	"github.com/sre-provider/terraform-provider-sre/internal/cwapi"
	"github.com/sre-provider/terraform-provider-sre/internal/drill"
	"github.com/sre-provider/terraform-provider-sre/internal/slo"
)

const (
	pageARN   = "arn:aws:sns:us-east-1:123456789012:page"
	ticketARN = "arn:aws:sns:us-east-1:123456789012:ticket"
	perMinute = 600.0 // requests per minute of the simulated service
)

type harness struct {
	t      *testing.T
	srv    *awsemu.Server
	cw     *cloudwatch.Client
	alarms *cwapi.Alarms
	set    alerting.Set
	bad    float64 // bad events published since the harness started
}

// newHarness writes the alert set of a 99.9 % / 30-day login SLO (bad
// events over total) to a fresh emulator whose clock sits on a minute.
func newHarness(t *testing.T, edit func(*alerting.Policy)) *harness {
	t.Helper()
	srv := awsemu.New(awsemu.Options{Clock: awsemu.NewManualClock(time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC))})
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	cw := cloudwatch.NewFromConfig(aws.Config{
		Region:      awsemu.DefaultRegion,
		Credentials: credentials.NewStaticCredentialsProvider(awsemu.DefaultAccessKey, awsemu.DefaultSecretKey, ""),
	}, func(o *cloudwatch.Options) { o.BaseEndpoint = aws.String(url) })
	m := func(name string) slo.Metric {
		return slo.Metric{Namespace: "Identity", MetricName: name, Dimensions: map[string]string{"Service": "login"}, Statistic: "Sum"}
	}
	p := alerting.Policy{
		Name: "login", Suppression: alerting.DefaultSuppression,
		SLO: slo.Spec{Name: "login", Objective: slo.MustObjective("99.9"), Period: slo.RollingDays(30), SLI: slo.SLI{Ratio: &slo.RatioSLI{
			Bad: &slo.Query{Metrics: []slo.Metric{m("Errors")}}, Total: &slo.Query{Metrics: []slo.Metric{m("Requests")}}}}},
		Routes: map[slo.Severity]alerting.Route{
			slo.SeverityPage:   {Alarm: []string{pageARN}},
			slo.SeverityTicket: {Alarm: []string{ticketARN}},
		},
	}
	if edit != nil {
		edit(&p)
	}
	set, _, errs := alerting.Build(p)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	h := &harness{t: t, srv: srv, cw: cw, alarms: cwapi.NewAlarms(cw, time.Millisecond), set: set}
	ctx := context.Background()
	for _, a := range set.MetricAlarms {
		if err := h.alarms.PutMetric(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range set.Composites {
		if err := h.alarms.PutComposite(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

func (h *harness) now() time.Time { return h.srv.Clock().Now() }

func (h *harness) put(data []cwtypes.MetricDatum) {
	h.t.Helper()
	for len(data) > 0 {
		n := min(len(data), 1000)
		if _, err := h.cw.PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{Namespace: aws.String("Identity"), MetricData: data[:n]}); err != nil {
			h.t.Fatalf("PutMetricData: %v", err)
		}
		data = data[n:]
	}
}

func datum(name string, at time.Time, v float64) cwtypes.MetricDatum {
	return cwtypes.MetricDatum{MetricName: aws.String(name), Timestamp: aws.Time(at), Value: aws.Float64(v),
		Dimensions: []cwtypes.Dimension{{Name: aws.String("Service"), Value: aws.String("login")}}}
}

// backfill publishes the last d of traffic in 5-minute sums.
func (h *harness) backfill(d time.Duration, rate, errorRatio float64) {
	var data []cwtypes.MetricDatum
	for at := h.now().Add(-d); at.Before(h.now()); at = at.Add(5 * time.Minute) {
		data = append(data, datum("Requests", at, rate*5), datum("Errors", at, rate*5*errorRatio))
	}
	h.put(data)
}

// run publishes traffic every step for d, advancing the clock, and calls
// observe after each step.
func (h *harness) run(d, step time.Duration, rate, errorRatio float64, observe func()) {
	h.t.Helper()
	for end := h.now().Add(d); h.now().Before(end); {
		if rate > 0 {
			n := rate * step.Minutes()
			h.put([]cwtypes.MetricDatum{datum("Requests", h.now(), n), datum("Errors", h.now(), n*errorRatio)})
			h.bad += n * errorRatio
		}
		if err := h.srv.Advance(step); err != nil {
			h.t.Fatal(err)
		}
		if observe != nil {
			observe()
		}
	}
}

func (h *harness) invoked(arn string) []awsemu.ActionRecord {
	var out []awsemu.ActionRecord
	for _, r := range h.srv.ActionsInvoked() {
		if r.ARN == arn {
			out = append(out, r)
		}
	}
	return out
}

func (h *harness) state(name string) string {
	st, _ := h.srv.AlarmState(name)
	return st
}

// A total outage of a 99.9 % / 30-day SLO: every window fires within a
// minute of the time the workbook's formula gives, the page arrives within
// five minutes, and the ticket stays quiet because the page fires.
func TestBehaviourTotalOutagePagesAndSuppressesTheTicket(t *testing.T) {
	h := newHarness(t, nil)
	h.backfill(3*slo.Day, perMinute, 0)
	h.run(2*time.Minute, time.Minute, perMinute, 0, nil)
	if st := h.state("login-page"); st != "OK" {
		t.Fatalf("page composite %s before the outage, want OK", st)
	}
	start := h.now()
	detected := map[string]time.Duration{}
	spent := map[string]float64{}
	h.bad = 0
	h.run(10*time.Minute, 10*time.Second, perMinute, 1, func() {
		for _, w := range h.set.Windows {
			if _, ok := detected[w.Name]; !ok && h.state(w.LongAlarm) == "ALARM" && h.state(w.ShortAlarm) == "ALARM" {
				detected[w.Name] = h.now().Sub(start)
				// bad events so far over the budget of a 30-day period at this rate
				spent[w.Name] = h.bad / (0.001 * perMinute * 30 * 24 * 60)
			}
		}
	})
	t.Logf("%-12s %12s %12s %10s %10s", "window", "plan detect", "measured", "plan spent", "measured")
	for _, w := range h.set.Windows {
		d, ok := detected[w.Name]
		if !ok {
			t.Errorf("%s did not fire within 10 minutes of a total outage (plan: %s)", w.Name, w.DetectionTime)
			continue
		}
		t.Logf("%-12s %12s %12s %9.2f%% %9.2f%%", w.Name, w.DetectionTime, d, 100*w.BudgetSpent, 100*spent[w.Name])
		// CloudWatch evaluates once a minute, and traffic arrives in 10 s steps.
		if d < w.DetectionTime || d > w.DetectionTime+time.Minute+10*time.Second {
			t.Errorf("%s fired after %s; the formula gives %s plus at most a minute of evaluation", w.Name, d, w.DetectionTime)
		}
	}
	pages := h.invoked(pageARN)
	if len(pages) != 1 || pages[0].At.Sub(start) > 5*time.Minute {
		t.Fatalf("page actions %+v: want exactly one within 5 minutes of %s", pages, start)
	}
	if tickets := h.invoked(ticketARN); len(tickets) != 0 {
		t.Fatalf("ticket actions invoked while the page fires: %+v", tickets)
	}
	if h.state("login-ticket") != "ALARM" {
		t.Fatalf("the ticket composite is %s; it should be in ALARM with its actions suppressed", h.state("login-ticket"))
	}
	suppressed := false
	for _, r := range h.srv.ActionsSuppressed() {
		suppressed = suppressed || (r.ARN == ticketARN && r.SuppressedBy != "")
	}
	if !suppressed {
		t.Fatal("the ticket's action was not recorded as suppressed")
	}
}

func TestBehaviourSlowAndQuietBurns(t *testing.T) {
	tests := map[string]struct {
		edit             func(*alerting.Policy)
		rate, errorRatio float64
		page, ticket     bool
	}{
		"a 0.5 % error ratio (5× burn) opens a ticket and does not page": {rate: perMinute, errorRatio: 0.005, ticket: true},
		"a 0.05 % error ratio (0.5× burn) alerts nothing":                {rate: perMinute, errorRatio: 0.0005},
		"half of two requests a minute failing pages without a guard":    {rate: 2, errorRatio: 0.5, page: true, ticket: false},
		"the same traffic below the low-traffic guard alerts nothing": {rate: 2, errorRatio: 0.5,
			edit: func(p *alerting.Policy) { p.MinEventsPerHour = 600 }},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, tc.edit)
			h.backfill(3*slo.Day, tc.rate, tc.errorRatio)
			h.run(30*time.Minute, time.Minute, tc.rate, tc.errorRatio, nil)
			if got := len(h.invoked(pageARN)) > 0; got != tc.page {
				t.Errorf("paged = %v, want %v (page composite %s)", got, tc.page, h.state("login-page"))
			}
			ticketFired := h.state("login-ticket") == "ALARM"
			if tc.ticket && (!ticketFired || len(h.invoked(ticketARN)) != 1) {
				t.Errorf("ticket composite %s with %d ticket actions, want ALARM and one action", h.state("login-ticket"), len(h.invoked(ticketARN)))
			}
			if !tc.ticket && !tc.page && (ticketFired || len(h.srv.ActionsInvoked()) != 0) {
				t.Errorf("actions invoked: %+v", h.srv.ActionsInvoked())
			}
		})
	}
}

func TestBehaviourNoDataAlarmFiresWhenTheTotalStops(t *testing.T) {
	h := newHarness(t, func(p *alerting.Policy) {
		p.NoData = &alerting.NoData{After: 10 * time.Minute, Severity: slo.SeverityTicket}
	})
	h.backfill(time.Hour, perMinute, 0)
	h.run(20*time.Minute, time.Minute, perMinute, 0, nil)
	if st := h.state("login-no-data"); st != "OK" {
		t.Fatalf("no-data alarm %s while traffic flows, want OK", st)
	}
	stop := h.now()
	var fired time.Duration
	h.run(15*time.Minute, time.Minute, 0, 0, func() {
		if fired == 0 && h.state("login-no-data") == "ALARM" {
			fired = h.now().Sub(stop)
		}
	})
	if fired < 10*time.Minute || fired > 12*time.Minute {
		t.Fatalf("no-data alarm fired %s after the series stopped, want 10 to 12 minutes", fired)
	}
	if n := len(h.invoked(ticketARN)); n != 1 {
		t.Fatalf("%d ticket actions, want the no-data alarm's one", n)
	}
}

// The drill pages once through the real routing, the ticket fires
// suppressed, and the alarms return to OK at their next evaluation.
func TestBehaviourDrillPagesOnceAndSuppressesTheTicket(t *testing.T) {
	h := newHarness(t, nil)
	h.backfill(3*slo.Day, perMinute, 0)
	h.run(2*time.Minute, time.Minute, perMinute, 0, nil)
	var out bytes.Buffer
	res, err := drill.Run(context.Background(), h.alarms, "login", &out, drill.Options{Now: h.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	if len(res.Fired) != 8 || res.PageState != "ALARM" || res.TicketSup == "" {
		t.Fatalf("drill result %+v", res)
	}
	if pages := h.invoked(pageARN); len(pages) != 1 {
		t.Fatalf("page actions %+v: want one", pages)
	}
	out2, err := h.cw.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"login-page_fast-long"}})
	if err != nil || len(out2.MetricAlarms) != 1 || !strings.HasPrefix(aws.ToString(out2.MetricAlarms[0].StateReason), "drill:") {
		t.Fatalf("the window alarm's state reason does not say drill: %v %+v", err, out2)
	}
	if n := len(h.invoked(ticketARN)); n != 0 {
		t.Fatalf("%d ticket actions during the drill, want none (suppressed by the page)", n)
	}
	if !strings.Contains(out.String(), "login-page is ALARM: paged "+pageARN) {
		t.Fatalf("the drill's report does not say who was paged:\n%s", out.String())
	}
	h.run(time.Minute, time.Minute, perMinute, 0, nil)
	for _, w := range h.set.Windows {
		if st := h.state(w.LongAlarm); st != "OK" {
			t.Errorf("%s is %s a minute after the drill, want OK", w.LongAlarm, st)
		}
	}
	if st := h.state("login-page"); st != "OK" {
		t.Errorf("page composite %s a minute after the drill, want OK", st)
	}
	if n := len(h.invoked(pageARN)); n != 1 {
		t.Errorf("%d page actions after the drill ended, want 1", n)
	}
}
