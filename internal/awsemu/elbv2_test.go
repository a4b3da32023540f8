package awsemu

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

// createTG makes an HTTP target group checked every 10s, healthy after 3
// and unhealthy after 2 checks, with a 60s deregistration delay.
func createTG(t *testing.T, cl *clients, name string) string {
	t.Helper()
	out, err := cl.ELBv2.CreateTargetGroup(tctx, &elb.CreateTargetGroupInput{
		Name: aws.String(name), Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(8080), VpcId: aws.String("vpc-0123456789abcdef0"),
		HealthCheckIntervalSeconds: aws.Int32(10), HealthyThresholdCount: aws.Int32(3), UnhealthyThresholdCount: aws.Int32(2),
		HealthCheckPath: aws.String("/healthz"),
	})
	if err != nil {
		t.Fatalf("CreateTargetGroup: %v", err)
	}
	arn := *out.TargetGroups[0].TargetGroupArn
	if _, err := cl.ELBv2.ModifyTargetGroupAttributes(tctx, &elb.ModifyTargetGroupAttributesInput{
		TargetGroupArn: aws.String(arn),
		Attributes:     []elbtypes.TargetGroupAttribute{{Key: aws.String("deregistration_delay.timeout_seconds"), Value: aws.String("60")}},
	}); err != nil {
		t.Fatalf("ModifyTargetGroupAttributes: %v", err)
	}
	return arn
}

func health(t *testing.T, cl *clients, arn string) map[string]elbtypes.TargetHealthStateEnum {
	t.Helper()
	out, err := cl.ELBv2.DescribeTargetHealth(tctx, &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]elbtypes.TargetHealthStateEnum{}
	for _, d := range out.TargetHealthDescriptions {
		m[*d.Target.Id] = d.TargetHealth.State
	}
	return m
}

