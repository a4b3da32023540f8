package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sre-provider/terraform-provider-sre/internal/asgapi"
	"github.com/sre-provider/terraform-provider-sre/internal/awsclient"
	"github.com/sre-provider/terraform-provider-sre/internal/awsemu"
	"github.com/sre-provider/terraform-provider-sre/internal/rollout"
)

func rolloutFactories(s *awsemu.Server) map[string]func() (tfprotov6.ProviderServer, error) {
	return rolloutFactoriesWith(awsemu.SimClock{Server: s})
}

func rolloutFactoriesWith(c awsemu.SimClock) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"sre": providerserver.NewProtocol6WithError(NewWithClock("test", c)()),
	}
}

// successInvariants checks, after every wait of a rollout that must
// succeed, that in-service capacity never drops below the original desired
// and that no instance of the new version is terminated. Violations are
// collected and reported by check.
type successInvariants struct {
	f          *webFleet
	minService int
	newVersion string
	violations []string
	steps      int
}

func (inv *successInvariants) observe() {
	inv.steps++
	out, err := inv.f.as.DescribeAutoScalingGroups(context.Background(), &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{inv.f.name}})
	if err != nil || len(out.AutoScalingGroups) == 0 {
		return // a fault injected on purpose; the rollout retries too
	}
	inService := 0
	for _, in := range out.AutoScalingGroups[0].Instances {
		v := aws.ToString(in.LaunchTemplate.Version)
		switch in.LifecycleState {
		case astypes.LifecycleStateInService:
			inService++
		case astypes.LifecycleStateTerminating, astypes.LifecycleStateTerminatingWait, astypes.LifecycleStateTerminatingProceed:
			if v == inv.newVersion {
				inv.violations = append(inv.violations, fmt.Sprintf("%s: new instance %s terminated", inv.f.s.Clock().Now().Format("15:04:05"), aws.ToString(in.InstanceId)))
			}
		}
	}
	if inService < inv.minService {
		inv.violations = append(inv.violations, fmt.Sprintf("%s: %d instances in service, below the original %d", inv.f.s.Clock().Now().Format("15:04:05"), inService, inv.minService))
	}
}

func (inv *successInvariants) check() resource.TestCheckFunc {
	return func(*terraform.State) error {
		if inv.steps == 0 {
			return fmt.Errorf("the invariant checker never ran")
		}
		if len(inv.violations) > 0 {
			return fmt.Errorf("invariants broken in %d of %d steps: %s", len(inv.violations), inv.steps, strings.Join(inv.violations, "; "))
		}
		return nil
	}
}

func checkedFactories(f *webFleet, newVersion string) (map[string]func() (tfprotov6.ProviderServer, error), *successInvariants) {
	inv := &successInvariants{f: f, minService: 4, newVersion: newVersion}
	return rolloutFactoriesWith(awsemu.SimClock{Server: f.s, After: inv.observe}), inv
}

// webFleet is a group of four instances over two zones behind a target
// group, launched from version 1 of its launch template.
type webFleet struct {
	s      *awsemu.Server
	name   string
	region string
	as     *autoscaling.Client
	ec2    *ec2.Client
	lb     *elb.Client
	ltID   string
	oldAMI string
	newAMI string
}

func newWebFleet(t *testing.T, maxSize int32) *webFleet {
	t.Helper()
	return newWebFleetIn(t, startEmulator(t), awsemu.DefaultRegion, "web", maxSize)
}

