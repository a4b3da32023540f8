package provider

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sre-provider/terraform-provider-sre/internal/awsemu"
	"github.com/sre-provider/terraform-provider-sre/internal/slo"
)

// useEmulatorClock evaluates live status at the emulator's clock for the
// duration of the test, so metric timestamps and status windows agree.
func useEmulatorClock(t *testing.T, s *awsemu.Server) {
	t.Helper()
	prev := sloStatusNow
	sloStatusNow = s.Clock().Now
	t.Cleanup(func() { sloStatusNow = prev })
}

// emulatorCloudWatch is the SDK client a test uses to act out of band.
func emulatorCloudWatch(s *awsemu.Server) *cloudwatch.Client {
	return cloudwatch.NewFromConfig(aws.Config{
		Region:      awsemu.DefaultRegion,
		Credentials: credentials.NewStaticCredentialsProvider(awsemu.DefaultAccessKey, awsemu.DefaultSecretKey, ""),
	}, func(o *cloudwatch.Options) { o.BaseEndpoint = aws.String(s.URL()) })
}

// sloConfig is an sre_slo with a good/total ratio SLI.
func sloConfig(name, objective, period, description string) string {
	return fmt.Sprintf(`
resource "sre_slo" "test" {
  name        = %q
  service     = "checkout"
  description = %q
  objective   = %s
  period      = %q
  sli = {
    ratio = {
      good = {
        namespace   = "App"
        metric_name = "Good"
        dimensions  = { Service = "checkout" }
        statistic   = "Sum"
      }
      total = {
        namespace   = "App"
        metric_name = "Requests"
        dimensions  = { Service = "checkout" }
        statistic   = "Sum"
      }
    }
  }
}
`, name, description, objective, period)
}

// sloExpressionConfig counts bad events with an expression over two metrics.
func sloExpressionConfig(name string) string {
	return fmt.Sprintf(`
resource "sre_slo" "test" {
  name      = %q
  objective = 99.5
  period    = "calendar_month"
  sli = {
    ratio = {
      bad = {
        expression = "e4 + e5"
        metrics = {
          e4 = { namespace = "App", metric_name = "Err4xx", statistic = "Sum", dimensions = { Service = "checkout" } }
          e5 = { namespace = "App", metric_name = "Err5xx", statistic = "Sum", dimensions = { Service = "checkout" } }
        }
      }
      total = { namespace = "App", metric_name = "Requests", statistic = "SampleCount" }
    }
  }
}
`, name)
}

func checkDashboard(s *awsemu.Server, name string, wantPresent bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		body, ok := s.DashboardBody("slo-" + name)
		switch {
		case ok != wantPresent:
			return fmt.Errorf("dashboard slo-%s present = %v, want %v", name, ok, wantPresent)
		case ok && !strings.Contains(body, "sre_slo definition"):
			return fmt.Errorf("dashboard slo-%s lacks the definition widget: %s", name, body)
		}
		return nil
	}
}

