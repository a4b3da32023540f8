package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sre-provider/terraform-provider-sre/internal/slo"
	"github.com/sre-provider/terraform-provider-sre/internal/slodash"
)

var (
	_ datasource.DataSource              = (*SLOStatusDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*SLOStatusDataSource)(nil)
)

// NewSLOStatusDataSource returns the sre_slo_status data source.
func NewSLOStatusDataSource() datasource.DataSource { return &SLOStatusDataSource{} }

// SLOStatusDataSource reads the live status of an SLO created by sre_slo.
type SLOStatusDataSource struct {
	clients *Clients
}

// SLOStatusDataSourceModel maps the sre_slo_status schema.
type SLOStatusDataSourceModel struct {
	Name                    types.String  `tfsdk:"name"`
	Objective               types.Float64 `tfsdk:"objective"`
	Period                  types.String  `tfsdk:"period"`
	HasData                 types.Bool    `tfsdk:"has_data"`
	AttainmentPercent       types.Float64 `tfsdk:"attainment_percent"`
	BudgetRemainingFraction types.Float64 `tfsdk:"budget_remaining_fraction"`
	BudgetRemainingEvents   types.Float64 `tfsdk:"budget_remaining_events"`
	BurnRates               types.Map     `tfsdk:"burn_rates"`
	ReleaseAllowed          types.Bool    `tfsdk:"release_allowed"`
	WindowStart             types.String  `tfsdk:"window_start"`
	WindowEnd               types.String  `tfsdk:"window_end"`
}

func (d *SLOStatusDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_slo_status"
}

func (d *SLOStatusDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"name": schema.StringAttribute{Required: true, MarkdownDescription: "Name of an SLO created by `sre_slo`."},
		"objective": schema.Float64Attribute{Computed: true,
			MarkdownDescription: "Objective of the SLO as a percentage, from its definition."},
		"period": schema.StringAttribute{Computed: true, MarkdownDescription: "Period of the SLO, from its definition."},
	}
	for name, t := range sloStatusAttrTypes {
		desc := sloStatusDescriptions[name]
		switch t {
		case types.BoolType:
			attrs[name] = schema.BoolAttribute{Computed: true, MarkdownDescription: desc}
		case types.StringType:
			attrs[name] = schema.StringAttribute{Computed: true, MarkdownDescription: desc}
		case types.Float64Type:
			attrs[name] = schema.Float64Attribute{Computed: true, MarkdownDescription: desc}
		default:
			attrs[name] = schema.MapAttribute{Computed: true, ElementType: types.Float64Type, MarkdownDescription: desc}
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Live status of an SLO managed by `sre_slo`, read from CloudWatch with GetMetricData: attainment, " +
			"error budget remaining and current burn rates. `release_allowed` is false once the error budget is spent, so a " +
			"`precondition` on it turns the error-budget policy into a check that stops a release.",
		Attributes: attrs,
	}
}

func (d *SLOStatusDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = clientsFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *SLOStatusDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data SLOStatusDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := data.Name.ValueString()
	if err := slo.ValidateName(name); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Invalid Name", err.Error())
		return
	}
	dash := slodash.DashboardName(name)
	reader := sloReaderFor(d.clients.CloudWatch)
	body, err := reader.dashboard(ctx, name)
	if errors.Is(err, errSLODashboardNotFound) {
		resp.Diagnostics.AddAttributeError(path.Root("name"), "SLO Not Found",
			fmt.Sprintf("No SLO named %s exists: the dashboard %s was not found. Check the name, or create the SLO with sre_slo first.", name, dash))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Read SLO Status Error",
			fmt.Sprintf("Could not read the dashboard %s of SLO %s. Check the provider's CloudWatch permissions (cloudwatch:GetDashboard).\n\n%s", dash, name, err))
		return
	}
	doc, err := slodash.Parse(body)
	if err != nil {
		resp.Diagnostics.AddError("Read SLO Status Error",
			fmt.Sprintf("The dashboard %s does not hold a readable sre_slo definition; was it edited outside Terraform? Apply the sre_slo resource again.\n\n%s", dash, err))
		return
	}
	def, err := sloDefinition(doc)
	if err != nil {
		resp.Diagnostics.AddError("Read SLO Status Error", fmt.Sprintf("The definition of SLO %s on dashboard %s is invalid.\n\n%s", name, dash, err))
		return
	}
	res, err := reader.status(ctx, doc)
	if err != nil {
		resp.Diagnostics.AddError("Read SLO Status Error",
			fmt.Sprintf("Could not read the metrics of SLO %s. Check the provider's CloudWatch permissions (cloudwatch:GetMetricData).\n\n%s", name, err))
		return
	}
	st := sloStatusObject(res).Attributes()
	data.Objective = types.Float64Value(def.Objective.Percent())
	data.Period = types.StringValue(def.Period.String())
	data.HasData = st["has_data"].(types.Bool)
	data.AttainmentPercent = st["attainment_percent"].(types.Float64)
	data.BudgetRemainingFraction = st["budget_remaining_fraction"].(types.Float64)
	data.BudgetRemainingEvents = st["budget_remaining_events"].(types.Float64)
	data.BurnRates = st["burn_rates"].(types.Map)
	data.ReleaseAllowed = st["release_allowed"].(types.Bool)
	data.WindowStart = st["window_start"].(types.String)
	data.WindowEnd = st["window_end"].(types.String)
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}
