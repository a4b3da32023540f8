package asgapi

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/sre-provider/terraform-provider-sre/internal/rollout"
)

// Fleet implements rollout.Fleet for one Auto Scaling group.
type Fleet struct {
	Calls Calls
	Group string
	// AlarmNames and AlarmPrefixes select the gate alarms.
	AlarmNames, AlarmPrefixes []string
	// Now stamps observations; nil means time.Now.
	Now func() time.Time

	targetGroups map[string]rollout.TargetGroup // timings, read once per target group
}

var _ rollout.Fleet = (*Fleet)(nil)

// Observe reads the group, its instances with their launch times, target
// health in every target group and the gate alarms.
func (f *Fleet) Observe(ctx context.Context) (rollout.Observation, error) {
	now := time.Now
	if f.Now != nil {
		now = f.Now
	}
	g, err := f.Calls.ReadGroup(ctx, f.Group)
	if err != nil {
		return rollout.Observation{}, classify(err)
	}
	obs := rollout.Observation{
		Now: now(), Group: f.Group, Desired: g.Desired, Min: g.Min, Max: g.Max,
		LaunchTemplateID: g.LaunchTemplateID, LaunchTemplateVersion: g.Version,
		Suspended: g.SuspendedProcesses, NewInstancesProtected: g.NewInstancesProtected, Tags: g.Tags,
	}
	launched, err := f.launchTimes(ctx, g.Instances)
	if err != nil {
		return rollout.Observation{}, classify(err)
	}
	for _, in := range g.Instances {
		obs.Instances = append(obs.Instances, rollout.Instance{ID: in.ID, AZ: in.Zone, Lifecycle: rollout.Lifecycle(in.Lifecycle), Healthy: in.Healthy,
			LaunchTemplateID: g.LaunchTemplateID, Version: in.Version, Protected: in.Protected, LaunchedAt: launched[in.ID]})
	}
	for _, arn := range g.TargetGroupARNs {
		tg, err := f.targetGroup(ctx, arn)
		if err != nil {
			return rollout.Observation{}, classify(err)
		}
		obs.TargetGroups = append(obs.TargetGroups, tg)
	}
	health, err := f.Calls.TargetHealth(ctx, g.TargetGroupARNs)
	if err != nil {
		return rollout.Observation{}, classify(err)
	}
	obs.Targets = map[string]map[string]rollout.TargetState{}
	for tg, m := range health {
		obs.Targets[tg] = map[string]rollout.TargetState{}
		for id, st := range m {
			obs.Targets[tg][id] = rollout.TargetState(st)
		}
	}
	if len(f.AlarmNames)+len(f.AlarmPrefixes) > 0 {
		states, err := f.Calls.AlarmStates(ctx, f.AlarmNames, f.AlarmPrefixes)
		if err != nil {
			return rollout.Observation{}, classify(err)
		}
		obs.Alarms = map[string]rollout.AlarmState{}
		for n, st := range states {
			obs.Alarms[n] = rollout.AlarmState(st)
		}
	}
	return obs, nil
}

func (f *Fleet) launchTimes(ctx context.Context, ins []Instance) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	var ids []string
	for _, in := range ins {
		ids = append(ids, in.ID)
	}
	for i := 0; i < len(ids); i += 200 {
		chunk := ids[i:min(i+200, len(ids))]
		res, err := f.Calls.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: chunk})
		if err != nil {
			return nil, fmt.Errorf("describe %d instances of %s: %w", len(chunk), f.Group, err)
		}
		for _, r := range res.Reservations {
			for _, in := range r.Instances {
				out[aws.ToString(in.InstanceId)] = aws.ToTime(in.LaunchTime)
			}
		}
	}
	return out, nil
}