func TestAccSLOResource_Lifecycle(t *testing.T) {
	s := startEmulator(t)
	useEmulatorClock(t, s)
	cw := emulatorCloudWatch(s)
	const res = "sre_slo.test"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDashboard(s, "checkout-availability", false),
		Steps: []resource.TestStep{
			{
				// Create: the budget figures are known in the plan.
				Config: providerConfig(s) + sloConfig("checkout-availability", "99.9", "28d", "Checkout requests succeed."),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("allowed_downtime"), knownvalue.StringExact("40m19.2s")),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("error_budget_ratio"), knownvalue.Float64Exact(0.001)),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("burn_rate_thresholds").AtMapKey("page_fast"), knownvalue.Float64Exact(13.44)),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("dashboard_name"), knownvalue.StringExact("slo-checkout-availability")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("id"), knownvalue.StringExact("checkout-availability")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("allowed_bad_fraction"), knownvalue.Float64Exact(0.001)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("max_burn_rate"), knownvalue.Float64Exact(1000)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("burn_rate_thresholds"), knownvalue.MapExact(map[string]knownvalue.Check{
						"page_fast": knownvalue.Float64Exact(13.44), "page_slow": knownvalue.Float64Exact(5.6),
						"ticket_fast": knownvalue.Float64Exact(2.8), "ticket_slow": knownvalue.Float64Exact(2.8 / 3),
					})),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("status").AtMapKey("has_data"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("status").AtMapKey("release_allowed"), knownvalue.Bool(true)),
				},
				Check: checkDashboard(s, "checkout-availability", true),
			},
			{
				// Import by name reproduces the configuration from the dashboard.
				ResourceName: res, ImportState: true, ImportStateId: "checkout-availability", ImportStateVerify: true,
			},
			{
				// Update in place: objective, period and description.
				Config: providerConfig(s) + sloConfig("checkout-availability", "99.95", "30d", "Stricter."),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("allowed_downtime"), knownvalue.StringExact("21m36s")),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("burn_rate_thresholds").AtMapKey("page_fast"), knownvalue.Float64Exact(14.4)),
				}},
				Check: func(*terraform.State) error {
					body, _ := s.DashboardBody("slo-checkout-availability")
					if !strings.Contains(body, `\"objective\":\"99.95\"`) || !strings.Contains(body, "Stricter.") {
						return fmt.Errorf("dashboard not updated: %s", body)
					}
					return nil
				},
			},
			{
				// Drift: the dashboard is edited outside Terraform.
				PreConfig: func() {
					_, err := cw.PutDashboard(context.Background(), &cloudwatch.PutDashboardInput{
						DashboardName: aws.String("slo-checkout-availability"),
						DashboardBody: aws.String(`{"widgets":[{"type":"text","x":0,"y":0,"width":6,"height":2,"properties":{"markdown":"hand edited"}}]}`),
					})
					if err != nil {
						t.Fatalf("edit dashboard out of band: %v", err)
					}
				},
				Config: providerConfig(s) + sloConfig("checkout-availability", "99.95", "30d", "Stricter."),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
				}},
				Check: checkDashboard(s, "checkout-availability", true),
			},
			{
				// Drift: the dashboard is deleted outside Terraform.
				PreConfig: func() {
					if _, err := cw.DeleteDashboards(context.Background(), &cloudwatch.DeleteDashboardsInput{DashboardNames: []string{"slo-checkout-availability"}}); err != nil {
						t.Fatalf("delete dashboard out of band: %v", err)
					}
				},
				Config: providerConfig(s) + sloConfig("checkout-availability", "99.95", "30d", "Stricter."),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionCreate),
				}},
				Check: checkDashboard(s, "checkout-availability", true),
			},
			{
				// Renaming replaces the SLO and its dashboard.
				Config: providerConfig(s) + sloConfig("checkout-avail", "99.95", "30d", "Stricter."),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeTestCheckFunc(checkDashboard(s, "checkout-availability", false), checkDashboard(s, "checkout-avail", true)),
			},
		},
	})
}

func TestAccSLOResource_ExpressionAndImport(t *testing.T) {
	s := startEmulator(t)
	useEmulatorClock(t, s)
	const res = "sre_slo.test"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: providerConfig(s) + sloExpressionConfig("checkout-errors"),
				ConfigStateChecks: []statecheck.StateCheck{
					// calendar_month plans with 30 days: 0.5 % of 30 days.
					statecheck.ExpectKnownValue(res, tfjsonpath.New("allowed_downtime"), knownvalue.StringExact("3h36m0s")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("burn_rate_thresholds").AtMapKey("page_fast"), knownvalue.Float64Exact(14.4)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("status").AtMapKey("window_start"), knownvalue.StringExact("2026-01-01T00:00:00Z")),
				},
			},
			{ResourceName: res, ImportState: true, ImportStateId: "checkout-errors", ImportStateVerify: true},
			{
				// Importing a name without a dashboard fails clearly.
				ResourceName: res, ImportState: true, ImportStateId: "no-such-slo",
				ExpectError: regexp.MustCompile(`Cannot import non-existent remote object`),
			},
		},
	})
}

