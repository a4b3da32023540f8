// Command terraform-provider-sre is the sre Terraform provider and, with the
// check subcommand, the plan-policy checker for pre-merge CI; drill fires an
// alert policy's page as in an incident drill.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/sre-provider/terraform-provider-sre/internal/check"
	"github.com/sre-provider/terraform-provider-sre/internal/drill"
	"github.com/sre-provider/terraform-provider-sre/internal/provider"
	"github.com/sre-provider/terraform-provider-sre/internal/rolloutcmd"
)

// version is set at release time with -ldflags "-X main.version=...".
var version = "dev"

const registryAddress = "registry.terraform.io/sre-provider/sre"

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "check":
			os.Exit(check.Main(os.Args[2:], os.Stdin, os.Stdout, os.Stderr))
		case "drill":
			os.Exit(drill.Main(os.Args[2:], os.Stdout, os.Stderr))
		case "rollout":
			os.Exit(rolloutcmd.Main(os.Args[2:], os.Stdout, os.Stderr))
		case "version", "--version", "-version":
			fmt.Printf("terraform-provider-sre %s\n", version)
			return
		case "help", "--help", "-help", "-h":
			fmt.Print(usage)
			return
		}
	}

	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Usage = func() { fmt.Fprint(os.Stderr, usage) }
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: registryAddress,
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}

const usage = `terraform-provider-sre: the sre Terraform provider and plan-policy checker.

Usage:
  terraform-provider-sre                 serve the provider (Terraform starts it this way)
  terraform-provider-sre -debug          serve the provider for a debugger
  terraform-provider-sre check [flags] plan.json
                                         check a 'terraform show -json' plan against the policies
                                         (run 'terraform-provider-sre check --help' for flags)
  terraform-provider-sre drill [flags] POLICY
                                         fire an sre_alert_policy's page end to end, as in a drill
                                         (run 'terraform-provider-sre drill --help' for flags)
  terraform-provider-sre rollout status [flags] GROUP
                                         the live progress of an sre_asg_rollout (-watch to follow it)
  terraform-provider-sre version         print the version
`
