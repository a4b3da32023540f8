package awsemu

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

func TestFleet_ScaleOutWaitsForWarmup(t *testing.T) {
	f := newFleet(t, 2, func(in *autoscaling.CreateAutoScalingGroupInput) {
		in.HealthCheckGracePeriod = aws.Int32(60)
		in.DefaultInstanceWarmup = aws.Int32(120)
	})
	if got := f.states(t); got[astypes.LifecycleStateInService] != 2 {
		t.Fatalf("initial instances = %v", got)
	}
	f.setDesired(t, 3)
	for _, step := range []struct {
		name    string
		advance time.Duration
		want    map[astypes.LifecycleState]int
	}{
		{"desired+1 launches one pending instance", 0, map[astypes.LifecycleState]int{"InService": 2, "Pending": 1}},
		{"it stays pending through launch and warm-up", 30*time.Second + 119*time.Second, map[astypes.LifecycleState]int{"InService": 2, "Pending": 1}},
		{"it enters service once max(grace, warm-up) has passed after launch", time.Second, map[astypes.LifecycleState]int{"InService": 3}},
	} {
		f.clock.Advance(step.advance)
		if got := f.states(t); !equalCounts(got, step.want) {
			t.Fatalf("%s: states = %v, want %v", step.name, got, step.want)
		}
	}
}

