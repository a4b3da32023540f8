package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func errorBudgetConfig(objective, period, events string) string {
	return fmt.Sprintf(`
data "sre_error_budget" "test" {
  objective = %s
  period    = %q
  events    = %s
}
`, objective, period, events)
}

func TestAccErrorBudgetDataSource_Basic(t *testing.T) {
	s := startEmulator(t)
	ds := "data.sre_error_budget.test"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: providerConfig(s) + errorBudgetConfig("99.9", "28d", "1000000"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("error_budget_ratio"), knownvalue.Float64Exact(0.001)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("allowed_bad_fraction"), knownvalue.Float64Exact(0.001)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("allowed_bad_events"), knownvalue.Float64Exact(1000)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("allowed_downtime"), knownvalue.StringExact("40m19.2s")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("allowed_downtime_seconds"), knownvalue.Float64Exact(2419.2)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("max_burn_rate"), knownvalue.Float64Exact(1000)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("burn_rate_thresholds"), knownvalue.MapExact(map[string]knownvalue.Check{
						"page_fast": knownvalue.Float64Exact(13.44), "page_slow": knownvalue.Float64Exact(5.6),
						"ticket_fast": knownvalue.Float64Exact(2.8), "ticket_slow": knownvalue.Float64Exact(2.8 / 3),
					})),
				},
			},
			{
				// 30-day period: the published thresholds, and no event volume.
				Config: providerConfig(s) + `
data "sre_error_budget" "test" {
  objective = 99.95
  period    = "30d"
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("allowed_bad_events"), knownvalue.Null()),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("allowed_downtime"), knownvalue.StringExact("21m36s")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("burn_rate_thresholds"), knownvalue.MapExact(map[string]knownvalue.Check{
						"page_fast": knownvalue.Float64Exact(14.4), "page_slow": knownvalue.Float64Exact(6),
						"ticket_fast": knownvalue.Float64Exact(3), "ticket_slow": knownvalue.Float64Exact(1),
					})),
				},
			},
		},
	})
}

func TestAccErrorBudgetDataSource_InvalidArguments(t *testing.T) {
	s := startEmulator(t)
	cases := map[string]struct {
		config string
		want   string
	}{
		"an objective of 100":          {config: errorBudgetConfig("100", "28d", "1"), want: `(?s)Invalid Objective.*must be less than 100 percent`},
		"an objective of 0":            {config: errorBudgetConfig("0", "28d", "1"), want: `(?s)Invalid Objective.*greater than 0 percent`},
		"an objective with 5 decimals": {config: errorBudgetConfig("99.99995", "28d", "1"), want: `(?s)Invalid Objective.*5 decimals; at most 4`},
		"a period in weeks":            {config: errorBudgetConfig("99.9", "4w", "1"), want: `(?s)Invalid Period.*rolling days such as`},
		"a period of 91 days":          {config: errorBudgetConfig("99.9", "91d", "1"), want: `(?s)Invalid Period.*1 to 90 days`},
		"a negative event volume":      {config: errorBudgetConfig("99.9", "28d", "-1"), want: `(?s)events.*at least 0`},
		"an objective too low for the page windows": {
			config: errorBudgetConfig("92", "30d", "1"), want: `(?s)page_fast.*14\.4.*exceeds the largest possible burn rate 12\.5`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: providerConfig(s) + tc.config, ExpectError: regexp.MustCompile(wrapTolerant(tc.want)),
				}},
			})
		})
	}
}
