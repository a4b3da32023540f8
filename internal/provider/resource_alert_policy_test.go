package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
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
)

const (
	pageTopic   = "arn:aws:sns:us-east-1:123456789012:page"
	ticketTopic = "arn:aws:sns:us-east-1:123456789012:ticket"
)

// alertPolicyConfig is an sre_slo and an sre_alert_policy on it; body goes
// inside the policy block after slo and name.
func alertPolicyConfig(objective, period, body string) string {
	return sloConfig("checkout", objective, period, "Checkout requests succeed.") + fmt.Sprintf(`
resource "sre_alert_policy" "test" {
  name = "checkout"
  slo  = sre_slo.test
%s
}
`, body)
}

const routing = `
  page   = { alarm_actions = ["` + pageTopic + `"] }
  ticket = { alarm_actions = ["` + ticketTopic + `"] }
`

func checkAlarms(s *awsemu.Server, present []string, absent []string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, n := range present {
			if _, ok := s.AlarmState(n); !ok {
				return fmt.Errorf("alarm %s does not exist", n)
			}
		}
		for _, n := range absent {
			if _, ok := s.AlarmState(n); ok {
				return fmt.Errorf("alarm %s still exists", n)
			}
		}
		return nil
	}
}

var defaultAlarmNames = []string{
	"checkout-page_fast-long", "checkout-page_fast-short", "checkout-page_slow-long", "checkout-page_slow-short",
	"checkout-ticket_fast-long", "checkout-ticket_fast-short", "checkout-ticket_slow-long", "checkout-ticket_slow-short",
	"checkout-page", "checkout-ticket",
}

