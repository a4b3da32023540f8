package provider

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ datasource.DataSourceWithConfigure = &CallerIdentityDataSource{}

// NewCallerIdentityDataSource returns the sre_caller_identity data source.
func NewCallerIdentityDataSource() datasource.DataSource { return &CallerIdentityDataSource{} }

// CallerIdentityDataSource reports who the provider is acting as, so a
// configuration can assert it is pointed at the intended account.
type CallerIdentityDataSource struct {
	clients *Clients
}

// CallerIdentityModel is the data source's state.
type CallerIdentityModel struct {
	ID        types.String `tfsdk:"id"`
	AccountID types.String `tfsdk:"account_id"`
	ARN       types.String `tfsdk:"arn"`
	UserID    types.String `tfsdk:"user_id"`
	Region    types.String `tfsdk:"region"`
}

// Metadata sets the type name.
func (d *CallerIdentityDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_caller_identity"
}

// Schema describes the data source.
func (d *CallerIdentityDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The AWS identity and region the provider uses, from STS `GetCallerIdentity`. " +
			"Useful in `precondition` blocks to make sure a rollout targets the intended account.",
		Attributes: map[string]schema.Attribute{
			"id":         schema.StringAttribute{Computed: true, MarkdownDescription: "Same as `account_id`."},
			"account_id": schema.StringAttribute{Computed: true, MarkdownDescription: "AWS account ID."},
			"arn":        schema.StringAttribute{Computed: true, MarkdownDescription: "ARN of the calling identity (user or assumed role)."},
			"user_id":    schema.StringAttribute{Computed: true, MarkdownDescription: "Unique identifier of the calling identity."},
			"region":     schema.StringAttribute{Computed: true, MarkdownDescription: "Region the provider is configured for."},
		},
	}
}

// Configure receives the provider's clients.
func (d *CallerIdentityDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = clientsFrom(req.ProviderData, &resp.Diagnostics)
}

// Read calls STS.
func (d *CallerIdentityDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.clients == nil {
		resp.Diagnostics.AddError("Provider Not Configured", "sre_caller_identity needs a configured sre provider.")
		return
	}
	out, err := d.clients.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		resp.Diagnostics.AddError("Read Caller Identity Error",
			fmt.Sprintf("STS GetCallerIdentity failed; check the provider's credentials and endpoints.sts.\n\n%v", err))
		return
	}
	state := CallerIdentityModel{
		ID:        types.StringValue(aws.ToString(out.Account)),
		AccountID: types.StringValue(aws.ToString(out.Account)),
		ARN:       types.StringValue(aws.ToString(out.Arn)),
		UserID:    types.StringValue(aws.ToString(out.UserId)),
		Region:    types.StringValue(d.clients.Region),
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
