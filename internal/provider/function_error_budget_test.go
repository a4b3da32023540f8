package provider

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

func runErrorBudget(t *testing.T, objective float64, period string, events float64) (map[string]attr.Value, *function.FuncError) {
	t.Helper()
	req := function.RunRequest{Arguments: function.NewArgumentsData([]attr.Value{
		types.Float64Value(objective), types.StringValue(period), types.Float64Value(events),
	})}
	resp := &function.RunResponse{Result: function.NewResultData(types.ObjectUnknown(errorBudgetResultTypes))}
	NewErrorBudgetFunction().Run(context.Background(), req, resp)
	if resp.Error != nil {
		return nil, resp.Error
	}
	obj, ok := resp.Result.Value().(types.Object)
	if !ok {
		t.Fatalf("result is %T, want an object", resp.Result.Value())
	}
	return obj.Attributes(), nil
}

func TestErrorBudgetFunction(t *testing.T) {
	tests := map[string]struct {
		objective float64
		period    string
		events    float64
		bad       float64
		downtime  string
		seconds   float64
		ratio     float64
	}{
		"99.9% over 28 days with a million requests allows 1000 bad and 40.32 minutes": {
			objective: 99.9, period: "28d", events: 1e6, bad: 1000, downtime: "40m19.2s", seconds: 2419.2, ratio: 0.001,
		},
		"99.95% over a calendar month is sized as 30 days": {
			objective: 99.95, period: "calendar_month", events: 2e6, bad: 1000, downtime: "21m36s", seconds: 1296, ratio: 0.0005,
		},
		"zero events allow zero bad events": {
			objective: 99, period: "7d", events: 0, bad: 0, downtime: "1h40m48s", seconds: 6048, ratio: 0.01,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, ferr := runErrorBudget(t, tc.objective, tc.period, tc.events)
			if ferr != nil {
				t.Fatalf("error: %s", ferr.Text)
			}
			if v := got["allowed_bad_events"].(types.Float64).ValueFloat64(); !closeTo(v, tc.bad) {
				t.Errorf("allowed_bad_events = %v, want %v", v, tc.bad)
			}
			if v := got["allowed_downtime"].(types.String).ValueString(); v != tc.downtime {
				t.Errorf("allowed_downtime = %q, want %q", v, tc.downtime)
			}
			if v := got["allowed_downtime_seconds"].(types.Float64).ValueFloat64(); !closeTo(v, tc.seconds) {
				t.Errorf("allowed_downtime_seconds = %v, want %v", v, tc.seconds)
			}
			if v := got["error_budget_ratio"].(types.Float64).ValueFloat64(); !closeTo(v, tc.ratio) {
				t.Errorf("error_budget_ratio = %v, want %v", v, tc.ratio)
			}
			if v := got["max_burn_rate"].(types.Float64).ValueFloat64(); !closeTo(v, 1/tc.ratio) {
				t.Errorf("max_burn_rate = %v, want %v", v, 1/tc.ratio)
			}
		})
	}
}

func TestErrorBudgetFunctionArgumentErrors(t *testing.T) {
	tests := map[string]struct {
		objective float64
		period    string
		events    float64
		arg       int64
		text      string
	}{
		"an objective of 100 names the objective":  {objective: 100, period: "28d", events: 1, arg: 0, text: "must be less than 100"},
		"a zero objective names the objective":     {objective: 0, period: "28d", events: 1, arg: 0, text: "greater than 0"},
		"five decimals name the objective":         {objective: 99.99999, period: "28d", events: 1, arg: 0, text: "at most 4 are allowed"},
		"a period in weeks names the period":       {objective: 99.9, period: "4w", events: 1, arg: 1, text: "rolling days"},
		"a 91-day period names the period":         {objective: 99.9, period: "91d", events: 1, arg: 1, text: "1 to 90 days"},
		"a negative event volume names the events": {objective: 99.9, period: "28d", events: -5, arg: 2, text: "zero or more"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, ferr := runErrorBudget(t, tc.objective, tc.period, tc.events)
			if ferr == nil {
				t.Fatal("want an argument error")
			}
			if ferr.FunctionArgument == nil || *ferr.FunctionArgument != tc.arg || !strings.Contains(ferr.Text, tc.text) {
				t.Fatalf("error = %q on argument %v, want %q on argument %d", ferr.Text, ferr.FunctionArgument, tc.text, tc.arg)
			}
		})
	}
}

func closeTo(a, b float64) bool {
	d := a - b
	if d < 0 {
		d = -d
	}
	return d <= 1e-9*max(1, b, -b)
}

func TestAccErrorBudgetFunction(t *testing.T) {
	s := startEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: providerConfig(s) + `
output "budget" {
  value = provider::sre::error_budget(99.9, "28d", 1000000)
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("budget", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"objective":                knownvalue.Float64Exact(99.9),
						"period":                   knownvalue.StringExact("28d"),
						"error_budget_ratio":       knownvalue.Float64Exact(0.001),
						"allowed_bad_events":       knownvalue.Float64Exact(1000),
						"allowed_downtime":         knownvalue.StringExact("40m19.2s"),
						"allowed_downtime_seconds": knownvalue.Float64Exact(2419.2),
						"max_burn_rate":            knownvalue.Float64Exact(1000),
					})),
				},
			},
			{
				Config: providerConfig(s) + `
output "budget" {
  value = provider::sre::error_budget(100, "28d", 1000000)
}
`,
				ExpectError: regexp.MustCompile(wrapTolerant(`(?s)Invalid objective: objective "100": must be less than 100 percent`)),
			},
		},
	})
}
