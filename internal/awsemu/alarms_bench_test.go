package awsemu

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// benchPolicies is about what 200 alert policies create: per service eight
// burn-rate windows, a no-data alarm and one more window (10 metric alarms)
// plus the page and ticket composites.
const benchPolicies = 200

var benchWindows = []int32{3600, 300, 21600, 1800, 86400, 7200, 259200, 21600, 1800}

func benchService(p int) string { return fmt.Sprintf("svc-%03d", p) }

func setupAlarmBench(b *testing.B) (*Server, *cloudwatch.Client) {
	b.Helper()
	s, _, cw := newMetricsTestClient(&testing.T{})
	ctx := context.Background()
	for p := 0; p < benchPolicies; p++ {
		svc := benchService(p)
		var windows []string
		for i, period := range benchWindows {
			in := burnAlarm(fmt.Sprintf("%s-w%d", svc, i), period, 0.0144)
			for _, m := range in.Metrics[:2] {
				m.MetricStat.Metric.Dimensions = dims("Service", svc)
			}
			in.AlarmActions = []string{pageTopic}
			if _, err := cw.PutMetricAlarm(ctx, in); err != nil {
				b.Fatal(err)
			}
			windows = append(windows, *in.AlarmName)
		}
		nd := noDataAlarm(svc+"-nodata", 5, "breaching")
		nd.Dimensions = dims("Service", svc)
		if _, err := cw.PutMetricAlarm(ctx, nd); err != nil {
			b.Fatal(err)
		}
		page := fmt.Sprintf("(ALARM(%q) AND ALARM(%q)) OR (ALARM(%q) AND ALARM(%q))", windows[0], windows[1], windows[2], windows[3])
		ticket := fmt.Sprintf("(ALARM(%q) AND ALARM(%q)) OR (ALARM(%q) AND ALARM(%q))", windows[4], windows[5], windows[6], windows[7])
		if _, err := cw.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String(svc + "-page"), AlarmRule: aws.String(page),
			AlarmActions: []string{pageTopic}}); err != nil {
			b.Fatal(err)
		}
		if _, err := cw.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String(svc + "-ticket"), AlarmRule: aws.String(ticket),
			AlarmActions: []string{ticketTopic}, ActionsSuppressor: aws.String(svc + "-page"),
			ActionsSuppressorWaitPeriod: aws.Int32(120), ActionsSuppressorExtensionPeriod: aws.Int32(300)}); err != nil {
			b.Fatal(err)
		}
	}
	return s, cw
}

// publishMinute sends one minute of traffic for every service; every tenth
// service has an error burst in minutes 20–30.
func publishMinute(b *testing.B, s *Server, cw *cloudwatch.Client, minute int) {
	b.Helper()
	ts := aws.Time(s.Clock().Now())
	var data []cwtypes.MetricDatum
	for p := 0; p < benchPolicies; p++ {
		good := 1000.0
		if p%10 == 0 && minute >= 20 && minute < 30 {
			good = 900
		}
		data = append(data,
			cwtypes.MetricDatum{MetricName: aws.String("Requests"), Dimensions: dims("Service", benchService(p)), Timestamp: ts, Value: aws.Float64(1000)},
			cwtypes.MetricDatum{MetricName: aws.String("Good"), Dimensions: dims("Service", benchService(p)), Timestamp: ts, Value: aws.Float64(good)})
	}
	if _, err := cw.PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{Namespace: aws.String("App"), MetricData: data}); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkAlarmsSimulatedHour is one simulated hour of 2,000 metric alarms
// and 400 composites evaluated every minute, with traffic published each
// minute through the SDK client.
func BenchmarkAlarmsSimulatedHour(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s, cw := setupAlarmBench(b)
		b.StartTimer()
		for m := 0; m < 60; m++ {
			publishMinute(b, s, cw, m)
			if err := s.Advance(time.Minute); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		if len(s.ActionsInvoked()) == 0 {
			b.Fatal("no alarm fired")
		}
		_ = s.Close()
	}
}

// BenchmarkDescribeAlarmsByName describes 100 of 2,400 alarms by name.
func BenchmarkDescribeAlarmsByName(b *testing.B) {
	s, cw := setupAlarmBench(b)
	defer func() { _ = s.Close() }()
	var names []string
	for p := 0; p < 100; p++ {
		names = append(names, benchService(p)+"-w0")
	}
	in := &cloudwatch.DescribeAlarmsInput{AlarmNames: names, MaxRecords: aws.Int32(100)}
	b.ResetTimer()
	for b.Loop() {
		out, err := cw.DescribeAlarms(context.Background(), in)
		if err != nil || len(out.MetricAlarms) != 100 {
			b.Fatalf("DescribeAlarms: %d alarms, %v", len(out.MetricAlarms), err)
		}
	}
}
