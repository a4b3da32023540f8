package rolloutcmd

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/sre-provider/terraform-provider-sre/internal/asgapi"
	"github.com/sre-provider/terraform-provider-sre/internal/awsclient"
	"github.com/sre-provider/terraform-provider-sre/internal/awsemu"
	"github.com/sre-provider/terraform-provider-sre/internal/rollout"
)

func TestStatusWhileARolloutRunsAndAfter(t *testing.T) {
	ctx := context.Background()
	s := awsemu.New(awsemu.Options{})
	url, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	cl, err := awsclient.New(ctx, awsclient.Config{Region: awsemu.DefaultRegion, AccessKey: awsemu.DefaultAccessKey, SecretKey: awsemu.DefaultSecretKey,
		Endpoints: awsclient.Endpoints{AutoScaling: url, CloudWatch: url, EC2: url, ELBv2: url, STS: url}})
	if err != nil {
		t.Fatal(err)
	}
	as, ec := awsclient.NewAutoScaling(cl), awsclient.NewEC2(cl)
	lt, err := ec.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("api"),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String(s.AddImage("api-v1"))}})
	if err != nil {
		t.Fatal(err)
	}
	ltID := aws.ToString(lt.LaunchTemplate.LaunchTemplateId)
	if _, err := as.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String("api"),
		MinSize: aws.Int32(1), MaxSize: aws.Int32(4), DesiredCapacity: aws.Int32(2), AvailabilityZones: []string{"us-east-1a", "us-east-1b"},
		LaunchTemplate: &astypes.LaunchTemplateSpecification{LaunchTemplateId: aws.String(ltID), Version: aws.String("1")}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Advance(5 * time.Minute); err != nil {
		t.Fatal(err)
	}
	calls := asgapi.NewCalls(as, ec, awsclient.NewELBv2(cl), cl.CloudWatch)
	if _, err := calls.NewVersionWithImage(ctx, ltID, 1, s.AddImage("api-v2"), "v2"); err != nil {
		t.Fatal(err)
	}
	f := &asgapi.Fleet{Calls: calls, Group: "api", Now: s.Clock().Now}
	var before bytes.Buffer
	if err := Status(ctx, f, &before, Options{Interval: time.Second}, nil); err != nil || !strings.Contains(before.String(), "api: no rollout under way; 2 instances on version 1") {
		t.Fatalf("status before: %q %v", before.String(), err)
	}
	// Stop the rollout after its canary launched, as a killed Terraform would.
	rctx, cancel := context.WithCancel(ctx)
	_, _ = rollout.Run(rctx, f, rollout.NewSpec("2"), rollout.Record{}, awsemu.SimClock{Server: s}, func(p rollout.Progress) {
		if p.New >= 1 {
			cancel()
		}
	})
	cancel()
	var during bytes.Buffer
	if err := Status(ctx, f, &during, Options{Interval: time.Second}, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(during.String(), "to version 2, phase") || !strings.Contains(during.String(), "old 2, new 1") {
		t.Fatalf("status during: %q", during.String())
	}
	// -watch follows the resumed rollout to its end.
	done := make(chan error)
	go func() {
		_, err := rollout.Run(ctx, f, rollout.NewSpec("2"), rollout.Record{}, awsemu.SimClock{Server: s}, nil)
		done <- err
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var after bytes.Buffer
	if err := Status(ctx, f, &after, Options{Watch: true, Interval: time.Second}, func(time.Duration) {}); err != nil || !strings.Contains(after.String(), "no rollout under way; 2 instances on version 2") {
		t.Fatalf("status after: %q %v", after.String(), err)
	}
	if code := Main([]string{"status"}, &bytes.Buffer{}, &bytes.Buffer{}); code != 2 {
		t.Fatalf("status without a group exited %d, want 2", code)
	}
}
