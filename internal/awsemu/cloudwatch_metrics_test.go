package awsemu

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
)

var metricsEpoch = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// newMetricsTestClient starts an emulator on a manual clock and returns the
// real SDK CloudWatch client pointed at it.
func newMetricsTestClient(t *testing.T) (*Server, *ManualClock, *cloudwatch.Client) {
	t.Helper()
	clock := NewManualClock(metricsEpoch)
	srv := New(Options{Clock: clock})
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	cfg := aws.Config{
		Region:      DefaultRegion,
		Credentials: credentials.NewStaticCredentialsProvider(DefaultAccessKey, DefaultSecretKey, ""),
	}
	client := cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) {
		o.BaseEndpoint = aws.String(url)
		o.RetryMaxAttempts = 1
	})
	return srv, clock, client
}

func dims(kv ...string) []cwtypes.Dimension {
	var out []cwtypes.Dimension
	for i := 0; i < len(kv); i += 2 {
		out = append(out, cwtypes.Dimension{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

func putValue(t *testing.T, c *cloudwatch.Client, ns, name string, ts time.Time, v float64, d ...string) {
	t.Helper()
	_, err := c.PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{
		Namespace:  aws.String(ns),
		MetricData: []cwtypes.MetricDatum{{MetricName: aws.String(name), Dimensions: dims(d...), Timestamp: aws.Time(ts), Value: aws.Float64(v)}},
	})
	if err != nil {
		t.Fatalf("PutMetricData %s/%s: %v", ns, name, err)
	}
}

func statQuery(id, ns, name, stat string, period int32, returnData bool, d ...string) cwtypes.MetricDataQuery {
	return cwtypes.MetricDataQuery{
		Id: aws.String(id),
		MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String(ns), MetricName: aws.String(name), Dimensions: dims(d...)},
			Period: aws.Int32(period), Stat: aws.String(stat),
		},
		ReturnData: aws.Bool(returnData),
	}
}

func exprQuery(id, expr string) cwtypes.MetricDataQuery {
	return cwtypes.MetricDataQuery{Id: aws.String(id), Expression: aws.String(expr), ReturnData: aws.Bool(true)}
}

type point struct {
	ts time.Time
	v  float64
}

func getData(t *testing.T, c *cloudwatch.Client, start, end time.Time, qs ...cwtypes.MetricDataQuery) map[string][]point {
	t.Helper()
	out, err := c.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(start), EndTime: aws.Time(end), MetricDataQueries: qs, ScanBy: cwtypes.ScanByTimestampAscending,
	})
	if err != nil {
		t.Fatalf("GetMetricData: %v", err)
	}
	res := map[string][]point{}
	for _, r := range out.MetricDataResults {
		if r.StatusCode != cwtypes.StatusCodeComplete {
			t.Errorf("result %s status %s", aws.ToString(r.Id), r.StatusCode)
		}
		pts := []point{}
		for i := range r.Timestamps {
			pts = append(pts, point{r.Timestamps[i].UTC(), r.Values[i]})
		}
		res[aws.ToString(r.Id)] = pts
	}
	return res
}

