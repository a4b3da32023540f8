package asgapi

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/sre-provider/terraform-provider-sre/internal/awsclient"
	"github.com/sre-provider/terraform-provider-sre/internal/awsemu"
)

var ctx = context.Background()

type env struct {
	srv   *awsemu.Server
	cw    *cloudwatch.Client
	calls Calls
	ltID  string
	tg    string
}

// newEnv starts an emulator with a 4-instance group over two zones behind a
// target group, all in service and healthy.
func newEnv(t *testing.T) env {
	t.Helper()
	srv := awsemu.New(awsemu.Options{})
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	cl, err := awsclient.New(ctx, awsclient.Config{Region: awsemu.DefaultRegion, AccessKey: awsemu.DefaultAccessKey, SecretKey: awsemu.DefaultSecretKey,
		MaxRetries: aws.Int(1), Endpoints: awsclient.Endpoints{AutoScaling: url, CloudWatch: url, EC2: url, ELBv2: url, STS: url}})
	if err != nil {
		t.Fatal(err)
	}
	as, ec, lb := awsclient.NewAutoScaling(cl), awsclient.NewEC2(cl), awsclient.NewELBv2(cl)
	e := env{srv: srv, cw: cl.CloudWatch, calls: NewCalls(as, ec, lb, cl.CloudWatch)}
	lt, err := ec.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("web"),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String(srv.AddImage("web-v1")), InstanceType: ec2types.InstanceTypeT3Micro}})
	if err != nil {
		t.Fatal(err)
	}
	e.ltID = aws.ToString(lt.LaunchTemplate.LaunchTemplateId)
	tg, err := lb.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("web"), Protocol: "HTTP", Port: aws.Int32(80), VpcId: aws.String("vpc-0123456789abcdef0")})
	if err != nil {
		t.Fatal(err)
	}
	e.tg = aws.ToString(tg.TargetGroups[0].TargetGroupArn)
	subnets := srv.DefaultSubnets()
	if _, err := as.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{
		AutoScalingGroupName: aws.String("web"), MinSize: aws.Int32(2), MaxSize: aws.Int32(6), DesiredCapacity: aws.Int32(4),
		LaunchTemplate:    &astypes.LaunchTemplateSpecification{LaunchTemplateId: aws.String(e.ltID), Version: aws.String("1")},
		VPCZoneIdentifier: aws.String(subnets[0] + "," + subnets[1]), TargetGroupARNs: []string{e.tg},
		HealthCheckType: aws.String("ELB"), HealthCheckGracePeriod: aws.Int32(60),
	}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Advance(5 * time.Minute); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestReadAndChangeAGroup(t *testing.T) {
	e := newEnv(t)
	g, err := e.calls.ReadGroup(ctx, "web")
	if err != nil {
		t.Fatal(err)
	}
	zones := map[string]int{}
	for _, in := range g.Instances {
		zones[in.Zone]++
		if in.Lifecycle != "InService" || !in.Healthy || in.Version != "1" {
			t.Fatalf("instance %+v", in)
		}
	}
	if g.Desired != 4 || g.Max != 6 || g.Version != "1" || g.LaunchTemplateID != e.ltID || len(zones) != 2 || len(g.TargetGroupARNs) != 1 {
		t.Fatalf("group %+v zones %v", g, zones)
	}
	health, err := e.calls.TargetHealth(ctx, g.TargetGroupARNs)
	if err != nil || len(health[e.tg]) != 4 {
		t.Fatalf("target health %v %v", health, err)
	}
	for id, st := range health[e.tg] {
		if st != "healthy" {
			t.Fatalf("%s is %s", id, st)
		}
	}

	v1, err := e.calls.ResolveVersion(ctx, e.ltID, "$Latest")
	if err != nil || v1.Number != 1 {
		t.Fatalf("resolve $Latest: %+v %v", v1, err)
	}
	img := e.srv.AddImage("web-v2")
	v2, err := e.calls.NewVersionWithImage(ctx, e.ltID, v1.Number, img, "rollout r1")
	if err != nil || v2 != 2 {
		t.Fatalf("new version %d %v", v2, err)
	}
	if got, _ := e.calls.ResolveVersion(ctx, e.ltID, "2"); got.ImageID != img {
		t.Fatalf("version 2 image %s, want %s", got.ImageID, img)
	}
	if err := e.calls.SetVersion(ctx, "web", e.ltID, v2); err != nil {
		t.Fatal(err)
	}
	if err := e.calls.Suspend(ctx, "web", []string{"AZRebalance"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.calls.UpdateAutoScalingGroup(ctx, &autoscaling.UpdateAutoScalingGroupInput{AutoScalingGroupName: aws.String("web"),
		DesiredCapacity: aws.Int32(8), MaxSize: aws.Int32(8)}); err != nil {
		t.Fatal(err)
	}
	if err := e.srv.Advance(5 * time.Minute); err != nil {
		t.Fatal(err)
	}
	g, _ = e.calls.ReadGroup(ctx, "web")
	var olds, news []string
	for _, in := range g.Instances {
		if in.Version == "1" {
			olds = append(olds, in.ID)
		} else if in.Version == "2" && in.Lifecycle == "InService" {
			news = append(news, in.ID)
		}
	}
	if len(olds) != 4 || len(news) != 4 || g.Max != 8 || len(g.SuspendedProcesses) != 1 {
		t.Fatalf("after surge: %d old, %d new, group %+v", len(olds), len(news), g)
	}
	if err := e.calls.Protect(ctx, "web", news, true); err != nil {
		t.Fatal(err)
	}
	for _, id := range olds {
		if err := e.calls.Terminate(ctx, id, true); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.srv.Advance(10 * time.Minute); err != nil {
		t.Fatal(err)
	}
	g, _ = e.calls.ReadGroup(ctx, "web")
	if g.Desired != 4 || len(g.Instances) != 4 {
		t.Fatalf("after retiring the old: desired %d, %d instances", g.Desired, len(g.Instances))
	}
	for _, in := range g.Instances {
		if in.Version != "2" || !in.Protected {
			t.Fatalf("instance left %+v", in)
		}
	}
	if err := e.calls.SetTags(ctx, "web", map[string]string{"sre:rollout:phase": "retire"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := e.calls.SetTags(ctx, "web", nil, []string{"sre:rollout:phase"}); err != nil {
		t.Fatal(err)
	}
	if g, _ = e.calls.ReadGroup(ctx, "web"); g.Tags["sre:rollout:phase"] != "" {
		t.Fatalf("tag not removed: %v", g.Tags)
	}
	if _, err := e.calls.ReadGroup(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing group: %v", err)
	}
}

func TestAlarmStatesByNameAndPrefix(t *testing.T) {
	e := newEnv(t)
	for _, n := range []string{"web-latency", "web-errors", "db-cpu"} {
		_, err := e.cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(n), Namespace: aws.String("App"), MetricName: aws.String("M"),
			Statistic: "Sum", Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1), ComparisonOperator: "GreaterThanThreshold"})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := e.srv.SetAlarmState("web-errors", "ALARM"); err != nil {
		t.Fatal(err)
	}
	got, err := e.calls.AlarmStates(ctx, []string{"db-cpu", "missing"}, []string{"web-"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got["web-errors"] != "ALARM" || got["db-cpu"] == "" {
		t.Fatalf("states %v", got)
	}
}

func TestRetryableErrors(t *testing.T) {
	e := newEnv(t)
	for code, want := range map[string]bool{"Throttling": true, "InternalFailure": true, "ValidationError": false} {
		status := http.StatusBadRequest
		if code == "InternalFailure" {
			status = http.StatusInternalServerError
		}
		e.srv.InjectFault(awsemu.Fault{Service: "autoscaling", Operation: "DescribeAutoScalingGroups", Err: &awsemu.APIError{Code: code, Message: "injected", Status: status}, Remaining: 3})
		_, err := e.calls.ReadGroup(ctx, "web")
		if err == nil || Retryable(err) != want {
			t.Errorf("%s: err %v, retryable %v, want %v", code, err, err != nil && Retryable(err), want)
		}
		// Drain what is left of the fault.
		for i := 0; i < 3; i++ {
			if _, err := e.calls.ReadGroup(ctx, "web"); err == nil {
				break
			}
		}
	}
}
