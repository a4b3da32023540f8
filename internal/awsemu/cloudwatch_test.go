package awsemu

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

func errorRatioAlarm(name string, period int32) *cloudwatch.PutMetricAlarmInput {
	stat := func(id, metric string) types.MetricDataQuery {
		return types.MetricDataQuery{Id: aws.String(id), ReturnData: aws.Bool(false), MetricStat: &types.MetricStat{
			Metric: &types.Metric{Namespace: aws.String("App"), MetricName: aws.String(metric),
				Dimensions: []types.Dimension{{Name: aws.String("Service"), Value: aws.String("login")}}},
			Period: aws.Int32(period), Stat: aws.String("Sum")}}
	}
	return &cloudwatch.PutMetricAlarmInput{
		AlarmName:          aws.String(name),
		ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold,
		EvaluationPeriods:  aws.Int32(1),
		Threshold:          aws.Float64(0.0144),
		TreatMissingData:   aws.String("notBreaching"),
		AlarmActions:       []string{"arn:aws:sns:us-east-1:123456789012:page"},
		Tags:               []types.Tag{{Key: aws.String("team"), Value: aws.String("sre")}},
		Metrics: []types.MetricDataQuery{
			stat("bad", "Errors"), stat("total", "Requests"),
			{Id: aws.String("ratio"), Expression: aws.String("FILL(bad,0)/total"), ReturnData: aws.Bool(true)},
		},
	}
}

func TestCloudWatch_MetricAndCompositeAlarmsRoundTrip(t *testing.T) {
	s, cl := startEmulator(t)
	ctx := context.Background()
	cw := cl.CloudWatch
	for _, in := range []*cloudwatch.PutMetricAlarmInput{errorRatioAlarm("page-long", 3600), errorRatioAlarm("page-short", 300)} {
		if _, err := cw.PutMetricAlarm(ctx, in); err != nil {
			t.Fatalf("PutMetricAlarm %s: %v", *in.AlarmName, err)
		}
	}
	_, err := cw.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{
		AlarmName: aws.String("page"),
		AlarmRule: aws.String(`ALARM("page-long") AND ALARM("page-short")`),
	})
	if err != nil {
		t.Fatalf("PutCompositeAlarm: %v", err)
	}
	out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{
		AlarmNamePrefix: aws.String("page"),
		AlarmTypes:      []types.AlarmType{types.AlarmTypeMetricAlarm, types.AlarmTypeCompositeAlarm},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricAlarms) != 2 || len(out.CompositeAlarms) != 1 {
		t.Fatalf("got %d metric and %d composite alarms, want 2 and 1", len(out.MetricAlarms), len(out.CompositeAlarms))
	}
	long := out.MetricAlarms[0]
	if *long.AlarmName != "page-long" || long.StateValue != types.StateValueInsufficientData {
		t.Fatalf("new alarm %s in state %s, want INSUFFICIENT_DATA", *long.AlarmName, long.StateValue)
	}
	if len(long.Metrics) != 3 || *long.Metrics[2].Expression != "FILL(bad,0)/total" || *long.Metrics[0].MetricStat.Period != 3600 {
		t.Fatalf("metrics not echoed: %+v", long.Metrics)
	}
	if *long.Threshold != 0.0144 || *long.TreatMissingData != "notBreaching" || long.AlarmActions[0] != "arn:aws:sns:us-east-1:123456789012:page" {
		t.Fatalf("alarm config not echoed: %+v", long)
	}
	if *out.CompositeAlarms[0].AlarmRule != `ALARM("page-long") AND ALARM("page-short")` {
		t.Fatalf("rule = %q", *out.CompositeAlarms[0].AlarmRule)
	}

	// Long AND short: one window alone must not fire the composite.
	if _, err := cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("page-long"), StateValue: types.StateValueAlarm, StateReason: aws.String("test")}); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.AlarmState("page"); st == "ALARM" {
		t.Fatalf("composite fired with only the long window in ALARM")
	}
	if err := s.SetAlarmState("page-short", "ALARM"); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.AlarmState("page"); st != "ALARM" {
		t.Fatalf("composite state %s, want ALARM when both windows fire", st)
	}

	tags, err := cw.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: long.AlarmArn})
	if err != nil || len(tags.Tags) != 1 || *tags.Tags[0].Key != "team" {
		t.Fatalf("tags = %+v, %v", tags, err)
	}
	if _, err := cw.TagResource(ctx, &cloudwatch.TagResourceInput{ResourceARN: long.AlarmArn, Tags: []types.Tag{{Key: aws.String("slo"), Value: aws.String("login")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cw.UntagResource(ctx, &cloudwatch.UntagResourceInput{ResourceARN: long.AlarmArn, TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, _ = cw.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: long.AlarmArn})
	if len(tags.Tags) != 1 || *tags.Tags[0].Key != "slo" {
		t.Fatalf("tags after tag/untag = %+v", tags.Tags)
	}

	if _, err := cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"page", "page-long", "page-short"}}); err != nil {
		t.Fatal(err)
	}
	out, _ = cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmTypes: []types.AlarmType{types.AlarmTypeMetricAlarm, types.AlarmTypeCompositeAlarm}})
	if len(out.MetricAlarms)+len(out.CompositeAlarms) != 0 {
		t.Fatalf("alarms left after delete: %+v", out)
	}
}

