package slostatus_test

import (
	"context"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/sre-provider/terraform-provider-sre/internal/awsemu"
	"github.com/sre-provider/terraform-provider-sre/internal/cwapi"
	"github.com/sre-provider/terraform-provider-sre/internal/slo"
	"github.com/sre-provider/terraform-provider-sre/internal/slostatus"
)

// now is on a 5-minute boundary, so the evaluated ranges end exactly here.
var now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func startEmulator(tb testing.TB) (*awsemu.Server, *cloudwatch.Client) {
	tb.Helper()
	srv := awsemu.New(awsemu.Options{Clock: awsemu.NewManualClock(now)})
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = srv.Close() })
	client := cloudwatch.NewFromConfig(aws.Config{
		Region:      awsemu.DefaultRegion,
		Credentials: credentials.NewStaticCredentialsProvider(awsemu.DefaultAccessKey, awsemu.DefaultSecretKey, ""),
	}, func(o *cloudwatch.Options) { o.BaseEndpoint = aws.String(url) })
	return srv, client
}

type datum struct {
	name   string
	ago    time.Duration
	value  float64
	values []float64
	counts []float64
}

func put(tb testing.TB, c *cloudwatch.Client, service string, data ...datum) {
	tb.Helper()
	var md []cwtypes.MetricDatum
	for _, d := range data {
		m := cwtypes.MetricDatum{
			MetricName: aws.String(d.name), Timestamp: aws.Time(now.Add(-d.ago)),
			Dimensions: []cwtypes.Dimension{{Name: aws.String("Service"), Value: aws.String(service)}},
		}
		if d.values != nil {
			m.Values, m.Counts = d.values, d.counts
		} else {
			m.Value = aws.Float64(d.value)
		}
		md = append(md, m)
	}
	if _, err := c.PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{Namespace: aws.String("App"), MetricData: md}); err != nil {
		tb.Fatalf("PutMetricData: %v", err)
	}
}

func metric(service, name, stat string) slo.Metric {
	return slo.Metric{Namespace: "App", MetricName: name, Dimensions: map[string]string{"Service": service}, Statistic: stat}
}

func ratioSLI(service string) slo.SLI {
	return slo.SLI{Ratio: &slo.RatioSLI{
		Good:  &slo.Query{Metrics: []slo.Metric{metric(service, "Good", "Sum")}},
		Total: &slo.Query{Metrics: []slo.Metric{metric(service, "Requests", "Sum")}},
	}}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestFetchMatchesHandComputedStatus(t *testing.T) {
	srv, c := startEmulator(t)
	// checkout: 10,000 requests two days ago with 10 bad and 1,000 requests
	// 30 minutes ago with 100 bad. The 1d SLO over the same metrics must only
	// see the recent ones.
	put(t, c, "checkout",
		datum{name: "Requests", ago: 48 * time.Hour, value: 10_000}, datum{name: "Good", ago: 48 * time.Hour, value: 9_990},
		datum{name: "Requests", ago: 30 * time.Minute, value: 1_000}, datum{name: "Good", ago: 30 * time.Minute, value: 900},
	)
	// search: bad events as an expression over two error metrics.
	put(t, c, "search",
		datum{name: "Requests", ago: 10 * time.Minute, value: 4_000},
		datum{name: "Err4xx", ago: 10 * time.Minute, value: 2},
		datum{name: "Err5xx", ago: 3 * time.Hour, value: 1}, datum{name: "Requests", ago: 3 * time.Hour, value: 1_000},
	)
	// latency: 1,000 samples, 990 of them at or under 300 ms.
	put(t, c, "api", datum{name: "Latency", ago: 20 * time.Minute, values: []float64{120, 300, 1200}, counts: []float64{900, 90, 10}})
	// slices: five 5-minute slices in the last hour, one with p99 above 250.
	for i, v := range []float64{100, 200, 900, 150, 240} {
		put(t, c, "slices", datum{name: "Latency", ago: time.Duration(i+1) * 5 * time.Minute, value: v})
	}

	bad := &slo.Query{Expression: "e4 + e5", Metrics: []slo.Metric{
		{ID: "e4", Namespace: "App", MetricName: "Err4xx", Dimensions: map[string]string{"Service": "search"}, Statistic: "Sum"},
		{ID: "e5", Namespace: "App", MetricName: "Err5xx", Dimensions: map[string]string{"Service": "search"}, Statistic: "Sum"},
	}}
	p99 := 99.0
	defs := []slostatus.Definition{
		{Objective: slo.MustObjective("99.9"), Period: slo.RollingDays(28), SLI: ratioSLI("checkout")},
		{Objective: slo.MustObjective("99.9"), Period: slo.RollingDays(1), SLI: ratioSLI("checkout")},
		{Objective: slo.MustObjective("99"), Period: slo.RollingDays(28), SLI: slo.SLI{Ratio: &slo.RatioSLI{Bad: bad, Total: &slo.Query{Metrics: []slo.Metric{metric("search", "Requests", "Sum")}}}}},
		{Objective: slo.MustObjective("98"), Period: slo.RollingDays(28), SLI: slo.SLI{Latency: &slo.LatencySLI{Metric: slo.Metric{Namespace: "App", MetricName: "Latency", Dimensions: map[string]string{"Service": "api"}}, Threshold: 300}}},
		{Objective: slo.MustObjective("99.9"), Period: slo.RollingDays(28), SLI: slo.SLI{Latency: &slo.LatencySLI{Metric: slo.Metric{Namespace: "App", MetricName: "Latency", Dimensions: map[string]string{"Service": "slices"}}, Threshold: 250, Percentile: &p99}}},
	}
	results, errs, stats, err := slostatus.Fetch(context.Background(), cwapi.MetricData{API: c}, now, defs)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range errs {
		if e != nil {
			t.Fatalf("definition %d: %v", i, e)
		}
	}

	tests := []struct {
		name       string
		attainment float64
		remaining  float64
		remainEv   float64
		release    bool
		burn       map[string]float64
	}{
		{
			name: "28d checkout: 110 bad of 11,000 is 99% against 99.9%, budget overspent ninefold",
			// allowed = 0.001 × 11,000 = 11; remaining = 1 − 110/11 = −9
			attainment: 99, remaining: -9, remainEv: -99, release: false,
			// 30m and 1h: 100/1,000 = 0.1 → 100; 5m: no traffic → 0; 3d: 110/11,000 = 0.01 → 10
			burn: map[string]float64{"1h": 100, "30m": 100, "5m": 0, "3d": 10},
		},
		{
			name:       "1d checkout only sees the last day: 100 bad of 1,000",
			attainment: 90, remaining: 1 - 100.0/1, remainEv: 1 - 100, release: false,
		},
		{
			name: "search with a bad-events expression: 3 bad of 5,000",
			// allowed = 0.01 × 5,000 = 50; remaining = 1 − 3/50
			attainment: 99.94, remaining: 1 - 3.0/50, remainEv: 47, release: true,
			// 1h: 2 bad of 4,000 → 0.0005/0.01 = 0.05; 6h: 3 of 5,000 → 0.06
			burn: map[string]float64{"1h": 0.05, "6h": 0.06},
		},
		{
			name: "request-based latency: 990 of 1,000 at or under 300",
			// allowed = 0.02 × 1,000 = 20; bad 10 → remaining 0.5
			attainment: 99, remaining: 0.5, remainEv: 10, release: true,
			burn: map[string]float64{"1h": 0.5},
		},
		{
			name: "time-based p99 under 250: 4 good slices of 5",
			// budget base = 0.001 × 8,064 slices = 8.064; bad 1 → remaining 1 − 1/8.064
			attainment: 80, remaining: 1 - 1/8.064, remainEv: 8.064 - 1, release: true,
			// 1h: 1 bad of 5 slices → 0.2/0.001 = 200
			burn: map[string]float64{"1h": 200},
		},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := results[i].Status
			if !st.HasData || !near(st.AttainmentPercent, tc.attainment) || !near(st.BudgetRemainingFraction, tc.remaining) ||
				!near(st.BudgetRemainingEvents, tc.remainEv) || st.ReleaseAllowed != tc.release {
				t.Fatalf("status = %+v", st)
			}
			for w, want := range tc.burn {
				if !near(st.BurnRates[w], want) {
					t.Errorf("burn rate %s = %v, want %v", w, st.BurnRates[w], want)
				}
			}
		})
	}
	// 28d totals and time slices share one range, the 1d totals another, the
	// 3-day window series a third: three calls for five SLOs.
	if got := srv.Calls("monitoring", "GetMetricData"); got != 3 || stats.Calls != 3 {
		t.Errorf("GetMetricData calls = %d (stats %d), want 3", got, stats.Calls)
	}
}

