package provider

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/sre-provider/terraform-provider-sre/internal/alerting"
	"github.com/sre-provider/terraform-provider-sre/internal/awsemu"
	"github.com/sre-provider/terraform-provider-sre/internal/cwapi"
	"github.com/sre-provider/terraform-provider-sre/internal/slo"
)

// policyFixture writes n default alert policies (ten alarms each) to an
// emulator and returns their planned fingerprints, as the state holds them.
func policyFixture(tb testing.TB, n int) (*awsemu.Server, func() *cloudwatch.Client, []map[string]string) {
	tb.Helper()
	s := awsemu.New(awsemu.Options{})
	if _, err := s.Start("127.0.0.1:0"); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	newClient := func() *cloudwatch.Client {
		return cloudwatch.NewFromConfig(aws.Config{
			Region:      awsemu.DefaultRegion,
			Credentials: credentials.NewStaticCredentialsProvider(awsemu.DefaultAccessKey, awsemu.DefaultSecretKey, ""),
		}, func(o *cloudwatch.Options) { o.BaseEndpoint = aws.String(s.URL()) })
	}
	w := cwapi.NewAlarms(newClient(), time.Millisecond)
	states := make([]map[string]string, n)
	for i := range states {
		svc := fmt.Sprintf("svc-%03d", i)
		m := func(name string) slo.Metric {
			return slo.Metric{Namespace: "App", MetricName: name, Dimensions: map[string]string{"Service": svc}, Statistic: "Sum"}
		}
		set, _, errs := alerting.Build(alerting.Policy{Name: svc, Suppression: alerting.DefaultSuppression,
			SLO: slo.Spec{Name: svc, Objective: slo.MustObjective("99.9"), Period: slo.RollingDays(28), SLI: slo.SLI{Ratio: &slo.RatioSLI{
				Good: &slo.Query{Metrics: []slo.Metric{m("Good")}}, Total: &slo.Query{Metrics: []slo.Metric{m("Requests")}}}}},
			Routes: map[slo.Severity]alerting.Route{slo.SeverityPage: {Alarm: []string{pageTopic}}, slo.SeverityTicket: {Alarm: []string{ticketTopic}}}})
		if len(errs) > 0 {
			tb.Fatal(errs)
		}
		for _, a := range set.MetricAlarms {
			if err := w.PutMetric(context.Background(), a); err != nil {
				tb.Fatal(err)
			}
		}
		for _, c := range set.Composites {
			if err := w.PutComposite(context.Background(), c); err != nil {
				tb.Fatal(err)
			}
		}
		states[i] = set.Fingerprints()
	}
	return s, newClient, states
}

// refreshPolicies does what sre_alert_policy's Read does for every policy,
// parallelism at a time as Terraform's refresh walk would, through one
// provider process's shared alarm reader, and checks nothing drifted.
func refreshPolicies(tb testing.TB, a *cwapi.Alarms, states []map[string]string, parallelism int) {
	sem := make(chan struct{}, parallelism)
	var wg sync.WaitGroup
	errs := make([]error, len(states))
	for i, st := range states {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int, st map[string]string) {
			defer wg.Done()
			defer func() { <-sem }()
			got, err := a.Describe(context.Background(), sortedNames(st))
			if err != nil {
				errs[i] = err
				return
			}
			for n, fp := range st {
				if got[n].Fingerprint() != fp {
					errs[i] = fmt.Errorf("alarm %s: fingerprint %s, state %s", n, got[n].Fingerprint(), fp)
				}
			}
		}(i, st)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkRefresh200Policies refreshes 200 alert policies (2,000 alarms)
// ten at a time, like Terraform's default -parallelism, each iteration in a
// fresh provider process, and reports the DescribeAlarms calls per policy
// the emulator counted. CloudWatch throttles DescribeAlarms to a few calls
// per second per account, so one call per policy would crawl.
//
//	go test -run='^$' -bench=BenchmarkRefresh200Policies -benchtime=5x ./internal/provider
func BenchmarkRefresh200Policies(b *testing.B) {
	const n = 200
	s, newClient, states := policyFixture(b, n)
	s.ResetCalls()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		refreshPolicies(b, cwapi.NewAlarms(newClient(), 0), states, 10)
	}
	b.ReportMetric(float64(s.Calls("monitoring", "DescribeAlarms"))/float64(b.N)/n, "DescribeAlarms/policy")
	b.ReportMetric(float64(s.Calls("monitoring", ""))/float64(b.N)/n, "calls/policy")
}