func TestCloudWatch_MalformedAlarmsAreRejected(t *testing.T) {
	_, cl := startEmulator(t)
	ctx := context.Background()
	cases := []struct {
		name string
		edit func(*cloudwatch.PutMetricAlarmInput)
		code string
	}{
		{"a period that is not 10, 20, 30 or a multiple of 60", func(in *cloudwatch.PutMetricAlarmInput) { in.Metrics[0].MetricStat.Period = aws.Int32(45) }, "ValidationError"},
		{"a 1-hour period over 170 evaluation periods exceeds 7 days", func(in *cloudwatch.PutMetricAlarmInput) { in.EvaluationPeriods = aws.Int32(170) }, "ValidationError"},
		{"no metric returns data", func(in *cloudwatch.PutMetricAlarmInput) { in.Metrics[2].ReturnData = aws.Bool(false) }, "ValidationError"},
		{"expression names an unknown id", func(in *cloudwatch.PutMetricAlarmInput) {
			in.Metrics[2].Expression = aws.String("FILL(bad,0)/requests")
		}, "ValidationError"},
		{"metric name and metrics together", func(in *cloudwatch.PutMetricAlarmInput) {
			in.MetricName = aws.String("Errors")
			in.Namespace = aws.String("App")
		}, "InvalidParameterCombination"},
		{"eleven metric stats (ten expressions would be fine)", func(in *cloudwatch.PutMetricAlarmInput) {
			for i := 0; i < 9; i++ {
				q := in.Metrics[0]
				q.Id = aws.String("m" + string(rune('a'+i)))
				in.Metrics = append(in.Metrics, q)
			}
		}, "ValidationError"},
		{"missing evaluation periods", func(in *cloudwatch.PutMetricAlarmInput) { in.EvaluationPeriods = nil }, "MissingParameter"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := errorRatioAlarm("bad", 3600)
			tc.edit(in)
			_, err := cl.CloudWatch.PutMetricAlarm(ctx, in)
			wantAPIError(t, err, tc.code)
		})
	}
	_, err := cl.CloudWatch.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("c"), AlarmRule: aws.String(`ALARM("nope")`)})
	wantAPIError(t, err, "ValidationError")

	if _, err := cl.CloudWatch.PutMetricAlarm(ctx, errorRatioAlarm("window", 300)); err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]string{{"page", `ALARM(window)`}, {"escalation", `ALARM(page)`}} {
		if _, err := cl.CloudWatch.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String(c[0]), AlarmRule: aws.String(c[1])}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		in   cloudwatch.PutCompositeAlarmInput
	}{
		{"a suppressor without wait and extension periods", cloudwatch.PutCompositeAlarmInput{ActionsSuppressor: aws.String("page")}},
		{"a suppressor with only a wait period", cloudwatch.PutCompositeAlarmInput{ActionsSuppressor: aws.String("page"), ActionsSuppressorWaitPeriod: aws.Int32(60)}},
		{"wait and extension periods without a suppressor", cloudwatch.PutCompositeAlarmInput{ActionsSuppressorWaitPeriod: aws.Int32(60), ActionsSuppressorExtensionPeriod: aws.Int32(60)}},
		{"a suppressor that does not exist", cloudwatch.PutCompositeAlarmInput{ActionsSuppressor: aws.String("nope"),
			ActionsSuppressorWaitPeriod: aws.Int32(60), ActionsSuppressorExtensionPeriod: aws.Int32(60)}},
		{"a rule that refers back to the alarm through another composite", cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("page"), AlarmRule: aws.String(`ALARM(escalation)`)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			if in.AlarmName == nil {
				in.AlarmName = aws.String("ticket")
			}
			if in.AlarmRule == nil {
				in.AlarmRule = aws.String(`ALARM(window)`)
			}
			_, err := cl.CloudWatch.PutCompositeAlarm(ctx, &in)
			wantAPIError(t, err, "ValidationError")
		})
	}
	_, err = cl.CloudWatch.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("nope"), StateValue: types.StateValueOk, StateReason: aws.String("x")})
	wantAPIError(t, err, "ResourceNotFound")
}