func TestFetchWithoutDataKeepsTheBudget(t *testing.T) {
	_, c := startEmulator(t)
	results, errs, _, err := slostatus.Fetch(context.Background(), cwapi.MetricData{API: c}, now, []slostatus.Definition{{Objective: slo.MustObjective("99.9"), Period: slo.MonthPeriod(), SLI: ratioSLI("idle")}})
	if err != nil || errs[0] != nil {
		t.Fatal(err, errs)
	}
	st := results[0]
	if st.HasData || st.BudgetRemainingFraction != 1 || !st.ReleaseAllowed {
		t.Fatalf("status without data = %+v", st.Status)
	}
	if !st.WindowStart.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) || !st.WindowEnd.Equal(now) {
		t.Errorf("calendar month window = %v .. %v", st.WindowStart, st.WindowEnd)
	}
}

func TestFetchReportsInvalidDefinitionsPerSLO(t *testing.T) {
	_, c := startEmulator(t)
	_, errs, _, err := slostatus.Fetch(context.Background(), cwapi.MetricData{API: c}, now, []slostatus.Definition{
		{Objective: slo.MustObjective("99.9"), Period: slo.RollingDays(7), SLI: slo.SLI{}},
		{Objective: slo.MustObjective("99.9"), Period: slo.RollingDays(7), SLI: ratioSLI("ok")},
	})
	if err != nil || errs[0] == nil || errs[1] != nil {
		t.Fatalf("err %v, per-SLO errors %v: want only the first to fail", err, errs)
	}
}

func TestBatcherCoalescesConcurrentRequests(t *testing.T) {
	srv, c := startEmulator(t)
	put(t, c, "s0", datum{name: "Requests", ago: time.Hour, value: 10}, datum{name: "Good", ago: time.Hour, value: 10})
	b := slostatus.NewBatcher(cwapi.MetricData{API: c}, func() time.Time { return now }, 50*time.Millisecond)
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, errs[i] = b.Status(context.Background(), slostatus.Definition{Objective: slo.MustObjective("99"), Period: slo.RollingDays(28), SLI: ratioSLI(fmt.Sprintf("s%d", i))})
		}(i)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := srv.Calls("monitoring", "GetMetricData"); got != 2 {
		t.Fatalf("20 concurrent requests made %d GetMetricData calls, want 2", got)
	}
}
