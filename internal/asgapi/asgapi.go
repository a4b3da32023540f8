// Package asgapi is the AWS side of golden-AMI rollouts: it reads an Auto
// Scaling group with its instances, their target health and the gating
// alarms, and makes the few changes a rollout needs, over the Auto Scaling,
// EC2, ELBv2 and CloudWatch clients.
//
// The SDK operations are held as method values (Calls), not behind
// interfaces of the clients: the binary links text/template (through OPA),
// whose method lookup makes the linker keep every exported method of any
// type an interface can reach, which for the EC2 client alone is 19 MB. A
// struct of method values keeps only the operations called, and tests can
// replace any of them.
package asgapi

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/smithy-go"
)

// Calls are the SDK operations a rollout makes.
type Calls struct {
	DescribeAutoScalingGroups           func(context.Context, *autoscaling.DescribeAutoScalingGroupsInput, ...func(*autoscaling.Options)) (*autoscaling.DescribeAutoScalingGroupsOutput, error)
	UpdateAutoScalingGroup              func(context.Context, *autoscaling.UpdateAutoScalingGroupInput, ...func(*autoscaling.Options)) (*autoscaling.UpdateAutoScalingGroupOutput, error)
	SuspendProcesses                    func(context.Context, *autoscaling.SuspendProcessesInput, ...func(*autoscaling.Options)) (*autoscaling.SuspendProcessesOutput, error)
	ResumeProcesses                     func(context.Context, *autoscaling.ResumeProcessesInput, ...func(*autoscaling.Options)) (*autoscaling.ResumeProcessesOutput, error)
	SetInstanceProtection               func(context.Context, *autoscaling.SetInstanceProtectionInput, ...func(*autoscaling.Options)) (*autoscaling.SetInstanceProtectionOutput, error)
	TerminateInstanceInAutoScalingGroup func(context.Context, *autoscaling.TerminateInstanceInAutoScalingGroupInput, ...func(*autoscaling.Options)) (*autoscaling.TerminateInstanceInAutoScalingGroupOutput, error)
	CreateOrUpdateTags                  func(context.Context, *autoscaling.CreateOrUpdateTagsInput, ...func(*autoscaling.Options)) (*autoscaling.CreateOrUpdateTagsOutput, error)
	DeleteTags                          func(context.Context, *autoscaling.DeleteTagsInput, ...func(*autoscaling.Options)) (*autoscaling.DeleteTagsOutput, error)
	DescribeLaunchTemplateVersions      func(context.Context, *ec2.DescribeLaunchTemplateVersionsInput, ...func(*ec2.Options)) (*ec2.DescribeLaunchTemplateVersionsOutput, error)
	CreateLaunchTemplateVersion         func(context.Context, *ec2.CreateLaunchTemplateVersionInput, ...func(*ec2.Options)) (*ec2.CreateLaunchTemplateVersionOutput, error)
	DescribeInstances                   func(context.Context, *ec2.DescribeInstancesInput, ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error)
	DescribeTargetHealth                func(context.Context, *elb.DescribeTargetHealthInput, ...func(*elb.Options)) (*elb.DescribeTargetHealthOutput, error)
	DescribeTargetGroups                func(context.Context, *elb.DescribeTargetGroupsInput, ...func(*elb.Options)) (*elb.DescribeTargetGroupsOutput, error)
	DescribeTargetGroupAttributes       func(context.Context, *elb.DescribeTargetGroupAttributesInput, ...func(*elb.Options)) (*elb.DescribeTargetGroupAttributesOutput, error)
	DeregisterTargets                   func(context.Context, *elb.DeregisterTargetsInput, ...func(*elb.Options)) (*elb.DeregisterTargetsOutput, error)
	DescribeAlarms                      func(context.Context, *cloudwatch.DescribeAlarmsInput, ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error)
}

