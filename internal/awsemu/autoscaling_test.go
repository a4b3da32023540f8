package awsemu

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// fleet is a group under test with its launch template.
type fleet struct {
	s     *Server
	cl    *clients
	clock *ManualClock
	ltID  string
	name  string
}

// newFleet creates an image, a launch template on it and a group on
// $Latest across zones a, b and c, and lets its instances enter service.
func newFleet(t *testing.T, desired int32, tweak func(*autoscaling.CreateAutoScalingGroupInput)) *fleet {
	t.Helper()
	s, cl := startEmulator(t)
	f := &fleet{s: s, cl: cl, clock: s.Clock().(*ManualClock), name: "web"}
	f.ltID = createTemplate(t, cl, "web", s.AddImage("web-v1"))
	in := &autoscaling.CreateAutoScalingGroupInput{
		AutoScalingGroupName: aws.String(f.name),
		LaunchTemplate:       &astypes.LaunchTemplateSpecification{LaunchTemplateId: aws.String(f.ltID), Version: aws.String("$Latest")},
		MinSize:              aws.Int32(0), MaxSize: aws.Int32(10), DesiredCapacity: aws.Int32(desired),
		AvailabilityZones: []string{"us-east-1a", "us-east-1b", "us-east-1c"},
		Tags: []astypes.Tag{
			{Key: aws.String("team"), Value: aws.String("sre"), PropagateAtLaunch: aws.Bool(true)},
			{Key: aws.String("cost"), Value: aws.String("web"), PropagateAtLaunch: aws.Bool(false)},
		},
	}
	if tweak != nil {
		tweak(in)
	}
	if _, err := cl.AutoScaling.CreateAutoScalingGroup(tctx, in); err != nil {
		t.Fatalf("CreateAutoScalingGroup: %v", err)
	}
	f.clock.Advance(10 * time.Minute)
	return f
}

func (f *fleet) group(t *testing.T) astypes.AutoScalingGroup {
	t.Helper()
	out, err := f.cl.AutoScaling.DescribeAutoScalingGroups(tctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{f.name}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.AutoScalingGroups) != 1 {
		t.Fatalf("group %s not found", f.name)
	}
	return out.AutoScalingGroups[0]
}

// states counts the group's instances by lifecycle state.
func (f *fleet) states(t *testing.T) map[astypes.LifecycleState]int {
	t.Helper()
	m := map[astypes.LifecycleState]int{}
	for _, in := range f.group(t).Instances {
		m[in.LifecycleState]++
	}
	return m
}

// live maps in-service or pending instance ids to their zone and version.
func (f *fleet) live(t *testing.T) map[string]astypes.Instance {
	t.Helper()
	m := map[string]astypes.Instance{}
	for _, in := range f.group(t).Instances {
		if in.LifecycleState == astypes.LifecycleStateInService || in.LifecycleState == astypes.LifecycleStatePending {
			m[*in.InstanceId] = in
		}
	}
	return m
}

func (f *fleet) setDesired(t *testing.T, n int32) {
	t.Helper()
	if _, err := f.cl.AutoScaling.SetDesiredCapacity(tctx, &autoscaling.SetDesiredCapacityInput{AutoScalingGroupName: aws.String(f.name), DesiredCapacity: aws.Int32(n)}); err != nil {
		t.Fatalf("SetDesiredCapacity %d: %v", n, err)
	}
}