func TestGetMetricDataAggregatesStatistics(t *testing.T) {
	_, _, c := newMetricsTestClient(t)
	start := metricsEpoch.Add(-time.Hour)
	// Two 5-minute buckets: 3 samples in the first, 1 in the second, and a
	// sample for another dimension value that must not be mixed in.
	for i, v := range []float64{10, 20, 60} {
		putValue(t, c, "App", "Latency", start.Add(time.Duration(i)*time.Minute), v, "Service", "checkout")
	}
	putValue(t, c, "App", "Latency", start.Add(7*time.Minute), 5, "Service", "checkout")
	putValue(t, c, "App", "Latency", start.Add(time.Minute), 1000, "Service", "search")

	tests := map[string]struct {
		stat string
		want []float64
	}{
		"Sum adds the samples of each period":                 {stat: "Sum", want: []float64{90, 5}},
		"SampleCount counts the samples":                      {stat: "SampleCount", want: []float64{3, 1}},
		"Average divides the sum by the count":                {stat: "Average", want: []float64{30, 5}},
		"Minimum and Maximum":                                 {stat: "Maximum", want: []float64{60, 5}},
		"p50 is the nearest-rank median":                      {stat: "p50", want: []float64{20, 5}},
		"TC(:20) counts the samples at or under the boundary": {stat: "TC(:20)", want: []float64{2, 1}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := getData(t, c, start, start.Add(10*time.Minute), statQuery("m", "App", "Latency", tc.stat, 300, true, "Service", "checkout"))["m"]
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want values %v", got, tc.want)
			}
			for i, p := range got {
				if p.v != tc.want[i] || !p.ts.Equal(start.Add(time.Duration(i)*5*time.Minute)) {
					t.Errorf("datapoint %d = %v, want %v at %v", i, p, tc.want[i], start.Add(time.Duration(i)*5*time.Minute))
				}
			}
		})
	}
}

func TestGetMetricDataMetricMath(t *testing.T) {
	_, _, c := newMetricsTestClient(t)
	start := metricsEpoch.Add(-30 * time.Minute)
	// Requests in buckets 0, 1, 2; errors only in bucket 1.
	for k, n := range []float64{100, 200, 50} {
		putValue(t, c, "App", "Requests", start.Add(time.Duration(k)*5*time.Minute), n)
	}
	putValue(t, c, "App", "Errors", start.Add(5*time.Minute), 20)
	q := []cwtypes.MetricDataQuery{
		statQuery("req", "App", "Requests", "Sum", 300, false),
		statQuery("errs", "App", "Errors", "Sum", 300, false),
	}
	tests := map[string]struct {
		expr string
		want []float64
	}{
		"missing datapoints drop out of arithmetic":         {expr: "errs / req", want: []float64{0.1}},
		"FILL turns missing datapoints into zero":           {expr: "FILL(errs, 0) / req * 100", want: []float64{0, 10, 0}},
		"subtraction and parentheses":                       {expr: "(req - FILL(errs, 0)) / req", want: []float64{1, 0.9, 1}},
		"unary minus and constants":                         {expr: "-req + 2 * 100", want: []float64{100, 0, 150}},
		"IF keeps the datapoints where the condition holds": {expr: "IF(req >= 100, 1, 0)", want: []float64{1, 1, 0}},
		"SUM over an array adds per timestamp":              {expr: "SUM([req, FILL(errs, 0)])", want: []float64{100, 220, 50}},
		"an expression may use another expression":          {expr: "ratio * 1000", want: []float64{0, 100, 0}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			qs := append([]cwtypes.MetricDataQuery{}, q...)
			qs = append(qs, exprQuery("out", tc.expr))
			if strings.Contains(tc.expr, "ratio") {
				ratio := exprQuery("ratio", "FILL(errs, 0) / req")
				ratio.ReturnData = aws.Bool(false)
				qs = append(qs, ratio)
			}
			got := getData(t, c, start, start.Add(15*time.Minute), qs...)["out"]
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want values %v", got, tc.want)
			}
			for i, p := range got {
				if math.Abs(p.v-tc.want[i]) > 1e-9 {
					t.Errorf("datapoint %d = %v, want %v", i, p.v, tc.want[i])
				}
			}
		})
	}
}

