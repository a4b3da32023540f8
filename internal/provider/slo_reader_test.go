package provider

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/sre-provider/terraform-provider-sre/internal/awsemu"
	"github.com/sre-provider/terraform-provider-sre/internal/slo"
	"github.com/sre-provider/terraform-provider-sre/internal/slodash"
)

// readerFixture starts an emulator holding n SLO dashboards with metrics and
// returns it with a fresh CloudWatch client (so a fresh reader, as in a new
// provider process) and the SLO definitions.
func readerFixture(tb testing.TB, n int) (*awsemu.Server, func() *cloudwatch.Client, []slo.Document) {
	tb.Helper()
	s := awsemu.New(awsemu.Options{})
	if _, err := s.Start("127.0.0.1:0"); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	prev := sloStatusNow
	sloStatusNow = s.Clock().Now
	tb.Cleanup(func() { sloStatusNow = prev })
	newClient := func() *cloudwatch.Client {
		return cloudwatch.NewFromConfig(aws.Config{
			Region:      awsemu.DefaultRegion,
			Credentials: credentials.NewStaticCredentialsProvider(awsemu.DefaultAccessKey, awsemu.DefaultSecretKey, ""),
		}, func(o *cloudwatch.Options) { o.BaseEndpoint = aws.String(s.URL()) })
	}
	cw := newClient()
	ctx := context.Background()
	now := s.Clock().Now()
	docs := make([]slo.Document, n)
	for i := range docs {
		svc := fmt.Sprintf("svc-%03d", i)
		dims := map[string]string{"Service": svc}
		period := "28d"
		if i%4 == 3 {
			period = "30d"
		}
		docs[i] = slo.Document{Version: slo.DocumentVersion, Name: svc, Objective: "99.9", Period: period,
			SLI: slo.SLIDoc{Ratio: &slo.RatioDoc{
				Good:  &slo.QueryDoc{Namespace: "App", MetricName: "Good", Dimensions: dims, Statistic: "Sum"},
				Total: &slo.QueryDoc{Namespace: "App", MetricName: "Requests", Dimensions: dims, Statistic: "Sum"},
			}}}
		body, err := slodash.Render(docs[i], awsemu.DefaultRegion)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := cw.PutDashboard(ctx, &cloudwatch.PutDashboardInput{DashboardName: aws.String(slodash.DashboardName(svc)), DashboardBody: aws.String(body)}); err != nil {
			tb.Fatal(err)
		}
		dim := []cwtypes.Dimension{{Name: aws.String("Service"), Value: aws.String(svc)}}
		_, err = cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []cwtypes.MetricDatum{
			{MetricName: aws.String("Requests"), Dimensions: dim, Timestamp: aws.Time(now.Add(-time.Hour)), Value: aws.Float64(1000)},
			{MetricName: aws.String("Good"), Dimensions: dim, Timestamp: aws.Time(now.Add(-time.Hour)), Value: aws.Float64(999)},
		}})
		if err != nil {
			tb.Fatal(err)
		}
	}
	return s, newClient, docs
}

// refreshAll does what sre_slo's Read does for every SLO, parallelism at a
// time, as Terraform's refresh walk would.
func refreshAll(tb testing.TB, cw *cloudwatch.Client, docs []slo.Document, parallelism int) {
	reader := sloReaderFor(cw)
	sem := make(chan struct{}, parallelism)
	var wg sync.WaitGroup
	errs := make([]error, len(docs))
	for i, d := range docs {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int, d slo.Document) {
			defer wg.Done()
			defer func() { <-sem }()
			body, err := reader.dashboard(context.Background(), d.Name)
			if err != nil {
				errs[i] = err
				return
			}
			if got, err := slodash.Parse(body); err != nil || !reflect.DeepEqual(got, d) {
				errs[i] = fmt.Errorf("dashboard of %s: %v", d.Name, err)
				return
			}
			res, err := reader.status(context.Background(), d)
			if err == nil && (!res.HasData || res.AttainmentPercent != 99.9) {
				err = fmt.Errorf("status of %s = %+v", d.Name, res.Status)
			}
			errs[i] = err
		}(i, d)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			tb.Fatal(err)
		}
	}
}

func TestSLOReaderServesRefreshesFromOneSnapshot(t *testing.T) {
	s, newClient, docs := readerFixture(t, 30)
	s.ResetCalls()
	refreshAll(t, newClient(), docs, 10)
	// 28d and 30d totals, and the shared window series: three calls.
	if got := s.Calls("monitoring", "GetMetricData"); got != 3 {
		t.Errorf("GetMetricData calls = %d, want 3", got)
	}
	if got := s.Calls("monitoring", "GetDashboard"); got != 30 {
		t.Errorf("GetDashboard calls = %d, want one per SLO", got)
	}
}

func TestSLOReaderFallsBackWhenTheDefinitionDiffers(t *testing.T) {
	s, newClient, docs := readerFixture(t, 3)
	reader := sloReaderFor(newClient())
	changed := docs[0]
	changed.Objective = "99.5" // state differs from the dashboard (drift)
	s.ResetCalls()
	if _, err := reader.status(context.Background(), docs[1]); err != nil {
		t.Fatal(err)
	}
	before := s.Calls("monitoring", "GetMetricData")
	res, err := reader.status(context.Background(), changed)
	if err != nil {
		t.Fatal(err)
	}
	if s.Calls("monitoring", "GetMetricData") == before {
		t.Error("a definition that differs from the snapshot must be evaluated on its own")
	}
	// 1 bad of 1,000 against a 0.5 % budget: 1 − 1/5 of the budget left.
	if res.BudgetRemainingFraction != 0.8 {
		t.Errorf("status for the changed definition = %+v", res.Status)
	}
	reader.forget(docs[1].Name)
	if _, err := reader.dashboard(context.Background(), docs[1].Name); err != nil {
		t.Fatal(err)
	}
	if _, err := reader.dashboard(context.Background(), "no-such-slo"); err != errSLODashboardNotFound {
		t.Errorf("missing dashboard error = %v, want errSLODashboardNotFound", err)
	}
}

// BenchmarkRefresh200SLOs refreshes 200 SLOs the way the provider's Read
// does (dashboard, then live status), ten at a time like Terraform's default
// -parallelism, each iteration in a fresh provider process (a new client),
// and reports the AWS calls per SLO that the emulator counted.
//
//	go test -run='^$' -bench=BenchmarkRefresh200SLOs -benchtime=5x ./internal/provider
func BenchmarkRefresh200SLOs(b *testing.B) {
	const n = 200
	s, newClient, docs := readerFixture(b, n)
	s.ResetCalls()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		refreshAll(b, newClient(), docs, 10)
	}
	per := func(op string) float64 { return float64(s.Calls("monitoring", op)) / float64(b.N) / n }
	b.ReportMetric(per("GetMetricData"), "GetMetricData/SLO")
	b.ReportMetric(per("GetDashboard"), "GetDashboard/SLO")
	b.ReportMetric(per("ListDashboards")*n, "ListDashboards/refresh")
	b.ReportMetric(float64(s.Calls("monitoring", ""))/float64(b.N)/n, "calls/SLO")
}