func TestAutoScaling_GroupRoundTrip(t *testing.T) {
	f := newFleet(t, 2, func(in *autoscaling.CreateAutoScalingGroupInput) {
		in.HealthCheckType = aws.String("ELB")
		in.HealthCheckGracePeriod = aws.Int32(120)
		in.DefaultInstanceWarmup = aws.Int32(60)
		in.TerminationPolicies = []string{"OldestLaunchTemplate", "OldestInstance"}
		in.MaxInstanceLifetime = aws.Int32(86400 * 7)
		in.NewInstancesProtectedFromScaleIn = aws.Bool(true)
	})
	g := f.group(t)
	if *g.MinSize != 0 || *g.MaxSize != 10 || *g.DesiredCapacity != 2 || *g.HealthCheckType != "ELB" ||
		*g.HealthCheckGracePeriod != 120 || *g.DefaultInstanceWarmup != 60 || *g.MaxInstanceLifetime != 86400*7 ||
		!*g.NewInstancesProtectedFromScaleIn || len(g.TerminationPolicies) != 2 || len(g.AvailabilityZones) != 3 {
		t.Fatalf("group settings not echoed: %+v", g)
	}
	if *g.LaunchTemplate.LaunchTemplateId != f.ltID || *g.LaunchTemplate.Version != "$Latest" || *g.LaunchTemplate.LaunchTemplateName != "web" {
		t.Fatalf("launch template = %+v", g.LaunchTemplate)
	}
	if len(g.Instances) != 2 || !*g.Instances[0].ProtectedFromScaleIn || *g.Instances[0].LaunchTemplate.Version != "1" {
		t.Fatalf("instances = %+v", g.Instances)
	}

	_, err := f.cl.AutoScaling.UpdateAutoScalingGroup(tctx, &autoscaling.UpdateAutoScalingGroupInput{
		AutoScalingGroupName: aws.String(f.name), MinSize: aws.Int32(3), DefaultInstanceWarmup: aws.Int32(-1),
		VPCZoneIdentifier: aws.String(f.s.DefaultSubnets()[0]),
	})
	if err != nil {
		t.Fatal(err)
	}
	g = f.group(t)
	if *g.MinSize != 3 || *g.DesiredCapacity != 3 || g.DefaultInstanceWarmup != nil || len(g.AvailabilityZones) != 1 || *g.VPCZoneIdentifier == "" {
		t.Fatalf("raising min must drag desired along and subnets set the zones: %+v", g)
	}

	// Tags: create, update, describe with filters, delete.
	_, err = f.cl.AutoScaling.CreateOrUpdateTags(tctx, &autoscaling.CreateOrUpdateTagsInput{Tags: []astypes.Tag{
		{ResourceId: aws.String(f.name), ResourceType: aws.String("auto-scaling-group"), Key: aws.String("team"), Value: aws.String("platform"), PropagateAtLaunch: aws.Bool(true)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	tags, err := f.cl.AutoScaling.DescribeTags(tctx, &autoscaling.DescribeTagsInput{Filters: []astypes.Filter{
		{Name: aws.String("auto-scaling-group"), Values: []string{f.name}}, {Name: aws.String("key"), Values: []string{"team"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags.Tags) != 1 || *tags.Tags[0].Value != "platform" || !*tags.Tags[0].PropagateAtLaunch || *tags.Tags[0].ResourceType != "auto-scaling-group" {
		t.Fatalf("tags = %+v", tags.Tags)
	}
	if _, err := f.cl.AutoScaling.DeleteTags(tctx, &autoscaling.DeleteTagsInput{Tags: []astypes.Tag{{ResourceId: aws.String(f.name), ResourceType: aws.String("auto-scaling-group"), Key: aws.String("cost")}}}); err != nil {
		t.Fatal(err)
	}
	byTag, err := f.cl.AutoScaling.DescribeAutoScalingGroups(tctx, &autoscaling.DescribeAutoScalingGroupsInput{Filters: []astypes.Filter{{Name: aws.String("tag:team"), Values: []string{"platform"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(byTag.AutoScalingGroups) != 1 || len(byTag.AutoScalingGroups[0].Tags) != 1 {
		t.Fatalf("tag filter / DeleteTags: %+v", byTag.AutoScalingGroups)
	}

	// Deleting needs ForceDelete while instances remain; the group then
	// shows "Delete in progress" until they are gone.
	_, err = f.cl.AutoScaling.DeleteAutoScalingGroup(tctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: aws.String(f.name)})
	wantAPIError(t, err, "ResourceInUse")
	if _, err := f.cl.AutoScaling.DeleteAutoScalingGroup(tctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: aws.String(f.name), ForceDelete: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if g := f.group(t); g.Status == nil || *g.Status != "Delete in progress" || f.states(t)[astypes.LifecycleStateTerminating] != 3 {
		t.Fatalf("deleting group = %+v", g)
	}
	f.clock.Advance(5 * time.Minute)
	out, err := f.cl.AutoScaling.DescribeAutoScalingGroups(tctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{f.name}})
	if err != nil || len(out.AutoScalingGroups) != 0 {
		t.Fatalf("deleted group still listed: %v %+v", err, out)
	}
}

func TestAutoScaling_Errors(t *testing.T) {
	f := newFleet(t, 1, nil)
	as := f.cl.AutoScaling
	create := func(mod func(*autoscaling.CreateAutoScalingGroupInput)) func() error {
		return func() error {
			in := &autoscaling.CreateAutoScalingGroupInput{
				AutoScalingGroupName: aws.String("other"), MinSize: aws.Int32(1), MaxSize: aws.Int32(3),
				LaunchTemplate:    &astypes.LaunchTemplateSpecification{LaunchTemplateId: aws.String(f.ltID)},
				AvailabilityZones: []string{"us-east-1a"},
			}
			mod(in)
			_, err := as.CreateAutoScalingGroup(tctx, in)
			return err
		}
	}
	for _, tc := range []struct {
		name string
		call func() error
		code string
	}{
		{"creating a group whose name is taken fails", create(func(in *autoscaling.CreateAutoScalingGroupInput) { in.AutoScalingGroupName = aws.String(f.name) }), "AlreadyExists"},
		{"a desired capacity above max is refused at create", create(func(in *autoscaling.CreateAutoScalingGroupInput) { in.DesiredCapacity = aws.Int32(5) }), "ValidationError"},
		{"max below min is refused", create(func(in *autoscaling.CreateAutoScalingGroupInput) { in.MaxSize = aws.Int32(0) }), "ValidationError"},
		{"an unknown launch template is refused", create(func(in *autoscaling.CreateAutoScalingGroupInput) {
			in.LaunchTemplate.LaunchTemplateId = aws.String("lt-0123456789abcdef0")
		}), "ValidationError"},
		{"an unknown launch template version is refused", create(func(in *autoscaling.CreateAutoScalingGroupInput) { in.LaunchTemplate.Version = aws.String("9") }), "ValidationError"},
		{"a group needs zones or subnets", create(func(in *autoscaling.CreateAutoScalingGroupInput) { in.AvailabilityZones = nil }), "ValidationError"},
		{"an unknown target group is refused", create(func(in *autoscaling.CreateAutoScalingGroupInput) {
			in.TargetGroupARNs = []string{"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/nope/0123456789abcdef"}
		}), "ValidationError"},
		{"setting desired capacity above max fails", func() error {
			_, err := as.SetDesiredCapacity(tctx, &autoscaling.SetDesiredCapacityInput{AutoScalingGroupName: aws.String(f.name), DesiredCapacity: aws.Int32(11)})
			return err
		}, "ValidationError"},
		{"setting desired capacity of an unknown group fails", func() error {
			_, err := as.SetDesiredCapacity(tctx, &autoscaling.SetDesiredCapacityInput{AutoScalingGroupName: aws.String("nope"), DesiredCapacity: aws.Int32(1)})
			return err
		}, "ValidationError"},
		{"updating an unknown group fails", func() error {
			_, err := as.UpdateAutoScalingGroup(tctx, &autoscaling.UpdateAutoScalingGroupInput{AutoScalingGroupName: aws.String("nope"), MaxSize: aws.Int32(1)})
			return err
		}, "ValidationError"},
		{"updating desired above max fails", func() error {
			_, err := as.UpdateAutoScalingGroup(tctx, &autoscaling.UpdateAutoScalingGroupInput{AutoScalingGroupName: aws.String(f.name), DesiredCapacity: aws.Int32(20)})
			return err
		}, "ValidationError"},
		{"deleting an unknown group fails", func() error {
			_, err := as.DeleteAutoScalingGroup(tctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: aws.String("nope")})
			return err
		}, "ValidationError"},
		{"terminating an instance no group manages fails", func() error {
			_, err := as.TerminateInstanceInAutoScalingGroup(tctx, &autoscaling.TerminateInstanceInAutoScalingGroupInput{InstanceId: aws.String("i-0123456789abcdef0"), ShouldDecrementDesiredCapacity: aws.Bool(true)})
			return err
		}, "ValidationError"},
		{"suspending an unknown process fails", func() error {
			_, err := as.SuspendProcesses(tctx, &autoscaling.SuspendProcessesInput{AutoScalingGroupName: aws.String(f.name), ScalingProcesses: []string{"Sleep"}})
			return err
		}, "ValidationError"},
		{"tagging an unknown group fails", func() error {
			_, err := as.CreateOrUpdateTags(tctx, &autoscaling.CreateOrUpdateTagsInput{Tags: []astypes.Tag{{ResourceId: aws.String("nope"), ResourceType: aws.String("auto-scaling-group"), Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}, "ValidationError"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.call(), tc.code) })
	}

	_, err := as.SetDesiredCapacity(tctx, &autoscaling.SetDesiredCapacityInput{AutoScalingGroupName: aws.String(f.name), DesiredCapacity: aws.Int32(11)})
	if want := "New SetDesiredCapacity value 11 is above max value 10 for the AutoScalingGroup."; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v does not say %q", err, want)
	}
	out, err := as.DescribeAutoScalingGroups(tctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"nope"}})
	if err != nil || len(out.AutoScalingGroups) != 0 {
		t.Fatalf("describing unknown names must return an empty list: %v %+v", err, out)
	}
}

func TestAutoScaling_DescribePaging(t *testing.T) {
	f := newFleet(t, 0, nil)
	for _, name := range []string{"a1", "a2", "a3"} {
		if _, err := f.cl.AutoScaling.CreateAutoScalingGroup(tctx, &autoscaling.CreateAutoScalingGroupInput{
			AutoScalingGroupName: aws.String(name), MinSize: aws.Int32(0), MaxSize: aws.Int32(1),
			LaunchTemplate:    &astypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String("web")},
			AvailabilityZones: []string{"us-east-1a"},
		}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	p := autoscaling.NewDescribeAutoScalingGroupsPaginator(f.cl.AutoScaling, &autoscaling.DescribeAutoScalingGroupsInput{MaxRecords: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(tctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, g := range out.AutoScalingGroups {
			names = append(names, *g.AutoScalingGroupName)
		}
	}
	if pages != 2 || !sameSet(names, []string{"a1", "a2", "a3", "web"}) {
		t.Fatalf("%d pages with %v", pages, names)
	}
}

func TestAutoScaling_InstancesCarryTemplateVersionAndTags(t *testing.T) {
	f := newFleet(t, 1, nil)
	g := f.group(t)
	id := *g.Instances[0].InstanceId
	out, err := f.cl.EC2.DescribeInstances(tctx, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{
		{Name: aws.String("tag:aws:autoscaling:groupName"), Values: []string{f.name}},
		{Name: aws.String("instance-state-name"), Values: []string{"running"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Reservations) != 1 || len(out.Reservations[0].Instances) != 1 {
		t.Fatalf("reservations = %+v", out.Reservations)
	}
	in := out.Reservations[0].Instances[0]
	tags := map[string]string{}
	for _, tg := range in.Tags {
		tags[*tg.Key] = *tg.Value
	}
	if *in.InstanceId != id || in.State.Name != ec2types.InstanceStateNameRunning || *in.Placement.AvailabilityZone != "us-east-1a" ||
		in.PrivateIpAddress == nil || in.LaunchTime == nil || in.InstanceType != ec2types.InstanceTypeT3Micro {
		t.Fatalf("instance = %+v", in)
	}
	want := map[string]string{"aws:autoscaling:groupName": "web", "aws:ec2launchtemplate:id": f.ltID, "aws:ec2launchtemplate:version": "1", "team": "sre", "app": "login"}
	for k, v := range want {
		if tags[k] != v {
			t.Fatalf("tag %s = %q, want %q (tags %v)", k, tags[k], v, tags)
		}
	}
	if _, ok := tags["cost"]; ok {
		t.Fatalf("a tag without PropagateAtLaunch reached the instance")
	}
	asi, err := f.cl.AutoScaling.DescribeAutoScalingInstances(tctx, &autoscaling.DescribeAutoScalingInstancesInput{InstanceIds: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	if len(asi.AutoScalingInstances) != 1 || *asi.AutoScalingInstances[0].AutoScalingGroupName != f.name || *asi.AutoScalingInstances[0].LifecycleState != "InService" {
		t.Fatalf("auto scaling instances = %+v", asi.AutoScalingInstances)
	}
}
