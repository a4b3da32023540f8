// Package aws is a plan-only stand-in for the hashicorp/aws provider. It
// declares the schemas of the network resources the plan checker reads, with
// the same attribute types and computed attributes as the real provider, so
// that `terraform plan` writes configuration, references and unknown values
// exactly as it would against AWS. It is used only to generate checker
// fixtures; it never talks to AWS.
package aws

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

var _ provider.Provider = (*awsProvider)(nil)

// New returns the provider factory used by providerserver.Serve.
func New() provider.Provider { return &awsProvider{} }

type awsProvider struct{}

func (p *awsProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "aws"
}

func (p *awsProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = pschema.Schema{
		Attributes: map[string]pschema.Attribute{
			"region":                      pschema.StringAttribute{Optional: true},
			"skip_credentials_validation": pschema.BoolAttribute{Optional: true},
		},
	}
}

func (p *awsProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (p *awsProvider) Resources(context.Context) []func() resource.Resource {
	var out []func() resource.Resource
	for _, name := range resourceTypeNames() {
		out = append(out, func() resource.Resource { return &echoResource{typeName: name} })
	}
	return out
}

func (p *awsProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }
