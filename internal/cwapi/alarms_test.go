package cwapi

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/sre-provider/terraform-provider-sre/internal/alerting"
	"github.com/sre-provider/terraform-provider-sre/internal/awsemu"
	"github.com/sre-provider/terraform-provider-sre/internal/slo"
)

func emulator(t *testing.T) (*awsemu.Server, *cloudwatch.Client) {
	t.Helper()
	s := awsemu.New(awsemu.Options{})
	url, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, cloudwatch.NewFromConfig(aws.Config{
		Region:      awsemu.DefaultRegion,
		Credentials: credentials.NewStaticCredentialsProvider(awsemu.DefaultAccessKey, awsemu.DefaultSecretKey, ""),
	}, func(o *cloudwatch.Options) { o.BaseEndpoint = aws.String(url) })
}

func testSet(t *testing.T, objective string) alerting.Set {
	t.Helper()
	m := func(name string) slo.Metric {
		return slo.Metric{Namespace: "App", MetricName: name, Dimensions: map[string]string{"Service": "login"}, Statistic: "Sum"}
	}
	set, _, errs := alerting.Build(alerting.Policy{
		Name: "login", Suppression: alerting.DefaultSuppression, MinEventsPerHour: 60,
		SLO: slo.Spec{Name: "login", Objective: slo.MustObjective(objective), Period: slo.RollingDays(30), SLI: slo.SLI{Ratio: &slo.RatioSLI{
			Good: &slo.Query{Metrics: []slo.Metric{m("Good")}}, Total: &slo.Query{Metrics: []slo.Metric{m("Requests")}}}}},
		Routes: map[slo.Severity]alerting.Route{
			slo.SeverityPage:   {Alarm: []string{"arn:aws:sns:us-east-1:123456789012:page"}},
			slo.SeverityTicket: {Alarm: []string{"arn:aws:sns:us-east-1:123456789012:ticket"}},
		},
		NoData: &alerting.NoData{After: 10 * time.Minute, Severity: slo.SeverityTicket},
		Tags:   map[string]string{"team": "identity"},
	})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return set
}

func write(t *testing.T, a *Alarms, set alerting.Set) {
	t.Helper()
	ctx := context.Background()
	for _, m := range set.MetricAlarms {
		if err := a.PutMetric(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range set.Composites {
		if err := a.PutComposite(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
}

// The fingerprint of what CloudWatch returns must equal the planned one, or
// every refresh would report drift.
func TestAlarmsRoundTripKeepsFingerprints(t *testing.T) {
	srv, cw := emulator(t)
	a := NewAlarms(cw, time.Millisecond)
	set := testSet(t, "99.9")
	write(t, a, set)
	want := set.Fingerprints()
	names := make([]string, 0, len(want))
	for n := range want {
		names = append(names, n)
	}
	got, err := a.Describe(context.Background(), names)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("described %d alarms, want %d", len(got), len(want))
	}
	for n, fp := range want {
		if got[n].Fingerprint() != fp {
			t.Errorf("%s: fingerprint read back %s, planned %s", n, got[n].Fingerprint(), fp)
		}
	}
	tags, err := a.Tags(context.Background(), got["login-page"].ARN)
	if err != nil || tags["team"] != "identity" || tags[alerting.TagSLO] != "login" {
		t.Fatalf("tags %v, %v", tags, err)
	}

	// A changed objective changes thresholds: written in place, read back equal.
	next := testSet(t, "99.95")
	c := alerting.PlanChanges("login", next, want)
	if len(c.PutMetric) != 8 || len(c.PutComposite) != 2 { // composite descriptions name the objective
		t.Fatalf("objective change: %d metric and %d composite writes, want 8 and 2", len(c.PutMetric), len(c.PutComposite))
	}
	write(t, a, alerting.Set{MetricAlarms: c.PutMetric, Composites: c.PutComposite})
	got, _ = a.Describe(context.Background(), names)
	for n, fp := range next.Fingerprints() {
		if got[n].Fingerprint() != fp {
			t.Errorf("after update %s: fingerprint %s, planned %s", n, got[n].Fingerprint(), fp)
		}
	}

	// Delete skips names that are already gone.
	if err := a.Delete(context.Background(), append([]string{"login-ticket", "login-page", "not-there"}, names...)); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.Describe(context.Background(), names); len(got) != 0 {
		t.Fatalf("%d alarms left after delete", len(got))
	}
	if srv.Calls("monitoring", "DeleteAlarms") == 0 {
		t.Fatal("no DeleteAlarms call reached the emulator")
	}
}

func TestDescribeCoalescesConcurrentReads(t *testing.T) {
	srv, cw := emulator(t)
	a := NewAlarms(cw, 50*time.Millisecond)
	set := testSet(t, "99.9")
	write(t, a, set)
	srv.ResetCalls()
	done := make(chan error)
	for _, m := range set.MetricAlarms {
		go func(n string) {
			got, err := a.Describe(context.Background(), []string{n})
			if err == nil && len(got) != 1 {
				err = context.DeadlineExceeded
			}
			done <- err
		}(m.Name)
	}
	for range set.MetricAlarms {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.Calls("monitoring", "DescribeAlarms"); n != 1 {
		t.Fatalf("%d concurrent reads made %d DescribeAlarms calls, want 1", len(set.MetricAlarms), n)
	}
}
