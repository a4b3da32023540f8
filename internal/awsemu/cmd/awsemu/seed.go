package main

import (
	"context"
	"fmt"
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
)

// The seeded fleet's fixed parts. The emulator has no SNS: alarm actions to
// the topic ARNs are recorded (GET /_awsemu/actions), not delivered.
const (
	seedVPC        = "vpc-0a1b2c3d4e5f60718"
	bastionGroup   = "bastion"
	bastionImage   = "bastion-2026-11"
	fleetDesired   = 4
	bastionMaxLife = 86400
	// fleetSettle bounds the wait for the fleet to come up: launch (30s),
	// grace period (60s) and three passing health checks 10s apart fit.
	fleetSettle = 5 * time.Minute
)

// fleet is what seedFleet created.
type fleet struct {
	name                                       string
	oldImage, newImage, brokenImage, nextImage string
	bastionImageID                             string
	ltID, tgARN                                string
	pageTopic, ticketTopic                     string
	inService, healthy, bastionRunning         int
}

func (f *fleet) values() []kv {
	return []kv{
		{"GROUP", f.name},
		{"OLD_IMAGE_ID", f.oldImage},
		{"NEW_IMAGE_ID", f.newImage},
		{"BROKEN_IMAGE_ID", f.brokenImage},
		{"NEXT_IMAGE_ID", f.nextImage},
		{"LAUNCH_TEMPLATE_ID", f.ltID},
		{"TARGET_GROUP_ARN", f.tgARN},
		{"VPC_ID", seedVPC},
		{"BASTION_GROUP", bastionGroup},
		{"BASTION_IMAGE_ID", f.bastionImageID},
		{"PAGE_TOPIC_ARN", f.pageTopic},
		{"TICKET_TOPIC_ARN", f.ticketTopic},
	}
}

func (f *fleet) summary() []string {
	return []string{
		fmt.Sprintf("fleet: group %s in %s, %d of %d InService on %s-2026-11 (%s), launch template %s version 1, min 2 max 8",
			f.name, awsemu.DefaultRegion, f.inService, fleetDesired, f.name, f.oldImage, f.ltID),
		fmt.Sprintf("target group %s: %d healthy, HTTP:80 in %s; new image %s-2026-12 (%s), broken image %s-2026-12b (%s, fails health checks)",
			f.name, f.healthy, seedVPC, f.name, f.newImage, f.name, f.brokenImage),
		fmt.Sprintf("bastion: group %s, %d instance on %s (%s), max instance lifetime %d s; topics %s, %s",
			bastionGroup, f.bastionRunning, bastionImage, f.bastionImageID, bastionMaxLife, f.pageTopic, f.ticketTopic),
	}
}