// NewCalls binds the operations to the clients.
func NewCalls(as *autoscaling.Client, ec *ec2.Client, lb *elb.Client, cw *cloudwatch.Client) Calls {
	return Calls{
		DescribeAutoScalingGroups:           as.DescribeAutoScalingGroups,
		UpdateAutoScalingGroup:              as.UpdateAutoScalingGroup,
		SuspendProcesses:                    as.SuspendProcesses,
		ResumeProcesses:                     as.ResumeProcesses,
		SetInstanceProtection:               as.SetInstanceProtection,
		TerminateInstanceInAutoScalingGroup: as.TerminateInstanceInAutoScalingGroup,
		CreateOrUpdateTags:                  as.CreateOrUpdateTags,
		DeleteTags:                          as.DeleteTags,
		DescribeLaunchTemplateVersions:      ec.DescribeLaunchTemplateVersions,
		CreateLaunchTemplateVersion:         ec.CreateLaunchTemplateVersion,
		DescribeInstances:                   ec.DescribeInstances,
		DescribeTargetHealth:                lb.DescribeTargetHealth,
		DescribeTargetGroups:                lb.DescribeTargetGroups,
		DescribeTargetGroupAttributes:       lb.DescribeTargetGroupAttributes,
		DeregisterTargets:                   lb.DeregisterTargets,
		DescribeAlarms:                      cw.DescribeAlarms,
	}
}

// Group is an Auto Scaling group as a rollout sees it.
type Group struct {
	Name                  string
	Desired, Min, Max     int
	LaunchTemplateID      string
	LaunchTemplateName    string
	Version               string // as the group holds it: "3", or "$Latest"/"$Default"
	SuspendedProcesses    []string
	TargetGroupARNs       []string
	Tags                  map[string]string
	Instances             []Instance
	HealthCheckType       string
	HealthCheckGrace      int // seconds
	DefaultWarmup         int // seconds; 0 when unset
	NewInstancesProtected bool
}

// Instance is one member of the group.
type Instance struct {
	ID        string
	Zone      string
	Lifecycle string // Pending, InService, Terminating, Standby, …
	Healthy   bool   // the group's own health status
	Version   string // launch template version it was launched from
	Protected bool   // scale-in protection
}

// ErrNotFound means the group does not exist.
var ErrNotFound = errors.New("auto scaling group not found")

// ReadGroup describes the group and its instances.
func (c Calls) ReadGroup(ctx context.Context, name string) (Group, error) {
	out, err := c.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{name}})
	if err != nil {
		return Group{}, fmt.Errorf("describe auto scaling group %s: %w", name, err)
	}
	if len(out.AutoScalingGroups) == 0 {
		return Group{}, fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	g := out.AutoScalingGroups[0]
	res := Group{
		Name: name, Desired: int(aws.ToInt32(g.DesiredCapacity)), Min: int(aws.ToInt32(g.MinSize)), Max: int(aws.ToInt32(g.MaxSize)),
		TargetGroupARNs: g.TargetGroupARNs, Tags: map[string]string{}, HealthCheckType: aws.ToString(g.HealthCheckType),
		HealthCheckGrace: int(aws.ToInt32(g.HealthCheckGracePeriod)), DefaultWarmup: int(aws.ToInt32(g.DefaultInstanceWarmup)),
		NewInstancesProtected: aws.ToBool(g.NewInstancesProtectedFromScaleIn),
	}
	switch {
	case g.LaunchTemplate != nil:
		res.LaunchTemplateID, res.LaunchTemplateName, res.Version = aws.ToString(g.LaunchTemplate.LaunchTemplateId), aws.ToString(g.LaunchTemplate.LaunchTemplateName), aws.ToString(g.LaunchTemplate.Version)
	case g.MixedInstancesPolicy != nil:
		return Group{}, fmt.Errorf("auto scaling group %s uses a mixed instances policy; rollouts support groups with a launch template only", name)
	default:
		return Group{}, fmt.Errorf("auto scaling group %s has no launch template (launch configurations are not supported); move it to a launch template first", name)
	}
	for _, p := range g.SuspendedProcesses {
		res.SuspendedProcesses = append(res.SuspendedProcesses, aws.ToString(p.ProcessName))
	}
	sort.Strings(res.SuspendedProcesses)
	for _, t := range g.Tags {
		res.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	for _, in := range g.Instances {
		i := Instance{ID: aws.ToString(in.InstanceId), Zone: aws.ToString(in.AvailabilityZone), Lifecycle: string(in.LifecycleState),
			Healthy: aws.ToString(in.HealthStatus) == "Healthy", Protected: aws.ToBool(in.ProtectedFromScaleIn)}
		if in.LaunchTemplate != nil {
			i.Version = aws.ToString(in.LaunchTemplate.Version)
		}
		res.Instances = append(res.Instances, i)
	}
	sort.Slice(res.Instances, func(a, b int) bool { return res.Instances[a].ID < res.Instances[b].ID })
	return res, nil
}

// LaunchTemplateVersion is one numbered version of a template.
type LaunchTemplateVersion struct {
	Number  int64
	ImageID string
}

// ResolveVersion turns a version as a group holds it ("$Latest",
// "$Default" or a number) into the numbered version it stands for.
func (c Calls) ResolveVersion(ctx context.Context, templateID, version string) (LaunchTemplateVersion, error) {
	out, err := c.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: aws.String(templateID), Versions: []string{version}})
	if err != nil {
		return LaunchTemplateVersion{}, fmt.Errorf("describe launch template %s version %s: %w", templateID, version, err)
	}
	if len(out.LaunchTemplateVersions) != 1 {
		return LaunchTemplateVersion{}, fmt.Errorf("launch template %s has no version %s", templateID, version)
	}
	v := out.LaunchTemplateVersions[0]
	res := LaunchTemplateVersion{Number: aws.ToInt64(v.VersionNumber)}
	if v.LaunchTemplateData != nil {
		res.ImageID = aws.ToString(v.LaunchTemplateData.ImageId)
	}
	return res, nil
}

