package awsemu

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/sre-provider/terraform-provider-sre/internal/awsclient"
)

func regionClients(t *testing.T, s *Server, region string) *clients {
	t.Helper()
	cl, err := awsclient.New(context.Background(), awsclient.Config{
		Region: region, AccessKey: DefaultAccessKey, SecretKey: DefaultSecretKey, MaxRetries: aws.Int(1),
		Endpoints: awsclient.Endpoints{AutoScaling: s.URL(), CloudWatch: s.URL(), EC2: s.URL(), ELBv2: s.URL(), STS: s.URL()},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &clients{Clients: cl, EC2: awsclient.NewEC2(cl), AutoScaling: awsclient.NewAutoScaling(cl), ELBv2: awsclient.NewELBv2(cl)}
}

// Each region keeps its own groups, images, zones and alarms, and the one
// clock steps them all.
func TestRegions_AreApartAndShareTheClock(t *testing.T) {
	s, use1 := startEmulator(t)
	euw1 := regionClients(t, s, "eu-west-1")
	for _, r := range []struct {
		cl     *clients
		region string
	}{{use1, "us-east-1"}, {euw1, "eu-west-1"}} {
		s.UseRegion(r.region)
		lt := createTemplate(t, r.cl, "web", s.AddImage("web-v1"))
		if _, err := r.cl.AutoScaling.CreateAutoScalingGroup(tctx, &autoscaling.CreateAutoScalingGroupInput{
			AutoScalingGroupName: aws.String("web-" + r.region), MinSize: aws.Int32(0), MaxSize: aws.Int32(4), DesiredCapacity: aws.Int32(2),
			LaunchTemplate:    &astypes.LaunchTemplateSpecification{LaunchTemplateId: aws.String(lt), Version: aws.String("1")},
			AvailabilityZones: []string{r.region + "a", r.region + "b"},
		}); err != nil {
			t.Fatalf("%s: %v", r.region, err)
		}
	}
	s.UseRegion("us-east-1")
	if err := s.Advance(5 * time.Minute); err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		cl           *clients
		mine, theirs string
	}{{use1, "web-us-east-1", "web-eu-west-1"}, {euw1, "web-eu-west-1", "web-us-east-1"}} {
		out, err := r.cl.AutoScaling.DescribeAutoScalingGroups(tctx, &autoscaling.DescribeAutoScalingGroupsInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.AutoScalingGroups) != 1 || aws.ToString(out.AutoScalingGroups[0].AutoScalingGroupName) != r.mine {
			t.Fatalf("groups seen: %+v, want only %s", out.AutoScalingGroups, r.mine)
		}
		g := out.AutoScalingGroups[0]
		for _, in := range g.Instances {
			zone := aws.ToString(in.AvailabilityZone)
			if in.LifecycleState != astypes.LifecycleStateInService || zone[:len(zone)-1] != g.AvailabilityZones[0][:len(g.AvailabilityZones[0])-1] {
				t.Fatalf("%s instance %+v", r.mine, in)
			}
		}
		if len(g.Instances) != 2 {
			t.Fatalf("%s has %d instances after 5 minutes", r.mine, len(g.Instances))
		}
	}
	if _, err := euw1.CloudWatch.PutMetricAlarm(tctx, errorRatioAlarm("eu-only", 300)); err != nil {
		t.Fatal(err)
	}
	if out, err := use1.CloudWatch.DescribeAlarms(tctx, &cloudwatch.DescribeAlarmsInput{}); err != nil || len(out.MetricAlarms) != 0 {
		t.Fatalf("us-east-1 sees eu-west-1's alarm: %v %+v", err, out)
	}
	if _, ok := s.AlarmState("eu-only"); ok {
		t.Fatal("helpers act on eu-west-1 while us-east-1 is in use")
	}
	s.UseRegion("eu-west-1")
	if _, ok := s.AlarmState("eu-only"); !ok {
		t.Fatal("UseRegion(eu-west-1) does not show its alarm")
	}
}