// seedFleet creates a web fleet name and a bastion over the emulator's own
// APIs, as a user's Terraform would, and waits until the fleet's instances
// are in service and healthy in the target group: on a manual clock by
// advancing it, on a wall clock by polling.
func seedFleet(ctx context.Context, s *awsemu.Server, cl *awsclient.Clients, name string) (*fleet, error) {
	f := &fleet{
		name:     name,
		oldImage: s.AddImage(name + "-2026-11"), newImage: s.AddImage(name + "-2026-12"), brokenImage: s.AddImage(name + "-2026-12b"),
		nextImage:      s.AddImage(name + "-2026-12c"),
		bastionImageID: s.AddImage(bastionImage),
		pageTopic:      fmt.Sprintf("arn:aws:sns:%s:%s:%s-page", awsemu.DefaultRegion, awsemu.DefaultAccountID, name),
		ticketTopic:    fmt.Sprintf("arn:aws:sns:%s:%s:%s-ticket", awsemu.DefaultRegion, awsemu.DefaultAccountID, name),
	}
	if err := s.ChangeImageHealth(f.brokenImage, false); err != nil {
		return nil, err
	}
	ec, lb, as := awsclient.NewEC2(cl), awsclient.NewELBv2(cl), awsclient.NewAutoScaling(cl)
	template := func(name, image string) (string, error) {
		out, err := ec.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String(name),
			LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String(image), InstanceType: ec2types.InstanceTypeT3Micro}})
		if err != nil {
			return "", fmt.Errorf("launch template %s: %w", name, err)
		}
		return aws.ToString(out.LaunchTemplate.LaunchTemplateId), nil
	}
	var err error
	if f.ltID, err = template(name, f.oldImage); err != nil {
		return nil, err
	}
	tg, err := lb.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String(name), Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(80),
		VpcId: aws.String(seedVPC), HealthCheckIntervalSeconds: aws.Int32(10), HealthyThresholdCount: aws.Int32(3)})
	if err != nil {
		return nil, fmt.Errorf("target group: %w", err)
	}
	f.tgARN = aws.ToString(tg.TargetGroups[0].TargetGroupArn)
	if _, err := lb.ModifyTargetGroupAttributes(ctx, &elb.ModifyTargetGroupAttributesInput{TargetGroupArn: aws.String(f.tgARN),
		Attributes: []elbtypes.TargetGroupAttribute{{Key: aws.String("deregistration_delay.timeout_seconds"), Value: aws.String("30")}}}); err != nil {
		return nil, fmt.Errorf("target group attributes: %w", err)
	}
	subnets := s.DefaultSubnets()
	if len(subnets) < 2 {
		return nil, fmt.Errorf("want two default subnets, the emulator has %v", subnets)
	}
	if _, err := as.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{
		AutoScalingGroupName: aws.String(name), MinSize: aws.Int32(2), MaxSize: aws.Int32(8), DesiredCapacity: aws.Int32(fleetDesired),
		LaunchTemplate:    &astypes.LaunchTemplateSpecification{LaunchTemplateId: aws.String(f.ltID), Version: aws.String("1")},
		VPCZoneIdentifier: aws.String(subnets[0] + "," + subnets[1]), TargetGroupARNs: []string{f.tgARN},
		HealthCheckType: aws.String("ELB"), HealthCheckGracePeriod: aws.Int32(60),
	}); err != nil {
		return nil, fmt.Errorf("group %s: %w", name, err)
	}
	bastionLT, err := template(bastionGroup, f.bastionImageID)
	if err != nil {
		return nil, err
	}
	if _, err := as.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{
		AutoScalingGroupName: aws.String(bastionGroup), MinSize: aws.Int32(1), MaxSize: aws.Int32(1), DesiredCapacity: aws.Int32(1),
		LaunchTemplate:      &astypes.LaunchTemplateSpecification{LaunchTemplateId: aws.String(bastionLT), Version: aws.String("1")},
		VPCZoneIdentifier:   aws.String(subnets[0]),
		MaxInstanceLifetime: aws.Int32(bastionMaxLife),
	}); err != nil {
		return nil, fmt.Errorf("group %s: %w", bastionGroup, err)
	}

	if err := s.Advance(fleetSettle); err != nil {
		// A wall clock: poll until the fleet is up or the wait would be
		// longer than it takes in emulated time.
		deadline := s.Clock().Now().Add(2 * fleetSettle)
		for {
			if err := f.observe(ctx, as, lb); err != nil {
				return nil, err
			}
			if f.up() || s.Clock().Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	if err := f.observe(ctx, as, lb); err != nil {
		return nil, err
	}
	if !f.up() {
		return nil, fmt.Errorf("the fleet did not come up: %d of %d InService, %d healthy targets, %d bastion", f.inService, fleetDesired, f.healthy, f.bastionRunning)
	}
	return f, nil
}

func (f *fleet) up() bool {
	return f.inService == fleetDesired && f.healthy == fleetDesired && f.bastionRunning == 1
}

// observe counts in-service instances on the old image, healthy targets and
// the bastion's in-service instances.
func (f *fleet) observe(ctx context.Context, as *autoscaling.Client, lb *elb.Client) error {
	out, err := as.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{f.name, bastionGroup}})
	if err != nil {
		return err
	}
	f.inService, f.bastionRunning = 0, 0
	for _, g := range out.AutoScalingGroups {
		for _, in := range g.Instances {
			if in.LifecycleState != astypes.LifecycleStateInService {
				continue
			}
			if aws.ToString(g.AutoScalingGroupName) == bastionGroup {
				f.bastionRunning++
			} else {
				f.inService++
			}
		}
	}
	th, err := lb.DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(f.tgARN)})
	if err != nil {
		return err
	}
	f.healthy = 0
	for _, d := range th.TargetHealthDescriptions {
		if d.TargetHealth != nil && d.TargetHealth.State == elbtypes.TargetHealthStateEnumHealthy {
			f.healthy++
		}
	}
	return nil
}