func TestELB_TargetGroupRoundTrip(t *testing.T) {
	_, cl := startEmulator(t)
	arn := createTG(t, cl, "web")
	out, err := cl.ELBv2.DescribeTargetGroups(tctx, &elb.DescribeTargetGroupsInput{Names: []string{"web"}})
	if err != nil {
		t.Fatal(err)
	}
	tg := out.TargetGroups[0]
	if *tg.TargetGroupArn != arn || *tg.Port != 8080 || tg.Protocol != elbtypes.ProtocolEnumHttp || *tg.HealthCheckPath != "/healthz" ||
		*tg.HealthCheckIntervalSeconds != 10 || *tg.HealthyThresholdCount != 3 || *tg.Matcher.HttpCode != "200" || tg.TargetType != elbtypes.TargetTypeEnumInstance {
		t.Fatalf("target group = %+v", tg)
	}
	attrs, err := cl.ELBv2.DescribeTargetGroupAttributes(tctx, &elb.DescribeTargetGroupAttributesInput{TargetGroupArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, a := range attrs.Attributes {
		got[*a.Key] = *a.Value
	}
	if got["deregistration_delay.timeout_seconds"] != "60" || got["stickiness.enabled"] != "false" {
		t.Fatalf("attributes = %v", got)
	}
	again, err := cl.ELBv2.CreateTargetGroup(tctx, &elb.CreateTargetGroupInput{Name: aws.String("web"), Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(8080), VpcId: aws.String("vpc-0123456789abcdef0")})
	if err != nil || *again.TargetGroups[0].TargetGroupArn != arn {
		t.Fatalf("an identical create must return the existing group: %v", err)
	}

	for _, tc := range []struct {
		name string
		call func() error
		code string
	}{
		{"a name reused with other settings is a duplicate", func() error {
			_, err := cl.ELBv2.CreateTargetGroup(tctx, &elb.CreateTargetGroupInput{Name: aws.String("web"), Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(9090), VpcId: aws.String("vpc-0123456789abcdef0")})
			return err
		}, "DuplicateTargetGroupName"},
		{"an unknown ARN is not found", func() error {
			_, err := cl.ELBv2.DescribeTargetGroups(tctx, &elb.DescribeTargetGroupsInput{TargetGroupArns: []string{arn + "0"}})
			return err
		}, "TargetGroupNotFound"},
		{"an unknown name is not found", func() error {
			_, err := cl.ELBv2.DescribeTargetGroups(tctx, &elb.DescribeTargetGroupsInput{Names: []string{"nope"}})
			return err
		}, "TargetGroupNotFound"},
		{"health of an unknown group is not found", func() error {
			_, err := cl.ELBv2.DescribeTargetHealth(tctx, &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(arn + "0")})
			return err
		}, "TargetGroupNotFound"},
		{"registering an unknown instance is an invalid target", func() error {
			_, err := cl.ELBv2.RegisterTargets(tctx, &elb.RegisterTargetsInput{TargetGroupArn: aws.String(arn), Targets: []elbtypes.TargetDescription{{Id: aws.String("i-0123456789abcdef0")}}})
			return err
		}, "InvalidTarget"},
		{"deregistering an unregistered target is an invalid target", func() error {
			_, err := cl.ELBv2.DeregisterTargets(tctx, &elb.DeregisterTargetsInput{TargetGroupArn: aws.String(arn), Targets: []elbtypes.TargetDescription{{Id: aws.String("i-0123456789abcdef0")}}})
			return err
		}, "InvalidTarget"},
		{"a malformed ARN fails validation", func() error {
			_, err := cl.ELBv2.DescribeTargetGroupAttributes(tctx, &elb.DescribeTargetGroupAttributesInput{TargetGroupArn: aws.String("web")})
			return err
		}, "ValidationError"},
		{"an unknown attribute is refused", func() error {
			_, err := cl.ELBv2.ModifyTargetGroupAttributes(tctx, &elb.ModifyTargetGroupAttributesInput{TargetGroupArn: aws.String(arn),
				Attributes: []elbtypes.TargetGroupAttribute{{Key: aws.String("speed"), Value: aws.String("fast")}}})
			return err
		}, "InvalidConfigurationRequest"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.call(), tc.code) })
	}

	if _, err := cl.ELBv2.DeleteTargetGroup(tctx, &elb.DeleteTargetGroupInput{TargetGroupArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = cl.ELBv2.DescribeTargetGroups(tctx, &elb.DescribeTargetGroupsInput{TargetGroupArns: []string{arn}})
	wantAPIError(t, err, "TargetGroupNotFound")
}

func TestELB_TargetHealthLifecycle(t *testing.T) {
	f := newFleet(t, 1, nil)
	arn := createTG(t, f.cl, "manual")
	id := *f.group(t).Instances[0].InstanceId
	if _, err := f.cl.ELBv2.RegisterTargets(tctx, &elb.RegisterTargetsInput{TargetGroupArn: aws.String(arn), Targets: []elbtypes.TargetDescription{{Id: aws.String(id)}}}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name    string
		advance time.Duration
		act     func()
		want    elbtypes.TargetHealthStateEnum
	}{
		{"a new registration is initial", 0, nil, "initial"},
		{"it is still initial before interval × healthy threshold", 29 * time.Second, nil, "initial"},
		{"it turns healthy after interval × healthy threshold", time.Second, nil, "healthy"},
		{"failing checks are not noticed at once", 0, func() { _ = f.s.SetInstanceHealth(id, false) }, "healthy"},
		{"it turns unhealthy after interval × unhealthy threshold", 20 * time.Second, nil, "unhealthy"},
		{"it recovers after interval × healthy threshold", 30 * time.Second, func() { _ = f.s.SetInstanceHealth(id, true) }, "healthy"},
		{"deregistering drains it", 0, func() {
			_, _ = f.cl.ELBv2.DeregisterTargets(tctx, &elb.DeregisterTargetsInput{TargetGroupArn: aws.String(arn), Targets: []elbtypes.TargetDescription{{Id: aws.String(id)}}})
		}, "draining"},
		{"it drains for the deregistration delay", 59 * time.Second, nil, "draining"},
		{"then it is gone", time.Second, nil, ""},
	}
	for _, st := range steps {
		if st.act != nil {
			st.act()
		}
		f.clock.Advance(st.advance)
		if got := health(t, f.cl, arn)[id]; got != st.want {
			t.Fatalf("%s: state = %q, want %q", st.name, got, st.want)
		}
	}
	out, err := f.cl.ELBv2.DescribeTargetHealth(tctx, &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(arn), Targets: []elbtypes.TargetDescription{{Id: aws.String(id)}}})
	if err != nil {
		t.Fatal(err)
	}
	if h := out.TargetHealthDescriptions[0].TargetHealth; h.State != "unused" || h.Reason != elbtypes.TargetHealthReasonEnumNotRegistered {
		t.Fatalf("asking for an unregistered target: %+v", h)
	}
}

