// Command terraform-provider-aws serves the plan-only test provider for
// fixture generation (see scripts/gen-plan-fixtures.sh).
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/sre-provider/terraform-provider-sre/internal/testprovider/aws"
)

func main() {
	err := providerserver.Serve(context.Background(), aws.New, providerserver.ServeOpts{
		Address: "registry.terraform.io/hashicorp/aws",
	})
	if err != nil {
		log.Fatal(err)
	}
}