func equalCounts(a, b map[astypes.LifecycleState]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func zonesOf(instances map[string]astypes.Instance) map[string]int {
	m := map[string]int{}
	for _, in := range instances {
		m[*in.AvailabilityZone]++
	}
	return m
}

func TestFleet_LaunchesSpreadAcrossZones(t *testing.T) {
	f := newFleet(t, 7, nil)
	got := zonesOf(f.live(t))
	if got["us-east-1a"] != 3 || got["us-east-1b"] != 2 || got["us-east-1c"] != 2 {
		t.Fatalf("zones = %v, want 3/2/2 with the tie going to the first zone", got)
	}
}

// versions counts live instances by zone and launch template version.
func versions(instances map[string]astypes.Instance) map[string]int {
	m := map[string]int{}
	for _, in := range instances {
		m[*in.AvailabilityZone+"/v"+*in.LaunchTemplate.Version]++
	}
	return m
}

func TestFleet_ScaleInPicksZoneBeforeTemplateAge(t *testing.T) {
	// Two zones, four v1 instances; the template moves to v2 and a rollout
	// surges by one and sets desired back, three times over.
	f := newFleet(t, 4, func(in *autoscaling.CreateAutoScalingGroupInput) {
		in.AvailabilityZones = []string{"us-east-1a", "us-east-1b"}
	})
	newVersion(t, f.cl, f.ltID, f.s.AddImage("web-v2"))
	steps := []struct {
		name       string
		want       map[string]int
		killedVers string
	}{
		{"within the fuller zone the oldest template version goes first", map[string]int{"us-east-1a/v1": 1, "us-east-1a/v2": 1, "us-east-1b/v1": 2}, "1"},
		{"zones tie, so the surge lands in the first and its v1 goes", map[string]int{"us-east-1a/v2": 2, "us-east-1b/v1": 2}, "1"},
		{"zone balance beats template age: a NEW instance is killed while zone b keeps v1", map[string]int{"us-east-1a/v2": 2, "us-east-1b/v1": 2}, "2"},
	}
	for _, step := range steps {
		f.setDesired(t, 5)
		f.clock.Advance(2 * time.Minute)
		surged := f.live(t)
		f.setDesired(t, 4)
		after := f.live(t)
		if got := versions(after); !equalMaps(got, step.want) {
			t.Fatalf("%s: live = %v, want %v", step.name, got, step.want)
		}
		var killed astypes.Instance
		for id, in := range surged {
			if _, ok := after[id]; !ok {
				killed = in
			}
		}
		if *killed.LaunchTemplate.Version != step.killedVers || *killed.AvailabilityZone != "us-east-1a" {
			t.Fatalf("%s: killed v%s in %s, want v%s in us-east-1a", step.name, *killed.LaunchTemplate.Version, *killed.AvailabilityZone, step.killedVers)
		}
		f.clock.Advance(10 * time.Minute)
	}
}

func equalMaps(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestFleet_TerminationPolicies(t *testing.T) {
	for _, tc := range []struct {
		name     string
		policies []string
		wantNew  bool // whether the newest instance is the one terminated
	}{
		{"OldestInstance terminates the oldest instance", []string{"OldestInstance"}, false},
		{"NewestInstance terminates the newest instance", []string{"NewestInstance"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFleet(t, 1, func(in *autoscaling.CreateAutoScalingGroupInput) {
				in.AvailabilityZones = []string{"us-east-1a"}
				in.TerminationPolicies = tc.policies
			})
			oldest := *f.group(t).Instances[0].InstanceId
			f.setDesired(t, 2)
			f.clock.Advance(5 * time.Minute)
			f.setDesired(t, 1)
			_, oldKept := f.live(t)[oldest]
			if oldKept != tc.wantNew {
				t.Fatalf("old instance kept = %v, want %v", oldKept, tc.wantNew)
			}
		})
	}
}

func TestFleet_TargetedTerminate(t *testing.T) {
	f := newFleet(t, 3, func(in *autoscaling.CreateAutoScalingGroupInput) { in.MinSize = aws.Int32(2) })
	ids := sortedIDs(f.live(t))
	victim := ids[1]
	out, err := f.cl.AutoScaling.TerminateInstanceInAutoScalingGroup(tctx, &autoscaling.TerminateInstanceInAutoScalingGroupInput{
		InstanceId: aws.String(victim), ShouldDecrementDesiredCapacity: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(*out.Activity.Description, victim) || !strings.Contains(*out.Activity.Cause, "shrinking the capacity from 3 to 2") {
		t.Fatalf("activity = %+v", out.Activity)
	}
	f.clock.Advance(10 * time.Minute)
	if got := sortedIDs(f.live(t)); len(got) != 2 || got[0] != ids[0] || got[1] != ids[2] || *f.group(t).DesiredCapacity != 2 {
		t.Fatalf("after terminating %s with decrement: live %v (was %v)", victim, got, ids)
	}
	inst, err := f.cl.EC2.DescribeInstances(tctx, &ec2.DescribeInstancesInput{InstanceIds: []string{victim}})
	if err != nil {
		t.Fatal(err)
	}
	if st := inst.Reservations[0].Instances[0].State.Name; st != "terminated" {
		t.Fatalf("victim state = %s", st)
	}

	// At min size a decrement would violate the group's minimum.
	_, err = f.cl.AutoScaling.TerminateInstanceInAutoScalingGroup(tctx, &autoscaling.TerminateInstanceInAutoScalingGroupInput{
		InstanceId: aws.String(ids[0]), ShouldDecrementDesiredCapacity: aws.Bool(true),
	})
	wantAPIError(t, err, "ValidationError")

	// Without a decrement the group replaces the instance.
	if _, err := f.cl.AutoScaling.TerminateInstanceInAutoScalingGroup(tctx, &autoscaling.TerminateInstanceInAutoScalingGroupInput{
		InstanceId: aws.String(ids[0]), ShouldDecrementDesiredCapacity: aws.Bool(false),
	}); err != nil {
		t.Fatal(err)
	}
	live := f.live(t)
	if _, ok := live[ids[0]]; ok || len(live) != 2 {
		t.Fatalf("instance not replaced: %v", sortedIDs(live))
	}
}

func sortedIDs(m map[string]astypes.Instance) []string {
	var ids []string
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func TestFleet_ScaleInProtection(t *testing.T) {
	f := newFleet(t, 3, nil)
	ids := sortedIDs(f.live(t))
	if _, err := f.cl.AutoScaling.SetInstanceProtection(tctx, &autoscaling.SetInstanceProtectionInput{
		AutoScalingGroupName: aws.String(f.name), InstanceIds: ids[:2], ProtectedFromScaleIn: aws.Bool(true),
	}); err != nil {
		t.Fatal(err)
	}
	f.setDesired(t, 0)
	live := f.live(t)
	if len(live) != 2 || live[ids[0]].ProtectedFromScaleIn == nil || !*live[ids[0]].ProtectedFromScaleIn {
		t.Fatalf("protected instances must survive scale in: %v", sortedIDs(live))
	}
	if _, ok := live[ids[2]]; ok {
		t.Fatalf("unprotected instance %s survived", ids[2])
	}
}

func TestFleet_SuspendedProcesses(t *testing.T) {
	f := newFleet(t, 2, nil)
	suspend := func(procs ...string) {
		t.Helper()
		if _, err := f.cl.AutoScaling.SuspendProcesses(tctx, &autoscaling.SuspendProcessesInput{AutoScalingGroupName: aws.String(f.name), ScalingProcesses: procs}); err != nil {
			t.Fatal(err)
		}
	}
	resume := func(procs ...string) {
		t.Helper()
		if _, err := f.cl.AutoScaling.ResumeProcesses(tctx, &autoscaling.ResumeProcessesInput{AutoScalingGroupName: aws.String(f.name), ScalingProcesses: procs}); err != nil {
			t.Fatal(err)
		}
	}
	suspend("AZRebalance", "Launch")
	var names []string
	for _, p := range f.group(t).SuspendedProcesses {
		names = append(names, *p.ProcessName)
		if !strings.HasPrefix(*p.SuspensionReason, "User suspended at ") {
			t.Fatalf("reason = %q", *p.SuspensionReason)
		}
	}
	if !sameSet(names, []string{"AZRebalance", "Launch"}) {
		t.Fatalf("suspended = %v", names)
	}

	f.setDesired(t, 4)
	f.clock.Advance(5 * time.Minute)
	if n := len(f.live(t)); n != 2 {
		t.Fatalf("launched %d instances with Launch suspended", n-2)
	}
	resume("Launch")
	if got := f.states(t); got["Pending"] != 2 {
		t.Fatalf("resuming Launch must catch up: %v", got)
	}

	suspend("Terminate")
	f.setDesired(t, 1)
	f.clock.Advance(5 * time.Minute)
	if n := len(f.live(t)); n != 4 {
		t.Fatalf("scaled in to %d with Terminate suspended", n)
	}
	resume() // all
	if n := len(f.live(t)); n != 1 || len(f.group(t).SuspendedProcesses) != 0 {
		t.Fatalf("after resuming everything: %d live, suspended %v", n, f.group(t).SuspendedProcesses)
	}
}

func TestFleet_FailedLaunchesAreRetried(t *testing.T) {
	f := newFleet(t, 1, nil)
	f.s.FailLaunches(f.name, 2)
	f.setDesired(t, 2)
	acts, err := f.cl.AutoScaling.DescribeScalingActivities(tctx, &autoscaling.DescribeScalingActivitiesInput{AutoScalingGroupName: aws.String(f.name)})
	if err != nil {
		t.Fatal(err)
	}
	if a := acts.Activities[0]; a.StatusCode != astypes.ScalingActivityStatusCodeFailed || !strings.Contains(*a.StatusMessage, "sufficient capacity") {
		t.Fatalf("latest activity = %+v", a)
	}
	f.clock.Advance(10 * time.Second) // second attempt fails too
	if n := len(f.live(t)); n != 1 {
		t.Fatalf("live = %d during failures", n)
	}
	f.clock.Advance(10 * time.Second)
	if n := len(f.live(t)); n != 2 {
		t.Fatalf("live = %d after failures ran out", n)
	}

	// A template version whose image is gone fails every launch.
	v := newVersion(t, f.cl, f.ltID, f.s.AddImage("doomed"))
	img := f.s.rs.ec2.templates[f.ltID].versions[int(v)].data.imageID
	if _, err := f.cl.EC2.DeregisterImage(tctx, &ec2.DeregisterImageInput{ImageId: aws.String(img)}); err != nil {
		t.Fatal(err)
	}
	f.setDesired(t, 3)
	acts, err = f.cl.AutoScaling.DescribeScalingActivities(tctx, &autoscaling.DescribeScalingActivitiesInput{AutoScalingGroupName: aws.String(f.name), MaxRecords: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if a := acts.Activities[0]; a.StatusCode != astypes.ScalingActivityStatusCodeFailed || !strings.Contains(*a.StatusMessage, img) {
		t.Fatalf("latest activity = %+v", a)
	}
}

func TestFleet_DirectEC2TerminationIsReplaced(t *testing.T) {
	f := newFleet(t, 2, nil)
	ids := sortedIDs(f.live(t))
	if _, err := f.cl.EC2.TerminateInstances(tctx, &ec2.TerminateInstancesInput{InstanceIds: ids[:1]}); err != nil {
		t.Fatal(err)
	}
	live := f.live(t)
	if _, ok := live[ids[0]]; ok || len(live) != 2 {
		t.Fatalf("terminated instance not replaced: %v", sortedIDs(live))
	}
}

func TestFleet_ClockJumpMatchesPolling(t *testing.T) {
	run := func(step time.Duration) []string {
		f := newFleet(t, 2, func(in *autoscaling.CreateAutoScalingGroupInput) { in.HealthCheckGracePeriod = aws.Int32(90) })
		f.setDesired(t, 5)
		for elapsed := time.Duration(0); elapsed < 10*time.Minute; elapsed += step {
			f.clock.Advance(step)
			f.group(t)
		}
		var out []string
		for _, a := range f.s.rs.asg.groups[f.name].activities {
			out = append(out, a.status+"@"+a.end.Format(time.RFC3339))
		}
		return out
	}
	jump, poll := run(10*time.Minute), run(7*time.Second)
	if strings.Join(jump, ",") != strings.Join(poll, ",") {
		t.Fatalf("one jump gave %v, polling gave %v", jump, poll)
	}
}