func TestELB_GroupRegistersAndDrainsInstances(t *testing.T) {
	s, cl := startEmulator(t)
	arn := createTG(t, cl, "web")
	f := &fleet{s: s, cl: cl, clock: s.Clock().(*ManualClock), name: "web"}
	f.ltID = createTemplate(t, cl, "web", s.AddImage("web-v1"))
	if _, err := cl.AutoScaling.CreateAutoScalingGroup(tctx, &autoscaling.CreateAutoScalingGroupInput{
		AutoScalingGroupName: aws.String("web"), MinSize: aws.Int32(0), MaxSize: aws.Int32(4), DesiredCapacity: aws.Int32(2),
		LaunchTemplate:    &astypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String("web")},
		VPCZoneIdentifier: aws.String(s.DefaultSubnets()[0] + "," + s.DefaultSubnets()[1]),
		TargetGroupARNs:   []string{arn}, HealthCheckType: aws.String("ELB"), HealthCheckGracePeriod: aws.Int32(60),
	}); err != nil {
		t.Fatal(err)
	}
	if got := health(t, cl, arn); len(got) != 0 {
		t.Fatalf("pending instances must not be registered: %v", got)
	}
	f.clock.Advance(90 * time.Second) // launch 30s + grace 60s
	ids := sortedIDs(f.live(t))
	if got := health(t, cl, arn); len(got) != 2 || got[ids[0]] != "initial" {
		t.Fatalf("in-service instances must be registered: %v", got)
	}
	f.clock.Advance(30 * time.Second)
	if got := health(t, cl, arn); got[ids[0]] != "healthy" || got[ids[1]] != "healthy" {
		t.Fatalf("health = %v", got)
	}

	// Scale in: the victim drains for 60s before it shuts down.
	f.setDesired(t, 1)
	got := health(t, cl, arn)
	var victim string
	for id, st := range got {
		if st == "draining" {
			victim = id
		}
	}
	if victim == "" || f.states(t)["Terminating"] != 1 {
		t.Fatalf("scale in did not drain: %v %v", got, f.states(t))
	}
	f.clock.Advance(59 * time.Second)
	if st := health(t, cl, arn)[victim]; st != "draining" || f.states(t)["Terminating"] != 1 {
		t.Fatalf("victim left before the deregistration delay: %s", st)
	}
	f.clock.Advance(time.Second + 30*time.Second)
	if _, ok := health(t, cl, arn)[victim]; ok || len(f.group(t).Instances) != 1 {
		t.Fatalf("victim still present after drain and shutdown")
	}

	// An instance failing ELB health checks is replaced by the group.
	survivor := sortedIDs(f.live(t))[0]
	if err := s.SetInstanceHealth(survivor, false); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(20 * time.Second)
	live := f.live(t)
	if _, ok := live[survivor]; ok || len(live) != 1 || health(t, cl, arn)[survivor] != "draining" {
		t.Fatalf("unhealthy instance not replaced: live %v health %v", sortedIDs(live), health(t, cl, arn))
	}

	// Detaching deregisters; attaching registers in-service instances.
	f.clock.Advance(5 * time.Minute)
	if _, err := cl.AutoScaling.DetachLoadBalancerTargetGroups(tctx, &autoscaling.DetachLoadBalancerTargetGroupsInput{AutoScalingGroupName: aws.String("web"), TargetGroupARNs: []string{arn}}); err != nil {
		t.Fatal(err)
	}
	for id, st := range health(t, cl, arn) {
		if st != "draining" {
			t.Fatalf("%s is %s after detach", id, st)
		}
	}
	if _, err := cl.AutoScaling.AttachLoadBalancerTargetGroups(tctx, &autoscaling.AttachLoadBalancerTargetGroupsInput{AutoScalingGroupName: aws.String("web"), TargetGroupARNs: []string{arn}}); err != nil {
		t.Fatal(err)
	}
	tgs, err := cl.AutoScaling.DescribeLoadBalancerTargetGroups(tctx, &autoscaling.DescribeLoadBalancerTargetGroupsInput{AutoScalingGroupName: aws.String("web")})
	if err != nil || len(tgs.LoadBalancerTargetGroups) != 1 {
		t.Fatalf("attached target groups: %v %+v", err, tgs)
	}
}