// newWebFleetIn is newWebFleet in a region of an emulator already running,
// with the group named name.
func newWebFleetIn(t *testing.T, s *awsemu.Server, region, name string, maxSize int32) *webFleet {
	t.Helper()
	s.UseRegion(region)
	defer s.UseRegion(awsemu.DefaultRegion)
	cl, err := awsclient.New(context.Background(), awsclient.Config{Region: region, AccessKey: awsemu.DefaultAccessKey, SecretKey: awsemu.DefaultSecretKey,
		Endpoints: awsclient.Endpoints{AutoScaling: s.URL(), CloudWatch: s.URL(), EC2: s.URL(), ELBv2: s.URL(), STS: s.URL()}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	f := &webFleet{s: s, name: name, region: region, as: awsclient.NewAutoScaling(cl), oldAMI: s.AddImage("web-2026-11"), newAMI: s.AddImage("web-2026-12")}
	ec, lb := awsclient.NewEC2(cl), awsclient.NewELBv2(cl)
	f.ec2, f.lb = ec, lb
	lt, err := ec.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String(name),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String(f.oldAMI), InstanceType: ec2types.InstanceTypeT3Micro}})
	if err != nil {
		t.Fatal(err)
	}
	f.ltID = aws.ToString(lt.LaunchTemplate.LaunchTemplateId)
	tg, err := lb.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String(name), Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(80),
		VpcId: aws.String("vpc-0123456789abcdef0"), HealthCheckIntervalSeconds: aws.Int32(10), HealthyThresholdCount: aws.Int32(3)})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(tg.TargetGroups[0].TargetGroupArn)
	if _, err := lb.ModifyTargetGroupAttributes(ctx, &elb.ModifyTargetGroupAttributesInput{TargetGroupArn: aws.String(arn),
		Attributes: []elbtypes.TargetGroupAttribute{{Key: aws.String("deregistration_delay.timeout_seconds"), Value: aws.String("30")}}}); err != nil {
		t.Fatal(err)
	}
	subnets := s.DefaultSubnets() // of the region in use
	if _, err := f.as.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{
		AutoScalingGroupName: aws.String(name), MinSize: aws.Int32(2), MaxSize: aws.Int32(maxSize), DesiredCapacity: aws.Int32(4),
		LaunchTemplate:    &astypes.LaunchTemplateSpecification{LaunchTemplateId: aws.String(f.ltID), Version: aws.String("1")},
		VPCZoneIdentifier: aws.String(subnets[0] + "," + subnets[1]), TargetGroupARNs: []string{arn},
		HealthCheckType: aws.String("ELB"), HealthCheckGracePeriod: aws.Int32(60),
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Advance(5 * time.Minute); err != nil {
		t.Fatal(err)
	}
	return f
}

// check asserts the group's final shape: desired, max, suspended
// processes, and every live instance on version.
func (f *webFleet) check(desired, maxSize int32, version string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out, err := f.as.DescribeAutoScalingGroups(context.Background(), &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{f.name}})
		if err != nil {
			return err
		}
		g := out.AutoScalingGroups[0]
		if aws.ToInt32(g.DesiredCapacity) != desired || aws.ToInt32(g.MaxSize) != maxSize || len(g.SuspendedProcesses) != 0 {
			return fmt.Errorf("group: desired %d max %d suspended %v; want %d, %d, none", aws.ToInt32(g.DesiredCapacity), aws.ToInt32(g.MaxSize), g.SuspendedProcesses, desired, maxSize)
		}
		if v := aws.ToString(g.LaunchTemplate.Version); v != version {
			return fmt.Errorf("group launches version %s, want %s", v, version)
		}
		live := 0
		for _, in := range g.Instances {
			v := aws.ToString(in.LaunchTemplate.Version)
			switch in.LifecycleState {
			case astypes.LifecycleStateInService:
				if v != version {
					return fmt.Errorf("instance %s in service on version %s, want %s", aws.ToString(in.InstanceId), v, version)
				}
				live++
			case astypes.LifecycleStateTerminating, astypes.LifecycleStateTerminatingWait, astypes.LifecycleStateTerminatingProceed, astypes.LifecycleStateTerminated:
				if v == version {
					return fmt.Errorf("instance %s on the kept version %s is being terminated", aws.ToString(in.InstanceId), v)
				}
			default:
				return fmt.Errorf("instance %s is %s", aws.ToString(in.InstanceId), in.LifecycleState)
			}
		}
		if live != int(desired) {
			return fmt.Errorf("%d instances, want %d", live, desired)
		}
		for k := range g.Tags {
			if k := aws.ToString(g.Tags[k].Key); len(k) > 12 && k[:12] == "sre:rollout:" {
				return fmt.Errorf("rollout record tag %s left on the group", k)
			}
		}
		return nil
	}
}

func rolloutConfig(s *awsemu.Server, image string, extra string) string {
	return providerConfig(s) + rolloutBlock(image, extra)
}

func rolloutBlock(image string, extra string) string {
	return fmt.Sprintf(`
resource "sre_asg_rollout" "web" {
  autoscaling_group_name = "web"
  image_id               = %q
  canary                 = { bake_time = "2m" }
  fleet_bake_time        = "3m"
%s
}
`, image, extra)
}

