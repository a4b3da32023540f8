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

func runBurnRateThreshold(objective float64, period string, share float64, window string) (float64, *function.FuncError) {
	req := function.RunRequest{Arguments: function.NewArgumentsData([]attr.Value{
		types.Float64Value(objective), types.StringValue(period), types.Float64Value(share), types.StringValue(window),
	})}
	resp := &function.RunResponse{Result: function.NewResultData(types.Float64Unknown())}
	NewBurnRateThresholdFunction().Run(context.Background(), req, resp)
	if resp.Error != nil {
		return 0, resp.Error
	}
	return resp.Result.Value().(types.Float64).ValueFloat64(), nil
}

func TestBurnRateThresholdFunction(t *testing.T) {
	tests := map[string]struct {
		period string
		share  float64
		window string
		want   float64
	}{
		"30-day fast page is 14.4":   {period: "30d", share: 0.02, window: "1h", want: 14.4},
		"30-day slow page is 6":      {period: "30d", share: 0.05, window: "6h", want: 6},
		"28-day fast page is 13.44":  {period: "28d", share: 0.02, window: "1h", want: 13.44},
		"28-day slow page is 5.6":    {period: "28d", share: 0.05, window: "6h", want: 5.6},
		"30-day slow ticket is 1":    {period: "30d", share: 0.1, window: "3d", want: 1},
		"calendar month plans as 30": {period: "calendar_month", share: 0.1, window: "1d", want: 3},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, ferr := runBurnRateThreshold(99.9, tc.period, tc.share, tc.window)
			if ferr != nil {
				t.Fatalf("error: %s", ferr.Text)
			}
			if got != tc.want {
				t.Fatalf("threshold = %v, want exactly %v", got, tc.want)
			}
		})
	}
}

func TestBurnRateThresholdFunctionArgumentErrors(t *testing.T) {
	tests := map[string]struct {
		objective float64
		period    string
		share     float64
		window    string
		arg       int64
		text      string
	}{
		"an objective of 100 is argument 0":             {objective: 100, period: "30d", share: 0.02, window: "1h", arg: 0, text: "less than 100"},
		"an unknown period is argument 1":               {objective: 99.9, period: "monthly", share: 0.02, window: "1h", arg: 1, text: "calendar_month"},
		"a share above one is argument 2":               {objective: 99.9, period: "30d", share: 2, window: "1h", arg: 2, text: "at most 1"},
		"a zero share is argument 2":                    {objective: 99.9, period: "30d", share: 0, window: "1h", arg: 2, text: "greater than 0"},
		"a window in seconds is argument 3":             {objective: 99.9, period: "30d", share: 0.02, window: "90s", arg: 3, text: "minutes, hours or days"},
		"a window longer than the period is argument 3": {objective: 99.9, period: "7d", share: 0.1, window: "8d", arg: 3, text: "longer than the period 7d"},
		"a threshold above 1/(1-SLO) is unreachable": {
			objective: 90, period: "30d", share: 0.02, window: "1h", arg: 3, text: "exceeds the largest possible burn rate 10",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, ferr := runBurnRateThreshold(tc.objective, tc.period, tc.share, tc.window)
			if ferr == nil {
				t.Fatal("want an argument error")
			}
			if ferr.FunctionArgument == nil || *ferr.FunctionArgument != tc.arg || !strings.Contains(ferr.Text, tc.text) {
				t.Fatalf("error = %q on argument %v, want %q on argument %d", ferr.Text, ferr.FunctionArgument, tc.text, tc.arg)
			}
		})
	}
}

func TestAccBurnRateThresholdFunction(t *testing.T) {
	s := startEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: providerConfig(s) + `
output "page_30d" {
  value = provider::sre::burn_rate_threshold(99.9, "30d", 0.02, "1h")
}
output "page_28d" {
  value = provider::sre::burn_rate_threshold(99.9, "28d", 0.05, "6h")
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("page_30d", knownvalue.Float64Exact(14.4)),
					statecheck.ExpectKnownOutputValue("page_28d", knownvalue.Float64Exact(5.6)),
				},
			},
			{
				Config: providerConfig(s) + `
output "never" {
  value = provider::sre::burn_rate_threshold(90, "30d", 0.02, "1h")
}
`,
				ExpectError: regexp.MustCompile(wrapTolerant(`(?s)Unreachable burn-rate threshold: window 1h: burn-rate threshold 14.4 .* exceeds the largest possible burn rate 10`)),
			},
			{
				Config: providerConfig(s) + `
output "bad_window" {
  value = provider::sre::burn_rate_threshold(99.9, "30d", 0.02, "90s")
}
`,
				ExpectError: regexp.MustCompile(wrapTolerant(`(?s)Invalid window: window "90s": must be a whole number of minutes, hours or days`)),
			},
		},
	})
}
