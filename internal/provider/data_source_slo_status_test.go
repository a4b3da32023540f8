package provider

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccSLOStatus_MatchesHandComputedAttainment(t *testing.T) {
	s := startEmulator(t)
	useEmulatorClock(t, s)
	statusConfig := providerConfig(s) + sloConfig("checkout-availability", "99.9", "28d", "Checkout requests succeed.") + `
data "sre_slo_status" "checkout" {
  name = sre_slo.test.name
}
`
	gate := `
resource "terraform_data" "release" {
  input = "v2"
  lifecycle {
    precondition {
      condition     = data.sre_slo_status.checkout.release_allowed
      error_message = "The error budget of checkout is spent: releases are frozen."
    }
  }
}
`
	const ds = "data.sre_slo_status.checkout"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// 100,000 requests two days ago with 40 bad, 10,000 requests 20
				// minutes ago with 30 bad: 70 bad of 110,000.
				//   attainment   = 109,930 / 110,000       = 99.93636…%
				//   allowed bad  = 0.001 × 110,000         = 110
				//   remaining    = 1 − 70/110              = 0.36363…
				//   burn rate 1h = (30/10,000) / 0.001     = 3
				//   burn rate 3d = (70/110,000) / 0.001    = 0.63636…
				PreConfig: func() {
					putMetrics(t, s, "checkout", map[string][]pt{
						"Requests": {{48 * time.Hour, 100_000}, {20 * time.Minute, 10_000}},
						"Good":     {{48 * time.Hour, 99_960}, {20 * time.Minute, 9_970}},
					})
				},
				Config: statusConfig + gate,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("has_data"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("objective"), knownvalue.Float64Exact(99.9)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("period"), knownvalue.StringExact("28d")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("attainment_percent"), knownvalue.Float64Exact(100*109_930.0/110_000)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("budget_remaining_fraction"), knownvalue.Float64Exact(1-70.0/(0.001*110_000))),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("budget_remaining_events"), knownvalue.Float64Exact(0.001*110_000-70)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("burn_rates").AtMapKey("1h"), knownvalue.Float64Exact(30.0/10_000/0.001)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("burn_rates").AtMapKey("3d"), knownvalue.Float64Exact(70.0/110_000/0.001)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("burn_rates").AtMapKey("5m"), knownvalue.Float64Exact(0)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("release_allowed"), knownvalue.Bool(true)),
				},
			},
			{
				// The resource's own status matches after a refresh.
				Config: statusConfig + gate,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("sre_slo.test", tfjsonpath.New("status").AtMapKey("attainment_percent"), knownvalue.Float64Exact(100*109_930.0/110_000)),
					statecheck.ExpectKnownValue("sre_slo.test", tfjsonpath.New("status").AtMapKey("release_allowed"), knownvalue.Bool(true)),
				},
			},
			{
				// An incident burns the rest of the budget: 500 bad of 1,000
				// five minutes ago. The precondition now stops the release.
				PreConfig: func() {
					putMetrics(t, s, "checkout", map[string][]pt{
						"Requests": {{5 * time.Minute, 1_000}},
						"Good":     {{5 * time.Minute, 500}},
					})
				},
				Config:      statusConfig + strings.Replace(gate, `"v2"`, `"v3"`, 1),
				ExpectError: regexp.MustCompile(wrapTolerant(`The error budget of checkout is spent: releases are frozen.`)),
			},
		},
	})
}

func TestAccSLOStatus_UnknownSLO(t *testing.T) {
	s := startEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      providerConfig(s) + "data \"sre_slo_status\" \"x\" {\n  name = \"nope\"\n}\n",
			ExpectError: regexp.MustCompile(wrapTolerant(`(?s)SLO Not Found.*No SLO named nope exists`)),
		}},
	})
}