func TestAccRolloutResource_RollsTheFleetAndImports(t *testing.T) {
	f := newWebFleet(t, 6)
	const res = "sre_asg_rollout.web"
	factories, inv := checkedFactories(f, "2")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config: rolloutConfig(f.s, f.newAMI, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("preview").AtMapKey("replace"), knownvalue.Int64Exact(4)),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("preview").AtMapKey("canary"), knownvalue.Int64Exact(1)),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("preview").AtMapKey("old_version"), knownvalue.StringExact("1")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("launch_template_version"), knownvalue.StringExact("2")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("previous_version"), knownvalue.StringExact("1")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("status"), knownvalue.StringExact("succeeded")),
				},
				Check: resource.ComposeTestCheckFunc(f.check(4, 6, "2"), inv.check()),
			},
			{
				// Drift: the group is put back on version 1 outside Terraform.
				PreConfig: func() {
					if _, err := f.as.UpdateAutoScalingGroup(context.Background(), &autoscaling.UpdateAutoScalingGroupInput{AutoScalingGroupName: aws.String("web"),
						LaunchTemplate: &astypes.LaunchTemplateSpecification{LaunchTemplateId: aws.String(f.ltID), Version: aws.String("1")}}); err != nil {
						t.Fatal(err)
					}
				},
				Config: rolloutConfig(f.s, f.newAMI, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
				}},
				Check: f.check(4, 6, "2"),
			},
			{
				ResourceName: res, ImportState: true, ImportStateId: "web", ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{"image_id", "canary", "gates", "fleet_bake_time", "surge", "allow_raise_max", "min_healthy_percent",
					"on_failure", "skip_matching", "protected_instances", "standby_instances", "previous_version", "preview"},
			},
		},
	})
}

func TestAccRolloutResource_UnhealthyCanaryRollsBack(t *testing.T) {
	f := newWebFleet(t, 6)
	f.s.SetImageHealth(f.newAMI, false)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: rolloutFactories(f.s),
		Steps: []resource.TestStep{{
			Config:      rolloutConfig(f.s, f.newAMI, ""),
			ExpectError: regexp.MustCompile(`(?s)rolled\s+back`),
		}},
	})
	if err := f.check(4, 6, "1")(nil); err != nil {
		t.Fatalf("after the rollback: %v", err)
	}
}

func TestAccRolloutResource_MaxSizeEqualToDesired(t *testing.T) {
	f := newWebFleet(t, 4)
	factories, inv := checkedFactories(f, "2")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: rolloutConfig(f.s, f.newAMI, ""),
			Check:  resource.ComposeTestCheckFunc(f.check(4, 4, "2"), inv.check()),
		}},
	})
}

// Faults during the rollout: each ends with the fleet all-new (the rollout
// absorbed it) or all-old (rolled back), desired, max and processes
// restored.
func TestAccRolloutResource_Faults(t *testing.T) {
	tests := map[string]struct {
		inject  func(f *webFleet)
		extra   string
		version string // "2": rolled out; "1": rolled back
		desired int32
		wantErr string
	}{
		"an alarm during the fleet gate rolls back": {
			extra: `  gates = { alarm_names = ["web-latency"] }`,
			inject: func(f *webFleet) {
				putAlarm(f, "web-latency")
				// The canary bakes from about 1.5 minutes for 2 minutes; the
				// fleet gate starts later.
				// (off the minute, when alarms are evaluated and it would go back to OK at once).
				f.s.ScheduleAlarmState(f.s.Clock().Now().Add(6*time.Minute+30*time.Second), "web-latency", "ALARM", "p99 latency above 800 ms")
			},
			version: "1", desired: 4, wantErr: `(?s)rolled\s+back.*web-latency`,
		},
		"a scaling policy raising desired mid-rollout is followed": {
			inject: func(f *webFleet) {
				// During the canary bake desired is 5 (4 + the canary); the policy adds one.
				f.s.ScheduleDesiredCapacity(f.s.Clock().Now().Add(3*time.Minute), "web", 6)
			},
			version: "2", desired: 5,
		},
		"throttling and 5xx are retried": {
			inject: func(f *webFleet) {
				f.s.InjectFault(awsemu.Fault{Service: "autoscaling", Operation: "DescribeAutoScalingGroups",
					Err: &awsemu.APIError{Code: "Throttling", Message: "Rate exceeded", Status: 400}, Remaining: 3})
				f.s.InjectFault(awsemu.Fault{Service: "autoscaling", Operation: "TerminateInstanceInAutoScalingGroup",
					Err: &awsemu.APIError{Code: "InternalFailure", Message: "injected", Status: 500}, Remaining: 2})
			},
			version: "2", desired: 4,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			f := newWebFleet(t, 6)
			tc.inject(f)
			factories, inv := checkedFactories(f, "2")
			step := resource.TestStep{Config: rolloutConfig(f.s, f.newAMI, tc.extra), Check: resource.ComposeTestCheckFunc(f.check(tc.desired, 6, tc.version), inv.check())}
			if tc.wantErr != "" {
				factories = rolloutFactories(f.s) // a rollback retires new instances on purpose
				step = resource.TestStep{Config: rolloutConfig(f.s, f.newAMI, tc.extra), ExpectError: regexp.MustCompile(tc.wantErr)}
			}
			resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: factories, Steps: []resource.TestStep{step}})
			if err := f.check(tc.desired, 6, tc.version)(nil); err != nil {
				t.Fatalf("end state: %v", err)
			}
		})
	}
}