func TestGetMetricDataRespectsTheClock(t *testing.T) {
	_, clock, c := newMetricsTestClient(t)
	// A datum up to two hours ahead is accepted but not visible until then.
	putValue(t, c, "App", "Requests", metricsEpoch.Add(30*time.Minute), 7)
	q := statQuery("m", "App", "Requests", "Sum", 3600, true)
	if got := getData(t, c, metricsEpoch, metricsEpoch.Add(time.Hour), q)["m"]; len(got) != 0 {
		t.Fatalf("future datum visible before its time: %v", got)
	}
	clock.Advance(time.Hour)
	if got := getData(t, c, metricsEpoch, metricsEpoch.Add(time.Hour), q)["m"]; len(got) != 1 || got[0].v != 7 {
		t.Fatalf("after advancing the clock got %v, want one datapoint of 7", got)
	}
	// PutMetricData without a timestamp uses the emulator clock.
	_, err := c.PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{
		Namespace: aws.String("App"), MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("Requests"), Value: aws.Float64(3)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	now := clock.Now()
	if got := getData(t, c, now.Add(-time.Minute), now.Add(time.Minute), statQuery("m", "App", "Requests", "Sum", 120, true))["m"]; len(got) != 1 || got[0].v != 3 {
		t.Fatalf("datum stamped by the clock: got %v", got)
	}
}

func TestPutMetricDataStatisticSetsAndValues(t *testing.T) {
	_, _, c := newMetricsTestClient(t)
	ts := metricsEpoch.Add(-10 * time.Minute)
	_, err := c.PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{
		Namespace: aws.String("App"),
		MetricData: []cwtypes.MetricDatum{
			{MetricName: aws.String("Latency"), Timestamp: aws.Time(ts), Values: []float64{100, 300, 900}, Counts: []float64{50, 30, 20}},
			{MetricName: aws.String("Requests"), Timestamp: aws.Time(ts), StatisticValues: &cwtypes.StatisticSet{SampleCount: aws.Float64(4), Sum: aws.Float64(40), Minimum: aws.Float64(1), Maximum: aws.Float64(20)}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := getData(t, c, ts, ts.Add(time.Minute),
		statQuery("good", "App", "Latency", "TC(:300)", 60, true),
		statQuery("total", "App", "Latency", "SampleCount", 60, true),
		statQuery("p90", "App", "Latency", "p90", 60, true),
		statQuery("avg", "App", "Requests", "Average", 60, true),
	)
	want := map[string]float64{"good": 80, "total": 100, "p90": 900, "avg": 10}
	for id, w := range want {
		if len(got[id]) != 1 || got[id][0].v != w {
			t.Errorf("%s = %v, want %v", id, got[id], w)
		}
	}
}

func TestPutMetricDataLargeBatchIsCompressed(t *testing.T) {
	// More than 10 KiB of payload makes the SDK gzip the body.
	_, _, c := newMetricsTestClient(t)
	var data []cwtypes.MetricDatum
	for i := 0; i < 1000; i++ {
		data = append(data, cwtypes.MetricDatum{MetricName: aws.String("Requests"), Dimensions: dims("Service", "checkout"),
			Timestamp: aws.Time(metricsEpoch.Add(-time.Duration(i+1) * time.Second)), Value: aws.Float64(1)})
	}
	if _, err := c.PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{Namespace: aws.String("App"), MetricData: data}); err != nil {
		t.Fatal(err)
	}
	got := getData(t, c, metricsEpoch.Add(-time.Hour), metricsEpoch, statQuery("m", "App", "Requests", "Sum", 3600, true, "Service", "checkout"))["m"]
	if len(got) != 1 || got[0].v != 1000 {
		t.Fatalf("got %v, want a single hourly sum of 1000", got)
	}
}

func TestMetricDataErrors(t *testing.T) {
	_, _, c := newMetricsTestClient(t)
	ctx := context.Background()
	put := func(in *cloudwatch.PutMetricDataInput) error { _, err := c.PutMetricData(ctx, in); return err }
	get := func(qs ...cwtypes.MetricDataQuery) error {
		_, err := c.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(metricsEpoch.Add(-time.Hour)), EndTime: aws.Time(metricsEpoch), MetricDataQueries: qs})
		return err
	}
	many := make([]cwtypes.MetricDataQuery, 501)
	for i := range many {
		many[i] = statQuery(fmt.Sprintf("m%d", i), "App", "Requests", "Sum", 60, true)
	}
	tests := map[string]struct {
		call func() error
		msg  string
	}{
		"a reserved AWS namespace is rejected": {
			call: func() error {
				return put(&cloudwatch.PutMetricDataInput{Namespace: aws.String("AWS/EC2"), MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("x"), Value: aws.Float64(1)}}})
			},
			msg: "reserved",
		},
		"a timestamp older than two weeks is rejected": {
			call: func() error {
				return put(&cloudwatch.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("x"), Value: aws.Float64(1), Timestamp: aws.Time(metricsEpoch.Add(-15 * 24 * time.Hour))}}})
			},
			msg: "two weeks",
		},
		"Value and Values together are rejected": {
			call: func() error {
				return put(&cloudwatch.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("x"), Value: aws.Float64(1), Values: []float64{1}}}})
			},
			msg: "exactly one of Value",
		},
		"more than 500 queries are rejected": {call: func() error { return get(many...) }, msg: "greater than 500"},
		"duplicate query ids are rejected": {
			call: func() error {
				return get(statQuery("a", "App", "R", "Sum", 60, true), statQuery("a", "App", "R", "Sum", 60, true))
			},
			msg: "not unique",
		},
		"an unknown statistic is rejected":    {call: func() error { return get(statQuery("a", "App", "R", "Median", 60, true)) }, msg: "not a supported statistic"},
		"a period of 45 seconds is rejected":  {call: func() error { return get(statQuery("a", "App", "R", "Sum", 45, true)) }, msg: "multiple of 60"},
		"an expression with an unknown id":    {call: func() error { return get(exprQuery("a", "b * 2")) }, msg: "unknown metric id b"},
		"an expression with a syntax error":   {call: func() error { return get(statQuery("m", "App", "R", "Sum", 60, false), exprQuery("a", "m +")) }, msg: "unexpected end"},
		"an unsupported function is rejected": {call: func() error { return get(statQuery("m", "App", "R", "Sum", 60, false), exprQuery("a", "SEARCH(m)")) }, msg: "unsupported function SEARCH"},
		"a circular expression is rejected": {
			call: func() error {
				b := exprQuery("b", "a + 1")
				b.ReturnData = aws.Bool(false)
				return get(exprQuery("a", "b + 1"), b)
			},
			msg: "circular",
		},
		"mixing periods in an expression is rejected": {
			call: func() error {
				return get(statQuery("m", "App", "R", "Sum", 60, false), statQuery("n", "App", "R", "Sum", 300, false), exprQuery("a", "m + n"))
			},
			msg: "cannot be combined",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := tc.call()
			var ae smithy.APIError
			if !errors.As(err, &ae) || !strings.Contains(ae.ErrorMessage(), tc.msg) {
				t.Fatalf("error = %v, want an API error containing %q", err, tc.msg)
			}
		})
	}
}

func TestGetMetricDataPaging(t *testing.T) {
	_, _, c := newMetricsTestClient(t)
	start := metricsEpoch.Add(-10 * time.Minute)
	for i := 0; i < 10; i++ {
		putValue(t, c, "App", "Requests", start.Add(time.Duration(i)*time.Minute), float64(i))
	}
	p := cloudwatch.NewGetMetricDataPaginator(c, &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(start), EndTime: aws.Time(metricsEpoch), MaxDatapoints: aws.Int32(4),
		MetricDataQueries: []cwtypes.MetricDataQuery{statQuery("m", "App", "Requests", "Sum", 60, true)},
		ScanBy:            cwtypes.ScanByTimestampAscending,
	})
	var values []float64
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		values = append(values, out.MetricDataResults[0].Values...)
	}
	if pages != 3 || len(values) != 10 || values[9] != 9 {
		t.Fatalf("got %d pages and values %v, want 3 pages covering 0..9", pages, values)
	}
}