func TestAccAlertPolicyResource_Lifecycle(t *testing.T) {
	s := startEmulator(t)
	useEmulatorClock(t, s)
	cw := emulatorCloudWatch(s)
	const res = "sre_alert_policy.test"
	fig := func(window, attr string) tfjsonpath.Path {
		return tfjsonpath.New("alerts").AtMapKey(window).AtMapKey(attr)
	}
	// The policy after its update: two default windows, a custom one, OK
	// routing, a guard, a no-data alarm and tags.
	updated := `
  default_windows = ["page_fast", "ticket_fast"]
  windows = {
    login_burst = { severity = "page", budget_share = 0.01, long_window = "30m", short_window = "5m" }
  }
  page   = { alarm_actions = ["` + pageTopic + `"], ok_actions = ["` + pageTopic + `"] }
  ticket = { alarm_actions = ["` + ticketTopic + `"] }
  low_traffic = { min_events_per_hour = 60 }
  no_data = { after = "15m" }
  tags = { team = "payments" }
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkAlarms(s, nil, defaultAlarmNames),
		Steps: []resource.TestStep{
			{
				// Create: thresholds and detection figures are in the first plan.
				Config: providerConfig(s) + alertPolicyConfig("99.9", "30d", routing),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(res, fig("page_fast", "burn_rate"), knownvalue.Float64Exact(14.4)),
					plancheck.ExpectKnownValue(res, fig("page_fast", "error_ratio_threshold"), knownvalue.Float64Exact(0.0144)),
					plancheck.ExpectKnownValue(res, fig("page_fast", "detection_time"), knownvalue.StringExact("51.84s")),
					plancheck.ExpectKnownValue(res, fig("page_fast", "budget_spent_at_detection"), knownvalue.Float64Exact(0.02)),
					plancheck.ExpectKnownValue(res, fig("page_slow", "burn_rate"), knownvalue.Float64Exact(6)),
					plancheck.ExpectKnownValue(res, fig("ticket_fast", "burn_rate"), knownvalue.Float64Exact(3)),
					plancheck.ExpectKnownValue(res, fig("ticket_slow", "burn_rate"), knownvalue.Float64Exact(1)),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("page_alarm_name"), knownvalue.StringExact("checkout-page")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("id"), knownvalue.StringExact("checkout")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("default_windows"), knownvalue.SetSizeExact(4)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("alarms"), knownvalue.MapSizeExact(10)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("ticket_suppression").AtMapKey("extension_period"), knownvalue.StringExact("15m")),
				},
				Check: checkAlarms(s, defaultAlarmNames, nil),
			},
			{
				// Import by policy name rebuilds the configuration.
				ResourceName: res, ImportState: true, ImportStateId: "checkout", ImportStateVerify: true,
			},
			{
				// Update windows and routing: page_slow and ticket_slow go, a
				// custom window and OK routing come; the rest stay in place.
				Config: providerConfig(s) + alertPolicyConfig("99.9", "30d", updated),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(res, fig("login_burst", "burn_rate"), knownvalue.Float64Exact(14.4)),
					plancheck.ExpectKnownValue(res, fig("page_fast", "min_events_short"), knownvalue.Float64Exact(5)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("alarms"), knownvalue.MapSizeExact(9)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("no_data_alarm_name"), knownvalue.StringExact("checkout-no-data")),
				},
				Check: resource.ComposeTestCheckFunc(checkAlarms(s,
					[]string{"checkout-login_burst-long", "checkout-login_burst-short", "checkout-no-data", "checkout-page", "checkout-ticket"},
					[]string{"checkout-page_slow-long", "checkout-ticket_slow-short"}),
					// Windows that stay are updated in place, never deleted and recreated.
					func(*terraform.State) error {
						for _, n := range []string{"checkout-page_fast-long", "checkout-page"} {
							out, err := cw.DescribeAlarmHistory(context.Background(), &cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String(n),
								HistoryItemType: cwtypes.HistoryItemTypeConfigurationUpdate, AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm}})
							if err != nil {
								return err
							}
							for _, h := range out.AlarmHistoryItems {
								if strings.Contains(aws.ToString(h.HistorySummary), "deleted") {
									return fmt.Errorf("%s was deleted during the update: %s", n, aws.ToString(h.HistorySummary))
								}
							}
							if len(out.AlarmHistoryItems) == 0 {
								return fmt.Errorf("%s has no configuration history", n)
							}
						}
						return nil
					}),
			},
			{
				// The updated policy imports too: custom windows, guard, no-data and tags.
				ResourceName: res, ImportState: true, ImportStateId: "checkout", ImportStateVerify: true,
			},
			{
				// Drift: an alarm's threshold is edited outside Terraform.
				PreConfig: func() {
					out, err := cw.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"checkout-page_fast-long"}})
					if err != nil || len(out.MetricAlarms) != 1 {
						t.Fatalf("describe: %v", err)
					}
					a := out.MetricAlarms[0]
					_, err = cw.PutMetricAlarm(context.Background(), &cloudwatch.PutMetricAlarmInput{
						AlarmName: a.AlarmName, Metrics: a.Metrics, ComparisonOperator: a.ComparisonOperator, EvaluationPeriods: a.EvaluationPeriods,
						Threshold: aws.Float64(0.5), TreatMissingData: a.TreatMissingData,
					})
					if err != nil {
						t.Fatalf("edit alarm out of band: %v", err)
					}
				},
				Config: providerConfig(s) + alertPolicyConfig("99.9", "30d", updated),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					out, err := cw.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"checkout-page_fast-long"}})
					if err != nil || len(out.MetricAlarms) != 1 || aws.ToFloat64(out.MetricAlarms[0].Threshold) != 0.0144 {
						return fmt.Errorf("the edited alarm was not restored: %v %+v", err, out)
					}
					return nil
				},
			},
			{
				// Drift: one alarm deleted outside Terraform comes back.
				PreConfig: func() {
					if _, err := cw.DeleteAlarms(context.Background(), &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"checkout-ticket"}}); err != nil {
						t.Fatal(err)
					}
				},
				Config: providerConfig(s) + alertPolicyConfig("99.9", "30d", routing),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
				}},
				Check: checkAlarms(s, defaultAlarmNames, []string{"checkout-no-data", "checkout-login_burst-long"}),
			},
			{
				// Drift: every alarm deleted outside Terraform: the policy is created again.
				PreConfig: func() {
					if _, err := cw.DeleteAlarms(context.Background(), &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"checkout-page", "checkout-ticket"}}); err != nil {
						t.Fatal(err)
					}
					if _, err := cw.DeleteAlarms(context.Background(), &cloudwatch.DeleteAlarmsInput{AlarmNames: defaultAlarmNames[:8]}); err != nil {
						t.Fatal(err)
					}
				},
				Config: providerConfig(s) + alertPolicyConfig("99.9", "30d", routing),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionCreate),
				}},
				Check: checkAlarms(s, defaultAlarmNames, nil),
			},
		},
	})
}

// Default tags reach every alarm, and a tag change rewrites tags in place.
func TestAccAlertPolicyResource_DefaultTags(t *testing.T) {
	s := startEmulator(t)
	cw := emulatorCloudWatch(s)
	tagsOf := func(alarm string) map[string]string {
		out, err := cw.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{alarm},
			AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm}})
		if err != nil {
			t.Fatal(err)
		}
		arn := ""
		for _, a := range out.MetricAlarms {
			arn = aws.ToString(a.AlarmArn)
		}
		for _, a := range out.CompositeAlarms {
			arn = aws.ToString(a.AlarmArn)
		}
		tags, err := cw.ListTagsForResource(context.Background(), &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, tg := range tags.Tags {
			m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		return m
	}
	defaults := "  default_tags {\n    tags = { env = \"prod\", owner = \"sre\" }\n  }"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: providerConfig(s, defaults) + alertPolicyConfig("99.9", "28d", routing+`  tags = { owner = "payments" }`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("sre_alert_policy.test", tfjsonpath.New("tags_all"), knownvalue.MapExact(map[string]knownvalue.Check{
						"env": knownvalue.StringExact("prod"), "owner": knownvalue.StringExact("payments")})),
				},
				Check: func(*terraform.State) error {
					for _, n := range []string{"checkout-page_fast-long", "checkout-ticket"} {
						if tg := tagsOf(n); tg["env"] != "prod" || tg["owner"] != "payments" || tg["sre:policy"] != "checkout" {
							return fmt.Errorf("tags of %s = %v", n, tg)
						}
					}
					return nil
				},
			},
			{
				Config: providerConfig(s, "  default_tags {\n    tags = { owner = \"sre\" }\n  }") + alertPolicyConfig("99.9", "28d", routing),
				Check: func(*terraform.State) error {
					if tg := tagsOf("checkout-page"); tg["env"] != "" || tg["owner"] != "sre" {
						return fmt.Errorf("tags of checkout-page after the change = %v", tg)
					}
					return nil
				},
			},
		},
	})
}

func TestAccAlertPolicyResource_InvalidConfigFailsAtPlan(t *testing.T) {
	s := startEmulator(t)
	var ms, ids []string
	for i := 0; i < 10; i++ {
		ms = append(ms, fmt.Sprintf("e%d = { namespace = \"App\", metric_name = \"E%d\", statistic = \"Sum\" }", i, i))
		ids = append(ids, fmt.Sprintf("e%d", i))
	}
	manyMetrics := `
resource "sre_alert_policy" "test" {
  name = "wide"
  slo = {
    name = "wide", objective = 99.9, period = "30d"
    sli = { ratio = {
      bad   = { expression = "` + strings.Join(ids, " + ") + `", metrics = { ` + strings.Join(ms, ", ") + ` } }
      total = { namespace = "App", metric_name = "Requests", statistic = "Sum" }
    } }
  }
}
`
	cases := map[string]struct {
		body, objective, period string
		config                  string // replaces the SLO and policy when set
		want                    string
	}{
		"more metrics than an alarm may hold": {config: manyMetrics, want: `(?s)slo\.sli.*reads the SLI's 11 metrics.*allows 10`},
		"a custom window that can never fire": {body: `windows = { burst = { severity = "page", budget_share = 0.5, long_window = "5m", short_window = "1m" } }`,
			want: `(?s)windows\["burst"\].*exceeds the largest possible burn rate`},
		"a window longer than the period": {period: "2d", body: `windows = { week = { severity = "ticket", budget_share = 0.5, long_window = "3d", short_window = "1d" } }`,
			want: `(?s)windows\["week"\].*longer than the period`},
		"a window that is not a whole number of minutes": {body: `windows = { odd = { severity = "page", budget_share = 0.02, long_window = "1h", short_window = "30s" } }`,
			want: `(?s)windows\["odd"\]\.short_window`},
		"a window beyond 7 days": {period: "30d", body: `windows = { long = { severity = "ticket", budget_share = 0.5, long_window = "8d", short_window = "1d" } }`,
			want: `(?s)windows\["long"\].*exceeds 7 days`},
		"a short window as long as the long one": {body: `windows = { flat = { severity = "page", budget_share = 0.02, long_window = "1h", short_window = "1h" } }`,
			want: `(?s)windows\["flat"\].*must be shorter than long_window`},
		"an unknown severity": {body: `windows = { w = { severity = "sms", budget_share = 0.02, long_window = "1h", short_window = "5m" } }`,
			want: `(?s)windows\["w"\]\.severity.*must be page or ticket`},
		"an unknown default window": {body: `default_windows = ["page_quick"]`,
			want: `(?s)default_windows.*"page_quick" is not a default window`},
		"an SNS target that is not an ARN": {body: `page = { alarm_actions = ["oncall@example.com"] }`,
			want: `(?s)page\.alarm_actions.*is not an ARN`},
		"more windows than a composite can combine": {body: "windows = {\n" + func() string {
			var b strings.Builder
			for i := 0; i < 51; i++ {
				fmt.Fprintf(&b, "    w%02d = { severity = \"ticket\", budget_share = 0.5, long_window = \"3d\", short_window = \"1d\" }\n", i)
			}
			return b.String()
		}() + "  }", want: `(?s)allows 100 in a composite rule`},
		"a no-data delay of 8 days": {body: `no_data = { after = "8d" }`, want: `(?s)no_data\.after.*exceeds 7 days`},
		"a negative guard":          {body: `low_traffic = { min_events_per_hour = -1 }`, want: `(?s)low_traffic\.min_events_per_hour`},
		"no window at all":          {body: `default_windows = []`, want: `(?s)would create no alarms`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			objective, period := tc.objective, tc.period
			if objective == "" {
				objective = "99.9"
			}
			if period == "" {
				period = "30d"
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: providerConfig(s) + func() string {
						if tc.config != "" {
							return tc.config
						}
						return alertPolicyConfig(objective, period, "  "+tc.body)
					}(), PlanOnly: true,
					ExpectError: regexp.MustCompile(wrapTolerant(tc.want)),
				}},
			})
			if n := s.Calls("monitoring", "PutMetricAlarm"); n != 0 {
				t.Fatalf("an invalid policy reached CloudWatch: %d PutMetricAlarm calls", n)
			}
		})
	}
}