func putAlarm(f *webFleet, name string) {
	cw := emulatorCloudWatch(f.s)
	if _, err := cw.PutMetricAlarm(context.Background(), &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(name), Namespace: aws.String("Web"),
		MetricName: aws.String("Latency"), Statistic: "Average", Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(800),
		ComparisonOperator: "GreaterThanThreshold", TreatMissingData: aws.String("notBreaching")}); err != nil {
		panic(err)
	}
}

// A spent error budget refuses the rollout; override lets it start.
func TestAccRolloutResource_ErrorBudgetGate(t *testing.T) {
	f := newWebFleet(t, 6)
	useEmulatorClock(t, f.s)
	// 5 % of checkout requests failed in the last hour: a 99.9 % budget is spent.
	putMetrics(t, f.s, "checkout", map[string][]pt{"Requests": {{30 * time.Minute, 10000}}, "Good": {{30 * time.Minute, 9500}}})
	slo := sloConfig("checkout", "99.9", "30d", "Checkout requests succeed.")
	gate := func(override bool) string {
		return fmt.Sprintf("  error_budget_gate = { slo = sre_slo.test.name, override = %t }", override)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: rolloutFactories(f.s),
		Steps: []resource.TestStep{
			{Config: providerConfig(f.s) + slo},
			{
				Config:      providerConfig(f.s) + slo + rolloutBlock(f.newAMI, gate(false)),
				ExpectError: regexp.MustCompile(`(?s)Error Budget Spent.*SLO checkout has -?[0-9.]+% of its error budget left`),
			},
			{
				Config: providerConfig(f.s) + slo + rolloutBlock(f.newAMI, gate(true)),
				Check:  f.check(4, 6, "2"),
			},
		},
	})
}

// launches counts the instances the group ever launched on version.
func (f *webFleet) launches(t *testing.T, version string) int {
	t.Helper()
	out, err := f.ec2.DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range out.Reservations {
		for _, in := range r.Instances {
			for _, tg := range in.Tags {
				if aws.ToString(tg.Key) == "aws:ec2launchtemplate:version" && aws.ToString(tg.Value) == version {
					n++
				}
			}
		}
	}
	return n
}

