package provider

import (
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sre-provider/terraform-provider-sre/internal/awsemu"
)

// testAccProtoV6ProviderFactories serves the provider in-process to the
// real Terraform CLI that terraform-plugin-testing drives.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"sre": providerserver.NewProtocol6WithError(New("test")()),
}

// startEmulator runs an in-process AWS emulator for one test.
func startEmulator(t *testing.T) *awsemu.Server {
	t.Helper()
	s := awsemu.New(awsemu.Options{})
	if _, err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// providerConfig points every service of the provider at the emulator.
// extra is appended inside the provider block.
func providerConfig(s *awsemu.Server, extra ...string) string {
	return fmt.Sprintf(`
provider "sre" {
  region     = "us-east-1"
  access_key = %q
  secret_key = %q
  max_retries = 1
  endpoints {
    autoscaling = %[3]q
    cloudwatch  = %[3]q
    ec2         = %[3]q
    elbv2       = %[3]q
    sts         = %[3]q
  }
%[4]s
}
`, awsemu.DefaultAccessKey, awsemu.DefaultSecretKey, s.URL(), strings.Join(extra, "\n"))
}

func TestAccProvider_AssumeRole(t *testing.T) {
	s := startEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(s, `  assume_role {
    role_arn     = "arn:aws:iam::123456789012:role/deployer"
    session_name = "ci"
  }`) + callerIdentityConfig,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.sre_caller_identity.current", tfjsonpath.New("arn"), knownvalue.StringExact("arn:aws:sts::123456789012:assumed-role/deployer/session")),
			},
		}},
	})
	if s.Calls("sts", "AssumeRole") == 0 {
		t.Fatal("provider did not call STS AssumeRole")
	}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return "http://" + addr
}

func TestAccProvider_ConfigurationErrors(t *testing.T) {
	s := startEmulator(t)
	cases := []struct {
		name   string
		config string
		want   string
	}{
		{
			name:   "a region that is not an AWS region name",
			config: strings.Replace(providerConfig(s), `region     = "us-east-1"`, `region = "useast1"`, 1),
			want:   `(?s)Attribute region must be an AWS region name such as us-east-1`,
		},
		{
			name:   "static keys together with a profile",
			config: providerConfig(s, `  profile = "prod"`),
			want:   `profile setting is not usable: conflicting credentials`,
		},
		{
			name:   "an access key without its secret",
			config: "provider \"sre\" {\n  region = \"us-east-1\"\n  access_key = \"AKIDONLY\"\n}\n",
			want:   `access_key and secret_key must be set together`,
		},
		{
			name:   "a wrong secret key",
			config: strings.Replace(providerConfig(s), awsemu.DefaultSecretKey, "not-the-secret", 1),
			want:   `(?s)rejected the credentials \(SignatureDoesNotMatch\)`,
		},
		{
			name:   "an unreachable STS endpoint",
			config: fmt.Sprintf("provider \"sre\" {\n  region = \"us-east-1\"\n  access_key = \"a\"\n  secret_key = \"b\"\n  max_retries = 0\n  endpoints {\n    sts = %q\n  }\n}\n", closedPort(t)),
			want:   `(?s)cannot reach the STS endpoint http://127\.0\.0\.1:\d+ \(endpoints\.sts\)`,
		},
		{
			name:   "an endpoint that is not a URL",
			config: strings.Replace(providerConfig(s), `ec2         = "`+s.URL()+`"`, `ec2 = "localhost:4566"`, 1),
			want:   `must be an http:// or https:// URL`,
		},
		{
			name:   "a role ARN that is not a role",
			config: providerConfig(s, "  assume_role {\n    role_arn = \"arn:aws:iam::123456789012:user/bob\"\n  }"),
			want:   `must be an IAM role ARN`,
		},
		{
			name:   "a role the caller may not assume",
			config: providerConfig(s, "  assume_role {\n    role_arn = \"arn:aws:iam::123456789012:role/denied\"\n  }"),
			want:   `(?s)cannot assume role arn:aws:iam::123456789012:role/denied`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      tc.config + callerIdentityConfig,
					ExpectError: regexp.MustCompile(wrapTolerant(tc.want)),
				}},
			})
		})
	}
}

// wrapTolerant lets a pattern's spaces match Terraform's line wrapping.
func wrapTolerant(pattern string) string {
	return strings.ReplaceAll(pattern, " ", `\s+`)
}