// NewVersionWithImage creates a numbered version from source with another
// image, everything else unchanged.
func (c Calls) NewVersionWithImage(ctx context.Context, templateID string, source int64, imageID, description string) (int64, error) {
	out, err := c.CreateLaunchTemplateVersion(ctx, &ec2.CreateLaunchTemplateVersionInput{
		LaunchTemplateId: aws.String(templateID), SourceVersion: aws.String(strconv.FormatInt(source, 10)),
		VersionDescription: aws.String(description), LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String(imageID)},
	})
	if err != nil {
		return 0, fmt.Errorf("create a version of launch template %s with image %s: %w", templateID, imageID, err)
	}
	return aws.ToInt64(out.LaunchTemplateVersion.VersionNumber), nil
}

// SetVersion points the group at a numbered launch template version.
func (c Calls) SetVersion(ctx context.Context, group, templateID string, version int64) error {
	_, err := c.UpdateAutoScalingGroup(ctx, &autoscaling.UpdateAutoScalingGroupInput{AutoScalingGroupName: aws.String(group),
		LaunchTemplate: &astypes.LaunchTemplateSpecification{LaunchTemplateId: aws.String(templateID), Version: aws.String(strconv.FormatInt(version, 10))}})
	if err != nil {
		return fmt.Errorf("point auto scaling group %s at launch template version %d: %w", group, version, err)
	}
	return nil
}

// Suspend suspends scaling processes; Resume resumes them.
func (c Calls) Suspend(ctx context.Context, group string, processes []string) error {
	if len(processes) == 0 {
		return nil
	}
	_, err := c.SuspendProcesses(ctx, &autoscaling.SuspendProcessesInput{AutoScalingGroupName: aws.String(group), ScalingProcesses: processes})
	if err != nil {
		return fmt.Errorf("suspend %s on auto scaling group %s: %w", strings.Join(processes, ", "), group, err)
	}
	return nil
}

// Resume resumes scaling processes.
func (c Calls) Resume(ctx context.Context, group string, processes []string) error {
	if len(processes) == 0 {
		return nil
	}
	_, err := c.ResumeProcesses(ctx, &autoscaling.ResumeProcessesInput{AutoScalingGroupName: aws.String(group), ScalingProcesses: processes})
	if err != nil {
		return fmt.Errorf("resume %s on auto scaling group %s: %w", strings.Join(processes, ", "), group, err)
	}
	return nil
}

// Protect sets or clears scale-in protection, 50 instances per call.
func (c Calls) Protect(ctx context.Context, group string, ids []string, protected bool) error {
	for i := 0; i < len(ids); i += 50 {
		chunk := ids[i:min(i+50, len(ids))]
		_, err := c.SetInstanceProtection(ctx, &autoscaling.SetInstanceProtectionInput{AutoScalingGroupName: aws.String(group), InstanceIds: chunk, ProtectedFromScaleIn: aws.Bool(protected)})
		if err != nil {
			return fmt.Errorf("set scale-in protection %v on %d instances of %s: %w", protected, len(chunk), group, err)
		}
	}
	return nil
}

