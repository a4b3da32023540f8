package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/sre-provider/terraform-provider-sre/internal/awsclient"
	"github.com/sre-provider/terraform-provider-sre/internal/awsemu"
)

var ctx = context.Background()

func readSeedOut(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	vals := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok || k == "" || v == "" || strings.ContainsAny(line, " \t'\"") {
			t.Fatalf("seed-out line %q is not KEY=VALUE without spaces or quotes", line)
		}
		vals[k] = v
	}
	return vals
}

func TestStart_SeedsTheDemoFleetAndTraffic(t *testing.T) {
	seedOut := filepath.Join(t.TempDir(), "seed.env")
	c, err := parseFlags([]string{"-addr", "127.0.0.1:0", "-clock", "manual", "-seed-fleet", "checkout", "-seed-out", seedOut,
		"-seed-traffic", "Quickstart/checkout", "-traffic", "Quickstart/checkout"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	wallStart := time.Now().UTC().Truncate(time.Minute)
	var stdout bytes.Buffer
	s, err := start(c, &stdout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })

	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	if last := lines[len(lines)-1]; last != "awsemu listening on "+s.URL() {
		t.Fatalf("last line %q, want the listening line", last)
	}
	if n := len(lines) - 2; n < 3 || n > 6 || strings.ContainsAny(stdout.String(), "{}") {
		t.Fatalf("want a 3-6 line summary before the credentials and listening lines, got:\n%s", stdout.String())
	}

	vals := readSeedOut(t, seedOut)
	for _, k := range []string{"GROUP", "OLD_IMAGE_ID", "NEW_IMAGE_ID", "BROKEN_IMAGE_ID", "NEXT_IMAGE_ID", "LAUNCH_TEMPLATE_ID", "TARGET_GROUP_ARN",
		"VPC_ID", "BASTION_GROUP", "PAGE_TOPIC_ARN", "TICKET_TOPIC_ARN", "ENDPOINT"} {
		if vals[k] == "" {
			t.Errorf("seed-out has no %s", k)
		}
	}
	for k, want := range map[string]string{
		"GROUP": "checkout", "VPC_ID": "vpc-0a1b2c3d4e5f60718", "BASTION_GROUP": "bastion", "ENDPOINT": s.URL(),
		"PAGE_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:checkout-page", "TICKET_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:checkout-ticket",
	} {
		if vals[k] != want {
			t.Errorf("%s=%s, want %s", k, vals[k], want)
		}
	}
	if now := s.Clock().Now(); now.Sub(wallStart) < 5*time.Minute || now.Sub(wallStart) > 7*time.Minute {
		t.Errorf("manual clock at %v, want about 5 minutes after %v", now, wallStart)
	}

	cl, err := awsclient.New(ctx, awsclient.Config{Region: awsemu.DefaultRegion, AccessKey: awsemu.DefaultAccessKey, SecretKey: awsemu.DefaultSecretKey,
		Endpoints: awsclient.Endpoints{AutoScaling: vals["ENDPOINT"], CloudWatch: vals["ENDPOINT"], EC2: vals["ENDPOINT"], ELBv2: vals["ENDPOINT"], STS: vals["ENDPOINT"]}})
	if err != nil {
		t.Fatal(err)
	}
	ec, lb, as := awsclient.NewEC2(cl), awsclient.NewELBv2(cl), awsclient.NewAutoScaling(cl)

	groups, err := as.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"checkout", "bastion"}})
	if err != nil || len(groups.AutoScalingGroups) != 2 {
		t.Fatalf("groups: %v %v", groups, err)
	}
	var ids []string
	for _, g := range groups.AutoScalingGroups {
		switch aws.ToString(g.AutoScalingGroupName) {
		case "checkout":
			if aws.ToInt32(g.MinSize) != 2 || aws.ToInt32(g.MaxSize) != 8 || aws.ToInt32(g.DesiredCapacity) != 4 ||
				aws.ToString(g.HealthCheckType) != "ELB" || aws.ToInt32(g.HealthCheckGracePeriod) != 60 ||
				len(g.TargetGroupARNs) != 1 || g.TargetGroupARNs[0] != vals["TARGET_GROUP_ARN"] ||
				aws.ToString(g.LaunchTemplate.LaunchTemplateId) != vals["LAUNCH_TEMPLATE_ID"] || len(g.AvailabilityZones) != 2 {
				t.Errorf("group checkout: %+v", g)
			}
			for _, in := range g.Instances {
				if in.LifecycleState == astypes.LifecycleStateInService && aws.ToString(in.LaunchTemplate.Version) == "1" {
					ids = append(ids, aws.ToString(in.InstanceId))
				}
			}
		case "bastion":
			if len(g.Instances) != 1 || g.Instances[0].LifecycleState != astypes.LifecycleStateInService || aws.ToInt32(g.MaxInstanceLifetime) != 86400 {
				t.Errorf("group bastion: %+v", g)
			}
		}
	}
	if len(ids) != 4 {
		t.Fatalf("%d instances InService on version 1, want 4", len(ids))
	}
	insts, err := ec.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: ids})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range insts.Reservations {
		for _, in := range r.Instances {
			if aws.ToString(in.ImageId) != vals["OLD_IMAGE_ID"] {
				t.Errorf("instance %s on %s, want the old image %s", aws.ToString(in.InstanceId), aws.ToString(in.ImageId), vals["OLD_IMAGE_ID"])
			}
		}
	}
	th, err := lb.DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(vals["TARGET_GROUP_ARN"])})
	if err != nil {
		t.Fatal(err)
	}
	healthy := map[string]bool{}
	for _, d := range th.TargetHealthDescriptions {
		healthy[aws.ToString(d.Target.Id)] = d.TargetHealth.State == elbtypes.TargetHealthStateEnumHealthy
	}
	for _, id := range ids {
		if !healthy[id] {
			t.Errorf("instance %s is not healthy in the target group: %v", id, healthy)
		}
	}
	images, err := ec.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{vals["OLD_IMAGE_ID"], vals["NEW_IMAGE_ID"], vals["BROKEN_IMAGE_ID"]}})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, im := range images.Images {
		names[aws.ToString(im.ImageId)] = aws.ToString(im.Name)
	}
	if names[vals["OLD_IMAGE_ID"]] != "checkout-2026-11" || names[vals["NEW_IMAGE_ID"]] != "checkout-2026-12" || names[vals["BROKEN_IMAGE_ID"]] != "checkout-2026-12b" {
		t.Errorf("images %v", names)
	}

	// History then live traffic: every full hour of the last day has 60000
	// requests, and the live minutes of this hour 1000 each.
	now := s.Clock().Now()
	out, err := cl.CloudWatch.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(now.Truncate(time.Hour).Add(-24 * time.Hour)), EndTime: aws.Time(now.Truncate(time.Minute)), ScanBy: cwtypes.ScanByTimestampAscending,
		MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("r"), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String("Quickstart"), MetricName: aws.String("Requests"),
				Dimensions: []cwtypes.Dimension{{Name: aws.String("Service"), Value: aws.String("checkout")}}},
			Period: aws.Int32(3600), Stat: aws.String("Sum")}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := out.MetricDataResults[0]
	thisHour := 1000 * now.Sub(now.Truncate(time.Hour)).Truncate(time.Minute).Minutes()
	wantHours := 24
	if thisHour > 0 {
		wantHours = 25
	}
	if len(r.Values) != wantHours {
		t.Fatalf("%d hours of requests, want %d: %v", len(r.Values), wantHours, r.Values)
	}
	for i, v := range r.Values[:24] {
		if v != 60000 {
			t.Errorf("hour %v: %g requests, want 60000", r.Timestamps[i], v)
		}
	}
	if thisHour > 0 && r.Values[24] != thisHour {
		t.Errorf("this hour: %g requests, want %g", r.Values[24], thisHour)
	}

	resp, err := http.Get(s.URL() + awsemu.TrafficPath)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if want := "namespace=Quickstart service=checkout per_minute=1000 error_rate=0.0005\n"; string(body) != want {
		t.Errorf("traffic %q, want %q", body, want)
	}
}

func TestParseFlags_RejectsBadValues(t *testing.T) {
	for _, args := range [][]string{
		{"-clock", "sundial"},
		{"-seed-error-rate", "2"},
		{"-traffic", "checkout"},
		{"-seed-traffic", "Quickstart/"},
		{"-traffic-per-minute", "-5"},
		{"-speed", "0"},
		{"extra"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