// A Terraform process killed mid-rollout leaves the phase in the group's
// tags; the next plan says the rollout resumes, and the apply finishes it
// without launching a second canary.
func TestAccRolloutResource_ResumesAfterAKill(t *testing.T) {
	f := newWebFleet(t, 6)
	const res = "sre_asg_rollout.web"
	var phaseAtKill string
	kill := func() {
		calls := asgapi.NewCalls(f.as, f.ec2, f.lb, emulatorCloudWatch(f.s))
		if _, err := calls.NewVersionWithImage(context.Background(), f.ltID, 1, f.newAMI, "made before the kill"); err != nil {
			t.Fatal(err)
		}
		spec := rollout.NewSpec("2")
		spec.Canary.Bake, spec.FleetBake = 2*time.Minute, 3*time.Minute
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		fleet := &asgapi.Fleet{Calls: calls, Group: "web", Now: f.s.Clock().Now}
		_, err := rollout.Run(ctx, fleet, spec, rollout.Record{}, awsemu.SimClock{Server: f.s}, func(p rollout.Progress) {
			if p.New > 1 && phaseAtKill == "" { // past the canary: the surge is launching
				phaseAtKill = p.Phase
				cancel() // as SIGKILL: nothing after this step runs
			}
		})
		if err == nil || phaseAtKill == "" {
			t.Fatalf("the partial rollout was not interrupted: %v", err)
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: rolloutFactories(f.s),
		Steps: []resource.TestStep{{
			PreConfig: kill,
			Config:    rolloutConfig(f.s, f.newAMI, ""),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue(res, tfjsonpath.New("preview").AtMapKey("resume"), knownvalue.Bool(true)),
				plancheck.ExpectKnownValue(res, tfjsonpath.New("launch_template_version"), knownvalue.StringExact("2")),
			}},
			Check: f.check(4, 6, "2"),
		}},
	})
	reference := newWebFleet(t, 6)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: rolloutFactories(reference.s),
		Steps:                    []resource.TestStep{{Config: rolloutConfig(reference.s, reference.newAMI, ""), Check: reference.check(4, 6, "2")}},
	})
	if got, want := f.launches(t, "2"), reference.launches(t, "2"); got != want {
		t.Fatalf("the resumed rollout launched %d instances on the new version, an uninterrupted one %d: it restarted (killed in %s)", got, want, phaseAtKill)
	}
}

func ringConfig(s *awsemu.Server, rings ...string) string {
	return providerConfig(s) + `
resource "sre_ring_rollout" "web" {
  name            = "web-2026-12"
  canary          = { bake_time = "2m" }
  fleet_bake_time = "3m"
  rings = [` + strings.Join(rings, ",") + `]
}
`
}

func ring(name, bake string, groups ...*webFleet) string {
	var gs []string
	for _, g := range groups {
		gs = append(gs, fmt.Sprintf(`{ autoscaling_group_name = %q, region = %q, image_id = %q }`, g.name, g.region, g.newAMI))
	}
	return fmt.Sprintf(`{ name = %q, bake_time = %q, groups = [%s] }`, name, bake, strings.Join(gs, ", "))
}

// Rings across regions: overseas first, Japan last; a broken image in the
// second ring rolls that group back and the third ring never starts.
func TestAccRingRolloutResource_StopsAtTheFailingRing(t *testing.T) {
	s := startEmulator(t)
	overseas := newWebFleetIn(t, s, "eu-west-1", "web-eu", 6)
	us := newWebFleetIn(t, s, "us-east-1", "web-us", 6)
	japan := newWebFleetIn(t, s, "ap-northeast-1", "web-jp", 6)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: rolloutFactories(s),
		Steps: []resource.TestStep{{
			PreConfig: func() {
				s.UseRegion("us-east-1")
				s.SetImageHealth(us.newAMI, false)
			},
			Config:      ringConfig(s, ring("overseas", "5m", overseas), ring("americas", "5m", us), ring("japan", "0s", japan)),
			ExpectError: regexp.MustCompile(`(?s)Ring americas, group us-east-1/web-us failed.*rolled\s+back.*later\s+rings\s+\(japan\)\s+were\s+not\s+started`),
		}},
	})
	for _, c := range []struct {
		f       *webFleet
		version string
	}{{overseas, "2"}, {us, "1"}, {japan, "1"}} {
		if err := c.f.check(4, 6, c.version)(nil); err != nil {
			t.Errorf("%s: %v", c.f.name, err)
		}
	}
}

func TestAccRingRolloutResource_RollsEveryRing(t *testing.T) {
	s := startEmulator(t)
	overseas := newWebFleetIn(t, s, "eu-west-1", "web-eu", 6)
	japan := newWebFleetIn(t, s, "ap-northeast-1", "web-jp", 6)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: rolloutFactories(s),
		Steps: []resource.TestStep{{
			Config: ringConfig(s, ring("overseas", "10m", overseas), ring("japan", "0s", japan)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("sre_ring_rollout.web", tfjsonpath.New("versions"), knownvalue.MapExact(map[string]knownvalue.Check{
					"eu-west-1/web-eu": knownvalue.StringExact("2"), "ap-northeast-1/web-jp": knownvalue.StringExact("2")})),
			},
			Check: resource.ComposeTestCheckFunc(overseas.check(4, 6, "2"), japan.check(4, 6, "2")),
		}},
	})
}