// A low objective drops the default windows it can never fire, with a
// warning, instead of failing (the SLO itself is managed elsewhere here).
func TestAccAlertPolicyResource_LowObjectiveDropsWindows(t *testing.T) {
	s := startEmulator(t)
	const res = "sre_alert_policy.test"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(s) + `
resource "sre_alert_policy" "test" {
  name = "batch"
  slo = {
    name      = "batch"
    objective = 90
    period    = "30d"
    sli = { ratio = {
      bad   = { namespace = "App", metric_name = "Failed", statistic = "Sum" }
      total = { namespace = "App", metric_name = "Jobs", statistic = "Sum" }
    } }
  }
  ticket = { alarm_actions = ["` + ticketTopic + `"] }
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(res, tfjsonpath.New("default_windows"), knownvalue.SetExact([]knownvalue.Check{
					knownvalue.StringExact("page_slow"), knownvalue.StringExact("ticket_fast"), knownvalue.StringExact("ticket_slow")})),
				statecheck.ExpectKnownValue(res, tfjsonpath.New("alarms"), knownvalue.MapSizeExact(8)),
			},
		}},
	})
}

func TestAlertPolicyResourceSchemaIsValid(t *testing.T) {
	ctx := context.Background()
	resp := &fwresource.SchemaResponse{}
	NewAlertPolicyResource().Schema(ctx, fwresource.SchemaRequest{}, resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	if d := resp.Schema.ValidateImplementation(ctx); d.HasError() {
		t.Fatal(d)
	}
}