// putMetrics publishes datapoints relative to the emulator clock.
func putMetrics(t *testing.T, s *awsemu.Server, service string, points map[string][]struct {
	ago   time.Duration
	value float64
}) {
	t.Helper()
	var data []cwtypes.MetricDatum
	now := s.Clock().Now()
	for name, ps := range points {
		for _, p := range ps {
			data = append(data, cwtypes.MetricDatum{
				MetricName: aws.String(name), Timestamp: aws.Time(now.Add(-p.ago)), Value: aws.Float64(p.value),
				Dimensions: []cwtypes.Dimension{{Name: aws.String("Service"), Value: aws.String(service)}},
			})
		}
	}
	if _, err := emulatorCloudWatch(s).PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{Namespace: aws.String("App"), MetricData: data}); err != nil {
		t.Fatalf("PutMetricData: %v", err)
	}
}

type pt = struct {
	ago   time.Duration
	value float64
}

func TestAccSLOResource_InvalidConfigFailsAtPlan(t *testing.T) {
	s := startEmulator(t)
	base := sloConfig("x", "99.9", "28d", "d")
	cases := map[string]struct {
		config string
		want   string
	}{
		"an objective of 100": {config: strings.Replace(base, "objective   = 99.9", "objective   = 100", 1),
			want: `(?s)Invalid Objective.*less than 100 percent`},
		"an objective of -1": {config: strings.Replace(base, "objective   = 99.9", "objective   = -1", 1),
			want: `(?s)Invalid Objective.*greater than 0`},
		"five decimals": {config: strings.Replace(base, "objective   = 99.9", "objective   = 99.12345", 1),
			want: `(?s)Invalid Objective.*5 decimals; at most 4 are allowed`},
		"a period in hours": {config: strings.Replace(base, `period      = "28d"`, `period      = "672h"`, 1),
			want: `(?s)Invalid Period.*rolling days such as "28d"`},
		"a 0-day period": {config: strings.Replace(base, `period      = "28d"`, `period      = "0d"`, 1),
			want: `(?s)Invalid Period.*1 to 90 days`},
		"an objective too low for the page window": {config: strings.Replace(strings.Replace(base, "objective   = 99.9", "objective   = 92", 1), `"28d"`, `"30d"`, 1),
			want: `(?s)Objective Too Low.*page_fast.*exceeds the largest possible burn rate 12\.5`},
		"an Average statistic": {config: strings.Replace(base, `statistic   = "Sum"`, `statistic   = "Average"`, 1),
			want: `(?s)sli\.ratio\.good\.statistic.*"Average" must be one of Sum, SampleCount`},
		"both good and bad": {config: strings.Replace(base, "      total = {", "      bad = {\n        namespace = \"App\"\n        metric_name = \"Bad\"\n        statistic = \"Sum\"\n      }\n      total = {", 1),
			want: `(?s)sli\.ratio.*only one of good or bad`},
		"a name with a space": {config: strings.Replace(base, `name        = "x"`, `name        = "check out"`, 1),
			want: `(?s)Invalid Name.*dashboard`},
		"an expression with an unknown id": {config: strings.Replace(sloExpressionConfig("x"), `"e4 + e5"`, `"e4 + e6"`, 1),
			want: `(?s)sli\.ratio\.bad\.expression.*references "e6"`},
		"both ratio and latency": {config: strings.Replace(base, "    ratio = {", "    latency = {\n      namespace = \"App\"\n      metric_name = \"Latency\"\n      threshold = 300\n    }\n    ratio = {", 1),
			want: `(?s)Invalid Attribute Combination`},
		"a percentile of 100": {config: `
resource "sre_slo" "test" {
  name      = "lat"
  objective = 99
  period    = "7d"
  sli = {
    latency = { namespace = "App", metric_name = "Latency", threshold = 300, percentile = 100 }
  }
}
`, want: `(?s)sli\.latency\.percentile.*between 0 and 100`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: providerConfig(s) + tc.config, PlanOnly: true,
					ExpectError: regexp.MustCompile(wrapTolerant(tc.want)),
				}},
			})
			if n := s.Calls("monitoring", "PutDashboard"); n != 0 {
				t.Fatalf("an invalid SLO reached CloudWatch: %d PutDashboard calls", n)
			}
		})
	}
}

