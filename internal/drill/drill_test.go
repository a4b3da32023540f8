package drill

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sre-provider/terraform-provider-sre/internal/alerting"
	"github.com/sre-provider/terraform-provider-sre/internal/awsclient"
	"github.com/sre-provider/terraform-provider-sre/internal/awsemu"
	"github.com/sre-provider/terraform-provider-sre/internal/cwapi"
	"github.com/sre-provider/terraform-provider-sre/internal/slo"
)

// fake is an in-memory Alarms: composites whose state follows their rule
// only as far as the test needs (any child in ALARM puts it in ALARM).
type fake struct {
	composites map[string]*alerting.CompositeAlarm
	states     map[string]string
	failAfter  int
	sets       int
}

func (f *fake) Describe(_ context.Context, names []string) (map[string]cwapi.Observed, error) {
	out := map[string]cwapi.Observed{}
	for _, n := range names {
		if c, ok := f.composites[n]; ok {
			st := "OK"
			for _, ch := range c.Children {
				if f.states[ch] == "ALARM" {
					st = "ALARM"
				}
			}
			out[n] = cwapi.Observed{State: st, Composite: c}
		}
	}
	return out, nil
}

func (f *fake) SetState(_ context.Context, name, state, reason string) error {
	if f.failAfter > 0 && f.sets >= f.failAfter {
		return errors.New("throttled")
	}
	if !strings.HasPrefix(reason, "drill:") {
		return errors.New("reason does not say drill")
	}
	f.sets++
	f.states[name] = state
	return nil
}

func policyFake() *fake {
	return &fake{states: map[string]string{}, composites: map[string]*alerting.CompositeAlarm{
		"p-page": {Name: "p-page", Rule: `(ALARM("p-page_fast-long") AND ALARM("p-page_fast-short"))`, Children: []string{"p-page_fast-long", "p-page_fast-short"},
			Actions: alerting.Route{Alarm: []string{"arn:aws:sns:us-east-1:123456789012:page"}}},
	}}
}

func TestRunReportsWhatItFired(t *testing.T) {
	f := policyFake()
	var out bytes.Buffer
	clock := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	res, err := Run(context.Background(), f, "p", &out, Options{Now: func() time.Time { return clock }, Wait: time.Minute, Poll: 10 * time.Second,
		Sleep: func(d time.Duration) { clock = clock.Add(d); f.states = map[string]string{} }})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Fired) != 2 || res.PageState != "ALARM" || !res.ReturnedOK {
		t.Fatalf("result %+v", res)
	}
	for _, want := range []string{"09:00:00  p-page_fast-long → ALARM", "p-page is ALARM: paged arn:aws:sns", "p-page returned to OK after 10s"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunFailsClearly(t *testing.T) {
	tests := map[string]struct {
		policy string
		fake   *fake
		want   string
	}{
		"an unknown policy":          {"q", policyFake(), "policy q has no page composite alarm q-page"},
		"a failure part way says so": {"p", func() *fake { f := policyFake(); f.failAfter = 1; return f }(), "stopped after 1 of 2 alarms: throttled"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Run(context.Background(), tc.fake, tc.policy, &bytes.Buffer{}, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestMainUsage(t *testing.T) {
	var stderr bytes.Buffer
	if code := Main(nil, &bytes.Buffer{}, &stderr); code != 2 || !strings.Contains(stderr.String(), "exactly one policy name") {
		t.Fatalf("Main() = %d, stderr %q", code, stderr.String())
	}
}

func TestMainAgainstTheEmulator(t *testing.T) {
	srv := awsemu.New(awsemu.Options{})
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	t.Setenv("AWS_ACCESS_KEY_ID", awsemu.DefaultAccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", awsemu.DefaultSecretKey)
	t.Setenv("AWS_PROFILE", "")
	cl, err := awsclient.New(context.Background(), awsclient.Config{Region: awsemu.DefaultRegion, Endpoints: awsclient.Endpoints{CloudWatch: url, STS: url}})
	if err != nil {
		t.Fatal(err)
	}
	m := slo.Metric{Namespace: "App", MetricName: "Requests", Statistic: "Sum"}
	set, _, errs := alerting.Build(alerting.Policy{Name: "web", Suppression: alerting.DefaultSuppression,
		SLO: slo.Spec{Name: "web", Objective: slo.MustObjective("99.9"), Period: slo.RollingDays(30),
			SLI: slo.SLI{Ratio: &slo.RatioSLI{Good: &slo.Query{Metrics: []slo.Metric{m}}, Total: &slo.Query{Metrics: []slo.Metric{m}}}}},
		Routes: map[slo.Severity]alerting.Route{slo.SeverityPage: {Alarm: []string{"arn:aws:sns:us-east-1:123456789012:oncall"}}}})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	a := cwapi.NewAlarms(cl.CloudWatch, time.Millisecond)
	for _, ma := range set.MetricAlarms {
		if err := a.PutMetric(context.Background(), ma); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range set.Composites {
		if err := a.PutComposite(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"-region", awsemu.DefaultRegion, "-endpoint", url, "web"}, &stdout, &stderr); code != 0 {
		t.Fatalf("drill exited %d: %s", code, stderr.String())
	}
	pages := 0
	for _, r := range srv.ActionsInvoked() {
		if r.ARN == "arn:aws:sns:us-east-1:123456789012:oncall" {
			pages++
		}
	}
	if pages != 1 || !strings.Contains(stdout.String(), "web-page is ALARM: paged") {
		t.Fatalf("%d pages; output:\n%s", pages, stdout.String())
	}
}