func (f *Fleet) targetGroup(ctx context.Context, arn string) (rollout.TargetGroup, error) {
	if tg, ok := f.targetGroups[arn]; ok {
		return tg, nil
	}
	tg := rollout.TargetGroup{ARN: arn}
	out, err := f.Calls.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{TargetGroupArns: []string{arn}})
	if err != nil {
		return tg, fmt.Errorf("describe target group %s: %w", arn, err)
	}
	if len(out.TargetGroups) == 1 {
		t := out.TargetGroups[0]
		tg.HealthyAfter = time.Duration(aws.ToInt32(t.HealthCheckIntervalSeconds)*aws.ToInt32(t.HealthyThresholdCount)) * time.Second
	}
	attrs, err := f.Calls.DescribeTargetGroupAttributes(ctx, &elb.DescribeTargetGroupAttributesInput{TargetGroupArn: aws.String(arn)})
	if err != nil {
		return tg, fmt.Errorf("describe attributes of target group %s: %w", arn, err)
	}
	for _, a := range attrs.Attributes {
		if aws.ToString(a.Key) == "deregistration_delay.timeout_seconds" {
			if n, err := strconv.Atoi(aws.ToString(a.Value)); err == nil {
				tg.DeregistrationDelay = time.Duration(n) * time.Second
			}
		}
	}
	if f.targetGroups == nil {
		f.targetGroups = map[string]rollout.TargetGroup{}
	}
	f.targetGroups[arn] = tg
	return tg, nil
}

// Apply makes one change.
func (f *Fleet) Apply(ctx context.Context, c rollout.Command) error {
	var err error
	switch c := c.(type) {
	case rollout.WriteRecord:
		err = f.Calls.SetTags(ctx, f.Group, c.Record.Tags(), nil)
	case rollout.ClearRecord:
		var g Group
		if g, err = f.Calls.ReadGroup(ctx, f.Group); err == nil {
			var keys []string
			for k := range g.Tags {
				if len(k) > len(rollout.TagPrefix) && k[:len(rollout.TagPrefix)] == rollout.TagPrefix {
					keys = append(keys, k)
				}
			}
			err = f.Calls.SetTags(ctx, f.Group, nil, keys)
		}
	case rollout.SetLaunchTemplateVersion:
		err = f.Calls.SetVersion(ctx, f.Group, c.LaunchTemplateID, int64(c.Version))
	case rollout.SetDesired:
		_, err = f.Calls.UpdateAutoScalingGroup(ctx, &autoscaling.UpdateAutoScalingGroupInput{AutoScalingGroupName: aws.String(f.Group), DesiredCapacity: aws.Int32(int32(c.Desired))})
		if err != nil {
			err = fmt.Errorf("set desired capacity of %s to %d: %w", f.Group, c.Desired, err)
		}
	case rollout.SetMaxSize:
		_, err = f.Calls.UpdateAutoScalingGroup(ctx, &autoscaling.UpdateAutoScalingGroupInput{AutoScalingGroupName: aws.String(f.Group), MaxSize: aws.Int32(int32(c.Max))})
		if err != nil {
			err = fmt.Errorf("set max size of %s to %d: %w", f.Group, c.Max, err)
		}
	case rollout.SuspendProcesses:
		err = f.Calls.Suspend(ctx, f.Group, c.Processes)
	case rollout.ResumeProcesses:
		err = f.Calls.Resume(ctx, f.Group, c.Processes)
	case rollout.SetNewInstanceProtection:
		_, err = f.Calls.UpdateAutoScalingGroup(ctx, &autoscaling.UpdateAutoScalingGroupInput{AutoScalingGroupName: aws.String(f.Group), NewInstancesProtectedFromScaleIn: aws.Bool(c.Protected)})
		if err != nil {
			err = fmt.Errorf("set new-instance protection of %s: %w", f.Group, err)
		}
	case rollout.SetInstanceProtection:
		err = f.Calls.Protect(ctx, f.Group, c.InstanceIDs, c.Protected)
	case rollout.Deregister:
		for _, tg := range c.TargetGroupARNs {
			var targets []elbtypes.TargetDescription
			for _, id := range c.InstanceIDs {
				targets = append(targets, elbtypes.TargetDescription{Id: aws.String(id)})
			}
			if _, err = f.Calls.DeregisterTargets(ctx, &elb.DeregisterTargetsInput{TargetGroupArn: aws.String(tg), Targets: targets}); err != nil {
				err = fmt.Errorf("deregister %d instances from %s: %w", len(targets), tg, err)
				break
			}
		}
	case rollout.Terminate:
		err = f.Calls.Terminate(ctx, c.InstanceID, c.Decrement)
	default:
		err = fmt.Errorf("unknown rollout command %T; this is a bug in the provider", c)
	}
	return classify(err)
}

// classify marks throttling and server errors retryable for the driver.
func classify(err error) error {
	if err != nil && Retryable(err) {
		return rollout.Retryable(err)
	}
	return err
}