func TestAttrPath(t *testing.T) {
	tests := map[string]struct {
		in   slo.Path
		want string
	}{
		"an expression metric is keyed by its id":       {slo.Root("sli").At("ratio").At("bad").At("metrics").Key("b").At("statistic"), `sli.ratio.bad.metrics["b"].statistic`},
		"a single metric's attribute sits on the query": {slo.Root("sli").At("ratio").At("total").At("namespace"), "sli.ratio.total.namespace"},
		"a top-level attribute":                         {slo.Root("objective"), "objective"},
	}
	for name, tc := range tests {
		if got := sloAttrPath(tc.in).String(); got != tc.want || tc.in.String() != tc.want {
			t.Errorf("%s: sloAttrPath(%s) = %s, want %s", name, tc.in, got, tc.want)
		}
	}
}

func TestSLOResourceSchemaIsValid(t *testing.T) {
	ctx := context.Background()
	resp := &fwresource.SchemaResponse{}
	NewSLOResource().Schema(ctx, fwresource.SchemaRequest{}, resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("schema diagnostics: %v", resp.Diagnostics)
	}
	if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
		t.Fatalf("schema implementation: %v", diags)
	}
	for name, a := range resp.Schema.Attributes {
		if a.GetMarkdownDescription() == "" {
			t.Errorf("attribute %s has no description", name)
		}
	}
}

// TestAccSLOResource_RefreshMany refreshes many SLOs with the real Terraform
// CLI (default parallelism 10) and checks that the live status costs well
// under one GetMetricData call per SLO. The figure is logged; run with -v.
// It uses 40 SLOs, or 200 with SRE_ACC_SLO_COUNT=200 (about 100 s, most of it
// Terraform planning and applying 200 resources).
func TestAccSLOResource_RefreshMany(t *testing.T) {
	n := 40
	if v, err := strconv.Atoi(os.Getenv("SRE_ACC_SLO_COUNT")); err == nil && v > 0 {
		n = v
	}
	s := startEmulator(t)
	useEmulatorClock(t, s)
	config := providerConfig(s) + fmt.Sprintf(`
resource "sre_slo" "many" {
  count     = %d
  name      = "svc-${count.index}"
  objective = 99.9
  period    = count.index %% 4 == 3 ? "30d" : "28d"
  sli = {
    ratio = {
      good  = { namespace = "App", metric_name = "Good", statistic = "Sum", dimensions = { Service = "svc-${count.index}" } }
      total = { namespace = "App", metric_name = "Requests", statistic = "Sum", dimensions = { Service = "svc-${count.index}" } }
    }
  }
}
`, n)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig:    s.ResetCalls,
				RefreshState: true,
				Check: func(*terraform.State) error {
					gmd, dash := s.Calls("monitoring", "GetMetricData"), s.Calls("monitoring", "GetDashboard")
					t.Logf("refresh of %d SLOs: %d GetMetricData calls (%.3f per SLO), %d GetDashboard calls", n, gmd, float64(gmd)/float64(n), dash)
					if gmd == 0 || float64(gmd)/float64(n) >= 0.5 {
						return fmt.Errorf("%d GetMetricData calls for %d SLOs; want well under one per SLO", gmd, n)
					}
					return nil
				},
			},
		},
	})
}