// Terminate terminates one instance of the group, lowering desired
// capacity with it when decrement is true, so the group launches no
// replacement; the group drains it from its target groups (deregistration
// delay) before terminating it.
func (c Calls) Terminate(ctx context.Context, id string, decrement bool) error {
	_, err := c.TerminateInstanceInAutoScalingGroup(ctx, &autoscaling.TerminateInstanceInAutoScalingGroupInput{InstanceId: aws.String(id), ShouldDecrementDesiredCapacity: aws.Bool(decrement)})
	if err != nil {
		return fmt.Errorf("terminate instance %s (decrement %t): %w", id, decrement, err)
	}
	return nil
}

// SetTags writes group tags (not propagated to instances) and deletes the
// keys in remove.
func (c Calls) SetTags(ctx context.Context, group string, tags map[string]string, remove []string) error {
	if len(tags) > 0 {
		keys := make([]string, 0, len(tags))
		for k := range tags {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var ts []astypes.Tag
		for _, k := range keys {
			ts = append(ts, astypes.Tag{Key: aws.String(k), Value: aws.String(tags[k]), ResourceId: aws.String(group),
				ResourceType: aws.String("auto-scaling-group"), PropagateAtLaunch: aws.Bool(false)})
		}
		if _, err := c.CreateOrUpdateTags(ctx, &autoscaling.CreateOrUpdateTagsInput{Tags: ts}); err != nil {
			return fmt.Errorf("tag auto scaling group %s: %w", group, err)
		}
	}
	if len(remove) > 0 {
		var ts []astypes.Tag
		for _, k := range remove {
			ts = append(ts, astypes.Tag{Key: aws.String(k), ResourceId: aws.String(group), ResourceType: aws.String("auto-scaling-group")})
		}
		if _, err := c.DeleteTags(ctx, &autoscaling.DeleteTagsInput{Tags: ts}); err != nil {
			return fmt.Errorf("untag auto scaling group %s: %w", group, err)
		}
	}
	return nil
}

// TargetHealth reads the target health of every instance in ids in each
// target group: target group ARN → instance id → state (healthy,
// unhealthy, initial, draining, unused…). Instances not registered are
// absent.
func (c Calls) TargetHealth(ctx context.Context, targetGroups []string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, tg := range targetGroups {
		h, err := c.DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(tg)})
		if err != nil {
			return nil, fmt.Errorf("describe target health of %s: %w", tg, err)
		}
		m := map[string]string{}
		for _, d := range h.TargetHealthDescriptions {
			if d.Target != nil && d.TargetHealth != nil {
				m[aws.ToString(d.Target.Id)] = string(d.TargetHealth.State)
			}
		}
		out[tg] = m
	}
	return out, nil
}

// AlarmStates reads the states of the named alarms and of every alarm
// whose name starts with one of prefixes, metric and composite alike.
func (c Calls) AlarmStates(ctx context.Context, names, prefixes []string) (map[string]string, error) {
	out := map[string]string{}
	types := []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm}
	read := func(in *cloudwatch.DescribeAlarmsInput) error {
		for {
			page, err := c.DescribeAlarms(ctx, in)
			if err != nil {
				return err
			}
			for _, a := range page.MetricAlarms {
				out[aws.ToString(a.AlarmName)] = string(a.StateValue)
			}
			for _, a := range page.CompositeAlarms {
				out[aws.ToString(a.AlarmName)] = string(a.StateValue)
			}
			if page.NextToken == nil {
				return nil
			}
			in.NextToken = page.NextToken
		}
	}
	for i := 0; i < len(names); i += 100 {
		if err := read(&cloudwatch.DescribeAlarmsInput{AlarmNames: names[i:min(i+100, len(names))], AlarmTypes: types}); err != nil {
			return nil, fmt.Errorf("describe gate alarms: %w", err)
		}
	}
	for _, p := range prefixes {
		if err := read(&cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String(p), AlarmTypes: types}); err != nil {
			return nil, fmt.Errorf("describe gate alarms with prefix %s: %w", p, err)
		}
	}
	return out, nil
}

// Retryable reports errors worth retrying: throttling and server-side
// failures. The SDK retries them itself a few times; a rollout that waits
// for minutes retries them longer.
func Retryable(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException", "InternalFailure", "InternalError", "ServiceUnavailable":
			return true
		}
		return ae.ErrorFault() == smithy.FaultServer
	}
	return false
}