func TestCloudWatch_Dashboards(t *testing.T) {
	_, cl := startEmulator(t)
	ctx := context.Background()
	cw := cl.CloudWatch
	body := `{"widgets":[{"type":"text","x":0,"y":0,"width":6,"height":2,"properties":{"markdown":"SLO"}}]}`
	if _, err := cw.PutDashboard(ctx, &cloudwatch.PutDashboardInput{DashboardName: aws.String("slo-login"), DashboardBody: aws.String(body)}); err != nil {
		t.Fatal(err)
	}
	got, err := cw.GetDashboard(ctx, &cloudwatch.GetDashboardInput{DashboardName: aws.String("slo-login")})
	if err != nil || *got.DashboardBody != body {
		t.Fatalf("GetDashboard = %v, %v", got, err)
	}
	list, err := cw.ListDashboards(ctx, &cloudwatch.ListDashboardsInput{DashboardNamePrefix: aws.String("slo-")})
	if err != nil || len(list.DashboardEntries) != 1 {
		t.Fatalf("ListDashboards = %+v, %v", list, err)
	}
	_, err = cw.PutDashboard(ctx, &cloudwatch.PutDashboardInput{DashboardName: aws.String("bad"), DashboardBody: aws.String(`{"widgets": 3}`)})
	wantAPIError(t, err, "InvalidParameterInput")
	if _, err := cw.DeleteDashboards(ctx, &cloudwatch.DeleteDashboardsInput{DashboardNames: []string{"slo-login"}}); err != nil {
		t.Fatal(err)
	}
	_, err = cw.GetDashboard(ctx, &cloudwatch.GetDashboardInput{DashboardName: aws.String("slo-login")})
	wantAPIError(t, err, "ResourceNotFound")
}

func TestCloudWatch_EvaluationWindowRoundTrips(t *testing.T) {
	_, cl := startEmulator(t)
	ctx := context.Background()
	cases := []struct {
		name   string
		window types.EvaluationWindow
		period int32
		check  func(t *testing.T, got types.EvaluationWindow)
	}{
		{"no window is echoed as none", nil, 3600, func(t *testing.T, got types.EvaluationWindow) {
			if got != nil {
				t.Fatalf("window = %#v, want nil", got)
			}
		}},
		{"a sliding window comes back as a sliding window", &types.EvaluationWindowMemberSlidingWindow{}, 3600, func(t *testing.T, got types.EvaluationWindow) {
			if _, ok := got.(*types.EvaluationWindowMemberSlidingWindow); !ok {
				t.Fatalf("window = %#v, want SlidingWindow", got)
			}
		}},
		{"a wall clock window keeps its time zone", &types.EvaluationWindowMemberWallClockWindow{Value: types.WallClockWindow{Timezone: aws.String("Asia/Tokyo")}}, 3600,
			func(t *testing.T, got types.EvaluationWindow) {
				w, ok := got.(*types.EvaluationWindowMemberWallClockWindow)
				if !ok || aws.ToString(w.Value.Timezone) != "Asia/Tokyo" {
					t.Fatalf("window = %#v, want WallClockWindow in Asia/Tokyo", got)
				}
			}},
		{"a wall clock window without a time zone", &types.EvaluationWindowMemberWallClockWindow{}, 300, func(t *testing.T, got types.EvaluationWindow) {
			if w, ok := got.(*types.EvaluationWindowMemberWallClockWindow); !ok || w.Value.Timezone != nil {
				t.Fatalf("window = %#v, want WallClockWindow without a time zone", got)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := errorRatioAlarm("window", tc.period)
			in.EvaluationWindow = tc.window
			if _, err := cl.CloudWatch.PutMetricAlarm(ctx, in); err != nil {
				t.Fatal(err)
			}
			out, err := cl.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"window"}})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.MetricAlarms) != 1 {
				t.Fatalf("got %d alarms", len(out.MetricAlarms))
			}
			tc.check(t, out.MetricAlarms[0].EvaluationWindow)
			// The described alarm can be put back unchanged.
			m := out.MetricAlarms[0]
			back := &cloudwatch.PutMetricAlarmInput{AlarmName: m.AlarmName, ComparisonOperator: m.ComparisonOperator,
				EvaluationPeriods: m.EvaluationPeriods, Threshold: m.Threshold, TreatMissingData: m.TreatMissingData,
				Metrics: m.Metrics, EvaluationWindow: m.EvaluationWindow, AlarmActions: m.AlarmActions}
			if _, err := cl.CloudWatch.PutMetricAlarm(ctx, back); err != nil {
				t.Fatalf("put described alarm back: %v", err)
			}
		})
	}

	in := errorRatioAlarm("half-hour", 1800)
	in.EvaluationWindow = &types.EvaluationWindowMemberWallClockWindow{}
	_, err := cl.CloudWatch.PutMetricAlarm(ctx, in)
	wantAPIError(t, err, "ValidationError")
	in = errorRatioAlarm("nowhere", 3600)
	in.EvaluationWindow = &types.EvaluationWindowMemberWallClockWindow{Value: types.WallClockWindow{Timezone: aws.String("+05:31")}}
	_, err = cl.CloudWatch.PutMetricAlarm(ctx, in)
	wantAPIError(t, err, "ValidationError")
}

func TestCloudWatch_DeleteAlarmsTakesANameTwice(t *testing.T) {
	s, cl := startEmulator(t)
	ctx := context.Background()
	if _, err := cl.CloudWatch.PutMetricAlarm(ctx, errorRatioAlarm("twice", 300)); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.CloudWatch.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"twice", "twice"}}); err != nil {
		t.Fatalf("DeleteAlarms with a repeated name: %v", err)
	}
	if _, ok := s.AlarmState("twice"); ok {
		t.Fatal("alarm still exists")
	}
	// The emulator still answers afterwards.
	if _, err := cl.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{}); err != nil {
		t.Fatal(err)
	}
}
