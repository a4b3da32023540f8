package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/sre-provider/terraform-provider-sre/internal/awsemu"
)

const callerIdentityConfig = `
data "sre_caller_identity" "current" {}
`

func TestAccCallerIdentityDataSource_AgainstEmulator(t *testing.T) {
	s := startEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(s) + callerIdentityConfig,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.sre_caller_identity.current", tfjsonpath.New("account_id"), knownvalue.StringExact(awsemu.DefaultAccountID)),
				statecheck.ExpectKnownValue("data.sre_caller_identity.current", tfjsonpath.New("region"), knownvalue.StringExact("us-east-1")),
				statecheck.ExpectKnownValue("data.sre_caller_identity.current", tfjsonpath.New("arn"), knownvalue.StringRegexp(regexp.MustCompile(`^arn:aws:iam::123456789012:user/`))),
			},
		}},
	})
	if n := s.Calls("sts", "GetCallerIdentity"); n < 2 {
		t.Fatalf("emulator saw %d GetCallerIdentity calls; want the credential check and the data source read", n)
	}
}
