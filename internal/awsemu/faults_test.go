package awsemu

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
)

func TestFaults_ScalingPolicyChangesDesiredAtItsInstant(t *testing.T) {
	f := newFleet(t, 2, func(in *autoscaling.CreateAutoScalingGroupInput) { in.MaxSize = aws.Int32(4) })
	at := f.clock.Now().Add(5 * time.Minute)
	f.s.ScheduleDesiredCapacity(at, f.name, 9) // clamped to max 4
	f.clock.Advance(4 * time.Minute)
	if d := aws.ToInt32(f.group(t).DesiredCapacity); d != 2 {
		t.Fatalf("desired %d before the policy fires, want 2", d)
	}
	// A jump past the instant applies it at its instant: launches start then.
	f.clock.Advance(10 * time.Minute)
	g := f.group(t)
	if d := aws.ToInt32(g.DesiredCapacity); d != 4 {
		t.Fatalf("desired %d after the policy, want 4 (clamped to max)", d)
	}
	if got := f.states(t); got[astypes.LifecycleStateInService] != 4 {
		t.Fatalf("states %v, want 4 in service", got)
	}
	out, err := f.cl.AutoScaling.DescribeScalingActivities(tctx, &autoscaling.DescribeScalingActivitiesInput{AutoScalingGroupName: aws.String(f.name)})
	if err != nil {
		t.Fatal(err)
	}
	launchedAt := time.Time{}
	for _, a := range out.Activities {
		if a.StartTime != nil && aws.ToTime(a.StartTime).After(at.Add(-time.Second)) && launchedAt.IsZero() {
			launchedAt = aws.ToTime(a.StartTime)
		}
	}
	if !launchedAt.Equal(at) {
		t.Fatalf("first activity after the policy started at %v, want %v", launchedAt, at)
	}
}

func TestFaults_BrokenImageFailsItsInstancesHealth(t *testing.T) {
	f := newFleet(t, 1, nil)
	img := f.s.AddImage("web-v2")
	f.s.SetImageHealth(img, false)
	// A new template version on the broken image; the group launches from it.
	newVersion(t, f.cl, f.ltID, img)
	f.setDesired(t, 2)
	f.clock.Advance(10 * time.Minute)
	broken := 0
	f.s.mu.Lock()
	for _, in := range f.s.rs.ec2.instances {
		if in.imageID == img && !in.appHealthy {
			broken++
		}
		if in.imageID != img && !in.appHealthy {
			t.Errorf("instance %s on the good image is unhealthy", in.id)
		}
	}
	f.s.mu.Unlock()
	if broken != 1 {
		t.Fatalf("%d unhealthy instances on the broken image, want 1", broken)
	}
}

func TestFaults_AlarmGoesToAlarmAtItsInstant(t *testing.T) {
	s, cl := startEmulator(t)
	if _, err := cl.CloudWatch.PutMetricAlarm(tctx, errorRatioAlarm("latency", 60)); err != nil {
		t.Fatal(err)
	}
	at := s.Clock().Now().Add(90 * time.Second)
	s.ScheduleAlarmState(at, "latency", "ALARM", "injected")
	if err := s.Advance(time.Minute); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.AlarmState("latency"); st == "ALARM" {
		t.Fatal("the alarm fired before its instant")
	}
	if err := s.Advance(31 * time.Second); err != nil {
		t.Fatal(err)
	}
	out, err := cl.CloudWatch.DescribeAlarmHistory(tctx, &cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String("latency"), HistoryItemType: "StateUpdate"})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, h := range out.AlarmHistoryItems {
		found = found || aws.ToTime(h.Timestamp).Equal(at)
	}
	if !found {
		t.Fatalf("no state update stamped %v in %+v", at, out.AlarmHistoryItems)
	}
}
