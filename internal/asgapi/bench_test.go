package asgapi

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/sre-provider/terraform-provider-sre/internal/awsclient"
	"github.com/sre-provider/terraform-provider-sre/internal/awsemu"
	"github.com/sre-provider/terraform-provider-sre/internal/rollout"
)

// BenchmarkRolloutOnEmulator rolls 4, 40 and 400 instances over three zones
// through this adapter against the emulator, on its clock, and reports the
// rollout's simulated time against the waits nothing can avoid, and the AWS
// calls per simulated minute the emulator counted.
//
// Unavoidable: each launch step (canary, then the fleet) takes the launch
// (30 s) and grace (60 s) before the instance is in service, then three 10 s
// health checks; the canary bakes 5 m and the fleet 10 m; retiring takes the
// deregistration delay (30 s), after which the group shuts the old
// instances down on its own: 1,170 s in all.
//
//	go test -run '^$' -bench BenchmarkRolloutOnEmulator -benchtime 1x ./internal/asgapi
func BenchmarkRolloutOnEmulator(b *testing.B) {
	const unavoidable = 2*(30+60+30) + 300 + 600 + 30 // seconds
	for _, n := range []int{4, 40, 400} {
		b.Run(fmt.Sprintf("instances=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				srv, f := benchFleet(b, n)
				spec := rollout.NewSpec("2")
				srv.ResetCalls()
				start := srv.Clock().Now()
				b.StartTimer()
				res, err := rollout.Run(context.Background(), f, spec, rollout.Record{}, awsemu.SimClock{Server: srv}, nil)
				b.StopTimer()
				if err != nil || res.Status != rollout.Succeeded {
					b.Fatalf("rollout of %d: %v %+v", n, err, res)
				}
				sim := srv.Clock().Now().Sub(start)
				calls := srv.Calls("autoscaling", "") + srv.Calls("ec2", "") + srv.Calls("elasticloadbalancing", "") + srv.Calls("monitoring", "")
				b.ReportMetric(sim.Seconds(), "sim-s")
				b.ReportMetric(unavoidable, "unavoidable-s")
				b.ReportMetric(100*(sim.Seconds()-unavoidable)/unavoidable, "overhead-%")
				b.ReportMetric(float64(calls)/sim.Minutes(), "aws-calls/min")
				b.ReportMetric(float64(srv.Calls("autoscaling", ""))/sim.Minutes(), "autoscaling-calls/min")
			}
		})
	}
}

func benchFleet(b *testing.B, n int) (*awsemu.Server, *Fleet) {
	ctx := context.Background()
	srv := awsemu.New(awsemu.Options{})
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	cl, err := awsclient.New(ctx, awsclient.Config{Region: awsemu.DefaultRegion, AccessKey: awsemu.DefaultAccessKey, SecretKey: awsemu.DefaultSecretKey,
		Endpoints: awsclient.Endpoints{AutoScaling: url, CloudWatch: url, EC2: url, ELBv2: url, STS: url}})
	if err != nil {
		b.Fatal(err)
	}
	as, ec, lb := awsclient.NewAutoScaling(cl), awsclient.NewEC2(cl), awsclient.NewELBv2(cl)
	lt, err := ec.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("web"),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String(srv.AddImage("web-v1"))}})
	if err != nil {
		b.Fatal(err)
	}
	ltID := aws.ToString(lt.LaunchTemplate.LaunchTemplateId)
	tg, err := lb.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("web"), Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(80),
		VpcId: aws.String("vpc-0123456789abcdef0"), HealthCheckIntervalSeconds: aws.Int32(10), HealthyThresholdCount: aws.Int32(3)})
	if err != nil {
		b.Fatal(err)
	}
	arn := aws.ToString(tg.TargetGroups[0].TargetGroupArn)
	if _, err := lb.ModifyTargetGroupAttributes(ctx, &elb.ModifyTargetGroupAttributesInput{TargetGroupArn: aws.String(arn),
		Attributes: []elbtypes.TargetGroupAttribute{{Key: aws.String("deregistration_delay.timeout_seconds"), Value: aws.String("30")}}}); err != nil {
		b.Fatal(err)
	}
	subnets := srv.DefaultSubnets()
	if _, err := as.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String("web"),
		MinSize: aws.Int32(1), MaxSize: aws.Int32(int32(2 * n)), DesiredCapacity: aws.Int32(int32(n)),
		LaunchTemplate:    &astypes.LaunchTemplateSpecification{LaunchTemplateId: aws.String(ltID), Version: aws.String("1")},
		VPCZoneIdentifier: aws.String(subnets[0] + "," + subnets[1] + "," + subnets[2]), TargetGroupARNs: []string{arn},
		HealthCheckType: aws.String("ELB"), HealthCheckGracePeriod: aws.Int32(60)}); err != nil {
		b.Fatal(err)
	}
	if err := srv.Advance(5 * time.Minute); err != nil {
		b.Fatal(err)
	}
	calls := NewCalls(as, ec, lb, cl.CloudWatch)
	if _, err := calls.NewVersionWithImage(ctx, ltID, 1, srv.AddImage("web-v2"), "v2"); err != nil {
		b.Fatal(err)
	}
	return srv, &Fleet{Calls: calls, Group: "web", Now: srv.Clock().Now}
}
